"""Tren: the province's averages and every OPD's index and predikat per year (earlier rekaps and this one),
change since last year and since the first year, rank then and now, a sparkline, where the OPD came from;
the OPDs of earlier rekaps that match no OPD; the rekaps read. Its province block feeds the line charts
that :func:`charts` puts on Ringkasan. Everything comes from :class:`pipeline.history.History`."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.batch import MergeResult
from pipeline.catalog import framework as fwmod
from pipeline.history import NEW, STOPPED
from pipeline.layout import HEADER_FILL
from pipeline.report.style import OPD_COLOUR, stored
from pipeline.report.summary import index_axis, style_chart
from pipeline.report.writer import Ctx, Out, fit_row, print_setup
from pipeline.text import a1

FIRST_YEAR_COL = 4  # columns A-D: number, code, name, status; then one column per year
_LINE_COLOURS = (HEADER_FILL, "#C00000", "#ED7D31", "#70AD47", "#7030A0", "#00B0F0")


@dataclass(frozen=True)
class Refs:
    """Where the province block is, for the charts on Ringkasan."""

    sheet: str
    years_row: int  # the year headings
    index_row: int
    domains_row: int  # the first domain's row
    n_years: int
    tail: int  # the first year (0-based) from which every year uses this year's catalog


def write(ctx: Ctx, r: MergeResult) -> Refs | None:
    """The Tren sheet, when earlier rekaps were looked for and found; where its province block is."""
    h = r.history
    if h is None or not h.sources:
        return None
    t, f, fw = ctx.t, ctx.f, ctx.fw
    out = ctx.sheet(t["sheet_trend"])
    ws = out.ws
    years = h.years
    ny = len(years)
    after = FIRST_YEAR_COL + ny  # change since last year, since first, rank then, rank now, sparkline, remarks
    for c, w in enumerate((6, 16, 44, 16, *([16] * ny), 12, 12, 11, 11, 18, 44)):
        ws.set_column(c, c, w)
    first_year = years[0] if years else r.year
    out.title(ctx.text("trend_title", first=first_year, last=r.year), f["title"])
    out.text(1, 0, ctx.text("trend_sub", folder=h.folder), f["subtitle"])
    frameworks = list(dict.fromkeys(p.framework for p in h.province))
    row = 2
    if len(frameworks) > 1:
        spans = ", ".join(f"{fwmod.short_name(fid)}: {', '.join(str(p.year) for p in h.province if p.framework == fid)}"
                          for fid in frameworks)
        note = ctx.text("trend_frameworks", list=spans)
        out.merged(row, 0, after + 5, note, f["plain_wrap"])
        fit_row(ws, row, [(note, 160)])
    refs = None
    if years:
        refs = _province(ctx, out, r, row + 2)
        row = _opds(ctx, out, r, refs.domains_row + len(fw.domains) + 2)
        row = _unmatched(ctx, out, r, row + 2) if h.unmatched else row
    _sources(ctx, out, r, row + 2)
    ws.freeze_panes(0, 3)
    print_setup(ws)
    return refs


def _years_header(ctx: Ctx, out: Out, r: MergeResult, row: int) -> None:
    for k, year in enumerate(r.history.years):
        out.text(row, FIRST_YEAR_COL + k, str(year), ctx.f["header"])


def _point(ctx: Ctx, out: Out, row: int, col: int, value: object, predikat: str) -> None:
    """An index cell showing its predikat beside it, in the predikat's colours."""
    fmt = ctx.f.get(("trend", predikat), ctx.f["idx_bold"])
    out.num(row, col, None if value is None else stored(value), fmt)


def _province(ctx: Ctx, out: Out, r: MergeResult, row: int) -> Refs:
    t, f, fw, h = ctx.t, ctx.f, ctx.fw, r.history
    out.text(row, 0, t["trend_province"], f["h2"])
    head = row + 1
    out.text(head, 2, t["year"], f["header"])
    _years_header(ctx, out, r, head)
    labels = [t["framework"], t["trend_mean"], t["trend_count"], *(f"{d.id} {d.name}" for d in fw.domains)]
    for n, label in enumerate(labels, head + 1):
        out.text(n, 2, label, f["bold"] if n == head + 2 else f["text"])
    for k, p in enumerate(h.province):
        c = FIRST_YEAR_COL + k
        out.text(head + 1, c, fwmod.short_name(p.framework), f["wrap"])
        _point(ctx, out, head + 2, c, p.mean, p.predikat)
        out.num(head + 3, c, p.count, f["count"])
        for n, d in enumerate(fw.domains, head + 4):
            if p.domains is None:
                out.text(n, c, t["not_comparable"], f["note_cell"])
            else:
                out.num(n, c, stored(p.domains[d.id]), f["idx"])
    fit_row(out.ws, head + 1, [(fwmod.short_name(p.framework), 12) for p in h.province])  # narrower: bold, centred
    tail = len(h.province)
    while tail > 0 and h.province[tail - 1].framework == fw.id:
        tail -= 1
    return Refs(out.name, head, head + 2, head + 4, len(h.years), tail)


