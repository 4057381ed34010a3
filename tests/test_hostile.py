"""Hostile and broken files (sniff + xlsxsafe) and the isolated worker pool (sandbox)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import hostile
import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import sniff
from pipeline.findings import ERROR, WARNING
from pipeline.models import NUMBER, TEXT, RawCell
from pipeline.sandbox import Failure, run_isolated
from pipeline.xlsxsafe import read_workbook

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> tuple[Path, dict[str, str | None]]:
    folder = tmp_path_factory.mktemp("hostile")
    return folder, hostile.write_all(folder)


@pytest.mark.parametrize("name", sorted(hostile.EXPECTED))
def test_each_hostile_file_has_one_outcome(hostile_dir, name):
    folder, expected = hostile_dir
    code = expected[name]
    kind, findings, _ = hostile.read_one((str(folder / name), name))
    if code is None:
        assert (kind, findings) == ("read", [])
    elif code in ("macro-workbook", "external-link"):
        assert kind == "read" and [(c, s) for c, s, _ in findings] == [(code, WARNING)]
    else:
        assert kind == "rejected" and [(c, s) for c, s, _ in findings] == [(code, ERROR)]


def test_rejections_say_why(hostile_dir):
    folder, _ = hostile_dir
    found = {n: hostile.read_one((str(folder / n), n))[1][0][2] for n in (
        "zip-bomb.xlsx", "ratio-bomb.xlsx", "billion-laughs.xlsx", "two-pdfs.xlsx", "scan.xlsx", "big.xlsx",
        "truncated.xlsx", "bad-crc.xlsx", "duplicate-member.xlsx", "malformed-xml.xlsx")}
    ratio = found.pop("ratio-bomb.xlsx")
    assert ratio.startswith("xl/worksheets/sheet1.xml: rasio ") and ratio.endswith(":1")
    assert found == {
        "zip-bomb.xlsx": "xl/worksheets/sheet1.xml: 300 MB",
        "billion-laughs.xlsx": "xl/sharedStrings.xml",
        "two-pdfs.xlsx": "2 berkas: a.pdf, b.pdf",
        "scan.xlsx": "PNG",
        "big.xlsx": "26 MB",
        "truncated.xlsx": "arsip zip terpotong atau rusak",
        "bad-crc.xlsx": "xl/worksheets/sheet1.xml: CRC tidak cocok (data rusak)",
        "duplicate-member.xlsx": "xl/worksheets/sheet1.xml",
        "malformed-xml.xlsx": found["malformed-xml.xlsx"],
    }
    assert found["malformed-xml.xlsx"].startswith("xl/worksheets/sheet1.xml: XML rusak (baris 1, kolom ")


def test_accepted_odd_files_keep_their_values(hostile_dir):
    folder, _ = hostile_dir
    wb, findings = read_workbook(folder / "long-text.xlsx", "long-text.xlsx")
    assert findings == []
    assert wb.sheet("Identitas").get(20, 1) == RawCell(hostile.LONG_TEXT, TEXT)
    assert len(hostile.LONG_TEXT) == 40_000
    assert wb.sheet("Penilaian").get(1, 1).value == hostile.CONTROL_TEXT + " 1-1"  # returned as-is
    wb, _ = read_workbook(folder / "far-corner.xlsx", "far-corner.xlsx")
    assert wb.sheets[0].cells == {(1, 1): RawCell("kiri atas", TEXT), (1048576, 16384): RawCell(42.0, NUMBER)}
    wb, findings = read_workbook(folder / "macro.xlsm", "macro.xlsm")
    assert wb.has_macros and [f.code for f in findings] == ["macro-workbook"]
    wb, findings = read_workbook(folder / "external-link.xlsx", "external-link.xlsx")
    assert wb.external_links == 1 and [(f.code, f.found) for f in findings] == [("external-link", "anggaran.xlsx")]


def test_reader_alone_rejects_what_sniff_would(hostile_dir):
    """read_workbook is safe on its own too: non-workbooks come back as one error, never an exception."""
    folder, expected = hostile_dir
    for name in expected:
        wb, findings = read_workbook(folder / name, name)
        assert (wb is None) == any(f.severity == ERROR for f in findings), name
        assert wb is not None or len(findings) == 1, name


def test_ole_encryption_found_beyond_the_first_directory_sector(tmp_path):
    path = hostile.ole2(tmp_path / "enc.xlsx", ("Workbook",))
    with path.open("ab") as fh:  # the encryption entries in a later directory sector
        fh.write(bytes(4096) + "EncryptedPackage".encode("utf-16-le"))
    assert sniff.detect(path, "enc.xlsx")[1][0].code == "encrypted-file"


def test_sniff_size_limit_and_text_kinds(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"x" * 2000)
    assert sniff.detect(p, "a.xlsx", max_bytes=1000)[1][0].code == "file-too-large"
    p.write_bytes(b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- c -->\n<html><body/></html>")
    assert sniff.detect(p, "a.xlsx")[1][0].code == "html-not-workbook"
    p.write_bytes("nama\tlevel\nDinas\t3\n".encode("utf-16"))
    assert sniff.detect(p, "a.xlsx")[1][0].code == "csv-not-workbook"
    hostile.valid_xlsx(p)
    assert sniff.detect(p, "a.xlsx") == ("xlsx", [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_workbooks_never_raise(tmp_path, data):
    base = tmp_path / "base.xlsx"
    if not base.exists():
        hostile.valid_xlsx(base, rows=3, cols=3)
    raw = bytearray(base.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = tmp_path / "m.xlsx"
    path.write_bytes(bytes(raw))
    kind, findings = sniff.detect(path, "m.xlsx")
    wb, read_findings = read_workbook(path, "m.xlsx")
    assert (wb is None) == any(f.severity == ERROR for f in read_findings)
    assert kind in ("xlsx", "rejected") and all(f.file == "m.xlsx" for f in findings + read_findings)


def test_mutated_xml_inside_the_zip_never_raises(tmp_path):
    base = hostile.valid_xlsx(tmp_path / "base.xlsx", rows=3, cols=3)
    sheet = hostile.member(base, hostile.SHEET2)
    nasty = [b"", b"<", b"<worksheet/>", sheet.replace(b'r="A1"', b'r="1A"'), sheet.replace(b'r="A1"', b'r="XFE1"'),
             sheet.replace(b'<row r="1"', b'<row r="0"'), sheet.replace(b'r="A1"', b'r="A99999999"'),
             sheet.replace(b"<sheetData>", b"<sheetData>&undefined;"), sheet.replace(b"UTF-8", b"bogus-enc"),
             b'<?xml version="1.0" encoding="UTF-16"?>' + sheet, sheet.decode().encode("utf-16"),
             b'<x:worksheet xmlns:x="urn:other"/>', sheet.replace(b"<sheetData>", b"<sheetData>" + b"<row/>" * 50_000)]
    for i, data in enumerate(nasty):
        path = hostile.rewrite_zip(base, tmp_path / f"n{i}.xlsx", {hostile.SHEET2: data})
        wb, findings = read_workbook(path, "n.xlsx")
        assert (wb is None) == any(f.severity == ERROR for f in findings), (i, findings)


# ---------------------------------------------------------------------- sandbox


def _collect(failures: list):
    def on_failure(task, reason):
        failures.append((task, reason))
        return f"gagal: {reason}"

    return on_failure


def test_sandbox_survives_dead_slow_and_greedy_workers():
    tasks = [("ok", 1.0), ("exit", 0), ("ok", 2.0), ("sleep", 60), ("ok", 3.0), ("alloc", 4000), ("ok", 4.0),
             ("raise", 0), ("ok", 5.0)]
    if hasattr(os, "kill") and sys.platform != "win32":
        tasks += [("segv", 0), ("ok", 6.0)]
    failures: list = []
    progress: list = []
    results = run_isolated(hostile.probe, tasks, workers=2, timeout_s=3, memory_mb=400,
                           on_progress=lambda d, t: progress.append((d, t)), on_failure=_collect(failures))
    expected = [2.0, "gagal: proses pembaca berhenti", 4.0, "gagal: waktu 3 s", 6.0, "gagal: memori 400 MB", 8.0,
                "gagal: galat pembaca (ValueError)", 10.0]
    if len(tasks) > 9:
        expected += ["gagal: proses pembaca berhenti", 12.0]
    assert results == expected
    assert sorted(t for t, _ in failures) == sorted(t for t in tasks if t[0] != "ok")
    assert progress[-1] == (len(tasks), len(tasks)) and len(progress) == len(tasks)


def test_sandbox_keeps_order_with_many_small_tasks():
    tasks = [("ok", float(i)) for i in range(5000)]
    assert run_isolated(hostile.probe, tasks, workers=3) == [2.0 * i for i in range(5000)]


def test_sandbox_spawn_start_method():
    """What Windows and macOS use: nothing inherited, everything pickled."""
    tasks = [("ok", 1.0), ("exit", 0), ("ok", 2.0), ("ok", 3.0)]
    assert run_isolated(hostile.probe, tasks, workers=2, start_method="spawn") == [
        2.0, Failure("proses pembaca berhenti"), 4.0, 6.0]


def test_workers_collect_garbage_in_large_rounds():
    from pipeline.sandbox import GC_THRESHOLDS

    assert run_isolated(hostile.probe, [("gc", 0)], workers=1) == [GC_THRESHOLDS]
    assert GC_THRESHOLDS[0] > 700  # Python's default: the point of the setting


def test_early_fork_server_preloads_the_report_writer(tmp_path):
    """``spbe merge`` starts the fork server first thing, with the reading modules and the report writer:
    every worker (reader or per-OPD writer) then starts with them imported. Run in a fresh interpreter,
    as this process's fork server may already run."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import hostile\n"
            "from pipeline.intake import start_workers\nfrom pipeline.sandbox import run_isolated\n"
            "start_workers(also=('pipeline.report',))\n"
            "print(run_isolated(hostile.probe, [('loaded', 'pipeline.report'), ('loaded', 'pipeline.xlsxsafe'),"
            " ('loaded', 'openpyxl')], workers=1))")
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    expected = "[True, True, False]" if "forkserver" in multiprocessing.get_all_start_methods() else "[False, False, False]"
    assert out.stdout.strip() == expected


