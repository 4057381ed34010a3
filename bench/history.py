"""Benchmark of the history stage: 20 years of rekaps of 600 OPDs (issue 15: "a few seconds at most").

Usage::

    python bench/history.py                 # 600 OPDs, 19 earlier years + this year
    python bench/history.py --opds 600 --years 20 --workdir bench/out

This year is a real ``spbe merge`` without history of the generated set of ``bench/gen.py`` (600
questionnaires, ``--no-history``). The earlier years are written as a rekap's Data sheet (format
:data:`pipeline.history.read.VERSION`, the only sheet the history reader needs) with random levels and
targets and the exact index recomputed from them, for every OPD of the roster, so that every OPD of every
year is read, checked against its index, matched and carried into the trend. Timed, best of three:
:func:`pipeline.history.load` (reading the 19 rekaps in the worker pool, checks, matching, the trend and
the gap sheets' memory) and the main workbook written with and without that history.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import time
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

import gen  # noqa: E402

from pipeline import batch, history, report  # noqa: E402
from pipeline.catalog.framework import exact  # noqa: E402
from pipeline.history import read  # noqa: E402
from pipeline.report.style import stored  # noqa: E402
from pipeline.scoring import index  # noqa: E402
from pipeline.workers import Workers  # noqa: E402


def earlier_rekap(path: Path, result: batch.MergeResult, year: int, rng: random.Random) -> None:
    """A rekap of ``year`` for every roster OPD: its Data sheet, as :mod:`pipeline.report.data` writes it."""
    fw = result.framework
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("Data")
    heads = read.headings("id", fw)
    ws.write_row(0, 0, heads)
    for r, opd in enumerate(result.roster.opds, 1):
        levels = {i.id: rng.randint(fw.level_min, fw.level_max) for i in fw.indicators}
        sc = index.score(fw, levels, opd=opd.code)
        ws.write_row(r, 0, [year, fw.id, opd.code, opd.name, stored(sc.index), exact(sc.index), sc.predikat,
                            "lengkap", "", f"{opd.code}.xlsx", "Kuesioner", read.VERSION])
        targets = [min(fw.level_max, x.level + rng.randint(0, 1)) for x in sc.indicators]
        ws.write_row(r, len(read.FIXED), [x.level for x in sc.indicators] + targets)
    wb.close()


def best(func: object, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--opds", type=int, default=600)
    ap.add_argument("--years", type=int, default=20, help="years in all, this one included")
    ap.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    folder, roster, _ = gen.generate(args.opds, args.workdir)
    out = args.workdir / f"history-{args.years}x{args.opds}"
    out.mkdir(parents=True, exist_ok=True)
    this_year = 2026
    with Workers() as pool:
        t = time.perf_counter()
        result = batch.merge(folder, out / f"rekap-spbe-{this_year}.xlsx", roster=str(roster), year=this_year,
                             per_opd_files=False, history=False, workers=pool)
        merge_s = time.perf_counter() - t
        rng = random.Random(15)
        for year in range(this_year - args.years + 1, this_year):
            path = out / f"rekap-spbe-{year}.xlsx"
            if not path.exists():
                earlier_rekap(path, result, year, rng)
        load_s, h = best(lambda: history.load(out, result, pool, output=out / f"rekap-spbe-{this_year}.xlsx"),
                         args.repeat)
        assert len(h.used) == args.years - 1 and not h.findings, h.findings[:3]
        with_h = dataclasses.replace(result, history=h)
        plain_s, _ = best(lambda: report.write(result, out / "plain.xlsx", per_opd_files=False), args.repeat)
        trend_s, _ = best(lambda: report.write(with_h, out / "trend.xlsx", per_opd_files=False), args.repeat)
    size = sum(p.stat().st_size for p in out.glob("rekap-spbe-*.xlsx") if p.name != f"rekap-spbe-{this_year}.xlsx")
    print(f"{len(result.scores)} OPDs scored this year (spbe merge without history: {merge_s:.2f} s); "
          f"{len(h.used)} earlier rekaps, {size / 2**20:.1f} MB, {len(h.rows)} OPDs in the trend")
    print(f"history.load (read, check, match, trend, memory; 2 workers): {load_s:.2f} s")
    print(f"main workbook without history: {plain_s:.2f} s; with Tren and the charts: {trend_s:.2f} s "
          f"(+{trend_s - plain_s:.2f} s)")


if __name__ == "__main__":
    main()
