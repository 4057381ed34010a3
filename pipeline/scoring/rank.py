"""Ranking the scored OPDs and the province summary (exact, pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from pipeline.catalog.framework import Framework
from pipeline.scoring.index import SOURCE_MISSING, Score, predikat_of, rule_of


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
    level_distribution: dict[str, dict[int, int]]  # indicator id -> level answered -> count (every level of the scale)
    predikat_distribution: dict[str, int]  # band name -> count (every band, ascending)
    unanswered: dict[str, int]  # indicator id -> OPDs that did not answer it (scored at the lowest level, not counted
    # in level_distribution: an unanswered indicator is not an answer of the lowest level)


def competition_ranks(keys: Sequence[Fraction]) -> list[int]:
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
    ranks = competition_ranks([s.index for _, s in ordered])
    domain_ids = list(ordered[0][1].domains) if ordered else []
    per_domain = {d: competition_ranks([s.domains[d] for _, s in ordered]) for d in domain_ids}
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
        indicator (of the levels used: an unanswered indicator at the lowest level, as in the index), the
        distribution of the levels answered per indicator (every level of the scale, zeros included) beside
        the number that did not answer it, and the predikat distribution (every band, zeros included).
    """
    rule = rule_of(fw, band_rule)
    items = [s[1] if isinstance(s, tuple) else s for s in scores]
    for s in items:
        if s.framework_id != fw.id:
            raise ValueError(f"score of OPD {s.opd!r} was computed with {s.framework_id}, not {fw.id}.")
    distribution = {i.id: dict.fromkeys(fw.levels, 0) for i in fw.indicators}
    unanswered = dict.fromkeys(distribution, 0)
    level_sums = {i.id: 0 for i in fw.indicators}  # running sums: no level dict per OPD held at once
    for s in items:
        for r in s.indicators:
            if r.source == SOURCE_MISSING:
                unanswered[r.id] += 1
            else:
                distribution[r.id][r.level] += 1
            level_sums[r.id] += r.level
    bands = {b.name: 0 for b in fw.bands}
    for s in items:
        bands[predikat_of(fw, s.index, rule)] += 1
    if not items:
        return ProvinceSummary(fw.id, rule, 0, 0, None, "", {}, {}, {}, {}, distribution, bands, unanswered)
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
        unanswered=unanswered,
    )
