"""Generators of saved e-mails, mailboxes, archives and .ods files, sound and hostile (not a test module).

Every file is built at test time from the real template's questionnaires or from hand-written MIME: no
binaries are committed. :func:`write_all` writes the collection and returns ``{file: expected entries}``,
each entry as (name, kind, finding codes) in the order the intake gives them.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from pathlib import Path

from tests.intake import hostile
from tools import mailmake

WHEN = dt.datetime(2026, 3, 12, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PDF = b"%PDF-1.4\n%bukti dukung\n"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def raw_mail(parts: list[tuple[str, bytes]], *, headers: bytes = b"", boundary: bytes = b"b0") -> bytes:
    """A multipart/mixed message from raw parts: (part headers, part body)."""
    body = b"".join(b"--" + boundary + b"\r\n" + h.encode() + b"\r\n\r\n" + data + b"\r\n" for h, data in parts)
    return (b"From: Petugas BKD <spbe@bkd.kaltaraprov.example>\r\nTo: spbe@diskominfo.example\r\n"
            b"Subject: Kuesioner SPBE\r\nDate: Thu, 12 Mar 2026 09:15:00 +0800\r\nMessage-ID: <h1@bkd.example>\r\n"
            + headers + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n"
            + body + b"--" + boundary + b"--\r\n")


def attached(name_header: str, data: bytes, ctype: str = "application/pdf") -> tuple[str, bytes]:
    return (f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; {name_header}", base64.encodebytes(data))


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def ods(tables: str, styles: str = "", extra: dict[str, bytes] | None = None, prolog: str = "") -> bytes:
    """An .ods package around ``tables`` (the XML of <table:table> elements)."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content xmlns:office="{OFFICE}" '
               f'xmlns:table="{TABLE}" xmlns:text="{TEXT}" xmlns:style="{STYLE}" xmlns:calcext="{CALCEXT}">'
               f"<office:automatic-styles>{styles}</office:automatic-styles>"
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               f"</office:document-content>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", ODS_MIME, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


def cell(value: str, kind: str = "string", more: str = "") -> str:
    if kind == "string":
        return f'<table:table-cell office:value-type="string"{more}><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="{kind}" office:value="{value}"{more}/>'


def table(name: str, rows: str, style: str = "") -> str:
    return f'<table:table table:name="{name}"{f" table:style-name={chr(34)}{style}{chr(34)}" if style else ""}>{rows}</table:table>'


M = "message"
A, W, E = "archive", "workbook", "evidence"

# file -> [(entry name, kind, finding codes)] in the order the intake gives them
EXPECTED: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "no-attachment.eml": [("no-attachment.eml", M, ("mail-no-attachment",))],
    "mime-bomb.eml": [("mime-bomb.eml", M, ("mail-too-complex",))],
    "deep-nesting.eml": [("deep-nesting.eml", M, ("mail-too-complex",))],
    "nested-20.eml": [("nested-20.eml", M, ("mail-too-complex",))],
    "broken-base64.eml": [("broken-base64.eml", M, ()), ("broken-base64.eml#1 bukti.pdf", E, ("attachment-broken",))],
    "oversize.eml": [("oversize.eml", M, ()), ("oversize.eml#1 scan.pdf", E, ("file-too-large",))],
    "rfc2047.eml": [("rfc2047.eml", M, ()), ("rfc2047.eml#1 Bukti – Diskominfo.pdf", E, ())],
    "rfc2231.eml": [("rfc2231.eml", M, ()), ("rfc2231.eml#1 Bukti dukung ñ.pdf", E, ())],
    "bad-rfc2047.eml": [("bad-rfc2047.eml", M, ()), ("bad-rfc2047.eml#1 ?.pdf", E, ("attachment-name-undecodable",))],
    "bad-rfc2231.eml": [("bad-rfc2231.eml", M, ()),
                        ("bad-rfc2231.eml#1 bukti\ufffd.pdf", E, ("attachment-name-undecodable",))],
    "path-name.eml": [("path-name.eml", M, ()), ("path-name.eml#1 passwd.pdf", E, ("attachment-name-unsafe",)),
                      ("path-name.eml#2 bukti.pdf", E, ("attachment-name-unsafe",)),
                      ("path-name.eml#3 gambarfdp.pdf", E, ("attachment-name-unsafe",))],
    "not-a-message.msg": [("not-a-message.msg", M, ("mail-unreadable",))],
    "truncated.msg": [("truncated.msg", M, ("mail-unreadable",))],
    "million-headers.mbox": [("million-headers.mbox", A, ()), ("million-headers.mbox#1", M, ("mail-too-complex",)),
                             ("million-headers.mbox#2", M, ()), ("million-headers.mbox#2#1 bukti.pdf", E, ())],
    "not-a-mailbox.mbox": [("not-a-mailbox.mbox", M, ("mail-unreadable",))],
    "nested.zip": [("nested.zip", A, ()), ("nested.zip#1 a.pdf", E, ()), ("nested.zip#2 inner.zip", A, ()),
                   ("nested.zip#2 inner.zip#1 b.pdf", E, ()), ("nested.zip#2 inner.zip#2 deepest.zip", A,
                                                               ("archive-too-deep",))],
    "traversal.zip": [("traversal.zip", A, ()), ("traversal.zip#1 evil.pdf", E, ("attachment-name-unsafe",)),
                      ("traversal.zip#2 bukti.pdf", E, ())],
    "lying-member.zip": [("lying-member.zip", A, ()), ("lying-member.zip#1 data.pdf", E, ("corrupt-workbook",))],
    "empty.zip": [("empty.zip", A, ("archive-empty",))],
    "shape-bomb.ods": [("shape-bomb.ods", W, ("sheet-too-large",))],
    "repeated-empty.ods": [("repeated-empty.ods", W, ("not-a-questionnaire",))],
    "dtd.ods": [("dtd.ods", W, ("xml-dtd-forbidden",))],
    "ods-bomb.ods": [("ods-bomb.ods", W, ("zip-bomb",))],
}


