"""Reading filled questionnaires: answers normalised, every problem located by sheet and cell."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline import layout as L
from pipeline.intake.raw import RawCell
from pipeline.intake.read import Task, entry, read_one
from pipeline.intake.values import parse_level, parse_quantity
from tests.intake import hostile


def read(path: Path, rel: str | None = None, framework: str | None = None):
    [sub] = read_one(Task(entry(path, rel or path.name), framework, None))
    return sub


def answer(sub, iid: str):
    return sub.answer(iid)


def locs(sub, *codes: str) -> list[tuple[str, str, str]]:
    return [(f.sheet, f.cell, f.code) for f in sub.findings if not codes or f.code in codes]


def level_cell(fw, iid: str) -> str:
    """A1 address of an indicator's level cell in the untouched template."""
    row = L.FIRST_DATA_ROW + [i.id for i in fw.indicators].index(iid)
    col = next(n for n, c in enumerate(L.ASSESSMENT_COLUMNS, start=1) if c.key == "level")
    return f"{openpyxl.utils.get_column_letter(col)}{row}"


def test_clean_submission(tmp_path: Path, make_submission, fw2018) -> None:
    sub = read(make_submission(tmp_path, opd="BKD", levels={"25": "3 - Transaksi"}))
    assert sub.opd_code == "BKD" and not sub.rejected and not sub.incomplete
    assert sub.findings == () or all(f.severity == "warning" for f in sub.findings)
    assert len(sub.answers) == 37 and sub.answer("25").level == 3 and sub.answer("1").level == 2
    assert sub.cell(sub.answer("25")) == level_cell(fw2018, "25")
    assert sub.date_filled == dt.date(2026, 3, 2) and sub.year == 2026
    assert sub.template_version == L.TEMPLATE_VERSION and sub.framework_id == "permenpanrb-5-2018"


COERCED = [(3.0, 3, ""), (" 3 ", 3, "level-coerced"), ("3 - Terdefinisi", 3, ""), ("3 – Terdefinisi", 3, "level-coerced"),
           ("Level 3", 3, "level-coerced"), ("Tingkat 3", 3, "level-coerced"), ("Terdefinisi", 3, "level-coerced"),
           ("terdefinisi", 3, "level-coerced"), ("３", 3, "level-coerced"), ("3,0", 3, "level-coerced"),
           ("3.0", 3, "level-coerced"), ("3.", 3, "level-coerced"), ("3", 3, "level-coerced"), (0, 0, "")]
BAD = [("tiga?", "level-unparseable"), ("3-4", "level-unparseable"), ("✓", "level-unparseable"),
       (6, "level-out-of-range"), (-1, "level-out-of-range"), (2.5, "level-out-of-range"), ("2,5", "level-out-of-range"),
       ("3 - Rintisan", "level-unparseable"), (True, "level-unparseable"), ("", "level-blank")]


@pytest.mark.parametrize("value,level,code", COERCED)
def test_level_normalisation(value, level, code, fw2018) -> None:
    kind = "n" if isinstance(value, float | int) and not isinstance(value, bool) else "s"
    got = parse_level(RawCell(float(value) if kind == "n" else value, kind), fw2018, "process")
    assert got[:2] == (level, code)


@pytest.mark.parametrize("value,code", BAD)
def test_level_problems(value, code, fw2018) -> None:
    kind = "b" if isinstance(value, bool) else ("n" if isinstance(value, int | float) else "s")
    got = parse_level(RawCell(value if kind != "n" else float(value), kind), fw2018, "process")
    assert got[0] is None and got[1] == code


def test_zero_out_of_range_in_2020(fw2020) -> None:
    assert parse_level(RawCell(0.0, "n"), fw2020, "service")[1] == "level-out-of-range"
    assert parse_level(RawCell("Transaksi", "s"), fw2020, "service")[:2] == (3, "level-coerced")


