"""Table body rows streamed into an xlsxwriter worksheet as ready XML (the main workbook's large tables).

The plain twin is :class:`pipeline.report.writer.Body`: every cell written through xlsxwriter's
``write_*`` and serialised by xlsxwriter when the workbook closes. Here a row is rendered when it ends,
into the XML xlsxwriter would write for it; what xlsxwriter decides only when it serialises is left
open in the row's XML as a ``%(key)s`` field (the text's own "%" are doubled) and filled in then, for a
thousand rows at a time by one ``%`` formatting (one pass over the text, however many fields: a pass per
format, as ``str.replace`` makes, took 0.2 s at N = 1,000):

* a cell's style index (xlsxwriter numbers formats in the order the cells are serialised): each format
  is a field named by a letter, numbered in row order among the sheet's other rows as the sheet is
  serialised;
* the ``spans`` of each block of 16 rows (in-memory mode), over the streamed and the other rows: a field
  named by the block's number.

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

import bisect
import math
import re
import string
from collections.abc import Sequence
from fractions import Fraction

from xlsxwriter.utility import _preserve_whitespace, _utf16_len, xl_col_to_name, xl_range
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from pipeline import settings
from pipeline.report import writer
from pipeline.report.fast.record import CELL_OPEN
from pipeline.report.writer import ReportWriteError

_HALF = settings.EXCEL_MAX_CHARS // 2  # a shorter text cannot exceed Excel's limit in UTF-16 units
_KEYS = string.ascii_letters  # the fields of a sheet's formats (a block of rows is a field named by digits)
_FORMATS = re.compile(r"%%|%\(([A-Za-z])\)s")  # a format's field (or a doubled "%" of the text, skipped)
_PLAIN_FUNCS = frozenset({"SUM", "SUMPRODUCT", "MAX", "ROUND"})  # formulas xlsxwriter leaves as they are
_FUNC_NAME = re.compile(r"[A-Z][A-Z0-9._]*(?=\()")
_ESCAPE = re.compile('[&<>"\n]')


def _esc(text: str) -> str:
    """Element text escaped as xlsxwriter escapes it (and its "%" doubled, see the module docstring)."""
    if _ESCAPE.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("%", "%%")


def _inline(text: str) -> str:
    """An inline string's <is> element, as xlsxwriter writes it in constant_memory mode ("%" doubled)."""
    text = XMLwriter._escape_control_characters(text)
    if text.startswith("<r>") and text.endswith("</r>"):  # xlsxwriter takes such a text for rich text
        return f"<is>{text.replace('%', '%%')}</is>"
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f"<is><t{space}>{_esc(text)}</t></is>"


