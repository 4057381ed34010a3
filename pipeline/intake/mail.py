"""Saved e-mails (.eml, .mbox) opened in memory: each message's provenance and its attachments' bytes.

The standard library's :mod:`email` parses a message, but only after the bytes passed bounded checks that
its parser does not make: the message's size, the number of its header lines and of its MIME boundaries
(a "MIME bomb" of thousands of parts is refused before it is parsed), then the nesting depth and the number
of parts while walking it. An attachment's size is estimated from its encoded length before it is decoded,
base64 is decoded strictly (a broken attachment is reported, not guessed at), and file names are decoded
(RFC 2047 and RFC 2231) and reduced to a plain name: nothing here ever touches the disk, and a name is never
a path. An .mbox is read message by message, line by line (never a whole line of unbounded length at once).

Problems are returned as data (:class:`Problem`); :mod:`pipeline.intake.read` makes them findings.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.errors
import email.parser
import quopri
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.header import Header, decode_header, make_header
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import BinaryIO

from pipeline import settings
from pipeline.i18n import Msg, Num, msg
from pipeline.intake.sniff import human_size
from pipeline.text import safe_text

_HEADER_MAX = 2000  # characters of a header value decoded (addresses, subject, names)
_LINE_MAX = 1 << 20  # bytes of one mbox line read at once
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BODY_TYPES = ("text/plain", "text/html", "text/enriched")


@dataclass(frozen=True)
class Problem:
    """Why a message or an attachment is not read: a finding code and its data."""

    code: str
    found: str | Msg = ""
    expected: str | Msg = ""


@dataclass
class Attachment:
    """One attachment: its plain name, its bytes (None when not decoded) and what is wrong with it."""

    name: str
    data: bytes | None
    size: int
    problem: Problem | None = None
    name_problem: Problem | None = None  # a warning about the name (a path, a broken encoding)


@dataclass
class Mail:
    """One message: who sent it, when, about what; its attachments and attached messages, in order."""

    sender: str = ""
    address: str = ""
    date: dt.datetime | None = None
    subject: str = ""
    message_id: str = ""
    parts: list[Attachment | Mail] = field(default_factory=list)
    problem: Problem | None = None  # the message could not be read (its parts are then empty)
    name: str = ""  # for an attached message: its file name
    raw: bytes = b""  # for an attached message: its bytes (for its SHA-256)


def safe_name(raw: str, fallback: str = "noname") -> tuple[str, bool]:
    """A name to show for an attachment or an archive member: its last path component, without control or
    direction-changing characters, at most 120 characters; and whether the raw name was unsafe as a path."""
    cleaned = _UNSAFE.sub("", unicodedata.normalize("NFC", raw))
    parts = [p.strip() for p in re.split(r"[/\\]", cleaned)]
    name = next((p for p in reversed(parts) if p and p not in (".", "..")), "")
    unsafe = cleaned != raw or len(parts) > 1 or ".." in parts or ":" in name[:3]
    name = name.replace(":", "_")
    return (name[:120] or fallback), unsafe


def parse(data: bytes, limits: settings.Limits = settings.LIMITS, depth: int = 0) -> Mail:
    """One message from its bytes (never raises for bad content)."""
    if len(data) > limits.max_message_bytes:
        return Mail(problem=Problem("file-too-large", human_size(len(data)), human_size(limits.max_message_bytes)))
    problem = _precheck(data, limits)
    if problem is not None:
        mail = _headers_only(data)
        mail.problem = problem
        return mail
    try:
        message = email.parser.BytesParser().parsebytes(data)
        return _mail(message, limits, depth)
    except RecursionError:
        return Mail(problem=Problem("mail-too-complex", msg("reason.mail-depth", n=">" + str(limits.max_depth)),
                                    msg("reason.mail-depth", n=limits.max_depth)))
    except _TooComplex as exc:
        mail = _headers_only(data)
        mail.problem = exc.problem
        return mail
    except (ValueError, TypeError, LookupError, UnicodeError, IndexError, AttributeError) as exc:
        return Mail(problem=Problem("mail-unreadable", msg("reason.unexpected", name=type(exc).__name__)))


def mbox(fh: BinaryIO, limits: settings.Limits = settings.LIMITS) -> Iterator[tuple[bytes | None, int]]:
    """The messages of an mbox file, in order, as (bytes, size); bytes is None for a message over the size limit.

    A message starts at a line beginning with "From " (the mboxo/mboxrd convention: such lines in a
    body are written as ">From "); the caller stops after ``limits.max_entries`` messages.
    """
    lines: list[bytes] | None = None
    size = 0
    at_line_start = True
    while True:
        line = fh.readline(_LINE_MAX)
        starts = at_line_start and line.startswith(b"From ")
        if (starts or not line) and lines is not None:
            yield (b"".join(lines) if size <= limits.max_message_bytes else None), size
        if not line:
            return
        if starts:
            lines, size = [], 0
        elif lines is not None:
            size += len(line)
            if size <= limits.max_message_bytes:
                lines.append(line[1:] if line.startswith(b">From ") else line)
        at_line_start = line.endswith(b"\n")


# ---------------------------------------------------------------- one message


class _TooComplex(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def _precheck(data: bytes, limits: settings.Limits) -> Problem | None:
    """What the parser must not be given: too many header lines, too many MIME boundaries."""
    end = min((i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0), default=len(data))
    lines = data.count(b"\n", 0, end) + 1
    if lines > limits.max_header_lines:
        return Problem("mail-too-complex", msg("reason.mail-headers", n=Num(f"{lines:,}")),
                       msg("reason.mail-headers", n=Num(f"{limits.max_header_lines:,}")))
    boundaries = data.count(b"\n--")
    if boundaries > 2 * limits.max_parts + 10:
        return Problem("mail-too-complex", msg("reason.mail-parts", n=Num(f"> {limits.max_parts:,}")),
                       msg("reason.mail-parts", n=Num(f"{limits.max_parts:,}")))
    return None


def _headers_only(data: bytes) -> Mail:
    """The provenance of a message that is not read further (its first header lines only)."""
    head = data[:64 * 1024].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    try:
        return _mail(email.parser.BytesParser().parsebytes(head[:64 * 1024], headersonly=True), None, 0)
    except Exception:  # noqa: BLE001 - only the provenance is wanted; a message that has none shows none
        return Mail()


def _mail(message: Message, limits: settings.Limits | None, depth: int) -> Mail:
    sender_name, address = parseaddr(_header(message, "From"))
    out = Mail(sender=_sender(sender_name, address), address=address.strip().lower()[:200],
               date=_date(_header(message, "Date")), subject=_header(message, "Subject")[:200],
               message_id=_header(message, "Message-ID").strip()[:200])
    if limits is not None:
        counter = [0]
        _walk(message, out, limits, depth, counter)
    return out


def _walk(part: Message, out: Mail, limits: settings.Limits, depth: int, counter: list[int]) -> None:
    counter[0] += 1
    if counter[0] > limits.max_parts:
        raise _TooComplex(Problem("mail-too-complex", msg("reason.mail-parts", n=Num(f"> {limits.max_parts:,}")),
                                  msg("reason.mail-parts", n=Num(f"{limits.max_parts:,}"))))
    if depth > limits.max_depth:
        raise _TooComplex(Problem("mail-too-complex", msg("reason.mail-depth", n=f"> {limits.max_depth}"),
                                  msg("reason.mail-depth", n=limits.max_depth)))
    ctype = part.get_content_type()
    if ctype == "message/rfc822" or (part.is_multipart() and ctype.startswith("message/")):
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else None
        if isinstance(inner, Message):
            mail = _mail_parts(inner, limits, depth + 1, counter)
            mail.name = safe_name(_filename(part)[0] or (mail.subject[:60] or "message") + ".eml")[0]
            try:
                mail.raw = inner.as_bytes()
            except (ValueError, LookupError, UnicodeError, TypeError):
                mail.raw = b""
            out.parts.append(mail)
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                _walk(child, out, limits, depth + 1, counter)
        return
    name, name_problem = _filename(part)
    disposition = str(part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
    if disposition != "attachment" and (
            (not name and (ctype in _BODY_TYPES or ctype.startswith("multipart/")))
            or (disposition == "inline" and part.get("Content-ID") and ctype.startswith("image/"))):
        return  # the message's text, or an image shown inside it (a logo in a signature)
    shown, unsafe = safe_name(name, f"attachment-{len(out.parts) + 1}")
    if name_problem is None and unsafe:
        name_problem = Problem("attachment-name-unsafe", safe_text(name, 200), shown)
    elif name_problem is not None:
        name_problem = Problem(name_problem.code, name_problem.found, shown)
    out.parts.append(_attachment(part, shown, name_problem, limits))


def _mail_parts(message: Message, limits: settings.Limits, depth: int, counter: list[int]) -> Mail:
    mail = _mail(message, None, depth)
    _walk(message, mail, limits, depth, counter)
    return mail


def _attachment(part: Message, name: str, name_problem: Problem | None, limits: settings.Limits) -> Attachment:
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    raw = part.get_payload()
    if not isinstance(raw, str):
        raw = ""
    if cte == "base64":
        encoded = "".join(raw.split())
        estimate = len(encoded) * 3 // 4
        if estimate > limits.max_file_bytes:
            return Attachment(name, None, estimate, Problem("file-too-large", human_size(estimate),
                                                              human_size(limits.max_file_bytes)), name_problem)
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return Attachment(name, None, estimate, Problem("attachment-broken", msg("reason.base64")), name_problem)
    elif len(raw) > 2 * limits.max_file_bytes:
        return Attachment(name, None, len(raw), Problem("file-too-large", human_size(len(raw)),
                                                          human_size(limits.max_file_bytes)), name_problem)
    elif cte == "quoted-printable":
        data = quopri.decodestring(raw.encode("ascii", "surrogateescape"))
    else:
        data = raw.encode("ascii", "surrogateescape")  # 7bit, 8bit, binary: the bytes as they came
    if len(data) > limits.max_file_bytes:
        return Attachment(name, None, len(data), Problem("file-too-large", human_size(len(data)),
                                                           human_size(limits.max_file_bytes)), name_problem)
    return Attachment(name, data, len(data), None, name_problem)


def _filename(part: Message) -> tuple[str, Problem | None]:
    """A part's file name, decoded (RFC 2231 parameters, RFC 2047 encoded words); a broken encoding is a
    warning and the name is decoded as far as it goes."""
    try:
        raw = part.get_filename() or part.get_param("name") or ""
        if "\ufffd" in str(raw):  # sent as raw UTF-8 (RFC 6532): read the header's bytes as UTF-8
            raw = _utf8_filename(part) or raw
    except (ValueError, LookupError, UnicodeError, TypeError, email.errors.MessageError):
        raw = ""
    if isinstance(raw, tuple):  # an RFC 2231 value get_param left undecoded
        raw = raw[2] if len(raw) == 3 and isinstance(raw[2], str) else ""
    raw = _utf8(str(raw)[:_HEADER_MAX])
    text, ok = _decode_words(raw)
    if not ok or "\ufffd" in text:
        return text, Problem("attachment-name-undecodable", safe_text(raw, 200))
    return text, None


def _utf8_filename(part: Message) -> str:
    for name in ("Content-Disposition", "Content-Type"):
        value = part.get(name)
        if isinstance(value, Header):
            text = b"".join(b if isinstance(b, bytes) else b.encode() for b, _ in decode_header(value))
            header = email.message_from_string(f"{name}: {text.decode('utf-8', 'replace')}\n\n")
            found = header.get_filename() or header.get_param("name")
            if isinstance(found, str) and found:
                return found
    return ""


def _utf8(text: str) -> str:
    """A header value sent as raw 8-bit bytes (RFC 6532), which the parser kept as escapes: read as UTF-8."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _decode_words(raw: str) -> tuple[str, bool]:
    """RFC 2047 encoded words decoded; (text, True) or a best effort and False."""
    if "=?" not in raw:
        return raw, True
    try:
        return str(make_header(decode_header(raw))), True
    except (ValueError, LookupError, UnicodeError, binascii.Error, email.errors.HeaderParseError):
        return re.sub(r"=\?[^?]*\?[bBqQ]\?[^?]*\?=", "?", raw), False


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, LookupError, UnicodeError, TypeError):
        return ""
    if value is None:
        return ""
    text, _ = _decode_words(_utf8(str(value)[:_HEADER_MAX]))
    return " ".join(safe_text(text, _HEADER_MAX).split())


def _sender(name: str, address: str) -> str:
    name, address = name.strip().strip('"'), address.strip()
    return f"{name} <{address}>" if name and address else (address or name)


def _date(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