def _opds(ctx: Ctx, out: Out, r: MergeResult, row: int) -> int:
    t, f, h = ctx.t, ctx.f, r.history
    ny = len(h.years)
    after = FIRST_YEAR_COL + ny
    last_year = h.years[-2]
    out.text(row, 0, ctx.text("trend_opds", year=last_year), f["h2"])
    head = row + 1
    for c, label in ((0, t["no"]), (1, t["code"]), (2, t["name"]), (3, t["status"])):
        out.text(head, c, label, f["header"])
    _years_header(ctx, out, r, head)
    for c, label in ((after, ctx.text("change_since", year=last_year)),
                     (after + 1, ctx.text("change_since", year=h.years[0])),
                     (after + 2, ctx.text("rank_in", year=last_year)), (after + 3, ctx.text("rank_in", year=r.year)),
                     (after + 4, t["sparkline"]), (after + 5, t["remarks"])):
        out.text(head, c, label, f["header"])
    out.ws.set_row(head, 30)
    status = {NEW: t["status_new"], STOPPED: t["status_stopped"]}
    for n, x in enumerate(h.rows, 1):
        i = head + n
        out.num(i, 0, n, f["int"])
        out.text(i, 1, x.code, f["text"])
        out.text(i, 2, x.name, f["wrap"])
        if x.status:
            out.text(i, 3, status[x.status], f[("sev", "incomplete")])
        else:
            out.blank(i, 3, f["text"])
        for k, point in enumerate(x.points):
            _point(ctx, out, i, FIRST_YEAR_COL + k, point[0] if point else None, point[1] if point else "")
        for c, change in ((after, x.change_last), (after + 1, x.change_first)):
            out.num(i, c, None if change is None else stored(change), f["change"])
        out.num(i, after + 2, x.rank_then, f["int"])
        out.num(i, after + 3, x.rank_now, f["int"])
        out.blank(i, after + 4, f["text"])
        cells = f"'{out.name}'!{a1(i + 1, FIRST_YEAR_COL + 1)}:{a1(i + 1, after)}"
        out.ws.add_sparkline(i, after + 4, {"range": cells, "markers": True, "series_color": OPD_COLOUR})
        note = "; ".join(ctx.text("origin_merged" if len(codes) > 1 else "origin_split" if split else
                                  "origin_renamed", year=year, codes=", ".join(codes))
                         for year, codes, split in x.origins)
        if note:
            out.text(i, after + 5, note, f["wrap"])
        else:
            out.blank(i, after + 5, f["wrap"])
        fit_row(out.ws, i, [(x.name, 44), (note, 44)])
    return head + len(h.rows)


def _unmatched(ctx: Ctx, out: Out, r: MergeResult, row: int) -> int:
    t, f = ctx.t, ctx.f
    out.text(row, 0, t["trend_unmatched"], f["h2"])
    for c, label in ((1, t["code"]), (2, t["name"]), (3, t["year"]), (4, t["index"])):
        out.text(row + 1, c, label, f["header"])
    for n, (year, code, name, value) in enumerate(r.history.unmatched, row + 2):
        out.text(n, 1, code, f["text"])
        out.text(n, 2, name, f["wrap"])
        out.num(n, 3, year, f["int"])
        out.num(n, 4, stored(value), f["idx"])
    return row + 1 + len(r.history.unmatched)


def _sources(ctx: Ctx, out: Out, r: MergeResult, row: int) -> None:
    t, f = ctx.t, ctx.f
    out.text(row, 0, t["trend_sources"], f["h2"])
    for c, label in ((1, t["year"]), (2, t["file"]), (3, t["used"]), (4, t["framework"]), (5, t["data_format"]),
                     (6, t["trend_count"])):
        out.text(row + 1, c, label, f["header"])
    for n, s in enumerate(sorted(r.history.sources, key=lambda s: (s.year or 0, s.file)), row + 2):
        used = t["used_yes"] if s.used else t["used_later"] if (s.year or 0) >= r.year else t["used_no"]
        out.num(n, 1, s.year, f["int"])
        out.text(n, 2, s.file, f["wrap"])
        out.text(n, 3, used, f["wrap"])
        out.text(n, 4, fwmod.short_name(s.framework) if s.framework else "", f["wrap"])
        out.num(n, 5, s.version, f["int"])
        out.num(n, 6, s.opds if s.year else None, f["count"])
        fit_row(out.ws, n, [(s.file, 40), (used, 12), (fwmod.short_name(s.framework) if s.framework else "", 12)])


def charts(ctx: Ctx, refs: Refs) -> list[tuple[object, int]]:
    """The province's mean index per year (every year) and its domain means per year (the years on this year's
    catalog): line charts for Ringkasan, with their heights (px)."""
    t, fw = ctx.t, ctx.fw
    out = []
    last = FIRST_YEAR_COL + refs.n_years - 1
    specs = [(t["chart_trend_index"], FIRST_YEAR_COL, [(t["trend_mean"], refs.index_row)], True)]
    if refs.tail < refs.n_years:
        specs.append((ctx.text("chart_trend_domains", framework=fw.short_name), FIRST_YEAR_COL + refs.tail,
                      [(f"{d.id} {d.name}", refs.domains_row + n) for n, d in enumerate(fw.domains)], False))
    for title, first, series, labels in specs:
        chart = ctx.wb.add_chart({"type": "line"})
        for n, (name, row) in enumerate(series):
            colour = _LINE_COLOURS[n % len(_LINE_COLOURS)]
            chart.add_series({"name": name, "categories": [refs.sheet, refs.years_row, first, refs.years_row, last],
                              "values": [refs.sheet, row, first, row, last], "line": {"color": colour, "width": 2.25},
                              "marker": {"type": "circle", "size": 6, "fill": {"color": colour},
                                         "border": {"color": colour}},
                              **({"data_labels": {"value": True, "num_format": "0.00", "position": "above"}}
                                 if labels else {})})
        style_chart(chart, title)
        if not labels:
            chart.set_legend({"position": "bottom", "font": {"size": 8}})
        chart.set_y_axis(index_axis(fw, ctx.t["index"]))
        chart.show_blanks_as("gap")
        height = 300 if labels else 340
        chart.set_size({"width": 560, "height": height})
        out.append((chart, height))
    return out
