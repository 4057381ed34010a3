"""Peringkat: every scored OPD in rank order, with its domain indices and a link to its gap analysis."""

from __future__ import annotations

from pipeline.batch import MergeResult
from pipeline.report.style import band, stored
from pipeline.report.writer import Ctx, Out, fit_row
from pipeline.scoring.index import Score

NAME_WIDTH, STATUS_WIDTH, FILE_WIDTH = 24, 12, 20  # wrapped columns (characters)


def status(ctx: Ctx, score: Score) -> str:
    """"complete" or "incomplete", and "verified" when Diskominfo verified a level."""
    text = ctx.t["complete" if score.complete else "incomplete"]
    return f"{text}, {ctx.t['verified']}" if score.verified_count else text


def write(ctx: Ctx, out: Out, r: MergeResult, *, sheets: dict[str, str] | None, links: dict[str, str]) -> None:
    """``sheets``: OPD code -> its gap sheet in this workbook; ``links``: OPD code -> its own workbook."""
    t, f, fw = ctx.t, ctx.f, ctx.fw
    out.title(ctx.text("ranking_title", year=r.year), f["title"])
    out.text(1, 0, t["ranking_note"], f["subtitle"])
    # the status (complete or not) sits next to the index: an incomplete assessment is marked where it is read.
    # Narrow wrapped columns: printed on A4 landscape fitted to the width, the text stays at about 8 pt
    cols = [(t["rank"], 7), (t["code"], 11), (t["name"], NAME_WIDTH), (t["spbe_index"], 8), (t["predikat"], 10),
            (t["status"], STATUS_WIDTH)]
    cols += [(f"{d.id} {d.name}", 9) for d in fw.domains]
    cols += [(t["self_index"], 9), (t["verified_index"], 9), (t["adjusted"], 10),
             (t["missing_count"], 9), (t["source_file"], FILE_WIDTH), (t["analysis"], 12), (t["via_mail"], 40)]
    hr = 3
    out.header(hr, cols, f["header"])
    out.ws.set_row(hr, 60)
    c = 5 + len(fw.domains)
    for n, row in enumerate(r.ranking):
        i = hr + 1 + n
        sc = row.score
        out.num(i, 0, row.rank, f["int"])
        out.text(i, 1, row.opd, f["wrap"])  # a long code (BIRO-ORGANISASI) wraps at its hyphen, not cut
        out.text(i, 2, row.name, f["wrap"])
        sub = r.submission_of(row.opd)
        file = sub.file
        fit_row(out.ws, i, [(row.opd, 11), (row.name, NAME_WIDTH), (status(ctx, sc), STATUS_WIDTH), (file, FILE_WIDTH)])
        out.num(i, 3, stored(row.index), f["idx_bold"])
        out.text(i, 4, row.predikat, band(f, row.predikat))
        out.text(i, 5, status(ctx, sc), f["wrap"] if sc.complete else f[("sev_wrap", "incomplete")])
        for k, d in enumerate(fw.domains):
            out.num(i, 6 + k, stored(sc.domains[d.id]), f["idx"])
        out.num(i, c + 1, stored(sc.self_index), f["idx"])
        out.num(i, c + 2, None if sc.verified_index is None else stored(sc.verified_index), f["idx"])
        out.num(i, c + 3, sc.adjusted, f["int"])
        out.num(i, c + 4, len(sc.missing), f["int"])
        out.text(i, c + 5, file, f["wrap"])
        if sub.source is not None:
            out.text(i, c + 7, sub.source.line(), f["text"])
        if sheets and row.opd in sheets:
            out.url(i, c + 6, f"internal:'{sheets[row.opd]}'!A1", sheets[row.opd], f["link"])
        elif row.opd in links:
            out.url(i, c + 6, f"external:{links[row.opd]}", links[row.opd], f["link"])
        else:
            out.blank(i, c + 6, f["text"])
    out.table_setup(hr, hr + max(1, len(r.ranking)), len(cols), freeze_col=3)
    # printed up to the source file: the link and the e-mail it came with are for the screen
    out.ws.print_area(0, 0, hr + max(1, len(r.ranking)), c + 5)
    out.ws.set_margins(left=0.3, right=0.3, top=0.5, bottom=0.5)
