"""The size at which a sheet's 10-point text prints, from what its workbook says (no spreadsheet needed): the paper,
orientation, margins and fit to one page wide of its page setup, and the width of its columns, the columns a chart
reaches included (a chart that runs past the last column widens what is printed)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import openpyxl

PAPER_PT = {9: (210 / 25.4 * 72, 297 / 25.4 * 72)}  # paperSize 9: A4 (short, long side)
# A column width unit: the advance of "0" in the workbook's default font, Calibri 11 pt (1038/2048 em), as
# LibreOffice lays columns out; Excel rounds it to 7 px (5.25 pt), so it prints the same sheet a little larger
UNIT_PT = 11 * 1038 / 2048
DEFAULT_WIDTH = 8.43 + 0.71  # a column without a width of its own, as stored


def _chart_columns(path: Path, sheet: str) -> list[int]:
    """The last column (1-based) each chart drawn on ``sheet`` reaches."""
    with zipfile.ZipFile(path) as z:
        def target(rels: str, rid: str) -> str:
            folder = posixpath.dirname(posixpath.dirname(rels))
            found = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', z.read(rels).decode())
            return posixpath.normpath(posixpath.join(folder, found[1] or found[2]))

        book = z.read("xl/workbook.xml").decode()
        rid = re.search(rf'<sheet name="{re.escape(sheet)}"[^>]*r:id="(\w+)"', book)[1]
        part = target("xl/_rels/workbook.xml.rels", rid)
        rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
        drawing = re.search(r'<drawing r:id="(\w+)"', z.read(part).decode())
        if drawing is None:
            return []
        xml = z.read(target(rels, drawing[1])).decode()
    return [int(col) + (int(off) > 0) for col, off in
            re.findall(r"<xdr:to><xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff>", xml)]


def fitted_points(path: Path, sheets: list[str]) -> dict[str, float]:
    """The size (pt) at which the 10-point text of each of ``sheets`` prints: 10 times the scale that fits its
    columns to the paper's width inside the margins (fit to one page wide; landscape on the long side). The whole
    sheet is printed: a print area would print fewer columns, so a sheet with one is refused."""
    book = openpyxl.load_workbook(path)  # as written (reading a cell with openpyxl adds it to the sheet)
    return {sheet: _fitted(path, book[sheet]) for sheet in sheets}


def _fitted(path: Path, ws: object) -> float:
    setup = ws.page_setup
    assert not ws.print_area, "a print area: not what this reads"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(setup.fitToWidth or 1) == 1, "not fitted to one page wide"
    short, long = PAPER_PT[int(setup.paperSize)]
    paper = long if setup.orientation == "landscape" else short
    inside = paper - (ws.page_margins.left + ws.page_margins.right) * 72
    widths = {c: d.width for d in ws.column_dimensions.values() if d.customWidth for c in range(d.min, d.max + 1)}
    last = max([ws.max_column, *_chart_columns(path, ws.title)])
    units = sum(widths.get(c, DEFAULT_WIDTH) for c in range(1, last + 1))
    return 10 * min(1.0, inside / (units * UNIT_PT))
