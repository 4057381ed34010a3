"""The tree-less reading of plain sheets and shared strings (pipeline.xlsxsafe._plain_sheet).

The plain path must give exactly what the ElementTree path gives, and must step aside (return None)
for anything it does not decode itself. Each case is read twice, with the plain path allowed and
forbidden, and compared; the tests also check which path was taken, so that a plain path that never
runs (or runs where it must not) fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_xlsxsafe import build

from pipeline import xlsxsafe
from pipeline.intake import WANTED_SHEETS
from pipeline.models import NUMBER, TEXT, RawCell


def _read_both(path: Path, monkeypatch: pytest.MonkeyPatch, sheets: set[str] | None = None):
    """(result with the plain path, result without it, how many parts the plain path decoded)."""
    taken = []
    real_sheet, real_sst = xlsxsafe._plain_sheet, xlsxsafe._plain_shared_strings

    def spy_sheet(*args, **kw):
        out = real_sheet(*args, **kw)
        taken.append(("sheet", out is not None))
        return out

    def spy_sst(*args, **kw):
        out = real_sst(*args, **kw)
        taken.append(("sst", out is not None))
        return out

    monkeypatch.setattr(xlsxsafe, "_plain_sheet", spy_sheet)
    monkeypatch.setattr(xlsxsafe, "_plain_shared_strings", spy_sst)
    plain = xlsxsafe.read_workbook(path, path.name, sheets=sheets)
    used = list(taken)
    monkeypatch.setattr(xlsxsafe, "_plain_sheet", lambda *a, **k: None)
    monkeypatch.setattr(xlsxsafe, "_plain_shared_strings", lambda *a: None)
    tree = xlsxsafe.read_workbook(path, path.name, sheets=sheets)
    return plain, tree, used


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
    "cell outside a row": '<sheetData><c r="A1"><v>1</v></c></sheetData>',
    "nested element in a row": '<sheetData><row r="1"><extLst><c r="A1"><v>1</v></c></extLst></row></sheetData>',
    "merge cell in another part": '<sheetData/><extLst><ext><mergeCell ref="A1:B2"/></ext></extLst>',
    "default namespace redeclared": '<sheetData><row r="1"><c r="A1" xmlns="urn:x"><v>1</v></c></row></sheetData>',
}


@pytest.mark.parametrize("body", PLAIN_CASES.values(), ids=PLAIN_CASES.keys())
def test_plain_sheets_read_as_the_tree_reads_them(tmp_path, monkeypatch, body):
    path = build(tmp_path / "p.xlsx", [("S", "visible", body)], ["<t>nol</t>", '<t xml:space="preserve"> satu </t>'])
    plain, tree, used = _read_both(path, monkeypatch)
    assert plain == tree
    assert ("sheet", True) in used and ("sst", True) in used


@pytest.mark.parametrize("body", TREE_CASES.values(), ids=TREE_CASES.keys())
def test_other_sheets_go_through_the_tree(tmp_path, monkeypatch, body):
    path = build(tmp_path / "t.xlsx", [("S", "visible", body)], [])
    plain, tree, used = _read_both(path, monkeypatch)
    assert plain == tree
    assert ("sheet", False) in used and ("sheet", True) not in used


def test_plain_values(tmp_path, monkeypatch):
    """Spot values of the plain path (the comparison above would also pass if both paths were wrong)."""
    path = build(tmp_path / "v.xlsx", [("S", "visible", PLAIN_CASES["entities and line ends"]
                                        .replace("</sheetData>", "") + '<row r="3"><c r="A3"><v>3</v></c>'
                                        '<c r="B3" t="s"><v>1</v></c></row></sheetData>')],
                 ["<t>nol</t>", '<t xml:space="preserve"> satu </t>'])
    (raw, findings), _, used = _read_both(path, monkeypatch)
    assert findings == [] and ("sheet", True) in used
    s = raw.sheets[0]
    assert s.get(2, 1) == RawCell(" a & b <c> AB \"q\" '", TEXT)
    assert s.get(2, 2) == RawCell("baris\nbaru\nlagi\r", TEXT)  # raw line ends normalised, &#13; kept
    assert s.get(2, 3) == RawCell("x\ry", TEXT)
    assert s.get(3, 1) == RawCell(3.0, NUMBER) and s.get(3, 2) == RawCell(" satu ", TEXT)


@pytest.mark.parametrize("sst", [["<t>a</t>", "<t/>"], ['<r><t>a</t></r>'], ["<t>a</t><rPh><t>b</t></rPh>"]],
                         ids=["empty string", "rich text", "phonetic run"])
def test_other_shared_strings_go_through_the_tree(tmp_path, monkeypatch, sst):
    body = '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'
    plain, tree, used = _read_both(build(tmp_path / "s.xlsx", [("S", "visible", body)], sst), monkeypatch)
    assert plain == tree
    assert ("sst", False) in used and ("sst", True) not in used


@pytest.mark.parametrize("body, code", [
    ('<sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData>', "corrupt-workbook"),
    ('<sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData>', "corrupt-workbook"),
    ('<sheetData><row r="1"><c r="XFE1"><v></v></c></row></sheetData>', "corrupt-workbook"),
    ('<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"></sheetData>', "corrupt-workbook"),
])
def test_errors_are_the_tree_paths_errors(tmp_path, monkeypatch, body, code):
    plain, tree, _ = _read_both(build(tmp_path / "e.xlsx", [("S", "visible", body)], ["<t>a</t>"]), monkeypatch)
    assert plain == tree
    assert plain[0] is None and plain[1][0].code == code


def test_filled_questionnaire_takes_the_plain_path(tmp_path, monkeypatch, make_submission):
    """A questionnaire as the tool and openpyxl write it: every sheet read is plain, with the same cells."""
    path = make_submission(tmp_path, opd="BKD", levels={"1": 3, "2": 4})
    plain, tree, used = _read_both(path, monkeypatch, sheets=set(WANTED_SHEETS))
    assert plain == tree and plain[0] is not None
    assert used.count(("sheet", True)) == len(WANTED_SHEETS) and ("sheet", False) not in used


@pytest.mark.parametrize("row", [
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b &foo; c</t></is></c></row>',  # undefined entity
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a & b</t></is></c></row>',  # bare ampersand
    '<row r="1"><c r="A1" t="inlineStr"><is><t>nol &#0; char</t></is></c></row>',  # reference to a forbidden char
    '<row r="1"><c r="A1" t="inlineStr"><is><t>ctl \x01 char</t></is></c></row>',  # forbidden control char
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a ]]&gt; b ]]> c</t></is></c></row>',  # "]]>" in text
    '<row r="1"><c r="A1" t="inlineStr"><is><t>non \ufffe char</t></is></c></row>',  # U+FFFE
    '<row r="1" ht="20" ht="30"><c r="A1"><v>1</v></c></row>',  # a row attribute twice
    '<row r="1" r="2"><c r="A1"><v>1</v></c></row>',
    '<row r="1"><c r="A1" t="inlineStr"><is><t>bad \xff utf-8</t></is></c></row>',  # not UTF-8
], ids=["entity", "ampersand", "char-ref-0", "control", "cdata-end", "ufffe", "attr-twice", "r-twice", "utf8"])
def test_a_known_frame_does_not_skip_what_the_body_grammar_leaves_open(tmp_path, monkeypatch, row):
    """Once a sheet's parts around <sheetData> passed expat, later files with the same frame skip expat only
    when their rows are provably well-formed: each of these bodies must still be refused as the tree path
    refuses it (or, when XML allows it, read as the tree path reads it)."""
    good = build(tmp_path / "good.xlsx", [("S", "visible", '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                                                         '</sheetData>')])
    monkeypatch.setattr(xlsxsafe, "_FRAMES", set())
    assert xlsxsafe.read_workbook(good, good.name)[0] is not None and len(xlsxsafe._FRAMES) == 1
    body = f"<sheetData>{row}</sheetData>"
    path = build(tmp_path / "bad.xlsx", [("S", "visible", body)])
    if "\xff" in row:  # build() writes text as UTF-8: put the raw byte in place of its encoding
        import zipfile

        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace("\xff".encode(), b"\xff")
        with zipfile.ZipFile(path, "w") as z:
            for n, b in parts.items():
                z.writestr(n, b)
    plain, tree, _ = _read_both(path, monkeypatch)
    assert plain == tree
    assert plain[0] is None and plain[1][0].code == "corrupt-workbook"


def test_a_known_frame_skips_expat_for_plain_rows(tmp_path, monkeypatch):
    """The other side: a second file with the same frame and ordinary rows is read without expat, the same."""
    body = ('<sheetData><row r="1" spans="1:2" ht="30" customHeight="1"><c r="A1" t="inlineStr"><is><t>a &amp; b'
            ' &lt;c&gt; &quot;d&quot; &apos;e&apos; \u00e9\u4e2d</t></is></c><c r="B1"><v>2</v></c></row></sheetData>')
    first = build(tmp_path / "a.xlsx", [("S", "visible", body)])
    second = build(tmp_path / "b.xlsx", [("S", "visible", body.replace("<v>2</v>", "<v>3</v>"))])
    monkeypatch.setattr(xlsxsafe, "_FRAMES", set())
    xlsxsafe.read_workbook(first, first.name)
    expat_calls = []
    real = xlsxsafe._expat_plain
    monkeypatch.setattr(xlsxsafe, "_expat_plain", lambda data: expat_calls.append(1) or real(data))
    plain, tree, used = _read_both(second, monkeypatch)
    assert plain == tree and ("sheet", True) in used
    assert plain[0].sheets[0].get(1, 2) == RawCell(3.0, NUMBER)
    assert plain[0].sheets[0].get(1, 1) == RawCell("a & b <c> \"d\" 'e' \u00e9\u4e2d", TEXT)
    assert expat_calls == []  # the sheet skipped expat (and this file has no shared strings)
