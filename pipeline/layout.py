"""The one description of the questionnaire layout, used by the template writer and the reader.

Sheets are found by name (tolerant to case and spaces). Inside a sheet the reader locates the
heading row by its texts and each data row by its key (indicator id in the "No." column, a field
label in column A), never by fixed position, so inserted, deleted and reordered rows still read.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE_VERSION = "2026.2"  # adds the Server and Jaringan sheets (one row per server, per office site)
PREVIOUS_VERSION = "2026.1"  # server counts per hosting location only: still read, its servers estimated
KNOWN_TEMPLATE_VERSIONS = (PREVIOUS_VERSION, TEMPLATE_VERSION)

SHEET_GUIDE = "Petunjuk"
SHEET_IDENTITY = "Identitas"
SHEET_ASSESSMENT = "Penilaian"
SHEET_APPS = "Aplikasi"
SHEET_INFRA = "Infrastruktur"
SHEET_SERVERS = "Server"  # since 2026.2
SHEET_NETWORK = "Jaringan"  # since 2026.2
SHEET_LISTS = "Daftar"  # hidden: dropdown source lists
SHEET_META = "_meta"  # hidden: template version, framework id, fingerprint

def level_choice(fw: object, capability: str, level: int) -> str:
    """A level as the questionnaire's dropdown shows it (and the reader takes it back): "3 - Terdefinisi"."""
    return f"{level} - {fw.level_name(capability, level)}"  # type: ignore[attr-defined]


# colours the questionnaire and the rekap share: headings, cells to fill in, the verifier's column
HEADER_FILL = "#1F4E78"
INPUT_FILL = "#FFF2CC"
VERIFIER_FILL = "#E2EFDA"

HEADER_ROW = 4  # table headings in the template; the reader searches rows 1..HEADER_SEARCH_ROWS
HEADER_SEARCH_ROWS = 20
FIRST_DATA_ROW = HEADER_ROW + 1


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # heading text in the template (Bahasa Indonesia)
    width: float
    kind: str = "text"  # "text" (shown), "input" (OPD fills), "verifier" (Diskominfo fills)
    aliases: tuple[str, ...] = ()  # other heading texts accepted by the reader (e.g. English)
    required: bool = True  # reader: a missing heading is a finding


def headers_of(col: Column) -> tuple[str, ...]:
    return (col.header, *col.aliases)


# ---------------------------------------------------------------- Penilaian (assessment)

# widths: the sheet prints on A3 landscape fitted to its width with text of about 8 pt
ASSESSMENT_COLUMNS: tuple[Column, ...] = (
    Column("id", "No.", 6, aliases=("No", "Nomor", "ID", "Indikator No")),
    Column("domain", "Domain", 13, required=False),
    Column("aspect", "Aspek", 14, required=False),
    Column("indicator", "Indikator", 22, required=False),
    Column("question", "Pertanyaan", 24, required=False),
    Column("criteria", "Kriteria Tiap Level", 55, required=False),
    Column("service_name", "Nama Layanan Publik (khusus indikator layanan publik)", 16, "input", required=False),
    Column("level", "Level (pilih dari daftar)", 17, "input", aliases=("Level", "Tingkat", "Level Kematangan")),
    Column("explanation", "Penjelasan", 24, "input", aliases=("Penjelasan Singkat",), required=False),
    Column("evidence", "Data Dukung (nama dokumen / tautan)", 24, "input", aliases=("Data Dukung", "Bukti Dukung"),
           required=False),
    Column("verified", "Level Verifikasi (DIISI DISKOMINFO)", 15, "verifier", aliases=("Level Verifikasi",),
           required=False),
    Column("verifier_note", "Catatan Verifikator (DIISI DISKOMINFO)", 20, "verifier",
           aliases=("Catatan Verifikator",), required=False),
)

PREVIOUS_ASSESSMENT_WIDTHS = (6, 15, 17, 26, 30, 70, 20, 17, 32, 32, 15, 26)  # as shipped in PREVIOUS_VERSION (A4)

# ---------------------------------------------------------------- Identitas (identity)


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    legacy: bool = False  # only in the previous template version (the current one has a table for it)


IDENTITY_FIELDS: tuple[Field, ...] = (
    Field("opd", "Nama OPD", "Pilih dari daftar", aliases=("OPD", "Perangkat Daerah", "Nama Perangkat Daerah")),
    Field("respondent", "Nama Responden", "Nama lengkap petugas pengisi"),
    Field("nip", "NIP", "18 angka, tanpa spasi"),
    Field("position", "Jabatan", "Jabatan petugas pengisi"),
    Field("email", "E-mail", "Alamat e-mail dinas", aliases=("Email", "Surel")),
    Field("phone", "Nomor Telepon / WA", "Nomor yang dapat dihubungi", aliases=("Telepon", "No HP", "Nomor Telepon")),
    Field("date_filled", "Tanggal Pengisian", "HH/BB/TTTT", aliases=("Tanggal",)),
    Field("year", "Tahun Evaluasi", "Tahun penilaian, mis. 2026", aliases=("Tahun",)),
)
IDENTITY_LABEL_COL = 1  # A
IDENTITY_VALUE_COL = 2  # B

