"""History across three years made by the real pipeline (see :mod:`tests.history.scenario`): every figure of the
Tren sheet, the Ringkasan charts and the gap sheets' memory computed again here from the levels alone."""

from __future__ import annotations

import json
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from pipeline import report
from pipeline.catalog.framework import display, exact
from pipeline.workers import Workers
from tests.history import scenario
from tests.history.scenario import FRAMEWORK, index_of
from tests.libreoffice import pdf_text, printed_points, require_calibri_metrics, to_pdf
from tests.report import paper
from tests.report.test_fast import assert_same_books, both_ways, needs_tested_xlsxwriter, parts

# today's OPD -> the OPDs whose questionnaires it is made of, per year (written out, not taken from the roster code)
ORIGIN = {
    2024: {"DISKOMINFO": ["DISKOMINFO"], "BPKAD": ["BPKAD"], "BAPPERIDA": ["BAPPEDA"],
           "DISPARPORA": ["DISPORA", "DISPAR"], "DINKES": ["DINKES"], "BKD": ["BKD"], "DISHUB": []},
    2025: {"DISKOMINFO": ["DISKOMINFO"], "BPKAD": ["BPKAD"], "BAPPERIDA": ["BAPPERIDA"],
           "DISPARPORA": ["DISPORA", "DISPAR"], "DINKES": ["DINKES"], "BKD": ["BKD"], "DISHUB": []},
    2026: {"DISKOMINFO": ["DISKOMINFO"], "BPKAD": ["BPKAD"], "BAPPERIDA": ["BAPPERIDA"],
           "DISPARPORA": ["DISPARPORA"], "DINKES": ["DINKES"], "BKD": [], "DISHUB": ["DISHUB"]},
}
pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension")  # openpyxl reads around sparklines
CROSSWALK = {"32": "27", "33": "28", "34": "29", "35": "31", "36": "26", "37": "25", "1": "3", "4": "6", "5": "5"}


@pytest.fixture(scope="module")
def rekap26(years: scenario.Years):
    return openpyxl.load_workbook(years.rekap(2026))


def own_index(years: scenario.Years, year: int, code: str) -> Fraction:
    return index_of(FRAMEWORK[year], years.levels[year][code])


def figure(years: scenario.Years, year: int, code: str) -> Fraction | None:
    parts = ORIGIN[year][code]
    return sum((own_index(years, year, p) for p in parts), Fraction(0)) / len(parts) if parts else None


def band(value: Fraction) -> str:
    data = json.loads((scenario.ROOT / "pipeline" / "catalogs" / "permenpanrb-59-2020.json").read_text("utf-8"))
    return max((b for b in data["bands"] if value >= Fraction(b["min"])), key=lambda b: Fraction(b["min"]))["name"]


def rank_among(years: scenario.Years, year: int, code: str) -> int:
    mine = own_index(years, year, code)
    return 1 + sum(1 for other in years.levels[year] if own_index(years, year, other) > mine)


def find_row(ws, column: int, text: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, column).value == text)


def close(cell_value: object, exact_value: Fraction) -> bool:
    return isinstance(cell_value, float) and abs(cell_value - float(exact_value)) < 1e-6


def test_merge_prints_the_years_it_used(years: scenario.Years) -> None:
    lines = {year: years.results[year].summary_lines("id") for year in years.results}
    assert f"Riwayat: tidak ada rekap tahun sebelumnya di {years.folder}" in lines[2024]
    assert f"Riwayat dari {years.folder}: 2024" in lines[2025]
    assert f"Riwayat dari {years.folder}: 2024, 2025" in lines[2026]
    assert not years.results[2026].history.findings


