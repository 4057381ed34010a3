"""Scoring: indicator levels -> aspect, domain and SPBE indices, predikat, ranking, summary and gaps.

Pure library code: no I/O, no printing. All arithmetic is exact (:class:`fractions.Fraction`);
rounding happens only when a value is displayed (:func:`pipeline.framework.display`, half-up to
2 decimals) and, under the "rounded" band rule, inside the predikat lookup.

The roll-up follows the regulation (PermenPANRB 59/2020 Tabel 10-12, same form in 5/2018):

* aspect index  = sum(level x indicator weight) / aspect weight
* domain index  = sum(aspect index x aspect weight) / domain weight
* SPBE index    = sum(domain index x domain weight) / 100   (= sum(level x indicator weight) / 100)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from pipeline.framework import BAND_RULES, Band, Framework, band_for

SOURCE_VERIFIED = "verified"
SOURCE_SELF = "self"
SOURCE_MISSING = "missing"

STATUS_COMPLETE = "lengkap"
STATUS_INCOMPLETE = "tidak lengkap"

TARGET_NEXT_BAND = "next-band"
TARGET_TOP_BAND = "top-band"
TARGET_INDEX = "index"
TARGET_LEVELS = "levels"

_HUNDRED = Fraction(100)
_ZERO = Fraction(0)


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class IndicatorScore:
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
    def status(self) -> str:
        """'lengkap' or 'tidak lengkap'."""
        return STATUS_COMPLETE if self.complete else STATUS_INCOMPLETE

    @property
    def levels(self) -> dict[str, int]:
        """Level used per indicator id, in catalog order."""
        return {i.id: i.level for i in self.indicators}

    def indicator(self, indicator_id: str) -> IndicatorScore:
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise KeyError(indicator_id)


@dataclass(frozen=True, slots=True)
class RankRow:
    """One OPD in a ranking; ``rank`` is standard competition rank (1-2-2-4) on the exact index."""

    rank: int
    name: str
    opd: str
    index: Fraction
    predikat: str
    complete: bool
    domain_ranks: dict[str, int]  # domain id -> rank on that domain index, same rule
    score: Score = field(repr=False)


@dataclass(frozen=True)
class ProvinceSummary:
    """Province-wide means and distributions over a set of OPD scores.

    With no scores, ``mean_index`` is None, ``predikat`` is "" and the means are empty dicts;
    the distributions are still present, all zero.
    """

    framework_id: str
    band_rule: str
    count: int
    complete_count: int
    mean_index: Fraction | None
    predikat: str
    domain_means: dict[str, Fraction]
    domain_predikat: dict[str, str]
    aspect_means: dict[str, Fraction]
    indicator_means: dict[str, Fraction]
    level_distribution: dict[str, dict[int, int]]  # indicator id -> level -> count (every level of the scale)
    predikat_distribution: dict[str, int]  # band name -> count (every band, ascending)


@dataclass(frozen=True, slots=True)
class GapRow:
    """One indicator of a gap analysis."""

    indicator: str
    name: str
    domain: str
    aspect: str
    current: int  # level used in the score
    target: int
    gap: int  # target - current, never negative
    weight: Fraction
    step_gain: Fraction  # index gain of one level up (weight / 100), 0 when already at the scale maximum
    next_criteria: str  # catalog criteria of level current + 1, "" at the maximum
    priority: int | None  # 1.. among the indicators that can still rise; None at the maximum


@dataclass(frozen=True, slots=True)
class Step:
    """Raise one indicator by ``levels`` levels; ``gain`` is the exact index gain."""

    indicator: str
    levels: int
    gain: Fraction


@dataclass(frozen=True, slots=True)
class Gap:
    """Gap analysis of one OPD against a target index.

    ``target_source`` is TARGET_NEXT_BAND (default: lower bound of the next predikat band),
    TARGET_TOP_BAND (already in the top band: the target is the current index, every gap is 0),
    TARGET_INDEX (an explicit target index) or TARGET_LEVELS (target index implied by target levels).
    ``plan`` is always the minimal set of single-level steps reaching ``target_index`` (empty when
    unreachable or already reached); ``steps_needed`` is its size, None when unreachable.
    ``rows`` are in catalog order; ``rows[i].target`` is current + plan steps, except when target
    levels were given, in which case it is the requested level. ``planned_index`` is the index
    with every row at its target level.
    """

    opd: str
    band_rule: str
    current_index: Fraction
    current_predikat: str
    target_index: Fraction
    target_predikat: str
    target_source: str
    max_index: Fraction  # index with every indicator at the scale maximum
    reachable: bool
    steps_needed: int | None
    plan: tuple[Step, ...]
    rows: tuple[GapRow, ...]
    planned_index: Fraction

    @property
    def shortfall(self) -> Fraction:
        """How much the index must still rise (0 when the target is already met)."""
        return max(Fraction(0), self.target_index - self.current_index)

    @property
    def priorities(self) -> tuple[GapRow, ...]:
        """Rows that can still rise, in priority order (largest gain first, then catalog order)."""
        return tuple(sorted((r for r in self.rows if r.priority is not None), key=lambda r: r.priority or 0))

    @property
    def total_gap(self) -> int:
        """Sum of the per-row gaps (levels to add in the table)."""
        return sum(r.gap for r in self.rows)


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
    """Parsed targets: a default for every OPD and per-OPD overrides (keyed by OPD code)."""

    default: Target = field(default_factory=Target)
    opd: dict[str, Target] = field(default_factory=dict)

    def for_opd(self, code: str) -> Target:
        """The target of one OPD: its own index if given, else the default; levels merged (OPD wins)."""
        own = self.opd.get(code)
        if own is None:
            return self.default
        index = own.index if own.index is not None else self.default.index
        return Target(index, {**self.default.levels, **own.levels})


# ---------------------------------------------------------------- helpers


def _rule(fw: Framework, band_rule: str | None) -> str:
    rule = band_rule or fw.band_rule
    if rule not in BAND_RULES:
        raise ValueError(f"band rule {rule!r} must be one of {', '.join(BAND_RULES)}.")
    return rule


def predikat_of(fw: Framework, value: Fraction, band_rule: str | None = None) -> str:
    """Predikat (band name) of an exact value; ``band_rule`` overrides the catalog's rule."""
    return band_for(fw, Fraction(value), _rule(fw, band_rule)).name


