"""A minimal xlsx reader for hostile input: stored cell values only, never evaluated.

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
* reads a *plain* sheet or shared-strings part (as Excel, LibreOffice, WPS and openpyxl write them:
  no formulas, rich text, comments or prefixes) without building the tree: expat checks it is
  well-formed, regular expressions take the cells, with exactly the result of the tree path (see
  :func:`_plain_sheet`; ``tests/test_plainparts.py`` holds both paths to that);
* stops at a cell-count limit per sheet and at a wall-clock limit per file;
* never evaluates formulas and never runs macros: formula text and cached value are kept.

Problems are returned as :class:`~pipeline.findings.Finding` records, never raised.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from pyexpat import ExpatError, ParserCreate
from string import ascii_uppercase
from xml.etree.ElementTree import Element, ParseError, XMLParser, XMLPullParser

from pipeline.findings import Finding
from pipeline.models import BOOL, EMPTY, ERRORVAL, NUMBER, TEXT, RawCell, RawSheet, RawWorkbook, normalise_name
from pipeline.sniff import human_size, zip_error_reason

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

MAX_ROW, MAX_COL = 1_048_576, 16_384
_CHUNK = 64 * 1024
_MAX_PENDING = 200_000  # XML elements inside one row / one shared string (a valid row has < 100k)
# parts up to this size are parsed as a whole tree (fast, all in C); larger sheets and shared strings are
# streamed; larger other parts are refused. A tree costs roughly 10-20 times the XML size in memory.
_MAX_TREE_PART = 4 * 1024 * 1024
_PARSED: dict[tuple[str, bytes], tuple] = {}  # see _Reader._parsed
_MAX_PARSED, _MAX_PARSED_BYTES = 256, 64 * 1024


def _types_of(root: Element) -> tuple[str, ...]:
    return tuple(el.get("ContentType", "") for el in root.iter()
                 if el.tag in (f"{{{CT_NS}}}Override", f"{{{CT_NS}}}Default"))


def _relationships(root: Element) -> tuple[tuple[str | None, str, str, str | None], ...]:
    """(Id, Type, Target, TargetMode) of each relationship."""
    return tuple((el.get("Id"), el.get("Type", ""), el.get("Target", ""), el.get("TargetMode"))
                 for el in root.iter(f"{{{PKG_REL_NS}}}Relationship"))


def _workbook_sheets(root: Element) -> tuple[str, tuple[tuple[str | None, str | None, str], ...]]:
    """The root tag and (name, relationship id, state) of each sheet (read only when the namespace is right)."""
    return root.tag, tuple((el.get("name"), el.get(f"{{{REL_NS}}}id"), el.get("state", "visible"))
                           for el in root.iter(f"{{{MAIN_NS}}}sheet"))
_MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one workbook."""

    max_file_bytes: int = 25 * _MiB  # the .xlsx file on disk
    max_member_bytes: int = 50 * _MiB  # one part, uncompressed
    max_total_uncompressed: int = 200 * _MiB  # all parts, uncompressed (declared and read)
    max_ratio: float = 200.0  # uncompressed/compressed, checked for parts above ratio_min_bytes
    ratio_min_bytes: int = 1 * _MiB
    max_members: int = 10_000  # parts in the archive
    max_cells_per_sheet: int = 500_000
    max_seconds: float = 20.0


def _col_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for length in (1, 2, 3):
        for combo in product(ascii_uppercase, repeat=length):
            if len(table) == MAX_COL:
                return table
            table["".join(combo)] = len(table) + 1
    return table


COLUMNS: dict[str, int] = _col_table()  # "A" -> 1 ... "XFD" -> 16384
_DIGITS = "0123456789"
_XESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$")


class _Stop(Exception):
    """Internal: reading stops with one error finding."""

    def __init__(self, code: str, found: str = "", expected: str = "", sheet: str = "") -> None:
        super().__init__(code)
        self.code, self.found, self.expected, self.sheet = code, found, expected, sheet


class _Doctype(Exception):
    pass


