"""Writing a workbook: checked writes, table bodies, row heights, print setup, sheet names, atomic publish.

Input-derived text always goes through :func:`pipeline.text.clean_text` and ``write_string`` (text
starting with "=", "+", "-" or "@" stays text); every xlsxwriter write return code is checked. A
workbook is written to a temporary file beside its target, checked, and renamed into place
(:func:`publish`), so a failure never leaves a half-written file.

Everything here uses xlsxwriter's public API: it is the plain path, the specification that
:mod:`pipeline.report.fast` must reproduce byte for byte.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import xlsxwriter

from pipeline import i18n
from pipeline.catalog.framework import Framework, display
from pipeline.errors import OutputError
from pipeline.i18n import Msg, msg
from pipeline.report import fast, style
from pipeline.scoring.rank import ProvinceSummary
from pipeline.text import a1, clean_text

FIXED_DATE = dt.datetime(2026, 1, 1, 0, 0, 0)  # document dates are fixed so output is byte-stable
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
SHEET_KEYS = ("sheet_summary", "sheet_ranking", "sheet_matrix", "sheet_validation", "sheet_files", "sheet_missing",
              "sheet_data", "sheet_apps", "sheet_shared", "sheet_hosting", "sheet_room", "sheet_order", "sheet_network",
              "sheet_services", "sheet_trend", "sheet_data_long")
_RESERVED_SHEETS = {"history"}  # Excel refuses a sheet named History
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class ReportWriteError(RuntimeError):
    """An xlsxwriter write call failed: a bug in the report, not a user problem."""


def sheet_names_for(codes: Sequence[str], reserved: Sequence[str] = ()) -> dict[str, str]:
    """A valid, unique sheet name per OPD code (at most 31 chars, none of []:*?/\\, no edge apostrophe).

    Names are compared case-insensitively (as Excel does) with each other and with ``reserved``;
    clashes get a suffix " (2)", " (3)", ...
    """
    taken = {r.casefold() for r in reserved} | _RESERVED_SHEETS
    out: dict[str, str] = {}
    for code in codes:
        base = _BAD_SHEET_CHARS.sub("_", clean_text(code)[0]).strip().strip("'").strip() or "OPD"
        name, n = base[:31], 1
        while name.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)].rstrip().rstrip("'") + suffix
        taken.add(name.casefold())
        out[code] = name
    return out


def file_stem_for(name: str) -> str:
    """A file name stem safe on Windows and Linux, from a sheet name."""
    return re.sub(r'[<>:"/\\|?*\s]+', "_", name).strip("._") or "OPD"


# ---------------------------------------------------------------- checked writes


def clean(value: object) -> str:
    """A value as cell text: :func:`pipeline.text.clean_text` (texts memoised: they recur on many rows)."""
    return _clean(value) if type(value) is str else clean_text(value)[0]


@functools.lru_cache(maxsize=1 << 14)
def _clean(text: str) -> str:
    return clean_text(text)[0]


QUOTED = frozenset("=+-@")  # a text starting with one of these gets the quote prefix (see Ctx.quoted)


class Out:
    """A worksheet whose every write is checked; text is always cleaned and written as a string, and text that
    starts like a formula (:data:`QUOTED`) with its format's quote-prefixed twin (``quote(fmt)``)."""

    def __init__(self, ws: object, quote: Callable[[object], object] | None = None) -> None:
        self.ws = ws
        self.name = ws.get_name()
        self.quote = quote

    def _ok(self, rc: int | None, r: int, c: int, what: str) -> None:
        if rc not in (0, None):
            raise ReportWriteError(f"{what} to {self.name}!{a1(r + 1, c + 1)} failed with code {rc}")

    def text(self, r: int, c: int, value: object, fmt: object = None) -> None:
        text = _clean(value) if type(value) is str else clean_text(value)[0]  # clean(), inline: it runs for every cell
        if text and text[0] in QUOTED and self.quote is not None:
            fmt = self.quote(fmt)
        rc = self.ws.write_string(r, c, text, fmt)
        if rc:
            self._ok(rc, r, c, "write_string")

    def num(self, r: int, c: int, value: float | int | Fraction | None, fmt: object = None) -> None:
        if value is None:
            self.blank(r, c, fmt)
            return
        number = float(value)
        if not math.isfinite(number):
            raise ReportWriteError(f"{self.name}!{a1(r + 1, c + 1)}: {value!r} is not a finite number")
        rc = self.ws.write_number(r, c, number, fmt)
        if rc:
            self._ok(rc, r, c, "write_number")

    def formula(self, r: int, c: int, formula: str, value: object, fmt: object = None) -> None:
        """A formula with its computed value cached, so viewers that do not recalculate show the right number."""
        self._ok(self.ws.write_formula(r, c, formula, fmt, value), r, c, "write_formula")

    def blank(self, r: int, c: int, fmt: object = None) -> None:
        self._ok(self.ws.write_blank(r, c, None, fmt), r, c, "write_blank")

    def url(self, r: int, c: int, url: str, text: str, fmt: object = None) -> None:
        text = clean_text(text)[0]
        if text and text[0] in QUOTED and self.quote is not None:
            fmt = self.quote(fmt)
        self._ok(self.ws.write_url(r, c, url, fmt, text), r, c, "write_url")

    def merged(self, r: int, c1: int, c2: int, value: object, fmt: object) -> None:
        """Columns c1..c2 of row ``r`` merged, showing ``value``."""
        self.ws.merge_range(r, c1, r, c2, "", fmt)
        self.text(r, c1, value, fmt)

    def title(self, text: str, fmt: object) -> None:
        """The sheet title in A1, on a row tall enough for its 16-point font (it never overlaps row 2)."""
        self.ws.set_row(0, 24)
        self.text(0, 0, text, fmt)

    def header(self, r: int, cols: Sequence[tuple[str, float]], fmt: object, c0: int = 0) -> None:
        """Write a heading row and set the column widths."""
        for i, (label, width) in enumerate(cols):
            self.text(r, c0 + i, label, fmt)
            self.ws.set_column(c0 + i, c0 + i, width)

    def table_setup(self, header_row: int, last_row: int, ncols: int, freeze_col: int = 0,
                    autofilter: bool = True) -> None:
        """Frozen heading, autofilter, landscape A4 fit to width with the heading repeated on every page."""
        self.ws.freeze_panes(header_row + 1, freeze_col)
        if autofilter:
            self.ws.autofilter(header_row, 0, max(header_row, last_row), ncols - 1)
        self.ws.repeat_rows(header_row)
        print_setup(self.ws)