def test_tren_rows_every_figure(years: scenario.Years, rekap26) -> None:
    ws = rekap26["Tren"]
    head = find_row(ws, 2, "Kode OPD")
    heads = [c.value for c in ws[head]]
    assert heads[4:7] == ["2024", "2025", "2026"]
    assert heads[7:13] == ["Perubahan sejak 2025", "Perubahan sejak 2024", "Peringkat 2025", "Peringkat 2026", "Tren",
                           "Keterangan"]
    rows = {}
    for r in range(head + 1, head + 1 + len(ORIGIN[2026])):
        values = [c.value for c in ws[r]]
        rows[values[1]] = (r, values)
    assert set(rows) == set(ORIGIN[2026])  # every roster OPD with a figure in some year
    expected_order = []
    for code, (r, values) in rows.items():
        points = {y: figure(years, y, code) for y in (2024, 2025, 2026)}
        for k, year in enumerate((2024, 2025, 2026)):
            cell = ws.cell(r, 5 + k)
            if points[year] is None:
                assert cell.value is None, (code, year)
            else:
                assert close(cell.value, points[year]), (code, year, cell.value)
                assert cell.number_format == f'0.00" {band(points[year])}"', (code, year)
        first = next(points[y] for y in (2024, 2025, 2026) if points[y] is not None)
        change_last = points[2026] - points[2025] if points[2026] is not None and points[2025] is not None else None
        change_first = points[2026] - first if points[2026] is not None and first is not points[2026] else None
        for value, want in ((values[7], change_last), (values[8], change_first)):
            assert (value is None) if want is None else close(value, want), (code, value, want)
        single = len(ORIGIN[2025][code]) == 1
        assert values[9] == (rank_among(years, 2025, ORIGIN[2025][code][0]) if single else None), code
        assert values[10] == (rank_among(years, 2026, code) if points[2026] is not None else None), code
        assert values[3] == ("baru" if code == "DISHUB" else "berhenti melapor" if code == "BKD" else None)
        expected_order.append((change_last is None, -(change_last or 0), values[2].casefold()))
    assert [rows[c][0] for c in rows] == sorted(rows[c][0] for c in rows)
    assert [key for key in expected_order] == sorted(expected_order)  # sorted by change since 2025
    assert rows["BAPPERIDA"][1][12] == "2024: dahulu BAPPEDA"
    assert rows["DISPARPORA"][1][12] == ("2024: gabungan DISPAR, DISPORA (rata-rata); "
                                         "2025: gabungan DISPAR, DISPORA (rata-rata)")


def test_tren_province_block(years: scenario.Years, rekap26) -> None:
    ws = rekap26["Tren"]
    mean_row = find_row(ws, 3, "Rata-rata indeks SPBE")
    assert [ws.cell(mean_row - 1, 5 + k).value for k in range(3)] == ["PermenPANRB 5/2018", "PermenPANRB 59/2020",
                                                                     "PermenPANRB 59/2020"]
    for k, year in enumerate((2024, 2025, 2026)):
        own = [own_index(years, year, c) for c in years.levels[year]]
        assert close(ws.cell(mean_row, 5 + k).value, sum(own, Fraction(0)) / len(own))
        assert ws.cell(mean_row + 1, 5 + k).value == len(own)
        for d, domain in enumerate(("D1", "D2", "D3", "D4")):
            cell = ws.cell(mean_row + 2 + d, 5 + k).value
            if year == 2024:
                assert cell == "tidak sebanding"
            else:
                means = [scenario.domains_of(FRAMEWORK[year], years.levels[year][c])[domain] for c in years.levels[year]]
                assert close(cell, sum(means, Fraction(0)) / len(means)), (year, domain)
    note = next(ws.cell(r, 1).value for r in range(1, 5) if str(ws.cell(r, 1).value).startswith("Kerangka berbeda"))
    assert "PermenPANRB 5/2018: 2024" in note and "PermenPANRB 59/2020: 2025, 2026" in note


