"""Table body rows streamed into an xlsxwriter worksheet as ready XML (the main workbook's large tables).

The plain twin is :class:`pipeline.report.writer.Body`: every cell written through xlsxwriter's
``write_*`` and serialised by xlsxwriter when the workbook closes. Here a row is rendered when it ends,
into the XML xlsxwriter would write for it; what xlsxwriter decides only when it serialises is left
open until then and filled in as xlsxwriter fills it:

* a cell's style index (xlsxwriter numbers formats in the order the cells are serialised): each format
  is marked in the row's XML by ``\x01`` and a letter (never in text that :func:`pipeline.text.clean_text`
  cleaned); the marks are numbered in row order, among the sheet's other rows, and replaced as the rows
  are written;
* the ``spans`` of each block of 16 rows (in-memory mode), over the streamed and the other rows.

Strings are shared strings, indexed as they are written (in-memory mode), or inline strings
(xlsxwriter's constant_memory mode, where a streamed row is also held back, as xlsxwriter holds back
its own last row, until the next row is written or the workbook closes).

Private xlsxwriter names used here: Worksheet ``_write_sheet_data``, ``_write_single_row``, ``_write_row``,
``_write_cell``, ``_write_empty_row``, ``_xml_start_tag``, ``_xml_end_tag``, ``fh``, ``table``,
``row_info``, ``comments``, ``row_sizes``, ``merge``, ``merged_cells``, ``dim_rowmin``/``dim_rowmax``/``dim_colmin``/``dim_colmax``,
``previous_row``, ``default_row_height``, ``original_row_height``, ``xls_rowmax``, ``str_table`` (its
``_get_shared_string_index`` and ``count``); Format ``_get_xf_index``; ``XMLwriter._escape_control_characters``;
``utility._preserve_whitespace`` and ``_utf16_len``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from fractions import Fraction

from xlsxwriter.utility import _preserve_whitespace, _utf16_len, xl_col_to_name, xl_range
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from pipeline import settings
from pipeline.report import writer
from pipeline.report.writer import ReportWriteError

_HALF = settings.EXCEL_MAX_CHARS // 2  # a shorter text cannot exceed Excel's limit in UTF-16 units
_MARKS = re.compile("\x01.")  # a format's mark: \x01 and a character (clean_text removes every \x01)
_COLS = [xl_col_to_name(c) for c in range(256)]
_PLAIN_FUNCS = frozenset({"SUM", "SUMPRODUCT", "MAX", "ROUND"})  # formulas xlsxwriter leaves as they are
_FUNC_NAME = re.compile(r"[A-Z][A-Z0-9._]*(?=\()")
_ESCAPE = re.compile('[&<>"\n]')


def _esc(text: str) -> str:
    """Element text escaped as xlsxwriter escapes it."""
    if _ESCAPE.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _inline(text: str) -> str:
    """An inline string's <is> element, as xlsxwriter writes it in constant_memory mode."""
    text = XMLwriter._escape_control_characters(text)
    if text.startswith("<r>") and text.endswith("</r>"):  # xlsxwriter takes such a text for rich text
        return f"<is>{text}</is>"
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f"<is><t{space}>{_esc(text)}</t></is>"


