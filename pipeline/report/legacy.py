"""Write the consolidated workbook that officials open: ranking, gaps, validation and inventory.

Sheets, in order: Ringkasan, Peringkat, Matriks, one gap sheet per OPD (named from the OPD code),
Validasi, Berkas, Belum Mengirim, Aplikasi, Aplikasi Bersama, Hosting & Pusat Data, Layanan vs
Aplikasi, Data (English names when ``result.lang == "en"``; every UI string is in :data:`UI`).

Numbers and rounding (decided once, here):

* Every number is a number cell with a number format; never text. Indices use "0.00", levels "0".
* An exact index is stored as :func:`stored`: the value rounded half-up to 6 decimals (so the cell
  equals the exact value to 6 decimals), adjusted so that any spreadsheet showing it with 2 decimals
  shows exactly :func:`pipeline.framework.display`. Two traps are closed: (1) rounding to 6 decimals
  first could carry a value such as 2.6449996 onto the 2.645 boundary, so it is kept just below
  (2.644999); (2) the binary float nearest 2.645 is 2.64499999999999990..., which a renderer that
  rounds the binary value would show as 2.64, so the next float up is stored instead (the stored
  binary value is then > 2.645 and every renderer shows 2.65; exact binary ties such as 0.125 are
  stepped up the same way, for renderers that round half to even). Tests render a workbook with
  LibreOffice and compare the printed texts with ``display()``.
* Weights are stored as the nearest float of the exact weight (3.3333333333333335, shown "0.0000");
  the exact fraction is written next to them as text ("10/3").
* Formulas (what-if planned index, gap per row, index in Matriks) are written with their computed
  value cached, so viewers that do not recalculate show the right number.

Input-derived text always goes through :func:`pipeline.textutil.clean_text` and ``write_string``
(text starting with "=", "+", "-" or "@" stays text); every xlsxwriter write return code is checked.
The workbook is written to a temporary file next to the target, verified by reopening it and
renamed into place (:func:`write_report`), so a failure never leaves a half-written file.
"""

from __future__ import annotations

import array
import bisect
import dataclasses
import datetime as dt
import functools
import io
import itertools
import math
import multiprocessing
import os
import pickle
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import _preserve_whitespace, _utf16_len, xl_col_to_name, xl_range, xl_range_formula
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from pipeline import inventory as inv
from pipeline import layout as L
from pipeline import xlsxfast
from pipeline.batch import BatchResult, LazyGaps, exact
from pipeline.errors import OutputError
from pipeline.findings import OUTCOME_LABEL, SEVERITY_LABEL, Finding
from pipeline.framework import Framework, display, round_half_up
from pipeline.sandbox import tune_gc
from pipeline.scoring import (
    SOURCE_MISSING,
    TARGET_INDEX,
    TARGET_LEVELS,
    TARGET_NEXT_BAND,
    TARGET_TOP_BAND,
    Gap,
    ProvinceSummary,
    Score,
    Targets,
    predikat_of,
)
from pipeline.template import HEADER_FILL, INPUT_FILL
from pipeline.textutil import a1, clean_text, col_letter

FIXED_DATE = dt.datetime(2026, 1, 1, 0, 0, 0)  # document dates are fixed so output is byte-stable
STORE_PLACES = 6
DEFAULT_PER_OPD_LIMIT = 100
OPD_FOLDER = "opd"
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
# Above this many scored OPDs the main workbook is written in xlsxwriter's constant_memory mode (rows streamed
# to temporary files, every sheet written row by row); below it everything stays in memory (no temporary files).
CONSTANT_MEMORY_ABOVE = 2000
# Charts with one bar per OPD are drawn only up to this many bars (beyond, a note points to the table).
CHART_MAX_OPDS = 60
# Per-OPD workbooks are written by a process pool (all cores) from this many on; fewer are written inline.
POOL_MIN_WORKBOOKS = 40
RAW_SPOOL_BYTES = 16 * 2**20  # rows of a streamed sheet stay in memory up to this size, then spill to disk
ZIP_LEVEL = 1  # deflate level of the workbooks written with xlsxwriter (see _Workbook)
XLS_STRMAX = 32767  # Excel's longest cell text, in UTF-16 units

# ---------------------------------------------------------------- UI strings (one dict per language)

UI: dict[str, dict[str, str]] = {
    "id": {
        "sheet_summary": "Ringkasan", "sheet_ranking": "Peringkat", "sheet_matrix": "Matriks",
        "sheet_validation": "Validasi", "sheet_files": "Berkas", "sheet_missing": "Belum Mengirim", "sheet_data": "Data",
        "sheet_apps": "Aplikasi", "sheet_shared": "Aplikasi Bersama", "sheet_hosting": "Hosting & Pusat Data",
        "sheet_services": "Layanan vs Aplikasi",
        "title": "Rekapitulasi Tingkat Kematangan SPBE Perangkat Daerah Tahun {year}",
        "framework_line": "Kerangka penilaian: {regulation}",
        "rule_line": "Predikat ditetapkan dari indeks {rule}; angka ditampilkan 2 desimal (pembulatan setengah ke atas).",
        "rule_unrounded": "tanpa pembulatan", "rule_rounded": "yang dibulatkan 2 desimal",
        "province_average": "Rata-rata indeks SPBE provinsi", "average_of": "Rata-rata dari {n} OPD yang dinilai.",
        "no_scores": "Belum ada OPD yang dinilai.",
        "key_figures": "Angka kunci", "figure": "Uraian", "count": "Jumlah",
        "n_roster": "OPD dalam daftar", "n_files": "Berkas ditemukan di folder input",
        "n_accepted": "Berkas diterima (dipakai)", "n_superseded": "Berkas digantikan berkas yang lebih baru",
        "n_rejected": "Berkas ditolak", "n_submitted": "OPD sudah mengirim (dinilai)",
        "n_missing": "OPD belum mengirim", "n_complete": "Penilaian lengkap", "n_incomplete": "Penilaian tidak lengkap",
        "n_verified": "Penilaian terverifikasi Diskominfo",
        "how_to_read": "Cara membaca",
        "how_1": "Indeks SPBE (skala {lo}-{hi}) = jumlah (level x bobot indikator) / 100. Level yang dipakai adalah "
                 "level verifikasi Diskominfo bila ada; jika tidak, level penilaian mandiri OPD.",
        "how_2": "Predikat adalah kategori indeks menurut tabel di bawah. Indikator yang tidak dijawab dinilai pada "
                 "level terendah dan penilaiannya ditandai 'tidak lengkap'.",
        "how_3": "Lembar per OPD (nama lembar = kode OPD) berisi target, langkah minimal untuk naik predikat, dan "
                 "simulasi: ubah kolom Target untuk melihat indeks rencana.",
        "bands": "Predikat", "band_range": "Rentang indeks", "band_count": "Jumlah OPD",
        "domain_means": "Rata-rata per domain", "aspect_means": "Rata-rata per aspek", "domain": "Domain",
        "aspect": "Aspek", "weight": "Bobot (%)", "mean": "Rata-rata indeks", "predikat": "Predikat",
        "chart_opd": "Indeks SPBE per OPD", "chart_dist": "Sebaran predikat", "chart_means": "Rata-rata indeks per "
                                                                                        "domain dan aspek",
        "chart_opd_vs": "Indeks domain dan aspek dibanding rata-rata provinsi", "index": "Indeks",
        "ranking_title": "Peringkat Indeks SPBE Perangkat Daerah Tahun {year}",
        "ranking_note": "Indeks sama persis mendapat peringkat sama (1-2-2-4). Klik kolom Analisis untuk membuka "
                        "lembar kesenjangan OPD.",
        "rank": "Peringkat", "code": "Kode OPD", "name": "Nama OPD", "spbe_index": "Indeks SPBE", "status": "Status",
        "self_index": "Indeks penilaian mandiri", "verified_index": "Indeks terverifikasi",
        "adjusted": "Indikator disesuaikan verifikator", "missing_count": "Indikator tidak dijawab",
        "source_file": "Berkas sumber", "analysis": "Analisis",
        "complete": "lengkap", "incomplete": "tidak lengkap", "verified": "terverifikasi",
        "matrix_title": "Matriks Level per Indikator Tahun {year}",
        "matrix_note": "Angka = level yang dipakai (verifikasi bila ada, jika tidak mandiri). Merah = rendah, hijau = "
                       "tinggi. Indeks = jumlah dari (level x bobot) semua indikator, dibagi 100.",
        "matrix_legend": "{mark} (miring, abu-abu, garis putus-putus) = indikator tidak dijawab, dinilai level "
                         "terendah; bukan jawaban level {lo}.",
        "incomplete_suffix": " (tidak lengkap)",
        "opd_chart_data": "Indeks SPBE per OPD (data grafik, urut peringkat)",
        "dist_title": "Sebaran level yang dipakai (jumlah OPD per level)",
        "dist_level": "level {level}",
        "dist_mean": "rata-rata level",
        "indicator_no": "No. indikator", "weight_row": "Bobot (%)", "weight_exact_row": "Bobot persis (pecahan)",
        "gap_title": "Analisis Kesenjangan: {name}", "gap_sub": "Kode OPD {code} · berkas {file}",
        "back": "« kembali ke Peringkat", "current_index": "Indeks saat ini", "target_index": "Target indeks",
        "target_source": "Asal target", "shortfall": "Kenaikan indeks yang diperlukan",
        "steps": "Langkah minimal (jumlah kenaikan level)", "unreachable": "tidak dapat dicapai",
        "planned_index": "Indeks rencana (bila semua Target di tabel tercapai)",
        "province_mean": "Rata-rata provinsi",
        "src_next": "Batas bawah predikat berikutnya ({pred})",
        "src_top": "Sudah pada predikat tertinggi; target = indeks saat ini",
        "src_index": "Target indeks yang ditetapkan Diskominfo (berkas target)",
        "src_levels": "Target level per indikator yang ditetapkan Diskominfo (berkas target)",
        "plan": "Rencana minimal menuju target", "plan_none": "Tidak ada langkah yang diperlukan.",
        "plan_unreachable": "Target tidak dapat dicapai walaupun semua indikator pada level tertinggi.",
        "levels_up": "Naik (jumlah level)", "gain": "Kenaikan indeks", "level_from": "Level saat ini",
        "level_to": "Level target",
        "first_step": "Langkah pertama: jawab indikator yang belum diisi: {ids} (saat ini dinilai level terendah).",
        "criteria_level": "Level {level}: {text}",
        "dom_asp": "Domain / aspek", "opd_value": "OPD ini",
        "indicators": "Tabel indikator (kolom Target boleh diubah untuk simulasi)",
        "ind_id": "No.", "ind_name": "Indikator", "current": "Level saat ini", "target": "Target",
        "gap": "Kesenjangan", "step_gain": "Kenaikan indeks per level", "contribution": "Kontribusi target ke indeks",
        "next_criteria": "Kriteria level berikutnya (level saat ini + 1)", "priority": "Prioritas",
        "opd_findings": "Catatan validasi berkas OPD ini", "no_findings": "Tidak ada catatan.",
        "file": "Berkas", "severity": "Tingkat", "sheet": "Lembar", "cell": "Sel", "finding_code": "Kode",
        "message": "Pesan", "hint": "Cara memperbaiki",
        "validation_title": "Hasil Validasi Semua Berkas",
        "validation_note": "GALAT = berkas ditolak; TIDAK LENGKAP = jawaban tidak dapat dipakai (dinilai level "
                           "terendah); CATATAN = tidak mengubah nilai.",
        "files_title": "Daftar Berkas di Folder Input",
        "files_note": "Setiap berkas yang ditemukan tercantum di sini beserta hasilnya.",
        "size": "Ukuran (bita)", "outcome": "Hasil", "reason": "Keterangan", "superseded_by": "Digantikan oleh",
        "missing_title": "OPD yang Belum Mengirim Kuesioner yang Dapat Dipakai",
        "missing_note": "OPD dalam daftar tanpa berkas yang diterima.", "kind": "Jenis",
        "rejected_files": "Berkas ditolak atas nama OPD ini",
        "none": "Tidak ada.",
        "data_headers": "tahun|kerangka|kode_opd|nama_opd|indikator|domain|aspek|level_mandiri|level_verifikasi|"
                        "level_dipakai|sumber_level|bobot|bobot_persis|berkas|lembar|sel_level",
        "src_verified": "verifikasi", "src_self": "mandiri", "src_missing": "tidak dijawab",
        "locked": "Berkas keluaran {path} sedang dibuka di Excel atau tidak dapat ditulis; tutup berkas lalu "
                  "jalankan ulang.",
        "verify_failed": "Berkas keluaran {path} gagal diperiksa setelah ditulis ({why}); berkas lama tidak diubah.",
        "per_opd_note": "Lembar analisis per OPD ditulis sebagai berkas terpisah di folder {folder}/ karena jumlah "
                        "OPD melebihi {limit}.",
        "chart_skipped": "Grafik '{chart}' tidak digambar karena lebih dari {limit} OPD; lihat tabel lengkap di "
                         "lembar {sheet}.",
        # inventory
        "apps_title": "Daftar Aplikasi Seluruh OPD", "app_name": "Nama aplikasi", "function": "Fungsi / layanan",
        "users": "Pengguna", "url": "Alamat (URL)", "developer": "Pengembang", "hosting": "Lokasi hosting",
        "integrated": "Terintegrasi dengan", "app_status": "Status", "problems": "Kendala", "needs": "Kebutuhan",
        "row": "Baris",
        "shared_title": "Aplikasi yang Dilaporkan oleh Beberapa OPD",
        "shared_note": "Sama bila nama yang dinormalkan sama (tanpa huruf besar/kecil, tanda baca, kata 'aplikasi', "
                       "'sistem', 'informasi', awalan 'e-') atau alamat URL sama (tanpa http/https, www. dan garis "
                       "miring akhir).",
        "group": "Kelompok", "match": "Dasar kecocokan", "n_opd": "Jumlah OPD", "names": "Nama yang dilaporkan",
        "opds": "OPD", "match_name": "nama", "match_url": "URL", "match_both": "nama dan URL",
        "spread_title": "Fungsi yang Dilayani Beberapa Aplikasi Berbeda (kandidat aplikasi umum berbagi pakai / "
                        "integrasi)",
        "n_apps": "Jumlah aplikasi berbeda", "apps_list": "Aplikasi (OPD)",
        "hosting_title": "Hosting Aplikasi dan Server, Rencana Pusat Data Provinsi",
        "by_location": "Menurut lokasi hosting", "location": "Lokasi", "n_app_loc": "Aplikasi", "n_srv_loc": "Server",
        "by_opd": "Menurut OPD (aplikasi / server)", "outside": "Aplikasi yang di-hosting di luar provinsi atau di "
                                                              "vendor",
        "outside_move": "Dapat dipindah: vendor di luar provinsi, penyedia cloud, lainnya",
        "outside_national": "Aplikasi nasional di server kementerian (tidak dipindah)",
        "no_room": "OPD tanpa ruang server", "bandwidth": "Bandwidth internet per OPD", "provider": "Penyedia",
        "mbps": "Mbps", "plan_dc": "Rencana pemindahan ke pusat data provinsi",
        "plan_dc_note": "Dapat dipindah: aplikasi aktif dan server yang belum di Pusat Data Pemprov/PDN. Tidak "
                        "dipindah: aplikasi dan server di server kementerian/lembaga pusat (aplikasi nasional seperti "
                        "SIPD dan SIASN dikelola kementerian).",
        "apps_move": "Aplikasi dapat dipindah", "servers_move": "Server dapat dipindah", "total": "Jumlah",
        "chart_dc": "Aplikasi dan server yang dapat dipindah ke pusat data provinsi",
        "unknown_location": "(tidak diisi)", "other_location": "Lainnya: {text}",
        "apps_note": "Satu baris per aplikasi yang dilaporkan OPD; berkas sumber dan baris asal ada di dua kolom "
                     "terakhir.",
        "services_title": "Layanan SPBE: Level Indikator dan Aplikasi Aktif per OPD",
        "services_note": "Tanda: level >= 3 tanpa aplikasi aktif, atau aplikasi aktif dengan level <= 1 "
                         "(level yang dipakai).",
        "service": "Layanan", "levels": "Level", "active_apps": "Aplikasi aktif", "flag": "Tanda",
        "flag_no_app": "level tinggi tanpa aplikasi aktif", "flag_low": "ada aplikasi aktif tetapi level rendah",
        "indicator": "Indikator", "max_level": "Level tertinggi", "level_detail": "Rincian level",
        "n_active": "Jumlah aplikasi aktif", "apps_per_loc": "Aplikasi per OPD dan lokasi hosting",
        "servers_per_loc": "Server per OPD dan lokasi", "apps_move_names": "Aplikasi yang dapat dipindah",
        "active_total": "Aplikasi aktif", "servers_total": "Server seluruhnya", "urls": "URL",
    },
    "en": {
        "sheet_summary": "Summary", "sheet_ranking": "Ranking", "sheet_matrix": "Matrix",
        "sheet_validation": "Validation", "sheet_files": "Files", "sheet_missing": "Not Submitted", "sheet_data": "Data",
        "sheet_apps": "Applications", "sheet_shared": "Shared Applications", "sheet_hosting": "Hosting & Data Centre",
        "sheet_services": "Services vs Applications",
        "title": "SPBE Maturity of Government Units, {year}",
        "framework_line": "Framework: {regulation}",
        "rule_line": "Predikat is taken from the {rule} index; numbers are shown with 2 decimals (half-up).",
        "rule_unrounded": "unrounded", "rule_rounded": "2-decimal rounded",
        "province_average": "Province average SPBE index", "average_of": "Average of {n} scored OPDs.",
        "no_scores": "No OPD has been scored yet.",
        "key_figures": "Key figures", "figure": "Item", "count": "Count",
        "n_roster": "OPDs in the roster", "n_files": "Files found in the input folder",
        "n_accepted": "Files accepted (used)", "n_superseded": "Files superseded by a newer file",
        "n_rejected": "Files rejected", "n_submitted": "OPDs submitted (scored)", "n_missing": "OPDs not submitted",
        "n_complete": "Complete assessments", "n_incomplete": "Incomplete assessments",
        "n_verified": "Assessments verified by Diskominfo",
        "how_to_read": "How to read",
        "how_1": "SPBE index (scale {lo}-{hi}) = sum(level x indicator weight) / 100. The level used is Diskominfo's "
                 "verified level when given, else the OPD's self-assessed level.",
        "how_2": "Predikat is the index category from the table below. Unanswered indicators are scored at the lowest "
                 "level and the assessment is marked 'incomplete'.",
        "how_3": "Each OPD sheet (named after the OPD code) shows the target, the minimal steps to the next predikat, "
                 "and a simulation: change the Target column to see the planned index.",
        "bands": "Predikat", "band_range": "Index range", "band_count": "OPDs",
        "domain_means": "Average per domain", "aspect_means": "Average per aspect", "domain": "Domain",
        "aspect": "Aspect", "weight": "Weight (%)", "mean": "Average index", "predikat": "Predikat",
        "chart_opd": "SPBE index per OPD", "chart_dist": "Predikat distribution",
        "chart_means": "Average index per domain and aspect",
        "chart_opd_vs": "Domain and aspect indices against the province average", "index": "Index",
        "ranking_title": "SPBE Index Ranking of Government Units, {year}",
        "ranking_note": "Exactly equal indices share a rank (1-2-2-4). Click the Analysis column to open the OPD's gap "
                        "sheet.",
        "rank": "Rank", "code": "OPD code", "name": "OPD name", "spbe_index": "SPBE index", "status": "Status",
        "self_index": "Self-assessed index", "verified_index": "Verified index",
        "adjusted": "Indicators adjusted by verifier", "missing_count": "Unanswered indicators",
        "source_file": "Source file", "analysis": "Analysis",
        "complete": "complete", "incomplete": "incomplete", "verified": "verified",
        "matrix_title": "Level Matrix per Indicator, {year}",
        "matrix_note": "Numbers = level used (verified when given, else self-assessed). Red = low, green = high. "
                       "Index = sum of (level x weight) over all indicators, divided by 100.",
        "matrix_legend": "{mark} (italic, grey, dashed border) = unanswered indicator, scored at the lowest level; "
                         "not an answer of level {lo}.",
        "incomplete_suffix": " (incomplete)",
        "opd_chart_data": "SPBE index per OPD (chart data, in rank order)",
        "dist_title": "Distribution of levels used (number of OPDs per level)",
        "dist_level": "level {level}",
        "dist_mean": "mean level",
        "indicator_no": "Indicator no.", "weight_row": "Weight (%)", "weight_exact_row": "Exact weight (fraction)",
        "gap_title": "Gap Analysis: {name}", "gap_sub": "OPD code {code} · file {file}",
        "back": "« back to Ranking", "current_index": "Current index", "target_index": "Target index",
        "target_source": "Target source", "shortfall": "Index increase needed",
        "steps": "Minimal steps (level increases)", "unreachable": "cannot be reached",
        "planned_index": "Planned index (every Target in the table reached)", "province_mean": "Province average",
        "src_next": "Lower bound of the next predikat ({pred})",
        "src_top": "Already in the top predikat; target = current index",
        "src_index": "Target index set by Diskominfo (targets file)",
        "src_levels": "Target levels per indicator set by Diskominfo (targets file)",
        "plan": "Minimal plan to reach the target", "plan_none": "No step is needed.",
        "plan_unreachable": "The target cannot be reached even with every indicator at the top level.",
        "levels_up": "Up (number of levels)", "gain": "Index gain", "level_from": "Current level",
        "level_to": "Target level",
        "first_step": "First step: answer the unanswered indicators: {ids} (now scored at the lowest level).",
        "criteria_level": "Level {level}: {text}",
        "dom_asp": "Domain / aspect", "opd_value": "This OPD",
        "indicators": "Indicator table (the Target column may be changed to simulate)",
        "ind_id": "No.", "ind_name": "Indicator", "current": "Current level", "target": "Target",
        "gap": "Gap", "step_gain": "Index gain per level", "contribution": "Target contribution to the index",
        "next_criteria": "Next-level criteria (current level + 1)", "priority": "Priority",
        "opd_findings": "Validation notes for this OPD's file", "no_findings": "No notes.",
        "file": "File", "severity": "Severity", "sheet": "Sheet", "cell": "Cell", "finding_code": "Code",
        "message": "Message", "hint": "How to fix",
        "validation_title": "Validation Results for Every File",
        "validation_note": "ERROR = file rejected; INCOMPLETE = answer unusable (scored at the lowest level); "
                           "WARNING = score not affected.",
        "files_title": "Files Found in the Input Folder",
        "files_note": "Every file found is listed here with its outcome.",
        "size": "Size (bytes)", "outcome": "Outcome", "reason": "Reason", "superseded_by": "Superseded by",
        "missing_title": "OPDs Without a Usable Questionnaire",
        "missing_note": "Roster OPDs with no accepted file.", "kind": "Kind",
        "rejected_files": "Rejected files for this OPD",
        "none": "None.",
        "data_headers": "year|framework|opd_code|opd_name|indicator|domain|aspect|self_level|verified_level|"
                        "level_used|level_source|weight|weight_exact|file|sheet|level_cell",
        "src_verified": "verified", "src_self": "self", "src_missing": "missing",
        "locked": "The output file {path} is open in Excel or cannot be written; close it and run again.",
        "verify_failed": "The output file {path} failed its check after writing ({why}); the old file is unchanged.",
        "per_opd_note": "The per-OPD analysis sheets are written as separate files in {folder}/ because there are more "
                        "than {limit} OPDs.",
        "chart_skipped": "Chart '{chart}' is not drawn because there are more than {limit} OPDs; see the full table "
                         "on sheet {sheet}.",
        "apps_title": "Applications of Every OPD", "app_name": "Application", "function": "Function / service",
        "users": "Users", "url": "Address (URL)", "developer": "Developer", "hosting": "Hosting location",
        "integrated": "Integrated with", "app_status": "Status", "problems": "Problems", "needs": "Needs",
        "row": "Row",
        "shared_title": "Applications Reported by Several OPDs",
        "shared_note": "Same when the normalised name is equal (case, punctuation, the words 'aplikasi', 'sistem', "
                       "'informasi' and the prefix 'e-' ignored) or the URL is equal (no scheme, no www., no trailing "
                       "slash).",
        "group": "Group", "match": "Matched on", "n_opd": "OPDs", "names": "Names reported", "opds": "OPDs",
        "match_name": "name", "match_url": "URL", "match_both": "name and URL",
        "spread_title": "Functions Served by Several Different Applications (candidates for shared applications / "
                        "integration)",
        "n_apps": "Different applications", "apps_list": "Applications (OPD)",
        "hosting_title": "Application and Server Hosting, Provincial Data Centre Plan",
        "by_location": "By hosting location", "location": "Location", "n_app_loc": "Applications",
        "n_srv_loc": "Servers", "by_opd": "By OPD (applications / servers)",
        "outside": "Applications hosted outside the province or at a vendor", "no_room": "OPDs without a server room",
        "outside_move": "Could move: vendor outside the province, cloud provider, other",
        "outside_national": "National applications on ministry servers (not moved)",
        "bandwidth": "Internet bandwidth per OPD", "provider": "Provider", "mbps": "Mbps",
        "plan_dc": "Moving into the provincial data centre",
        "plan_dc_note": "Could move: active applications and servers not yet at the Pemprov data centre/PDN. Not "
                        "moved: applications and servers on ministry/central agency servers (national applications "
                        "such as SIPD and SIASN are run by the ministry).",
        "apps_move": "Applications that could move", "servers_move": "Servers that could move", "total": "Total",
        "chart_dc": "Applications and servers that could move to the provincial data centre",
        "unknown_location": "(not given)", "other_location": "Other: {text}",
        "apps_note": "One row per application an OPD reported; the source file and row are in the last two columns.",
        "services_title": "SPBE Services: Indicator Levels and Active Applications per OPD",
        "services_note": "Flags: level >= 3 without an active application, or an active application with level <= 1 "
                         "(level used).",
        "service": "Service", "levels": "Levels", "active_apps": "Active applications", "flag": "Flag",
        "flag_no_app": "high level without an active application",
        "flag_low": "active application but low level",
        "indicator": "Indicator", "max_level": "Highest level", "level_detail": "Levels",
        "n_active": "Active applications", "apps_per_loc": "Applications per OPD and hosting location",
        "servers_per_loc": "Servers per OPD and location", "apps_move_names": "Applications that could move",
        "active_total": "Active applications", "servers_total": "All servers", "urls": "URL",
    },
}