# ---------------------------------------------------------------- Aplikasi (applications)

APP_COLUMNS: tuple[Column, ...] = (
    Column("no", "No.", 5, required=False),
    Column("name", "Nama Aplikasi", 24, "input", aliases=("Aplikasi", "Nama Sistem")),
    Column("function", "Fungsi / Layanan", 24, "input", aliases=("Fungsi", "Layanan")),
    Column("users", "Pengguna", 14, "input", required=False),
    Column("url", "Alamat (URL)", 24, "input", aliases=("URL", "Alamat"), required=False),
    Column("developer", "Pengembang", 20, "input", required=False),
    Column("hosting", "Lokasi Hosting / Server", 26, "input", aliases=("Lokasi Hosting", "Hosting"), required=False),
    Column("integrated_with", "Terintegrasi dengan", 22, "input", required=False),
    Column("status", "Status", 12, "input", required=False),
    Column("problems", "Kendala", 26, "input", required=False),
    Column("needs", "Kebutuhan", 26, "input", required=False),
)
APP_INPUT_ROWS = 40  # empty, styled rows offered in the template

# ---------------------------------------------------------------- Infrastruktur

INFRA_FIELDS: tuple[Field, ...] = (
    Field("provider", "Penyedia Jaringan Internet", "Nama ISP, mis. Telkom, Lintasarta", required=False, legacy=True),
    Field("bandwidth", "Bandwidth Internet (Mbps)", "Angka saja, mis. 50", required=False, aliases=("Bandwidth",),
          legacy=True),
    Field("server_room", "Memiliki Ruang Server Sendiri?", "Ya / Tidak", required=False,
          aliases=("Ruang Server", "Memiliki Ruang Server")),
    Field("problems", "Kendala Utama Jaringan/Server", "Uraian singkat", required=False, aliases=("Kendala Utama",)),
    Field("needs", "Kebutuhan", "Uraian singkat", required=False),
)
SERVER_TABLE_TITLE = "Jumlah Server Menurut Lokasi"  # the previous version's server counts (Infrastruktur)
SERVER_COLUMNS: tuple[Column, ...] = (
    Column("location", "Lokasi Server", 34),
    Column("count", "Jumlah Server", 14, "input"),
    Column("note", "Keterangan", 40, "input", required=False),
)

# ---------------------------------------------------------------- Server and Jaringan (since 2026.2)

SERVER_TABLE: tuple[Column, ...] = (
    Column("no", "No.", 5, required=False),
    Column("name", "Nama / Peran Server", 22, "input", aliases=("Nama Server", "Server", "Peran Server")),
    Column("hosting", "Lokasi Hosting", 24, "input", aliases=("Lokasi", "Hosting"), required=False),
    Column("city", "Kota", 13, "input", required=False),
    Column("kind", "Jenis", 16, "input", required=False),
    Column("vcpu", "vCPU (core)", 9, "input", aliases=("vCPU", "CPU", "Core"), required=False),
    Column("ram", "RAM (GB)", 9, "input", aliases=("RAM", "Memori"), required=False),
    Column("storage", "Penyimpanan (GB)", 12, "input", aliases=("Penyimpanan", "Storage", "Disk"), required=False),
    Column("os", "Sistem Operasi", 14, "input", aliases=("OS",), required=False),
    Column("year", "Tahun Mulai Beroperasi", 11, "input", aliases=("Tahun", "Tahun Operasi"), required=False),
    Column("apps", "Aplikasi yang Dijalankan (nama seperti di lembar Aplikasi; pisahkan dengan ;)", 30, "input",
           aliases=("Aplikasi", "Aplikasi yang Dijalankan"), required=False),
    Column("backup", "Backup (Ya/Tidak)", 10, "input", aliases=("Backup",), required=False),
    Column("backup_where", "Lokasi Backup", 16, "input", required=False),
    Column("rent", "Biaya Sewa per Bulan (Rp)", 15, "input", aliases=("Biaya Sewa", "Sewa per Bulan"), required=False),
)
SERVER_INPUT_ROWS = 30
NETWORK_TABLE: tuple[Column, ...] = (
    Column("no", "No.", 5, required=False),
    Column("site", "Lokasi Kantor / Alamat", 30, "input", aliases=("Lokasi Kantor", "Alamat", "Lokasi")),
    Column("provider", "Penyedia Internet", 18, "input", aliases=("Penyedia", "ISP"), required=False),
    Column("bandwidth", "Bandwidth (Mbps)", 11, "input", aliases=("Bandwidth",), required=False),
    Column("cost", "Biaya per Bulan (Rp)", 15, "input", aliases=("Biaya",), required=False),
    Column("outages", "Gangguan 3 Bulan Terakhir (kali)", 12, "input", aliases=("Gangguan",), required=False),
    Column("intranet", "Terhubung Jaringan Intra Pemprov / VPN (Ya/Tidak)", 16, "input",
           aliases=("Jaringan Intra", "Intranet", "VPN"), required=False),
    Column("users", "Jumlah Pengguna di Lokasi", 11, "input", aliases=("Jumlah Pengguna", "Pengguna"), required=False),
)
NETWORK_INPUT_ROWS = 10
# numbers typed in these tables: key -> (unit, lowest and highest plausible value; "year": up to the evaluation year)
QUANTITIES: dict[str, tuple[str, float, float]] = {
    "vcpu": ("core", 1, 1024), "ram": ("gb", 0.5, 16384), "storage": ("gb", 1, 1_000_000),
    "rent": ("rp", 1000, 10_000_000_000), "cost": ("rp", 1000, 10_000_000_000), "bandwidth": ("mbps", 0.1, 100_000),
    "outages": ("count", 0, 10_000), "users": ("count", 0, 100_000), "year": ("year", 1990, 0),
}

