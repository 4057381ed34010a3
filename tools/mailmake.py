"""Saved e-mails made from files, as OPDs send them: .eml, .mbox and Outlook .msg (samples, tests, benchmark).

A developer tool, not part of the pipeline: ``eml()`` writes one message with the standard library's
:mod:`email` package, ``mbox()`` a mailbox of several, ``msg()`` an Outlook message (an OLE2 compound file of
MAPI properties, written with extract-msg's OLE writer). The same arguments always give the same bytes
(fixed boundaries, dates and Message-IDs), so the samples built from them stay byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import mimetypes
import struct
from collections.abc import Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

Attachment = tuple[str, bytes]  # (file name, bytes)


def eml(sender: str, subject: str, date: dt.datetime, attachments: Sequence[Attachment] = (), *,
        body: str = "Terlampir kuesioner SPBE kami.", message_id: str = "", to: str = "spbe@diskominfo.example.go.id",
        ) -> bytes:
    """One message: a text body and the attachments (names encoded as RFC 2231 when not ASCII)."""
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = format_datetime(date)
    m["Message-ID"] = message_id or f"<{hashlib.sha256(f'{sender}|{subject}|{date}'.encode()).hexdigest()[:16]}@opd.example.go.id>"
    m["MIME-Version"] = "1.0"
    m.set_content(body)
    for name, data in attachments:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        m.add_attachment(data, maintype=main, subtype=sub, filename=name)
    if attachments:
        m.set_boundary("=_spbe_" + str(len(attachments)) + "_" + date.strftime("%Y%m%d%H%M%S"))
    return m.as_bytes(policy=SMTP)


def mbox(messages: Sequence[bytes]) -> bytes:
    """A mailbox (mboxrd): each message after a "From " line, body lines starting with "From " quoted."""
    out = []
    for data in messages:
        text = data.replace(b"\r\n", b"\n")
        lines = [b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in text.split(b"\n")]
        out.append(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + b"\n".join(lines).rstrip(b"\n") + b"\n\n")
    return b"".join(out)


# ---------------------------------------------------------------- Outlook .msg

_UNICODE, _BINARY, _LONG, _TIME = 0x001F, 0x0102, 0x0003, 0x0040


def msg(sender_name: str, sender: str, subject: str, date: dt.datetime, attachments: Sequence[Attachment] = (), *,
        body: str = "Terlampir kuesioner SPBE kami.", message_id: str = "") -> bytes:
    """An Outlook message (IPM.Note) with the attachments, as Outlook's "Save As .msg" stores it."""
    from extract_msg.ole_writer import OleWriter

    w = OleWriter()
    headers = (f"From: {sender_name} <{sender}>\r\nSubject: {subject}\r\nDate: {format_datetime(date)}\r\n"
               f"Message-ID: {message_id or '<msg-' + date.strftime('%Y%m%d%H%M%S') + '@opd.example.go.id>'}\r\n")
    for prop, text in ((0x001A, "IPM.Note"), (0x0037, subject), (0x0C1A, sender_name), (0x0C1F, sender),
                       (0x5D01, sender), (0x1000, body), (0x007D, headers),
                       (0x1035, message_id or f"<msg-{date:%Y%m%d%H%M%S}@opd.example.go.id>")):
        w.addEntry(_stream(prop, _UNICODE), text.encode("utf-16-le"))
    filetime = int((date - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)
    props = [(0x0039, _TIME, filetime), (0x0E06, _TIME, filetime), (0x0E07, _LONG, 1)]  # submitted, delivered, read
    head = bytes(8) + struct.pack("<IIII", 0, len(attachments), 0, len(attachments)) + bytes(8)
    w.addEntry("__properties_version1.0", head + b"".join(_prop(*p) for p in props))
    w.addEntry("__nameid_version1.0", storage=True)
    for n in (2, 3, 4):
        w.addEntry(f"__nameid_version1.0/__substg1.0_000{n}0102", b"")
    for i, (name, data) in enumerate(attachments):
        folder = f"__attach_version1.0_#{i:08X}"
        w.addEntry(folder, storage=True)
        w.addEntry(f"{folder}/__properties_version1.0",
                   bytes(8) + _prop(0x3705, _LONG, 1) + _prop(0x0E21, _LONG, i) + _prop(0x0E20, _LONG, len(data)))
        w.addEntry(f"{folder}/{_stream(0x3707, _UNICODE)}", name.encode("utf-16-le"))
        w.addEntry(f"{folder}/{_stream(0x3704, _UNICODE)}", name[:12].encode("utf-16-le"))
        w.addEntry(f"{folder}/{_stream(0x3701, _BINARY)}", data)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _stream(prop: int, kind: int) -> str:
    return f"__substg1.0_{prop:04X}{kind:04X}"


def _prop(prop: int, kind: int, value: int) -> bytes:
    return struct.pack("<IIQ", (prop << 16) | kind, 0x6, value)
