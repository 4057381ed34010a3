"""Generators of hand-made, hostile and broken files for the intake tests (not a test module).

Every file is built at test time (no binaries are committed): :func:`package` assembles a workbook
from hand-written XML parts; valid workbooks are written with openpyxl and then mutated at the
zip/XML level.

:func:`write_all` writes the whole hostile collection and returns ``{file name: expected code}``,
where the code is the error that rejects the file, a warning the reader must report on an
accepted file, or None for a file that must be read without findings.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
SHEET1 = "xl/worksheets/sheet1.xml"  # "Identitas"
SHEET2 = "xl/worksheets/sheet2.xml"  # "Penilaian"
SST = "xl/sharedStrings.xml"
LONG_TEXT = "panjang " * 5000  # 40,000 characters
CONTROL_PLACEHOLDER = "CONTROLPLACEHOLDER"
CONTROL_TEXT = "bel\x07tab\tend\x01"  # what the reader must return for the placeholder


# file name -> the code sniff + read must give: the rejecting error, the warning of an accepted
# file, None for a file read without findings, or "container" for a file opened as a container
EXPECTED: dict[str, str | None] = {
    "valid-1.xlsx": None,
    "valid-2.xlsx": None,
    "far-corner.xlsx": None,
    "long-text.xlsx": None,
    "macro.xlsm": "macro-workbook",
    "external-link.xlsx": "external-link",
    "empty.xlsx": "empty-file",
    "~$lock.xlsx": "office-lock-file",
    "encrypted.xlsx": "encrypted-file",
    "legacy.xls": "legacy-xls-format",
    "page.xlsx": "html-not-workbook",
    "export.xls": "html-not-workbook",
    "data.xlsx": "csv-not-workbook",
    "xml2003.xlsx": "xml-not-workbook",
    "doc.xlsx": "pdf-not-workbook",
    "scan.xlsx": "image-not-workbook",
    "photo.xlsx": "image-not-workbook",
    "random.xlsx": "unknown-format",
    "two-pdfs.xlsx": "container",
    "sheet.ods.xlsx": "corrupt-workbook",
    "letter.docx": "document-not-workbook",
    "binary.xlsx": "xlsb-format",
    "big.xlsx": "file-too-large",
    "truncated.xlsx": "corrupt-workbook",
    "corrupt.xlsx": "corrupt-workbook",
    "bad-crc.xlsx": "corrupt-workbook",
    "malformed-xml.xlsx": "corrupt-workbook",
    "control-char-xml.xlsx": "corrupt-workbook",
    "duplicate-member.xlsx": "duplicate-zip-member",
    "strict.xlsx": "strict-open-xml",
    "zip-bomb.xlsx": "zip-bomb",
    "ratio-bomb.xlsx": "zip-bomb",
    "lying-size.xlsx": "corrupt-workbook",
    "billion-laughs.xlsx": "xml-dtd-forbidden",
    "external-dtd.xlsx": "xml-dtd-forbidden",
}


# ---------------------------------------------------------------------- building blocks


def worksheet(body: str) -> bytes:
    """A worksheet part around ``body`` (the inner XML of <worksheet>), as Excel's prolog and root write it."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{body}</worksheet>').encode()


def shared_strings(items: list[str]) -> bytes:
    """A shared-strings part; ``items`` are the inner XML of each <si>."""
    return f'<sst xmlns="{MAIN_NS}" count="{len(items)}">{"".join(f"<si>{s}</si>" for s in items)}</sst>'.encode()


