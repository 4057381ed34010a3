"""Matriks: the level used for every indicator of every OPD (a heat map), weights, the index as a formula."""

from __future__ import annotations

from pipeline.batch import MergeResult
from pipeline.catalog.framework import Framework, exact
from pipeline.report.style import MISSING_MARK, band, recalculated, stored
from pipeline.report.writer import Ctx, Out, print_setup
from pipeline.scoring.index import SOURCE_MISSING
from pipeline.text import clean_text, col_letter

_HEAD = 3  # the first of the four heading rows


def write(ctx: Ctx, r: MergeResult) -> None:
    """Matriks, section by section: title, indicator headings, a row per OPD, the province's distribution."""
    out = ctx.sheet(ctx.t["sheet_matrix"])
    _title(ctx, out, r)
    _columns(out.ws, len(ctx.fw.indicators))
    _indicator_heads(ctx, out, _HEAD)
    first = _opd_heads(ctx, out, _HEAD + 4) + 1
    last = _opd_rows(ctx, out, r, first, _HEAD + 2)
    if r.summary is not None and r.ranking:
        _distribution(ctx, out, r, last + 2)
        _heat_map(ctx.fw, out.ws, first, last)
    _pages(out.ws, first)


def _title(ctx: Ctx, out: Out, r: MergeResult) -> None:
    """Rows 1-3: the title, what the sheet shows and the mark of an unanswered indicator."""
    f, fw = ctx.f, ctx.fw
    out.title(ctx.text("matrix_title", year=r.year), f["title"])
    out.text(1, 0, ctx.t["matrix_note"], f["subtitle"])
    out.text(2, 0, ctx.text("matrix_legend", mark=f"{fw.level_min}{MISSING_MARK}", lo=fw.level_min), f["subtitle"])


def _columns(ws: object, n: int) -> None:
    """The widths of the code and name, of the ``n`` indicator columns, and of the index and predikat."""
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 48)
    ws.set_column(2, 1 + n, 6.5)
    ws.set_column(2 + n, 3 + n, 12)


def _indicator_heads(ctx: Ctx, out: Out, hr: int) -> None:
    """Four heading rows from ``hr``: indicator (its name in a comment), aspect, weight, exact weight."""
    t, f, inds = ctx.t, ctx.f, ctx.fw.indicators
    n = len(inds)
    heads = ((t["indicator_no"], f["header"], [i.id for i in inds]), (t["aspect"], f["small_head"], [i.aspect for i in inds]),
             (t["weight_row"], f["small_head"], [float(i.weight) for i in inds]),
             (t["weight_exact_row"], f["small_head"], [exact(i.weight) for i in inds]))
    for k, (label, fmt, values) in enumerate(heads):
        out.blank(hr + k, 0, fmt)
        out.text(hr + k, 1, label, fmt)
        for j, value in enumerate(values):
            if isinstance(value, float):
                out.num(hr + k, 2 + j, value, f["w4_head"])
            else:
                out.text(hr + k, 2 + j, value, fmt)
            if k == 0:
                out.ws.write_comment(hr, 2 + j, clean_text(f"{inds[j].id} {inds[j].name}")[0],
                                     {"x_scale": 2, "y_scale": 1})
        out.blank(hr + k, 2 + n, fmt)
        out.blank(hr + k, 3 + n, fmt)
    out.ws.set_row(hr, 30)


def _opd_heads(ctx: Ctx, out: Out, row: int) -> int:
    """The heading of the OPD rows at ``row``, directly above them; its row."""
    t, f, n = ctx.t, ctx.f, len(ctx.fw.indicators)
    out.text(row, 0, t["code"], f["header"])
    out.text(row, 1, t["name"], f["header"])
    for k in range(n):
        out.blank(row, 2 + k, f["header"])
    out.text(row, 2 + n, t["spbe_index"], f["header"])
    out.text(row, 3 + n, t["predikat"], f["header"])
    return row


def _opd_rows(ctx: Ctx, out: Out, r: MergeResult, first: int, weights_row: int) -> int:
    """An OPD a row from ``first`` in rank order: its levels, its index as a formula of the weights in
    ``weights_row``, its predikat; the last row."""
    f, inds = ctx.f, ctx.fw.indicators
    n = len(inds)
    wcol0, wcol1 = col_letter(3), col_letter(2 + n)
    wrow = weights_row + 1  # 1-based
    body = ctx.body(out)
    level, missing = f["level"], f["level_missing"]
    weights = [i.weight for i in inds]
    for j, row in enumerate(r.ranking):
        i = first + j
        b = body.row(i)
        b.text(0, row.opd, f["text"])
        b.text(1, row.name, f["wrap"])
        for k, sc in enumerate(row.score.indicators):
            b.num(2 + k, sc.level, missing if sc.source == SOURCE_MISSING else level)
        b.formula(2 + n, f"=SUMPRODUCT({wcol0}{i + 1}:{wcol1}{i + 1},{wcol0}${wrow}:{wcol1}${wrow})/100",
                  recalculated([sc.level for sc in row.score.indicators], weights), f["idx_bold"])
        b.text(3 + n, row.predikat, band(f, row.predikat))
        b.end([(row.name, 48)])
    return first + len(r.ranking) - 1


def _distribution(ctx: Ctx, out: Out, r: MergeResult, row: int) -> None:
    """From ``row``, the province's summary: how many OPDs stand at each level of each indicator, how many left
    it unanswered, and the mean level."""
    f, fw, s = ctx.f, ctx.fw, r.summary
    mark = f"{fw.level_min}{MISSING_MARK}"
    out.text(row, 0, ctx.t["dist_title"], f["bold"])
    for lv in fw.levels:
        row += 1
        out.text(row, 1, ctx.text("dist_level", level=lv), f["small_head"])
        for k, ind in enumerate(fw.indicators):
            out.num(row, 2 + k, s.level_distribution[ind.id][lv], f["level"])
    row += 1
    out.text(row, 1, ctx.text("dist_unanswered", mark=mark), f["small_head"])
    for k, ind in enumerate(fw.indicators):
        out.num(row, 2 + k, s.unanswered[ind.id], f["level"])
    row += 1
    out.text(row, 1, ctx.text("dist_mean", mark=mark), f["small_head"])
    for k, ind in enumerate(fw.indicators):
        out.num(row, 2 + k, stored(s.indicator_means[ind.id]), f["idx"])


def _heat_map(fw: Framework, ws: object, first: int, last: int) -> None:
    """The levels of rows ``first`` to ``last`` coloured from red (lowest level) to green (highest)."""
    ws.conditional_format(first, 2, last, 1 + len(fw.indicators), {
        "type": "3_color_scale", "min_type": "num", "min_value": fw.level_min, "mid_type": "num",
        "mid_value": (fw.level_min + fw.level_max) / 2, "max_type": "num", "max_value": fw.level_max,
        "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"})


def _pages(ws: object, first: int) -> None:
    """Headings and names frozen above and left of row ``first``, and repeated on every printed page; A3."""
    ws.freeze_panes(first, 2)
    ws.repeat_rows(_HEAD, _HEAD + 4)
    ws.repeat_columns(0, 1)
    print_setup(ws)
    ws.set_paper(8)  # A3: one column per indicator
