"""The plain-part accelerator (pipeline.intake.fastxml) against its specification, the tree path.

Whenever the accelerator reads a part, it must give exactly what the tree path gives: the same cells in the
same order, the same merged ranges, the same verdict (findings). Each case is read by ``read_workbook`` with
``settings.ACCELERATE_READER`` on and off and the two results are compared; the examples of plain parts also check
that the accelerator does read them (an accelerator that always steps aside would pass the comparison).
The property test generates well-formed and malformed worksheets and shared strings.
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline import settings as pipeline_settings
from pipeline.intake import fastxml
from pipeline.intake.raw import NUMBER, TEXT, RawCell
from pipeline.intake.xlsx import read_workbook
from pipeline.settings import LIMITS, Limits
from pipeline.text import col_letter
from tests.intake.hostile import MAIN_NS, REL_NS, package, shared_strings, worksheet

X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"


def read(data: bytes, accelerate: bool, limits: Limits = LIMITS) -> tuple:
    """read_workbook's result as comparable data (cells with their order), with the accelerator on or off."""
    with mock.patch.object(pipeline_settings, "ACCELERATE_READER", accelerate):
        wb, findings = read_workbook(Path("t.xlsx"), "t.xlsx", limits, data=data)
    sheets = None if wb is None else [(s.name, s.state, list(s.cells.items()), s.merged) for s in wb.sheets]
    return sheets, findings


def both(data: bytes, limits: Limits = LIMITS) -> tuple:
    """The result of the tree path, after checking that the accelerated reading gives the same."""
    fast, tree = read(data, True, limits), read(data, False, limits)
    assert fast == tree
    return tree


def fast_reads(sheet: bytes, shared: list[str] | None = None) -> bool:
    """Whether the accelerator decodes this worksheet part itself (a bad value it raises for counts as read)."""
    try:
        return fastxml.read_sheet(sheet, "p", "S", shared or [], 500_000) is not None
    except Exception:  # noqa: BLE001 - the tree path's error for a bad value: it did read the part
        return True


SST = ["<t>nol</t>", '<t xml:space="preserve"> satu </t>']

PLAIN_CASES = {
    "numbers and inline text": '<sheetData><row r="1"><c r="A1"><v>42</v></c><c r="B1" t="n"><v>-1.5E3</v></c>'
                               '<c r="C1" s="2" t="inlineStr"><is><t>teks</t></is></c></row></sheetData>',
    "entities and line ends": '<sheetData><row r="2" spans="1:3" ht="30" customHeight="1">'
                              '<c r="A2" t="inlineStr"><is><t xml:space="preserve"> a &amp; b &lt;c&gt; &#65;&#x42;'
                              ' &quot;q&quot; &apos;</t></is></c>'
                              '<c r="B2" t="inlineStr"><is><t>baris\r\nbaru\rlagi&#13;</t></is></c>'
                              '<c r="C2" t="inlineStr"><is><t>x_x000D_y</t></is></c></row></sheetData>',
    "types as the tree path reads them": '<sheetData><row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="e"><v>#N/A'
                                         '</v></c><c r="C1" t="str"><v>hasil</v></c><c r="D1" t="d"><v>2024-05-01'
                                         '</v></c><c r="E1"><v>1_000</v></c><c r="F1"><v>nan</v></c>'
                                         '<c r="G1" t="s"><v>1</v></c><c r="H1" t="b"><v>x</v></c></row></sheetData>',
    "empty, styled and repeated cells": '<sheetData><row r="1"><c r="A1" s="3"/><c r="B1" s="3" /><c r="C1"></c>'
                                        '<c r="E1" t="inlineStr"><is><t></t></is></c>'
                                        '<c r="F1"><v>1</v></c><c r="F1"><v>2</v></c></row><row r="5"/>'
                                        '</sheetData>',
    "merged ranges": '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>judul</t></is></c></row></sheetData>'
                     '<mergeCells count="3"><mergeCell ref="A1:C2"/><mergeCell ref="$D$4:E5" /><mergeCell ref="zz"/>'
                     '</mergeCells>',
    "no cells": "<sheetData/>",
    "rows and cells out of order": '<sheetData><row r="9"><c r="C9"><v>1</v></c><c r="A9"><v>2</v></c></row>'
                                   '<row r="3"><c r="B3"><v>3</v></c></row></sheetData>',
    "declared prefixes on row attributes": '<sheetData><row r="1" x14ac:dyDescent="0.25" r:id="x">'
                                           '<c r="A1"><v>1</v></c></row></sheetData>',
    "other top-level parts": '<sheetPr><tabColor rgb="FF00FF00"/></sheetPr><dimension ref="A1:B2"/><sheetViews>'
                             '<sheetView workbookViewId="0"><selection activeCell="B2"/></sheetView></sheetViews>'
                             '<cols><col min="1" max="2" width="12"/></cols><sheetData><row r="2"><c r="B2"><v>7</v>'
                             '</c></row></sheetData><dataValidations count="1"><dataValidation type="list" '
                             'sqref="B2"><formula1>"1,2,3"</formula1></dataValidation></dataValidations>',
}

