"""The two jobs, stage by stage: ``check`` (read -> validate) and ``merge`` (read -> validate -> score ->
report). Each returns a report object (:class:`~pipeline.validate.CheckReport`, :class:`MergeResult`)
that the command line only renders.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipeline import history as histmod
from pipeline import i18n, inventory, settings, validate
from pipeline.catalog import framework as fwmod
from pipeline.catalog import plan as planmod
from pipeline.catalog import roster as rostermod
from pipeline.catalog import targets as targetsmod
from pipeline.catalog.framework import Framework, display
from pipeline.catalog.roster import Opd, Roster
from pipeline.errors import InputError, OutputError
from pipeline.findings import Finding, needs_action
from pipeline.intake import read as intake
from pipeline.model import ARCHIVE, EVIDENCE, MESSAGE, FileOutcome, Submission
from pipeline.scoring import gaps as gapsmod
from pipeline.scoring import index, rank
from pipeline.validate import CheckReport
from pipeline.workers import PRELOAD_MERGE, PRELOAD_READ, Workers

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MergeResult:
    """Everything the consolidated workbook shows; every number traceable to a file and cell."""

    framework: Framework
    roster: Roster
    year: int
    lang: str
    band_rule: str
    input_dir: str
    check: CheckReport  # every file's outcome and findings, and the kept submission of each OPD
    scores: dict[str, index.Score]  # OPD code -> score, for every kept submission
    ranking: list[rank.RankRow]
    summary: rank.ProvinceSummary | None
    gaps: dict[str, gapsmod.Gap]  # OPD code -> gap analysis against its target
    inventory: inventory.Inventory  # applications and infrastructure of the kept submissions
    not_submitted: list[Opd]  # roster OPDs with no kept submission
    history: histmod.History | None = None  # earlier years (None: not looked for)
    workbook: Path | None = None  # where the report was written (set by :func:`merge`)
    opd_workbooks: dict[str, Path] = dataclasses.field(default_factory=dict)  # OPD code -> its own workbook

    @property
    def submissions(self) -> tuple[Submission, ...]:
        return self.check.submissions

    @property
    def outcomes(self) -> tuple[FileOutcome, ...]:
        return self.check.outcomes

    @property
    def kept(self) -> tuple[Submission, ...]:
        return self.check.kept

    @property
    def findings(self) -> list[Finding]:
        return self.check.findings

    @property
    def counts(self) -> Counter:
        return self.check.counts

    @cached_property
    def _kept_by_code(self) -> dict[str, Submission]:
        return {s.opd_code: s for s in self.kept}

    def submission_of(self, code: str) -> Submission:
        return self._kept_by_code[code]

    @cached_property
    def evidence(self) -> dict[str, tuple[Submission, ...]]:
        """OPD code -> the evidence files (attachments that are not workbooks) received for it, in order."""
        out: dict[str, list[Submission]] = {}
        for s in self.submissions:
            if s.kind == EVIDENCE and s.opd_code and not s.rejected:
                out.setdefault(s.opd_code, []).append(s)
        return {code: tuple(subs) for code, subs in out.items()}

    def opd_name(self, code: str) -> str:
        opd = self.roster.by_code(code)
        return opd.name if opd else code

    def summary_lines(self, lang: str) -> list[str]:
        """What ``spbe merge`` prints when it is done."""
        c = self.counts
        incomplete = sum(1 for s in self.scores.values() if not s.complete)
        lines = [i18n.text("cli.files-summary", lang, found=self.check.questionnaires, accepted=self.check.accepted_files,
                           superseded=c[validate.SUPERSEDED], rejected=c[validate.REJECTED])]
        if c[validate.OPENED] or c[validate.EVIDENCE_RECEIVED]:
            kinds = Counter(s.kind for s in self.submissions if not s.rejected)
            lines.append(i18n.text("cli.mail-summary", lang, messages=kinds[MESSAGE], archives=kinds[ARCHIVE],
                                   evidence=kinds[EVIDENCE]))
        lines.append(i18n.text("cli.opd-summary", lang, scored=len(self.scores), incomplete=incomplete,
                               missing=len(self.not_submitted), roster=len(self.roster.opds)))
        if self.summary and self.summary.mean_index is not None:
            index = i18n.decimal(display(self.summary.mean_index), lang)
            lines.append(i18n.text("cli.province-average", lang, index=index, predikat=self.summary.predikat))
        h = self.history
        if h is not None:
            lines.append(i18n.text("cli.history-used", lang, folder=h.folder, years=", ".join(map(str, h.used)))
                         if h.used else i18n.text("cli.history-none", lang, folder=h.folder))
            skipped = sum(1 for s in h.sources if not s.used and (s.year or 0) < self.year)
            if skipped:
                lines.append(i18n.text("cli.history-skipped", lang, n=skipped))
        if self.workbook is not None:
            lines.append(i18n.text("cli.written", lang, path=self.workbook))
        if not self.outcomes:
            lines.append(i18n.text("cli.empty-input", lang, folder=self.input_dir))
        foreign = [f.found for s in self.submissions for f in s.findings if f.code == "framework-mismatch"]
        if foreign:
            ids = sorted(set(map(str, foreign)))
            lines.append(i18n.text("cli.other-framework", lang, n=len(foreign), ids=", ".join(ids), first=ids[0]))
        return lines

    def strict_failure(self, lang: str) -> str | None:
        """Why ``--strict`` fails (a file rejected, an OPD incomplete), or None."""
        rejected = [s.file for s in self.submissions if s.rejected and needs_action(s.findings)]  # as check's exit code
        incomplete = [code for code, s in self.scores.items() if not s.complete]
        if not rejected and not incomplete:
            return None
        why = [i18n.text("cli.strict-rejected", lang, files=", ".join(rejected))] if rejected else []
        if incomplete:
            why.append(i18n.text("cli.strict-incomplete", lang, opds=", ".join(incomplete)))
        return i18n.text("cli.strict", lang, why="; ".join(why), sheet=i18n.text("report.sheet_validation", lang))


def _pool(given: Workers | None, preload: tuple[str, ...]) -> contextlib.AbstractContextManager[Workers]:
    """The caller's pool (left open), else a new one for this job (closed after it)."""
    return contextlib.nullcontext(given) if given is not None else Workers(preload=preload)


