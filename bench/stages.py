"""In-process profile of the merge for ``bench/run.py --profile``: cProfile and per-stage timings.

Three passes over the same files, all in this process (no sandbox):

1. ``pipeline.intake.read_folder(isolate=False)`` under cProfile: top 25 functions by cumulative
   time, and the top 15 by own time.
2. The stages called directly and timed one by one, as ``intake.process_file`` chains them:
   discovery, sha256, sniff, ``xlsxsafe.read_workbook``, per-file catalog lookups,
   ``reader.parse``, ``validate.consistency``; then ``validate.resolve``, ``batch.assemble`` and
   ``report.write_report`` (when ``pipeline/report.py`` exists). Inner functions of the reader,
   xlsxsafe, roster and scoring are wrapped with timers (inclusive times; nested calls are
   counted in both).
3. ``tracemalloc`` over the first 300 files: memory kept per Submission and its pickled size
   (what the sandbox sends back from a worker), extrapolated to N.
"""

from __future__ import annotations

import cProfile
import functools
import io
import pickle
import pstats
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline import batch, intake, reader, roster, scoring, sniff, validate, xlsxsafe
from pipeline import framework as fwmod
from pipeline.models import Submission

_T: dict[str, float] = defaultdict(float)
_C: dict[str, int] = defaultdict(int)


@contextmanager
def _timer(name: str) -> Iterator[None]:
    t = time.perf_counter()
    try:
        yield
    finally:
        _T[name] += time.perf_counter() - t
        _C[name] += 1


def _wrap(owner: object, attr: str, name: str) -> Callable[[], None]:
    """Replace ``owner.attr`` by a timed wrapper; returns the function that restores it."""
    original = getattr(owner, attr)

    @functools.wraps(original)
    def timed(*args: object, **kwargs: object) -> object:
        with _timer(name):
            return original(*args, **kwargs)

    setattr(owner, attr, timed)
    return lambda: setattr(owner, attr, original)


INNER = (
    (xlsxsafe._Reader, "_check_archive", "xlsxsafe  _check_archive"),
    (xlsxsafe._Reader, "_content_types", "xlsxsafe  _content_types"),
    (xlsxsafe._Reader, "_main_part", "xlsxsafe  _main_part (+ .rels)"),
    (xlsxsafe._Reader, "_rels", "xlsxsafe  _rels"),
    (xlsxsafe._Reader, "_shared_strings", "xlsxsafe  _shared_strings"),
    (xlsxsafe._Reader, "_sheet", "xlsxsafe  _sheet (parse + cells)"),
    (xlsxsafe._Reader, "_external_links", "xlsxsafe  _external_links"),
    (reader, "_check_template", "reader    _check_template"),
    (reader, "_read_identity", "reader    _read_identity"),
    (roster.Roster, "match", "reader      Roster.match"),
    (roster.Roster, "find_in_filename", "reader      Roster.find_in_filename"),
    (reader, "_read_answers", "reader    _read_answers"),
    (reader, "parse_level", "reader      parse_level"),
    (reader, "_read_apps", "reader    _read_apps"),
    (reader, "_read_infra", "reader    _read_infra"),
    (batch, "resolve", "assemble  validate.resolve"),
    (scoring, "score", "assemble  scoring.score"),
    (roster.Roster, "by_code", "assemble  Roster.by_code"),
    (scoring, "rank", "assemble  scoring.rank"),
    (scoring, "province_summary", "assemble  scoring.province_summary"),
    (scoring, "gap_analysis", "assemble  scoring.gap_analysis"),
)


def _cprofile(folder: Path, roster_path: Path) -> str:
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    intake.read_folder(folder, roster=str(roster_path), isolate=False)
    prof.disable()
    wall = time.perf_counter() - t
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    text = "\n".join(line for line in out.getvalue().splitlines() if line.strip())
    return f"cProfile of intake.read_folder(isolate=False): {wall:.2f} s (with profiler overhead)\n{text}"


