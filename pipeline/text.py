"""Small text helpers shared by the reader and the writers: cleaning, folding, A1 cell addresses."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipeline.settings import EXCEL_MAX_CHARS

TRUNCATION_MARKER = " [...]"  # in no language: the text-truncated finding says what was cut, in the user's
# XML 1.0 forbids C0 controls other than tab/newline/carriage return; lone surrogates cannot be encoded; C1
# controls (U+0080-U+009F) and the bidirectional overrides and isolates can make a text show something else
# than it holds (U+202E turns "xlsx.exe" into "exe.xslx"): all are removed from what is shown or written.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
                        "\ud800-\udfff]")
# for a terminal: every control character (escape sequences above all) and bidirectional control
_TERMINAL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@lru_cache(maxsize=4096)
def col_letter(col: int) -> str:
    """1-based column number to letters (1 -> A, 27 -> AA)."""
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def col_number(letters: str) -> int:
    """Column letters to a 1-based number (A -> 1, AA -> 27); 0 for no letters."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def a1(row: int, col: int) -> str:
    """A1 address of a 1-based (row, column)."""
    return f"{col_letter(col)}{row}"


def cell_key(cell: str) -> tuple[int, int]:
    """Sort key of an A1 address: row, then column (so A10 comes after A9); (0, 0) for none."""
    letters = cell.rstrip("0123456789")
    digits = cell[len(letters):]
    return (int(digits) if digits.isdigit() else 0, col_number(letters.lstrip("$")))


def clean_text(value: object, limit: int = EXCEL_MAX_CHARS) -> tuple[str, bool, int]:
    """Text safe to show and to write to a workbook.

    Returns (text, had_bad_characters, original_length_if_truncated_else_0). Control characters and
    lone surrogates are removed; text longer than ``limit`` is cut with a visible marker.
    """
    text = "" if value is None else str(value)
    cleaned = _BAD_CHARS.sub("", text)
    bad = cleaned != text
    cut = 0
    if len(cleaned) > limit:
        cut = len(cleaned)
        cleaned = cleaned[: limit - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER
    return cleaned, bad, cut


def safe_text(value: object, limit: int = EXCEL_MAX_CHARS) -> str:
    return clean_text(value, limit)[0]


def visible(text: str) -> str:
    """One line safe to print to a terminal: control characters, line ends included, shown as escapes
    (``\\x1b``, ``\\n``), never acted on."""
    return _TERMINAL.sub(lambda m: m[0].encode("unicode_escape", "backslashreplace").decode("ascii"), text)


_NONWORD = re.compile(r"[^\w&/]+")


def fold(text: str) -> str:
    """Case/accent/width-insensitive form with single spaces (for vocabulary matching)."""
    return _fold(text) if isinstance(text, str) and len(text) <= 200 else _fold.__wrapped__(str(text))


@lru_cache(maxsize=8192)  # headings, labels and dropdown texts recur in every file
def _fold(text: str) -> str:
    if text.isascii():  # fast path: nothing to normalise but case and punctuation
        return " ".join(_NONWORD.sub(" ", text.lower()).split())
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(_NONWORD.sub(" ", text).split())