def package(sheets: list[tuple[str, str, bytes]], sst: bytes | None = None, *, absolute_targets: bool = False,
            extra: dict[str, bytes] | None = None, stored: tuple[str, ...] = ()) -> bytes:
    """A hand-made workbook: sheets are (name, state, worksheet part), ``sst`` the shared-strings part; ``extra``
    parts are added or replace the generated ones; parts named in ``stored`` are not compressed."""
    files: dict[str, bytes] = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" '
                       f'Target="xl/workbook.xml"/></Relationships>'.encode(),
    }
    entries, rels = [], []
    for i, (name, state, part) in enumerate(sheets, 1):
        entries.append(f'<sheet name="{name}" sheetId="{i}" state="{state}" r:id="rId{i}"/>')
        target = f"/xl/worksheets/sheet{i}.xml" if absolute_targets else f"worksheets/sheet{i}.xml"
        rels.append(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="{target}"/>')
        files[f"xl/worksheets/sheet{i}.xml"] = part
    if sst is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>')
        files["xl/sharedStrings.xml"] = sst
    files["xl/workbook.xml"] = (f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{"".join(entries)}</sheets>'
                                f'</workbook>').encode()
    files["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{PKG_NS}">{"".join(rels)}</Relationships>'.encode()
    files.update(extra or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in files.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_STORED if name in stored else None)
    return out.getvalue()


def valid_xlsx(path: Path, rows: int = 5, cols: int = 4, *, text: str = "teks") -> Path:
    """A small valid workbook written by openpyxl: sheets "Identitas" and "Penilaian"."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Identitas"
    ws["A1"] = "Nama OPD"
    ws["B1"] = "Dinas Komunikasi dan Informatika"
    ws2 = wb.create_sheet("Penilaian")
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            ws2.cell(r, c, f"{text} {r}-{c}" if c % 2 else r * c + 0.5)
    wb.save(path)
    return path


def rewrite_zip(src: Path, dst: Path, replace: dict[str, bytes | None] | None = None,
                add: dict[str, bytes] | None = None, *, stored: tuple[str, ...] = ()) -> Path:
    """Copy a zip, replacing (bytes) or dropping (None) members and adding new ones."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                data = replace[info.filename]
                if data is None:
                    continue
            else:
                data = zin.read(info.filename)
            method = zipfile.ZIP_STORED if info.filename in stored else zipfile.ZIP_DEFLATED
            zout.writestr(info.filename, data, compress_type=method)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def ole2(path: Path, stream_names: tuple[str, ...]) -> Path:
    """A minimal OLE2 compound file: header, one FAT sector, one directory sector.

    Enough for content sniffing (magic number and directory entry names), not a real document.
    """
    free, end, fatsect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))
    fat = struct.pack("<128I", fatsect, end, *([free] * 126))
    entries = b""
    for i, name in enumerate(("Root Entry", *stream_names)):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry = raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), 5 if i == 0 else 2, 1)
        entry += struct.pack("<III", free, free, 1 if i == 0 and stream_names else free)
        entry += bytes(16 + 4 + 8 + 8) + struct.pack("<IQ", end, 0)
        entries += entry
    directory = entries.ljust(512, b"\x00")
    path.write_bytes(header + fat + directory)
    return path


def zip_bomb(path: Path, megabytes: int = 300) -> Path:
    """A workbook whose sheet expands to ``megabytes`` MB of zeros (written in chunks: fast, little memory)."""
    base = valid_xlsx(path.with_name(path.name + ".base.xlsx"))
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename == SHEET1:
                with zout.open(SHEET1, "w", force_zip64=True) as fh:
                    zeros = bytes(1024 * 1024)
                    for _ in range(megabytes):
                        fh.write(zeros)
            else:
                zout.writestr(info.filename, zin.read(info.filename))
    base.unlink()
    return path


