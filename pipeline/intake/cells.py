"""Worksheet elements to cells: the rules both reader paths share, and the tree path's sheet builder.

A cell's address, its stored value (by type), a merged range and the OOXML ``_xHHHH_`` escapes are
decoded here once: :mod:`pipeline.intake.xlsx` (the tree path) and :mod:`pipeline.intake.fastxml`
(the plain-part accelerator) both call these functions, so the two can differ only in how they find
the elements, never in what a cell holds.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from pipeline import i18n
from pipeline.i18n import Msg
from pipeline.intake.raw import BOOL, EMPTY, ERRORVAL, NUMBER, TEXT, RawCell
from pipeline.text import col_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
MAX_ROW, MAX_COL = 1_048_576, 16_384
COLUMNS: dict[str, int] = {col_letter(n): n for n in range(1, MAX_COL + 1)}  # "A" -> 1 ... "XFD" -> 16384
_DIGITS = "0123456789"
_XESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$")


class Stop(Exception):
    """Reading stops with one error finding."""

    def __init__(self, code: str, found: str | Msg = "", expected: str | Msg = "", sheet: str = "") -> None:
        super().__init__(code)
        self.code, self.found, self.expected, self.sheet = code, found, expected, sheet


def corrupt(part: str, reason: str, sheet: str = "", **args: object) -> Stop:
    """A ``corrupt-workbook`` stop: "<part>: <reason.key with args>"."""
    return Stop("corrupt-workbook", i18n.msg("reason.in-part", part=part, reason=i18n.msg(reason, **args)),
                sheet=sheet)


def parse_ref(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, or None when it is not a valid cell address."""
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters):]
    col = COLUMNS.get(letters) or COLUMNS.get(letters.upper())
    if col is None or not 0 < len(digits) <= 7 or not 1 <= int(digits) <= MAX_ROW:
        return None
    return int(digits), col


def parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """(min_row, min_col, max_row, max_col) of "A1:C2" or "$D$4", or None when it is not a range."""
    m = _RANGE.match(ref.strip())
    if m is None:
        return None
    c1, r1, c2, r2 = m.groups()
    col1 = COLUMNS.get(c1.upper())
    col2 = COLUMNS.get((c2 or c1).upper())
    row1, row2 = int(r1), int(r2 or r1)
    if col1 is None or col2 is None or not (1 <= row1 <= MAX_ROW and 1 <= row2 <= MAX_ROW):
        return None
    return (min(row1, row2), min(col1, col2), max(row1, row2), max(col1, col2))


def unescape(text: str) -> str:
    """Decode OOXML ``_xHHHH_`` escapes (how Excel stores control characters); surrogates stay escaped."""
    if "_x" not in text:
        return text
    return _XESCAPE.sub(_unescape_one, text)


