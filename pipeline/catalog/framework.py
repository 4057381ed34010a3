"""Framework catalogs: domains, aspects, indicators, weights, levels and predikat bands.

A catalog is a JSON data file (``pipeline/catalogs/<id>.json`` or a user's own file). Loading
checks it and raises :class:`CatalogError` with one sentence naming the bad entry. Weights are
exact :class:`fractions.Fraction` values written as strings ("1.3", "20/6"); JSON numbers are
refused because binary floats cannot hold 20/6 exactly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from pipeline.errors import CatalogError

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalogs"
DEFAULT_FRAMEWORK = "permenpanrb-5-2018"
BAND_RULES = ("unrounded", "rounded")


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    weight: Fraction


@dataclass(frozen=True)
class Aspect:
    id: str
    domain: str
    name: str
    weight: Fraction
    capability: str  # "process" or "service"


@dataclass(frozen=True)
class Indicator:
    id: str
    domain: str
    aspect: str
    name: str
    weight: Fraction
    capability: str
    question: str
    explanation: str
    evidence: str
    levels: tuple[tuple[int, str], ...]  # (level, criteria text), ascending
    service_slot: int | None = None  # 1..3 for the "public service named by the OPD" indicators
    source_note: str | None = None

    def criteria(self, level: int) -> str:
        return next((text for lv, text in self.levels if lv == level), "")


@dataclass(frozen=True)
class Band:
    name: str
    min: Fraction  # inclusive
    max: Fraction  # exclusive, except for the top band where it is the scale maximum


@dataclass(frozen=True)
class Service:
    key: str
    label: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    regulation: str
    short_name: str
    cycles: tuple[int, ...]
    level_min: int
    level_max: int
    level_names: tuple[tuple[str, tuple[tuple[int, str], ...]], ...]  # capability -> (level, name)
    band_rule: str
    bands: tuple[Band, ...]  # ascending
    domains: tuple[Domain, ...]
    aspects: tuple[Aspect, ...]
    indicators: tuple[Indicator, ...]
    services: tuple[Service, ...]
    sources: tuple[str, ...]
    confidence_notes: tuple[str, ...]
    path: str = ""
    _by_id: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    _fingerprint: str = field(default="", init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {i.id: i for i in self.indicators})
        text = "|".join(f"{i.id}:{i.aspect}:{i.weight}" for i in self.indicators)
        object.__setattr__(self, "_fingerprint", hashlib.sha256(f"{self.id}|{text}".encode()).hexdigest()[:16])

    @property
    def levels(self) -> range:
        return range(self.level_min, self.level_max + 1)

    def level_name(self, capability: str, level: int) -> str:
        return dict(dict(self.level_names)[capability]).get(level, "")

    def indicator(self, indicator_id: str) -> Indicator:
        return self._indicator_map()[indicator_id]

    def has_indicator(self, indicator_id: str) -> bool:
        return indicator_id in self._indicator_map()

    def _indicator_map(self) -> dict[str, Indicator]:
        return self._by_id

    def aspects_of(self, domain_id: str) -> tuple[Aspect, ...]:
        return tuple(a for a in self.aspects if a.domain == domain_id)

    def indicators_of(self, aspect_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.aspect == aspect_id)

    def service_of(self, indicator_id: str) -> Service | None:
        for s in self.services:
            if indicator_id in s.indicators:
                return s
        return None

    def predikat(self, value: Fraction) -> str:
        """Predikat of an exact index, applying the catalog's band-edge rule."""
        return band_for(self, value, self.band_rule).name

    @property
    def fingerprint(self) -> str:
        """Short hash of the indicator list (ids, aspects, weights): ties a template to its catalog."""
        return self._fingerprint


def round_half_up(value: Fraction, places: int = 2) -> Fraction:
    """Round an exact value half-up (away from zero for positives) to ``places`` decimals."""
    scale = 10**places
    scaled = value * scale
    rounded = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    return Fraction(rounded, scale)


def band_for(fw: Framework, value: Fraction, rule: str | None = None) -> Band:
    """The band containing ``value``; under the "rounded" rule the 2-decimal display value is used."""
    rule = rule or fw.band_rule
    v = round_half_up(value) if rule == "rounded" else value
    for band in reversed(fw.bands):
        if v >= band.min:
            return band
    return fw.bands[0]


