"""Targets of the gap analysis, from a JSON file Diskominfo writes.

Form: ``{"index": "3.5", "levels": {"25": 3}, "opd": {"BPKAD": {"index": "4.2", "levels": {...}}}}``,
every part optional. Numbers may be strings ("3.5", "3,5") or JSON numbers. An OPD's entry is merged
over the file's defaults, key by key (its own index, else the default index; its levels over the
default levels); where neither sets a target the built-in rule applies (the next predikat band).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from pipeline.catalog.framework import Framework
from pipeline.catalog.roster import Roster
from pipeline.errors import CatalogError

_KEYS = ("index", "levels")


@dataclass(frozen=True)
class Target:
    """A target for one OPD or for all: an index and/or per-indicator levels."""

    index: Fraction | None = None
    levels: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.index is None and not self.levels


@dataclass(frozen=True)
class Targets:
    """Parsed targets: a default for every OPD and per-OPD entries (keyed by OPD code)."""

    default: Target = field(default_factory=Target)
    opd: dict[str, Target] = field(default_factory=dict)

    def for_opd(self, code: str) -> Target:
        """The target of one OPD: its own index if given, else the default's; its levels over the default's."""
        own = self.opd.get(code)
        if own is None:
            return self.default
        index = own.index if own.index is not None else self.default.index
        return Target(index, {**self.default.levels, **own.levels})


def load(path: str | Path | None, fw: Framework, roster: Roster | None = None) -> Targets:
    """Targets from a JSON file (none: the built-in rule for every OPD); a bad entry is a :class:`CatalogError`."""
    if not path:
        return Targets()
    where = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError("error.targets-unreadable", path=where, error=str(exc)) from None
    except json.JSONDecodeError as exc:
        raise CatalogError("error.targets-json", path=where, line=exc.lineno, col=exc.colno) from None
    targets = parse(data, fw, where)
    if roster is not None:
        unknown = sorted(code for code in targets.opd if roster.by_code(code) is None)
        if unknown:
            raise CatalogError("error.targets-opd-unknown", path=where, code=repr(unknown[0]))
    return targets


def parse(data: object, fw: Framework | None = None, path: str = "") -> Targets:
    """Targets from data already loaded; with ``fw``, indicator ids, levels and the index scale are checked."""
    if not isinstance(data, Mapping):
        raise CatalogError("error.targets-mapping", path=path, where="-")
    default = _target({k: v for k, v in data.items() if k != "opd"}, "", fw, path)
    per_opd: dict[str, Target] = {}
    raw = data.get("opd") or {}
    if not isinstance(raw, Mapping):
        raise CatalogError("error.targets-opd-mapping", path=path)
    for code, entry in raw.items():
        key = str(code).strip()
        if not key:
            raise CatalogError("error.targets-opd-empty", path=path)
        per_opd[key] = _target(entry, f"opd.{key}.", fw, path)
    return Targets(default, per_opd)


def _number(value: object, where: str, path: str) -> Fraction:
    text = str(value).strip()
    if isinstance(value, str) and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # decimal comma, as typed in Indonesian spreadsheets
    try:
        number = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise CatalogError("error.targets-not-number", path=path, where=where, value=repr(value)) from None
    if number < 0:
        raise CatalogError("error.targets-negative", path=path, where=where, value=repr(value))
    return number


def _target(data: object, where: str, fw: Framework | None, path: str) -> Target:
    if not isinstance(data, Mapping):
        raise CatalogError("error.targets-mapping", path=path, where=where.rstrip(".") or "-")
    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        raise CatalogError("error.targets-unknown-key", path=path, where=f"{where}{unknown[0]}")
    index = None
    if data.get("index") not in (None, ""):
        index = _number(data["index"], f"{where}index", path)
        if fw is not None and not fw.level_min <= index <= fw.level_max:
            raise CatalogError("error.targets-index-scale", path=path, where=f"{where}index",
                               value=repr(data["index"]), lo=fw.level_min, hi=fw.level_max)
    raw = data.get("levels") or {}
    if not isinstance(raw, Mapping):
        raise CatalogError("error.targets-levels-mapping", path=path, where=f"{where}levels")
    levels: dict[str, int] = {}
    for key, value in raw.items():
        ident = str(key).strip()
        spot = f"{where}levels.{ident}"
        if fw is not None and not fw.has_indicator(ident):
            raise CatalogError("error.targets-indicator", path=path, where=spot, id=repr(ident), framework=fw.id)
        number = _number(value, spot, path)
        if number.denominator != 1:
            raise CatalogError("error.targets-level-whole", path=path, where=spot, value=repr(value))
        if fw is not None and int(number) not in fw.levels:
            raise CatalogError("error.targets-level-scale", path=path, where=spot, value=repr(value),
                               lo=fw.level_min, hi=fw.level_max)
        levels[ident] = int(number)
    return Target(index, levels)
