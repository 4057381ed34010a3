"""Earlier rekaps that cannot be used as they are: one clear finding each, never a crash, never mixed in, and this
year's rekap is still written (with the finding in Validasi)."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline import history, report
from pipeline.catalog import roster as rostermod
from pipeline.cli import main
from pipeline.workers import Workers
from tests.history import scenario
from tests.intake.hostile import ole2

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension")


def edit_data(src: Path, dst: Path, change: Callable[[object, dict[str, int]], None]) -> None:
    """Copy a rekap, changing its Data sheet as someone would in Excel (``change(sheet, column by heading)``)."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Data"]
    change(ws, {c.value: c.column for c in ws[1]})
    wb.save(dst)


def row_of(ws, cols: dict[str, int], code: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, cols["kode_opd"]).value == code)


def _bump(ws, cols: dict[str, int]) -> None:
    cell = ws.cell(row_of(ws, cols, "DISKOMINFO"), cols["level_5"])
    cell.value = cell.value + 1 if cell.value < 5 else cell.value - 1


def _twice(ws, cols: dict[str, int]) -> None:
    r = row_of(ws, cols, "DINKES")
    for c in range(1, ws.max_column + 1):
        ws.cell(ws.max_row + 1 if c == 1 else ws.max_row, c, ws.cell(r, c).value)


def _column(name: str, value: object, code: str | None = None) -> Callable[[object, dict[str, int]], None]:
    def change(ws, cols: dict[str, int]) -> None:
        for r in [row_of(ws, cols, code)] if code else range(2, ws.max_row + 1):
            ws.cell(r, cols[name], value)
    return change


def _good(years: scenario.Years, folder: Path) -> Path:
    return Path(shutil.copy(years.rekap(2025), folder / "rekap-spbe-2025.xlsx"))


def lock_excel(y: scenario.Years, folder: Path) -> None:
    _good(y, folder)
    (folder / "~$rekap-spbe-2025.xlsx").write_bytes(b"\x0bDiskominfo" + b"\x00" * 150)


def lock_libreoffice(y: scenario.Years, folder: Path) -> None:
    _good(y, folder)
    (folder / ".~lock.rekap-spbe-2025.xlsx#").write_text("Diskominfo,kominfo,PC-01,06.12.2026 08:00;", "utf-8")


