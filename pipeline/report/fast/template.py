"""Per-OPD workbooks rendered from a template instead of written by xlsxwriter one by one.

The template is a prototype workbook written once by xlsxwriter (per process, catalog, language, year and
band rule), from a sample OPD with a sentinel sheet name and title. Per OPD, the gap sheet code runs
against the recorder of :mod:`.record`, and the pieces of the workbook that depend on what it wrote are
rendered as xlsxwriter would write them (the sheet's dimension, rows, merged cells, conditional format and
validation ranges and page break; shared strings; styles; the chart's ranges and cached values; the
drawing's anchor; the title and sheet name); the rest of every part is the prototype's, between those
pieces (with the print titles, whose row varies). A sheet whose fixed layout differs from the prototype's (its signature: column widths, panes, print
setup, chart and rule options), or any call the recorder does not mirror, is written by xlsxwriter
instead. Every part of a rendered workbook is byte for byte the part xlsxwriter writes; the zip around
them is packed here (the parts that never change are compressed once, the others at deflate level 1).

Private xlsxwriter names used here: ``Worksheet.charts``, ``row_sizes``, ``_position_object_emus``.
"""

from __future__ import annotations

import dataclasses
import io
import struct
import zipfile
import zlib

from xlsxwriter.utility import quote_sheetname, xl_range, xl_range_formula

from pipeline.report import per_opd, style, writer
from pipeline.report.fast.record import Book, Fmt, Sheet, Unsupported, chart_cache, data_type, esc, esc_attr
from pipeline.report.gap_sheet import GapData
from pipeline.report.writer import Meta

PROTO_SHEET, PROTO_NAME = "SPBEPROTOSHEET", "SPBEPROTONAME"  # sentinels of the prototype
SHEET, STRINGS, STYLES, CHART, DRAWING = ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
                                          "xl/charts/chart1.xml", "xl/drawings/drawing1.xml")
_NAMED = ("docProps/core.xml", "docProps/app.xml", "xl/workbook.xml")  # parts naming the sheet or the title


class Mismatch(Exception):
    """This OPD's workbook differs from the template in a part the template keeps fixed."""


def _unzip(payload: bytes) -> tuple[list[str], dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(payload)) as z:
        return z.namelist(), {n: z.read(n).decode("utf-8") for n in z.namelist()}


class _Part:
    """One zip member, deflated once (the parts that do not change are compressed once per template)."""

    __slots__ = ("crc", "data", "name", "size")

    def __init__(self, name: str, text: str, level: int = 1) -> None:
        raw = text.encode("utf-8")
        self.name, self.size, self.crc = name.encode("utf-8"), len(raw), zlib.crc32(raw)
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        self.data = packer.compress(raw) + packer.flush()


def _zip(parts: list[_Part]) -> bytes:
    """A zip of deflated parts dated 1980-01-01, as xlsxwriter dates them (the same parts; the deflate level of
    the parts that vary is 1, xlsxwriter's is zlib's default)."""
    body, central, offset = [], [], 0
    for p in parts:
        head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 33, p.crc, len(p.data), p.size, len(p.name), 0)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 33, p.crc, len(p.data), p.size,
                                   len(p.name), 0, 0, 0, 0, 0, offset) + p.name)
        body += (head, p.name, p.data)
        offset += len(head) + len(p.name) + len(p.data)
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), offset, 0)
    return b"".join(body) + directory + end


def _split(text: str, pieces: list[str]) -> list[str]:
    """``text`` cut around ``pieces`` (found in this order): the texts before, between and after them."""
    out, pos = [], 0
    for piece in pieces:
        at = text.find(piece, pos) if piece else -1
        if at < 0:
            raise Mismatch(f"{piece[:60]!r} not where expected")
        out.append(text[pos:at])
        pos = at + len(piece)
    out.append(text[pos:])
    return out


def _join(statics: list[str], pieces: list[str]) -> str:
    return "".join(s + p for s, p in zip(statics, [*pieces, ""], strict=True))


