"""Faults lose nothing: a real ``spbe merge`` killed (SIGKILL, SIGINT) at several stages, two merges at once, a
full disk. After each: the output is the complete old set or the complete new one (main workbook and every
per-OPD workbook, by hash), no process of the run is alive and its stdout is closed, the next run leaves nothing
temporary behind, and every file in input/ is unchanged.

The old set is the generated input merged in Indonesian, the new one the same input merged in English, as in
the issue (after a kill the per-OPD folder held files of both). ``SPBE_FAULT_DELAY`` slows the per-OPD writing
and the moment between the per-OPD folder and the main workbook being renamed, so that a kill lands there.
Linux only (processes are found under /proc); bounded: each run has its own time limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.golden import generated_set

ROOT = Path(__file__).resolve().parent.parent
N = 40  # files in the generated input
DELAY = "0.05"  # seconds after each per-OPD workbook; 20x that before and after the main workbook is renamed
BUSY = "sedang ditulis oleh spbe merge lain"

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="processes are found under /proc")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name -> SHA-256)."""
    return {str(p.relative_to(folder)): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class OutputSet:
    main: str  # SHA-256 of the main workbook
    folder: str  # the per-OPD folder it links to
    files: dict[str, str]  # per-OPD workbook -> SHA-256

    @classmethod
    def of(cls, out: Path) -> OutputSet:
        folders = [p for p in out.iterdir() if p.is_dir() and p.name.startswith("rekap-opd-")]
        assert len(folders) == 1, sorted(os.listdir(out))
        return cls(_sha(out / "rekap.xlsx"), folders[0].name, _tree(folders[0]))

    def complete_in(self, out: Path) -> bool:
        """The main workbook is this set's, and the folder it links to holds exactly this set's files."""
        return (_sha(out / "rekap.xlsx") == self.main and (out / self.folder).is_dir()
                and _tree(out / self.folder) == self.files)


@dataclass
class World:
    root: Path
    input: Path
    roster: Path
    old_snapshot: Path
    old: OutputSet
    new: OutputSet
    input_files: dict[str, str]

    @property
    def out(self) -> Path:
        return self.root / "out"

    def restore_old(self, out: Path | None = None) -> Path:
        out = out or self.out
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(self.old_snapshot, out)
        return out

    def start(self, lang: str, out: Path | None = None, delay: str = DELAY,
              preexec: Callable[[], None] | None = None) -> Run:
        out = out or self.out
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SPBE_FAULT_DELAY": delay, "PYTHONIOENCODING": "utf-8"}
        cmd = [sys.executable, "-m", "pipeline", "merge", "-i", str(self.input), "--roster", str(self.roster), "-o",
               str(out / "rekap.xlsx"), "--per-opd-files", "--lang", lang, "--workers", "2"]
        return Run(subprocess.Popen(cmd, cwd=self.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=True, preexec_fn=preexec))

    def merge(self, lang: str, out: Path | None = None) -> Run:
        """A whole run, without pauses; it must succeed."""
        run = self.start(lang, out, delay="0")
        assert run.finish() == 0, run.stderr_text()
        return run


class Run:
    """A ``spbe merge`` in its own process group, its output read as it comes."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.stdout: list[bytes] = []
        self.stderr: list[bytes] = []
        self.closed = threading.Event()  # stdout reached its end: nothing holds it open any more
        threading.Thread(target=self._drain, args=(proc.stdout, self.stdout, self.closed), daemon=True).start()
        threading.Thread(target=self._drain, args=(proc.stderr, self.stderr, None), daemon=True).start()

    @staticmethod
    def _drain(stream: object, into: list[bytes], done: threading.Event | None) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            into.append(chunk)
        if done is not None:
            done.set()

    def stderr_text(self) -> str:
        return b"".join(self.stderr).decode("utf-8", "replace")

    def finish(self, timeout: float = 300) -> int:
        rc = self.proc.wait(timeout)
        self.closed.wait(10)
        return rc

    def alive(self) -> list[str]:
        """Processes of the run's group still alive (not zombies): the run, its workers, fork server, tracker."""
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.proc.pid and fields[0] != "Z":
                    found.append(Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")[:120])
        return found

    def kill(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)
        self.proc.wait(60)

    def assert_gone(self, within: float = 5) -> None:
        """No process of the run stays alive, and nothing holds its stdout open."""
        deadline = time.monotonic() + within
        while (self.alive() or not self.closed.is_set()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not self.alive() and self.closed.is_set(), self.alive()


def _wait_for(what: Callable[[], bool], run: Run, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert run.proc.poll() is None, f"the run ended before the stage was reached: {run.stderr_text()}"
        assert time.monotonic() < deadline, "stage not reached"
        time.sleep(0.01)


def _staged(out: Path) -> int:
    """Files written so far into a staging folder of per-OPD workbooks."""
    return max((len(os.listdir(p)) for p in out.glob(".~rekap-opd-*") if p.is_dir()), default=0)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("faults")
    folder, roster = generated_set(root / "sets", N)
    w = World(root, folder, roster, root / "old-set", None, None, _tree(folder))  # type: ignore[arg-type]
    w.merge("en")
    w.new = OutputSet.of(w.out)
    shutil.rmtree(w.out)
    w.merge("id")
    w.old = OutputSet.of(w.out)
    assert w.old.main != w.new.main and w.old.folder != w.new.folder
    shutil.copytree(w.out, w.old_snapshot)
    yield w


def _after_the_fault(w: World, run: Run, out: Path | None = None) -> None:
    """What must hold after any fault, and after the next run."""
    out = out or w.out
    run.assert_gone()
    assert w.old.complete_in(out) or w.new.complete_in(out), sorted(os.listdir(out))
    assert _tree(w.input) == w.input_files
    w.merge("en", out)
    assert sorted(os.listdir(out)) == sorted([w.new.folder, "rekap.xlsx"]) and w.new.complete_in(out)


@pytest.mark.parametrize("stage", ["reading", "per-opd writing", "between the folder and the main workbook",
                                   "before the old set is deleted"])
def test_kill_9(world: World, stage: str) -> None:
    w = world
    w.restore_old()
    # per-OPD writing slowed down so that a worker is busy for seconds when the run is killed (and must end at
    # once); the renames far enough apart (20 x the delay) that the kill lands between them even on a busy machine
    run = w.start("en", delay={"reading": DELAY, "per-opd writing": "2"}.get(stage, "0.25"))
    if stage == "reading":
        _wait_for(lambda: b"Reading files" in b"".join(run.stderr), run)
    elif stage == "per-opd writing":
        _wait_for(lambda: _staged(w.out) >= 3, run)
    elif stage == "between the folder and the main workbook":
        _wait_for(lambda: (w.out / w.new.folder).is_dir(), run)
    else:
        _wait_for(lambda: _sha(w.out / "rekap.xlsx") == w.new.main, run)
    assert len(run.alive()) >= 3  # the run, its fork server and workers, the tracker: all must go
    run.kill(signal.SIGKILL)
    if stage == "before the old set is deleted":
        assert w.new.complete_in(w.out) and (w.out / w.old.folder).is_dir()  # the next run deletes it
    else:
        assert w.old.complete_in(w.out)  # killed before the main workbook was renamed: the old set, whole
    _after_the_fault(w, run)


def test_ctrl_c_during_per_opd_writing(world: World) -> None:
    w = world
    w.restore_old()
    run = w.start("en")
    _wait_for(lambda: _staged(w.out) >= 3, run)
    run.kill(signal.SIGINT)
    assert run.proc.returncode != 0
    run.assert_gone()
    # Ctrl-C cleans up at once: the old set alone, no staging folder or temporary file
    assert sorted(os.listdir(w.out)) == sorted([w.old.folder, "rekap.xlsx"]) and w.old.complete_in(w.out)
    _after_the_fault(w, run)


def test_two_merges_at_once(world: World) -> None:
    w = world
    w.restore_old()
    first = w.start("en")
    _wait_for(lambda: b"Reading files" in b"".join(first.stderr), first)
    second = w.start("id", delay="0")
    assert second.finish(120) == 1
    assert BUSY in second.stderr_text().splitlines()[-1]
    assert first.finish() == 0, first.stderr_text()
    assert sorted(os.listdir(w.out)) == sorted([w.new.folder, "rekap.xlsx"]) and w.new.complete_in(w.out)
    _after_the_fault(w, first)


def _file_size_limit(limit: int) -> Callable[[], None]:
    def preexec() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # writes beyond it fail with EFBIG

    return preexec


def test_full_disk_by_file_size_limit(world: World) -> None:
    w = world
    w.restore_old()
    run = w.start("en", delay="0", preexec=_file_size_limit((w.out / "rekap.xlsx").stat().st_size // 2))
    assert run.finish() == 1
    err = run.stderr_text()
    assert err.splitlines()[-1].startswith(f"Error: The disk is full while writing {w.out}")
    assert "Exception ignored" not in err and "Traceback" not in err, err
    assert sorted(os.listdir(w.out)) == sorted([w.old.folder, "rekap.xlsx"]) and w.old.complete_in(w.out)
    _after_the_fault(w, run)


@contextlib.contextmanager
def _small_disk(folder: Path, size: int) -> Iterator[bool]:
    folder.mkdir(exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def test_full_disk(world: World) -> None:
    w = world
    used = sum((w.old_snapshot / name).stat().st_size for name in _tree(w.old_snapshot))
    disk = w.root / "disk"
    with _small_disk(disk, used + 256 * 1024) as mounted:
        if not mounted:
            pytest.skip("no permission to mount a tmpfs here (the file size limit test covers EFBIG)")
        out = w.restore_old(disk / "out")
        before = shutil.disk_usage(disk).used
        run = w.start("en", out, delay="0")
        assert run.finish() == 1
        err = run.stderr_text()
        assert err.splitlines()[-1].startswith("Error: The disk is full while writing"), err
        assert "Exception ignored" not in err and "Traceback" not in err, err
        assert sorted(os.listdir(out)) == sorted([w.old.folder, "rekap.xlsx"]) and w.old.complete_in(out)
        assert shutil.disk_usage(disk).used == before  # what the failed run wrote is gone again
        run.assert_gone()
        assert _tree(w.input) == w.input_files
