"""Validasi (every finding), Berkas (every file found and what became of it), Belum Mengirim (OPDs missing)."""

from __future__ import annotations

from pipeline.batch import MergeResult
from pipeline.findings import Finding, outcome_label, severity_label
from pipeline.report.writer import Ctx, fit_row


def validation(ctx: Ctx, r: MergeResult) -> None:
    t, f = ctx.t, ctx.f
    out = ctx.titled_sheet("validation")
    hr = 3
    cols = [(t["file"], 30), (t["severity"], 15), (t["sheet"], 13), (t["cell"], 7), (t["finding_code"], 26),
            (t["message"], 60), (t["hint"], 55), (t["file_outcome"], 18)]
    out.header(hr, cols, f["header"])
    body = ctx.body(out)
    findings = [*r.findings, *sorted(r.history.findings if r.history else (), key=Finding.sort_key)]
    # what became of each file (Berkas): a superseded file's findings need no fix; the filter can hide them
    outcome = {o.file: outcome_label(o.outcome, ctx.lang) for o in r.outcomes}
    for n, fd in enumerate(findings):
        message, hint = fd.message(ctx.lang), fd.hint(ctx.lang)
        b = body.row(hr + 1 + n)
        b.text(0, fd.file, f["wrap"])
        b.text(1, severity_label(fd.severity, ctx.lang), f[("sev", fd.severity)])
        b.text(2, fd.sheet, f["text"])
        b.text(3, fd.cell, f["text"])
        b.text(4, fd.code, f["text"])
        b.text(5, message, f["wrap"])
        b.text(6, hint, f["wrap"])
        b.text(7, outcome.get(fd.file, ""), f["wrap"])
        b.end([(fd.file, 30), (message, 60), (hint, 55)])
    if not findings:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, len(findings)), len(cols), freeze_col=1)


def files(ctx: Ctx, r: MergeResult) -> None:
    t, f = ctx.t, ctx.f
    out = ctx.titled_sheet("files")
    hr = 3
    cols = [(t["file"], 34), (t["outcome"], 24), (t["code"], 16), (t["name"], 36), (t["reason"], 50),
            (t["superseded_by"], 28), (t["sender"], 40), (t["sent"], 22), (t["subject"], 30), (t["message_id"], 24),
            (t["size"], 12), ("SHA-256", 70)]
    out.header(hr, cols, f["header"])
    rows = r.outcomes  # in the order found: every entry of a saved e-mail or an archive right after it
    body = ctx.body(out)
    for n, o in enumerate(rows):
        b = body.row(hr + 1 + n)
        name = r.opd_name(o.opd_code) if o.opd_code else ""
        reason = o.reason(ctx.lang)
        src = o.source
        mail = (src.sender, src.when(), src.subject, src.message_id) if src else ("",) * 4
        b.text(0, o.file, f["wrap"])
        b.text(1, outcome_label(o.outcome, ctx.lang), f.get(("outcome", o.outcome), f["bold"]))
        b.text(2, o.opd_code, f["text"])
        b.text(3, name, f["wrap"])
        b.text(4, reason, f["wrap"])
        b.text(5, o.superseded_by, f["wrap"])
        for k, value in enumerate(mail, 6):
            b.text(k, value, f["wrap"])
        b.num(10, o.size, f["count"])
        b.text(11, o.sha256, f["hash"])
        b.end([(o.file, 34), (name, 36), (reason, 50), (o.superseded_by, 28), (mail[0], 40), (mail[2], 30),
               (mail[3], 24)])
    out.table_setup(hr, hr + max(1, len(rows)), len(cols), freeze_col=1)
    # printed up to "superseded by": the e-mail's details, the size and the SHA-256 are for the screen (with them
    # the page printed at about 4 pt)
    out.ws.print_area(0, 0, hr + max(1, len(rows)), 5)


def missing(ctx: Ctx, r: MergeResult) -> None:
    t, f = ctx.t, ctx.f
    out = ctx.titled_sheet("missing")
    hr = 3
    cols = [(t["code"], 20), (t["name"], 60), (t["kind"], 14), (t["rejected_files"], 50)]
    out.header(hr, cols, f["header"])
    rejected: dict[str, list[str]] = {}
    for o in r.outcomes:
        if o.outcome == "rejected" and o.opd_code:
            rejected.setdefault(o.opd_code, []).append(o.file)
    for i, opd in enumerate(sorted(r.not_submitted, key=lambda o: o.code), hr + 1):
        files = "; ".join(sorted(rejected.get(opd.code, [])))
        out.text(i, 0, opd.code, f["text"])
        out.text(i, 1, opd.name, f["wrap"])
        out.text(i, 2, opd.kind, f["wrap"])
        out.text(i, 3, files, f["wrap"])
        fit_row(out.ws, i, [(opd.name, 60), (opd.kind, 14), (files, 50)])
    if not r.not_submitted:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, len(r.not_submitted)), len(cols), freeze_col=1)
