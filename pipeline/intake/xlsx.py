"""The strict .xlsx reader for hostile input: stored cell values only, never evaluated.

Why not openpyxl: this is the hot path for thousands of e-mailed files, and every byte is
untrusted. The reader uses :mod:`zipfile` and the C ElementTree parser, and:

* forbids any DTD (so no entity expansion, no external entities): before a part is handed
  to the C parser, its prolog is parsed by expat up to the root element and any
  ``<!DOCTYPE`` gives ``xml-dtd-forbidden``. (``defusedxml.ElementTree`` does the same
  check but drives expat from pure Python: 3-4 times slower on cell-heavy sheets.)
* checks every member's declared size and compression ratio before reading, and enforces
  the per-part and total limits again while decompressing, in chunks;
* parses parts of up to 4 MiB whole, in C (a typical questionnaire); larger sheets and shared
  strings are streamed, dropping parsed rows as it goes, so memory stays bounded whatever the
  declared ``<dimension>`` or the number of rows; cells are kept in a sparse dict;
* stops at a cell-count limit per sheet and at a wall-clock limit per file;
* never evaluates formulas and never runs macros: formula text and cached value are kept.

This tree path is the specification. With :data:`pipeline.settings.ACCELERATE_READER`, a plain worksheet or
shared-strings part is first offered to :mod:`pipeline.intake.fastxml`, which gives the same cells and
verdict without building the tree, or steps aside.

Problems are returned as :class:`~pipeline.findings.Finding` records, never raised.
"""

from __future__ import annotations

import io
import posixpath
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from pyexpat import ExpatError, ParserCreate
from xml.etree.ElementTree import Element, ParseError, XMLParser, XMLPullParser

from pipeline import settings
from pipeline.findings import Finding
from pipeline.i18n import Msg, msg
from pipeline.intake import fastxml
from pipeline.intake.cells import MAIN_NS, STRICT_NS, SheetBuilder, Stop, corrupt, rich_text
from pipeline.intake.raw import RawSheet, RawWorkbook, normalise_name
from pipeline.intake.sniff import human_size, zip_error_reason

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

_CHUNK = 64 * 1024
_MAX_PENDING = 200_000  # XML elements inside one row / one shared string (a valid row has < 100k)
# parts up to this size are parsed as a whole tree (fast, all in C); larger sheets and shared strings are
# streamed; larger other parts are refused. A tree costs roughly 10-20 times the XML size in memory.
_MAX_TREE_PART = 4 * 1024 * 1024


class _Doctype(Exception):
    pass


class _RootSeen(Exception):
    pass


