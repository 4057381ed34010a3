"""One OPD's gap analysis sheet: key figures, a chart against the province, the minimal plan, the what-if
indicator table, the OPD's servers and what would move into the provincial server room, and the OPD's own
findings. In the main workbook (one sheet per OPD) and in per-OPD workbooks."""

from __future__ import annotations

import dataclasses
import functools
import operator
from dataclasses import dataclass
from fractions import Fraction

from pipeline import inventory
from pipeline.batch import MergeResult
from pipeline.catalog import framework as fwmod
from pipeline.findings import Finding, severity_label
from pipeline.history import Memory
from pipeline.report.style import MEAN_COLOUR, MISSING_MARK, OPD_COLOUR, band, readback, recalculated, stored
from pipeline.report.summary import Pages, capacity, index_axis, style_chart
from pipeline.report.writer import Ctx, fit_height, fit_row, print_setup
from pipeline.scoring.gaps import TARGET_INDEX, TARGET_LEVELS, TARGET_NEXT_BAND, TARGET_TOP_BAND, Gap

# Every table of the sheet is laid out on these widths: narrow where the indicator table holds codes and numbers
# (headings wrap), so that the sheet fitted to A4 landscape prints its 10-point text at about 8.5 points or more
WIDTHS = (5, 32, 10, 10, 7, 7, 10, 8, 8, 10, 40, 8)
MEMORY_WIDTHS = (8, 8, 7, 7)  # last year's level, change, last year's target, target reached (about 7 points)
CHART_COL, CHART_X = 4, 15  # the chart's column (E) and its offset in it (px); it ends inside the last column
ROW_FIELDS = ("indicator", "name", "domain", "aspect", "current", "target", "gap", "weight", "step_gain",
              "next_criteria", "priority")
_row_fields = operator.attrgetter(*ROW_FIELDS)


def span(first: int, last: int) -> int:
    """The width of columns ``first``..``last`` of :data:`WIDTHS` together (a merged cell's, for row heights)."""
    return sum(WIDTHS[first:last + 1])


@functools.lru_cache(maxsize=1 << 12)  # a few targets and weights recur in every OPD's sheet
def _contribution(target: int, numerator: int, denominator: int) -> float:
    """An indicator's contribution to the planned index as the sheet's formula F*H/100 computes it."""
    return target * readback(Fraction(numerator, denominator)) / 100


@dataclass(frozen=True)
class Recall:
    """Last year's figures of one OPD, shown beside this year's (from :class:`pipeline.history.History`)."""

    year: int
    framework: str  # that year's catalog, short name
    index: Fraction | None  # None: the OPD is not in last year's rekap
    predikat: str
    rows: tuple[Memory, ...]  # per indicator, in the order of ``GapData.rows`` (empty when ``index`` is None)


@dataclass(frozen=True)
class GapData:
    """Everything one OPD's gap sheet shows (small: sent to the per-OPD workers)."""

    code: str
    name: str  # OPD display name
    sheet: str  # sheet name
    file: str  # its submission's file
    missing: tuple[str, ...]  # indicators not answered (scored at the lowest level)
    domains: dict[str, Fraction]  # domain and aspect indices
    aspects: dict[str, Fraction]
    gap: Gap  # without its rows: they are ``rows``, as plain tuples (sent to a worker ten times faster than GapRows)
    rows: tuple[tuple, ...]  # per indicator: the GapRow fields of ROW_FIELDS
    findings: tuple[Finding, ...]  # sorted
    evidence: tuple[tuple[str, str, int], ...] = ()  # evidence files received: (entry name, what it is, size)
    # the Server sheet's rows (name, hosting, kind, vCPU, RAM, storage, year, moves, rent, applications, 0), and
    # the previous version's counts as (note, hosting, "", None x 4, moves, None, "", count)
    servers: tuple[tuple, ...] = ()
    moving: tuple[tuple[str, str], ...] = ()  # applications that would move: (name, hosting)
    recall: Recall | None = None  # last year (None: no history)
    verified: tuple[int, Fraction] | None = None  # levels the verifier changed: (how many, the self-assessed index)