def exact(value: Fraction | None) -> str:
    """Exact value as a short decimal string when it terminates, else a fraction ("20/6"), for traceability."""
    if value is None:
        return ""
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value.numerator}/{value.denominator}"


def display(value: Fraction | None, places: int = 2) -> str:
    """Format an exact value for display, half-up, with a decimal point."""
    if value is None:
        return ""
    r = round_half_up(value, places)
    return f"{float(r):.{places}f}"


# ---------------------------------------------------------------- loading and checking


def _exact(value: object, where: str) -> Fraction:
    if not isinstance(value, str):
        raise CatalogError("error.catalog-weight-number", where=where, value=repr(value))
    try:
        f = Fraction(value.strip())
    except (ValueError, ZeroDivisionError):
        raise CatalogError("error.catalog-weight-invalid", where=where, value=repr(value)) from None
    if f <= 0:
        raise CatalogError("error.catalog-weight-positive", where=where, value=repr(value))
    return f


def _req(obj: dict, key: str, where: str) -> object:
    if not isinstance(obj, dict) or key not in obj or obj[key] in (None, ""):
        raise CatalogError("error.catalog-field-missing", where=where, field=key)
    return obj[key]


def parse_catalog(data: dict, path: str = "") -> Framework:
    """Build and check a Framework from catalog data; raise CatalogError naming the bad entry."""
    fid = str(_req(data, "id", "catalog"))
    where0 = f"catalog {fid}"
    lo, hi = _level_range(data, where0)
    rule = _band_rule(data, where0)
    level_names = _level_names(data, where0, lo, hi)
    seen: set[str] = set()
    domains = _domains(data, where0, seen)
    aspects = _aspects(data, where0, seen, {d.id for d in domains})
    indicators = _indicators(data, where0, seen, {a.id: a for a in aspects}, lo, hi)
    _check_weights(domains, aspects, indicators, where0)
    bands = _bands(data, where0)
    _check_bands(bands, where0, lo, hi)
    services = _services(data, where0, {i.id for i in indicators})
    return Framework(
        id=fid,
        title=str(data.get("title", fid)),
        regulation=str(data.get("regulation", "")),
        short_name=str(data.get("short_name", fid)),
        cycles=tuple(int(c) for c in data.get("cycles") or ()),
        level_min=lo,
        level_max=hi,
        level_names=level_names,
        band_rule=rule,
        bands=tuple(bands),
        domains=tuple(domains),
        aspects=tuple(aspects),
        indicators=tuple(indicators),
        services=tuple(services),
        sources=tuple(str(s) for s in data.get("sources") or ()),
        confidence_notes=tuple(str(s) for s in data.get("confidence_notes") or ()),
        path=path,
    )


def _level_range(data: dict, where0: str) -> tuple[int, int]:
    """The scale's lowest and highest level; checks that it is a non-negative, non-empty range."""
    levels = _req(data, "levels", where0)
    lo, hi = int(_req(levels, "min", f"{where0} levels")), int(_req(levels, "max", f"{where0} levels"))
    if lo < 0 or hi <= lo:
        raise CatalogError("error.catalog-level-range", where=where0, lo=lo, hi=hi)
    return lo, hi


def _band_rule(data: dict, where0: str) -> str:
    """The band-edge rule ("unrounded" when absent); checks that it is one of BAND_RULES."""
    rule = str(data.get("band_rule", "unrounded"))
    if rule not in BAND_RULES:
        raise CatalogError("error.catalog-band-rule", where=where0, rule=repr(rule), rules=", ".join(BAND_RULES))
    return rule


def _level_names(data: dict, where0: str, lo: int, hi: int) -> tuple[tuple[str, tuple[tuple[int, str], ...]], ...]:
    """Each capability's level names; checks that every level of the scale has one."""
    names_raw = _req(data, "level_names", where0)
    level_names = []
    for cap in ("process", "service"):
        raw = _req(names_raw, cap, f"{where0} level_names")
        got = {int(k): str(v) for k, v in raw.items()}
        missing = [lv for lv in range(lo, hi + 1) if not got.get(lv)]
        if missing:
            raise CatalogError("error.catalog-level-name", where=where0, cap=cap, level=missing[0])
        level_names.append((cap, tuple(sorted(got.items()))))
    return tuple(level_names)