class Template:
    """The prototype of one catalog, language, year and band rule, and what renders a workbook from it."""

    def __init__(self, meta: Meta, sample: GapData) -> None:
        self.formats = {k: Fmt(v) for k, v in style.format_specs(meta.fw).items()}
        proto = dataclasses.replace(sample, sheet=PROTO_SHEET, name=PROTO_NAME)
        buf = io.BytesIO()
        wb = writer.new_workbook(buf)
        per_opd.builder(meta, proto)(wb)
        wb.close()
        self.order, raw = _unzip(buf.getvalue())
        self.fixed = {n: _Part(n, raw[n], 6) for n in raw if n.endswith(".rels") or n in ("[Content_Types].xml",
                                                                                           "xl/theme/theme1.xml")}
        if set(raw) - set(self.fixed) != {SHEET, STRINGS, STYLES, CHART, DRAWING, *_NAMED}:
            raise Mismatch(f"parts {self.order}")
        ws = wb.worksheets()[0]  # the chart's place, for the anchors of other row heights
        self.anchor_sheet = ws
        row, col, chart, x_off, y_off, x_scale, y_scale, anchor = ws.charts[0][:8]
        self.chart_at = (col, row, x_off, y_off, int(0.5 + chart.width * x_scale), int(0.5 + chart.height * y_scale),
                         anchor)
        rec, self.signature = self.record(meta, proto)
        sheet_data, formats = rec.sheet_data()
        self.statics = {n: _split(raw[n], p) for n, p in self.pieces(rec, sheet_data).items()}
        self.styles = {self.style_key(rec, formats): _Part(STYLES, raw[STYLES])}

    def record(self, meta: Meta, data: GapData) -> tuple[Sheet, tuple]:
        """Run the gap sheet code against a recorder; the sheet and its fixed layout (the signature)."""
        book = Book()
        per_opd.builder(meta, data, self.formats)(book)
        if len(book.sheets) != 1 or len(book.charts) != 1 or len(book.sheets[0].charts) != 1:
            raise Mismatch("one sheet with one chart expected")
        ws = book.sheets[0]
        ws.title = book.properties.get("title", "")
        if (len(ws.cond_formats) != 1 or len(ws.validations) != 1 or not ws.merges or not ws.hbreaks
                or ws.repeat is None):
            raise Mismatch("one conditional format, one validation, merged cells, a page break and print titles "
                           "expected")
        series = ws.charts[0][2].series
        kinds = [data_type(ws.range_data(*s["categories"][1:])) for s in series]
        if any(s["categories"][0] != ws.name or s["values"][0] != ws.name for s in series) or set(kinds) != {"str"}:
            raise Mismatch("chart ranges")

        def opts(o: dict) -> str:
            return repr(sorted((k, v.key if isinstance(v, Fmt) else v) for k, v in o.items()))

        signature = (tuple(ws.layout), tuple(book.charts[0].calls), opts(ws.validations[0][1]),
                     opts(ws.cond_formats[0][1]), opts({k: v for k, v in book.properties.items() if k != "title"}))
        return ws, signature

    def pieces(self, ws: Sheet, sheet_data: str) -> dict[str, list[str]]:
        """The pieces of each part that depend on the recorded sheet, in the order they occur in the part."""
        (cf, _), (dv, _) = ws.cond_formats[0], ws.validations[0]
        quoted, (first, last) = quote_sheetname(ws.name), ws.repeat
        chart = []
        for s in ws.charts[0][2].series:
            for rng, kind in ((s["categories"], "str"), (s["values"], "num")):
                chart.append(f"<c:f>{esc(xl_range_formula(*rng))}</c:f>{chart_cache(ws.range_data(*rng[1:]), kind)}")
        return {
            SHEET: [ws.dimension(), sheet_data, ws.merge_cells(), f'<conditionalFormatting sqref="{xl_range(*cf)}">',
                    f' sqref="{xl_range(*dv)}">', ws.row_breaks()],
            CHART: chart,
            DRAWING: [self.anchor(ws.heights)],
            "docProps/core.xml": [f"<dc:title>{esc(ws.title)}</dc:title>"],
            "docProps/app.xml": [f"<vt:lpstr>{esc(ws.name)}</vt:lpstr>", f"<vt:lpstr>{esc(quoted)}!Print_Titles</vt:lpstr>"],
            "xl/workbook.xml": [f'<sheet name="{esc_attr(ws.name)}"',
                                f">{esc(f'{quoted}!${first + 1}:${last + 1}')}</definedName>"],
        }

    def anchor(self, heights: dict[int, int]) -> str:
        """The drawing's chart anchor for these row heights (pixels)."""
        self.anchor_sheet.row_sizes = {r: [px, False] for r, px in heights.items()}
        c1, r1, x1, y1, c2, r2, x2, y2, *_ = self.anchor_sheet._position_object_emus(*self.chart_at)
        return (f"<xdr:from><xdr:col>{c1}</xdr:col><xdr:colOff>{x1}</xdr:colOff><xdr:row>{r1}</xdr:row>"
                f"<xdr:rowOff>{y1}</xdr:rowOff></xdr:from><xdr:to><xdr:col>{c2}</xdr:col><xdr:colOff>{x2}"
                f"</xdr:colOff><xdr:row>{r2}</xdr:row><xdr:rowOff>{y2}</xdr:rowOff></xdr:to>")

    @staticmethod
    def style_key(ws: Sheet, formats: list[Fmt]) -> tuple:
        return tuple(f.key for f in formats), ws.cond_formats[0][1]["format"].key

    def styles_of(self, ws: Sheet, formats: list[Fmt]) -> _Part:
        """styles.xml for the sheet's formats, in the order xlsxwriter numbers them (made once per order)."""
        key = self.style_key(ws, formats)
        hit = self.styles.get(key)
        if hit is None:
            dxf = ws.cond_formats[0][1]["format"]

            def build(wb: object) -> None:  # a workbook with the same formats in the same order: the same styles
                sheet = wb.add_worksheet()
                for c, f in enumerate(formats):
                    sheet.write_blank(0, c, None, wb.add_format(f.props))
                sheet.conditional_format(0, 0, 0, 0, {"type": "cell", "criteria": ">", "value": 0,
                                                      "format": wb.add_format(dxf.props)})

            hit = self.styles[key] = _Part(STYLES, _unzip(writer.workbook_bytes(build))[1][STYLES])
        return hit

    def render(self, meta: Meta, data: GapData) -> bytes:
        """The .xlsx bytes of one OPD's workbook (raises Mismatch or Unsupported when it cannot)."""
        ws, signature = self.record(meta, data)
        if signature != self.signature:
            raise Mismatch("layout differs from the template")
        sheet_data, formats = ws.sheet_data()
        parts = dict(self.fixed)
        for name, pieces in self.pieces(ws, sheet_data).items():
            parts[name] = _Part(name, _join(self.statics[name], pieces))
        parts[STRINGS] = _Part(STRINGS, ws.shared_strings())
        parts[STYLES] = self.styles_of(ws, formats)
        return _zip([parts[n] for n in self.order])


_templates: dict[tuple, Template | None] = {}  # one per process: a run has one catalog, language, year and history


def render(meta: Meta, data: GapData) -> bytes | None:
    """One OPD's workbook rendered from the template of ``meta``; None when it cannot be (write it plainly)."""
    fw = meta.fw
    key = (fw.id, fw.path, fw.fingerprint, meta.lang, meta.year, meta.band_rule, data.recall is not None)
    if key not in _templates:
        _templates.clear()
        try:
            _templates[key] = Template(meta, data)
        except (Mismatch, Unsupported):
            _templates[key] = None
    template = _templates[key]
    if template is None:
        return None
    try:
        return template.render(meta, data)
    except (Mismatch, Unsupported):
        return None