def data_of(r: MergeResult, code: str, sheet: str) -> GapData:
    sub = r.submission_of(code)
    score, gap = r.scores[code], r.gaps[code]
    room = r.inventory.room_of(code)
    servers = tuple((s.name, s.hosting, s.kind, s.vcpu, s.ram_gb, s.storage_gb, s.year, inventory.movable(s.hosting),
                     s.rent, "; ".join(s.apps), 0) for s in room.machines) + tuple(
        (c.note, c.location, "", None, None, None, None, inventory.movable(c.location), None, "", c.count)
        for c in room.counts)
    services = {a.indicator: a.service_name for a in sub.answers if a.service_name}  # 35a-35c: which service
    rows = tuple(_with_service(row, services.get(row[0])) for row in map(_row_fields, gap.rows))
    return GapData(code, r.opd_name(code), sheet, sub.file, score.missing, score.domains, score.aspects,
                   dataclasses.replace(gap, rows=()), rows,
                   tuple(sorted(sub.findings, key=Finding.sort_key)),
                   tuple((e.file, e.label, e.size) for e in r.evidence.get(code, ())), servers,
                   tuple((a.name, a.hosting) for a in room.apps), _recall(r, code),
                   (score.adjusted, score.self_index) if score.adjusted else None)


def _with_service(row: tuple, service: str | None) -> tuple:
    """An indicator row named with the public service the OPD assessed under it ("Layanan Publik ...: SIMPUS")."""
    return row if not service else (row[0], f"{row[1]}: {service}", *row[2:])


def _recall(r: MergeResult, code: str) -> Recall | None:
    h = r.history
    if h is None or not h.used:
        return None
    last = h.province[-2]
    row, memory = h.row(code), (h.memory or {}).get(code)
    point = row.points[-2] if row else None
    return Recall(last.year, fwmod.short_name(last.framework) if last.framework != r.framework.id
                  else r.framework.short_name, point[0] if point and memory else None,
                  point[1] if point and memory else "", memory or ())


_PLANNED_ROW = 8  # the planned index's row: its formulas are written with the indicator table, whose cells they read


class _Heights:
    """Sets row heights and keeps them (pt): the pages above the indicator table are laid out with them."""

    def __init__(self, ws: object) -> None:
        self.ws, self.pt = ws, {0: 24.0}  # row -> height where not the default; the title row's (Out.title)

    def set(self, row: int, height: float) -> None:
        self.ws.set_row(row, height)
        self.pt[row] = height

    def fit(self, row: int, texts: list[tuple[str, float]]) -> None:
        """The row tall enough for its wrapped texts (as :func:`pipeline.report.writer.fit_row`)."""
        height = fit_height(texts)
        if height is not None:
            self.set(row, height)

    def below(self, row: int, px: int) -> int:
        """The first row wholly below a chart ``px`` tall placed at the top of ``row``."""
        left = px * 0.75
        while left > 0:
            left -= self.pt.get(row, 15)
            row += 1
        return row


def write(ctx: Ctx, data: GapData, *, standalone: bool) -> None:
    """One OPD's gap sheet, section by section; ``standalone``: in its own workbook (no link back to Peringkat)."""
    out = ctx.sheet(data.sheet)
    widths = _columns(out.ws, data)
    sizes = _Heights(out.ws)
    _title(ctx, out, data, standalone)
    _key_figures(ctx, out, data.gap, sizes)
    _references(ctx, out, data, sizes)
    rows = _domain_aspect_values(ctx, out, data, sizes, 12 if data.recall else 11)  # with history, row 11: last year
    plan = max(rows[1] + 2, sizes.below(3, _chart(ctx, out, rows)) + 1)
    servers_row = _plan(ctx, out, data, sizes, plan) + 3
    row = _findings(ctx, out, data, sizes, _servers(ctx, out, data, sizes, servers_row) + 3)
    if data.evidence:
        row = _evidence(ctx, out, data, sizes, row + 2)
    # the plan whole under the key figures, or from a page of its own; the servers, findings and evidence from a new
    # page, or under the plan on its page when they fit there; then the long indicator table from another page:
    # its headings repeat on every page after their own, so nothing may follow the table
    pages = Pages(sizes.pt, capacity(widths))
    pages.keep(plan, servers_row - 3)
    if pages.breaks:
        pages.keep(servers_row, row)
    else:
        pages.breaks.append(servers_row)
    _indicators(ctx, out, data, row + 3, _PLANNED_ROW)
    _pages(out.ws, [*pages.breaks, row + 3])