def next_band(fw: Framework, value: Fraction, band_rule: str | None = None) -> Band | None:
    """The band above the one containing ``value``; None when ``value`` is in the top band."""
    current = band_for(fw, Fraction(value), _rule(fw, band_rule))
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


# Scores of a large batch repeat the same small values: one indicator row per (indicator, levels), a few
# thousand distinct indices. They are immutable, so scores share them (a 20,000-OPD batch would otherwise
# hold ~750,000 IndicatorScore objects and ~250,000 Fractions). Shared only when equal, so no value changes.
_ROWS: dict[tuple[str, str], dict[tuple, IndicatorScore]] = {}
_VALUES: dict[Fraction, Fraction] = {}
_DICTS: dict[tuple, dict] = {}
_SHARED_MAX = 1 << 16


def _shared_rows(fw: Framework) -> dict[tuple, IndicatorScore]:
    key = (fw.id, fw.fingerprint)
    rows = _ROWS.get(key)
    if rows is None or len(rows) > _SHARED_MAX:
        rows = _ROWS[key] = {}
    return rows


def _interned(table: dict, key: object, value: object) -> object:
    """The value already kept in ``table`` under ``key``, else ``value`` (kept for the next caller)."""
    got = table.get(key)
    if got is None:
        if len(table) > _SHARED_MAX:
            table.clear()
        got = table[key] = value
    return got


def _shared(value: Fraction) -> Fraction:
    """An equal Fraction already held by another score, else ``value``."""
    return _interned(_VALUES, value, value)  # type: ignore[return-value]


def _shared_dict(d: dict) -> dict:
    """An equal small read-only dict (e.g. predikat per domain) already held by another score, else ``d``."""
    return _interned(_DICTS, tuple(d.items()), d)  # type: ignore[return-value]


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