def forge_declared_size(path: Path, name: str, size: int) -> Path:
    """Patch the central directory so that ``name`` declares ``size`` uncompressed bytes (a lie)."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + name_len]) == encoded:
            struct.pack_into("<I", data, pos + 24, size)
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))
    return path


def far_corner(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Penilaian"
    ws["A1"] = "kiri atas"
    ws["XFD1048576"] = 42
    wb.save(path)
    return path


# ---------------------------------------------------------------------- the collection


def write_all(folder: Path) -> dict[str, str | None]:
    """Write every file of :data:`EXPECTED` into ``folder``; return a copy of :data:`EXPECTED`."""
    folder.mkdir(parents=True, exist_ok=True)
    base = valid_xlsx(folder / "_base.tmp")
    sheet = member(base, SHEET1)
    wbxml = member(base, "xl/workbook.xml")
    expected: dict[str, str | None] = {}

    def put(name: str, data: bytes | None = None) -> Path:
        p = folder / name
        if data is not None:
            p.write_bytes(data)
        expected[name] = EXPECTED[name]
        return p

    # valid, odd but acceptable
    valid_xlsx(put("valid-1.xlsx"))
    valid_xlsx(put("valid-2.xlsx"), rows=40, cols=15, text="uraian " * 30)
    far_corner(put("far-corner.xlsx"))
    long_wb = valid_xlsx(folder / "_long.tmp", text=CONTROL_PLACEHOLDER)
    sheet2 = member(long_wb, SHEET2).replace(CONTROL_PLACEHOLDER.encode(), b"bel_x0007_tab\tend_x0001_")
    long_sst = (f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t xml:space="preserve">{LONG_TEXT}</t></si>'
                "</sst>").encode()
    long_sheet = member(long_wb, SHEET1).replace(
        b"</sheetData>", b'<row r="20"><c r="A20" t="s"><v>0</v></c></row></sheetData>')
    rewrite_zip(long_wb, put("long-text.xlsx"), {SHEET1: long_sheet, SHEET2: sheet2}, add={SST: long_sst})
    long_wb.unlink()
    rewrite_zip(base, put("macro.xlsm"), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0fake vba"})
    link_rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                 b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                 b'2006/relationships/externalLinkPath" Target="file:///C:/data/anggaran.xlsx" TargetMode="External"/>'
                 b"</Relationships>")
    link = f'<?xml version="1.0"?><externalLink xmlns="{MAIN_NS}"><externalBook/></externalLink>'.encode()
    rewrite_zip(base, put("external-link.xlsx"),
                add={"xl/externalLinks/externalLink1.xml": link,
                     "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels})

    # not workbooks at all
    put("empty.xlsx", b"")
    put("~$lock.xlsx", b"\x0bUser Name" + bytes(150))
    ole2(put("encrypted.xlsx"), ("EncryptionInfo", "EncryptedPackage"))
    ole2(put("legacy.xls"), ("Workbook", "\x05SummaryInformation"))
    put("page.xlsx", b"\xef\xbb\xbf\n  <!DOCTYPE html><html><body><table><tr><td>1</td></tr></table>")
    put("export.xls", b'<table border="1"><tr><td>OPD</td><td>Level</td></tr></table>')
    put("data.xlsx", "No;Indikator;Level\n1;Kebijakan;3\n2;Tata kelola;4\n".encode("cp1252"))
    put("xml2003.xlsx",
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:'
        b'office:spreadsheet"><Worksheet ss:Name="Sheet1"/></Workbook>')
    put("doc.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    put("scan.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64))
    put("photo.xlsx", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(64))
    put("random.xlsx", bytes(range(256)) * 4)
    with zipfile.ZipFile(put("two-pdfs.xlsx"), "w") as zf:
        zf.writestr("a.pdf", b"%PDF-1.4 a")
        zf.writestr("b.pdf", b"%PDF-1.4 b")
    with zipfile.ZipFile(put("letter.docx"), "w") as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("word/document.xml", b"<w:document/>")
    with zipfile.ZipFile(put("sheet.ods.xlsx"), "w") as zf:
        zf.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", b"<office:document-content/>")
    rewrite_zip(base, put("binary.xlsx"), {"xl/workbook.xml": None},
                add={"xl/workbook.bin": b"\x83\x01\x00"})
    big = put("big.xlsx")
    with big.open("wb") as fh:
        fh.write(base.read_bytes())
        fh.truncate(26 * 1024 * 1024)  # sparse: costs no disk

    # broken archives
    data = base.read_bytes()
    put("truncated.xlsx", data[: len(data) // 2])
    put("corrupt.xlsx", b"PK\x03\x04" + bytes(range(200)) * 3)
    crc = rewrite_zip(base, folder / "_crc.tmp", stored=(SHEET1,))
    raw = bytearray(crc.read_bytes())
    pos = raw.find(b"<sheetData>")
    raw[pos + 1:pos + 2] = b"S"  # still well-formed XML, but the CRC no longer matches
    crc.unlink()
    put("bad-crc.xlsx", bytes(raw))
    rewrite_zip(base, put("malformed-xml.xlsx"), {SHEET1: sheet[: len(sheet) // 2]})
    rewrite_zip(base, put("control-char-xml.xlsx"),
                {SHEET1: sheet.replace(b"<sheetData>", b"<sheetData>\x01")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        rewrite_zip(base, put("duplicate-member.xlsx"), add={SHEET1: sheet})
    rewrite_zip(base, put("strict.xlsx"),
                {"xl/workbook.xml": wbxml.replace(MAIN_NS.encode(), STRICT_NS.encode())})

    # attacks
    zip_bomb(put("zip-bomb.xlsx"))
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(put("ratio-bomb.xlsx"), "w",
                                                       zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            payload = sheet.replace(b"</worksheet>", b" " * (40 * 1024 * 1024) + b"</worksheet>") \
                if info.filename == SHEET1 else zin.read(info.filename)
            zout.writestr(info.filename, payload)
    forge_declared_size(rewrite_zip(base, put("lying-size.xlsx"), {SHEET1: sheet + b" " * 5000}),
                        SHEET1, 100)
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                         for i in range(1, 10))
              + b']>\n<sst xmlns="' + MAIN_NS.encode() + b'" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    rewrite_zip(base, put("billion-laughs.xlsx"), add={SST: laughs})
    ext_dtd = sheet.replace(b"<worksheet", b'<!DOCTYPE worksheet SYSTEM "http://example.invalid/evil.dtd">\n<worksheet', 1)
    rewrite_zip(base, put("external-dtd.xlsx"), {SHEET1: ext_dtd})
    base.unlink()
    assert expected == EXPECTED, set(expected) ^ set(EXPECTED)
    return expected


# ---------------------------------------------------------------------- reading as the batch does


def read_one(path: Path, rel: str) -> tuple[str, list[tuple[str, str, str]], int]:
    """Sniff and read one file as the batch does: (kind or "read", [(code, severity, Indonesian found)], n sheets)."""
    from pipeline import i18n

    kind, findings, n_sheets = read_raw(path, rel)
    return kind, [(f.code, f.severity, i18n.render(f.found, "id")) for f in findings], n_sheets


def read_raw(path: Path, rel: str) -> tuple[str, list, int]:
    """Sniff and read one file: (kind, "read", "container" or "rejected"; its findings; the number of sheets)."""
    from pipeline.intake import ods, sniff, xlsx

    kind, findings = sniff.detect(path, rel)
    n_sheets = 0
    if kind in sniff.CONTAINERS:
        kind = "container"
    elif kind in sniff.WORKBOOKS:
        wb, findings = (ods.read_ods if kind == sniff.ODS else xlsx.read_workbook)(path, rel)
        kind = "read" if wb is not None else "rejected"
        n_sheets = len(wb.sheets) if wb is not None else 0
    return kind, findings, n_sheets


def error_value(path: Path, ref: str, out: Path) -> Path:
    """A copy of a filled questionnaire at ``out`` whose Penilaian cell ``ref`` holds the error value #N/A (no
    formula), as Excel stores it."""
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":
                text = data.decode()
                start = text.index(f'<c r="{ref}"')
                end = text.index("</c>", start) + 4
                data = (text[:start] + f'<c r="{ref}" t="e"><v>#N/A</v></c>' + text[end:]).encode()
            zout.writestr(item, data)
    return out