class Sheet(Worksheet):
    """An xlsxwriter worksheet that also takes rows as ready XML (:meth:`stream_row`, rows in increasing order).

    Cells written through xlsxwriter's ``write_*`` methods (headings, notes, totals) go on rows of their own;
    the two kinds of row are written in row order when the sheet is serialised.
    """

    def __init__(self) -> None:
        super().__init__()
        self._streamed: list[tuple[int, int, int, int | None, str]] = []  # (row, first col, last col, px, xml)
        self._held: tuple | None = None  # constant_memory: the last streamed row, not written yet
        self._marks: dict[object, str] = {}  # format -> its mark
        self._formats: dict[str, object] = {}  # mark -> format
        self._styles: dict[str, str] = {}  # mark -> ' s="<xf index>"', once numbered
        self._last = -1

    def mark(self, fmt: object) -> str:
        """The mark of a cell format in a streamed row's XML ("" for none)."""
        if fmt is None:
            return ""
        m = self._marks.get(fmt)
        if m is None:
            if len(self._marks) >= 94:
                raise ReportWriteError(f"{self.name}: too many formats to stream")
            m = self._marks[fmt] = "\x01" + chr(0x21 + len(self._marks))  # ASCII: the row stays an ASCII text
            self._formats[m] = fmt
        return m

    def stream_row(self, r: int, xml: str, first: int, last: int, height: float | None) -> None:
        """Row ``r`` (0-based) holding the cells ``xml`` (columns ``first`` to ``last``, formats marked)."""
        if r <= self._last or not 0 <= r < self.xls_rowmax:
            raise ReportWriteError(f"{self.name}: streamed row {r + 1} out of order")
        self._last = r
        if self.dim_rowmin is None:  # the dimensions, as xlsxwriter's writes record them
            self.dim_rowmin, self.dim_rowmax, self.dim_colmin, self.dim_colmax = r, r, first, last
        else:
            self.dim_rowmin, self.dim_rowmax = min(self.dim_rowmin, r), max(self.dim_rowmax, r)
            self.dim_colmin, self.dim_colmax = min(self.dim_colmin, first), max(self.dim_colmax, last)
        px = None
        if height is not None:  # as set_row() takes it; drawings are placed by these heights
            px = int(height * 4.0 / 3.0 + 0.5)
            self.row_sizes[r] = [px, False]
        row = (r, first, last, px, xml)
        if not self.constant_memory:
            self._streamed.append(row)
            return
        if r > self.previous_row:
            self._write_single_row(r)  # the rows before it first, as xlsxwriter would have written them
        elif self.table.get(r) or r in self.row_info:
            raise ReportWriteError(f"{self.name}: row {r + 1} is both streamed and written")
        self._held = row
        self.previous_row = r

    def stream_merge(self, r: int, c1: int, c2: int) -> None:
        """Columns c1..c2 of streamed row ``r`` merged (recorded as merge_range records it, overlaps refused)."""
        cell_range = xl_range(r, c1, r, c2)
        for c in range(c1, c2 + 1):
            if self.merged_cells.get((r, c)):
                raise ReportWriteError(f"{self.name}: merged range {cell_range} overlaps another")
            self.merged_cells[(r, c)] = cell_range
        self.merge.append([r, c1, r, c2])

    def _number(self, xml: str) -> None:
        """Number the formats marked in ``xml`` that are not numbered yet, in the order they occur."""
        for m in _MARKS.findall(xml):
            if m not in self._styles:
                self._styles[m] = f' s="{self._formats[m]._get_xf_index()}"'

    def _resolve(self, xml: str) -> str:
        for m, style in self._styles.items():
            xml = xml.replace(m, style)
        return xml

    def _row_xml(self, row: tuple, span: str | None) -> str:
        r, _, _, px, xml = row
        height = self.default_row_height if px is None else px
        ht = ""
        if height != self.original_row_height or height != self.default_row_height:
            ht = f' ht="{height * 0.75:.16g}" customHeight="1"'
        spans = f' spans="{span}"' if span else ""
        return f'<row r="{r + 1}"{spans}{ht}>{xml}</row>'

    def _write_single_row(self, current_row_num: int = 0) -> None:
        held, self._held = self._held, None
        if held is not None:
            if self.table.get(held[0]) or held[0] in self.row_info:
                raise ReportWriteError(f"{self.name}: row {held[0] + 1} is both streamed and written")
            self._number(held[4])
            self.fh.write(self._resolve(self._row_xml(held, None)))  # no spans in constant_memory mode
        super()._write_single_row(current_row_num)

    def _write_sheet_data(self) -> None:
        if not self._streamed:
            super()._write_sheet_data()
            return
        streamed, self._streamed = self._streamed, []
        own = sorted({*self.row_info, *self.comments, *(r for r, cells in self.table.items() if cells)})
        both = set(own) & {row[0] for row in streamed}
        if both:
            raise ReportWriteError(f"{self.name}: row {min(both) + 1} is both streamed and written")
        extent: dict[int, list[int]] = {}  # block of 16 rows -> [first col, last col]
        for r in own:
            cols = [*self.table.get(r, ()), *self.comments.get(r, ())]
            if cols:
                _extend(extent, r, min(cols), max(cols))
        for r, first, last, *_ in streamed:
            _extend(extent, r, first, last)
        spans = {block: f"{lo + 1}:{hi + 1}" for block, (lo, hi) in extent.items()}
        # the streamed rows between the sheet's own rows, in row order: (own row after them or None, rows)
        groups: list[tuple[int | None, list[tuple]]] = []
        k = 0
        for r in [*own, None]:
            start = k
            while k < len(streamed) and (r is None or streamed[k][0] < r):
                k += 1
            groups.append((r, streamed[start:k]))
        # number the formats in the order xlsxwriter would meet them, row by row (no more once every mark is)
        for r, rows in groups:
            for row in rows:
                if len(self._styles) == len(self._formats):
                    break
                self._number(row[4])
            cells = self.table.get(r) if r is not None else None
            for c in sorted(cells or ()):
                if cells[c].format:
                    cells[c].format._get_xf_index()
        self._xml_start_tag("sheetData")
        for r, rows in groups:
            for k in range(0, len(rows), 1024):  # a thousand rows at a time: a few copies of a megabyte at most
                block = [self._row_xml(row, spans.get(row[0] // 16)) for row in rows[k:k + 1024]]
                self.fh.write(self._resolve("".join(block)))
            if r is not None:
                self._write_own_row(r, spans.get(r // 16))
        self._xml_end_tag("sheetData")

    def _write_own_row(self, r: int, span: str | None) -> None:
        """One row written through xlsxwriter's write_* methods (as xlsxwriter's _write_rows writes it)."""
        cells = self.table.get(r)
        if cells:
            self._write_row(r, span, self.row_info.get(r))
            for c in sorted(cells):
                self._write_cell(r, c, cells[c])
            self._xml_end_tag("row")
        else:
            self._write_empty_row(r, span, self.row_info.get(r))


def _extend(extent: dict[int, list[int]], r: int, lo: int, hi: int) -> None:
    block = extent.get(r // 16)
    if block is None:
        extent[r // 16] = [lo, hi]
    else:
        block[0], block[1] = min(block[0], lo), max(block[1], hi)


class Body(writer.Body):
    """Streamed table rows: the calls of :class:`pipeline.report.writer.Body`, the bytes xlsxwriter writes.

    A cell's XML after its reference depends only on its value and format: it is made once per table
    (a shared string is then counted again at each use, as xlsxwriter counts it).
    """

    def __init__(self, out: writer.Out) -> None:
        super().__init__(out)
        self.ws: Sheet = out.ws
        self._sst = None if self.ws.constant_memory else self.ws.str_table
        self._texts: dict[tuple[str, object], str] = {}  # (text, format) -> the cell's XML after its reference
        self._numbers: dict[tuple[float, object], str] = {}
        self.row(-1)

    def row(self, r: int) -> Body:
        self.r, self._n = r, str(r + 1)
        self._cells: list[str] = []
        self._merges: list[tuple[int, int]] = []
        self._first = self._last = -1
        return self

    def _ref(self, c: int) -> str:
        if c <= self._last:
            raise ReportWriteError(f"{self.out.name}: column {c + 1} of row {self._n} written out of order")
        if self._first < 0:
            self._first = c
        self._last = c
        return f'<c r="{_COLS[c] if c < 256 else xl_col_to_name(c)}{self._n}"'

    def text(self, c: int, value: object, fmt: object = None) -> None:
        key = (value, fmt) if type(value) is str else None
        tail = self._texts.get(key) if key else None
        if tail is None:
            text = writer.clean(value)
            if len(text) > _HALF and _utf16_len(text) > settings.EXCEL_MAX_CHARS:
                raise ReportWriteError(f"write_string to {self.out.name}!{xl_col_to_name(c)}{self._n} "
                                       "failed with code -2")
            if self._sst is None:
                tail = f'{self.ws.mark(fmt)} t="inlineStr">{_inline(text)}</c>'
            else:
                tail = f'{self.ws.mark(fmt)} t="s"><v>{self._sst._get_shared_string_index(text)}</v></c>'
            if key and len(self._texts) < 1 << 16:
                self._texts[key] = tail
        elif self._sst is not None:
            self._sst.count += 1  # a shared string used again
        self._cells.append(self._ref(c) + tail)

    def num(self, c: int, value: float | int | Fraction | None, fmt: object = None) -> None:
        if value is None:
            self.blank(c, fmt)
            return
        number = float(value)
        key = (number, fmt) if number else None  # 0.0 and -0.0 are equal keys but written apart
        tail = self._numbers.get(key) if key else None
        if tail is None:
            if not math.isfinite(number):
                raise ReportWriteError(f"{self.out.name}!{xl_col_to_name(c)}{self._n}: {value!r} is not a finite "
                                       "number")
            tail = f"{self.ws.mark(fmt)}><v>{number:.16G}</v></c>"
            if key and len(self._numbers) < 1 << 16:
                self._numbers[key] = tail
        self._cells.append(self._ref(c) + tail)

    def formula(self, c: int, formula: str, value: float, fmt: object = None) -> None:
        text = formula[1:] if formula.startswith("=") else formula
        if type(value) is not float or not set(_FUNC_NAME.findall(text)) <= _PLAIN_FUNCS:
            raise ReportWriteError(f"{self.out.name}: formula {formula!r} cannot be streamed")
        self._cells.append(f"{self._ref(c)}{self.ws.mark(fmt)}><f>{_esc(text)}</f><v>{value!r}</v></c>")

    def blank(self, c: int, fmt: object = None) -> None:
        if fmt is not None:  # xlsxwriter writes no cell for a blank without a format
            self._cells.append(f"{self._ref(c)}{self.ws.mark(fmt)}/>")

    def merged(self, c1: int, c2: int, value: object, fmt: object) -> None:
        self.text(c1, value, fmt)
        for c in range(c1 + 1, c2 + 1):
            self.blank(c, fmt)
        self._merges.append((c1, c2))

    def end(self, fit: Sequence[tuple[str, float]] = ()) -> None:
        height = writer.fit_height(fit) if fit else None
        if self._first < 0:
            if height is not None:
                raise ReportWriteError(f"{self.out.name}: row {self._n} has a height but no cells")
            return
        self.ws.stream_row(self.r, "".join(self._cells), self._first, self._last, height)
        for c1, c2 in self._merges:
            self.ws.stream_merge(self.r, c1, c2)
