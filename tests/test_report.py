"""The consolidated workbook: sheets, numbers, hostile text, determinism, atomic writes, LibreOffice rendering."""

from __future__ import annotations

import os
import re
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from batchfactory import CONTROL_TEXT, HOSTILE, odd_code_batch, standard_batch
from libreoffice import pdf_text, to_pdf

from pipeline import report
from pipeline.errors import OutputError
from pipeline.findings import OUTCOME_LABEL
from pipeline.framework import display
from pipeline.textutil import EXCEL_MAX_CHARS, TRUNCATION_MARKER

FIXED = ["Ringkasan", "Peringkat", "Matriks"]
TAIL = ["Validasi", "Berkas", "Belum Mengirim", "Aplikasi", "Aplikasi Bersama", "Hosting & Pusat Data",
        "Layanan vs Aplikasi", "Data"]


@pytest.fixture(scope="module")
def result():
    return standard_batch()


@pytest.fixture(scope="module")
def written(result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return report.write_report(result, tmp_path_factory.mktemp("rep") / "rekap.xlsx")


@pytest.fixture(scope="module")
def book(written: Path):
    return openpyxl.load_workbook(written)


@pytest.fixture(scope="module")
def values(written: Path):
    return openpyxl.load_workbook(written, data_only=True)


def rows_of(ws, header_row: int) -> list[dict]:
    """Rows under a heading row as dicts keyed by heading text, until the first empty row."""
    heads = [c.value for c in ws[header_row]]
    out = []
    for row in ws.iter_rows(min_row=header_row + 1):
        vals = [c.value for c in row]
        if all(v is None for v in vals):
            break
        out.append({h: v for h, v in zip(heads, vals, strict=False) if h is not None})
    return out


def find(ws, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return c.row, c.column
    raise LookupError(text)


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("value", ["2.645", "2.6449996", "1.005", "0.125", "3.5", "4.2", "2.675", "1/3", "2/3", "0",
                                   "5", "3.9999995", "2.6449994999"])
def test_stored_value_shows_display_text_and_keeps_6_decimals(value: str) -> None:
    exact = Fraction(value)
    f = report.stored(exact)
    assert abs(Fraction(f) - exact) <= Fraction(1, 10**6)
    # what a spreadsheet shows: the binary value rounded half-up at 2 decimals, and the 15-digit text rounded
    assert display(Fraction(f)) == display(exact)
    assert display(Fraction(repr(f))) == display(exact)
    assert f"{f:.2f}" == display(exact)  # correctly-rounded binary formatting (C printf) agrees too


def test_sheet_names_valid_and_unique_for_odd_codes(tmp_path: Path) -> None:
    res = odd_code_batch()
    names = report.sheet_names_for([s.opd_code for s in res.kept], FIXED + TAIL)
    assert len(set(n.casefold() for n in names.values())) == len(names)
    for n in names.values():
        assert 0 < len(n) <= 31
        assert not re.search(r"[\[\]:*?/\\]", n)
        assert not n.startswith("'") and not n.endswith("'")
        assert n.casefold() not in {x.casefold() for x in FIXED + TAIL} | {"history"}
    path = report.write_report(res, tmp_path / "odd.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == FIXED + [names[c] for c in sorted(names)] + TAIL
    assert (names["A/B"], names["A:B"], names["Data"], names["history"], names["'QUOTE'"]) == (
        "A_B", "A_B (2)", "Data (2)", "history (2)", "QUOTE")
    assert names["x" * 40] == "x" * 31


def test_sheet_order_and_names(book, result) -> None:
    gap = [report.sheet_names_for(sorted(result.scores), FIXED + TAIL)[c] for c in sorted(result.scores)]
    assert book.sheetnames == FIXED + gap + TAIL


def test_english_sheet_names(tmp_path: Path) -> None:
    path = report.write_report(standard_batch(lang="en"), tmp_path / "en.xlsx")
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names[:3] == ["Summary", "Ranking", "Matrix"] and names[-1] == "Data" and "Files" in names


def test_ranking_numbers_formats_and_ties(book, result) -> None:
    ws = book["Peringkat"]
    rows = rows_of(ws, 4)
    assert [(r["Peringkat"], r["Kode OPD"]) for r in rows] == [(x.rank, x.opd) for x in result.ranking]
    assert [r["Peringkat"] for r in rows] == [1, 2, 2, 4, 5, 6]  # the tie BKD/BPKAD
    for x, r in zip(result.ranking, rows, strict=True):
        assert isinstance(r["Indeks SPBE"], (int, float)) and abs(Fraction(r["Indeks SPBE"]) - x.index) < Fraction(1, 10**6)
        assert r["Predikat"] == x.predikat
    assert ws["D5"].number_format == "0.00" and ws["A5"].number_format == "0"
    status = {r["Kode OPD"]: r["Status"] for r in rows}
    assert status["BAPPEDA"] == "tidak lengkap" and status["BPKAD"] == "lengkap, terverifikasi"
    bpkad = next(r for r in rows if r["Kode OPD"] == "BPKAD")
    assert bpkad["Indikator disesuaikan verifikator"] == 2 and bpkad["Indeks terverifikasi"] == 3.0
    assert ws.freeze_panes == "D5" and ws.auto_filter.ref.startswith("A4:")
    _, col = find(ws, "Analisis")
    link = ws.cell(5, col).hyperlink  # link to the gap sheet
    assert link is not None and link.location == f"'{result.ranking[0].opd}'!A1"
    # predikat cells coloured by band, the same colour for the same band everywhere
    fills = {ws.cell(i, 5).value: ws.cell(i, 5).fill.fgColor.rgb for i in range(5, 11)}
    assert fills["Memuaskan"].endswith("1E6B34") and fills["Kurang"].endswith("D9302C")


def test_summary_counts_average_and_charts(book, values, result) -> None:
    ws = values["Ringkasan"]
    assert ws["A6"].value == report.stored(result.summary.mean_index) and ws["A6"].number_format == "0.00"
    assert ws["B6"].value == result.summary.predikat
    r, c = find(ws, "Berkas ditolak")
    assert ws.cell(r, c + 1).value == 4
    r, c = find(ws, "OPD belum mengirim")
    assert ws.cell(r, c + 1).value == len(result.not_submitted)
    r, c = find(ws, "Penilaian tidak lengkap")
    assert ws.cell(r, c + 1).value == 1
    assert not ws.sheet_view.showGridLines


def test_charts_are_native_and_reference_cells(written: Path) -> None:
    with zipfile.ZipFile(written) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) >= 4 + 6  # 4 on Ringkasan, one per gap sheet
        xml = z.read("xl/charts/chart2.xml").decode()
    assert "<c:f>" in xml and "Peringkat" in xml or "Ringkasan" in xml


def test_matrix_heatmap_weights_and_formula(book, values, result) -> None:
    ws, wv = book["Matriks"], values["Matriks"]
    assert ws.conditional_formatting  # 3-colour scale
    rule = next(iter(ws.conditional_formatting)).rules[0]
    assert rule.type == "colorScale"
    assert ws["C6"].data_type == "n" and ws["C6"].number_format == "0.0000"
    assert ws["C7"].value == "13/10" or ws["C7"].value == "1.3"
    n = len(result.framework.indicators)
    index_col = 3 + n
    # the OPD rows' own heading (code, name) sits directly above them
    assert (ws.cell(8, 1).value, ws.cell(8, 2).value, ws.cell(8, index_col).value) == ("Kode OPD", "Nama OPD",
                                                                                     "Indeks SPBE")
    cell = ws.cell(9, index_col)
    assert str(cell.value).startswith("=SUMPRODUCT(")
    assert wv.cell(9, index_col).value == report.stored(result.ranking[0].index)  # cached value
    assert ws.cell(9, 3).value == result.ranking[0].score.indicators[0].level and ws.cell(9, 3).number_format == "0"
    notes = " ".join(str(ws.cell(r, 1).value) for r in (2, 3))
    assert "SUMPRODUCT" not in notes and "tidak dijawab" in notes  # plain words, and the legend of 0*


def test_unanswered_indicators_are_marked(book, result) -> None:
    """An unanswered indicator (scored at the lowest level) does not look like an answered level 0."""
    ws = book["Matriks"]
    row = next(r for r in range(9, 40) if ws.cell(r, 1).value == "BAPPEDA")
    score = result.scores["BAPPEDA"]
    assert score.missing
    for k, sc in enumerate(score.indicators):
        c = ws.cell(row, 3 + k)
        assert c.value == sc.level
        if sc.source == "missing":
            assert c.number_format == '0"*"' and c.font.i and c.border.left.style == "dashed"
        else:
            assert c.number_format == "0" and not c.font.i
    # a real level 0 elsewhere keeps the plain format
    zeros = [ws.cell(r, 3 + k) for r in range(9, 9 + len(result.ranking)) for k in range(len(score.indicators))
             if ws.cell(r, 3 + k).value == 0 and ws.cell(r, 3 + k).number_format == "0"]
    assert all(not z.font.i for z in zeros)
    # the gap sheet's current level is marked the same way
    gs = book["BAPPEDA"]
    hr, _ = find(gs, "Kriteria level berikutnya (level saat ini + 1)")
    marked = [gs.cell(i, 1).value for i in range(hr + 1, hr + 1 + len(score.indicators))
              if gs.cell(i, 5).number_format == '0"*"']
    assert marked == list(score.missing)
    # Peringkat: the status sits next to the index and predikat
    rk = book["Peringkat"]
    assert rk.cell(4, 6).value == "Status"


def test_summary_opd_chart_reads_a_static_block(book, result, written: Path) -> None:
    """The per-OPD chart reads a block on Ringkasan (not the filterable Peringkat) in rank order."""
    ws = book["Ringkasan"]
    r0, _ = find(ws, "Indeks SPBE per OPD (data grafik, urut peringkat)")
    names = [ws.cell(r0 + 2 + k, 1).value for k in range(len(result.ranking))]
    expected = [x.name + ("" if x.score.complete else " (tidak lengkap)") for x in result.ranking]
    assert names == expected and any(n.endswith(" (tidak lengkap)") for n in names)
    with zipfile.ZipFile(written) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    opd = next(x for x in charts if "Indeks SPBE per OPD" in x)
    refs = re.findall(r"<c:f>(.*?)</c:f>", opd)
    first, last = r0 + 2, r0 + 1 + len(result.ranking)
    assert refs == [f"Ringkasan!$A${first}:$A${last}", f"Ringkasan!$B${first}:$B${last}"]
    assert not any("Peringkat" in x for x in refs)
    assert not book["Ringkasan"].auto_filter.ref


def test_gap_sheet_contents_and_what_if_formula(book, values, result) -> None:
    ws, wv = book["DISKOMINFO"], values["DISKOMINFO"]
    gap = result.gaps["DISKOMINFO"]
    assert wv["C4"].value == report.stored(gap.current_index) and wv["D4"].value == gap.current_predikat
    assert wv["C5"].value == report.stored(gap.target_index) and wv["D5"].value == gap.target_predikat
    r, _ = find(ws, "Indeks rencana (bila semua Target di tabel tercapai)")
    assert "SUMPRODUCT(" in ws.cell(r, 3).value
    assert wv.cell(r, 3).value == report.stored(gap.planned_index)
    assert ws.cell(r, 4).value.startswith("=LOOKUP(") and wv.cell(r, 4).value == gap.target_predikat
    hr, _ = find(ws, "Kriteria level berikutnya (level saat ini + 1)")
    rows = rows_of(ws, hr)
    assert [x["No."] for x in rows] == [g.indicator for g in gap.rows]
    first = rows[0]
    assert first["Kesenjangan"].startswith("=MAX(0,F")
    vals = rows_of(wv, hr)
    assert [v["Kesenjangan"] for v in vals] == [g.gap for g in gap.rows]
    assert [v["Target"] for v in vals] == [g.target for g in gap.rows]
    assert [v["Prioritas"] for v in vals] == [g.priority for g in gap.rows]
    # this OPD's findings, hostile text included as text
    fr, _ = find(ws, "Catatan validasi berkas OPD ini")
    codes = [ws.cell(i, 5).value for i in range(fr + 2, fr + 8)]
    assert "vocabulary-unknown" in codes and "control-characters" in codes
    # own columns: code E:G and hint H:K merged, the severity column keeps its width; a page break before
    assert f"E{fr + 1}:G{fr + 1}" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.column_dimensions["D"].width > 14 and fr - 1 in [b.id for b in ws.row_breaks.brk]


def test_gap_plan_levels_and_first_step_for_an_incomplete_opd(book, result) -> None:
    ws = book["BAPPEDA"]
    score, gap = result.scores["BAPPEDA"], result.gaps["BAPPEDA"]
    r, _ = find(ws, "Rencana minimal menuju target")
    line = ws.cell(r + 1, 1).value
    assert line == ("Langkah pertama: jawab indikator yang belum diisi: " + ", ".join(score.missing)
                    + " (saat ini dinilai level terendah).")
    heads = [ws.cell(r + 2, c).value for c in range(1, 7)]
    assert heads == ["No.", "Indikator", "Level saat ini", "Level target", "Naik (jumlah level)", "Kenaikan indeks"]
    rows = rows_of(ws, r + 2)[:len(gap.plan)]
    current = {g.indicator: g.current for g in gap.rows}
    for step, x in zip(gap.plan, rows, strict=True):
        assert (x["No."], x["Level saat ini"], x["Level target"], x["Naik (jumlah level)"]) == (
            step.indicator, current[step.indicator], current[step.indicator] + step.levels, step.levels)
    # a complete OPD has no first-step line
    ok = book["DISKOMINFO"]
    r, _ = find(ok, "Rencana minimal menuju target")
    assert not str(ok.cell(r + 1, 1).value or "").startswith("Langkah pertama")
    hr, _ = find(ws, "Kriteria level berikutnya (level saat ini + 1)")
    g = gap.rows[0]
    assert ws.cell(hr + 1, 11).value == f"Level {g.current + 1}: {g.next_criteria}"


def test_validation_and_files_sheets(book, result) -> None:
    rows = rows_of(book["Validasi"], 4)
    assert len(rows) == len(result.findings)
    assert [(r["Berkas"], r["Kode"]) for r in rows] == [(f.file, f.code) for f in result.findings]
    assert book["Validasi"].auto_filter.ref.startswith("A4:")
    files = rows_of(book["Berkas"], 4)
    assert len(files) == len(result.outcomes) == 11
    labels = OUTCOME_LABEL["id"]
    by_file = {r["Berkas"]: r for r in files}
    assert by_file["BKD (lama).xlsx"]["Hasil"] == labels["superseded"]
    assert by_file["BKD (lama).xlsx"]["Digantikan oleh"] == "BKD.xlsx"
    assert by_file["rusak.xlsx"]["Hasil"] == labels["rejected"]
    assert isinstance(by_file["BKD.xlsx"]["Ukuran (bita)"], int)
    assert len(by_file["BKD.xlsx"]["SHA-256"]) == 64
    missing = rows_of(book["Belum Mengirim"], 4)
    assert [r["Kode OPD"] for r in missing] == sorted(o.code for o in result.not_submitted)


def test_data_sheet_is_one_plain_table(book, result) -> None:
    ws = book["Data"]
    assert not ws.merged_cells.ranges
    rows = rows_of(ws, 1)
    n = len(result.framework.indicators)
    assert len(rows) == n * len(result.kept)
    bpkad = [r for r in rows if r["kode_opd"] == "BPKAD"]
    one = next(r for r in bpkad if r["indikator"] == "1")
    assert (one["level_mandiri"], one["level_verifikasi"], one["level_dipakai"], one["sumber_level"]) == (
        3, 2, 2, "verifikasi")
    assert one["sel_level"] == "K5" and one["berkas"] == "BPKAD_final.xlsx" and one["lembar"] == "Penilaian"
    assert one["bobot"] == 1.3 and one["bobot_persis"] == "1.3"
    two = next(r for r in bpkad if r["indikator"] == "2")
    assert two["sel_level"] == "K6"
    blank = next(r for r in rows if r["kode_opd"] == "BAPPEDA" and r["indikator"] == "1")
    assert blank["level_mandiri"] is None and blank["level_dipakai"] == 1 and blank["sumber_level"] == "tidak dijawab"
    assert ws["H2"].data_type == "n" and ws["H2"].number_format == "0"
    assert rows[0]["tahun"] == 2026


def test_hostile_text_stays_text(book) -> None:
    files = {r["Berkas"] for r in rows_of(book["Berkas"], 4)}
    assert f"{HOSTILE[0]}.xlsx" in files
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert isinstance(c.value, str)
                    assert not c.value.startswith(("=HYPERLINK", "=+1", "=@x", "=-2")), (ws.title, c.coordinate)


def test_hostile_strings_are_string_cells(written: Path) -> None:
    wb = openpyxl.load_workbook(written)
    seen = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value in (*HOSTILE, f"{HOSTILE[0]}.xlsx", "+1.xlsx"):
                    seen[c.value] = c.data_type
    assert seen[f"{HOSTILE[0]}.xlsx"] == "s" and seen["+1.xlsx"] == "s"
    assert all(t == "s" for t in seen.values())


def test_long_and_bad_text_is_cleaned(book) -> None:
    msgs = [r["Pesan"] for r in rows_of(book["Validasi"], 4)]
    longest = max(msgs, key=len)
    assert len(longest) == EXCEL_MAX_CHARS and longest.endswith(TRUNCATION_MARKER)
    assert not any("\x07" in m or "\ud800" in m for m in msgs)
    assert any("beldansurrogat" in m for m in msgs) or all(CONTROL_TEXT not in m for m in msgs)


def test_same_result_gives_identical_bytes(result, tmp_path: Path) -> None:
    a = report.write_report(result, tmp_path / "a.xlsx").read_bytes()
    b = report.write_report(result, tmp_path / "b.xlsx").read_bytes()
    c = report.write_report(standard_batch(), tmp_path / "c.xlsx").read_bytes()
    assert a == b == c


# ---------------------------------------------------------------- atomic writes


def test_locked_target_raises_and_keeps_previous(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "rekap.xlsx"
    target.write_bytes(b"previous")

    def locked(src: object, dst: object) -> None:
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(report.os, "replace", locked)
    with pytest.raises(OutputError) as err:
        report.write_report(result, target)
    assert str(err.value) == (f"Berkas keluaran {target} sedang dibuka di Excel atau tidak dapat ditulis; "
                              "tutup berkas lalu jalankan ulang.")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rekap.xlsx"]  # temp file removed


def test_target_is_a_directory(result, tmp_path: Path) -> None:
    target = tmp_path / "rekap.xlsx"
    target.mkdir()
    with pytest.raises(OutputError, match="sedang dibuka di Excel atau tidak dapat ditulis"):
        report.write_report(result, target)
    assert target.is_dir() and list(tmp_path.iterdir()) == [target]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(result, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError):
            report.write_report(result, folder / "rekap.xlsx")
    finally:
        folder.chmod(0o755)


def test_failed_verification_keeps_previous(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "rekap.xlsx"
    target.write_bytes(b"previous")
    monkeypatch.setattr(report, "_verify", lambda tmp, names: "broken")
    with pytest.raises(OutputError, match="gagal diperiksa"):
        report.write_report(result, target)
    assert target.read_bytes() == b"previous" and len(list(tmp_path.iterdir())) == 1


def test_write_error_code_is_raised() -> None:
    class Fake:
        def get_name(self) -> str:
            return "X"

        def write_number(self, *a: object) -> int:
            return -1

    with pytest.raises(report.ReportWriteError, match="X!B3"):
        report.Out(Fake()).num(2, 1, 5)


# ---------------------------------------------------------------- per-OPD workbooks


def test_per_opd_limit_moves_gap_sheets_to_files(result, tmp_path: Path) -> None:
    path = report.write_report(result, tmp_path / "rekap.xlsx", per_opd_limit=3)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == FIXED + TAIL
    files = sorted(p.name for p in (tmp_path / "opd").iterdir())
    assert files == sorted(f"{c}.xlsx" for c in result.scores)
    _, col = find(wb["Peringkat"], "Analisis")
    link = wb["Peringkat"].cell(5, col).hyperlink
    assert link is not None and link.target.replace("\\", "/") == f"opd/{result.ranking[0].opd}.xlsx"
    one = openpyxl.load_workbook(tmp_path / "opd" / "BPKAD.xlsx", data_only=True)
    assert one.sheetnames == ["BPKAD"] and one["BPKAD"]["C4"].value == 3.0


# ---------------------------------------------------------------- LibreOffice


def test_libreoffice_renders_the_workbook(written: Path, result, tmp_path: Path) -> None:
    pdf = to_pdf(written, tmp_path / "pdf", timeout=120)
    text = pdf_text(pdf)
    assert "Rata-rata indeks SPBE provinsi" in text
    assert display(result.summary.mean_index) in text
    assert "Dinas Komunikasi, Informatika, Statistik dan Persandian" in text
    ranking = text[text.index("Peringkat Indeks SPBE"):]
    for row in result.ranking:
        line = next(ln for ln in ranking.splitlines() if f" {row.opd} " in f" {ln} ")
        assert display(row.index) in line.split(), (row.opd, line)
    diskominfo = next(ln for ln in ranking.splitlines() if " DISKOMINFO " in f" {ln} ")
    assert result.scores["DISKOMINFO"].index == Fraction("2.645") and "2.65" in diskominfo.split()


# ---------------------------------------------------------------- scale: streamed modes, pool, chart cap


def _cells(path: Path) -> dict[str, dict[str, tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: (c.value, c.number_format) for row in ws.iter_rows() for c in row
                       if c.value is not None} for ws in wb.worksheets}


def test_constant_memory_mode_writes_the_same_cells(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kw = {"per_opd_limit": 0, "per_opd_files": False}  # no gap sheets: the streamed mode's precondition
    normal = report.write_report(result, tmp_path / "a" / "rekap.xlsx", **kw)
    monkeypatch.setattr(report, "CONSTANT_MEMORY_ABOVE", 0)
    streamed = report.write_report(result, tmp_path / "b" / "rekap.xlsx", **kw)
    again = report.write_report(result, tmp_path / "c" / "rekap.xlsx", **kw)
    assert streamed.read_bytes() == again.read_bytes()
    assert _cells(normal) == _cells(streamed)


def _workbook_facts(path: Path) -> dict:
    """What an official sees in every sheet: each cell's value, number format, font, fill, alignment, border and
    comment; merged ranges, autofilter, frozen panes, column widths, row heights, conditional formats, links,
    print titles and charts."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                font = c.font
                cells[c.coordinate] = (c.value, c.data_type, c.number_format, font.b, font.i, font.sz, font.name,
                                       font.color.rgb if font.color else None, c.fill.fgColor.rgb,
                                       c.alignment.wrap_text, c.alignment.horizontal, c.alignment.vertical,
                                       c.border.left.style, c.border.bottom.style,
                                       c.comment.text if c.comment else None)
        cf = [(str(rng.sqref), [(r.type, r.operator, r.formula) for r in rules])
              for rng, rules in ws.conditional_formatting._cf_rules.items()]
        out[ws.title] = {
            "cells": cells, "merged": sorted(str(m) for m in ws.merged_cells.ranges), "cf": cf,
            "autofilter": ws.auto_filter.ref, "freeze": ws.freeze_panes, "dimensions": ws.dimensions,
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "links": sorted((h.ref, h.target, h.location) for h in ws._hyperlinks),
            "print": (ws.print_title_rows, ws.print_title_cols, ws.page_setup.orientation, ws.page_setup.paperSize),
            "charts": len(ws._charts),
        }
    return out


STREAMED = ["Matriks", "Validasi", "Berkas", "Aplikasi", "Hosting & Pusat Data", "Layanan vs Aplikasi", "Data"]


@pytest.mark.parametrize("case", ["standard", "large", "constant_memory"])
def test_streamed_tables_show_what_xlsxwriter_writes(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Table bodies streamed as XML (report._Body) give the same cells as writing each through xlsxwriter."""
    from batchfactory import large_batch

    kw: dict = {}
    if case == "standard":
        res = standard_batch()
    else:  # more OPDs than CHART_MAX_OPDS: the data-centre plan is streamed too (no chart caches its cells)
        res = large_batch(report.CHART_MAX_OPDS + 10)
        kw = {"per_opd_files": False}
    if case == "constant_memory":
        monkeypatch.setattr(report, "CONSTANT_MEMORY_ABOVE", 0)
        kw["per_opd_limit"] = 0
    streamed = report.write_report(res, tmp_path / "s" / "rekap.xlsx", **kw)
    monkeypatch.setattr(report, "STREAM_TABLES", False)
    reference = report.write_report(res, tmp_path / "r" / "rekap.xlsx", **kw)
    a, b = _workbook_facts(streamed), _workbook_facts(reference)
    assert a["sheets"] == b["sheets"]
    for name in a["sheets"]:
        assert a[name] == b[name], name
    # the streamed tables hold what the batch holds (not just the same as the reference)
    assert len(a["Data"]["cells"]) >= len(res.kept) * len(res.framework.indicators) * 14
    assert a["Aplikasi"]["autofilter"] and a["Matriks"]["freeze"] == "C9" and a["Matriks"]["cf"]
    if case != "standard":
        assert any(m.startswith("C") for m in a["Hosting & Pusat Data"]["merged"])
        with zipfile.ZipFile(streamed) as z:  # the streamed sheets use the shared strings, as xlsxwriter does
            sheets = {n for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
            inline = any(b'inlineStr' in z.read(n) for n in sheets)
        assert inline == (case == "constant_memory")


def test_streamed_workbook_is_deterministic(tmp_path: Path) -> None:
    from batchfactory import large_batch

    res = large_batch(report.CHART_MAX_OPDS + 10)
    a = report.write_report(res, tmp_path / "a" / "rekap.xlsx", per_opd_files=False).read_bytes()
    b = report.write_report(large_batch(report.CHART_MAX_OPDS + 10), tmp_path / "b" / "rekap.xlsx",
                            per_opd_files=False).read_bytes()
    assert a == b


def test_streamed_rows_refuse_disorder_and_overlap(tmp_path: Path) -> None:
    wb = report._Workbook(str(tmp_path / "x.xlsx"), dict(report.WORKBOOK_OPTIONS))
    out = report.Out(wb.add_worksheet("S", worksheet_class=report._Sheet))
    body = report._Body(out)
    fmt = wb.add_format({"bold": True})
    b = body.row(3)
    b.text(1, "a", fmt)
    with pytest.raises(report.ReportWriteError):
        b.text(0, "b", fmt)  # columns must come in order
    b.end()
    with pytest.raises(report.ReportWriteError):
        body.row(2).text(0, "c", fmt)
        body.end()  # rows too
    with pytest.raises(report.ReportWriteError):  # past Excel's 32,767 UTF-16 units: refused, as xlsxwriter's -2
        body.row(9).text(0, "\U0001F600" * 20000, fmt)
    b = body.row(10)
    b.text(0, "=1+" + "x" * 40000, fmt)  # cut by clean_text with its marker; a string, never a formula
    b.end()
    out.text(3, 5, "written by xlsxwriter on a streamed row")
    with pytest.raises(report.ReportWriteError):
        wb.close()
    wb = report._Workbook(str(tmp_path / "y.xlsx"), dict(report.WORKBOOK_OPTIONS))
    body = report._Body(report.Out(wb.add_worksheet("S", worksheet_class=report._Sheet)))
    b = body.row(0)
    b.text(0, "=1+" + "x" * 40000, wb.add_format({"bold": True}))
    b.end()
    wb.close()
    cell = openpyxl.load_workbook(tmp_path / "y.xlsx")["S"]["A1"]
    assert cell.data_type == "s" and len(cell.value) == EXCEL_MAX_CHARS and cell.value.endswith(TRUNCATION_MARKER)


def test_streamed_merges_are_kept_compactly_and_still_checked(tmp_path: Path) -> None:
    """Merges of streamed rows: held as integers, yet xlsxwriter's overlap checks see them and the
    mergeCells are written in the order the merges were made (streamed or not)."""
    from xlsxwriter.exceptions import OverlappingRange

    wb = report._Workbook(str(tmp_path / "m.xlsx"), dict(report.WORKBOOK_OPTIONS))
    out = report.Out(wb.add_worksheet("S", worksheet_class=report._Sheet))
    fmt = wb.add_format({"text_wrap": True})
    out.ws.merge_range(0, 0, 0, 3, "", fmt)
    body = report._Body(out)
    for r in (2, 3):
        b = body.row(r)
        b.text(0, f"r{r}", fmt)
        b.merged(1, 2, "x", fmt)
        b.merged(4, 6, "y", fmt)
        b.end()
    assert (3, 5) in out.ws.merged_cells and out.ws.merged_cells.get((3, 5)) == "E4:G4"
    assert out.ws.merged_cells.get((3, 3)) is None and (3, 3) not in out.ws.merged_cells
    with pytest.raises(OverlappingRange):
        out.ws.merge_range(3, 2, 4, 2, "", fmt)  # C4:C5: xlsxwriter's own check sees the streamed B4:C4
    with pytest.raises(report.ReportWriteError):
        out.ws.raw_merge(2, 5, 2, 5)
    out.ws.merge_range(6, 0, 6, 1, "", fmt)
    assert len(out.ws.merge) == 6
    wb.close()
    with zipfile.ZipFile(tmp_path / "m.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r'<mergeCell ref="([A-Z0-9:]+)"/>', xml) == ["A1:D1", "B3:C3", "E3:G3", "B4:C4", "E4:G4", "A7:B7"]


def test_pooled_per_opd_workbooks_are_identical_to_inline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from batchfactory import large_batch

    res = large_batch(12)
    monkeypatch.setattr(report, "POOL_MIN_WORKBOOKS", 1)
    pooled = report.write_opd_workbooks(res, tmp_path / "pool", workers=2)
    inline = report.write_opd_workbooks(res, tmp_path / "inline", workers=1)
    assert sorted(pooled) == sorted(res.scores) and not list((tmp_path / "pool").glob(".~*"))
    for code, p in pooled.items():
        assert p.read_bytes() == inline[code].read_bytes(), code


def test_write_report_pool_and_helper_give_the_inline_workbooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """write_report: one pool worker plus this process (chunks no worker started), gap analyses in the workers."""
    import shutil

    from batchfactory import large_batch

    res = large_batch(12)
    inline = report.write_opd_workbooks(res, tmp_path / "inline", workers=1)
    monkeypatch.setattr(report, "POOL_MIN_WORKBOOKS", 1)
    pending = report._start_opd_workbooks(res, tmp_path / "probe", 2, helper=True)
    try:
        assert pending.pool is not None and pending.pool._max_workers == 1
        assert all(d.gap is None for d, _ in pending.items)  # left to the workers
    finally:
        pending.close()
    for _ in range(2):  # twice in one process, the folder removed in between
        shutil.rmtree(tmp_path / "out", ignore_errors=True)
        report.write_report(res, tmp_path / "out" / "rekap.xlsx", per_opd_files=True, workers=2)
        for code, p in inline.items():
            assert (tmp_path / "out" / "opd" / p.name).read_bytes() == p.read_bytes(), code
        assert not [p for p in (tmp_path / "out" / "opd").iterdir() if p.name.startswith(".~")]


def test_many_opds_skip_the_per_opd_chart_but_keep_every_row(tmp_path: Path) -> None:
    from batchfactory import large_batch

    res = large_batch(report.CHART_MAX_OPDS + 5)
    path = report.write_report(res, tmp_path / "rekap.xlsx", per_opd_files=False)
    wb = openpyxl.load_workbook(path, read_only=True)
    ranking = [r for r in wb["Peringkat"].iter_rows(min_row=5, values_only=True) if r[0] is not None]
    assert len(ranking) == len(res.kept)
    summary = [v for r in wb["Ringkasan"].iter_rows(values_only=True) for v in r if isinstance(v, str)]
    assert any(v.startswith("Grafik 'Indeks SPBE per OPD' tidak digambar") for v in summary)
    data = sum(1 for _ in wb["Data"].iter_rows(min_row=2))
    assert data == len(res.kept) * len(res.framework.indicators)
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/")]
    # predikat distribution, domain and aspect means, one per gap sheet; no per-OPD bar or data-centre chart
    assert len(charts) == 3 + len(res.kept)


# ---------------------------------------------------------------- per-OPD workbooks from the template (fast path)


def _sheet_facts(path: Path) -> dict:
    """What an official sees in a one-sheet workbook: values, formulas, merges, number formats, validation."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                fmt = c.number_format if isinstance(c.value, (int, float)) else None
                cells[c.coordinate] = (c.value, fmt, c.font.b, c.fill.fgColor.rgb, c.alignment.wrap_text)
        dv = [(d.type, d.operator, d.formula1, d.formula2, d.error, str(d.sqref)) for d in ws.data_validations.dataValidation]
        cf = [(str(rng.sqref), [(r.type, r.operator, r.formula) for r in rules])
              for rng, rules in ws.conditional_formatting._cf_rules.items()]
        out[ws.title] = {
            "cells": cells, "merged": sorted(str(m) for m in ws.merged_cells.ranges), "dv": dv, "cf": cf,
            "widths": {k: round(d.width, 2) for k, d in ws.column_dimensions.items() if d.width},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "freeze": ws.freeze_panes, "charts": len(ws._charts),
        }
    values = openpyxl.load_workbook(path, data_only=True)
    out["cached"] = {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
                     for ws in values.worksheets}
    return out


def _both(res, tmp_path: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    fast = report.write_opd_workbooks(res, tmp_path / "fast", workers=1)
    ref = report.write_opd_workbooks(res, tmp_path / "ref", workers=1, fast=False)
    return fast, ref


@pytest.mark.parametrize("factory", ["standard", "odd", "large", "english"])
def test_template_workbooks_show_what_xlsxwriter_writes(factory: str, tmp_path: Path) -> None:
    from batchfactory import large_batch

    res = {"standard": standard_batch, "odd": odd_code_batch, "large": lambda: large_batch(30),
           "english": lambda: standard_batch(lang="en")}[factory]()
    meta = report._Meta.of(res)
    items = report._start_opd_workbooks(res, tmp_path / "probe", 1).items
    assert report._write_gap_books(meta, items, True) == len(items)  # no OPD fell back to xlsxwriter
    fast, ref = _both(res, tmp_path)
    assert sorted(fast) == sorted(ref) == sorted(res.scores)
    codes = sorted(fast)
    for code in codes if factory != "large" else codes[:8]:
        a, b = _sheet_facts(fast[code]), _sheet_facts(ref[code])
        assert a == b, code
        assert a[a["sheets"][0]]["charts"] == 1
        with zipfile.ZipFile(fast[code]) as z:
            assert z.testzip() is None
            parts = set(z.namelist())
        with zipfile.ZipFile(ref[code]) as z:
            assert parts == set(z.namelist())
            # parts that never depend on the OPD are xlsxwriter's own (styles.xml holds every format of the
            # report, so its xf indices do not depend on the OPD; the cell formats are compared above)
            with zipfile.ZipFile(fast[code]) as f:
                for name in ("xl/theme/theme1.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
                    assert f.read(name) == z.read(name), name


def test_template_workbooks_hostile_text(tmp_path: Path) -> None:
    from dataclasses import replace

    from pipeline.findings import Finding

    res = standard_batch()
    meta = report._Meta.of(res)
    items = report._start_opd_workbooks(res, tmp_path / "probe", 1).items
    nasty = [Finding("evidence-missing", "a&b<c>.xlsx", "=SUM(A1)", "  J5 ", f"{h}\r\n_x0041_ tail ", detail=h)
             for h in (*HOSTILE, CONTROL_TEXT, "x" * 40000, "😀" * 20000)]
    items = [(replace(d, findings=tuple(nasty), name=f"{d.name} & <Co> \"q\" ' {CONTROL_TEXT}"), str(tmp_path / n))
             for (d, _), n in zip(items[:3], ("a.xlsx", "b.xlsx", "c.xlsx"), strict=True)]
    ref_items = [(d, str(tmp_path / f"ref-{Path(p).name}")) for d, p in items]
    with pytest.raises(report.ReportWriteError):  # 20,000 emoji exceed Excel's 32,767 UTF-16 units: both refuse
        report._write_gap_books(meta, ref_items, False)
    with pytest.raises(report.ReportWriteError):
        report._write_gap_books(meta, items, True)
    nasty = nasty[:-1]
    items = [(replace(d, findings=tuple(nasty)), p) for d, p in items]
    ref_items = [(d, str(tmp_path / f"ref-{Path(p).name}")) for d, p in items]
    assert report._write_gap_books(meta, items, True) == len(items)
    report._write_gap_books(meta, ref_items, False)
    for (_, p), (_, q) in zip(items, ref_items, strict=True):
        assert _sheet_facts(Path(p)) == _sheet_facts(Path(q))
        texts = [v for v in _sheet_facts(Path(p))["cached"].values() for v in v.values() if isinstance(v, str)]
        assert "=SUM(A1)" in texts  # input text is never a formula


def test_template_workbooks_are_deterministic_and_pool_equals_inline(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from batchfactory import large_batch

    res = large_batch(45)
    one = report.write_opd_workbooks(res, tmp_path / "one", workers=1)
    report._TEMPLATES.clear()
    two = report.write_opd_workbooks(res, tmp_path / "two", workers=1)
    monkeypatch.setattr(report, "POOL_MIN_WORKBOOKS", 1)
    pooled = report.write_opd_workbooks(res, tmp_path / "pool", workers=2)
    for code, p in one.items():
        assert p.read_bytes() == two[code].read_bytes() == pooled[code].read_bytes(), code
    assert not [p for p in (tmp_path / "pool").iterdir() if p.name.startswith(".~")]


def test_write_report_uses_template_workbooks(result, tmp_path: Path) -> None:
    report.write_report(result, tmp_path / "rekap.xlsx", per_opd_files=True)
    ref = report.write_opd_workbooks(result, tmp_path / "ref", fast=False)
    for p in ref.values():
        assert _sheet_facts(tmp_path / "opd" / p.name) == _sheet_facts(p)


def test_libreoffice_renders_a_template_workbook(result, tmp_path: Path) -> None:
    fast = report.write_opd_workbooks(result, tmp_path / "fast", workers=1)
    code = "DISKOMINFO"
    pdf = to_pdf(fast[code], tmp_path / "pdf", timeout=120)
    text = pdf_text(pdf)
    gap = result.gaps[code]
    assert "Dinas Komunikasi, Informatika, Statistik dan Persandian" in text
    assert display(gap.current_index) in text and display(gap.target_index) in text
    assert display(result.scores[code].index) == "2.65" and "2.65" in text.split()
    sub = next(s for s in result.kept if s.opd_code == code)
    if sub.findings:
        assert sub.findings[0].message("id")[:30] in " ".join(text.split())