QUANTITIES = [  # typed, column, (value read, finding code)
    (8.0, "vcpu", (8, "")), ("8", "vcpu", (8, "")), ("8 core", "vcpu", (8, "number-coerced")),
    ("4 vCPU", "vcpu", (4, "number-coerced")), ("16 GB", "ram", (16, "number-coerced")),
    ("512 MB", "ram", (0.512, "number-coerced")), ("1,5 TB", "storage", (1500, "number-coerced")),
    ("1.500,5", "storage", (1500.5, "number-coerced")), ("1,500.5", "storage", (1500.5, "number-coerced")),
    ("1 Gbps", "bandwidth", (1000, "number-coerced")), ("Rp 2.500.000", "rent", (2_500_000, "number-coerced")),
    ("2,5 juta", "rent", (2_500_000, "number-coerced")), ("2.500.000,-/bulan", "rent", (2_500_000, "number-coerced")),
    ("IDR 2,500,000 per bulan", "cost", (2_500_000, "number-coerced")), ("banyak", "vcpu", (None, "number-invalid")),
    ("2,5", "vcpu", (None, "number-invalid")), (10000.0, "vcpu", (None, "value-implausible")),
    (0.0, "ram", (None, "value-implausible")), (2031.0, "year", (None, "value-implausible")),
    (2026.0, "year", (2026, "")), ("Rp 500", "rent", (None, "value-implausible")),
]


@pytest.mark.parametrize("typed,key,expected", QUANTITIES)
def test_numbers_of_the_server_and_network_tables(typed, key, expected) -> None:
    """Numbers typed as text are read in the column's unit with a warning; impossible values are not used."""
    got = parse_quantity(RawCell(typed, "n" if isinstance(typed, float) else "s"), key, 2026)
    assert got[:2] == expected


def test_problems_located_in_workbook(tmp_path: Path, make_submission, fw2018) -> None:
    levels = {"1": "Level 4", "2": "tiga?", "3": 6, "4": "=1+2", "5": "3 - Terdefinisi", "6": "３", "7": None}
    sub = read(make_submission(tmp_path, levels=levels))
    got = {(s, c, k) for s, c, k in locs(sub) if k.startswith("level")}
    want = {("Penilaian", level_cell(fw2018, "1"), "level-coerced"), ("Penilaian", level_cell(fw2018, "2"), "level-unparseable"),
            ("Penilaian", level_cell(fw2018, "3"), "level-out-of-range"), ("Penilaian", level_cell(fw2018, "4"), "level-formula"),
            ("Penilaian", level_cell(fw2018, "6"), "level-coerced"), ("Penilaian", level_cell(fw2018, "7"), "level-blank")}
    assert got == want
    assert sub.incomplete and not sub.rejected
    assert sub.answer("4").level is None and sub.answer("1").level == 4
    formula = next(f for f in sub.findings if f.code == "level-formula")
    assert formula.found == "=1+2"


def test_error_value_and_formula_without_cache(tmp_path: Path, make_submission, fw2018) -> None:
    path = make_submission(tmp_path, levels={"9": "=NA()"})
    # openpyxl writes formulas without cached values; add an error value by editing the sheet XML
    sub = read(path)
    assert ("Penilaian", level_cell(fw2018, "9"), "level-formula") in locs(sub)
    ref = level_cell(fw2018, "10")
    src = hostile.error_value(path, ref, tmp_path / "err.xlsx")
    sub = read(src)
    err = [f for f in sub.findings if f.code == "level-error-value"]
    assert [(f.sheet, f.cell, f.found) for f in err] == [("Penilaian", ref, "#N/A")]
    assert sub.answer("10").level is None


