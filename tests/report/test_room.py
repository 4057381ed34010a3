"""The server-room plan end to end: questionnaires of both template versions, read, planned, written, and the
workbook recalculated in LibreOffice (every figure, and the what-if formulas with other parameters)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline import batch, i18n
from pipeline.catalog import plan as planmod
from pipeline.cli import main
from pipeline.errors import CatalogError
from pipeline.workers import Workers
from tests.libreoffice import pdf_text, recalculate, require, to_pdf

OWN, VENDOR, CLOUD, PDN, PEMPROV = ("Ruang server OPD sendiri", "Vendor/hosting di luar provinsi", "Penyedia cloud",
                                    "Pusat Data Nasional (PDN)", "Pusat Data Pemprov (Diskominfo)")
T = i18n.table("id", "report")
# the batch below, computed by hand with the default plan (4 vCPU, 8 GB RAM, 250 GB for a size not given):
# DISKOMINFO moves Web (8, 16, 1500) and DB (4, 8, 200, Rp 2.5 M); TTE stays at PDN
# BPKAD moves SIMDA (vCPU 10000 and RAM 0 are implausible: 4 and 8 estimated, 500 GB) and Cloud (2, 4, 100, Rp 1 M)
# BKD (previous version) moves its 2 servers in its own room (estimated), not the one at PDN; DINKES (previous) 1
SERVERS, ESTIMATED, VCPU, RAM, STORAGE, RENT = 2 + 2 + 2 + 1, 0 + 1 + 2 + 1, 12 + 6 + 8 + 4, 24 + 12 + 16 + 8, \
    1700 + 600 + 500 + 250, 2_500_000 + 1_000_000
GROWTH = 1.2 ** 5  # 20 % a year for 5 years
HOSTS = 3 + 1  # the most of ceil(7 x 2.48832 / 6) = 3 VMs-bound, ceil(74.65 / 64) = 2, ceil(149.3 / 512) = 1; N+1
KW = HOSTS * 0.5 * 1.58


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, template_2018: Path, template_previous: Path) -> Path:
    """Five OPDs: three on the current template (servers and office sites), two on the previous one (counts)."""
    from pipeline import fill
    from pipeline.catalog import roster as rostermod

    folder = tmp_path_factory.mktemp("room") / "input"
    ros = rostermod.load()
    levels = {"1": 3}

    def make(code: str, template: Path, **kw: object) -> None:
        fill.fill_questionnaire(template, folder / f"{code}.xlsx", opd=ros.by_code(code).label, levels=levels, **kw)

    make("DISKOMINFO", template_2018, infrastructure={"server_room": "Ya"}, applications=[
        {"name": "Portal", "users": "Publik / masyarakat", "hosting": VENDOR, "status": "Aktif"},
        {"name": "E-Office", "users": "Internal pemerintah", "hosting": PEMPROV, "status": "Aktif"}], server_rows=[
        {"name": "Web", "hosting": OWN, "kind": "Server fisik", "vcpu": "8 core", "ram": "16 GB", "storage": "1,5 TB",
         "year": 2015, "apps": "Portal"},
        {"name": "DB", "hosting": VENDOR, "kind": "Mesin virtual (VM)", "vcpu": 4, "ram": 8, "storage": 200,
         "year": 2022, "apps": "Portal", "rent": "Rp 2.500.000"},
        {"name": "TTE", "hosting": PDN, "kind": "VM", "vcpu": 4, "ram": 8, "storage": 100, "year": 2023}], sites=[
        {"site": "Kantor", "provider": "Telkom", "bandwidth": 100, "users": 50, "intranet": "Ya", "outages": 0},
        {"site": "UPTD", "provider": "Indihome", "bandwidth": "5 Mbps", "users": 10, "intranet": "Tidak",
         "outages": 2}])
    make("BPKAD", template_2018, infrastructure={"server_room": "Ya"}, applications=[
        {"name": "SIMDA", "users": "Internal pemerintah", "hosting": OWN, "status": "Aktif"},
        {"name": "e-Pajak", "users": "Publik / masyarakat", "hosting": CLOUD, "status": "Aktif"}], server_rows=[
        {"name": "SIMDA", "hosting": OWN, "kind": "Server fisik", "vcpu": 10000, "ram": 0, "storage": 500,
         "year": 2031, "apps": "SIMDA; Aplikasi Hantu"},
        {"name": "Cloud", "hosting": CLOUD, "kind": "Instans cloud", "vcpu": 2, "ram": 4, "storage": 100,
         "year": 2023, "apps": "e-Pajak", "rent": 1000000}], sites=[
        {"site": "Kantor BPKAD", "provider": "Lintasarta", "bandwidth": "banyak", "users": 30, "intranet": "Ya"}])
    make("BAPPEDA", template_2018, applications=[{"name": "e-Planning", "hosting": PDN, "status": "Aktif"}],
         sites=[{"site": "Kantor", "provider": "Lintasarta", "bandwidth": 50, "users": 20, "intranet": "Ya"}])
    make("BKD", template_previous, applications=[{"name": "SIMPEG", "hosting": OWN, "status": "Aktif"}],
         infrastructure={"provider": "Telkom", "bandwidth": "20 Mbps", "server_room": "Ya"}, servers={OWN: 2, PDN: 1})
    make("DINKES", template_previous, applications=[
        {"name": "SIMPUS", "users": "Publik / masyarakat", "hosting": VENDOR, "status": "Aktif"}],
         infrastructure={"provider": "Indihome", "bandwidth": 10}, servers={VENDOR: 1})
    return folder


@pytest.fixture(scope="module")
def merged(files: Path) -> batch.MergeResult:
    with Workers(inline=True) as pool:
        return batch.merge(files, files.parent / "out" / "rekap.xlsx", workers=pool)


def rows_by_label(ws) -> dict[str, tuple[int, object]]:
    """Column A label -> (row, the value in column C) of the room sheet's label / value tables."""
    return {r[0].value: (r[0].row, r[2].value) for r in ws.iter_rows() if isinstance(r[0].value, str)}