def test_ringkasan_line_charts_read_the_tren_sheet(years: scenario.Years, rekap26) -> None:
    with zipfile.ZipFile(years.rekap(2026)) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
        sheet = z.read("xl/worksheets/sheet3.xml").decode()
    lines = [c for c in charts if "<c:lineChart>" in c]
    assert len(lines) == 2
    index_chart = next(c for c in lines if "Rata-rata indeks SPBE provinsi per tahun" in c)
    assert "Tren!$E$" in index_chart and "<c:ser>" in index_chart and index_chart.count("<c:ser>") == 1
    domains = next(c for c in lines if "per domain per tahun" in c)
    assert domains.count("<c:ser>") == 4 and "Tren!$F$" in domains and "Tren!$E$" not in domains  # 2025-2026 only
    assert sheet.count("<x14:sparkline>") == len(ORIGIN[2026])
    summary = [c.value for row in rekap26["Ringkasan"].iter_rows() for c in row if isinstance(c.value, str)]
    mean25 = sum((own_index(years, 2025, c) for c in years.levels[2025]), Fraction(0)) / 7
    shown = display(mean25).replace(".", ",")  # an index in an Indonesian sentence: a decimal comma
    assert any(v.startswith(f"Tahun 2025: {shown} ({band(mean25)}); perubahan ") for v in summary)


def gap_table(ws) -> tuple[int, dict[str, list]]:
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "No." and ws.cell(r, 13).value)
    rows = {}
    for r in range(head + 1, ws.max_row + 1):
        ident = ws.cell(r, 1).value
        if not ident:
            break
        rows[str(ident)] = [c.value for c in ws[r]]
    return head, rows


def targets_printed(path: Path, sheet: str) -> dict[str, int]:
    """The Target column of a gap sheet as the rekap printed it."""
    ws = openpyxl.load_workbook(path)[sheet]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "No." and ws.cell(r, 6).value == "Target")
    out = {}
    for r in range(head + 1, ws.max_row + 1):
        if not ws.cell(r, 1).value:
            break
        out[str(ws.cell(r, 1).value)] = ws.cell(r, 6).value
    return out


@pytest.mark.parametrize("code", ["DISKOMINFO", "DISPARPORA"])
def test_gap_sheet_memory_same_framework(years: scenario.Years, rekap26, code: str) -> None:
    head, rows = gap_table(rekap26[code])
    ws = rekap26[code]
    assert [ws.cell(head, c).value for c in range(13, 17)] == ["Level 2025", "Perubahan", "Target 2025",
                                                               "Target 2025 tercapai"]
    parts = ORIGIN[2025][code]
    targets = [targets_printed(years.rekap(2025), p) for p in parts]
    for ind, values in rows.items():
        now = years.levels[2026][code][ind]
        last = sum((Fraction(years.levels[2025][p][ind]) for p in parts), Fraction(0)) / len(parts)
        target = sum((Fraction(t[ind]) for t in targets), Fraction(0)) / len(parts)
        assert values[4] == now
        assert close(float(values[12]), last) and close(float(values[13]), now - last), (ind, values[12:16])
        assert close(float(values[14]), target)
        assert values[15] == (("Ya" if now >= target else "Tidak") if target > last else None), ind
        fmt = ws.cell(next(r for r in range(head, ws.max_row) if ws.cell(r, 1).value == ind), 14).number_format
        assert "▼" in fmt
    mark = ws.cell(next(r for r in range(head, ws.max_row) if str(ws.cell(r, 1).value) == "1"), 14)
    assert (mark.fill.fgColor.rgb == "FFF8CBAD") == (rows["1"][13] < 0)


