"""Rencana Ruang Server (what would move into the provincial server room, the planning parameters in yellow
what-if cells, the room they give and its yearly cost beside today's rent), Urutan Migrasi (the order of
migration, with the reason per row) and Jaringan (every office site's bandwidth against what the OPD runs).

Every figure of the room is a formula over the parameter cells and the per-OPD totals, written with the value
it has for the parameters given (:mod:`pipeline.catalog.plan`), so a viewer that does not recalculate shows it.
"""

from __future__ import annotations

from pipeline.batch import MergeResult
from pipeline.catalog.plan import ROOM
from pipeline.i18n import Num
from pipeline.report.writer import Ctx, Out, fit_row, print_setup
from pipeline.text import col_letter

WIDTHS = (16, 30, 14, 10, 10, 10, 10, 10, 10, 11, 14, 44)  # the room plan's columns: A..L
LAST = len(WIDTHS) - 1
PARAM_FORMAT = {"growth_per_year": "param_pct", "host_price": "param_rp"}
# the room, item by item: key, formula ({name}: a parameter's cell, {t_x}: a per-OPD total, else an earlier
# item), format; the value of each is pipeline.inventory.room_sizing's (the same computation)
ROOM_ITEMS = (
    ("servers_now", "={t_servers}", "count"), ("vcpu_now", "={t_vcpu}", "count"), ("ram_now", "={t_ram}", "count"),
    ("storage_now", "={t_storage}", "count"), ("growth", "=(1+{growth_per_year})^{horizon_years}", "n2"),
    ("vms", "={servers_now}*{growth}", "n1"), ("vcpu_need", "={vcpu_now}*{growth}", "n1"),
    ("ram_need", "={ram_now}*{growth}", "n1"),
    ("hosts_load", "=MAX(ROUNDUP(ROUND({vms}/{vms_per_host},6),0),ROUNDUP(ROUND({vcpu_need}/{host_vcpu},6),0),"
                   "ROUNDUP(ROUND({ram_need}/{host_ram_gb},6),0))", "count"),
    ("hosts", "=IF({hosts_load}>0,{hosts_load}+{spare_hosts},0)", "count_bold"),
    ("storage_usable", "={storage_now}*{growth}/1000", "n2"), ("storage_raw", "={storage_usable}*{storage_redundancy}",
                                                                 "n2"),
    ("units", "={hosts}*{units_per_host}", "count"), ("racks", "=ROUNDUP(ROUND({units}/{units_per_rack},6),0)",
                                                       "count_bold"),
    ("kw_it", "={hosts}*{kw_per_host}", "n2"), ("kw_total", "={kw_it}*{pue}", "n2"),
)
COST_ITEMS = (
    ("rent_year", "={t_rent}*12", "count"), ("power_year", "={kw_total}*8760*{tariff_per_kwh}", "count"),
    ("hardware_year", "={hosts}*{host_price}/{service_life_years}", "count"),
    ("room_year", "={power_year}+{hardware_year}", "count_bold"), ("difference", "={rent_year}-{room_year}",
                                                                   "count_bold"),
)


def _block(ctx: Ctx, out: Out, row: int, title: str, heads: tuple[str, str, str, str]) -> int:
    """A section title and the heading of a label / value / unit / explanation table; the heading's row."""
    f = ctx.f
    out.text(row, 0, title, f["h2"])
    row += 1
    out.merged(row, 0, 1, ctx.t[heads[0]], f["header"])
    out.text(row, 2, ctx.t[heads[1]], f["header"])
    out.text(row, 3, ctx.t[heads[2]], f["header"])
    out.merged(row, 4, LAST, ctx.t[heads[3]], f["header"])
    return row


def _line(ctx: Ctx, out: Out, row: int, label: str, unit: str, note: str) -> None:
    f = ctx.f
    out.merged(row, 0, 1, label, f["wrap"])
    out.text(row, 3, unit, f["wrap"])
    out.merged(row, 4, LAST, note, f["wrap"])
    fit_row(out.ws, row, [(label, 40), (unit, 10), (note, 140)])