def per_opd(ws) -> dict[str, dict]:
    head = next(r for r in ws.iter_rows() if r[0].value == T["code"])
    heads = [c.value for c in head]
    out = {}
    for r in ws.iter_rows(min_row=head[0].row + 1):
        if r[0].value is None:
            break
        out[r[0].value] = {h: c.value for h, c in zip(heads, r, strict=False) if h}
    return out


# ---------------------------------------------------------------- reading both versions


def test_both_template_versions_are_read(merged: batch.MergeResult) -> None:
    subs = {s.opd_code: s for s in merged.kept}
    assert {c: s.template_version for c, s in subs.items()} == {
        "BAPPEDA": "2026.2", "BKD": "2026.1", "BPKAD": "2026.2", "DINKES": "2026.1", "DISKOMINFO": "2026.2"}
    web = subs["DISKOMINFO"].infrastructure.server_rows[0]
    assert (web.vcpu, web.ram_gb, web.storage_gb, web.kind, web.apps) == (8, 16, 1500, "fisik", ("Portal",))
    assert subs["DISKOMINFO"].infrastructure.server_rows[1].rent == 2_500_000
    assert [(c.location, c.count) for c in subs["BKD"].infrastructure.servers] == [("ruang-server-opd", 2), ("pdn", 1)]
    assert [(s.provider, s.bandwidth) for s in subs["BKD"].infrastructure.sites] == [("Telkom", 20.0)]
    found = {(f.file, f.sheet, f.cell, f.code, str(f.found)) for s in subs.values() for f in s.findings
             if f.code in ("number-coerced", "number-invalid", "value-implausible", "server-app-unknown")}
    assert found == {
        ("DISKOMINFO.xlsx", "Server", "F5", "number-coerced", "8 core"),
        ("DISKOMINFO.xlsx", "Server", "G5", "number-coerced", "16 GB"),
        ("DISKOMINFO.xlsx", "Server", "H5", "number-coerced", "1,5 TB"),
        ("DISKOMINFO.xlsx", "Server", "N6", "number-coerced", "Rp 2.500.000"),
        ("DISKOMINFO.xlsx", "Jaringan", "D6", "number-coerced", "5 Mbps"),
        ("BPKAD.xlsx", "Server", "F5", "value-implausible", "10000"),  # 10,000 vCPU
        ("BPKAD.xlsx", "Server", "G5", "value-implausible", "0"),  # RAM of 0
        ("BPKAD.xlsx", "Server", "J5", "value-implausible", "2031"),  # a year after the evaluation year
        ("BPKAD.xlsx", "Server", "K5", "server-app-unknown", "Aplikasi Hantu"),
        ("BPKAD.xlsx", "Jaringan", "D5", "number-invalid", "banyak"),
        ("BKD.xlsx", "Infrastruktur", "B6", "number-coerced", "20 Mbps"),
    }
    coerced = next(f for f in subs["DISKOMINFO"].findings if f.cell == "H5")
    assert coerced.message() == "Isian '1,5 TB' dibaca sebagai 1.500 GB."  # the separators of each language
    assert coerced.message("en") == "Entry '1,5 TB' was read as 1,500 GB."
    assert "'RAM (GB)'" in next(f for f in subs["BPKAD"].findings if f.cell == "G5").message("en")


