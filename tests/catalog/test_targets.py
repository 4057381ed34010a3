"""The targets file: forms, merging per OPD over the defaults, errors that name the entry (both languages)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pipeline.catalog.framework import load
from pipeline.catalog.targets import parse as load_targets
from pipeline.errors import CatalogError
from pipeline.scoring.gaps import gap_analysis
from pipeline.scoring.index import score
from tests.scoring.test_scoring import DENPASAR, vector

FW18 = load("permenpanrb-5-2018")
F = Fraction


def test_load_targets_forms() -> None:
    t = load_targets(
        {"index": "3.5", "levels": {"25": 3, 26: "4"}, "opd": {"BPKAD": {"index": "3,0"}, "DISKOMINFO": {}}},
        FW18,
    )
    assert t.default.index == F("3.5") and t.default.levels == {"25": 3, "26": 4}
    assert t.for_opd("BPKAD").index == F(3)
    assert t.for_opd("BPKAD").levels == {"25": 3, "26": 4}
    assert t.for_opd("DISKOMINFO").index == F("3.5")
    assert t.for_opd("OTHER") == t.default
    per = load_targets({"opd": {"DINKES": {"levels": {"1": 2}}}})
    assert per.default.empty and per.for_opd("DINKES").levels == {"1": 2} and per.for_opd("DINKES").index is None
    assert load_targets({"index": 2.75}).default.index == F(11, 4)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"index": "tiga"}, r"targets file t\.json: index: 'tiga' is not a number"),
        ({"index": "6"}, r"targets file t\.json: index: '6' is outside the scale 0\.\.5"),
        ({"levels": {"25": 7}}, r"targets file t\.json: levels\.25: level 7 is outside the scale"),
        ({"levels": {"25": "2.5"}}, r"levels\.25: level '2\.5' is not a whole number"),
        ({"levels": {"99": 3}}, r"levels\.99: indicator '99' is not in permenpanrb-5-2018"),
        ({"opd": {"BPKAD": {"levels": {"36": 1}}}}, r"opd\.BPKAD\.levels\.36: indicator '36'"),
        ({"opd": {"BPKAD": {"index": "x"}}}, r"opd\.BPKAD\.index: 'x' is not a number"),
        ({"opd": {"BPKAD": "3.0"}}, r"targets file t\.json: opd\.BPKAD: expected a mapping"),
        ({"indeks": "3"}, r"targets file t\.json: indeks: unknown key"),
        ({"levels": {"25": True}}, r"levels\.25: True is not a number"),
        ({"index": "-1"}, r"must not be negative"),
        ({"levels": [3]}, r"targets file t\.json: levels: expected a mapping"),
    ],
)
def test_load_targets_errors_name_the_entry(data: dict, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        load_targets(data, FW18, "t.json")


def test_targets_feed_gap_analysis() -> None:
    t = load_targets({"opd": {"DPS": {"index": "3.0", "levels": {"26": 2}}}}, FW18).for_opd("DPS")
    s = score(FW18, vector(FW18, DENPASAR), opd="DPS")
    g = gap_analysis(FW18, s, target_index=t.index, target_levels=t.levels)
    assert g.target_index == 3 and g.steps_needed == 8  # 0.36 / 0.05 -> 8 steps (0.40)


@pytest.mark.parametrize("default_index", [None, "3.5"])
@pytest.mark.parametrize("default_levels", [None, {"25": 3}])
@pytest.mark.parametrize("own", [None, {}, {"index": "4.2"}, {"levels": {"26": 4}}, {"index": "4.2", "levels": {"25": 5}}])
def test_an_opd_entry_is_merged_over_the_defaults(default_index, default_levels, own) -> None:
    """Every combination: the OPD's keys over the file's defaults over the built-in rule (next band)."""
    data: dict = {}
    if default_index:
        data["index"] = default_index
    if default_levels:
        data["levels"] = default_levels
    if own is not None:
        data["opd"] = {"BPKAD": own}
    t = load_targets(data, FW18).for_opd("BPKAD")
    own = own or {}
    index = own.get("index", default_index)
    assert t.index == (F(index) if index else None)
    assert t.levels == {**(default_levels or {}), **{k: int(v) for k, v in own.get("levels", {}).items()}}
    s = score(FW18, vector(FW18, DENPASAR), opd="BPKAD")
    g = gap_analysis(FW18, s, target_index=t.index, target_levels=t.levels or None)
    expected = F(index) if index else None
    if expected is not None:
        assert (g.target_index, g.target_source) == (expected, "index")
    elif t.levels:
        assert g.target_source == "levels"
    else:
        assert (g.target_index, g.target_source) == (F("3.5"), "next-band")  # Denpasar 2.64 is Baik: next band 3.5
