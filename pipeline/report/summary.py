"""Ringkasan: the province's average, key figures, how to read the workbook, band and domain tables, charts."""

from __future__ import annotations

import math
from collections.abc import Callable

from pipeline import settings
from pipeline.batch import MergeResult
from pipeline.catalog.framework import Framework
from pipeline.layout import HEADER_FILL
from pipeline.report import style
from pipeline.report.ranking import status
from pipeline.report.style import GRID, OPD_COLOUR, band, stored
from pipeline.report.writer import Ctx, Out, fit_height, print_setup

SUMMARY_WIDTHS = (46, 20, 14, 14, 3, *(9,) * 10)  # columns A-E: tables; F-O: charts (560 px wide)
PAGE_PT = (842 - 0.8 * 72, 595 - 1.0 * 72)  # A4 landscape inside the margins of print_setup (pt)


def capacity(widths: tuple[float, ...]) -> float:
    """The height (pt of the sheet) one printed page holds when the columns ``widths`` are fitted to its width,
    with a margin for the spreadsheet's own rounding of row heights and scale."""
    sheet_pt = sum(int(w * 7 + 5) for w in widths) * 0.75  # a column of w characters is 7w + 5 px
    return 0.9 * PAGE_PT[1] / min(1.0, PAGE_PT[0] / sheet_pt)


class Pages:
    """The printed pages of a sheet: manual page breaks so that no block of rows (a heading and its table) and no
    chart is split across two pages."""

    def __init__(self, heights: dict[int, float], capacity: float, default: float = 15) -> None:
        self.heights, self.cap, self.default = heights, capacity, default
        self.breaks: list[int] = []  # first row of every page after the first
        self.anchor: tuple[object, int, int] = (None, 0, 0)  # worksheet, column and x offset of the charts
        self._y = 0.0  # charts: where the next one may start (pt from the top of the sheet)

    def top(self, row: int) -> float:
        return sum(self.heights.get(r, self.default) for r in range(row))

    def page_px(self) -> int:
        return int(self.cap / 0.75)

    def _page_of(self, y: float) -> tuple[float, float]:
        """Top and bottom (pt) of the page holding the point ``y``."""
        tops = [0.0, *(self.top(b) for b in self.breaks)]
        start = max(t for t in tops if t <= y)
        later = [t for t in tops if t > start]
        return start, later[0] if later else start + self.cap

    def keep(self, first: int, last: int) -> None:
        """Rows ``first``..``last`` on one page (or, taller than a page, starting a page)."""
        start, end = self._page_of(self.top(first))
        if self.top(last + 1) > end and self.top(first) > start:
            self.breaks.append(first)

    def _row_at(self, y: float) -> tuple[int, float]:
        """The row holding the point ``y`` (pt) and the point's offset in it."""
        row, top = 0, 0.0
        while top + self.heights.get(row, self.default) <= y:
            top += self.heights.get(row, self.default)
            row += 1
        return row, y - top

    def place(self, chart: object, height_px: int, first_row: int | None = None) -> None:
        """Insert ``chart`` below the previous one, on the next page when it does not fit (a new page break is
        added when the charts run past the last page of rows)."""
        ws, col, x = self.anchor
        if first_row is not None:
            self._y = self.top(first_row)
        height = height_px * 0.75
        start, end = self._page_of(self._y)
        if self._y + height > end:
            self._y = end
            if not any(abs(self.top(b) - end) < 0.01 for b in self.breaks):
                row, offset = self._row_at(end)
                self._y = self.top(row + (1 if offset else 0))
                self.breaks.append(row + (1 if offset else 0))
                self.breaks.sort()
        row, offset = self._row_at(self._y)
        ws.insert_chart(row, col, chart, {"x_offset": x, "y_offset": int(offset / 0.75)})
        self._y += height + 15


_Fit = Callable[[int, list[tuple[str, float]]], None]  # sets a row's height to show its wrapped texts


def write(ctx: Ctx, out: Out, r: MergeResult, opd_folder: str | None,
          more_charts: Callable[[], list[tuple[object, int]]] | None = None) -> None:
    """Ringkasan; ``more_charts`` makes the charts (and their heights in px) placed after its own."""
    heights: dict[int, float] = {0: 24, 5: 40}  # row -> height (pt) where not the default: for the page plan
    fit = _fitter(out.ws, heights)
    _columns(out.ws)
    _title(ctx, out, r)
    _average(ctx, out, r)
    figures = _key_figures(ctx, out, r, 8)  # a block: (first, last row) kept on one printed page, left side
    how = _how_to_read(ctx, out, r, opd_folder, fit, figures[1] + 2)
    dist = _bands(ctx, out, r, how[1] + 2)
    means = _domain_means(ctx, out, r, dist[1] + 2)
    aspects = _aspect_means(ctx, out, r, fit, means[1] + 2)
    opd = _per_opd(ctx, out, r, fit, aspects[1] + 2)
    out.ws.set_column(5, 14, 9)
    pages = Pages(heights, capacity(SUMMARY_WIDTHS))
    for first, last in [(0, 7), figures, how, dist, means, aspects, *([opd] if opd else [])]:
        pages.keep(first, last)
    if r.summary and r.summary.count:
        _charts(ctx, out, r, dist, means, aspects, opd if _draws_opd_chart(r) else None, pages)
        for chart, height in more_charts() if more_charts else ():
            pages.place(chart, height)
    out.ws.set_h_pagebreaks(pages.breaks)
    print_setup(out.ws)


