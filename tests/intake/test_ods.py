"""The .ods reader: the same cells as the .xlsx reader gives for the same workbook, and the same answers,
scores and findings for questionnaires LibreOffice saved as .ods."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline import batch
from pipeline import layout as L
from pipeline.intake.ods import read_ods
from pipeline.intake.raw import BOOL, EMPTY, ERRORVAL, NUMBER, TEXT, RawCell
from pipeline.workers import Workers
from tests.intake import hostile
from tests.intake import hostile_mail as hm
from tests.libreoffice import require

STYLES = ('<style:style style:name="hid" style:family="table"><style:table-properties table:display="false"/>'
          "</style:style>")


def _read(tmp_path: Path, tables: str, styles: str = "") -> tuple:
    path = tmp_path / "t.ods"
    path.write_bytes(hm.ods(tables, styles))
    return read_ods(path, "t.ods")


def test_values_as_stored_never_evaluated(tmp_path: Path) -> None:
    row1 = (hm.cell("3 - Terdefinisi") + hm.cell("4", "float") + hm.cell("0.5", "percentage")
            + '<table:table-cell office:value-type="date" office:date-value="2026-03-12"/>'
            + '<table:table-cell office:value-type="date" office:date-value="2026-03-12T12:00:00"/>'
            + '<table:table-cell office:value-type="boolean" office:boolean-value="true"/>'
            + '<table:table-cell office:value-type="time" office:time-value="PT06H00M00S"/>')
    row2 = ('<table:table-cell table:formula="of:=1+2" office:value-type="float" office:value="3"/>'
            '<table:table-cell table:formula="of:=NA()" office:value-type="string" office:string-value="" '
            'calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>'
            '<table:table-cell table:formula="of:=[.A1]"/>'
            '<table:table-cell office:value-type="string"><text:p>dua<text:s text:c="3"/>spasi</text:p>'
            "<text:p>baris<text:line-break/>baru</text:p><office:annotation><text:p>komentar</text:p>"
            "</office:annotation></table:table-cell>"
            '<table:table-cell office:value-type="float" office:value="NaN"/>')
    wb, findings = _read(tmp_path, hm.table("A", f"<table:table-row>{row1}</table:table-row>"
                                                 f"<table:table-row>{row2}</table:table-row>"))
    assert findings == []
    cells = wb.sheets[0].cells
    assert [cells[(1, c)] for c in range(1, 8)] == [
        RawCell("3 - Terdefinisi", TEXT), RawCell(4.0, NUMBER), RawCell(0.5, NUMBER), RawCell(46093.0, NUMBER),
        RawCell(46093.5, NUMBER), RawCell(True, BOOL), RawCell(0.25, NUMBER)]
    assert [cells[(2, c)] for c in range(1, 6)] == [
        RawCell(3.0, NUMBER, "1+2"), RawCell("#N/A", ERRORVAL, "NA()"), RawCell(None, EMPTY, "[.A1]"),
        RawCell("dua   spasi\nbaris\nbaru", TEXT), RawCell("NaN", TEXT)]


def test_repeats_spans_covered_cells_and_hidden_sheets(tmp_path: Path) -> None:
    rows = ('<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2" '
            'office:value-type="float" office:value="7"/><table:table-cell/></table:table-row>'
            '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
            'table:number-columns-repeated="16384"/></table:table-row>'
            '<table:table-row><table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2" '
            'office:value-type="string"><text:p>gabung</text:p></table:table-cell><table:covered-table-cell '
            'office:value-type="string"><text:p>tertutup</text:p></table:covered-table-cell></table:table-row>')
    wb, findings = _read(tmp_path, hm.table("A", rows) + hm.table("B", "", "hid"), STYLES)
    a, b = wb.sheets
    assert a.cells == {(1, 1): RawCell(7.0, NUMBER), (1, 2): RawCell(7.0, NUMBER), (2, 1): RawCell(7.0, NUMBER),
                       (2, 2): RawCell(7.0, NUMBER), (1000003, 1): RawCell("gabung", TEXT),
                       (1000003, 2): RawCell("tertutup", TEXT)}
    assert a.merged == [(1000003, 1, 1000004, 2)]
    assert (a.state, b.state, findings) == ("visible", "hidden", [])


def test_repeated_content_past_the_cell_limit_is_refused_before_it_is_made(tmp_path: Path) -> None:
    rows = ('<table:table-row table:number-rows-repeated="100000"><table:table-cell table:number-columns-repeated='
            '"100" office:value-type="float" office:value="1"/></table:table-row>')
    wb, [f] = _read(tmp_path, hm.table("A", rows))
    assert wb is None and (f.code, f.sheet, f.expected) == ("sheet-too-large", "A", "500000")


def test_macros_are_reported_never_run(tmp_path: Path) -> None:
    path = tmp_path / "m.ods"
    path.write_bytes(hm.ods(hm.table("A", ""), extra={"Basic/Standard/Module1.xml": b"<x/>"}))
    wb, findings = read_ods(path, "m.ods")
    assert wb.has_macros and [f.code for f in findings] == ["macro-workbook"]


# ---------------------------------------------------------------- the same answers as in .xlsx


def _to_ods(files: list[Path], outdir: Path) -> None:
    outdir.mkdir()
    profile = (outdir.parent / "lo-profile").resolve().as_uri()
    proc = subprocess.run([require("soffice"), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "ods",
                           "--outdir", str(outdir), *map(str, files)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and len(list(outdir.glob("*.ods"))) == len(files), proc.stderr


def _error_value(path: Path, ref: str) -> Path:
    """Put the error value #N/A (no formula) into a level cell of Penilaian, as Excel stores it."""
    out = hostile.error_value(path, ref, path.with_name(path.stem + "-err.xlsx"))
    path.unlink()
    return out