def write_all(folder: Path) -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
    """Write every file of :data:`EXPECTED` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)

    def put(name: str, data: bytes) -> None:
        (folder / name).write_bytes(data)

    put("no-attachment.eml", mailmake.eml("BKD <spbe@bkd.kaltaraprov.example>", "Kuesioner", WHEN))
    parts = [("Content-Type: text/plain", b"x")] * 20_000
    put("mime-bomb.eml", raw_mail(parts))
    head = b"".join(b"Content-Type: multipart/mixed; boundary=n%d\r\n\r\n--n%d\r\n" % (i, i) for i in range(5000))
    put("deep-nesting.eml", b"From: a@b.example\r\nDate: Thu, 12 Mar 2026 09:15:00 +0800\r\n" + head + b"\r\nx\r\n")
    nest = attached('filename="x.pdf"', PDF)
    for i in range(20):  # 20 levels: few boundaries, too deep
        nest = (f"Content-Type: multipart/mixed; boundary=d{i}", f"--d{i}\r\n{nest[0]}\r\n\r\n".encode() + nest[1]
                + f"\r\n--d{i}--".encode())
    put("nested-20.eml", raw_mail([nest]))
    put("broken-base64.eml", raw_mail([("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
                                        'Content-Disposition: attachment; filename="bukti.pdf"',
                                        b"JVBERi0xLjQK!!!not*base64$$$\r\nAAA")]))
    big = base64.encodebytes(bytes(26 * 1024 * 1024))
    put("oversize.eml", raw_mail([("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
                                   'Content-Disposition: attachment; filename="scan.pdf"', big)]))
    put("rfc2047.eml", raw_mail([attached('filename="=?UTF-8?B?' + base64.b64encode(
        "Bukti – Diskominfo.pdf".encode()).decode() + '?="', PDF)]))
    put("rfc2231.eml", raw_mail([attached("filename*=UTF-8''Bukti%20dukung%20%C3%B1.pdf", PDF)]))
    put("bad-rfc2047.eml", raw_mail([attached('filename="=?x-no-such-charset?B?QUJD?=.pdf"', PDF)]))
    put("bad-rfc2231.eml", raw_mail([attached("filename*=UTF-8''bukti%E2%80.pdf", PDF)]))
    put("path-name.eml", raw_mail([attached('filename="../../etc/passwd.pdf"', PDF),
                                   attached('filename="C:\\\\Users\\\\opd\\\\bukti.pdf"', PDF),
                                   attached('filename="gambar\u202efdp.pdf"', PDF)]))
    put("not-a-message.msg", bytes(range(256)) * 8)
    real = mailmake.msg("BKD", "spbe@bkd.kaltaraprov.example", "Kuesioner", WHEN, [("bukti.pdf", PDF * 400)])
    put("truncated.msg", real[: len(real) // 3])
    bomb = b"From: a@b.example\nSubject: x\n" + b"X-Header: y\n" * 1_000_000 + b"\nbody\n"
    fine = mailmake.eml("BKD <spbe@bkd.kaltaraprov.example>", "Bukti", WHEN, [("bukti.pdf", PDF)])
    put("million-headers.mbox", mailmake.mbox([bomb, fine]))
    put("not-a-mailbox.mbox", b"Daftar kiriman:\nBKD, DINKES\n")
    deepest = zip_of({"c.pdf": PDF})
    put("nested.zip", zip_of({"a.pdf": PDF, "inner.zip": zip_of({"b.pdf": PDF, "deepest.zip": deepest})}))
    put("traversal.zip", zip_of({"../../evil.pdf": PDF, "Data Dukung/bukti.pdf": PDF}))
    lying = folder / "lying-member.zip"
    lying.write_bytes(zip_of({"data.pdf": PDF + bytes(30 * 1024 * 1024)}))
    hostile.forge_declared_size(lying, "data.pdf", 100)
    put("empty.zip", zip_of({}))
    full = ('<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated='
            '"16384" office:value-type="float" office:value="1"/></table:table-row>')
    put("shape-bomb.ods", ods(table("Penilaian", full)))
    empty_rows = ('<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
                  'table:number-columns-repeated="16384"/></table:table-row>')
    put("repeated-empty.ods", ods(table("Lembar1", "<table:table-row>" + cell("kiri atas") + "</table:table-row>"
                                        + empty_rows)))
    put("dtd.ods", ods(table("A", ""), prolog='<!DOCTYPE x [<!ENTITY a "b">]>'))
    zbomb = io.BytesIO()
    with zipfile.ZipFile(zbomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", ODS_MIME, compress_type=zipfile.ZIP_STORED)
        with zf.open("content.xml", "w", force_zip64=True) as fh:
            for _ in range(300):
                fh.write(bytes(1024 * 1024))
    put("ods-bomb.ods", zbomb.getvalue())
    return dict(EXPECTED)
