"""A zip package of XML parts read under the hostile-input limits: the ground both strict readers stand on.

:class:`Archive` checks the archive (member count, duplicate names, declared sizes and ratios), reads a part
in chunks enforcing the size, total and time limits while decompressing (declared sizes are never trusted),
and parses XML only after its prolog was checked by expat: any DTD stops reading (no entity expansion, no
external entities). :func:`read_package` opens a file or its bytes and turns every way reading can fail
into one finding. The .xlsx reader (:mod:`pipeline.intake.xlsx`) and the .ods reader
(:mod:`pipeline.intake.ods`) are built on it.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from pyexpat import ExpatError, ParserCreate
from xml.etree.ElementTree import Element, ParseError, XMLParser, XMLPullParser

from pipeline import settings
from pipeline.findings import Finding
from pipeline.i18n import msg
from pipeline.intake.cells import Stop, corrupt
from pipeline.intake.raw import RawWorkbook
from pipeline.intake.sniff import human_size, zip_error_reason

_CHUNK = 64 * 1024
# parts up to this size are parsed as a whole tree (fast, all in C); larger sheets and shared strings are
# streamed; larger other parts are refused. A tree costs roughly 10-20 times the XML size in memory.
MAX_TREE_PART = 4 * 1024 * 1024


class _Doctype(Exception):
    pass


class _RootSeen(Exception):
    pass


Result = tuple[RawWorkbook | None, list[Finding]]


def read_package(path: Path, rel: str, limits: settings.Limits, data: bytes | None,
                 read: Callable[[zipfile.ZipFile], Result]) -> Result:
    """``read(zipfile)`` on the file (or ``data``), with every failure as one finding: ``(None, [error])``."""
    try:
        size = path.stat().st_size if data is None else len(data)
    except OSError as exc:
        return None, [Finding("corrupt-workbook", rel, found=msg("reason.cannot-open", error=exc.strerror))]
    if size > limits.max_file_bytes:
        return None, [Finding("file-too-large", rel, found=human_size(size), expected=human_size(limits.max_file_bytes))]
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            return read(zf)
    except Stop as stop:
        return None, [Finding(stop.code, rel, sheet=stop.sheet, found=stop.found, expected=stop.expected)]
    except MemoryError:
        return None, [Finding("resource-limit", rel, found=msg("reason.out-of-memory"))]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            struct.error, zlib.error, ValueError, UnicodeDecodeError) as exc:
        return None, [Finding("corrupt-workbook", rel, found=zip_error_reason(exc))]
    except Exception as exc:  # noqa: BLE001 - hostile input must never stop the batch
        return None, [Finding("corrupt-workbook", rel, found=msg("reason.unexpected", name=type(exc).__name__))]


class Archive:
    """The parts of one zip package, read within ``limits`` (call :meth:`check` first)."""

    def __init__(self, zf: zipfile.ZipFile, rel: str, limits: settings.Limits) -> None:
        self.zf, self.rel, self.limits = zf, rel, limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.read_total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}  # case-folded name -> member
        self.read_parts: set[str] = set()  # parts read (their CRC checked on the way)

    def check(self) -> None:
        infos = self.zf.infolist()
        lim = self.limits
        if len(infos) > lim.max_members:
            raise Stop("resource-limit", msg("reason.too-many-parts", n=lim.max_members))
        total = 0
        for info in infos:
            key = info.filename.replace("\\", "/").lstrip("/").casefold()
            if key in self.members:
                raise Stop("duplicate-zip-member", info.filename)
            self.members[key] = info
            total += info.file_size
            if info.file_size > lim.max_member_bytes:
                raise Stop("zip-bomb", msg("reason.in-part", part=info.filename, reason=human_size(info.file_size)),
                           human_size(lim.max_member_bytes))
            if total > lim.max_total_uncompressed:
                raise Stop("zip-bomb", msg("reason.total", size=human_size(total)), human_size(lim.max_total_uncompressed))
            if info.file_size > lim.ratio_min_bytes and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                ratio = msg("reason.ratio", ratio=f"{info.file_size / max(info.compress_size, 1):.0f}")
                raise Stop("zip-bomb", msg("reason.in-part", part=info.filename, reason=ratio),
                           msg("reason.ratio", ratio=f"{lim.max_ratio:.0f}"))

    def chunks(self, part: str) -> Iterator[bytes]:
        """Uncompressed bytes of a part, in chunks, enforcing size, total and time limits."""
        info = self.members[part.casefold()]
        self.read_parts.add(part.casefold())
        lim = self.limits
        n = 0
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    n += len(chunk)
                    self.read_total += len(chunk)
                    if n > lim.max_member_bytes:
                        raise Stop("zip-bomb", msg("reason.in-part", part=part,
                                                         reason=msg("reason.over", size=human_size(lim.max_member_bytes))),
                                   human_size(lim.max_member_bytes))
                    if self.read_total > lim.max_total_uncompressed:
                        raise Stop("zip-bomb", msg("reason.total-over", size=human_size(lim.max_total_uncompressed)),
                                   human_size(lim.max_total_uncompressed))
                    if time.monotonic() > self.deadline:
                        raise Stop("resource-limit", msg("reason.time", s=f"{lim.max_seconds:g}"))
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error,
                struct.error, ValueError) as exc:
            raise Stop("corrupt-workbook", msg("reason.in-part", part=part, reason=zip_error_reason(exc))) from None

    def damaged_unread_parts(self) -> list[Finding]:
        """Every part not read is decompressed too, under the same limits, to check its CRC: a damaged one is
        a warning (the answers do not depend on it), while a damaged part that is read rejects the file."""
        out = []
        for key, info in self.members.items():
            if key in self.read_parts or info.is_dir():
                continue
            try:
                for _chunk in self.chunks(info.filename.replace("\\", "/").lstrip("/")):
                    pass
            except Stop as stop:
                if stop.code != "corrupt-workbook":
                    raise
                out.append(Finding("damaged-part", self.rel, found=stop.found))
        return out

    def xml_chunks(self, part: str) -> Iterator[bytes]:
        """A part's bytes, after checking its prolog: a DTD raises :class:`_Doctype`.

        Each chunk goes through an expat parser that stops at the root element (a DTD can only
        come before it) before the caller hands it to the fast C parser, so that parser never
        sees a DTD: no entity expansion, no external entities.
        """
        prolog = ParserCreate()
        prolog_open = True

        def on_doctype(*_args: object) -> None:
            raise _Doctype

        def on_start(*_args: object) -> None:
            raise _RootSeen

        prolog.StartDoctypeDeclHandler = on_doctype
        prolog.StartElementHandler = on_start
        for chunk in self.chunks(part):
            if prolog_open:
                try:
                    prolog.Parse(chunk, False)
                except _RootSeen:
                    prolog_open = False
            yield chunk
        if prolog_open:
            try:
                prolog.Parse(b"", True)
            except _RootSeen:
                pass

    @contextmanager
    def xml_errors(self, part: str, sheet: str = "") -> Iterator[None]:
        try:
            yield
        except _Doctype:
            raise Stop("xml-dtd-forbidden", part, sheet=sheet) from None
        except ExpatError as exc:
            raise corrupt(part, "reason.xml-broken", sheet, line=exc.lineno, col=exc.offset) from None
        except ParseError as exc:
            line, col = exc.position
            raise corrupt(part, "reason.xml-broken", sheet, line=line, col=col) from None

    def small_part(self, part: str, sheet: str = "") -> None:
        """Stop unless the part exists and declares at most MAX_TREE_PART bytes (zipfile never returns more)."""
        info = self.members.get(part.casefold())
        if info is None:
            raise Stop("corrupt-workbook", msg("reason.part-missing", part=part), sheet=sheet)
        if info.file_size > MAX_TREE_PART:
            raise Stop("resource-limit", msg("reason.part-size", part=part, size=human_size(MAX_TREE_PART)),
                       sheet=sheet)

    def bytes(self, part: str, sheet: str = "") -> bytes:
        """A whole part's bytes, read under the limits and with its prolog checked (no DTD)."""
        with self.xml_errors(part, sheet):
            return b"".join(self.xml_chunks(part))

    def tree(self, part: str, data: bytes, sheet: str = "") -> Element:
        """Parse a small part's bytes (read with :meth:`_bytes`) into a tree with the C parser."""
        self.small_part(part, sheet)
        parser = XMLParser()
        with self.xml_errors(part, sheet):
            parser.feed(data)
            return parser.close()

    def root(self, part: str) -> Element:
        """The tree of a small structural part (content types, relationships, the workbook part)."""
        self.small_part(part)
        return self.tree(part, self.bytes(part))

    def events(self, part: str, sheet: str = "") -> Iterator[tuple[str, Element]]:
        """("start"/"end", element) events of a large part, streamed.

        Callers drop finished elements themselves (see :meth:`_sheet`) to keep memory bounded.
        """
        parser = XMLPullParser(("start", "end"))
        with self.xml_errors(part, sheet):
            for chunk in self.xml_chunks(part):
                parser.feed(chunk)
                yield from parser.read_events()
            parser.close()
            yield from parser.read_events()
