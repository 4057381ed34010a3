"""Framework catalogs: loading, exact weights, and one-sentence errors for broken catalogs."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from pipeline.catalog import framework as fwmod
from pipeline.errors import CatalogError


def raw(fid: str = "permenpanrb-5-2018") -> dict:
    return json.loads((fwmod.CATALOG_DIR / f"{fid}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("fid,n_ind,lo,domains", [("permenpanrb-5-2018", 37, 0, 3), ("permenpanrb-59-2020", 47, 1, 4)])
def test_catalogs_load(fid: str, n_ind: int, lo: int, domains: int) -> None:
    fw = fwmod.load(fid)
    assert len(fw.indicators) == n_ind and len(fw.domains) == domains
    assert fw.level_min == lo and fw.level_max == 5
    assert sum(i.weight for i in fw.indicators) == 100
    for ind in fw.indicators:
        assert [lv for lv, _ in ind.levels] == list(fw.levels)
        assert all(text.strip() for _, text in ind.levels)
        assert ind.question


def test_default_is_2018_and_listing() -> None:
    assert fwmod.DEFAULT_FRAMEWORK == "permenpanrb-5-2018"
    assert fwmod.load().id == "permenpanrb-5-2018"
    assert fwmod.available() == ["permenpanrb-5-2018", "permenpanrb-59-2020"]


def test_2018_weights_exact() -> None:
    fw = fwmod.load("permenpanrb-5-2018")
    for iid in ("32", "33", "34", "35a", "35b", "35c"):
        assert fw.indicator(iid).weight == Fraction(20, 6)
    assert sum(i.weight for i in fw.indicators_of("A7")) == 20
    assert [d.weight for d in fw.domains] == [17, 28, 55]
    assert [fw.indicator(i).service_slot for i in ("35a", "35b", "35c")] == [1, 2, 3]


def test_2020_weights_exact() -> None:
    fw = fwmod.load("permenpanrb-59-2020")
    assert [d.weight for d in fw.domains] == [13, 25, Fraction(33, 2), Fraction(91, 2)]
    assert fw.indicator("1").weight == Fraction(13, 10)
    assert fw.indicator("32").weight == Fraction(11, 4)
    assert fw.level_name("service", 5) == "Optimum"


def test_bands_and_services() -> None:
    fw = fwmod.load("permenpanrb-59-2020")
    assert [b.name for b in fw.bands] == ["Kurang", "Cukup", "Baik", "Sangat Baik", "Memuaskan"]
    assert fw.bands[0].min == 1 and fw.bands[-1].max == 5
    assert fw.service_of("45").key == "layanan-publik"
    assert fw.band_rule == "unrounded"


def _broken(mutate) -> str:
    data = copy.deepcopy(raw())
    mutate(data)
    with pytest.raises(CatalogError) as exc:
        fwmod.parse_catalog(data)
    return str(exc.value)


def _ind(data: dict, iid: str) -> dict:
    return next(i for i in data["indicators"] if i["id"] == iid)


def test_float_weight_rejected() -> None:
    msg = _broken(lambda d: _ind(d, "32").__setitem__("weight", 3.3333))
    assert msg.startswith("indicator 32: weight 3.3333 must be written as an exact string")


def test_rounded_weight_does_not_sum() -> None:
    msg = _broken(lambda d: [_ind(d, i).__setitem__("weight", "3.33") for i in ("32", "33", "34", "35a", "35b", "35c")])
    assert msg == "aspect A7: indicator weights sum to 999/50, not the aspect weight 20."


def test_domain_weights_must_match_aspects() -> None:
    msg = _broken(lambda d: d["domains"][0].__setitem__("weight", "18"))
    assert msg == "domain D1: aspect weights sum to 17, not the domain weight 18."


def test_total_must_be_100() -> None:
    def mutate(d: dict) -> None:
        d["domains"][0]["weight"] = "18"
        d["aspects"][0]["weight"] = "8"
        _ind(d, "1")["weight"] = "2"

    assert _broken(mutate) == "catalog permenpanrb-5-2018: domain weights sum to 101, not 100."


def test_duplicate_id() -> None:
    assert _broken(lambda d: _ind(d, "2").__setitem__("id", "1")) == (
        "catalog permenpanrb-5-2018: indicator id '1' is used twice; ids must be unique.")


def test_missing_level_text() -> None:
    assert _broken(lambda d: _ind(d, "25")["levels"].pop("4")) == "indicator 25: criteria text for level 4 is missing."


def test_bands_not_contiguous() -> None:
    assert _broken(lambda d: d["bands"][1].__setitem__("min", "1.9")) == (
        "band Kurang: ends at 9/5 but band Cukup starts at 19/10; bands must be contiguous.")


def test_bands_must_cover_scale() -> None:
    assert _broken(lambda d: d["bands"][-1].__setitem__("max", "4.9")).startswith("band Memuaskan: ends at 49/10")
    assert _broken(lambda d: d["bands"][0].__setitem__("min", "1")).startswith("band Kurang: starts at 1")


def test_unknown_aspect_and_band_rule() -> None:
    assert _broken(lambda d: _ind(d, "3").__setitem__("aspect", "A9")) == "indicator 3: aspect 'A9' is not defined."
    assert "band_rule 'round'" in _broken(lambda d: d.__setitem__("band_rule", "round"))


def test_unknown_catalog_id_and_user_file(tmp_path) -> None:
    with pytest.raises(CatalogError, match="framework 'permenpanrb-99' is not known"):
        fwmod.load("permenpanrb-99")
    data = raw("permenpanrb-59-2020")
    data["id"] = "pemda-custom-2027"
    data["band_rule"] = "rounded"
    p = tmp_path / "custom.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    fw = fwmod.load(str(p))
    assert fw.id == "pemda-custom-2027" and fw.band_rule == "rounded"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot be read as JSON"):
        fwmod.load(str(bad))


def test_round_half_up_and_display() -> None:
    assert fwmod.display(Fraction("2.645")) == "2.65"
    assert fwmod.display(Fraction("2.595")) == "2.60"
    assert fwmod.display(Fraction("2.5949")) == "2.59"
    assert fwmod.display(Fraction(64, 28)) == "2.29"


def test_catalogs_match_reference_builder() -> None:
    """The packaged catalogs are what tools/build_catalogs.py makes of the reference YAML (when present)."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    ref = root.parent / "shared" / "reference"
    if not (ref / "framework-2018.yaml").exists():
        pytest.skip("reference folder not beside the checkout")
    pytest.importorskip("yaml")
    spec = importlib.util.spec_from_file_location("build_catalogs", root / "tools" / "build_catalogs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for year, fid in (("2018", "permenpanrb-5-2018"), ("2020", "permenpanrb-59-2020")):
        assert mod.build(ref, year) == raw(fid)


def test_frameworks_command() -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    res = CliRunner().invoke(main, ["frameworks"])
    assert res.exit_code == 0
    assert res.output.startswith("permenpanrb-5-2018 (bawaan/default)\n")
    assert "4 domain, 8 aspek, 47 indikator, level 1-5" in res.output
    res = CliRunner().invoke(main, ["frameworks", "show", "permenpanrb-5-2018"])
    assert res.exit_code == 0
    assert "  A7 Layanan Publik Berbasis Elektronik  [20%] (kapabilitas layanan)" in res.output
    assert "     35a Layanan Publik Instansi Pemerintah  [10/3 ≈ 3,3333%]" in res.output  # the decimal comma of Bahasa Indonesia
    assert "  Baik: 2,6 <= indeks < 3,5" in res.output
    res = CliRunner().invoke(main, ["frameworks", "--lang", "en"])
    assert res.output.startswith("permenpanrb-5-2018 (default)\n") and "4 domains, 8 aspects, 47 indicators" in res.output
    res = CliRunner().invoke(main, ["frameworks", "show", "permenpanrb-5-2018"], env={"SPBE_LANG": "en"})
    assert "     35a Layanan Publik Instansi Pemerintah  [10/3 ≈ 3.3333%]" in res.output  # the catalog's names are data
    assert "  Baik: 2.6 <= index < 3.5" in res.output and "catatan" not in res.output
    res = CliRunner().invoke(main, ["frameworks", "show", "nope"])
    assert res.exit_code == 1 and "Kesalahan: Kerangka 'nope' tidak dikenal" in res.output
