"""Data: one plain row per (OPD, indicator) for pivot tables and other tools; headings in row 1, no merges."""

from __future__ import annotations

from pipeline.batch import MergeResult
from pipeline.catalog.framework import exact
from pipeline.report.writer import Ctx, print_setup


def write(ctx: Ctx, r: MergeResult) -> None:
    t, f, fw = ctx.t, ctx.f, ctx.fw
    heads = t["data_headers"].split("|")
    out = ctx.sheet(t["sheet_data"])
    ws = out.ws
    body = ctx.body(out)
    b = body.row(0)
    for c, h in enumerate(heads):
        b.text(c, h, f["data_head"])
    b.end()
    for c, h in enumerate(heads):
        ws.set_column(c, c, max(10, len(h) + 2))
    ws.set_column(3, 3, 36)
    ws.set_column(13, 13, 28)
    source = {"verified": t["src_verified"], "self": t["src_self"], "missing": t["src_missing"]}
    weights = {ind.id: (float(ind.weight), exact(ind.weight)) for ind in fw.indicators}
    level, weight_fmt = f["data_int"], f["data_weight"]
    i = 0
    for sub in r.kept:
        code, name = sub.opd_code, r.opd_name(sub.opd_code)
        sheet = sub.columns.sheet if sub.columns else ""
        answers = {a.indicator: a for a in sub.answers}
        for sc in r.scores[code].indicators:
            answer = answers.get(sc.id)
            cell = sub.cell(answer, "verified" if sc.source == "verified" else "level") if answer else ""
            weight, weight_exact = weights.get(sc.id) or (float(sc.weight), exact(sc.weight))
            i += 1
            b = body.row(i)
            b.num(0, r.year, level)
            for c, value in ((1, fw.id), (2, code), (3, name), (4, sc.id), (5, sc.domain), (6, sc.aspect)):
                b.text(c, value)
            b.num(7, sc.self_level, level)
            b.num(8, sc.verified_level, level)
            b.num(9, sc.level, level)
            b.text(10, source.get(sc.source, sc.source))
            b.num(11, weight, weight_fmt)
            for c, value in ((12, weight_exact), (13, sub.file), (14, sheet if answer else ""), (15, cell)):
                b.text(c, value)
            b.end()
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, i), len(heads) - 1)
    ws.repeat_rows(0)
    print_setup(ws)