def _check_levels(fw: Framework, levels: Mapping[str, int | None], what: str) -> None:
    for key, value in levels.items():
        if not fw.has_indicator(key):
            raise ValueError(f"{what} level for indicator {key!r}: no such indicator in {fw.id}.")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{what} level for indicator {key}: {value!r} is not an integer level.")  # noqa: TRY004
        if value not in fw.levels:
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
    rule = _rule(fw, band_rule)
    verified = verified or {}
    _check_levels(fw, levels, "self-assessed")
    _check_levels(fw, verified, "verified")

    rows: list[IndicatorScore] = []
    shared = _shared_rows(fw)
    for ind in fw.indicators:
        own, ver = levels.get(ind.id), verified.get(ind.id)
        if ver is not None:
            used, source = ver, SOURCE_VERIFIED
        elif own is not None:
            used, source = own, SOURCE_SELF
        else:
            used, source = fw.level_min, SOURCE_MISSING
        key = (ind.id, own, ver, used, source)
        row = shared.get(key)
        if row is None:
            row = shared[key] = IndicatorScore(ind.id, ind.domain, ind.aspect, ind.weight, own, ver, used, source)
        rows.append(row)

    # aspect index = sum(level x weight) / aspect weight; domain index = sum(aspect index x aspect weight) /
    # domain weight = (the domain's sum of level x weight) / domain weight; index = (the sum of all) / 100.
    # Computed as integer sums over the catalog's common denominator: exact, and identical to the roll-up.
    den, weights = _int_weights(fw)
    by_aspect: dict[str, int] = {a.id: 0 for a in fw.aspects}
    for r, w in zip(rows, weights, strict=True):
        by_aspect[r.aspect] += r.level * w
    aspects = {a.id: _shared(Fraction(by_aspect[a.id], den) / a.weight) for a in fw.aspects}
    domains = {d.id: _shared(Fraction(sum(by_aspect[a.id] for a in fw.aspects_of(d.id)), den) / d.weight)
               for d in fw.domains}
    index = _shared(Fraction(sum(by_aspect.values()), den * 100))

    self_levels = {r.id: fw.level_min if r.self_level is None else r.self_level for r in rows}
    removed = added = adjusted = 0
    for r in rows:
        if r.source != SOURCE_VERIFIED:
            continue
        diff = self_levels[r.id] - r.level
        if diff:
            adjusted += 1
        removed += max(diff, 0)
        added += max(-diff, 0)
    verified_count = sum(1 for r in rows if r.source == SOURCE_VERIFIED)

    return Score(
        framework_id=fw.id,
        opd=opd,
        indicators=tuple(rows),
        aspects=aspects,
        domains=domains,
        index=index,
        predikat=predikat_of(fw, index, rule),
        domain_predikat=_shared_dict({d: predikat_of(fw, v, rule) for d, v in domains.items()}),
        band_rule=rule,
        missing=tuple(r.id for r in rows if r.source == SOURCE_MISSING),
        self_index=_shared(index_of(fw, self_levels)),
        verified_index=index if verified_count else None,
        verified_count=verified_count,
        adjusted=adjusted,
        levels_removed=removed,
        levels_added=added,
    )


# ---------------------------------------------------------------- ranking and summary


def _competition_ranks(keys: Sequence[Fraction]) -> list[int]:
    """Standard competition ranks (1-2-2-4) of values, highest first, in the order given.

    One sort, then one pass: the rank of a value is 1 + the number of strictly greater values.
    """
    order = sorted(range(len(keys)), key=lambda i: keys[i], reverse=True)
    ranks = [0] * len(keys)
    for pos, i in enumerate(order):
        if pos and keys[i] == keys[order[pos - 1]]:
            ranks[i] = ranks[order[pos - 1]]
        else:
            ranks[i] = pos + 1
    return ranks


