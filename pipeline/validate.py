"""Validation beyond reading: consistency warnings per file, the batch year, and which copy of an OPD's
file is kept. The result is a :class:`CheckReport`: every file's verdict and outcome, with its findings.

Reading (:mod:`pipeline.intake`) already reports what a file itself gets wrong (a level that cannot be
read, a missing sheet); this stage adds what needs the catalog's meaning (a claimed level without
evidence) or the other files of the batch (the evaluation year, superseded copies).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from pipeline import inventory
from pipeline import layout as L
from pipeline.catalog.framework import Framework
from pipeline.catalog.roster import Roster
from pipeline.findings import ERROR, INCOMPLETE, WARNING, Finding, needs_action
from pipeline.i18n import Msg, msg
from pipeline.intake.sniff import human_size
from pipeline.inventory import name_key
from pipeline.model import EVIDENCE, MESSAGE, WORKBOOK, FileOutcome, Submission

ACCEPTED, WITH_NOTES, INCOMPLETE_VERDICT = "accepted", "accepted-with-notes", "accepted-incomplete"
SUPERSEDED, REJECTED = "superseded", "rejected"
OPENED, EVIDENCE_RECEIVED = "opened", "evidence"  # a saved e-mail or an archive read; an evidence attachment


def consistency(fw: Framework, sub: Submission) -> Submission:
    """``sub`` with the warnings that never change a score: claims without evidence, services without
    applications and the other way round, a server room said not to exist but used, a server running an
    application the Aplikasi sheet does not list."""
    if sub.rejected or sub.kind != WORKBOOK:
        return sub
    out: list[Finding] = []
    answers = {a.indicator: a for a in sub.answers}
    for ind in fw.indicators:
        a = answers.get(ind.id)
        if a is not None and a.level is not None and a.level > max(fw.level_min, 0) and not a.evidence:
            out.append(Finding("evidence-missing", sub.file, sub.columns.sheet, sub.cell(a, "evidence"),
                               str(a.level), detail=ind.id))
    active = [app for app in sub.applications if inventory.active(app)]
    for svc in fw.services:  # the service rule of the Layanan vs Aplikasi sheet, on the levels the OPD answered
        levels = [(i, answers[i].level) for i in svc.indicators if i in answers and answers[i].level is not None]
        app = next((x for x in active if x.function == svc.key), None)
        for iid, lv in levels:
            if lv >= inventory.NEEDS_APP_FROM and app is None:
                out.append(Finding("service-without-application", sub.file, sub.columns.sheet,
                                   sub.cell(answers[iid]), str(lv), svc.label, iid))
        if app is not None and levels and max(lv for _, lv in levels) <= inventory.LOW_LEVEL_UP_TO:
            iid, lv = max(levels, key=lambda p: p[1])
            out.append(Finding("application-with-low-level", sub.file, app.sheet, app.cell, app.name, svc.label,
                               f"{iid} (level {lv})"))
    infra = sub.infrastructure
    if infra.has_server_room == "tidak":
        own = "ruang-server-opd"
        apps = [a.name for a in sub.applications if a.hosting == own]
        servers = infra.server_counts().get(own, 0)
        parts = ([msg("reason.apps", names=", ".join(apps[:3]))] if apps else []) + (
            [msg("reason.servers", n=servers)] if servers else [])
        if parts:
            found = parts[0] if len(parts) == 1 else msg("reason.and", a=parts[0], b=parts[1])
            out.append(Finding("server-room-inconsistent", sub.file, L.SHEET_INFRA, infra.server_room_cell, found))
    known = {name_key(a.name) for a in sub.applications}
    for server in infra.server_rows:  # the migration order links servers to applications by these names
        unknown = [name for name in server.apps if name_key(name) not in known]
        if unknown:
            out.append(Finding("server-app-unknown", sub.file, L.SHEET_SERVERS, server.apps_cell, "; ".join(unknown)))
    return dataclasses.replace(sub, findings=sub.findings + tuple(out)) if out else sub


def verdict(sub: Submission) -> str:
    """The check verdict of one entry: accepted, accepted-with-notes, accepted-incomplete or rejected; an
    e-mail or archive read is opened, an evidence attachment is evidence."""
    if sub.rejected:
        return REJECTED
    if sub.kind != WORKBOOK:
        return EVIDENCE_RECEIVED if sub.kind == EVIDENCE else OPENED
    if sub.incomplete:
        return INCOMPLETE_VERDICT
    return WITH_NOTES if sub.has_warnings else ACCEPTED


def batch_year(subs: Sequence[Submission], year: int | None = None) -> int:
    """The evaluation year: ``year`` if given, else the one most accepted files state, else this year."""
    if year is not None:
        return year
    years = Counter(s.year for s in subs if s.year and not s.rejected)
    return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0] if years else dt.date.today().year


@dataclass(frozen=True)
class CheckReport:
    """Every file found, with its findings, verdict and outcome, and the one kept submission per OPD."""

    submissions: tuple[Submission, ...]  # one per file, in discovery order, with every finding
    outcomes: tuple[FileOutcome, ...]  # the same order
    kept: tuple[Submission, ...]  # one per OPD, sorted by OPD code
    year: int

    @cached_property
    def findings(self) -> list[Finding]:
        """Every finding of every file, sorted (file, severity, sheet, cell)."""
        return sorted((f for s in self.submissions for f in s.findings), key=Finding.sort_key)

    @property
    def counts(self) -> Counter:
        """Files per outcome."""
        return Counter(o.outcome for o in self.outcomes)

    @property
    def accepted_files(self) -> int:
        """Questionnaires accepted: with or without notes, complete or not."""
        c = self.counts
        return c[ACCEPTED] + c[WITH_NOTES] + c[INCOMPLETE_VERDICT]

    @property
    def questionnaires(self) -> int:
        """Questionnaires found: accepted, superseded or rejected (e-mails, archives and evidence apart)."""
        return self.accepted_files + self.counts[SUPERSEDED] + self.counts[REJECTED]

    @property
    def verdicts(self) -> Counter:
        """Files per verdict (as ``spbe check`` prints them)."""
        return Counter(verdict(s) for s in self.submissions)

    @property
    def exit_code(self) -> int:
        """0 when every file is accepted (possibly incomplete), 1 when one is rejected (but for an Office lock file)."""
        return 1 if any(s.rejected and needs_action(s.findings) for s in self.submissions) else 0


def check(subs: Sequence[Submission], year: int | None = None, roster: Roster | None = None) -> CheckReport:
    """Validate a batch: the year (a file of another year gets a warning), then the kept copy per OPD; with
    ``roster``, a file whose content names no OPD (a rejected one) is tied to the OPD its file name names.

    Rule (documented in the README): among the readable submissions of one OPD, a byte-identical
    copy (same SHA-256) of an earlier file is superseded as a duplicate; of the rest, the one with
    the newest "Tanggal Pengisian" is kept, then the newest sent date of the e-mail it came in (for
    a file dropped in directly: its modification time), then the last name in sort order. The others
    are superseded, naming the kept file. Containers and evidence are listed, never kept or scored.
    """
    year = batch_year(subs, year)
    subs = tuple(_with_opd_of_name(_with_year(s, year), roster) for s in subs)
    kept, superseded = _keep_one_per_opd(subs)
    inside: dict[str, Counter] = {}  # a container -> what it holds, at any depth (an attached zip's files too)
    parent_of = {s.file: s.parent for s in subs}
    for s in subs:
        up = s.parent
        while up:
            inside.setdefault(up, Counter())[s.kind] += 1
            up = parent_of.get(up, "")
    outcomes = []
    for s in subs:
        if s.file in superseded:
            by, why = superseded[s.file]
            outcome = FileOutcome(s.file, s.sha256, s.size, SUPERSEDED, s.opd_code, (why,), by)
        elif s.rejected:
            errors = tuple(f for f in s.findings if f.severity == ERROR)[:3]
            outcome = FileOutcome(s.file, s.sha256, s.size, REJECTED, s.opd_code, errors)
        elif s.kind == EVIDENCE:
            outcome = FileOutcome(s.file, s.sha256, s.size, EVIDENCE_RECEIVED, s.opd_code,
                                  (msg("reason.evidence-of", kind=s.label, size=human_size(s.size)),))
        elif s.kind != WORKBOOK:
            n = inside.get(s.file, Counter())
            outcome = FileOutcome(s.file, s.sha256, s.size, OPENED, s.opd_code, (msg(
                "reason.contents", workbooks=n[WORKBOOK], evidence=n[EVIDENCE], messages=n[MESSAGE]),))
        else:
            outcome = FileOutcome(s.file, s.sha256, s.size, verdict(s), s.opd_code, _accepted_reasons(s))
        outcomes.append(dataclasses.replace(outcome, source=s.source) if s.source else outcome)
    return CheckReport(subs, tuple(outcomes), tuple(sorted(kept, key=lambda s: s.opd_code)), year)


def _with_year(sub: Submission, year: int) -> Submission:
    if sub.year and sub.year != year and not sub.rejected:
        found = Finding("year-mismatch", sub.file, L.SHEET_IDENTITY, "", str(sub.year), str(year))
        return dataclasses.replace(sub, findings=sub.findings + (found,))
    return sub


def _with_opd_of_name(sub: Submission, roster: Roster | None) -> Submission:
    if sub.opd_code or roster is None:
        return sub
    opd = roster.find_in_filename(sub.file.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    return dataclasses.replace(sub, opd_code=opd.code) if opd is not None else sub


def _accepted_reasons(sub: Submission) -> tuple[Msg, ...]:
    counts = Counter(f.severity for f in sub.findings)
    out = []
    if counts[INCOMPLETE]:
        out.append(msg("reason.unusable-answers", n=counts[INCOMPLETE]))
    if counts[WARNING]:
        out.append(msg("reason.warnings", n=counts[WARNING]))
    return tuple(out)


def _keep_one_per_opd(subs: Sequence[Submission]) -> tuple[list[Submission], dict[str, tuple[str, Msg]]]:
    """The kept submission of every OPD, and superseded file -> (the file that replaces it, why)."""
    by_opd: dict[str, list[Submission]] = {}
    for s in subs:
        if not s.rejected and s.opd_code and s.kind == WORKBOOK:
            by_opd.setdefault(s.opd_code, []).append(s)
    superseded: dict[str, tuple[str, Msg]] = {}
    kept: list[Submission] = []
    for group in by_opd.values():
        first_of_hash: dict[str, Submission] = {}
        unique = []
        for s in sorted(group, key=lambda s: (int(s.when), s.file)):  # of identical copies the first one sent stays
            if s.sha256 in first_of_hash:
                orig = first_of_hash[s.sha256]
                superseded[s.file] = (orig.file, msg("reason.duplicate-of", file=orig.file))
            else:
                first_of_hash[s.sha256] = s
                unique.append(s)
        best = max(unique, key=lambda s: (s.date_filled.toordinal() if s.date_filled else 0, int(s.when), s.file))
        kept.append(best)
        for s in unique:
            if s is best:
                continue
            if (s.date_filled or 0) != (best.date_filled or 0) and best.date_filled:
                why = msg("reason.replaced-filled", file=best.file, date=best.date_filled.isoformat())
            elif best.source is not None and best.source.sent is not None:
                why = msg("reason.replaced-sent", file=best.file, date=best.source.when())
            else:
                why = msg("reason.replaced-newer", file=best.file)
            superseded[s.file] = (best.file, why)
        for s in group:  # the original of a duplicate was itself superseded: point at the kept file
            if s.file in superseded and superseded[s.file][0] in superseded:
                superseded[s.file] = (best.file, superseded[s.file][1])
    return kept, superseded
