"""Ringkasan: the province's average, key figures, how to read the workbook, band and domain tables, charts."""

from __future__ import annotations

import math
from collections.abc import Callable

from pipeline import settings
from pipeline.batch import MergeResult
from pipeline.catalog.framework import display
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


def write(ctx: Ctx, out: Out, r: MergeResult, opd_folder: str | None,
          more_charts: Callable[[], list[tuple[object, int]]] | None = None) -> None:
    """Ringkasan; ``more_charts`` makes the charts (and their heights in px) placed after its own."""
    t, f, fw = ctx.t, ctx.f, ctx.fw
    ws = out.ws
    ws.hide_gridlines(2)
    for c, w in enumerate(SUMMARY_WIDTHS[:5]):
        ws.set_column(c, c, w)
    heights: dict[int, float] = {0: 24, 5: 40}  # row -> height (pt) where not the default: for the page plan

    def fit(row: int, texts: list[tuple[str, float]]) -> None:
        height = fit_height(texts)
        if height is not None:
            ws.set_row(row, height)
            heights[row] = height

    out.title(ctx.text("title", year=r.year), f["title"])
    out.text(1, 0, ctx.text("framework_line", regulation=fw.regulation or fw.title), f["subtitle"])
    out.text(2, 0, ctx.text("rule_line", rule=t["rule_rounded" if r.band_rule == "rounded" else "rule_unrounded"]),
             f["subtitle"])
    s = r.summary
    out.text(4, 0, t["province_average"], f["h2"])
    ws.set_row(5, 40)
    if s and s.mean_index is not None:
        out.num(5, 0, stored(s.mean_index), f["idx_big"])
        out.text(5, 1, s.predikat, band(f, s.predikat, "band_big"))
        out.text(6, 0, ctx.text("average_of", n=s.count), f["note"])
        h = r.history
        if h is not None and h.used and h.province[-2].mean is not None:
            prev = h.province[-2]
            change = s.mean_index - prev.mean
            out.text(7, 0, ctx.text("last_year_line", year=prev.year, index=display(prev.mean), predikat=prev.predikat,
                                    change=("+" if change >= 0 else "") + display(change)), f["note"])
    else:
        out.text(5, 0, t["no_scores"], f["note"])
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
    row = 8
    sections = [(0, 7)]  # (first, last row) of every block kept on one printed page, left side
    out.text(row, 0, t["key_figures"], f["h2"])
    row += 1
    out.header(row, [(t["figure"], 46), (t["count"], 20)], f["header"])
    for key, n in figures:
        row += 1
        out.text(row, 0, t[key], f["text"])
        out.num(row, 1, n, f["count"])
    sections.append((8, row))
    row += 2
    start = row
    out.text(row, 0, t["how_to_read"], f["h2"])
    for key in ("how_1", "how_2", "how_3"):
        row += 1
        text = ctx.text(key, lo=fw.level_min, hi=fw.level_max)
        out.merged(row, 0, 3, text, f["plain_wrap"])
        fit(row, [(text, 90)])
    if opd_folder:
        row += 1
        out.text(row, 0, ctx.text("per_opd_note", folder=opd_folder, limit=len(r.kept) - 1), f["note"])
    sections.append((start, row))
    row += 2
    start = row
    out.text(row, 0, t["bands"], f["h2"])
    row += 1
    out.header(row, [(t["bands"], 46), (t["band_range"], 20), (t["band_count"], 14)], f["header"])
    dist_first = row + 1
    dist = s.predikat_distribution if s else {b.name: 0 for b in fw.bands}
    for b in reversed(fw.bands):
        row += 1
        top = "≤" if b is fw.bands[-1] else "<"
        out.text(row, 0, b.name, band(f, b.name))
        out.text(row, 1, f"{display(b.min)} ≤ {t['index'].lower()} {top} {display(b.max)}", f["text"])
        out.num(row, 2, dist.get(b.name, 0), f["count"])
    dist_last = row
    sections.append((start, row))
    row += 2
    start = row
    out.text(row, 0, t["domain_means"], f["h2"])
    row += 1
    out.header(row, [(t["domain"], 46), (t["weight"], 20), (t["mean"], 14), (t["predikat"], 14)], f["header"])
    means_first = row + 1
    for d in fw.domains:
        row += 1
        out.text(row, 0, f"{d.id} {d.name}", f["text"])
        out.num(row, 1, stored(d.weight), f["idx"])
        if s and s.domain_means:
            out.num(row, 2, stored(s.domain_means[d.id]), f["idx"])
            out.text(row, 3, s.domain_predikat[d.id], band(f, s.domain_predikat[d.id]))
    sections.append((start, row))
    row += 2
    start = row
    out.text(row, 0, t["aspect_means"], f["h2"])
    row += 1
    out.header(row, [(t["aspect"], 46), (t["domain"], 20), (t["mean"], 14)], f["header"])
    aspect_first = row + 1
    for a in fw.aspects:
        row += 1
        out.text(row, 0, f"{a.id} {a.name}", f["wrap"])
        out.text(row, 1, a.domain, f["text"])
        if s and s.aspect_means:
            out.num(row, 2, stored(s.aspect_means[a.id]), f["idx"])
        fit(row, [(f"{a.id} {a.name}", 46)])
    aspect_last = row
    sections.append((start, row))
    opd_block = None
    if len(r.ranking) > settings.CHART_MAX_OPDS:  # a bar per OPD would be unreadable: Peringkat has them all
        row += 2
        sections.append((row, row))
        out.text(row, 0, ctx.text("chart_skipped", chart=t["chart_opd"], limit=settings.CHART_MAX_OPDS,
                                  sheet=t["sheet_ranking"]), f["note"])
    elif r.ranking:
        # the per-OPD chart's own data: a static block in rank order (Peringkat has an autofilter; a chart on
        # it would reorder its bars when an official sorts or filters there, while its bar colours stay put)
        row += 2
        start = row
        out.text(row, 0, t["opd_chart_data"], f["h2"])
        row += 1
        out.header(row, [(t["name"], 46), (t["spbe_index"], 20), (t["predikat"], 14), (t["status"], 14)],
                   f["header"])
        opd_block = (row + 1, row + len(r.ranking))
        for x in r.ranking:
            row += 1
            label = x.name + ("" if x.score.complete else t["incomplete_suffix"])
            text = status(ctx, x.score)
            out.text(row, 0, label, f["wrap"])
            out.num(row, 1, stored(x.index), f["idx_bold"])
            out.text(row, 2, x.predikat, band(f, x.predikat))
            out.text(row, 3, text, f["wrap"] if x.score.complete else f[("sev", "incomplete")])
            fit(row, [(label, 46), (text, 14)])
        sections.append((start, row))
    ws.set_column(5, 14, 9)
    pages = Pages(heights, capacity(SUMMARY_WIDTHS))
    for first, last in sections:
        pages.keep(first, last)
    if s and s.count:
        _charts(ctx, out, r, (dist_first, dist_last), means_first, (aspect_first, aspect_last), opd_block, pages)
        for chart, height in more_charts() if more_charts else ():
            pages.place(chart, height)
    ws.set_h_pagebreaks(pages.breaks)
    print_setup(ws)


