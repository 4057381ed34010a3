"""How the workbook looks and how its numbers are stored: colours, cell formats, stored values.

Numbers and rounding (decided once, here):

* Every number is a number cell with a number format; never text. Indices use "0.00", levels "0".
* Numbers are written as text with 16 significant digits (xlsxwriter's "%.16G"), so only a float
  that reads back as itself from that text is stored (:func:`readback`): what openpyxl, pandas or a
  spreadsheet reads is exactly the float written.
* An exact index is stored as :func:`stored`: the value rounded half-up to 6 decimals (so the cell
  equals the exact value to 6 decimals), adjusted so that any program showing it with 2 decimals
  shows exactly :func:`pipeline.catalog.framework.display`. Three traps are closed: (1) rounding to 6
  decimals first could carry a value such as 2.6449996 onto the 2.645 boundary, so it is kept just
  below (2.644999); (2) the binary float nearest 2.645 is 2.64499999999999990..., which a program
  that rounds the binary value (Python's ``round``, a format string) shows as 2.64, and exact binary
  ties such as 0.125 round to even in some programs, so a float just above the tie is stored (above it
  also once multiplied by 100 in floats, as numpy's and pandas' ``round`` do); (3) that
  float must survive the 16-digit text: 2.6450000000000002 is written as ``2.645`` and read back as
  the binary tie, so the first float above whose text is itself is stored (2.645000000000001).
  Tests read the file with openpyxl and pandas and print it with LibreOffice on every half-cent tie.
* Weights are stored as the 16-digit value of the exact weight (3.333333333333333, shown "0.0000");
  the exact fraction is written next to them as text ("10/3"). Cached values of formulas are computed
  from the numbers as stored, as a spreadsheet recalculating them would.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from fractions import Fraction

from pipeline.catalog.framework import Framework, exact, round_half_up
from pipeline.layout import HEADER_FILL, INPUT_FILL

STORE_PLACES = 6
# Predikat colours (fill, font), defined once; catalogs with other band names get colours by position.
PREDIKAT_COLOURS: dict[str, tuple[str, str]] = {
    "Memuaskan": ("#1E6B34", "#FFFFFF"),
    "Sangat Baik": ("#4CAF50", "#FFFFFF"),
    "Baik": ("#C5DB5B", "#000000"),
    "Cukup": ("#F4A236", "#000000"),
    "Kurang": ("#D9302C", "#FFFFFF"),
}
_BY_POSITION = ("#D9302C", "#F4A236", "#C5DB5B", "#4CAF50", "#1E6B34")  # lowest band first
SEVERITY_FILL = {"error": "#F8CBAD", "incomplete": "#FFE699", "warning": "#FFF2CC"}
OUTCOME_FILL = {"accepted": "#E2EFDA", "accepted-with-notes": "#FFF2CC", "superseded": "#EDEDED",
                "rejected": "#F8CBAD", "accepted-incomplete": "#FFE699"}
OPD_COLOUR, MEAN_COLOUR = "#2F75B5", "#A6A6A6"
MISSING_FONT = "#7F7F7F"  # an unanswered indicator's level: italic grey, dashed border, shown with MISSING_MARK
MISSING_MARK = "*"
DROP_MARK = "▼"  # a level lower than last year's
GRID = "#E0E0E0"  # chart gridlines


def stored(value: Fraction | int, places: int = 2) -> float:
    """The float to store for an exact value shown with ``places`` decimals (see the module docstring)."""
    if type(value) is not Fraction:
        value = Fraction(value)
    return _stored(value.numerator, value.denominator, places)


@functools.lru_cache(maxsize=1 << 12)  # the same indices, weights and gains recur in every OPD's sheet
def _stored(numerator: int, denominator: int, places: int) -> float:
    value = Fraction(numerator, denominator)
    shown = round_half_up(value, places)
    v = round_half_up(value, STORE_PLACES)
    if round_half_up(v, places) != shown:  # 6-decimal rounding reached the next half boundary
        v = shown + Fraction(5, 10 ** (places + 1)) - Fraction(1, 10**STORE_PLACES)
    f = float(v)
    scale = 10**places

    def safe(x: float) -> bool:
        # shown as `shown`, and not an exact binary tie that a round-half-even renderer would round down; the
        # same for x * 10**places computed in floats (numpy's and so pandas' round(): 1.145 * 100 == 114.5)
        return all(round_half_up(y / scale, places) == shown and (y % 1) != Fraction(1, 2)
                   for y in (Fraction(x) * scale, Fraction(x * scale)))

    while not (safe(f) and readback(f) == f):  # step towards the shown value, one float at a time
        f = math.nextafter(f, math.inf if Fraction(f) < shown else -math.inf)
    return f


def readback(value: float | int | Fraction) -> float:
    """The float a program reads from a number cell holding ``value`` (written with 16 significant digits)."""
    return float(f"{float(value):.16G}")


def recalculated(levels: Sequence[int], weights: Sequence[Fraction | float], places: int | None = None) -> float:
    """What a spreadsheet computes for ``SUMPRODUCT(levels, weights)/100`` over the cells as stored (the weights
    as read back), wrapped in ``ROUND(..., places)`` when ``places`` is given: the cached value of such a formula."""
    value = math.fsum(lv * readback(w) for lv, w in zip(levels, weights, strict=True)) / 100
    return value if places is None else float(round_half_up(Fraction(repr(value)), places))


def num_text(value: Fraction) -> str:
    """A number literal for a formula: the exact decimal when it terminates, else the nearest float."""
    text = exact(value)
    return text if "/" not in text else repr(float(value))


def band_colours(fw: Framework) -> dict[str, tuple[str, str]]:
    """Fill and font colour of every predikat band of the catalog."""
    out = {}
    n = len(fw.bands)
    for pos, band in enumerate(fw.bands):
        if band.name in PREDIKAT_COLOURS:
            out[band.name] = PREDIKAT_COLOURS[band.name]
        else:
            fill = _BY_POSITION[round(pos * (len(_BY_POSITION) - 1) / max(1, n - 1))]
            out[band.name] = (fill, "#FFFFFF" if fill in ("#D9302C", "#4CAF50", "#1E6B34") else "#000000")
    return out


def format_specs(fw: Framework) -> dict[object, dict]:
    """Every cell format of the report, by name: xlsxwriter format properties."""
    base = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
    grid = {"border": 1, "border_color": "#BFBFBF"}

    def fmt(**kw: object) -> dict:
        return {**base, **kw}

    def cell(**kw: object) -> dict:
        return {**base, **grid, **kw}

    f: dict[object, dict] = {
        "title": fmt(bold=True, font_size=16, font_color=HEADER_FILL),
        "subtitle": fmt(italic=True, font_color="#404040"),
        "h2": fmt(bold=True, font_size=12, font_color=HEADER_FILL, bottom=2, bottom_color=HEADER_FILL),
        "header": fmt(bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL, border=1, text_wrap=True,
                      align="center", valign="vcenter"),
        "header_input": fmt(bold=True, bg_color="#FFD966", border=1, text_wrap=True, align="center",
                            valign="vcenter"),
        "text": cell(),
        "wrap": cell(text_wrap=True),
        "bold": cell(bold=True),
        "bold_wrap": cell(bold=True, text_wrap=True),
        "plain": fmt(),
        "bold_plain": fmt(bold=True),
        "plain_wrap": fmt(text_wrap=True),
        "note": fmt(italic=True, font_color="#595959"),  # not wrapped: a note runs on over empty cells
        "int": cell(num_format="0", align="center"),
        "int_input": cell(num_format="0", align="center", bg_color=INPUT_FILL),
        "count": cell(num_format="#,##0"),
        "count_bold": cell(num_format="#,##0", bold=True),
        "n1": cell(num_format="#,##0.0"),
        "n2": cell(num_format="#,##0.00"),
        # a figure that holds an estimate (a server size from the plan's defaults): marked, italic grey
        "est": cell(num_format=f'#,##0"{MISSING_MARK}"', italic=True, font_color=MISSING_FONT),
        "param": cell(bg_color=INPUT_FILL, bold=True),  # a planning parameter: a what-if input
        "param_pct": cell(bg_color=INPUT_FILL, bold=True, num_format="0%"),
        "param_rp": cell(bg_color=INPUT_FILL, bold=True, num_format="#,##0"),
        "idx": cell(num_format="0.00"),
        "idx_bold": cell(num_format="0.00", bold=True),
        "idx_big": fmt(num_format="0.00", bold=True, font_size=28, font_color=HEADER_FILL, valign="vcenter"),
        "w4": cell(num_format="0.0000"),
        "w4_head": cell(num_format="0.0000", bold=True, font_size=8, align="center", bg_color="#DDEBF7"),
        "small_head": cell(font_size=8, align="center", bg_color="#DDEBF7", text_wrap=True),
        "level": cell(num_format="0", align="center"),
        # an unanswered indicator (scored at the lowest level): the value with a marker, italic grey, dashed border
        "level_missing": fmt(border=3, border_color=MISSING_FONT, num_format=f'0"{MISSING_MARK}"', align="center",
                             italic=True, font_color=MISSING_FONT),
        "link": cell(font_color="#0563C1", underline=1),
        "link_plain": fmt(font_color="#0563C1", underline=1),
        "hash": fmt(font_name="Consolas", font_size=8, border=1, border_color="#BFBFBF"),
        "mbps": cell(num_format="#,##0.##"),
        "flag": cell(bg_color="#F8CBAD", bold=True, text_wrap=True),
        "gap_positive": {"bg_color": "#FCE4D6", "bold": True},  # conditional format of a gap sheet's gaps
        "data_head": {"bold": True},  # the Data sheet is plain: no font, border or alignment of the report's
        "data_int": {"num_format": "0"},
        "data_weight": {"num_format": "0.0000"},
        "data_index": {"num_format": "0.00"},
        "note_cell": cell(italic=True, font_color="#595959", align="center", text_wrap=True),
        "change": cell(num_format="+0.00;[Red]-0.00;0.00", align="center"),
    }
    for name, (fill, font) in band_colours(fw).items():
        f[("band", name)] = cell(bg_color=fill, font_color=font, bold=True, align="center")
        f[("band_big", name)] = fmt(bg_color=fill, font_color=font, bold=True, font_size=16, align="center",
                                    valign="vcenter")
        f[("trend", name)] = cell(bg_color=fill, font_color=font, bold=True, align="center",
                                  num_format='0.00" ' + name.replace('"', "") + '"')
    for sev, fill in SEVERITY_FILL.items():
        f[("sev", sev)] = cell(bg_color=fill, bold=True)
        f[("sev_wrap", sev)] = cell(bg_color=fill, bold=True, text_wrap=True)
    for outcome, fill in OUTCOME_FILL.items():
        f[("outcome", outcome)] = cell(bg_color=fill, bold=True)
    for frac, number in ((False, "0"), (True, "0.00")):  # a level's change since last year; a drop flagged
        shown = f'+{number};"{DROP_MARK} "-{number};{number}'
        f[("chg", frac, False)] = cell(num_format=shown, align="center")
        f[("chg", frac, True)] = cell(num_format=shown, align="center", bold=True, bg_color=SEVERITY_FILL["error"])
    return f


def band(f: dict, name: str, kind: str = "band") -> object:
    """The format of a predikat band (bold when the name is not one of the catalog's bands)."""
    return f.get((kind, name), f["bold"])