def plan(ctx: Ctx, r: MergeResult) -> None:
    """Rencana Ruang Server: parameters, the room, its yearly cost beside today's rent, what moves per OPD."""
    t, f, iv = ctx.t, ctx.f, r.inventory
    p, room = iv.plan, iv.room
    out = ctx.sheet(t["sheet_room"])
    ws = out.ws
    for c, w in enumerate(WIDTHS):
        ws.set_column(c, c, w)
    out.title(t["room_title"], f["title"])
    note = ctx.text("room_note", vcpu=Num(f"{p.server_vcpu:g}"), ram=Num(f"{p.server_ram_gb:g}"),
                    storage=Num(f"{p.server_storage_gb:g}"))
    out.merged(1, 0, LAST, note, f["plain_wrap"])
    fit_row(ws, 1, [(note, 190)])
    refs: dict[str, str] = {}
    row = _block(ctx, out, 3, t["room_params"], ("room_param", "room_value", "room_unit", "room_source"))
    for key in ROOM:
        row += 1
        refs[key] = f"$C${row + 1}"
        out.num(row, 2, getattr(p, key), f[PARAM_FORMAT.get(key, "param")])
        _line(ctx, out, row, t[f"param.{key}"], t[f"unit.{key}"], t[f"source.{key}"])
    # the per-OPD table is last; its totals row is known now (the items above refer to it)
    table = row + 2 + len(ROOM_ITEMS) + 2 + 2 + len(COST_ITEMS) + 1 + 2 + 1  # + 1: the conclusion row
    total_row = table + len(room) + 1
    cols = {"apps_total": 2, "apps": 3, "servers_total": 4, "servers": 5, "estimated": 6, "vcpu": 7, "ram": 8,
            "storage": 9, "rent": 10}
    totals, values = iv.room_totals, iv.room_sizing
    refs.update({f"t_{k}": f"{col_letter(c + 1)}{total_row + 1}" for k, c in cols.items()})
    for title, items, heads in ((t["room_need"], ROOM_ITEMS, ("room_item", "room_value", "room_unit", "room_how")),
                                (t["room_cost"], COST_ITEMS, ("room_item", "room_rp", "room_unit", "room_how"))):
        row = _block(ctx, out, row + 2, title, heads)
        for key, formula, fmt in items:
            row += 1
            out.formula(row, 2, formula.format(**refs), values[key], f[fmt])
            refs[key] = f"C{row + 1}"
            _line(ctx, out, row, t[f"item.{key}"], t[f"unit.{key}"], t[f"how.{key}"])
    row += 1  # the conclusion in words, from the sign of the difference (recalculated with the parameters)
    cheaper, dearer = t["room_cheaper"], t["room_dearer"]
    said = cheaper if values["difference"] >= 0 else dearer
    out.merged(row, 0, 1, t["room_conclusion"], f["bold"])
    out.merged(row, 2, LAST, said, f["bold"])
    out.formula(row, 2, f'=IF({refs["difference"]}>=0,"{cheaper}","{dearer}")', said, f["bold"])
    row = _per_opd(ctx, out, r, row + 2, cols, totals)
    out.text(row + 1, 0, ctx.text("room_estimated", n=totals["estimated"]), f["note"])
    ws.freeze_panes(1, 0)
    print_setup(ws)


def _per_opd(ctx: Ctx, out: Out, r: MergeResult, row: int, cols: dict[str, int], totals: dict[str, float]) -> int:
    """What would move, per OPD, with SUM totals, from ``row``; the totals row."""
    t, f, room = ctx.t, ctx.f, r.inventory.room
    out.ws.set_h_pagebreaks([row])  # a page of its own: up to about 50 OPDs print on it whole
    out.text(row, 0, t["room_per_opd"], f["h2"])
    row += 1
    for c, key in enumerate(("code", "name", *[f"col.{k}" for k in cols], "apps_move_names")):
        out.text(row, c, t[key], f["header"])
    out.ws.set_row(row, 45)
    first = row + 1
    body = ctx.body(out)
    for x in room:
        row += 1
        b = body.row(row)
        name, names = r.opd_name(x.opd), "; ".join(f"{a.name} ({ctx.hosting(a.hosting)})" for a in x.apps)
        size = f["est"] if x.estimated else f["count"]
        b.text(0, x.opd, f["text"])
        b.text(1, name, f["wrap"])
        for key, value in (("apps_total", x.apps_total), ("apps", len(x.apps)), ("servers_total", x.servers_total),
                           ("servers", x.servers), ("estimated", x.estimated), ("vcpu", x.vcpu), ("ram", x.ram_gb),
                           ("storage", x.storage_gb), ("rent", x.rent)):
            b.num(cols[key], value, size if key in ("vcpu", "ram", "storage") else f["count"])
        b.text(LAST, names, f["wrap"])
        b.end([(name, 30), (names, 44)])
    row += 1
    out.text(row, 0, t["total"], f["bold"])
    out.blank(row, 1, f["bold"])
    for key, c in cols.items():
        col = col_letter(c + 1)
        formula = f"=SUM({col}{first + 1}:{col}{row})" if room else "=0"
        fmt = f["est"] if totals["estimated"] and key in ("vcpu", "ram", "storage") else f["count_bold"]
        out.formula(row, c, formula, totals[key], fmt)
    out.blank(row, LAST, f["bold"])
    return row


