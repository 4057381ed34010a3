"""Generate the sample questionnaires shipped in input/ from the real template.

Run from the repository root: ``python tools/make_samples.py [FOLDER]`` (default input/). The
answers are deterministic (fixed seed), so the samples stay in step with the template: rerun after
changing the layout or the catalog. The set covers ten OPDs spread over the predikat bands and the
typical faults Diskominfo sees: one OPD that sent its file twice (an older and a revised copy), an
incomplete submission, free-text levels, and one file with levels verified by Diskominfo. Four more OPDs
sent theirs by e-mail, saved as the clerk saves them: an .eml with the questionnaire and two PDFs of
evidence, a mailbox (.mbox) with a questionnaire zipped with its evidence and the corrected resend two days
later, an Outlook .msg, and an e-mail whose attachment was forgotten. Eight OPDs use the current template
(servers and office sites, some numbers typed as text, one impossible value); two (:data:`LEGACY`) still use
the previous version, which only counts servers per location.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import fill  # noqa: E402
from pipeline import layout as L  # noqa: E402
from pipeline.catalog import framework as fwmod  # noqa: E402
from pipeline.catalog import roster as rostermod  # noqa: E402
from pipeline.template import write_template  # noqa: E402
from tools import mailmake  # noqa: E402

# the clone's template, also when the package is installed elsewhere (not editable: bench/gen.py imports it first)
DEFAULT_TEMPLATE = ROOT / "templates" / "blank_questionnaire.xlsx"

VENDOR = "Vendor/hosting di luar provinsi"
OWN = "Ruang server OPD sendiri"
PEMPROV = "Pusat Data Pemprov (Diskominfo)"
PDN = "Pusat Data Nasional (PDN)"
CLOUD = "Penyedia cloud"
KL = "Server kementerian/lembaga pusat"
VM, PHYSICAL, SHARED, CLOUD_VM = "Mesin virtual (VM)", "Server fisik", "Shared hosting", "Instans cloud"

NATIONAL = [
    {"name": "SRIKANDI", "function": "Naskah dinas / persuratan", "users": "Internal pemerintah",
     "url": "https://srikandi.arsip.go.id", "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": PDN,
     "status": "Aktif", "integrated_with": "TTE BSrE"},
    {"name": "SIPD", "function": "Penganggaran", "users": "Internal pemerintah", "url": "https://sipd.kemendagri.go.id",
     "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": KL, "status": "Aktif",
     "integrated_with": "SIPD Perencanaan"},
    {"name": "SIASN BKN", "function": "Kepegawaian", "users": "Internal pemerintah", "url": "https://siasn.bkn.go.id",
     "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": KL, "status": "Aktif"},
]

# code, mean level, spread, date filled, extra applications, infrastructure, servers (rows of the Server sheet; for
# the LEGACY OPDs a count per location)
PROFILES = {
    "DISKOMINFO": (4.4, 1, dt.date(2026, 3, 9), [
        {"name": "Portal Satu Data Kaltara", "function": "Lainnya: satu data", "users": "Publik / masyarakat",
         "url": "https://data.kaltaraprov.go.id", "developer": "Dikembangkan sendiri", "hosting": PEMPROV,
         "status": "Aktif", "integrated_with": "Portal Data Indonesia"},
        {"name": "JDIH Kaltara", "function": "JDIH (dokumentasi hukum)", "users": "Publik / masyarakat",
         "url": "https://jdih.kaltaraprov.go.id/", "developer": "Dikembangkan sendiri", "hosting": PEMPROV,
         "status": "Aktif", "integrated_with": "JDIHN"},
        {"name": "SP4N-LAPOR!", "function": "Pengaduan publik", "users": "Publik / masyarakat",
         "url": "https://www.lapor.go.id", "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": KL,
         "status": "Aktif"},
        {"name": "Sistem Pengaduan WBS", "function": "Whistle-blowing system (WBS)", "users": "Publik / masyarakat",
         "developer": "Dikembangkan sendiri", "hosting": PEMPROV, "status": "Aktif"},
        {"name": "Layanan Persandian (TTE)", "function": "Layanan publik", "users": "Internal pemerintah",
         "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": PDN, "status": "Aktif"},
    ], {"provider": "Telkom (Astinet)", "bandwidth": 500, "server_room": "Ya",
        "problems": "Ruang server tanpa genset cadangan", "needs": "Pusat data provinsi bersertifikat"}, [
        {"name": "Portal Satu Data", "hosting": PEMPROV, "city": "Tanjung Selor", "kind": VM, "vcpu": 8, "ram": 16,
         "storage": 500, "os": "Ubuntu 22.04", "year": 2022, "apps": "Portal Satu Data Kaltara", "backup": "Ya",
         "backup_where": "NAS Diskominfo"},
        {"name": "JDIH dan WBS", "hosting": PEMPROV, "city": "Tanjung Selor", "kind": VM, "vcpu": 4, "ram": 8,
         "storage": 200, "os": "Ubuntu 20.04", "year": 2021, "apps": "JDIH Kaltara; Sistem Pengaduan WBS",
         "backup": "Ya", "backup_where": "NAS Diskominfo"},
        {"name": "Server TTE", "hosting": PDN, "city": "Jakarta", "kind": VM, "vcpu": 4, "ram": 8, "storage": 100,
         "year": 2023, "apps": "Layanan Persandian (TTE)", "backup": "Ya", "backup_where": "PDN"},
        {"name": "Web server lama", "hosting": OWN, "city": "Tanjung Selor", "kind": PHYSICAL, "vcpu": "8 core",
         "ram": "16 GB", "storage": "1 TB", "os": "CentOS 7", "year": 2016, "apps": "Portal Satu Data Kaltara",
         "backup": "Tidak"},
    ]),
    "BPKAD": (3.6, 1, dt.date(2026, 3, 5), [
        {"name": "SIPKD Kaltara", "function": "Keuangan", "users": "Internal pemerintah", "url": "https://sipkd.kaltaraprov.go.id",
         "developer": "Vendor / pihak ketiga", "hosting": VENDOR, "status": "Aktif", "integrated_with": "SIPD, Bank Kaltara",
         "problems": "Server di Jakarta, sering lambat saat tutup buku", "needs": "Pindah ke pusat data Pemprov"},
        {"name": "SIMBADA", "function": "Lainnya: barang milik daerah", "users": "Internal pemerintah",
         "developer": "Vendor / pihak ketiga", "hosting": VENDOR, "status": "Aktif"},
        {"name": "e-Pajak Daerah", "function": "Layanan publik", "users": "Publik / masyarakat",
         "url": "https://epajak.kaltaraprov.go.id", "developer": "Vendor", "hosting": CLOUD, "status": "Aktif"},
    ], {"provider": "Telkom", "bandwidth": 100, "server_room": "Ya", "problems": "Listrik sering padam"}, [
        {"name": "SIPKD", "hosting": VENDOR, "city": "Jakarta", "kind": VM, "vcpu": 8, "ram": 32, "storage": 1000,
         "os": "Windows Server 2019", "year": 2019, "apps": "SIPKD Kaltara", "backup": "Ya", "backup_where": "vendor",
         "rent": "Rp 4.500.000"},
        {"name": "SIMBADA", "hosting": VENDOR, "city": "Jakarta", "kind": SHARED, "apps": "SIMBADA", "rent": 1500000},
        {"name": "e-Pajak", "hosting": CLOUD, "city": "Singapura", "kind": CLOUD_VM, "vcpu": 4, "ram": 16, "storage": 200,
         "year": 2022, "apps": "e-Pajak Daerah", "backup": "Ya", "backup_where": "snapshot cloud", "rent": "Rp 3,2 juta"},
        {"name": "File server", "hosting": OWN, "city": "Tanjung Selor", "kind": PHYSICAL, "vcpu": 4, "ram": 8,
         "storage": "2 TB", "year": 2014, "backup": "Tidak"},
        {"name": "Database SIPKD lama", "hosting": OWN, "city": "Tanjung Selor", "kind": PHYSICAL, "vcpu": 8, "ram": 16,
         "storage": 500, "year": 2017, "apps": "SIPKD Kaltara", "backup": "Tidak"},
    ]),
    "BAPPEDA": (3.1, 1, dt.date(2026, 3, 4), [
        {"name": "e-Planning Kaltara", "function": "Perencanaan", "users": "Internal pemerintah",
         "url": "http://eplanning.kaltaraprov.go.id", "developer": "Vendor / pihak ketiga", "hosting": VENDOR,
         "status": "Aktif", "integrated_with": "SIPD"},
        {"name": "SIPD Perencanaan", "function": "Perencanaan", "users": "Internal pemerintah",
         "url": "https://sipd.kemendagri.go.id", "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": KL,
         "status": "Aktif"},
    ], {"provider": "Lintasarta", "bandwidth": 50, "server_room": "Tidak"}, [
        {"name": "e-Planning", "hosting": VENDOR, "city": "Surabaya", "kind": VM, "vcpu": 4, "ram": 8, "storage": 200,
         "year": 2020, "apps": "e-Planning Kaltara", "backup": "Ya", "backup_where": "vendor", "rent": 2000000},
    ]),
    "BKD": (2.9, 1, dt.date(2026, 3, 12), [
        {"name": "SIMPEG Kaltara", "function": "Kepegawaian", "users": "Internal pemerintah",
         "url": "https://simpeg.kaltaraprov.go.id", "developer": "Vendor / pihak ketiga", "hosting": VENDOR,
         "status": "Aktif", "integrated_with": "SIASN BKN", "problems": "Belum terhubung API BKN"},
        {"name": "e-Kinerja", "function": "Kinerja", "users": "Internal pemerintah", "developer": "Vendor",
         "hosting": "server jakarta", "status": "aktif"},
    ], {"provider": "Telkom", "bandwidth": "30 Mbps", "server_room": "Tidak", "needs": "Server untuk SIMPEG"}, [
        {"name": "SIMPEG", "hosting": VENDOR, "city": "Jakarta", "kind": VM, "vcpu": "4 vCPU", "ram": "8 GB",
         "storage": "300 GB", "year": 2018, "apps": "SIMPEG Kaltara", "backup": "Ya", "rent": "Rp 2.500.000"},
        {"name": "e-Kinerja", "hosting": VENDOR, "city": "Jakarta", "kind": "VPS", "vcpu": 2, "ram": 4, "storage": 100,
         "year": 2021, "apps": "e-Kinerja", "rent": 750000},
    ]),
    "INSPEKTORAT": (2.6, 1, dt.date(2026, 3, 3), [
        {"name": "e-Audit", "function": "Lainnya: pengawasan internal", "users": "Internal pemerintah",
         "developer": "Vendor / pihak ketiga", "hosting": CLOUD, "status": "Aktif"},
        {"name": "WBS Inspektorat", "function": "WBS", "users": "Publik", "developer": "Dikembangkan sendiri",
         "hosting": "Ruang server OPD sendiri", "status": "Tidak aktif", "problems": "Tidak ada admin"},
    ], {"provider": "Indihome", "bandwidth": 20, "server_room": "Tidak"}, [
        {"name": "e-Audit", "hosting": CLOUD, "city": "Jakarta", "kind": CLOUD_VM, "vcpu": 2, "ram": 4, "storage": 100,
         "year": 2023, "apps": "e-Audit", "backup": "Ya", "rent": 1200000},
    ]),
    "BIRO-ORGANISASI": (2.2, 1, dt.date(2026, 3, 6), [
        {"name": "e-Sakip", "function": "Kinerja", "users": "Internal pemerintah", "developer": "Vendor",
         "hosting": VENDOR, "status": "Aktif", "url": "http://esakip.kaltaraprov.go.id/"},
    ], {"provider": "Telkom", "bandwidth": 20, "server_room": "Tidak"}, []),
    "DPMPTSP": (3.3, 1, dt.date(2026, 3, 2), [
        {"name": "SiCantik Cloud", "function": "Layanan publik", "users": "Publik / masyarakat",
         "url": "https://sicantik.go.id", "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": PDN,
         "status": "Aktif", "integrated_with": "OSS RBA"},
        {"name": "OSS RBA", "function": "Layanan publik", "users": "Publik / masyarakat", "url": "https://oss.go.id",
         "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": KL, "status": "Aktif"},
    ], {"provider": "Telkom", "bandwidth": 100, "server_room": "Ya"}, [
        {"name": "Server antrean loket", "hosting": OWN, "city": "Tanjung Selor", "kind": PHYSICAL, "vcpu": 4, "ram": 0,
         "storage": 500, "year": 2031, "apps": "Antrean Loket", "backup": "Tidak"},  # RAM 0, a future year: findings
    ]),
    "DINKES": (1.9, 1, dt.date(2026, 3, 10), [
        {"name": "SIMPUS", "function": "Layanan publik", "users": "Publik / masyarakat", "developer": "Vendor",
         "hosting": VENDOR, "status": "Aktif", "problems": "Data puskesmas belum terintegrasi SATUSEHAT"},
        {"name": "e-Planning", "function": "Perencanaan", "users": "Internal", "url": "eplanning.kaltaraprov.go.id",
         "developer": "Vendor", "hosting": VENDOR, "status": "Aktif"},
    ], {"provider": "Telkomsel Orbit", "bandwidth": 10, "server_room": "Tidak",
        "problems": "Jaringan putus di musim hujan"}, {VENDOR: 1}),
    "DISHUB": (1.2, 1, dt.date(2026, 3, 11), [
        {"name": "Sistem Informasi Angkutan", "function": "Layanan publik", "users": "Publik / masyarakat",
         "developer": "Vendor", "hosting": "hosting luar", "status": "Tidak aktif"},
    ], {"provider": "Indihome", "bandwidth": 10, "server_room": "Tidak"}, {}),
    "DISDIKBUD": (2.4, 1, dt.date(2026, 3, 7), [
        {"name": "Dapodik", "function": "Layanan publik", "users": "Publik / masyarakat",
         "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": KL, "status": "Aktif"},
        {"name": "PPDB Online Kaltara", "function": "Layanan publik", "users": "Publik / masyarakat",
         "url": "https://ppdb.kaltaraprov.go.id", "developer": "Vendor / pihak ketiga", "hosting": CLOUD,
         "status": "Aktif"},
    ], {"provider": "Telkom", "bandwidth": 50, "server_room": "Tidak"}, [
        {"name": "PPDB", "hosting": CLOUD, "city": "Jakarta", "kind": CLOUD_VM, "vcpu": 8, "ram": 16, "storage": 300,
         "year": 2021, "apps": "PPDB Online Kaltara", "backup": "Ya", "rent": "Rp 6.000.000"},
        {"name": "PPDB cadangan", "hosting": CLOUD, "city": "Jakarta", "kind": CLOUD_VM, "vcpu": 4, "ram": 8,
         "storage": 200, "year": 2021, "apps": "PPDB Online Kaltara", "backup": "Ya", "rent": 3000000},
    ]),
}

LEGACY = ("DINKES", "DISHUB")  # still on the previous template version: one provider and bandwidth, server counts
# office sites of the OPDs on the current template (the others: one site from the provider and bandwidth above)
SITES = {
    "DISKOMINFO": [{"site": "Kantor Diskominfo, Tanjung Selor", "provider": "Telkom (Astinet)", "bandwidth": 500,
                    "cost": 25000000, "outages": 0, "intranet": "Ya", "users": 120},
                   {"site": "Bidang Persandian", "provider": "Telkom", "bandwidth": 100, "cost": 5000000, "outages": 1,
                    "intranet": "Ya", "users": 30}],
    "BPKAD": [{"site": "Kantor BPKAD", "provider": "Telkom", "bandwidth": 100, "cost": 8000000, "outages": 4,
               "intranet": "Ya", "users": 90}],
    "BAPPEDA": [{"site": "Kantor Bappeda", "provider": "Lintasarta", "bandwidth": 50, "cost": "Rp 4.000.000",
                 "outages": 0, "intranet": "Tidak", "users": 70}],
    "INSPEKTORAT": [{"site": "Kantor Inspektorat", "provider": "Indihome", "bandwidth": 20, "outages": 2,
                     "intranet": "Tidak", "users": 40}],
    "DISDIKBUD": [{"site": "Kantor Disdikbud", "provider": "Telkom", "bandwidth": 50, "intranet": "Ya", "users": 80},
                  {"site": "UPTD Tarakan", "provider": "Telkomsel Orbit", "bandwidth": "5 Mbps", "outages": 6,
                   "intranet": "Tidak", "users": 15}],
}


def inventory(code: str) -> dict[str, object]:
    """The fill_questionnaire arguments of an OPD's applications, infrastructure, servers and office sites."""
    _mean, _spread, _date, apps, infra, servers = PROFILES[code]
    if code in LEGACY:
        return {"applications": [*NATIONAL, *apps], "infrastructure": infra, "servers": servers}
    legacy = {f.key for f in L.INFRA_FIELDS if f.legacy}
    sites = SITES.get(code) or [{"site": "Kantor utama", "provider": infra.get("provider", ""),
                                 "bandwidth": infra.get("bandwidth"), "intranet": "Ya"}]
    return {"applications": [*NATIONAL, *apps], "infrastructure": {k: v for k, v in infra.items() if k not in legacy},
            "server_rows": servers, "sites": sites}