def test_plan_rows_and_totals(merged: batch.MergeResult) -> None:
    room = {x.opd: (x.servers, x.estimated, x.vcpu, x.ram_gb, x.storage_gb, x.rent) for x in merged.inventory.room}
    assert room == {"BAPPEDA": (0, 0, 0, 0, 0, 0), "BKD": (2, 2, 8, 16, 500, 0), "BPKAD": (2, 1, 6, 12, 600, 1_000_000),
                    "DINKES": (1, 1, 4, 8, 250, 0), "DISKOMINFO": (2, 0, 12, 24, 1700, 2_500_000)}
    assert [m.app.name for m in merged.inventory.order] == ["Portal", "e-Pajak", "SIMPUS", "SIMPEG", "SIMDA"]
    assert merged.inventory.order[0].old_since == 2015  # Web runs Portal since 2015: past its 5-year life
    net = {(x.opd, x.site.name if x.site else ""): x.flags for x in merged.inventory.network}
    assert net[("DISKOMINFO", "UPTD")] == ("slow", "outages", "off-network") and net[("BPKAD", "Kantor BPKAD")] == (
        "unknown",) and net[("DISKOMINFO", "Kantor")] == () and net[("BKD", "")] == ()


def test_room_sheet_caches_every_figure(merged: batch.MergeResult) -> None:
    wb = openpyxl.load_workbook(merged.workbook)
    cached = rows_by_label(openpyxl.load_workbook(merged.workbook, data_only=True)[T["sheet_room"]])
    ws = wb[T["sheet_room"]]
    item = {key: cached[T[f"item.{key}"]][1] for key in ("servers_now", "vcpu_now", "ram_now", "storage_now",
                                                          "growth", "hosts", "storage_usable", "storage_raw", "racks",
                                                          "kw_it", "kw_total", "rent_year", "hardware_year")}
    assert item == pytest.approx({"servers_now": SERVERS, "vcpu_now": VCPU, "ram_now": RAM, "storage_now": STORAGE,
                                  "growth": GROWTH, "hosts": HOSTS, "storage_usable": STORAGE * GROWTH / 1000,
                                  "storage_raw": 2 * STORAGE * GROWTH / 1000, "racks": 1, "kw_it": HOSTS * 0.5,
                                  "kw_total": KW, "rent_year": RENT * 12, "hardware_year": HOSTS * 300_000_000 / 5})
    power = cached[T["item.power_year"]][1]
    assert power == pytest.approx(KW * 8760 * 1699.53)
    assert cached[T["item.difference"]][1] == pytest.approx(RENT * 12 - power - HOSTS * 300_000_000 / 5)
    # every figure is a formula over the yellow parameter cells
    params = {key: cached[T[f"param.{key}"]] for key in planmod.ROOM}
    assert params["vms_per_host"][1] == 6 and params["pue"][1] == 1.58
    hosts_formula = ws.cell(cached[T["item.hosts_load"]][0], 3).value
    assert f"$C${params['vms_per_host'][0]}" in hosts_formula and hosts_formula.startswith("=MAX(ROUNDUP(")
    assert ws.cell(params["pue"][0], 3).fill.fgColor.rgb.endswith("FFF2CC")  # yellow input
    opds = per_opd(openpyxl.load_workbook(merged.workbook, data_only=True)[T["sheet_room"]])
    assert opds["Jumlah"][T["col.vcpu"]] == VCPU and opds["Jumlah"][T["col.estimated"]] == ESTIMATED
    assert opds["BKD"][T["col.servers_total"]] == 3 and opds["BKD"][T["col.vcpu"]] == 8
    assert ws.cell(next(r[0].row for r in ws.iter_rows() if r[0].value == "Jumlah"), 8).value.startswith("=SUM(H")