def test_sandbox_without_callback_or_isolation():
    assert run_isolated(hostile.probe, [("ok", 1.0), ("exit", 0)], workers=1, timeout_s=10) == [
        2.0, Failure("proses pembaca berhenti")]
    assert run_isolated(hostile.probe, [("ok", 1.0), ("raise", 0)], isolate=False) == [
        2.0, Failure("galat pembaca (ValueError)")]
    assert run_isolated(hostile.probe, []) == []


def test_batch_of_hostile_files_in_the_sandbox(hostile_dir):
    folder, expected = hostile_dir
    names = sorted(expected) + [f"valid-{i}.xlsx" for i in range(3, 9)]
    expected = dict(expected)
    for name in names[len(expected):]:
        hostile.valid_xlsx(folder / name, rows=30, cols=10)
        expected[name] = None
    failures: list = []
    results = run_isolated(hostile.read_one, [(str(folder / n), n) for n in names], workers=2, timeout_s=60,
                           memory_mb=1024, on_failure=_collect(failures))
    assert failures == []
    assert len(results) == len(names)
    for name, (kind, findings, n_sheets) in zip(names, results, strict=True):
        errors = [c for c, sev, _ in findings if sev == ERROR]
        if kind == "read":
            assert errors == [] and n_sheets >= 1, name
        else:
            assert kind == "rejected" and len(errors) == 1, name
        assert (errors[0] if errors else next(iter(c for c, _, _ in findings), None)) == expected[name], name
    rss_mb = psutil.Process().memory_info().rss / 2**20
    assert rss_mb < 500, f"parent RSS {rss_mb:.0f} MB"
    if resource is not None:  # the peak, including generating the 300 MB zip bomb
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**10 if sys.platform != "darwin" else 2**20)
        assert peak_mb < 500, f"parent peak RSS {peak_mb:.0f} MB"


def test_batch_member_sizes_are_what_the_cases_claim(hostile_dir):
    folder, _ = hostile_dir
    with zipfile.ZipFile(folder / "zip-bomb.xlsx") as zf:
        info = zf.getinfo(hostile.SHEET1)
        assert info.file_size == 300 * 1024 * 1024 and info.compress_size < 2 * 1024 * 1024