def stable(path: Path) -> Path:
    """``path`` rewritten with fixed times (openpyxl stamps the time of saving in the zip entries and in
    docProps/core.xml), so that the samples are the same bytes at every generation."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info.filename, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2026-01-01T00:00:00Z\2",
                              data)
            zf.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return path


def template_for(code: str, scratch: Path) -> Path:
    """The template an OPD fills in: the current one, or the previous version for the LEGACY OPDs."""
    if code not in LEGACY:
        return DEFAULT_TEMPLATE
    path = scratch / f"template-{L.PREVIOUS_VERSION}.xlsx"
    if not path.exists():
        write_template(fwmod.load("permenpanrb-5-2018"), rostermod.load(), path, version=L.PREVIOUS_VERSION)
    return path


SERVICE_NAMES = {"35a": "Perizinan berusaha", "35b": "Informasi layanan publik", "35c": "Pengaduan langsung"}


def levels_for(fw: fwmod.Framework, mean: float, rng: random.Random) -> dict[str, int]:
    out = {}
    for ind in fw.indicators:
        value = round(rng.gauss(mean, 0.7))
        out[ind.id] = max(fw.level_min, min(fw.level_max, value))
    return out


TZ = dt.timezone(dt.timedelta(hours=8))  # WITA
MAILED = {  # code: mean level, date filled, applications
    "DPUPR-PERKIM": (2.8, dt.date(2026, 3, 9), [
        {"name": "SIMBG", "function": "Layanan publik", "users": "Publik / masyarakat", "url": "https://simbg.pu.go.id",
         "developer": "Aplikasi umum nasional (berbagi pakai)", "hosting": KL, "status": "Aktif"}]),
    "DISPORA": (2.1, dt.date(2026, 3, 10), []),
    "BAPENDA": (3.4, dt.date(2026, 3, 8), [
        {"name": "e-Samsat Kaltara", "function": "Layanan publik", "users": "Publik / masyarakat",
         "developer": "Vendor / pihak ketiga", "hosting": CLOUD, "status": "Aktif"}]),
}


def pdf(title: str) -> bytes:
    """A small PDF of evidence (one empty page with a title): what a scan of *data dukung* stands for."""
    body = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n%% " + title.encode() + b"\ntrailer"
            b"<</Root 1 0 R>>\n%%EOF\n")
    return body


def zipped(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 3, 9, 8, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out.getvalue()


def mailed(folder: Path, fw: fwmod.Framework, roster: rostermod.Roster, rng: random.Random) -> list[Path]:
    """The OPDs that sent their questionnaire by e-mail, saved as .eml, .mbox and .msg."""
    books: dict[str, bytes] = {}
    for code, (mean, date, apps) in MAILED.items():
        levels = levels_for(fw, mean, rng)
        out = fill.fill_questionnaire(
            DEFAULT_TEMPLATE, folder / f"_{code}.xlsx", opd=roster.by_code(code).label, levels=levels,
            explanations={i: f"Diterapkan sesuai level {lv}." for i, lv in levels.items()},
            evidence={i: f"{code}-ind{i}.pdf" for i, lv in levels.items() if lv}, service_names=SERVICE_NAMES,
            identity={"date_filled": date, "respondent": f"Petugas SPBE {code}"}, applications=[*NATIONAL, *apps])
        books[code] = stable(out).read_bytes()
        out.unlink()
        if code == "DISPORA":  # the first version, sent with the wrong level for indicator 1
            early = fill.fill_questionnaire(
                DEFAULT_TEMPLATE, folder / "_early.xlsx", opd=roster.by_code(code).label, levels={**levels, "1": 0},
                service_names=SERVICE_NAMES, identity={"date_filled": date, "respondent": f"Petugas SPBE {code}"})
            books["DISPORA-early"] = stable(early).read_bytes()
            early.unlink()

    def sender(code: str) -> str:
        return f"Petugas SPBE {code} <spbe@{code.lower()}.kaltaraprov.example>"

    written = []
    eml = folder / "E-mail DPUPR-PERKIM - Kuesioner SPBE 2026.eml"
    eml.write_bytes(mailmake.eml(sender("DPUPR-PERKIM"), "Kuesioner SPBE 2026 - DPUPR-PERKIM",
                                 dt.datetime(2026, 3, 9, 14, 30, tzinfo=TZ), [
                                     ("Kuesioner SPBE 2026 - DPUPR-PERKIM.xlsx", books["DPUPR-PERKIM"]),
                                     ("SK Tim SPBE DPUPR-PERKIM.pdf", pdf("SK Tim SPBE")),
                                     ("Dokumen Arsitektur SPBE.pdf", pdf("Arsitektur SPBE"))]))
    first = mailmake.eml(sender("DISPORA"), "Kuesioner SPBE Dispora", dt.datetime(2026, 3, 10, 9, 5, tzinfo=TZ), [
        ("Kuesioner SPBE Dispora.zip", zipped({"Kuesioner SPBE Dispora.xlsx": books["DISPORA-early"],
                                               "Data Dukung/SOP Layanan.pdf": pdf("SOP Layanan")}))])
    again = mailmake.eml(sender("DISPORA"), "RE: Kuesioner SPBE Dispora (perbaikan)",
                         dt.datetime(2026, 3, 12, 16, 40, tzinfo=TZ),
                         [("Kuesioner SPBE Dispora (perbaikan).xlsx", books["DISPORA"])])
    forgot = mailmake.eml(sender("DISPAR"), "Kuesioner SPBE Dispar", dt.datetime(2026, 3, 11, 10, 0, tzinfo=TZ),
                          body="Mohon maaf, kuesioner kami kirim menyusul.")
    box = folder / "Kotak masuk SPBE (Thunderbird).mbox"
    box.write_bytes(mailmake.mbox([first, forgot, again]))
    msg = folder / "E-mail BAPENDA (Outlook).msg"
    msg.write_bytes(mailmake.msg("Petugas SPBE BAPENDA", "spbe@bapenda.kaltaraprov.example",
                                 "Kuesioner SPBE 2026 BAPENDA", dt.datetime(2026, 3, 8, 11, 0, tzinfo=TZ),
                                 [("Kuesioner SPBE 2026 - BAPENDA.xlsx", books["BAPENDA"])]))
    written += [eml, box, msg]
    return written


def make(folder: Path) -> list[Path]:
    fw = fwmod.load("permenpanrb-5-2018")
    roster = rostermod.load()
    rng = random.Random(20261129)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        for code, (mean, _spread, date, _apps, _infra, _servers) in PROFILES.items():
            opd = roster.by_code(code)
            template = template_for(code, Path(scratch))
            levels: dict[str, object] = levels_for(fw, mean, rng)
            explanations = {i: f"Sudah diterapkan sesuai level {lv}; lihat dokumen terlampir." for i, lv in levels.items()}
            evidence = {i: f"{code}-ind{i}.pdf" for i, lv in levels.items() if lv}
            verified = None
            name = f"Kuesioner SPBE 2026 - {code}.xlsx"
            if code == "INSPEKTORAT":  # free-text levels typed over the dropdown
                typed = {"1": "Level 3", "2": "Terdefinisi", "3": " 2 ", "4": "3,0", "5": "Tingkat 2", "6": "２"}
                levels.update(typed)
            if code == "DISHUB":  # incomplete: four levels left blank, one unreadable
                for iid in ("20", "21", "22", "23"):
                    levels.pop(iid)
                levels["24"] = "belum tahu"
            if code == "BPKAD":  # Diskominfo verified the levels and lowered some claims
                verified = {i: (lv - 1 if int(i.rstrip("abc")) % 4 == 0 and lv > 0 else lv) for i, lv in levels.items()}
            if code == "BKD":  # first version sent on 25 February, revised on 12 March
                old = {i: max(0, lv - 1) for i, lv in levels.items()}
                written.append(stable(fill.fill_questionnaire(
                    template, folder / "Kuesioner SPBE 2026 - BKD (versi awal).xlsx", opd=opd.label, levels=old,
                    explanations=explanations, evidence=evidence, service_names=SERVICE_NAMES,
                    identity={"date_filled": dt.date(2026, 2, 25), "respondent": f"Petugas SPBE {code}"},
                    **inventory(code))))
                name = "Kuesioner SPBE 2026 - BKD (revisi).xlsx"
            written.append(stable(fill.fill_questionnaire(
                template, folder / name, opd=opd.label, levels=levels, verified=verified,
                explanations=explanations, evidence=evidence, service_names=SERVICE_NAMES,
                identity={"date_filled": date, "respondent": f"Petugas SPBE {code}"}, **inventory(code))))
    return written + mailed(folder, fw, roster, rng)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "input"
    for p in make(target):
        print(f"wrote {p}")
