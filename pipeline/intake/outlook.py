"""Outlook .msg messages opened in memory with extract-msg: provenance and attachments, as a saved e-mail.

Why extract-msg: a .msg is an OLE2 compound file holding MAPI properties, a format the standard library
does not read; extract-msg is the maintained reader of it (it parses the compound file with olefile and
decodes the properties, attachments and embedded messages). It is imported only when a .msg is met (it takes
0.2 s to import) and, like every reader of untrusted bytes here, runs in a worker process with memory and
time limits. Everything it raises for a file that is not a sound .msg becomes ``mail-unreadable``.
"""

from __future__ import annotations

import datetime as dt
import logging

from pipeline import settings
from pipeline.i18n import msg
from pipeline.intake.mail import Attachment, Mail, Problem, safe_name
from pipeline.intake.sniff import human_size
from pipeline.text import safe_text

logging.getLogger("extract_msg").setLevel(logging.CRITICAL)  # its warnings about odd files are findings here


def parse(data: bytes, limits: settings.Limits = settings.LIMITS) -> Mail:
    """One Outlook message from its bytes (never raises for bad content)."""
    if len(data) > limits.max_message_bytes:
        return Mail(problem=Problem("file-too-large", human_size(len(data)), human_size(limits.max_message_bytes)))
    import extract_msg

    try:
        message = extract_msg.openMsg(data, delayAttachments=False,
                                      errorBehavior=extract_msg.enums.ErrorBehavior.ATTACH_SUPPRESS_ALL)
    except Exception as exc:  # noqa: BLE001 - any failure of the reader: the file is not a sound .msg
        return Mail(problem=Problem("mail-unreadable", msg("reason.not-msg", name=type(exc).__name__)))
    try:
        return _mail(message, limits, 0, [0])
    except Exception as exc:  # noqa: BLE001
        return Mail(problem=Problem("mail-unreadable", msg("reason.not-msg", name=type(exc).__name__)))
    finally:
        message.close()


def _mail(message: object, limits: settings.Limits, depth: int, counter: list[int]) -> Mail:
    import extract_msg

    sender = safe_text(_get(message, "sender"), 300).strip()
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip().lower() if "<" in sender else (
        sender.lower() if "@" in sender else "")
    date = _get(message, "date", None)
    out = Mail(sender=sender, address=address[:200], subject=safe_text(_get(message, "subject"), 200),
               date=(date if date.tzinfo else date.replace(tzinfo=dt.UTC)) if isinstance(date, dt.datetime) else None,
               message_id=safe_text(_get(message, "messageId"), 200).strip())
    for att in getattr(message, "attachments", None) or []:
        counter[0] += 1
        if counter[0] > limits.max_parts or depth >= limits.max_depth:
            too_many = counter[0] > limits.max_parts
            key, n = ("reason.mail-parts", limits.max_parts) if too_many else ("reason.mail-depth", limits.max_depth)
            out.problem, out.parts = Problem("mail-too-complex", msg(key, n=f"> {n}"), msg(key, n=n)), []
            return out
        raw = str(_get(att, "longFilename") or _get(att, "shortFilename") or _get(att, "name") or "")
        name, unsafe = safe_name(raw, f"attachment-{len(out.parts) + 1}")
        name_problem = Problem("attachment-name-unsafe", safe_text(raw, 200), name) if unsafe else None
        data = _get(att, "data", None)
        if isinstance(data, extract_msg.msg_classes.MSGFile):  # an attached Outlook message
            inner = _mail(data, limits, depth + 1, counter)
            inner.name = name if raw else (inner.subject[:60] or "message") + ".msg"
            out.parts.append(inner)
        elif isinstance(data, bytes):
            problem = (Problem("file-too-large", human_size(len(data)), human_size(limits.max_file_bytes))
                       if len(data) > limits.max_file_bytes else None)
            out.parts.append(Attachment(name, None if problem else data, len(data), problem, name_problem))
        else:  # a link to the web, or an attachment the reader cannot give
            out.parts.append(Attachment(name, None, 0, Problem("attachment-broken", msg("reason.not-msg",
                                                                                         name=type(att).__name__)),
                                        name_problem))
    return out


def _get(obj: object, name: str, default: object = "") -> object:
    """An attribute the reader computes on demand; a damaged property gives ``default``."""
    try:
        value = getattr(obj, name)
    except Exception:  # noqa: BLE001 - a damaged property is missing provenance, not a failure
        return default
    return default if value is None else value
