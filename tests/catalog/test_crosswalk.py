"""Crosswalks between catalogs (data beside the catalogs), and the roster's kode_lama column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.catalog import crosswalk
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod
from pipeline.errors import CatalogError


def test_the_shipped_2018_2020_crosswalk_is_the_overlap_table() -> None:
    """spbe-framework.md section 6: 2020 indicators 32-37, 1, 4, 5 continue 2018 indicators 27, 28, 29, 31, 26, 25,
    3, 6, 5; nothing else compares."""
    fw2020 = fwmod.load("permenpanrb-59-2020")
    pairs = crosswalk.between("permenpanrb-5-2018", fw2020)
    assert pairs == {"32": ("27",), "33": ("28",), "34": ("29",), "35": ("31",), "36": ("26",), "37": ("25",),
                     "1": ("3",), "4": ("6",), "5": ("5",)}
    assert crosswalk.between("permenpanrb-59-2020", fwmod.load("permenpanrb-5-2018")) == {}  # no way back
    assert crosswalk.between(fw2020.id, fw2020) == {i.id: (i.id,) for i in fw2020.indicators}


def test_a_crosswalk_is_not_a_catalog() -> None:
    assert fwmod.available() == ["permenpanrb-5-2018", "permenpanrb-59-2020"]


@pytest.mark.parametrize("change,why", [
    (lambda d: d.update({"to": "permenpanrb-2026"}), "to: 'permenpanrb-2026'"),
    (lambda d: d["indicators"].update({"99": ["3"]}), "99: ['3']"),
    (lambda d: d["indicators"].update({"32": ["35"]}), "32: ['35']"),  # 2018 has 35a-35c, not 35
    (lambda d: d["indicators"].update({"32": "27"}), "32: '27'"),
    (lambda d: d.pop("indicators"), "indicators"),
])
def test_a_bad_crosswalk_names_the_entry(change: object, why: str) -> None:
    data = json.loads((fwmod.CATALOG_DIR / "crosswalk-2018-2020.json").read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(CatalogError) as err:
        crosswalk.parse(data, "x.json")
    assert err.value.message("en").startswith(f"crosswalk file x.json is invalid ({why})")


def test_roster_kode_lama_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('kode,nama,jenis,alias,kode_lama\nDISPARPORA,"Dinas Pariwisata, Pemuda dan Olahraga",dinas,'
                    ',DISPAR; DISPORA\nBKD,Badan Kepegawaian Daerah,badan,,\n', encoding="utf-8")
    ros = rostermod.load(str(path))
    assert ros.by_code("DISPARPORA").former == ("DISPAR", "DISPORA") and ros.by_code("BKD").former == ()
    assert [o.code for o in ros.successors("DISPORA")] == ["DISPARPORA"]
    assert rostermod.load().by_code("BKD").former == ()  # a roster without the column: no earlier codes
