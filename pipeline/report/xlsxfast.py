"""Small, fast building blocks for writing many workbooks of one layout without xlsxwriter's per-file cost.

Used by :mod:`pipeline.report` for the per-OPD workbooks: the sheet code of the report runs unchanged
against a :class:`RecordingBook` (the subset of the xlsxwriter Workbook/Worksheet/Chart API it calls),
which records cells, rows, merges and the rest; :class:`SheetRecord` then renders the worksheet XML
and the shared strings exactly as xlsxwriter would (same escaping, number and formula texts), and
:func:`zip_parts` packs the parts with fixed timestamps (the unchanging parts compressed once).

Everything here is deterministic: the same calls give the same bytes.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from collections.abc import Iterable, Sequence

from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

XLS_STRMAX = 32767
_HALF_STRMAX = XLS_STRMAX // 2  # a shorter string never exceeds XLS_STRMAX in UTF-16 units
ROWMAX, COLMAX = 1048576, 16384
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CTRL_ESCAPE = XMLwriter._escape_control_characters  # Excel's _xHHHH_ escapes, as xlsxwriter applies them
_LOW_CTRL = re.compile("[\x00-\x08\x0b-\x1f]")
_WS = frozenset(" \t\n\r\x0b\x0c")
_LETTERS = [xl_col_to_name(c) for c in range(64)]


class Unsupported(Exception):
    """The sheet code made a call the recorder does not render (the caller falls back to xlsxwriter)."""


def esc_data(text: str) -> str:
    """Element text escaped as xlsxwriter escapes it (&, <, >; quotes stay)."""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def esc_attr(text: str) -> str:
    """Attribute text escaped as xlsxwriter escapes it."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "\n" in text:
        text = (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\n", "&#xA;"))
    return text


_CELL_OPEN = ['<c r="' + letter for letter in _LETTERS]


class Styles:
    """The style attribute of each format for one xf map (a format's :func:`props_key` -> its xf index), and
    the rendered cells of :meth:`SheetRecord.sheet_data`: kept by the caller across the sheets of that map."""

    def __init__(self, xf_of: dict[tuple, int]) -> None:
        self.xf_of = xf_of
        self.attrs: dict[Fmt | None, str] = {None: ""}
        self.tails: dict[tuple, str] = {}
        self.float_formulas: dict[tuple, str] = {}  # apart: a float value may equal another cell's int value

    def tail(self, cell: tuple) -> str:
        """A recorded cell's XML after its column letters and row number, as xlsxwriter writes it."""
        fmt = cell[2]
        st = self.attrs.get(fmt)
        if st is None:
            xf = self.xf_of[fmt.key]
            st = self.attrs[fmt] = f' s="{xf}"' if xf else ""
        return _cell_tail(cell, st)


def _cell_tail(cell: tuple, st: str) -> str:
    kind, value = cell[0], cell[1]
    if kind == "s":
        return f'"{st} t="s"><v>{value}</v></c>'
    if kind == "n":
        return f'"{st}><v>{value:.16G}</v></c>'
    if kind == "b":
        return f'"{st}/>'
    # a formula with its cached value
    if isinstance(value, bool):
        t, value = ' t="b"', int(value)
    elif isinstance(value, str):
        if value in ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"):
            t = ' t="e"'
        else:
            t = ' t="str"' if value != "" else ""
    else:
        t = ""
    return f'"{st}{t}><f>{esc_data(cell[3])}</f><v>{esc_data(str(value))}</v></c>'


def cell_ref(row: int, col: int) -> str:
    return f"{xl_col_to_name(col)}{row + 1}"


# ---------------------------------------------------------------- recording stand-ins for xlsxwriter objects


class Fmt:
    """A recorded format: its properties (the report looks its xf index up by them)."""

    __slots__ = ("key", "props")

    def __init__(self, props: dict) -> None:
        self.props = props
        self.key = props_key(props)


def props_key(props: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in props.items()))


