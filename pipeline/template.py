"""Write the blank questionnaire workbook from a framework catalog and an OPD roster."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from pipeline import i18n
from pipeline import layout as L
from pipeline.catalog.framework import Framework
from pipeline.catalog.roster import Roster
from pipeline.text import col_letter, safe_text

FIXED_DATE = dt.datetime(2026, 1, 1, 0, 0, 0)  # document dates are fixed so output is byte-stable
DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "blank_questionnaire.xlsx"



def level_choices(fw: Framework, capability: str) -> list[str]:
    """Dropdown entries for one capability scale, e.g. '3 - Terdefinisi'."""
    return [L.level_choice(fw, capability, lv) for lv in fw.levels]


def function_choices(fw: Framework) -> list[str]:
    return [s.label for s in fw.services] + [L.OTHER_FUNCTION[1]]


def write_template(fw: Framework, roster: Roster, path: Path, *, year: int | None = None,
                   deadline: str | None = None, contact: str | None = None,
                   version: str = L.TEMPLATE_VERSION) -> Path:
    """Write the blank questionnaire for ``fw`` and ``roster`` to ``path`` and return it.

    Args:
        year: pre-fills the evaluation year.
        deadline / contact: Diskominfo's deadline and contact shown on the Petunjuk sheet; without
            them the cells hold a visible placeholder to fill in before sending.
        version: the template version; :data:`layout.PREVIOUS_VERSION` writes the questionnaire OPDs
            filled before (server counts on Infrastruktur, no Server and Jaringan sheets), for tests and samples.
    The same catalog, roster and options always give the same bytes.
    """
    if version not in L.KNOWN_TEMPLATE_VERSIONS:
        raise ValueError(f"unknown template version {version!r}")
    legacy = version == L.PREVIOUS_VERSION
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"title": f"Kuesioner Penilaian Mandiri SPBE ({fw.short_name})",
                       "subject": "Evaluasi SPBE Perangkat Daerah", "author": "Diskominfo",
                       "company": "spbe-pipeline", "created": FIXED_DATE,
                       "comments": f"template {version}; framework {fw.id}"})
    wb.set_calc_mode("auto")
    f = _formats(wb)

    guide = wb.add_worksheet(L.SHEET_GUIDE)
    ident = wb.add_worksheet(L.SHEET_IDENTITY)
    assess = wb.add_worksheet(L.SHEET_ASSESSMENT)
    apps = wb.add_worksheet(L.SHEET_APPS)
    infra = wb.add_worksheet(L.SHEET_INFRA)
    tables = () if legacy else (wb.add_worksheet(L.SHEET_SERVERS), wb.add_worksheet(L.SHEET_NETWORK))
    lists = wb.add_worksheet(L.SHEET_LISTS)
    meta = wb.add_worksheet(L.SHEET_META)

    names = _write_lists(wb, lists, fw, roster, legacy)
    _write_guide(guide, fw, f, deadline, contact, version)
    _write_identity(ident, fw, f, names, year)
    _write_assessment(assess, fw, f, names, legacy)
    _write_table(apps, f, names, *TABLES[0])
    _write_infra(infra, f, names, legacy)
    for ws, table in zip(tables, TABLES[1:], strict=False):  # none in the previous version
        _write_table(ws, f, names, *table)
    for key, value in zip(L.META_KEYS, (version, fw.id, fw.fingerprint, "spbe-pipeline"), strict=False):
        meta.write_string(L.META_KEYS.index(key), 0, key)
        meta.write_string(L.META_KEYS.index(key), 1, value)
    lists.hide()
    meta.hide()
    guide.activate()
    wb.close()
    return path


def _formats(wb: xlsxwriter.Workbook) -> dict:
    base = {"font_name": "Calibri", "font_size": 10, "valign": "top", "text_wrap": True}

    def fmt(**kw: object) -> object:
        return wb.add_format({**base, **kw})

    return {
        "title": fmt(bold=True, font_size=14, text_wrap=False),
        "subtitle": fmt(italic=True, font_color="#404040", text_wrap=False),
        "h2": fmt(bold=True, font_size=11, font_color=L.HEADER_FILL, text_wrap=False),
        "header": fmt(bold=True, font_color="#FFFFFF", bg_color=L.HEADER_FILL, border=1, align="center", valign="vcenter"),
        "header_input": fmt(bold=True, bg_color="#FFD966", border=1, align="center", valign="vcenter"),
        "header_verifier": fmt(bold=True, bg_color="#A9D08E", border=1, align="center", valign="vcenter"),
        "text": fmt(border=1),
        "text_bold": fmt(border=1, bold=True),
        "plain": fmt(),
        "plain_bold": fmt(bold=True),
        "input": fmt(border=1, bg_color=L.INPUT_FILL, locked=False),
        "input_date": fmt(border=1, bg_color=L.INPUT_FILL, locked=False, num_format="dd/mm/yyyy"),
        "input_text": fmt(border=1, bg_color=L.INPUT_FILL, locked=False, num_format="@"),
        "verifier": fmt(border=1, bg_color=L.VERIFIER_FILL, locked=False),
        "diskominfo": fmt(border=1, bg_color="#DDEBF7", bold=True, locked=False),
        "na": fmt(border=1, bg_color="#D9D9D9"),
        "small": fmt(font_size=9, font_color="#595959"),
    }


def _finish(ws: object, header_row: int | None = None, **allow: bool) -> None:
    """Print setup (A4 landscape, fit to width, repeated headings) and protection without a password."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    if header_row is not None:
        ws.repeat_rows(header_row)
    ws.protect("", {"format_columns": True, "format_rows": True, **allow})


