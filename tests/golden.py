"""Golden outputs: what `spbe merge` and `spbe check` give on the sample input and a generated 200-file set.

The cases run the command line (``python -m pipeline``, with the accelerators on unless a case says
otherwise) and record, per case, the exit code, the
printed lines and a digest of every workbook written (one SHA-256 per zip part, taken over the part's
uncompressed bytes, so that a change of the zip container's compression does not count, but any change
of a cell, a format, a chart or a sheet does). ``tests/test_golden.py`` compares them with
``tests/golden/outputs.json``.

The digests guard the same-bytes rule but do not say what changed. Beside them, each workbook of the sample
cases (``DUMP_FILES``; the 200-file set is too large and keeps only its digests) is stored as a readable
dump of what the user sees, one text file per case and workbook under ``tests/golden/dumps/`` (the
per-OPD workbooks of ``sample-per-opd`` concatenated in name order): per sheet, in order, its name and
state, one line per non-empty cell (``A1<TAB>value or formula<TAB>number format``), then the merged
ranges, data validations, conditional formats, freeze panes, print area and titles, autofilter,
comments, hyperlinks and the charts anchored there (type, titles, each series' references). It is read
with openpyxl's public API and, for the charts, from the chart parts themselves, so it holds across
xlsxwriter versions, and a change of output shows as a readable diff in git and in the failing test.

Refresh both the records and the dumps, after a change of the output made on purpose (and say so in the
commit)::

    python tests/golden.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import posixpath
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
from openpyxl.formatting.rule import Rule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLDEN = HERE / "golden" / "outputs.json"
DUMPS = HERE / "golden" / "dumps"
# the dumps stored under DUMPS: case name + ".txt" for its workbook, + "-opd.txt" for its per-OPD workbooks
DUMP_FILES = ("sample-id.txt", "sample-en.txt", "sample-per-opd.txt", "sample-per-opd-opd.txt")

NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}


def workbook_digest(path: Path) -> dict[str, str]:
    """Part name -> SHA-256 of its uncompressed bytes."""
    with zipfile.ZipFile(path) as z:
        return {name: hashlib.sha256(z.read(name)).hexdigest() for name in sorted(z.namelist())}


def folder_digest(folder: Path) -> dict[str, str]:
    """Workbook name -> one SHA-256 over its part digests, for every workbook in ``folder``."""
    out = {}
    for p in sorted(folder.glob("*.xlsx")):
        parts = workbook_digest(p)
        out[p.name] = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return out


def _text(value: object) -> str:
    """A cell's value as the dump shows it: formulas as typed, numbers by repr, dates ISO, one line."""
    if isinstance(value, ArrayFormula):
        value = f"{{{value.text}}}"
    elif hasattr(value, "isoformat"):
        value = value.isoformat()  # type: ignore[union-attr]
    elif not isinstance(value, str):
        value = repr(value)
    return value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _rels(z: zipfile.ZipFile, part: str, kind: str) -> list[tuple[str, str]]:
    """The package parts ``part`` relates to with a relationship of type ``kind``: (id, part name), in order."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in z.namelist():
        return []
    out = []
    for rel in ET.fromstring(z.read(rels)).iterfind("pr:Relationship", NS):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not rel.get("Type", "").endswith(f"/{kind}"):
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out.append((rel.get("Id", ""), path))
    return out


def _title(el: ET.Element | None) -> str:
    """The text of a chart or axis title (its rich text, or the cell its text comes from); "" if none."""
    if el is None:
        return ""
    ref = el.find("c:tx/c:strRef/c:f", NS)
    if ref is not None:
        return f"={ref.text}"
    paras = ["".join(t.text or "" for t in p.iterfind(".//a:t", NS)) for p in el.iterfind("c:tx/c:rich/a:p", NS)]
    return _text("\n".join(paras)) if paras else "(automatic)"


def chart_lines(xml: bytes) -> list[str]:
    """What a chart part shows: its type(s), title, axis titles and each series' name and references."""
    chart = ET.fromstring(xml).find("c:chart", NS)
    plot = chart.find("c:plotArea", NS) if chart is not None else None
    if chart is None or plot is None:
        return ["  (no plot area)"]
    local = [(el.tag.rpartition("}")[2], el) for el in plot]
    kinds = [(tag, el) for tag, el in local if tag.endswith("Chart")]
    names = []
    for tag, el in kinds:
        direction = el.find("c:barDir", NS)
        names.append(tag if direction is None else f"{tag}({direction.get('val')})")
    lines = [f"  type\t{' + '.join(names)}"]
    if title := _title(chart.find("c:title", NS)):
        lines.append(f"  title\t{title}")
    for tag, el in local:
        if tag.endswith("Ax") and (title := _title(el.find("c:title", NS))):
            pos = el.find("c:axPos", NS)
            lines.append(f"  axis {tag} {pos.get('val') if pos is not None else '?'}\t{title}")
    for _, el in kinds:
        for ser in el.iterfind("c:ser", NS):
            ref, literal = ser.find("c:tx/c:strRef/c:f", NS), ser.find("c:tx/c:v", NS)
            name = f"={ref.text}" if ref is not None else repr(literal.text) if literal is not None else "-"
            refs = [f"{key} ={f.text}" for key in ("cat", "val", "xVal", "yVal", "bubbleSize")
                    if (f := ser.find(f"c:{key}/*/c:f", NS)) is not None]
            lines.append(f"  series\t{name}\t{'  '.join(refs)}")
    return lines