def _answers(sub) -> tuple:
    findings = sorted((f.code, f.sheet, f.cell) for f in sub.findings)
    return (sub.opd_code, sub.date_filled, sub.year, sub.answers, sub.applications, sub.infrastructure, findings)


@pytest.mark.libreoffice
def test_ods_answers_score_exactly_as_xlsx(tmp_path: Path, make_submission, fw2018) -> None:
    src = tmp_path / "xlsx"
    src.mkdir()
    level = {i.id: f"H{r}" for i, r in zip(fw2018.indicators, range(6, 100), strict=False)}
    files = [
        make_submission(src, opd="BKD", name="bkd.xlsx", levels={"1": "Level 4", "2": "tiga?", "3": 6, "4": "=1+2",
                                                                   "5": "3 - Terdefinisi", "6": "３", "7": None},
                        verified={"8": 1, "9": "4 - Terintegrasi"},
                        applications=[{"name": "SIMPEG", "function": "Kepegawaian", "status": "Aktif",
                                       "hosting": "Penyedia cloud", "url": "https://simpeg.example"}],
                        infrastructure={"server_room": "Tidak"},
                        server_rows=[{"name": "SIMPEG", "hosting": "Penyedia cloud", "vcpu": "4 core", "apps": "SIMPEG"}],
                        sites=[{"site": "Kantor BKD", "provider": "Telkom", "bandwidth": "20 Mbps"}]),
        make_submission(src, opd="DINKES", name="dinkes.xlsx", levels={"10": 5, "11": 0}, replace_levels=False),
        make_submission(src, opd="", name="blank-opd.xlsx"),
    ]
    merged = make_submission(src, opd="BAPPEDA", name="merged.xlsx", levels={"1": 3, "2": None})
    wb = openpyxl.load_workbook(merged)
    wb[L.SHEET_ASSESSMENT].merge_cells(f"{level['1']}:{level['2']}")
    wb.save(merged)
    hidden = make_submission(src, opd="DISHUB", name="hidden.xlsx", levels={"25": 4})
    wb = openpyxl.load_workbook(hidden)
    wb[L.SHEET_ASSESSMENT].sheet_state = "hidden"
    wb.save(hidden)
    files += [merged, hidden, _error_value(make_submission(src, opd="DISDIKBUD", name="err.xlsx"), level["10"])]
    _to_ods(files, tmp_path / "ods")
    inline = Workers(inline=True)
    xlsx = {Path(s.file).stem: s for s in batch.check([src], workers=inline).submissions}
    ods = {Path(s.file).stem: s for s in batch.check([tmp_path / "ods"], workers=inline).submissions}
    assert set(xlsx) == set(ods) and len(xlsx) == 6
    for name, sub in xlsx.items():
        want = _answers(sub)
        if name == "err-err":  # LibreOffice stores Excel's error value #N/A as the formula =NA(): still unusable
            want = (*want[:-1], sorted(("level-formula", *f[1:]) if f[0] == "level-error-value" else f for f in want[-1]))
        assert _answers(ods[name]) == want, name
    codes = {c for s in ods.values() for c, _, _ in _answers(s)[-1]}
    assert {"level-formula", "level-coerced", "merged-answer-cell", "hidden-sheet", "opd-missing"} <= codes
    a = batch.merge(src, tmp_path / "a.xlsx", workers=inline)
    b = batch.merge(tmp_path / "ods", tmp_path / "b.xlsx", workers=inline)
    assert {c: (s.index, s.domains) for c, s in a.scores.items()} == {c: (s.index, s.domains) for c, s in b.scores.items()}