def _charts(ctx: Ctx, out: Out, r: MergeResult, dist: tuple[int, int], means_first: int,
            aspects: tuple[int, int], opd_block: tuple[int, int] | None, pages: Pages) -> None:
    """The predikat distribution, the bar of every OPD (up to CHART_MAX_OPDS) and the domain and aspect means."""
    t, fw, ws, name = ctx.t, ctx.fw, out.ws, out.name
    colours = style.band_colours(fw)
    grid = {"visible": True, "line": {"color": GRID}}
    counts = r.summary.predikat_distribution
    pages.anchor = (ws, 5, 10)  # charts go to column F, 10 px from its edge
    chart = ctx.wb.add_chart({"type": "column"})
    chart.add_series({
        "name": t["band_count"], "categories": [name, dist[0], 0, dist[1], 0], "values": [name, dist[0], 2, dist[1], 2],
        "points": [{"fill": {"color": colours[b.name][0]}, "border": {"color": "#404040"}} for b in reversed(fw.bands)],
        "data_labels": {"value": True}, "gap": 60,
    })
    style_chart(chart, t["chart_dist"])
    axis_font = {"size": 9, "bold": False}
    chart.set_y_axis({"major_gridlines": grid, "min": 0, "num_format": "0", "name": t["band_count"],
                      "name_font": axis_font, "major_unit": max(1, math.ceil(max(counts.values(), default=1) / 5))})
    chart.set_size({"width": 560, "height": 300})
    pages.place(chart, 300, first_row=4)

    if opd_block:  # every OPD's index, from the static block in rank order; the bar colours follow it
        first, last = opd_block
        chart = ctx.wb.add_chart({"type": "bar"})
        chart.add_series({
            "name": t["spbe_index"], "categories": [name, first, 0, last, 0], "values": [name, first, 1, last, 1],
            "points": [{"fill": {"color": colours[x.predikat][0]}} for x in r.ranking],
            "data_labels": {"value": True, "num_format": "0.00"}, "gap": 40,
        })
        style_chart(chart, t["chart_opd"])
        # in an xlsxwriter bar chart the x axis is the horizontal value axis and the y axis the category axis
        chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
        chart.set_x_axis({"min": 0, "max": fw.level_max, "major_unit": 1, "num_format": "0", "major_gridlines": grid,
                          "name": t["spbe_index"], "name_font": axis_font})
        height = min(max(260, 30 * len(r.ranking) + 90), pages.page_px())  # one printed page at most
        chart.set_size({"width": 560, "height": height})
        pages.place(chart, height)

    means_last = means_first + len(fw.domains) - 1
    for (first, last), title, colour, per in (((means_first, means_last), t["domain"], HEADER_FILL, 34),
                                              (aspects, t["aspect"], OPD_COLOUR, 30)):
        chart = ctx.wb.add_chart({"type": "bar"})
        chart.add_series({
            "name": t["mean"], "categories": [name, first, 0, last, 0], "values": [name, first, 2, last, 2],
            "fill": {"color": colour}, "data_labels": {"value": True, "num_format": "0.00"}, "gap": 40,
        })
        style_chart(chart, f"{t['chart_means']}: {title}")
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"min": 0, "max": fw.level_max, "major_unit": 1, "num_format": "0", "major_gridlines": grid,
                          "name": t["mean"], "name_font": axis_font})
        chart.set_legend({"none": True})
        height = min(60 + per * (last - first + 1), pages.page_px())
        chart.set_size({"width": 560, "height": height})
        pages.place(chart, height)


def style_chart(chart: object, title: str) -> None:
    chart.set_title({"name": title, "name_font": {"size": 11, "bold": True}})
    chart.set_legend({"none": True})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
