"""Typed records passed between stages: raw cells, submissions and file outcomes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from dataclasses import dataclass, field

from pipeline.findings import ERROR, INCOMPLETE, WARNING, Finding

# ---------------------------------------------------------------- raw workbook (xlsxsafe)

# kinds of RawCell.kind
NUMBER, TEXT, BOOL, ERRORVAL, EMPTY = "n", "s", "b", "e", "empty"


@dataclass(frozen=True, slots=True)
class RawCell:
    """One cell as stored in the file: never evaluated."""

    value: object  # float for numbers, str for text and error codes (e.g. "#N/A"), bool
    kind: str  # NUMBER, TEXT, BOOL, ERRORVAL
    formula: str | None = None  # formula text without "=", when the cell holds a formula


@dataclass
class RawSheet:
    name: str
    state: str  # "visible", "hidden" or "veryHidden"
    cells: dict[tuple[int, int], RawCell]  # (row, col), both 1-based
    merged: list[tuple[int, int, int, int]]  # (min_row, min_col, max_row, max_col)

    def get(self, row: int, col: int) -> RawCell | None:
        return self.cells.get((row, col))

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)


@dataclass
class RawWorkbook:
    sheets: list[RawSheet]
    has_macros: bool = False
    external_links: int = 0

    def sheet(self, name: str) -> RawSheet | None:
        """Find a sheet by name, tolerant to case and surrounding/inner spacing."""
        key = normalise_name(name)
        for s in self.sheets:
            if normalise_name(s.name) == key:
                return s
        return None


def normalise_name(text: str) -> str:
    return "".join(str(text).split()).casefold()


# ---------------------------------------------------------------- a parsed submission


@dataclass(frozen=True, slots=True)
class Located:
    """A value with the cell it came from."""

    value: object
    sheet: str = ""
    cell: str = ""


@dataclass(frozen=True, slots=True)
class Answer:
    indicator: str
    level: int | None  # self-assessed level; None when missing or invalid
    verified: int | None  # Diskominfo's verified level, None when not filled
    explanation: str
    evidence: str
    service_name: str
    sheet: str
    row: int
    level_cell: str
    verified_cell: str
    evidence_cell: str

    def __reduce__(self) -> tuple:
        # rebuilt with shared (interned) ids, sheet names and cell addresses: thousands of submissions repeat them
        return (_answer, (self.indicator, self.level, self.verified, self.explanation, self.evidence,
                          self.service_name, self.sheet, self.row, self.level_cell, self.verified_cell,
                          self.evidence_cell))


def _answer(indicator: str, level: int | None, verified: int | None, explanation: str, evidence: str,
            service_name: str, sheet: str, row: int, level_cell: str, verified_cell: str, evidence_cell: str) -> Answer:
    i = sys.intern
    return Answer(i(indicator), level, verified, explanation, evidence, service_name, i(sheet), row, i(level_cell),
                  i(verified_cell), i(evidence_cell))


@dataclass(frozen=True, slots=True)
class Application:
    name: str
    function: str  # service key from the catalog, "lainnya" or "lainnya: <typed>"
    function_label: str
    users: str
    url: str
    developer: str
    hosting: str
    integrated_with: str
    status: str  # "aktif" / "tidak aktif" / ""
    problems: str
    needs: str
    sheet: str
    row: int
    cell: str = ""  # the name cell, e.g. "B7"

    def __reduce__(self) -> tuple:
        i = sys.intern
        return (_application, (self.name, i(self.function), i(self.function_label), i(self.users), self.url,
                               i(self.developer), i(self.hosting), self.integrated_with, i(self.status),
                               self.problems, self.needs, self.sheet, self.row, self.cell))


def _application(*fields: object) -> Application:
    i = sys.intern
    return Application(*(i(f) if isinstance(f, str) and len(f) < 64 else f for f in fields))


@dataclass(frozen=True, slots=True)
class ServerCount:
    location: str
    count: int
    note: str


@dataclass(frozen=True)
class Infrastructure:
    provider: str = ""
    bandwidth_mbps: float | None = None
    has_server_room: str = ""  # "ya" / "tidak" / ""
    problems: str = ""
    needs: str = ""
    servers: tuple[ServerCount, ...] = ()


@dataclass
class Submission:
    """Everything read from one accepted-or-not questionnaire, with locations."""

    file: str  # path relative to the input folder, with "/" separators
    sha256: str
    size: int
    mtime: float
    framework_id: str = ""
    template_version: str = ""
    opd_code: str = ""
    opd_raw: str = ""
    respondent: dict[str, str] = field(default_factory=dict)
    date_filled: dt.date | None = None
    year: int | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    applications: list[Application] = field(default_factory=list)
    infrastructure: Infrastructure = field(default_factory=Infrastructure)
    findings: list[Finding] = field(default_factory=list)

    def drop_free_text(self) -> None:
        """Forget the answers' explanation and evidence texts once they have been validated.

        No later stage shows them; a national batch of 20,000 files would otherwise hold ~100 MB of them.
        """
        self.answers = {k: dataclasses.replace(a, explanation="", evidence="") if (a.explanation or a.evidence) else a
                        for k, a in self.answers.items()}

    @property
    def rejected(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)

    @property
    def incomplete(self) -> bool:
        return any(f.severity == INCOMPLETE for f in self.findings)

    @property
    def has_warnings(self) -> bool:
        return any(f.severity in (WARNING, INCOMPLETE) for f in self.findings)

    @property
    def verified(self) -> bool:
        return any(a.verified is not None for a in self.answers.values())


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one file found in the input folder."""

    file: str
    sha256: str
    size: int
    outcome: str  # "accepted", "accepted-with-notes", "superseded", "rejected"
    opd_code: str
    reason: str
    superseded_by: str = ""