def sheet_charts(z: zipfile.ZipFile) -> dict[str, list[str]]:
    """Sheet name -> the dump lines of the charts anchored on it, in the drawing's order."""
    book = "xl/workbook.xml"
    parts = dict(_rels(z, book, "worksheet"))
    out: dict[str, list[str]] = {}
    for sheet in ET.fromstring(z.read(book)).iterfind("main:sheets/main:sheet", NS):
        part = parts.get(sheet.get(f"{{{NS['r']}}}id", ""))
        lines = out.setdefault(sheet.get("name", ""), [])
        for _, drawing in _rels(z, part, "drawing") if part else []:
            charts = dict(_rels(z, drawing, "chart"))
            for anchor in ET.fromstring(z.read(drawing)):
                ref = anchor.find(".//c:chart", NS)
                if ref is None or (chart := charts.get(ref.get(f"{{{NS['r']}}}id", ""))) is None:
                    continue
                col, row = anchor.find("xdr:from/xdr:col", NS), anchor.find("xdr:from/xdr:row", NS)
                at = f"{get_column_letter(int(col.text) + 1)}{int(row.text) + 1}" if col is not None and row is not None else "?"
                lines += [f"chart\t{at}", *chart_lines(z.read(chart))]
    return out


def _validation(dv: DataValidation) -> str:
    """One data validation: its cells, type, operator, formulas and the error message it shows."""
    fields = ["validation", str(dv.sqref), str(dv.type)] + ([dv.operator] if dv.operator else [])
    fields += [f"formula{i}={_text(f)}" for i, f in ((1, dv.formula1), (2, dv.formula2)) if f is not None]
    return "\t".join(fields + ([f"error={_text(dv.error)}"] if dv.error else []))


def _conditional(cells: str, rule: Rule) -> str:
    """One conditional format rule on ``cells``: its type, operator and formulas."""
    fields = ["conditional", cells, str(rule.type)] + ([rule.operator] if rule.operator else [])
    return "\t".join(fields + [f"formula={_text(f)}" for f in rule.formula or []])


def sheet_lines(ws: Worksheet) -> list[str]:
    """What the user sees on one sheet, besides its charts (see the module's docstring)."""
    lines = [f"== {ws.title} ({ws.sheet_state})"]
    links, notes = [], []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                fmt = "" if cell.number_format == "General" else f"\t{cell.number_format}"
                lines.append(f"{cell.coordinate}\t{_text(cell.value)}{fmt}")
            if link := getattr(cell, "hyperlink", None):
                where = " ".join(filter(None, [link.target, f"#{link.location}" if link.location else ""]))
                links.append(f"hyperlink\t{cell.coordinate}\t{where}")
            if note := getattr(cell, "comment", None):
                notes.append(f"comment\t{cell.coordinate}\t{_text(note.text)}")
    merged = sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col, r.max_row, r.max_col))
    lines += [f"merged\t{r.coord}" for r in merged]
    lines += sorted(_validation(dv) for dv in ws.data_validations.dataValidation)
    lines += sorted(_conditional(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules)
    for label, value in (("freeze", ws.freeze_panes), ("print area", ws.print_area),
                         ("print title rows", ws.print_title_rows), ("print title cols", ws.print_title_cols),
                         ("autofilter", ws.auto_filter.ref)):
        if value:
            lines.append(f"{label}\t{value}")
    return lines + notes + links


def dump_workbook(path: Path) -> str:
    """The readable dump of one workbook: a heading line, the active sheet, then every sheet in order."""
    wb = openpyxl.load_workbook(path)
    try:
        with zipfile.ZipFile(path) as z:
            charts = sheet_charts(z)
        lines = [f"# {path.name}", f"active\t{wb.active.title if wb.active else '-'}"]
        for ws in wb.worksheets:
            lines += sheet_lines(ws) + charts.get(ws.title, [])
    finally:
        wb.close()
    return "\n".join(lines) + "\n"


def generated_set(root: Path, n: int = 200) -> tuple[Path, Path]:
    """The benchmark's generated set of ``n`` files (byte-deterministic), built under ``root``."""
    spec = importlib.util.spec_from_file_location("bench_gen", ROOT / "bench" / "gen.py")
    gen = sys.modules.setdefault("bench_gen", importlib.util.module_from_spec(spec))  # type: ignore[arg-type]
    spec.loader.exec_module(gen)  # type: ignore[union-attr]
    folder, roster, _ = gen.generate(n, root, workers=1)
    return folder, roster


def _run(args: list[str], tmp: Path, python: str, plain: str = "") -> dict:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "PYTHONPATH": path, "SPBE_PLAIN": plain}
    proc = subprocess.run([python, "-m", "pipeline", *args], capture_output=True, text=True, cwd=tmp, env=env,
                          timeout=600)
    text = proc.stdout.replace(str(tmp), "<TMP>")
    err = [line.replace(str(tmp), "<TMP>") for line in proc.stderr.splitlines() if line.startswith(("Error", "Kesalahan"))]
    return {"rc": proc.returncode, "stdout": text.splitlines(), "error": err}


