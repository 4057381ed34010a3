"""Gap analysis: what one OPD must raise to reach its target, and the fewest steps that get there (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from pipeline.catalog.framework import Framework
from pipeline.scoring.index import Score, check_levels, index_of, next_band, predikat_of, rule_of

TARGET_NEXT_BAND = "next-band"
TARGET_TOP_BAND = "top-band"
TARGET_INDEX = "index"
TARGET_LEVELS = "levels"

_HUNDRED = Fraction(100)
_ZERO = Fraction(0)


class GapRow(NamedTuple):
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


class Step(NamedTuple):
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
    planned_predikat: str  # of planned_index, by band_rule

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
    rule = rule_of(fw, band_rule or score.band_rule)
    _check_framework(fw, score)
    current = score.levels
    wanted = _asked_levels(fw, current, target_levels)
    target, source = _target(fw, score, target_index, wanted, rule)
    plan = minimal_plan(fw, current, target - score.index)
    if wanted is None:
        wanted = _planned_levels(current, plan)
    rows = _rows(fw, current, wanted)
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
        rows=rows,
        planned_index=(planned := index_of(fw, wanted)),
        planned_predikat=predikat_of(fw, planned, rule),
    )


def _check_framework(fw: Framework, score: Score) -> None:
    """Checks that the score was computed with this framework (its levels are this catalog's indicators)."""
    if score.framework_id != fw.id:
        raise ValueError(f"score of OPD {score.opd!r} was computed with {score.framework_id}, not {fw.id}.")


def _asked_levels(
    fw: Framework, current: Mapping[str, int], target_levels: Mapping[str, int] | None
) -> dict[str, int] | None:
    """Target level per indicator from the levels asked (checked), never below the current one; None if none asked."""
    if target_levels is None:
        return None
    check_levels(fw, target_levels, "target")
    asked = {i: lv for i, lv in target_levels.items() if lv is not None}
    return {i: max(lv, asked.get(i, lv)) for i, lv in current.items()}


def _target(
    fw: Framework, score: Score, target_index: Fraction | None, wanted: Mapping[str, int] | None, rule: str
) -> tuple[Fraction, str]:
    """(target index, TARGET_* source): the explicit index, else the asked levels' index, else the next band's bound."""
    if target_index is not None:
        return Fraction(target_index), TARGET_INDEX
    if wanted is not None:
        return index_of(fw, wanted), TARGET_LEVELS
    above = next_band(fw, score.index, rule)
    if above is None:
        return score.index, TARGET_TOP_BAND
    return above.min, TARGET_NEXT_BAND


def _planned_levels(current: Mapping[str, int], plan: tuple[Step, ...] | None) -> dict[str, int]:
    """Level per indicator once the plan's steps are taken (the current levels when there is no plan)."""
    added = {s.indicator: s.levels for s in plan or ()}
    return {i: lv + added.get(i, 0) for i, lv in current.items()}


def _rows(fw: Framework, current: Mapping[str, int], wanted: Mapping[str, int]) -> tuple[GapRow, ...]:
    """One GapRow per indicator in catalog order, with its gain and criteria of one level up and its priority."""
    order, gains = _gain_order(fw)
    priority = _priorities(fw, current, order)
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
    return tuple(rows)


def _priorities(fw: Framework, current: Mapping[str, int], order: Sequence[int]) -> dict[str, int]:
    """Priority 1.. of each indicator below the scale maximum, in ``order`` (largest gain first, ties in catalog
    order)."""
    top = fw.level_max
    rising = [k for k in order if current[fw.indicators[k].id] < top]  # order is already by (-weight, position)
    return {fw.indicators[k].id: pos for pos, k in enumerate(rising, start=1)}
