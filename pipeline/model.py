"""Typed records passed from intake to the later stages: a submission and what it holds.

All immutable: a stage that adds to a record makes a new one (``dataclasses.replace``). The records a
submission holds many of (answers, applications, servers) are named tuples: each file's are made in a
worker process and sent to the batch, and a named tuple is made and unpickled about five times faster.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from pipeline import i18n
from pipeline.findings import ERROR, INCOMPLETE, WARNING, Finding
from pipeline.i18n import Msg


class Answer(NamedTuple):
    """One indicator row of the Penilaian sheet, as read (levels already normalised)."""

    indicator: str
    level: int | None  # self-assessed level; None when missing or unusable
    verified: int | None  # Diskominfo's verified level; None when not filled or unusable
    row: int  # the row in the sheet (1-based, as Excel shows it)
    service_name: str = ""  # the public service named for indicators 35a-35c (2018)
    evidence: bool = False  # whether the Data Dukung cell names any evidence


@dataclass(frozen=True, slots=True)
class AnswerColumns:
    """Where a submission's answers are: the sheet and the column letters ("" when the column is absent)."""

    sheet: str
    level: str
    verified: str = ""
    evidence: str = ""


class Application(NamedTuple):
    name: str
    function: str  # service key from the catalog, "lainnya" or "lainnya: <typed>"
    function_label: str
    users: str
    url: str
    developer: str
    hosting: str
    integrated_with: str
    status: str  # "aktif" / "tidak-aktif" / ""
    problems: str
    needs: str
    sheet: str
    row: int
    cell: str = ""  # the name cell, e.g. "B7"


class ServerCount(NamedTuple):
    """A count of servers at one hosting location (the previous template version: no details)."""

    location: str
    count: int
    note: str


class Server(NamedTuple):
    """One row of the Server sheet; a number not given (or not usable) is None."""

    name: str
    hosting: str  # hosting location key (layout.HOSTING), "lainnya: <typed>" or ""
    city: str
    kind: str  # layout.KINDS key, "lainnya: <typed>" or ""
    vcpu: float | None
    ram_gb: float | None
    storage_gb: float | None
    os: str
    year: int | None  # year in service
    apps: tuple[str, ...]  # names of the applications it runs, as typed
    backup: str  # "ya" / "tidak" / ""
    backup_where: str
    rent: int | None  # rupiah per month, when rented
    row: int
    apps_cell: str = ""  # where the applications were read, e.g. "K7"


class Site(NamedTuple):
    """One office site of the Jaringan sheet (the previous version: the one provider and bandwidth it asked)."""

    name: str
    provider: str
    bandwidth: float | None  # Mbps
    cost: int | None  # rupiah per month
    outages: int | None  # in the last three months
    intranet: str  # on the provincial network (intranet/VPN): "ya" / "tidak" / ""
    users: int | None
    sheet: str
    row: int


@dataclass(frozen=True, slots=True)
class Infrastructure:
    has_server_room: str = ""  # "ya" / "tidak" / ""
    problems: str = ""
    needs: str = ""
    servers: tuple[ServerCount, ...] = ()  # the previous template version's counts per location
    server_rows: tuple[Server, ...] = ()  # the Server sheet (since 2026.2)
    sites: tuple[Site, ...] = ()
    server_room_cell: str = ""  # where the server-room answer was read, e.g. "B7"

    def server_counts(self) -> dict[str, int]:
        """Servers per hosting location: the Server sheet's rows, else the previous version's counts."""
        out: dict[str, int] = {}
        pairs = [(s.hosting, 1) for s in self.server_rows] or [(c.location, c.count) for c in self.servers]
        for key, n in pairs:
            out[key] = out.get(key, 0) + n
        return out


WORKBOOK, MESSAGE, ARCHIVE, EVIDENCE = "workbook", "message", "archive", "evidence"  # kinds of entry