# Predikat colours (fill, font), defined once; catalogs with other band names get colours by position.
PREDIKAT_COLOURS: dict[str, tuple[str, str]] = {
    "Memuaskan": ("#1E6B34", "#FFFFFF"),
    "Sangat Baik": ("#4CAF50", "#FFFFFF"),
    "Baik": ("#C5DB5B", "#000000"),
    "Cukup": ("#F4A236", "#000000"),
    "Kurang": ("#D9302C", "#FFFFFF"),
}
_BY_POSITION = ("#D9302C", "#F4A236", "#C5DB5B", "#4CAF50", "#1E6B34")  # lowest band first
SEVERITY_FILL = {"error": "#F8CBAD", "incomplete": "#FFE699", "warning": "#FFF2CC"}
OUTCOME_FILL = {"accepted": "#E2EFDA", "accepted-with-notes": "#FFF2CC", "superseded": "#EDEDED",
                "rejected": "#F8CBAD"}
OPD_COLOUR, MEAN_COLOUR = "#2F75B5", "#A6A6A6"
MISSING_FONT = "#7F7F7F"  # an unanswered indicator's level: italic grey, dashed border, shown with MISSING_MARK
MISSING_MARK = "*"
# English labels of the questionnaire's hosting and status keys (pipeline.layout holds the Indonesian ones)
HOSTING_EN = {"ruang-server-opd": "OPD's own server room", "pusat-data-pemprov": "Pemprov data centre (Diskominfo)",
              "pdn": "National Data Centre (PDN)", "cloud": "Cloud provider",
              "vendor-luar-provinsi": "Vendor/hosting outside the province",
              "kementerian": "Ministry/central agency server", "lainnya": "Other"}
STATUS_EN = {"aktif": "Active", "tidak-aktif": "Inactive"}
GAP_WIDTHS = (7, 46, 12, 15, 10, 11, 12, 9, 11, 12, 60, 9)  # a gap sheet's columns (every table uses these)
_RESERVED_SHEETS = {"history"}  # Excel refuses a sheet named History
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class ReportWriteError(RuntimeError):
    """An xlsxwriter write call failed: a bug in this module, not a user problem."""


# ---------------------------------------------------------------- numbers and names


def stored(value: Fraction | int, places: int = 2) -> float:
    """The float to store for an exact value shown with ``places`` decimals (see the module docstring).

    Equal to the exact value to 6 decimals; any spreadsheet showing it with ``places`` decimals shows
    ``display(value, places)``. Memoised: the same indices, weights and gains recur across OPDs.
    """
    if type(value) is not Fraction:
        value = Fraction(value)
    key = (value.numerator, value.denominator, places)  # cheaper to hash than a Fraction
    f = _STORED.get(key)
    if f is None:
        if len(_STORED) > 1 << 16:
            _STORED.clear()
        f = _STORED[key] = _stored(value, places)
    return f


_STORED: dict[tuple[int, int, int], float] = {}


def _stored(value: Fraction, places: int) -> float:
    shown = round_half_up(value, places)
    v = round_half_up(value, STORE_PLACES)
    if round_half_up(v, places) != shown:  # 6-decimal rounding reached the next half boundary
        v = shown + Fraction(5, 10 ** (places + 1)) - Fraction(1, 10**STORE_PLACES)
    f = float(v)
    scale = 10**places

    def safe(x: Fraction) -> bool:
        # shown as `shown`, and not an exact binary tie that a round-half-even renderer would round down
        return round_half_up(x, places) == shown and (x * scale) % 1 != Fraction(1, 2)

    while not safe(Fraction(f)):  # step towards the shown value, one float at a time (at most a few steps)
        f = math.nextafter(f, math.inf if Fraction(f) < shown else -math.inf)
    return f


def band_colours(fw: Framework) -> dict[str, tuple[str, str]]:
    """Fill and font colour of every predikat band of the catalog."""
    out = {}
    n = len(fw.bands)
    for pos, band in enumerate(fw.bands):
        if band.name in PREDIKAT_COLOURS:
            out[band.name] = PREDIKAT_COLOURS[band.name]
        else:
            fill = _BY_POSITION[round(pos * (len(_BY_POSITION) - 1) / max(1, n - 1))]
            out[band.name] = (fill, "#FFFFFF" if fill in ("#D9302C", "#4CAF50", "#1E6B34") else "#000000")
    return out


def sheet_names_for(codes: Sequence[str], reserved: Sequence[str] = ()) -> dict[str, str]:
    """A valid, unique sheet name per OPD code (at most 31 chars, none of []:*?/\\, no edge apostrophe).

    Names are compared case-insensitively (as Excel does) with each other and with ``reserved``;
    clashes get a suffix " (2)", " (3)", ...
    """
    taken = {r.casefold() for r in reserved} | _RESERVED_SHEETS
    out: dict[str, str] = {}
    for code in codes:
        base = _BAD_SHEET_CHARS.sub("_", clean_text(code)[0]).strip().strip("'").strip() or "OPD"
        name, n = base[:31], 1
        while name.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)].rstrip().rstrip("'") + suffix
        taken.add(name.casefold())
        out[code] = name
    return out


def file_stem_for(name: str) -> str:
    """A file name stem safe on Windows and Linux, from a sheet name."""
    return re.sub(r'[<>:"/\\|?*\s]+', "_", name).strip("._") or "OPD"


# ---------------------------------------------------------------- checked writes


class Out:
    """A worksheet whose every write is checked; text is always cleaned and written as a string."""

    def __init__(self, ws: object) -> None:
        self.ws = ws
        self.name = ws.get_name()
        # bound once: called per cell (getattr: a stand-in sheet may lack one)
        self._write_string, self._write_number = getattr(ws, "write_string", None), getattr(ws, "write_number", None)

    def _ok(self, rc: int | None, r: int, c: int, what: str) -> None:
        if rc not in (0, None):
            raise ReportWriteError(f"{what} to {self.name}!{a1(r + 1, c + 1)} failed with code {rc}")

    def text(self, r: int, c: int, value: object, fmt: object = None) -> None:
        rc = self._write_string(r, c, _clean_str(value) if type(value) is str else clean_text(value)[0], fmt)
        if rc:
            self._ok(rc, r, c, "write_string")

    def num(self, r: int, c: int, value: float | int | Fraction | None, fmt: object = None) -> None:
        if value is None:
            self.blank(r, c, fmt)
            return
        number = float(value)
        if not math.isfinite(number):
            raise ReportWriteError(f"{self.name}!{a1(r + 1, c + 1)}: {value!r} is not a finite number")
        rc = self._write_number(r, c, number, fmt)
        if rc:
            self._ok(rc, r, c, "write_number")

    def formula(self, r: int, c: int, formula: str, value: object, fmt: object = None) -> None:
        self._ok(self.ws.write_formula(r, c, formula, fmt, value), r, c, "write_formula")

    def blank(self, r: int, c: int, fmt: object = None) -> None:
        self._ok(self.ws.write_blank(r, c, None, fmt), r, c, "write_blank")

    def url(self, r: int, c: int, url: str, text: str, fmt: object = None) -> None:
        self._ok(self.ws.write_url(r, c, url, fmt, clean_text(text)[0]), r, c, "write_url")

    def title(self, text: str, fmt: object) -> None:
        """The sheet title in A1, on a row tall enough for its 16-point font (it never overlaps row 2)."""
        self.ws.set_row(0, 24)
        self.text(0, 0, text, fmt)

    def header(self, r: int, cols: Sequence[tuple[str, float]], fmt: object, c0: int = 0) -> None:
        """Write a heading row and set the column widths."""
        for i, (label, width) in enumerate(cols):
            self.text(r, c0 + i, label, fmt)
            self.ws.set_column(c0 + i, c0 + i, width)

    def table_setup(self, header_row: int, last_row: int, ncols: int, freeze_col: int = 0,
                    autofilter: bool = True) -> None:
        """Frozen heading, autofilter, landscape A4 fit to width with the heading repeated on every page."""
        self.ws.freeze_panes(header_row + 1, freeze_col)
        if autofilter:
            self.ws.autofilter(header_row, 0, max(header_row, last_row), ncols - 1)
        self.ws.repeat_rows(header_row)
        print_setup(self.ws)


_FUNC_NAME = re.compile(r"[A-Z][A-Z0-9.]*(?=\()")
_PLAIN_FUNCS = frozenset({"SUM", "SUMPRODUCT", "MAX", "ROUND", "LOOKUP"})  # need no _xlfn. prefix