def _edit(path: Path, fn) -> Path:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def test_rows_inserted_deleted_reordered_hidden(tmp_path: Path, make_submission) -> None:
    path = make_submission(tmp_path, levels={"1": 5, "2": 4, "37": 1})

    def mutate(wb):
        ws = wb[L.SHEET_ASSESSMENT]
        ws.insert_rows(L.FIRST_DATA_ROW + 1, 3)  # blank rows inside the table
        ws.cell(L.FIRST_DATA_ROW + 2, 1, "Catatan OPD")  # a note row (no answer) is ignored
        # move indicator 1 to the end, delete indicator 3's row, hide indicator 2's row
        last = ws.max_row + 1
        for c in range(1, len(L.ASSESSMENT_COLUMNS) + 1):
            ws.cell(last, c, ws.cell(L.FIRST_DATA_ROW, c).value)
            ws.cell(L.FIRST_DATA_ROW, c).value = None
        row3 = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "3")
        ws.delete_rows(row3)
        row2 = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "2")
        ws.row_dimensions[row2].hidden = True

    sub = read(_edit(path, mutate))
    assert sub.answer("1").level == 5 and sub.answer("2").level == 4
    assert sub.answer("3") is None
    assert ("Penilaian", "", "indicator-missing") in locs(sub)
    assert [f.expected for f in sub.findings if f.code == "indicator-missing"] == ["3"]
    assert not any(f.code == "indicator-unknown" for f in sub.findings)


def test_duplicate_and_unknown_rows(tmp_path: Path, make_submission) -> None:
    path = make_submission(tmp_path)

    def mutate(wb):
        ws = wb[L.SHEET_ASSESSMENT]
        r = ws.max_row + 1
        ws.cell(r, 1, "5")
        ws.cell(r, 8, 4)
        ws.cell(r + 1, 1, "36")
        ws.cell(r + 1, 8, 3)

    sub = read(_edit(path, mutate))
    dup = [f for f in sub.findings if f.code == "indicator-duplicate"]
    assert len(dup) == 1 and dup[0].found == "5" and sub.answer("5") is None
    unk = [f for f in sub.findings if f.code == "indicator-unknown"]
    assert [(f.found, f.cell) for f in unk] == [("36", f"A{unk[0].cell[1:]}")]


def test_reordered_columns_and_hidden_sheet(tmp_path: Path, make_submission) -> None:
    path = make_submission(tmp_path, levels={"25": 4})

    def mutate(wb):
        ws = wb[L.SHEET_ASSESSMENT]
        ws.insert_cols(2, 2)  # two new columns before Domain: headings are found by text
        ws.sheet_state = "hidden"

    sub = read(_edit(path, mutate))
    assert sub.answer("25").level == 4 and sub.cell(sub.answer("25")).startswith("J")
    assert ("Penilaian", "", "hidden-sheet") in locs(sub)


def test_merged_answer_cells(tmp_path: Path, make_submission, fw2018) -> None:
    """A level cell merged over two indicator rows answers the first one only: the covered indicator's answer is
    unusable (not copied); a level cell merged with the next column is flagged."""
    path = make_submission(tmp_path, levels={"1": 3, "2": None, "23": 4})
    a, b = level_cell(fw2018, "1"), level_cell(fw2018, "2")
    c = level_cell(fw2018, "23")
    right = f"{chr(ord(c[0]) + 1)}{c[1:]}"

    def mutate(wb) -> None:
        wb[L.SHEET_ASSESSMENT].merge_cells(f"{a}:{b}")
        wb[L.SHEET_ASSESSMENT].merge_cells(f"{c}:{right}")

    sub = read(_edit(path, mutate))
    assert sub.answer("1").level == 3 and sub.answer("2").level is None and sub.answer("23").level == 4
    assert sub.incomplete
    merged = [(f.cell, f.code, f.found, f.severity) for f in sub.findings if f.code.startswith(("merged", "level-m"))]
    assert merged == [(a, "merged-answer-cell", f"{a}:{b}", "warning"), (b, "level-merged", a, "incomplete"),
                      (c, "merged-answer-cell", f"{c}:{right}", "warning")]


def test_a_changed_heading_is_read_with_a_warning(tmp_path: Path, make_submission, fw2018) -> None:
    path = make_submission(tmp_path, levels={"1": 4})
    col = next(n for n, c in enumerate(L.ASSESSMENT_COLUMNS, start=1) if c.key == "level")
    sub = read(_edit(path, lambda wb: wb[L.SHEET_ASSESSMENT].cell(L.HEADER_ROW, col, "Level (pilih dari daftar) (1-5)")))
    assert not sub.rejected and sub.answer("1").level == 4
    changed = [f for f in sub.findings if f.code == "heading-changed"]
    assert [(f.cell, f.found, f.expected) for f in changed] == [
        (f"{level_cell(fw2018, '1')[0]}{L.HEADER_ROW}", "Level (pilih dari daftar) (1-5)", "Level (pilih dari daftar)")]


