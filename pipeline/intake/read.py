"""Reading one file into a Submission: digest, sniff, the strict reader, then the answers (run in a worker).

Each untrusted file is read in a worker process with memory and time limits
(:class:`pipeline.workers.Workers`), so that a broken or hostile file costs bounded time and memory and
never stops the batch. Nothing here raises for bad content: every problem is a finding.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline import layout as L
from pipeline import settings
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod
from pipeline.findings import Finding
from pipeline.i18n import Msg, msg
from pipeline.intake import parse, sniff, xlsx
from pipeline.intake.raw import normalise_name
from pipeline.model import Submission

WANTED_SHEETS = frozenset(normalise_name(s) for s in (L.SHEET_IDENTITY, L.SHEET_ASSESSMENT, L.SHEET_APPS,
                                                       L.SHEET_INFRA, L.SHEET_META))


@dataclass(frozen=True)
class Task:
    """One file to read: its path, its name relative to the input folder, and the catalogs (id or file)."""

    path: str
    rel: str
    framework: str | None
    roster: str | None


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


def read_one(task: Task) -> Submission:
    """Read one file completely (sniff, open, parse). Never raises for bad content."""
    path = Path(task.path)
    try:
        sha, size, mtime, data = _digest(path, keep=settings.LIMITS.max_file_bytes)
    except OSError as exc:
        return failed(task, msg("reason.unreadable", error=exc.strerror or type(exc).__name__), "corrupt-workbook")
    kind, findings = sniff.detect(path, task.rel, data=data)
    if kind != sniff.XLSX:
        return Submission(task.rel, sha, size, mtime, findings=tuple(findings))
    raw, more = xlsx.read_workbook(path, task.rel, sheets=set(WANTED_SHEETS), data=data)
    base = Submission(task.rel, sha, size, mtime, findings=(*findings, *more))
    if raw is None:
        return base
    fw = fwmod.load(task.framework)
    frameworks = {fid: fwmod.load(fid) for fid in fwmod.available()}
    frameworks[fw.id] = fw
    return parse.parse(raw, base, fw, rostermod.load(task.roster), frameworks)


def failed(task: Task, reason: Msg, code: str = "resource-limit") -> Submission:
    """The Submission of a file whose reading did not finish (its worker ran out of time or memory, or died)."""
    try:
        sha, size, mtime, _ = _digest(Path(task.path))
    except OSError:
        sha, size, mtime = "", 0, 0.0
    return Submission(task.rel, sha, size, mtime, findings=(Finding(code, task.rel, found=reason),))
