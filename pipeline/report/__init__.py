"""The consolidated workbook that officials open: ranking, gaps, validation and inventory.

Sheets, in order: Ringkasan, Peringkat, Tren (when earlier rekaps were found), Matriks, one gap sheet per
OPD (named from the OPD code), Validasi, Berkas, Belum Mengirim, Aplikasi, Aplikasi Bersama, Hosting &
Pusat Data, Rencana Ruang Server, Urutan Migrasi, Jaringan, Layanan vs Aplikasi, Data, Data Indikator
(English names when ``result.lang == "en"``; every text from the catalogue's ``report`` table).
Above :data:`pipeline.settings.PER_OPD_LIMIT` OPDs (or on request) the gap sheets go to one workbook
per OPD (:mod:`.per_opd`), linked from Peringkat.

Modules: :mod:`.writer` (checked writes, table bodies, atomic publish of one file), :mod:`.publish` (the set: lock, staging, clean-up), :mod:`.style` (formats, stored
numbers), one module per sheet family, :mod:`.per_opd`, and :mod:`.fast` (optional accelerators).
"""

from __future__ import annotations

import dataclasses
import io
import time
from pathlib import Path

from pipeline import settings
from pipeline.batch import MergeResult
from pipeline.report import (
    apps,
    data,
    files,
    gap_sheet,
    hosting,
    matrix,
    per_opd,
    publish,
    ranking,
    room,
    summary,
    trend,
    writer,
)
from pipeline.workers import Workers


def write(result: MergeResult, path: Path, *, per_opd_files: bool | None = None,
          workers: Workers | None = None) -> MergeResult:
    """Publish the consolidated workbook at ``path`` and its per-OPD workbooks beside it, as one set.

    Args:
        result: the merged batch (:func:`pipeline.batch.assemble`).
        path: the .xlsx to write; its folder is created when missing.
        per_opd_files: True also writes one workbook per OPD (into ``<stem>-opd-<hash>/`` beside ``path``)
            below the limit; False never (then, above the limit, no gap sheets are written at all); None: above
            :data:`settings.PER_OPD_LIMIT` scored OPDs, whose gap sheets then leave the main workbook.
        workers: the pool that writes the per-OPD workbooks (default: one of its own, or none for a few).
    Returns:
        ``result`` with the paths written (``workbook``, ``opd_workbooks``).
    Raises:
        OutputError: another run is writing into the folder, a file is open in Excel, the folder is not
            writable, the disk is full, the rekap is read-only, or a written file fails its check.
        OutputPathError: ``path`` is a folder or lies under a regular file.

    The per-OPD workbooks are written by the workers into a staging folder while this process writes the
    main workbook; the staging folder is renamed to its final name, then the main workbook into place
    (:mod:`.publish`): after any fault the main workbook and the folder it links to are the old set or the new.
    """
    path = Path(path)
    many = len(result.kept) > settings.PER_OPD_LIMIT
    external = per_opd_files or (per_opd_files is None and many)
    with publish.lock(path.parent):
        publish.check_target(path)
        publish.clean(path.parent)  # what a killed run left
        pending = per_opd.Pending(result, workers) if external else None
        final = publish.opd_folder(path, pending.digest) if pending else None
        staged = publish.staging(final) if final else None
        links = {code: f"{final.name}/{name}" for code, name in pending.names.items()} if pending else {}
        # gap sheets write a few cells above rows already written: only a workbook without them can stream its rows
        constant_memory = many and len(result.kept) > settings.STREAM_ABOVE
        names: list[str] = []

        def written() -> bytes:  # in memory: a full disk then fails one plain write, not xlsxwriter's zip file
            buf = io.BytesIO()
            wb = writer.new_workbook(buf, constant_memory)
            names[:] = build(wb, result, gap_sheets=not many, links=links,
                             opd_folder=final.name if final and many else None)
            wb.close()
            return buf.getvalue()

        def swap_in() -> None:
            publish.check_staged(staged, pending.wait())
            publish.swap_in(staged, final)
            if settings.FAULT_DELAY_S:
                time.sleep(settings.FAULT_DELAY_S * 20)

        try:
            if pending is not None:
                pending.start(staged)
            writer.publish(path, written(), lambda tmp: writer.verify_workbook(tmp, names),
                           before_replace=swap_in if pending else None)
        finally:
            if pending is not None:
                pending.close()  # never leave workers behind
            if staged is not None:
                publish.remove(staged)  # gone already when swapped in
        if settings.FAULT_DELAY_S:
            time.sleep(settings.FAULT_DELAY_S * 20)
        publish.clean(path.parent, keep=final, main=path)  # the older sets
    opd_workbooks = {code: final / name for code, name in pending.names.items()} if pending else {}
    return dataclasses.replace(result, workbook=path, opd_workbooks=opd_workbooks)


def build(wb: object, result: MergeResult, *, gap_sheets: bool, links: dict[str, str],
          opd_folder: str | None = None) -> list[str]:
    """Write every sheet of the main workbook into ``wb``; the sheet names, in order."""
    ctx = writer.Ctx(wb, per_opd.meta_of(result), accelerate=True)
    ctx.set_properties(ctx.text("title", year=result.year))
    sheets = per_opd.sheet_names(result, ctx.t)
    first = ctx.sheet(ctx.t["sheet_summary"])
    ranking.write(ctx, ctx.sheet(ctx.t["sheet_ranking"]), result, sheets=sheets if gap_sheets else None, links=links)
    refs = trend.write(ctx, result)
    summary.write(ctx, first, result, opd_folder=opd_folder,
                  more_charts=(lambda: trend.charts(ctx, refs)) if refs is not None else None)
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
    data.long(ctx, result)
    first.ws.activate()
    return ctx.names
