"""Matriks: the level used for every indicator of every OPD (a heat map), weights, the index as a formula."""

from __future__ import annotations

from pipeline.batch import MergeResult
from pipeline.catalog.framework import exact
from pipeline.report.style import MISSING_MARK, band, recalculated, stored
from pipeline.report.writer import Ctx, print_setup
from pipeline.scoring.index import SOURCE_MISSING
from pipeline.text import clean_text, col_letter


def write(ctx: Ctx, r: MergeResult) -> None:
    t, f, fw = ctx.t, ctx.f, ctx.fw
    out = ctx.sheet(t["sheet_matrix"])
    ws = out.ws
    out.title(ctx.text("matrix_title", year=r.year), f["title"])
    out.text(1, 0, t["matrix_note"], f["subtitle"])
    out.text(2, 0, ctx.text("matrix_legend", mark=f"{fw.level_min}{MISSING_MARK}", lo=fw.level_min), f["subtitle"])
    hr = 3
    n = len(fw.indicators)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 48)
    ws.set_column(2, 1 + n, 6.5)
    ws.set_column(2 + n, 3 + n, 12)
    # four heading rows: indicator (its name in a comment), aspect, weight, exact weight
    inds = fw.indicators
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
                ws.write_comment(hr, 2 + j, clean_text(f"{inds[j].id} {inds[j].name}")[0], {"x_scale": 2, "y_scale": 1})
        out.blank(hr + k, 2 + n, fmt)
        out.blank(hr + k, 3 + n, fmt)
    ws.set_row(hr, 30)
    # the heading of the OPD rows, directly above them
    out.text(hr + 4, 0, t["code"], f["header"])
    out.text(hr + 4, 1, t["name"], f["header"])
    for k in range(n):
        out.blank(hr + 4, 2 + k, f["header"])
    out.text(hr + 4, 2 + n, t["spbe_index"], f["header"])
    out.text(hr + 4, 3 + n, t["predikat"], f["header"])
    first = hr + 5
    wcol0, wcol1 = col_letter(3), col_letter(2 + n)
    wrow = hr + 3  # 1-based row of the weights
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
    last = first + len(r.ranking) - 1
    if r.summary is not None and r.ranking:
        # province summary: how many OPDs stand at each level of each indicator, and the mean level
        row = last + 2
        out.text(row, 0, t["dist_title"], f["bold"])
        for lv in fw.levels:
            row += 1
            out.text(row, 1, ctx.text("dist_level", level=lv), f["small_head"])
            for k, ind in enumerate(fw.indicators):
                out.num(row, 2 + k, r.summary.level_distribution[ind.id][lv], f["level"])
        row += 1
        out.text(row, 1, ctx.text("dist_unanswered", mark=f"{fw.level_min}{MISSING_MARK}"), f["small_head"])
        for k, ind in enumerate(fw.indicators):
            out.num(row, 2 + k, r.summary.unanswered[ind.id], f["level"])
        row += 1
        out.text(row, 1, ctx.text("dist_mean", mark=f"{fw.level_min}{MISSING_MARK}"), f["small_head"])
        for k, ind in enumerate(fw.indicators):
            out.num(row, 2 + k, stored(r.summary.indicator_means[ind.id]), f["idx"])
        ws.conditional_format(first, 2, last, 1 + n, {
            "type": "3_color_scale", "min_type": "num", "min_value": fw.level_min, "mid_type": "num",
            "mid_value": (fw.level_min + fw.level_max) / 2, "max_type": "num", "max_value": fw.level_max,
            "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"})
    ws.freeze_panes(first, 2)
    ws.repeat_rows(hr, hr + 4)
    ws.repeat_columns(0, 1)
    print_setup(ws)
    ws.set_paper(8)  # A3: one column per indicator
