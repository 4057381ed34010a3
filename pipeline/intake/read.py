"""Reading one file of the input folder into its entries (run in a worker): a workbook gives one Submission;
a saved e-mail, a mailbox or a zip archive gives one for itself and one for everything inside it.

Each untrusted file is read in a worker process with memory and time limits
(:class:`pipeline.workers.Workers`), so that a broken or hostile file costs bounded time and memory and
never stops the batch. Nothing here raises for bad content: every problem is a finding.

How a container becomes entries: the container is an entry itself (kind MESSAGE or ARCHIVE; its row in
*Berkas* carries the e-mail's sender, date, subject and Message-ID), followed by each thing inside it, in
order, named ``<container>#<n> <name>`` (``kiriman.eml#2 Kuesioner BKD.xlsx``; an .mbox's messages are
``kotak.mbox#3``), each with its own SHA-256. A workbook inside is read from memory by the same strict
readers and limits as a file; a zip or an attached message is opened in turn (a zip inside a zip at most one
level deep); anything else is evidence (*data dukung*): counted for its OPD, never read further.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import io
import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from pipeline import layout as L
from pipeline import settings
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod
from pipeline.findings import ERROR, Finding
from pipeline.i18n import Msg, Num, msg
from pipeline.intake import archive, mail, ods, outlook, parse, sniff, xlsx
from pipeline.intake.raw import normalise_name
from pipeline.intake.sniff import human_size
from pipeline.model import ARCHIVE, EVIDENCE, MESSAGE, WORKBOOK, Source, Submission

WANTED_SHEETS = frozenset(normalise_name(s) for s in (L.SHEET_IDENTITY, L.SHEET_ASSESSMENT, L.SHEET_APPS,
                                                       L.SHEET_INFRA, L.SHEET_SERVERS, L.SHEET_NETWORK, L.SHEET_META))
# names of files meant as questionnaires: inside a container, anything else that is not a workbook is evidence
SPREADSHEET_NAMES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".ots", ".fods", ".csv")
MAIL_NAMES = (".eml", ".msg", ".mbox")
_NOT_MAIL = ("unknown-format", "csv-not-workbook", "legacy-xls-format", "html-not-workbook", "xml-not-workbook")


@dataclass(frozen=True)
class Entry:
    """Something found in the input folder: a regular file (``problem`` "") or what it is instead."""

    path: Path
    rel: str  # its name relative to the input folder, with "/" separators
    problem: str = ""  # a finding code: not-a-file, broken-link, path-too-long, unreadable-entry
    found: Msg | str = ""


@dataclass(frozen=True)
class Task:
    """One entry to read, the catalogs (id or file) to read it against, and its size (for the time limit)."""

    entry: Entry
    framework: str | None
    roster: str | None
    size: int = 0


def timeout(task: Task) -> float:
    """The worker's time limit for a task: a mailbox larger than the file size limit gets proportionally more."""
    return settings.READ_TIMEOUT_S * max(1.0, task.size / settings.LIMITS.max_file_bytes)


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