def read_workbook(path: Path, rel: str, limits: settings.Limits = settings.LIMITS, sheets: set[str] | None = None,
                  data: bytes | None = None) -> tuple[RawWorkbook | None, list[Finding]]:
    """Read stored cell values of an .xlsx/.xlsm file safely.

    Args:
        path: the file.
        rel: its path relative to the input folder, used in findings.
        limits: resource limits (see :class:`~pipeline.settings.Limits`).
        sheets: when given, only sheets whose :func:`~pipeline.intake.raw.normalise_name` is in this
            set are parsed; the others are listed (name and state, for messages) with no cells.
        data: the file's bytes, when the caller has read them already (``path`` is then not opened).

    Returns:
        ``(workbook, warnings)`` when the file could be read, or ``(None, [error])``.
    """
    try:
        size = path.stat().st_size if data is None else len(data)
    except OSError as exc:
        return None, [Finding("corrupt-workbook", rel, found=msg("reason.cannot-open", error=exc.strerror))]
    if size > limits.max_file_bytes:
        return None, [Finding("file-too-large", rel, found=human_size(size), expected=human_size(limits.max_file_bytes))]
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            return _Reader(zf, rel, limits).read(sheets)
    except Stop as stop:
        return None, [Finding(stop.code, rel, sheet=stop.sheet, found=stop.found, expected=stop.expected)]
    except MemoryError:
        return None, [Finding("resource-limit", rel, found=msg("reason.out-of-memory"))]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            struct.error, zlib.error, ValueError, UnicodeDecodeError) as exc:
        return None, [Finding("corrupt-workbook", rel, found=zip_error_reason(exc))]
    except Exception as exc:  # noqa: BLE001 - hostile input must never stop the batch
        return None, [Finding("corrupt-workbook", rel, found=msg("reason.unexpected", name=type(exc).__name__))]


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, rel: str, limits: settings.Limits) -> None:
        self.zf, self.rel, self.limits = zf, rel, limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.read_total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.read_parts: set[str] = set()  # parts read (their CRC checked on the way)
        self.fast = settings.ACCELERATE_READER

    # ------------------------------------------------------------------ archive level

    def read(self, sheet_filter: set[str] | None) -> tuple[RawWorkbook, list[Finding]]:
        self._check_archive()
        content_types = self._content_types()
        has_macros = ("xl/vbaprojectsigned.bin" in self.members or "xl/vbaproject.bin" in self.members
                      or any("macroenabled" in ct.casefold() for ct in content_types)
                      or any(n.startswith("xl/macrosheets/") for n in self.members))
        wb_part = self._main_part()
        root = self._root(wb_part)
        ns = _ns(root.tag)
        if ns == STRICT_NS:
            raise Stop("strict-open-xml", "Strict Open XML")
        if ns != MAIN_NS or _local(root.tag) != "workbook":
            raise corrupt(wb_part, "reason.not-workbook-part")
        rels = self._rels(wb_part)
        entries = []
        for el in root.iter(f"{{{MAIN_NS}}}sheet"):
            name, rid, state = el.get("name"), el.get(f"{{{REL_NS}}}id"), el.get("state")
            if name is None or rid is None:
                raise corrupt(wb_part, "reason.sheet-list-incomplete")
            entries.append((name, state if state in ("hidden", "veryHidden") else "visible", rid))
        if not entries:
            raise corrupt(wb_part, "reason.no-sheets")
        shared: list[str] | None = None
        out: list[RawSheet] = []
        for name, state, rid in entries:
            if sheet_filter is not None and normalise_name(name) not in sheet_filter:
                out.append(RawSheet(name=name, state=state, cells={}, merged=[]))
                continue
            target = rels.get(rid)
            if target is None or target.casefold() not in self.members:
                raise Stop("corrupt-workbook", msg("reason.sheet-part-missing", sheet=name), sheet=name)
            if shared is None:
                shared = self._shared_strings(rels)
            out.append(self._sheet(target, name, state, shared))
        warnings: list[Finding] = []
        if has_macros:
            warnings.append(Finding("macro-workbook", self.rel, found="VBA"))
        links = self._external_links()
        if links:
            warnings.append(Finding("external-link", self.rel, found=links[1]))
        warnings.extend(self._damaged_unread_parts())
        return RawWorkbook(out, has_macros=has_macros, external_links=links[0] if links else 0), warnings

    def _damaged_unread_parts(self) -> list[Finding]:
        """Every part not read is decompressed too, under the same limits, to check its CRC: a damaged one is
        a warning (the answers do not depend on it), while a damaged part that is read rejects the file."""
        out = []
        for key, info in self.members.items():
            if key in self.read_parts or info.is_dir():
                continue
            try:
                for _chunk in self._chunks(info.filename.replace("\\", "/").lstrip("/")):
                    pass
            except Stop as stop:
                if stop.code != "corrupt-workbook":
                    raise
                out.append(Finding("damaged-part", self.rel, found=stop.found))
        return out

    def _check_archive(self) -> None:
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
                raise Stop("zip-bomb", f"{info.filename}: {human_size(info.file_size)}",
                           human_size(lim.max_member_bytes))
            if total > lim.max_total_uncompressed:
                raise Stop("zip-bomb", f"total {human_size(total)}", human_size(lim.max_total_uncompressed))
            if info.file_size > lim.ratio_min_bytes and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                ratio = msg("reason.ratio", ratio=f"{info.file_size / max(info.compress_size, 1):.0f}")
                raise Stop("zip-bomb", msg("reason.in-part", part=info.filename, reason=ratio),
                           msg("reason.ratio", ratio=f"{lim.max_ratio:.0f}"))

    def _chunks(self, part: str) -> Iterator[bytes]:
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
                        raise Stop("zip-bomb", f"{part}: > {human_size(lim.max_member_bytes)}",
                                   human_size(lim.max_member_bytes))
                    if self.read_total > lim.max_total_uncompressed:
                        raise Stop("zip-bomb", f"total > {human_size(lim.max_total_uncompressed)}",
                                   human_size(lim.max_total_uncompressed))
                    if time.monotonic() > self.deadline:
                        raise Stop("resource-limit", msg("reason.time", s=f"{lim.max_seconds:g}"))
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error,
                struct.error, ValueError) as exc:
            raise Stop("corrupt-workbook", msg("reason.in-part", part=part, reason=zip_error_reason(exc))) from None

    # ------------------------------------------------------------------ XML plumbing

    def _xml_chunks(self, part: str) -> Iterator[bytes]:
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
        for chunk in self._chunks(part):
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
    def _xml_errors(self, part: str, sheet: str = "") -> Iterator[None]:
        try:
            yield
        except _Doctype:
            raise Stop("xml-dtd-forbidden", part, sheet=sheet) from None
        except ExpatError as exc:
            raise corrupt(part, "reason.xml-broken", sheet, line=exc.lineno, col=exc.offset) from None
        except ParseError as exc:
            line, col = exc.position
            raise corrupt(part, "reason.xml-broken", sheet, line=line, col=col) from None

    def _small_part(self, part: str, sheet: str = "") -> None:
        """Stop unless the part exists and declares at most _MAX_TREE_PART bytes (zipfile never returns more)."""
        info = self.members.get(part.casefold())
        if info is None:
            raise Stop("corrupt-workbook", msg("reason.part-missing", part=part), sheet=sheet)
        if info.file_size > _MAX_TREE_PART:
            raise Stop("resource-limit", msg("reason.part-size", part=part, size=human_size(_MAX_TREE_PART)),
                       sheet=sheet)

    def _bytes(self, part: str, sheet: str = "") -> bytes:
        """A whole part's bytes, read under the limits and with its prolog checked (no DTD)."""
        with self._xml_errors(part, sheet):
            return b"".join(self._xml_chunks(part))

    def _tree(self, part: str, data: bytes, sheet: str = "") -> Element:
        """Parse a small part's bytes (read with :meth:`_bytes`) into a tree with the C parser."""
        self._small_part(part, sheet)
        parser = XMLParser()
        with self._xml_errors(part, sheet):
            parser.feed(data)
            return parser.close()

    def _root(self, part: str) -> Element:
        """The tree of a small structural part (content types, relationships, the workbook part)."""
        self._small_part(part)
        return self._tree(part, self._bytes(part))

    def _events(self, part: str, sheet: str = "") -> Iterator[tuple[str, Element]]:
        """("start"/"end", element) events of a large part, streamed.

        Callers drop finished elements themselves (see :meth:`_sheet`) to keep memory bounded.
        """
        parser = XMLPullParser(("start", "end"))
        with self._xml_errors(part, sheet):
            for chunk in self._xml_chunks(part):
                parser.feed(chunk)
                yield from parser.read_events()
            parser.close()
            yield from parser.read_events()

    def _content_types(self) -> list[str]:
        if "[content_types].xml" not in self.members:
            return []
        return [el.get("ContentType", "") for el in self._root("[Content_Types].xml").iter()
                if el.tag in (f"{{{CT_NS}}}Override", f"{{{CT_NS}}}Default")]

    def _relationships(self, part: str) -> Iterator[tuple[str | None, str, str, str | None]]:
        """(Id, Type, Target, TargetMode) of each relationship of a .rels part."""
        for el in self._root(part).iter(f"{{{PKG_REL_NS}}}Relationship"):
            yield el.get("Id"), el.get("Type", ""), el.get("Target", ""), el.get("TargetMode")

    def _main_part(self) -> str:
        if "_rels/.rels" in self.members:
            for _rid, kind, target, mode in self._relationships("_rels/.rels"):
                if kind.endswith("/officeDocument") and mode != "External":
                    target = _resolve("", target)
                    if target.casefold() in self.members:
                        return target
        if "xl/workbook.xml" in self.members:
            return "xl/workbook.xml"
        raise Stop("corrupt-workbook", msg("reason.part-missing", part="xl/workbook.xml"))

    def _rels(self, part: str) -> dict[str, str]:
        """Relationship id -> resolved internal target part name (external targets kept as is)."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        if rels_part.casefold() not in self.members:
            return {}
        return {rid: target if mode == "External" else _resolve(folder, target)
                for rid, _kind, target, mode in self._relationships(rels_part) if rid is not None}

    # ------------------------------------------------------------------ content

    def _shared_strings(self, rels: dict[str, str]) -> list[str]:
        part = next((t for t in rels.values() if t.casefold().endswith("sharedstrings.xml")), "xl/sharedStrings.xml")
        info = self.members.get(part.casefold())
        if info is None:
            return []
        if info.file_size <= _MAX_TREE_PART:
            data = self._bytes(part)
            plain = fastxml.read_shared_strings(data) if self.fast else None
            if plain is not None:
                return plain
            root = self._tree(part, data)
            si_tag, t_tag, r_tag = self._content_tags(root.tag, part, "", "si", "t", "r")
            return [rich_text(si, t_tag, r_tag) for si in root if si.tag == si_tag]
        out: list[str] = []
        root = None
        depth = pending = 0
        for event, el in self._events(part):
            if event == "start":
                depth += 1
                if depth > 1:
                    pending += 1
                    if pending > _MAX_PENDING:
                        raise Stop("resource-limit", msg("reason.xml-per-string", n=_MAX_PENDING))
                else:
                    root = el
                    si_tag, t_tag, r_tag = self._content_tags(el.tag, part, "", "si", "t", "r")
                continue
            depth -= 1
            if depth == 1:
                pending = 0
                if el.tag == si_tag:
                    out.append(rich_text(el, t_tag, r_tag))
                del root[:]  # type: ignore[index]  # finished strings are no longer needed
        return out

    def _content_tags(self, root_tag: str, part: str, sheet: str, *names: str) -> tuple[str, ...]:
        """Qualified tag names in the root's namespace; Strict or foreign namespaces stop reading."""
        ns = _ns(root_tag)
        if ns == STRICT_NS:
            raise Stop("strict-open-xml", "Strict Open XML", sheet=sheet)
        if ns not in (MAIN_NS, ""):
            raise corrupt(part, "reason.unknown-namespace", sheet)
        return tuple(f"{{{ns}}}{n}" if ns else n for n in names)

    def _sheet(self, part: str, name: str, state: str, shared: list[str]) -> RawSheet:
        """Read one worksheet part into a sparse dict of cells (the declared dimension is ignored).

        Parts up to _MAX_TREE_PART are parsed whole by the C parser (fast); larger ones are
        streamed, dropping finished rows, so memory stays bounded.
        """
        max_cells = self.limits.max_cells_per_sheet
        if self.members[part.casefold()].file_size <= _MAX_TREE_PART:
            data = self._bytes(part, name)
            plain = fastxml.read_sheet(data, part, name, shared, max_cells) if self.fast else None
            if plain is not None:
                return RawSheet(name=name, state=state, cells=plain[0], merged=plain[1])
            root = self._tree(part, data, name)
            sheet = SheetBuilder(part, name, shared, max_cells,
                                 self._content_tags(root.tag, part, name, *SheetBuilder.TAGS))
            for top in root:
                for el in top:
                    sheet.add(el)
            return RawSheet(name=name, state=state, cells=sheet.cells, merged=sheet.merged)
        root = level1 = sheet = None
        depth = pending = 0
        for event, el in self._events(part, name):
            if event == "start":
                depth += 1
                if depth > 2:
                    pending += 1
                    if pending > _MAX_PENDING:
                        raise Stop("resource-limit", msg("reason.xml-per-row", n=_MAX_PENDING), sheet=name)
                elif depth == 2:
                    level1 = el
                else:
                    root = el
                    sheet = SheetBuilder(part, name, shared, max_cells,
                                         self._content_tags(el.tag, part, name, *SheetBuilder.TAGS))
                continue
            depth -= 1
            if depth == 2:  # a child of a top-level element: a <row> of sheetData, a <mergeCell>...
                pending = 0
                sheet.add(el)  # type: ignore[union-attr]
                del level1[:]  # type: ignore[index]  # finished rows are no longer needed
            elif depth == 1:
                del root[:]  # type: ignore[index]
        if sheet is None:
            raise corrupt(part, "reason.empty-part", name)
        return RawSheet(name=name, state=state, cells=sheet.cells, merged=sheet.merged)

    def _external_links(self) -> tuple[int, str | Msg] | None:
        parts = sorted(n for n in self.members
                       if n.startswith("xl/externallinks/") and n.endswith(".xml") and "/_rels/" not in n)
        if not parts:
            return None
        targets: list[str] = []
        for p in parts:
            rels = self._rels(self.members[p].filename.replace("\\", "/").lstrip("/"))
            for target in rels.values():
                base = target.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
                if base and base not in targets:
                    targets.append(base)
        if not targets:
            return len(parts), msg("reason.links", n=len(parts))
        return len(parts), ", ".join(targets[:3]) + (", ..." if len(targets) > 3 else "")


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _resolve(folder: str, target: str) -> str:
    """Resolve a relationship target (relative to the source part's folder, or absolute)."""
    target = target.replace("\\", "/")
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    path = posixpath.normpath(path)
    return "" if path in (".", "") or path.startswith("..") else path
