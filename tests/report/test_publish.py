"""The output as one set: the lock on the output folder, the per-OPD folder swapped in, leftovers cleaned."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline import report
from pipeline.errors import OutputError
from pipeline.report import publish
from pipeline.workers import Workers
from tests.batchfactory import large_batch, standard_batch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result():
    return standard_batch()


def _holder(folder: Path) -> subprocess.Popen:
    """Another process holding the output folder until its stdin closes."""
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from pipeline.report import publish
        with publish.lock(Path({str(folder)!r})):
            print("held", flush=True)
            sys.stdin.read()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    assert proc.stdout.readline() == "held\n"
    return proc


def test_a_second_run_into_the_folder_refuses_and_a_killed_one_leaves_no_lock(result, tmp_path: Path) -> None:
    holder = _holder(tmp_path)
    try:
        with pytest.raises(OutputError) as err:
            report.write(result, tmp_path / "rekap.xlsx")
        assert err.value.message("en") == (f"The output folder {tmp_path} is being written by another spbe merge; "
                                           "wait until it ends and run again.")
        assert not list(tmp_path.iterdir())
    finally:
        holder.kill()  # as kill -9: no clean-up runs in the holder
        holder.wait()
    report.write(result, tmp_path / "rekap.xlsx")
    assert (tmp_path / "rekap.xlsx").exists()


def test_the_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    with publish.lock(tmp_path), publish.lock(tmp_path):
        pass
    with publish.lock(tmp_path):  # released after the outer one ended
        pass


def test_a_new_set_replaces_the_old_and_deletes_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "rekap.xlsx"
    first = report.write(large_batch(6), target, per_opd_files=True, workers=Workers(inline=True))
    old = first.opd_workbooks["OPD1"].parent
    second = report.write(large_batch(7), target, per_opd_files=True, workers=Workers(inline=True))
    new = second.opd_workbooks["OPD1"].parent
    assert new != old and sorted(os.listdir(tmp_path)) == sorted([new.name, "rekap.xlsx"])
    assert sorted(os.listdir(new)) == sorted(p.name for p in second.opd_workbooks.values())
    # the same batch again: the same folder, kept as it is
    again = report.write(large_batch(7), target, per_opd_files=True, workers=Workers(inline=True))
    assert again.opd_workbooks == second.opd_workbooks and sorted(os.listdir(tmp_path)) == sorted(
        [new.name, "rekap.xlsx"])
    # without per-OPD workbooks the set is the main workbook alone
    report.write(large_batch(7), target, per_opd_files=False)
    assert os.listdir(tmp_path) == ["rekap.xlsx"]


def test_a_folder_changed_by_hand_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "rekap.xlsx"
    written = report.write(large_batch(4), target, per_opd_files=True, workers=Workers(inline=True))
    one = written.opd_workbooks["OPD1"]
    good = one.read_bytes()
    one.write_bytes(b"edited")
    (one.parent / "extra.xlsx").write_bytes(b"x")
    report.write(large_batch(4), target, per_opd_files=True, workers=Workers(inline=True))
    assert one.read_bytes() == good and not (one.parent / "extra.xlsx").exists()
    assert sorted(os.listdir(tmp_path)) == sorted([one.parent.name, "rekap.xlsx"])


def test_leftovers_of_a_killed_run_are_cleaned_and_nothing_else(result, tmp_path: Path) -> None:
    leftovers = [".~rekap-abc_1234.xlsx", ".~rekap-opd-0123456789ab-x1y2z3w4", "rekap-opd-0123456789ab"]
    kept = ["~$rekap.xlsx", "rekap-2025.xlsx", "rekap-2025-opd-0123456789ab", "notes.txt", "opd-x", ".~spbe.lock"]
    for name in leftovers + kept:
        if name.endswith((".xlsx", ".txt", ".lock")):
            (tmp_path / name).write_bytes(b"x")
        else:
            (tmp_path / name).mkdir()
            (tmp_path / name / "A.xlsx").write_bytes(b"x")
    report.write(result, tmp_path / "rekap.xlsx")
    assert sorted(os.listdir(tmp_path)) == sorted([*kept, "rekap.xlsx"])


def test_a_full_disk_while_staging_names_the_output_folder(tmp_path: Path) -> None:
    staged = tmp_path / ".~rekap-opd-0123456789ab-x1y2z3w4" / "BKD.xlsx"
    err = publish.error(OSError(errno.ENOSPC, "No space left on device"), staged)
    assert err.message("en").endswith(f"free space in {tmp_path} and run again.")
    err = publish.error(OSError(errno.EDQUOT, "Disk quota exceeded"), tmp_path / "rekap.xlsx")
    assert err.message("en").startswith(f"The disk is full while writing {tmp_path / 'rekap.xlsx'};")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names an open file through /proc (Linux)")
def test_every_file_reaches_the_disk_before_its_name_is_published(tmp_path: Path, monkeypatch) -> None:
    """A power cut must not leave a published name whose content was still in memory: each workbook is flushed
    (fsync) before the rename that puts it into the set, and each folder after the renames in it."""
    events: list[tuple[str, str]] = []
    real_fsync, real_rename, real_replace = os.fsync, os.rename, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def rename(src, dst, *a, **kw) -> None:
        real_rename(src, dst, *a, **kw)
        events.append(("rename", str(src)))

    def replace(src, dst, *a, **kw) -> None:
        real_replace(src, dst, *a, **kw)
        events.append(("rename", str(src)))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / "rekap.xlsx"
    written = report.write(large_batch(5), target, per_opd_files=True, workers=Workers(inline=True))
    folder = written.opd_workbooks["OPD1"].parent
    renames = [i for i, (kind, _) in enumerate(events) if kind == "rename"]
    assert len(renames) == 2  # the staged per-OPD folder, then the main workbook
    staged_folder, temp_main = events[renames[0]][1], events[renames[1]][1]
    synced_before = {path for kind, path in events[:renames[0]] if kind == "fsync"}
    # every per-OPD workbook, and the staged folder's own entries, before the folder is renamed into place
    assert {f"{staged_folder}/{p.name}" for p in written.opd_workbooks.values()} | {staged_folder} <= synced_before
    assert ("fsync", temp_main) in events[:renames[1]]  # the main workbook, before its rename
    assert ("fsync", str(tmp_path)) in events[renames[0]:renames[1]]  # the folder that got the per-OPD folder
    assert ("fsync", str(tmp_path)) in events[renames[1]:]  # the output folder after the main workbook's rename
    assert target.exists() and folder.is_dir()
