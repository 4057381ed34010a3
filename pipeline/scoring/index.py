"""Scoring one OPD: indicator levels -> aspect, domain and SPBE index and predikat (exact, pure).

All arithmetic is exact (:class:`fractions.Fraction`); rounding happens only when a value is displayed
(:func:`pipeline.catalog.framework.display`, half-up to 2 decimals) and, under the "rounded" band rule,
inside the predikat lookup. The roll-up follows the regulation (PermenPANRB 59/2020 Tabel 10-12, same
form in 5/2018):

* aspect index  = sum(level x indicator weight) / aspect weight
* domain index  = sum(aspect index x aspect weight) / domain weight
* SPBE index    = sum(domain index x domain weight) / 100   (= sum(level x indicator weight) / 100)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from pipeline.catalog.framework import BAND_RULES, Band, Framework, band_for

SOURCE_VERIFIED = "verified"
SOURCE_SELF = "self"
SOURCE_MISSING = "missing"

_HUNDRED = Fraction(100)


class IndicatorScore(NamedTuple):
    """The level used for one indicator and where it came from."""

    id: str
    domain: str
    aspect: str
    weight: Fraction  # indicator weight in percent, exact
    self_level: int | None  # self-assessed level (None when not given)
    verified_level: int | None  # verified level (None when not given)
    level: int  # level used: verified, else self, else the scale minimum
    source: str  # SOURCE_VERIFIED, SOURCE_SELF or SOURCE_MISSING

    @property
    def weighted(self) -> Fraction:
        """level x weight: this indicator's share of 100 x the index."""
        return self.level * self.weight


@dataclass(frozen=True, slots=True)
class Score:
    """The full result of scoring one OPD; every number is an exact Fraction.

    ``aspects`` and ``domains`` map ids to indices in catalog order; treat them as read-only.
    ``self_index`` uses self levels only (missing -> scale minimum); ``verified_index`` is the
    index as scored (verified levels where given) and is None when no verified level exists.
    ``adjusted`` counts indicators whose verified level differs from the self level;
    ``levels_removed``/``levels_added`` sum (self - verified) where verified is lower / higher.
    A missing self level counts as the scale minimum in these comparisons, as in ``self_index``.
    """

    framework_id: str
    opd: str
    indicators: tuple[IndicatorScore, ...]
    aspects: dict[str, Fraction]
    domains: dict[str, Fraction]
    index: Fraction
    predikat: str
    domain_predikat: dict[str, str]
    band_rule: str
    missing: tuple[str, ...]  # indicator ids scored at the scale minimum because no level was given
    self_index: Fraction
    verified_index: Fraction | None
    verified_count: int
    adjusted: int
    levels_removed: int
    levels_added: int

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def levels(self) -> dict[str, int]:
        """Level used per indicator id, in catalog order."""
        return {i.id: i.level for i in self.indicators}

    def indicator(self, indicator_id: str) -> IndicatorScore:
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise KeyError(indicator_id)


def rule_of(fw: Framework, band_rule: str | None) -> str:
    rule = band_rule or fw.band_rule
    if rule not in BAND_RULES:
        raise ValueError(f"band rule {rule!r} must be one of {', '.join(BAND_RULES)}.")
    return rule


def predikat_of(fw: Framework, value: Fraction, band_rule: str | None = None) -> str:
    """Predikat (band name) of an exact value; ``band_rule`` overrides the catalog's rule."""
    return band_for(fw, Fraction(value), rule_of(fw, band_rule)).name


def next_band(fw: Framework, value: Fraction, band_rule: str | None = None) -> Band | None:
    """The band above the one containing ``value``; None when ``value`` is in the top band."""
    current = band_for(fw, Fraction(value), rule_of(fw, band_rule))
    pos = fw.bands.index(current)
    return fw.bands[pos + 1] if pos + 1 < len(fw.bands) else None


_INT_WEIGHTS: dict[tuple[str, str], tuple[int, tuple[int, ...]]] = {}


def _int_weights(fw: Framework) -> tuple[int, tuple[int, ...]]:
    """(D, integer weights) with weight_i = n_i / D for every indicator, in catalog order.

    Sums of level x weight are then exact integer sums over one denominator: the same exact values
    as Fraction arithmetic, without building thousands of intermediate Fractions per OPD.
    """
    key = (fw.id, fw.fingerprint)
    if key not in _INT_WEIGHTS:
        den = math.lcm(*(i.weight.denominator for i in fw.indicators))
        _INT_WEIGHTS[key] = (den, tuple(int(i.weight * den) for i in fw.indicators))
    return _INT_WEIGHTS[key]


def index_of(fw: Framework, levels: Mapping[str, int]) -> Fraction:
    """sum(level x weight) / 100 over the catalog's indicators; every indicator must have a level."""
    den, weights = _int_weights(fw)
    return Fraction(sum(levels[i.id] * w for i, w in zip(fw.indicators, weights, strict=True)), den * 100)


def domain_from_aspects(fw: Framework, domain_id: str, aspect_indices: Mapping[str, Fraction]) -> Fraction:
    """Domain index from its aspect indices: sum(NA x BA) / BD (PermenPANRB 59/2020 Tabel 11)."""
    domain = next(d for d in fw.domains if d.id == domain_id)
    total = sum((Fraction(aspect_indices[a.id]) * a.weight for a in fw.aspects_of(domain_id)), Fraction(0))
    return total / domain.weight