class Body:
    """The body rows of a table: each row written cell by cell, columns in increasing order, then :meth:`end`.

    This one writes every cell through :class:`Out`; :class:`pipeline.report.fast.rows.Body` (same calls,
    same bytes) streams the rows of a large table.
    """

    def __init__(self, out: Out) -> None:
        self.out = out
        self.r = -1

    def row(self, r: int) -> Body:
        self.r = r
        return self

    def text(self, c: int, value: object, fmt: object = None) -> None:
        self.out.text(self.r, c, value, fmt)

    def num(self, c: int, value: float | int | Fraction | None, fmt: object = None) -> None:
        self.out.num(self.r, c, value, fmt)

    def formula(self, c: int, formula: str, value: float, fmt: object = None) -> None:
        self.out.formula(self.r, c, formula, value, fmt)

    def blank(self, c: int, fmt: object = None) -> None:
        self.out.blank(self.r, c, fmt)

    def merged(self, c1: int, c2: int, value: object, fmt: object) -> None:
        """Columns c1..c2 of this row merged, showing ``value``."""
        self.out.merged(self.r, c1, c2, value, fmt)

    def end(self, fit: Sequence[tuple[str, float]] = ()) -> None:
        """End the row; ``fit`` as :func:`fit_row` takes it (the row is made tall enough for wrapped texts)."""
        fit_row(self.out.ws, self.r, fit)