def _open(path: Path) -> tuple[BinaryIO, os.stat_result]:
    """The file opened once, without blocking, and checked to be a regular file once open (a file replaced
    meanwhile by a FIFO or a device is never read)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    fh = os.fdopen(fd, "rb")
    st = os.fstat(fh.fileno())
    if not stat.S_ISREG(st.st_mode):
        fh.close()
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
    return fh, st


class _Hashing:
    """A mailbox streamed line by line from the file: the bytes already read from it, then the rest of it;
    everything read is hashed and counted."""

    def __init__(self, head: bytes, fh: BinaryIO) -> None:
        self.head, self.fh, self.sha, self.size = io.BytesIO(head), fh, hashlib.sha256(), 0

    def readline(self, limit: int = -1) -> bytes:
        line = self.head.readline(limit)
        if not line.endswith(b"\n") and (limit < 0 or len(line) < limit):  # the bytes read so far ended
            line += self.fh.readline(limit - len(line) if limit >= 0 else -1)
        self.sha.update(line)
        self.size += len(line)
        return line

    def digest(self) -> str:
        """The SHA-256 of the whole file (what was not read yet is read now)."""
        while line := self.readline(1 << 20):
            del line
        return self.sha.hexdigest()


def read_one(task: Task) -> list[Submission]:
    """Read one entry completely into its entries (open once, sniff, the strict readers, parse). Never raises
    for bad content. A file is read whole into memory up to the size limit of one saved e-mail; only a mailbox
    may be larger, and is then streamed message by message from the same open file."""
    e = task.entry
    if e.problem:
        return [failed(task, e.found, e.problem)]
    limits = settings.LIMITS
    reader = _Reader(task, 0.0, limits)
    try:
        fh, st = _open(e.path)
        with fh:
            reader.mtime = st.st_mtime
            data = fh.read(limits.max_message_bytes + 1)
            if len(data) <= limits.max_message_bytes:
                kind, findings = sniff.detect(e.path, e.rel, data=data)
                reader.entry(e.rel, e.path.name, data, hashlib.sha256(data).hexdigest(), len(data), kind, findings,
                             None, "", 0, 0)
            elif sniff.detect(e.path, e.rel, data=data[:65536])[0] == sniff.MBOX \
                    and st.st_size <= limits.max_mailbox_bytes:
                stream = _Hashing(data, fh)
                reader.mailbox(e.rel, "", st.st_size, stream, None, "")
                reader.out[0] = dataclasses.replace(reader.out[0], sha256=stream.digest(), size=stream.size)
            else:
                reader.out.append(Submission(e.rel, "", st.st_size, st.st_mtime, findings=(Finding(
                    "file-too-large", e.rel, found=human_size(st.st_size),
                    expected=human_size(limits.max_file_bytes)),)))
    except OSError as exc:
        return [failed(task, msg("reason.unreadable", error=exc.strerror or type(exc).__name__), "corrupt-workbook")]
    return reader.out


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


class _Reader:
    """The entries of one file, appended to :attr:`out` in order."""

    def __init__(self, task: Task, mtime: float, limits: settings.Limits) -> None:
        self.task, self.mtime, self.limits = task, mtime, limits
        self.out: list[Submission] = []

    @cached_property
    def roster(self) -> rostermod.Roster:
        return rostermod.load(self.task.roster)

    def entry(self, name: str, leaf: str, data: bytes | None, sha: str, size: int, kind: str,
              findings: list[Finding], source: Source | None, parent: str, zip_depth: int, depth: int,
              warn: tuple[Finding, ...] = ()) -> None:
        """One entry from its bytes (``kind`` and ``findings``: what the sniffer said; ``warn``: about its name)."""
        base = Submission(name, sha, size, self.mtime, findings=(*warn, *findings), source=source, parent=parent)
        lower = leaf.lower()
        if kind == sniff.REJECTED:
            code = findings[0].code
            if code == "archive-too-deep":
                base = dataclasses.replace(base, kind=ARCHIVE)
            elif lower.endswith(MAIL_NAMES) and code in _NOT_MAIL:
                base = dataclasses.replace(base, kind=MESSAGE, findings=(
                    *warn, Finding("mail-unreadable", name, found=msg("reason.not-mail"))))
            elif parent and not lower.endswith(SPREADSHEET_NAMES):
                base = dataclasses.replace(base, kind=EVIDENCE, findings=warn, label=_label(findings[0], leaf))
            self.out.append(base)
        elif kind in sniff.WORKBOOKS:
            self.out.append(self.workbook(base, leaf, data, kind))
        elif kind == sniff.ZIP:
            self.archive(base, data, zip_depth + 1, depth + 1)
        elif kind == sniff.MBOX:
            self.mailbox(name, sha, size, io.BytesIO(data or b""), source, parent)
        else:
            parsed = outlook.parse(data, self.limits) if kind == sniff.MSG else mail.parse(data, self.limits, depth)
            self.message(parsed, name, sha, size, parent, zip_depth, depth + 1)

    def workbook(self, base: Submission, leaf: str, data: bytes | None, kind: str) -> Submission:
        path = self.task.entry.path
        reader = ods.read_ods if kind == sniff.ODS else xlsx.read_workbook
        raw, more = reader(path, base.file, sheets=set(WANTED_SHEETS), data=data)
        base = dataclasses.replace(base, findings=(*base.findings, *more))
        if raw is None:
            return base
        fw = fwmod.load(self.task.framework)
        frameworks = {fid: fwmod.load(fid) for fid in fwmod.available()}
        frameworks[fw.id] = fw
        return parse.parse(raw, base, fw, self.roster, frameworks, name=leaf)

    def contents(self, head: Submission, parts: list, source: Source | None, zip_depth: int, depth: int) -> None:
        """The entries inside ``head`` (just appended to :attr:`out`): attachments, archive files, messages."""
        if depth > self.limits.max_depth:
            self._problem(head, "mail-too-complex", msg("reason.mail-depth", n=f"> {self.limits.max_depth}"),
                          msg("reason.mail-depth", n=self.limits.max_depth))
            return
        for n, part in enumerate(parts, 1):
            name = f"{head.file}#{n} {part.name}"
            if isinstance(part, mail.Mail):
                raw = part.raw or b""
                self.message(part, name, hashlib.sha256(raw).hexdigest() if raw else "", len(raw), head.file,
                             zip_depth, depth + 1)
                continue
            warn = [Finding(part.name_problem.code, name, found=part.name_problem.found,
                            expected=part.name_problem.expected)] if part.name_problem else []
            if part.problem is not None or part.data is None:
                p = part.problem or mail.Problem("attachment-broken", msg("reason.base64"))
                kind = WORKBOOK if part.name.lower().endswith(SPREADSHEET_NAMES) else EVIDENCE
                self.out.append(Submission(name, "", part.size, self.mtime, findings=(
                    *warn, Finding(p.code, name, found=p.found, expected=p.expected)), kind=kind, source=source,
                    parent=head.file))
                continue
            kind, findings = sniff.detect(Path(part.name), name, data=part.data)
            if kind == sniff.ZIP and zip_depth >= self.limits.max_zip_depth:
                kind, findings = sniff.REJECTED, [Finding("archive-too-deep", name,
                                                          found=msg("reason.zip-depth", n=zip_depth + 1))]
            self.entry(name, part.name, part.data, hashlib.sha256(part.data).hexdigest(), part.size, kind,
                       findings, source, head.file, zip_depth, depth, tuple(warn))

    def message(self, parsed: mail.Mail, name: str, sha: str, size: int, parent: str, zip_depth: int,
                depth: int) -> None:
        source = Source(name, parsed.sender, parsed.address, parsed.date.isoformat() if parsed.date else "",
                        parsed.date.timestamp() if parsed.date else None, parsed.subject, parsed.message_id)
        head = Submission(name, sha, size, self.mtime, kind=MESSAGE, source=source, parent=parent)
        at = len(self.out)
        self.out.append(head)
        if parsed.problem is not None:
            p = parsed.problem
            self._problem(head, p.code, p.found, p.expected)
        elif not parsed.parts:
            self._problem(head, "mail-no-attachment")
        else:
            self.contents(head, parsed.parts, source, zip_depth, depth)
        self._attribute(at, self.roster.by_sender(parsed.address) if parsed.address else None, parsed.address)

    def archive(self, base: Submission, data: bytes | None, zip_depth: int, depth: int) -> None:
        head = dataclasses.replace(base, kind=ARCHIVE)
        at = len(self.out)
        self.out.append(head)
        files, problem = archive.members(data or b"", self.limits)
        if problem is not None:
            self._problem(head, problem.code, problem.found, problem.expected)
        elif not files:
            self._problem(head, "archive-empty")
        self.contents(head, files, base.source, zip_depth, depth)
        self._attribute(at, None, "")

    def mailbox(self, name: str, sha: str, size: int, fh: BinaryIO, source: Source | None, parent: str) -> None:
        head = Submission(name, sha, size, self.mtime, kind=ARCHIVE, source=source, parent=parent)
        self.out.append(head)
        count = 0
        for count, (data, msize) in enumerate(mail.mbox(fh, self.limits), 1):
            if count > self.limits.max_entries:
                n = Num(f"{self.limits.max_entries:,}")
                self._problem(head, "mail-too-complex", msg("reason.mail-messages", n=n),
                              msg("reason.mail-messages", n=n))
                break
            entry = f"{name}#{count}"
            parsed = mail.parse(data, self.limits) if data is not None else mail.Mail(problem=mail.Problem(
                "file-too-large", sniff.human_size(msize), sniff.human_size(self.limits.max_message_bytes)))
            self.message(parsed, entry, hashlib.sha256(data).hexdigest() if data else "", msize, name, 0, 1)
        if count == 0:
            self._problem(head, "archive-empty")

    def _problem(self, head: Submission, code: str, found: str | Msg = "", expected: str | Msg = "") -> None:
        i = next(i for i in range(len(self.out) - 1, -1, -1) if self.out[i] is head)
        self.out[i] = dataclasses.replace(head, findings=(*head.findings,
                                                          Finding(code, head.file, found=found, expected=expected)))

    def _attribute(self, at: int, sender: rostermod.Opd | None, address: str) -> None:
        """Tie the entries from ``at`` on (a container and what it holds) to their OPD: a workbook whose content
        names none (or names another) by the sender; the container and its evidence by the sender, else by the
        one OPD its workbooks name, else (evidence) by its file name."""
        entries = self.out[at:]
        if sender is not None:
            for i, sub in enumerate(entries):
                if sub.kind == WORKBOOK:
                    entries[i] = _by_sender(sub, sender, address)
        named = {s.opd_code for s in entries if s.kind == WORKBOOK and s.opd_code}
        code = sender.code if sender is not None else (named.pop() if len(named) == 1 else "")
        for i, sub in enumerate(entries):
            if sub.kind != WORKBOOK and not sub.opd_code:
                opd = self.roster.find_in_filename(sub.file.rsplit("#", 1)[-1]) if sub.kind == EVIDENCE and \
                    not code else None
                entries[i] = dataclasses.replace(sub, opd_code=code or (opd.code if opd else ""))
        self.out[at:] = entries


def _by_sender(sub: Submission, sender: rostermod.Opd, address: str) -> Submission:
    """A workbook that came from ``sender``'s address: tied to it when its content names no OPD (a blank OPD
    field then no longer rejects it); a warning when its content names another OPD."""
    if sub.opd_code:
        if sub.opd_code != sender.code and not sub.rejected:
            return dataclasses.replace(sub, findings=(*sub.findings, Finding(
                "opd-sender-mismatch", sub.file, L.SHEET_IDENTITY, found=address, expected=sub.opd_code,
                detail=sender.code)))
        return sub
    errors = [f for f in sub.findings if f.severity == ERROR]
    if errors and all(f.code == "opd-missing" for f in errors):
        kept = tuple(Finding("opd-from-sender", f.file, f.sheet, f.cell, address, sender.label)
                     if f.code == "opd-missing" else f for f in sub.findings)
        return dataclasses.replace(sub, opd_code=sender.code, findings=kept)
    return dataclasses.replace(sub, opd_code=sender.code)


def _label(finding: Finding, leaf: str) -> str:
    """What an evidence file is, for its row: the sniffer's label (PDF, PNG, Word), else its extension."""
    if finding.code in ("pdf-not-workbook", "image-not-workbook", "document-not-workbook"):
        return str(finding.found)
    ext = leaf.rsplit(".", 1)[1] if "." in leaf else ""
    return ext.upper()[:10] or "-"