class Sheet(Worksheet):
    """An xlsxwriter worksheet that also takes rows as ready XML (:meth:`stream_row`, rows in increasing order).

    Cells written through xlsxwriter's ``write_*`` methods (headings, notes, totals) go on rows of their own;
    the two kinds of row are written in row order when the sheet is serialised.
    """

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[int] = []  # the streamed rows (in-memory mode), increasing
        self._xml: list[str] = []  # their <row> elements, with fields (see the module docstring)
        self._extent: dict[int, list[int]] = {}  # block of 16 rows -> [first col, last col] of the streamed rows
        self._held: tuple[int, str] | None = None  # constant_memory: the last streamed row, not written yet
        self._marks: dict[object, str] = {}  # format -> its field
        self._formats: dict[str, object] = {}  # field name -> format
        self._styles: dict[str, str] = {}  # field name -> ' s="<xf index>"', once numbered
        self._heights: tuple[int, int] | None = None  # the default row heights the streamed rows were made with
        self._last = -1

    def mark(self, fmt: object) -> str:
        """The field of a cell format in a streamed row's XML ("" for none)."""
        if fmt is None:
            return ""
        m = self._marks.get(fmt)
        if m is None:
            if len(self._marks) >= len(_KEYS):
                raise ReportWriteError(f"{self.name}: too many formats to stream")
            key = _KEYS[len(self._marks)]
            m = self._marks[fmt] = f"%({key})s"
            self._formats[key] = fmt
        return m

    def stream_row(self, r: int, xml: str, first: int, last: int, height: float | None) -> None:
        """Row ``r`` (0-based) holding the cells ``xml`` (columns ``first`` to ``last``, with fields)."""
        if r <= self._last or not 0 <= r < self.xls_rowmax:
            raise ReportWriteError(f"{self.name}: streamed row {r + 1} out of order")
        if self._last < 0:
            self._heights = (self.default_row_height, self.original_row_height)
        self._last = r
        if self.dim_rowmin is None:  # the dimensions, as xlsxwriter's writes record them
            self.dim_rowmin, self.dim_rowmax, self.dim_colmin, self.dim_colmax = r, r, first, last
        else:  # (comparisons, not min() and max(): this runs for every row)
            if r < self.dim_rowmin:
                self.dim_rowmin = r
            if r > self.dim_rowmax:
                self.dim_rowmax = r
            if first < self.dim_colmin:
                self.dim_colmin = first
            if last > self.dim_colmax:
                self.dim_colmax = last
        ht = ""
        height_px = self.default_row_height
        if height is not None:  # as set_row() takes it; drawings are placed by these heights
            height_px = int(height * 4.0 / 3.0 + 0.5)
            self.row_sizes[r] = [height_px, False]
        if height_px != self.original_row_height or height_px != self.default_row_height:  # as _write_row
            ht = f' ht="{height_px * 0.75:.16g}" customHeight="1"'
        if self.constant_memory:  # no spans in this mode
            if r > self.previous_row:
                self._write_single_row(r)  # the rows before it first, as xlsxwriter would have written them
            elif self.table.get(r) or r in self.row_info:
                raise ReportWriteError(f"{self.name}: row {r + 1} is both streamed and written")
            self._held = (r, f'<row r="{r + 1}"{ht}>{xml}</row>')
            self.previous_row = r
            return
        block = self._extent.get(r >> 4)
        if block is None:
            self._extent[r >> 4] = [first, last]
        else:
            if first < block[0]:
                block[0] = first
            if last > block[1]:
                block[1] = last
        self._rows.append(r)
        self._xml.append(f'<row r="{r + 1}"%({r >> 4})s{ht}>{xml}</row>')

    def stream_merge(self, r: int, c1: int, c2: int) -> None:
        """Columns c1..c2 of streamed row ``r`` merged (recorded as merge_range records it, overlaps refused)."""
        cell_range = xl_range(r, c1, r, c2)
        for c in range(c1, c2 + 1):
            if self.merged_cells.get((r, c)):
                raise ReportWriteError(f"{self.name}: merged range {cell_range} overlaps another")
            self.merged_cells[(r, c)] = cell_range
        self.merge.append([r, c1, r, c2])

    def _number(self, xml: str) -> None:
        """Number the formats of ``xml`` that are not numbered yet, in the order they occur (as xlsxwriter
        numbers a format when it first serialises a cell of it)."""
        for key in _FORMATS.findall(xml):
            if key and key not in self._styles:
                self._styles[key] = f' s="{self._formats[key]._get_xf_index()}"'

    def _write_single_row(self, current_row_num: int = 0) -> None:
        held, self._held = self._held, None
        if held is not None:
            r, xml = held
            if self.table.get(r) or r in self.row_info:
                raise ReportWriteError(f"{self.name}: row {r + 1} is both streamed and written")
            self._number(xml)
            self.fh.write(xml % self._styles)
        super()._write_single_row(current_row_num)

    def _write_sheet_data(self) -> None:
        if not self._rows:
            super()._write_sheet_data()
            return
        if self._heights != (self.default_row_height, self.original_row_height):
            raise ReportWriteError(f"{self.name}: the default row height changed after rows were streamed")
        rows, xml, self._rows, self._xml = self._rows, self._xml, [], []
        own = sorted({*self.row_info, *self.comments, *(r for r, cells in self.table.items() if cells)})
        cuts = [bisect.bisect_left(rows, r) for r in own]  # the streamed rows before each own row
        for r, k in zip(own, cuts, strict=True):
            if k < len(rows) and rows[k] == r:
                raise ReportWriteError(f"{self.name}: row {r + 1} is both streamed and written")
        extent = self._extent
        for r in own:
            cols = [*self.table.get(r, ()), *self.comments.get(r, ())]
            if cols:
                block = extent.setdefault(r >> 4, [min(cols), max(cols)])
                block[0], block[1] = min(block[0], *cols), max(block[1], *cols)
        spans = {b: f"{lo + 1}:{hi + 1}" for b, (lo, hi) in extent.items()}
        # the streamed rows between the sheet's own rows, in row order: (own row after them or None, first, end)
        groups = list(zip([*own, None], [0, *cuts], [*cuts, len(rows)], strict=True))
        # number the formats in the order xlsxwriter meets them, row by row (no more once every one is)
        for r, start, end in groups:
            for k in range(start, end):
                if len(self._styles) == len(self._formats):
                    break
                self._number(xml[k])
            cells = self.table.get(r) if r is not None else None
            for c in sorted(cells or ()):
                if cells[c].format:
                    cells[c].format._get_xf_index()
        fields = {**self._styles, **{str(b): f' spans="{span}"' for b, span in spans.items()}}
        self._xml_start_tag("sheetData")
        for r, start, end in groups:
            for k in range(start, end, 1024):  # a thousand rows at a time: a few copies of a megabyte at most
                self.fh.write("".join(xml[k:min(k + 1024, end)]) % fields)
            if r is not None:
                self._write_own_row(r, spans.get(r >> 4))
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