def _columns(ws: object, data: GapData) -> tuple[int, ...]:
    """The widths every table of the sheet is laid out on, and those of last year's columns when there is history;
    all of them."""
    widths = (*WIDTHS, *(MEMORY_WIDTHS if data.recall else ()))
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    return widths


def _title(ctx: Ctx, out: object, data: GapData, standalone: bool) -> None:
    """Rows 1-3: the title, the OPD's code and file (and the link back to Peringkat), and the verifier's note."""
    t, f = ctx.t, ctx.f
    out.title(ctx.text("gap_title", name=data.name), f["title"])
    out.text(1, 0, ctx.text("gap_sub", code=data.code, file=data.file), f["subtitle"])
    if not standalone:
        out.url(1, 10, f"internal:'{t['sheet_ranking']}'!A1", t["back"], f["link_plain"])
    if data.verified:  # the levels used are not all the OPD's own: say so where the OPD reads its figures
        out.text(2, 0, ctx.text("gap_verified", n=data.verified[0], index=ctx.number(data.verified[1])), f["note"])


def _key_figures(ctx: Ctx, out: object, gap: Gap, sizes: _Heights) -> None:
    """Rows 4-8: the current and target index, where the target comes from, the shortfall and the steps needed;
    the name of row 9's planned index (its formulas come with the indicator table)."""
    t, f = ctx.t, ctx.f
    for row, key, value, predikat in ((3, "current_index", gap.current_index, gap.current_predikat),
                                      (4, "target_index", gap.target_index, gap.target_predikat)):
        _label(ctx, out, sizes, row, t[key])
        out.num(row, 2, stored(value), f["idx_bold"])
        out.text(row, 3, predikat, band(f, predikat))
    source = {TARGET_NEXT_BAND: ctx.text("src_next", pred=gap.target_predikat), TARGET_TOP_BAND: t["src_top"],
              TARGET_INDEX: t["src_index"], TARGET_LEVELS: t["src_levels"]}.get(gap.target_source, gap.target_source)
    _label(ctx, out, sizes, 5, t["target_source"], (source, span(2, 3)))
    out.merged(5, 2, 3, source, f["wrap"])
    _label(ctx, out, sizes, 6, t["shortfall"])
    out.num(6, 2, stored(gap.shortfall), f["idx"])
    _label(ctx, out, sizes, 7, t["steps"])
    if gap.steps_needed is None:
        out.text(7, 2, t["unreachable"], f["text"])
    else:
        out.num(7, 2, gap.steps_needed, f["int"])
    _label(ctx, out, sizes, _PLANNED_ROW, t["planned_index"])


def _label(ctx: Ctx, out: object, sizes: _Heights, row: int, text: str, *more: tuple[str, float]) -> None:
    """A key figure's name in column B, wrapped (the row as tall as it and the ``more`` texts of the row need)."""
    out.text(row, 1, text, ctx.f["bold_wrap"])
    sizes.fit(row, [(text, WIDTHS[1]), *more])


