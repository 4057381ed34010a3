"""In-process profile of the merge for ``bench/run.py --profile``: cProfile and per-stage timings.

All in this process, one core (no worker processes), over the same files:

1. The reading stage (``pipeline.batch.read`` with inline workers) under cProfile: the top 25 functions
   by cumulative time and the top 15 by own time.
2. Each stage timed on its own, through the public functions ``intake.read.read_one`` chains and the
   batch calls: digest, ``sniff.detect``, ``xlsx.read_workbook``, ``parse.parse``, ``validate.consistency``;
   then ``validate.check``, ``batch.assemble`` and ``report.write`` (main workbook and per-OPD workbooks
   inline).
3. ``tracemalloc`` over the first 300 files: memory kept per Submission, extrapolated to N.
"""

from __future__ import annotations

import cProfile
import hashlib
import io
import pstats
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from pipeline import batch, report, validate
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod
from pipeline.intake import parse, sniff, xlsx
from pipeline.intake.read import WANTED_SHEETS, discover
from pipeline.model import Submission
from pipeline.workers import Workers


def _cprofile(folder: Path, roster_path: Path) -> str:
    fw = fwmod.load()
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    batch.read(discover(folder), fw, None, str(roster_path), Workers(inline=True))
    prof.disable()
    wall = time.perf_counter() - t
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    text = "\n".join(line for line in out.getvalue().splitlines() if line.strip())
    return f"cProfile of batch.read (inline): {wall:.2f} s (with profiler overhead)\n{text}"


def _stages(folder: Path, roster_path: Path, n: int) -> str:
    times: dict[str, float] = defaultdict(float)

    def timed(name: str, func: Callable, *args: object, **kw: object) -> object:
        t = time.perf_counter()
        try:
            return func(*args, **kw)
        finally:
            times[name] += time.perf_counter() - t

    fw = fwmod.load()
    ros = rostermod.load(str(roster_path))
    frameworks = {fid: fwmod.load(fid) for fid in fwmod.available()}
    files = timed("discovery", discover, folder)
    subs: list[Submission] = []
    for e in files:
        path, rel = e.path, e.rel
        data = timed("read + sha256", path.read_bytes)
        timed("read + sha256", lambda d=data: hashlib.sha256(d).hexdigest())
        base = Submission(rel, "", len(data), 0.0)
        kind, findings = timed("sniff.detect", sniff.detect, path, rel, data=data)
        if kind != sniff.XLSX:
            subs.append(base)
            continue
        raw, _more = timed("xlsx.read_workbook", xlsx.read_workbook, path, rel, sheets=set(WANTED_SHEETS), data=data)
        sub = base if raw is None else timed("parse.parse", parse.parse, raw, base, fw, ros, frameworks)
        subs.append(timed("validate.consistency", validate.consistency, fw, sub))
    timed("validate.check", validate.check, subs)
    result = timed("batch.assemble", batch.assemble, fw, ros, subs)
    with tempfile.TemporaryDirectory() as tmp:
        timed("report.write (inline)", report.write, result, Path(tmp) / "rekap.xlsx", workers=Workers(inline=True))
    total = sum(times.values())
    lines = [f"{'stage':<28} {'s':>8} {'ms/file':>8} {'share':>6}"]
    for name, secs in times.items():
        lines.append(f"{name:<28} {secs:8.2f} {1000 * secs / max(n, 1):8.2f} {100 * secs / total:5.0f}%")
    return "\n".join(lines)


def _memory(folder: Path, roster_path: Path, n: int) -> str:
    fw = fwmod.load()
    files = discover(folder)[:300]
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    subs = batch.read(files, fw, None, str(roster_path), Workers(inline=True))
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    kept = sum(s.size_diff for s in after.compare_to(before, "filename"))
    per = kept / max(len(subs), 1)
    return f"memory kept per Submission: {per / 1024:.1f} KB; for N={n}: {per * n / 2**20:.0f} MB"


def profile(folder: Path, roster_path: Path, n: int) -> str:
    """The whole profile as text."""
    return "\n\n".join((_stages(folder, roster_path, n), _cprofile(folder, roster_path),
                        _memory(folder, roster_path, n)))
