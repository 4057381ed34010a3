"""A zip archive opened in memory: its files' bytes, each within the limits of a single file.

Declared sizes are checked first (a member over the file size limit is not read, a bomb's declared ratio
stops the archive) and then enforced while decompressing, so an archive whose sizes lie costs no more.
A member's name is shown as its last plain component (:func:`pipeline.intake.mail.safe_name`): it is never
a path, and nothing is written to disk.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from pipeline import settings
from pipeline.i18n import Num, msg
from pipeline.intake.mail import Attachment, Problem, safe_name
from pipeline.intake.sniff import human_size, zip_error_reason
from pipeline.text import safe_text

_CHUNK = 256 * 1024
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
               struct.error, zlib.error, ValueError, UnicodeDecodeError)


def members(data: bytes, limits: settings.Limits = settings.LIMITS) -> tuple[list[Attachment], Problem | None]:
    """The files of the archive in ``data`` (folders skipped), in order; and what stopped reading, if anything."""
    out: list[Attachment] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > min(limits.max_entries, limits.max_members):
                n = min(limits.max_entries, limits.max_members)
                return [], Problem("resource-limit", msg("reason.zip-members", n=Num(f"{n:,}")))
            total = 0
            for info in infos:
                total += min(info.file_size, limits.max_file_bytes + 1)
                if total > limits.max_total_uncompressed:
                    return out, Problem("zip-bomb", msg("reason.total-over", size=human_size(limits.max_total_uncompressed)),
                                        human_size(limits.max_total_uncompressed))
                out.append(_member(zf, info, limits))
    except _ZIP_ERRORS as exc:
        return out, Problem("corrupt-workbook", zip_error_reason(exc))
    return out, None


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: settings.Limits) -> Attachment:
    raw = info.filename
    name, unsafe = safe_name(raw)
    name_problem = Problem("attachment-name-unsafe", safe_text(raw, 200), name) if unsafe and (
        raw.startswith(("/", "\\")) or ".." in raw.replace("\\", "/").split("/") or "\\" in raw or ":" in raw) else None

    def failed(code: str, found: object = "", expected: object = "") -> Attachment:
        return Attachment(name, None, info.file_size, Problem(code, found, expected), name_problem)

    if info.flag_bits & 0x1:
        return failed("encrypted-file")
    if info.file_size > limits.max_file_bytes:
        return failed("file-too-large", human_size(info.file_size), human_size(limits.max_file_bytes))
    if info.file_size > limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        ratio = msg("reason.ratio", ratio=f"{info.file_size / max(info.compress_size, 1):.0f}")
        return failed("zip-bomb", ratio, msg("reason.ratio", ratio=f"{limits.max_ratio:.0f}"))
    chunks, size = [], 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > limits.max_file_bytes:  # the declared size lied
                    return failed("zip-bomb", msg("reason.over", size=human_size(limits.max_file_bytes)),
                                  human_size(limits.max_file_bytes))
                chunks.append(chunk)
    except _ZIP_ERRORS as exc:
        return failed("corrupt-workbook", zip_error_reason(exc))
    return Attachment(name, b"".join(chunks), size, None, name_problem)