def _write_lists(wb: xlsxwriter.Workbook, ws: object, fw: Framework, roster: Roster, legacy: bool) -> dict[str, str]:
    """Write dropdown source lists to the hidden sheet; return defined names by list key."""
    columns = {
        "OPD": [o.label for o in roster.opds],
        "LevelProses": level_choices(fw, "process"),
        "LevelLayanan": level_choices(fw, "service"),
        "Fungsi": function_choices(fw),
        "Pengguna": [v[1] for v in L.USERS],
        "Pengembang": [v[1] for v in L.DEVELOPERS],
        "Hosting": [v[1] for v in L.HOSTING],
        "Status": [v[1] for v in L.STATUS],
        "YaTidak": [v[1] for v in L.YES_NO],
        **({} if legacy else {"Jenis": [v[1] for v in L.KINDS]}),
    }
    names = {}
    for c, (key, values) in enumerate(columns.items()):
        ws.write_string(0, c, key)
        for r, v in enumerate(values, start=1):
            ws.write_string(r, c, v)
        col = col_letter(c + 1)
        name = f"Daftar{key}"
        wb.define_name(name, f"='{L.SHEET_LISTS}'!${col}$2:${col}${len(values) + 1}")
        names[key] = f"={name}"
    return names


def _write_guide(ws: object, fw: Framework, f: dict, deadline: str | None, contact: str | None, version: str) -> None:
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 3, 48)
    ws.write_string(0, 1, "Kuesioner Penilaian Mandiri SPBE Perangkat Daerah", f["title"])
    ws.write_string(1, 1, f"Kerangka: {fw.regulation}", f["subtitle"])
    ws.write_string(2, 1, f"Versi templat {version} · kerangka {fw.id}", f["subtitle"])
    steps = [
        "Isi lembar Identitas: pilih nama OPD dari daftar, lalu lengkapi data petugas pengisi.",
        f"Isi lembar Penilaian: untuk setiap indikator pilih satu Level dari daftar ({fw.level_min}-{fw.level_max}), "
        "tulis Penjelasan singkat, dan sebutkan Data Dukung (nama dokumen atau tautan).",
        "Baca Kriteria Tiap Level sebelum memilih. Setiap level mensyaratkan semua level di bawahnya terpenuhi.",
        "Untuk indikator layanan publik, tulis juga Nama Layanan Publik yang dinilai (satu layanan per baris).",
        "Isi lembar Aplikasi: satu baris untuk setiap aplikasi yang dipakai OPD, termasuk aplikasi pusat.",
        "Isi lembar Infrastruktur: jaringan internet, ruang server, dan jumlah server menurut lokasinya."
        if version == L.PREVIOUS_VERSION else
        "Isi lembar Infrastruktur (ruang server), Server (satu baris per server, termasuk hosting sewaan dan cloud) "
        "dan Jaringan (satu baris per lokasi kantor).",
        "Sel berwarna kuning adalah isian OPD. Kolom hijau (Level Verifikasi, Catatan Verifikator) DIISI DISKOMINFO, "
        "jangan diisi OPD. Sel biru di bawah ini berisi batas waktu dan narahubung dari Diskominfo.",
        "Jangan mengganti nama lembar, menghapus baris indikator, atau mengubah kolom No.",
        "Simpan sebagai .xlsx tanpa kata sandi (Excel: 'Excel Workbook'; LibreOffice: 'Excel 2007-365'; WPS: "
        "'Microsoft Excel File'), beri nama berkas dengan nama OPD, lalu kirim lewat e-mail.",
    ]
    ws.write_string(4, 1, "Cara mengisi", f["h2"])
    row = 5
    for n, text in enumerate(steps, start=1):
        ws.write_number(row, 0, n, f["plain_bold"])
        ws.merge_range(row, 1, row, 3, text, f["plain"])
        ws.set_row(row, 28)
        row += 1
    row += 1
    ws.write_string(row, 1, "Batas waktu pengiriman", f["plain_bold"])
    ws.write_string(row, 2, safe_text(deadline) if deadline else "[diisi Diskominfo: tanggal]", f["diskominfo"])
    ws.write_string(row + 1, 1, "Kirim ke / narahubung", f["plain_bold"])
    ws.write_string(row + 1, 2, safe_text(contact) if contact else "[diisi Diskominfo: e-mail dan nomor telepon]",
                    f["diskominfo"])
    row += 3
    ws.write_string(row, 1, "Skala level", f["h2"])
    row += 1
    ws.write_string(row, 1, "Level", f["header"])
    ws.write_string(row, 2, "Kebijakan, tata kelola, manajemen (proses)", f["header"])
    ws.write_string(row, 3, "Layanan (aplikasi)", f["header"])
    for lv in fw.levels:
        row += 1
        ws.write_number(row, 1, lv, f["text_bold"])
        ws.write_string(row, 2, fw.level_name("process", lv), f["text"])
        ws.write_string(row, 3, fw.level_name("service", lv), f["text"])
    row += 2
    ws.write_string(row, 1, "Predikat indeks SPBE", f["h2"])
    for band in reversed(fw.bands):
        row += 1
        ws.write_string(row, 1, band.name, f["text_bold"])
        top = "≤" if band is fw.bands[-1] else "<"
        bounds = f"{float(band.min):.2f} ≤ indeks {top} {float(band.max):.2f}"
        # the decimal comma from 2026.2 on; the previous version stays as it was shipped
        ws.write_string(row, 2, bounds if version == L.PREVIOUS_VERSION else i18n.decimal(bounds, "id"), f["text"])
    _finish(ws)