class _RowSizes(dict):
    """xlsxwriter's ``row_sizes`` (row -> [pixels, hidden]) with the heights of streamed rows kept compactly
    (two bytes per row, not a list per row: 200,000 streamed rows would otherwise hold ~30 MB). Rows set through
    xlsxwriter stay dict entries and win; a streamed row reads as ``[pixels, False]``."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.px = array.array("H")

    def stream(self, r: int, px: int) -> None:
        if not 0 < px < 1 << 16:
            self[r] = [px, False]
            return
        if r >= len(self.px):
            self.px.extend(itertools.repeat(0, r + 1 - len(self.px)))
        self.px[r] = px

    def __contains__(self, r: object) -> bool:
        return dict.__contains__(self, r) or (type(r) is int and 0 <= r < len(self.px) and self.px[r] != 0)

    def __getitem__(self, r: object) -> list:
        if dict.__contains__(self, r):
            return dict.__getitem__(self, r)
        if type(r) is int and 0 <= r < len(self.px) and self.px[r]:
            return [self.px[r], False]
        raise KeyError(r)

    def get(self, r: object, default: object = None) -> object:
        return self[r] if r in self else default

    def __len__(self) -> int:
        return dict.__len__(self) + (1 if any(self.px) else 0)

    def __bool__(self) -> bool:
        return dict.__len__(self) > 0 or any(self.px)


class _Merges:
    """xlsxwriter's ``merge`` list ([first row, first col, last row, last col] per merged range, in the order
    added) held as flat integers: a streamed table can merge cells on every row of 100,000."""

    def __init__(self, items: Iterable[Sequence[int]] = ()) -> None:
        self.flat = array.array("i")
        for item in items:
            self.append(item)

    def append(self, item: Sequence[int]) -> None:
        if len(item) != 4:
            raise ValueError(f"a merged range has 4 bounds, not {len(item)}")
        self.flat.extend(item)

    def __len__(self) -> int:
        return len(self.flat) // 4

    def __bool__(self) -> bool:
        return len(self.flat) > 0

    def __iter__(self) -> Iterator[list[int]]:
        flat = self.flat
        for k in range(0, len(flat), 4):
            yield flat[k:k + 4].tolist()


class _MergedCells(dict):
    """xlsxwriter's ``merged_cells`` ((row, col) -> range text, for its overlap checks) with the one-row merges
    of streamed rows kept compactly: (row, first col, last col) in row order, looked up by bisection, instead of
    a dict entry, a key tuple and a range text per merged cell. Entries set through xlsxwriter stay dict entries."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.rows = array.array("i")
        self.c1 = array.array("i")
        self.c2 = array.array("i")

    def add_row_merge(self, r: int, c1: int, c2: int) -> bool:
        """Record the merge of columns c1..c2 of row ``r``; False when it cannot be kept compactly (rows out of
        order), then the caller records its cells as dict entries."""
        if self.rows and r < self.rows[-1]:
            return False
        self.rows.append(r)
        self.c1.append(c1)
        self.c2.append(c2)
        return True

    def _compact(self, key: object) -> str | None:
        if type(key) is not tuple or len(key) != 2 or not self.rows:
            return None
        row, col = key
        k = bisect.bisect_left(self.rows, row)
        while k < len(self.rows) and self.rows[k] == row:
            if self.c1[k] <= col <= self.c2[k]:
                return xl_range(row, self.c1[k], row, self.c2[k])
            k += 1
        return None

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or self._compact(key) is not None

    def __getitem__(self, key: object) -> str:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        found = self._compact(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: object, default: object = None) -> object:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        found = self._compact(key)
        return default if found is None else found

    def __len__(self) -> int:
        return dict.__len__(self) + sum(c2 - c1 + 1 for c1, c2 in zip(self.c1, self.c2, strict=True))

    def __bool__(self) -> bool:
        return dict.__len__(self) > 0 or len(self.rows) > 0


class _Sheet(Worksheet):
    """An xlsxwriter worksheet with two speed-ups (xlsxwriter's ``worksheet_class`` hook).

    * Formulas that use only :data:`_PLAIN_FUNCS` skip xlsxwriter's ~30 future-function regexes.
    * A *streamed* sheet (:meth:`stream`) also takes rows as ready-made XML (:meth:`raw_row`, rows in
      increasing order): the body rows of the big tables (:class:`_Body`), never held as cell objects.
      Cells written through xlsxwriter's write_* methods (headings, notes, totals) go on rows of their
      own; the two kinds of row are merged in row order when the sheet is written. In constant_memory
      mode raw rows go straight to xlsxwriter's row file (everything in row order); otherwise they are
      spooled (in memory up to :data:`RAW_SPOOL_BYTES`, then on disk) in blocks of consecutive rows.
    """

    _raw = None

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if set(_FUNC_NAME.findall(formula)) <= _PLAIN_FUNCS:
            return formula[1:] if formula.startswith("=") else formula
        return super()._prepare_formula(formula, expand_future_functions)

    def stream(self) -> _Sheet:
        if self._raw is None:
            self._raw = tempfile.SpooledTemporaryFile(max_size=RAW_SPOOL_BYTES, mode="w+", encoding="utf-8")
            self._raw_buf: list[str] = []
            self._raw_blocks: list[list[int]] = []  # [first row, last row, characters]
            self._raw_last = -1
            if not isinstance(self.row_sizes, _RowSizes):
                self.row_sizes = _RowSizes(self.row_sizes)
            if not isinstance(self.merged_cells, _MergedCells):
                self.merged_cells = _MergedCells(self.merged_cells)
                self.merge = _Merges(self.merge)
        return self

    def raw_row(self, r: int, cells: str, ncols: int, height: float | None = None, first_col: int = 0) -> None:
        """Append row ``r`` (0-based, after every raw row so far) holding ``cells`` (cell XML in column order,
        columns ``first_col`` to ``ncols - 1``); ``height`` in points as :meth:`set_row` takes it."""
        if r <= self._raw_last or not 0 <= r < self.xls_rowmax:
            raise ReportWriteError(f"{self.name}: streamed row {r + 1} out of order")
        if height is None:
            xml = f'<row r="{r + 1}">{cells}</row>'
        else:
            px = int(height * 4.0 / 3.0 + 0.5)
            self.row_sizes.stream(r, px)  # drawings and comments are placed by row heights
            if px == self.original_row_height:
                xml = f'<row r="{r + 1}">{cells}</row>'
            else:
                xml = f'<row r="{r + 1}" ht="{px * 0.75:.16g}" customHeight="1">{cells}</row>'
        if self.constant_memory:
            if r > self.previous_row:
                self._write_single_row(r)  # xlsxwriter's pending row first: the row file stays in row order
            self.fh.write(xml)
        else:
            blocks = self._raw_blocks
            if blocks and blocks[-1][1] == r - 1:
                block = blocks[-1]
                block[1] = r
                block[2] += len(xml)
            else:
                blocks.append([r, r, len(xml)])
            buf = self._raw_buf
            buf.append(xml)
            if len(buf) >= 512:
                self._raw.write("".join(buf))
                buf.clear()
        self._raw_last = r
        if self.dim_rowmin is None or r < self.dim_rowmin:
            self.dim_rowmin = r
        if self.dim_rowmax is None or r > self.dim_rowmax:
            self.dim_rowmax = r
        if self.dim_colmin is None or first_col < self.dim_colmin:
            self.dim_colmin = first_col
        if self.dim_colmax is None or ncols - 1 > self.dim_colmax:
            self.dim_colmax = ncols - 1

    def raw_merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        """Record a merged range whose cells are streamed (as :meth:`merge_range` records it)."""
        cell_range = xl_range(r1, c1, r2, c2)
        for row in range(r1, r2 + 1):
            for col in range(c1, c2 + 1):
                if (row, col) in self.merged_cells:
                    raise ReportWriteError(f"{self.name}: merged range {cell_range} overlaps another")
        cells = self.merged_cells
        if not (r1 == r2 and isinstance(cells, _MergedCells) and cells.add_row_merge(r1, c1, c2)):
            for row in range(r1, r2 + 1):
                for col in range(c1, c2 + 1):
                    cells[(row, col)] = cell_range
        self.merge.append([r1, c1, r2, c2])

    def _write_sheet_data(self) -> None:
        if self._raw is None:
            super()._write_sheet_data()
            return
        raw, self._raw = self._raw, None
        raw.write("".join(self._raw_buf))
        self._raw_buf.clear()
        raw.seek(0)
        if self.dim_rowmin is None:
            self._xml_empty_tag("sheetData")
            raw.close()
            return
        own = sorted(r for r in {*self.row_info, *self.comments, *(r for r, c in self.table.items() if c)})
        lo, hi = self.dim_rowmin, self.dim_rowmax
        self._xml_start_tag("sheetData")
        k = 0
        cursor = lo
        for first, last, size in self._raw_blocks:
            while k < len(own) and own[k] < first:
                k += 1
            if k < len(own) and own[k] <= last:
                raise ReportWriteError(f"{self.name}: row {own[k] + 1} is both streamed and written")
            if cursor < first:
                self.dim_rowmin, self.dim_rowmax = cursor, first - 1
                super()._write_rows()
            while size > 0:
                chunk = raw.read(min(size, 1 << 20))
                if not chunk:
                    raise ReportWriteError(f"{self.name}: streamed rows lost")
                self.fh.write(chunk)
                size -= len(chunk)
            cursor = last + 1
        if cursor <= hi:
            self.dim_rowmin, self.dim_rowmax = cursor, hi
            super()._write_rows()
        self.dim_rowmin, self.dim_rowmax = lo, hi
        raw.close()
        self._xml_end_tag("sheetData")

    def _write_optimized_sheet_data(self) -> None:
        if self._raw is not None:  # constant_memory: raw rows went to the row file in order
            self._raw.close()
            self._raw = None
        super()._write_optimized_sheet_data()


@functools.lru_cache(maxsize=1 << 14)
def _clean_str(value: str) -> str:
    """:func:`clean_text` of a string (memoised: headings, indicator names and criteria recur in every sheet)."""
    return clean_text(value)[0]


# ---------------------------------------------------------------- table bodies streamed as XML

STREAM_TABLES = True  # False: table bodies written cell by cell through xlsxwriter (the reference the tests compare)
_COL_NAMES = [xl_col_to_name(c) for c in range(256)]


@functools.lru_cache(maxsize=1 << 13)
def _inline(text: str) -> str:
    """An inline string's <is> element, as xlsxwriter writes it in constant_memory mode."""
    text = XMLwriter._escape_control_characters(text)
    sp = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<is><t{sp}>{text}</t></is>"


class _Body:
    """The body rows of a table: each row is built cell by cell (columns in increasing order) and ended
    with :meth:`end`. Streamed (default) the row becomes XML at once, exactly the cells xlsxwriter would
    write (shared strings, or inline strings in constant_memory mode; the same number texts, format
    indices and row heights); with :data:`STREAM_TABLES` off every call goes through xlsxwriter.

    Text goes through :func:`clean_text` and is always a string cell, as with :meth:`Out.text`.
    """

    def __init__(self, out: Out, stream: bool = True) -> None:
        self.out = out
        self.ws = ws = out.ws
        self.fast = STREAM_TABLES and stream
        self.r = -1
        self.n = ""
        self._cells: list[str] = []
        self._merges: list[tuple[int, int]] = []
        self._first = -1
        self._last = -1
        self._styles: dict[int, str] = {}
        if self.fast:
            ws.stream()
            self._sst = None if ws.constant_memory else ws.str_table._get_shared_string_index

    def row(self, r: int) -> _Body:
        self.r = r
        self.n = str(r + 1)
        self._cells = []
        self._merges = []
        self._first = self._last = -1
        return self

    def _style(self, fmt: object) -> str:
        st = self._styles.get(id(fmt))
        if st is None:
            st = self._styles[id(fmt)] = "" if fmt is None else f' s="{fmt._get_xf_index()}"'
        return st

    def _col(self, c: int) -> str:
        if c <= self._last:
            raise ReportWriteError(f"{self.out.name}: column {c + 1} of row {self.n} written out of order")
        if self._first < 0:
            self._first = c
        self._last = c
        return f"{_COL_NAMES[c]}{self.n}"

    def text(self, c: int, value: object, fmt: object = None) -> None:
        if not self.fast:
            self.out.text(self.r, c, value, fmt)
            return
        text = _clean_str(value) if type(value) is str else clean_text(value)[0]
        if len(text) > XLS_STRMAX // 2 and _utf16_len(text) > XLS_STRMAX:
            raise ReportWriteError(f"write_string to {self.out.name}!{_COL_NAMES[c]}{self.n} failed with code -2")
        ref = self._col(c)
        st = self._styles.get(id(fmt)) if fmt is not None else ""
        if st is None:
            st = self._style(fmt)
        if self._sst is None:
            self._cells.append(f'<c r="{ref}"{st} t="inlineStr">{_inline(text)}</c>')
        else:
            self._cells.append(f'<c r="{ref}"{st} t="s"><v>{self._sst(text)}</v></c>')

    def num(self, c: int, value: float | int | Fraction | None, fmt: object = None) -> None:
        if not self.fast:
            self.out.num(self.r, c, value, fmt)
            return
        if value is None:
            self.blank(c, fmt)
            return
        number = float(value)
        if not math.isfinite(number):
            raise ReportWriteError(f"{self.out.name}!{_COL_NAMES[c]}{self.n}: {value!r} is not a finite number")
        ref = self._col(c)
        st = self._styles.get(id(fmt)) if fmt is not None else ""
        if st is None:
            st = self._style(fmt)
        self._cells.append(f'<c r="{ref}"{st}><v>{number:.16G}</v></c>')

    def formula(self, c: int, formula: str, value: float, fmt: object = None) -> None:
        """A formula of :data:`_PLAIN_FUNCS` only, with its computed number cached (as :meth:`Out.formula`)."""
        if not self.fast:
            self.out.formula(self.r, c, formula, value, fmt)
            return
        if type(value) is not float or not set(_FUNC_NAME.findall(formula)) <= _PLAIN_FUNCS:
            raise ReportWriteError(f"{self.out.name}: formula {formula!r} cannot be streamed")
        text = formula[1:] if formula.startswith("=") else formula
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self._cells.append(f'<c r="{self._col(c)}"{self._style(fmt)}><f>{text}</f><v>{value!r}</v></c>')

    def blank(self, c: int, fmt: object = None) -> None:
        if not self.fast:
            self.out.blank(self.r, c, fmt)
        elif fmt is not None:  # xlsxwriter writes no cell for a blank without a format
            self._cells.append(f'<c r="{self._col(c)}"{self._style(fmt)}/>')

    def merged(self, c1: int, c2: int, value: object, fmt: object) -> None:
        """Columns c1..c2 of this row merged, showing ``value`` (as merge_range then :meth:`Out.text`)."""
        if not self.fast:
            self.ws.merge_range(self.r, c1, self.r, c2, "", fmt)
            self.out.text(self.r, c1, value, fmt)
            return
        self.text(c1, value, fmt)
        for c in range(c1 + 1, c2 + 1):
            self.blank(c, fmt)
        self._merges.append((c1, c2))

    def end(self, fit: Sequence[tuple[str, float]] = ()) -> None:
        """End the row; ``fit`` as :func:`fit_row` takes it (the row is made tall enough for wrapped texts)."""
        if not self.fast:
            if fit:
                fit_row(self.ws, self.r, fit)
            return
        if self._first < 0:
            if fit and _fit_height(fit) is not None:
                raise ReportWriteError(f"{self.out.name}: row {self.n} has a height but no cells")
            return
        self.ws.raw_row(self.r, "".join(self._cells), self._last + 1, _fit_height(fit) if fit else None,
                        self._first)
        for c1, c2 in self._merges:
            self.ws.raw_merge(self.r, c1, self.r, c2)


def print_setup(ws: object) -> None:
    """Landscape A4, one page wide (pages as tall as needed: manual page breaks are kept)."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


@functools.lru_cache(maxsize=1 << 14)
def _lines(text: str, width: float) -> int:
    chars = max(1, int(width * 1.2))
    return sum(max(1, -(-len(line) // chars)) for line in str(text).split("\n"))


def _fit_height(texts: Sequence[tuple[str, float]]) -> float | None:
    """The row height that shows wrapped texts in full (estimated from text length and column width), or
    None when one line is enough."""
    lines = 1  # _lines is at least 1
    for t, w in texts:
        n = _lines(t, w)
        if n > lines:
            lines = n
    return min(409, 13.5 * lines + 3) if lines > 1 else None


@functools.lru_cache(maxsize=1 << 13)
def _fit_text(value: str) -> str:
    """The text :func:`fit_row` measures for a long inventory cell (cleaned, at most 2,000 characters)."""
    return clean_text(value, 2000)[0]


def fit_row(ws: object, r: int, texts: Sequence[tuple[str, float]], base: float = 15) -> None:
    """Set a row height that shows wrapped texts in full (estimated from text length and column width)."""
    height = _fit_height(texts)
    if height is not None:
        ws.set_row(r, height)


# ---------------------------------------------------------------- formats


class _Formats(dict):
    """Formats created on first use (a per-OPD workbook uses a fraction of them; each costs ~40 us)."""

    def __init__(self, wb: xlsxwriter.Workbook, specs: dict) -> None:
        super().__init__()
        self.wb, self.specs = wb, specs

    def __missing__(self, key: object) -> object:
        fmt = self[key] = self.wb.add_format(self.specs[key])
        return fmt

    def get(self, key: object, default: object = None) -> object:
        return self[key] if key in self.specs else default


def _formats(wb: xlsxwriter.Workbook, fw: Framework) -> dict:
    """The report's formats (created on first use) for ``wb``; the specs are built once per framework."""
    cached = _SPECS.get(id(fw))
    if cached is None or cached[0] is not fw:
        _SPECS.clear()
        specs = _format_specs(fw)
        cached = _SPECS[id(fw)] = (fw, specs, _Formats(xlsxfast.RecordingBook(), specs))
    if type(wb) is xlsxfast.RecordingBook:
        # a recorder's formats do not belong to it (RecordingBook.add_format): every recorder shares one set
        return cached[2]
    return _Formats(wb, cached[1])


_SPECS: dict[int, tuple[Framework, dict, _Formats]] = {}


