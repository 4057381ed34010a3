"""The regulation's worked examples through the whole pipeline: filled workbooks in, scores out."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

from pipeline import batch
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod
from pipeline.catalog.framework import display
from pipeline.fill import level_choice
from pipeline.intake.read import discover
from pipeline.workers import Workers
from tests.scoring.test_scoring import DENPASAR, FW18, FW20, aceh_tengah_levels, official_example_levels, vector


def scored(folder: Path, framework: str | None = None, inline: bool = True) -> batch.MergeResult:
    """Read (in worker processes unless ``inline``) and score a folder, without writing a workbook."""
    fw = fwmod.load(framework)
    with Workers(inline=inline) as pool:
        subs = batch.read(discover(folder), fw, framework, None, pool)
    return batch.assemble(fw, rostermod.load(), subs)

def _as_dropdown(fw, levels: dict[str, int]) -> dict[str, str]:
    return {i: level_choice(fw, i, lv) for i, lv in levels.items()}


def test_denpasar_2018_through_pipeline(tmp_path: Path, make_submission) -> None:
    levels = vector(FW18, DENPASAR)
    make_submission(tmp_path, opd="DISKOMINFO", levels=_as_dropdown(FW18, levels), replace_levels=True)
    result = scored(tmp_path, inline=False)
    s = result.scores["DISKOMINFO"]
    assert s.complete and s.index == F("2.64") and s.predikat == "Baik"
    assert [display(s.aspects[a]) for a in ("A1", "A2", "A3", "A4", "A5", "A6", "A7")] == [
        "2.00", "2.10", "2.00", "2.50", "2.33", "3.29", "2.50"]
    assert s.aspects["A5"] == F(7, 3) and s.aspects["A6"] == F(23, 7)
    assert [display(s.domains[d]) for d in ("D1", "D2", "D3")] == ["2.06", "2.29", "3.00"]
    assert s.domains["D1"] == F(35, 17) and s.domains["D2"] == F(64, 28)
    assert not [f for f in result.findings if f.code.startswith("level-")]


def test_aceh_tengah_2025_through_pipeline(tmp_path: Path, make_submission) -> None:
    make_submission(tmp_path, opd="BKD", framework="2020", levels=aceh_tengah_levels(), replace_levels=True)
    result = scored(tmp_path, "permenpanrb-59-2020", inline=False)
    s = result.scores["BKD"]
    assert s.index == F("2.594") and display(s.index) == "2.59" and s.predikat == "Cukup"
    assert [display(s.domains[d]) for d in ("D1", "D2", "D3", "D4")] == ["2.30", "1.70", "1.00", "3.75"]


def test_official_example_through_pipeline(tmp_path: Path, make_submission) -> None:
    make_submission(tmp_path, opd="BPKAD", framework="2020", levels=official_example_levels(), replace_levels=True)
    result = scored(tmp_path, "permenpanrb-59-2020", inline=True)
    s = result.scores["BPKAD"]
    assert s.aspects["A2"] == 3 and s.domains["D2"] == F("3.4") and display(s.index) == "3.28"


def test_verified_levels_win_through_pipeline(tmp_path: Path, make_submission) -> None:
    levels = vector(FW18, DENPASAR)
    verified = {"25": 2, "27": 3}  # Diskominfo lowers two service claims (3 -> 2, 4 -> 3)
    make_submission(tmp_path, opd="DISKOMINFO", levels=levels, verified=verified, replace_levels=True)
    result = scored(tmp_path, inline=True)
    s = result.scores["DISKOMINFO"]
    assert s.self_index == F("2.64")
    assert s.index == F("2.64") - F(5, 100) - F(5, 100)
    assert s.adjusted == 2 and s.levels_removed == 2 and s.levels_added == 0


def test_incomplete_scored_at_lowest_level(tmp_path: Path, make_submission) -> None:
    levels = {**vector(FW20, [3] * 47), "45": "lima", "46": None}
    make_submission(tmp_path, opd="BKD", framework="2020", levels=levels, replace_levels=True)
    result = scored(tmp_path, "permenpanrb-59-2020", inline=True)
    s = result.scores["BKD"]
    assert not s.complete and s.missing == ("45", "46")
    assert s.index == F(3) - 2 * 2 * F(3, 100)  # two indicators at 1 instead of 3, weight 3.00 each
