"""Aplikasi (every application reported), Aplikasi Bersama (the same application in several OPDs, and
functions served by several applications), Layanan vs Aplikasi (service indicators against applications)."""

from __future__ import annotations

import functools

from pipeline import inventory
from pipeline.batch import MergeResult
from pipeline.report.writer import Ctx, fit_row, print_setup
from pipeline.text import clean_text


def applications(ctx: Ctx, r: MergeResult) -> None:
    t, f = ctx.t, ctx.f
    out = ctx.titled_sheet("apps")
    hr = 3
    cols = [(t["code"], 15), (t["name"], 30), (t["app_name"], 26), (t["function"], 22), (t["users"], 16),
            (t["url"], 28), (t["developer"], 20), (t["hosting"], 24), (t["integrated"], 20), (t["app_status"], 10),
            (t["problems"], 30), (t["needs"], 30), (t["file"], 22), (t["row"], 7)]
    out.header(hr, cols, f["header"])
    out.ws.set_row(hr, 30)
    entries = r.inventory.entries
    body = ctx.body(out)
    for n, e in enumerate(entries):
        b = body.row(hr + 1 + n)
        a = e.app
        texts = (e.opd, r.opd_name(e.opd), a.name, a.function_label, a.users, a.url, a.developer, ctx.hosting(a.hosting),
                 a.integrated_with, ctx.status(a.status), a.problems, a.needs, r.submission_of(e.opd).file)
        for c, value in enumerate(texts):
            b.text(c, value, f["wrap"])
        b.num(len(texts), a.row, f["int"])
        b.end([(_fit_text(v), w) for v, (_, w) in zip(texts, cols, strict=False)])
    if not entries:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, len(entries)), len(cols), freeze_col=3)


@functools.lru_cache(maxsize=1 << 13)  # names, labels and users recur on many rows
def _fit_text(value: object) -> str:
    """What a row's height is fitted to: the text cleaned, at most 2,000 characters of it."""
    return clean_text(value, 2000)[0]


def shared(ctx: Ctx, r: MergeResult) -> None:
    t, f = ctx.t, ctx.f
    out = ctx.sheet(t["sheet_shared"])
    ws = out.ws
    out.title(t["shared_title"], f["title"])
    out.text(1, 0, t["shared_note"], f["subtitle"])
    hr = 3
    cols = [(t["group"], 28), (t["match"], 14), (t["n_opd"], 10), (t["opds"], 30), (t["names"], 40), (t["urls"], 40)]
    out.header(hr, cols, f["header"])
    groups = r.inventory.shared
    for i, g in enumerate(groups, hr + 1):
        match = t["match_both"] if g.by_name and g.by_url else t["match_url"] if g.by_url else t["match_name"]
        opds, names = ", ".join(g.opds), "; ".join(g.names)
        urls = "; ".join(sorted({e.app.url for e in g.entries if e.app.url}))
        out.text(i, 0, g.label, f["wrap"])
        out.text(i, 1, match, f["wrap"])
        out.num(i, 2, len(g.opds), f["int"])
        out.text(i, 3, opds, f["wrap"])
        out.text(i, 4, names, f["wrap"])
        out.text(i, 5, urls, f["wrap"])
        fit_row(ws, i, [(opds, 30), (names, 40), (urls, 40)])
    if not groups:
        out.text(hr + 1, 0, t["none"], f["note"])
    last = hr + max(1, len(groups))
    ws.autofilter(hr, 0, last, len(cols) - 1)
    row = last + 2
    out.text(row, 0, t["spread_title"], f["h2"])
    row += 1
    out.text(row, 0, t["function"], f["header"])
    out.text(row, 1, t["n_apps"], f["header"])
    out.merged(row, 2, 5, t["apps_list"], f["header"])
    ws.set_row(row, 30)
    for sp in r.inventory.spread:
        row += 1
        listing = "; ".join(f"{g.label} ({', '.join(g.opds)})" for g in sp.groups)
        out.text(row, 0, sp.label, f["wrap"])
        out.num(row, 1, len(sp.groups), f["int"])
        out.merged(row, 2, 5, listing, f["wrap"])
        fit_row(ws, row, [(listing, 120)])
    if not r.inventory.spread:
        out.text(row + 1, 0, t["none"], f["note"])
    ws.freeze_panes(hr + 1, 0)
    ws.repeat_rows(hr)
    print_setup(ws)


def services(ctx: Ctx, r: MergeResult) -> None:
    t, f = ctx.t, ctx.f
    out = ctx.titled_sheet("services")
    hr = 3
    cols = [(t["service"], 26), (t["code"], 15), (t["name"], 32), (t["indicator"], 11), (t["max_level"], 10),
            (t["level_detail"], 18), (t["active_apps"], 36), (t["n_active"], 11), (t["flag"], 30)]
    out.header(hr, cols, f["header"])
    out.ws.set_row(hr, 30)
    flag_text = {inventory.FLAG_NO_APP: t["flag_no_app"], inventory.FLAG_LOW_LEVEL: t["flag_low"]}
    body = ctx.body(out)
    levels = {code: score.levels for code, score in r.scores.items()}
    n = 0
    for n, s in enumerate(inventory.service_rows(ctx.fw, r.kept, levels), 1):
        b = body.row(hr + n)
        detail = "; ".join(f"{iid}: {lv}" for iid, lv in s.levels) if len(s.levels) > 1 else ""
        apps = "; ".join(s.apps)
        flags = "; ".join(flag_text[x] for x in s.flags)
        name = r.opd_name(s.opd)
        b.text(0, s.label, f["wrap"])
        b.text(1, s.opd, f["text"])
        b.text(2, name, f["wrap"])
        b.text(3, ", ".join(iid for iid, _ in s.levels), f["text"])
        b.num(4, max((lv for _, lv in s.levels), default=None), f["level"])
        b.text(5, detail, f["wrap"])
        b.text(6, apps, f["wrap"])
        b.num(7, len(s.apps), f["int"])
        b.text(8, flags, f["flag"] if flags else f["text"])
        b.end([(s.label, 26), (name, 32), (apps, 36), (flags, 30)])
    if not n:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, n), len(cols), freeze_col=3)
