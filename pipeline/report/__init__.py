"""The consolidated workbook that officials open: ranking, gaps, validation and inventory.

Sheets, in order: Ringkasan, Peringkat, Matriks, one gap sheet per OPD (named from the OPD code),
Validasi, Berkas, Belum Mengirim, Aplikasi, Aplikasi Bersama, Hosting & Pusat Data, Rencana Ruang
Server, Urutan Migrasi, Jaringan, Layanan vs Aplikasi, Data (English names when ``result.lang == "en"``; every text from :mod:`pipeline.i18n.report`).
Above :data:`pipeline.settings.PER_OPD_LIMIT` OPDs (or on request) the gap sheets go to one workbook
per OPD (:mod:`.per_opd`), linked from Peringkat.

Modules: :mod:`.writer` (checked writes, table bodies, atomic publish), :mod:`.style` (formats, stored
numbers), one module per sheet family, :mod:`.per_opd`, and :mod:`.fast` (optional accelerators).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline import settings
from pipeline.batch import MergeResult
from pipeline.report import apps, data, files, gap_sheet, hosting, matrix, per_opd, ranking, room, summary, writer
from pipeline.workers import Workers


def write(result: MergeResult, path: Path, *, per_opd_files: bool | None = None,
          workers: Workers | None = None) -> MergeResult:
    """Write the consolidated workbook to ``path`` atomically (and the per-OPD workbooks beside it).

    Args:
        result: the merged batch (:func:`pipeline.batch.assemble`).
        path: the .xlsx to write; its folder is created when missing.
        per_opd_files: True also writes one workbook per OPD (under ``<folder>/opd/``) below the limit;
            False never (then, above the limit, no gap sheets are written at all); None: above
            :data:`settings.PER_OPD_LIMIT` scored OPDs, whose gap sheets then leave the main workbook.
        workers: the pool that writes the per-OPD workbooks (default: one of its own, or none for a few).
    Returns:
        ``result`` with the paths written (``workbook``, ``opd_workbooks``).
    Raises:
        OutputError: a file is open in Excel, the folder is not writable, or a written file fails its check.

    The per-OPD workbooks are written by the workers while this process writes the main workbook, which is
    renamed into place only after every per-OPD workbook is written.
    """
    path = Path(path)
    many = len(result.kept) > settings.PER_OPD_LIMIT
    external = per_opd_files or (per_opd_files is None and many)
    pending = per_opd.start(result, path.parent / settings.OPD_FOLDER, workers) if external else None
    links = {code: f"{settings.OPD_FOLDER}/{p.name}" for code, p in pending.paths.items()} if pending else {}
    # gap sheets write a few cells above rows already written: only a workbook without them can stream its rows
    constant_memory = many and len(result.kept) > settings.STREAM_ABOVE
    names: list[str] = []

    def write_to(tmp: Path) -> None:
        wb = writer.new_workbook(str(tmp), constant_memory)
        names[:] = build(wb, result, gap_sheets=not many, links=links)
        wb.close()

    try:
        writer.publish(path, write_to, lambda tmp: writer.verify_workbook(tmp, names),
                       before_replace=pending.wait if pending else None)
    finally:
        if pending is not None:
            pending.close()  # never leave workers behind
    return dataclasses.replace(result, workbook=path, opd_workbooks=dict(pending.paths) if pending else {})


def build(wb: object, result: MergeResult, *, gap_sheets: bool, links: dict[str, str]) -> list[str]:
    """Write every sheet of the main workbook into ``wb``; the sheet names, in order."""
    ctx = writer.Ctx(wb, per_opd.meta_of(result), accelerate=True)
    ctx.set_properties(ctx.text("title", year=result.year))
    sheets = per_opd.sheet_names(result, ctx.t)
    first = ctx.sheet(ctx.t["sheet_summary"])
    ranking.write(ctx, ctx.sheet(ctx.t["sheet_ranking"]), result, sheets=sheets if gap_sheets else None, links=links)
    summary.write(ctx, first, result, external_note=bool(links) and not gap_sheets)
    matrix.write(ctx, result)
    if gap_sheets:
        for code in sorted(result.scores):
            gap_sheet.write(ctx, gap_sheet.data_of(result, code, sheets[code]), standalone=False)
    files.validation(ctx, result)
    files.files(ctx, result)
    files.missing(ctx, result)
    apps.applications(ctx, result)
    apps.shared(ctx, result)
    hosting.write(ctx, result)
    room.plan(ctx, result)
    room.order(ctx, result)
    room.network(ctx, result)
    apps.services(ctx, result)
    data.write(ctx, result)
    first.ws.activate()
    return ctx.names