def test_an_inserted_row_with_an_answer_but_no_number_is_a_finding(tmp_path: Path, make_submission) -> None:
    path = make_submission(tmp_path, levels={"1": 4})

    def mutate(wb) -> None:
        ws = wb[L.SHEET_ASSESSMENT]
        ws.insert_rows(L.FIRST_DATA_ROW + 1)
        ws.cell(L.FIRST_DATA_ROW + 1, 8, "3 - Terdefinisi")

    sub = read(_edit(path, mutate))
    missing = [f for f in sub.findings if f.code == "indicator-number-missing"]
    assert [(f.cell, f.detail, f.severity) for f in missing] == [(f"A{L.FIRST_DATA_ROW + 1}", str(L.FIRST_DATA_ROW + 1),
                                                                  "warning")]
    assert sub.answer("1").level == 4 and sub.answer("2").level == 2


def test_a_formula_without_a_stored_value_is_a_finding(tmp_path: Path, make_submission) -> None:
    apps = [{"name": "SIMPEG", "function": "Kepegawaian", "status": "Aktif", "url": "=CONCAT(\"simpeg\",\".go.id\")"}]
    sub = read(make_submission(tmp_path, applications=apps))
    found = [(f.sheet, f.found) for f in sub.findings if f.code == "formula-without-value"]
    assert found == [("Aplikasi", '=CONCAT("simpeg",".go.id")')] and sub.applications[0].url == ""


def test_sheet_names_tolerant_and_missing(tmp_path: Path, make_submission) -> None:
    path = make_submission(tmp_path, levels={"1": 4})
    sub = read(_edit(path, lambda wb: setattr(wb[L.SHEET_ASSESSMENT], "title", " penilaian ")))
    assert sub.answer("1").level == 4 and not sub.rejected
    sub = read(_edit(path, lambda wb: wb.remove(wb[" penilaian "])))
    assert ("", "", "missing-sheet") in locs(sub) and sub.rejected
    sub = read(_edit(make_submission(tmp_path, name="b.xlsx"), lambda wb: wb.remove(wb[L.SHEET_APPS])))
    assert ("", "", "missing-optional-sheet") in locs(sub)


def test_wrong_dimension_is_ignored(tmp_path: Path, make_submission) -> None:
    path = make_submission(tmp_path, levels={"35c": 4}, service_names={"35a": "A", "35b": "B", "35c": "C"})
    out = tmp_path / "dim.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                import re

                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', data)
            zout.writestr(item, data)
    sub = read(out)
    assert sub.answer("35c").level == 4 and sub.answer("35c").service_name == "C"


def test_identity_and_roster(tmp_path: Path, make_submission) -> None:
    sub = read(make_submission(tmp_path, opd="dinas kominfo", name="x.xlsx"))
    assert sub.opd_code == "DISKOMINFO"
    sub = read(make_submission(tmp_path, opd="Dinas Antah Berantah", name="y.xlsx"))
    assert ("Identitas", "B5", "opd-unknown") in locs(sub) and sub.rejected
    sub = read(make_submission(tmp_path, opd="", name="z.xlsx"))
    assert ("Identitas", "B5", "opd-missing") in locs(sub)
    sub = read(make_submission(tmp_path, opd="BKD", name="Kuesioner_BPKAD_2026.xlsx"))
    mism = [f for f in sub.findings if f.code == "opd-filename-mismatch"]
    assert [(f.found, f.expected) for f in mism] == [("BPKAD", "BKD")] and not sub.rejected


def test_identity_fields(tmp_path: Path, make_submission) -> None:
    path = make_submission(tmp_path, identity={"nip": "1985 0101", "date_filled": "tgl 31/02", "year": "dua ribu",
                                               "respondent": ""})
    sub = read(path)
    assert {("Identitas", "B7", "nip-invalid"), ("Identitas", "B11", "date-invalid"),
            ("Identitas", "B12", "number-invalid"), ("Identitas", "B6", "identity-field-missing")} <= set(locs(sub))
    path = make_submission(tmp_path, name="b.xlsx", identity={"date_filled": "15 Maret 2026", "respondent": None})
    sub = read(path)
    assert sub.date_filled == dt.date(2026, 3, 15)