def _format_specs(fw: Framework) -> dict:
    base = {"font_name": "Calibri", "font_size": 10, "valign": "top"}

    def fmt(**kw: object) -> dict:
        return {**base, **kw}

    f = {
        "title": fmt(bold=True, font_size=16, font_color=HEADER_FILL),
        "subtitle": fmt(italic=True, font_color="#404040"),
        "h2": fmt(bold=True, font_size=12, font_color=HEADER_FILL, bottom=2, bottom_color=HEADER_FILL),
        "header": fmt(bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL, border=1, text_wrap=True,
                      align="center", valign="vcenter"),
        "header_input": fmt(bold=True, bg_color="#FFD966", border=1, text_wrap=True, align="center",
                            valign="vcenter"),
        "text": fmt(border=1, border_color="#BFBFBF"),
        "wrap": fmt(border=1, border_color="#BFBFBF", text_wrap=True),
        "bold": fmt(border=1, border_color="#BFBFBF", bold=True),
        "plain": fmt(),
        "bold_plain": fmt(bold=True),
        "plain_wrap": fmt(text_wrap=True),
        "note": fmt(italic=True, font_color="#595959"),  # not wrapped: a note runs on over empty cells
        "int": fmt(border=1, border_color="#BFBFBF", num_format="0", align="center"),
        "int_input": fmt(border=1, border_color="#BFBFBF", num_format="0", align="center", bg_color=INPUT_FILL),
        "count": fmt(border=1, border_color="#BFBFBF", num_format="#,##0"),
        "idx": fmt(border=1, border_color="#BFBFBF", num_format="0.00"),
        "idx_bold": fmt(border=1, border_color="#BFBFBF", num_format="0.00", bold=True),
        "idx_big": fmt(num_format="0.00", bold=True, font_size=28, font_color=HEADER_FILL, valign="vcenter"),
        "w4": fmt(border=1, border_color="#BFBFBF", num_format="0.0000"),
        "w4_head": fmt(border=1, border_color="#BFBFBF", num_format="0.0000", bold=True, font_size=8, align="center",
                       bg_color="#DDEBF7"),
        "small_head": fmt(border=1, border_color="#BFBFBF", font_size=8, align="center", bg_color="#DDEBF7",
                          text_wrap=True),
        "level": fmt(border=1, border_color="#BFBFBF", num_format="0", align="center"),
        # an unanswered indicator (scored at the lowest level): the value with a marker, italic grey, dashed border
        "level_missing": fmt(border=3, border_color=MISSING_FONT, num_format=f'0"{MISSING_MARK}"', align="center",
                             italic=True, font_color=MISSING_FONT),
        "link": fmt(font_color="#0563C1", underline=1, border=1, border_color="#BFBFBF"),
        "link_plain": fmt(font_color="#0563C1", underline=1),
        "hash": fmt(font_name="Consolas", font_size=8, border=1, border_color="#BFBFBF"),
    }
    for name, (fill, font) in band_colours(fw).items():
        f[("band", name)] = fmt(border=1, border_color="#BFBFBF", bg_color=fill, font_color=font, bold=True,
                                align="center")
        f[("band_big", name)] = fmt(bg_color=fill, font_color=font, bold=True, font_size=16, align="center",
                                    valign="vcenter")
    for sev, fill in SEVERITY_FILL.items():
        f[("sev", sev)] = fmt(border=1, border_color="#BFBFBF", bg_color=fill, bold=True)
        f[("sev_wrap", sev)] = fmt(border=1, border_color="#BFBFBF", bg_color=fill, bold=True, text_wrap=True)
    for outcome, fill in OUTCOME_FILL.items():
        f[("outcome", outcome)] = fmt(border=1, border_color="#BFBFBF", bg_color=fill, bold=True)
    return f


def _band_fmt(f: dict, name: str) -> object:
    return f.get(("band", name), f["bold"])


# ---------------------------------------------------------------- the workbook


@dataclass(frozen=True)
class _Meta:
    """What a workbook needs besides its sheets' own data (small: sent to per-OPD workers once per task)."""

    fw: Framework
    lang: str
    year: int
    band_rule: str
    summary: ProvinceSummary | None

    @classmethod
    def of(cls, result: BatchResult) -> _Meta:
        return cls(result.framework, "en" if result.lang == "en" else "id", result.year, result.band_rule,
                   result.summary)


@dataclass(frozen=True)
class _GapData:
    """One OPD's gap sheet: everything :func:`_gap_sheet` reads (compact; no BatchResult)."""

    code: str
    name: str  # OPD display name
    sheet: str  # sheet name
    file: str  # its submission's file
    score: Score
    gap: Gap | None  # None: computed where the workbook is written (see _start_opd_workbooks)
    findings: tuple[Finding, ...]


class _Ctx:
    """What every sheet writer needs: strings, formats, names and (main workbook) the result."""

    def __init__(self, wb: xlsxwriter.Workbook, meta: _Meta, result: BatchResult | None = None,
                 row_memo: dict | None = None) -> None:
        self.wb = wb
        self.meta = meta
        # recorded per-OPD sheets only (xlsxfast.SheetRecord): indicator rows already written for another OPD
        self.row_memo = row_memo
        self.r = result
        self.fw = meta.fw
        self.lang = meta.lang
        self.t = UI[self.lang]
        self.f = _formats(wb, self.fw)
        self.names: list[str] = []
        self._inventory: inv.Inventory | None = None
        self._hosting = {k: label for k, label, _ in L.HOSTING}
        self.status_labels = {k: label for k, label, _ in L.STATUS}
        if self.lang == "en":
            self._hosting.update(HOSTING_EN)
            self.status_labels.update(STATUS_EN)
        if result is not None:
            fixed = [self.t[k] for k in self.t if k.startswith("sheet_")]
            self.opd_sheets = sheet_names_for([s.opd_code for s in result.kept], fixed)
            self._opd_names = {o.code: o.name for o in result.roster.opds}
            self.subs = {s.opd_code: s for s in result.kept}
            self.files = {s.opd_code: s.file for s in result.kept}

    def opd_name(self, code: str) -> str:
        """Display name of an OPD code (the roster name, else the code): a dict look-up, never a scan."""
        return self._opd_names.get(code, code)

    @property
    def inventory(self) -> inv.Inventory:
        """The inventory analysis without its service rows (one per service and OPD: :meth:`service_rows`
        yields them in the same order, a chunk of OPDs at a time, so 20,000 OPDs never hold them all)."""
        if self._inventory is None:
            bare = dataclasses.replace(self.fw, services=())  # analyse builds no service rows (nor levels)
            iv = inv.analyse(bare, self.r.kept, {})
            self._inventory = dataclasses.replace(iv, spread=inv.function_spread(self.fw, iv.groups))
        return self._inventory

    def service_rows(self, chunk: int = 512) -> Iterable[inv.ServiceRow]:
        """:func:`pipeline.inventory.service_rows` of the kept submissions, in its order, built lazily."""
        subs = sorted(self.r.kept, key=lambda s: s.opd_code)
        scores = self.r.scores
        for svc in self.fw.services:
            one = dataclasses.replace(self.fw, services=(svc,))
            for k in range(0, len(subs), chunk):
                part = subs[k:k + chunk]
                yield from inv.service_rows(one, part, {s.opd_code: scores[s.opd_code].levels for s in part
                                                         if s.opd_code in scores})

    def hosting(self, key: str) -> str:
        """Label of a hosting key ("lainnya: x" -> "Lainnya: x", "" -> not given)."""
        if not key:
            return self.t["unknown_location"]
        if key in self._hosting:
            return self._hosting[key]
        if key.startswith("lainnya:"):
            return self.t["other_location"].format(text=key.split(":", 1)[1].strip())
        return key

    def sheet(self, name: str) -> Out:
        self.names.append(name)
        return Out(self.wb.add_worksheet(name, worksheet_class=_Sheet))

    def gap_data(self, code: str) -> _GapData:
        r = self.r
        sub = self.subs[code]
        sheet = self.opd_sheets[code] if code in self.opd_sheets else sheet_names_for([code])[code]
        return _GapData(code, self.opd_name(code), sheet, sub.file, r.scores[code], r.gaps[code],
                        tuple(sorted(sub.findings, key=lambda x: x.sort_key())))

    def band_formula(self, ref: str) -> str:
        """LOOKUP of the predikat of the value in ``ref`` (self-contained: the bands are array constants)."""
        mins = ",".join(_num_text(b.min) for b in self.fw.bands)
        names = ",".join('"' + b.name.replace('"', '""') + '"' for b in self.fw.bands)
        value = f"ROUND({ref},2)" if self.meta.band_rule == "rounded" else f"ROUND({ref},9)"
        return f"LOOKUP({value},{{{mins}}},{{{names}}})"


def _num_text(value: Fraction) -> str:
    """A number literal for a formula: the exact decimal when it terminates, else the nearest float."""
    text = exact(value)
    return text if "/" not in text else repr(float(value))


def _set_properties(wb: xlsxwriter.Workbook, meta: _Meta, title: str) -> None:
    wb.set_properties({"title": title, "subject": f"Evaluasi SPBE {meta.year}", "author": "Diskominfo",
                       "company": "spbe-pipeline", "created": FIXED_DATE,
                       "comments": f"framework {meta.fw.id}; band rule {meta.band_rule}"})
    wb.set_calc_mode("auto")


def write_report(result: BatchResult, path: Path, *, per_opd_limit: int = DEFAULT_PER_OPD_LIMIT,
                 per_opd_files: bool | None = None, workers: int | None = None) -> Path:
    """Write the consolidated workbook to ``path`` atomically and return ``path``.

    Args:
        result: the merged batch (:func:`pipeline.batch.assemble`).
        path: the .xlsx to write; its folder is created when missing.
        per_opd_limit: above this many scored OPDs the gap sheets are not put in the main workbook but
            written one workbook per OPD under ``<folder>/opd/`` (linked from the ranking sheet).
        per_opd_files: True also writes the per-OPD workbooks below the limit; False never writes them
            (then, above the limit, no gap sheets are written at all); None (default) decides by the limit.
        workers: processes for the per-OPD workbooks (default: every core; see :func:`write_opd_workbooks`).
    Returns:
        The path written.
    Raises:
        OutputError: the file is open in Excel, the folder is not writable, or the written file fails its check.

    Above :data:`CONSTANT_MEMORY_ABOVE` OPDs the main workbook streams its rows (xlsxwriter
    ``constant_memory``); below, it is built in memory. The per-OPD workbooks are written by a process
    pool while this process builds the main workbook; the main workbook is renamed into place only
    after every per-OPD workbook is written.
    """
    path = Path(path)
    many = len(result.kept) > per_opd_limit
    external = bool(per_opd_files) or (per_opd_files is None and many)
    links: dict[str, str] = {}
    pending: _Pending | None = None
    if external:
        pending = _start_opd_workbooks(result, path.parent / OPD_FOLDER, workers, helper=True)
        links = {code: f"{OPD_FOLDER}/{p.name}" for code, p in _opd_paths(result, path.parent / OPD_FOLDER).items()}
    # gap sheets write a few cells above rows already written, so they need the in-memory mode
    streamed = many and len(result.kept) > CONSTANT_MEMORY_ABOVE
    options = {"constant_memory": True} if streamed else {"in_memory": True}
    try:
        return _atomic_write(path, lambda wb: _build(wb, result, gap_sheets=not many, links=links), result.lang,
                             options=options, before_replace=pending.wait if pending else None)
    finally:
        if pending is not None:
            pending.close()  # never leave workers behind


def write_opd_workbooks(result: BatchResult, folder: Path, *, workers: int | None = None,
                        fast: bool = True) -> dict[str, Path]:
    """Write one workbook per scored OPD holding its gap sheet; return OPD code -> path.

    From :data:`POOL_MIN_WORKBOOKS` workbooks on they are written by a pool of ``workers`` processes
    (default: every core), each task a chunk of OPDs with only the data their sheets need; every
    workbook is byte-identical whichever process writes it. ``fast`` (default) renders them from a
    template (:class:`_GapTemplate`); False writes each with xlsxwriter (the reference).
    """
    pending = _start_opd_workbooks(result, Path(folder), workers, fast)
    try:
        return pending.wait()
    finally:
        pending.close()


def _opd_paths(result: BatchResult, folder: Path) -> dict[str, Path]:
    codes = sorted(result.scores)
    names = sheet_names_for(codes)
    return {code: folder / f"{file_stem_for(names[code])}.xlsx" for code in codes}


class _Pending:
    """Per-OPD workbooks being written: :meth:`wait` finishes them (raising a worker's OutputError),
    :meth:`close` stops the pool without waiting for work not yet started.

    With ``helper`` the calling process has work of its own meanwhile (the main workbook) and then helps:
    the pool gets one worker fewer than ``workers`` and :meth:`wait` writes, in this process, the chunks no
    worker has started yet (from the last one back), so every core stays busy to the end."""

    def __init__(self, meta: _Meta, items: list[tuple[_GapData, str]], paths: dict[str, Path], workers: int,
                 fast: bool = True, gaps: Mapping[str, Gap] | None = None,
                 gap_settings: tuple[Targets, str] | None = None, helper: bool = False) -> None:
        self.meta, self.items, self.paths, self.fast, self.gaps = meta, items, paths, fast, gaps
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future] = []
        self.chunks: list[list[tuple[_GapData, str]]] = []
        self.done = False
        if workers > 1 and len(items) >= POOL_MIN_WORKBOOKS:
            workers -= helper
            # forkserver (else spawn), as pipeline.sandbox: workers start small instead of sharing, and being
            # counted with, this process's memory as forked children would
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            # the catalog goes to each worker once (it is most of a task's size), not with every task
            self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                            initializer=_gap_worker_init, initargs=(meta.fw,))
            bare = dataclasses.replace(meta, fw=None)
            chunk = max(1, min(25, math.ceil(len(items) / ((workers + helper) * 4))))
            for k in range(0, len(items), chunk):
                part = items[k:k + chunk]
                # items without their gap analysis get it computed by the worker (from the scores they carry)
                self.chunks.append(part)
                self.futures.append(self.pool.submit(_write_gap_chunk, bare, part, fast, gap_settings))

    def wait(self) -> dict[str, Path]:
        if not self.done:
            self.done = True
            if self.pool is None:
                _write_gap_books(self.meta, self.items, self.fast, self.gaps)
            else:
                try:
                    for fut, part in zip(reversed(self.futures), reversed(self.chunks), strict=True):
                        if not fut.cancel():
                            break  # a worker has it (and every chunk before it)
                        _write_gap_books(self.meta, part, self.fast, self.gaps)
                    for fut in self.futures:
                        if not fut.cancelled():
                            fut.result()
                except BrokenProcessPool:
                    # workers could not start (e.g. a calling script without a __main__ guard): write inline;
                    # every workbook is deterministic, so ones a worker already wrote are simply rewritten
                    self.close()
                    _write_gap_books(self.meta, self.items, self.fast, self.gaps)
                finally:
                    self.close()
        return self.paths

    def close(self) -> None:
        self.done = True
        if self.pool is not None:
            pool, self.pool = self.pool, None
            pool.shutdown(wait=True, cancel_futures=True)


def _start_opd_workbooks(result: BatchResult, folder: Path, workers: int | None, fast: bool = True,
                         helper: bool = False) -> _Pending:
    """Start writing the per-OPD workbooks (compact per-OPD data, chunked over a process pool; ``helper``
    as :class:`_Pending` takes it)."""
    paths = _opd_paths(result, folder)
    t = UI["en" if result.lang == "en" else "id"]
    main_sheets = sheet_names_for([s.opd_code for s in result.kept], [t[k] for k in t if k.startswith("sheet_")])
    by_code = {s.opd_code: s for s in result.kept}
    names = {o.code: o.name for o in result.roster.opds}
    workers = workers or os.cpu_count() or 1
    gaps = result.gaps
    gap_settings = None
    if workers > 1 and len(paths) >= POOL_MIN_WORKBOOKS and isinstance(gaps, LazyGaps):
        # the gap analyses (the costly part of the per-OPD data) are left to the workers: each computes its
        # chunk's from the scores in the items, with the batch's targets and band rule
        gap_settings = gaps.settings()

    items = []
    for code, p in paths.items():
        sub = by_code[code]
        items.append((_GapData(code, names.get(code, code), main_sheets[code], sub.file, result.scores[code],
                               None if gap_settings else gaps[code],
                               tuple(sorted(sub.findings, key=lambda x: x.sort_key()))), str(p)))
    return _Pending(_Meta.of(result), items, paths, workers, fast, gaps, gap_settings, helper)


_WORKER_FW: list[Framework] = []  # the catalog of this pool worker's tasks (see _gap_worker_init)


def _gap_worker_init(fw: Framework) -> None:
    """A per-OPD pool worker's start: keep the catalog its tasks are sent without."""
    _WORKER_FW[:] = [fw]
    tune_gc()


def _write_gap_chunk(meta: _Meta, items: Sequence[tuple[_GapData, str]], fast: bool,
                     gap_settings: tuple[Targets, str] | None) -> int:
    """A pool task: :func:`_write_gap_books` with the worker's catalog; items without their gap analysis get
    it from their own scores with ``gap_settings`` (targets, band rule)."""
    fw = _WORKER_FW[0]
    meta = dataclasses.replace(meta, fw=fw)
    gaps = None
    if gap_settings is not None:
        gaps = LazyGaps(fw, {d.code: d.score for d, _ in items}, *gap_settings)
    return _write_gap_books(meta, items, fast, gaps)


def _write_gap_books(meta: _Meta, items: Sequence[tuple[_GapData, str]], fast: bool = True,
                     gaps: Mapping[str, Gap] | None = None) -> int:
    """Write per-OPD workbooks (runs in a pool worker or inline); return how many took the template path.

    An item without its gap analysis (``gap`` None) takes it from ``gaps``. With ``fast`` each workbook is rendered from a :class:`_GapTemplate` (built once per process and
    catalog); an OPD whose sheet the template cannot render (see :class:`_GapTemplate`) is written
    with xlsxwriter, as all are without ``fast``.
    """
    if gaps is not None:
        items = [(d if d.gap is not None else dataclasses.replace(d, gap=gaps[d.code]), t) for d, t in items]
    template = _gap_template(meta, items[0][0]) if fast and items else None
    rendered = 0
    for data, target in items:
        payload = None
        if template is not None:
            try:
                payload = template.render(meta, data)
            except (xlsxfast.Unsupported, _TemplateMismatch):
                payload = None
        if payload is None:
            _write_gap_book_xlsxwriter(meta, data, Path(target))
        else:
            _atomic_bytes(Path(target), payload, meta.lang)
            rendered += 1
    return rendered


def _write_gap_book_xlsxwriter(meta: _Meta, data: _GapData, target: Path) -> None:
    """One per-OPD workbook written with xlsxwriter (the reference for the template path)."""
    t = UI[meta.lang]

    def build(wb: xlsxwriter.Workbook) -> list[str]:
        ctx = _Ctx(wb, meta)
        _set_properties(wb, meta, clean_text(t["gap_title"].format(name=data.name))[0])
        _gap_sheet(ctx, data, standalone=True)
        return ctx.names

    _atomic_write(target, build, meta.lang, options={"in_memory": True}, verify=_verify_zip)


def _atomic_bytes(path: Path, payload: bytes, lang: str) -> Path:
    """Write ready-made file bytes to a temp file beside ``path`` and rename it into place."""
    tmp: str | None = None
    try:
        folder = str(path.parent)
        if folder not in _MADE_DIRS:
            path.parent.mkdir(parents=True, exist_ok=True)
            _MADE_DIRS.add(folder)
        # a hidden temp name unique to this process (O_EXCL: never another writer's file)
        tmp = os.path.join(folder, f".~{path.stem[:40]}-{os.getpid()}-{next(_TMP_SEQ)}.xlsx")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileNotFoundError:  # the folder was removed since this process made it (an earlier run)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, flags, 0o644)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o644)  # the report is meant to be shared, whatever the umask
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)  # fails on a directory or a locked file
        tmp = None
    except OSError:
        raise OutputError(UI["en" if lang == "en" else "id"]["locked"].format(path=path)) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return path


