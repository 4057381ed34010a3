"""The plain-part accelerator: worksheets and shared strings read without building a tree.

Most questionnaires come back exactly as Excel, LibreOffice, WPS or openpyxl write them: every cell
start tag reads ``<c r="B7" s="3" t="s">``, values are plain ``<v>`` or ``<is><t>``, no formulas, rich
text, comments or prefixes. For such a part, expat alone (no callbacks, so all in C) checks that it is
well-formed exactly as the tree parser requires (namespaces included), and regular expressions take the
cells out of ``<sheetData>``, with the value rules of :mod:`pipeline.intake.cells`, without building
the tree (the benchmark measures the gain: run it with ``SPBE_PLAIN=1`` to switch this module off).

The tree path of :mod:`pipeline.intake.xlsx` is the specification: whenever a function here returns a
result, it is the tree path's result (same cells in the same order, same merged ranges, same error), and
for anything it does not decode itself (a formula, rich text, an attribute in another order, markup
outside the expected places, a namespace declaration, another encoding, any XML error) it returns None
and the part goes through the tree. ``tests/intake/test_fastxml.py`` generates well-formed and malformed
parts to hold it to that. It is used only when :data:`pipeline.settings.ACCELERATE_READER` is on.
"""

from __future__ import annotations

import re
from pyexpat import ExpatError, ParserCreate

from pipeline.intake.cells import COLUMNS, MAIN_NS, MAX_ROW, SheetBuilder, parse_range, unescape
from pipeline.intake.raw import TEXT, RawCell

_MAIN = re.escape(MAIN_NS)
_ATTRS = r'(?:\s+[A-Za-z_][\w.:-]*="[^"<]*")*'  # attributes in double quotes
_PROLOG = re.compile(r"\A\ufeff?(?:<\?xml([^>]*)\?>)?\s*<(worksheet|sst)(" + _ATTRS + r")\s*>", re.ASCII)
_UTF8_DECL = re.compile(r'\bencoding\s*=\s*["\']utf-8["\']', re.IGNORECASE | re.ASCII)
_MAIN_XMLNS = re.compile(r'(?:^|\s)xmlns="' + _MAIN + '"', re.ASCII)
_NS_DECL = re.compile(r"xmlns\s*=", re.ASCII)  # a default namespace (re)declared below the root
_PREFIXED = re.compile(r":(?:sheetData|row|c|mergeCells?)[\s/>]", re.ASCII)  # the tree reads these anywhere


# a cell element as Excel, LibreOffice and openpyxl write it: empty (styled) or with a <v> or inline <t> text
_CELL = (r'<c r="[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]{1,5}")?(?: t="[a-zA-Z]{1,9}")?'
         r'(?: ?/>|>(?:<v>[^<]+</v>|<is><t(?: xml:space="preserve")?>[^<]*</t></is>)?</c>)')
# the cells with a value, as (column letters, row digits, type, <v> text, "<is>" for an inline string, its text).
# An empty <v></v> is not plain (the tree path checks that cell's address): a cell with neither is empty, skipped.
_VALUE_CELL = re.compile(r'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="[0-9]{1,5}")?(?: t="([a-zA-Z]{1,9})")?>'
                         r'(?:<v>([^<]+)</v>|(<is>)<t(?: xml:space="preserve")?>([^<]*)</t></is>)</c>')
# possessive quantifiers (*+): what one loop takes is never given back, which nothing here needs (every
# loop stops at a "<" its continuation must see), and the check runs in a third of the time
_ROWS = re.compile(r'(?:\s*+<row r="[1-9][0-9]{0,6}"(?: [A-Za-z_][\w.:-]{0,40}+="[^"<]*+")*+\s?'
                   r"(?:/>|>(?:\s*+" + _CELL + r")*+\s*+</row>))*+\s*+", re.ASCII)
_BIG_ROW = re.compile(r'<row r="[0-9]{7}"')  # maybe beyond MAX_ROW
_C_OR_ROW = re.compile(r"<(?:c|row)[\s/>]", re.ASCII)
_C_ROW_OR_MERGE = re.compile(r"<(?:c|row|mergeCell)[\s/>]", re.ASCII)
_MERGE_OPEN = re.compile(r"<mergeCell[\s/>]", re.ASCII)
_MERGES = re.compile(r"<mergeCells" + _ATTRS + r'\s*>((?:\s*+<mergeCell ref="[^"<]*+" ?/>)*+)\s*+</mergeCells>',
                     re.ASCII)
_MERGE = re.compile(r'<mergeCell ref="([^"<]*)"')
# a start or end tag (attribute values may hold ">"); after expat's check, every "<" opens one
_TAG = re.compile(r"""<(/?)[^\s/>]+(?:"[^"]*"|'[^']*'|[^"'>])*?(/?)>""")
_SI_ALL = re.compile(r'(?:\s*+<si><t(?: xml:space="preserve")?>[^<]*+</t></si>)*+\s*+', re.ASCII)
_SI = re.compile(r'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>')
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9A-Fa-f]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ATTR_SPACE = str.maketrans("\t\n\r", "   ")
_TAGS = tuple(f"{{{MAIN_NS}}}{n}" for n in SheetBuilder.TAGS)