def _unique(seen: set[str], kind: str, ident: str, where0: str) -> None:
    """Checks that a domain, aspect or indicator id is not already used by any of them; records it."""
    if ident in seen:
        raise CatalogError("error.catalog-duplicate-id", where=where0, kind=kind, id=repr(ident))
    seen.add(ident)


def _domains(data: dict, where0: str, seen: set[str]) -> list[Domain]:
    """The domains, each with a unique id, a name and an exact positive weight."""
    domains = []
    for d in _req(data, "domains", where0):
        did = str(_req(d, "id", f"{where0} domain"))
        _unique(seen, "domain", did, where0)
        domains.append(Domain(did, str(_req(d, "name", f"domain {did}")), _exact(d.get("weight"), f"domain {did}")))
    return domains


def _aspects(data: dict, where0: str, seen: set[str], dom_ids: set[str]) -> list[Aspect]:
    """The aspects; checks each one's id is unique, its domain defined and its capability known."""
    aspects = []
    for a in _req(data, "aspects", where0):
        aid = str(_req(a, "id", f"{where0} aspect"))
        _unique(seen, "aspect", aid, where0)
        dom = str(_req(a, "domain", f"aspect {aid}"))
        if dom not in dom_ids:
            raise CatalogError("error.catalog-undefined", where=f"aspect {aid}", kind="domain", id=repr(dom))
        cap = str(_req(a, "capability", f"aspect {aid}"))
        if cap not in ("process", "service"):
            raise CatalogError("error.catalog-capability", where=f"aspect {aid}", value=repr(cap))
        aspects.append(Aspect(aid, dom, str(_req(a, "name", f"aspect {aid}")), _exact(a.get("weight"), f"aspect {aid}"), cap))
    return aspects


def _indicators(data: dict, where0: str, seen: set[str], asp: dict[str, Aspect], lo: int, hi: int) -> list[Indicator]:
    """The indicators (see :func:`_indicator`); checks that there is at least one."""
    indicators = [_indicator(i, where0, seen, asp, lo, hi) for i in _req(data, "indicators", where0)]
    if not indicators:
        raise CatalogError("error.catalog-no-indicators", where=where0)
    return indicators


def _indicator(i: dict, where0: str, seen: set[str], asp: dict[str, Aspect], lo: int, hi: int) -> Indicator:
    """One indicator; checks its id is unique, its aspect defined, its criteria complete and its fields present."""
    iid = str(_req(i, "id", f"{where0} indicator"))
    where = f"indicator {iid}"
    _unique(seen, "indicator", iid, where0)
    aid = str(_req(i, "aspect", where))
    if aid not in asp:
        raise CatalogError("error.catalog-undefined", where=where, kind="aspect", id=repr(aid))
    texts = _criteria(i, where, lo, hi)
    slot = i.get("service_slot")
    return Indicator(
        id=iid,
        domain=asp[aid].domain,
        aspect=aid,
        name=str(_req(i, "name", where)),
        weight=_exact(i.get("weight"), where),
        capability=asp[aid].capability,
        question=str(_req(i, "question", where)),
        explanation=str(i.get("explanation") or ""),
        evidence=str(i.get("evidence") or ""),
        levels=texts,
        service_slot=int(slot) if slot else None,
        source_note=i.get("source_note"),
    )


def _criteria(i: dict, where: str, lo: int, hi: int) -> tuple[tuple[int, str], ...]:
    """An indicator's criteria text by level; checks there is one for each level of the scale and no other."""
    texts = {int(k): str(v).strip() for k, v in (i.get("levels") or {}).items()}
    for lv in range(lo, hi + 1):
        if not texts.get(lv):
            raise CatalogError("error.catalog-criteria-missing", where=where, level=lv)
    extra = sorted(set(texts) - set(range(lo, hi + 1)))
    if extra:
        raise CatalogError("error.catalog-criteria-extra", where=where, level=extra[0], lo=lo, hi=hi)
    return tuple(sorted(texts.items()))


