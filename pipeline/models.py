"""Typed records passed between stages: raw cells, submissions and file outcomes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from array import array
from collections.abc import Iterator, Mapping
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


def answer_levels(answers: Mapping[str, Answer]) -> tuple[dict[str, int | None], dict[str, int | None]]:
    """(self-assessed, verified) level per indicator of a submission's answers."""
    if isinstance(answers, AnswerTable):
        return answers.levels()
    return {i: a.level for i, a in answers.items()}, {i: a.verified for i, a in answers.items()}


class AnswerTable(Mapping):
    """Indicator id -> Answer, stored as small arrays; Answers (without free texts) are made on access."""

    __slots__ = ("_ids", "_index", "_levels", "_verified", "_rows", "_sheet", "_cols", "_names")

    @classmethod
    def of(cls, answers: Mapping[str, Answer]) -> Mapping[str, Answer]:
        """A compact table of ``answers``; the plain mapping (texts dropped) when its cells are irregular."""
        items = list(answers.values())
        if not items:
            return {}
        sheet = items[0].sheet
        cols = tuple(_column_of(getattr(items[0], f)) for f in ("level_cell", "verified_cell", "evidence_cell"))
        regular = all(a.sheet == sheet and (a.level_cell, a.verified_cell, a.evidence_cell) == tuple(
            f"{c}{a.row}" if c else "" for c in cols) for a in items)
        if not regular:
            return {k: dataclasses.replace(a, explanation="", evidence="") for k, a in answers.items()}
        table = cls.__new__(cls)
        table._ids = _shared_ids(tuple(answers))
        table._index = None
        table._levels = array("b", (-1 if a.level is None else a.level for a in items))
        table._verified = array("b", (-1 if a.verified is None else a.verified for a in items))
        table._rows = array("i", (a.row for a in items))
        table._sheet, table._cols = sys.intern(sheet), cols
        table._names = {a.indicator: a.service_name for a in items if a.service_name}
        return table

    def __reduce__(self) -> tuple:
        return (_answer_table, (self._ids, self._levels, self._verified, self._rows, self._sheet, self._cols,
                                self._names))

    def _lookup(self) -> dict[str, int]:
        if self._index is None:  # one shared index per indicator list, not one per submission
            self._index = _INDEXES.setdefault(self._ids, {k: n for n, k in enumerate(self._ids)})
        return self._index

    def _pos(self, key: str) -> int:
        return self._lookup()[key]

    def __getitem__(self, key: str) -> Answer:
        n = self._pos(key)
        lv, vf, row = self._levels[n], self._verified[n], self._rows[n]
        c_level, c_verified, c_evidence = self._cols
        return Answer(key, None if lv < 0 else lv, None if vf < 0 else vf, "", "", self._names.get(key, ""),
                      self._sheet, row, f"{c_level}{row}", f"{c_verified}{row}" if c_verified else "",
                      f"{c_evidence}{row}" if c_evidence else "")

    def __contains__(self, key: object) -> bool:
        return key in self._lookup()

    def levels(self) -> tuple[dict[str, int | None], dict[str, int | None]]:
        """(self-assessed, verified) level per indicator, without building Answer objects."""
        return ({k: (None if v < 0 else v) for k, v in zip(self._ids, self._levels, strict=True)},
                {k: (None if v < 0 else v) for k, v in zip(self._ids, self._verified, strict=True)})

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


_INDEXES: dict[tuple[str, ...], dict[str, int]] = {}
_ID_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared_ids(ids: tuple[str, ...]) -> tuple[str, ...]:
    ids = tuple(sys.intern(k) for k in ids)
    return _ID_TUPLES.setdefault(ids, ids)


def _column_of(cell: str) -> str:
    return cell.rstrip("0123456789")


