"""One workbook per OPD: when they are written, what they hold, the worker pool, failures."""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import Future
from pathlib import Path

import openpyxl
import pytest

from pipeline import report, settings
from pipeline.catalog.framework import display
from pipeline.errors import OutputError
from pipeline.i18n import msg
from pipeline.report import per_opd, publish
from pipeline.workers import Failed, Workers
from tests.batchfactory import large_batch, standard_batch
from tests.libreoffice import pdf_text, to_pdf
from tests.report.test_workbook import FIXED, TAIL, find


@pytest.fixture(scope="module")
def result():
    return standard_batch()


def test_above_the_limit_gap_sheets_go_to_their_own_workbooks(result, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "PER_OPD_LIMIT", 3)
    out = report.write(result, tmp_path / "rekap.xlsx", workers=Workers(inline=True))
    wb = openpyxl.load_workbook(out.workbook)
    assert wb.sheetnames == FIXED + TAIL
    folder = out.opd_workbooks["BPKAD"].parent
    assert re.fullmatch(r"rekap-opd-[0-9a-f]{12}", folder.name) and sorted(os.listdir(tmp_path)) == [
        folder.name, "rekap.xlsx"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{c}.xlsx" for c in result.scores)
    assert out.opd_workbooks == {c: folder / f"{c}.xlsx" for c in result.scores}
    _, col = find(wb["Peringkat"], "Analisis")
    link = wb["Peringkat"].cell(5, col).hyperlink
    assert link is not None and link.target.replace("\\", "/") == f"{folder.name}/{result.ranking[0].opd}.xlsx"
    notes = [c.value for row in wb["Ringkasan"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(n.startswith(f"Lembar analisis per OPD ditulis sebagai berkas terpisah di folder {folder.name}/")
               for n in notes)
    one = openpyxl.load_workbook(folder / "BPKAD.xlsx", data_only=True)
    assert one.sheetnames == ["BPKAD"] and one["BPKAD"]["C4"].value == 3.0
    assert one.properties.title == f"Analisis Kesenjangan: {result.opd_name('BPKAD')}"
    assert one["BPKAD"]["K2"].value is None  # no link back: the ranking is in another workbook


def test_on_request_below_the_limit_the_main_workbook_keeps_its_gap_sheets(result, tmp_path: Path) -> None:
    out = report.write(result, tmp_path / "rekap.xlsx", per_opd_files=True, workers=Workers(inline=True))
    wb = openpyxl.load_workbook(out.workbook, read_only=True)
    assert len(wb.sheetnames) == len(FIXED + TAIL) + len(result.scores)
    assert sorted(out.opd_workbooks) == sorted(result.scores) and all(p.exists() for p in out.opd_workbooks.values())


def test_none_when_refused_above_the_limit(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "PER_OPD_LIMIT", 3)
    out = report.write(result, tmp_path / "rekap.xlsx", per_opd_files=False)
    assert openpyxl.load_workbook(out.workbook, read_only=True).sheetnames == FIXED + TAIL
    assert out.opd_workbooks == {} and os.listdir(tmp_path) == ["rekap.xlsx"]


def test_workers_write_the_same_bytes_as_this_process(tmp_path: Path) -> None:
    res = large_batch(12)
    with Workers(inline=True) as inline:
        mine = per_opd.start(res, tmp_path / "inline", inline).wait()
    with Workers(2, preload=per_opd.WORKER_MODULES) as pool:
        for _ in range(2):  # twice with one pool, the folder removed in between
            shutil.rmtree(tmp_path / "pool", ignore_errors=True)
            pooled = per_opd.start(res, tmp_path / "pool", pool).wait()
            assert sorted(pooled) == sorted(res.scores)
            for code, p in pooled.items():
                assert p.read_bytes() == mine[code].read_bytes(), code
            assert not [p for p in (tmp_path / "pool").iterdir() if p.name.startswith(".~")]


def test_a_chunk_whose_worker_died_is_written_here(tmp_path: Path) -> None:
    class Dying(Workers):
        def submit(self, func: object, task: object, timeout: float) -> Future:
            fut: Future = Future()
            fut.set_result(None)
            return fut

        def result(self, fut: Future) -> object:
            return Failed(msg("reason.worker-died"))

    res = large_batch(12)
    paths = per_opd.start(res, tmp_path / "opd", Dying(2)).wait()
    assert sorted(paths) == sorted(res.scores) and all(p.exists() for p in paths.values())


def test_an_unwritable_opd_workbook_fails_the_run_and_keeps_the_previous_report(
        result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "rekap.xlsx"
    target.write_bytes(b"previous")
    write_new = publish.write_new

    def failing(path: Path, payload: bytes) -> None:
        if path.name == "BKD.xlsx":
            raise OutputError("error.output-write", path=path, error="Input/output error")
        write_new(path, payload)

    monkeypatch.setattr(publish, "write_new", failing)
    with pytest.raises(OutputError) as err:
        report.write(result, target, per_opd_files=True, workers=Workers(inline=True))
    assert "BKD.xlsx cannot be written (Input/output error)" in err.value.message("en")
    assert target.read_bytes() == b"previous" and os.listdir(tmp_path) == ["rekap.xlsx"]  # no staging folder left


@pytest.mark.libreoffice
def test_libreoffice_renders_an_opd_workbook(result, tmp_path: Path) -> None:
    paths = per_opd.start(result, tmp_path / "opd", Workers(inline=True)).wait()
    text = pdf_text(to_pdf(paths["DISKOMINFO"], tmp_path / "pdf", timeout=120))
    gap = result.gaps["DISKOMINFO"]
    assert "Dinas Komunikasi, Informatika, Statistik dan Persandian" in text
    assert display(gap.current_index) in text and display(gap.target_index) in text
    assert display(result.scores["DISKOMINFO"].index) == "2.65" and "2.65" in text.split()
    finding = sorted(result.submission_of("DISKOMINFO").findings, key=lambda f: f.sort_key())[0]
    assert finding.message("id")[:30] in " ".join(text.split())
