"""Recognise a submitted file's format by its content, never by its extension.

Only a bounded prefix of the file is read, except for the zip central directory (read by
:mod:`zipfile`) and the bounded scan of an OLE2 file for the names of its streams (encryption, Outlook).
Workbooks (.xlsx/.xlsm, .ods) are read; containers (a saved e-mail, a mailbox, an Outlook message, a zip
archive) are opened by :mod:`pipeline.intake.read`; anything else gets one error saying what it is.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import struct
import zipfile
from pathlib import Path

from pipeline import settings
from pipeline.findings import Finding
from pipeline.i18n import Msg, Num, msg

XLSX, ODS, REJECTED = "xlsx", "ods", "rejected"
ZIP, EML, MBOX, MSG = "zip", "eml", "mbox", "msg"  # containers
WORKBOOKS, CONTAINERS = (XLSX, ODS), (ZIP, EML, MBOX, MSG)
DEFAULT_MAX_BYTES = settings.LIMITS.max_file_bytes

_PREFIX = 8192
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_ENCRYPTED_NAMES = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_OLE_MSG_NAMES = ("__substg1.0_".encode("utf-16-le"), "__properties_version1.0".encode("utf-16-le"))
_OLE_SCAN_CHUNK = 1024 * 1024
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_ODF_MIME = b"application/vnd.oasis.opendocument."
# a line of a mail header ("Name: value") and the fields that make a header block an e-mail's
_HEADER_LINE = re.compile(rb"[!-9;-~]{1,76}:")
_MAIL_FIELDS = {b"date", b"subject", b"message-id", b"mime-version", b"received", b"to", b"return-path",
                b"delivered-to", b"content-type"}
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)
# xml declaration, comments and whitespace that may precede the first real tag
_XML_PROLOG = re.compile(r"\A(?:\s+|<\?xml[^>]*\?>|<!--.*?-->)*", re.S)
_HTML_START = re.compile(r"<(?:html\b|!doctype\s+html\b|table\b|head\b|body\b)", re.I)


def detect(path: Path, rel: str, max_bytes: int = DEFAULT_MAX_BYTES, data: bytes | None = None,
           limits: settings.Limits = settings.LIMITS) -> tuple[str, list[Finding]]:
    """Return (kind, []) for a workbook (XLSX, ODS) or a container (ZIP, EML, MBOX, MSG), else
    ("rejected", [one error]).

    Args:
        path: the file to look at (for an entry inside a container: its name, with ``data``).
        rel: the file's path relative to the input folder, used in findings.
        max_bytes: files larger than this are rejected as ``file-too-large`` (saved e-mails and
            mailboxes have limits of their own in ``limits``).
        data: the file's bytes, when the caller has read them already (then the file is not opened).
    """

    def reject(code: str, found: str | Msg = "", expected: str = "") -> tuple[str, list[Finding]]:
        return REJECTED, [Finding(code, rel, found=found, expected=expected)]

    def sized(kind: str, limit: int) -> tuple[str, list[Finding]]:
        return (kind, []) if size <= limit else reject("file-too-large", human_size(size), human_size(limit))

    if path.name.startswith("~$"):
        return reject("office-lock-file", path.name)
    try:
        if data is None:
            size = path.stat().st_size
            with path.open("rb") as fh:
                head = fh.read(_PREFIX)
        else:
            size, head = len(data), data[:_PREFIX]
    except OSError as exc:
        return reject("corrupt-workbook", msg("reason.cannot-open", error=exc.strerror or type(exc).__name__))
    if size == 0 or not head:
        return reject("empty-file", "0 B")
    mail = _mail_kind(head)
    if mail is not None:
        return sized(mail, limits.max_mailbox_bytes if mail == MBOX else limits.max_message_bytes)
    source = path if data is None else io.BytesIO(data)
    if head.startswith(_OLE_MAGIC) and _ole_has(source, head, _OLE_MSG_NAMES):
        return sized(MSG, limits.max_message_bytes)
    if size > max_bytes:
        return reject("file-too-large", human_size(size), human_size(max_bytes))

    if head.startswith(_OLE_MAGIC):
        if _ole_has(source, head, _OLE_ENCRYPTED_NAMES):
            return reject("encrypted-file")
        return reject("legacy-xls-format")
    if head.startswith(b"PK"):
        return _detect_zip(source, reject)
    if b"%PDF-" in head[:1024]:
        return reject("pdf-not-workbook", "PDF")
    for magic, label in _IMAGES:
        if head.startswith(magic):
            return reject("image-not-workbook", label)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return reject("image-not-workbook", "WEBP")

    text = _as_text(head)
    if text is not None:
        body = _XML_PROLOG.sub("", text, count=1)
        if _HTML_START.match(body):
            return reject("html-not-workbook", "HTML")
        if body.startswith("<"):
            return reject("xml-not-workbook", "XML")
        return reject("csv-not-workbook", _text_kind(text))
    return reject("unknown-format", head[:8].hex(" "))


def _mail_kind(head: bytes) -> str | None:
    """MBOX when ``head`` starts a mailbox ("From " line, then a header), EML when it starts with a mail
    header block that has a From field and another field only e-mails have; else None."""
    lines = head.split(b"\n", 60)[:60]
    if lines[0].startswith(b"From ") and len(lines) > 1:
        return MBOX if _HEADER_LINE.match(lines[1]) else None
    names: set[bytes] = set()
    for line in lines[:-1]:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t") and names:
            continue
        m = _HEADER_LINE.match(line)
        if m is None:
            return None
        names.add(m.group()[:-1].lower())
    return EML if b"from" in names and names & _MAIL_FIELDS else None


def human_size(n: int) -> Num:
    """Bytes as a short text with binary units: "512 B", "3.4 KB", "25 MB", "1.2 GB" (shown "3,4 KB" in Bahasa
    Indonesia: a :class:`~pipeline.i18n.Num`)."""
    if n < 1024:
        return Num(f"{n} B")
    value, unit = n / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return Num(f"{value:.1f} {unit}".replace(".0 ", " "))


def _detect_zip(path: Path | io.BytesIO, reject) -> tuple[str, list[Finding]]:
    mimetype = b""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename.replace("\\", "/").lstrip("/").casefold(): i for i in infos}
            mime = names.get("mimetype")
            if mime is not None and mime.file_size < 200:
                with zf.open(mime) as fh:
                    mimetype = fh.read(200).strip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError, struct.error, UnicodeDecodeError) as exc:
        return reject("corrupt-workbook", zip_error_reason(exc))
    if mimetype.startswith(_ODS_MIME) and "content.xml" in names:
        return ODS, []
    if "xl/workbook.xml" in names:
        return XLSX, []
    if "xl/workbook.bin" in names:
        return reject("xlsb-format", "XLSB")
    if mimetype.startswith(_ODF_MIME):
        return reject("document-not-workbook", "OpenDocument " + mimetype[len(_ODF_MIME):].decode("ascii", "replace"))
    for folder, label in (("word/", "Word"), ("ppt/", "PowerPoint")):
        if any(n.startswith(folder) for n in names) and "[content_types].xml" in names:
            return reject("document-not-workbook", label)
    return ZIP, []


def zip_error_reason(exc: BaseException) -> Msg:
    """A short reason for an exception raised by zipfile/zlib (no traceback text)."""
    text = str(exc).lower()
    if "crc" in text:
        return msg("reason.zip-crc")
    if "encrypted" in text or "password" in text:
        return msg("reason.zip-encrypted")
    if isinstance(exc, NotImplementedError) or "compression method" in text:
        return msg("reason.zip-method")
    if isinstance(exc, EOFError) or "truncated" in text or "ended" in text:
        return msg("reason.zip-data-truncated")
    if "not a zip file" in text or "end of central directory" in text:
        return msg("reason.zip-truncated")
    if "error -" in text or "invalid" in text:
        return msg("reason.zip-deflate")
    return msg("reason.zip-other", name=type(exc).__name__)


def _ole_has(source: Path | io.BytesIO, head: bytes, names: tuple[bytes, ...]) -> bool:
    """True when an OLE2 compound file's directory names a stream starting with one of ``names``.

    Looks first at the first directory sector named in the header (where Office writes the
    entries), then falls back to a chunked scan of the whole file; both are bounded by the
    file size limit already checked.
    """
    try:
        sector_shift = struct.unpack_from("<H", head, 0x1E)[0]
        first_dir = struct.unpack_from("<I", head, 0x30)[0]
    except struct.error:
        return False
    keep = max(len(n) for n in names)
    try:
        with source.open("rb") if isinstance(source, Path) else contextlib.nullcontext(source) as fh:
            if 7 <= sector_shift <= 16 and first_dir < 0xFFFFFFFA:
                size = 1 << sector_shift
                fh.seek((first_dir + 1) * size)
                if any(n in fh.read(size) for n in names):
                    return True
            fh.seek(0)
            tail = b""
            while chunk := fh.read(_OLE_SCAN_CHUNK):
                window = tail + chunk
                if any(n in window for n in names):
                    return True
                tail = window[-keep:]
    except OSError:
        return False
    return False


def _as_text(head: bytes) -> str | None:
    """Decode a prefix as text (BOM-aware UTF-8/16, else UTF-8, else cp1252); None for binary data."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            data, encodings = head[len(bom):], (enc,)
            break
    else:
        data, encodings = head, ("utf-8", "cp1252")
    for enc in encodings:
        try:
            text = codecs.getincrementaldecoder(enc)().decode(data, final=False)
        except UnicodeDecodeError:
            continue
        if not text:
            return None
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        if controls > len(text) // 100:
            return None
        return text
    return None


def _text_kind(text: str) -> str | Msg:
    first = text.lstrip().split("\n", 1)[0]
    for sep, label in (("\t", msg("reason.text-tab")), (";", "CSV (;)"), (",", "CSV (,)")):
        if sep in first:
            return label
    return msg("reason.text")