_MADE_DIRS: set[str] = set()
_TMP_SEQ = itertools.count()


# ---------------------------------------------------------------- per-OPD workbooks from a template


class _TemplateMismatch(Exception):
    """This OPD's sheet differs from the template in a part the template keeps fixed."""


_PROTO_SHEET = "SPBEPROTOSHEET"  # sentinels: the prototype's sheet name and title, replaced per workbook
_PROTO_TITLE = "SPBEPROTOTITLE"
_STATIC_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                 "xl/theme/theme1.xml", "xl/worksheets/_rels/sheet1.xml.rels", "xl/drawings/_rels/drawing1.xml.rels")
_DYNAMIC_PARTS = ("docProps/app.xml", "docProps/core.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml",
                  "xl/sharedStrings.xml", "xl/charts/chart1.xml", "xl/drawings/drawing1.xml")
_CHART_SLOT = re.compile(r"<c:f>.*?</c:f>|<c:(str|num)Cache>.*?</c:(?:str|num)Cache>", re.S)
_ANCHOR = re.compile(r"<xdr:from>.*</xdr:to>", re.S)
_TEMPLATES: dict[bytes, _GapTemplate] = {}
_TEMPLATE_FW: dict[int, tuple[Framework, bytes]] = {}
_ROW_MEMO_MAX = 20_000  # recorded indicator rows kept per template (about 6,000 distinct in 1,000 OPDs)


def _gap_template(meta: _Meta, sample: _GapData) -> _GapTemplate | None:
    """The template for ``meta`` (built from ``sample`` once per process and catalog); None if it cannot be built."""
    fw = meta.fw
    known = _TEMPLATE_FW.get(id(fw))
    if known is None or known[0] is not fw:  # the catalog's bytes, once per catalog object (a worker has one)
        _TEMPLATE_FW.clear()
        known = _TEMPLATE_FW[id(fw)] = (fw, pickle.dumps(fw, protocol=pickle.HIGHEST_PROTOCOL))
    key = pickle.dumps((known[1], meta.lang, meta.year, meta.band_rule), protocol=pickle.HIGHEST_PROTOCOL)
    if key not in _TEMPLATES:
        try:
            _TEMPLATES.clear()  # one catalog per run: keep at most one template
            _TEMPLATES[key] = _GapTemplate(meta, sample)
        except (_TemplateMismatch, xlsxfast.Unsupported):
            return None
    return _TEMPLATES[key]


def _record_gap_sheet(meta: _Meta, data: _GapData, row_memo: dict | None = None) -> tuple[xlsxfast.SheetRecord, tuple]:
    """Run :func:`_gap_sheet` against a recorder; return the sheet and its fixed-layout signature.

    ``row_memo`` (kept by the caller for one catalog, language and template) holds indicator rows already
    recorded: most OPDs share most of them (same row, indicator, levels and target)."""
    book = xlsxfast.RecordingBook()
    _gap_sheet(_Ctx(book, meta, row_memo=row_memo), data, standalone=True)
    if len(book.sheets) != 1 or len(book.charts) != 1:
        raise _TemplateMismatch("one sheet and one chart expected")
    ws = book.sheets[0]

    def opts(o: dict) -> str:
        return repr(sorted((k, v.key if isinstance(v, xlsxfast.Fmt) else v) for k, v in o.items()))

    signature = (ws.layout(), tuple(c for ch in book.charts for c in ch.calls),
                 tuple(opts(o) for _, o in ws.validations), tuple(opts(o) for _, o in ws.cond_formats))
    return ws, signature


def _sqref(r1: int, c1: int, r2: int, c2: int) -> str:
    first, last = xlsxfast.cell_ref(r1, c1), xlsxfast.cell_ref(r2, c2)
    return first if first == last else f"{first}:{last}"


def _split_once(text: str, sep: str) -> tuple[str, str]:
    if text.count(sep) != 1:
        raise _TemplateMismatch(f"{sep!r} expected once")
    a, b = text.split(sep)
    return a, b


class _GapTemplate:
    """A per-OPD gap workbook written once by xlsxwriter (the prototype), rendered again for every OPD.

    Every part that is the same for every OPD (styles with every gap-sheet format, theme, content
    types, relationships) is taken from the prototype and compressed once. Per OPD, :func:`_gap_sheet`
    runs against a recorder (:mod:`pipeline.xlsxfast`) and the sheet XML and shared strings are
    rendered from the recorded cells, the chart gets this OPD's ranges and cached values, the drawing
    anchor follows this OPD's row heights, and the title and sheet name are filled in. What the
    template fixes (column widths, panes, print setup, chart styling, validation and conditional
    format rules) is compared with the prototype's; a difference raises :class:`_TemplateMismatch`
    and that OPD is written with xlsxwriter instead.
    """

    def __init__(self, meta: _Meta, sample: _GapData) -> None:
        self.t = UI[meta.lang]
        proto = dataclasses.replace(sample, sheet=_PROTO_SHEET)
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {**WORKBOOK_OPTIONS, "in_memory": True})
        ctx = _Ctx(wb, meta)
        # every format of the report, in a fixed order, so styles.xml and the xf indices never depend on the OPD
        self.xf: dict[tuple, int] = {}
        for key, spec in ctx.f.specs.items():
            self.xf[xlsxfast.props_key(spec)] = ctx.f[key]._get_xf_index()
        self.styles = xlsxfast.Styles(self.xf)  # see SheetRecord.sheet_data
        _set_properties(wb, meta, _PROTO_TITLE)
        _gap_sheet(ctx, proto, standalone=True)
        pws = wb.worksheets()[0]
        wb.close()
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
            names = z.namelist()
            raw = {n: z.read(n).decode("utf-8") for n in names}
        if sorted(names) != sorted(_STATIC_PARTS + _DYNAMIC_PARTS):
            raise _TemplateMismatch(f"unexpected parts {names}")
        self.order = names
        self.static = {n: xlsxfast.Part(n, raw[n].encode("utf-8")) for n in _STATIC_PARTS}
        self.last: dict[str, tuple[str, xlsxfast.Part]] = {}  # dynamic part -> the last rendering and its Part
        self.anchors: dict[tuple, str] = {}  # see _anchor
        self.rows: dict[tuple, tuple] = {}  # see _record_gap_sheet

        rec, self.signature = _record_gap_sheet(meta, proto)
        if len(rec.charts) != 1 or len(rec.cond_formats) != 1 or len(rec.validations) != 1:
            raise _TemplateMismatch("one chart, one conditional format and one validation expected")
        self.core = _split_once(raw["docProps/core.xml"], _PROTO_TITLE)
        self.app = _split_once(raw["docProps/app.xml"], f"<vt:lpstr>{_PROTO_SHEET}</vt:lpstr>")
        self.workbook = _split_once(raw["xl/workbook.xml"], f'<sheet name="{_PROTO_SHEET}"')

        sheet = raw["xl/worksheets/sheet1.xml"]
        head, rest = _split_once(sheet, f'<dimension ref="{rec.dimension()}"/>')
        mid, rest = _split_once(rest, "<sheetData>")
        _, rest = _split_once(rest, "</sheetData>")
        self.sheet_head, self.sheet_mid = head, mid
        cf = re.fullmatch(r'(?:<mergeCells .*</mergeCells>)?(<conditionalFormatting sqref=")([^"]*)(".*?'
                          r'</conditionalFormatting>)(<dataValidations count="1">.*? sqref=")([^"]*)(">.*?'
                          r'</dataValidations>)(<pageMargins .*)', rest, re.S)
        if cf is None:
            raise _TemplateMismatch("sheet tail")
        self.cf = (cf.group(1), cf.group(3))
        self.dv = (cf.group(4), cf.group(6))
        breaks = rec.row_breaks()  # the page break before the findings: its row differs per OPD
        if not breaks:
            raise _TemplateMismatch("a page break expected")
        self.sheet_tail = _split_once(cf.group(7), breaks)

        chart = raw["xl/charts/chart1.xml"]
        self.chart_static = _CHART_SLOT.split(chart)[::2]
        self.chart_kinds = [m.group(1) for m in _CHART_SLOT.finditer(chart)]
        series = rec.charts[0][2].series
        if self.chart_kinds != [None, "str", None, "num"] * len(series) or len(self.chart_static) != len(
                self.chart_kinds) + 1:
            raise _TemplateMismatch("chart slots")
        drawing = raw["xl/drawings/drawing1.xml"]
        if len(_ANCHOR.findall(drawing)) != 1:
            raise _TemplateMismatch("drawing anchor")
        self.drawing = _ANCHOR.split(drawing)
        self.pws = pws
        row, col, pchart, x_off, y_off, x_scale, y_scale, anchor = pws.charts[0][:8]
        self.chart_pos = (row, col, x_off, y_off, int(0.5 + pchart.width * x_scale),
                          int(0.5 + pchart.height * y_scale), anchor)
        # the rendering of the prototype must give the prototype's own parts back
        mine = self._parts(proto, rec)
        for n in ("xl/worksheets/sheet1.xml", "xl/charts/chart1.xml", "xl/drawings/drawing1.xml",
                  "docProps/app.xml", "xl/workbook.xml"):
            if n != "xl/worksheets/sheet1.xml" and mine[n] != raw[n]:
                raise _TemplateMismatch(f"{n} does not round-trip")
        if _strip_spans(mine["xl/worksheets/sheet1.xml"]) != _strip_spans(sheet):
            raise _TemplateMismatch("sheet XML does not round-trip")

    def _anchor(self, heights: dict[int, float]) -> str:
        """The drawing's chart anchor for these row heights (memoised: most OPDs give the same)."""
        key = tuple(sorted(heights.items()))
        hit = self.anchors.get(key)
        if hit is None:
            if len(self.anchors) > 1024:
                self.anchors.clear()
            hit = self.anchors[key] = self._position(heights)
        return hit

    def _position(self, heights: dict[int, float]) -> str:
        pws = self.pws
        pws.row_sizes = {r: [int(h * 4.0 / 3.0 + 0.5), False] for r, h in heights.items()}
        row, col, x_off, y_off, width, height, anchor = self.chart_pos
        c1, r1, x1, y1, c2, r2, x2, y2, _, _ = pws._position_object_emus(col, row, x_off, y_off, width, height, anchor)
        return (f"<xdr:from><xdr:col>{c1}</xdr:col><xdr:colOff>{x1}</xdr:colOff><xdr:row>{r1}</xdr:row>"
                f"<xdr:rowOff>{y1}</xdr:rowOff></xdr:from><xdr:to><xdr:col>{c2}</xdr:col><xdr:colOff>{x2}"
                f"</xdr:colOff><xdr:row>{r2}</xdr:row><xdr:rowOff>{y2}</xdr:rowOff></xdr:to>")

    def _parts(self, data: _GapData, ws: xlsxfast.SheetRecord) -> dict[str, str]:
        esc = xlsxfast.esc_data
        sheet = data.sheet
        title = clean_text(self.t["gap_title"].format(name=data.name))[0]
        out = {"docProps/core.xml": esc(title).join(self.core),
               "docProps/app.xml": f"<vt:lpstr>{esc(sheet)}</vt:lpstr>".join(self.app),
               "xl/workbook.xml": f'<sheet name="{xlsxfast.esc_attr(sheet)}"'.join(self.workbook)}
        (r1, c1, r2, c2), _ = ws.cond_formats[0]
        (v1, w1, v2, w2), _ = ws.validations[0]
        merges = ""
        if ws.merges:
            merges = (f'<mergeCells count="{len(ws.merges)}">'
                      + "".join(f'<mergeCell ref="{_sqref(*m)}"/>' for m in ws.merges) + "</mergeCells>")
        out["xl/worksheets/sheet1.xml"] = "".join((
            self.sheet_head, f'<dimension ref="{ws.dimension()}"/>', self.sheet_mid, ws.sheet_data(self.styles), merges,
            _sqref(r1, c1, r2, c2).join(self.cf), _sqref(v1, w1, v2, w2).join(self.dv),
            ws.row_breaks().join(self.sheet_tail)))
        out["xl/sharedStrings.xml"] = ws.shared_strings()
        slots = []
        for s in ws.charts[0][2].series:
            for rng in (s["categories"], s["values"]):
                if rng[0] != sheet:
                    raise _TemplateMismatch("chart range on another sheet")
                values = ws.range_data(*rng[1:])
                slots.append(f"<c:f>{esc(xl_range_formula(sheet, *rng[1:]))}</c:f>")
                slots.append(values)
        chart = [self.chart_static[0]]
        for k, slot in enumerate(slots):
            if isinstance(slot, list):
                kind = self.chart_kinds[k]
                if xlsxfast.data_type(slot) != kind:
                    raise _TemplateMismatch("chart data type")
                slot = xlsxfast.chart_cache(slot, kind)
            chart.append(slot)
            chart.append(self.chart_static[k + 1])
        out["xl/charts/chart1.xml"] = "".join(chart)
        out["xl/drawings/drawing1.xml"] = self._anchor(ws.heights).join(self.drawing)
        return out

    def render(self, meta: _Meta, data: _GapData) -> bytes:
        """The .xlsx bytes of one OPD's gap workbook (``meta`` may differ from the template's only in its
        summary: the template is shared by every batch of the same catalog, language, year and band rule)."""
        rows = self.rows
        if len(rows) > _ROW_MEMO_MAX:
            rows.clear()
        ws, signature = _record_gap_sheet(meta, data, rows)
        if signature != self.signature:
            raise _TemplateMismatch("layout differs from the template")
        parts = self._parts(data, ws)
        static, last = self.static, self.last
        for n, text in parts.items():  # a part the same as the previous workbook's (the drawing, mostly) is reused
            hit = last.get(n)
            if hit is None or hit[0] != text:
                last[n] = (text, xlsxfast.Part(n, text.encode("utf-8"), 1))
        return xlsxfast.zip_parts(static[n] if n in static else last[n][1] for n in self.order)


def _strip_spans(xml: str) -> str:
    return re.sub(r' spans="[0-9:]*"', "", xml)


def _build(wb: xlsxwriter.Workbook, result: BatchResult, *, gap_sheets: bool, links: dict[str, str]) -> list[str]:
    ctx = _Ctx(wb, _Meta.of(result), result)
    _set_properties(wb, ctx.meta, ctx.t["title"].format(year=result.year))
    summary = ctx.sheet(ctx.t["sheet_summary"])
    ranking = ctx.sheet(ctx.t["sheet_ranking"])
    _ranking_sheet(ctx, ranking, links if links else None, gap_sheets)
    _summary_sheet(ctx, summary, external_note=bool(links) and not gap_sheets)
    _matrix_sheet(ctx)
    if gap_sheets:
        for code in sorted(result.scores):
            _gap_sheet(ctx, ctx.gap_data(code), standalone=False)
    _validation_sheet(ctx)
    _files_sheet(ctx)
    _missing_sheet(ctx)
    _apps_sheet(ctx)
    _shared_sheet(ctx)
    _hosting_sheet(ctx)
    _services_sheet(ctx)
    _data_sheet(ctx)
    summary.ws.activate()
    return ctx.names


class _ZipInfo(zipfile.ZipInfo):
    """A zip member deflated at :data:`ZIP_LEVEL` (xlsxwriter leaves zlib's default, 6)."""

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)
        self._compresslevel = ZIP_LEVEL


class _ZipFile(zipfile.ZipFile):
    def __init__(self, *args: object, **kw: object) -> None:
        kw.setdefault("compresslevel", ZIP_LEVEL)
        super().__init__(*args, **kw)


class _Workbook(xlsxwriter.Workbook):
    """An xlsxwriter Workbook whose package is deflated at :data:`ZIP_LEVEL`: the main workbook holds tens of
    megabytes of sheet XML, which zlib's default level takes ~3x as long to compress (for a ~25% smaller file)."""

    def _store_workbook(self) -> None:
        import xlsxwriter.workbook as xw  # noqa: PLC0415 (the module whose zip classes are swapped for the call)

        saved = xw.ZipInfo, xw.ZipFile
        xw.ZipInfo, xw.ZipFile = _ZipInfo, _ZipFile
        try:
            super()._store_workbook()
        finally:
            xw.ZipInfo, xw.ZipFile = saved


def _atomic_write(path: Path, build: Callable[[xlsxwriter.Workbook], list[str]], lang: str, *,
                  options: dict | None = None, verify: Callable[[Path, list[str]], str] | None = None,
                  before_replace: Callable[[], object] | None = None) -> Path:
    """Build a workbook into a temp file beside ``path``, check it, then rename it into place.

    ``options`` are extra xlsxwriter options (``in_memory`` or ``constant_memory``); ``verify`` the check
    (default :func:`_verify`); ``before_replace`` runs after the check, before the rename (its exception
    leaves the previous file in place).
    """
    t = UI["en" if lang == "en" else "id"]
    locked = t["locked"].format(path=path)
    if path.is_dir():
        raise OutputError(locked)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".~{path.stem[:40]}-", suffix=".xlsx", dir=path.parent)
        os.close(fd)
    except OSError:
        raise OutputError(locked) from None
    tmp = Path(name)
    try:
        wb = _Workbook(str(tmp), {**WORKBOOK_OPTIONS, **(options or {})})
        names = build(wb)
        try:
            wb.close()
        except (OSError, XlsxWriterException):
            raise OutputError(locked) from None
        why = (verify or _verify)(tmp, names)
        if why:
            raise OutputError(t["verify_failed"].format(path=path, why=why))
        if before_replace is not None:
            before_replace()
        try:
            os.chmod(tmp, 0o644)  # mkstemp creates 0600; the report is meant to be shared
            os.replace(tmp, path)
        except OSError:
            raise OutputError(locked) from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # the temp file may still be held by an antivirus scanner; it is hidden and harmless
    return path


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REQUIRED_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/styles.xml",
                   "xl/_rels/workbook.xml.rels")


