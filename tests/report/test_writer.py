"""Writing safely: every write checked, workbooks published atomically, failures as one clear OutputError."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import openpyxl
import pytest

from pipeline import report
from pipeline.errors import OutputError, OutputPathError
from pipeline.report import writer
from tests.batchfactory import standard_batch

LOCKED = "sedang dibuka di Excel atau tidak dapat ditulis"


@pytest.fixture(scope="module")
def result():
    return standard_batch()


def test_locked_target_raises_and_keeps_previous(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "rekap.xlsx"
    target.write_bytes(b"previous")

    def locked(src: object, dst: object) -> None:
        exc = PermissionError(13, "The process cannot access the file because it is being used by another process")
        exc.winerror = 32  # Windows' sharing violation: the file is open in Excel
        raise exc

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputError) as err:
        report.write(result, target)
    assert err.value.message("id") == (f"Berkas keluaran {target} sedang dibuka di Excel atau tidak dapat ditulis; "
                                       "tutup berkas lalu jalankan ulang.")
    assert err.value.message("en").startswith(f"The output file {target} is open in Excel")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rekap.xlsx"]  # temp file removed


def test_permission_denied_is_not_called_excel(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", denied)
    with pytest.raises(OutputError) as err:
        report.write(result, tmp_path / "rekap.xlsx")
    assert err.value.message("en") == (f"The output folder {tmp_path} is not writable (permission denied); "
                                       "the old rekap is unchanged.")
    assert not list(tmp_path.iterdir())


def test_target_is_a_directory(result, tmp_path: Path) -> None:
    target = tmp_path / "rekap.xlsx"
    target.mkdir()
    with pytest.raises(OutputPathError) as err:
        report.write(result, target)
    assert err.value.exit_code == 2 and err.value.message("id").startswith(f"Keluaran {target} adalah folder;")
    assert target.is_dir() and list(tmp_path.iterdir()) == [target]


def test_target_under_a_regular_file(result, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(OutputPathError) as err:
        report.write(result, tmp_path / "notes.txt" / "rekap.xlsx")
    assert err.value.message("en") == (f"The rekap cannot be written at {tmp_path / 'notes.txt'} because "
                                       f"{tmp_path / 'notes.txt'} is a file, not a folder.")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_read_only_rekap_is_kept(result, tmp_path: Path) -> None:
    target = tmp_path / "rekap.xlsx"
    target.write_bytes(b"previous")
    target.chmod(0o444)
    with pytest.raises(OutputError) as err:
        report.write(result, target)
    assert "is read-only and was not replaced" in err.value.message("en")
    assert target.read_bytes() == b"previous" and list(tmp_path.iterdir()) == [target]


def test_full_disk_is_reported_as_such(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "rekap.xlsx"
    target.write_bytes(b"previous")

    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputError) as err:
        report.write(result, target)
    assert err.value.message("id") == (f"Disk penuh saat menulis {target}; rekap lama tidak diubah, kosongkan "
                                       f"ruang di {tmp_path} lalu jalankan ulang.")
    assert target.read_bytes() == b"previous" and list(tmp_path.iterdir()) == [target]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(result, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError):
            report.write(result, folder / "rekap.xlsx")
    finally:
        folder.chmod(0o755)


def test_failed_verification_keeps_previous(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "rekap.xlsx"
    target.write_bytes(b"previous")
    monkeypatch.setattr(writer, "verify_workbook", lambda tmp, names: "broken")
    with pytest.raises(OutputError) as err:
        report.write(result, target)
    assert "gagal diperiksa" in err.value.message("id") and "broken" in err.value.message("id")
    assert target.read_bytes() == b"previous" and len(list(tmp_path.iterdir())) == 1


def test_published_file_is_shared_and_the_folder_made(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "x.xlsx"
    writer.publish(target, b"bytes")
    assert target.read_bytes() == b"bytes" and list(target.parent.iterdir()) == [target]
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o644


def test_verification_names_what_is_wrong(result, tmp_path: Path) -> None:
    path = report.write(result, tmp_path / "rekap.xlsx").workbook
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert writer.verify_workbook(path, names) is None
    why = writer.verify_workbook(path, names[:-1])
    assert why.render("id").startswith("lembarnya Ringkasan, ") and why.render("en").startswith("its sheets are ")
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    assert writer.verify_workbook(tmp_path / "bad.xlsx", names).key == "reason.verify-unreadable"


def test_write_error_code_is_raised() -> None:
    class Fake:
        def get_name(self) -> str:
            return "X"

        def write_number(self, *a: object) -> int:
            return -1

    with pytest.raises(writer.ReportWriteError, match="X!B3"):
        writer.Out(Fake()).num(2, 1, 5)
    with pytest.raises(writer.ReportWriteError, match="not a finite number"):
        writer.Out(Fake()).num(2, 1, float("nan"))