@dataclass(frozen=True, slots=True)
class Source:
    """The e-mail an entry came in: its sender, sent date, subject and Message-ID (as decoded, cleaned)."""

    message: str  # the message's entry name ("kiriman.eml", "kotak.mbox#3")
    sender: str  # "Name <address>"
    address: str  # the sender's address, lower case
    date: str  # the sent date as ISO 8601 with its offset ("" when the message has none)
    sent: float | None  # the sent date as a POSIX timestamp
    subject: str
    message_id: str

    def when(self) -> str:
        """The sent date to show: "2026-03-12 09:15 +08:00" ("" when the message has none)."""
        return f"{self.date[:16].replace('T', ' ')} {self.date[19:]}".strip() if self.date else ""

    def line(self) -> str:
        """One line for a cell: sender, date and subject."""
        return " · ".join(p for p in (self.sender, self.when(), self.subject) if p)


@dataclass(frozen=True, slots=True)
class Submission:
    """Everything read from one entry found in the input folder (accepted or not), with locations.

    An entry is a file, or something inside a saved e-mail or an archive: the message itself, an
    attachment, a file of a zip (``kind``); its name is the file's path relative to the input folder,
    followed for each step inside by ``#n`` and the inner name ("kotak.mbox#3#1 Kuesioner BKD.xlsx").
    """

    file: str  # the entry's name: path relative to the input folder ("/" separators), "#n name" per step inside
    sha256: str
    size: int
    mtime: float
    framework_id: str = ""
    template_version: str = ""
    opd_code: str = ""  # roster code of the OPD, "" when it could not be told
    opd_raw: str = ""  # the OPD as typed
    respondent: tuple[tuple[str, str], ...] = ()  # identity field key -> text
    date_filled: dt.date | None = None
    year: int | None = None
    answers: tuple[Answer, ...] = ()  # catalog order; an indicator without a usable row has none
    columns: AnswerColumns | None = None
    applications: tuple[Application, ...] = ()
    infrastructure: Infrastructure = Infrastructure()
    findings: tuple[Finding, ...] = ()
    kind: str = WORKBOOK  # WORKBOOK (a questionnaire, or a file meant as one), MESSAGE, ARCHIVE or EVIDENCE
    source: Source | None = None  # the e-mail it came in
    parent: str = ""  # the entry it is inside ("" for a file of the input folder)
    label: str = ""  # what an evidence file is ("PDF", "PNG", "DOCX")

    @property
    def when(self) -> float:
        """When it was sent: the e-mail's sent date, else the file's modification time."""
        return self.source.sent if self.source is not None and self.source.sent is not None else self.mtime

    @property
    def rejected(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)

    @property
    def incomplete(self) -> bool:
        return any(f.severity == INCOMPLETE for f in self.findings)

    @property
    def has_warnings(self) -> bool:
        return any(f.severity in (WARNING, INCOMPLETE) for f in self.findings)

    def answer(self, indicator: str) -> Answer | None:
        return next((a for a in self.answers if a.indicator == indicator), None)

    def levels(self) -> tuple[dict[str, int | None], dict[str, int | None]]:
        """(self-assessed, verified) level per indicator answered."""
        return {a.indicator: a.level for a in self.answers}, {a.indicator: a.verified for a in self.answers}

    def cell(self, answer: Answer, column: str = "level") -> str:
        """The A1 address of an answer's level, verified or evidence cell ("" when that column is absent)."""
        letters = getattr(self.columns, column, "") if self.columns else ""
        return f"{letters}{answer.row}" if letters else ""


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one file found in the input folder."""

    file: str
    sha256: str
    size: int
    outcome: str  # "accepted", "accepted-with-notes", "accepted-incomplete", "superseded", "rejected", "opened"
    # (an e-mail or archive whose entries follow it), "evidence" (an attachment that is not a workbook: never read)
    opd_code: str
    reasons: tuple[Msg | Finding, ...] = ()  # why: the rejecting findings, or what superseded it
    superseded_by: str = ""
    source: Source | None = None  # the e-mail it came in

    def reason(self, lang: str = "id") -> str:
        """The reasons as one text in ``lang`` (an accepted file without notes: its outcome label)."""
        parts = [r.message(lang) if isinstance(r, Finding) else r.render(lang) for r in self.reasons]
        return "; ".join(parts) or i18n.text(f"outcome.{self.outcome}", lang)