class _RootSeen(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def read_workbook(path: Path, rel: str, limits: Limits = Limits(), sheets: set[str] | None = None,
                  data: bytes | None = None) -> tuple[RawWorkbook | None, list[Finding]]:
    """Read stored cell values of an .xlsx/.xlsm file safely.

    Args:
        path: the file.
        rel: its path relative to the input folder, used in findings.
        limits: resource limits (see :class:`Limits`).
        sheets: when given, only sheets whose :func:`~pipeline.models.normalise_name` is in this
            set are parsed; the others are listed (name and state, for messages) with no cells.
        data: the file's bytes, when the caller has read them already (``path`` is then not opened).

    Returns:
        ``(workbook, warnings)`` when the file could be read, or ``(None, [error, ...])``.
    """
    try:
        size = path.stat().st_size if data is None else len(data)
    except OSError as exc:
        return None, [Finding("corrupt-workbook", rel, found=f"berkas tidak dapat dibuka ({exc.strerror})")]
    if size > limits.max_file_bytes:
        return None, [Finding("file-too-large", rel, found=human_size(size), expected=human_size(limits.max_file_bytes))]
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            return _Reader(zf, rel, limits).read(sheets)
    except _Stop as stop:
        return None, [Finding(stop.code, rel, sheet=stop.sheet, found=stop.found, expected=stop.expected)]
    except MemoryError:
        return None, [Finding("resource-limit", rel, found="memori")]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            struct.error, zlib.error, ValueError, UnicodeDecodeError) as exc:
        return None, [Finding("corrupt-workbook", rel, found=zip_error_reason(exc))]
    except Exception as exc:  # noqa: BLE001 - hostile input must never stop the batch
        return None, [Finding("corrupt-workbook", rel, found=f"galat tak terduga ({type(exc).__name__})")]


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, rel: str, limits: Limits) -> None:
        self.zf, self.rel, self.limits = zf, rel, limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.read_total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}

    # ------------------------------------------------------------------ archive level

    def read(self, sheet_filter: set[str] | None) -> tuple[RawWorkbook, list[Finding]]:
        self._check_archive()
        warnings: list[Finding] = []
        content_types = self._content_types()
        has_macros = ("xl/vbaprojectsigned.bin" in self.members or "xl/vbaproject.bin" in self.members
                      or any("macroenabled" in ct.casefold() for ct in content_types)
                      or any(n.startswith("xl/macrosheets/") for n in self.members))
        wb_part = self._main_part()
        root_tag, sheets = self._parsed(wb_part, "workbook", _workbook_sheets)
        ns = _ns(root_tag)
        if ns == STRICT_NS:
            raise _Stop("strict-open-xml", "Strict Open XML")
        if ns != MAIN_NS or _local(root_tag) != "workbook":
            raise _Stop("corrupt-workbook", f"{wb_part}: bukan bagian buku kerja")
        rels = self._rels(wb_part)
        entries = []
        for name, rid, state in sheets:
            if name is None or rid is None:
                raise _Stop("corrupt-workbook", f"{wb_part}: daftar lembar tidak lengkap")
            entries.append((name, state if state in ("hidden", "veryHidden") else "visible", rid))
        if not entries:
            raise _Stop("corrupt-workbook", f"{wb_part}: tidak ada lembar kerja")
        shared: list[str] | None = None
        out: list[RawSheet] = []
        for name, state, rid in entries:
            if sheet_filter is not None and normalise_name(name) not in sheet_filter:
                out.append(RawSheet(name=name, state=state, cells={}, merged=[]))
                continue
            target = rels.get(rid)
            if target is None or target.casefold() not in self.members:
                raise _Stop("corrupt-workbook", f"bagian lembar '{name}' tidak ada", sheet=name)
            if shared is None:
                shared = self._shared_strings(rels)
            out.append(self._sheet(target, name, state, shared))
        if has_macros:
            warnings.append(Finding("macro-workbook", self.rel, found="VBA"))
        links = self._external_links()
        if links:
            warnings.append(Finding("external-link", self.rel, found=links[1]))
        return RawWorkbook(out, has_macros=has_macros, external_links=links[0] if links else 0), warnings

    def _check_archive(self) -> None:
        infos = self.zf.infolist()
        lim = self.limits
        if len(infos) > lim.max_members:
            raise _Stop("resource-limit", f"jumlah bagian arsip {lim.max_members}")
        total = 0
        for info in infos:
            key = info.filename.replace("\\", "/").lstrip("/").casefold()
            if key in self.members:
                raise _Stop("duplicate-zip-member", info.filename)
            self.members[key] = info
            total += info.file_size
            if info.file_size > lim.max_member_bytes:
                raise _Stop("zip-bomb", f"{info.filename}: {human_size(info.file_size)}", human_size(lim.max_member_bytes))
            if total > lim.max_total_uncompressed:
                raise _Stop("zip-bomb", f"total {human_size(total)}", human_size(lim.max_total_uncompressed))
            if info.file_size > lim.ratio_min_bytes and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise _Stop("zip-bomb", f"{info.filename}: rasio {ratio:.0f}:1", f"rasio {lim.max_ratio:.0f}:1")

    def _chunks(self, part: str) -> Iterator[bytes]:
        """Uncompressed bytes of a part, in chunks, enforcing size, total and time limits."""
        info = self.members[part.casefold()]
        lim = self.limits
        n = 0
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        return
                    n += len(chunk)
                    self.read_total += len(chunk)
                    if n > lim.max_member_bytes:
                        raise _Stop("zip-bomb", f"{part}: > {human_size(lim.max_member_bytes)}",
                                    human_size(lim.max_member_bytes))
                    if self.read_total > lim.max_total_uncompressed:
                        raise _Stop("zip-bomb", f"total > {human_size(lim.max_total_uncompressed)}",
                                    human_size(lim.max_total_uncompressed))
                    self._check_time()
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error,
                struct.error, ValueError) as exc:
            raise _Stop("corrupt-workbook", f"{part}: {zip_error_reason(exc)}") from None

    def _check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Stop("resource-limit", f"waktu {self.limits.max_seconds:g} s")

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

        def on_start(name: str, _attrs: object) -> None:
            raise _RootSeen(name)

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
            raise _Stop("xml-dtd-forbidden", part, sheet=sheet) from None
        except ExpatError as exc:
            raise _Stop("corrupt-workbook", f"{part}: XML rusak (baris {exc.lineno}, kolom {exc.offset})",
                        sheet=sheet) from None
        except ParseError as exc:
            line, col = exc.position
            raise _Stop("corrupt-workbook", f"{part}: XML rusak (baris {line}, kolom {col})", sheet=sheet) from None

    def _small_part(self, part: str, sheet: str, max_bytes: int) -> None:
        """Stop unless the part exists and declares at most ``max_bytes`` (zipfile never returns more)."""
        info = self.members.get(part.casefold())
        if info is None:
            raise _Stop("corrupt-workbook", f"bagian {part} tidak ada", sheet=sheet)
        if info.file_size > max_bytes:
            raise _Stop("resource-limit", f"ukuran {part} {human_size(max_bytes)}", sheet=sheet)

    def _tree(self, part: str, sheet: str = "", max_bytes: int = _MAX_TREE_PART, data: bytes | None = None) -> Element:
        """Parse a whole part into a tree with the C parser (parts of at most ``max_bytes``; ``data``: its
        bytes, already read with :meth:`_bytes`)."""
        self._small_part(part, sheet, max_bytes)
        parser = XMLParser()
        with self._xml_errors(part, sheet):
            if data is not None:
                parser.feed(data)
            else:
                for chunk in self._xml_chunks(part):
                    parser.feed(chunk)
            return parser.close()

    def _bytes(self, part: str, sheet: str = "") -> bytes:
        """A whole part's bytes, read under the limits and with its prolog checked (no DTD)."""
        with self._xml_errors(part, sheet):
            return b"".join(self._xml_chunks(part))

    def _parsed(self, part: str, kind: str, parse: Callable[[Element], tuple],
                max_bytes: int = _MAX_TREE_PART) -> tuple:
        """``parse(root)`` of a small structural part (content types, relationships, the workbook part),
        memoised by the part's bytes: a batch's files repeat the same few versions of these parts, so
        each version is parsed once per process. ``parse`` must give an immutable result."""
        self._small_part(part, "", max_bytes)
        data = self._bytes(part)
        key = (kind, data)
        hit = _PARSED.get(key)
        if hit is None:
            hit = parse(self._tree(part, data=data))
            if len(data) <= _MAX_PARSED_BYTES and len(_PARSED) < _MAX_PARSED:
                _PARSED[key] = hit
        return hit

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

    def _content_types(self) -> tuple[str, ...]:
        if "[content_types].xml" not in self.members:
            return ()
        return self._parsed("[Content_Types].xml", "types", _types_of)

    def _main_part(self) -> str:
        if "_rels/.rels" in self.members:
            for _rid, kind, target, mode in self._parsed("_rels/.rels", "rels", _relationships):
                if kind.endswith("/officeDocument") and mode != "External":
                    target = _resolve("", target)
                    if target.casefold() in self.members:
                        return target
        if "xl/workbook.xml" in self.members:
            return "xl/workbook.xml"
        raise _Stop("corrupt-workbook", "bagian xl/workbook.xml tidak ada")

    def _rels(self, part: str) -> dict[str, str]:
        """Relationship id -> resolved internal target part name (external targets kept as is)."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        if rels_part.casefold() not in self.members:
            return {}
        out: dict[str, str] = {}
        for rid, _kind, target, mode in self._parsed(rels_part, "rels", _relationships):
            if rid is None:
                continue
            out[rid] = target if mode == "External" else _resolve(folder, target)
        return out

    # ------------------------------------------------------------------ content

    def _shared_strings(self, rels: dict[str, str]) -> list[str]:
        part = next((t for t in rels.values() if t.casefold().endswith("sharedstrings.xml")), "xl/sharedStrings.xml")
        info = self.members.get(part.casefold())
        if info is None:
            return []
        if info.file_size <= _MAX_TREE_PART:
            data = self._bytes(part)
            plain = _plain_shared_strings(data)
            if plain is not None:
                return plain
            root = self._tree(part, data=data)
            si_tag, t_tag, r_tag = self._content_tags(root.tag, part, "", "si", "t", "r")
            return [_rich_text(si, t_tag, r_tag) for si in root if si.tag == si_tag]
        out: list[str] = []
        append = out.append
        root = None
        depth = pending = 0
        for event, el in self._events(part):
            if event == "start":
                depth += 1
                if depth > 1:
                    pending += 1
                    if pending > _MAX_PENDING:
                        raise _Stop("resource-limit", f"elemen XML per string {_MAX_PENDING}")
                else:
                    root = el
                    si_tag, t_tag, r_tag = self._content_tags(el.tag, part, "", "si", "t", "r")
                continue
            depth -= 1
            if depth == 1:
                pending = 0
                if el.tag == si_tag:
                    append(_rich_text(el, t_tag, r_tag))
                del root[:]  # type: ignore[index]  # finished strings are no longer needed
        return out

    def _content_tags(self, root_tag: str, part: str, sheet: str, *names: str) -> tuple[str, ...]:
        """Qualified tag names in the root's namespace; Strict or foreign namespaces stop reading."""
        ns = _ns(root_tag)
        if ns == STRICT_NS:
            raise _Stop("strict-open-xml", "Strict Open XML", sheet=sheet)
        if ns not in (MAIN_NS, ""):
            raise _Stop("corrupt-workbook", f"{part}: ruang nama XML tidak dikenal", sheet=sheet)
        return _tags(ns, *names)

    def _sheet(self, part: str, name: str, state: str, shared: list[str]) -> RawSheet:
        """Read one worksheet part into a sparse dict of cells (the declared dimension is ignored).

        Parts up to _MAX_TREE_PART are parsed whole by the C parser (fast); larger ones are
        streamed, dropping finished rows, so memory stays bounded.
        """
        info = self.members[part.casefold()]
        if info.file_size <= _MAX_TREE_PART:
            data = self._bytes(part, name)
            plain = _plain_sheet(data, part, name, shared, self.limits.max_cells_per_sheet)
            if plain is not None:
                return RawSheet(name=name, state=state, cells=plain[0], merged=plain[1])
            root = self._tree(part, name, data=data)
            sheet = _SheetBuilder(part, name, shared, self.limits.max_cells_per_sheet,
                                  self._content_tags(root.tag, part, name, *_SheetBuilder.TAGS))
            add = sheet.add
            for top in root:
                for el in top:
                    add(el)
            return RawSheet(name=name, state=state, cells=sheet.cells, merged=sheet.merged)
        root = level1 = None
        sheet = None
        depth = pending = 0
        for event, el in self._events(part, name):
            if event == "start":
                depth += 1
                if depth > 2:
                    pending += 1
                    if pending > _MAX_PENDING:
                        raise _Stop("resource-limit", f"elemen XML per baris {_MAX_PENDING}", sheet=name)
                elif depth == 2:
                    level1 = el
                else:
                    root = el
                    sheet = _SheetBuilder(part, name, shared, self.limits.max_cells_per_sheet,
                                          self._content_tags(el.tag, part, name, *_SheetBuilder.TAGS))
                continue
            depth -= 1
            if depth == 2:  # a child of a top-level element: a <row> of sheetData, a <mergeCell>...
                pending = 0
                sheet.add(el)  # type: ignore[union-attr]
                del level1[:]  # type: ignore[index]  # finished rows are no longer needed
            elif depth == 1:
                del root[:]  # type: ignore[index]
        if sheet is None:
            raise _Stop("corrupt-workbook", f"{part}: kosong", sheet=name)
        return RawSheet(name=name, state=state, cells=sheet.cells, merged=sheet.merged)

    def _external_links(self) -> tuple[int, str] | None:
        parts = sorted(n for n in self.members
                       if n.startswith("xl/externallinks/") and n.endswith(".xml") and "/_rels/" not in n)
        if not parts:
            return None
        targets: list[str] = []
        for p in parts:
            info = self.members[p]
            rels = self._rels(info.filename.replace("\\", "/").lstrip("/"))
            for target in rels.values():
                base = target.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
                if base and base not in targets:
                    targets.append(base)
        shown = ", ".join(targets[:3]) + (", ..." if len(targets) > 3 else "")
        return len(parts), shown or f"{len(parts)} tautan"