def cases(tmp: Path, python: str = sys.executable, dumps: dict[str, str] | None = None) -> dict[str, dict]:
    """Run every golden case in ``tmp``; return case name -> record.

    With ``dumps``, also put there the dump (file name -> text) of every workbook named in ``DUMP_FILES``.
    """
    sample = ROOT / "input"
    gen_input, gen_roster = generated_set(tmp / "sets")
    out: dict[str, dict] = {}

    def merge(name: str, args: list[str], per_opd: bool = False, plain: str = "") -> None:
        target = tmp / name / "rekap.xlsx"
        rec = _run(["merge", *args, "-o", str(target)], tmp, python, plain)
        if target.exists():
            rec["workbook"] = workbook_digest(target)
            if dumps is not None and f"{name}.txt" in DUMP_FILES:
                dumps[f"{name}.txt"] = dump_workbook(target)
        if per_opd:  # the per-OPD workbooks' folder (named after their content; the rekap links to it above the per-OPD limit)
            folders = sorted(target.parent.glob(f"{target.stem}-opd-*"))
            rec["opd_folder"] = [p.name for p in folders]
            rec["opd"] = folder_digest(folders[0]) if folders else {}
            if dumps is not None and folders and f"{name}-opd.txt" in DUMP_FILES:
                dumps[f"{name}-opd.txt"] = "\n".join(dump_workbook(p) for p in sorted(folders[0].glob("*.xlsx")))
        out[name] = rec

    merge("sample-id", ["-i", str(sample)])
    merge("sample-en", ["-i", str(sample), "--lang", "en"])
    merge("sample-per-opd", ["-i", str(sample), "--per-opd-files"], per_opd=True)
    merge("sample-strict", ["-i", str(sample), "--strict"])
    merge("gen200", ["-i", str(gen_input), "--roster", str(gen_roster)], per_opd=True)
    # every accelerator off (SPBE_PLAIN=1): the plain twins, which must give the very same output
    merge("gen200-plain", ["-i", str(gen_input), "--roster", str(gen_roster)], per_opd=True, plain="1")
    out["check-sample-id"] = _run(["check", str(sample)], tmp, python)
    out["check-sample-en"] = _run(["check", str(sample), "--lang", "en"], tmp, python)
    out["check-gen200"] = _run(["check", str(gen_input), "--roster", str(gen_roster), "-q"], tmp, python)
    return out


def write_dumps(folder: Path, dumps: dict[str, str], prune: bool = False) -> None:
    """Store ``dumps`` as files in ``folder``; with ``prune``, remove the dumps there no case produces any more."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in sorted(folder.glob("*.txt")) if prune else []:
        if stale.name not in dumps:
            stale.unlink()
    for name, text in sorted(dumps.items()):
        (folder / name).write_text(text, encoding="utf-8", newline="\n")


def main() -> None:
    sys.path.insert(0, str(ROOT))  # run as a script: the pipeline under test is this checkout
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true",
                    help=f"write {GOLDEN.relative_to(ROOT)} and the dumps in {DUMPS.relative_to(ROOT)}")
    ap.add_argument("--python", default=sys.executable, help="interpreter with the pipeline to run")
    ap.add_argument("--out", type=Path, help="write the records here instead (and the dumps in dumps/ beside it)")
    args = ap.parse_args()
    dumps: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        got = cases(Path(tmp), args.python, dumps)
    target = GOLDEN if args.write else args.out
    if target is None:
        print(json.dumps(got, indent=1, sort_keys=True))
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    write_dumps(target.parent / DUMPS.name, dumps, prune=args.write)
    print(f"wrote {target} and {len(dumps)} dumps in {target.parent / DUMPS.name}")


if __name__ == "__main__":
    main()
