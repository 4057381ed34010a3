"""Hosting & Pusat Data: the data-centre plan, applications and servers by location and OPD, what is hosted
outside the province, OPDs without a server room, bandwidth."""

from __future__ import annotations

import math
from collections.abc import Iterable

from pipeline import layout as L
from pipeline import settings
from pipeline.batch import MergeResult
from pipeline.report.style import GRID, OPD_COLOUR
from pipeline.report.summary import style_chart
from pipeline.report.writer import Ctx, Out, fit_row, print_setup
from pipeline.text import col_letter


def _locations(keys: Iterable[str]) -> list[str]:
    order = [k for k, _, _ in L.HOSTING]
    return sorted(set(keys), key=lambda k: (order.index(k) if k in order else len(order), k))


def _section(out: Out, row: int, title: str, f: dict) -> int:
    out.text(row, 0, title, f["h2"])
    return row + 1


def write(ctx: Ctx, r: MergeResult) -> None:
    t, f, iv = ctx.t, ctx.f, r.inventory
    out = ctx.sheet(t["sheet_hosting"])
    ws = out.ws
    for c, w in enumerate((16, 34, 14, 14, 14, 14, 40)):
        ws.set_column(c, c, w)
    out.title(t["hosting_title"], f["title"])
    row = _plan(ctx, out, r)

    # counts by location
    row = _section(out, row + 2, t["by_location"], f)
    for c, h in enumerate((t["location"], "", t["n_app_loc"], t["n_srv_loc"])):
        out.text(row, c, h, f["header"])
    for key in _locations([*iv.apps_by_location, *iv.servers_by_location]):
        row += 1
        out.text(row, 0, ctx.hosting(key), f["bold"])
        out.blank(row, 1, f["text"])
        out.merged(row, 0, 1, ctx.hosting(key), f["bold"])
        out.num(row, 2, iv.apps_by_location.get(key, 0), f["int"])
        out.num(row, 3, iv.servers_by_location.get(key, 0), f["int"])

    # per OPD and location: applications, then servers
    body = ctx.body(out)
    for title, pos in ((t["apps_per_loc"], 0), (t["servers_per_loc"], 1)):
        used = _locations(k for opd in iv.by_opd.values() for k, v in opd.items() if v[pos])
        row = _section(out, row + 2, title, f)
        out.text(row, 0, t["code"], f["header"])
        for k, key in enumerate(used):
            out.text(row, 1 + k, ctx.hosting(key), f["header"])
        ws.set_row(row, 45)
        for code, opd in iv.by_opd.items():
            row += 1
            b = body.row(row)
            b.text(0, code, f["text"])
            for k, key in enumerate(used):
                b.num(1 + k, opd.get(key, (0, 0))[pos], f["int"])
            b.end()

    # outside the province: what could move, then national applications on ministry servers (not moved);
    # columns: code A, application B, hosting C:D, developer E:F, URL G
    row = _section(out, row + 2, t["outside"], f) - 2
    for title, entries in ((t["outside_move"], iv.outside_movable), (t["outside_national"], iv.outside_ministry)):
        row += 2
        out.text(row, 0, title, f["bold_plain"])
        row += 1
        for c, c2, key in ((0, 0, "code"), (1, 1, "app_name"), (2, 3, "hosting"), (4, 5, "developer"), (6, 6, "url")):
            if c2 > c:
                out.merged(row, c, c2, t[key], f["header"])
            else:
                out.text(row, c, t[key], f["header"])
        for e in entries:
            row += 1
            b = body.row(row)
            where = ctx.hosting(e.app.hosting)
            b.text(0, e.opd, f["text"])
            b.text(1, e.app.name, f["wrap"])
            b.merged(2, 3, where, f["wrap"])
            b.merged(4, 5, e.app.developer, f["wrap"])
            b.text(6, e.app.url, f["wrap"])
            b.end([(e.app.name, 34), (where, 32), (e.app.developer, 32), (e.app.url, 40)])
        if not entries:
            row += 1
            out.text(row, 0, t["none"], f["note"])

    row = _section(out, row + 2, t["no_room"], f)
    out.text(row, 0, t["code"], f["header"])
    out.text(row, 1, t["name"], f["header"])
    for code in iv.no_server_room:
        row += 1
        b = body.row(row)
        b.text(0, code, f["text"])
        b.text(1, r.opd_name(code), f["wrap"])
        b.end([(r.opd_name(code), 34)])
    if not iv.no_server_room:
        row += 1
        out.text(row, 0, t["none"], f["note"])

    row = _section(out, row + 2, t["bandwidth"], f)
    for c, h in enumerate((t["code"], t["provider"], t["mbps"])):
        out.text(row, c, h, f["header"])
    for code, provider, mbps in iv.bandwidth:
        row += 1
        b = body.row(row)
        b.text(0, code, f["text"])
        b.text(1, provider, f["text"])
        b.num(2, mbps, f["mbps"])
        b.end()
    ws.freeze_panes(1, 0)
    print_setup(ws)


