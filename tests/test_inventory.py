"""Inventory analysis (pipeline.inventory) and the inventory sheets of the report."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pipeline import inventory as inv
from pipeline import report
from pipeline.catalog import plan as planmod
from pipeline.model import Infrastructure, ServerCount
from tests.batchfactory import app, apps, assemble, framework, standard_batch, submission


@pytest.fixture(scope="module")
def result():
    return standard_batch()


@pytest.fixture(scope="module")
def iv(result) -> inv.Inventory:
    return inv.analyse(result.framework, result.kept, planmod.load(), result.year)


@pytest.mark.parametrize(("a", "b"), [
    ("Aplikasi SRIKANDI", "Srikandi"), ("S.I.M.P.E.G.", "SIMPEG"), ("e-Kinerja", "Aplikasi E Kinerja"),
    ("Sistem Informasi Kepegawaian", "Aplikasi Kepegawaian"), ("SIPD-RI", "sipd ri"), ("Éoffice", "eoffice"),
])
def test_name_variants_match(a: str, b: str) -> None:
    assert inv.name_key(a) == inv.name_key(b)


@pytest.mark.parametrize(("a", "b"), [("SIMPEG", "SIMPEG BPBD"), ("E-Office Kaltara", "Sistem E-Office"),
                                      ("Aplikasi", "Sistem")])
def test_different_names_do_not_match(a: str, b: str) -> None:
    assert inv.name_key(a) != inv.name_key(b)


def test_url_key() -> None:
    assert inv.url_key("https://www.eOffice.kaltaraprov.go.id/") == "eoffice.kaltaraprov.go.id"
    assert inv.url_key("http://eoffice.kaltaraprov.go.id") == "eoffice.kaltaraprov.go.id"
    assert inv.url_key("eoffice.kaltaraprov.go.id/surat/?x=1#top") == "eoffice.kaltaraprov.go.id/surat"
    assert inv.url_key("  ") == ""


def test_shared_applications_by_name_and_by_url(iv: inv.Inventory) -> None:
    shared = {g.label: (g.opds, g.by_name, g.by_url) for g in iv.shared}
    assert shared == {
        "Aplikasi SRIKANDI": (("BPKAD", "DISKOMINFO"), True, False),
        "E-Office Kaltara": (("BPKAD", "DISKOMINFO"), False, True),  # different names, same URL
        "S.I.M.P.E.G.": (("BAPPEDA", "BKD"), True, False),
    }
    eoffice = next(g for g in iv.shared if g.by_url)
    assert eoffice.names == ("E-Office Kaltara", "Sistem E-Office")


def test_transitive_grouping_and_single_opd_not_shared() -> None:
    fw = framework()
    a = submission(fw, "BKD", applications=apps(app("Portal A", url="a.go.id", fw=fw), app("Portal A", fw=fw)))
    b = submission(fw, "BPKAD", applications=apps(app("Portal Baru", url="https://a.go.id/", fw=fw)))
    c = submission(fw, "BPBD", applications=apps(app("portal baru", fw=fw)))
    groups = inv.group_applications(inv.entries_of([a, b, c]))
    assert len(groups) == 1 and groups[0].opds == ("BKD", "BPBD", "BPKAD")
    alone = inv.group_applications(inv.entries_of([a]))
    assert len(alone) == 1 and not alone[0].shared


def test_functions_served_by_several_apps(iv: inv.Inventory) -> None:
    spread = {s.function: sorted(g.label for g in s.groups) for s in iv.spread}
    # kepegawaian: S.I.M.P.E.G. (BAPPEDA, BKD) and SIMPEG BPBD; naskah-dinas: Srikandi and E-Office groups
    assert spread == {"naskah-dinas": ["Aplikasi SRIKANDI", "E-Office Kaltara"],
                      "kepegawaian": ["S.I.M.P.E.G.", "SIMPEG BPBD"]}
    # the inactive "+1" (kinerja) does not count: kinerja has only e-Kinerja active
    assert "kinerja" not in spread


def test_hosting_counts_outside_and_rooms(iv: inv.Inventory) -> None:
    assert iv.apps_by_location == {"": 1, "cloud": 3, "kementerian": 1, "lainnya: server pribadi": 1, "pdn": 2,
                                   "pusat-data-pemprov": 1, "ruang-server-opd": 5, "vendor-luar-provinsi": 3}
    # Server sheet rows (DISKOMINFO, BPKAD) and the previous version's counts (BKD, BAPENDA) alike
    assert iv.servers_by_location == {"cloud": 2, "pdn": 2, "pusat-data-pemprov": 1, "ruang-server-opd": 8}
    assert iv.by_opd["DISKOMINFO"]["pusat-data-pemprov"] == (1, 1)
    assert iv.by_opd["BAPENDA"]["pdn"] == (0, 2)
    assert [(e.opd, e.app.hosting) for e in iv.outside] == [
        ("BAPENDA", "vendor-luar-provinsi"), ("BAPPEDA", "cloud"), ("BKD", "vendor-luar-provinsi"), ("BKD", "cloud"),
        ("BPKAD", "kementerian"), ("DISKOMINFO", "cloud"), ("DISKOMINFO", "lainnya: server pribadi"),
        ("DISKOMINFO", "vendor-luar-provinsi")]
    assert iv.no_server_room == ["BAPPEDA", "BKD"]
    assert [(x.opd, x.site.bandwidth if x.site else None) for x in iv.network] == [
        ("BAPENDA", 300.0), ("BAPPEDA", None), ("BKD", 50.0), ("BPBD", None), ("BPKAD", 100.0), ("DISKOMINFO", 200.0),
        ("DISKOMINFO", 10.0)]


def test_server_room_rows(iv: inv.Inventory) -> None:
    plan = {p.opd: ([a.name for a in p.apps], p.servers, p.apps_total, p.servers_total) for p in iv.room}
    assert plan["BPKAD"] == (["Sistem E-Office", "SIMDA Keuangan"], 3, 4, 3)  # Srikandi at PDN, SIPD at ministry stay
    # DISKOMINFO: SRIKANDI (PDN) and E-Office (Pemprov DC) stay; the inactive "+1" is not counted
    assert plan["DISKOMINFO"] == (["Portal Satu Data", '=HYPERLINK("http://x")', "@x", "-2"], 2, 6, 3)
    assert plan["BAPENDA"] == (["SAMSAT Online"], 4, 1, 6)
    assert sum(len(p[0]) for p in plan.values()) == 12 and sum(p[1] for p in plan.values()) == 10
    # sizes: the Server sheet's, a blank one and every counted server (previous version) at the plan's defaults
    sizes = {p.opd: (p.estimated, p.vcpu, p.ram_gb, p.storage_gb, p.rent) for p in iv.room}
    assert sizes["DISKOMINFO"] == (1, 8 + 4, 16 + 4, 500 + 80, 1_500_000)  # the VPS has no vCPU: 4 by default
    assert sizes["BPKAD"] == (0, 16 + 4 + 2, 32 + 8 + 4, 1000 + 200 + 2000, 0)
    assert sizes["BAPENDA"] == (4, 4 * 4, 4 * 8, 4 * 250, 0) and sizes["BKD"] == (1, 4, 8, 250, 0)


def test_migration_order(iv: inv.Inventory) -> None:
    order = [(m.rank, m.opd, m.app.name, m.public, m.outside, m.shared, m.old_since) for m in iv.order]
    assert order[:4] == [(1, "BKD", "S.I.M.P.E.G.", False, True, 2, None),  # outside and shared
                         (2, "DISKOMINFO", "Portal Satu Data", False, True, 0, 2021),  # outside, its server from 2021
                         (3, "BAPENDA", "SAMSAT Online", False, True, 0, None), (4, "BAPPEDA", "Aplikasi e-Planning",
                                                                                  False, True, 0, None)]
    assert [(m.opd, m.app.name, m.shared, m.old_since) for m in iv.order if not m.outside] == [
        ("BAPPEDA", "SIMPEG", 2, None), ("BPKAD", "Sistem E-Office", 2, None), ("BPKAD", "SIMDA Keuangan", 0, 2019),
        ("DISKOMINFO", "-2", 0, 2015), ("BPBD", "SIMPEG BPBD", 0, None), ("DISKOMINFO", "@x", 0, None)]
    assert [m.rank for m in iv.order] == list(range(1, 13))


def test_public_applications_come_first() -> None:
    fw = framework()
    s = submission(fw, "BKD", applications=apps(app("Intern", hosting="cloud", fw=fw),
                                                app("Publik", hosting="ruang-server-opd", users="Publik / masyarakat",
                                                    fw=fw)))
    assert [m.app.name for m in assemble([s], fw=fw).inventory.order] == ["Publik", "Intern"]


def test_network_checks(iv: inv.Inventory) -> None:
    checks = {(x.opd, x.site.name if x.site else None): (x.need, x.flags) for x in iv.network}
    # need: max(10, users x 0.5 + active applications x 2); DISKOMINFO has 6 active applications
    assert checks[("DISKOMINFO", "Kantor Diskominfo")] == (60 * 0.5 + 6 * 2, ())
    assert checks[("DISKOMINFO", "UPTD Persandian")] == (20 * 0.5 + 6 * 2, ("slow", "outages", "off-network"))
    assert checks[("BPKAD", "Kantor BPKAD")] == (80 * 0.5 + 4 * 2, ())
    assert checks[("BAPPEDA", None)] == (10, ("unknown",))  # no office site given


def test_service_flags(result) -> None:
    services = list(inv.service_rows(result.framework, result.kept, {c: s.levels for c, s in result.scores.items()}))
    rows = {(s.service, s.opd): s for s in services}
    assert rows[("kepegawaian", "BPBD")].flags == (inv.FLAG_LOW_LEVEL,)
    assert rows[("kepegawaian", "BPBD")].apps == ("SIMPEG BPBD",)
    assert rows[("keuangan", "BKD")].flags == (inv.FLAG_NO_APP,)  # level 3, no application
    assert rows[("keuangan", "BPKAD")].flags == () and rows[("keuangan", "BPKAD")].apps == ("SIMDA Keuangan",)
    assert rows[("kinerja", "DISKOMINFO")].apps == ()  # "+1" is inactive
    assert rows[("layanan-publik", "BAPENDA")].levels == (("45", 5), ("46", 5), ("47", 5))
    assert len(services) == len(framework().services) * 6


def test_verified_level_is_used_for_flags() -> None:
    fw = framework()
    levels = {i.id: 3 for i in fw.indicators}
    s = submission(fw, "BKD", levels, verified={"36": 1},
                   applications=apps(app("SIMPEG", "kepegawaian", fw=fw)))
    res = assemble([s], fw=fw)
    rows = {r.service: r for r in inv.service_rows(fw, res.kept, {"BKD": res.scores["BKD"].levels})}
    assert rows["kepegawaian"].levels == (("36", 1),) and rows["kepegawaian"].flags == (inv.FLAG_LOW_LEVEL,)


def test_empty_inventory() -> None:
    fw = framework()
    s = submission(fw, "BKD", infra=Infrastructure(servers=(ServerCount("pdn", 2, ""),)))
    iv = inv.analyse(fw, [s], planmod.load(), 2026)
    assert iv.entries == [] and iv.shared == [] and iv.spread == [] and iv.order == []
    assert [(p.servers, p.servers_total) for p in iv.room] == [(0, 2)]


# ---------------------------------------------------------------- the sheets


@pytest.fixture(scope="module")
def book(result, tmp_path_factory: pytest.TempPathFactory):
    path = report.write(result, tmp_path_factory.mktemp("inv") / "rekap.xlsx").workbook
    return openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)


def table(ws, first_heading: str) -> list[dict]:
    for row in ws.iter_rows():
        for c in row:
            if c.value == first_heading and c.font.color is not None and c.fill.fgColor.rgb not in (None, "00000000"):
                heads = [x.value for x in ws[c.row]]
                out = []
                for r in ws.iter_rows(min_row=c.row + 1):
                    vals = [x.value for x in r]
                    if all(v is None for v in vals) or (isinstance(vals[0], str) and vals[0] and r[0].font.b
                                                        and r[0].font.sz == 12):
                        break
                    out.append({h: v for h, v in zip(heads, vals, strict=False) if h})
                return out
    raise LookupError(first_heading)


def test_apps_sheet(book, result, iv: inv.Inventory) -> None:
    wb, _ = book
    ws = wb["Aplikasi"]
    rows = table(ws, "Kode OPD")
    assert len(rows) == len(iv.entries) == sum(len(s.applications) for s in result.kept)
    first = rows[0]
    assert (first["Kode OPD"], first["Nama aplikasi"], first["Lokasi hosting"], first["Baris"]) == (
        "BAPENDA", "SAMSAT Online", "Vendor/hosting di luar provinsi", 5)
    hostile = next(r for r in rows if r["Nama aplikasi"] == '=HYPERLINK("http://x")')
    assert hostile["Lokasi hosting"] == "Lainnya: server pribadi" and hostile["Kendala"].endswith(" [...]")
    assert len(hostile["Kendala"]) == 32767
    assert next(r for r in rows if r["Nama aplikasi"] == "@x")["Lokasi hosting"] == "(tidak diisi)"
    assert next(r for r in rows if r["Nama aplikasi"] == "@x")["Kebutuhan"] == "beldansurrogat"
    for r_ in ws.iter_rows(min_row=5):
        assert all(c.data_type != "f" for c in r_)
    assert ws.auto_filter.ref.startswith("A4:")


def test_shared_sheet(book) -> None:
    wb, _ = book
    ws = wb["Aplikasi Bersama"]
    rows = table(ws, "Kelompok")
    assert [(r["Kelompok"], r["Dasar kecocokan"], r["Jumlah OPD"], r["OPD"]) for r in rows] == [
        ("Aplikasi SRIKANDI", "nama", 2, "BPKAD, DISKOMINFO"), ("E-Office Kaltara", "URL", 2, "BPKAD, DISKOMINFO"),
        ("S.I.M.P.E.G.", "nama", 2, "BAPPEDA, BKD")]
    spread = table(ws, "Fungsi / layanan")
    assert [(r["Fungsi / layanan"], r["Jumlah aplikasi berbeda"]) for r in spread] == [
        ("Kepegawaian", 2), ("Naskah dinas / kearsipan dinamis", 2)]


def test_hosting_sheet(book) -> None:
    _, wv = book
    ws = wv["Hosting & Pusat Data"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for heading in ("Menurut lokasi hosting", "Aplikasi yang di-hosting di luar provinsi atau di vendor",
                    "OPD yang menjawab tidak mempunyai ruang server"):
        assert heading in texts
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == "Lokasi")
    assert rows[at + 1][:4] == ("Ruang server OPD sendiri", None, 5, 8)  # applications, servers


def test_services_sheet(book) -> None:
    wb, _ = book
    rows = table(wb["Layanan vs Aplikasi"], "Layanan")
    bpbd = next(r for r in rows if r["Layanan"] == "Kepegawaian" and r["Kode OPD"] == "BPBD")
    assert bpbd["Tanda"] == "ada aplikasi aktif tetapi level rendah" and bpbd["Level tertinggi"] == 1
    bkd = next(r for r in rows if r["Layanan"] == "Keuangan" and r["Kode OPD"] == "BKD")
    assert bkd["Tanda"] == "level tinggi tanpa aplikasi aktif" and bkd["Jumlah aplikasi aktif"] == 0
    public = next(r for r in rows if r["Layanan"] == "Layanan publik sektor" and r["Kode OPD"] == "BAPENDA")
    assert public["Indikator"] == "45, 46, 47" and public["Rincian level"] == "45: 5; 46: 5; 47: 5"


def test_english_inventory_sheets(tmp_path: Path) -> None:
    path = report.write(standard_batch(lang="en"), tmp_path / "en.xlsx").workbook
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert {"Applications", "Shared Applications", "Hosting & Data Centre", "Server Room Plan", "Migration Order",
            "Network", "Services vs Applications"} <= set(names)


def test_ministry_servers_and_applications_are_not_moved() -> None:
    """One rule for the server-room plan: nothing at a ministry ("kementerian") is movable, servers included."""
    fw = framework()
    s = submission(fw, "BKD", applications=apps(
        app("SIASN", "kepegawaian", hosting="kementerian", fw=fw), app("SIMPEG", "kepegawaian", hosting="cloud", fw=fw),
        app("Arsip", hosting="vendor-luar-provinsi", fw=fw), app("Lokal", hosting="ruang-server-opd", fw=fw)),
        infra=Infrastructure(servers=(ServerCount("kementerian", 3, ""), ServerCount("ruang-server-opd", 2, ""),
                                      ServerCount("pdn", 1, ""))))
    iv = inv.analyse(fw, [s], planmod.load(), 2026)
    plan = iv.room[0]
    assert [a.name for a in plan.apps] == ["SIMPEG", "Arsip", "Lokal"] and plan.servers == 2
    assert plan.servers_total == 6
    assert not inv.movable("kementerian") and not inv.movable("pdn") and inv.movable("lainnya: x")
    # the outside list, split: what could move, and national applications on ministry servers
    assert [e.app.name for e in iv.outside] == ["SIASN", "SIMPEG", "Arsip"]
    assert [e.app.name for e in iv.outside_movable] == ["SIMPEG", "Arsip"]
    assert [e.app.name for e in iv.outside_ministry] == ["SIASN"]


def test_hosting_sheet_splits_the_outside_list(book, iv: inv.Inventory) -> None:
    _, wv = book
    ws = wv["Hosting & Pusat Data"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    col_a = [r[0] for r in rows]
    move = col_a.index("Dapat dipindah: vendor di luar provinsi, penyedia cloud, lainnya")
    national = col_a.index("Aplikasi nasional di server kementerian (tidak dipindah)")
    assert rows[move + 1][:7] == ("Kode OPD", "Nama aplikasi", "Lokasi hosting", None, "Pengembang", None,
                                  "Alamat (URL)")
    moved = [(r[0], r[1]) for r in rows[move + 2:national] if r[0] and r[1]]
    assert moved == [(e.opd, e.app.name) for e in iv.outside_movable]
    national_rows = [(r[0], r[1]) for r in rows[national + 2:national + 2 + len(iv.outside_ministry)]]
    assert national_rows == [(e.opd, e.app.name) for e in iv.outside_ministry]
    assert all(e.app.hosting == "kementerian" for e in iv.outside_ministry) and iv.outside_ministry
    merged = {str(m) for m in book[0]["Hosting & Pusat Data"].merged_cells.ranges}
    assert f"C{move + 2}:D{move + 2}" in merged and f"E{move + 2}:F{move + 2}" in merged  # headings span their columns
    room = [c for r in book[1]["Rencana Ruang Server"].iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert any("PDN atau server kementerian" in x for x in room)  # the rule, on the plan
