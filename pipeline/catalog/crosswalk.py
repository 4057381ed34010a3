"""Crosswalks: which indicators of one framework catalog compare with which of another.

A crosswalk is data, like a catalog: ``pipeline/catalogs/crosswalk-<a>-<b>.json`` maps each indicator
of the later catalog (``to``) to the indicators of the earlier one (``from``) that it continues; a level
of the later indicator is compared with the mean level of those. An indicator not in the map has no
counterpart: across the two frameworks it is *not comparable*. Loading checks the file against both
catalogs and raises :class:`CatalogError` naming the bad entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.catalog import framework as fwmod
from pipeline.errors import CatalogError


@dataclass(frozen=True)
class Crosswalk:
    id: str
    source: str  # the earlier catalog's id
    target: str  # the later catalog's id
    indicators: dict[str, tuple[str, ...]]  # later indicator -> the earlier indicators it continues
    reference: str = ""  # where the mapping comes from


def parse(data: object, path: str) -> Crosswalk:
    """A checked Crosswalk from a crosswalk file's data."""
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), dict):
        raise CatalogError("error.crosswalk-invalid", path=path, why="indicators")
    ends = {k: fwmod.load(str(data.get(k))) if data.get(k) in fwmod.available() else None for k in ("from", "to")}
    for key, fw in ends.items():
        if fw is None:
            raise CatalogError("error.crosswalk-invalid", path=path, why=f"{key}: {data.get(key)!r}")
    mapping: dict[str, tuple[str, ...]] = {}
    for later, earlier in data["indicators"].items():
        ids = tuple(earlier) if isinstance(earlier, list) else ()
        if not ends["to"].has_indicator(later) or not ids or not all(
                isinstance(i, str) and ends["from"].has_indicator(i) for i in ids):
            raise CatalogError("error.crosswalk-invalid", path=path, why=f"{later}: {earlier!r}")
        mapping[later] = ids
    return Crosswalk(str(data.get("id", Path(path).stem)), ends["from"].id, ends["to"].id, mapping,
                     str(data.get("source", "")))


@lru_cache(maxsize=1)
def shipped() -> tuple[Crosswalk, ...]:
    """Every crosswalk shipped beside the catalogs."""
    out = []
    for p in sorted(fwmod.CATALOG_DIR.glob("crosswalk-*.json")):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CatalogError("error.crosswalk-invalid", path=str(p), why=str(exc)) from None
        out.append(parse(data, str(p)))
    return tuple(out)


def between(earlier: str, later: fwmod.Framework) -> dict[str, tuple[str, ...]]:
    """Later indicator -> the earlier indicators it compares with: within one catalog every indicator, one to
    one; between two, the shipped crosswalk's map (empty when no crosswalk joins them: nothing compares)."""
    if earlier == later.id:
        return {i.id: (i.id,) for i in later.indicators}
    return next((c.indicators for c in shipped() if (c.source, c.target) == (earlier, later.id)), {})