TREE_CASES = {
    "formula": '<sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData>',
    "rich inline text": '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><t>ka</t></r><r><t>ya</t></r></is>'
                        '</c></row></sheetData>',
    "attributes in another order": '<sheetData><row r="1"><c t="n" r="A1"><v>1</v></c></row></sheetData>',
    # the tree path reads the address of a cell with an empty <v> (and rejects a bad one); plain skips empty cells
    "empty value element": '<sheetData><row r="1"><c r="D1"><v></v></c><c r="E1"><v>1</v></c></row></sheetData>',
    "cell without an address": '<sheetData><row r="1"><c><v>1</v></c><c><v>2</v></c></row></sheetData>',
    "comment": '<sheetData><row r="1"><!-- <c r="A1"><v>9</v></c> --><c r="B1"><v>1</v></c></row></sheetData>',
    "CDATA": '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<b>]]></t></is></c></row></sheetData>',
    "row outside sheetData": '<sheetViews><row r="1"><c r="A1"><v>5</v></c></row></sheetViews>'
                             '<sheetData><row r="2"><c r="A2"><v>1</v></c></row></sheetData>',
    "sheetData not a child of the root": '<extra><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
                                         '</extra>',
    "sheetData inside an element whose attribute holds '/>'": '<extra a="/>"><sheetData><row r="1"><c r="A1">'
                                                              '<v>1</v></c></row></sheetData></extra>',
    "cell outside a row": '<sheetData><c r="A1"><v>1</v></c></sheetData>',
    "nested element in a row": '<sheetData><row r="1"><extLst><c r="A1"><v>1</v></c></extLst></row></sheetData>',
    "merge cell in another part": '<sheetData/><extLst><ext><mergeCell ref="A1:B2"/></ext></extLst>',
    "merged ranges before the cells": '<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells><sheetData/>',
    "merge cell nested in the block": '<sheetData/><mergeCells count="1"><mergeCell ref="A1:B2"/><b><mergeCell '
                                      'ref="C1:D2"/></b></mergeCells>',
    "merge cell nested between two blocks": '<sheetData/><mergeCells/><foo><b><mergeCell ref="A1:B2"/></b></foo>'
                                            '<mergeCells></mergeCells>',
    "merged ranges in a foreign namespace": "<sheetData/><mergeCells xmlns='urn:x'><mergeCell ref=\"A1:B2\"/>"
                                            "</mergeCells>",
    "default namespace redeclared": '<sheetData><row r="1"><c r="A1" xmlns="urn:x"><v>1</v></c></row></sheetData>',
    "prefixed cells in the main namespace": f'<sheetData><row r="1" xmlns:m="{MAIN_NS}"><m:c r="A1"><m:v>1</m:v>'
                                            '</m:c></row></sheetData>',
}


@pytest.mark.parametrize("body", PLAIN_CASES.values(), ids=PLAIN_CASES.keys())
def test_plain_sheets_read_as_the_tree_reads_them(body):
    part = worksheet(body)
    if "x14ac:" in body:
        part = part.replace(b"<worksheet ", f'<worksheet xmlns:x14ac="{X14AC}" '.encode())
    sheets, findings = both(package([("S", "visible", part)], shared_strings(SST)))
    assert sheets is not None and findings == []
    assert fast_reads(part, ["nol", " satu "]) and fastxml.read_shared_strings(shared_strings(SST)) is not None


@pytest.mark.parametrize("body", TREE_CASES.values(), ids=TREE_CASES.keys())
def test_other_sheets_go_through_the_tree(body):
    part = worksheet(body)
    both(package([("S", "visible", part)], shared_strings(SST)))
    assert not fast_reads(part)


