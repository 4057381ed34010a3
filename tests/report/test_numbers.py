"""Numbers read back the same in every program: the stored index of every half-cent tie, through the file
(openpyxl, pandas, LibreOffice), and the cached values of formulas against LibreOffice's recalculation."""

from __future__ import annotations

import csv
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline import report, settings
from pipeline.catalog.framework import display
from pipeline.report import writer
from pipeline.report.style import readback, stored
from tests.batchfactory import assemble, framework, standard_batch, submission
from tests.libreoffice import recalculate, to_csv

CATALOGS = ("permenpanrb-5-2018", "permenpanrb-59-2020")
TIES = [Fraction(2 * k + 1, 200) for k in range(100, 500)]  # 1.005, 1.015, ..., 4.995


def half_up(x: float) -> str:
    """What a reader that rounds the number it read half-up in decimal shows."""
    return str(Decimal(repr(x)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def tie_workbook(fid: str, path: Path, accelerate: bool) -> Path:
    """Every tie stored as the report stores an index, in the report's "0.00" formats (columns A and B), written
    as table rows: cell by cell through xlsxwriter, or streamed by report/fast when ``accelerate``."""
    wb = writer.new_workbook(str(path))
    ctx = writer.Ctx(wb, writer.Meta(framework(fid), "id", 2026, "unrounded", None), accelerate=accelerate)
    out = ctx.sheet("Ties")
    out.ws.set_column(0, 2, 12)
    body = ctx.body(out)
    for r, tie in enumerate(TIES):
        b = body.row(r)
        b.num(0, stored(tie), ctx.f["idx"])
        b.num(1, stored(tie), ctx.f["idx_bold"])
        b.end()
    wb.close()
    return path


def test_stored_floats_survive_the_16_digit_text() -> None:
    for places in (2, 4):
        for tie in TIES:
            f = stored(tie, places)
            assert float(f"{f:.16G}") == f == readback(f), (tie, places, f)


@pytest.mark.parametrize("accelerate", [False, True], ids=["plain", "fast"])
@pytest.mark.parametrize("fid", CATALOGS)
def test_every_half_cent_tie_reads_back_half_up(fid: str, accelerate: bool, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "ACCELERATE", accelerate)
    path = tie_workbook(fid, tmp_path / "ties.xlsx", accelerate)
    expected = [display(t) for t in TIES]
    ws = openpyxl.load_workbook(path).active
    for r, want in enumerate(expected, 1):
        for c in (1, 2):
            x = ws.cell(r, c).value
            assert ws.cell(r, c).number_format == "0.00"
            assert f"{round(x, 2):.2f}" == f"{x:.2f}" == half_up(x) == want, (r, c, x)
    frame = pd.read_excel(path, header=None)
    for col in (0, 1):
        assert [f"{round(x, 2):.2f}" for x in frame[col]] == expected
        assert [f"{x:.2f}" for x in frame[col]] == expected
        assert frame[col].round(2).map("{:.2f}".format).tolist() == expected


def test_the_rekap_index_of_a_tie_reads_half_up(tmp_path: Path) -> None:
    result = standard_batch()
    assert result.scores["DISKOMINFO"].index == Fraction("2.645")
    path = report.write(result, tmp_path / "rekap.xlsx", per_opd_files=False).workbook
    frame = pd.read_excel(path, sheet_name="Peringkat", header=None, dtype=object)
    rows = {row[1]: row for row in frame.itertuples(index=False) if row[1] in result.scores}
    for code, sc in result.scores.items():
        x = rows[code][3]
        assert f"{round(x, 2):.2f}" == display(sc.index), (code, x)


@pytest.mark.libreoffice
@pytest.mark.parametrize("fid", CATALOGS)
def test_libreoffice_prints_every_half_cent_tie(fid: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "ACCELERATE", True)
    path = tie_workbook(fid, tmp_path / "ties.xlsx", accelerate=True)
    shown = to_csv(path, tmp_path / "csv", shown=True)["Ties"]  # the cells as LibreOffice displays them
    rows = list(csv.reader(shown.splitlines()))
    assert [row[:2] for row in rows] == [[display(t)] * 2 for t in TIES]


# ---------------------------------------------------------------- cached values of formulas


def formula_cells(path: Path) -> dict[tuple[str, str], str]:
    book = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in book for row in ws.iter_rows() for c in row
            if c.data_type == "f"}


def batch_2018() -> object:
    """Four OPDs of the 2018 catalog, whose weights (20/3, ...) give indices that do not end in 6 decimals."""
    fw = framework("permenpanrb-5-2018")
    ids = [i.id for i in fw.indicators]
    return assemble([submission(fw, code, {i: 1 + (k + n) % 5 for n, i in enumerate(ids)})
                     for k, code in enumerate(("BPKAD", "BKD", "BAPPEDA", "DISKOMINFO"))], fw=fw)


@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["2018", "standard"])
def test_cached_values_equal_libreoffice_recalculation(which: str, tmp_path: Path) -> None:
    result = batch_2018() if which == "2018" else standard_batch()
    path = report.write(result, tmp_path / "rekap.xlsx", per_opd_files=False).workbook
    formulas = formula_cells(path)
    sheets = {ws for ws, _ in formulas}
    assert "Matriks" in sheets and len(sheets) > 4, sheets  # gap sheets too
    recalculated = recalculate(path, tmp_path / "lo")
    cached = openpyxl.load_workbook(path, data_only=True)
    fresh = openpyxl.load_workbook(recalculated, data_only=True)
    with zipfile.ZipFile(path) as z:
        assert all(b"<f>" not in z.read(n) or b"<v>" in z.read(n) for n in z.namelist() if "worksheets" in n)
    compared = 0
    for ws, ref in formulas:
        mine, theirs = cached[ws][ref].value, fresh[ws][ref].value
        if isinstance(mine, str):
            assert mine == theirs, (ws, ref, formulas[ws, ref])
        else:
            assert isinstance(theirs, int | float), (ws, ref, theirs)
            assert mine == pytest.approx(theirs, rel=1e-12, abs=1e-15), (ws, ref, formulas[ws, ref], mine, theirs)
        compared += 1
    assert compared == len(formulas) > 50