def _write_identity(ws: object, fw: Framework, f: dict, names: dict, year: int | None) -> None:
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 58)
    ws.set_column(2, 2, 34)
    ws.write_string(0, 0, "Identitas OPD dan Petugas Pengisi", f["title"])
    ws.write_string(1, 0, "Isi sel berwarna kuning. Nama OPD dipilih dari daftar.", f["subtitle"])
    ws.write_string(L.HEADER_ROW - 1, 0, "Isian", f["header"])
    ws.write_string(L.HEADER_ROW - 1, 1, "Jawaban", f["header_input"])
    ws.write_string(L.HEADER_ROW - 1, 2, "Keterangan", f["header"])
    for i, field in enumerate(L.IDENTITY_FIELDS):
        r = L.HEADER_ROW + i
        ws.write_string(r, 0, field.label, f["text_bold"])
        ws.write_string(r, 2, field.hint, f["text"])
        if field.key == "date_filled":
            ws.write_blank(r, 1, None, f["input_date"])
            ws.data_validation(r, 1, r, 1, {"validate": "date", "criteria": ">=", "value": dt.date(2018, 1, 1),
                                            "input_title": "Tanggal", "input_message": "Format HH/BB/TTTT",
                                            "error_title": "Tanggal tidak valid",
                                            "error_message": "Tulis tanggal, mis. 15/03/2026.", "error_type": "warning"})
        elif field.key == "year":
            if year:
                ws.write_number(r, 1, year, f["input"])
            else:
                ws.write_blank(r, 1, None, f["input"])
            ws.data_validation(r, 1, r, 1, {"validate": "integer", "criteria": "between", "minimum": 2018,
                                            "maximum": 2100, "input_title": "Tahun evaluasi",
                                            "input_message": "Tahun penilaian, mis. 2026",
                                            "error_title": "Tahun tidak valid", "error_message": "Tulis tahun 4 angka."})
        elif field.key == "opd":
            ws.write_blank(r, 1, None, f["input"])
            ws.data_validation(r, 1, r, 1, {"validate": "list", "source": names["OPD"], "input_title": "Nama OPD",
                                            "input_message": "Pilih OPD Anda dari daftar.",
                                            "error_title": "OPD tidak ada dalam daftar",
                                            "error_message": "Pilih nama OPD dari daftar yang tersedia."})
        elif field.key in ("nip", "phone"):  # text cells: a leading zero and all 18 digits of a NIP are kept
            ws.write_blank(r, 1, None, f["input_text"])
        else:
            ws.write_blank(r, 1, None, f["input"])
    ws.freeze_panes(L.HEADER_ROW, 0)
    _finish(ws)


