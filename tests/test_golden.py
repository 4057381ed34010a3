"""What users get stays what it was: every golden case (tests/golden.py) gives the recorded output.

A failure names the case and what differs. When the change of output is on purpose, refresh the
record with ``python tests/golden.py --write`` and say so in the commit.
"""

from __future__ import annotations

import json

import pytest

from tests import golden


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return golden.cases(tmp_path_factory.mktemp("golden"))


RECORDED = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))


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


def test_plain_twins_write_what_the_accelerators_write(outputs: dict[str, dict]) -> None:
    """The 200-file set with faults merged with every accelerator off (SPBE_PLAIN=1: the strict tree reader,
    every cell and every per-OPD workbook through xlsxwriter) gives the same output, in the same run."""
    fast, plain = outputs["gen200"], outputs["gen200-plain"]
    assert plain["rc"] == fast["rc"] and plain["error"] == fast["error"]
    assert [line.replace("gen200-plain", "gen200") for line in plain["stdout"]] == fast["stdout"]
    assert plain["workbook"] == fast["workbook"]
    assert plain["opd_folder"] == fast["opd_folder"] and len(plain["opd"]) > 150
    assert plain["opd"] == fast["opd"]