def rank(scores: Sequence[tuple[str, Score]]) -> list[RankRow]:
    """Rank OPDs by exact index, highest first.

    Args:
        scores: (OPD display name, Score) pairs; the OPD code is ``Score.opd``.

    Returns:
        RankRows ordered by rank, ties ordered by name (casefold) then code. Tied OPDs share a rank and
        the next rank skips (1-2-2-4). ``domain_ranks`` ranks each domain index with the same rule.
    """
    frameworks = {s.framework_id for _, s in scores}
    if len(frameworks) > 1:
        raise ValueError(f"cannot rank scores of different frameworks: {', '.join(sorted(frameworks))}.")
    ordered = sorted(scores, key=lambda p: (-p[1].index, p[0].casefold(), p[1].opd))
    ranks = _competition_ranks([s.index for _, s in ordered])
    domain_ids = list(ordered[0][1].domains) if ordered else []
    per_domain = {d: _competition_ranks([s.domains[d] for _, s in ordered]) for d in domain_ids}
    return [
        RankRow(
            rank=ranks[pos],
            name=name,
            opd=s.opd,
            index=s.index,
            predikat=s.predikat,
            complete=s.complete,
            domain_ranks={d: per_domain[d][pos] for d in domain_ids},
            score=s,
        )
        for pos, (name, s) in enumerate(ordered)
    ]


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def province_summary(
    fw: Framework, scores: Iterable[Score | tuple[str, Score]], band_rule: str | None = None
) -> ProvinceSummary:
    """Province-wide exact means and distributions.

    Args:
        fw: the framework the scores were computed with.
        scores: Scores, or (name, Score) pairs as given to :func:`rank`.
        band_rule: rule for the predikat of means and of each OPD; None uses the catalog's rule.

    Returns:
        A :class:`ProvinceSummary`: OPD count, mean index and its predikat, mean per domain, aspect and
        indicator, the distribution of levels used per indicator (every level of the scale, zeros
        included) and the predikat distribution (every band, zeros included).
    """
    rule = _rule(fw, band_rule)
    items = [s[1] if isinstance(s, tuple) else s for s in scores]
    for s in items:
        if s.framework_id != fw.id:
            raise ValueError(f"score of OPD {s.opd!r} was computed with {s.framework_id}, not {fw.id}.")
    distribution = {i.id: dict.fromkeys(fw.levels, 0) for i in fw.indicators}
    level_sums = {i.id: 0 for i in fw.indicators}  # running sums: no level dict per OPD held at once
    for s in items:
        for r in s.indicators:
            distribution[r.id][r.level] += 1
            level_sums[r.id] += r.level
    bands = {b.name: 0 for b in fw.bands}
    for s in items:
        bands[predikat_of(fw, s.index, rule)] += 1
    if not items:
        return ProvinceSummary(fw.id, rule, 0, 0, None, "", {}, {}, {}, {}, distribution, bands)
    mean_index = _mean([s.index for s in items])
    domain_means = {d.id: _mean([s.domains[d.id] for s in items]) for d in fw.domains}
    return ProvinceSummary(
        framework_id=fw.id,
        band_rule=rule,
        count=len(items),
        complete_count=sum(1 for s in items if s.complete),
        mean_index=mean_index,
        predikat=predikat_of(fw, mean_index, rule),
        domain_means=domain_means,
        domain_predikat={d: predikat_of(fw, v, rule) for d, v in domain_means.items()},
        aspect_means={a.id: _mean([s.aspects[a.id] for s in items]) for a in fw.aspects},
        indicator_means={i.id: Fraction(level_sums[i.id]) / len(items) for i in fw.indicators},
        level_distribution=distribution,
        predikat_distribution=bands,
    )


# ---------------------------------------------------------------- gap analysis


_GAIN_ORDER: dict[tuple[str, str], tuple[tuple[int, ...], tuple[Fraction, ...]]] = {}


def _gain_order(fw: Framework) -> tuple[tuple[int, ...], tuple[Fraction, ...]]:
    """(indicator positions by descending weight, ties in catalog order; index gain of one level, weight/100).

    The same for every OPD of a framework, so computed once per catalog (keyed like :func:`_int_weights`).
    """
    key = (fw.id, fw.fingerprint)
    cached = _GAIN_ORDER.get(key)
    if cached is None:
        order = tuple(sorted(range(len(fw.indicators)), key=lambda k: (-fw.indicators[k].weight, k)))
        cached = _GAIN_ORDER[key] = (order, tuple(i.weight / _HUNDRED for i in fw.indicators))
    return cached


