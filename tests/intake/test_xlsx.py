"""Reading correctness of the strict .xlsx reader (pipeline.intake.xlsx)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline import i18n
from pipeline.intake.raw import BOOL, EMPTY, ERRORVAL, NUMBER, TEXT, RawCell, normalise_name
from pipeline.intake.xlsx import read_workbook
from pipeline.settings import Limits
from tests.intake.hostile import MAIN_NS, REL_NS, package, shared_strings, valid_xlsx, worksheet

TREE_LIMIT = 4 * 1024 * 1024  # parts above this size are streamed (the reader's documented behaviour)
# words of the reader's own Indonesian prose: none may appear in an English message
INDONESIAN = ("rusak", "baris", "kolom", "tidak", "berkas", "arsip", "bagian", "lembar", "waktu", "memori", "galat",
              "ukuran", "rasio", "tautan", "elemen", "ruang nama", "kosong", "jumlah", "indeks", "nomor", "terpotong")


@pytest.fixture(params=["tree", "stream"])
def build(request):
    """build(path, sheets, sst=None, **package options) -> path: a hand-made package; sheets are (name, state,
    inner XML of <worksheet>), sst items are <si> contents. Every test using it runs twice: with small parts
    (parsed whole) and with worksheet and shared-strings parts padded with white space beyond the tree limit
    (streamed; stored, so that their compression ratio stays plausible)."""
    stream = request.param == "stream"

    def pad(part: bytes, end: bytes) -> bytes:
        return part.replace(end, b" " * (TREE_LIMIT + 1) + end) if stream else part

    def make(path: Path, sheets: list[tuple[str, str, str]], sst: list[str] | None = None, **kw) -> Path:
        parts = [(name, state, pad(worksheet(body), b"</worksheet>")) for name, state, body in sheets]
        sst_part = None if sst is None else pad(shared_strings(sst), b"</sst>")
        stored = [f"xl/worksheets/sheet{i}.xml" for i in range(1, len(sheets) + 1)] + ["xl/sharedStrings.xml"]
        path.write_bytes(package(parts, sst_part, stored=tuple(stored) if stream else (), **kw))
        return path

    return make


def read(path: Path, **kw):
    wb, findings = read_workbook(path, path.name, **kw)
    assert wb is not None, findings
    return wb, findings


def error(path: Path, **kw):
    """The one error finding of a rejected file, as (code, sheet, Indonesian found, English found)."""
    wb, findings = read_workbook(path, path.name, **kw)
    assert wb is None and len(findings) == 1, findings
    f = findings[0]
    english = f.message("en")
    assert not [w for w in INDONESIAN if w in english.casefold()], english
    return f.code, f.sheet, i18n.render(f.found, "id"), i18n.render(f.found, "en")


def values(sheet) -> dict[tuple[int, int], object]:
    return {k: c.value for k, c in sheet.cells.items()}


def test_openpyxl_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Identitas"
    ws["A1"], ws["B1"], ws["C1"], ws["D1"] = "Nama", 7, 2.5, True
    ws["A2"] = "=SUM(B1:C1)"
    ws.merge_cells("A4:C5")
    ws["A4"] = "gabung"
    hidden = wb.create_sheet("Rahasia")
    hidden.sheet_state = "hidden"
    hidden["B2"] = "x"
    very = wb.create_sheet("Sangat Rahasia")
    very.sheet_state = "veryHidden"
    wb.save(tmp_path / "a.xlsx")
    raw, findings = read(tmp_path / "a.xlsx")
    assert findings == []
    assert [(s.name, s.state) for s in raw.sheets] == [("Identitas", "visible"), ("Rahasia", "hidden"),
                                                        ("Sangat Rahasia", "veryHidden")]
    s = raw.sheet("identitas")
    assert s.get(1, 1) == RawCell("Nama", TEXT)
    assert s.get(1, 2) == RawCell(7.0, NUMBER)
    assert s.get(1, 3) == RawCell(2.5, NUMBER)
    assert s.get(1, 4) == RawCell(True, BOOL)
    assert s.get(2, 1) == RawCell(None, EMPTY, "SUM(B1:C1)")  # openpyxl writes no cached value
    assert s.merged == [(4, 1, 5, 3)]
    assert raw.sheet("Rahasia").get(2, 2).value == "x"
    assert not raw.has_macros and raw.external_links == 0


def test_shared_inline_and_rich_strings(tmp_path, build):
    sst = [
        "<t>biasa</t>",
        '<t xml:space="preserve">  spasi  </t>',
        '<r><rPr><b/></rPr><t>teb</t></r><r><t xml:space="preserve">al biasa</t></r>',
        "<t>漢字</t><rPh sb=\"0\" eb=\"1\"><t>かんじ</t></rPh>",
        "<t>baris_x000D_baru_x005F_x0041_</t>",
        "<t/>",
    ]
    body = ('<sheetData><row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDEF"))
            + '<c r="G1" t="inlineStr"><is><t>sebaris</t></is></c>'
            + '<c r="H1" t="inlineStr"><is><r><t>ka</t></r><r><t>ya</t></r></is></c>'
            + "</row></sheetData>")
    raw, _ = read(build(tmp_path / "s.xlsx", [("S", "visible", body)], sst))
    assert [raw.sheets[0].get(1, c).value for c in range(1, 9)] == [
        "biasa", "  spasi  ", "tebal biasa", "漢字", "baris\rbaru_x0041_", "", "sebaris", "kaya"]
    assert all(c.kind == TEXT for c in raw.sheets[0].cells.values())


def test_value_types(tmp_path, build):
    body = ("<sheetData><row r=\"1\">"
            '<c r="A1"><v>42</v></c><c r="B1" t="n"><v>-1.5E3</v></c>'
            '<c r="C1" t="b"><v>0</v></c><c r="D1" t="b"><v>1</v></c>'
            '<c r="E1" t="e"><v>#N/A</v></c><c r="F1" t="str"><v>hasil</v></c>'
            '<c r="G1" t="d"><v>2024-05-01T00:00:00</v></c>'
            '<c r="H1" s="3"/><c r="I1" t="s"></c><c r="J1"><v>1_000</v></c><c r="K1"><v>nan</v></c>'
            "</row></sheetData>")
    s = read(build(tmp_path / "t.xlsx", [("S", "visible", body)], []))[0].sheets[0]
    assert s.get(1, 1) == RawCell(42.0, NUMBER)
    assert s.get(1, 2) == RawCell(-1500.0, NUMBER)
    assert s.get(1, 3) == RawCell(False, BOOL) and s.get(1, 4) == RawCell(True, BOOL)
    assert s.get(1, 5) == RawCell("#N/A", ERRORVAL)
    assert s.get(1, 6) == RawCell("hasil", TEXT)
    assert s.get(1, 7) == RawCell("2024-05-01T00:00:00", TEXT)
    assert s.get(1, 8) is None and s.get(1, 9) is None  # styled but empty cells are omitted
    assert s.get(1, 10) == RawCell("1_000", TEXT) and s.get(1, 11) == RawCell("nan", TEXT)  # not Excel numbers


def test_formulas(tmp_path, build):
    body = ("<sheetData>"
            '<row r="1"><c r="A1"><f>B1*2</f><v>4</v></c><c r="B1"><v>2</v></c></row>'
            '<row r="2"><c r="A2"><f>VLOOKUP(B2,Ref!A:B,2,0)</f></c>'
            '<c r="B2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
            '<row r="3"><c r="A3"><f t="shared" ref="A3:A5" si="0">B3+1</f><v>1</v></c></row>'
            '<row r="4"><c r="A4"><f t="shared" si="0"/><v>2</v></c></row>'
            '<row r="5"><c r="A5"><f t="shared" si="0"/></c></row>'
            '<row r="6"><c r="A6"><f t="shared" si="7"/><v>3</v></c>'
            '<c r="B6"><f t="array" ref="B6">SUM(A1:A5)</f><v>10</v></c></row>'
            "</sheetData>")
    s = read(build(tmp_path / "f.xlsx", [("S", "visible", body)]))[0].sheets[0]
    assert s.get(1, 1) == RawCell(4.0, NUMBER, "B1*2")
    assert s.get(2, 1) == RawCell(None, EMPTY, "VLOOKUP(B2,Ref!A:B,2,0)")
    assert s.get(2, 2) == RawCell("ab", TEXT, '"a"&"b"')
    assert s.get(2, 3) == RawCell("#DIV/0!", ERRORVAL, "1/0")
    assert s.get(3, 1) == RawCell(1.0, NUMBER, "B3+1")
    assert s.get(4, 1) == RawCell(2.0, NUMBER, "B3+1")  # shared follower: the master's text
    assert s.get(5, 1) == RawCell(None, EMPTY, "B3+1")
    assert s.get(6, 1) == RawCell(3.0, NUMBER, "(shared)")  # master unknown
    assert s.get(6, 2) == RawCell(10.0, NUMBER, "SUM(A1:A5)")


def test_missing_r_attributes(tmp_path, build):
    body = ("<sheetData>"
            "<row><c><v>1</v></c><c><v>2</v></c><c r=\"E1\"><v>5</v></c><c><v>6</v></c></row>"
            "<row><c><v>7</v></c></row>"
            '<row r="10"><c><v>10</v></c><c r="C10"><v>11</v></c></row>'
            "<row><c r=\"B11\"><v>12</v></c></row>"
            '<row r="12"><c r="C12"/><c><v>13</v></c><c r="f12"><v>14</v></c></row>'
            "</sheetData>")
    s = read(build(tmp_path / "r.xlsx", [("S", "visible", body)]))[0].sheets[0]
    assert values(s) == {(1, 1): 1.0, (1, 2): 2.0, (1, 5): 5.0, (1, 6): 6.0, (2, 1): 7.0,
                         (10, 1): 10.0, (10, 3): 11.0, (11, 2): 12.0, (12, 4): 13.0, (12, 6): 14.0}


def test_wrong_dimension_and_far_corner(tmp_path, build):
    body = ('<dimension ref="A1"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
            '<row r="100"><c r="Z100"><v>2</v></c></row>'
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>ujung</t></is></c></row></sheetData>'
            '<mergeCells count="2"><mergeCell ref="B2:D3"/><mergeCell ref="$F$7"/></mergeCells>')
    s = read(build(tmp_path / "d.xlsx", [("S", "visible", body)]))[0].sheets[0]
    assert len(s.cells) == 3  # sparse: the far corner is one cell, not a filled range
    assert values(s) == {(1, 1): 1.0, (100, 26): 2.0, (1048576, 16384): "ujung"}
    assert s.merged == [(2, 2, 3, 4), (7, 6, 7, 6)]


@pytest.mark.parametrize("body, found", [
    ('<sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData>', "referensi sel 'XFE1' tidak valid"),
    ('<sheetData><row r="1"><c r="A1048577"><v>1</v></c></row></sheetData>', "referensi sel 'A1048577' tidak valid"),
    ('<sheetData><row r="1048577"><c r="A1"><v>1</v></c></row></sheetData>', "nomor baris 1048577 tidak valid"),
    ('<sheetData><row r="1"><c r="A1" t="s"><v>3</v></c></row></sheetData>', "indeks string bersama 3 tidak valid"),
    ('<sheetData><row r="1"><c r="A1" t="s"><v>\u00b2</v></c></row></sheetData>',
     "indeks string bersama \u00b2 tidak valid"),
    ('<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"></sheetData>', "XML rusak (baris 2, kolom "),
])
def test_bad_sheets_are_corrupt(tmp_path, body, found, build):
    code, sheet, text, _ = error(build(tmp_path / "b.xlsx", [("S", "visible", body)], ["<t>a</t>"]))
    assert (code, sheet) == ("corrupt-workbook", "S")
    assert text.startswith(f"xl/worksheets/sheet1.xml: {found}")


def test_absolute_targets_and_sheet_filter(tmp_path, build):
    sheets = [("Identitas", "visible", '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'),
              ("Penilaian ", "hidden", '<sheetData><row r="2"><c r="B2"><v>2</v></c></row></sheetData>'),
              ("Lain", "visible", "<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>99</v></c></row></sheetData>")]
    path = build(tmp_path / "abs.xlsx", sheets, [], absolute_targets=True)
    raw, _ = read(path, sheets={normalise_name("PENILAIAN"), normalise_name("Identitas")})
    assert [(s.name, s.state, len(s.cells)) for s in raw.sheets] == [
        ("Identitas", "visible", 1), ("Penilaian ", "hidden", 1), ("Lain", "visible", 0)]
    assert raw.sheet("penilaian").get(2, 2).value == 2.0
    # without the filter, the bad shared-string index in "Lain" is found
    assert error(path)[:2] == ("corrupt-workbook", "Lain")


def test_missing_parts_are_corrupt(tmp_path, build):
    ok = build(tmp_path / "ok.xlsx", [("S", "visible", "<sheetData/>")])
    for drop, expect, english in (("xl/workbook.xml", "bagian xl/workbook.xml tidak ada",
                                   "part xl/workbook.xml is missing"),
                                  ("xl/worksheets/sheet1.xml", "bagian lembar 'S' tidak ada",
                                   "the part of sheet 'S' is missing")):
        bad = tmp_path / f"no-{drop.replace('/', '-')}"
        with zipfile.ZipFile(ok) as zin, zipfile.ZipFile(bad, "w") as zout:
            for info in zin.infolist():
                if info.filename != drop:
                    zout.writestr(info, zin.read(info))
        assert error(bad)[::2] == ("corrupt-workbook", expect) and error(bad)[3] == english


def test_limits(tmp_path, build):
    body = "<sheetData>" + "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>'
                                   for r in range(1, 51)) + "</sheetData>"
    path = build(tmp_path / "l.xlsx", [("Besar", "visible", body)])
    assert error(path, limits=Limits(max_cells_per_sheet=60))[:3] == ("sheet-too-large", "Besar", "> 60")
    assert error(path, limits=Limits(max_seconds=0)) == ("resource-limit", "", "waktu 0 s", "time 0 s")
    assert error(path, limits=Limits(max_total_uncompressed=2000))[0] == "zip-bomb"
    assert error(path, limits=Limits(max_file_bytes=100))[0] == "file-too-large"
    assert error(path, limits=Limits(max_members=3))[2:] == ("jumlah bagian arsip 3", "number of archive parts 3")
    assert read_workbook(path, "l.xlsx", Limits(max_cells_per_sheet=100))[0] is not None


def test_typical_questionnaire_reads_every_cell(tmp_path):
    """A questionnaire-sized sheet read twice gives the same cells. Speed is measured by bench/run.py."""
    path = valid_xlsx(tmp_path / "q.xlsx", rows=40, cols=15, text="uraian panjang " * 40)
    first, _ = read_workbook(path, "q.xlsx")
    wb, findings = read_workbook(path, "q.xlsx")
    assert wb is not None and findings == [] and len(wb.sheet("Penilaian").cells) == 600
    assert wb == first


@pytest.mark.parametrize("state", ["visible", "hidden", "veryHidden", "bogus"])
def test_sheet_states(tmp_path, state, build):
    raw, _ = read(build(tmp_path / "h.xlsx", [("S", state, "<sheetData/>")]))
    assert raw.sheets[0].state == (state if state != "bogus" else "visible")


def test_structural_parts(tmp_path, build):
    """The workbook part: a DTD is refused, a foreign root or an incomplete sheet list is corrupt, Strict is named."""
    body = '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'

    def with_workbook(xml: str) -> Path:
        return build(tmp_path / "w.xlsx", [("Satu", "visible", body)], extra={"xl/workbook.xml": xml.encode()})

    sheets = '<sheets><sheet name="Satu" sheetId="1" r:id="rId1"/></sheets>'
    assert error(with_workbook(f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><workbook xmlns="{MAIN_NS}" '
                               f'xmlns:r="{REL_NS}">{sheets}</workbook>'))[:3] == (
        "xml-dtd-forbidden", "", "xl/workbook.xml")
    assert error(with_workbook(f'<book xmlns="urn:x" xmlns:r="{REL_NS}">{sheets}</book>'))[2:] == (
        "xl/workbook.xml: bukan bagian buku kerja", "xl/workbook.xml: not a workbook part")
    assert error(with_workbook(f'<workbook xmlns="{MAIN_NS}"><sheets><sheet name="Satu"/></sheets></workbook>'))[2] \
        == "xl/workbook.xml: daftar lembar tidak lengkap"
    assert error(with_workbook(f'<workbook xmlns="{MAIN_NS}"><sheets/></workbook>'))[2] == \
        "xl/workbook.xml: tidak ada lembar kerja"
    assert error(with_workbook(f'<workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main" xmlns:r="{REL_NS}">'
                               f'{sheets}</workbook>'))[::2] == ("strict-open-xml", "Strict Open XML")


def test_foreign_sheet_namespace(tmp_path, build):
    path = build(tmp_path / "n.xlsx", [("S", "visible", "<sheetData/>")], extra={
        "xl/worksheets/sheet1.xml": b'<x:worksheet xmlns:x="urn:other"><x:sheetData/></x:worksheet>'})
    assert error(path)[2:] == ("xl/worksheets/sheet1.xml: ruang nama XML tidak dikenal",
                               "xl/worksheets/sheet1.xml: unknown XML namespace")