def _references(ctx: Ctx, out: object, data: GapData, sizes: _Heights) -> None:
    """From row 10 (row 9 is the planned index): the province's mean, last year's index, the evidence files."""
    t, f, summary = ctx.t, ctx.f, ctx.meta.summary
    mean = summary.mean_index if summary else None
    _label(ctx, out, sizes, 9, t["province_mean"])
    out.num(9, 2, None if mean is None else stored(mean), f["idx"])
    next_row = 10
    last = data.recall
    if last is not None:
        _label(ctx, out, sizes, 10, ctx.text("prev_index", year=last.year))
        out.num(10, 2, None if last.index is None else stored(last.index), f["idx"])
        out.text(10, 3, last.predikat, band(f, last.predikat) if last.predikat else f["text"])
        next_row = 11
    if data.evidence:
        _label(ctx, out, sizes, next_row, t["evidence_received"])
        out.num(next_row, 2, len(data.evidence), f["int"])


def _domain_aspect_values(ctx: Ctx, out: object, data: GapData, sizes: _Heights, row: int) -> tuple[int, int]:
    """The domain and aspect indices against the province's means from ``row`` (the chart's data); their rows."""
    t, f, summary = ctx.t, ctx.f, ctx.meta.summary
    for c, h in ((1, t["dom_asp"]), (2, t["opd_value"]), (3, t["province_mean"])):
        out.text(row, c, h, f["header"])
    sizes.set(row, 30)
    first = row + 1
    items = [(d.id, d.name, data.domains[d.id], summary.domain_means.get(d.id) if summary else None)
             for d in ctx.fw.domains]
    items += [(a.id, a.name, data.aspects[a.id], summary.aspect_means.get(a.id) if summary else None)
              for a in ctx.fw.aspects]
    for ident, name, value, avg in items:
        row += 1
        out.text(row, 1, f"{ident} {name}", f["wrap"])
        out.num(row, 2, stored(value), f["idx"])
        out.num(row, 3, None if avg is None else stored(avg), f["idx"])
        sizes.fit(row, [(f"{ident} {name}", WIDTHS[1])])
    return first, row


def _chart(ctx: Ctx, out: object, rows: tuple[int, int]) -> int:
    """The OPD's domain and aspect indices beside the province's, a bar each, right of the key figures; its height."""
    t, (first, last) = ctx.t, rows
    chart = ctx.wb.add_chart({"type": "bar"})
    for col, label, colour in ((2, t["opd_value"], OPD_COLOUR), (3, t["province_mean"], MEAN_COLOUR)):
        chart.add_series({"name": label, "categories": [out.name, first, 1, last, 1],
                          "values": [out.name, first, col, last, col], "fill": {"color": colour}, "gap": 60})
    style_chart(chart, t["chart_opd_vs"])
    chart.set_legend({"position": "bottom"})
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
    chart.set_x_axis(index_axis(ctx.fw, t["index"]))
    height = max(320, 38 * (last - first + 1) + 80)
    width = sum(int(w * 7 + 5) for w in WIDTHS[CHART_COL:]) - CHART_X - 10  # a column of w characters: 7w + 5 px
    chart.set_size({"width": width, "height": height})
    out.ws.insert_chart(3, CHART_COL, chart, {"x_offset": CHART_X})
    return height


def _pages(ws: object, breaks: list[int]) -> None:
    """Page breaks before the servers and before the indicator table; the title rows frozen; the print setup."""
    ws.set_h_pagebreaks(breaks)
    ws.freeze_panes(3, 0)
    print_setup(ws)