def minimal_plan(fw: Framework, current: Mapping[str, int], shortfall: Fraction) -> tuple[Step, ...] | None:
    """The fewest single-level steps whose index gains add up to at least ``shortfall``.

    Every step raises one indicator by one level and gains exactly weight/100, whatever else is raised,
    so the available steps form a fixed multiset of gains; the k largest of them have the largest sum
    of any k steps, hence taking steps in descending gain order and stopping as soon as the sum reaches
    the shortfall gives the minimum count (greedy is optimal). Ties go to catalog order.

    Returns:
        The steps grouped per indicator in the order taken (empty when ``shortfall`` <= 0), or None
        when even every indicator at the scale maximum falls short.
    """
    if shortfall <= 0:
        return ()
    order, gains = _gain_order(fw)
    plan: list[Step] = []
    remaining = shortfall
    for k in order:
        ind = fw.indicators[k]
        room = fw.level_max - current[ind.id]
        if room <= 0:
            continue
        gain = gains[k]
        # fewest levels of this indicator that close the remaining gap, capped by its room
        needed = -(-remaining // gain)  # ceiling of an exact Fraction division
        take = min(room, int(needed))
        plan.append(Step(ind.id, take, take * gain))
        remaining -= take * gain
        if remaining <= 0:
            return tuple(plan)
    return None


def gap_analysis(
    fw: Framework,
    score: Score,
    target_index: Fraction | None = None,
    target_levels: Mapping[str, int] | None = None,
    band_rule: str | None = None,
) -> Gap:
    """What one OPD must raise to reach a target index.

    Args:
        fw: the framework the score was computed with.
        score: the OPD's Score (levels used are the current levels).
        target_index: explicit target index. Default: the lower bound of the next predikat band above the
            OPD's band (exact bound: reaching it gives that band under both band rules). In the top band the
            target is the current index, so every gap is 0 and the plan is empty.
        target_levels: per-indicator target levels; others stay at their current level. A target below the
            current level is treated as the current level (gaps are never negative). Without
            ``target_index``, the target index is the index these levels give.
        band_rule: rule for the predikat lookups; None uses the score's rule.

    Returns:
        A :class:`Gap` with a row per indicator (catalog order), priority numbers, the minimal plan and
        whether the target can be reached at all (``reachable``).

    Raises:
        ValueError: a target level outside the scale or for an unknown indicator.
    """
    rule = _rule(fw, band_rule or score.band_rule)
    if score.framework_id != fw.id:
        raise ValueError(f"score of OPD {score.opd!r} was computed with {score.framework_id}, not {fw.id}.")
    current = score.levels
    if target_levels is not None:
        _check_levels(fw, target_levels, "target")
        asked = {i: lv for i, lv in target_levels.items() if lv is not None}
        wanted = {i: max(lv, asked.get(i, lv)) for i, lv in current.items()}
    else:
        wanted = None

    if target_index is not None:
        target, source = Fraction(target_index), TARGET_INDEX
    elif wanted is not None:
        target, source = index_of(fw, wanted), TARGET_LEVELS
    else:
        above = next_band(fw, score.index, rule)
        if above is None:
            target, source = score.index, TARGET_TOP_BAND
        else:
            target, source = above.min, TARGET_NEXT_BAND

    plan = minimal_plan(fw, current, target - score.index)
    if wanted is None:
        added = {s.indicator: s.levels for s in plan or ()}
        wanted = {i: lv + added.get(i, 0) for i, lv in current.items()}

    order, gains = _gain_order(fw)
    top = fw.level_max
    rising = [k for k in order if current[fw.indicators[k].id] < top]  # order is already by (-weight, position)
    priority = {fw.indicators[k].id: pos for pos, k in enumerate(rising, start=1)}
    rows = []
    for k, ind in enumerate(fw.indicators):
        lv = current[ind.id]
        at_max = lv >= fw.level_max
        rows.append(
            GapRow(
                indicator=ind.id,
                name=ind.name,
                domain=ind.domain,
                aspect=ind.aspect,
                current=lv,
                target=wanted[ind.id],
                gap=wanted[ind.id] - lv,
                weight=ind.weight,
                step_gain=_ZERO if at_max else gains[k],
                next_criteria="" if at_max else ind.criteria(lv + 1),
                priority=priority.get(ind.id),
            )
        )
    return Gap(
        opd=score.opd,
        band_rule=rule,
        current_index=score.index,
        current_predikat=predikat_of(fw, score.index, rule),
        target_index=target,
        target_predikat=predikat_of(fw, target, rule),
        target_source=source,
        max_index=Fraction(fw.level_max),
        reachable=plan is not None,
        steps_needed=None if plan is None else sum(s.levels for s in plan),
        plan=plan or (),
        rows=tuple(rows),
        planned_index=index_of(fw, wanted),
    )


# ---------------------------------------------------------------- targets file


_TARGET_KEYS = ("index", "levels")
# Bad targets are bad user data, reported as ValueError like every other targets problem (hence noqa TRY004).


def _number(value: object, where: str) -> Fraction:
    text = str(value).strip()
    if isinstance(value, str) and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # decimal comma, as typed in Indonesian spreadsheets
    try:
        number = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"targets: {where}: {value!r} is not a number.") from None
    if number < 0:
        raise ValueError(f"targets: {where}: {value!r} must not be negative.")
    return number