class _SheetBuilder:
    """Turns <row> and <mergeCell> elements of one worksheet into RawCells and merge ranges."""

    TAGS = ("row", "mergeCell", "c", "v", "f", "is", "t", "r")

    def __init__(self, part: str, name: str, shared: list[str], max_cells: int, tags: tuple[str, ...]) -> None:
        self.part, self.name, self.shared, self.max_cells = part, name, shared, max_cells
        self.row_tag, self.mc_tag, self.c_tag, self.v_tag, self.f_tag, self.is_tag, self.t_tag, self.r_tag = tags
        self.cells: dict[tuple[int, int], RawCell] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.shared_formulas: dict[str | None, str] = {}
        self.row_no = 0
        # equal stored values give equal (frozen) cells: share them, e.g. the many level numbers
        self.cache: dict[tuple[str | None, str], RawCell] = {}

    def bad(self, what: str) -> _Stop:
        return _Stop("corrupt-workbook", f"{self.part}: {what}", sheet=self.name)

    def add(self, el: Element) -> None:
        tag = el.tag
        if tag == self.row_tag:
            self.row(el)
        elif tag == self.mc_tag:
            rng = _parse_range(el.get("ref", ""))
            if rng is not None:
                self.merged.append(rng)
                if len(self.merged) > self.max_cells:
                    raise _Stop("sheet-too-large", f"> {self.max_cells}", str(self.max_cells), sheet=self.name)

    def row(self, el: Element) -> None:
        r_attr = el.get("r")
        row_no = self.row_no = int(r_attr) if r_attr is not None and r_attr.isdigit() else self.row_no + 1
        if not 1 <= row_no <= MAX_ROW:
            raise self.bad(f"nomor baris {r_attr[:20]} tidak valid" if r_attr else f"lebih dari {MAX_ROW} baris")
        c_tag, v_tag, f_tag, is_tag, t_tag = self.c_tag, self.v_tag, self.f_tag, self.is_tag, self.t_tag
        cells, cache, columns, refs = self.cells, self.cache, COLUMNS, _REF_CACHE
        col_no = 0
        skipped_ref = None  # the reference of the last empty cell, resolved only when a cell without r follows
        for c in el:
            if c.tag != c_tag:
                continue
            get = c.get
            ref = get("r")
            if not len(c):  # an empty (styled) cell: nothing stored; keep the column count right
                if ref is None:
                    if skipped_ref is not None:
                        col_no = columns.get(skipped_ref.rstrip(_DIGITS).upper(), col_no)
                        skipped_ref = None
                    col_no += 1
                else:
                    skipped_ref = ref
                continue
            if ref is None:
                if skipped_ref is not None:
                    col_no = columns.get(skipped_ref.rstrip(_DIGITS).upper(), col_no)
                    skipped_ref = None
                col_no += 1
                row = row_no
            else:
                skipped_ref = None
                pos = refs.get(ref)
                if pos is None:
                    pos = _parse_ref(ref)
                    if pos is None:
                        raise self.bad(f"referensi sel '{ref[:20]}' tidak valid")
                    if len(refs) < _MAX_REF_CACHE:
                        refs[ref] = pos
                row, col_no = pos
            if col_no > MAX_COL:
                raise self.bad(f"kolom di luar batas pada baris {row}")
            t = get("t")
            if len(c) == 1:
                first = c[0]
                ftag = first.tag
                if ftag == v_tag:  # the common case: a value, no formula
                    v = first.text
                    if not v:
                        continue
                    key = (t, v)
                    cell = cache.get(key)
                    if cell is None:
                        cell = cache[key] = self.value(t, v, None)
                    cells[(row, col_no)] = cell
                    continue
                if ftag == is_tag and t == "inlineStr" and len(first) == 1 and first[0].tag == t_tag:
                    text = first[0].text or ""  # a plain inline string (how openpyxl writes text)
                    cells[(row, col_no)] = RawCell(_unescape(text) if "_x" in text else text, TEXT, None)
                    continue
            v = f = inline = None
            for child in c:
                ctag = child.tag
                if ctag == v_tag:
                    v = child.text
                elif ctag == f_tag:
                    f = child
                elif ctag == is_tag:
                    inline = child
            formula = None if f is None else self.formula(f)
            if t == "inlineStr" and inline is not None:
                cells[(row, col_no)] = RawCell(_rich_text(inline, self.t_tag, self.r_tag), TEXT, formula)
            elif v:
                cells[(row, col_no)] = self.value(t, v, formula)
            elif formula is not None:
                cells[(row, col_no)] = RawCell(None, EMPTY, formula)
        if len(cells) > self.max_cells:
            raise _Stop("sheet-too-large", f"> {self.max_cells}", str(self.max_cells), sheet=self.name)

    def value(self, t: str | None, v: str, formula: str | None) -> RawCell:
        """The cell for a stored value ``v`` (not empty) of type ``t``."""
        if t is None or t == "n":
            try:
                x = float(v)
            except ValueError:
                return RawCell(v, TEXT, formula)
            # NaN, infinities and "1_000" are not numbers Excel writes
            return RawCell(x, NUMBER, formula) if x - x == 0 and "_" not in v else RawCell(v, TEXT, formula)
        if t == "s":
            idx = int(v) if v.isdigit() else -1
            if not 0 <= idx < len(self.shared):
                raise self.bad(f"indeks string bersama {v[:20]} tidak valid")
            return RawCell(self.shared[idx], TEXT, formula)
        if t == "b":
            b = v.strip()
            return RawCell(b == "1", BOOL, formula) if b in ("0", "1") else RawCell(v, TEXT, formula)
        if t == "e":
            return RawCell(v, ERRORVAL, formula)
        # "str" (formula text result), "d" (ISO date text), unknown types: the text as stored
        return RawCell(_unescape(v), TEXT, formula)

    def formula(self, f: Element) -> str:
        text = f.text
        ftype = f.get("t")
        if ftype == "shared":
            si = f.get("si")
            if text:
                self.shared_formulas[si] = text
                return text
            # followers hold no text: keep the master's (whose references are the master's own)
            return self.shared_formulas.get(si, "(shared)")
        return text or f"({ftype or 'formula'})"