def read(entries: Sequence[intake.Entry], fw: Framework, framework: str | None, roster: str | None,
         workers: Workers, on_progress: Progress | None = None) -> list[Submission]:
    """Read every entry (in the workers) and add each one's consistency warnings; one Submission per entry
    (a file, and for a saved e-mail or an archive, each thing inside it), in order."""
    tasks = [intake.Task(e, framework, roster, _size(e.path)) for e in entries]
    results = workers.map(intake.read_one, tasks, intake.timeout, on_progress, chunk=settings.READ_CHUNK)
    subs = [s for t, r in zip(tasks, results, strict=True)
            for s in (r if isinstance(r, list) else [intake.failed(t, r.reason)])]
    return [validate.consistency(fw, s) for s in subs]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def check(paths: Sequence[Path], *, framework: str | None = None, roster: str | None = None,
          workers: Workers | None = None, on_progress: Progress | None = None) -> CheckReport:
    """Check files and folders (recursively): every file read and validated as ``merge`` would."""
    fw = fwmod.load(framework)
    ros = rostermod.load(roster)  # a bad roster fails here, before any work
    files = [f for p in paths for f in (intake.discover(p) if p.is_dir() else [intake.entry(p, p.name)])]
    with _pool(workers, PRELOAD_READ) as pool:
        subs = read(files, fw, framework, roster, pool, on_progress)
    return validate.check(subs, roster=ros)


