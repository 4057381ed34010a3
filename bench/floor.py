"""Read floor for the benchmark: unzip and XML-parse what the pipeline reads, and nothing else.

For every file, in a ``multiprocessing`` pool of 2 (both cores): open the zip, parse
``[Content_Types].xml``, ``_rels/.rels``, ``xl/workbook.xml`` and its rels, ``xl/sharedStrings.xml``
when present, and the sheets the pipeline reads (Identitas, Penilaian, Aplikasi, Infrastruktur,
_meta) with the C ElementTree parser; the sha256 of the file is computed too, as the pipeline does.
No cell decoding, no validation, no limits, and plain "fork" workers (the cheapest start).
A file that fails to open is counted and skipped.

Usage: ``python bench/floor.py INPUT_DIR [--expect-unreadable K]``: with the option, the run fails
(exit 3) when more than K files could not be parsed, so that a floor that silently skips good files
(and so looks faster than it is) cannot pass unnoticed.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import posixpath
import sys
import zipfile
from pathlib import Path
from xml.etree.ElementTree import fromstring

WANTED = {"identitas", "penilaian", "aplikasi", "infrastruktur", "_meta"}
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def read_one(path: str) -> int:
    """Parse the parts of one file; returns the number of XML elements seen at the top levels, or -1."""
    try:
        with open(path, "rb") as fh:
            hashlib.sha256(fh.read()).hexdigest()
        with zipfile.ZipFile(path) as zf:
            fromstring(zf.read("[Content_Types].xml"))
            fromstring(zf.read("_rels/.rels"))
            wb = fromstring(zf.read("xl/workbook.xml"))
            rels = {el.get("Id"): el.get("Target", "")
                    for el in fromstring(zf.read("xl/_rels/workbook.xml.rels")).iter(f"{PKG_NS}Relationship")}
            seen = 0
            if "xl/sharedStrings.xml" in zf.NameToInfo:
                seen += len(fromstring(zf.read("xl/sharedStrings.xml")))
            for sheet in wb.iter(f"{MAIN_NS}sheet"):
                if "".join(sheet.get("name", "").split()).casefold() in WANTED:
                    target = rels[sheet.get(REL_NS)]
                    # a target is relative to xl/ or absolute in the package ("/xl/worksheets/...")
                    target = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                    target = posixpath.normpath(target)
                    seen += len(fromstring(zf.read(target)))
            return seen
    except Exception:  # noqa: BLE001 - the floor only measures; bad files are skipped
        return -1


def main() -> None:
    folder = Path(sys.argv[1])
    expect = int(sys.argv[sys.argv.index("--expect-unreadable") + 1]) if "--expect-unreadable" in sys.argv else None
    files = sorted(str(p) for p in folder.rglob("*") if p.is_file())
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ctx.Pool(2) as pool:
        results = pool.map(read_one, files, chunksize=max(1, min(64, len(files) // 16)))
    bad = sum(1 for r in results if r < 0)
    print(f"{len(files)} files, {bad} unreadable")
    if expect is not None and bad > expect:
        sys.exit(f"read floor: {bad} files unreadable, at most {expect} expected")


if __name__ == "__main__":
    main()
