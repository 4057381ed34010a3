"""The planning parameters of the server-room plan: defaults in ``pipeline/data/room-plan.json``, a
``--plan FILE`` JSON (any subset of the same keys) over them. Checked when loaded: an unknown key, a value
that is not a number, a negative one, or zero where the plan divides by it is a :class:`CatalogError`
naming the key."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import CatalogError

DEFAULTS = Path(__file__).resolve().parent.parent / "data" / "room-plan.json"


@dataclass(frozen=True)
class Plan:
    """Planning parameters. The ``ROOM`` ones are the yellow what-if cells of the rekap; the others size a server
    nobody described (the previous template's counts, a blank in the Server sheet) and set the network checks."""

    server_vcpu: float  # a server whose size is not given is counted with these
    server_ram_gb: float
    server_storage_gb: float
    vms_per_host: float  # consolidation ratio: VMs one host runs
    growth_per_year: float  # headroom per year (0.2 = 20 %)
    horizon_years: float
    host_vcpu: float  # one host's size
    host_ram_gb: float
    spare_hosts: float  # hosts kept free for a failure (N+1)
    storage_redundancy: float  # raw capacity per usable TB
    units_per_host: float  # rack units
    units_per_rack: float  # usable rack units per rack
    kw_per_host: float
    pue: float  # power usage effectiveness: facility power / IT power
    tariff_per_kwh: float  # rupiah
    host_price: float  # rupiah, a host with its share of storage
    service_life_years: float  # hardware paid over these years; older servers are past their service life
    min_mbps: float  # every office site needs at least this
    mbps_per_user: float
    mbps_per_app: float  # per active application of the OPD
    max_outages: float  # more outages in three months than this are flagged


ROOM = ("vms_per_host", "growth_per_year", "horizon_years", "host_vcpu", "host_ram_gb", "spare_hosts",
        "storage_redundancy", "units_per_host", "units_per_rack", "kw_per_host", "pue", "tariff_per_kwh",
        "host_price", "service_life_years")
_NONZERO = ("vms_per_host", "host_vcpu", "host_ram_gb", "units_per_rack", "pue", "service_life_years")


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError("error.plan-unreadable", path=path, error=str(exc)) from None
    except json.JSONDecodeError as exc:
        raise CatalogError("error.plan-json", path=path, line=exc.lineno, col=exc.colno) from None
    if not isinstance(data, dict):
        raise CatalogError("error.plan-key", path=path, name="-")
    return {k: v for k, v in data.items() if not str(k).startswith("_")}  # "_about": a comment


def load(path: str | Path | None = None) -> Plan:
    """The planning parameters: the defaults, with ``path``'s values over them."""
    values = _read(DEFAULTS)
    names = {f.name for f in dataclasses.fields(Plan)}
    where = Path(path) if path else DEFAULTS
    for key, value in (_read(where) if path else {}).items():
        if key not in names:
            raise CatalogError("error.plan-key", path=where, name=key)
        values[key] = value
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (
                key in _NONZERO and value == 0):
            raise CatalogError("error.plan-value", path=where, name=key, value=json.dumps(value))
    return Plan(**{k: float(v) for k, v in values.items()})