def merge(input_dir: Path, output: Path | None = None, *, framework: str | None = None,
          roster: str | None = None, targets: str | None = None, plan: str | None = None, year: int | None = None,
          band_rule: str | None = None, lang: str = "id", per_opd_files: bool | None = None,
          history: Path | bool = True, workers: Workers | None = None, on_progress: Progress | None = None,
          output_folder: Path | None = None, allow_empty: bool = False) -> MergeResult:
    """Read, validate, score and rank every file in ``input_dir``, add the earlier years, then write the
    consolidated workbook.

    Args:
        input_dir: folder with the e-mailed workbooks (read only).
        output: the workbook to write (default ``<output_folder>/rekap-spbe-<year>.xlsx``).
        output_folder: where the default workbook goes (default ``output``).
        framework, roster, targets, plan: catalog id or file, roster CSV, targets JSON, server-room planning
            parameters JSON (defaults: the 2018 catalog, the packaged roster, the next predikat band, the
            packaged planning defaults).
        year: evaluation year (default: the year most files state, else this year).
        band_rule: "unrounded" or "rounded" (default: the catalog's).
        lang: "id" or "en", for the workbook.
        per_opd_files: also write one workbook per OPD (None: above :data:`settings.PER_OPD_LIMIT` OPDs).
        allow_empty: write a rekap scoring no OPD over an existing one (else that run keeps the old rekap).
        history: True: the earlier ``rekap-spbe-<year>.xlsx`` in the output folder; a folder: every workbook
            there; False: no history (see :mod:`pipeline.history`).
    Returns:
        The :class:`MergeResult`, with the paths written.
    Raises:
        PipelineError: a bad catalog, roster or targets file, a missing input folder, an input folder that
            emptied or vanished while it was read, a run scoring no OPD that would replace a rekap, an output
            that cannot be written or is being written by another run. Problems in the submitted files are
            never raised: they are findings. Whenever it raises, the previous output is unchanged.
    """
    from pipeline.report import publish, write

    if not input_dir.is_dir():
        raise InputError("error.input-missing", folder=input_dir.absolute())  # where it was looked for
    fw = fwmod.load(framework)
    ros = rostermod.load(roster)
    tgt = targetsmod.load(targets, fw, ros)
    parameters = planmod.load(plan)
    folder = output.parent if output is not None else output_folder or Path("output")
    with publish.lock(folder), _pool(workers, PRELOAD_MERGE) as pool:  # a second run into it refuses now
        entries = intake.discover(input_dir)
        subs = read(entries, fw, framework, roster, pool, on_progress)
        gone = [e.rel for e in entries if not e.problem and not os.path.lexists(e.path)]
        if gone or not input_dir.is_dir():
            raise OutputError("error.input-vanished", folder=input_dir, n=len(gone) or len(entries))
        result = assemble(fw, ros, subs, year=year, targets=tgt, band_rule=band_rule, lang=lang,
                          input_dir=str(input_dir), plan=parameters)
        out = output or folder / f"rekap-spbe-{result.year}.xlsx"
        if not result.scores and not allow_empty and os.path.lexists(out):
            raise OutputError("error.output-empty-kept", path=out)
        if history is not False:
            where = out.parent if history is True else Path(history)
            result = dataclasses.replace(result, history=histmod.load(where, result, pool, every=history is not True,
                                                                      output=out))
        return write(result, out, per_opd_files=per_opd_files, workers=pool)


def assemble(fw: Framework, ros: Roster, subs: Sequence[Submission], *, year: int | None = None,
             targets: targetsmod.Targets | None = None, band_rule: str | None = None, lang: str = "id",
             input_dir: str = "", plan: planmod.Plan | None = None) -> MergeResult:
    """Everything after reading: validation of the batch, scores, ranking, summary, gaps and inventory."""
    tgt = targets or targetsmod.Targets()
    rule = band_rule or fw.band_rule
    checked = validate.check(subs, year, ros)
    scores: dict[str, index.Score] = {}
    for s in checked.kept:
        levels, verified = s.levels()
        scores[s.opd_code] = index.score(fw, levels, verified, opd=s.opd_code, band_rule=rule)
    names = [(ros.by_code(c).name if ros.by_code(c) else c, sc) for c, sc in scores.items()]
    gaps = {}
    for code, sc in scores.items():
        target = tgt.for_opd(code)
        gaps[code] = gapsmod.gap_analysis(fw, sc, target_index=target.index, target_levels=target.levels or None,
                                          band_rule=rule)
    return MergeResult(
        framework=fw, roster=ros, year=checked.year, lang=lang, band_rule=rule, input_dir=input_dir,
        check=checked, scores=scores, ranking=rank.rank(names),
        summary=rank.province_summary(fw, list(scores.values()), band_rule=rule) if scores else None,
        gaps=gaps, inventory=inventory.analyse(fw, checked.kept, plan or planmod.load(), checked.year), not_submitted=[
            o for o in ros.opds if o.code not in scores])