# ---------------------------------------------------------------------- helpers


_REF_CACHE: dict[str, tuple[int, int]] = {}  # "H12" -> (12, 8): the same addresses recur in every file
_MAX_REF_CACHE = 200_000


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, or None when it is not a valid cell address."""
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters):]
    col = COLUMNS.get(letters) or COLUMNS.get(letters.upper())
    if col is None or not digits.isdigit() or not 1 <= int(digits) <= MAX_ROW:
        return None
    return int(digits), col


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _tags(ns: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{{{ns}}}{n}" if ns else n for n in names)


def _resolve(folder: str, target: str) -> str:
    """Resolve a relationship target (relative to the source part's folder, or absolute)."""
    target = target.replace("\\", "/")
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    path = posixpath.normpath(path)
    return "" if path in (".", "") or path.startswith("..") else path


def _rich_text(el: Element, t_tag: str, r_tag: str) -> str:
    """Text of a shared/inline string: plain <t> and rich-text runs <r><t>; phonetic runs skipped."""
    if len(el) == 1 and el[0].tag == t_tag:
        return _unescape(el[0].text or "")
    parts = []
    for child in el:
        if child.tag == t_tag:
            parts.append(child.text or "")
        elif child.tag == r_tag:
            for t in child:
                if t.tag == t_tag:
                    parts.append(t.text or "")
    return _unescape("".join(parts))


def _unescape(text: str) -> str:
    """Decode OOXML ``_xHHHH_`` escapes (how Excel stores control characters); surrogates stay escaped."""
    if "_x" not in text:
        return text
    return _XESCAPE.sub(_unescape_one, text)


def _unescape_one(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    return m.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def _parse_range(ref: str) -> tuple[int, int, int, int] | None:
    m = _RANGE.match(ref.strip())
    if m is None:
        return None
    c1, r1, c2, r2 = m.groups()
    col1 = COLUMNS.get(c1.upper())
    col2 = COLUMNS.get((c2 or c1).upper())
    row1, row2 = int(r1), int(r2 or r1)
    if col1 is None or col2 is None or not (1 <= row1 <= MAX_ROW and 1 <= row2 <= MAX_ROW):
        return None
    return (min(row1, row2), min(col1, col2), max(row1, row2), max(col1, col2))


# ---------------------------------------------------------------------- plain parts, decoded without a tree
#
# Most questionnaires come back exactly as Excel, LibreOffice, WPS or openpyxl write them: every cell
# start tag reads <c r="B7" s="3" t="s">, values are plain <v> or <is><t>, no formulas, comments or
# prefixes. For such a part, expat alone (no callbacks, so all in C) checks that it is well-formed and
# regular expressions pick the cells out of <sheetData>, giving exactly the cells _SheetBuilder would
# (same _SheetBuilder.value, same addresses, same text after XML entity and line-end decoding), in
# about half the time of building the tree. Anything else in the part (a formula, rich text, an
# attribute in another order, markup outside the expected places, another encoding) returns None and
# the part is read through the tree as before.

_MAIN = re.escape(MAIN_NS.encode())
_PROLOG = re.compile(rb'\A(?:\xef\xbb\xbf)?(?:<\?xml([^>]*)\?>)?\s*<(worksheet|sst)((?:\s+[\w:.-]+="[^"<]*")*)\s*>')
_UTF8_DECL = re.compile(rb'\bencoding\s*=\s*["\']utf-8["\']', re.IGNORECASE)
_MAIN_XMLNS = re.compile(rb'(?:^|\s)xmlns="' + _MAIN + rb'"')
_PREFIXED = re.compile(rb":(?:worksheet|sheetData|row|c|v|f|is|t|r|si|sst|mergeCell|mergeCells)[\s/>]")


def _cell_pattern(capture: bool) -> bytes:
    """A cell element as Excel, LibreOffice and openpyxl write it; with ``capture``, the groups
    (address, type, <v> text, "<is>" when an inline string, inline text). An empty <v></v> is not plain
    (the tree path checks that cell's address), so a cell without <v> text or <is> is an empty cell."""
    def g(p: bytes) -> bytes:
        return b"(" + p + b")" if capture else p
    return (rb'<c r="' + g(rb"[A-Z]{1,3}[0-9]{1,7}") + rb'"(?: s="[0-9]{1,5}")?(?: t="' + g(rb"[a-zA-Z]{1,9}")
            + rb'")?(?: ?/>|>(?:<v>' + g(rb"[^<]+") + rb"</v>|" + g(rb"<is>") + rb'<t(?: xml:space="preserve")?>'
            + g(rb"[^<]*") + rb"</t></is>)?</c>)")


_CELL_NC = _cell_pattern(capture=False)
_CELL = re.compile(_cell_pattern(capture=True))
# possessive quantifiers (*+): what one loop takes is never given back, which nothing here needs (every
# loop stops at a "<" its continuation must see), and the check runs in a third of the time
_ROWS = re.compile(rb'(?:\s*+<row r="[1-9][0-9]{0,6}"(?: [A-Za-z:]{1,30}+="[^"<]*+")*+\s?'
                   rb'(?:/>|>(?:\s*+' + _CELL_NC + rb')*+\s*+</row>))*+\s*+')
_ROW_NO = re.compile(rb'<row r="([0-9]+)"')
_C_OR_ROW = re.compile(rb"<(?:c|row)[\s/>]")
_MERGE = re.compile(rb'<mergeCell ref="([^"<]*)" ?/>')
_MERGE_OPEN = re.compile(rb"<mergeCell[\s/>]")
_TAG = re.compile(rb"<(/?)[A-Za-z_][^>]*?(/?)>")
_SI_ALL = re.compile(rb'(?:\s*+<si><t(?: xml:space="preserve")?>[^<]*+</t></si>)*+\s*+')
_SI = re.compile(rb'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>')
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9A-Fa-f]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_MAIN_TAGS = _tags(MAIN_NS, *_SheetBuilder.TAGS)
_BREF_CACHE: dict[bytes, tuple[int, int]] = {}
# cells are frozen and depend only on the stored bytes (shared strings aside): equal ones are shared
_VALUE_CELLS: dict[tuple[bytes, bytes], RawCell] = {}
_TEXT_CELLS: dict[bytes, RawCell] = {}
_STRING_CELLS: dict[str, RawCell] = {}  # shared-string cells, by text
_SST_TEXTS: dict[bytes, str] = {}  # a shared string's stored bytes -> its text
_MAX_CELL_CACHE = 5_000  # a questionnaire repeats a few hundred template texts; answers are unique


def _xml_text(raw: bytes) -> str:
    """Character data as an XML parser reports it: line ends normalised, then references decoded."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    return text


def _entity(m: re.Match[str]) -> str:
    ref = m.group(1)
    if ref[0] != "#":
        return _NAMED[ref]
    return chr(int(ref[2:], 16) if ref[1] == "x" else int(ref[1:]))


def _plain_root(data: bytes, root: bytes, check: bool = True) -> int | None:
    """Offset just after the root start tag when ``data`` is a plain part (see above) with that root, else None.
    Without ``check`` the caller takes on the well-formedness check (see :func:`_well_formed_sheet`)."""
    m = _PROLOG.match(data)
    if m is None or m.group(2) != root or _MAIN_XMLNS.search(m.group(3)) is None:
        return None
    decl = m.group(1)
    if decl and b"encoding" in decl and _UTF8_DECL.search(decl) is None:
        return None
    end = m.end()
    if data.find(b'xmlns="', end) >= 0 or _PREFIXED.search(data) is not None:
        return None  # a default namespace redeclared, or a prefix on an element read here
    if check and not _expat_plain(data):
        return None
    return end


def _expat_plain(data: bytes) -> bool:
    """Well-formed, as the tree parser requires, and without a comment, CDATA, a PI or a DTD."""
    parser = ParserCreate()  # the handlers are called only for what makes the part not plain
    parser.CommentHandler = parser.StartCdataSectionHandler = parser.ProcessingInstructionHandler = _not_plain
    parser.StartDoctypeDeclHandler = _not_plain
    try:
        parser.Parse(data, True)
    except (ExpatError, _NotPlain):
        return False
    return True


# what the worksheet body grammar (_ROWS) leaves open for well-formedness: characters XML forbids (C0 controls
# but tab and line ends; U+FFFE and U+FFFF, whose UTF-8 starts EF BF), "]]>" in text, a reference other than
# the five named ones (numeric references are left to expat), and a row attribute given twice
_CONTROLS = bytes([*range(9), 11, 12, *range(14, 32)])
_SUSPECT = _CONTROLS + b"\xef]"
_NOT_NAMED_REF = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos);)")
_ROW_ATTR_TWICE = re.compile(rb'<row(?: [^ =/>]+="[^"]*")*? ([^ =/>]+)="[^"]*"(?: [^ =/>]+="[^"]*")*? \1="')
_FRAMES: set[tuple[bytes, bytes]] = set()  # worksheet parts around <sheetData>'s body that expat accepted
_MAX_FRAMES, _MAX_FRAME_BYTES = 32, 128 * 1024


def _body_open(body: bytes) -> bool:
    """True when the body holds what :func:`_well_formed_sheet` leaves to expat (plain searches, no regex
    scan of the whole body: this runs for every sheet of every file)."""
    if len(body.translate(None, _SUSPECT)) != len(body):  # one pass; the multi-byte searches only when needed
        if len(body.translate(None, _CONTROLS)) != len(body) or b"\xef\xbf" in body or b"]]>" in body:
            return True
    return b"&" in body and _NOT_NAMED_REF.search(body) is not None


def _well_formed_sheet(data: bytes, body_start: int, body_end: int, body: bytes) -> bool:
    """:func:`_expat_plain` of a worksheet part whose <sheetData> body matched :data:`_ROWS`.

    A batch's sheets differ only in their rows: when everything around the body is byte for byte what
    expat accepted in an earlier file, the body's grammar (elements, attributes, no "<!" or "<?") makes
    the part well-formed but for what :func:`_body_open` and :data:`_ROW_ATTR_TWICE` look for and the
    UTF-8 encoding, which are checked instead; anything else goes through expat.
    """
    frame = (data[:body_start], data[body_end:])
    if frame in _FRAMES and not _body_open(body) and _ROW_ATTR_TWICE.search(body) is None:
        try:
            body.isascii() or body.decode("utf-8")
            return True
        except UnicodeDecodeError:
            pass
    if not _expat_plain(data):
        return False
    if len(_FRAMES) < _MAX_FRAMES and len(frame[0]) + len(frame[1]) <= _MAX_FRAME_BYTES:
        _FRAMES.add(frame)
    return True


class _NotPlain(Exception):
    pass


def _not_plain(*_args: object) -> None:
    raise _NotPlain


def _top_level(data: bytes, start: int, end: int) -> bool:
    """True when every element opened in data[start:end] is closed there (so what follows is a child of the root)."""
    depth = 0
    for close, empty in _TAG.findall(data, start, end):
        if not empty:
            depth += -1 if close else 1
            if depth < 0:
                return False
    return depth == 0


def _plain_sheet(data: bytes, part: str, name: str, shared: list[str],
                 max_cells: int) -> tuple[dict[tuple[int, int], RawCell], list[tuple[int, int, int, int]]] | None:
    """The cells and merged ranges of a plain worksheet part, exactly as _SheetBuilder gives them; else None."""
    root_end = _plain_root(data, b"worksheet", check=False)
    if root_end is None:
        return None
    start = data.find(b"<sheetData", root_end)
    if start < 0 or data.find(b"<sheetData", start + 10) >= 0 or not _top_level(data, root_end, start):
        return None
    if data.startswith(b"<sheetData/>", start):
        body_start = body_end = tail = start + 12
    elif data.startswith(b"<sheetData>", start):
        body_start = start + 11
        body_end = data.find(b"</sheetData>", body_start)
        if body_end < 0:
            return None
        tail = body_end + 12
    else:
        return None
    if _C_OR_ROW.search(data, root_end, start) is not None or _C_OR_ROW.search(data, tail) is not None:
        return None  # rows or cells outside <sheetData>
    body = data[body_start:body_end]
    if _ROWS.fullmatch(body) is None or not _well_formed_sheet(data, body_start, body_end, body):
        return None
    rows = _ROW_NO.findall(body)
    if rows and max(map(int, rows)) > MAX_ROW:
        return None
    found = _CELL.findall(body)
    if len(found) > max_cells:
        return None
    builder = _SheetBuilder(part, name, shared, max_cells, _MAIN_TAGS)
    strings: dict[bytes, RawCell] = {}  # shared-string cells of this file, by stored index
    # the same in every file: kept across files
    values, texts, string_cells, refs = _VALUE_CELLS, _TEXT_CELLS, _STRING_CELLS, _BREF_CACHE
    n_shared = len(shared)
    cells: dict[tuple[int, int], RawCell] = {}
    for ref, t, v, inline, text in found:
        if not v and not inline:
            continue  # an empty (styled) cell: the tree path skips it without reading its address
        pos = refs.get(ref)
        if pos is None:
            pos = _parse_ref(ref.decode())
            if pos is None:
                return None
            if len(refs) < _MAX_REF_CACHE:
                refs[ref] = pos
        if inline:
            if t == b"inlineStr":
                cell = texts.get(text)
                if cell is None:
                    value = _xml_text(text) if b"&" in text or b"\r" in text else text.decode("utf-8")
                    cell = RawCell(_unescape(value) if "_x" in value else value, TEXT, None)
                    if len(texts) < _MAX_CELL_CACHE:
                        texts[text] = cell
                cells[pos] = cell
        elif v:
            if t == b"s":
                cell = strings.get(v)
                if cell is None:
                    if v.isdigit() and int(v) < n_shared:  # the common case of _SheetBuilder.value
                        value = shared[int(v)]
                        cell = string_cells.get(value)
                        if cell is None:
                            cell = RawCell(value, TEXT, None)
                            if len(string_cells) < _MAX_CELL_CACHE:
                                string_cells[value] = cell
                    else:  # may raise _Stop, as the tree path would
                        cell = builder.value("s", _xml_text(v), None)
                    strings[v] = cell
            else:
                cell = values.get((t, v))
                if cell is None:  # may raise _Stop, as the tree path would
                    cell = builder.value(t.decode() if t else None, _xml_text(v), None)
                    if len(values) < _MAX_CELL_CACHE:
                        values[(t, v)] = cell
            cells[pos] = cell
    merged: list[tuple[int, int, int, int]] = []
    n_open = len(_MERGE_OPEN.findall(data, tail))
    if n_open:
        block = data.find(b"<mergeCells", tail)
        if block < 0 or not _top_level(data, tail, block):
            return None
        block_end = data.find(b"</mergeCells>", block)
        found_merges = _MERGE.findall(data, block, block_end if block_end >= 0 else block)
        if len(found_merges) != n_open or n_open > max_cells:
            return None
        for ref in found_merges:
            rng = _parse_range(_xml_text(ref))
            if rng is not None:
                merged.append(rng)
    return cells, merged


def _plain_shared_strings(data: bytes) -> list[str] | None:
    """The strings of a plain shared-strings part (each <si> one plain <t>), as _rich_text gives them; else None."""
    root_end = _plain_root(data, b"sst")
    if root_end is None:
        return None
    end = data.rfind(b"</sst>")
    if end < root_end or _SI_ALL.fullmatch(data, root_end, end) is None:
        return None
    raws = _SI.findall(data, root_end, end)
    out = list(map(_SST_TEXTS.get, raws))  # most strings are the template's, the same in every file
    if None in out:
        for k, raw in enumerate(raws):
            if out[k] is None:
                text = _xml_text(raw) if raw else ""
                if "_x" in text:
                    text = _unescape(text)
                out[k] = text
                if len(_SST_TEXTS) < _MAX_CELL_CACHE:
                    _SST_TEXTS[raw] = text
    return out