def _verify(tmp: Path, names: list[str]) -> str:
    """'' when the written file is a sound zip (every part's CRC checked) whose workbook.xml lists the
    expected sheets, each with its part, else why not. Cheap: no spreadsheet library loads it."""
    try:
        with zipfile.ZipFile(tmp) as z:
            bad = z.testzip()
            if bad:
                return f"damaged part {bad}"
            parts = set(z.namelist())
            missing = [p for p in _REQUIRED_PARTS if p not in parts]
            if missing:
                return f"missing part {missing[0]}"
            root = ElementTree.fromstring(z.read("xl/workbook.xml"))
            got = [el.get("name") for el in root.iter(f"{_NS_MAIN}sheet")]
            for k in range(1, len(got) + 1):
                if f"xl/worksheets/sheet{k}.xml" not in parts:
                    return f"missing part xl/worksheets/sheet{k}.xml"
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError) as exc:
        return str(exc)
    return "" if got == names else f"sheets {got} != {names}"


def _verify_zip(tmp: Path, names: list[str]) -> str:
    """The per-OPD check: the zip directory reads and lists the workbook's parts (no decompression)."""
    try:
        with zipfile.ZipFile(tmp) as z:
            parts = set(z.namelist())
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        return str(exc)
    expected = [*_REQUIRED_PARTS, *(f"xl/worksheets/sheet{k}.xml" for k in range(1, len(names) + 1))]
    missing = [p for p in expected if p not in parts]
    return f"missing part {missing[0]}" if missing else ""


# ---------------------------------------------------------------- Ringkasan


def _summary_sheet(ctx: _Ctx, out: Out, external_note: bool) -> None:
    t, f, r, fw = ctx.t, ctx.f, ctx.r, ctx.fw
    ws = out.ws
    ws.hide_gridlines(2)
    for c, w in enumerate((46, 20, 14, 14)):
        ws.set_column(c, c, w)
    ws.set_column(4, 4, 3)
    out.title(t["title"].format(year=r.year), f["title"])
    out.text(1, 0, t["framework_line"].format(regulation=fw.regulation or fw.title), f["subtitle"])
    out.text(2, 0, t["rule_line"].format(rule=t["rule_rounded" if r.band_rule == "rounded" else "rule_unrounded"]),
             f["subtitle"])
    s = r.summary
    out.text(4, 0, t["province_average"], f["h2"])
    ws.set_row(5, 40)
    if s and s.mean_index is not None:
        out.num(5, 0, stored(s.mean_index), f["idx_big"])
        out.text(5, 1, s.predikat, f.get(("band_big", s.predikat), f["bold"]))
        out.text(6, 0, t["average_of"].format(n=s.count), f["note"])
    else:
        out.text(5, 0, t["no_scores"], f["note"])
    c = r.counts
    verified = sum(1 for sc in r.scores.values() if sc.verified_count)
    figures = [
        ("n_roster", len(r.roster.opds)), ("n_files", len(r.outcomes)),
        ("n_accepted", c["accepted"] + c["accepted-with-notes"]), ("n_superseded", c["superseded"]),
        ("n_rejected", c["rejected"]), ("n_submitted", len(r.scores)), ("n_missing", len(r.not_submitted)),
        ("n_complete", sum(1 for sc in r.scores.values() if sc.complete)),
        ("n_incomplete", sum(1 for sc in r.scores.values() if not sc.complete)), ("n_verified", verified),
    ]
    row = 8
    out.text(row, 0, t["key_figures"], f["h2"])
    row += 1
    out.header(row, [(t["figure"], 46), (t["count"], 20)], f["header"])
    for key, n in figures:
        row += 1
        out.text(row, 0, t[key], f["text"])
        out.num(row, 1, n, f["count"])
    row += 2
    out.text(row, 0, t["how_to_read"], f["h2"])
    for key in ("how_1", "how_2", "how_3"):
        row += 1
        text = t[key].format(lo=fw.level_min, hi=fw.level_max)
        ws.merge_range(row, 0, row, 3, "", f["plain_wrap"])
        out.text(row, 0, text, f["plain_wrap"])
        fit_row(ws, row, [(text, 90)])
    if external_note:
        row += 1
        out.text(row, 0, t["per_opd_note"].format(folder=OPD_FOLDER, limit=len(r.kept) - 1), f["note"])
    row += 2
    out.text(row, 0, t["bands"], f["h2"])
    row += 1
    out.header(row, [(t["bands"], 46), (t["band_range"], 20), (t["band_count"], 14)], f["header"])
    dist_first = row + 1
    dist = s.predikat_distribution if s else {b.name: 0 for b in fw.bands}
    for band in reversed(fw.bands):
        row += 1
        top = "≤" if band is fw.bands[-1] else "<"
        out.text(row, 0, band.name, _band_fmt(f, band.name))
        out.text(row, 1, f"{display(band.min)} ≤ {t['index'].lower()} {top} {display(band.max)}", f["text"])
        out.num(row, 2, dist.get(band.name, 0), f["count"])
    dist_last = row
    row += 2
    out.text(row, 0, t["domain_means"], f["h2"])
    row += 1
    out.header(row, [(t["domain"], 46), (t["weight"], 20), (t["mean"], 14), (t["predikat"], 14)], f["header"])
    means_first = row + 1
    for d in fw.domains:
        row += 1
        out.text(row, 0, f"{d.id} {d.name}", f["text"])
        out.num(row, 1, stored(d.weight), f["idx"])
        if s and s.domain_means:
            out.num(row, 2, stored(s.domain_means[d.id]), f["idx"])
            out.text(row, 3, s.domain_predikat[d.id], _band_fmt(f, s.domain_predikat[d.id]))
    row += 2
    out.text(row, 0, t["aspect_means"], f["h2"])
    row += 1
    out.header(row, [(t["aspect"], 46), (t["domain"], 20), (t["mean"], 14)], f["header"])
    aspect_first = row + 1
    for a in fw.aspects:
        row += 1
        out.text(row, 0, f"{a.id} {a.name}", f["wrap"])
        out.text(row, 1, a.domain, f["text"])
        if s and s.aspect_means:
            out.num(row, 2, stored(s.aspect_means[a.id]), f["idx"])
        fit_row(ws, row, [(f"{a.id} {a.name}", 46)])
    aspect_last = row
    opd_block = None
    if len(r.ranking) > CHART_MAX_OPDS:  # a bar per OPD would be unreadable: the ranking sheet has them all
        row += 2
        out.text(row, 0, t["chart_skipped"].format(chart=t["chart_opd"], limit=CHART_MAX_OPDS,
                                                   sheet=t["sheet_ranking"]), f["note"])
    elif r.ranking:
        # the per-OPD chart's own data: a static block in rank order (Peringkat has an autofilter; a chart on
        # it would reorder its bars when an official sorts or filters there, while its bar colours stay put)
        row += 2
        out.text(row, 0, t["opd_chart_data"], f["h2"])
        row += 1
        out.header(row, [(t["name"], 46), (t["spbe_index"], 20), (t["predikat"], 14), (t["status"], 14)],
                   f["header"])
        opd_block = (row + 1, row + len(r.ranking))
        for x in r.ranking:
            row += 1
            label = x.name + ("" if x.score.complete else t["incomplete_suffix"])
            status = _status(ctx, x.score)
            out.text(row, 0, label, f["wrap"])
            out.num(row, 1, stored(x.index), f["idx_bold"])
            out.text(row, 2, x.predikat, _band_fmt(f, x.predikat))
            out.text(row, 3, status, f["wrap"] if x.score.complete else f[("sev", "incomplete")])
            fit_row(ws, row, [(label, 46), (status, 14)])
    ws.set_column(5, 14, 9)
    if not s or not s.count:
        print_setup(ws)
        return
    name = out.name
    colours = band_colours(fw)
    dist_chart = ctx.wb.add_chart({"type": "column"})
    dist_chart.add_series({
        "name": t["band_count"],
        "categories": [name, dist_first, 0, dist_last, 0], "values": [name, dist_first, 2, dist_last, 2],
        "points": [{"fill": {"color": colours[b.name][0]}, "border": {"color": "#404040"}} for b in reversed(fw.bands)],
        "data_labels": {"value": True}, "gap": 60,
    })
    _style_chart(dist_chart, t["chart_dist"])
    dist_chart.set_y_axis({"major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}, "min": 0,
                           "num_format": "0", "major_unit": max(1, math.ceil(max(dist.values(), default=1) / 5))})
    dist_chart.set_size({"width": 560, "height": 300})
    ws.insert_chart(4, 5, dist_chart, {"x_offset": 10, "y_offset": 0})

    opd_rows = _opd_chart(ctx, ws, opd_block, name, colours) if opd_block else 0
    means_chart = ctx.wb.add_chart({"type": "bar"})
    means_chart.add_series({
        "name": t["mean"], "categories": [name, means_first, 0, means_first + len(fw.domains) - 1, 0],
        "values": [name, means_first, 2, means_first + len(fw.domains) - 1, 2], "fill": {"color": HEADER_FILL},
        "data_labels": {"value": True, "num_format": "0.00"}, "gap": 40,
    })
    aspect_chart = ctx.wb.add_chart({"type": "bar"})
    aspect_chart.add_series({
        "name": t["mean"], "categories": [name, aspect_first, 0, aspect_last, 0],
        "values": [name, aspect_first, 2, aspect_last, 2], "fill": {"color": OPD_COLOUR},
        "data_labels": {"value": True, "num_format": "0.00"}, "gap": 40,
    })
    for chart, title in ((means_chart, f"{t['chart_means']}: {t['domain']}"),
                         (aspect_chart, f"{t['chart_means']}: {t['aspect']}")):
        _style_chart(chart, title)
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"min": 0, "max": fw.level_max, "major_unit": 1, "num_format": "0",
                          "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
        chart.set_legend({"none": True})
    means_chart.set_size({"width": 560, "height": 60 + 34 * len(fw.domains)})
    aspect_chart.set_size({"width": 560, "height": 60 + 30 * len(fw.aspects)})
    ws.insert_chart(21 + opd_rows, 5, means_chart, {"x_offset": 10})
    ws.insert_chart(21 + opd_rows + math.ceil((60 + 34 * len(fw.domains)) / 20) + 1, 5, aspect_chart,
                    {"x_offset": 10})
    print_setup(ws)


def _opd_chart(ctx: _Ctx, ws: object, block: tuple[int, int], sheet: str, colours: dict) -> int:
    """The bar chart of every OPD's index (at most :data:`CHART_MAX_OPDS`); rows it takes.

    It reads the static block ``block`` (first, last row) on Ringkasan, in rank order: names (incomplete
    ones marked) in column A, indices in column B; the bar colours follow the same order.
    """
    t, r, fw = ctx.t, ctx.r, ctx.fw
    first, last = block
    opd_chart = ctx.wb.add_chart({"type": "bar"})
    opd_chart.add_series({
        "name": t["spbe_index"],
        "categories": [sheet, first, 0, last, 0], "values": [sheet, first, 1, last, 1],
        "points": [{"fill": {"color": colours[row_.predikat][0]}} for row_ in r.ranking],
        "data_labels": {"value": True, "num_format": "0.00"}, "gap": 40,
    })
    _style_chart(opd_chart, t["chart_opd"])
    # in an xlsxwriter bar chart the x axis is the horizontal value axis and the y axis the category axis
    opd_chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
    opd_chart.set_x_axis({"min": 0, "max": fw.level_max, "major_unit": 1, "num_format": "0",
                          "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    opd_chart.set_size({"width": 560, "height": max(260, 30 * len(r.ranking) + 90)})
    ws.insert_chart(21, 5, opd_chart, {"x_offset": 10})
    return math.ceil(max(260, 30 * len(r.ranking) + 90) / 20) + 1


def _style_chart(chart: object, title: str) -> None:
    chart.set_title({"name": title, "name_font": {"size": 11, "bold": True}})
    chart.set_legend({"none": True})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})


# ---------------------------------------------------------------- Peringkat


def _status(ctx: _Ctx, score: Score) -> str:
    text = ctx.t["complete" if score.complete else "incomplete"]
    return f"{text}, {ctx.t['verified']}" if score.verified_count else text


def _ranking_sheet(ctx: _Ctx, out: Out, links: dict[str, str] | None, gap_sheets: bool) -> None:
    t, f, r, fw = ctx.t, ctx.f, ctx.r, ctx.fw
    out.title(t["ranking_title"].format(year=r.year), f["title"])
    out.text(1, 0, t["ranking_note"], f["subtitle"])
    # the status (complete or not) sits next to the index: an incomplete assessment is marked where it is read
    cols = [(t["rank"], 9), (t["code"], 16), (t["name"], 44), (t["spbe_index"], 10), (t["predikat"], 13),
            (t["status"], 20)]
    cols += [(f"{d.id} {d.name}", 12) for d in fw.domains]
    cols += [(t["self_index"], 12), (t["verified_index"], 12), (t["adjusted"], 13),
             (t["missing_count"], 12), (t["source_file"], 30), (t["analysis"], 18)]
    hr = 3
    out.header(hr, cols, f["header"])
    out.ws.set_row(hr, 45)
    files = {s.opd_code: s.file for s in r.kept}
    for n, row in enumerate(r.ranking):
        i = hr + 1 + n
        sc = row.score
        out.num(i, 0, row.rank, f["int"])
        out.text(i, 1, row.opd, f["text"])
        out.text(i, 2, row.name, f["wrap"])
        fit_row(out.ws, i, [(row.name, 44)])
        out.num(i, 3, stored(row.index), f["idx_bold"])
        out.text(i, 4, row.predikat, _band_fmt(f, row.predikat))
        out.text(i, 5, _status(ctx, sc), f["text"] if sc.complete else f[("sev", "incomplete")])
        for k, d in enumerate(fw.domains):
            out.num(i, 6 + k, stored(sc.domains[d.id]), f["idx"])
        c = 5 + len(fw.domains)
        out.num(i, c + 1, stored(sc.self_index), f["idx"])
        out.num(i, c + 2, None if sc.verified_index is None else stored(sc.verified_index), f["idx"])
        out.num(i, c + 3, sc.adjusted, f["int"])
        out.num(i, c + 4, len(sc.missing), f["int"])
        out.text(i, c + 5, files.get(row.opd, ""), f["text"])
        sheet = ctx.opd_sheets.get(row.opd, "")
        if gap_sheets and sheet:
            out.url(i, c + 6, f"internal:'{sheet}'!A1", sheet, f["link"])
        elif links and row.opd in links:
            out.url(i, c + 6, f"external:{links[row.opd]}", links[row.opd], f["link"])
        else:
            out.blank(i, c + 6, f["text"])
    last = hr + max(1, len(r.ranking))
    out.table_setup(hr, last, len(cols), freeze_col=3)


# ---------------------------------------------------------------- Matriks


def _matrix_sheet(ctx: _Ctx) -> None:
    t, f, r, fw = ctx.t, ctx.f, ctx.r, ctx.fw
    out = ctx.sheet(t["sheet_matrix"])
    ws = out.ws
    out.title(t["matrix_title"].format(year=r.year), f["title"])
    out.text(1, 0, t["matrix_note"], f["subtitle"])
    out.text(2, 0, t["matrix_legend"].format(mark=f"{fw.level_min}{MISSING_MARK}", lo=fw.level_min), f["subtitle"])
    hr = 3
    n = len(fw.indicators)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 48)
    ws.set_column(2, 1 + n, 6.5)
    ws.set_column(2 + n, 3 + n, 12)
    # heading rows written row by row (the workbook may stream its rows: constant_memory)
    out.blank(hr, 0, f["header"])
    out.text(hr, 1, t["indicator_no"], f["header"])
    for k, ind in enumerate(fw.indicators):
        out.text(hr, 2 + k, ind.id, f["header"])
        ws.write_comment(hr, 2 + k, clean_text(f"{ind.id} {ind.name}")[0], {"x_scale": 2, "y_scale": 1})
    out.blank(hr, 2 + n, f["header"])
    out.blank(hr, 3 + n, f["header"])
    ws.set_row(hr, 30)
    out.blank(hr + 1, 0, f["small_head"])
    out.text(hr + 1, 1, t["aspect"], f["small_head"])
    for k, ind in enumerate(fw.indicators):
        out.text(hr + 1, 2 + k, ind.aspect, f["small_head"])
    out.blank(hr + 1, 2 + n, f["small_head"])
    out.blank(hr + 1, 3 + n, f["small_head"])
    out.blank(hr + 2, 0, f["small_head"])
    out.text(hr + 2, 1, t["weight_row"], f["small_head"])
    for k, ind in enumerate(fw.indicators):
        out.num(hr + 2, 2 + k, float(ind.weight), f["w4_head"])
    out.blank(hr + 2, 2 + n, f["small_head"])
    out.blank(hr + 2, 3 + n, f["small_head"])
    out.blank(hr + 3, 0, f["small_head"])
    out.text(hr + 3, 1, t["weight_exact_row"], f["small_head"])
    for k, ind in enumerate(fw.indicators):
        out.text(hr + 3, 2 + k, exact(ind.weight), f["small_head"])
    out.blank(hr + 3, 2 + n, f["small_head"])
    out.blank(hr + 3, 3 + n, f["small_head"])
    # the heading of the OPD rows, directly above them
    out.text(hr + 4, 0, t["code"], f["header"])
    out.text(hr + 4, 1, t["name"], f["header"])
    for k in range(n):
        out.blank(hr + 4, 2 + k, f["header"])
    out.text(hr + 4, 2 + n, t["spbe_index"], f["header"])
    out.text(hr + 4, 3 + n, t["predikat"], f["header"])
    first = hr + 5
    wcol0, wcol1 = col_letter(3), col_letter(2 + n)
    wrow = hr + 3  # 1-based row of the weights
    body = _Body(out)
    level, missing = f["level"], f["level_missing"]
    for j, row in enumerate(r.ranking):
        i = first + j
        b = body.row(i)
        b.text(0, row.opd, f["text"])
        b.text(1, row.name, f["wrap"])
        for k, sc in enumerate(row.score.indicators):
            b.num(2 + k, sc.level, missing if sc.source == SOURCE_MISSING else level)
        b.formula(2 + n, f"=SUMPRODUCT({wcol0}{i + 1}:{wcol1}{i + 1},{wcol0}${wrow}:{wcol1}${wrow})/100",
                  stored(row.index), f["idx_bold"])
        b.text(3 + n, row.predikat, _band_fmt(f, row.predikat))
        b.end([(row.name, 48)])
    last = first + len(r.ranking) - 1
    if r.summary is not None and r.ranking:
        # province summary: how many OPDs stand at each level of each indicator, and the mean level
        row = last + 2
        out.text(row, 0, t["dist_title"], f["bold"])
        for lv in fw.levels:
            row += 1
            out.text(row, 1, t["dist_level"].format(level=lv), f["small_head"])
            for k, ind in enumerate(fw.indicators):
                out.num(row, 2 + k, r.summary.level_distribution[ind.id][lv], f["level"])
        row += 1
        out.text(row, 1, t["dist_mean"], f["small_head"])
        for k, ind in enumerate(fw.indicators):
            out.num(row, 2 + k, stored(r.summary.indicator_means[ind.id]), f["idx"])
    if r.ranking:
        ws.conditional_format(first, 2, last, 1 + n, {
            "type": "3_color_scale", "min_type": "num", "min_value": fw.level_min, "mid_type": "num",
            "mid_value": (fw.level_min + fw.level_max) / 2, "max_type": "num", "max_value": fw.level_max,
            "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"})
    ws.freeze_panes(first, 2)
    ws.repeat_rows(hr, hr + 4)
    ws.repeat_columns(0, 1)
    print_setup(ws)
    ws.set_paper(8)  # A3: one column per indicator