def test_gap_sheet_memory_across_frameworks(years: scenario.Years) -> None:
    """2025 (59/2020) against 2024 (5/2018): only the crosswalk's nine indicators compare."""
    ws = openpyxl.load_workbook(years.rekap(2025))["BAPPERIDA"]
    _, rows = gap_table(ws)
    targets = targets_printed(years.rekap(2024), "BAPPEDA")
    for ind, values in rows.items():
        if ind in CROSSWALK:
            old = years.levels[2024]["BAPPEDA"][CROSSWALK[ind]]
            assert (values[12], values[13], values[14]) == (old, values[4] - old, targets[CROSSWALK[ind]]), ind
        else:
            assert values[12] == "tidak sebanding" and values[13] is None and values[14] is None, ind
    labels = [c.value for row in ws.iter_rows(max_row=12) for c in row]
    assert "Indeks 2024" in labels
    assert any(isinstance(v, str) and v.startswith("Level dan target 2024: dari rekap 2024 (PermenPANRB 5/2018)")
               for row in ws.iter_rows() for v in (c.value for c in row))


def test_gap_sheets_with_memory_print_at_7_points_or_more(years: scenario.Years) -> None:
    """Last year's four columns beside the indicator table, the sheet fitted to one A4 landscape page wide: its
    10-point text prints at 7 points or more (5.2 with the widths before)."""
    book = openpyxl.load_workbook(years.rekap(2026), read_only=True)
    assert all(book[code].max_column == 16 for code in years.levels[2026])  # A-L and last year's four, M-P
    points = paper.fitted_points(years.rekap(2026), list(years.levels[2026]))
    assert min(points.values()) >= 7, points


def test_new_opd_gap_sheet_says_it_has_no_last_year(rekap26) -> None:
    ws = rekap26["DISHUB"]
    _, rows = gap_table(ws)
    assert all(v[12] is None for v in rows.values())
    assert any(isinstance(c.value, str) and c.value.startswith("OPD ini tidak ada dalam rekap 2025.")
               for row in ws.iter_rows() for c in row)


def test_data_sheet_format_2(years: scenario.Years, rekap26) -> None:
    ws = rekap26["Data"]
    heads = [c.value for c in ws[1]]
    assert heads[:12] == ["tahun", "kerangka", "kode_opd", "nama_opd", "indeks", "indeks_persis", "predikat",
                          "status", "tidak_dijawab", "berkas", "lembar", "versi_format"]
    assert heads[12] == "level_1" and heads[12 + 47] == "target_1" and len(heads) == 12 + 2 * 47
    targets = {code: targets_printed(years.rekap(2026), code) for code in years.levels[2026]}
    for row in ws.iter_rows(min_row=2, values_only=True):
        code = row[2]
        levels = years.levels[2026][code]
        assert (row[0], row[1], row[11]) == (2026, "permenpanrb-59-2020", 2)
        assert row[5] == exact(index_of(FRAMEWORK[2026], levels)) and row[6] == band(index_of(FRAMEWORK[2026], levels))
        assert list(row[12:59]) == [levels[str(n)] for n in range(1, 48)]
        assert list(row[59:]) == [targets[code][str(n)] for n in range(1, 48)]
    assert ws.max_row == 1 + len(years.levels[2026])
    assert "Data Indikator" in rekap26.sheetnames and rekap26["Data Indikator"]["P1"].value == "sel_level"


def test_a_format_1_rekap_is_read(tmp_path: Path, years: scenario.Years, pool: Workers) -> None:
    """A rekap written before the Data sheet had a version (by commit 1d74bde: tests/history/data) is read, its
    index checked against its Peringkat sheet; it has no targets."""
    from pipeline import history

    folder = tmp_path / "h"
    folder.mkdir()
    fixture = Path(__file__).parent / "data" / "rekap-spbe-2025-format1.xlsx"
    (folder / "rekap-spbe-2025.xlsx").write_bytes(fixture.read_bytes())
    h = history.load(folder, years.results[2026], pool)
    assert h.used == (2025,) and not [f for f in h.findings if f.code != "history-opd-unmatched"]
    assert [s.version for s in h.sources] == [1]
    data = openpyxl.load_workbook(fixture)["Data"]
    levels: dict[str, dict[str, int]] = {}
    for row in data.iter_rows(min_row=2, values_only=True):
        levels.setdefault(row[2], {})[row[4]] = row[9]
    row = h.row("DISKOMINFO")
    assert row.points[0][0] == index_of("permenpanrb-59-2020", levels["DISKOMINFO"])
    assert h.row("BAPPERIDA").points[0][0] == index_of("permenpanrb-59-2020", levels["BAPPEDA"])
    assert {m.target for m in h.memory["DISKOMINFO"]} == {None}
    assert [m.level for m in h.memory["DISKOMINFO"]] == [levels["DISKOMINFO"][str(n)] for n in range(1, 48)]