def _plan(ctx: Ctx, out: Out, r: MergeResult) -> int:
    """The data-centre plan first (it is what the officials decide on), with its chart; the row it ends on."""
    t, f, iv, ws = ctx.t, ctx.f, r.inventory, out.ws
    row = _section(out, 2, t["plan_dc"], f)
    out.merged(row, 0, 6, t["plan_dc_note"], f["plain_wrap"])  # the rule: long, so wrapped over the table's width
    fit_row(ws, row, [(t["plan_dc_note"], 110)])
    row += 1
    heads = ("code", "name", "active_total", "apps_move", "servers_total", "servers_move", "apps_move_names")
    for c, key in enumerate(heads):
        out.text(row, c, t[key], f["header"])
    ws.set_row(row, 30)
    first = row + 1
    chart = len(iv.dc_plan) <= settings.CHART_MAX_OPDS
    body = ctx.body(out, stream=not chart)  # a chart caches the cells it reads: they are written through xlsxwriter
    for p in iv.dc_plan:
        row += 1
        b = body.row(row)
        names = "; ".join(f"{a.name} ({ctx.hosting(a.hosting)})" for a in p.apps)
        name = r.opd_name(p.opd)
        b.text(0, p.opd, f["text"])
        b.text(1, name, f["wrap"])
        b.num(2, p.apps_total, f["int"])
        b.num(3, len(p.apps), f["int"])
        b.num(4, p.servers_total, f["int"])
        b.num(5, p.servers, f["int"])
        b.text(6, names, f["wrap"])
        b.end([(name, 34), (names, 40)])
    last = row
    row += 1
    out.text(row, 0, t["total"], f["bold"])
    out.blank(row, 1, f["bold"])
    totals = (sum(p.apps_total for p in iv.dc_plan), iv.dc_totals[0], sum(p.servers_total for p in iv.dc_plan),
              iv.dc_totals[1])
    for c, value in enumerate(totals, 2):
        col = col_letter(c + 1)
        if iv.dc_plan:
            out.formula(row, c, f"=SUM({col}{first + 1}:{col}{last + 1})", value, f["int"])
        else:
            out.num(row, c, value, f["int"])
    out.blank(row, 6, f["bold"])
    if not chart:  # one bar pair per OPD would be unreadable; the table above is complete
        row += 1
        out.text(row, 0, ctx.text("chart_skipped", chart=t["chart_dc"], limit=settings.CHART_MAX_OPDS,
                                  sheet=out.name), f["note"])
    elif iv.dc_plan:
        bars = ctx.wb.add_chart({"type": "bar"})
        for c, colour in ((3, OPD_COLOUR), (5, "#ED7D31")):
            bars.add_series({"name": [out.name, first - 1, c], "categories": [out.name, first, 0, last, 0],
                             "values": [out.name, first, c, last, c], "fill": {"color": colour},
                             "data_labels": {"value": True}, "gap": 50})
        style_chart(bars, t["chart_dc"])
        bars.set_legend({"position": "bottom"})
        bars.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
        bars.set_x_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True, "line": {"color": GRID}}})
        height = max(280, 40 * len(iv.dc_plan) + 110)
        bars.set_size({"width": 620, "height": height})
        ws.insert_chart(2, 8, bars)
        row = max(row, 2 + math.ceil(height / 20))
    return row