def truncated(y: scenario.Years, folder: Path) -> None:
    data = y.rekap(2025).read_bytes()
    (folder / "rekap-spbe-2025.xlsx").write_bytes(data[: len(data) // 2])


def password(y: scenario.Years, folder: Path) -> None:
    ole2(folder / "rekap-spbe-2025.xlsx", ("EncryptionInfo", "EncryptedPackage"))


def questionnaire(y: scenario.Years, folder: Path) -> None:
    shutil.copy(y.root / "input-2025" / "BKD.xlsx", folder / "rekap-spbe-2025.xlsx")


def version_3(y: scenario.Years, folder: Path) -> None:
    edit_data(y.rekap(2025), folder / "rekap-spbe-2025.xlsx", _column("versi_format", 3))


def other_catalog(y: scenario.Years, folder: Path) -> None:
    edit_data(y.rekap(2025), folder / "rekap-spbe-2025.xlsx", _column("kerangka", "kerangka-kabupaten-x"))


def bad_level(y: scenario.Years, folder: Path) -> None:
    edit_data(y.rekap(2025), folder / "rekap-spbe-2025.xlsx", _column("level_5", "lima", "DINKES"))


def two_years_in_one(y: scenario.Years, folder: Path) -> None:
    edit_data(y.rekap(2025), folder / "rekap-spbe-2025.xlsx", _column("tahun", 2023, "DINKES"))


def opd_twice(y: scenario.Years, folder: Path) -> None:
    edit_data(y.rekap(2025), folder / "rekap-spbe-2025.xlsx", _twice)


def hand_edited(y: scenario.Years, folder: Path) -> None:
    edit_data(y.rekap(2025), folder / "rekap-spbe-2025.xlsx", _bump)


def power_of_ten(y: scenario.Years, folder: Path) -> None:
    """Fraction("1e999999999") would take minutes: the text is not a number the Data sheet writes."""
    edit_data(y.rekap(2025), folder / "rekap-spbe-2025.xlsx", _column("indeks_persis", "1e999999999", "DINKES"))


def nobody_scored(y: scenario.Years, folder: Path) -> None:
    """A rekap of a year in which no OPD was scored (``spbe merge --allow-empty``): its headings, no row."""
    edit_data(y.rekap(2025), folder / "rekap-spbe-2025.xlsx", lambda ws, _cols: ws.delete_rows(2, ws.max_row))


def year_twice(y: scenario.Years, folder: Path) -> None:
    _good(y, folder)
    shutil.copy(y.rekap(2025), folder / "rekap-spbe-2025 - Salinan.xlsx")


# case -> (what is put in the history folder, the finding, the earlier years used, the OPD left out of 2025)
CASES = {
    "open in Excel": (lock_excel, "history-open-in-excel", (2025,), None),
    "open in LibreOffice": (lock_libreoffice, "history-open-in-excel", (2025,), None),
    "truncated": (truncated, "history-unreadable", (), None),
    "password-protected": (password, "history-unreadable", (), None),
    "not a rekap": (questionnaire, "history-not-rekap", (), None),
    "a year in which nobody was scored": (nobody_scored, "history-no-opd", (), None),
    "unknown format version": (version_3, "history-format-unknown", (), None),
    "unknown catalog": (other_catalog, "history-framework-unknown", (), None),
    "level that is not one": (bad_level, "history-data-invalid", (2025,), "DINKES"),
    "two years in one Data sheet": (two_years_in_one, "history-data-invalid", (), None),
    "an OPD twice": (opd_twice, "history-opd-twice", (2025,), "DINKES"),
    "edited by hand": (hand_edited, "history-index-mismatch", (2025,), "DISKOMINFO"),
    "an exact index that is a huge power of ten": (power_of_ten, "history-index-mismatch", (2025,), "DINKES"),
    "a year twice": (year_twice, "history-year-twice", (), None),
}


@pytest.mark.parametrize("case", CASES)
def test_one_finding_and_the_rekap_still_written(case: str, years: scenario.Years, pool: Workers,
                                                 tmp_path: Path) -> None:
    build, code, used, left_out = CASES[case]
    folder = tmp_path / "riwayat"
    folder.mkdir()
    build(years, folder)
    result = years.results[2026]
    h = history.load(folder, result, pool, every=True)
    assert [f.code for f in h.findings] == [code] * (2 if code == "history-year-twice" else 1), h.findings
    finding = h.findings[0]
    assert h.used == used
    if left_out:
        assert h.row(left_out).points[-2] is None and finding.detail in (left_out, "5")
        assert all(r.points[-2] is not None for r in h.rows if r.code not in (left_out, "DISHUB"))
    message = finding.message("id")
    assert "{" not in message and finding.hint("en")
    written = report.write(dataclasses.replace(result, history=h), tmp_path / "out" / "rekap-spbe-2026.xlsx").workbook
    validasi = openpyxl.load_workbook(written, read_only=True)["Validasi"]
    assert code in {row[4] for row in validasi.iter_rows(min_row=5, values_only=True)}


def test_truncated_and_password_say_why(years: scenario.Years, pool: Workers, tmp_path: Path) -> None:
    for build, words in ((truncated, "rusak atau terpotong"), (password, "kata sandi")):
        folder = tmp_path / build.__name__
        folder.mkdir()
        build(years, folder)
        h = history.load(folder, years.results[2026], pool, every=True)
        assert words in h.findings[0].message("id"), h.findings[0].message("id")


def test_the_hand_edited_cell_is_named(years: scenario.Years, pool: Workers, tmp_path: Path) -> None:
    hand_edited(years, tmp_path)
    f = history.load(tmp_path, years.results[2026], pool).findings[0]
    wb = openpyxl.load_workbook(tmp_path / "rekap-spbe-2025.xlsx")
    cols = {c.value: c.column_letter for c in wb["Data"][1]}
    assert (f.file, f.sheet, f.detail) == ("rekap-spbe-2025.xlsx", "Data", "DISKOMINFO")
    assert f.cell == f"{cols['indeks_persis']}{row_of(wb['Data'], {c.value: c.column for c in wb['Data'][1]}, 'DISKOMINFO')}"


def test_a_rekap_with_no_usable_opd_is_not_used(years: scenario.Years, pool: Workers, tmp_path: Path) -> None:
    def every_level_changed(ws, cols: dict[str, int]) -> None:
        for r in range(2, ws.max_row + 1):
            cell = ws.cell(r, cols["level_5"])
            cell.value = cell.value + 1 if cell.value < 5 else cell.value - 1

    edit_data(years.rekap(2025), tmp_path / "rekap-spbe-2025.xlsx", every_level_changed)
    h = history.load(tmp_path, years.results[2026], pool)
    assert {f.code for f in h.findings} == {"history-index-mismatch"} and len(h.findings) == 7
    assert h.used == () and [s.used for s in h.sources] == [False]


def _roster(path: Path, rows: dict[str, tuple[str, str]]) -> rostermod.Roster:
    path.write_text("kode,nama,jenis,alias,kode_lama\n" + "".join(f'{c},"{n}",dinas,,{o}\n' for c, (n, o)
                                                                  in rows.items()), encoding="utf-8")
    return rostermod.load(str(path))


def test_another_provinces_rekap(years: scenario.Years, pool: Workers, tmp_path: Path) -> None:
    folder = tmp_path / "h"
    folder.mkdir()
    _good(years, folder)
    other = _roster(tmp_path / "kaltim.csv", {"DKIP": ("Dinas Komunikasi, Informatika dan Persandian", ""),
                                              "BAPPEDALITBANG": ("Bappeda Litbang", ""), "DINKES": ("Dinas Kesehatan", "")})
    result = dataclasses.replace(years.results[2026], roster=other)
    h = history.load(folder, result, pool)
    assert [(f.code, f.found, f.expected) for f in h.findings] == [("history-other-roster", "6", "7")]
    assert h.used == ()


def test_an_opd_that_matches_nothing_is_listed_not_guessed(years: scenario.Years, pool: Workers,
                                                           tmp_path: Path) -> None:
    folder = tmp_path / "h"
    folder.mkdir()
    shutil.copy(years.rekap(2024), folder)
    rows = {c: (scenario.NAMES[c], old) for c, old in scenario.ROSTERS[2026].items()}
    rows["BAPPERIDA"] = (scenario.NAMES["BAPPERIDA"], "")  # kode_lama forgotten: BAPPEDA cannot be told
    result = dataclasses.replace(years.results[2026], roster=_roster(tmp_path / "r.csv", rows))
    h = history.load(folder, result, pool)
    assert [(f.code, f.found, f.detail) for f in h.findings] == [("history-opd-unmatched", "BAPPEDA", "2024")]
    assert [u[:3] for u in h.unmatched] == [(2024, "BAPPEDA", scenario.NAMES["BAPPEDA"])]
    assert h.used == (2024,) and h.row("BAPPERIDA").points[0] is None
    written = report.write(dataclasses.replace(result, history=h), tmp_path / "rekap-spbe-2026.xlsx").workbook
    tren = [v for row in openpyxl.load_workbook(written)["Tren"].iter_rows(values_only=True) for v in row]
    assert "BAPPEDA" in tren and scenario.NAMES["BAPPEDA"] in tren


def test_roster_successors_by_code_kode_lama_then_name() -> None:
    ros = rostermod.Roster((rostermod.Opd("A", "Dinas A", aliases=("Dinas Lama",)),
                            rostermod.Opd("B", "Dinas B", former=("X", "Y")), rostermod.Opd("C", "Dinas C", former=("X",))))
    assert [o.code for o in ros.successors("X")] == ["B", "C"]  # split
    assert [o.code for o in ros.successors("Y", "whatever")] == ["B"]
    assert [o.code for o in ros.successors("A")] == ["A"]
    assert [o.code for o in ros.successors("Q", "Dinas Lama")] == ["A"]  # by alias
    assert ros.successors("Q", "Dinas Entah") == ()


def test_command_line(years: scenario.Years, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for year in (2024, 2025):
        shutil.copy(years.rekap(year), out)
    args = ["merge", "-i", str(years.root / "input-2026"), "-o", str(out / "rekap-spbe-2026.xlsx"), "--roster",
            str(years.rosters[2026]), "--framework", "permenpanrb-59-2020", "--year", "2026"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0 and f"Riwayat dari {out}: 2024, 2025" in res.output, res.output
    res = CliRunner().invoke(main, [*args, "--no-history"])
    assert res.exit_code == 0 and "Riwayat" not in res.output
    assert "Tren" not in openpyxl.load_workbook(out / "rekap-spbe-2026.xlsx", read_only=True).sheetnames
    elsewhere = tmp_path / "arsip"
    elsewhere.mkdir()
    shutil.copy(years.rekap(2024), elsewhere / "rekap 2024 final.xlsx")
    (elsewhere / "catatan.xlsx").write_bytes(b"bukan buku kerja")
    res = CliRunner().invoke(main, [*args, "--history", str(elsewhere), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert f"History from {elsewhere}: 2024" in res.output
    assert "1 rekaps in the history folder are not used; see the Validation sheet." in res.output
    res = CliRunner().invoke(main, [*args, "--history", str(elsewhere), "--no-history"])
    assert res.exit_code == 2 and "Choose one" not in res.output and "--no-history" in res.output.splitlines()[-1]
