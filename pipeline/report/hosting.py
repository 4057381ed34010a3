"""Hosting & Pusat Data: applications and servers by location and OPD, what is hosted outside the province, OPDs
without a server room (what would move into the provincial server room: :mod:`.room`)."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline import layout as L
from pipeline.batch import MergeResult
from pipeline.report.writer import Ctx, Out, print_setup


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

    # counts by location
    row = _section(out, 2, t["by_location"], f)
    for c, h in enumerate((t["location"], "", t["n_app_loc"], t["n_srv_loc"])):
        out.text(row, c, h, f["header"])
    for key in _locations([*iv.apps_by_location, *iv.servers_by_location]):
        row += 1
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
    out.text(row, 0, t["no_room_note"], f["note"])
    row += 1
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

    ws.freeze_panes(1, 0)
    print_setup(ws)