def test_plain_values():
    """Spot values (the comparison above would also pass if both paths were wrong)."""
    body = PLAIN_CASES["entities and line ends"].replace("</sheetData>", '<row r="3"><c r="A3"><v>3</v></c>'
                                                                         '<c r="B3" t="s"><v>1</v></c></row></sheetData>')
    part = worksheet(body)
    cells, merged = fastxml.read_sheet(part, "p", "S", ["nol", " satu "], 100)
    sheets, _ = both(package([("S", "visible", part)], shared_strings(SST)))
    assert list(cells.items()) == sheets[0][2] and merged == []
    assert cells[2, 1] == RawCell(" a & b <c> AB \"q\" '", TEXT)
    assert cells[2, 2] == RawCell("baris\nbaru\nlagi\r", TEXT)  # raw line ends normalised, &#13; kept
    assert cells[2, 3] == RawCell("x\ry", TEXT)
    assert cells[3, 1] == RawCell(3.0, NUMBER) and cells[3, 2] == RawCell(" satu ", TEXT)


@pytest.mark.parametrize("sst", [["<t>a</t>", "<t/>"], ['<r><t>a</t></r>'], ["<t>a</t><rPh><t>b</t></rPh>"]],
                         ids=["empty string", "rich text", "phonetic run"])
def test_other_shared_strings_go_through_the_tree(sst):
    body = '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'
    both(package([("S", "visible", worksheet(body))], shared_strings(sst)))
    assert fastxml.read_shared_strings(shared_strings(sst)) is None


@pytest.mark.parametrize("row", [
    '<row r="5" q:z="1"><c r="A5"><v>1</v></c></row>',  # an undeclared prefix on an attribute (issue 12)
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b &foo; c</t></is></c></row>',  # undefined entity
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a & b</t></is></c></row>',  # bare ampersand
    '<row r="1"><c r="A1" t="inlineStr"><is><t>nol &#0; char</t></is></c></row>',  # reference to a forbidden char
    '<row r="1"><c r="A1" t="inlineStr"><is><t>ctl \x01 char</t></is></c></row>',  # forbidden control char
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a ]]&gt; b ]]> c</t></is></c></row>',  # "]]>" in text
    '<row r="1"><c r="A1" t="inlineStr"><is><t>non \ufffe char</t></is></c></row>',  # U+FFFE
    '<row r="1" ht="20" ht="30"><c r="A1"><v>1</v></c></row>',  # a row attribute twice
    '<row r="1" r="2"><c r="A1"><v>1</v></c></row>',
    f'<row r="1" xmlns:a="{X14AC}" xmlns:b="{X14AC}" a:k="1" b:k="2"><c r="A1"><v>1</v></c></row>',  # the same, qualified
    '<row r="1"><c r="A1" t="inlineStr"><is><t>bad BADBYTE utf-8</t></is></c></row>',  # not UTF-8
], ids=["undeclared-prefix", "entity", "ampersand", "char-ref-0", "control", "cdata-end", "ufffe", "attr-twice",
        "r-twice", "qualified-attr-twice", "utf8"])
def test_malformed_rows_are_corrupt_on_every_path(row):
    part = worksheet(f"<sheetData>{row}</sheetData>").replace(b"BADBYTE", b"\xff")
    sheets, findings = both(package([("S", "visible", part)]))
    assert sheets is None and [(f.code, f.sheet) for f in findings] == [("corrupt-workbook", "S")]
    assert not fast_reads(part)


def test_undeclared_prefix_on_a_row_attribute():
    """Issue 12: a row written <row r="5" q:z="1"> was read by the accelerator and rejected by the tree path."""
    part = worksheet('<sheetData><row r="5" q:z="1"><c r="A5"><v>1</v></c></row></sheetData>')
    data = package([("S", "visible", part)])
    for accelerate in (True, False):
        sheets, findings = read(data, accelerate)
        assert sheets is None and [f.message("en") for f in findings] == [
            "The workbook is corrupt or truncated: xl/worksheets/sheet1.xml: malformed XML (line 2, column 166)."]
    assert fastxml.read_sheet(part, "p", "S", [], 100) is None


@pytest.mark.parametrize("body", [
    '<sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData>',
    '<sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData>',
    '<sheetData><row r="1"><c r="XFE1"><v></v></c></row></sheetData>',
    '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"></sheetData>',
    '<sheetData><row r="1048577"><c r="A1"><v>1</v></c></row></sheetData>',
])
def test_errors_are_the_tree_paths_errors(body):
    sheets, findings = both(package([("S", "visible", worksheet(body))], shared_strings(["<t>a</t>"])))
    assert sheets is None and [f.code for f in findings] == ["corrupt-workbook"]