def _plan(ctx: Ctx, out: object, data: GapData, sizes: _Heights, row: int) -> int:
    """The minimal plan from ``row``; unanswered indicators come first: answering them is the first step."""
    t, f, gap = ctx.t, ctx.f, data.gap
    out.text(row, 0, t["plan"], f["h2"])
    row += 1
    if data.missing:
        first_step = ctx.text("first_step", ids=", ".join(data.missing))
        out.merged(row, 0, 10, first_step, f[("sev_wrap", "incomplete")])
        sizes.fit(row, [(first_step, span(0, 10))])
        row += 1
    if not gap.reachable:
        out.text(row, 1, t["plan_unreachable"], f["note"])
    elif not gap.plan:
        out.text(row, 1, t["plan_none"], f["note"])
    else:
        current = {row[0]: row[4] for row in data.rows}
        names = {row[0]: row[1] for row in data.rows}
        for c, key in enumerate(("ind_id", "ind_name", "level_from", "level_to", "levels_up", "gain")):
            out.text(row, c, t[key], f["header"])
        sizes.set(row, 45)  # narrow columns: a heading may take three lines
        for step in gap.plan:
            row += 1
            ind = ctx.fw.indicator(step.indicator)
            now = current.get(ind.id, ctx.fw.level_min)
            out.text(row, 0, ind.id, f["bold"])
            out.text(row, 1, names.get(ind.id, ind.name), f["wrap"])
            out.num(row, 2, now, f["level_missing" if ind.id in data.missing else "level"])
            out.num(row, 3, now + step.levels, f["level"])
            out.num(row, 4, step.levels, f["int"])
            out.num(row, 5, stored(step.gain, 4), f["w4"])
            sizes.fit(row, [(names.get(ind.id, ind.name), WIDTHS[1])])
    return row


def _indicators(ctx: Ctx, out: object, data: GapData, row: int, planned_row: int) -> int:
    """The indicator table with its what-if Target column from ``row``, and the planned index; its last row."""
    hr = _indicator_heads(ctx, out, row)
    first, last = hr + 1, hr + len(data.rows)
    _indicator_rows(ctx, out, data, first)
    _what_if(ctx, out, first, last)
    _planned(ctx, out, data, planned_row, first, last)
    if data.missing:
        out.text(last + 1, 4, ctx.text("matrix_legend", mark=f"{ctx.fw.level_min}{MISSING_MARK}", lo=ctx.fw.level_min),
                 ctx.f["note"])
    if data.recall is not None:
        _memory_notes(ctx, out, data.recall, hr, last)
    return last


def _indicator_heads(ctx: Ctx, out: object, row: int) -> int:
    """The table's title at ``row`` and its headings below, repeated on every printed page; the headings' row."""
    t, f, ws = ctx.t, ctx.f, out.ws
    out.text(row, 0, t["indicators"], f["h2"])
    hr = row + 1
    heads = ("ind_id", "ind_name", "domain", "aspect", "current", "target", "gap", "weight", "step_gain",
             "contribution", "next_criteria", "priority")
    for c, key in enumerate(heads):
        out.text(hr, c, t[key], f["header_input" if c == 5 else "header"])
    ws.set_row(hr, 45)
    ws.repeat_rows(hr)  # the long table's headings on every printed page
    return hr


def _indicator_rows(ctx: Ctx, out: object, data: GapData, first: int) -> None:
    """An indicator a row from ``first``: its levels, what-if target and gap, weight, gain and next criteria."""
    f, ws = ctx.f, out.ws
    missing = set(data.missing)
    for i, (ind, name, domain, aspect, current, target, levels, weight, gain, nxt, priority) in enumerate(data.rows,
                                                                                                          first):
        e = i + 1  # 1-based row for formulas
        criteria = ctx.text("criteria_level", level=current + 1, text=nxt) if nxt else ""
        out.text(i, 0, ind, f["bold"])
        out.text(i, 1, name, f["wrap"])
        out.text(i, 2, domain, f["text"])
        out.text(i, 3, aspect, f["text"])
        out.num(i, 4, current, f["level_missing" if ind in missing else "level"])
        out.num(i, 5, target, f["int_input"])
        out.formula(i, 6, f"=MAX(0,F{e}-E{e})", levels, f["level"])
        out.num(i, 7, float(weight), f["w4"])
        out.num(i, 8, stored(gain, 4), f["w4"])
        out.formula(i, 9, f"=F{e}*H{e}/100", _contribution(target, weight.numerator, weight.denominator), f["w4"])
        out.text(i, 10, criteria, f["wrap"])
        out.num(i, 11, priority, f["int"])
        if data.recall and data.recall.rows:
            _memory(ctx, out, i, current, data.recall.rows[i - first])
        fit_row(ws, i, [(name, WIDTHS[1]), (criteria, WIDTHS[10])])