def print_setup(ws: object) -> None:
    """Landscape A4, one page wide (pages as tall as needed: manual page breaks are kept)."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


def fit_height(texts: Sequence[tuple[str, float]]) -> float | None:
    """The row height that shows wrapped texts in full (estimated from text length and column width), or
    None when one line is enough."""
    lines = 1
    for text, width in texts:  # a loop, not max() over a generator: this runs for every row of a table
        n = _lines(str(text), width)
        if n > lines:
            lines = n
    return min(409, 13.5 * lines + 3) if lines > 1 else None


@functools.lru_cache(maxsize=1 << 14)  # the same names and labels recur on many rows
def _lines(text: str, width: float) -> int:
    chars = max(1, int(width * 1.2))
    return sum(max(1, -(-len(line) // chars)) for line in text.split("\n"))


def fit_row(ws: object, r: int, texts: Sequence[tuple[str, float]]) -> None:
    """Set a row height that shows wrapped texts in full."""
    height = fit_height(texts)
    if height is not None:
        ws.set_row(r, height)


# ---------------------------------------------------------------- what every sheet writer is given


@dataclass(frozen=True)
class Meta:
    """What a workbook needs besides its sheets' own data."""

    fw: Framework
    lang: str
    year: int
    band_rule: str
    summary: ProvinceSummary | None


class Ctx:
    """A workbook being written: its strings, formats and sheets, and what the sheet writers share."""

    def __init__(self, wb: object, meta: Meta, *, formats: dict | None = None, accelerate: bool = False) -> None:
        self.wb = wb
        self.meta = meta
        self.fw = meta.fw
        self.lang = meta.lang
        self.t = i18n.table(meta.lang, "report")
        self.f = formats if formats is not None else {k: wb.add_format(v)
                                                      for k, v in style.format_specs(meta.fw).items()}
        self.names: list[str] = []  # the sheets, in order
        self.fast = accelerate and fast.enabled("rows")
        self._quoted: dict[int, object] = {}  # id of a format -> its quote-prefixed twin

    def quoted(self, fmt: object) -> object:
        """``fmt`` with the quote prefix, made when first needed: a text cell that starts with "=", "+", "-" or
        "@" keeps its apostrophe when edited, so that Excel or LibreOffice never turns it into a formula."""
        twin = self._quoted.get(id(fmt))
        if twin is None:
            if fmt is None:
                spec: dict = {}
            else:
                specs = style.format_specs(self.fw)
                spec = next(specs[k] for k, v in self.f.items() if v is fmt)
            twin = self._quoted[id(fmt)] = self.wb.add_format({**spec, "quote_prefix": True})
        return twin

    def text(self, key: str, **args: object) -> str:
        """A text of the workbook's table, its data filled in (a :class:`~pipeline.i18n.Num` with the language's
        separators)."""
        if not args:
            return self.t[key]
        return self.t[key].format(**{k: i18n.decimal(v, self.lang) if isinstance(v, i18n.Num) else v
                                     for k, v in args.items()})

    def number(self, value: Fraction, places: int = 2) -> str:
        """An exact value rounded for a sentence, with the decimal separator of the workbook's language."""
        return i18n.decimal(display(value, places), self.lang)

    def sheet(self, name: str) -> Out:
        self.names.append(name)
        return Out(fast.add_sheet(self.wb, name) if self.fast else self.wb.add_worksheet(name), self.quoted)

    def titled_sheet(self, key: str) -> Out:
        """A new sheet named ``sheet_<key>``, its title ``<key>_title`` in row 1 and note ``<key>_note`` in row 2."""
        out = self.sheet(self.t[f"sheet_{key}"])
        out.title(self.t[f"{key}_title"], self.f["title"])
        out.text(1, 0, self.t[f"{key}_note"], self.f["subtitle"])
        return out

    def body(self, out: Out, stream: bool = True) -> Body:
        """Rows of a table body; streamed when accelerated (``stream`` False: a chart reads these cells)."""
        return fast.body(out) if self.fast and stream else Body(out)

    def band_formula(self, ref: str) -> str:
        """LOOKUP of the predikat of the value in ``ref`` (self-contained: the bands are array constants)."""
        mins = ",".join(style.num_text(b.min) for b in self.fw.bands)
        names = ",".join('"' + b.name.replace('"', '""') + '"' for b in self.fw.bands)
        value = f"ROUND({ref},2)" if self.meta.band_rule == "rounded" else f"ROUND({ref},9)"
        return f"LOOKUP({value},{{{mins}}},{{{names}}})"

    def hosting(self, key: str) -> str:
        """Label of a hosting key ("lainnya: x" -> "Lainnya: x", "" -> not given)."""
        if not key:
            return self.t["unknown_location"]
        label = self.t.get(f"hosted-at.{key}")
        if label is not None:
            return label
        if key.startswith("lainnya:"):
            return self.t["other_location"].format(text=key.split(":", 1)[1].strip())
        return key

    def server_kind(self, key: str) -> str:
        """Label of a server kind key ("lainnya: x" -> "Lainnya: x", "" -> "")."""
        if key.startswith("lainnya:"):
            return self.t["other_location"].format(text=key.split(":", 1)[1].strip())
        return self.t.get(f"server-kind.{key}", key)

    def status(self, key: str) -> str:
        """Label of an application status key."""
        return self.t.get(f"app-status.{key}", key)

    def set_properties(self, title: str) -> None:
        self.wb.set_properties({"title": title, "subject": self.text("props_subject", year=self.meta.year),
                                "author": "Diskominfo", "company": "spbe-pipeline", "created": FIXED_DATE,
                                "comments": self.text("props_comments", framework=self.fw.id,
                                                      rule=self.meta.band_rule)})
        self.wb.set_calc_mode("auto")