@needs_tested_xlsxwriter
@pytest.mark.parametrize("year", [2025, 2026])
def test_gap_workbooks_with_memory_render_from_the_template_as_xlsxwriter_writes_them(years: scenario.Years,
                                                                                      year: int) -> None:
    assert years.results[year].history.used
    assert_same_books(years.results[year])  # with memory (merged: mean levels), and DISHUB without


@needs_tested_xlsxwriter
def test_main_workbook_with_history_is_the_same_without_accelerators(years: scenario.Years, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    n = iter(range(2))
    fast_path, plain_path = both_ways(monkeypatch, lambda: report.write(
        years.results[2026], tmp_path / str(next(n)) / "rekap.xlsx", per_opd_files=False).workbook)
    assert parts(fast_path) == parts(plain_path)


@pytest.mark.libreoffice
def test_libreoffice_renders_tren_and_the_gap_sheets_memory(years: scenario.Years, tmp_path: Path) -> None:
    """Every index with its predikat shows in full (a column too narrow would show ###), the marks and notes too."""
    text = pdf_text(to_pdf(years.rekap(2026), tmp_path / "pdf", timeout=240))
    tren = text[text.index("Tren Indeks SPBE per OPD 2024-2026"):text.index("Matriks Level per Indikator")]
    assert "###" not in tren, tren[tren.index("###") - 300:] if "###" in tren else ""
    assert tren.count("tidak sebanding") == 4 + 1  # four domains of 2024, and once in the note on frameworks
    for code in ORIGIN[2026]:
        line = next(ln for ln in tren.splitlines() if f" {code} " in f" {ln} ")
        for year in (2024, 2025, 2026):
            value = figure(years, year, code)
            if value is not None:
                assert f"{display(value)} {band(value)}" in line, (code, year, line)
    for words in ("berhenti melapor", "baru", "2024: dahulu BAPPEDA", "PermenPANRB 5/2018", "Rekap yang dibaca"):
        assert words in tren, words
    start = text.index("Analisis Kesenjangan: Dinas Komunikasi dan Informatika")
    gap = text[start:text.index("Analisis Kesenjangan:", start + 1)]  # to the next OPD's sheet
    assert "###" not in gap and "Indeks 2025" in gap and "Level 2025" in gap and "tercapai" in gap
    drops = sum(1 for i, v in years.levels[2026]["DISKOMINFO"].items() if v < years.levels[2025]["DISKOMINFO"][i])
    assert gap.count("▼") == drops + 1  # and one in the note under the table
    table = next(n for n, page in enumerate(text.split("\f")) if "Tabel indikator" in page and "Level 2025" in page)
    text25 = pdf_text(to_pdf(years.rekap(2025), tmp_path / "pdf25", timeout=240))
    start = text25.index("Analisis Kesenjangan: Badan Perencanaan Pembangunan, Riset")
    gap25 = text25[start:text25.index("Analisis Kesenjangan:", start + 1)]
    assert gap25.count("tidak sebanding") == 47 - len(CROSSWALK) + 1  # and once in the note
    require_calibri_metrics()  # last year's columns beside the indicator table: printed at 7 points or more (was 5.1)
    assert printed_points(tmp_path / "pdf" / "rekap-spbe-2026.pdf", table + 1, tmp_path / "ref") >= 7
