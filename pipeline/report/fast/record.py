"""A stand-in for the xlsxwriter Workbook, Worksheet and Chart calls the gap sheet makes: it records them,
and renders the pieces of a workbook that depend on them exactly as xlsxwriter would write them.

Each method mirrors what the xlsxwriter method of the same name does with its arguments (the cell it
stores, the dimensions and shared strings it records); a call it does not mirror raises
:class:`Unsupported` and the caller writes that workbook with xlsxwriter instead.

Private xlsxwriter names used here: ``utility._utf16_len``, ``_utf16_truncate``, ``_preserve_whitespace``,
``XMLwriter._escape_control_characters``, ``Format._get_format_key``.
"""

from __future__ import annotations

import functools
import math
import re

from xlsxwriter.format import Format
from xlsxwriter.utility import (
    _preserve_whitespace,
    _utf16_len,
    _utf16_truncate,
    xl_col_to_name,
    xl_range,
    xl_rowcol_to_cell,
)
from xlsxwriter.xmlwriter import XMLwriter

ROWMAX, COLMAX, STRMAX = 1048576, 16384, 32767
DEFAULT_ROW_PX = 20  # xlsxwriter's default (and original) row height, in pixels
_ESCAPE = re.compile('[&<>"\n]')
_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
_LAYOUT = frozenset({"freeze_panes", "set_landscape", "set_paper", "fit_to_pages", "set_margins", "hide_gridlines",
                     "set_column"})


class _CellOpen(dict):
    """Column -> the start of a cell's XML up to its row number ('<c r="AB'), made once per column."""

    def __missing__(self, c: int) -> str:
        text = self[c] = f'<c r="{xl_col_to_name(c)}'
        return text


CELL_OPEN = _CellOpen()


class Unsupported(Exception):
    """The sheet code made a call the recorder does not mirror."""


def esc(data: object) -> str:
    """Element text as xlsxwriter's XMLwriter._xml_data_element writes it."""
    if not isinstance(data, str):
        return str(data)
    if _ESCAPE.search(data):
        data = data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return XMLwriter._escape_control_characters(data)