def _fitter(ws: object, heights: dict[int, float]) -> _Fit:
    """Sets a row tall enough for its wrapped texts, and records its height in ``heights``."""
    def fit(row: int, texts: list[tuple[str, float]]) -> None:
        height = fit_height(texts)
        if height is not None:
            ws.set_row(row, height)
            heights[row] = height
    return fit


def _columns(ws: object) -> None:
    """No gridlines on screen; the widths of the table columns A-E."""
    ws.hide_gridlines(2)
    for c, w in enumerate(SUMMARY_WIDTHS[:5]):
        ws.set_column(c, c, w)


def _title(ctx: Ctx, out: Out, r: MergeResult) -> None:
    """Rows 1-3: the title, the regulation and the band rule."""
    t, f = ctx.t, ctx.f
    out.title(ctx.text("title", year=r.year), f["title"])
    out.text(1, 0, ctx.text("framework_line", regulation=ctx.fw.regulation or ctx.fw.title), f["subtitle"])
    out.text(2, 0, ctx.text("rule_line", rule=t["rule_rounded" if r.band_rule == "rounded" else "rule_unrounded"]),
             f["subtitle"])


def _average(ctx: Ctx, out: Out, r: MergeResult) -> None:
    """Rows 5-8: the province's average index and predikat, and last year's when the history has it."""
    t, f, s = ctx.t, ctx.f, r.summary
    out.text(4, 0, t["province_average"], f["h2"])
    out.ws.set_row(5, 40)
    if s and s.mean_index is not None:
        out.num(5, 0, stored(s.mean_index), f["idx_big"])
        out.text(5, 1, s.predikat, band(f, s.predikat, "band_big"))
        out.text(6, 0, ctx.text("average_of", n=s.count), f["note"])
        h = r.history
        if h is not None and h.used and h.province[-2].mean is not None:
            prev = h.province[-2]
            change = s.mean_index - prev.mean
            out.text(7, 0, ctx.text("last_year_line", year=prev.year, index=ctx.number(prev.mean), predikat=prev.predikat,
                                    change=("+" if change >= 0 else "") + ctx.number(change)), f["note"])
    else:
        out.text(5, 0, t["no_scores"], f["note"])


def _figures(r: MergeResult) -> list[tuple[str, int]]:
    """The key figures: text key and count, from the roster to the verified assessments."""
    c = r.counts
    scores = r.scores.values()
    figures = [
        ("n_roster", len(r.roster.opds)),
        ("n_files", r.check.questionnaires), ("n_accepted", r.check.accepted_files), ("n_superseded", c["superseded"]),
        ("n_rejected", c["rejected"]), ("n_submitted", len(r.scores)), ("n_missing", len(r.not_submitted)),
        ("n_complete", sum(1 for sc in scores if sc.complete)),
        ("n_incomplete", sum(1 for sc in scores if not sc.complete)),
        ("n_verified", sum(1 for sc in scores if sc.verified_count)),
    ]
    if c["opened"] or c["evidence"]:
        figures[2:2] = [("n_mail", c["opened"]), ("n_evidence", c["evidence"])]
    return figures


def _key_figures(ctx: Ctx, out: Out, r: MergeResult, row: int) -> tuple[int, int]:
    """The table of key figures from ``row``; its block."""
    t, f, start = ctx.t, ctx.f, row
    out.text(row, 0, t["key_figures"], f["h2"])
    row += 1
    out.header(row, [(t["figure"], 46), (t["count"], 20)], f["header"])
    for key, n in _figures(r):
        row += 1
        out.text(row, 0, t[key], f["text"])
        out.num(row, 1, n, f["count"])
    return start, row