def test_metadata_and_framework(tmp_path: Path, make_submission) -> None:
    p2020 = make_submission(tmp_path, framework="2020", name="f2020.xlsx")
    sub = read(p2020)
    assert ("_meta", "B2", "framework-mismatch") in locs(sub) and sub.rejected
    assert not read(p2020, framework="permenpanrb-59-2020").rejected
    path = make_submission(tmp_path, name="v.xlsx")
    sub = read(_edit(path, lambda wb: wb[L.SHEET_META].__setitem__("B1", "1999.9")))
    assert ("_meta", "B1", "unknown-template-version") in locs(sub)
    sub = read(_edit(path, lambda wb: (wb[L.SHEET_META].__setitem__("B1", L.TEMPLATE_VERSION),
                                       wb[L.SHEET_META].__setitem__("B3", "0000"))))
    assert ("_meta", "B3", "fingerprint-mismatch") in locs(sub)
    sub = read(_edit(path, lambda wb: wb.remove(wb[L.SHEET_META])))
    assert ("", "", "missing-metadata") in locs(sub) and not sub.rejected
    sub = read(_edit(make_submission(tmp_path, framework="2020", name="g.xlsx"), lambda wb: wb.remove(wb[L.SHEET_META])))
    assert ("", "", "framework-mismatch") in locs(sub)