def read_sheet(data: bytes, part: str, name: str, shared: list[str],
               max_cells: int) -> tuple[dict[tuple[int, int], RawCell], list[tuple[int, int, int, int]]] | None:
    """The cells and merged ranges of a plain worksheet part, exactly as the tree path gives them; else None.

    Raises what the tree path raises for a bad value (a shared-string index out of range)."""
    doc = _decode(data)
    root_end = _plain_root(doc, "worksheet")
    if root_end is None:
        return None
    start = doc.find("<sheetData", root_end)
    if start < 0 or doc.find("<sheetData", start + 10) >= 0 or not _top_level(doc, root_end, start):
        return None
    if doc.startswith("<sheetData/>", start):
        body_start = body_end = tail = start + 12
    elif doc.startswith("<sheetData>", start):
        body_start = start + 11
        body_end = doc.find("</sheetData>", body_start)
        if body_end < 0:
            return None
        tail = body_end + 12
    else:
        return None
    if _C_ROW_OR_MERGE.search(doc, root_end, start) is not None or _C_OR_ROW.search(doc, tail) is not None:
        return None  # cells, rows or merged ranges outside <sheetData> (or before it)
    if _ROWS.fullmatch(doc, body_start, body_end) is None:
        return None
    big = _BIG_ROW.findall(doc, body_start, body_end)
    if big and max(int(r[8:-1]) for r in big) > MAX_ROW:
        return None
    found = _VALUE_CELL.findall(doc, body_start, body_end)
    merge_refs = _merge_refs(doc, tail)
    if merge_refs is None or len(found) > max_cells or len(merge_refs) > max_cells or not _well_formed(data):
        return None
    value = SheetBuilder(part, name, shared, max_cells, _TAGS).value  # its value rules, and its errors
    n_shared = len(shared)
    cells: dict[tuple[int, int], RawCell] = {}
    for letters, digits, t, v, inline, text in found:
        col, row = COLUMNS.get(letters), int(digits)
        if col is None or not 0 < row <= MAX_ROW:
            return None
        if inline:
            if t == "inlineStr":
                if "&" in text or "\r" in text or "_x" in text:
                    text = unescape(_xml_text(text))
                cells[row, col] = RawCell(text, TEXT, None)
        elif t == "s" and v.isdecimal() and len(v) <= 9 and (i := int(v)) < n_shared:  # the common case of .value
            cells[row, col] = RawCell(shared[i], TEXT, None)
        else:
            cells[row, col] = value(t or None, _xml_text(v), None)
    merged = [rng for rng in map(parse_range, merge_refs) if rng is not None]
    return cells, merged


def read_shared_strings(data: bytes) -> list[str] | None:
    """The strings of a plain shared-strings part (each <si> one plain <t>), as the tree path gives them; else None."""
    doc = _decode(data)
    root_end = _plain_root(doc, "sst")
    if root_end is None:
        return None
    end = doc.rfind("</sst>")
    if end < root_end or _SI_ALL.fullmatch(doc, root_end, end) is None or not _well_formed(data):
        return None
    return [unescape(_xml_text(raw)) for raw in _SI.findall(doc, root_end, end)]


def _decode(data: bytes) -> str:
    """The part as text ("" when it is not UTF-8: not plain, expat decides what it is)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _plain_root(doc: str, root: str) -> int | None:
    """Offset just after the root start tag when ``doc`` may be a plain part with that root, else None."""
    m = _PROLOG.match(doc)
    if m is None or m.group(2) != root or _MAIN_XMLNS.search(m.group(3)) is None:
        return None
    decl = m.group(1)
    if decl and "encoding" in decl and _UTF8_DECL.search(decl) is None:
        return None
    end = m.end()
    if _NS_DECL.search(doc, end) is not None or _PREFIXED.search(doc, end) is not None:
        return None  # a default namespace redeclared, or a prefix on an element read here
    return end


def _merge_refs(doc: str, tail: int) -> list[str] | None:
    """The ref attributes of the <mergeCell>s after <sheetData>, when all are in one top-level <mergeCells>
    block that holds nothing else; else None."""
    n_open = len(_MERGE_OPEN.findall(doc, tail))
    if not n_open:
        return []
    block = doc.find("<mergeCells", tail)
    if block < 0 or not _top_level(doc, tail, block):
        return None
    m = _MERGES.match(doc, block)
    if m is None:
        return None
    refs = _MERGE.findall(m.group(1))
    return [_xml_attr(r) for r in refs] if len(refs) == n_open else None


def _well_formed(data: bytes) -> bool:
    """Well-formed as the tree parser requires (expat with namespaces), without a comment, CDATA, a PI or a DTD."""
    parser = ParserCreate(namespace_separator="}")  # as ElementTree's parser: an unbound prefix is an error
    parser.CommentHandler = parser.StartCdataSectionHandler = parser.ProcessingInstructionHandler = _not_plain
    parser.StartDoctypeDeclHandler = _not_plain
    try:
        parser.Parse(data, True)
    except (ExpatError, _NotPlain):
        return False
    return True


class _NotPlain(Exception):
    pass


def _not_plain(*_args: object) -> None:
    raise _NotPlain


def _top_level(doc: str, start: int, end: int) -> bool:
    """True when every element opened in doc[start:end] is closed there (so what follows is a child of the root)."""
    depth = 0
    for close, empty in _TAG.findall(doc, start, end):
        if not empty:
            depth += -1 if close else 1
            if depth < 0:
                return False
    return depth == 0


def _xml_text(text: str) -> str:
    """Character data as an XML parser reports it: line ends normalised, then references decoded."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _xml_attr(text: str) -> str:
    """An attribute value as an XML parser reports it: line ends and literal white space made spaces, then
    references decoded."""
    text = text.replace("\r\n", " ").translate(_ATTR_SPACE)
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _entity(m: re.Match[str]) -> str:
    ref = m.group(1)
    if ref[0] != "#":
        return _NAMED[ref]
    return chr(int(ref[2:], 16) if ref[1] == "x" else int(ref[1:]))