def _how_to_read(ctx: Ctx, out: Out, r: MergeResult, opd_folder: str | None, fit: _Fit, row: int) -> tuple[int, int]:
    """How to read the workbook from ``row``, and where the per-OPD workbooks are; its block."""
    start = row
    out.text(row, 0, ctx.t["how_to_read"], ctx.f["h2"])
    for key in ("how_1", "how_2", "how_3"):
        row += 1
        text = ctx.text(key, lo=ctx.fw.level_min, hi=ctx.fw.level_max)
        out.merged(row, 0, 3, text, ctx.f["plain_wrap"])
        fit(row, [(text, 90)])
    if opd_folder:
        row += 1
        out.text(row, 0, ctx.text("per_opd_note", folder=opd_folder, limit=len(r.kept) - 1), ctx.f["note"])
    return start, row


def _bands(ctx: Ctx, out: Out, r: MergeResult, row: int) -> tuple[int, int]:
    """The predikat bands, their ranges and how many OPDs are in each, from ``row``; its block."""
    t, f, fw, start = ctx.t, ctx.f, ctx.fw, row
    out.text(row, 0, t["bands"], f["h2"])
    row += 1
    out.header(row, [(t["bands"], 46), (t["band_range"], 20), (t["band_count"], 14)], f["header"])
    dist = r.summary.predikat_distribution if r.summary else {b.name: 0 for b in fw.bands}
    for b in reversed(fw.bands):
        row += 1
        top = "≤" if b is fw.bands[-1] else "<"
        out.text(row, 0, b.name, band(f, b.name))
        out.text(row, 1, f"{ctx.number(b.min)} ≤ {t['index'].lower()} {top} {ctx.number(b.max)}", f["text"])
        out.num(row, 2, dist.get(b.name, 0), f["count"])
    return start, row


def _domain_means(ctx: Ctx, out: Out, r: MergeResult, row: int) -> tuple[int, int]:
    """Every domain's weight, mean and predikat, from ``row``; its block."""
    t, f, s, start = ctx.t, ctx.f, r.summary, row
    out.text(row, 0, t["domain_means"], f["h2"])
    row += 1
    out.header(row, [(t["domain"], 46), (t["weight"], 20), (t["mean"], 14), (t["predikat"], 14)], f["header"])
    for d in ctx.fw.domains:
        row += 1
        out.text(row, 0, f"{d.id} {d.name}", f["text"])
        out.num(row, 1, stored(d.weight), f["idx"])
        if s and s.domain_means:
            out.num(row, 2, stored(s.domain_means[d.id]), f["idx"])
            out.text(row, 3, s.domain_predikat[d.id], band(f, s.domain_predikat[d.id]))
    return start, row


def _aspect_means(ctx: Ctx, out: Out, r: MergeResult, fit: _Fit, row: int) -> tuple[int, int]:
    """Every aspect's domain and mean, from ``row``; its block."""
    t, f, s, start = ctx.t, ctx.f, r.summary, row
    out.text(row, 0, t["aspect_means"], f["h2"])
    row += 1
    out.header(row, [(t["aspect"], 46), (t["domain"], 20), (t["mean"], 14)], f["header"])
    for a in ctx.fw.aspects:
        row += 1
        out.text(row, 0, f"{a.id} {a.name}", f["wrap"])
        out.text(row, 1, a.domain, f["text"])
        if s and s.aspect_means:
            out.num(row, 2, stored(s.aspect_means[a.id]), f["idx"])
        fit(row, [(f"{a.id} {a.name}", 46)])
    return start, row


def _draws_opd_chart(r: MergeResult) -> bool:
    """Whether the sheet has the per-OPD chart: a bar per OPD would be unreadable past CHART_MAX_OPDS."""
    return 0 < len(r.ranking) <= settings.CHART_MAX_OPDS


def _per_opd(ctx: Ctx, out: Out, r: MergeResult, fit: _Fit, row: int) -> tuple[int, int] | None:
    """The per-OPD chart's data from ``row``, or why it is not drawn; its block (None: no OPD)."""
    t, f, start = ctx.t, ctx.f, row
    if len(r.ranking) > settings.CHART_MAX_OPDS:  # Peringkat has them all
        out.text(row, 0, ctx.text("chart_skipped", chart=t["chart_opd"], limit=settings.CHART_MAX_OPDS,
                                  sheet=t["sheet_ranking"]), f["note"])
        return row, row
    if not r.ranking:
        return None
    # a static block in rank order (Peringkat has an autofilter; a chart on it would reorder its bars when an
    # official sorts or filters there, while its bar colours stay put)
    out.text(row, 0, t["opd_chart_data"], f["h2"])
    row += 1
    out.header(row, [(t["name"], 46), (t["spbe_index"], 20), (t["predikat"], 14), (t["status"], 14)], f["header"])
    for x in r.ranking:
        row += 1
        label = x.name + ("" if x.score.complete else t["incomplete_suffix"])
        text = status(ctx, x.score)
        out.text(row, 0, label, f["wrap"])
        out.num(row, 1, stored(x.index), f["idx_bold"])
        out.text(row, 2, x.predikat, band(f, x.predikat))
        out.text(row, 3, text, f["wrap"] if x.score.complete else f[("sev", "incomplete")])
        fit(row, [(label, 46), (text, 14)])
    return start, row


