"""The roster's e-mail column: addresses and domains that tie a sender to an OPD."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.catalog import roster as rostermod
from pipeline.errors import CatalogError


def _roster(tmp_path: Path, text: str) -> rostermod.Roster:
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    rostermod.load.cache_clear()
    return rostermod.load(str(path))


def test_senders_by_address_then_domain(tmp_path: Path) -> None:
    r = _roster(tmp_path, "kode,nama,email\nBKD,Badan Kepegawaian,bkd.example.go.id;kepala@mail.example\n"
                          "DINKES,Dinas Kesehatan,@dinkes.example.go.id\nLAIN,Tanpa Alamat,\n")
    assert r.by_sender("SPBE@bkd.example.go.id").code == "BKD"
    assert r.by_sender("it@sub.bkd.example.go.id").code == "BKD"  # a subdomain belongs to its domain
    assert r.by_sender("kepala@mail.example").code == "BKD"
    assert r.by_sender("lain@mail.example") is None
    assert r.by_sender("x@dinkes.example.go.id").code == "DINKES"
    assert r.by_sender("") is None


def test_an_address_of_two_opds_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as err:
        _roster(tmp_path, "kode,nama,email\nA,Satu,mail.example\nB,Dua,MAIL.example\n")
    assert "mail.example" in err.value.message("en") and "A and B" in err.value.message("en")


def test_the_packaged_roster_lists_a_domain_per_opd() -> None:
    rostermod.load.cache_clear()
    r = rostermod.load()
    assert all(o.emails for o in r.opds)
    assert r.by_sender("spbe@bkd.kaltaraprov.example").code == "BKD"