def esc_attr(text: str) -> str:
    """An attribute value as xlsxwriter escapes it."""
    if _ESCAPE.search(text):
        text = (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\n", "&#xA;"))
    return text


class Fmt:
    """A cell format: its xlsxwriter properties and xlsxwriter's key for them (equal keys share a style)."""

    __slots__ = ("key", "props")

    def __init__(self, props: dict) -> None:
        self.props = props
        self.key = Format(props)._get_format_key()


class Chart:
    """Records a chart's calls: the series' ranges (they vary per workbook) and everything else (it must not)."""

    def __init__(self, options: dict) -> None:
        self.series: list[dict] = []
        self.calls: list[str] = [repr(sorted(options.items()))]

    def add_series(self, options: dict) -> None:
        self.series.append(options)
        self.calls.append(repr(sorted((k, v) for k, v in options.items() if k not in ("categories", "values"))))

    def __getattr__(self, name: str) -> object:
        if not name.startswith("set_"):
            raise AttributeError(name)
        return lambda *args: self.calls.append(f"{name}{args!r}")


class Sheet:
    """Records what the sheet code writes to one worksheet."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: dict[int, dict[int, tuple]] = {}  # row -> col -> (kind, value, fmt[, cached value])
        self.heights: dict[int, int] = {}  # row -> pixels
        self.corners: list[tuple[int, int]] = []  # cells xlsxwriter counts in the dimensions besides those written
        self.colmin = COLMAX  # the first column counted so far, COLMAX for none (set_row counts it for its row)
        self.merges: list[tuple[int, int, int, int]] = []
        self.merged: set[tuple[int, int]] = set()
        self.strings: dict[str, int] = {}  # the workbook's shared strings (its only sheet), in first-written order
        self.string_count = 0
        self._string_list: list[str] = []
        self.validations: list[tuple[tuple[int, int, int, int], dict]] = []
        self.cond_formats: list[tuple[tuple[int, int, int, int], dict]] = []
        self.charts: list[tuple[int, int, Chart, dict]] = []
        self.layout: list[str] = []  # the calls every workbook of the template must make alike
        self.hbreaks: list[int] = []
        self.repeat: tuple[int, int] | None = None  # the rows repeated on every printed page

    def get_name(self) -> str:
        return self.name

    @staticmethod
    def _out(row: int, col: int) -> bool:
        return not (0 <= row < ROWMAX and 0 <= col < COLMAX)

    # The write_* methods run for every cell of every per-OPD workbook (600 a workbook): each is written out
    # flat, the cell stored in its row's dict (made once per row) and the first column counted as it goes.

    def _row(self, row: int) -> dict[int, tuple]:
        cells = self.cells[row] = {}
        return cells

    def write_string(self, row: int, col: int, string: str, fmt: Fmt | None = None) -> int:
        if not (0 <= row < ROWMAX and 0 <= col < COLMAX):
            return -1
        rc = 0
        if len(string) > STRMAX // 2 and _utf16_len(string) > STRMAX:
            string, rc = _utf16_truncate(string, STRMAX), -2
        self.string_count += 1
        index = self.strings.get(string)
        if index is None:
            index = self.strings[string] = len(self.strings)
        if col < self.colmin:
            self.colmin = col
        (self.cells.get(row) or self._row(row))[col] = ("s", index, fmt)
        return rc

    def write_number(self, row: int, col: int, number: float, fmt: Fmt | None = None) -> int:
        if math.isnan(number) or math.isinf(number):
            raise Unsupported("NAN/INF")
        if not (0 <= row < ROWMAX and 0 <= col < COLMAX):
            return -1
        if col < self.colmin:
            self.colmin = col
        (self.cells.get(row) or self._row(row))[col] = ("n", float(number), fmt)
        return 0

    def write_formula(self, row: int, col: int, formula: str, fmt: Fmt | None = None, value: object = 0) -> int:
        if not (0 <= row < ROWMAX and 0 <= col < COLMAX):
            return -1
        if formula.startswith("{") or formula.endswith("}"):
            raise Unsupported("array formula")
        if col < self.colmin:
            self.colmin = col
        cell = ("f", formula[1:] if formula.startswith("=") else formula, fmt, value)
        (self.cells.get(row) or self._row(row))[col] = cell
        return 0

    def write_blank(self, row: int, col: int, blank: object = None, fmt: Fmt | None = None) -> int:
        if fmt is None:
            return 0
        if not (0 <= row < ROWMAX and 0 <= col < COLMAX):
            return -1
        if col < self.colmin:
            self.colmin = col
        (self.cells.get(row) or self._row(row))[col] = ("b", None, fmt)
        return 0

    def merge_range(self, r1: int, c1: int, r2: int, c2: int, data: str, fmt: Fmt | None = None) -> int:
        if data != "" or (r1, c1) == (r2, c2) or r1 > r2 or c1 > c2:
            raise Unsupported("merge_range of that kind")
        if self._out(r1, c1) or self._out(r2, c2):
            return -1
        self.corners += [(r1, c1), (r2, c2)]
        self.colmin = min(self.colmin, c1)
        area = [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]  # in row order
        if not self.merged.isdisjoint(area):
            raise Unsupported("overlapping merged ranges")
        self.merged.update(area)
        self.merges.append((r1, c1, r2, c2))
        for r, c in area:
            self.write_blank(r, c, None, fmt)
        return 0

    def set_row(self, row: int, height: float | None = None, fmt: object = None, options: object = None) -> int:
        if fmt is not None or options or height is None or height <= 0:
            raise Unsupported("set_row with a format, options or no height")
        if self._out(row, 0):
            return -1
        if self.colmin == COLMAX:
            self.colmin = 0
        self.corners.append((row, self.colmin))  # as xlsxwriter counts a row given a height
        self.heights[row] = int(height * 4.0 / 3.0 + 0.5)
        return 0

    def data_validation(self, r1: int, c1: int, r2: int, c2: int, options: dict) -> int:
        self.validations.append(((r1, c1, r2, c2), options))
        return 0

    def conditional_format(self, r1: int, c1: int, r2: int, c2: int, options: dict) -> int:
        self.cond_formats.append(((r1, c1, r2, c2), options))
        return 0

    def insert_chart(self, row: int, col: int, chart: Chart, options: dict | None = None) -> int:
        self.charts.append((row, col, chart, options or {}))
        self.layout.append(f"insert_chart{(row, col, sorted((options or {}).items()))!r}")
        return 0

    def write_url(self, *args: object) -> int:
        raise Unsupported("hyperlinks")

    def repeat_rows(self, first_row: int, last_row: int | None = None) -> None:
        self.repeat = (first_row, first_row if last_row is None else last_row)

    def set_h_pagebreaks(self, breaks: list[int]) -> None:
        self.hbreaks = sorted(set(breaks) - {0})[:1023]  # as xlsxwriter's _sort_pagebreaks

    def __getattr__(self, name: str) -> object:
        if name not in _LAYOUT:
            raise AttributeError(name)
        return lambda *args, **kw: self.layout.append(f"{name}{args!r}{sorted(kw.items())!r}")

    # -- rendering, as xlsxwriter serialises a worksheet

    def dimension(self) -> str:
        """The <dimension> element: the rows and columns of the cells written, merged and given a height."""
        used = [cells for cells in self.cells.values() if cells]
        rows = [r for r, cells in self.cells.items() if cells] + [r for r, _ in self.corners]
        if not rows:
            return '<dimension ref="A1"/>'
        cols = [min(min(cells) for cells in used), max(max(cells) for cells in used)] if used else []
        cols += [c for _, c in self.corners]
        r1, r2, c1, c2 = min(rows), max(rows), min(cols), max(cols)
        ref = xl_rowcol_to_cell(r1, c1) if (r1, c1) == (r2, c2) else xl_range(r1, c1, r2, c2)
        return f'<dimension ref="{ref}"/>'

    def sheet_data(self) -> tuple[str, list[Fmt]]:
        """The <sheetData> element, and the cells' formats in the order xlsxwriter numbers them (the order the
        cells are serialised in)."""
        rows = sorted(self.cells.keys() | self.heights.keys())
        formats: list[Fmt] = []
        if not rows:
            return "<sheetData/>", formats
        xf: dict[str, str] = {}  # format key -> ' s="<index>"' (formats of equal keys share a style)
        styles: dict[Fmt | None, str] = {None: ""}  # the same, by format
        cols = {r: sorted(cells) for r, cells in self.cells.items() if cells}
        extent: dict[int, list[int]] = {}  # block of 16 rows -> [first col, last col] (xlsxwriter's spans)
        for r, cs in cols.items():
            block = extent.get(r >> 4)
            if block is None:
                extent[r >> 4] = [cs[0], cs[-1]]
            else:
                block[0], block[1] = min(block[0], cs[0]), max(block[1], cs[-1])
        spans = {b: f' spans="{lo + 1}:{hi + 1}"' for b, (lo, hi) in extent.items()}
        out = ["<sheetData>"]
        for r in rows:
            px = self.heights.get(r, DEFAULT_ROW_PX)
            ht = f' ht="{px * 0.75:.16g}" customHeight="1"' if px != DEFAULT_ROW_PX else ""
            cells = self.cells.get(r)
            if not cells:
                out.append(f'<row r="{r + 1}"{spans.get(r >> 4, "")}{ht}/>')
                continue
            out.append(f'<row r="{r + 1}"{spans.get(r >> 4, "")}{ht}>')
            n = f'{r + 1}"'
            for c in cols[r]:
                cell = cells[c]
                kind, value, fmt = cell[0], cell[1], cell[2]
                st = styles.get(fmt)
                if st is None:  # numbered as xlsxwriter numbers it: at the first cell serialised with it
                    st = xf.get(fmt.key)
                    if st is None:
                        st = xf[fmt.key] = f' s="{len(xf) + 1}"'
                        formats.append(fmt)
                    styles[fmt] = st
                ref = CELL_OPEN[c] + n
                if kind == "s":
                    out.append(f'{ref}{st} t="s"><v>{value}</v></c>')
                elif kind == "n":
                    out.append(f"{ref}{st}><v>{_number(value) if value else f'{value:.16G}'}</v></c>")
                elif kind == "b":
                    out.append(f"{ref}{st}/>")
                else:
                    out.append(_formula(ref, st, value, cell[3]))
            out.append("</row>")
        out.append("</sheetData>")
        return "".join(out), formats

    def merge_cells(self) -> str:
        if not self.merges:
            return ""
        refs = "".join(f'<mergeCell ref="{xl_range(*m)}"/>' for m in self.merges)
        return f'<mergeCells count="{len(self.merges)}">{refs}</mergeCells>'

    def row_breaks(self) -> str:
        n = len(self.hbreaks)
        brks = "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in self.hbreaks)
        return f'<rowBreaks count="{n}" manualBreakCount="{n}">{brks}</rowBreaks>' if n else ""

    def shared_strings(self) -> str:
        """The sharedStrings part, as xlsxwriter's SharedStrings writes it."""
        out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
               f'spreadsheetml/2006/main" count="{self.string_count}" uniqueCount="{len(self.strings)}">']
        out += map(_si, self.strings)
        out.append("</sst>")
        return "".join(out)

    def range_data(self, r1: int, c1: int, r2: int, c2: int) -> tuple:
        """A range's values as xlsxwriter caches them for a chart (Worksheet._get_range_data)."""
        strings = self._string_list
        if len(strings) != len(self.strings):  # the strings by index, made once the sheet is written
            strings = self._string_list = list(self.strings)
        data: list = []
        for r in range(r1, r2 + 1):
            row = self.cells.get(r)
            if row is None:
                data.append(None)
                continue
            for c in range(c1, c2 + 1):
                cell = row.get(c)
                if cell is None:
                    data.append(None)
                elif cell[0] == "n":
                    data.append(f"{cell[1]:.16g}")
                elif cell[0] == "s":
                    data.append(strings[cell[1]])
                elif cell[0] == "f":
                    data.append(0 if cell[3] is None else cell[3])
                else:
                    data.append("")
        return tuple(data)