# ---------------------------------------------------------------- controlled vocabularies
# (key, label shown in the dropdown, other spellings the reader accepts)

Vocab = tuple[tuple[str, str, tuple[str, ...]], ...]

HOSTING: Vocab = (
    ("ruang-server-opd", "Ruang server OPD sendiri", ("server sendiri", "ruang server", "server opd", "lokal", "kantor")),
    ("pusat-data-pemprov", "Pusat Data Pemprov (Diskominfo)", ("diskominfo", "data center pemprov", "pusat data daerah",
                                                               "dc pemprov", "pemprov", "server diskominfo")),
    ("pdn", "Pusat Data Nasional (PDN)", ("pusat data nasional", "pdns", "kominfo pusat", "komdigi")),
    ("cloud", "Penyedia cloud", ("cloud", "aws", "google cloud", "azure", "alibaba cloud", "biznet gio")),
    ("vendor-luar-provinsi", "Vendor/hosting di luar provinsi", ("vendor", "hosting", "hosting luar", "luar provinsi",
                                                                 "jakarta", "surabaya", "niagahoster", "rumahweb")),
    ("kementerian", "Server kementerian/lembaga pusat", ("kementerian", "pusat", "k/l", "instansi pusat", "bkn", "lkpp",
                                                        "kemendagri")),
    ("lainnya", "Lainnya", ("lain", "other")),
)
USERS: Vocab = (
    ("internal", "Internal pemerintah", ("internal", "pegawai", "asn", "intern")),
    ("publik", "Publik / masyarakat", ("publik", "masyarakat", "umum", "public")),
    ("internal-publik", "Internal dan publik", ("keduanya", "internal & publik", "internal dan masyarakat", "semua")),
)
DEVELOPERS: Vocab = (
    ("sendiri", "Dikembangkan sendiri", ("swakelola", "internal", "in-house", "sendiri", "tim it")),
    ("vendor", "Vendor / pihak ketiga", ("vendor", "pihak ketiga", "rekanan", "konsultan")),
    ("aplikasi-nasional", "Aplikasi umum nasional (berbagi pakai)", ("aplikasi umum", "nasional", "pusat", "kementerian",
                                                                    "srikandi", "sipd", "simpeg bkn", "spse", "lapor")),
    ("lainnya", "Lainnya", ("lain",)),
)
STATUS: Vocab = (
    ("aktif", "Aktif", ("aktif", "active", "berjalan", "jalan", "ya", "digunakan")),
    ("tidak-aktif", "Tidak aktif", ("tidak aktif", "nonaktif", "non aktif", "mati", "tidak", "inactive", "tidak digunakan")),
)
YES_NO: Vocab = (
    ("ya", "Ya", ("ya", "y", "yes", "ada", "punya", "memiliki")),
    ("tidak", "Tidak", ("tidak", "t", "no", "tidak ada", "belum", "belum ada")),
)
KINDS: Vocab = (
    ("fisik", "Server fisik", ("fisik", "physical", "bare metal", "rakitan", "tower", "rackmount")),
    ("vm", "Mesin virtual (VM)", ("vm", "virtual", "vps", "virtual machine", "mesin virtual")),
    ("shared", "Shared hosting", ("shared", "hosting bersama", "cpanel", "shared hosting")),
    ("cloud", "Instans cloud", ("cloud", "instance", "instans", "ec2", "compute engine")),
)
OTHER_FUNCTION = ("lainnya", "Lainnya (tulis: Lainnya: ...)")

# hidden metadata keys (sheet _meta, column A key, column B value)
META_KEYS = ("template_version", "framework_id", "framework_fingerprint", "generator")