def test_filled_questionnaire_takes_the_plain_path(tmp_path, make_submission):
    """A questionnaire as the tool and openpyxl write it: every worksheet is plain, read with the same cells."""
    import zipfile

    path = make_submission(tmp_path, opd="BKD", levels={"1": 3, "2": 4})
    both(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        parts = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        sst = zf.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in zf.namelist() else None
    shared = fastxml.read_shared_strings(sst) if sst else []
    assert shared is not None and parts and all(fast_reads(p, shared) for p in parts)


# ---------------------------------------------------------------------- the property test
#
# Parts are assembled from pieces. At each place a piece is what Excel, LibreOffice and openpyxl write (so that
# the accelerator reads many parts) or an odd one: what XML allows or forbids there. Each example has one place
# in focus, odd three times in four, and a background rate of oddities anywhere (none, rare, frequent); Hypothesis
# shrinks a failure towards the usual pieces.

_SAFE = ["a", "Ya", "teks", " ", "1", "2.5", "é", "中", "😀", "_x000D_", "_x0041_", "_xD800_", ">", "'", '"', "\t",
         "/>", "xmlns", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#65;", "&#x42;", "&#13;", "&#x0D;", "&#10;",
         "&#9;", "&#x5F;", "\r\n", "\r", "\n"]
_BAD = ["&#0;", "&#xD800;", "&#x110000;", "&#xFFFE;", "&foo;", "&", "&#;", "\x01", "\x0b", "\x7f", "\x85", "\u2028",
        "\ufffe", "]]>", "<", "<![CDATA[x<y]]>", "<!-- c -->", "<?pi x?>", "<b/>", "\udcff", ":c ", "<row/>"]
_NUMBERS = ["0", "1", "2", "3", "42", "-1.5E3", "2.5"]
_ODD_NUMBERS = [" 3", "nan", "inf", "1_000", "#N/A", "TRUE", "99999999999999999999", "٣", "²", "", "1\r\n", "0x1"]
_TYPES = [None, None, None, "n", "s", "s", "inlineStr", "inlineStr"]
_ODD_TYPES = ["b", "e", "str", "d", "bogus", "", "S"]
_ODD_ATTRS = ["q:z=1", "x14ac:k=1", "r=B2", "xmlns=urn:x", f"xmlns={MAIN_NS}", "xmlns:u=urn:x", "u:k=1",
              "xml:space=x", "foo=a/>b", "spans=1:3", "r:id=x", "t=s", "s=1", "xmlns=", "xmlns:q=urn:q"]
_RANGES = ["A1:B2", "$D$4:E5", "B3", "C1:A4"]
_ODD_RANGES = ["zz", "a1:b2", " A1:C3 ", "A1 :B2", "&#65;1:B2", "A1:&#x42;2", "A1\n:B2", "A1:B2\t", "XFE1:A1",
               "A0:B1", "A1048577", "A1:B2\r\n", "", "A1&#9;:B2", "A1:B2&#10;"]
_AROUND = ['<sheetPr><tabColor rgb="FF00FF00"/></sheetPr>', '<dimension ref="A1:B2"/>',
           '<cols><col min="1" max="2"/></cols>', '<sheetViews><sheetView workbookViewId="0"/></sheetViews>',
           '<pageMargins left="0.7"/>']
_ROW = '<row r="1"><c r="A1"><v>5</v></c></row>'
_ODD_AROUND = ['<foo a="/>"/>', '<foo a="x>y"></foo>', f"<sheetViews>{_ROW}</sheetViews>", "<!-- c -->", "<?pi x?>",
               f'<x:foo xmlns:x="urn:x">{_ROW}</x:foo>', "<foo>text &amp; <b/></foo>", '<foo><c r="A1"><v>1</v></c></foo>',
               "<foo/><bar></bar>", f'<m:foo xmlns:m="{MAIN_NS}"><m:row r="1"><m:c r="A1"><m:v>1</m:v></m:c></m:row></m:foo>',
               f'<m:foo xmlns:m="{MAIN_NS}">{_ROW}</m:foo>', f"<foo xmlns='urn:x'>{_ROW}</foo>",
               f'<foo xmlns = "urn:x">{_ROW}</foo>', '<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>',
               '<extLst><ext><mergeCell ref="A1"/></ext></extLst>', '<foo><mergeCell ref="A1:B2"/></foo>',
               f'<m:mergeCells xmlns:m="{MAIN_NS}"><m:mergeCell ref="A1:B2"/></m:mergeCells>', f"<foo>{_ROW}</foo>",
               f'<foo a="/>">{_ROW}</foo>', f"<foo a='/>'>{_ROW}</foo>", f'<foo a="x>"><b>{_ROW}</b></foo>']
_PROLOGS = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', ""]
_ODD_PROLOGS = ['\ufeff<?xml version="1.0" encoding="utf-8"?>', "<?xml version='1.0' encoding='UTF-8'?>",
                '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.1"?>', ' <?xml version="1.0"?>',
                '<?xml version="1.0"?><!DOCTYPE x>', '<?xml version="1.0" encoding="US-ASCII"?>',
                '<?xml-stylesheet href="a"?>', "<!-- c -->", "\n", '<?xml version="1.0" encoding="UTF-16"?>',
                '<?xml version="1.0" encoding = "UTF-8"?>', '<?xml version="1.0" encoding="UTF8"?>', "\ufeff"]
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_ROOT_NS = [f' xmlns="{MAIN_NS}" xmlns:r="{REL_NS}" xmlns:mc="{_MC}" mc:Ignorable="x14ac" xmlns:x14ac="{X14AC}"',
            f' xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"']
_ODD_ROOT_NS = ["", f' xmlns:r="{REL_NS}"', ' xmlns="urn:x"', f" xmlns='{MAIN_NS}'", f' xmlns = "{MAIN_NS}"',
                ' xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"', f' xmlns="{MAIN_NS}" xmlns="{MAIN_NS}"',
                f' xmlns="{MAIN_NS}" q:z="1"', f' xmlns="{MAIN_NS}" x:y="1" xmlns:x="urn:x"',
                f' xmlns:m="{MAIN_NS}" xmlns="{MAIN_NS}"', f' a="&gt;" xmlns="{MAIN_NS}"', f' a=">" xmlns="{MAIN_NS}"',
                f' xmlns="{MAIN_NS}&#x20;"', f' xmlns="{MAIN_NS}" a="1" a="2"']
_SITES = ["prolog", "root", "around", "sheetData", "row", "attrs", "cell-ref", "cell-type", "cell-content", "value",
          "text", "gap", "merges", "merge-form", "merge-ref", "sst", "sst-item", "bytes", "limit"]
_CHILDREN = {"worksheet": ["sheetData", "sheetData", "mergeCells", "dimension"], "sheetData": ["row"], "row": ["c"],
             "c": ["v", "is"], "is": ["t"], "r": ["t"], "mergeCells": ["mergeCell"]}
_ANY = ["sheetData", "row", "c", "v", "is", "t", "r", "f", "mergeCells", "mergeCell", "foo", "m:row", "m:c", "m:v",
        "m:mergeCell", "m:mergeCells", "m:sheetData", "m:is", "m:t", "u:row", "u:c", "u:sheetData"]


class Pieces:
    """Draws the pieces of one example."""

    def __init__(self, draw) -> None:
        self.draw = draw
        self.focus = draw(st.sampled_from(_SITES))
        self.rate = draw(st.sampled_from([0, 0, 0, 0, 60, 15]))

    def odd(self, site: str) -> bool:
        if site == self.focus and self.draw(st.integers(0, 3)):
            return True
        return self.rate > 0 and self.draw(st.integers(0, self.rate)) == self.rate

    def pick(self, site: str, usual: list, unusual: list):
        return self.draw(st.sampled_from(unusual if unusual and self.odd(site) else usual))

    def text(self) -> str:
        return "".join(self.pick("text", _SAFE, _BAD) for _ in range(self.draw(st.integers(0, 3))))

    def gap(self) -> str:
        return self.pick("gap", [""], ["\n", "  ", "\r\n", "\t"])

    def attributes(self, pairs: list[tuple[str, str]]) -> str:
        """Attributes in order (or shuffled), double-quoted (or not), and now and then an odd one added."""
        items = list(pairs)
        if self.odd("attrs"):
            for extra in self.draw(st.lists(st.sampled_from(_ODD_ATTRS), min_size=1, max_size=2)):
                k, v = extra.split("=", 1)
                items.insert(self.draw(st.integers(0, len(items))), (k, v))
        if self.odd("attrs"):
            items = self.draw(st.permutations(items))
        out = ""
        for k, v in items:
            quote = self.pick("attrs", ['"'], ["'"])
            space = self.pick("attrs", [" "], ["  ", "\n", "\t", "\r\n"])
            out += f"{space}{k}{self.pick('attrs', ['='], [' = ', '= '])}{quote}{v}{quote}"
        return out

    def cell(self, row: int) -> str:
        col = col_letter(self.draw(st.integers(1, 12)))
        ref = self.pick("cell-ref", [f"{col}{row}"], [f"{col.lower()}{row}", f"${col}${row}", f"{row}{col}", col,
                                                      f"{col}0{row}", f"{col}0", f"{col}1048577", f"XFD{row}",
                                                      f"XFE{row}", f"{col}{row} ", f"&#65;{row}", ""])
        pairs = [] if self.odd("cell-ref") else [("r", ref)]
        if self.draw(st.booleans()):
            pairs.append(("s", self.draw(st.sampled_from(["1", "3", "12"]))))
        t = self.pick("cell-type", _TYPES, _ODD_TYPES)
        if t is not None:
            pairs.append(("t", t))
        v = self.pick("value", _NUMBERS, _ODD_NUMBERS) if t in (None, "n", "s") else self.text()
        content = self.pick("cell-content", [f"<v>{v}</v>"] * 2 + [
            f"<is><t>{v}</t></is>", f'<is><t xml:space="preserve">{v}</t></is>', ""], [
            "<v></v>", "<v/>", f"<f>1+1</f><v>{v}</v>", f"<is><r><t>{v}</t></r></is>", f"<v>{v}</v><v>1</v>",
            f'<m:v xmlns:m="{MAIN_NS}">{v}</m:v>', f'<v xmlns="urn:x">{v}</v>', f" <v>{v}</v> ", "<is><t/></is>",
            f"<is><t>{v}</t></is><v>1</v>", f"<v>{v}<b/></v>", f'<is><t xml:space="default">{v}</t></is>',
            f"<is><t>{v}</t><t>2</t></is>", f"<v>{v}</v><is><t>x</t></is>", f"<is>{v}</is>", f"<x:v>{v}</x:v>",
            f"<v><![CDATA[{v}]]></v>", f"<v>{v}<!-- c --></v>"])
        if not content:
            return f"<c{self.attributes(pairs)}{self.draw(st.sampled_from(['/>', ' />', '></c>']))}"
        return f"<c{self.attributes(pairs)}>{content}</c>"

    def rows(self) -> str:
        out = ""
        for _ in range(self.draw(st.integers(0, 4))):
            n = self.draw(st.integers(1, 9))
            r = self.pick("row", [str(n)], ["0", f"0{n}", "abc", "", "\u00b2", "1048576", "1048577", "9999999",
                                            "10000000", f" {n}", f"{n}.0", "-1", "٣"])
            pairs = [] if self.odd("row") else [("r", r)]
            pairs += self.draw(st.lists(st.sampled_from([("spans", "1:3"), ("ht", "20"), ("customHeight", "1"),
                                                         ("x14ac:dyDescent", "0.25")]), max_size=2, unique=True))
            content = "".join(self.gap() + self.cell(n) for _ in range(self.draw(st.integers(0, 4))))
            if self.odd("row"):
                content += self.draw(st.sampled_from(["<foo/>", "text", f"<row r='{n}'/>", "<!-- c -->",
                                                      f'<c r="A{n}"><v>1</v></c>']))
            if not content and self.draw(st.booleans()):
                out += f"{self.gap()}<row{self.attributes(pairs)}/>"
            else:
                out += f"{self.gap()}<row{self.attributes(pairs)}>{content}{self.gap()}</row>"
        return out

    def merges(self) -> str:
        forms = ['<mergeCell ref="{}"/>', '<mergeCell ref="{}" />']
        odd_forms = ["<mergeCell ref='{}'/>", '<mergeCell ref="{}" x="1"/>', '<mergeCell ref="{}"></mergeCell>',
                     f'<m:mergeCell xmlns:m="{MAIN_NS}" ref="{{}}"/>', '<mergeCell ref="{}">x</mergeCell>',
                     '<mergeCell x="1" ref="{}"/>', '<mergeCell  ref="{}"/>', '<mergeCell ref = "{}"/>',
                     '<mergeCell xmlns="urn:x" ref="{}"/>', "<mergeCell xmlns='urn:x' ref=\"{}\"/>", "<mergeCell/>"]
        inner = "".join(self.gap() + self.pick("merge-form", forms, odd_forms).format(self.pick("merge-ref", _RANGES,
                                                                                                 _ODD_RANGES))
                        for _ in range(self.draw(st.integers(1, 3))))
        return self.pick("merges", [f'<mergeCells count="2">{inner}</mergeCells>'], [
            "<mergeCells/>", f"<mergeCells>{inner}{inner}</mergeCells>", f"<extLst><ext>{inner}</ext></extLst>",
            f"<mergeCells xmlns='urn:x'>{inner}</mergeCells>", f'<mergeCells xmlns = "urn:x">{inner}</mergeCells>',
            f"<foo>{inner}</foo>", inner, f"<mergeCells>{inner}</mergeCells><mergeCells>{inner}</mergeCells>",
            f"<mergeCells>{inner}<b/></mergeCells>", f"<mergeCells>{inner}<b>{inner}</b></mergeCells>",
            f"<mergeCells/><foo><b>{inner}</b></foo><mergeCells></mergeCells>", f"<foo><mergeCells>{inner}</mergeCells></foo>",
            f'<mergeCells a="/>">{inner}</mergeCells>', f'<foo a="/>"><mergeCells>{inner}</mergeCells></foo>',
            f"<mergeCells count='1'>{inner}</mergeCells>", f'<m:mergeCells xmlns:m="{MAIN_NS}">{inner}</m:mergeCells>',
            f"<mergeCells><!-- c -->{inner}</mergeCells>"])

    def worksheet(self) -> str:
        """Prolog, root, what comes before <sheetData>, the rows, merged ranges and what follows."""
        before = "".join(self.gap() + self.pick("around", _AROUND, _ODD_AROUND)
                         for _ in range(self.draw(st.integers(0, 2))))
        body = self.rows()
        sheet_data = "<sheetData/>" if not body and self.draw(st.booleans()) else self.pick(
            "sheetData", [f"<sheetData>{body}{self.gap()}</sheetData>"],
            [f"<sheetData >{body}</sheetData>", f'<sheetData xmlns="urn:x">{body}</sheetData>',
             f'<m:sheetData xmlns:m="{MAIN_NS}">{body}</m:sheetData>', f'<foo a="/>"><sheetData>{body}</sheetData></foo>',
             f"<foo><sheetData>{body}</sheetData></foo>", f"<foo a='x>'><sheetData>{body}</sheetData></foo>", body,
             f"<sheetData>{body}</sheetData><sheetData/>", f"<sheetData/><sheetData>{body}</sheetData>",
             f'<sheetData a="1">{body}</sheetData>', f"<sheetData xmlns='urn:x'>{body}</sheetData>",
             f"<sheetData>{body}</sheetData ><foo/>"])
        after = self.merges() if self.draw(st.booleans()) else ""
        if self.odd("around"):
            after += self.draw(st.sampled_from(_ODD_AROUND))
        root = self.pick("root", ["worksheet"], ["chartsheet", "x:worksheet"])
        return (f"{self.pick('prolog', _PROLOGS, _ODD_PROLOGS)}<{root}{self.pick('root', _ROOT_NS, _ODD_ROOT_NS)}>"
                f"{before}{self.gap()}{sheet_data}{self.gap()}{after}</{root}>{self.gap()}")

    def element(self, name: str, depth: int) -> str:
        """A well-formed element: mostly the children the format puts there, now and then any element."""
        local = name.rsplit(":", 1)[-1]
        pairs = {"row": [("r", str(self.draw(st.integers(1, 4))))], "mergeCell": [("ref", self.draw(st.sampled_from(
            _RANGES)))], "c": [("r", f"{self.draw(st.sampled_from('AB'))}{self.draw(st.integers(1, 4))}")]
            + ([("t", t)] if (t := self.draw(st.sampled_from(_TYPES))) else [])}.get(local, [])
        if local in ("v", "t", "f") or depth > 3:
            content = self.draw(st.sampled_from(_NUMBERS)) if local == "v" and self.draw(st.booleans()) else self.text()
        else:
            content = self.children(local, depth)
        if not content and self.draw(st.booleans()):
            return f"<{name}{self.attributes(pairs)}/>"
        return f"<{name}{self.attributes(pairs)}>{content}</{name}>"

    def children(self, local: str, depth: int) -> str:
        return "".join(self.gap() + self.element(self.pick("around", _CHILDREN.get(local, ["foo"]), _ANY), depth + 1)
                       for _ in range(self.draw(st.integers(0, 3))))

    def tree_worksheet(self) -> str:
        """A worksheet of well-formed elements in any arrangement (the accelerator must see what it does not read)."""
        return (f'{self.draw(st.sampled_from(_PROLOGS))}<worksheet{self.draw(st.sampled_from(_ROOT_NS))} '
                f'xmlns:m="{MAIN_NS}" xmlns:u="urn:x">{self.children("worksheet", 0)}</worksheet>')

    def shared_strings(self) -> tuple[str, int]:
        items = [self.pick("sst-item", ["<si><t>{}</t></si>", '<si><t xml:space="preserve">{}</t></si>'], [
            "<si><t/></si>", "<si><r><t>a{}</t></r><r><t>b</t></r></si>", "<si><t>{}</t><rPh><t>b</t></rPh></si>",
            "<si/>", f'<x:si xmlns:x="{MAIN_NS}"><x:t>{{}}</x:t></x:si>', '<si q:z="1"><t>{}</t></si>',
            '<si xmlns="urn:x"><t>{}</t></si>', "<si xmlns='urn:x'><t>{}</t></si>", "<si><!-- c --><t>{}</t></si>",
            "<si> <t>{}</t> </si>", "<si><t>{}</t></si><foo/>", "<si><t xml:space='preserve'>{}</t></si>",
            f'<si><m:t xmlns:m="{MAIN_NS}">{{}}</m:t></si>', "<si><t>{}</t><t>2</t></si>", "<foo><si><t>{}</t></si></foo>",
            "<si><t><![CDATA[{}]]></t></si>"]).format(self.text()) for _ in range(self.draw(st.integers(0, 4)))]
        root = self.pick("sst", [f'<sst xmlns="{MAIN_NS}" count="{len(items)}">'], [
            '<sst xmlns="urn:x">', f"<sst xmlns='{MAIN_NS}'>", f'<sst xmlns="{MAIN_NS}" q:z="1">', "<sst>",
            f'<sst xmlns="{MAIN_NS}"/><sst>', f'<sst xmlns = "{MAIN_NS}">', f'<x:sst xmlns:x="{MAIN_NS}">'])
        gap = self.gap()
        end = "</x:sst>" if root.startswith("<x:") else "</sst>"
        return f"{self.pick('prolog', _PROLOGS, _ODD_PROLOGS)}{root}{gap.join(items)}{gap}{end}", len(items)

    def encoded(self, xml: str) -> bytes:
        """UTF-8 (a lone surrogate becomes an invalid byte), sometimes UTF-16, now and then mutated byte-wise."""
        data = xml.encode("utf-8", "surrogateescape")
        if "UTF-16" in xml[:50] and self.draw(st.booleans()):
            data = xml.encode("utf-16", "surrogatepass")
        for _ in range(self.draw(st.integers(1, 2)) if self.odd("bytes") else 0):
            pos = self.draw(st.integers(0, max(len(data) - 1, 0)))
            how = self.draw(st.sampled_from(["delete", "insert", "duplicate", "truncate"]))
            if how == "delete":
                data = data[:pos] + data[pos + 1:]
            elif how == "insert":
                data = data[:pos] + self.draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"<", b">", b"/", b'"',
                                                               b"'", b"&", b" ", b":", b"=", b"\r", b"!"])) + data[pos:]
            elif how == "duplicate":
                data = data[:pos] + data[pos:pos + self.draw(st.integers(1, 40))] + data[pos:]
            else:
                data = data[:pos]
        return data