def _what_if(ctx: Ctx, out: object, first: int, last: int) -> None:
    """The Target column takes a level only; a positive gap is highlighted."""
    fw = ctx.fw
    out.ws.data_validation(first, 5, last, 5, {"validate": "integer", "criteria": "between", "minimum": fw.level_min,
                                               "maximum": fw.level_max, "error_type": "stop",
                                               "error_message": f"{fw.level_min}-{fw.level_max}"})
    out.ws.conditional_format(first, 6, last, 6, {"type": "cell", "criteria": ">", "value": 0,
                                                  "format": ctx.f["gap_positive"]})


def _planned(ctx: Ctx, out: object, data: GapData, planned_row: int, first: int, last: int) -> None:
    """At ``planned_row`` among the key figures: the planned index and predikat, formulas of the table's targets."""
    f = ctx.f
    planned = f"ROUND(SUMPRODUCT(F{first + 1}:F{last + 1},H{first + 1}:H{last + 1})/100,10)"
    planned_value = recalculated([row[5] for row in data.rows], [row[7] for row in data.rows], 10)
    out.formula(planned_row, 2, "=" + planned, planned_value, f["idx_bold"])
    out.formula(planned_row, 3, "=" + ctx.band_formula(f"C{planned_row + 1}"), data.gap.planned_predikat, f["bold"])


def _memory_notes(ctx: Ctx, out: object, recall: Recall, hr: int, last: int) -> None:
    """Last year's headings in row ``hr``, and below the table which year and catalog they come from."""
    for c, key in enumerate(("prev_level", "change", "prev_target", "target_reached"), 12):
        out.text(hr, c, ctx.text(key, year=recall.year), ctx.f["header"])
    notes = [ctx.text("memory_note", year=recall.year, framework=recall.framework)]
    if not recall.rows:
        notes.insert(0, ctx.text("memory_none", year=recall.year))
    elif all(m.target is None for m in recall.rows):
        notes.append(ctx.text("memory_no_targets", year=recall.year))
    out.text(last + 2, 0, " ".join(notes), ctx.f["note"])


def _evidence(ctx: Ctx, out: object, data: GapData, sizes: _Heights, row: int) -> int:
    """The evidence files received for this OPD (attachments that are not workbooks): name, kind, size; the last
    row."""
    t, f = ctx.t, ctx.f
    out.text(row, 0, t["evidence_title"], f["h2"])
    row += 1
    for c, key in ((1, "file"), (2, "kind"), (3, "size")):
        out.text(row, c, t[key], f["header"])
    for n, (name, label, size) in enumerate(data.evidence, 1):
        row += 1
        out.num(row, 0, n, f["int"])
        out.text(row, 1, name, f["wrap"])
        out.text(row, 2, label, f["text"])
        out.num(row, 3, size, f["count"])
        sizes.fit(row, [(name, WIDTHS[1])])
    return row


def _memory(ctx: Ctx, out: object, i: int, current: int, m: Memory) -> None:
    """Last year's level beside this year's (a drop flagged), last year's target and whether it was reached."""
    f, t = ctx.f, ctx.t
    if m.level is None:  # across last year's four narrow columns: on one line
        out.merged(i, 12, 15, t["not_comparable"], f["note_cell"])
        return
    whole = m.level.denominator == 1 and (m.target is None or m.target.denominator == 1)
    change = current - m.level
    for c, value, fmt in ((12, m.level, f["level"] if whole else f["idx"]), (13, change, f[("chg", not whole, change < 0)]),
                          (14, m.target, f["level"] if whole else f["idx"])):
        out.num(i, c, value if whole or value is None else stored(value), fmt)
    if m.target is not None and m.target > m.level:
        reached = current >= m.target
        out.text(i, 15, t["yes-no.ya" if reached else "yes-no.tidak"], f["text"] if reached else f[("sev", "incomplete")])
    else:
        out.blank(i, 15, f["text"])