class RecordingChart:
    """Records a chart's calls: the series (ranges vary per workbook) and everything else (must not)."""

    def __init__(self, options: dict) -> None:
        self.options = options
        self.series: list[dict] = []
        self.calls: list[tuple] = [("chart", repr(sorted(options.items())))]

    def add_series(self, options: dict) -> None:
        self.series.append(options)
        static = {k: v for k, v in options.items() if k not in ("categories", "values")}
        self.calls.append(("series", repr(sorted(static.items()))))

    def __getattr__(self, name: str) -> object:
        if not name.startswith("set_"):
            raise AttributeError(name)

        def record(*args: object) -> None:
            self.calls.append((name, repr(args)))

        return record


class SheetRecord:
    """Records what the sheet code writes to one worksheet (the xlsxwriter Worksheet calls it uses)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: dict[int, dict[int, tuple]] = {}  # row -> col -> (kind, value, fmt[, formula])
        self.heights: dict[int, float] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.validations: list[tuple[tuple[int, int, int, int], dict]] = []
        self.cond_formats: list[tuple[tuple[int, int, int, int], dict]] = []
        self.charts: list[tuple[int, int, RecordingChart, dict]] = []
        self.calls: list[tuple] = []  # layout calls that must equal the template's (widths, panes, print setup)
        self.strings: dict[str, int] = {}
        self.string_list: list[str] = []  # the strings by index
        self.string_count = 0
        self.columns: dict[int, tuple] = {}
        self.col0 = False  # a row height set before any cell: xlsxwriter counts column 0 in the dimensions
        self.hbreaks: list[int] = []  # manual page breaks (rows), per sheet: rendered by the caller
        self._row = -1  # the row last written to and its cells (writes come row by row: one look-up per row)
        self._row_cells: dict[int, tuple] = {}

    # -- the Worksheet API used by the report's sheet code

    def get_name(self) -> str:
        return self.name

    def _put(self, row: int, col: int, cell: tuple) -> int:
        if not 0 <= col < COLMAX:
            return -1
        if row != self._row:
            if not 0 <= row < ROWMAX:
                return -1
            r = self.cells.get(row)
            if r is None:
                r = self.cells[row] = {}
            self._row, self._row_cells = row, r
        self._row_cells[col] = cell
        return 0

    def write_string(self, row: int, col: int, string: str, fmt: Fmt | None = None) -> int:
        rc = 0
        if len(string) > _HALF_STRMAX and _utf16_len(string) > XLS_STRMAX:
            string = _utf16_truncate(string, XLS_STRMAX)
            rc = -2
        strings = self.strings
        index = strings.get(string)
        if index is None:
            index = strings[string] = len(strings)
            self.string_list.append(string)
        self.string_count += 1
        if row == self._row and 0 <= col < COLMAX:  # _put inlined: the common case, a cell of the current row
            self._row_cells[col] = ("s", index, fmt)
            return rc
        return self._put(row, col, ("s", index, fmt)) or rc

    def row_entry(self, row: int, string_count: int) -> tuple:
        """What was written to ``row`` (since :attr:`string_count` was ``string_count``), for :meth:`replay_row`:
        its other cells as they are, its text cells (column, text, format) in write order, its height, and the
        number of strings written."""
        other: dict[int, tuple] = {}
        texts = []
        string_list = self.string_list
        for c, cell in self.cells.get(row, {}).items():
            if cell[0] == "s":
                texts.append((c, string_list[cell[1]], cell[2]))
            else:
                other[c] = cell  # immutable: shared by every replay
        return other, tuple(texts), self.heights.get(row), self.string_count - string_count

    def replay_row(self, row: int, entry: tuple) -> bool:
        """Write a :meth:`row_entry` of the same row again, as the calls that made it would (strings new to this
        sheet get the next indices, in the same order); False, writing nothing, when the row is not empty."""
        if row in self.cells or row in self.heights or not 0 <= row < ROWMAX:
            return False
        other, texts, height, n_strings = entry
        strings = self.strings
        out = other.copy()
        for c, text, fmt in texts:
            index = strings.get(text)
            if index is None:
                index = strings[text] = len(strings)
                self.string_list.append(text)
            out[c] = ("s", index, fmt)
        self.cells[row] = out
        self._row, self._row_cells = row, out
        self.string_count += n_strings
        if height is not None:
            self.heights[row] = height
        return True

    def write_number(self, row: int, col: int, number: float, fmt: Fmt | None = None) -> int:
        if not math.isfinite(number):
            raise Unsupported("non-finite number")
        if row == self._row and 0 <= col < COLMAX:
            self._row_cells[col] = ("n", number, fmt)
            return 0
        return self._put(row, col, ("n", number, fmt))

    def write_formula(self, row: int, col: int, formula: str, fmt: Fmt | None = None, value: object = 0) -> int:
        cell = ("f", value, fmt, formula[1:] if formula.startswith("=") else formula)
        if row == self._row and 0 <= col < COLMAX:
            self._row_cells[col] = cell
            return 0
        return self._put(row, col, cell)

    def write_blank(self, row: int, col: int, blank: object = None, fmt: Fmt | None = None) -> int:
        if fmt is None:
            return 0
        if row == self._row and 0 <= col < COLMAX:
            self._row_cells[col] = ("b", None, fmt)
            return 0
        return self._put(row, col, ("b", None, fmt))

    def merge_range(self, r1: int, c1: int, r2: int, c2: int, data: str, fmt: Fmt | None = None) -> int:
        if data != "" or (r1, c1) == (r2, c2):
            raise Unsupported("merge_range with data or of one cell")
        self.merges.append((r1, c1, r2, c2))
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                self.write_blank(r, c, None, fmt)
        return 0

    def set_row(self, row: int, height: float | None = None, fmt: object = None, options: object = None) -> int:
        if fmt is not None or options or height is None or height <= 0:
            raise Unsupported("set_row with a format, options or no height")
        if not 0 <= row < ROWMAX:
            return -1
        if not self.cells:
            self.col0 = True
        self.heights[row] = height
        return 0

    def data_validation(self, r1: int, c1: int, r2: int, c2: int, options: dict) -> int:
        self.validations.append(((r1, c1, r2, c2), options))
        return 0

    def conditional_format(self, r1: int, c1: int, r2: int, c2: int, options: dict) -> int:
        self.cond_formats.append(((r1, c1, r2, c2), options))
        return 0

    def insert_chart(self, row: int, col: int, chart: RecordingChart, options: dict | None = None) -> int:
        self.charts.append((row, col, chart, options or {}))
        self.calls.append(("insert_chart", row, col, repr(sorted((options or {}).items()))))
        return 0

    def set_column(self, first: int, last: int, width: float | None = None, *args: object, **kw: object) -> int:
        """Recorded as the final width of each column (the order of calls does not matter)."""
        entry = (width, repr(args), repr(sorted(kw.items()))) if args or kw else (width, "()", "[]")
        for c in range(first, last + 1):
            self.columns[c] = entry
        return 0

    def layout(self) -> tuple:
        """The calls the template fixes: final column widths, then panes, print setup and chart positions."""
        return (tuple(sorted(self.columns.items())), *self.calls)

    def set_h_pagebreaks(self, breaks: list[int]) -> None:
        self.hbreaks = sorted(set(breaks))  # as xlsxwriter's _sort_pagebreaks (at most 1023 breaks)
        if len(self.hbreaks) > 1023 or 0 in self.hbreaks:
            raise Unsupported("page breaks xlsxwriter would trim")

    def row_breaks(self) -> str:
        """The <rowBreaks> element of the recorded page breaks, as xlsxwriter writes it ('' when none)."""
        if not self.hbreaks:
            return ""
        n = len(self.hbreaks)
        return (f'<rowBreaks count="{n}" manualBreakCount="{n}">'
                + "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in self.hbreaks) + "</rowBreaks>")

    def write_url(self, *args: object) -> int:
        raise Unsupported("hyperlinks")

    def __getattr__(self, name: str) -> object:
        if name not in ("freeze_panes", "set_landscape", "set_paper", "fit_to_pages", "set_margins",
                        "hide_gridlines", "repeat_rows"):
            raise AttributeError(name)

        def record(*args: object, **kw: object) -> None:
            self.calls.append((name, repr(args), repr(sorted(kw.items()))))

        return record

    # -- rendering

    def dimension(self) -> str:
        rows = [r for r, cells in self.cells.items() if cells]
        rows += self.heights
        if not rows:
            return "A1"
        used = [cells for cells in self.cells.values() if cells]
        lo = min(min(cells) for cells in used) if used else 0
        hi = max(max(cells) for cells in used) if used else 0
        if self.col0:
            lo = 0
        first, last = cell_ref(min(rows), lo), cell_ref(max(rows), hi)
        return first if first == last else f"{first}:{last}"

    def sheet_data(self, styles: Styles) -> str:
        """The <sheetData> element, with the style attributes (and rendered cells) of ``styles``."""
        out = ["<sheetData>"]
        append = out.append
        heights = self.heights
        opens = _CELL_OPEN
        tails, float_formulas = styles.tails, styles.float_formulas
        if len(tails) + len(float_formulas) > 1 << 15:
            tails.clear()
            float_formulas.clear()
        all_cells = self.cells
        rows = sorted(all_cells.keys() | heights.keys()) if heights else sorted(all_cells)
        for r in rows:
            n = r + 1
            h = heights.get(r)
            if h is None:
                append(f'<row r="{n}">')
            else:
                px = int(h * 4.0 / 3.0 + 0.5)
                append(f'<row r="{n}" ht="{px * 0.75:.16g}" customHeight="1">')
            cells = all_cells.get(r)
            if cells:
                for c, cell in sorted(cells.items()):
                    # a cell is rendered as its column's '<c r="X', the row number and a tail, memoised by the
                    # cell itself where equal cells give equal tails: 1 == 1.0 == True and 0.0 == -0.0 are
                    # written differently, so numbers are memoised only as non-zero floats, and a formula's
                    # tail by an int value (or, apart, a non-zero float value)
                    kind = cell[0]
                    if kind == "s" or kind == "b":
                        memo = tails
                    else:
                        v = cell[1]
                        if type(v) is float and v:
                            memo = tails if kind == "n" else float_formulas
                        else:
                            memo = tails if kind == "f" and type(v) is int else None
                    if memo is None:
                        tail = styles.tail(cell)
                    else:
                        tail = memo.get(cell)
                        if tail is None:
                            tail = memo[cell] = styles.tail(cell)
                    append(f"{opens[c]}{n}{tail}" if c < 64 else f'<c r="{xl_col_to_name(c)}{n}{tail}')
            append("</row>")
        append("</sheetData>")
        return "".join(out)

    def shared_strings(self) -> str:
        """The sharedStrings part (strings in first-written order, escaped as xlsxwriter does)."""
        si = _SI
        if len(si) > 1 << 15:
            si.clear()
        out = [XML_DECL, '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               f'count="{self.string_count}" uniqueCount="{len(self.strings)}">']
        out += [si.get(s) or _si(s) for s in self.strings]
        out.append("</sst>")
        return "".join(out)

    def range_data(self, r1: int, c1: int, r2: int, c2: int) -> list:
        """A range's values as xlsxwriter caches them for a chart (Worksheet._get_range_data)."""
        strings = list(self.strings)
        data: list = []
        for r in range(r1, r2 + 1):
            row = self.cells.get(r)
            if row is None:
                data.append(None)
                continue
            for c in range(c1, c2 + 1):
                cell = row.get(c)
                if cell is None or cell[0] == "b":
                    data.append(None)
                elif cell[0] == "n":
                    data.append(f"{cell[1]:.16g}")
                elif cell[0] == "s":
                    data.append(strings[cell[1]])
                else:
                    data.append(0 if cell[1] is None else cell[1])
        return data