@functools.lru_cache(maxsize=1 << 13)  # names, criteria and headings recur in every workbook
def _si(s: str) -> str:
    """A shared string's <si> element, as xlsxwriter's SharedStrings writes it."""
    s = XMLwriter._escape_control_characters(s)
    if s.startswith("<r>") and s.endswith("</r>"):  # xlsxwriter takes such a string for rich text
        return f"<si>{s}</si>"
    space = ' xml:space="preserve"' if _preserve_whitespace(s) else ""
    if _ESCAPE.search(s):
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<si><t{space}>{s}</t></si>"


@functools.lru_cache(maxsize=1 << 12)  # levels, indices and weights recur in every workbook
def _number(value: float) -> str:
    """A number cell's value (not for zero: 0.0 and -0.0 are one key, but written "0" and "-0")."""
    return f"{value:.16G}"


def _formula(ref: str, st: str, formula: str, result: object) -> str:
    """A formula's <c> element with its cached result, as xlsxwriter's Worksheet._write_cell writes it."""
    t = ""
    if isinstance(result, bool):
        t, result = ' t="b"', int(result)
    elif isinstance(result, str) and result:
        t = ' t="e"' if result in _ERRORS else ' t="str"'
    if _ESCAPE.search(formula):
        formula = formula.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if isinstance(result, str) and _ESCAPE.search(result):
        result = result.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"{ref}{st}{t}><f>{formula}</f><v>{result}</v></c>"


