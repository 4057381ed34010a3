"""Data (the format every later year reads back: one row per OPD) and Data Indikator (one row per OPD and
indicator, for pivot tables). Plain tables: headings in row 1, no merges. The Data sheet's format is
described, versioned and read by :mod:`pipeline.history.read`."""

from __future__ import annotations

from pipeline.batch import MergeResult
from pipeline.catalog.framework import exact
from pipeline.history import read as dataformat
from pipeline.report.style import stored
from pipeline.report.writer import Ctx, print_setup


def write(ctx: Ctx, r: MergeResult) -> None:
    """Data, format :data:`pipeline.history.read.VERSION`: identity, index, predikat and status, then the level
    used and the target level of every indicator."""
    t, f, fw = ctx.t, ctx.f, ctx.fw
    heads = dataformat.headings(ctx.lang, fw)
    out = ctx.sheet(t["sheet_data"])
    body = ctx.body(out)
    b = body.row(0)
    for c, h in enumerate(heads):
        b.text(c, h, f["data_head"])
    b.end()
    fixed = len(dataformat.FIXED)
    for c, h in enumerate(heads):
        out.ws.set_column(c, c, 36 if c == 3 else 28 if c == 9 else max(8, len(h) + 2))
    n = len(fw.indicators)
    for i, sub in enumerate(r.kept, 1):
        code, sc = sub.opd_code, r.scores[sub.opd_code]
        b = body.row(i)
        b.num(0, r.year, f["data_int"])
        for c, value in ((1, fw.id), (2, code), (3, r.opd_name(code))):
            b.text(c, value)
        b.num(4, stored(sc.index), f["data_index"])
        for c, value in ((5, exact(sc.index)), (6, sc.predikat), (7, t["complete" if sc.complete else "incomplete"]),
                         (8, ", ".join(sc.missing)), (9, sub.file), (10, sub.columns.sheet if sub.columns else "")):
            b.text(c, value)
        b.num(11, dataformat.VERSION, f["data_int"])
        for k, level in enumerate(sc.indicators):
            b.num(fixed + k, level.level, f["data_int"])
        for k, row in enumerate(r.gaps[code].rows):
            b.num(fixed + n + k, row.target, f["data_int"])
        b.end()
    _finish(out.ws, len(r.kept), len(heads))


def long(ctx: Ctx, r: MergeResult) -> None:
    """Data Indikator: one row per (OPD, indicator) with both levels, the weight and the level's file and cell
    (the columns of the Data sheet's format 1)."""
    t, f, fw = ctx.t, ctx.f, ctx.fw
    heads = t["data_headers"].split("|")
    out = ctx.sheet(t["sheet_data_long"])
    ws = out.ws
    body = ctx.body(out)
    b = body.row(0)
    for c, h in enumerate(heads):
        b.text(c, h, f["data_head"])
    b.end()
    for c, h in enumerate(heads):
        ws.set_column(c, c, max(10, len(h) + 2))
    ws.set_column(1, 1, max(len(heads[1]) + 2, len(fw.id) + 1))  # the catalog id and the OPD code read whole
    ws.set_column(2, 2, max([len(heads[2]) + 2, *(len(sub.opd_code) + 1 for sub in r.kept)]))
    ws.set_column(3, 3, 36)
    ws.set_column(13, 13, 40)
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
    _finish(ws, i, len(heads))


def _finish(ws: object, last: int, ncols: int) -> None:
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, last), ncols - 1)
    ws.repeat_rows(0)
    print_setup(ws)