def order(ctx: Ctx, r: MergeResult) -> None:
    """Urutan Migrasi: the applications that would move, in the order of the documented rule, each with why."""
    t, f, iv = ctx.t, ctx.f, r.inventory
    out = ctx.sheet(t["sheet_order"])
    out.title(t["order_title"], f["title"])
    note = ctx.text("order_note", life=Num(f"{iv.plan.service_life_years:g}"))
    out.merged(1, 0, 7, note, f["plain_wrap"])
    fit_row(out.ws, 1, [(note, 150)])
    hr = 3
    cols = [(t["rank"], 10), (t["code"], 14), (t["app_name"], 30), (t["users"], 18), (t["hosting"], 24),
            (t["order_shared"], 10), (t["order_server_year"], 11), (t["order_reason"], 60)]
    out.header(hr, cols, f["header"])
    out.ws.set_row(hr, 30)
    body = ctx.body(out)
    for m in iv.order:
        b = body.row(hr + m.rank)
        where = ctx.hosting(m.app.hosting)
        why = [t["why_public"]] if m.public else []
        why += [ctx.text("why_outside", where=where)] if m.outside else []
        why += [ctx.text("why_shared", n=m.shared)] if m.shared else []
        why += [ctx.text("why_old", year=m.old_since)] if m.old_since else []
        reason = "; ".join(why) or t["why_none"]
        b.num(0, m.rank, f["int"])
        b.text(1, m.opd, f["text"])
        b.text(2, m.app.name, f["wrap"])
        b.text(3, m.app.users, f["wrap"])
        b.text(4, where, f["wrap"])
        b.num(5, m.shared or None, f["int"])
        b.num(6, m.old_since, f["int"])
        b.text(7, reason, f["wrap"])
        b.end([(m.app.name, 30), (m.app.users, 18), (where, 24), (reason, 60)])
    if not iv.order:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, len(iv.order)), len(cols), freeze_col=3)


def network(ctx: Ctx, r: MergeResult) -> None:
    """Jaringan: every office site's bandwidth against what its OPD runs, with the sites to fix first flagged."""
    t, f, iv = ctx.t, ctx.f, r.inventory
    p = iv.plan
    out = ctx.sheet(t["sheet_network"])
    out.title(t["network_title"], f["title"])
    note = ctx.text("network_note", min=Num(f"{p.min_mbps:g}"), user=Num(f"{p.mbps_per_user:g}"), app=Num(f"{p.mbps_per_app:g}"),
                    outages=Num(f"{p.max_outages:g}"))
    out.merged(1, 0, 11, note, f["plain_wrap"])
    fit_row(out.ws, 1, [(note, 200)])
    hr = 3
    cols = [(t["code"], 14), (t["name"], 28), (t["site"], 24), (t["provider"], 16), (t["mbps"], 10),
            (t["need_mbps"], 10), (t["site_users"], 9), (t["n_active"], 11), (t["outages"], 10),
            (t["intranet"], 12), (t["cost_month"], 13), (t["flag"], 34)]
    out.header(hr, cols, f["header"])
    out.ws.set_row(hr, 45)
    apps = {x.opd: x.apps_total for x in iv.room}
    body = ctx.body(out)
    for n, x in enumerate(iv.network, hr + 1):
        s, b = x.site, body.row(n)
        name = r.opd_name(x.opd)
        flags = "; ".join(t[f"net.{k}"] for k in x.flags)
        site = (s.name or t["main_site"]) if s else t["no_site"]
        b.text(0, x.opd, f["text"])
        b.text(1, name, f["wrap"])
        b.text(2, site, f["wrap"])
        b.text(3, s.provider if s else "", f["wrap"])
        b.num(4, s.bandwidth if s else None, f["mbps"])
        b.num(5, x.need, f["mbps"])
        b.num(6, s.users if s else None, f["count"])
        b.num(7, apps.get(x.opd, 0), f["count"])
        b.num(8, s.outages if s else None, f["count"])
        b.text(9, t[f"yes-no.{s.intranet or 'unknown'}"] if s else "", f["text"])
        b.num(10, s.cost if s else None, f["count"])
        b.text(11, flags, f["flag"] if flags else f["text"])
        b.end([(name, 28), (site, 24), (flags, 28)])  # flags are bold: wider than plain text
    if not iv.network:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, len(iv.network)), len(cols), freeze_col=2)