def _unescape_one(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    return m.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def rich_text(el: Element, t_tag: str, r_tag: str) -> str:
    """Text of a shared/inline string: plain <t> and rich-text runs <r><t>; phonetic runs skipped."""
    parts = []
    for child in el:
        if child.tag == t_tag:
            parts.append(child.text or "")
        elif child.tag == r_tag:
            parts.extend(t.text or "" for t in child if t.tag == t_tag)
    return unescape("".join(parts))


class SheetBuilder:
    """Turns the <row> and <mergeCell> elements of one worksheet into cells and merged ranges."""

    TAGS = ("row", "mergeCell", "c", "v", "f", "is", "t", "r")

    def __init__(self, part: str, name: str, shared: list[str], max_cells: int, tags: tuple[str, ...]) -> None:
        self.part, self.name, self.shared, self.max_cells = part, name, shared, max_cells
        self.row_tag, self.mc_tag, self.c_tag, self.v_tag, self.f_tag, self.is_tag, self.t_tag, self.r_tag = tags
        self.cells: dict[tuple[int, int], RawCell] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.shared_formulas: dict[str | None, str] = {}
        self.row_no = 0

    def bad(self, reason: str, **args: object) -> Stop:
        return corrupt(self.part, reason, self.name, **args)

    def too_large(self) -> Stop:
        return Stop("sheet-too-large", f"> {self.max_cells}", str(self.max_cells), sheet=self.name)

    def add(self, el: Element) -> None:
        """Take one child of a top-level element (a row of <sheetData>, a <mergeCell>; others are ignored)."""
        if el.tag == self.row_tag:
            self.row(el)
        elif el.tag == self.mc_tag:
            rng = parse_range(el.get("ref", ""))
            if rng is not None:
                self.merged.append(rng)
                if len(self.merged) > self.max_cells:
                    raise self.too_large()

    def row(self, el: Element) -> None:
        r_attr = el.get("r")
        if r_attr is not None and r_attr.isdecimal():
            row_no = int(r_attr) if len(r_attr) <= 20 else 0
        else:
            row_no = self.row_no + 1
        self.row_no = row_no
        if not 1 <= row_no <= MAX_ROW:
            raise self.bad("reason.bad-row-number", row=r_attr[:20]) if r_attr else \
                self.bad("reason.too-many-rows", n=MAX_ROW)
        cells, c_tag, v_tag = self.cells, self.c_tag, self.v_tag
        col_no = 0
        skipped_ref = None  # the address of the last empty cell, looked at only when a cell without one follows
        for c in el:
            if c.tag != c_tag:
                continue
            ref = c.get("r")
            if ref is None and skipped_ref is not None:
                col_no = COLUMNS.get(skipped_ref.rstrip(_DIGITS).upper(), col_no)
            skipped_ref = None
            if not len(c):  # an empty (styled) cell: nothing stored; keep the column count right
                if ref is None:
                    col_no += 1
                else:
                    skipped_ref = ref
                continue
            if ref is None:
                col_no += 1
                row = row_no
            else:
                pos = parse_ref(ref)
                if pos is None:
                    raise self.bad("reason.bad-cell-ref", ref=ref[:20])
                row, col_no = pos
            if col_no > MAX_COL:
                raise self.bad("reason.column-out-of-range", row=row)
            t = c.get("t")
            first = c[0]
            if len(c) == 1 and first.tag == v_tag:  # the common case: a value, no formula
                if first.text:
                    cells[(row, col_no)] = self.value(t, first.text, None)
                continue
            v = f = inline = None
            for child in c:
                if child.tag == v_tag:
                    v = child.text
                elif child.tag == self.f_tag:
                    f = child
                elif child.tag == self.is_tag:
                    inline = child
            formula = None if f is None else self.formula(f)
            if t == "inlineStr" and inline is not None:
                cells[(row, col_no)] = RawCell(rich_text(inline, self.t_tag, self.r_tag), TEXT, formula)
            elif v:
                cells[(row, col_no)] = self.value(t, v, formula)
            elif formula is not None:
                cells[(row, col_no)] = RawCell(None, EMPTY, formula)
        if len(cells) > self.max_cells:
            raise self.too_large()

    def value(self, t: str | None, v: str, formula: str | None) -> RawCell:
        """The cell for a stored value ``v`` (not empty) of type ``t``."""
        if t is None or t == "n":
            try:
                x = float(v)
            except ValueError:
                return RawCell(v, TEXT, formula)
            # NaN, infinities and "1_000" are not numbers Excel writes
            return RawCell(x, NUMBER, formula) if x - x == 0 and "_" not in v else RawCell(v, TEXT, formula)
        if t == "s":
            idx = int(v) if v.isdecimal() and len(v) <= 20 else -1
            if not 0 <= idx < len(self.shared):
                raise self.bad("reason.bad-shared-index", index=v[:20])
            return RawCell(self.shared[idx], TEXT, formula)
        if t == "b":
            b = v.strip()
            return RawCell(b == "1", BOOL, formula) if b in ("0", "1") else RawCell(v, TEXT, formula)
        if t == "e":
            return RawCell(v, ERRORVAL, formula)
        # "str" (formula text result), "d" (ISO date text), unknown types: the text as stored
        return RawCell(unescape(v), TEXT, formula)

    def formula(self, f: Element) -> str:
        text = f.text
        ftype = f.get("t")
        if ftype == "shared":
            si = f.get("si")
            if text:
                self.shared_formulas[si] = text
                return text
            # followers hold no text: keep the master's (whose references are the master's own)
            return self.shared_formulas.get(si, "(shared)")
        return text or f"({ftype or 'formula'})"