# ---------------------------------------------------------------- gap sheet (one per OPD)


@functools.lru_cache(maxsize=1 << 12)
def _contribution(target: int, weight: Fraction) -> float:
    """Stored target x weight / 100 (memoised: few targets and weights recur in every gap sheet)."""
    return stored(target * weight / 100, 4)


@functools.lru_cache(maxsize=1 << 12)
def _criteria(template: str, level: int, text: str) -> str:
    """An indicator's next-level criteria as the gap sheet shows it (the same few recur in every sheet)."""
    return template.format(level=level, text=text)


def _weight_cells(weight: Fraction, target: int) -> tuple[float, float]:
    """An indicator's stored weight and contribution (target x weight / 100) in a gap sheet. Memoised by the
    weight's identity (the catalog's weights are shared by every OPD's gap rows; a Fraction is slow to hash)."""
    key = (id(weight), target)
    hit = _WEIGHT_CELLS.get(key)
    if hit is None or hit[0] is not weight:
        if len(_WEIGHT_CELLS) > 1 << 12:
            _WEIGHT_CELLS.clear()
        hit = _WEIGHT_CELLS[key] = (weight, float(weight), _contribution(target, weight))
    return hit[1], hit[2]


_WEIGHT_CELLS: dict[tuple[int, int], tuple[Fraction, float, float]] = {}


def _gap_sheet(ctx: _Ctx, data: _GapData, *, standalone: bool) -> None:
    t, f, fw = ctx.t, ctx.f, ctx.fw
    code = data.code
    gap: Gap = data.gap
    score = data.score
    summary = ctx.meta.summary
    out = ctx.sheet(data.sheet)
    ws = out.ws
    for c, w in enumerate(GAP_WIDTHS):  # every table of the sheet is laid out on these widths
        ws.set_column(c, c, w)
    missing = set(score.missing)
    out.title(t["gap_title"].format(name=data.name), f["title"])
    out.text(1, 0, t["gap_sub"].format(code=code, file=data.file), f["subtitle"])
    if not standalone:
        out.url(1, 10, f"internal:'{t['sheet_ranking']}'!A1", t["back"], f["link_plain"])

    # key figures
    row = 3
    out.text(row, 1, t["current_index"], f["bold"])
    out.num(row, 2, stored(gap.current_index), f["idx_bold"])
    out.text(row, 3, gap.current_predikat, _band_fmt(f, gap.current_predikat))
    row += 1
    out.text(row, 1, t["target_index"], f["bold"])
    out.num(row, 2, stored(gap.target_index), f["idx_bold"])
    out.text(row, 3, gap.target_predikat, _band_fmt(f, gap.target_predikat))
    row += 1
    source = {TARGET_NEXT_BAND: t["src_next"].format(pred=gap.target_predikat), TARGET_TOP_BAND: t["src_top"],
              TARGET_INDEX: t["src_index"], TARGET_LEVELS: t["src_levels"]}.get(gap.target_source, gap.target_source)
    out.text(row, 1, t["target_source"], f["bold"])
    ws.merge_range(row, 2, row, 3, "", f["wrap"])
    out.text(row, 2, source, f["wrap"])
    fit_row(ws, row, [(source, 26)])
    row += 1
    out.text(row, 1, t["shortfall"], f["bold"])
    out.num(row, 2, stored(gap.shortfall), f["idx"])
    row += 1
    out.text(row, 1, t["steps"], f["bold"])
    if gap.steps_needed is None:
        out.text(row, 2, t["unreachable"], f["text"])
    else:
        out.num(row, 2, gap.steps_needed, f["int"])
    planned_row = row + 1
    row += 2
    mean = summary.mean_index if summary else None
    out.text(row, 1, t["province_mean"], f["bold"])
    out.num(row, 2, None if mean is None else stored(mean), f["idx"])

    # domain and aspect indices against the province average (data of the chart)
    row += 2
    for c, h in ((1, t["dom_asp"]), (2, t["opd_value"]), (3, t["province_mean"])):
        out.text(row, c, h, f["header"])
    out.ws.set_row(row, 30)
    chart_first = row + 1
    items = [(d.id, d.name, score.domains[d.id], summary.domain_means.get(d.id) if summary else None)
             for d in fw.domains]
    items += [(a.id, a.name, score.aspects[a.id], summary.aspect_means.get(a.id) if summary else None)
              for a in fw.aspects]
    for ident, name, value, avg in items:
        row += 1
        out.text(row, 1, f"{ident} {name}", f["text"])
        out.num(row, 2, stored(value), f["idx"])
        out.num(row, 3, None if avg is None else stored(avg), f["idx"])
    chart_last = row
    chart = ctx.wb.add_chart({"type": "bar"})
    for col, label, colour in ((2, t["opd_value"], OPD_COLOUR), (3, t["province_mean"], MEAN_COLOUR)):
        chart.add_series({"name": label, "categories": [out.name, chart_first, 1, chart_last, 1],
                          "values": [out.name, chart_first, col, chart_last, col], "fill": {"color": colour},
                          "gap": 60})
    _style_chart(chart, t["chart_opd_vs"])
    chart.set_legend({"position": "bottom"})
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
    chart.set_x_axis({"min": 0, "max": fw.level_max, "major_unit": 1, "num_format": "0",
                      "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    chart.set_size({"width": 820, "height": max(320, 38 * (chart_last - chart_first + 1) + 80)})
    ws.insert_chart(3, 4, chart, {"x_offset": 15})

    # minimal plan; unanswered indicators come first: answering them is the first step
    row = max(row, 3 + math.ceil(max(320, 38 * (chart_last - chart_first + 1) + 80) / 20)) + 2
    out.text(row, 0, t["plan"], f["h2"])
    row += 1
    if score.missing:
        text = t["first_step"].format(ids=", ".join(score.missing))
        ws.merge_range(row, 0, row, 10, "", f[("sev", "incomplete")])
        out.text(row, 0, text, f[("sev", "incomplete")])
        row += 1
    if not gap.reachable:
        out.text(row, 1, t["plan_unreachable"], f["note"])
    elif not gap.plan:
        out.text(row, 1, t["plan_none"], f["note"])
    else:
        current = {g.indicator: g.current for g in gap.rows}
        for c, h in enumerate((t["ind_id"], t["ind_name"], t["level_from"], t["level_to"], t["levels_up"],
                               t["gain"])):
            out.text(row, c, h, f["header"])
        out.ws.set_row(row, 30)
        for step in gap.plan:
            row += 1
            ind = fw.indicator(step.indicator)
            now = current.get(ind.id, fw.level_min)
            out.text(row, 0, ind.id, f["bold"])
            out.text(row, 1, ind.name, f["wrap"])
            out.num(row, 2, now, f["level_missing" if ind.id in missing else "level"])
            out.num(row, 3, now + step.levels, f["level"])
            out.num(row, 4, step.levels, f["int"])
            out.num(row, 5, stored(step.gain, 4), f["w4"])
            fit_row(ws, row, [(ind.name, 46)])

    # indicator table with the what-if target column
    row += 2
    out.text(row, 0, t["indicators"], f["h2"])
    row += 1
    hr = row
    heads = [t["ind_id"], t["ind_name"], t["domain"], t["aspect"], t["current"], t["target"], t["gap"], t["weight"],
             t["step_gain"], t["contribution"], t["next_criteria"], t["priority"]]
    for c, h in enumerate(heads):
        out.text(hr, c, h, f["header_input" if c == 5 else "header"])
    ws.set_row(hr, 45)
    first = hr + 1
    last = hr + len(gap.rows)
    # the loop below runs for every indicator of every OPD: formats, methods and per-weight values looked up once
    text, num, formula = out.text, out.num, out.formula
    bold, wrap, plain, w4 = f["bold"], f["wrap"], f["text"], f["w4"]
    level, level_missing, int_input, fint = f["level"], f["level_missing"], f["int_input"], f["int"]
    criteria_level = t["criteria_level"]
    memo = ctx.row_memo
    for k, g in enumerate(gap.rows):
        i = first + k
        if memo is not None:  # a recorded sheet: a row another OPD already had is written again in one call
            key = (i, g, g.indicator in missing)
            entry = memo.get(key)
            if entry is not None and ws.replay_row(i, entry):
                continue
            strings_before = ws.string_count
        e = i + 1  # 1-based row for formulas
        criteria = _criteria(criteria_level, g.current + 1, g.next_criteria) if g.next_criteria else ""
        weight, contribution = _weight_cells(g.weight, g.target)
        text(i, 0, g.indicator, bold)
        text(i, 1, g.name, wrap)
        text(i, 2, g.domain, plain)
        text(i, 3, g.aspect, plain)
        num(i, 4, g.current, level_missing if g.indicator in missing else level)
        num(i, 5, g.target, int_input)
        formula(i, 6, f"=MAX(0,F{e}-E{e})", g.gap, level)
        num(i, 7, weight, w4)
        num(i, 8, stored(g.step_gain, 4), w4)
        formula(i, 9, f"=F{e}*H{e}/100", contribution, w4)
        text(i, 10, criteria, wrap)
        num(i, 11, g.priority, fint)
        fit_row(ws, i, [(g.name, 46), (criteria, 60)])
        if memo is not None:
            memo[key] = ws.row_entry(i, strings_before)
    ws.data_validation(first, 5, last, 5, {"validate": "integer", "criteria": "between", "minimum": fw.level_min,
                                           "maximum": fw.level_max, "error_type": "stop",
                                           "error_message": f"{fw.level_min}-{fw.level_max}"})
    ws.conditional_format(first, 6, last, 6, {"type": "cell", "criteria": ">", "value": 0,
                                              "format": ctx.wb.add_format({"bg_color": "#FCE4D6", "bold": True})})
    planned = f"ROUND(SUMPRODUCT(F{first + 1}:F{last + 1},H{first + 1}:H{last + 1})/100,10)"
    out.text(planned_row, 1, t["planned_index"], f["bold"])
    out.formula(planned_row, 2, "=" + planned, stored(gap.planned_index), f["idx_bold"])
    planned_pred = predikat_of(fw, gap.planned_index, ctx.meta.band_rule)
    out.formula(planned_row, 3, "=" + ctx.band_formula(f"C{planned_row + 1}"), planned_pred, f["bold"])
    if missing:
        out.text(last + 1, 4, t["matrix_legend"].format(mark=f"{fw.level_min}{MISSING_MARK}", lo=fw.level_min),
                 f["note"])

    # this OPD's findings, from a new printed page; each column placed where the sheet's widths suit it:
    # cell A, message B (wrapped), sheet C, severity D, code E:G (merged), how to fix H:K (merged, wrapped)
    row = last + 3
    ws.set_h_pagebreaks([row])
    out.text(row, 0, t["opd_findings"], f["h2"])
    row += 1
    findings = data.findings
    if not findings:
        out.text(row, 1, t["no_findings"], f["note"])
    else:
        for c, c2, h in ((0, 0, t["cell"]), (1, 1, t["message"]), (2, 2, t["sheet"]), (3, 3, t["severity"]),
                         (4, 6, t["finding_code"]), (7, 10, t["hint"])):
            if c2 > c:
                ws.merge_range(row, c, row, c2, "", f["header"])
            out.text(row, c, h, f["header"])
        ws.set_row(row, 30)
        sev = SEVERITY_LABEL[ctx.lang]
        for fd in findings:
            row += 1
            msg, hint = fd.message(ctx.lang), fd.hint(ctx.lang)
            out.text(row, 0, fd.cell, f["wrap"])
            out.text(row, 1, msg, f["wrap"])
            out.text(row, 2, fd.sheet, f["wrap"])
            out.text(row, 3, sev[fd.severity], f[("sev_wrap", fd.severity)])
            ws.merge_range(row, 4, row, 6, "", f["wrap"])
            out.text(row, 4, fd.code, f["wrap"])
            ws.merge_range(row, 7, row, 10, "", f["wrap"])
            out.text(row, 7, hint, f["wrap"])
            fit_row(ws, row, [(fd.cell, 7), (msg, 46), (fd.sheet, 12), (sev[fd.severity], 15), (fd.code, 33),
                              (hint, 103)])
    ws.freeze_panes(3, 0)
    print_setup(ws)


# ---------------------------------------------------------------- Validasi, Berkas, Belum Mengirim, Data


def _validation_sheet(ctx: _Ctx) -> None:
    t, f, r = ctx.t, ctx.f, ctx.r
    out = ctx.sheet(t["sheet_validation"])
    out.title(t["validation_title"], f["title"])
    out.text(1, 0, t["validation_note"], f["subtitle"])
    hr = 3
    cols = [(t["file"], 30), (t["severity"], 15), (t["sheet"], 13), (t["cell"], 7), (t["finding_code"], 26),
            (t["message"], 60), (t["hint"], 55)]
    out.header(hr, cols, f["header"])
    sev = SEVERITY_LABEL[ctx.lang]
    findings = r.findings
    body = _Body(out)
    wrap, text = f["wrap"], f["text"]
    for n, fd in enumerate(findings):
        msg, hint = fd.message(ctx.lang), fd.hint(ctx.lang)
        b = body.row(hr + 1 + n)
        b.text(0, fd.file, wrap)
        b.text(1, sev[fd.severity], f[("sev", fd.severity)])
        b.text(2, fd.sheet, text)
        b.text(3, fd.cell, text)
        b.text(4, fd.code, text)
        b.text(5, msg, wrap)
        b.text(6, hint, wrap)
        b.end([(fd.file, 30), (msg, 60), (hint, 55)])
    if not findings:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, len(findings)), len(cols), freeze_col=1)


def _files_sheet(ctx: _Ctx) -> None:
    t, f, r = ctx.t, ctx.f, ctx.r
    out = ctx.sheet(t["sheet_files"])
    out.title(t["files_title"], f["title"])
    out.text(1, 0, t["files_note"], f["subtitle"])
    hr = 3
    cols = [(t["file"], 34), (t["outcome"], 24), (t["code"], 16), (t["name"], 36), (t["reason"], 50),
            (t["superseded_by"], 28), (t["size"], 12), ("SHA-256", 70)]
    out.header(hr, cols, f["header"])
    labels = OUTCOME_LABEL[ctx.lang]
    rows = sorted(r.outcomes, key=lambda o: (o.file.casefold(), o.file))
    body = _Body(out)
    for n, o in enumerate(rows):
        b = body.row(hr + 1 + n)
        name = ctx.opd_name(o.opd_code) if o.opd_code else ""
        b.text(0, o.file, f["wrap"])
        b.text(1, labels.get(o.outcome, o.outcome), f.get(("outcome", o.outcome), f["bold"]))
        b.text(2, o.opd_code, f["text"])
        b.text(3, name, f["wrap"])
        b.text(4, o.reason, f["wrap"])
        b.text(5, o.superseded_by, f["wrap"])
        b.num(6, o.size, f["count"])
        b.text(7, o.sha256, f["hash"])
        b.end([(o.file, 34), (name, 36), (o.reason, 50), (o.superseded_by, 28)])
    assert len(rows) == len(r.outcomes), "every file found must have a row"
    out.table_setup(hr, hr + max(1, len(rows)), len(cols), freeze_col=1)


def _missing_sheet(ctx: _Ctx) -> None:
    t, f, r = ctx.t, ctx.f, ctx.r
    out = ctx.sheet(t["sheet_missing"])
    out.title(t["missing_title"], f["title"])
    out.text(1, 0, t["missing_note"], f["subtitle"])
    hr = 3
    cols = [(t["code"], 20), (t["name"], 60), (t["kind"], 14), (t["rejected_files"], 50)]
    out.header(hr, cols, f["header"])
    rejected: dict[str, list[str]] = {}
    for o in r.outcomes:
        if o.outcome == "rejected" and o.opd_code:
            rejected.setdefault(o.opd_code, []).append(o.file)
    for n, opd in enumerate(sorted(r.not_submitted, key=lambda o: o.code)):
        i = hr + 1 + n
        out.text(i, 0, opd.code, f["text"])
        files = "; ".join(sorted(rejected.get(opd.code, [])))
        out.text(i, 1, opd.name, f["wrap"])
        out.text(i, 2, opd.kind, f["wrap"])
        out.text(i, 3, files, f["wrap"])
        fit_row(out.ws, i, [(opd.name, 60), (opd.kind, 14), (files, 50)])
    if not r.not_submitted:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, len(r.not_submitted)), len(cols), freeze_col=1)


