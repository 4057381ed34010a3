"""Findings: problems found in submitted files, as data (never raised).

Every finding has a stable kebab-case code from :data:`CODES`, a severity, a location
(file, sheet, A1 cell), the value found, what was expected, and a message and fix hint in
Bahasa Indonesia (``lang="id"``, the default) or English (``lang="en"``).

Severities:
* ``error``: the file is rejected (it cannot be attributed or read);
* ``incomplete``: one answer cannot be used; that indicator is scored at the lowest level of
  the scale and the submission is marked *tidak lengkap*;
* ``warning``: something was coerced or looks inconsistent; the score is not affected.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

ERROR, INCOMPLETE, WARNING = "error", "incomplete", "warning"
SEVERITY_ORDER = {ERROR: 0, INCOMPLETE: 1, WARNING: 2}
SEVERITY_LABEL = {
    "id": {ERROR: "GALAT", INCOMPLETE: "TIDAK LENGKAP", WARNING: "CATATAN"},
    "en": {ERROR: "ERROR", INCOMPLETE: "INCOMPLETE", WARNING: "WARNING"},
}


@dataclass(frozen=True)
class Code:
    severity: str
    message_id: str
    message_en: str
    hint_id: str
    hint_en: str


def _c(sev: str, mid: str, men: str, hid: str, hen: str) -> Code:
    return Code(sev, mid, men, hid, hen)


RESAVE_ID = "Buka berkas di Excel/LibreOffice/WPS, pilih Simpan Sebagai > Excel Workbook (.xlsx), lalu kirim ulang."
RESAVE_EN = "Open the file in Excel/LibreOffice/WPS, choose Save As > Excel Workbook (.xlsx) and send it again."
TEMPLATE_ID = "Isi ulang jawaban pada templat kuesioner resmi (blank_questionnaire.xlsx) lalu kirim ulang."
TEMPLATE_EN = "Fill in the official questionnaire template (blank_questionnaire.xlsx) and send it again."

CODES: dict[str, Code] = {
    # ---- the file itself
    "office-lock-file": _c(ERROR, "Berkas kunci Office (~$...), bukan kuesioner; diabaikan.",
                           "Office lock file (~$...), not a questionnaire; ignored.",
                           "Tidak perlu tindakan; berkas ini dibuat otomatis saat dokumen sedang dibuka.",
                           "Nothing to do; Office creates this file while a document is open."),
    "empty-file": _c(ERROR, "Berkas kosong (0 bita).", "The file is empty (0 bytes).",
                     "Lampiran mungkin gagal terkirim; minta OPD mengirim ulang berkasnya.",
                     "The attachment may have failed; ask the OPD to send the file again."),
    "file-too-large": _c(ERROR, "Berkas terlalu besar ({found}); batas {expected}.", "The file is too large ({found}); the limit is {expected}.",
                         "Hapus gambar/lampiran yang disisipkan di lembar kerja, lalu kirim ulang.",
                         "Remove pictures or embedded objects from the workbook and send it again."),
    "legacy-xls-format": _c(ERROR, "Format Excel 97-2003 (.xls) tidak dibaca.", "Excel 97-2003 (.xls) format is not read.", RESAVE_ID, RESAVE_EN),
    "xlsb-format": _c(ERROR, "Format Excel Binary Workbook (.xlsb) tidak dibaca.", "Excel Binary Workbook (.xlsb) format is not read.", RESAVE_ID, RESAVE_EN),
    "ods-format": _c(ERROR, "Format OpenDocument (.ods) tidak dibaca.", "OpenDocument (.ods) format is not read.", RESAVE_ID, RESAVE_EN),
    "encrypted-file": _c(ERROR, "Berkas dilindungi kata sandi (terenkripsi) sehingga tidak dapat dibaca.",
                         "The file is password-protected (encrypted) and cannot be read.",
                         "Buka berkas, hapus kata sandi (File > Info > Protect Workbook > Encrypt with Password, kosongkan), simpan, lalu kirim ulang.",
                         "Open the file, remove the password (File > Info > Protect Workbook > Encrypt with Password, clear it), save and send it again."),
    "strict-open-xml": _c(ERROR, "Berkas disimpan sebagai 'Strict Open XML Spreadsheet', yang tidak dibaca.",
                          "The file was saved as 'Strict Open XML Spreadsheet', which is not read.", RESAVE_ID, RESAVE_EN),
    "html-not-workbook": _c(ERROR, "Isi berkas adalah halaman HTML yang diberi akhiran Excel, bukan buku kerja.",
                            "The file is an HTML page with an Excel extension, not a workbook.", TEMPLATE_ID, TEMPLATE_EN),
    "csv-not-workbook": _c(ERROR, "Isi berkas adalah teks/CSV, bukan buku kerja Excel.", "The file is text/CSV, not an Excel workbook.", TEMPLATE_ID, TEMPLATE_EN),
    "xml-not-workbook": _c(ERROR, "Isi berkas adalah XML (mis. 'XML Spreadsheet 2003'), bukan buku kerja .xlsx.",
                           "The file is XML (e.g. 'XML Spreadsheet 2003'), not an .xlsx workbook.", RESAVE_ID, RESAVE_EN),
    "zip-archive": _c(ERROR, "Berkas adalah arsip ZIP ({found}), bukan buku kerja.", "The file is a ZIP archive ({found}), not a workbook.",
                      "Ekstrak arsip dan letakkan berkas .xlsx di dalamnya langsung di folder input/.",
                      "Extract the archive and put the .xlsx files it holds directly in input/."),
    "pdf-not-workbook": _c(ERROR, "Berkas adalah dokumen PDF, bukan buku kerja.", "The file is a PDF document, not a workbook.",
                           "Kirim kuesioner dalam bentuk .xlsx; PDF hanya untuk data dukung.", "Send the questionnaire as .xlsx; PDF is only for evidence."),
    "image-not-workbook": _c(ERROR, "Berkas adalah gambar ({found}), bukan buku kerja.", "The file is an image ({found}), not a workbook.", TEMPLATE_ID, TEMPLATE_EN),
    "unknown-format": _c(ERROR, "Format berkas tidak dikenali.", "The file format is not recognised.", TEMPLATE_ID, TEMPLATE_EN),
    "corrupt-workbook": _c(ERROR, "Buku kerja rusak atau terpotong: {found}.", "The workbook is corrupt or truncated: {found}.",
                           "Buka berkas di Excel; jika bisa dibuka, simpan ulang sebagai .xlsx. Jika tidak, kirim ulang dari berkas asli.",
                           "Open it in Excel; if it opens, save it again as .xlsx. Otherwise send the original again."),
    "zip-bomb": _c(ERROR, "Isi berkas mengembang tidak wajar saat dibuka ({found}); batas {expected}. Berkas tidak dibaca demi keamanan.",
                   "The file expands abnormally when unpacked ({found}); the limit is {expected}. Not read, for safety.",
                   "Kirim ulang kuesioner asli; jangan mengirim berkas yang dibuat program lain.", "Send the original questionnaire again."),
    "xml-dtd-forbidden": _c(ERROR, "Bagian XML '{found}' memuat deklarasi DTD/entitas yang tidak diizinkan. Berkas tidak dibaca demi keamanan.",
                            "XML part '{found}' holds a DTD/entity declaration, which is not allowed. Not read, for safety.",
                            "Simpan ulang berkas dengan Excel/LibreOffice, lalu kirim ulang.", "Save the file again with Excel/LibreOffice and send it again."),
    "duplicate-zip-member": _c(ERROR, "Arsip buku kerja memuat bagian ganda '{found}'; isi berkas ambigu.",
                               "The workbook archive holds duplicated part '{found}'; its content is ambiguous.",
                               "Simpan ulang berkas dengan Excel/LibreOffice, lalu kirim ulang.", "Save the file again with Excel/LibreOffice and send it again."),
    "resource-limit": _c(ERROR, "Pembacaan berkas melampaui batas {found}; berkas dihentikan.",
                         "Reading the file exceeded the {found} limit and was stopped.",
                         "Hapus isi di luar tabel kuesioner (baris/kolom jauh di bawah/kanan), simpan, lalu kirim ulang.",
                         "Delete content outside the questionnaire tables, save and send it again."),
    "sheet-too-large": _c(ERROR, "Lembar '{sheet}' memuat {found} sel; batas {expected}.", "Sheet '{sheet}' holds {found} cells; the limit is {expected}.",
                          "Hapus isi di luar tabel kuesioner, simpan, lalu kirim ulang.", "Delete content outside the questionnaire tables, save and send again."),
    "macro-workbook": _c(WARNING, "Buku kerja memuat makro (VBA). Makro tidak pernah dijalankan; hanya nilai sel yang dibaca.",
                         "The workbook contains macros (VBA). Macros are never run; only cell values are read.",
                         "Lain kali simpan sebagai .xlsx (tanpa makro).", "Next time save as .xlsx (without macros)."),
    "external-link": _c(WARNING, "Buku kerja memuat tautan ke berkas lain ({found}); tautan diabaikan.",
                        "The workbook links to other files ({found}); the links are ignored.",
                        "Ketik nilai langsung, jangan merujuk ke berkas lain.", "Type values directly rather than referring to other files."),
    # ---- structure and template
    "not-a-questionnaire": _c(ERROR, "Buku kerja ini bukan kuesioner SPBE: tidak ada metadata templat maupun nomor indikator (lembar: {found}).",
                              "This workbook is not the SPBE questionnaire: no template metadata and no indicator numbers (sheets: {found}).", TEMPLATE_ID, TEMPLATE_EN),
    "missing-sheet": _c(ERROR, "Lembar '{expected}' tidak ditemukan (lembar yang ada: {found}).", "Sheet '{expected}' was not found (sheets present: {found}).",
                        "Jangan menghapus atau mengganti nama lembar kuesioner; gunakan templat resmi.", "Do not delete or rename questionnaire sheets; use the official template."),
    "missing-optional-sheet": _c(WARNING, "Lembar '{expected}' tidak ditemukan; bagian ini dianggap kosong.", "Sheet '{expected}' was not found; this part is treated as empty.",
                                 "Gunakan templat resmi yang memuat lembar ini.", "Use the official template, which has this sheet."),
    "missing-column": _c(ERROR, "Judul kolom '{expected}' tidak ditemukan di baris judul lembar '{sheet}'.", "Column heading '{expected}' was not found in the heading row of sheet '{sheet}'.",
                         "Jangan menghapus atau mengganti judul kolom pada templat.", "Do not delete or rename the template's column headings."),
    "missing-metadata": _c(WARNING, "Lembar metadata templat tidak ada; kerangka dikenali dari daftar indikator ({found}).",
                           "The template metadata sheet is missing; the framework was recognised from the indicator list ({found}).",
                           "Gunakan templat resmi terbaru.", "Use the latest official template."),
    "framework-mismatch": _c(ERROR, "Kuesioner memakai kerangka '{found}', sedangkan penilaian ini memakai '{expected}'.",
                             "The questionnaire uses framework '{found}', this evaluation uses '{expected}'.",
                             "Isi kuesioner dengan templat kerangka yang benar, atau jalankan dengan --framework yang sesuai.",
                             "Fill in the template of the right framework, or run with the matching --framework."),
    "unknown-template-version": _c(ERROR, "Versi templat '{found}' tidak dikenal (dikenal: {expected}).", "Template version '{found}' is unknown (known: {expected}).",
                                   TEMPLATE_ID, TEMPLATE_EN),
    "fingerprint-mismatch": _c(ERROR, "Daftar indikator templat (sidik {found}) tidak sama dengan katalog (sidik {expected}).",
                               "The template's indicator list (fingerprint {found}) differs from the catalog's ({expected}).", TEMPLATE_ID, TEMPLATE_EN),
    "hidden-sheet": _c(WARNING, "Lembar '{sheet}' tersembunyi tetapi berisi jawaban; jawaban tetap dibaca.", "Sheet '{sheet}' is hidden but holds answers; they are read.",
                       "Tampilkan kembali lembar (klik kanan tab > Unhide) agar jawaban terlihat saat diperiksa.", "Unhide the sheet so that reviewers see the answers."),
    # ---- identity
    "opd-missing": _c(ERROR, "Nama OPD tidak diisi pada lembar Identitas.", "The OPD is not filled in on the Identitas sheet.",
                      "Pilih nama OPD dari daftar pada sel {cell} lembar Identitas.", "Choose the OPD from the dropdown in cell {cell} of the Identitas sheet."),
    "opd-unknown": _c(ERROR, "OPD '{found}' tidak ada dalam daftar OPD.", "OPD '{found}' is not in the OPD roster.",
                      "Pilih nama OPD dari daftar (dropdown), jangan mengetik sendiri.", "Choose the OPD from the dropdown instead of typing it."),
    "opd-filename-mismatch": _c(WARNING, "Nama berkas menunjuk OPD '{found}', tetapi isi berkas menyebut OPD '{expected}'. Isi berkas yang dipakai.",
                                "The file name points to OPD '{found}' but the content names OPD '{expected}'. The content is used.",
                                "Periksa apakah berkas terkirim oleh OPD yang benar.", "Check that the right OPD sent this file."),
    "identity-field-missing": _c(WARNING, "Isian '{expected}' pada lembar Identitas kosong.", "Field '{expected}' on the Identitas sheet is empty.",
                                 "Lengkapi isian pada sel {cell}.", "Fill in cell {cell}."),
    "nip-invalid": _c(WARNING, "NIP '{found}' tidak terdiri dari 18 angka.", "NIP '{found}' is not 18 digits.",
                      "Tulis NIP 18 angka tanpa spasi; format sel sebagai Teks agar angka nol di depan tidak hilang.",
                      "Write the 18-digit NIP without spaces; format the cell as Text so leading zeros are kept."),
    "date-invalid": _c(WARNING, "Tanggal pengisian '{found}' tidak dapat dibaca sebagai tanggal.", "Date filled '{found}' cannot be read as a date.",
                       "Tulis tanggal sebagai tanggal Excel atau HH/BB/TTTT.", "Write the date as an Excel date or DD/MM/YYYY."),
    "year-mismatch": _c(WARNING, "Tahun evaluasi pada berkas {found}, tetapi penilaian ini untuk tahun {expected}.",
                        "The file's evaluation year is {found}, this evaluation is for {expected}.",
                        "Periksa tahun evaluasi pada lembar Identitas.", "Check the evaluation year on the Identitas sheet."),
    # ---- answers (Penilaian)
    "indicator-missing": _c(INCOMPLETE, "Baris indikator {expected} tidak ditemukan; indikator dinilai pada level terendah.",
                            "The row of indicator {expected} was not found; it is scored at the lowest level.",
                            "Jangan menghapus baris indikator; salin baris dari templat resmi dan isi levelnya.", "Do not delete indicator rows; copy the row from the template and fill it in."),
    "indicator-duplicate": _c(INCOMPLETE, "Indikator {found} muncul lebih dari sekali (baris {detail}); jawaban tidak dapat dipastikan.",
                              "Indicator {found} appears more than once (rows {detail}); the answer is ambiguous.",
                              "Hapus baris indikator yang ganda, sisakan satu.", "Delete the duplicated indicator row and keep one."),
    "indicator-unknown": _c(WARNING, "Baris dengan nomor indikator '{found}' tidak dikenal dalam kerangka; baris diabaikan.",
                            "Row with indicator number '{found}' is not in the framework; it is ignored.",
                            "Hapus baris tambahan atau perbaiki nomor indikator di kolom No.", "Delete the extra row or correct the indicator number."),
    "level-blank": _c(INCOMPLETE, "Level indikator {detail} belum diisi; indikator dinilai pada level terendah.", "The level of indicator {detail} is blank; it is scored at the lowest level.",
                      "Pilih level dari daftar pada sel {cell}.", "Choose a level from the dropdown in cell {cell}."),
    "level-unparseable": _c(INCOMPLETE, "Level '{found}' tidak dapat dibaca; yang diharapkan bilangan bulat {expected} atau pilihan dari daftar.",
                            "Level '{found}' cannot be read; expected a whole number {expected} or a dropdown choice.",
                            "Pilih level dari daftar pada sel {cell}; jangan mengetik teks bebas.", "Choose a level from the dropdown in cell {cell}; do not type free text."),
    "level-out-of-range": _c(INCOMPLETE, "Level {found} di luar skala; yang diharapkan {expected}.", "Level {found} is outside the scale; expected {expected}.",
                             "Pilih level dari daftar pada sel {cell}.", "Choose a level from the dropdown in cell {cell}."),
    "level-formula": _c(INCOMPLETE, "Sel level berisi rumus ({found}); rumus tidak dibaca sebagai jawaban.", "The level cell holds a formula ({found}); formulas are not read as answers.",
                        "Ganti rumus dengan level yang dipilih dari daftar.", "Replace the formula with a level chosen from the dropdown."),
    "level-error-value": _c(INCOMPLETE, "Sel level berisi nilai galat {found}.", "The level cell holds the error value {found}.",
                            "Ganti isi sel dengan level yang dipilih dari daftar.", "Replace the cell content with a level from the dropdown."),
    "level-coerced": _c(WARNING, "Level '{found}' dibaca sebagai {expected}.", "Level '{found}' was read as {expected}.",
                        "Lain kali pilih level dari daftar (dropdown).", "Next time choose the level from the dropdown."),
    "verified-level-invalid": _c(WARNING, "Level verifikasi '{found}' tidak dapat dipakai (yang diharapkan level {expected}); level mandiri OPD yang dipakai.",
                                 "Verified level '{found}' cannot be used (expected a level {expected}); the OPD's own level is used.",
                                 "Verifikator Diskominfo: perbaiki level verifikasi pada sel {cell}.", "Diskominfo verifier: correct the verified level in cell {cell}."),
    "merged-answer-cell": _c(WARNING, "Sel jawaban {cell} digabung (merge) dengan {found}; nilai sel kiri-atas yang dipakai.",
                             "Answer cell {cell} is merged with {found}; the top-left value is used.",
                             "Batalkan penggabungan sel (Unmerge) pada kolom jawaban.", "Unmerge the cells in the answer column."),
    "service-name-missing": _c(WARNING, "Nama layanan publik untuk indikator {detail} belum diisi.", "The public service name for indicator {detail} is blank.",
                               "Tulis nama layanan publik pada sel {cell}.", "Write the public service name in cell {cell}."),
    "evidence-missing": _c(WARNING, "Indikator {detail} mengklaim level {found} tetapi tidak menyebut data dukung.",
                           "Indicator {detail} claims level {found} but names no evidence.",
                           "Sebutkan nama dokumen atau tautan data dukung pada sel {cell}.", "Name the evidence documents or links in cell {cell}."),
    "service-without-application": _c(WARNING, "Indikator layanan {detail} bernilai level {found}, tetapi lembar Aplikasi tidak memuat aplikasi aktif untuk layanan '{expected}'.",
                                      "Service indicator {detail} is at level {found}, but the Aplikasi sheet lists no active application for '{expected}'.",
                                      "Daftarkan aplikasi layanan ini pada lembar Aplikasi, atau tinjau kembali levelnya.", "List the application on the Aplikasi sheet, or review the level."),
    "application-with-low-level": _c(WARNING, "Aplikasi aktif '{found}' melayani '{expected}', tetapi levelnya rendah: indikator {detail}.",
                                     "Active application '{found}' serves '{expected}', but its level is low: indicator {detail}.",
                                     "Tinjau kembali level indikator layanan ini.", "Review the level of this service indicator."),
    "text-truncated": _c(WARNING, "Teks sepanjang {found} karakter dipotong menjadi {expected}.", "A text of {found} characters was cut to {expected}.",
                         "Ringkas teks; lampirkan uraian panjang sebagai dokumen data dukung.", "Shorten the text; attach long explanations as evidence documents."),
    "control-characters": _c(WARNING, "Teks berisi karakter kontrol yang tidak dapat ditampilkan; karakter itu dihapus.",
                             "The text holds control characters that cannot be displayed; they were removed.",
                             "Ketik ulang teks, jangan menempel dari aplikasi lain.", "Retype the text rather than pasting it from another program."),
    # ---- inventory (Aplikasi, Infrastruktur)
    "application-name-missing": _c(WARNING, "Baris aplikasi berisi data tetapi nama aplikasi kosong; baris diabaikan.",
                                   "An application row has data but no application name; the row is ignored.",
                                   "Isi nama aplikasi pada sel {cell}.", "Fill in the application name in cell {cell}."),
    "vocabulary-coerced": _c(WARNING, "Isian '{found}' dibaca sebagai '{expected}'.", "Entry '{found}' was read as '{expected}'.",
                             "Lain kali pilih dari daftar (dropdown).", "Next time choose from the dropdown."),
    "vocabulary-unknown": _c(WARNING, "Isian '{found}' tidak ada dalam daftar pilihan ({expected}); disimpan sebagai 'lainnya'.",
                             "Entry '{found}' is not one of the choices ({expected}); kept as 'other'.",
                             "Pilih dari daftar (dropdown) atau tulis 'Lainnya: ...'.", "Choose from the dropdown or write 'Lainnya: ...'."),
    "number-invalid": _c(WARNING, "Isian '{found}' bukan angka yang valid (yang diharapkan: {expected}).", "Entry '{found}' is not a valid number (expected: {expected}).",
                         "Tulis angka saja pada sel {cell}.", "Write a number only in cell {cell}."),
    "server-room-inconsistent": _c(WARNING, "OPD menyatakan tidak memiliki ruang server, tetapi {found} tercatat di 'Ruang server OPD sendiri'.",
                                   "The OPD states it has no server room, but {found} are listed at 'Ruang server OPD sendiri'.",
                                   "Periksa isian ruang server (sel {cell}) atau lokasi hosting aplikasi dan server.",
                                   "Check the server-room answer (cell {cell}) or the hosting of the applications and servers."),
    "rows-beyond-table": _c(WARNING, "Ada {found} baris aplikasi di bawah akhir tabel; baris tersebut tetap dibaca.",
                            "{found} application rows lie below the end of the table; they are read too.",
                            "Sisipkan baris di dalam tabel, bukan di bawahnya.", "Insert rows inside the table, not below it."),
}

OUTCOME_LABEL = {
    "id": {"accepted": "DITERIMA", "accepted-with-notes": "DITERIMA DENGAN CATATAN",
           "accepted-incomplete": "DITERIMA - TIDAK LENGKAP", "superseded": "DIGANTIKAN", "rejected": "DITOLAK"},
    "en": {"accepted": "ACCEPTED", "accepted-with-notes": "ACCEPTED WITH WARNINGS",
           "accepted-incomplete": "ACCEPTED - INCOMPLETE", "superseded": "SUPERSEDED", "rejected": "REJECTED"},
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One located problem in one submitted file."""

    code: str
    file: str
    sheet: str = ""
    cell: str = ""
    found: str = ""
    expected: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise KeyError(f"unknown finding code {self.code!r}")

    def __reduce__(self) -> tuple:
        # rebuild through __init__ when a finding comes back from a reader process, so its code is checked again
        return (_finding, (self.code, self.file, self.sheet, self.cell, self.found, self.expected, self.detail))

    @property
    def severity(self) -> str:
        return CODES[self.code].severity

    def _fields(self) -> dict[str, str]:
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell or "-", "found": self.found,
                "expected": self.expected, "detail": self.detail}

    def message(self, lang: str = "id") -> str:
        c = CODES[self.code]
        return (c.message_en if lang == "en" else c.message_id).format(**self._fields())

    def hint(self, lang: str = "id") -> str:
        c = CODES[self.code]
        return (c.hint_en if lang == "en" else c.hint_id).format(**self._fields())

    @property
    def location(self) -> str:
        return "!".join(p for p in (self.sheet, self.cell) if p)

    def sort_key(self) -> tuple:
        return (self.file, SEVERITY_ORDER[self.severity], self.sheet, _cell_key(self.cell), self.code, self.found)


def _finding(code: str, file: str, sheet: str, cell: str, found: str, expected: str, detail: str) -> Finding:
    # interning the repeated parts (codes, file and sheet names, addresses) keeps a 20,000-file batch small
    i = sys.intern
    return Finding(i(code), i(file), i(sheet), i(cell), found, expected, detail)


def _cell_key(cell: str) -> tuple[int, int]:
    """Sort A1 references by row then column (so A10 comes after A9)."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return (int(digits) if digits else 0, col)
