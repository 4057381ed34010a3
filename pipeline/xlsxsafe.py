"""A minimal xlsx reader for hostile input: stored cell values only, never evaluated.

Why not openpyxl: this is the hot path for thousands of e-mailed files, and every byte is
untrusted. The reader uses :mod:`zipfile` and the C ElementTree pull parser, and:

* forbids any DTD (so no entity expansion, no external entities): before a part is handed
  to the C parser, its prolog is parsed by expat up to the root element and any
  ``<!DOCTYPE`` gives ``xml-dtd-forbidden``. (``defusedxml.ElementTree`` does the same
  check but runs the pure-Python parser, about ten times slower per element.)
* checks every member's declared size and compression ratio before reading, and enforces
  the per-part and total limits again while decompressing, in chunks;
* streams sheets and shared strings, dropping parsed elements as it goes, so memory stays
  bounded whatever the declared ``<dimension>`` or the number of rows;
* stops at a cell-count limit per sheet and at a wall-clock limit per file;
* never evaluates formulas and never runs macros: formula text and cached value are kept.

Problems are returned as :class:`~pipeline.findings.Finding` records, never raised.
"""

from __future__ import annotations

import math
import posixpath
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from pyexpat import ExpatError, ParserCreate
from string import ascii_uppercase
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

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
_MAX_SMALL_PART = 16 * 1024 * 1024  # workbook.xml, rels, content types: parsed as a whole tree
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


