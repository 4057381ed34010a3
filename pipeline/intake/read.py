"""Finding the entries of the input folder, and reading one file into a Submission (run in a worker).

Each untrusted file is read in a worker process with memory and time limits
(:class:`pipeline.workers.Workers`), so that a broken or hostile file costs bounded time and memory and
never stops the batch. Nothing here raises for bad content: every problem is a finding.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
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
from pipeline.intake.sniff import human_size
from pipeline.model import Submission

WANTED_SHEETS = frozenset(normalise_name(s) for s in (L.SHEET_IDENTITY, L.SHEET_ASSESSMENT, L.SHEET_APPS,
                                                       L.SHEET_INFRA, L.SHEET_SERVERS, L.SHEET_NETWORK, L.SHEET_META))


@dataclass(frozen=True)
class Entry:
    """Something found in the input folder: a regular file (``problem`` "") or what it is instead."""

    path: Path
    rel: str  # its name relative to the input folder, with "/" separators
    problem: str = ""  # a finding code: not-a-file, broken-link, path-too-long, unreadable-entry
    found: Msg | str = ""


@dataclass(frozen=True)
class Task:
    """One entry to read, and the catalogs (id or file) to read it against."""

    entry: Entry
    framework: str | None
    roster: str | None


def discover(folder: Path) -> list[Entry]:
    """Every entry under ``folder`` (files, and whatever is not one), in a stable order (names, case aside).

    The walk keeps its own stack (any depth of folders) and follows no link to a folder (no loops); a link
    to a file is read as the file. Every entry found is listed once: one that cannot be read as a regular
    file carries why, so that it gets its own row in the report.
    """
    found: list[Entry] = []
    stack = [(folder, "")]
    while stack:
        path, prefix = stack.pop()
        try:
            with os.scandir(path) as it:
                children = list(it)
        except OSError as exc:
            found.append(Entry(path, prefix.rstrip("/") or ".", *_problem(exc)))
            continue
        for child in children:
            rel = prefix + child.name
            try:
                if child.is_dir(follow_symlinks=False):
                    stack.append((Path(child.path), rel + "/"))
                    continue
            except OSError as exc:
                found.append(Entry(Path(child.path), rel, *_problem(exc)))
                continue
            found.append(entry(Path(child.path), rel))
    found.sort(key=lambda e: (e.rel.casefold(), e.rel))
    return found


def entry(path: Path, rel: str) -> Entry:
    """What one path is: a regular file (or a link to one), else why it is not read."""
    try:
        mode = os.stat(path).st_mode  # follows a link: a dangling one or a loop raises
    except OSError as exc:
        return Entry(path, rel, *_problem(exc))
    if stat.S_ISREG(mode):
        return Entry(path, rel)
    kind = ("folder" if stat.S_ISDIR(mode) else "fifo" if stat.S_ISFIFO(mode) else
            "socket" if stat.S_ISSOCK(mode) else "device")
    return Entry(path, rel, "not-a-file", msg(f"reason.kind-{kind}"))


def _problem(exc: OSError) -> tuple[str, Msg]:
    reason = msg("reason.unreadable", error=exc.strerror or type(exc).__name__)
    if exc.errno == errno.ENAMETOOLONG:
        return "path-too-long", reason
    if exc.errno in (errno.ELOOP, errno.ENOENT):
        return "broken-link", reason
    return "unreadable-entry", reason


def _contents(path: Path, limit: int) -> tuple[str, int, float, bytes | None]:
    """sha256, size, mtime and bytes of a regular file, which is read once and at most ``limit`` + 1 bytes (a
    larger file gives no hash and no bytes). Opened without blocking and checked to be a regular file once
    open, so that a file replaced meanwhile by a FIFO or a device is never read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        data = fh.read(limit + 1)
    if len(data) > limit:
        return "", st.st_size, st.st_mtime, None
    return hashlib.sha256(data).hexdigest(), len(data), st.st_mtime, data


def read_one(task: Task) -> Submission:
    """Read one entry completely (open, sniff, the strict reader, parse). Never raises for bad content."""
    e = task.entry
    if e.problem:
        return failed(task, e.found, e.problem)
    limit = settings.LIMITS.max_file_bytes
    try:
        sha, size, mtime, data = _contents(e.path, limit)
    except OSError as exc:
        return failed(task, msg("reason.unreadable", error=exc.strerror or type(exc).__name__), "corrupt-workbook")
    if data is None:
        return Submission(e.rel, sha, size, mtime, findings=(
            Finding("file-too-large", e.rel, found=human_size(size), expected=human_size(limit)),))
    kind, findings = sniff.detect(e.path, e.rel, data=data)
    if kind != sniff.XLSX:
        return Submission(e.rel, sha, size, mtime, findings=tuple(findings))
    raw, more = xlsx.read_workbook(e.path, e.rel, sheets=set(WANTED_SHEETS), data=data)
    base = Submission(e.rel, sha, size, mtime, findings=(*findings, *more))
    if raw is None:
        return base
    fw = fwmod.load(task.framework)
    frameworks = {fid: fwmod.load(fid) for fid in fwmod.available()}
    frameworks[fw.id] = fw
    return parse.parse(raw, base, fw, rostermod.load(task.roster), frameworks)


def failed(task: Task, reason: Msg | str, code: str = "resource-limit") -> Submission:
    """The Submission of an entry that was not read through: its worker ran out of time or memory or died, or
    it is not a regular file. The file is not opened again here (it may be what made the worker fail)."""
    e = task.entry
    try:
        st = os.lstat(e.path)
        size, mtime = (st.st_size, st.st_mtime) if stat.S_ISREG(st.st_mode) else (0, 0.0)
    except OSError:
        size, mtime = 0, 0.0
    return Submission(e.rel, "", size, mtime, findings=(Finding(code, e.rel, found=reason),))
