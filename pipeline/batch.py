"""The merge stage: read the input folder, keep one submission per OPD, score, rank and analyse gaps."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from pipeline import framework as fwmod
from pipeline import roster as rostermod
from pipeline import scoring
from pipeline.errors import CatalogError
from pipeline.findings import Finding
from pipeline.framework import Framework
from pipeline.intake import read_folder
from pipeline.models import FileOutcome, Submission, answer_levels
from pipeline.roster import Opd, Roster
from pipeline.validate import resolve


@dataclass
class BatchResult:
    """Everything the report writer needs; every number traceable to a file and cell."""

    framework: Framework
    roster: Roster
    year: int
    lang: str
    band_rule: str
    input_dir: str
    submissions: list[Submission]  # one per file found, in discovery order
    outcomes: list[FileOutcome]  # one per file found, same order
    kept: list[Submission]  # one per OPD, sorted by OPD code
    scores: dict[str, scoring.Score]  # OPD code -> score
    ranking: list[scoring.RankRow]
    summary: scoring.ProvinceSummary | None
    gaps: Mapping[str, scoring.Gap]  # OPD code -> gap analysis (computed when asked for)
    not_submitted: list[Opd]

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for s in self.submissions for f in s.findings), key=Finding.sort_key)

    def opd_name(self, code: str) -> str:
        opd = self.roster.by_code(code)
        return opd.name if opd else code

    def submission_of(self, code: str) -> Submission:
        by_code = self.__dict__.get("_kept_by_code")
        if by_code is None or len(by_code) != len(self.kept):
            by_code = {s.opd_code: s for s in self.kept}
            self.__dict__["_kept_by_code"] = by_code
        return by_code[code]

    @property
    def counts(self) -> Counter:
        return Counter(o.outcome for o in self.outcomes)


class LazyGaps(Mapping):
    """OPD code -> gap analysis, computed when asked for (a national batch need not hold 20,000 of them)."""

    def __init__(self, fw: Framework, scores: dict[str, scoring.Score], targets: scoring.Targets, rule: str) -> None:
        self._fw, self._scores, self._targets, self._rule = fw, scores, targets, rule
        self._recent: dict[str, scoring.Gap] = {}

    def __getitem__(self, code: str) -> scoring.Gap:
        gap = self._recent.get(code)
        if gap is None:
            t = self._targets.opd.get(code, self._targets.default)
            gap = scoring.gap_analysis(self._fw, self._scores[code], target_index=t.index,
                                       target_levels=t.levels or None, band_rule=self._rule)
            if len(self._recent) >= 64:
                self._recent.pop(next(iter(self._recent)))
            self._recent[code] = gap
        return gap

    def settings(self) -> tuple[scoring.Targets, str]:
        """The targets and the band rule: with the framework and the scores, all a worker process needs."""
        return self._targets, self._rule

    def __iter__(self) -> Iterator[str]:
        return iter(self._scores)

    def __len__(self) -> int:
        return len(self._scores)


def load_targets_file(path: str | None, fw: Framework, roster: Roster | None = None) -> scoring.Targets:
    """Targets from a JSON file: {"index": "3.5", "levels": {...}, "opd": {"BPKAD": {...}}}."""
    if not path:
        return scoring.Targets()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"targets file {path}: cannot be read ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise CatalogError(f"targets file {path}: not valid JSON at line {exc.lineno}, column {exc.colno} "
                           "(expected e.g. {\"index\": \"3.5\", \"opd\": {\"BPKAD\": {\"index\": \"4.2\"}}}).") from None
    try:
        targets = scoring.load_targets(data, fw)
    except ValueError as exc:
        raise CatalogError(f"targets file {path}: {exc}") from None
    if roster is not None:
        unknown = sorted(code for code in targets.opd if roster.by_code(code) is None)
        if unknown:
            raise CatalogError(f"targets file {path}: OPD code {unknown[0]!r} is not in the roster.")
    return targets


def run(input_dir: Path, *, framework: str | None = None, roster: str | None = None, year: int | None = None,
        targets: str | None = None, band_rule: str | None = None, lang: str = "id", isolate: bool = True,
        workers: int | None = None, on_progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """Run intake, selection, scoring, ranking and gap analysis over ``input_dir``.

    Args:
        input_dir: folder with the e-mailed workbooks (read only).
        framework: catalog id or file; default the 2018 catalog.
        roster: roster CSV; default the packaged sample roster.
        year: evaluation year; default the year most submissions state, else the current year.
        targets: optional targets JSON file for the gap analysis.
        band_rule: "unrounded" or "rounded"; default the catalog's rule.
        lang: "id" or "en" for messages.
    Returns:
        A BatchResult.
    """
    fw = fwmod.load(framework)
    ros = rostermod.load(roster)
    tgt = load_targets_file(targets, fw, ros)
    subs = read_folder(input_dir, framework, roster, isolate=isolate, workers=workers, on_progress=on_progress)
    return assemble(fw, ros, subs, year=year, targets=tgt, band_rule=band_rule, lang=lang, input_dir=str(input_dir))


def assemble(fw: Framework, ros: Roster, subs: list[Submission], *, year: int | None = None,
             targets: scoring.Targets | None = None, band_rule: str | None = None, lang: str = "id",
             input_dir: str = "") -> BatchResult:
    """Everything after reading: batch year, selection per OPD, scores, ranking, summary and gaps."""
    tgt = targets or scoring.Targets()
    rule = band_rule or fw.band_rule
    if year is None:
        years = Counter(s.year for s in subs if s.year and not s.rejected)
        year = max(years.items(), key=lambda kv: (kv[1], kv[0]))[0] if years else dt.date.today().year
    for s in subs:
        if s.year and s.year != year and not s.rejected:
            s.findings.append(Finding("year-mismatch", s.file, "Identitas", "", str(s.year), str(year)))
    kept, outcomes = resolve(subs, lang)
    scores: dict[str, scoring.Score] = {}
    for s in kept:
        levels, verified = answer_levels(s.answers)
        scores[s.opd_code] = scoring.score(fw, levels, verified, opd=s.opd_code, band_rule=rule)
    names = [(ros.by_code(c).name if ros.by_code(c) else c, sc) for c, sc in scores.items()]
    ranking = scoring.rank(names)
    summary = scoring.province_summary(fw, list(scores.values()), band_rule=rule) if scores else None
    gaps = LazyGaps(fw, scores, tgt, rule)  # targets were checked against the catalog when loaded
    submitted = set(scores)
    not_submitted = [o for o in ros.opds if o.code not in submitted]
    return BatchResult(fw, ros, year, lang, rule, input_dir, subs, outcomes, kept, scores, ranking, summary,
                       gaps, not_submitted)


def exact(value: Fraction | None) -> str:
    """Exact value as a short decimal string when it terminates, else a fraction (for traceability)."""
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