def _answer_table(ids: tuple, levels: array, verified: array, rows: array, sheet: str, cols: tuple,
                  names: dict) -> AnswerTable:
    table = AnswerTable.__new__(AnswerTable)
    table._ids = _shared_ids(ids)
    table._index = None
    table._levels, table._verified, table._rows = levels, verified, rows
    table._sheet, table._cols = sys.intern(sheet), tuple(sys.intern(c) for c in cols)
    table._names = {sys.intern(k): _short(v) for k, v in names.items()}
    return table


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

    def __reduce__(self) -> tuple:
        return (_server_count, (self.location, self.count, self.note))


def _server_count(location: str, count: int, note: str) -> ServerCount:
    return ServerCount(_short(location), count, _short(note))


@dataclass(frozen=True, slots=True)
class Infrastructure:
    provider: str = ""
    bandwidth_mbps: float | None = None
    has_server_room: str = ""  # "ya" / "tidak" / ""
    problems: str = ""
    needs: str = ""
    servers: tuple[ServerCount, ...] = ()
    server_room_cell: str = ""  # where the server-room answer was read, e.g. "B7"

    def __reduce__(self) -> tuple:
        return (_infrastructure, (self.provider, self.bandwidth_mbps, self.has_server_room, self.problems,
                                  self.needs, self.servers, self.server_room_cell))


def _infrastructure(provider: str, bandwidth_mbps: float | None, has_server_room: str, problems: str, needs: str,
                    servers: tuple[ServerCount, ...], server_room_cell: str) -> Infrastructure:
    if not (provider or has_server_room or problems or needs or servers or server_room_cell) and bandwidth_mbps is None:
        return _NO_INFRASTRUCTURE
    return Infrastructure(_short(provider), bandwidth_mbps, _short(has_server_room), _short(problems), _short(needs),
                          tuple(servers), _short(server_room_cell))


_NO_INFRASTRUCTURE = Infrastructure()


def _short(value: object) -> object:
    """A short string interned (shared by every submission that repeats it), anything else unchanged."""
    return sys.intern(value) if type(value) is str and len(value) < 64 else value


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
    answers: Mapping[str, Answer] = field(default_factory=dict)
    applications: list[Application] = field(default_factory=list)
    infrastructure: Infrastructure = field(default_factory=Infrastructure)
    findings: list[Finding] = field(default_factory=list)

    def compact(self) -> None:
        """Keep the answers as a compact table, without the free texts that only validation needed.

        No later stage shows the explanation and evidence texts; a national batch of 20,000 files
        would otherwise hold several hundred MB of answer objects.
        """
        self.answers = AnswerTable.of(self.answers)

    def __reduce__(self) -> tuple:
        # a reader process sends each submission to the parent, which holds thousands of them: rebuilt there
        # with the strings they repeat (keys, short values, codes, names, cells) shared, see _submission
        return (_submission, (self.file, self.sha256, self.size, self.mtime, self.framework_id, self.template_version,
                              self.opd_code, self.opd_raw, tuple(self.respondent.items()), self.date_filled, self.year,
                              self.answers, self.applications, self.infrastructure,
                              tuple((f.code, f.file, f.sheet, f.cell, f.found, f.expected, f.detail)
                                    for f in self.findings)))

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


def _submission(file: str, sha256: str, size: int, mtime: float, framework_id: str, template_version: str,
                opd_code: str, opd_raw: str, respondent: tuple, date_filled: dt.date | None, year: int | None,
                answers: Mapping[str, Answer], applications: list[Application], infrastructure: Infrastructure,
                findings: tuple) -> Submission:
    """A Submission rebuilt from :meth:`Submission.__reduce__`: the same values, with short strings shared.

    Findings are rebuilt through ``Finding(...)``, so that each code is checked again in this process.
    """
    i, short = sys.intern, _short
    file = i(file)
    return Submission(file, sha256, size, mtime, short(framework_id), short(template_version), short(opd_code),
                      short(opd_raw), {short(k): short(v) for k, v in respondent}, date_filled, year, answers,
                      list(applications), infrastructure,
                      [Finding(i(code), file if f == file else i(f), short(sheet), short(cell), short(found),
                               short(expected), short(detail))
                       for code, f, sheet, cell, found, expected, detail in findings])