def read_workbook(path: Path, rel: str, limits: Limits = Limits(),
                  sheets: set[str] | None = None) -> tuple[RawWorkbook | None, list[Finding]]:
    """Read stored cell values of an .xlsx/.xlsm file safely.

    Args:
        path: the file.
        rel: its path relative to the input folder, used in findings.
        limits: resource limits (see :class:`Limits`).
        sheets: when given, only sheets whose :func:`~pipeline.models.normalise_name` is in this
            set are parsed; the others are listed (name and state, for messages) with no cells.

    Returns:
        ``(workbook, warnings)`` when the file could be read, or ``(None, [error, ...])``.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Finding("corrupt-workbook", rel, found=f"berkas tidak dapat dibuka ({exc.strerror})")]
    if size > limits.max_file_bytes:
        return None, [Finding("file-too-large", rel, found=human_size(size), expected=human_size(limits.max_file_bytes))]
    try:
        with zipfile.ZipFile(path) as zf:
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
        wb_root = self._parse_small(wb_part)
        ns = _ns(wb_root.tag)
        if ns == STRICT_NS:
            raise _Stop("strict-open-xml", "Strict Open XML")
        if ns != MAIN_NS or _local(wb_root.tag) != "workbook":
            raise _Stop("corrupt-workbook", f"{wb_part}: bukan bagian buku kerja")
        rels = self._rels(wb_part)
        entries = []
        for el in wb_root.iter(f"{{{MAIN_NS}}}sheet"):
            name, rid = el.get("name"), el.get(f"{{{REL_NS}}}id")
            if name is None or rid is None:
                raise _Stop("corrupt-workbook", f"{wb_part}: daftar lembar tidak lengkap")
            state = el.get("state", "visible")
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

    def _events(self, part: str, sheet: str = "") -> Iterator[tuple[str, Element]]:
        """("start"/"end", element) events of a part; the DTD check runs on its prolog first.

        Callers drop finished elements themselves (see :meth:`_sheet`) to keep memory bounded.
        """
        prolog = ParserCreate()
        prolog_open = True

        def on_doctype(*_args: object) -> None:
            raise _Doctype

        def on_start(name: str, _attrs: object) -> None:
            raise _RootSeen(name)

        prolog.StartDoctypeDeclHandler = on_doctype
        prolog.StartElementHandler = on_start
        parser = XMLPullParser(("start", "end"))
        try:
            for chunk in self._chunks(part):
                if prolog_open:
                    try:
                        prolog.Parse(chunk, False)
                    except _RootSeen:
                        prolog_open = False
                parser.feed(chunk)
                yield from parser.read_events()
            if prolog_open:
                try:
                    prolog.Parse(b"", True)
                except _RootSeen:
                    pass
            parser.close()
            yield from parser.read_events()
        except _Doctype:
            raise _Stop("xml-dtd-forbidden", part, sheet=sheet) from None
        except ExpatError as exc:
            raise _Stop("corrupt-workbook", f"{part}: XML rusak (baris {exc.lineno}, kolom {exc.offset})",
                        sheet=sheet) from None
        except ParseError as exc:
            line, col = exc.position
            raise _Stop("corrupt-workbook", f"{part}: XML rusak (baris {line}, kolom {col})", sheet=sheet) from None

    def _parse_small(self, part: str) -> Element:
        """Parse a small part (workbook, rels, content types) into a whole tree."""
        info = self.members.get(part.casefold())
        if info is None:
            raise _Stop("corrupt-workbook", f"bagian {part} tidak ada")
        if info.file_size > _MAX_SMALL_PART:
            raise _Stop("resource-limit", f"ukuran {part} {human_size(_MAX_SMALL_PART)}")
        root = None
        for _event, el in self._events(part):
            if root is None:
                root = el
        if root is None:
            raise _Stop("corrupt-workbook", f"{part}: kosong")
        return root

    def _content_types(self) -> list[str]:
        if "[content_types].xml" not in self.members:
            return []
        root = self._parse_small("[Content_Types].xml")
        return [el.get("ContentType", "") for el in root.iter() if el.tag in (f"{{{CT_NS}}}Override", f"{{{CT_NS}}}Default")]

    def _main_part(self) -> str:
        if "_rels/.rels" in self.members:
            root = self._parse_small("_rels/.rels")
            for el in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
                if el.get("Type", "").endswith("/officeDocument") and el.get("TargetMode") != "External":
                    target = _resolve("", el.get("Target", ""))
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
        root = self._parse_small(rels_part)
        out: dict[str, str] = {}
        for el in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
            rid, target = el.get("Id"), el.get("Target", "")
            if rid is None:
                continue
            out[rid] = target if el.get("TargetMode") == "External" else _resolve(folder, target)
        return out

    # ------------------------------------------------------------------ content

    def _shared_strings(self, rels: dict[str, str]) -> list[str]:
        part = next((t for t in rels.values() if t.casefold().endswith("sharedstrings.xml")), "xl/sharedStrings.xml")
        if part.casefold() not in self.members:
            return []
        out: list[str] = []
        append = out.append
        root: Element | None = None
        si_tag = t_tag = r_tag = ""
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
                    ns = _ns(el.tag)
                    if ns == STRICT_NS:
                        raise _Stop("strict-open-xml", "Strict Open XML")
                    si_tag, t_tag, r_tag = _tags(ns, "si", "t", "r")
                continue
            depth -= 1
            if depth == 1:
                pending = 0
                if el.tag == si_tag:
                    append(_rich_text(el, t_tag, r_tag))
                del root[:]  # type: ignore[index]  # finished strings are no longer needed
        return out

    def _sheet(self, part: str, name: str, state: str, shared: list[str]) -> RawSheet:
        """Stream one worksheet part into a sparse dict of cells (the declared dimension is ignored)."""
        cells: dict[tuple[int, int], RawCell] = {}
        merged: list[tuple[int, int, int, int]] = []
        max_cells = self.limits.max_cells_per_sheet
        shared_formulas: dict[str | None, str] = {}
        n_shared = len(shared)
        root: Element | None = None
        level1: Element | None = None
        depth = pending = row_no = 0
        c_tag = v_tag = f_tag = is_tag = t_tag = r_tag = row_tag = mc_tag = ""
        columns = COLUMNS

        def bad(what: str) -> _Stop:
            return _Stop("corrupt-workbook", f"{part}: {what}", sheet=name)

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
                    ns = _ns(el.tag)
                    if ns == STRICT_NS:
                        raise _Stop("strict-open-xml", "Strict Open XML", sheet=name)
                    if ns not in (MAIN_NS, ""):
                        raise bad("bukan lembar kerja")
                    c_tag, v_tag, f_tag, is_tag, t_tag, r_tag, row_tag, mc_tag = _tags(
                        ns, "c", "v", "f", "is", "t", "r", "row", "mergeCell")
                continue
            depth -= 1
            if depth == 1:
                del root[:]  # type: ignore[index]  # sheetData, mergeCells... are done
                continue
            if depth != 2:
                continue
            # el is a child of a top-level element: a <row> of sheetData, a <mergeCell>, a <col>...
            pending = 0
            tag = el.tag
            if tag == row_tag:
                r_attr = el.get("r")
                row_no = int(r_attr) if r_attr is not None and r_attr.isdigit() else row_no + 1
                if not 1 <= row_no <= MAX_ROW:
                    raise bad(f"nomor baris {str(r_attr)[:20]} tidak valid")
                col_no = 0
                for c in el:
                    if c.tag != c_tag:
                        continue
                    get = c.get
                    ref = get("r")
                    if ref is None:
                        col_no += 1
                        row = row_no
                    else:
                        letters = ref.rstrip(_DIGITS)
                        digits = ref[len(letters):]
                        col = columns.get(letters) or columns.get(letters.upper())
                        if col is None or not digits.isdigit() or not 1 <= int(digits) <= MAX_ROW:
                            raise bad(f"referensi sel '{ref[:20]}' tidak valid")
                        row = int(digits)
                        col_no = col
                    if col_no > MAX_COL:
                        raise bad(f"kolom di luar batas pada baris {row}")
                    v = f = inline = None
                    for child in c:
                        ctag = child.tag
                        if ctag == v_tag:
                            v = child.text
                        elif ctag == f_tag:
                            f = child
                        elif ctag == is_tag:
                            inline = child
                    t = get("t")
                    formula = None
                    if f is not None:
                        formula = f.text
                        ftype = f.get("t")
                        if ftype == "shared":
                            si = f.get("si")
                            if formula:
                                shared_formulas[si] = formula
                            else:
                                # followers hold no text; keep the master's (its references are the master's)
                                formula = shared_formulas.get(si, "(shared)")
                        elif not formula:
                            formula = f"({ftype or 'formula'})"
                    if t == "inlineStr" and inline is not None:
                        cell = RawCell(_rich_text(inline, t_tag, r_tag), TEXT, formula)
                    elif not v:
                        if formula is None:
                            continue
                        cell = RawCell(None, EMPTY, formula)
                    elif t is None or t == "n":
                        cell = _number(v, formula)
                    elif t == "s":
                        idx = int(v) if v.isdigit() else -1
                        if not 0 <= idx < n_shared:
                            raise bad(f"indeks string bersama {v[:20]} tidak valid")
                        cell = RawCell(shared[idx], TEXT, formula)
                    elif t == "b":
                        b = v.strip()
                        cell = RawCell(b == "1", BOOL, formula) if b in ("0", "1") else RawCell(v, TEXT, formula)
                    elif t == "e":
                        cell = RawCell(v, ERRORVAL, formula)
                    else:  # "str" (formula text result), "d" (ISO date text), unknown types: text as stored
                        cell = RawCell(_unescape(v), TEXT, formula)
                    cells[(row, col_no)] = cell
                if len(cells) > max_cells:
                    raise _Stop("sheet-too-large", f"> {max_cells}", str(max_cells), sheet=name)
            elif tag == mc_tag:
                rng = _parse_range(el.get("ref", ""))
                if rng is not None:
                    merged.append(rng)
                    if len(merged) > max_cells:
                        raise _Stop("sheet-too-large", f"> {max_cells}", str(max_cells), sheet=name)
            del level1[:]  # type: ignore[index]  # finished rows are no longer needed
        if root is None:
            raise bad("kosong")
        return RawSheet(name=name, state=state, cells=cells, merged=merged)

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


# ---------------------------------------------------------------------- helpers


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


def _number(v: str, formula: str | None) -> RawCell:
    try:
        x = float(v)
    except ValueError:
        return RawCell(v, TEXT, formula)
    if "_" in v or not math.isfinite(x):
        return RawCell(v, TEXT, formula)
    return RawCell(x, NUMBER, formula)


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
