"""Golden outputs: what `spbe merge` and `spbe check` give on the sample input and a generated 200-file set.

The cases run the command line (``python -m pipeline``, with the accelerators on unless a case says
otherwise) and record, per case, the exit code, the
printed lines and a digest of every workbook written (one SHA-256 per zip part, taken over the part's
uncompressed bytes, so that a change of the zip container's compression does not count, but any change
of a cell, a format, a chart or a sheet does). ``tests/test_golden.py`` compares them with
``tests/golden/outputs.json``.

Refresh, after a change of the output made on purpose (and say so in the commit)::

    python tests/golden.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLDEN = HERE / "golden" / "outputs.json"


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


def cases(tmp: Path, python: str = sys.executable) -> dict[str, dict]:
    """Run every golden case in ``tmp``; return case name -> record."""
    sample = ROOT / "input"
    gen_input, gen_roster = generated_set(tmp / "sets")
    out: dict[str, dict] = {}

    def merge(name: str, args: list[str], per_opd: bool = False, plain: str = "") -> None:
        target = tmp / name / "rekap.xlsx"
        rec = _run(["merge", *args, "-o", str(target)], tmp, python, plain)
        if target.exists():
            rec["workbook"] = workbook_digest(target)
        if per_opd:  # the folder of per-OPD workbooks the rekap links to, named after their content
            folders = sorted(target.parent.glob(f"{target.stem}-opd-*"))
            rec["opd_folder"] = [p.name for p in folders]
            rec["opd"] = folder_digest(folders[0]) if folders else {}
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


def main() -> None:
    sys.path.insert(0, str(ROOT))  # run as a script: the pipeline under test is this checkout
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help=f"write {GOLDEN.relative_to(ROOT)}")
    ap.add_argument("--python", default=sys.executable, help="interpreter with the pipeline to run")
    ap.add_argument("--out", type=Path, help="write the records here instead")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        got = cases(Path(tmp), args.python)
    target = GOLDEN if args.write else args.out
    if target is None:
        print(json.dumps(got, indent=1, sort_keys=True))
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