def _check_weights(domains: list[Domain], aspects: list[Aspect], indicators: list[Indicator], where0: str) -> None:
    """Checks that indicator weights sum to their aspect's, aspect weights to their domain's, and domains to 100."""
    for a in aspects:
        total = sum((i.weight for i in indicators if i.aspect == a.id), Fraction(0))
        if total != a.weight:
            raise CatalogError("error.catalog-aspect-sum", where=f"aspect {a.id}", total=_fmt(total),
                               expected=_fmt(a.weight))
    for d in domains:
        total = sum((a.weight for a in aspects if a.domain == d.id), Fraction(0))
        if total != d.weight:
            raise CatalogError("error.catalog-domain-sum", where=f"domain {d.id}", total=_fmt(total),
                               expected=_fmt(d.weight))
    total = sum((d.weight for d in domains), Fraction(0))
    if total != 100:
        raise CatalogError("error.catalog-total-sum", where=where0, total=_fmt(total))


def _bands(data: dict, where0: str) -> list[Band]:
    """The predikat bands with exact bounds, ascending by their lower bound."""
    bands = []
    for b in _req(data, "bands", where0):
        name = str(_req(b, "name", f"{where0} band"))
        bands.append(Band(name, _frac(b.get("min"), f"band {name}"), _frac(b.get("max"), f"band {name}")))
    bands.sort(key=lambda b: b.min)
    return bands


def _check_bands(bands: list[Band], where0: str, lo: int, hi: int) -> None:
    """Checks that the bands are non-empty and cover the scale from ``lo`` to ``hi`` without gaps."""
    if not bands:
        raise CatalogError("error.catalog-no-bands", where=where0)
    if bands[0].min > lo:
        raise CatalogError("error.catalog-band-start", where=f"band {bands[0].name}", value=_fmt(bands[0].min), lo=lo)
    if bands[-1].max != hi:
        raise CatalogError("error.catalog-band-end", where=f"band {bands[-1].name}", value=_fmt(bands[-1].max), hi=hi)
    for low, high in zip(bands, bands[1:], strict=False):
        if low.max != high.min:
            raise CatalogError("error.catalog-band-gap", where=f"band {low.name}", value=_fmt(low.max),
                               next=high.name, start=_fmt(high.min))
    for b in bands:
        if b.max <= b.min:
            raise CatalogError("error.catalog-band-empty", where=f"band {b.name}", max=_fmt(b.max), min=_fmt(b.min))


def _services(data: dict, where0: str, ind_ids: set[str]) -> list[Service]:
    """The optional services; checks that each names only defined indicators."""
    services = []
    for s in data.get("services") or []:
        key = str(_req(s, "key", f"{where0} service"))
        ids = tuple(str(x) for x in s.get("indicators") or [])
        for x in ids:
            if x not in ind_ids:
                raise CatalogError("error.catalog-undefined", where=f"service {key}", kind="indicator", id=repr(x))
        services.append(Service(key, str(_req(s, "label", f"service {key}")), ids))
    return services


def _frac(value: object, where: str) -> Fraction:
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise CatalogError("error.catalog-band-bound", where=where, value=repr(value)) from None


def _fmt(f: Fraction) -> str:
    return str(f) if f.denominator != 1 else str(f.numerator)


def available() -> list[str]:
    """Ids of the catalogs shipped with the package (the crosswalks beside them are not catalogs)."""
    return sorted(p.stem for p in CATALOG_DIR.glob("*.json") if not p.stem.startswith("crosswalk-"))


@lru_cache(maxsize=16)
def load(ref: str | None = None) -> Framework:
    """Load a catalog by shipped id or by file path; raise CatalogError if it is invalid."""
    ref = ref or DEFAULT_FRAMEWORK
    path = Path(ref)
    if not (path.suffix == ".json" and path.exists()):
        path = CATALOG_DIR / f"{ref}.json"
        if not path.exists():
            raise CatalogError("error.catalog-unknown", ref=repr(ref), ids=", ".join(available()))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError("error.catalog-unreadable", path=str(path), error=str(exc)) from None
    return parse_catalog(data, str(path))


def short_name(ref: str) -> str:
    """The short name of a catalog (an earlier year's, in the history); its id when it is not one this
    installation has."""
    try:
        return load(ref).short_name
    except CatalogError:
        return ref
