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

import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path

from pipeline import settings
from pipeline.findings import Finding
from pipeline.i18n import Msg, msg
from pipeline.intake import fastxml
from pipeline.intake.cells import MAIN_NS, STRICT_NS, SheetBuilder, Stop, corrupt, rich_text
from pipeline.intake.raw import RawSheet, RawWorkbook, normalise_name
from pipeline.intake.zipxml import MAX_TREE_PART, Archive, read_package

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

_MAX_PENDING = 200_000  # XML elements inside one row / one shared string (a valid row has < 100k)


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
    return read_package(path, rel, limits, data, lambda zf: _Reader(zf, rel, limits).read(sheets))


class _Reader(Archive):
    def __init__(self, zf: zipfile.ZipFile, rel: str, limits: settings.Limits) -> None:
        super().__init__(zf, rel, limits)
        self.fast = settings.ACCELERATE_READER

    def read(self, sheet_filter: set[str] | None) -> tuple[RawWorkbook, list[Finding]]:
        self.check()
        content_types = self._content_types()
        has_macros = ("xl/vbaprojectsigned.bin" in self.members or "xl/vbaproject.bin" in self.members
                      or any("macroenabled" in ct.casefold() for ct in content_types)
                      or any(n.startswith("xl/macrosheets/") for n in self.members))
        wb_part = self._main_part()
        root = self.root(wb_part)
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
        warnings.extend(self.damaged_unread_parts())
        return RawWorkbook(out, has_macros=has_macros, external_links=links[0] if links else 0), warnings

    def _content_types(self) -> list[str]:
        if "[content_types].xml" not in self.members:
            return []
        return [el.get("ContentType", "") for el in self.root("[Content_Types].xml").iter()
                if el.tag in (f"{{{CT_NS}}}Override", f"{{{CT_NS}}}Default")]

    def _relationships(self, part: str) -> Iterator[tuple[str | None, str, str, str | None]]:
        """(Id, Type, Target, TargetMode) of each relationship of a .rels part."""
        for el in self.root(part).iter(f"{{{PKG_REL_NS}}}Relationship"):
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
        if info.file_size <= MAX_TREE_PART:
            data = self.bytes(part)
            plain = fastxml.read_shared_strings(data) if self.fast else None
            if plain is not None:
                return plain
            root = self.tree(part, data)
            si_tag, t_tag, r_tag = self._content_tags(root.tag, part, "", "si", "t", "r")
            return [rich_text(si, t_tag, r_tag) for si in root if si.tag == si_tag]
        out: list[str] = []
        root = None
        depth = pending = 0
        for event, el in self.events(part):
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

        Parts up to MAX_TREE_PART are parsed whole by the C parser (fast); larger ones are
        streamed, dropping finished rows, so memory stays bounded.
        """
        max_cells = self.limits.max_cells_per_sheet
        if self.members[part.casefold()].file_size <= MAX_TREE_PART:
            data = self.bytes(part, name)
            plain = fastxml.read_sheet(data, part, name, shared, max_cells) if self.fast else None
            if plain is not None:
                return RawSheet(name=name, state=state, cells=plain[0], merged=plain[1])
            root = self.tree(part, data, name)
            sheet = SheetBuilder(part, name, shared, max_cells,
                                 self._content_tags(root.tag, part, name, *SheetBuilder.TAGS))
            for top in root:
                for el in top:
                    sheet.add(el)
            return RawSheet(name=name, state=state, cells=sheet.cells, merged=sheet.merged)
        root = level1 = sheet = None
        depth = pending = 0
        for event, el in self.events(part, name):
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
