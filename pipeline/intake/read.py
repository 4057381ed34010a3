"""Intake: find every file in the input folder and read each into a Submission, safely.

Each untrusted file is sniffed by content, opened by the hostile-input-safe reader and parsed
against the questionnaire layout, in child processes with memory and time limits (see
``pipeline.sandbox``), so that a broken or hostile file costs bounded time and memory and
never stops the batch.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline import framework as fwmod
from pipeline import layout as L
from pipeline import roster as rostermod
from pipeline.findings import Finding
from pipeline.models import Submission, normalise_name

# what process_file imports: loaded once by the fork server rather than by every reading worker
WORKER_MODULES = ("pipeline.intake", "pipeline.reader", "pipeline.sniff", "pipeline.xlsxsafe", "pipeline.validate")
WANTED_SHEETS = frozenset(normalise_name(s) for s in (L.SHEET_IDENTITY, L.SHEET_ASSESSMENT, L.SHEET_APPS,
                                                       L.SHEET_INFRA, L.SHEET_META))


@dataclass(frozen=True)
class Task:
    path: str
    rel: str
    framework: str | None
    roster: str | None


def start_workers(also: tuple[str, ...] = ()) -> None:
    """Start the workers' fork server now, with the reading modules and ``also`` preloaded
    (see :func:`pipeline.sandbox.start_server`): call it first thing, before loading anything else."""
    from pipeline.sandbox import start_server

    start_server(WORKER_MODULES + also)


def discover(folder: Path) -> list[tuple[Path, str]]:
    """Every file under ``folder`` (recursively), as (path, relative posix name), in a stable order."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in filenames:
            p = Path(dirpath) / name
            if p.is_file():
                found.append((p, p.relative_to(folder).as_posix()))
    found.sort(key=lambda pr: (pr[1].casefold(), pr[1]))
    return found


def _digest(path: Path, keep: int = 0) -> tuple[str, int, float, bytes | None]:
    """sha256, size and mtime of a file; with ``keep``, also its bytes when it has at most ``keep`` of them
    (so that it is read once: the sniffer and the reader then take them from memory)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        st = os.fstat(fh.fileno())
        # one more byte than the file has: a read that gets it all found the end (a file that grew is streamed)
        data = fh.read(st.st_size + 1) if 0 < st.st_size <= keep else b""
        h.update(data)
        if data and len(data) <= min(st.st_size, keep):
            return h.hexdigest(), len(data), st.st_mtime, data
        size = len(data)
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size, st.st_mtime, None


def process_file(task: Task) -> Submission:
    """Read one file completely (sniff, open, parse). Never raises for bad content."""
    from pipeline import reader, sniff, xlsxsafe

    path = Path(task.path)
    try:
        sha, size, mtime, data = _digest(path, keep=sniff.DEFAULT_MAX_BYTES)
    except OSError as exc:
        sub = Submission(task.rel, "", 0, 0.0)
        sub.findings.append(Finding("corrupt-workbook", task.rel, found=f"tidak dapat dibaca ({exc.strerror})"))
        return sub
    sub = Submission(task.rel, sha, size, mtime)
    kind, findings = sniff.detect(path, task.rel, data=data)
    sub.findings.extend(findings)
    if kind != "xlsx":
        return sub
    raw, findings = xlsxsafe.read_workbook(path, task.rel, sheets=set(WANTED_SHEETS), data=data)
    del data
    sub.findings.extend(findings)
    if raw is None:
        return sub
    fw = fwmod.load(task.framework)
    frameworks = {fid: fwmod.load(fid) for fid in fwmod.available()}
    frameworks[fw.id] = fw
    reader.parse(raw, sub, fw, rostermod.load(task.roster), frameworks)
    if not sub.rejected:
        from pipeline.validate import consistency

        sub.findings.extend(consistency(fw, sub))
    sub.compact()
    return sub


def _failed(task: Task, reason: str) -> Submission:
    try:
        sha, size, mtime, _ = _digest(Path(task.path))
    except OSError:
        sha, size, mtime = "", 0, 0.0
    sub = Submission(task.rel, sha, size, mtime)
    sub.findings.append(Finding("resource-limit", task.rel, found=reason))
    return sub


def read_folder(folder: Path, framework: str | None = None, roster: str | None = None, *, isolate: bool = True,
                workers: int | None = None, on_progress: Callable[[int, int], None] | None = None) -> list[Submission]:
    """Read every file under ``folder``; one Submission per file, in discovery order."""
    return read_files(discover(folder), framework, roster, isolate=isolate, workers=workers, on_progress=on_progress)


def read_files(files: list[tuple[Path, str]], framework: str | None = None, roster: str | None = None, *,
               isolate: bool = True, workers: int | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> list[Submission]:
    from pipeline.sandbox import run_isolated

    # load (and check) catalogs once in the parent so a bad catalog fails before any work
    fwmod.load(framework)
    rostermod.load(roster)
    tasks = [Task(str(p), rel, framework, roster) for p, rel in files]
    workers = workers or min(2, os.cpu_count() or 1)
    return run_isolated(process_file, tasks, workers=workers, on_progress=on_progress, on_failure=_failed,
                        isolate=isolate, preload=WORKER_MODULES)