_SI: dict[str, str] = {}  # string -> its <si> element (names, criteria and headings recur in every workbook)


def _si(s: str) -> str:
    """A shared string's <si> element, as xlsxwriter writes it (memoised in :data:`_SI`)."""
    text = s
    if "_x" in text or "\r" in text or "\ufffe" in text or "\uffff" in text or _LOW_CTRL.search(text):
        text = _CTRL_ESCAPE(text)
    sp = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) else ""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    el = _SI[s] = f"<si><t{sp}>{text}</t></si>"
    return el


def data_type(data: Sequence) -> str:
    """xlsxwriter's Chart._get_data_type: 'str', 'num' or 'none'."""
    if not data:
        return "none"
    for token in data:
        if token is None:
            continue
        if isinstance(token, str) and ("_" in token or " " in token):
            return "str"
        try:
            float(token)
        except ValueError:
            return "str"
    return "num"


def chart_cache(data: Sequence, kind: str) -> str:
    """A <c:strCache>/<c:numCache> element as xlsxwriter writes it."""
    out = []
    if kind == "str":
        out.append(f'<c:strCache><c:ptCount val="{len(data)}"/>')
        for i, token in enumerate(data):
            if token is not None:
                out.append(f'<c:pt idx="{i}"><c:v>{esc_data(str(token))}</c:v></c:pt>')
        out.append("</c:strCache>")
    else:
        out.append(f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(data)}"/>')
        for i, token in enumerate(data):
            if token is None:
                continue
            try:
                float(token)
            except ValueError:
                token = 0
            out.append(f'<c:pt idx="{i}"><c:v>{esc_data(str(token))}</c:v></c:pt>')
        out.append("</c:numCache>")
    return "".join(out)