def test_not_a_questionnaire(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Laporan keuangan"
    wb.save(tmp_path / "lain.xlsx")
    sub = read(tmp_path / "lain.xlsx")
    assert locs(sub) == [("", "", "not-a-questionnaire")]


def test_verified_levels(tmp_path: Path, make_submission, fw2018) -> None:
    sub = read(make_submission(tmp_path, levels={"25": 4, "26": 3, "27": 4},
                               verified={"25": "2 - Interaksi", "26": "x", "27": "Level 3"}))
    assert sub.answer("25").verified == 2 and sub.answer("26").verified is None and sub.answer("27").verified == 3
    bad = [f for f in sub.findings if f.code == "verified-level-invalid"]
    assert [(f.sheet, f.found) for f in bad] == [("Penilaian", "x")]
    coerced = [f for f in sub.findings if f.code == "level-coerced"]  # the verifier's free text is named as the OPD's
    assert [(f.sheet, f.found, f.expected) for f in coerced] == [("Penilaian", "Level 3", "3")]
    assert coerced[0].cell[0] == bad[0].cell[0]  # in the verifier's column
    assert any(a.verified is not None for a in sub.answers)


def test_text_cleaning(tmp_path: Path, make_submission, fw2018) -> None:
    # Excel stores control characters as _xHHHH_ escapes; openpyxl cuts text at 32,767, so the long text is
    # put into the shared strings afterwards
    path = make_submission(tmp_path, explanations={"1": "LONGTEXTMARKER"}, evidence={"2": "SK_x0007_ Tim"})
    out = tmp_path / "long.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename).replace(b"LONGTEXTMARKER", b"x" * 40000)
            zout.writestr(item, data)
    sub = read(out)
    cut = next(f for f in sub.findings if f.code == "text-truncated")
    assert (cut.sheet, cut.found, cut.expected) == ("Penilaian", "40000", "32767")
    assert [(f.sheet, f.code) for f in sub.findings if f.code == "control-characters"] == [("Penilaian",
                                                                                           "control-characters")]
    assert sub.answer("2").evidence


def test_consistency_warnings(tmp_path: Path, make_submission, fw2018) -> None:
    path = make_submission(tmp_path, levels={"26": 4, "25": 1, "1": 3}, evidence={"1": ""}, default_evidence=False,
                           applications=[{"name": "Srikandi", "function": "Naskah dinas / persuratan", "status": "Aktif"}])
    from pipeline.validate import consistency

    sub = consistency(fw2018, read(path))
    codes = {(f.code, f.detail) for f in sub.findings}
    assert ("service-without-application", "26") in codes  # kepegawaian level 4, no application
    assert any(c == "application-with-low-level" for c, _ in codes)  # Srikandi active, naskah dinas level 1
    assert ("evidence-missing", "1") in codes


def test_inventory_vocabularies(tmp_path: Path, make_submission) -> None:
    apps = [{"name": "SIMPEG", "function": "kepegawaian", "users": "ASN", "developer": "Rekanan",
             "hosting": "Server Jakarta (vendor)", "status": "jalan"},
            {"name": "Web Dinas", "function": "Lainnya: profil dinas", "hosting": "Ruang server OPD sendiri",
             "status": "Aktif"},
            {"name": "", "url": "http://x.go.id"},
            {"name": "E-Absen", "function": "presensi pegawai", "hosting": "di bawah meja", "status": "Tidak aktif"}]
    sub = read(make_submission(tmp_path, applications=apps, framework="previous",
                               infrastructure={"provider": "Telkom", "bandwidth": "banyak", "server_room": "punya"},
                               servers={"Vendor/hosting di luar provinsi": 3, "Ruang server OPD sendiri": "dua"}))
    by_name = {a.name: a for a in sub.applications}
    assert by_name["SIMPEG"].function == "kepegawaian" and by_name["SIMPEG"].hosting == "vendor-luar-provinsi"
    assert by_name["SIMPEG"].status == "aktif" and by_name["SIMPEG"].developer == "Vendor / pihak ketiga"
    assert by_name["Web Dinas"].function == "lainnya: profil dinas"
    assert by_name["E-Absen"].hosting == "lainnya: di bawah meja" and by_name["E-Absen"].status == "tidak-aktif"
    assert len(sub.applications) == 3
    codes = {(f.sheet, f.code) for f in sub.findings}
    assert {("Aplikasi", "application-name-missing"), ("Aplikasi", "vocabulary-coerced"),
            ("Aplikasi", "vocabulary-unknown"), ("Infrastruktur", "number-invalid")} <= codes
    infra = sub.infrastructure
    assert [(s.provider, s.bandwidth) for s in infra.sites] == [("Telkom", None)] and infra.has_server_room == "ya"
    assert [(s.location, s.count) for s in infra.servers] == [("vendor-luar-provinsi", 3)] and not infra.server_rows


def test_rows_beyond_table(tmp_path: Path, make_submission) -> None:
    apps = [{"name": f"App {n}", "function": "Keuangan", "status": "Aktif"} for n in range(L.APP_INPUT_ROWS + 2)]
    sub = read(make_submission(tmp_path, applications=apps))
    assert len(sub.applications) == L.APP_INPUT_ROWS + 2
    assert [f.found for f in sub.findings if f.code == "rows-beyond-table"] == ["2"]


def test_missing_level_heading(tmp_path: Path, make_submission, fw2018) -> None:
    path = make_submission(tmp_path, levels={"1": 4})
    col = next(n for n, c in enumerate(L.ASSESSMENT_COLUMNS, start=1) if c.key == "level")
    sub = read(_edit(path, lambda wb: wb[L.SHEET_ASSESSMENT].cell(L.HEADER_ROW, col, "Nilai")))
    assert ("Penilaian", "", "missing-column") in locs(sub)
    assert sub.answers == () and len([f for f in sub.findings if f.code == "indicator-missing"]) == 37


def test_evidence_is_kept_as_given_or_not(tmp_path: Path, make_submission) -> None:
    sub = read(make_submission(tmp_path, explanations={"1": "Sudah ada SK"}, evidence={"1": "SK.pdf", "2": ""},
                               default_evidence=False))
    assert sub.answer("1").evidence is True and sub.answer("2").evidence is False and sub.answer("1").level == 2


def test_server_room_inconsistency(tmp_path: Path, make_submission, fw2018) -> None:
    from pipeline import i18n
    from pipeline.validate import consistency

    apps = [{"name": "WBS", "function": "WBS", "hosting": "Ruang server OPD sendiri", "status": "Aktif"}]
    sub = consistency(fw2018, read(make_submission(tmp_path, applications=apps, infrastructure={"server_room": "Tidak"},
                                                   servers={"Ruang server OPD sendiri": 2}, framework="previous")))
    found = [(f.sheet, f.cell, i18n.render(f.found)) for f in sub.findings if f.code == "server-room-inconsistent"]
    assert found == [("Infrastruktur", "B7", "aplikasi WBS dan 2 server")]
    assert [i18n.render(f.found, "en") for f in sub.findings if f.code == "server-room-inconsistent"] == [
        "applications WBS and 2 servers"]


def test_c1_controls_and_direction_overrides_are_removed_with_a_warning(tmp_path: Path, make_submission) -> None:
    apps = [{"name": "Aplikasi\u202eexe.xlsx", "function": "Keuangan", "status": "Aktif", "needs": "a\x85b\x9fc"}]
    sub = read(make_submission(tmp_path, applications=apps))
    assert [(a.name, a.needs) for a in sub.applications] == [("Aplikasiexe.xlsx", "abc")]
    assert [f.sheet for f in sub.findings if f.code == "control-characters"] == ["Aplikasi", "Aplikasi"]


def _damage(src: Path, dst: Path, part: str) -> Path:
    """A copy of ``src`` whose ``part`` is stored uncompressed with one byte changed: its CRC no longer matches."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            method = zipfile.ZIP_STORED if info.filename == part else zipfile.ZIP_DEFLATED
            zout.writestr(info.filename, zin.read(info.filename), compress_type=method)
    raw = bytearray(dst.read_bytes())
    start = raw.find(part.encode()) + len(part)  # the local header's name, then the part's bytes
    pos = raw.find(b"<sheetData>", start)
    raw[pos + 1:pos + 2] = b"S"
    dst.write_bytes(bytes(raw))
    return dst


def test_every_part_is_checked_a_damaged_unneeded_one_only_warns(tmp_path: Path, make_submission) -> None:
    path = make_submission(tmp_path, opd="BKD")
    names = {n.split("/")[-1]: n for n in zipfile.ZipFile(path).namelist()}
    petunjuk, penilaian = names["sheet1.xml"], names["sheet3.xml"]  # the guide sheet, and the answers
    sub = read(_damage(path, tmp_path / "petunjuk-rusak.xlsx", petunjuk))
    assert not sub.rejected and sub.answer("1").level == 2
    damaged = [f for f in sub.findings if f.code == "damaged-part"]
    assert [(f.severity, f.message("en")) for f in damaged] == [
        ("warning", "A part of the archive that is not read is damaged (xl/worksheets/sheet1.xml: CRC mismatch "
                    "(damaged data)); the answers are read from the sound parts.")]
    sub = read(_damage(path, tmp_path / "penilaian-rusak.xlsx", penilaian))
    assert sub.rejected and [f.code for f in sub.findings] == ["corrupt-workbook"]


def test_phone_and_nip_stored_as_numbers_are_flagged(tmp_path: Path, make_submission) -> None:
    path = make_submission(tmp_path, identity={"phone": 81234567890, "nip": 1.98503142010012e17})
    sub = read(path)
    flagged = [(f.found, f.expected) for f in sub.findings if f.code == "number-in-text-field"]
    assert flagged == [("198503142010012000", "NIP"), ("81234567890", "Nomor Telepon / WA")]
    sub = read(make_submission(tmp_path, name="teks.xlsx", identity={"phone": "081234567890",
                                                                      "nip": "198503142010012001"}))
    assert not [f for f in sub.findings if f.code in ("number-in-text-field", "nip-invalid")]
    assert dict(sub.respondent)["phone"] == "081234567890"


def test_the_template_keeps_phone_and_nip_as_text(template_2018: Path) -> None:
    wb = openpyxl.load_workbook(template_2018)
    ws = wb[L.SHEET_IDENTITY]
    rows = {ws.cell(r, 1).value: r for r in range(1, 20)}
    assert ws.cell(rows["NIP"], 2).number_format == "@" == ws.cell(rows["Nomor Telepon / WA"], 2).number_format