def test_plan_file_sets_the_defaults(files: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"pue": 2, "vms_per_host": 1, "_note": "ours"}', encoding="utf-8")
    out = tmp_path / "r.xlsx"
    res = CliRunner().invoke(main, ["merge", "-i", str(files), "-o", str(out), "--plan", str(plan)])
    assert res.exit_code == 0, res.output
    cached = rows_by_label(openpyxl.load_workbook(out, data_only=True)[T["sheet_room"]])
    assert cached[T["param.pue"]][1] == 2 and cached[T["item.hosts"]][1] == 18 + 1  # ceil(17.42 VMs / 1) + 1
    for text, message in (('{"pue": 0}', "pue = 0"), ('{"pues": 1}', "pues"), ('{"pue": "x"}', 'pue = "x"'),
                          ("{", "bukan JSON")):
        plan.write_text(text, encoding="utf-8")
        res = CliRunner().invoke(main, ["merge", "-i", str(files), "-o", str(out), "--plan", str(plan)])
        assert res.exit_code == 1 and message in res.output, res.output
    with pytest.raises(CatalogError):
        planmod.load(tmp_path / "missing.json")


# ---------------------------------------------------------------- LibreOffice: recalculation and rendering


def _set(ws, labels: dict[str, tuple[int, object]], changes: dict[str, float]) -> None:
    for key, value in changes.items():
        ws.cell(labels[T[f"param.{key}"]][0], 3).value = value


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_same_figures(merged: batch.MergeResult, tmp_path: Path) -> None:
    """Every formula of the plan, recalculated by LibreOffice, gives the value the workbook carries."""
    again = openpyxl.load_workbook(recalculate(merged.workbook, tmp_path), data_only=True)
    ours = openpyxl.load_workbook(merged.workbook, data_only=True)
    formulas = openpyxl.load_workbook(merged.workbook)[T["sheet_room"]]
    checked = 0
    for row in formulas.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                mine, theirs = ours[T["sheet_room"]][c.coordinate].value, again[T["sheet_room"]][c.coordinate].value
                if isinstance(mine, str):  # the conclusion's sentence: the same text
                    assert theirs == mine, (c.coordinate, c.value)
                else:
                    assert theirs == pytest.approx(mine, rel=1e-12), (c.coordinate, c.value)
                checked += 1
    assert checked == 16 + 5 + 1 + 9  # the room's items, the costs, the conclusion, the per-OPD totals


@pytest.mark.libreoffice
def test_what_if_formulas_recalculate_in_libreoffice(merged: batch.MergeResult, tmp_path: Path) -> None:
    """Other assumptions typed into the yellow cells (and one OPD's vCPU corrected) give the figures computed by
    hand."""
    wb = openpyxl.load_workbook(merged.workbook)
    ws = wb[T["sheet_room"]]
    labels = rows_by_label(ws)
    _set(ws, labels, {"growth_per_year": 0, "vms_per_host": 2, "host_vcpu": 4, "spare_hosts": 0,
                      "storage_redundancy": 3, "units_per_host": 1, "units_per_rack": 4, "kw_per_host": 1, "pue": 2,
                      "tariff_per_kwh": 1000, "host_price": 100_000_000, "service_life_years": 4})
    diskominfo = next(r for r in ws.iter_rows() if r[0].value == "DISKOMINFO")
    diskominfo[7].value = 20  # its vCPU: 12 -> 20, so the total is 38
    edited = tmp_path / "what-if.xlsx"
    wb.save(edited)
    got = rows_by_label(openpyxl.load_workbook(recalculate(edited, tmp_path), data_only=True)[T["sheet_room"]])

    def item(key: str) -> float:
        return got[T[f"item.{key}"]][1]

    # growth 0: factor 1; vCPU 38 / 4 per host = 9.5 -> 10 hosts (VMs 7 / 2 -> 4, RAM 60 / 512 -> 1), no spare
    assert (item("growth"), item("vcpu_now"), item("hosts_load"), item("hosts")) == (1, 38, 10, 10)
    assert item("storage_usable") == pytest.approx(STORAGE / 1000) and item("storage_raw") == pytest.approx(
        3 * STORAGE / 1000)
    assert (item("units"), item("racks"), item("kw_it"), item("kw_total")) == (10, 3, 10, 20)  # 10 U / 4 -> 3 racks
    assert item("rent_year") == RENT * 12 and item("power_year") == pytest.approx(20 * 8760 * 1000)
    assert item("hardware_year") == pytest.approx(10 * 100_000_000 / 4)
    assert item("room_year") == pytest.approx(175_200_000 + 250_000_000)
    assert item("difference") == pytest.approx(RENT * 12 - 425_200_000)
    # the conclusion in words follows the sign of the difference
    assert got[T["room_conclusion"]][1] == T["room_cheaper" if item("difference") >= 0 else "room_dearer"]


