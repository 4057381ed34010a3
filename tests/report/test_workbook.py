"""The consolidated workbook: its sheets, numbers, charts, hostile text, determinism, LibreOffice rendering."""

from __future__ import annotations

import re
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from pipeline import i18n, report, settings
from pipeline.catalog.framework import display, exact
from pipeline.findings import severity_label
from pipeline.report import writer
from pipeline.report.style import stored
from pipeline.text import EXCEL_MAX_CHARS, TRUNCATION_MARKER
from tests.batchfactory import CONTROL_TEXT, HOSTILE, large_batch, odd_code_batch, standard_batch
from tests.libreoffice import pdf_text, to_pdf
from tests.report import paper

FIXED = ["Ringkasan", "Peringkat", "Matriks"]
TAIL = ["Validasi", "Berkas", "Belum Mengirim", "Aplikasi", "Aplikasi Bersama", "Hosting & Pusat Data",
        "Rencana Ruang Server", "Urutan Migrasi", "Jaringan", "Layanan vs Aplikasi", "Data", "Data Indikator"]


@pytest.fixture(scope="module")
def result():
    return standard_batch()


@pytest.fixture(scope="module")
def written(result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return report.write(result, tmp_path_factory.mktemp("rep") / "rekap.xlsx").workbook


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


# ---------------------------------------------------------------- numbers and names


@pytest.mark.parametrize("value", ["2.645", "2.6449996", "1.005", "0.125", "3.5", "4.2", "2.675", "1/3", "2/3", "0",
                                   "5", "3.9999995", "2.6449994999"])
def test_stored_value_shows_display_text_and_keeps_6_decimals(value: str) -> None:
    exact = Fraction(value)
    f = stored(exact)
    assert abs(Fraction(f) - exact) <= Fraction(1, 10**6)
    # what a spreadsheet shows: the binary value rounded half-up at 2 decimals, and the 15-digit text rounded
    assert display(Fraction(f)) == display(exact)
    assert display(Fraction(repr(f))) == display(exact)
    assert f"{f:.2f}" == display(exact)  # correctly-rounded binary formatting (C printf) agrees too


def test_sheet_names_valid_and_unique_for_odd_codes(tmp_path: Path) -> None:
    res = odd_code_batch()
    names = writer.sheet_names_for([s.opd_code for s in res.kept], FIXED + TAIL)
    assert len({n.casefold() for n in names.values()}) == len(names)
    for n in names.values():
        assert 0 < len(n) <= 31
        assert not re.search(r"[\[\]:*?/\\]", n)
        assert not n.startswith("'") and not n.endswith("'")
        assert n.casefold() not in {x.casefold() for x in FIXED + TAIL} | {"history"}
    path = report.write(res, tmp_path / "odd.xlsx").workbook
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == FIXED + [names[c] for c in sorted(names)] + TAIL
    assert (names["A/B"], names["A:B"], names["Data"], names["history"], names["'QUOTE'"]) == (
        "A_B", "A_B (2)", "Data (2)", "history (2)", "QUOTE")
    assert names["x" * 40] == "x" * 31


def test_sheet_order_and_names(book, result) -> None:
    gap = [writer.sheet_names_for(sorted(result.scores), FIXED + TAIL)[c] for c in sorted(result.scores)]
    assert book.sheetnames == FIXED + gap + TAIL


def test_english_sheet_names(tmp_path: Path) -> None:
    path = report.write(standard_batch(lang="en"), tmp_path / "en.xlsx").workbook
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names[:3] == ["Summary", "Ranking", "Matrix"] and names[-2:] == ["Data", "Indicator Data"] and "Files" in names


def test_write_returns_the_paths(result, tmp_path: Path) -> None:
    out = report.write(result, tmp_path / "a" / "rekap.xlsx")
    assert out.workbook == tmp_path / "a" / "rekap.xlsx" and out.opd_workbooks == {}
    assert out.scores is result.scores  # everything else as it was


# ---------------------------------------------------------------- the sheets


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


def test_summary_counts_average_and_charts(values, result) -> None:
    ws = values["Ringkasan"]
    assert ws["A6"].value == stored(result.summary.mean_index) and ws["A6"].number_format == "0.00"
    assert ws["B6"].value == result.summary.predikat
    for label, n in (("Berkas ditolak", 4), ("OPD belum mengirim", len(result.not_submitted)),
                     ("Penilaian tidak lengkap", 1)):
        r, c = find(ws, label)
        assert ws.cell(r, c + 1).value == n
    assert not ws.sheet_view.showGridLines


def test_charts_are_native_and_reference_cells(written: Path) -> None:
    with zipfile.ZipFile(written) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        xml = z.read("xl/charts/chart2.xml").decode()
    assert len(charts) == 4 + 6  # 4 on Ringkasan, one per gap sheet
    assert "<c:f>Ringkasan!" in xml and "<c:numCache>" in xml


def test_matrix_heatmap_weights_and_formula(book, values, result) -> None:
    ws, wv = book["Matriks"], values["Matriks"]
    rule = next(iter(ws.conditional_formatting)).rules[0]
    assert rule.type == "colorScale"
    assert ws["C6"].data_type == "n" and ws["C6"].number_format == "0.0000"
    assert ws["C7"].value in ("13/10", "1.3")
    index_col = 3 + len(result.framework.indicators)
    # the OPD rows' own heading (code, name) sits directly above them
    assert (ws.cell(8, 1).value, ws.cell(8, 2).value, ws.cell(8, index_col).value) == ("Kode OPD", "Nama OPD",
                                                                                     "Indeks SPBE")
    assert str(ws.cell(9, index_col).value).startswith("=SUMPRODUCT(")
    assert wv.cell(9, index_col).value == stored(result.ranking[0].index)  # cached value
    assert ws.cell(9, 3).value == result.ranking[0].score.indicators[0].level and ws.cell(9, 3).number_format == "0"
    notes = " ".join(str(ws.cell(r, 1).value) for r in (2, 3))
    assert "SUMPRODUCT" not in notes and "tidak dijawab" in notes  # plain words, and the legend of 0*
    assert ws["C4"].comment is not None and ws["C4"].comment.text.startswith("1 ")


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
    gs = book["BAPPEDA"]  # the gap sheet's current level is marked the same way
    hr, _ = find(gs, "Kriteria level berikutnya (level saat ini + 1)")
    marked = [gs.cell(i, 1).value for i in range(hr + 1, hr + 1 + len(score.indicators))
              if gs.cell(i, 5).number_format == '0"*"']
    assert marked == list(score.missing)
    assert book["Peringkat"].cell(4, 6).value == "Status"


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
    first, last = r0 + 2, r0 + 1 + len(result.ranking)
    assert re.findall(r"<c:f>(.*?)</c:f>", opd) == [f"Ringkasan!$A${first}:$A${last}", f"Ringkasan!$B${first}:$B${last}"]
    assert not ws.auto_filter.ref


def test_gap_sheet_contents_and_what_if_formula(book, values, result) -> None:
    ws, wv = book["DISKOMINFO"], values["DISKOMINFO"]
    gap = result.gaps["DISKOMINFO"]
    assert wv["C4"].value == stored(gap.current_index) and wv["D4"].value == gap.current_predikat
    assert wv["C5"].value == stored(gap.target_index) and wv["D5"].value == gap.target_predikat
    r, _ = find(ws, "Indeks rencana (bila semua Target di tabel tercapai)")
    assert "SUMPRODUCT(" in ws.cell(r, 3).value and wv.cell(r, 3).value == stored(gap.planned_index)
    assert ws.cell(r, 4).value.startswith("=LOOKUP(") and wv.cell(r, 4).value == gap.target_predikat
    hr, _ = find(ws, "Kriteria level berikutnya (level saat ini + 1)")
    rows, cached = rows_of(ws, hr), rows_of(wv, hr)
    assert [x["No."] for x in rows] == [g.indicator for g in gap.rows]
    assert rows[0]["Kesenjangan"].startswith("=MAX(0,F")
    assert [v["Kesenjangan"] for v in cached] == [g.gap for g in gap.rows]
    assert [v["Target"] for v in cached] == [g.target for g in gap.rows]
    assert [v["Prioritas"] for v in cached] == [g.priority for g in gap.rows]
    assert str(ws.data_validations.dataValidation[0].sqref) == f"F{hr + 1}:F{hr + len(gap.rows)}"
    # this OPD's findings, hostile text included as text
    fr, _ = find(ws, "Catatan validasi berkas OPD ini")
    codes = [ws.cell(i, 7).value for i in range(fr + 2, fr + 8)]
    assert "vocabulary-unknown" in codes and "control-characters" in codes
    # on the sheet's narrow columns, merged: sheet C:D, severity E:F, code G:I, how to fix J:K; every severity on one
    # line (bold capitals: about a column unit each)
    assert {f"{a}{fr + 1}:{b}{fr + 1}" for a, b in ("CD", "EF", "GI", "JK")} <= {str(m) for m in ws.merged_cells.ranges}
    severities = [severity_label(s, lang) for s in ("error", "incomplete", "warning") for lang in ("id", "en")]
    assert ws.column_dimensions["E"].width + ws.column_dimensions["F"].width > max(map(len, severities)) + 1
    # the OPD's servers, from a new page, and what moves into the provincial server room
    sr, _ = find(ws, "Server OPD dan rencana pemindahan ke ruang server provinsi")
    assert sr - 1 in [b.id for b in ws.row_breaks.brk] and sr < fr
    servers = rows_of(ws, sr + 1)[:-1]  # the last row: what moves
    assert [(x["Server"], x["Lokasi hosting"], x["vCPU"], x["Tahun"], x["Pindah"]) for x in servers] == [
        ("Web Portal", "Pusat Data Pemprov (Diskominfo)", 4, 2022, "Tidak"),
        ("Server Lama", "Ruang server OPD sendiri", 8, 2015, "Ya"), ("VPS Satu Data", "Penyedia cloud", None, 2021, "Ya")]
    assert servers[2]["Sewa per bulan (Rp)"] == 1_500_000 and servers[2]["Aplikasi yang dijalankan"] == "Portal Satu Data"
    moving = ws.cell(sr + 5, 1).value
    assert moving.startswith("Aplikasi aktif yang pindah ke ruang server provinsi: Portal Satu Data (Penyedia cloud)")
    counted = rows_of(book["BAPENDA"], find(book["BAPENDA"], "Server OPD dan rencana pemindahan ke ruang server "
                                                              "provinsi")[0] + 1)[:-1]
    assert [(x["Server"], x["Pindah"]) for x in counted] == [
        ("4 server: jumlah saja (kuesioner versi lama), ukuran diperkirakan", "Ya"),
        ("2 server: jumlah saja (kuesioner versi lama), ukuran diperkirakan", "Tidak")]
    back = ws["K2"].hyperlink  # back to the ranking (only in the main workbook)
    assert back is not None and back.location == "'Peringkat'!A1"


def test_gap_sheets_print_at_8_5_points_or_more(written: Path, result) -> None:
    """Fitted to one A4 landscape page wide, the gap sheet's columns (and its chart, which ends inside them) leave
    its 10-point text at 8.5 points or more on paper (6.3 with the widths before, hard to read)."""
    points = paper.fitted_points(written, list(result.scores))
    assert len(points) == len(result.scores) >= 5 and min(points.values()) >= 8.5, points


def test_gap_plan_levels_and_first_step_for_an_incomplete_opd(book, result) -> None:
    ws = book["BAPPEDA"]
    score, gap = result.scores["BAPPEDA"], result.gaps["BAPPEDA"]
    r, _ = find(ws, "Rencana minimal menuju target")
    assert ws.cell(r + 1, 1).value == ("Langkah pertama: jawab indikator yang belum diisi: " + ", ".join(score.missing)
                                       + " (saat ini dinilai level terendah).")
    heads = [ws.cell(r + 2, c).value for c in range(1, 7)]
    assert heads == ["No.", "Indikator", "Level saat ini", "Level target", "Naik (jumlah level)", "Kenaikan indeks"]
    current = {g.indicator: g.current for g in gap.rows}
    for step, x in zip(gap.plan, rows_of(ws, r + 2)[:len(gap.plan)], strict=True):
        assert (x["No."], x["Level saat ini"], x["Level target"], x["Naik (jumlah level)"]) == (
            step.indicator, current[step.indicator], current[step.indicator] + step.levels, step.levels)
    ok = book["DISKOMINFO"]  # a complete OPD has no first-step line
    r, _ = find(ok, "Rencana minimal menuju target")
    assert not str(ok.cell(r + 1, 1).value or "").startswith("Langkah pertama")
    hr, _ = find(ws, "Kriteria level berikutnya (level saat ini + 1)")
    g = gap.rows[0]
    assert ws.cell(hr + 1, 11).value == f"Level {g.current + 1}: {g.next_criteria}"


def test_validation_and_files_sheets(book, result) -> None:
    rows = rows_of(book["Validasi"], 4)
    assert [(r["Berkas"], r["Kode"]) for r in rows] == [(f.file, f.code) for f in result.findings]
    t = i18n.table("id")
    outcomes = {o.file: t[f"outcome.{o.outcome}"] for o in result.outcomes}
    assert [r["Hasil berkas"] for r in rows] == [outcomes[f.file] for f in result.findings]  # filter: superseded
    assert book["Validasi"].auto_filter.ref.startswith("A4:")
    files = rows_of(book["Berkas"], 4)
    assert len(files) == len(result.outcomes) == 11
    by_file = {r["Berkas"]: r for r in files}
    t = i18n.table("id")
    assert by_file["BKD (lama).xlsx"]["Hasil"] == t["outcome.superseded"]
    assert by_file["BKD (lama).xlsx"]["Digantikan oleh"] == "BKD.xlsx"
    assert by_file["rusak.xlsx"]["Hasil"] == t["outcome.rejected"]
    outcome = next(o for o in result.outcomes if o.file == "rusak.xlsx")
    assert by_file["rusak.xlsx"]["Keterangan"] == outcome.reason("id")
    assert isinstance(by_file["BKD.xlsx"]["Ukuran (bita)"], int) and len(by_file["BKD.xlsx"]["SHA-256"]) == 64
    missing = rows_of(book["Belum Mengirim"], 4)
    assert [r["Kode OPD"] for r in missing] == sorted(o.code for o in result.not_submitted)


def test_data_sheet_has_one_row_per_opd(book, result) -> None:
    ws = book["Data"]
    assert not ws.merged_cells.ranges
    rows = rows_of(ws, 1)
    assert [r["kode_opd"] for r in rows] == [s.opd_code for s in result.kept]
    bpkad = next(r for r in rows if r["kode_opd"] == "BPKAD")
    score, gap = result.scores["BPKAD"], result.gaps["BPKAD"]
    assert (bpkad["indeks_persis"], bpkad["predikat"], bpkad["versi_format"]) == (exact(score.index), score.predikat, 2)
    assert bpkad["indeks"] == stored(score.index) and bpkad["berkas"] == "BPKAD_final.xlsx"
    assert [bpkad[f"level_{i.id}"] for i in result.framework.indicators] == [x.level for x in score.indicators]
    assert [bpkad[f"target_{i.id}"] for i in result.framework.indicators] == [x.target for x in gap.rows]
    blank = next(r for r in rows if r["kode_opd"] == "BAPPEDA")
    assert blank["status"] == "tidak lengkap" and blank["tidak_dijawab"] == "1, 2, 47" and blank["level_1"] == 1


def test_indicator_data_sheet_is_one_plain_table(book, result) -> None:
    ws = book["Data Indikator"]
    assert not ws.merged_cells.ranges
    rows = rows_of(ws, 1)
    assert len(rows) == len(result.framework.indicators) * len(result.kept)
    bpkad = [r for r in rows if r["kode_opd"] == "BPKAD"]
    one = next(r for r in bpkad if r["indikator"] == "1")
    assert (one["level_mandiri"], one["level_verifikasi"], one["level_dipakai"], one["sumber_level"]) == (
        3, 2, 2, "verifikasi")
    assert one["sel_level"] == "K5" and one["berkas"] == "BPKAD_final.xlsx" and one["lembar"] == "Penilaian"
    assert one["bobot"] == 1.3 and one["bobot_persis"] == "1.3"
    assert next(r for r in bpkad if r["indikator"] == "2")["sel_level"] == "K6"
    blank = next(r for r in rows if r["kode_opd"] == "BAPPEDA" and r["indikator"] == "1")
    assert blank["level_mandiri"] is None and blank["level_dipakai"] == 1 and blank["sumber_level"] == "tidak dijawab"
    assert ws["H2"].data_type == "n" and ws["H2"].number_format == "0" and rows[0]["tahun"] == 2026


def test_inventory_sheets_in_english_name_locations(tmp_path: Path) -> None:
    path = report.write(standard_batch(lang="en"), tmp_path / "en.xlsx").workbook
    wb = openpyxl.load_workbook(path)
    hosting = {c.value for row in wb["Applications"].iter_rows(min_row=5) for c in row if isinstance(c.value, str)}
    assert "National Data Centre (PDN)" in hosting and "Active" in hosting and "Other: server pribadi" in hosting


# ---------------------------------------------------------------- hostile and long text


def test_hostile_text_stays_text(book) -> None:
    assert f"{HOSTILE[0]}.xlsx" in {r["Berkas"] for r in rows_of(book["Berkas"], 4)}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert not c.value.startswith(("=HYPERLINK", "=+1", "=@x", "=-2")), (ws.title, c.coordinate)


def test_hostile_strings_are_string_cells(book) -> None:
    seen = {c.value: c.data_type for ws in book.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value in (*HOSTILE, f"{HOSTILE[0]}.xlsx", "+1.xlsx")}
    assert seen[f"{HOSTILE[0]}.xlsx"] == "s" and seen["+1.xlsx"] == "s" and set(seen.values()) == {"s"}


def test_long_and_bad_text_is_cleaned(book) -> None:
    msgs = [r["Pesan"] for r in rows_of(book["Validasi"], 4)]
    longest = max(msgs, key=len)
    assert len(longest) == EXCEL_MAX_CHARS and longest.endswith(TRUNCATION_MARKER)
    assert not any("\x07" in m or "\ud800" in m for m in msgs)
    assert any("beldansurrogat" in m for m in msgs) or all(CONTROL_TEXT not in m for m in msgs)


def test_same_result_gives_identical_bytes(result, tmp_path: Path) -> None:
    a = report.write(result, tmp_path / "a.xlsx").workbook.read_bytes()
    b = report.write(result, tmp_path / "b.xlsx").workbook.read_bytes()
    c = report.write(standard_batch(), tmp_path / "c.xlsx").workbook.read_bytes()
    assert a == b == c


# ---------------------------------------------------------------- scale


def test_many_opds_skip_the_per_opd_chart_but_keep_every_row(tmp_path: Path) -> None:
    res = large_batch(settings.CHART_MAX_OPDS + 5)
    path = report.write(res, tmp_path / "rekap.xlsx", per_opd_files=False).workbook
    wb = openpyxl.load_workbook(path, read_only=True)
    ranking = [r for r in wb["Peringkat"].iter_rows(min_row=5, values_only=True) if r[0] is not None]
    assert len(ranking) == len(res.kept)
    summary = [v for r in wb["Ringkasan"].iter_rows(values_only=True) for v in r if isinstance(v, str)]
    assert any(v.startswith("Grafik 'Indeks SPBE per OPD' tidak digambar") for v in summary)
    assert sum(1 for _ in wb["Data Indikator"].iter_rows(min_row=2)) == len(res.kept) * len(res.framework.indicators)
    assert sum(1 for _ in wb["Data"].iter_rows(min_row=2)) == len(res.kept)
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/")]
    # predikat distribution, domain and aspect means, one per gap sheet; no per-OPD bar or data-centre chart
    assert len(charts) == 3 + len(res.kept)


def test_streamed_mode_writes_inline_strings_and_the_same_cells(result, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Above STREAM_ABOVE OPDs rows go to disk as they are written (xlsxwriter constant_memory): same cells."""
    monkeypatch.setattr(settings, "PER_OPD_LIMIT", 0)  # no gap sheets: the streamed mode's precondition
    normal = report.write(result, tmp_path / "a" / "rekap.xlsx", per_opd_files=False).workbook
    monkeypatch.setattr(settings, "STREAM_ABOVE", 0)
    streamed = report.write(result, tmp_path / "b" / "rekap.xlsx", per_opd_files=False).workbook
    assert report.write(result, tmp_path / "c" / "rekap.xlsx", per_opd_files=False).workbook.read_bytes() == (
        streamed.read_bytes())

    def cells(path: Path) -> dict:
        wb = openpyxl.load_workbook(path)
        return {ws.title: {c.coordinate: (c.value, c.number_format) for row in ws.iter_rows() for c in row
                           if c.value is not None} for ws in wb.worksheets}

    assert cells(normal) == cells(streamed)
    with zipfile.ZipFile(streamed) as z:
        assert any(b"inlineStr" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


# ---------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_renders_the_workbook(written: Path, result, tmp_path: Path) -> None:
    text = pdf_text(to_pdf(written, tmp_path / "pdf", timeout=120))
    assert "Rata-rata indeks SPBE provinsi" in text and display(result.summary.mean_index) in text
    assert "Dinas Komunikasi, Informatika, Statistik dan Persandian" in text
    ranking = text[text.index("Peringkat Indeks SPBE"):]
    for row in result.ranking:
        line = next(ln for ln in ranking.splitlines() if f" {row.opd} " in f" {ln} ")
        assert display(row.index) in line.split(), (row.opd, line)
    diskominfo = next(ln for ln in ranking.splitlines() if " DISKOMINFO " in f" {ln} ")
    assert result.scores["DISKOMINFO"].index == Fraction("2.645") and "2.65" in diskominfo.split()
