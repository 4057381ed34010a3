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