def _data_sheet(ctx: _Ctx) -> None:
    """One row per (OPD, indicator), headers in row 1, plain values, no merged cells (rows streamed as XML)."""
    t, r, fw = ctx.t, ctx.r, ctx.fw
    heads = t["data_headers"].split("|")
    out = ctx.sheet(t["sheet_data"])
    ws = out.ws
    body = _Body(out)
    b = body.row(0)
    bold = ctx.wb.add_format({"bold": True})
    for c, h in enumerate(heads):
        b.text(c, h, bold)
    b.end()
    ncol = len(heads)
    for c, h in enumerate(heads):
        ws.set_column(c, c, max(10, len(h) + 2))
    ws.set_column(3, 3, 36)
    ws.set_column(13, 13, 28)
    int_fmt = ctx.wb.add_format({"num_format": "0"})
    weight_fmt = ctx.wb.add_format({"num_format": "0.0000"})
    source = {"verified": t["src_verified"], "self": t["src_self"], "missing": t["src_missing"]}
    weights = {ind.id: (float(ind.weight), exact(ind.weight)) for ind in fw.indicators}

    def rows() -> Iterable[tuple]:
        for sub in r.kept:
            score = r.scores[sub.opd_code]
            code, name, file = sub.opd_code, ctx.opd_name(sub.opd_code), sub.file
            answers = sub.answers
            for sc in score.indicators:
                ans = answers.get(sc.id)
                cell = ""
                if ans is not None:
                    cell = ans.verified_cell if sc.source == "verified" else ans.level_cell
                weight, weight_exact = weights.get(sc.id) or (float(sc.weight), exact(sc.weight))
                yield (code, name, file, sc, source.get(sc.source, sc.source), weight, weight_exact,
                       ans.sheet if ans else "", cell)

    i = 0
    if not body.fast:  # the reference: every cell through xlsxwriter
        for code, name, file, sc, src, weight, weight_exact, sheet, cell in rows():
            i += 1
            b = body.row(i)
            b.num(0, r.year, int_fmt)
            for c, value in ((1, fw.id), (2, code), (3, name), (4, sc.id), (5, sc.domain), (6, sc.aspect)):
                b.text(c, value)
            b.num(7, sc.self_level, int_fmt)
            b.num(8, sc.verified_level, int_fmt)
            b.num(9, sc.level, int_fmt)
            b.text(10, src)
            b.num(11, weight, weight_fmt)
            for c, value in ((12, weight_exact), (13, file), (14, sheet), (15, cell)):
                b.text(c, value)
            b.end()
    else:
        # the same cells rendered straight from a few cached pieces: each distinct text becomes its cell's tail
        # (shared string index, or inline string in constant_memory mode) once
        sst = None if ws.constant_memory else ws.str_table
        tails: dict[str, str] = {}

        def tail(value: str, keep: bool = True) -> str:
            x = tails.get(value)
            if x is None:
                text = _clean_str(value)
                if len(text) > XLS_STRMAX // 2 and _utf16_len(text) > XLS_STRMAX:
                    raise ReportWriteError(f"write_string to {out.name} failed with code -2")
                if sst is None:
                    x = f' t="inlineStr">{_inline(text)}</c>'
                else:
                    x = f' t="s"><v>{sst._get_shared_string_index(text)}</v></c>'
                    sst.count -= 1  # counted per cell below
                if keep:  # texts of one OPD (code, name, file) are not kept: the cache stays small
                    tails[value] = x
            return x

        st_int, st_w = body._style(int_fmt), body._style(weight_fmt)
        year = f"{float(r.year):.16G}"

        def lv(col: str, n: int, value: int | None) -> str:
            return f'<c r="{col}{n}"{st_int}/>' if value is None else f'<c r="{col}{n}"{st_int}><v>{value}</v></c>'

        fw_tail = tail(fw.id)
        raw_row = ws.raw_row
        last = None
        for code, name, file, sc, src, weight, weight_exact, sheet, cell in rows():
            i += 1
            n = i + 1
            if last != (code, name, file):  # an OPD's rows are consecutive
                last = (code, name, file)
                t_code, t_name, t_file = tail(code, False), tail(name, False), tail(file, False)
            raw_row(i, (
                f'<c r="A{n}"{st_int}><v>{year}</v></c><c r="B{n}"{fw_tail}<c r="C{n}"{t_code}'
                f'<c r="D{n}"{t_name}<c r="E{n}"{tail(sc.id)}<c r="F{n}"{tail(sc.domain)}'
                f'<c r="G{n}"{tail(sc.aspect)}{lv("H", n, sc.self_level)}{lv("I", n, sc.verified_level)}'
                f'{lv("J", n, sc.level)}<c r="K{n}"{tail(src)}<c r="L{n}"{st_w}><v>{weight:.16G}</v></c>'
                f'<c r="M{n}"{tail(weight_exact)}<c r="N{n}"{t_file}<c r="O{n}"{tail(sheet)}'
                f'<c r="P{n}"{tail(cell)}'), ncol)
        if sst is not None:
            sst.count += 11 * i
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, i), len(heads) - 1)
    ws.repeat_rows(0)
    print_setup(ws)


# ---------------------------------------------------------------- inventory sheets (pipeline.inventory)


def _section(out: Out, row: int, title: str, f: dict, note: str = "") -> int:
    out.text(row, 0, title, f["h2"])
    if note:
        row += 1
        out.text(row, 0, note, f["note"])
    return row + 1


def _apps_sheet(ctx: _Ctx) -> None:
    t, f, r = ctx.t, ctx.f, ctx.r
    out = ctx.sheet(t["sheet_apps"])
    out.title(t["apps_title"], f["title"])
    out.text(1, 0, t["apps_note"], f["subtitle"])
    hr = 3
    cols = [(t["code"], 15), (t["name"], 30), (t["app_name"], 26), (t["function"], 22), (t["users"], 16),
            (t["url"], 28), (t["developer"], 20), (t["hosting"], 24), (t["integrated"], 20), (t["app_status"], 10),
            (t["problems"], 30), (t["needs"], 30), (t["file"], 22), (t["row"], 7)]
    out.header(hr, cols, f["header"])
    out.ws.set_row(hr, 30)
    status = ctx.status_labels
    files = {s.opd_code: s.file for s in r.kept}
    entries = ctx.inventory.entries
    body = _Body(out)
    wrap, int_ = f["wrap"], f["int"]
    widths = [w for _, w in cols]
    for n, e in enumerate(entries):
        b = body.row(hr + 1 + n)
        a = e.app
        texts = (e.opd, ctx.opd_name(e.opd), a.name, a.function_label, a.users, a.url, a.developer, ctx.hosting(a.hosting),
                 a.integrated_with, status.get(a.status, a.status), a.problems, a.needs, files.get(e.opd, e.file))
        for c, value in enumerate(texts):
            b.text(c, value, wrap)
        b.num(len(texts), a.row, int_)
        b.end([(_fit_text(v), w) for v, w in zip(texts, widths, strict=False)])
    if not entries:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, len(entries)), len(cols), freeze_col=3)


def _shared_sheet(ctx: _Ctx) -> None:
    t, f = ctx.t, ctx.f
    out = ctx.sheet(t["sheet_shared"])
    ws = out.ws
    out.title(t["shared_title"], f["title"])
    out.text(1, 0, t["shared_note"], f["subtitle"])
    hr = 3
    cols = [(t["group"], 28), (t["match"], 14), (t["n_opd"], 10), (t["opds"], 30), (t["names"], 40), (t["urls"], 40)]
    out.header(hr, cols, f["header"])
    shared = ctx.inventory.shared
    for n, g in enumerate(shared):
        i = hr + 1 + n
        match = t["match_both"] if g.by_name and g.by_url else t["match_url"] if g.by_url else t["match_name"]
        urls = sorted({e.app.url for e in g.entries if e.app.url})
        values = (g.label, match, None, ", ".join(g.opds), "; ".join(g.names), "; ".join(urls))
        for c, v in enumerate(values):
            if c == 2:
                out.num(i, c, len(g.opds), f["int"])
            else:
                out.text(i, c, v, f["wrap"])
        fit_row(ws, i, [(values[3], 30), (values[4], 40), (values[5], 40)])
    if not shared:
        out.text(hr + 1, 0, t["none"], f["note"])
    last = hr + max(1, len(shared))
    ws.autofilter(hr, 0, last, len(cols) - 1)
    row = _section(out, last + 2, t["spread_title"], f)
    out.text(row, 0, t["function"], f["header"])
    out.text(row, 1, t["n_apps"], f["header"])
    ws.merge_range(row, 2, row, 5, "", f["header"])
    out.text(row, 2, t["apps_list"], f["header"])
    ws.set_row(row, 30)
    for sp in ctx.inventory.spread:
        row += 1
        listing = "; ".join(f"{g.label} ({', '.join(g.opds)})" for g in sp.groups)
        out.text(row, 0, sp.label, f["wrap"])
        out.num(row, 1, len(sp.groups), f["int"])
        ws.merge_range(row, 2, row, 5, "", f["wrap"])
        out.text(row, 2, listing, f["wrap"])
        fit_row(ws, row, [(listing, 120)])
    if not ctx.inventory.spread:
        out.text(row + 1, 0, t["none"], f["note"])
    ws.freeze_panes(hr + 1, 0)
    ws.repeat_rows(hr)
    print_setup(ws)


def _locations(keys: Iterable[str]) -> list[str]:
    order = [k for k, _, _ in L.HOSTING]
    return sorted(set(keys), key=lambda k: (order.index(k) if k in order else len(order), k))


def _hosting_sheet(ctx: _Ctx) -> None:
    t, f = ctx.t, ctx.f
    iv = ctx.inventory
    out = ctx.sheet(t["sheet_hosting"])
    ws = out.ws
    for c, w in enumerate((16, 34, 14, 14, 14, 14, 40)):
        ws.set_column(c, c, w)
    out.title(t["hosting_title"], f["title"])

    # the data-centre plan first: it is what the officials decide on
    row = _section(out, 2, t["plan_dc"], f)
    ws.merge_range(row, 0, row, 6, "", f["plain_wrap"])  # the rule: long, so wrapped over the table's width
    out.text(row, 0, t["plan_dc_note"], f["plain_wrap"])
    fit_row(ws, row, [(t["plan_dc_note"], 110)])
    row += 1
    heads = [t["code"], t["name"], t["active_total"], t["apps_move"], t["servers_total"], t["servers_move"],
             t["apps_move_names"]]
    for c, h in enumerate(heads):
        out.text(row, c, h, f["header"])
    ws.set_row(row, 30)
    plan_first = row + 1
    # a chart caches the cells it reads: streamed only when there is no chart
    body = _Body(out, stream=len(iv.dc_plan) > CHART_MAX_OPDS)
    text, wrap, int_ = f["text"], f["wrap"], f["int"]
    for p in iv.dc_plan:
        row += 1
        b = body.row(row)
        names = "; ".join(f"{a.name} ({ctx.hosting(a.hosting)})" for a in p.apps)
        name = ctx.opd_name(p.opd)
        b.text(0, p.opd, text)
        b.text(1, name, wrap)
        b.num(2, p.apps_total, int_)
        b.num(3, len(p.apps), int_)
        b.num(4, p.servers_total, int_)
        b.num(5, p.servers, int_)
        b.text(6, names, wrap)
        b.end([(name, 34), (names, 40)])
    plan_last = row
    body = _Body(out)
    row += 1
    out.text(row, 0, t["total"], f["bold"])
    out.blank(row, 1, f["bold"])
    totals = (sum(p.apps_total for p in iv.dc_plan), iv.dc_totals[0], sum(p.servers_total for p in iv.dc_plan),
              iv.dc_totals[1])
    for k, value in enumerate(totals):
        c = 2 + k
        col = col_letter(c + 1)
        if iv.dc_plan:
            out.formula(row, c, f"=SUM({col}{plan_first + 1}:{col}{plan_last + 1})", value, f["int"])
        else:
            out.num(row, c, value, f["int"])
    out.blank(row, 6, f["bold"])
    if len(iv.dc_plan) > CHART_MAX_OPDS:  # one bar pair per OPD would be unreadable; the table above is complete
        row += 1
        out.text(row, 0, t["chart_skipped"].format(chart=t["chart_dc"], limit=CHART_MAX_OPDS, sheet=out.name),
                 f["note"])
    elif iv.dc_plan:
        chart = ctx.wb.add_chart({"type": "bar"})
        for c, colour in ((3, OPD_COLOUR), (5, "#ED7D31")):
            chart.add_series({"name": [out.name, plan_first - 1, c], "categories": [out.name, plan_first, 0, plan_last, 0],
                              "values": [out.name, plan_first, c, plan_last, c], "fill": {"color": colour},
                              "data_labels": {"value": True}, "gap": 50})
        _style_chart(chart, t["chart_dc"])
        chart.set_legend({"position": "bottom"})
        chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
        chart.set_x_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True,
                                                                           "line": {"color": "#E0E0E0"}}})
        chart.set_size({"width": 620, "height": max(280, 40 * len(iv.dc_plan) + 110)})
        ws.insert_chart(2, 8, chart)
        row = max(row, 2 + math.ceil(max(280, 40 * len(iv.dc_plan) + 110) / 20))

    # counts by location
    row = _section(out, row + 2, t["by_location"], f)
    for c, h in enumerate((t["location"], "", t["n_app_loc"], t["n_srv_loc"])):
        out.text(row, c, h, f["header"])
    locs = _locations([*iv.apps_by_location, *iv.servers_by_location])
    for key in locs:
        row += 1
        out.text(row, 0, ctx.hosting(key), f["bold"])
        out.blank(row, 1, f["text"])
        ws.merge_range(row, 0, row, 1, "", f["bold"])
        out.text(row, 0, ctx.hosting(key), f["bold"])
        out.num(row, 2, iv.apps_by_location.get(key, 0), f["int"])
        out.num(row, 3, iv.servers_by_location.get(key, 0), f["int"])

    # per OPD and location: applications, then servers
    for title, pos in ((t["apps_per_loc"], 0), (t["servers_per_loc"], 1)):
        used = _locations(k for opd in iv.by_opd.values() for k, v in opd.items() if v[pos])
        row = _section(out, row + 2, title, f)
        out.text(row, 0, t["code"], f["header"])
        for k, key in enumerate(used):
            out.text(row, 1 + k, ctx.hosting(key), f["header"])
        ws.set_row(row, 45)
        for code, opd in iv.by_opd.items():
            row += 1
            b = body.row(row)
            b.text(0, code, text)
            for k, key in enumerate(used):
                b.num(1 + k, opd.get(key, (0, 0))[pos], int_)
            b.end()

    # outside the province: what could move, then national applications on ministry servers (not moved);
    # columns: code A, application B, hosting C:D, developer E:F, URL G
    row = _section(out, row + 2, t["outside"], f) - 2
    for title, entries in ((t["outside_move"], iv.outside_movable), (t["outside_national"], iv.outside_ministry)):
        row += 2
        out.text(row, 0, title, f["bold_plain"])
        row += 1
        for c, c2, h in ((0, 0, t["code"]), (1, 1, t["app_name"]), (2, 3, t["hosting"]), (4, 5, t["developer"]),
                         (6, 6, t["url"])):
            if c2 > c:
                ws.merge_range(row, c, row, c2, "", f["header"])
            out.text(row, c, h, f["header"])
        for e in entries:
            row += 1
            b = body.row(row)
            where = ctx.hosting(e.app.hosting)
            b.text(0, e.opd, text)
            b.text(1, e.app.name, wrap)
            b.merged(2, 3, where, wrap)
            b.merged(4, 5, e.app.developer, wrap)
            b.text(6, e.app.url, wrap)
            b.end([(e.app.name, 34), (where, 32), (e.app.developer, 32), (e.app.url, 40)])
        if not entries:
            row += 1
            out.text(row, 0, t["none"], f["note"])

    row = _section(out, row + 2, t["no_room"], f)
    out.text(row, 0, t["code"], f["header"])
    out.text(row, 1, t["name"], f["header"])
    for code in iv.no_server_room:
        row += 1
        b = body.row(row)
        b.text(0, code, text)
        b.text(1, ctx.opd_name(code), wrap)
        b.end([(ctx.opd_name(code), 34)])
    if not iv.no_server_room:
        out.text(row + 1, 0, t["none"], f["note"])
        row += 1

    row = _section(out, row + 2, t["bandwidth"], f)
    for c, h in enumerate((t["code"], t["provider"], t["mbps"])):
        out.text(row, c, h, f["header"])
    mbps = ctx.wb.add_format({"border": 1, "border_color": "#BFBFBF", "num_format": "#,##0.##", "font_size": 10,
                              "valign": "top"})
    for code, provider, bw in iv.bandwidth:
        row += 1
        b = body.row(row)
        b.text(0, code, text)
        b.text(1, provider, text)
        b.num(2, bw, mbps)
        b.end()
    ws.freeze_panes(1, 0)
    print_setup(ws)


def _services_sheet(ctx: _Ctx) -> None:
    t, f = ctx.t, ctx.f
    out = ctx.sheet(t["sheet_services"])
    out.title(t["services_title"], f["title"])
    out.text(1, 0, t["services_note"], f["subtitle"])
    hr = 3
    cols = [(t["service"], 26), (t["code"], 15), (t["name"], 32), (t["indicator"], 11), (t["max_level"], 10),
            (t["level_detail"], 18), (t["active_apps"], 36), (t["n_active"], 11), (t["flag"], 30)]
    out.header(hr, cols, f["header"])
    out.ws.set_row(hr, 30)
    flag_text = {inv.FLAG_NO_APP: t["flag_no_app"], inv.FLAG_LOW_LEVEL: t["flag_low"]}
    flag_fmt = ctx.wb.add_format({"border": 1, "border_color": "#BFBFBF", "bg_color": "#F8CBAD", "bold": True,
                                  "text_wrap": True, "font_size": 10, "valign": "top"})
    body = _Body(out)
    wrap, text, level, int_ = f["wrap"], f["text"], f["level"], f["int"]
    n = -1
    for n, s in enumerate(ctx.service_rows()):  # noqa: B007 (n counts the rows)
        b = body.row(hr + 1 + n)
        detail = "; ".join(f"{iid}: {lv}" for iid, lv in s.levels) if len(s.levels) > 1 else ""
        apps = "; ".join(s.apps)
        flags = "; ".join(flag_text[x] for x in s.flags)
        name = ctx.opd_name(s.opd)
        b.text(0, s.label, wrap)
        b.text(1, s.opd, text)
        b.text(2, name, wrap)
        b.text(3, ", ".join(iid for iid, _ in s.levels), text)
        b.num(4, max((lv for _, lv in s.levels), default=None), level)
        b.text(5, detail, wrap)
        b.text(6, apps, wrap)
        b.num(7, len(s.apps), int_)
        b.text(8, flags, flag_fmt if flags else text)
        b.end([(s.label, 26), (name, 32), (apps, 36), (flags, 30)])
    if n < 0:
        out.text(hr + 1, 0, t["none"], f["note"])
    out.table_setup(hr, hr + max(1, n + 1), len(cols), freeze_col=3)