@st.composite
def parts(draw) -> tuple[bytes, bytes, int, int]:
    """(worksheet, shared strings, number of strings, cell limit) of one example."""
    pieces = Pieces(draw)
    sst, n_strings = pieces.shared_strings()
    max_cells = pieces.pick("limit", [LIMITS.max_cells_per_sheet], [1, 2, 3])
    sheet = pieces.worksheet() if draw(st.integers(0, 4)) else pieces.tree_worksheet()
    return pieces.encoded(sheet), pieces.encoded(sst), n_strings, max_cells


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(example=parts())
def test_accelerator_gives_the_tree_paths_result(example: tuple[bytes, bytes, int, int]):
    """For any worksheet and shared strings, well-formed or not: read_workbook gives the same result with and
    without the accelerator (the accelerator reads a part, or steps aside and the tree reads it)."""
    sheet, sst, n_strings, max_cells = example
    limits = Limits(max_cells_per_sheet=max_cells)
    sheets, findings = both(package([("S", "visible", sheet)], sst), limits)
    shared = fastxml.read_shared_strings(sst)
    event(f"shared strings: {'accelerated' if shared is not None else 'tree'}")
    event(f"worksheet: {'accelerated' if fast_reads(sheet, shared or ['x'] * n_strings) else 'tree'}")
    event(f"verdict: {'read' if sheets is not None else findings[0].code}")