def _charts(ctx: Ctx, out: Out, r: MergeResult, dist: tuple[int, int], means: tuple[int, int],
            aspects: tuple[int, int], opd: tuple[int, int] | None, pages: Pages) -> None:
    """The charts of the tables in these blocks (a heading and a header row above their rows), right of them."""
    pages.anchor = (out.ws, 5, 10)  # charts go to column F, 10 px from its edge
    _distribution_chart(ctx, out, r, (dist[0] + 2, dist[1]), pages)
    if opd:
        _opd_chart(ctx, out, r, (opd[0] + 2, opd[1]), pages)
    for rows, title, colour, per in (((means[0] + 2, means[1]), ctx.t["domain"], HEADER_FILL, 34),
                                     ((aspects[0] + 2, aspects[1]), ctx.t["aspect"], OPD_COLOUR, 30)):
        _means_chart(ctx, out, rows, title, colour, per, pages)


def index_axis(fw: Framework, name: str) -> dict:
    """The value axis of a chart of indices: 0 to the top level, with gridlines, titled ``name``."""
    return {"min": 0, "max": fw.level_max, "major_unit": 1, "num_format": "0",
            "major_gridlines": {"visible": True, "line": {"color": GRID}}, "name": name,
            "name_font": {"size": 9, "bold": False}}


def _distribution_chart(ctx: Ctx, out: Out, r: MergeResult, rows: tuple[int, int], pages: Pages) -> None:
    """How many OPDs are in each predikat band, a column per band in its colour; beside the average."""
    t, fw, name = ctx.t, ctx.fw, out.name
    colours = style.band_colours(fw)
    counts = r.summary.predikat_distribution
    chart = ctx.wb.add_chart({"type": "column"})
    chart.add_series({
        "name": t["band_count"], "categories": [name, rows[0], 0, rows[1], 0], "values": [name, rows[0], 2, rows[1], 2],
        "points": [{"fill": {"color": colours[b.name][0]}, "border": {"color": "#404040"}} for b in reversed(fw.bands)],
        "data_labels": {"value": True}, "gap": 60,
    })
    style_chart(chart, t["chart_dist"])
    chart.set_y_axis({"major_gridlines": {"visible": True, "line": {"color": GRID}}, "min": 0, "num_format": "0",
                      "name": t["band_count"], "name_font": {"size": 9, "bold": False},
                      "major_unit": max(1, math.ceil(max(counts.values(), default=1) / 5))})
    chart.set_size({"width": 560, "height": 300})
    pages.place(chart, 300, first_row=4)


def _opd_chart(ctx: Ctx, out: Out, r: MergeResult, rows: tuple[int, int], pages: Pages) -> None:
    """Every OPD's index, from the static block in rank order; the bar colours follow it."""
    t, fw, name = ctx.t, ctx.fw, out.name
    first, last = rows
    colours = style.band_colours(fw)
    chart = ctx.wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": t["spbe_index"], "categories": [name, first, 0, last, 0], "values": [name, first, 1, last, 1],
        "points": [{"fill": {"color": colours[x.predikat][0]}} for x in r.ranking],
        "data_labels": {"value": True, "num_format": "0.00"}, "gap": 40,
    })
    style_chart(chart, t["chart_opd"])
    # in an xlsxwriter bar chart the x axis is the horizontal value axis and the y axis the category axis
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
    chart.set_x_axis(index_axis(fw, t["spbe_index"]))
    height = min(max(260, 30 * len(r.ranking) + 90), pages.page_px())  # one printed page at most
    chart.set_size({"width": 560, "height": height})
    pages.place(chart, height)


def _means_chart(ctx: Ctx, out: Out, rows: tuple[int, int], title: str, colour: str, per: int, pages: Pages) -> None:
    """The means of the table in ``rows`` (domains or aspects), a bar ``per`` px tall for each."""
    t, name = ctx.t, out.name
    first, last = rows
    chart = ctx.wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": t["mean"], "categories": [name, first, 0, last, 0], "values": [name, first, 2, last, 2],
        "fill": {"color": colour}, "data_labels": {"value": True, "num_format": "0.00"}, "gap": 40,
    })
    style_chart(chart, f"{t['chart_means']}: {title}")
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis(index_axis(ctx.fw, t["mean"]))
    chart.set_legend({"none": True})
    height = min(60 + per * (last - first + 1), pages.page_px())
    chart.set_size({"width": 560, "height": height})
    pages.place(chart, height)


def style_chart(chart: object, title: str) -> None:
    chart.set_title({"name": title, "name_font": {"size": 11, "bold": True}})
    chart.set_legend({"none": True})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
