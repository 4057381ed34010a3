"""The strict .ods reader: an OpenDocument spreadsheet's stored cell values, never evaluated.

An .ods file is a zip of XML, like an .xlsx, and is read on the same ground (:mod:`pipeline.intake.zipxml`):
the archive's declared and actual sizes are checked while decompressing, any DTD stops reading, and the
cells are taken from ``content.xml`` as a stream of elements, each row dropped once read, so memory stays
bounded. It gives the same :class:`~pipeline.intake.raw.RawWorkbook` as the .xlsx reader:

* a row or a cell repeated (``number-rows-repeated``, ``number-columns-repeated``) costs nothing when
  empty; repeated content counts every cell it makes against the cell limit before any is made, so a
  "shape bomb" is refused at once;
* a formula's text is kept (``of:=...`` without its prefix) and an error result is an error value: neither
  is ever read as an answer; a date is the Excel serial number the .xlsx would hold;
* a merged range is a merged range (``number-columns-spanned``/``-rows-spanned``), a covered cell keeps what
  it stores; a sheet whose table style says ``display="false"`` is hidden.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import Element

from pipeline import settings
from pipeline.findings import Finding
from pipeline.i18n import msg
from pipeline.intake.cells import MAX_COL, MAX_ROW, Stop, corrupt
from pipeline.intake.raw import BOOL, EMPTY, ERRORVAL, NUMBER, TEXT, RawCell, RawSheet, RawWorkbook, normalise_name
from pipeline.intake.zipxml import Archive, read_package

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXTNS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
CONTENT = "content.xml"
_CELLS = (f"{TABLE}table-cell", f"{TABLE}covered-table-cell")
_ROW, _TABLE, _P = f"{TABLE}table-row", f"{TABLE}table", f"{TEXTNS}p"
_MAX_PENDING = 200_000  # XML elements inside one row
_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system
_DURATION = re.compile(r"-?PT?(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{1,12})?)S)?")


def read_ods(path: Path, rel: str, limits: settings.Limits = settings.LIMITS, sheets: set[str] | None = None,
             data: bytes | None = None) -> tuple[RawWorkbook | None, list[Finding]]:
    """Read stored cell values of an .ods file safely (arguments and result as
    :func:`pipeline.intake.xlsx.read_workbook`)."""
    return read_package(path, rel, limits, data, lambda zf: _Reader(zf, rel, limits).read(sheets))


class _Reader(Archive):
    def __init__(self, zf: zipfile.ZipFile, rel: str, limits: settings.Limits) -> None:
        super().__init__(zf, rel, limits)
        self.hidden_styles: set[str] = set()
        self.sheets: list[RawSheet] = []

    def read(self, sheet_filter: set[str] | None) -> tuple[RawWorkbook, list[Finding]]:
        self.check()
        if CONTENT not in self.members:
            raise Stop("corrupt-workbook", msg("reason.part-missing", part=CONTENT))
        has_macros = any(n.startswith(("basic/", "scripts/")) for n in self.members)
        stack: list[Element] = []
        sheet: _Sheet | None = None
        in_row = pending = 0
        for event, el in self.events(CONTENT):
            if event == "start":
                stack.append(el)
                if in_row:
                    pending += 1
                    if pending > _MAX_PENDING:
                        raise Stop("resource-limit", msg("reason.xml-per-row", n=_MAX_PENDING),
                                   sheet=sheet.name if sheet else "")
                elif el.tag == _ROW:
                    in_row, pending = 1, 0
                elif el.tag == _TABLE:
                    sheet = self._start(el, sheet_filter)
                continue
            stack.pop()
            if el.tag == _ROW:
                in_row = 0
                if sheet is not None and sheet.wanted:
                    sheet.row(el)
                elif sheet is not None:
                    sheet.skip(el)
            elif in_row:
                continue  # a row's cells are read with the row
            elif el.tag == _TABLE and sheet is not None:
                self.sheets.append(sheet.done())
                sheet = None
            elif el.tag == f"{STYLE}table-properties" and el.get(f"{TABLE}display") == "false" and stack:
                self.hidden_styles.add(stack[-1].get(f"{STYLE}name", ""))  # the table style it belongs to
            if stack and len(stack[-1]) and stack[-1][-1] is el:
                del stack[-1][-1]  # read: dropped, so memory stays bounded whatever the size
        if not self.sheets:
            raise corrupt(CONTENT, "reason.no-sheets")
        warnings = [Finding("macro-workbook", self.rel, found="Basic")] if has_macros else []
        return RawWorkbook(self.sheets, has_macros=has_macros), warnings

    def _start(self, el: Element, sheet_filter: set[str] | None) -> _Sheet:
        name = el.get(f"{TABLE}name")
        if name is None:
            raise corrupt(CONTENT, "reason.sheet-list-incomplete")
        state = "hidden" if el.get(f"{TABLE}style-name") in self.hidden_styles else "visible"
        wanted = sheet_filter is None or normalise_name(name) in sheet_filter
        return _Sheet(name, state, wanted, self.limits.max_cells_per_sheet)


class _Sheet:
    """The rows of one table, as they stream by, turned into cells and merged ranges."""

    def __init__(self, name: str, state: str, wanted: bool, max_cells: int) -> None:
        self.name, self.state, self.wanted, self.max_cells = name, state, wanted, max_cells
        self.cells: dict[tuple[int, int], RawCell] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.row_no = 0  # rows read so far (repeated rows included)

    def done(self) -> RawSheet:
        return RawSheet(self.name, self.state, self.cells, self.merged)

    def bad(self, reason: str, **args: object) -> Stop:
        return corrupt(CONTENT, reason, self.name, **args)

    def too_large(self) -> Stop:
        return Stop("sheet-too-large", f"> {self.max_cells}", str(self.max_cells), sheet=self.name)

    def skip(self, el: Element) -> None:
        self.row_no += _count(el.get(f"{TABLE}number-rows-repeated"), self)

    def row(self, el: Element) -> None:
        rows = _count(el.get(f"{TABLE}number-rows-repeated"), self)
        first = self.row_no + 1
        self.row_no += rows
        col = 0
        found: list[tuple[int, RawCell]] = []
        for c in el:
            if c.tag not in _CELLS:
                continue
            cols = _count(c.get(f"{TABLE}number-columns-repeated"), self)
            cell = self.cell(c)
            if cell is not None or c.get(f"{TABLE}number-columns-spanned") or c.get(f"{TABLE}number-rows-spanned"):
                if col + cols > MAX_COL or self.row_no > MAX_ROW:
                    raise self.bad("reason.column-out-of-range", row=first) if col + cols > MAX_COL else \
                        self.bad("reason.too-many-rows", n=MAX_ROW)
                if len(self.cells) + len(found) + cols * rows > self.max_cells:
                    raise self.too_large()  # before any repeated cell is made
                if cell is not None:
                    found.extend((col + k, cell) for k in range(1, cols + 1))
                self.merge(c, first, col + 1, rows, cols)
            col += cols
        for r in range(first, first + rows if found else first):
            for c, cell in found:
                self.cells[(r, c)] = cell

    def merge(self, c: Element, row: int, col: int, rows: int, cols: int) -> None:
        across = _count(c.get(f"{TABLE}number-columns-spanned"), self)
        down = _count(c.get(f"{TABLE}number-rows-spanned"), self)
        if c.tag != _CELLS[0] or (across == 1 and down == 1):
            return
        if len(self.merged) + rows * cols > self.max_cells:
            raise self.too_large()
        for r in range(row, row + rows):
            for k in range(col, col + cols):
                self.merged.append((r, k, min(r + down - 1, MAX_ROW), min(k + across - 1, MAX_COL)))

    def cell(self, c: Element) -> RawCell | None:
        """The stored value of a cell element, or None for an empty one."""
        formula = c.get(f"{TABLE}formula")
        if formula is not None:
            formula = formula.split(":", 1)[1] if formula[:4].islower() and ":" in formula[:5] else formula
            formula = formula.removeprefix("=") or "(formula)"
        kind = c.get(f"{OFFICE}value-type")
        if c.get(f"{CALCEXT}value-type") == "error":
            return RawCell(_text(c), ERRORVAL, formula)
        if kind in ("float", "percentage", "currency"):
            return _number(c.get(f"{OFFICE}value", ""), formula)
        if kind == "date":
            return _date(c.get(f"{OFFICE}date-value", ""), formula)
        if kind == "time":
            return _time(c.get(f"{OFFICE}time-value", ""), formula)
        if kind == "boolean":
            value = c.get(f"{OFFICE}boolean-value", "")
            return RawCell(value == "true", BOOL, formula) if value in ("true", "false") else RawCell(value, TEXT, formula)
        if kind == "string":
            stored = c.get(f"{OFFICE}string-value")
            return RawCell(stored if stored is not None else _text(c), TEXT, formula)
        return RawCell(None, EMPTY, formula) if formula is not None else None


def _count(value: str | None, sheet: _Sheet) -> int:
    """A repeat or span count: a positive whole number (a count past the sheet's edge is refused)."""
    if value is None:
        return 1
    if not value.isdecimal() or len(value) > 10 or int(value) < 1:
        raise sheet.bad("reason.bad-row-number", row=value[:20])
    return int(value)


def _text(c: Element) -> str:
    """The text of a cell: its paragraphs, one per line, with spaces, tabs and line breaks as written."""
    return "\n".join(_inline(p) for p in c if p.tag == _P)


def _inline(el: Element) -> str:
    parts = [el.text or ""]
    for child in el:
        tag = child.tag
        if tag == f"{TEXTNS}s":
            n = child.get(f"{TEXTNS}c", "1")
            parts.append(" " * (min(int(n), 1000) if n.isdecimal() and len(n) < 6 else 1))
        elif tag == f"{TEXTNS}tab":
            parts.append("\t")
        elif tag == f"{TEXTNS}line-break":
            parts.append("\n")
        elif tag not in (f"{OFFICE}annotation", f"{TEXTNS}note"):
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _number(value: str, formula: str | None) -> RawCell:
    try:
        x = float(value)
    except ValueError:
        return RawCell(value, TEXT, formula)
    return RawCell(x, NUMBER, formula) if x - x == 0 and "_" not in value else RawCell(value, TEXT, formula)


def _date(value: str, formula: str | None) -> RawCell:
    """A date as the serial number Excel stores (days since 1899-12-30, time as the fraction)."""
    try:
        when = dt.datetime.fromisoformat(value[:26])
    except ValueError:
        return RawCell(value, TEXT, formula)
    delta = when.replace(tzinfo=None) - _EPOCH
    return RawCell(delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6, NUMBER, formula)


def _time(value: str, formula: str | None) -> RawCell:
    m = _DURATION.fullmatch(value)
    if m is None or not value:
        return RawCell(value, TEXT, formula)
    h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    days = (h * 3600 + mi * 60 + s) / 86400
    return RawCell(-days if value.startswith("-") else days, NUMBER, formula)