def _servers(ctx: Ctx, out: object, data: GapData, sizes: _Heights, row: int) -> int:
    """The OPD's servers, laid out on the sheet's widths, and the applications that would move (the findings
    follow); the last row."""
    t, f = ctx.t, ctx.f
    out.text(row, 0, t["opd_servers"], f["h2"])
    row += 1
    if data.servers:
        for c, key in enumerate(("no", "server", "hosting", "kind", "vcpu", "ram_gb", "storage_gb", "year_in_service",
                                 "moves", "rent_month", "runs")):
            out.text(row, c, t[key], f["header"])
        sizes.set(row, 30)
    for n, (name, hosting, kind, vcpu, ram, storage, year, moves, rent, apps, count) in enumerate(data.servers, 1):
        row += 1
        label = ctx.text("servers_counted", n=count, note=f" ({name})" if name else "") if count else name
        where, kind = ctx.hosting(hosting), ctx.server_kind(kind)
        out.num(row, 0, n, f["int"])
        out.text(row, 1, label, f["wrap"])
        out.text(row, 2, where, f["wrap"])
        out.text(row, 3, kind, f["wrap"])
        for c, value in ((4, vcpu), (5, ram), (6, storage), (7, year)):
            out.num(row, c, value, f["int"] if c == 7 else f["count"])
        out.text(row, 8, t["yes-no.ya" if moves else "yes-no.tidak"], f["text"])
        out.num(row, 9, rent, f["count"])
        out.text(row, 10, apps, f["wrap"])
        sizes.fit(row, [(label, WIDTHS[1]), (where, WIDTHS[2]), (kind, WIDTHS[3]), (apps, WIDTHS[10])])
    row += 1
    moving = "; ".join(f"{name} ({ctx.hosting(hosting)})" for name, hosting in data.moving) or t["none"]
    text = ctx.text("opd_moving", apps=moving) if data.servers or data.moving else t["no_servers"]
    out.merged(row, 0, 10, text, f["plain_wrap"])
    sizes.fit(row, [(text, span(0, 10))])
    return row


_FINDING_COLUMNS = ((0, 0, "cell"), (1, 1, "message"), (2, 3, "sheet"), (4, 5, "severity"), (6, 8, "finding_code"),
                    (9, 10, "hint"))  # first and last column of each: on the sheet's widths, merged where narrow


def _findings(ctx: Ctx, out: object, data: GapData, sizes: _Heights, row: int) -> int:
    """This OPD's findings (the last row); each column placed where the sheet's widths suit it: cell A, message B
    (wrapped), sheet C:D, severity E:F, code G:I, how to fix J:K (wrapped)."""
    t, f = ctx.t, ctx.f
    out.text(row, 0, t["opd_findings"], f["h2"])
    row += 1
    if not data.findings:
        out.text(row, 1, t["no_findings"], f["note"])
        return row
    for c, c2, key in _FINDING_COLUMNS:
        if c2 > c:
            out.merged(row, c, c2, t[key], f["header"])
        else:
            out.text(row, c, t[key], f["header"])
    sizes.set(row, 30)
    for fd in data.findings:
        row += 1
        texts = (fd.cell, fd.message(ctx.lang), fd.sheet, severity_label(fd.severity, ctx.lang), fd.code,
                 fd.hint(ctx.lang))
        for (c, c2, key), text in zip(_FINDING_COLUMNS, texts, strict=True):
            fmt = f[("sev_wrap", fd.severity)] if key == "severity" else f["wrap"]
            if c2 > c:
                out.merged(row, c, c2, text, fmt)
            else:
                out.text(row, c, text, fmt)
        sizes.fit(row, [(text, span(c, c2) * (0.75 if key == "severity" else 1))  # bold capitals: wider letters
                        for (c, c2, key), text in zip(_FINDING_COLUMNS, texts, strict=True)])
    return row