@functools.lru_cache(maxsize=1 << 10)  # the same labels in every workbook (equal numbers have the same type here)
def data_type(data: tuple) -> str:
    """xlsxwriter's Chart._get_data_type: 'str', 'num' or 'none'."""
    if not data:
        return "none"
    for token in data:
        if token is None:
            continue
        if isinstance(token, str) and re.search("[_ ]", token):
            return "str"
        try:
            float(token)
        except ValueError:
            return "str"
    return "num"


def chart_cache(data: tuple, kind: str) -> str:
    """A <c:strCache> or <c:numCache> element, as xlsxwriter's chart writes it."""
    if all(type(token) is str or token is None for token in data):  # memoised: only texts (1 == 1.0 == True)
        return _chart_cache(data, kind)
    return _chart_cache.__wrapped__(data, kind)


@functools.lru_cache(maxsize=1 << 10)  # the labels and the province's values are the same in every workbook
def _chart_cache(data: tuple, kind: str) -> str:
    points = []
    for i, token in enumerate(data):
        if token is None:
            continue
        if kind == "num":
            try:
                float(token)
            except ValueError:
                token = 0
        points.append(f'<c:pt idx="{i}"><c:v>{esc(token)}</c:v></c:pt>')
    if kind == "str":
        return f'<c:strCache><c:ptCount val="{len(data)}"/>{"".join(points)}</c:strCache>'
    return (f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(data)}"/>{"".join(points)}'
            "</c:numCache>")


class Book:
    """Stands in for an xlsxwriter Workbook while the gap sheet code runs."""

    def __init__(self) -> None:
        self.sheets: list[Sheet] = []
        self.charts: list[Chart] = []
        self.properties: dict = {}

    def add_worksheet(self, name: str) -> Sheet:
        self.sheets.append(Sheet(name))
        return self.sheets[-1]

    def add_chart(self, options: dict) -> Chart:
        self.charts.append(Chart(options))
        return self.charts[-1]

    def add_format(self, props: dict) -> Fmt:
        return Fmt(props)

    def set_properties(self, properties: dict) -> None:
        self.properties = properties

    def set_calc_mode(self, mode: str) -> None:
        if mode != "auto":
            raise Unsupported("calc mode")
