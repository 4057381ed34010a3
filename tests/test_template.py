"""The blank questionnaire: sheets, dropdowns, protection, metadata, determinism, LibreOffice."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline import layout as L
from pipeline.cli import main
from pipeline.template import DEFAULT_TEMPLATE, level_choices, write_template
from tests.libreoffice import pdf_text, printed_points, require_calibri_metrics, to_pdf


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_sheets_and_metadata(template_2018: Path, fw2018) -> None:
    wb = openpyxl.load_workbook(template_2018)
    assert wb.sheetnames == [L.SHEET_GUIDE, L.SHEET_IDENTITY, L.SHEET_ASSESSMENT, L.SHEET_APPS, L.SHEET_INFRA,
                             L.SHEET_SERVERS, L.SHEET_NETWORK, L.SHEET_LISTS, L.SHEET_META]
    assert wb[L.SHEET_META].sheet_state == "hidden" and wb[L.SHEET_LISTS].sheet_state == "hidden"
    meta = {r[0].value: r[1].value for r in wb[L.SHEET_META].iter_rows()}
    assert meta == {"template_version": L.TEMPLATE_VERSION, "framework_id": "permenpanrb-5-2018",
                    "framework_fingerprint": fw2018.fingerprint, "generator": "spbe-pipeline"}


def test_assessment_rows_and_inputs(template_2018: Path, fw2018) -> None:
    ws = openpyxl.load_workbook(template_2018)[L.SHEET_ASSESSMENT]
    headers = [c.value for c in ws[L.HEADER_ROW]]
    assert headers == [c.header for c in L.ASSESSMENT_COLUMNS]
    ids = [ws.cell(r, 1).value for r in range(L.FIRST_DATA_ROW, ws.max_row + 1)]
    assert ids == [i.id for i in fw2018.indicators]
    assert ids.count("35a") == 1 and {"35a", "35b", "35c"} <= set(ids)
    col = {c.key: n for n, c in enumerate(L.ASSESSMENT_COLUMNS, start=1)}
    row = L.FIRST_DATA_ROW
    assert "0 – Belum Ada:" in ws.cell(row, col["criteria"]).value and "5 – Optimum:" in ws.cell(row, col["criteria"]).value
    for key in ("level", "explanation", "evidence", "verified", "verifier_note"):
        assert ws.cell(row, col[key]).protection.locked is False, key
    assert ws.cell(row, col["criteria"]).protection.locked is True
    assert ws.protection.sheet is True and not ws.protection.password
    assert ws.freeze_panes is not None
    slot_row = L.FIRST_DATA_ROW + ids.index("35a")
    assert ws.cell(slot_row, col["service_name"]).protection.locked is False
    assert ws.cell(row, col["service_name"]).protection.locked is True


def test_level_dropdowns(template_2018: Path, fw2018) -> None:
    wb = openpyxl.load_workbook(template_2018)
    ws = wb[L.SHEET_ASSESSMENT]
    dvs = ws.data_validations.dataValidation
    level_col = next(n for n, c in enumerate(L.ASSESSMENT_COLUMNS, start=1) if c.key == "level")
    letter = openpyxl.utils.get_column_letter(level_col)
    first = next(dv for dv in dvs if f"{letter}{L.FIRST_DATA_ROW}" in str(dv.sqref))
    assert first.type == "list" and first.formula1 == "DaftarLevelProses"
    assert first.showErrorMessage and first.showInputMessage and first.error and first.prompt
    assert level_choices(fw2018, "process")[3] == "3 - Terdefinisi"
    assert level_choices(fw2018, "service")[3] == "3 - Transaksi"
    lists = wb[L.SHEET_LISTS]
    col = [c.value for c in lists[1]].index("LevelProses") + 1
    assert [lists.cell(r, col).value for r in range(2, 8)] == level_choices(fw2018, "process")
    assert "DaftarOPD" in wb.defined_names


def test_other_sheets(template_2018: Path, roster) -> None:
    wb = openpyxl.load_workbook(template_2018)
    ident = wb[L.SHEET_IDENTITY]
    labels = [ident.cell(r, 1).value for r in range(L.FIRST_DATA_ROW, L.FIRST_DATA_ROW + len(L.IDENTITY_FIELDS))]
    assert labels == [f.label for f in L.IDENTITY_FIELDS]
    lists = wb[L.SHEET_LISTS]
    col = [c.value for c in lists[1]].index("OPD") + 1
    opds = [lists.cell(r, col).value for r in range(2, 2 + len(roster.opds))]
    assert "DISKOMINFO - Dinas Komunikasi, Informatika, Statistik dan Persandian" in opds
    apps = wb[L.SHEET_APPS]
    assert [c.value for c in apps[L.HEADER_ROW]] == [c.header for c in L.APP_COLUMNS]
    assert any(dv.formula1 == "DaftarHosting" for dv in apps.data_validations.dataValidation)
    infra = wb[L.SHEET_INFRA]
    labels = {c.value for c in infra["A"][L.HEADER_ROW:]} - {None}
    assert labels == {f.label for f in L.INFRA_FIELDS if not f.legacy}  # servers and sites have sheets of their own
    assert apps.print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}"
    for sheet, columns, rows in ((L.SHEET_SERVERS, L.SERVER_TABLE, L.SERVER_INPUT_ROWS),
                                 (L.SHEET_NETWORK, L.NETWORK_TABLE, L.NETWORK_INPUT_ROWS)):
        ws = wb[sheet]
        assert [c.value for c in ws[L.HEADER_ROW]] == [c.header for c in columns]
        assert ws.cell(L.FIRST_DATA_ROW + rows - 1, 2).protection.locked is False and ws.protection.sheet
        assert ws.protection.insertRows is False  # rows may be inserted (openpyxl: False = not protected)
    sources = {dv.formula1 for dv in wb[L.SHEET_SERVERS].data_validations.dataValidation}
    assert {"DaftarHosting", "DaftarJenis", "DaftarYaTidak"} <= sources


def test_previous_version_is_the_questionnaire_opds_filled_before(template_previous: Path) -> None:
    """The previous version is still written byte for byte as it was shipped (its SHA-256 as released), so the
    tests and samples fill exactly the questionnaire OPDs still send."""
    assert sha(template_previous) == "9362ab97f77d680d0d8cb139b71c158887864b1e73aa697064b3bafd3b942462"
    wb = openpyxl.load_workbook(template_previous)
    assert L.SHEET_SERVERS not in wb.sheetnames and wb[L.SHEET_META]["B1"].value == L.PREVIOUS_VERSION
    assert {c.value for c in wb[L.SHEET_INFRA]["A"]} >= {f.label for f in L.INFRA_FIELDS} | {h[1] for h in L.HOSTING}


def test_2020_template(template_2020: Path, fw2020) -> None:
    ws = openpyxl.load_workbook(template_2020)[L.SHEET_ASSESSMENT]
    ids = [ws.cell(r, 1).value for r in range(L.FIRST_DATA_ROW, ws.max_row + 1)]
    assert ids == [str(n) for n in range(1, 48)]
    crit = ws.cell(L.FIRST_DATA_ROW, 6).value
    assert crit.startswith("1 – Rintisan:") and "0 –" not in crit


def test_deterministic(tmp_path: Path, fw2018, roster) -> None:
    a = write_template(fw2018, roster, tmp_path / "a.xlsx")
    b = write_template(fw2018, roster, tmp_path / "b.xlsx")
    assert sha(a) == sha(b)


def test_committed_template_is_fresh(tmp_path: Path) -> None:
    out = tmp_path / "fresh.xlsx"
    result = CliRunner().invoke(main, ["template", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sha(out) == sha(DEFAULT_TEMPLATE), "templates/blank_questionnaire.xlsx is stale: run `spbe template`"


def test_template_cli_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["template", "--framework", "nope", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1
    assert "Kesalahan: Kerangka 'nope' tidak dikenal" in result.output


@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["2018", "2020"])
def test_opens_in_libreoffice(which: str, template_2018: Path, template_2020: Path, tmp_path: Path) -> None:
    pdf = to_pdf(template_2018 if which == "2018" else template_2020, tmp_path)
    text = pdf_text(pdf)
    assert "Kuesioner Penilaian Mandiri SPBE" in text
    assert "Penilaian Mandiri Tingkat Kematangan SPBE" in text


@pytest.mark.libreoffice
def test_assessment_prints_at_about_8_points(template_2018: Path, tmp_path: Path) -> None:
    """Penilaian: A3 landscape, one page wide, its 10-point text printed at about 8 points."""
    require_calibri_metrics()
    pdf = to_pdf(template_2018, tmp_path)
    pages = pdf_text(pdf).split("\f")
    n = next(k for k, page in enumerate(pages) if "Penilaian Mandiri Tingkat Kematangan SPBE" in page)
    assert "Catatan Verifikator" in pages[n]  # the last column is on the page: fitted to the width
    assert printed_points(pdf, n + 2, tmp_path / "ref") >= 7.7  # the page after the headings: criteria text


def test_deadline_contact_and_default_path(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["template", "--deadline", "15 Maret 2026", "--contact", "spbe@kaltaraprov.go.id"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "templates" / "blank_questionnaire.xlsx"  # relative to the working folder, like input/
    ws = openpyxl.load_workbook(out)[L.SHEET_GUIDE]
    values = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "15 Maret 2026" in values and "spbe@kaltaraprov.go.id" in values
    assert not any(isinstance(v, str) and v.startswith("[diisi Diskominfo") for v in values)
