"""What users get stays what it was: every golden case (tests/golden.py) gives the recorded output.

A failure names the case and what differs: for the digests, the zip parts; for the dumps of what the
user sees (tests/golden/dumps/), the first lines of a unified diff, each hunk headed by its workbook and
sheet. When the change of output is on purpose, refresh the record with ``python tests/golden.py --write``
and say so in the commit.
"""

from __future__ import annotations

import difflib
import json
import re

import pytest

from tests import golden

HINT = "refresh with `python tests/golden.py --write` if the change is on purpose"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], dict[str, str]]:
    """Every golden case, run once: (case name -> record, dump file name -> dump)."""
    dumps: dict[str, str] = {}
    return golden.cases(tmp_path_factory.mktemp("golden"), dumps=dumps), dumps


@pytest.fixture(scope="module")
def outputs(run: tuple[dict[str, dict], dict[str, str]]) -> dict[str, dict]:
    return run[0]


RECORDED = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
STORED = sorted(set(golden.DUMP_FILES) | {p.name for p in golden.DUMPS.glob("*.txt")})


def dump_diff(want: str, got: str, name: str, limit: int = 40) -> list[str]:
    """The first ``limit`` lines of a unified diff of two dumps, each hunk headed by its workbook and sheet."""
    old = want.splitlines()
    lines = []
    for line in difflib.unified_diff(old, got.splitlines(), f"stored/{name}", f"now/{name}", n=2, lineterm=""):
        if (hunk := re.match(r"@@ -(\d+)", line)) is not None:
            above = old[:max(int(hunk.group(1)), 1)]
            book = next((h for h in reversed(above) if h.startswith("# ")), "")
            sheet = next((h for h in reversed(above) if h.startswith("== ")), "")
            line = f"{line} {book} {sheet}".rstrip()
        lines.append(line)
    more = len(lines) - limit
    return lines[:limit] + ([f"... {more} more diff lines"] if more > 0 else [])


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_golden_case(case: str, outputs: dict[str, dict]) -> None:
    want, got = RECORDED[case], outputs[case]
    hint = "refresh with `python tests/golden.py --write` if the change is on purpose"
    assert got["rc"] == want["rc"], f"{case}: exit code {got['rc']} != {want['rc']} ({hint})"
    assert got["stdout"] == want["stdout"], f"{case}: printed lines differ ({hint})"
    assert got["error"] == want["error"], f"{case}: error line differs ({hint})"
    assert got.get("opd_folder") == want.get("opd_folder"), f"{case}: per-OPD folder differs ({hint})"
    for key in ("workbook", "opd"):
        if key in want:
            changed = sorted(k for k in set(want[key]) | set(got.get(key, {})) if want[key].get(k) != got[key].get(k))
            assert not changed, f"{case}: {key} parts differ: {changed[:8]} ({hint})"


@pytest.mark.parametrize("name", STORED)
def test_golden_dump(name: str, run: tuple[dict[str, dict], dict[str, str]]) -> None:
    """What the user sees in each workbook of the sample cases is the stored dump, line for line."""
    stored, got = golden.DUMPS / name, run[1].get(name)
    if not stored.exists() or got is None:
        pytest.fail(f"{name}: {'no stored dump' if got is not None else 'no case writes this workbook'} ({HINT})",
                    pytrace=False)
    want = stored.read_text(encoding="utf-8")
    if got != want:
        diff = "\n".join(dump_diff(want, got, name))
        pytest.fail(f"{name}: what the user sees differs ({HINT}):\n{diff}", pytrace=False)


def test_plain_twins_write_what_the_accelerators_write(outputs: dict[str, dict]) -> None:
    """The 200-file set with faults merged with every accelerator off (SPBE_PLAIN=1: the strict tree reader,
    every cell and every per-OPD workbook through xlsxwriter) gives the same output, in the same run."""
    fast, plain = outputs["gen200"], outputs["gen200-plain"]
    assert plain["rc"] == fast["rc"] and plain["error"] == fast["error"]
    assert [line.replace("gen200-plain", "gen200") for line in plain["stdout"]] == fast["stdout"]
    assert plain["workbook"] == fast["workbook"]
    assert plain["opd_folder"] == fast["opd_folder"] and len(plain["opd"]) > 150
    assert plain["opd"] == fast["opd"]