@pytest.mark.libreoffice
def test_the_conclusion_turns_with_the_assumptions(merged: batch.MergeResult, tmp_path: Path) -> None:
    """With free power and free hosts the room costs nothing a year: LibreOffice then says it is cheaper."""
    wb = openpyxl.load_workbook(merged.workbook)
    ws = wb[T["sheet_room"]]
    before = rows_by_label(ws)[T["room_conclusion"]][1]
    _set(ws, rows_by_label(ws), {"tariff_per_kwh": 0, "host_price": 0})
    edited = tmp_path / "free.xlsx"
    wb.save(edited)
    got = rows_by_label(openpyxl.load_workbook(recalculate(edited, tmp_path), data_only=True)[T["sheet_room"]])
    assert got[T["item.difference"]][1] == RENT * 12 and got[T["room_conclusion"]][1] == T["room_cheaper"]
    assert T["room_dearer"] in before  # the formula as the rekap has it: its other branch with the defaults


def _pages(pdf: Path) -> list[str]:
    n = int(next(ln.split()[-1] for ln in subprocess.run([require("pdftotext").replace("pdftotext", "pdfinfo"),
                                                          str(pdf)], capture_output=True, text=True).stdout.splitlines()
                 if ln.startswith("Pages:")))
    return [subprocess.run([require("pdftotext"), "-f", str(k), "-l", str(k), "-layout", str(pdf), "-"],
                           capture_output=True, text=True).stdout for k in range(1, n + 1)]


@pytest.mark.libreoffice
def test_new_sheets_render_whole_in_libreoffice(merged: batch.MergeResult, tmp_path: Path) -> None:
    """The plan, the migration order and the network sheet print with every text whole and no table split."""
    pdf = to_pdf(merged.workbook, tmp_path)
    pages = _pages(pdf)
    words = set(pdf_text(pdf).split())
    p = merged.inventory.plan
    for key in planmod.ROOM:  # every parameter's basis and every figure's explanation, whole (no text cut off)
        assert set(T[f"source.{key}"].split()) <= words, key
    for key in ("growth", "hosts_load", "kw_total", "room_year", "difference"):
        assert set(T[f"how.{key}"].split()) <= words, key
    note = i18n.text("report.room_note", vcpu=f"{p.server_vcpu:g}", ram=f"{p.server_ram_gb:g}",
                     storage=f"{p.server_storage_gb:g}")
    assert set(note.split()) <= words and set(i18n.text("report.order_note", life="5").split()) <= words

    def page_of(text: str) -> int:
        return next(k for k, page in enumerate(pages) if text in page)

    plan_table = page_of(T["room_per_opd"])
    assert {"BAPPEDA", "DISKOMINFO", "Jumlah", T["room_per_opd"].split()[-1]} <= set(pages[plan_table].split())
    assert T["param.pue"] not in pages[plan_table]  # the per-OPD table starts a page of its own
    order = pages[page_of(T["order_title"])]
    assert all(m.app.name in order for m in merged.inventory.order) and "dipakai publik; di luar provinsi" in order
    network = pages[page_of(T["network_title"])]
    flags = "; ".join(T[f"net.{k}"] for k in ("slow", "outages", "off-network", "unknown"))
    assert set(flags.replace(";", "").split()) <= set(network.replace(";", "").split()) and "Kantor BPKAD" in network
    gap = next(page for page in pages if T["opd_servers"] in page and "Portal" in page)  # DISKOMINFO's gap sheet
    assert {"Web", "DB", "TTE", "2015", "2,500,000"} <= set(gap.split())
    assert "Aplikasi aktif yang pindah ke ruang server provinsi: Portal (Vendor/hosting di luar provinsi)" in gap
