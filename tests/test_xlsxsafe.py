"""Reading correctness of the hostile-input-safe xlsx reader (pipeline.xlsxsafe)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile import MAIN_NS, valid_xlsx

from pipeline import xlsxsafe
from pipeline.models import BOOL, EMPTY, ERRORVAL, NUMBER, TEXT, RawCell, normalise_name
from pipeline.xlsxsafe import COLUMNS, Limits, read_workbook

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


@pytest.fixture(autouse=True, params=["tree", "stream"])
def parse_mode(request, monkeypatch):
    """Every test runs twice: sheets and shared strings parsed whole, and streamed (as large parts are)."""
    if request.param == "stream":
        monkeypatch.setattr(xlsxsafe, "_MAX_TREE_PART", 0)
    return request.param


def build(path: Path, sheets: list[tuple[str, str, str]], sst: list[str] | None = None, *,
          absolute_targets: bool = False, extra: dict[str, bytes] | None = None) -> Path:
    """A hand-made package: sheets are (name, state, inner XML of <worksheet>); sst items are <si> contents."""
    files: dict[str, str | bytes] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                       f'Target="xl/workbook.xml"/></Relationships>',
    }
    entries, rels = [], []
    for i, (name, state, body) in enumerate(sheets, 1):
        entries.append(f'<sheet name="{name}" sheetId="{i}" state="{state}" r:id="rId{i}"/>')
        target = f"/xl/worksheets/sheet{i}.xml" if absolute_targets else f"worksheets/sheet{i}.xml"
        rels.append(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="{target}"/>')
        files[f"xl/worksheets/sheet{i}.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' \
                                               f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL}">{body}</worksheet>'
    if sst is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
        items = "".join(f"<si>{s}</si>" for s in sst)
        files["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN_NS}" count="{len(sst)}">{items}</sst>'
    files["xl/workbook.xml"] = f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL}"><sheets>{"".join(entries)}</sheets></workbook>'
    files["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'
    files.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def read(path: Path, **kw):
    wb, findings = read_workbook(path, path.name, **kw)
    assert wb is not None, findings
    return wb, findings


def values(sheet) -> dict[tuple[int, int], object]:
    return {k: c.value for k, c in sheet.cells.items()}


def test_column_table():
    assert COLUMNS["A"] == 1 and COLUMNS["Z"] == 26 and COLUMNS["AA"] == 27 and COLUMNS["XFD"] == 16384
    assert len(COLUMNS) == 16384 and "XFE" not in COLUMNS


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


def test_shared_inline_and_rich_strings(tmp_path):
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


def test_value_types(tmp_path):
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


def test_formulas(tmp_path):
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
    assert all(c.formula for c in s.cells.values() if c.formula is not None)


def test_missing_r_attributes(tmp_path):
    body = ("<sheetData>"
            "<row><c><v>1</v></c><c><v>2</v></c><c r=\"E1\"><v>5</v></c><c><v>6</v></c></row>"
            "<row><c><v>7</v></c></row>"
            '<row r="10"><c><v>10</v></c><c r="C10"><v>11</v></c></row>'
            "<row><c r=\"B11\"><v>12</v></c></row>"
            "</sheetData>")
    s = read(build(tmp_path / "r.xlsx", [("S", "visible", body)]))[0].sheets[0]
    assert values(s) == {(1, 1): 1.0, (1, 2): 2.0, (1, 5): 5.0, (1, 6): 6.0, (2, 1): 7.0,
                         (10, 1): 10.0, (10, 3): 11.0, (11, 2): 12.0}


def test_wrong_dimension_and_far_corner(tmp_path):
    body = ('<dimension ref="A1"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
            '<row r="100"><c r="Z100"><v>2</v></c></row>'
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>ujung</t></is></c></row></sheetData>'
            '<mergeCells count="2"><mergeCell ref="B2:D3"/><mergeCell ref="$F$7"/></mergeCells>')
    s = read(build(tmp_path / "d.xlsx", [("S", "visible", body)]))[0].sheets[0]
    assert len(s.cells) == 3  # sparse: the far corner is one cell, not a filled range
    assert values(s) == {(1, 1): 1.0, (100, 26): 2.0, (1048576, 16384): "ujung"}
    assert s.max_row == 1048576
    assert s.merged == [(2, 2, 3, 4), (7, 6, 7, 6)]


def test_absolute_targets_and_sheet_filter(tmp_path):
    sheets = [("Identitas", "visible", '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'),
              ("Penilaian ", "hidden", '<sheetData><row r="2"><c r="B2"><v>2</v></c></row></sheetData>'),
              ("Lain", "visible", "<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>99</v></c></row></sheetData>")]
    path = build(tmp_path / "abs.xlsx", sheets, [], absolute_targets=True)
    raw, _ = read(path, sheets={normalise_name("PENILAIAN"), normalise_name("Identitas")})
    assert [(s.name, s.state, len(s.cells)) for s in raw.sheets] == [
        ("Identitas", "visible", 1), ("Penilaian ", "hidden", 1), ("Lain", "visible", 0)]
    assert raw.sheet("penilaian").get(2, 2).value == 2.0
    # without the filter, the bad shared-string index in "Lain" is found
    wb, findings = read_workbook(path, "abs.xlsx")
    assert wb is None and [(f.code, f.sheet) for f in findings] == [("corrupt-workbook", "Lain")]


def test_missing_parts_are_corrupt(tmp_path):
    ok = build(tmp_path / "ok.xlsx", [("S", "visible", "<sheetData/>")])
    for drop, expect in (("xl/workbook.xml", "workbook.xml"), ("xl/worksheets/sheet1.xml", "lembar 'S'")):
        bad = tmp_path / f"no-{drop.replace('/', '-')}"
        with zipfile.ZipFile(ok) as zin, zipfile.ZipFile(bad, "w") as zout:
            for info in zin.infolist():
                if info.filename != drop:
                    zout.writestr(info, zin.read(info))
        wb, findings = read_workbook(bad, bad.name)
        assert wb is None and [f.code for f in findings] == ["corrupt-workbook"] and expect in findings[0].found


def test_limits(tmp_path):
    body = "<sheetData>" + "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>'
                                   for r in range(1, 51)) + "</sheetData>"
    path = build(tmp_path / "l.xlsx", [("Besar", "visible", body)])
    wb, findings = read_workbook(path, "l.xlsx", Limits(max_cells_per_sheet=60))
    assert wb is None and [(f.code, f.sheet, f.expected) for f in findings] == [("sheet-too-large", "Besar", "60")]
    wb, findings = read_workbook(path, "l.xlsx", Limits(max_seconds=0))
    assert wb is None and [(f.code, f.found) for f in findings] == [("resource-limit", "waktu 0 s")]
    wb, findings = read_workbook(path, "l.xlsx", Limits(max_total_uncompressed=2000))
    assert wb is None and [f.code for f in findings] == ["zip-bomb"]
    wb, findings = read_workbook(path, "l.xlsx", Limits(max_file_bytes=100))
    assert wb is None and [f.code for f in findings] == ["file-too-large"]
    assert read_workbook(path, "l.xlsx", Limits(max_cells_per_sheet=100))[0] is not None


def test_streaming_limit_catches_a_lying_declared_size(tmp_path, monkeypatch):
    """The per-part limit holds while decompressing even if the declared size were not checked."""
    body = "<sheetData>" + '<row r="1"><c r="A1"><v>1</v></c></row>' * 3000 + "</sheetData>"
    path = build(tmp_path / "big.xlsx", [("S", "visible", body)])
    monkeypatch.setattr(xlsxsafe._Reader, "_check_archive", _register_members_only)
    wb, findings = read_workbook(path, "big.xlsx", Limits(max_member_bytes=50_000))
    assert wb is None and [f.code for f in findings] == ["zip-bomb"] and "> 48.8 KB" in findings[0].found


def _register_members_only(self) -> None:
    for info in self.zf.infolist():
        self.members[info.filename.casefold()] = info


def test_typical_questionnaire_reads_every_cell(tmp_path):
    """A questionnaire-sized sheet read twice (the second time through the per-process memos) gives the same
    cells. Speed is measured by bench/run.py, not asserted here."""
    path = valid_xlsx(tmp_path / "q.xlsx", rows=40, cols=15, text="uraian panjang " * 40)
    first, _ = read_workbook(path, "q.xlsx")
    wb, findings = read_workbook(path, "q.xlsx")
    assert wb is not None and len(wb.sheet("Penilaian").cells) == 600
    assert wb == first


@pytest.mark.parametrize("state", ["visible", "hidden", "veryHidden", "bogus"])
def test_sheet_states(tmp_path, state):
    raw, _ = read(build(tmp_path / "h.xlsx", [("S", state, "<sheetData/>")]))
    assert raw.sheets[0].state == (state if state != "bogus" else "visible")


def test_structural_parts_are_parsed_once_per_version(tmp_path, monkeypatch):
    """Content types, relationships and the workbook part repeat across a batch: each version (its bytes) is
    parsed once per process; a file whose workbook part differs gets its own reading."""
    monkeypatch.setattr(xlsxsafe, "_PARSED", {})
    parsed: list[str] = []
    tree = xlsxsafe._Reader._tree

    def counting(self, part, *args, **kw):
        parsed.append(part)
        return tree(self, part, *args, **kw)

    monkeypatch.setattr(xlsxsafe._Reader, "_tree", counting)
    body = '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
    a, _ = read(build(tmp_path / "a.xlsx", [("Satu", "visible", body)]))
    first = sorted(parsed)
    assert first == ["[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml"]
    parsed.clear()
    b, _ = read(build(tmp_path / "b.xlsx", [("Satu", "visible", body)]))
    assert parsed == [] and [s.name for s in b.sheets] == ["Satu"]
    c, _ = read(build(tmp_path / "c.xlsx", [("Dua", "hidden", body)]))
    assert parsed == ["xl/workbook.xml"]
    assert [(s.name, s.state) for s in c.sheets] == [("Dua", "hidden")] and c.sheets[0].get(1, 1) == RawCell(1.0, NUMBER)
    # a DTD is refused before the memo is looked up, whatever came before
    hostile = build(tmp_path / "d.xlsx", [("Satu", "visible", body)], extra={
        "xl/workbook.xml": f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><workbook xmlns="{MAIN_NS}" '
                           f'xmlns:r="{REL}"><sheets><sheet name="Satu" sheetId="1" r:id="rId1"/></sheets></workbook>'})
    wb, findings = read_workbook(hostile, hostile.name)
    assert wb is None and [f.code for f in findings] == ["xml-dtd-forbidden"]
