"""Naive baseline for the benchmark: what a quick one-off script would do.

One process; every file is loaded fully with ``openpyxl.load_workbook`` (not read-only); the OPD is
taken from Identitas!B5 and the levels from Penilaian rows 5..41 (id in column A, level in H,
verified level in K) by position; the index is computed with the catalog weights; the results are
consolidated with pandas and written with openpyxl (a ranking sheet and a data sheet). Unreadable
files are skipped. No validation, no findings, no isolation.

Usage: ``python bench/naive.py INPUT_DIR OUTPUT.xlsx [--scores SCORES.json]``
"""

from __future__ import annotations

import argparse
import json
import re
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline.catalog import framework as fwmod

FIRST_ROW, LAST_ROW = 5, 41  # the indicator rows of the 2018 template


def _level(value: object) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    m = re.match(r"\s*(\d)", str(value or ""))
    return int(m[1]) if m else None


def read_one(path: Path) -> dict[str, object] | None:
    """OPD code, levels and verified levels of one file, read by position; None when unreadable."""
    try:
        wb = openpyxl.load_workbook(path)
    except Exception:  # noqa: BLE001 - a naive script skips what it cannot open
        return None
    opd = str(wb["Identitas"]["B5"].value or "")
    ws = wb["Penilaian"]
    row: dict[str, object] = {"file": path.name, "opd": opd.split(" - ")[0].strip(), "opd_name": opd}
    for r in range(FIRST_ROW, LAST_ROW + 1):
        iid = str(ws.cell(r, 1).value)
        level, verified = _level(ws.cell(r, 8).value), _level(ws.cell(r, 11).value)
        row[iid] = verified if verified is not None else level
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input_dir", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--scores", type=Path, help="also write {opd: index} as JSON (for cross-checks)")
    args = ap.parse_args()
    fw = fwmod.load()
    rows = [r for p in sorted(args.input_dir.iterdir()) if (r := read_one(p)) is not None]
    df = pd.DataFrame(rows)
    ids = [i.id for i in fw.indicators]
    for iid in ids:
        if iid not in df:
            df[iid] = None
    df = df.drop_duplicates("opd", keep="last").set_index("opd")
    df["index"] = [sum((Fraction(int(r[i]) if pd.notna(r[i]) else 0) * ind.weight
                        for i, ind in zip(ids, fw.indicators, strict=True)), Fraction(0)) / 100
                   for _, r in df.iterrows()]
    df["predikat"] = [fw.predikat(v) for v in df["index"]]
    df["index"] = df["index"].astype(float).round(2)
    df = df.sort_values("index", ascending=False)
    df["rank"] = df["index"].rank(method="min", ascending=False).astype(int)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Peringkat"
    ws.append(["Peringkat", "Kode", "OPD", "Indeks", "Predikat"])
    for code, r in df.iterrows():
        ws.append([int(r["rank"]), code, r["opd_name"], float(r["index"]), r["predikat"]])
    data = wb.create_sheet("Data")
    data.append(["Kode", "Berkas", *ids])
    for code, r in df.iterrows():
        data.append([code, r["file"], *[None if pd.isna(r[i]) else int(r[i]) for i in ids]])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    wb.save(args.output)
    if args.scores:
        args.scores.write_text(json.dumps({str(k): float(v) for k, v in df["index"].items()}), encoding="utf-8")


if __name__ == "__main__":
    main()