def _wrapped_lines(text: str, width: float) -> int:
    """Estimate how many lines ``text`` takes in a wrapped cell of ``width`` characters."""
    chars = max(1, int(width * 1.15))
    return sum(max(1, -(-len(line) // chars)) for line in text.split("\n"))


def criteria_text(fw: Framework, ind: object) -> str:
    return "\n".join(f"{lv} – {fw.level_name(ind.capability, lv)}: {text}" for lv, text in ind.levels)


def _write_assessment(ws: object, fw: Framework, f: dict, names: dict, legacy: bool = False) -> None:
    cols = L.ASSESSMENT_COLUMNS
    idx = {c.key: i for i, c in enumerate(cols)}
    widths = L.PREVIOUS_ASSESSMENT_WIDTHS if legacy else tuple(c.width for c in cols)
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    ws.write_string(0, 0, f"Penilaian Mandiri Tingkat Kematangan SPBE ({fw.short_name})", f["title"])
    ws.write_string(1, 0, "Isi kolom kuning untuk setiap indikator. Kolom hijau diisi Diskominfo saat verifikasi.",
                    f["subtitle"])
    hr = L.HEADER_ROW - 1
    for i, c in enumerate(cols):
        style = {"input": "header_input", "verifier": "header_verifier"}.get(c.kind, "header")
        ws.write_string(hr, i, c.header, f[style])
    ws.set_row(hr, 42)
    domains = {d.id: d for d in fw.domains}
    aspects = {a.id: a for a in fw.aspects}
    for n, ind in enumerate(fw.indicators):
        r = hr + 1 + n
        name = ind.name + (f" (layanan ke-{ind.service_slot})" if ind.service_slot else "")
        ws.write_string(r, idx["id"], ind.id, f["text_bold"])
        ws.write_string(r, idx["domain"], f"{ind.domain} {domains[ind.domain].name}", f["text"])
        ws.write_string(r, idx["aspect"], f"{ind.aspect} {aspects[ind.aspect].name}", f["text"])
        ws.write_string(r, idx["indicator"], name, f["text_bold"])
        question = ind.question + (f"\n\nContoh data dukung: {ind.evidence}" if ind.evidence else "")
        criteria = criteria_text(fw, ind)
        ws.write_string(r, idx["question"], question, f["text"])
        ws.write_string(r, idx["criteria"], criteria, f["text"])
        if ind.service_slot:
            ws.write_blank(r, idx["service_name"], None, f["input"])
        else:
            ws.write_blank(r, idx["service_name"], None, f["na"])
        for key in ("level", "explanation", "evidence"):
            ws.write_blank(r, idx[key], None, f["input"])
        for key in ("verified", "verifier_note"):
            ws.write_blank(r, idx[key], None, f["verifier"])
        source = names["LevelLayanan" if ind.capability == "service" else "LevelProses"]
        for key, who in (("level", "OPD"), ("verified", "verifikator Diskominfo")):
            ws.data_validation(r, idx[key], r, idx[key], {
                "validate": "list", "source": source, "input_title": f"Level indikator {ind.id}",
                "input_message": f"Pilih level {fw.level_min}-{fw.level_max} ({who}).",
                "error_title": "Level tidak valid",
                "error_message": f"Pilih salah satu level {fw.level_min}-{fw.level_max} dari daftar."})
        lines = max(_wrapped_lines(criteria, widths[idx["criteria"]]), _wrapped_lines(question, widths[idx["question"]]))
        ws.set_row(r, min(409, 13 * lines + 6))
    ws.freeze_panes(L.HEADER_ROW, idx["indicator"] + 1)
    last = hr + len(fw.indicators)
    ws.autofilter(hr, 0, last, len(cols) - 1)
    _finish(ws, hr, autofilter=True, sort=False)
    if legacy:  # the previous version as shipped: A4, fitted to the width
        return
    ws.set_paper(8)  # A3: twelve columns of criteria and answers stay readable (about 8 pt) on one page width
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


# per table sheet: title, note, columns, rows offered, dropdowns (column key -> list, error type, message), number
# columns (key -> message), and the first column that stays in view
TABLES: tuple[tuple, ...] = (
    ("Daftar Aplikasi yang Digunakan OPD",
     "Satu baris untuk setiap aplikasi (termasuk aplikasi dari pusat). Baris boleh ditambah.", L.APP_COLUMNS,
     L.APP_INPUT_ROWS, {"function": ("Fungsi", "warning", "Pilih fungsi; untuk fungsi lain tulis 'Lainnya: ...'."),
                        "users": ("Pengguna", "warning", "Siapa pengguna aplikasi."),
                        "developer": ("Pengembang", "warning", "Siapa yang membangun aplikasi."),
                        "hosting": ("Hosting", "warning", "Di mana server aplikasi berada."),
                        "status": ("Status", "stop", "Aktif atau tidak aktif.")}, {}, 2),
    ("Daftar Server OPD", "Satu baris untuk setiap server atau instans yang dipakai OPD, termasuk hosting sewaan dan "
     "cloud. Isi angka saja (vCPU, RAM dan penyimpanan dalam GB, biaya dalam rupiah). Baris boleh ditambah.",
     L.SERVER_TABLE, L.SERVER_INPUT_ROWS,
     {"hosting": ("Hosting", "warning", "Di mana server berada."), "kind": ("Jenis", "warning", "Jenis server."),
      "backup": ("YaTidak", "warning", "Apakah data server dicadangkan?")},
     {"vcpu": "Jumlah vCPU/core, mis. 8.", "ram": "RAM dalam GB, mis. 16.", "storage": "Penyimpanan dalam GB.",
      "year": "Tahun 4 angka, mis. 2019.", "rent": "Rupiah per bulan, mis. 2500000."}, 2),
    ("Jaringan Internet per Lokasi Kantor", "Satu baris untuk setiap lokasi kantor OPD (kantor utama, UPTD, cabang). "
     "Baris boleh ditambah.", L.NETWORK_TABLE, L.NETWORK_INPUT_ROWS,
     {"intranet": ("YaTidak", "warning", "Terhubung ke jaringan intra Pemprov (intranet/VPN)?")},
     {"bandwidth": "Mbps, mis. 50.", "cost": "Rupiah per bulan.", "outages": "Jumlah gangguan, mis. 2.",
      "users": "Jumlah pegawai/pengguna di lokasi."}, 2),
)


def _write_table(ws: object, f: dict, names: dict, title: str, note: str, cols: tuple[L.Column, ...], n_rows: int,
                 lists: dict, numbers: dict, freeze: int) -> None:
    """A sheet with one table the OPD fills a row at a time (Aplikasi, Server, Jaringan); rows may be inserted."""
    for i, c in enumerate(cols):
        ws.set_column(i, i, c.width)
    ws.write_string(0, 0, title, f["title"])
    ws.write_string(1, 0, note, f["subtitle"])
    hr = L.HEADER_ROW - 1
    for i, c in enumerate(cols):
        ws.write_string(hr, i, c.header, f["header_input" if c.kind == "input" else "header"])
    ws.set_row(hr, 30 if cols is L.APP_COLUMNS else 54)
    first, last = hr + 1, hr + n_rows
    for n in range(n_rows):
        r = first + n
        ws.write_number(r, 0, n + 1, f["text"])
        for i in range(1, len(cols)):
            ws.write_blank(r, i, None, f["input"])
    for i, c in enumerate(cols):
        if c.key in lists:
            key, etype, msg = lists[c.key]
            ws.data_validation(first, i, last, i, {"validate": "list", "source": names[key],
                                                   "input_title": c.header[:32], "input_message": msg,
                                                   "error_title": c.header[:32],
                                                   "error_message": "Pilih dari daftar.", "error_type": etype})
        elif c.key in numbers:
            ws.data_validation(first, i, last, i, {"validate": "decimal", "criteria": ">=", "value": 0,
                                                   "input_title": c.header[:32], "input_message": numbers[c.key],
                                                   "error_message": "Tulis angka saja.", "error_type": "warning"})
    ws.freeze_panes(L.HEADER_ROW, freeze)
    _finish(ws, hr, insert_rows=True, delete_rows=True)


def _write_infra(ws: object, f: dict, names: dict, legacy: bool) -> None:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 40)
    ws.write_string(0, 0, "Infrastruktur Jaringan dan Server", f["title"])
    ws.write_string(1, 0, "Isi sel kuning. Data ini dipakai Diskominfo merencanakan pusat data provinsi.", f["subtitle"])
    hr = L.HEADER_ROW - 1
    ws.write_string(hr, 0, "Isian", f["header"])
    ws.write_string(hr, 1, "Jawaban", f["header_input"])
    ws.write_string(hr, 2, "Keterangan", f["header"])
    fields = [field for field in L.INFRA_FIELDS if legacy or not field.legacy]
    for i, field in enumerate(fields):
        r = hr + 1 + i
        ws.write_string(r, 0, field.label, f["text_bold"])
        ws.write_blank(r, 1, None, f["input"])
        ws.write_string(r, 2, field.hint, f["text"])
        if field.key == "server_room":
            ws.data_validation(r, 1, r, 1, {"validate": "list", "source": names["YaTidak"],
                                            "error_message": "Pilih Ya atau Tidak."})
        if field.key == "bandwidth":
            ws.data_validation(r, 1, r, 1, {"validate": "decimal", "criteria": ">=", "value": 0,
                                            "error_message": "Tulis angka Mbps, mis. 50.", "error_type": "warning"})
    if not legacy:  # servers and office sites have sheets of their own
        _finish(ws)
        return
    r = hr + len(fields) + 2
    ws.write_string(r, 0, L.SERVER_TABLE_TITLE, f["h2"])
    r += 1
    for i, c in enumerate(L.SERVER_COLUMNS):
        ws.write_string(r, i, c.header, f["header_input" if c.kind == "input" else "header"])
    for _key, label, _ in L.HOSTING:
        r += 1
        ws.write_string(r, 0, label, f["text_bold"])
        ws.write_blank(r, 1, None, f["input"])
        ws.write_blank(r, 2, None, f["input"])
        ws.data_validation(r, 1, r, 1, {"validate": "integer", "criteria": ">=", "value": 0,
                                        "error_message": "Tulis jumlah server (angka bulat).", "error_type": "warning"})
    _finish(ws)