def new_workbook(target: str | io.BytesIO, constant_memory: bool = False) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook with the report's options (in memory, or streaming its rows to disk)."""
    mode = {"constant_memory": True} if constant_memory else {"in_memory": True}
    return xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, **mode})


def workbook_bytes(build: Callable[[xlsxwriter.Workbook], object]) -> bytes:
    """The .xlsx bytes of a small workbook built in memory by ``build``."""
    buf = io.BytesIO()
    wb = new_workbook(buf)
    build(wb)
    wb.close()
    return buf.getvalue()


# ---------------------------------------------------------------- atomic publish


def publish(path: Path, payload: bytes, verify: Callable[[Path], Msg | None] | None = None,
            before_replace: Callable[[], object] | None = None) -> Path:
    """Write ``payload`` to ``path`` through a hidden temporary file beside it, flushed to the disk, then rename it
    into place.

    ``verify(tmp)`` says why the written file is bad (None when it is good); ``before_replace()`` runs last (its
    exception keeps the previous file).

    Raises:
        OutputError: what kept the file from being written (:func:`pipeline.report.publish.error`: disk full,
            not writable, open in Excel), or the check failed.
    """
    from pipeline.report import publish as pub

    pub.check_target(path)
    tmp: Path | None = None
    try:
        try:
            fd, name = tempfile.mkstemp(prefix=f".~{path.stem[:40]}-", suffix=".xlsx", dir=path.parent)
        except FileNotFoundError:
            pub.make_folder(path.parent)
            fd, name = tempfile.mkstemp(prefix=f".~{path.stem[:40]}-", suffix=".xlsx", dir=path.parent)
        tmp = Path(name)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o644)  # mkstemp creates 0600; the report is meant to be shared
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            pub.sync(fd)
        finally:
            os.close(fd)
        why = verify(tmp) if verify else None
        if why:
            raise OutputError("error.output-verify", path=path, why=why)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)  # fails on a file locked by Excel
        tmp = None
        pub.sync_folder(path.parent)
    except OSError as exc:
        raise pub.error(exc, path) from None
    finally:
        if tmp is not None:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass  # the temp file may still be held by an antivirus scanner; the next run deletes it
    return path


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REQUIRED_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/styles.xml",
                   "xl/_rels/workbook.xml.rels")


def verify_workbook(tmp: Path, names: Sequence[str]) -> Msg | None:
    """None when the written file is a sound zip (every part's CRC checked) whose workbook lists the sheets
    ``names``, each with its part, else why not. Cheap: no spreadsheet library loads it."""
    try:
        with zipfile.ZipFile(tmp) as z:
            bad = z.testzip()
            if bad:
                return msg("reason.verify-damaged", part=bad)
            parts = set(z.namelist())
            sheets = [f"xl/worksheets/sheet{k}.xml" for k in range(1, len(names) + 1)]
            missing = [p for p in (*_REQUIRED_PARTS, *sheets) if p not in parts]
            if missing:
                return msg("reason.verify-missing", part=missing[0])
            root = ElementTree.fromstring(z.read("xl/workbook.xml"))
            got = [el.get("name") for el in root.iter(f"{_NS_MAIN}sheet")]
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError) as exc:
        return msg("reason.verify-unreadable", error=exc)
    return None if got == list(names) else msg("reason.verify-sheets", got=", ".join(map(str, got)),
                                                want=", ".join(names))