_FMT_CACHE: dict[int, tuple[dict, Fmt]] = {}


class RecordingBook:
    """Stands in for an xlsxwriter Workbook while a report sheet writer runs."""

    def __init__(self) -> None:
        self.sheets: list[SheetRecord] = []
        self.charts: list[RecordingChart] = []

    def add_format(self, props: dict | None = None) -> Fmt:
        if props is None:
            return Fmt({})
        hit = _FMT_CACHE.get(id(props))
        if hit is None or hit[0] is not props:  # the report's format specs are built once and reused
            if len(_FMT_CACHE) > 4096:
                _FMT_CACHE.clear()
            hit = _FMT_CACHE[id(props)] = (props, Fmt(props))
        return hit[1]

    def add_worksheet(self, name: str, worksheet_class: object = None) -> SheetRecord:
        ws = SheetRecord(name)
        self.sheets.append(ws)
        return ws

    def add_chart(self, options: dict) -> RecordingChart:
        chart = RecordingChart(options)
        self.charts.append(chart)
        return chart


# ---------------------------------------------------------------- zip


_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, as xlsxwriter stamps its parts
_DOS_TIME = 0


def deflate(data: bytes, level: int = 6) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Part:
    """One zip member, compressed once (use for parts that are the same in every workbook)."""

    __slots__ = ("crc", "data", "name", "size")

    def __init__(self, name: str, raw: bytes, level: int = 6) -> None:
        self.name = name
        self.size = len(raw)
        self.crc = zlib.crc32(raw)
        self.data = deflate(raw, level)


def zip_parts(parts: Iterable[Part]) -> bytes:
    """A zip archive of deflated parts with fixed timestamps and permissions (deterministic bytes)."""
    body: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    n = 0
    for p in parts:
        name = p.name.encode("utf-8")
        head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, _DOS_TIME, _DOS_DATE, p.crc, len(p.data), p.size,
                           len(name), 0)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, _DOS_TIME, _DOS_DATE, p.crc,
                                   len(p.data), p.size, len(name), 0, 0, 0, 0, 0o100644 << 16, offset) + name)
        body.append(head)
        body.append(name)
        body.append(p.data)
        offset += len(head) + len(name) + len(p.data)
        n += 1
    cd = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), offset, 0)
    return b"".join(body) + cd + end