def index_from_domains(fw: Framework, domain_indices: Mapping[str, Fraction]) -> Fraction:
    """SPBE index from domain indices: sum(ND x BD) / 100 (PermenPANRB 59/2020 Tabel 12)."""
    return sum((Fraction(domain_indices[d.id]) * d.weight for d in fw.domains), Fraction(0)) / _HUNDRED


def check_levels(fw: Framework, levels: Mapping[str, int | None], what: str) -> None:
    lo, hi = fw.level_min, fw.level_max
    for key, value in levels.items():
        if not fw.has_indicator(key):
            raise ValueError(f"{what} level for indicator {key!r}: no such indicator in {fw.id}.")
        if value is None:
            continue
        if type(value) is not int:
            raise ValueError(f"{what} level for indicator {key}: {value!r} is not an integer level.")
        if not lo <= value <= hi:
            raise ValueError(
                f"{what} level for indicator {key}: {value} is outside the scale {fw.level_min}..{fw.level_max}."
            )


# ---------------------------------------------------------------- scoring


def score(
    fw: Framework,
    levels: Mapping[str, int | None],
    verified: Mapping[str, int | None] | None = None,
    opd: str = "",
    band_rule: str | None = None,
) -> Score:
    """Score one OPD exactly.

    Args:
        fw: the framework catalog.
        levels: self-assessed level per indicator id (absent or None = not given).
        verified: verified level per indicator id (absent or None = not verified); it wins over ``levels``.
        opd: the OPD code, carried into the result.
        band_rule: "unrounded" or "rounded"; None uses the catalog's rule.

    Returns:
        A :class:`Score`. Indicators with no level at all are scored at ``fw.level_min`` and listed in
        ``Score.missing``.

    Raises:
        ValueError: a level outside the scale, a non-integer level or an unknown indicator id (the reader
            filters these, so here they are programming errors).
    """
    rule = rule_of(fw, band_rule)
    verified = verified or {}
    check_levels(fw, levels, "self-assessed")
    check_levels(fw, verified, "verified")
    rows = _indicator_rows(fw, levels, verified)
    aspects, domains, index = _roll_up(fw, rows)
    self_levels = _self_levels(fw, rows)
    verified_count, adjusted, removed, added = _adjustments(rows, self_levels)
    return Score(
        framework_id=fw.id,
        opd=opd,
        indicators=rows,
        aspects=aspects,
        domains=domains,
        index=index,
        predikat=predikat_of(fw, index, rule),
        domain_predikat=({d: predikat_of(fw, v, rule) for d, v in domains.items()}),
        band_rule=rule,
        missing=tuple(r.id for r in rows if r.source == SOURCE_MISSING),
        self_index=index_of(fw, self_levels),
        verified_index=index if verified_count else None,
        verified_count=verified_count,
        adjusted=adjusted,
        levels_removed=removed,
        levels_added=added,
    )


def _indicator_rows(
    fw: Framework, levels: Mapping[str, int | None], verified: Mapping[str, int | None]
) -> tuple[IndicatorScore, ...]:
    """One row per indicator (catalog order) with the level used: verified, else self, else the scale minimum."""
    rows: list[IndicatorScore] = []
    for ind in fw.indicators:
        own, ver = levels.get(ind.id), verified.get(ind.id)
        if ver is not None:
            used, source = ver, SOURCE_VERIFIED
        elif own is not None:
            used, source = own, SOURCE_SELF
        else:
            used, source = fw.level_min, SOURCE_MISSING
        rows.append(IndicatorScore(ind.id, ind.domain, ind.aspect, ind.weight, own, ver, used, source))
    return tuple(rows)


def _roll_up(
    fw: Framework, rows: tuple[IndicatorScore, ...]
) -> tuple[dict[str, Fraction], dict[str, Fraction], Fraction]:
    """Aspect, domain and SPBE indices from integer sums of level x weight per aspect: exact, same as the roll-up."""
    den, weights = _int_weights(fw)
    by_aspect: dict[str, int] = {a.id: 0 for a in fw.aspects}
    for r, w in zip(rows, weights, strict=True):
        by_aspect[r.aspect] += r.level * w
    aspects = {a.id: Fraction(by_aspect[a.id], den) / a.weight for a in fw.aspects}
    domains = {d.id: Fraction(sum(by_aspect[a.id] for a in fw.aspects_of(d.id)), den) / d.weight
               for d in fw.domains}
    return aspects, domains, Fraction(sum(by_aspect.values()), den * 100)


def _self_levels(fw: Framework, rows: tuple[IndicatorScore, ...]) -> dict[str, int]:
    """Self level per indicator, a missing one at the scale minimum (as scored when nothing is given)."""
    return {r.id: fw.level_min if r.self_level is None else r.self_level for r in rows}


def _adjustments(rows: tuple[IndicatorScore, ...], self_levels: Mapping[str, int]) -> tuple[int, int, int, int]:
    """(verified, adjusted, levels removed, levels added): how verification changed the self levels."""
    verified_count = removed = added = adjusted = 0
    for r in rows:
        if r.source != SOURCE_VERIFIED:
            continue
        verified_count += 1
        diff = self_levels[r.id] - r.level
        if diff:
            adjusted += 1
        removed += max(diff, 0)
        added += max(-diff, 0)
    return verified_count, adjusted, removed, added
