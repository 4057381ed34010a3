"""Text that starts like a formula ("=", "+", "-", "@") is written as text with the quote prefix, in the main
workbook and in the per-OPD workbooks, on the plain and the accelerated paths."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from pipeline import report, settings
from pipeline.workers import Workers
from tests.batchfactory import HOSTILE, standard_batch
from tests.libreoffice import to_csv


@pytest.fixture(scope="module")
def result():
    return standard_batch()


def _text_cells(path: Path) -> list[tuple[str, str, str, bool]]:
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate, c.value, bool(c.quotePrefix)) for ws in wb for row in ws.iter_rows()
            for c in row if c.data_type == "s"]


@pytest.mark.parametrize("accelerate", [True, False])
def test_text_starting_like_a_formula_has_the_quote_prefix(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           accelerate: bool) -> None:
    monkeypatch.setattr(settings, "ACCELERATE", accelerate)
    out = report.write(result, tmp_path / "rekap.xlsx", per_opd_files=True, workers=Workers(inline=True))
    seen = set()
    for path in (out.workbook, *out.opd_workbooks.values()):
        for sheet, cell, value, quoted in _text_cells(path):
            assert quoted == (value[:1] in ("=", "+", "-", "@")), (path.name, sheet, cell, value)
            seen.add(value)
    assert set(HOSTILE) <= seen  # the hostile texts of the batch were among them


@pytest.mark.libreoffice
def test_libreoffice_exports_them_as_the_texts_they_are(result, tmp_path: Path) -> None:
    # LibreOffice writes the same CSV with or without the prefix (checked by hand with 7.4): what this guards is
    # that each is a text cell, never a formula, whose CSV field would be its computed value
    out = report.write(result, tmp_path / "rekap.xlsx")
    sheets = to_csv(out.workbook, tmp_path / "csv")
    fields = {f for text in sheets.values() for row in csv.reader(io.StringIO(text)) for f in row}
    assert set(HOSTILE) <= fields