def _stages(folder: Path, roster_path: Path, n: int) -> str:
    _T.clear()
    _C.clear()
    restore = [_wrap(owner, attr, name) for owner, attr, name in INNER]
    from pipeline.sandbox import tune_gc

    tune_gc()  # as spbe merge and its workers do
    try:
        fw = fwmod.load()
        ros = roster.load(str(roster_path))
        with _timer("discovery (intake.discover)"):
            files = intake.discover(folder)
        subs: list[Submission] = []
        wanted = set(intake.WANTED_SHEETS)
        for path, rel in files:
            with _timer("read + sha256 (intake._digest)"):
                sha, size, mtime, data = intake._digest(path, keep=sniff.DEFAULT_MAX_BYTES)
            sub = Submission(rel, sha, size, mtime)
            subs.append(sub)
            with _timer("sniff.detect"):
                kind, findings = sniff.detect(path, rel, data=data)
            sub.findings.extend(findings)
            if kind != "xlsx":
                continue
            with _timer("xlsxsafe.read_workbook"):
                raw, findings = xlsxsafe.read_workbook(path, rel, sheets=set(wanted), data=data)
            sub.findings.extend(findings)
            if raw is None:
                continue
            with _timer("per-file catalog lookups"):
                fwmod.load(None)
                frameworks = {fid: fwmod.load(fid) for fid in fwmod.available()}
                roster.load(str(roster_path))
            with _timer("reader.parse"):
                reader.parse(raw, sub, fw, ros, frameworks)
            if not sub.rejected:
                with _timer("validate.consistency"):
                    sub.findings.extend(validate.consistency(fw, sub))
        with _timer("validate.resolve (alone)"):
            validate.resolve(subs)
        with _timer("batch.assemble (scoring+ranking+gaps)"):
            result = batch.assemble(fw, ros, subs, input_dir=str(folder))
        try:
            from pipeline.report import write_report
        except ImportError:
            write_report = None
        if write_report is not None:
            with tempfile.TemporaryDirectory() as tmp, _timer("report.write_report"):
                write_report(result, Path(tmp) / "rekap.xlsx")
    finally:
        for undo in restore:
            undo()
    top = ["discovery (intake.discover)", "read + sha256 (intake._digest)", "sniff.detect", "xlsxsafe.read_workbook",
           "per-file catalog lookups", "reader.parse", "validate.consistency", "validate.resolve (alone)",
           "batch.assemble (scoring+ranking+gaps)", "report.write_report"]
    total = sum(_T[k] for k in top if k != "validate.resolve (alone)")
    lines = [f"Per-stage timing, in-process, one core, N={n} ({len(files)} files): total {total:.2f} s",
             f"  {'stage':<44} {'s':>8} {'ms/file':>9} {'%':>6} {'calls':>7}"]
    inner = {name.split()[0]: [] for _, _, name in INNER}
    for _, _, name in INNER:
        inner[name.split()[0]].append(name)
    parent_of = {"xlsxsafe.read_workbook": "xlsxsafe", "reader.parse": "reader",
                 "batch.assemble (scoring+ranking+gaps)": "assemble"}
    for k in top:
        if k not in _T:
            lines.append(f"  {k:<44} {'not run':>8}")
            continue
        lines.append(f"  {k:<44} {_T[k]:8.3f} {1000 * _T[k] / max(1, len(files)):9.3f} "
                     f"{100 * _T[k] / total:6.1f} {_C[k]:7d}")
        for name in inner.get(parent_of.get(k, ""), []):
            if name in _T:
                label = "    " + name.split(None, 1)[1]
                lines.append(f"  {label:<44} {_T[name]:8.3f} {1000 * _T[name] / max(1, len(files)):9.3f} "
                             f"{100 * _T[name] / total:6.1f} {_C[name]:7d}")
    return "\n".join(lines)


def _memory(folder: Path, roster_path: Path, n: int, sample: int = 300) -> str:
    files = intake.discover(folder)[:sample]
    tasks = [intake.Task(str(p), rel, None, str(roster_path)) for p, rel in files]
    intake.process_file(tasks[0])  # warm caches (catalogs, roster) outside the measurement
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    subs = [intake.process_file(t) for t in tasks]
    kept = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    pickled = sum(len(pickle.dumps(s, protocol=pickle.HIGHEST_PROTOCOL)) for s in subs)
    per, per_p = kept / len(subs), pickled / len(subs)
    findings = sum(len(s.findings) for s in subs) / len(subs)
    return (f"Memory (tracemalloc, {len(subs)} files): {per / 1024:.1f} KB kept per Submission "
            f"({findings:.1f} findings each), {per_p / 1024:.1f} KB pickled per Submission; "
            f"extrapolated to N={n}: {per * n / 2**20:.0f} MB of Submissions in the parent, "
            f"{per_p * n / 2**20:.0f} MB sent through the worker pipes")


def profile(folder: Path, roster_path: Path, n: int) -> str:
    """All three passes as one printable text."""
    return "\n\n".join([f"=== profile N={n} ===", _cprofile(folder, roster_path), _stages(folder, roster_path, n),
                        _memory(folder, roster_path, n)])
