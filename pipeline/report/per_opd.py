"""One workbook per scored OPD holding its gap sheet, written by the worker processes.

Each task is a chunk of OPDs with only what their sheets show (:class:`~pipeline.report.gap_sheet.GapData`);
a worker loads the catalog itself (once: :func:`pipeline.catalog.framework.load` is cached). A workbook
is rendered by :mod:`pipeline.report.fast.template` when the accelerators are on, else written by
xlsxwriter; either way the same bytes, whichever process writes it.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline import i18n, settings
from pipeline.batch import MergeResult
from pipeline.catalog import framework as fwmod
from pipeline.errors import OutputError, PipelineError
from pipeline.i18n import Msg
from pipeline.report import fast, gap_sheet, publish, writer
from pipeline.report.gap_sheet import GapData
from pipeline.report.writer import Meta
from pipeline.scoring.rank import ProvinceSummary
from pipeline.text import clean_text
from pipeline.workers import Failed, Workers

CHUNK = 25  # OPDs per task at most
WORKER_MODULES = ("pipeline.report.per_opd",)  # preloaded by the fork server


def meta_of(result: MergeResult) -> Meta:
    return Meta(result.framework, "en" if result.lang == "en" else "id", result.year, result.band_rule,
                result.summary)


def sheet_names(result: MergeResult, t: Mapping[str, str]) -> dict[str, str]:
    """OPD code -> the name of its gap sheet (unique beside the workbook's own sheets)."""
    return writer.sheet_names_for([s.opd_code for s in result.kept], [t[k] for k in writer.SHEET_KEYS])


def paths(result: MergeResult, folder: Path) -> dict[str, Path]:
    """OPD code -> its workbook, for every scored OPD."""
    codes = sorted(result.scores)
    names = writer.sheet_names_for(codes)
    return {code: folder / f"{writer.file_stem_for(names[code])}.xlsx" for code in codes}


@dataclass(frozen=True)
class Task:
    """A chunk of per-OPD workbooks to write (pickled to a worker)."""

    catalog: str  # catalog id or file, loaded by the worker
    fingerprint: str  # of the caller's catalog: the worker's must be the same
    lang: str
    year: int
    band_rule: str
    summary: ProvinceSummary | None
    items: tuple[tuple[GapData, str], ...]  # (what the sheet shows, the workbook's path)
    accelerate: bool


def builder(meta: Meta, data: GapData, formats: dict | None = None) -> Callable[[object], None]:
    """What writes one OPD's workbook into an xlsxwriter Workbook (or, with its ``formats``, a recorder)."""

    def build(wb: object) -> None:
        ctx = writer.Ctx(wb, meta, formats=formats)
        ctx.set_properties(clean_text(ctx.text("gap_title", name=data.name))[0])
        gap_sheet.write(ctx, data, standalone=True)

    return build


def book(meta: Meta, data: GapData, accelerate: bool = True) -> bytes:
    """One OPD's workbook: rendered from the template (accelerated), else written by xlsxwriter."""
    if accelerate and fast.enabled("template"):
        from pipeline.report.fast import template

        payload = template.render(meta, data)
        if payload is not None:
            return payload
    return writer.workbook_bytes(builder(meta, data))


def write_chunk(task: Task) -> Msg | None:
    """A worker's task: write its workbooks; the message of the first that failed (an OutputError), or None."""
    fw = fwmod.load(task.catalog)
    if fw.fingerprint != task.fingerprint:
        raise ValueError(f"catalog {task.catalog} changed since the batch was scored")
    meta = Meta(fw, task.lang, task.year, task.band_rule, task.summary)
    for data, target in task.items:
        payload = book(meta, data, task.accelerate)
        try:
            publish.write_new(Path(target), payload)
        except PipelineError as exc:
            return exc.msg
        if settings.FAULT_DELAY_S:
            time.sleep(settings.FAULT_DELAY_S)
    return None


class Pending:
    """Per-OPD workbooks being written by the workers while this process writes the main workbook.

    Made from the batch (:attr:`digest` names their content), then :meth:`start` writes them into a folder;
    :meth:`wait` collects them (raising a worker's OutputError), :meth:`close` stops a pool of its own.
    """

    def __init__(self, result: MergeResult, workers: Workers | None) -> None:
        sheets = sheet_names(result, i18n.table(result.lang, "report"))
        self.names = {code: p.name for code, p in paths(result, Path()).items()}
        self.items = [(gap_sheet.data_of(result, code, sheets[code]), name) for code, name in self.names.items()]
        fw = result.framework
        meta = meta_of(result)
        self.meta = (fw.path or fw.id, fw.fingerprint, meta.lang, meta.year, meta.band_rule, meta.summary)
        content = (fw.id, *self.meta[1:], self.items)  # not the catalog's path: where it is installed does not count
        self.digest = hashlib.sha256(repr(content).encode("utf-8", "surrogatepass")).hexdigest()
        self.own = workers is None
        self.workers = workers or Workers(inline=len(self.items) <= settings.PER_OPD_LIMIT, preload=WORKER_MODULES)
        self.tasks: list[Task] = []
        self.futures: list = []
        self.paths: dict[str, Path] = {}

    def start(self, folder: Path) -> Pending:
        """Start writing the workbooks into ``folder``."""
        self.paths = {code: folder / name for code, name in self.names.items()}
        items = [(data, str(folder / name)) for data, name in self.items]
        chunk = max(1, min(CHUNK, math.ceil(len(items) / (self.workers.n * 4))))
        self.tasks = [Task(*self.meta, tuple(items[k:k + chunk]), settings.ACCELERATE)
                      for k in range(0, len(items), chunk)]
        self.futures = [self.workers.submit(write_chunk, task, settings.WRITE_TIMEOUT_S) for task in self.tasks]
        return self

    def wait(self) -> dict[str, Path]:
        for task, fut in zip(self.tasks, self.futures, strict=True):
            failed = self.workers.result(fut)
            if isinstance(failed, Failed):  # the worker died or ran out of time: write the chunk here
                failed = write_chunk(task)
            _raise(failed)
        return self.paths

    def close(self) -> None:
        for fut in self.futures:
            fut.cancel()  # chunks not started (a failed main workbook); pebble stops those being written
        if self.own:
            self.workers.close()


def _raise(failed: Msg | None) -> None:
    if failed is not None:
        raise OutputError(failed.key, **dict(failed.args))


def start(result: MergeResult, folder: Path, workers: Workers | None = None) -> Pending:
    """Start writing the per-OPD workbooks of ``result`` under ``folder`` (made when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Pending(result, workers).start(folder)