class Body(writer.Body):
    """Streamed table rows: the calls of :class:`pipeline.report.writer.Body`, the bytes xlsxwriter writes.

    A cell's XML after its reference depends only on its value and format: it is made once per table
    (a shared string is then counted again at each use, as xlsxwriter counts it). :meth:`text` and
    :meth:`num` run for every cell of the large tables (600,000 at N = 1,000), so they are written out
    flat: the cache lookup, the column-order check and the cell's XML, nothing more.
    """

    def __init__(self, out: writer.Out) -> None:
        super().__init__(out)
        self.ws: Sheet = out.ws
        self._sst = None if self.ws.constant_memory else self.ws.str_table
        self._texts: dict[tuple[str, object], str] = {}  # (text, format) -> the cell's XML after its reference
        self._numbers: dict[tuple[object, object], str] = {}  # (number, format) -> the same
        self._cells: list[str] = []
        self._merges: list[tuple[int, int]] = []
        self.row(-1)

    def row(self, r: int) -> Body:
        self.r, self._n = r, f'{r + 1}"'  # a cell's XML starts with CELL_OPEN[column] + this
        self._cells.clear()
        self._merges.clear()
        self._first = self._last = -1
        return self

    def _disorder(self, c: int) -> ReportWriteError:
        return ReportWriteError(f"{self.out.name}: column {c + 1} of row {self.r + 1} written out of order")

    def _cell(self, c: int, tail: str) -> None:
        if c <= self._last:
            raise self._disorder(c)
        if self._first < 0:
            self._first = c
        self._last = c
        self._cells.append(CELL_OPEN[c] + self._n + tail)

    # text() and num() are _cell() written out, with the cell's tail cached: they run for every cell

    def text(self, c: int, value: object, fmt: object = None) -> None:
        if c <= self._last:
            raise self._disorder(c)
        tail = self._texts.get((value, fmt)) if type(value) is str else None
        if tail is None:
            tail = self._text_tail(c, value, fmt)
        elif self._sst is not None:
            self._sst.count += 1  # a shared string used again: xlsxwriter counts every use
        if self._first < 0:
            self._first = c
        self._last = c
        self._cells.append(CELL_OPEN[c] + self._n + tail)

    def _text_tail(self, c: int, value: object, fmt: object) -> str:
        text = writer.clean(value)
        key = fmt
        if text and text[0] in writer.QUOTED and self.out.quote is not None:
            fmt = self.out.quote(fmt)
        if len(text) > _HALF and _utf16_len(text) > settings.EXCEL_MAX_CHARS:
            raise ReportWriteError(f"write_string to {self.out.name}!{xl_col_to_name(c)}{self.r + 1} "
                                   "failed with code -2")
        if self._sst is None:
            tail = f'{self.ws.mark(fmt)} t="inlineStr">{_inline(text)}</c>'
        else:
            tail = f'{self.ws.mark(fmt)} t="s"><v>{self._sst._get_shared_string_index(text)}</v></c>'
        if type(value) is str and len(self._texts) < 1 << 16:
            self._texts[(value, key)] = tail
        return tail

    def num(self, c: int, value: float | int | Fraction | None, fmt: object = None) -> None:
        if c <= self._last:
            raise self._disorder(c)
        # equal numbers are written alike, except 0 and -0.0 (equal keys, written apart): zero is not cached
        tail = self._numbers.get((value, fmt)) if value else None
        if tail is None:
            if value is None:
                self.blank(c, fmt)
                return
            tail = self._number_tail(c, value, fmt)
        if self._first < 0:
            self._first = c
        self._last = c
        self._cells.append(CELL_OPEN[c] + self._n + tail)

    def _number_tail(self, c: int, value: float | int | Fraction, fmt: object) -> str:
        number = float(value)
        if not math.isfinite(number):
            raise ReportWriteError(f"{self.out.name}!{xl_col_to_name(c)}{self.r + 1}: {value!r} is not a finite "
                                   "number")
        tail = f"{self.ws.mark(fmt)}><v>{number:.16G}</v></c>"
        if number and len(self._numbers) < 1 << 16:
            self._numbers[(value, fmt)] = tail
        return tail

    def formula(self, c: int, formula: str, value: float, fmt: object = None) -> None:
        text = formula[1:] if formula.startswith("=") else formula
        if type(value) is not float or not set(_FUNC_NAME.findall(text)) <= _PLAIN_FUNCS:
            raise ReportWriteError(f"{self.out.name}: formula {formula!r} cannot be streamed")
        self._cell(c, f"{self.ws.mark(fmt)}><f>{_esc(text)}</f><v>{value!r}</v></c>")

    def blank(self, c: int, fmt: object = None) -> None:
        if fmt is not None:  # xlsxwriter writes no cell for a blank without a format
            self._cell(c, f"{self.ws.mark(fmt)}/>")

    def merged(self, c1: int, c2: int, value: object, fmt: object) -> None:
        self.text(c1, value, fmt)
        for c in range(c1 + 1, c2 + 1):
            self.blank(c, fmt)
        self._merges.append((c1, c2))

    def end(self, fit: Sequence[tuple[str, float]] = ()) -> None:
        height = writer.fit_height(fit) if fit else None
        if self._first < 0:
            if height is not None:
                raise ReportWriteError(f"{self.out.name}: row {self.r + 1} has a height but no cells")
            return
        self.ws.stream_row(self.r, "".join(self._cells), self._first, self._last, height)
        for c1, c2 in self._merges:
            self.ws.stream_merge(self.r, c1, c2)