def _target(data: object, where: str, fw: Framework | None) -> Target:
    if not isinstance(data, Mapping):
        raise ValueError(f"targets: {where.rstrip('.')}: expected a mapping with 'index' and/or 'levels'.")  # noqa: TRY004
    unknown = [k for k in data if k not in _TARGET_KEYS]
    if unknown:
        raise ValueError(f"targets: {where}{unknown[0]}: unknown key; use 'index', 'levels' or 'opd'.")
    index = None
    if data.get("index") not in (None, ""):
        index = _number(data["index"], f"{where}index")
        if fw is not None and not fw.level_min <= index <= fw.level_max:
            raise ValueError(
                f"targets: {where}index: {data['index']!r} is outside the scale {fw.level_min}..{fw.level_max}."
            )
    levels: dict[str, int] = {}
    raw = data.get("levels") or {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"targets: {where}levels: expected a mapping of indicator id to level.")  # noqa: TRY004
    for key, value in raw.items():
        ident = str(key).strip()
        spot = f"{where}levels.{ident}"
        if fw is not None and not fw.has_indicator(ident):
            raise ValueError(f"targets: {spot}: indicator {ident!r} is not in {fw.id}.")
        number = _number(value, spot)
        if number.denominator != 1:
            raise ValueError(f"targets: {spot}: level {value!r} is not a whole number.")
        if fw is not None and int(number) not in fw.levels:
            raise ValueError(f"targets: {spot}: level {value!r} is outside the scale {fw.level_min}..{fw.level_max}.")
        levels[ident] = int(number)
    return Target(index, levels)


def load_targets(data: Mapping, fw: Framework | None = None) -> Targets:
    """Parse a targets mapping already loaded from JSON/CSV by the caller.

    Form: ``{"index": "3.5", "levels": {"25": 3}, "opd": {"BPKAD": {"index": "3.0", "levels": {...}}}}``,
    every part optional. Numbers may be strings ("3.5", "3,5") or JSON numbers.

    Args:
        data: the mapping.
        fw: when given, indicator ids and levels are checked against it and the index against its scale;
            without it only the form and the numbers are checked (:func:`gap_analysis` checks levels again).

    Raises:
        ValueError: naming the bad entry (unknown key or indicator, level outside the scale, bad number).
    """
    if not isinstance(data, Mapping):
        raise ValueError("targets: expected a mapping with 'index', 'levels' and/or 'opd'.")  # noqa: TRY004
    own = {k: v for k, v in data.items() if k != "opd"}
    default = _target(own, "", fw)
    per_opd: dict[str, Target] = {}
    raw = data.get("opd") or {}
    if not isinstance(raw, Mapping):
        raise ValueError("targets: opd: expected a mapping of OPD code to target.")  # noqa: TRY004
    for code, entry in raw.items():
        key = str(code).strip()
        if not key:
            raise ValueError("targets: opd: an OPD code is empty.")
        per_opd[key] = _target(entry, f"opd.{key}.", fw)
    return Targets(default, per_opd)
