"""Scoring: exact indices against the regulation's worked examples, bands, ranking, summary and gaps."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.catalog.framework import Framework, band_for, display, load
from pipeline.scoring.gaps import (
    TARGET_INDEX,
    TARGET_LEVELS,
    TARGET_NEXT_BAND,
    TARGET_TOP_BAND,
    Step,
    gap_analysis,
    minimal_plan,
)
from pipeline.scoring.index import (
    SOURCE_MISSING,
    SOURCE_SELF,
    SOURCE_VERIFIED,
    Score,
    domain_from_aspects,
    index_from_domains,
    index_of,
    predikat_of,
    score,
)
from pipeline.scoring.rank import province_summary, rank

FW18 = load("permenpanrb-5-2018")
FW20 = load("permenpanrb-59-2020")
F = Fraction


def ids(fw: Framework) -> list[str]:
    return [i.id for i in fw.indicators]


def vector(fw: Framework, values: list[int]) -> dict[str, int]:
    assert len(values) == len(fw.indicators)
    return dict(zip(ids(fw), values, strict=True))


def uniform(fw: Framework, level: int) -> dict[str, int]:
    return dict.fromkeys(ids(fw), level)


def levels_2020(**by_number: int) -> dict[str, int]:
    """Indicator number -> level, written as i1=3, i2=4 ..."""
    return {k.removeprefix("i"): v for k, v in by_number.items()}


# ---------------------------------------------------------------- §5.1 PermenPANRB 59/2020 Tabel 10-12


def official_example_levels() -> dict[str, int]:
    lv: dict[str, int] = {}
    lv.update({str(n): 4 for n in range(1, 8)})  # D1: seven 4s + three 3s = 37 -> 3.70
    lv.update({str(n): 3 for n in range(8, 11)})
    lv.update({"11": 3, "12": 4, "13": 3, "14": 2})  # A2 (Tabel 10)
    lv.update({str(n): 4 for n in range(15, 19)})  # A3 = 4.00
    lv.update({"19": 3, "20": 3})  # A4 = 3.00
    lv.update({str(n): 3 for n in range(21, 32)})  # D3 = 3.00
    # D4 = (11a + 12b) / 182 with a = sum 32-41, b = sum 42-47: a = 30, b = 21 gives 582/182 ("3.20")
    lv.update({str(n): 3 for n in range(32, 42)})
    lv.update({"42": 4, "43": 4, "44": 4, "45": 3, "46": 3, "47": 3})
    return lv


def test_official_example_aspect_2_is_exactly_3() -> None:
    s = score(FW20, {**uniform(FW20, 1), "11": 3, "12": 4, "13": 3, "14": 2})
    assert s.aspects["A2"] == 3
    assert sum((i.weighted for i in s.indicators if i.aspect == "A2"), F(0)) == 30


def test_official_example_rollup_from_published_domain_values() -> None:
    assert domain_from_aspects(FW20, "D2", {"A2": F(3), "A3": F(4), "A4": F(3)}) == F(34, 10)
    index = index_from_domains(FW20, {"D1": F("3.70"), "D2": F("3.40"), "D3": F(3), "D4": F("3.20")})
    assert index == Fraction(3282, 1000)
    assert display(index) == "3.28"
    assert predikat_of(FW20, index) == "Baik"


def test_official_example_d4_of_exactly_3_20_needs_non_integer_levels() -> None:
    # D4 = (2.75 a + 3 b) / 45.5, a in 10..50, b in 6..30: 3.20 would need 11a + 12b = 582.4.
    d4 = {F(11 * a + 12 * b, 182) for a in range(10, 51) for b in range(6, 31)}
    assert F("3.2") not in d4
    assert F(582, 182) in d4 and display(F(582, 182)) == "3.20"


def test_official_example_full_vector() -> None:
    s = score(FW20, official_example_levels())
    assert s.complete
    assert s.aspects["A2"] == 3 and s.aspects["A3"] == 4 and s.aspects["A4"] == 3
    assert s.domains["D1"] == F("3.7")
    assert s.domains["D2"] == F("3.4")
    assert s.domains["D3"] == 3
    assert s.domains["D4"] == F(582, 182)
    assert [display(s.domains[d]) for d in ("D1", "D2", "D3", "D4")] == ["3.70", "3.40", "3.00", "3.20"]
    # the regulation's 3.282 uses D4 = 3.20 exactly, which integer levels cannot give; the closest is 3.281
    assert s.index == F(3281, 1000)
    assert s.index == index_from_domains(FW20, s.domains)
    assert display(s.index) == "3.28"
    assert s.predikat == "Baik"


# ---------------------------------------------------------------- §5.2 Kota Denpasar 2018


DENPASAR = [
    *(1, 1, 1, 3, 2, 3, 3),  # A1: 1-7
    *(2, 1, 1, 1, 3, 3, 3, 1, 3, 3),  # A2: 8-17
    *(1, 3),  # A3: 18-19
    *(2, 3),  # A4: 20-21
    *(3, 2, 2),  # A5: 22-24
    *(3, 1, 4, 4, 4, 3, 4),  # A6: 25-31
    *(3, 2, 3, 1, 3, 3),  # A7: 32, 33, 34, 35a, 35b, 35c
]


def test_denpasar_2018() -> None:
    s = score(FW18, vector(FW18, DENPASAR), opd="DPS")
    assert s.aspects == {
        "A1": 2,
        "A2": F("2.1"),
        "A3": 2,
        "A4": F("2.5"),
        "A5": F(7, 3),
        "A6": F(23, 7),
        "A7": F("2.5"),
    }
    assert [display(v) for v in s.aspects.values()] == ["2.00", "2.10", "2.00", "2.50", "2.33", "3.29", "2.50"]
    assert s.domains == {"D1": F(35, 17), "D2": F(64, 28), "D3": 3}
    assert [display(v) for v in s.domains.values()] == ["2.06", "2.29", "3.00"]
    assert s.index == F("2.64")
    assert display(s.index) == "2.64"
    assert s.predikat == "Baik"
    assert s.domain_predikat == {"D1": "Cukup", "D2": "Cukup", "D3": "Baik"}
    assert s.opd == "DPS" and s.complete


# ---------------------------------------------------------------- §5.5 Kab. Aceh Tengah 2025


def aceh_tengah_levels() -> dict[str, int]:
    lv = {str(n): 1 for n in [4, 9, *range(11, 17), *range(21, 32)]}
    lv["3"] = 4
    lv.update({"10": 3, "17": 3, "19": 3, "20": 3})
    lv.update({str(n): 4 for n in [*range(32, 38), *range(39, 43), 45, 46, 47]})
    lv["18"] = 2
    lv["38"] = 2
    lv.update({"43": 3, "44": 3})  # 43 + 44 = 6
    # The doc's check says 1, 2, 5-8 sum to 12, but with 3 = 4, 4 = 1, 9 = 1 and 10 = 3 the published
    # D1 = 2.30 (23/10, the 29.9 in the doc's own index sum) needs them to sum to 14.
    lv.update({"1": 3, "2": 3, "5": 2, "6": 2, "7": 2, "8": 2})
    return lv


def test_aceh_tengah_2025() -> None:
    lv = aceh_tengah_levels()
    assert sorted(lv, key=int) == ids(FW20)
    assert sum(lv[str(n)] for n in (1, 2, 5, 6, 7, 8)) == 14
    s = score(FW20, lv)
    assert s.domains["D1"] == F(23, 10)
    assert s.domains["D2"] == F(17, 10)
    assert s.domains["D3"] == 1
    assert s.domains["D4"] == F(1705, 455)
    assert [display(s.domains[d]) for d in ("D1", "D2", "D3", "D4")] == ["2.30", "1.70", "1.00", "3.75"]
    assert s.index == F("2.594")
    assert display(s.index) == "2.59"
    assert s.predikat == "Cukup"
    assert predikat_of(FW20, s.index, "rounded") == "Cukup"


# ---------------------------------------------------------------- §2.5 bands and display


@pytest.mark.parametrize(
    ("value", "unrounded", "rounded"),
    [
        ("3.4985", "Baik", "Sangat Baik"),  # Kab. Pacitan 2024
        ("2.596", "Cukup", "Baik"),  # Kab. Luwu 2024
        ("2.5985", "Cukup", "Baik"),
        ("1.7975", "Kurang", "Cukup"),  # Kab. Nias Barat
        ("1.795", "Kurang", "Cukup"),
        ("1.7995", "Kurang", "Cukup"),  # Kab. Boven Digoel 2023
        ("1.7949", "Kurang", "Kurang"),
        ("1.8", "Cukup", "Cukup"),
        ("2.6", "Baik", "Baik"),
        ("3.5", "Sangat Baik", "Sangat Baik"),
        ("4.1999", "Sangat Baik", "Memuaskan"),
        ("4.2", "Memuaskan", "Memuaskan"),
        ("5", "Memuaskan", "Memuaskan"),
        ("1", "Kurang", "Kurang"),
    ],
)
@pytest.mark.parametrize("fw", [FW18, FW20], ids=["2018", "2020"])
def test_band_edges(fw: Framework, value: str, unrounded: str, rounded: str) -> None:
    v = F(value)
    assert band_for(fw, v, "unrounded").name == unrounded
    assert band_for(fw, v, "rounded").name == rounded
    assert predikat_of(fw, v) == unrounded  # both catalogs default to the 2024 (unrounded) rule
    assert predikat_of(fw, v, "unrounded") == unrounded
    assert predikat_of(fw, v, "rounded") == rounded


def test_2018_index_below_one_is_kurang() -> None:
    assert predikat_of(FW18, F(0)) == "Kurang"
    assert score(FW18, uniform(FW18, 0)).predikat == "Kurang"


def test_unknown_band_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="band rule 'nearest'"):
        predikat_of(FW20, F(3), "nearest")


@pytest.mark.parametrize(
    ("value", "shown"), [("2.595", "2.60"), ("2.5949", "2.59"), ("2.645", "2.65"), ("3.4985", "3.50"), ("2", "2.00")]
)
def test_display_half_up(value: str, shown: str) -> None:
    assert display(F(value)) == shown


def pacitan_like_levels() -> dict[str, int]:
    """A 2020 vector with exact index 3.4985 (Kab. Pacitan 2024: shown 3.50, labelled Baik)."""
    lv = {str(n): 3 for n in range(1, 11)} | {"1": 4, "2": 4}  # 32 x 1.3 = 41.6
    lv |= {str(n): 2 for n in range(11, 21)} | {"11": 1, "12": 1, "13": 1}  # 17 x 2.5 = 42.5
    lv |= {str(n): 5 for n in range(21, 32)} | {"21": 4, "22": 4}  # 53 x 1.5 = 79.5
    lv |= {str(n): 4 if n < 37 else 3 for n in range(32, 42)}  # 35 x 2.75 = 96.25
    lv |= {str(n): 5 for n in range(42, 48)}  # 30 x 3 = 90
    return lv


def test_score_band_rule_override() -> None:
    s = score(FW20, pacitan_like_levels())
    assert s.index == F("3.4985") and display(s.index) == "3.50"
    assert s.predikat == "Baik" and s.band_rule == "unrounded"
    r = score(FW20, pacitan_like_levels(), band_rule="rounded")
    assert r.predikat == "Sangat Baik" and r.band_rule == "rounded"
    assert r.index == s.index
    assert s.domains == {"D1": F("3.2"), "D2": F("1.7"), "D3": F(53, 11), "D4": F("186.25") / F("45.5")}
    expected = {"D1": "Baik", "D2": "Kurang", "D3": "Memuaskan", "D4": "Sangat Baik"}
    assert r.domain_predikat == s.domain_predikat == expected


# ---------------------------------------------------------------- missing, verified, errors


@pytest.mark.parametrize(("fw", "lowest"), [(FW18, 0), (FW20, 1)], ids=["2018", "2020"])
def test_missing_indicators_are_scored_at_lowest_level(fw: Framework, lowest: int) -> None:
    lv: dict[str, int | None] = dict(uniform(fw, 3))
    first, second = ids(fw)[0], ids(fw)[-1]
    del lv[first]
    lv[second] = None
    s = score(fw, lv, verified={second: None})
    assert not s.complete
    assert s.missing == (first, second)
    assert s.indicator(first).level == lowest and s.indicator(first).source == SOURCE_MISSING
    assert s.indicator(second).level == lowest
    expected = {**uniform(fw, 3), first: lowest, second: lowest}
    assert s.index == index_of(fw, expected)
    assert s.self_index == s.index and s.verified_index is None


def test_empty_submission_scores_lowest() -> None:
    assert score(FW20, {}).index == 1
    assert score(FW18, {}).index == 0
    assert len(score(FW20, {}).missing) == 47


def test_verified_levels_win_and_are_compared() -> None:
    lv = uniform(FW20, 3)
    verified = {"1": 2, "11": 1, "32": 5, "47": 3, "20": None}
    s = score(FW20, lv, verified=verified)
    assert s.indicator("1").level == 2 and s.indicator("1").source == SOURCE_VERIFIED
    assert s.indicator("20").level == 3 and s.indicator("20").source == SOURCE_SELF
    assert s.indicator("47").source == SOURCE_VERIFIED and s.indicator("47").verified_level == 3
    assert s.verified_count == 4
    assert s.adjusted == 3  # 47 was verified at the same level
    assert s.levels_removed == 1 + 2
    assert s.levels_added == 2
    assert s.self_index == 3
    # 100 x index = 300 - 1.3 - 2 x 2.5 + 2 x 2.75
    assert s.index == F("3.0") + (F("-1.3") - 5 + F("5.5")) / 100
    assert s.verified_index == s.index


def test_verified_level_for_missing_self_level() -> None:
    lv = {k: v for k, v in uniform(FW20, 3).items() if k != "5"}
    s = score(FW20, lv, verified={"5": 4})
    assert s.complete and s.missing == ()
    assert s.self_index == index_of(FW20, {**lv, "5": 1})  # self-only: missing -> lowest
    assert s.adjusted == 1 and s.levels_added == 3 and s.levels_removed == 0


@pytest.mark.parametrize(
    ("levels", "verified", "message"),
    [
        ({"1": 6}, None, "self-assessed level for indicator 1: 6 is outside the scale 1..5"),
        ({"1": 0}, None, "outside the scale 1..5"),
        ({"1": 3}, {"2": 9}, "verified level for indicator 2: 9"),
        ({"99": 3}, None, "indicator '99': no such indicator"),
        ({"1": 2.0}, None, "2.0 is not an integer level"),
        ({"1": True}, None, "True is not an integer level"),
    ],
)
def test_invalid_levels_are_programming_errors(levels: dict, verified: dict | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score(FW20, levels, verified)


# ---------------------------------------------------------------- ranking


def named(name: str, code: str, fw: Framework, lv: dict[str, int]) -> tuple[str, Score]:
    return name, score(fw, lv, opd=code)


def test_rank_competition_with_ties_by_name_then_code() -> None:
    base = uniform(FW20, 3)
    high = {**base, "32": 5}  # D4 higher
    tie_a = {**base, "1": 5, "2": 5}  # 2 x 2 x 1.3 = 5.2 on D1 -> index + 0.052
    lower = {**base, "21": 4, "11": 4}  # 1.5 + 2.5 = 4.0 -> index + 0.04
    rows = rank(
        [
            named("dinas kesehatan", "DINKES", FW20, tie_a),
            named("Badan Keuangan", "BPKAD", FW20, base),
            named("Dinas Kesehatan", "DINKES2", FW20, tie_a),
            named("Bappeda", "BAPPEDA", FW20, high),
            named("Inspektorat", "INSP", FW20, lower),
        ]
    )
    indices = {r.opd: r.index for r in rows}
    assert indices == {
        "BAPPEDA": F("3.055"),
        "DINKES": F("3.052"),
        "DINKES2": F("3.052"),
        "INSP": F("3.04"),
        "BPKAD": F(3),
    }
    assert [(r.rank, r.name, r.opd) for r in rows] == [
        (1, "Bappeda", "BAPPEDA"),
        (2, "dinas kesehatan", "DINKES"),  # names equal after casefold: code decides
        (2, "Dinas Kesehatan", "DINKES2"),
        (4, "Inspektorat", "INSP"),
        (5, "Badan Keuangan", "BPKAD"),
    ]


def test_rank_ties_order_by_casefolded_name() -> None:
    lv = uniform(FW18, 2)
    rows = rank([named("dinas B", "X1", FW18, lv), named("Dinas a", "X2", FW18, lv), named("DINAS C", "X0", FW18, lv)])
    assert [(r.rank, r.name) for r in rows] == [(1, "Dinas a"), (1, "dinas B"), (1, "DINAS C")]
    assert [r.domain_ranks for r in rows] == [{"D1": 1, "D2": 1, "D3": 1}] * 3


def test_rank_domain_ranks() -> None:
    base = uniform(FW20, 3)
    rows = rank(
        [
            named("A", "A", FW20, {**base, "1": 5}),  # D1 best
            named("B", "B", FW20, {**base, "32": 5}),  # D4 best, highest index
            named("C", "C", FW20, {**base, "1": 5, "21": 1}),  # D1 tied best, D3 worst
        ]
    )
    assert [(r.rank, r.opd) for r in rows] == [(1, "B"), (2, "A"), (3, "C")]
    by = {r.opd: r.domain_ranks for r in rows}
    assert by["A"] == {"D1": 1, "D2": 1, "D3": 1, "D4": 2}
    assert by["B"] == {"D1": 3, "D2": 1, "D3": 1, "D4": 1}
    assert by["C"] == {"D1": 1, "D2": 1, "D3": 3, "D4": 2}
    assert rows[0].predikat == "Baik" and rows[0].complete and rows[0].score.opd == "B"


def test_rank_empty_and_mixed_frameworks() -> None:
    assert rank([]) == []
    with pytest.raises(ValueError, match="different frameworks"):
        rank([named("A", "A", FW18, {}), named("B", "B", FW20, {})])


# ---------------------------------------------------------------- province summary


def test_province_summary_small_set() -> None:
    a = score(FW20, uniform(FW20, 3), opd="A")  # 3.00 Baik
    b = score(FW20, {**uniform(FW20, 2), "1": 5}, opd="B")  # 2 + 3 x 1.3 / 100 = 2.039 Cukup
    c = score(FW20, {k: 5 for k in ids(FW20) if k != "47"}, opd="C")  # 47 missing -> 1: 5 - 4 x 0.03 = 4.88
    summary = province_summary(FW20, [("A", a), ("B", b), c])
    assert summary.count == 3 and summary.complete_count == 2
    assert b.index == F("2.039") and c.index == F("4.88")
    assert summary.mean_index == (F(3) + F("2.039") + F("4.88")) / 3 == F("9.919") / 3
    assert summary.predikat == "Baik"  # 3.306...
    assert summary.domain_means["D1"] == (3 + (F(2) + F("0.3")) + 5) / F(3)
    assert summary.domain_means["D3"] == F(10, 3)
    assert summary.domain_means["D4"] == (3 + 2 + (5 - F(24, 91))) / F(3)  # C: D4 = (227.5 - 4 x 3) / 45.5
    assert summary.aspect_means["A8"] == (3 + 2 + F(26, 6)) / F(3)
    assert summary.indicator_means["1"] == F(13, 3)
    assert summary.level_distribution["1"] == {1: 0, 2: 0, 3: 1, 4: 0, 5: 2}
    # C did not answer 47: scored at level 1 (the mean counts it, as the index does), not an answer of level 1
    assert summary.level_distribution["47"] == {1: 0, 2: 1, 3: 1, 4: 0, 5: 0} and summary.unanswered["47"] == 1
    assert summary.indicator_means["47"] == F(1 + 2 + 3, 3) and summary.unanswered["1"] == 0
    assert summary.predikat_distribution == {"Kurang": 0, "Cukup": 1, "Baik": 1, "Sangat Baik": 0, "Memuaskan": 1}
    assert list(summary.predikat_distribution) == [b.name for b in FW20.bands]
    assert summary.domain_predikat["D3"] == "Baik"


def test_province_summary_empty() -> None:
    empty = province_summary(FW18, [])
    assert empty.count == 0 and empty.mean_index is None and empty.predikat == ""
    assert empty.domain_means == {} and empty.aspect_means == {}
    assert empty.level_distribution["35c"] == {0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0} and empty.unanswered["35c"] == 0
    assert empty.predikat_distribution == {"Kurang": 0, "Cukup": 0, "Baik": 0, "Sangat Baik": 0, "Memuaskan": 0}


def test_province_summary_band_rule_and_framework_check() -> None:
    lv = pacitan_like_levels()  # 3.4985
    scores = [score(FW20, lv, opd="A"), score(FW20, lv, opd="B")]
    unrounded = province_summary(FW20, scores)
    assert unrounded.mean_index == F("3.4985") and unrounded.predikat == "Baik"
    assert unrounded.predikat_distribution["Baik"] == 2
    rounded = province_summary(FW20, scores, band_rule="rounded")
    assert rounded.predikat == "Sangat Baik" and rounded.band_rule == "rounded"
    assert rounded.predikat_distribution == {"Kurang": 0, "Cukup": 0, "Baik": 0, "Sangat Baik": 2, "Memuaskan": 0}
    with pytest.raises(ValueError, match="computed with permenpanrb-5-2018"):
        province_summary(FW20, [score(FW18, {})])


# ---------------------------------------------------------------- gap analysis


def test_gap_default_target_is_next_band_lower_bound() -> None:
    s = score(FW18, vector(FW18, DENPASAR), opd="DPS")  # 2.64 Baik
    g = gap_analysis(FW18, s)
    assert g.target_source == TARGET_NEXT_BAND
    assert g.current_predikat == "Baik" and g.target_predikat == "Sangat Baik"
    assert g.target_index == F("3.5") and g.shortfall == F("0.86")
    # A6 steps gain 0.05 each (12 available = 0.60), then A3-A5 steps gain 0.04 each (7 more = 0.28)
    assert g.plan[:7] == (
        Step("25", 2, F("0.1")),
        Step("26", 4, F("0.2")),
        Step("27", 1, F("0.05")),
        Step("28", 1, F("0.05")),
        Step("29", 1, F("0.05")),
        Step("30", 2, F("0.1")),
        Step("31", 1, F("0.05")),
    )
    assert g.steps_needed == 19 and g.reachable
    assert sum((st.gain for st in g.plan), F(0)) >= g.shortfall
    assert g.planned_index >= g.target_index
    row = {r.indicator: r for r in g.rows}
    assert row["26"].current == 1 and row["26"].target == 5 and row["26"].gap == 4
    assert row["26"].step_gain == F(1, 20) and row["26"].weight == 5
    assert row["26"].next_criteria == FW18.indicator("26").criteria(2) != ""
    assert row["1"].gap == 0 and row["1"].target == row["1"].current
    assert row["35a"].step_gain == F(1, 30)
    # priorities: largest gain first (A6 weight 5), then catalog order; nobody is at level 5 here
    assert [r.indicator for r in g.priorities][:8] == ["25", "26", "27", "28", "29", "30", "31", "18"]
    assert [r.priority for r in g.priorities] == list(range(1, 38))
    assert g.total_gap == g.steps_needed


def test_gap_rows_at_maximum() -> None:
    lv = {**uniform(FW20, 2), "42": 5, "1": 5}
    g = gap_analysis(FW20, score(FW20, lv))
    row = {r.indicator: r for r in g.rows}
    assert row["42"].priority is None and row["42"].step_gain == 0 and row["42"].next_criteria == ""
    assert row["43"].priority == 1 and row["43"].step_gain == F("0.03")
    assert row["1"].priority is None
    assert len(g.priorities) == 45


def test_gap_at_top_band_target_is_current_index() -> None:
    s = score(FW20, uniform(FW20, 5))
    g = gap_analysis(FW20, s)
    assert g.target_source == TARGET_TOP_BAND and g.target_index == s.index == 5
    assert g.steps_needed == 0 and g.plan == () and g.reachable
    assert all(r.gap == 0 and r.priority is None for r in g.rows)
    s2 = score(FW20, {**uniform(FW20, 4), **{str(n): 5 for n in range(32, 48)}})  # 4.455 Memuaskan
    g2 = gap_analysis(FW20, s2)
    assert g2.target_source == TARGET_TOP_BAND and g2.shortfall == 0 and g2.total_gap == 0
    assert g2.priorities[0].indicator == "11"  # can still rise: largest gain 2.5 among 1-31


def test_gap_uses_band_rule_of_the_score() -> None:
    lv = pacitan_like_levels()  # 3.4985
    assert gap_analysis(FW20, score(FW20, lv)).target_index == F("3.5")
    rounded = gap_analysis(FW20, score(FW20, lv, band_rule="rounded"))
    assert rounded.current_predikat == "Sangat Baik" and rounded.target_index == F("4.2")


def test_gap_explicit_target_index() -> None:
    s = score(FW20, uniform(FW20, 2))
    g = gap_analysis(FW20, s, target_index=F("2.1"))
    assert g.target_source == TARGET_INDEX
    # 0.1 needs 4 steps of 0.03 (42-47 weight 3): 0.12 >= 0.1, 3 steps give only 0.09
    assert g.steps_needed == 4 and g.plan == (Step("42", 3, F("0.09")), Step("43", 1, F("0.03")))
    assert {r.indicator: r.target for r in g.rows if r.gap} == {"42": 5, "43": 3}
    already = gap_analysis(FW20, s, target_index=F("1.5"))
    assert already.steps_needed == 0 and already.reachable and already.shortfall == 0


def test_gap_unreachable_target() -> None:
    s = score(FW20, uniform(FW20, 2))
    g = gap_analysis(FW20, s, target_index=F("5.01"))
    assert not g.reachable and g.steps_needed is None and g.plan == ()
    assert g.max_index == 5
    assert all(r.gap == 0 for r in g.rows)
    g5 = gap_analysis(FW20, s, target_index=F(5))
    assert g5.reachable and g5.steps_needed == 47 * 3 and g5.planned_index == 5


def test_gap_target_levels() -> None:
    s = score(FW18, vector(FW18, DENPASAR))
    g = gap_analysis(FW18, s, target_levels={"1": 3, "26": 4, "27": 2})  # 27 is at 4 already: stays
    assert g.target_source == TARGET_LEVELS
    row = {r.indicator: r for r in g.rows}
    assert (row["1"].target, row["1"].gap) == (3, 2)
    assert (row["26"].target, row["26"].gap) == (4, 3)
    assert (row["27"].target, row["27"].gap) == (4, 0)
    assert row["2"].gap == 0
    # 2 x 1 + 3 x 5 = 17 -> +0.17
    assert g.target_index == g.planned_index == F("2.81")
    assert g.total_gap == 5
    assert g.steps_needed == 4  # the minimal plan reaches +0.17 with four 0.05 steps
    with pytest.raises(ValueError, match="target level for indicator 26: 6"):
        gap_analysis(FW18, s, target_levels={"26": 6})
    with pytest.raises(ValueError, match="'36'"):
        gap_analysis(FW18, s, target_levels={"36": 1})


def test_gap_target_levels_with_target_index() -> None:
    s = score(FW20, uniform(FW20, 2))
    g = gap_analysis(FW20, s, target_index=F("2.5"), target_levels={"1": 3})
    assert g.target_source == TARGET_INDEX and g.target_index == F("2.5")
    assert g.planned_index == F("2.013") and g.total_gap == 1
    assert g.steps_needed == 17  # 0.5 / 0.03 -> 17 steps


def _dp_min_steps(fw: Framework, current: dict[str, int], shortfall: Fraction) -> int | None:
    """Exact minimum by bounded knapsack: best[k] = largest gain of exactly k single-level steps."""
    if shortfall <= 0:
        return 0
    best: dict[int, Fraction] = {0: F(0)}
    for ind in fw.indicators:
        room = fw.level_max - current[ind.id]
        nxt = dict(best)
        for k, g in best.items():
            for t in range(1, room + 1):
                cand = g + t * ind.weight / 100
                if cand > nxt.get(k + t, F(-1)):
                    nxt[k + t] = cand
        best = nxt
    reach = [k for k, g in best.items() if g >= shortfall]
    return min(reach) if reach else None


levels18 = st.lists(st.integers(0, 5), min_size=37, max_size=37)
target_index = st.integers(0, 5200).map(lambda n: F(n, 1000))


@settings(max_examples=60, deadline=None)
@given(levels18, target_index)
def test_minimal_steps_equal_knapsack(values: list[int], target: Fraction) -> None:
    lv = vector(FW18, values)
    s = score(FW18, lv)
    g = gap_analysis(FW18, s, target_index=target)
    expected = _dp_min_steps(FW18, lv, target - s.index)
    assert g.steps_needed == expected
    assert g.reachable == (expected is not None)
    if g.reachable:
        assert g.planned_index >= target
        assert all(lv[r.indicator] + r.gap <= 5 for r in g.rows)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=4, max_size=4),
    st.sampled_from([("1", "18", "25", "32"), ("8", "20", "35c", "31"), ("22", "23", "35a", "35b")]),
    st.integers(0, 600).map(lambda n: F(n, 1000)),
)
def test_minimal_steps_equal_enumeration(free: list[int], chosen: tuple[str, ...], extra: Fraction) -> None:
    """Only four indicators can rise: enumerate every combination of raises."""
    lv = {**uniform(FW18, 5), **dict(zip(chosen, free, strict=True))}
    s = score(FW18, lv)
    target = s.index + extra
    best = None
    for raises in itertools.product(*(range(6 - lv[i]) for i in chosen)):
        gain = sum((r * FW18.indicator(i).weight / 100 for r, i in zip(raises, chosen, strict=True)), F(0))
        if gain >= extra and (best is None or sum(raises) < best):
            best = sum(raises)
    assert gap_analysis(FW18, s, target_index=target).steps_needed == best
    plan = minimal_plan(FW18, lv, extra)
    assert (plan is None) == (best is None)


# ---------------------------------------------------------------- properties on both catalogs


def level_vectors(fw: Framework) -> st.SearchStrategy[dict[str, int]]:
    n = len(fw.indicators)
    return st.lists(st.integers(fw.level_min, fw.level_max), min_size=n, max_size=n).map(lambda v: vector(fw, v))


@pytest.mark.parametrize("fw", [FW18, FW20], ids=["2018", "2020"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_properties(fw: Framework, data: st.DataObject) -> None:
    lv = data.draw(level_vectors(fw))
    s = score(fw, lv)
    # equals the single sum, exactly
    assert s.index == sum((lv[i.id] * i.weight for i in fw.indicators), F(0)) / 100
    assert isinstance(s.index, Fraction)
    # within the scale
    assert fw.level_min <= s.index <= fw.level_max
    for v in [*s.aspects.values(), *s.domains.values()]:
        assert fw.level_min <= v <= fw.level_max
    # the regulation's three-step roll-up equals the single sum
    for a in fw.aspects:
        assert s.aspects[a.id] == sum((lv[i.id] * i.weight for i in fw.indicators_of(a.id)), F(0)) / a.weight
    for d in fw.domains:
        assert s.domains[d.id] == domain_from_aspects(fw, d.id, s.aspects)
    assert index_from_domains(fw, s.domains) == s.index
    # monotone: raising any one level never lowers the index (it rises by exactly weight / 100)
    k = data.draw(st.sampled_from(ids(fw)))
    if lv[k] < fw.level_max:
        up = score(fw, {**lv, k: lv[k] + 1})
        assert up.index >= s.index
        assert up.index - s.index == fw.indicator(k).weight / 100
    # predikat is the band of the exact index
    assert s.predikat == band_for(fw, s.index).name
