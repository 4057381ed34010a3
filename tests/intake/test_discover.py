"""Odd things in input/: every entry found gets exactly one row with a reason, nothing hangs or crashes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import batch, i18n
from pipeline.cli import main
from pipeline.intake.read import discover
from pipeline.workers import Workers

posix = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks as on Linux")


def deep(root: Path, depth: int, name: str) -> str:
    """Folders ``depth`` levels deep (made relative to each parent, so that no call sees the whole path)."""
    fd = os.open(root, os.O_RDONLY)
    rel = []
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
            rel.append(name)
        with open(os.open("q.xlsx", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as fh:
            fh.write(b"PK\x03\x04 not a workbook")
    finally:
        os.close(fd)
    return "/".join([*rel, "q.xlsx"])


@pytest.fixture
def odd_folder(tmp_path: Path):
    """input/ under tmp_path, removed after the test by rm, which walks a tree of any depth: pytest's own
    clean-up of old temporary folders (shutil.rmtree, recursive) would fail on it in a later run."""
    folder = tmp_path / "input"
    folder.mkdir()
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=True)


@posix
def test_every_odd_entry_has_one_row_with_its_reason(odd_folder: Path, make_submission) -> None:
    folder = odd_folder
    make_submission(folder, opd="BKD", name="bkd.xlsx")
    os.mkfifo(folder / "pipa.xlsx")
    (folder / "putus.xlsx").symlink_to(folder / "tidak-ada.xlsx")
    (folder / "lingkar-a.xlsx").symlink_to(folder / "lingkar-b.xlsx")
    (folder / "lingkar-b.xlsx").symlink_to(folder / "lingkar-a.xlsx")
    (folder / "map").mkdir()
    (folder / "ke-map").symlink_to(folder / "map", target_is_directory=True)
    (folder / "salinan.xlsx").symlink_to(folder / "bkd.xlsx")  # a link to a file is the file
    nested = deep(folder, 990, "d")  # deeper than Python's recursion limit
    deep(folder, 20, "p" * 250)  # a path over 4,096 characters: the folder it can no longer open is the entry
    found = {e.rel: e.problem for e in discover(folder)}
    too_long = [rel for rel, problem in found.items() if rel.startswith("p" * 250)]
    assert len(too_long) == 1 and found[too_long[0]] == "path-too-long" and len(too_long[0]) > 4000
    assert found == {"bkd.xlsx": "", "salinan.xlsx": "", "pipa.xlsx": "not-a-file", "putus.xlsx": "broken-link",
                     "lingkar-a.xlsx": "broken-link", "lingkar-b.xlsx": "broken-link", "ke-map": "not-a-file",
                     nested: "", too_long[0]: "path-too-long"}
    report = batch.check([folder], workers=Workers(inline=True))
    rows = {o.file: (o.outcome, o.reason("en")) for o in report.outcomes}
    assert len(rows) == len(found)
    assert rows["pipa.xlsx"] == ("rejected", "Not a regular file (a named pipe (FIFO)); not read.")
    assert rows["ke-map"][1] == "Not a regular file (a link to a folder); not read."
    assert rows["putus.xlsx"][0] == rows["lingkar-a.xlsx"][0] == "rejected"
    assert rows["putus.xlsx"][1].startswith("A link (shortcut/symlink) that leads to no file")
    assert rows[nested][0] == "rejected" and "not-a-workbook" not in rows[nested][1]
    assert rows[too_long[0]][1].startswith("The file's path is too long to open")
    assert rows["salinan.xlsx"][0] == "superseded" and rows["bkd.xlsx"][0].startswith("accepted")


@posix
def test_check_of_a_fifo_or_a_device_answers_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipa.xlsx"
    os.mkfifo(fifo)
    res = CliRunner().invoke(main, ["check", str(fifo), "/dev/zero", "--lang", "en"])
    assert res.exit_code == 1
    assert "REJECTED: pipa.xlsx" in res.output and "REJECTED: zero" in res.output
    assert res.output.count("[not-a-file] Not a regular file") == 2


def test_the_reasons_are_in_both_languages() -> None:
    for kind in ("folder", "fifo", "socket", "device"):
        assert i18n.text(f"reason.kind-{kind}", "id") != i18n.text(f"reason.kind-{kind}", "en")


def test_a_folder_that_cannot_be_listed_is_its_own_entry(tmp_path: Path, monkeypatch, make_submission) -> None:
    """A folder the operating system refuses to list (no permission; root is never refused, so the refusal is
    the operating system's answer made here) is one entry with the system's reason."""
    folder = tmp_path / "input"
    (folder / "rahasia").mkdir(parents=True)
    make_submission(folder, opd="BKD", name="bkd.xlsx")
    listing = os.scandir

    def scandir(path):
        if Path(path).name == "rahasia":
            raise PermissionError(13, "Permission denied")
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert [(e.rel, e.problem) for e in discover(folder)] == [("bkd.xlsx", ""), ("rahasia", "unreadable-entry")]
    rows = {o.file: (o.outcome, o.reason("en")) for o in batch.check([folder], workers=Workers(inline=True)).outcomes}
    assert rows["rahasia"][0] == "rejected" and "Permission denied" in rows["rahasia"][1]
