"""Fatal errors: a bad catalog, roster or targets file, an output that cannot be written (``error.<name>``).

``where`` names the entry (``indicator 25``, ``roster file x.csv, line 7``); values are shown as given.
"""

from __future__ import annotations

ID = {
    # catalogs
    "error.catalog-unknown": "Kerangka {ref} tidak dikenal; pilih salah satu dari {ids} atau berikan jalur berkas katalog.",
    "error.catalog-unreadable": "Berkas katalog {path} tidak dapat dibaca sebagai JSON ({error}).",
    "error.catalog-field-missing": "{where}: isian wajib '{field}' tidak ada.",
    "error.catalog-weight-number": "{where}: bobot {value} harus ditulis sebagai teks persis seperti \"1.3\" atau "
                                   "\"20/6\", bukan angka.",
    "error.catalog-weight-invalid": "{where}: bobot {value} bukan bilangan persis (tulis \"1.3\" atau \"20/6\").",
    "error.catalog-weight-positive": "{where}: bobot {value} harus lebih besar dari nol.",
    "error.catalog-level-range": "{where}: rentang level {lo}..{hi} tidak valid.",
    "error.catalog-band-rule": "{where}: band_rule {rule} harus salah satu dari {rules}.",
    "error.catalog-level-name": "{where}: level_names.{cap} tidak memuat nama untuk level {level}.",
    "error.catalog-duplicate-id": "{where}: id {kind} {id} dipakai dua kali; id harus unik.",
    "error.catalog-undefined": "{where}: {kind} {id} tidak didefinisikan.",
    "error.catalog-capability": "{where}: kapabilitas {value} harus 'process' atau 'service'.",
    "error.catalog-criteria-missing": "{where}: teks kriteria level {level} tidak ada.",
    "error.catalog-criteria-extra": "{where}: teks kriteria level {level} di luar skala {lo}..{hi}.",
    "error.catalog-no-indicators": "{where}: tidak ada indikator.",
    "error.catalog-aspect-sum": "{where}: jumlah bobot indikator {total}, bukan bobot aspek {expected}.",
    "error.catalog-domain-sum": "{where}: jumlah bobot aspek {total}, bukan bobot domain {expected}.",
    "error.catalog-total-sum": "{where}: jumlah bobot domain {total}, bukan 100.",
    "error.catalog-no-bands": "{where}: tidak ada rentang predikat.",
    "error.catalog-band-start": "{where}: dimulai pada {value}, di atas level terendah {lo}.",
    "error.catalog-band-end": "{where}: berakhir pada {value}, bukan level tertinggi {hi}.",
    "error.catalog-band-gap": "{where}: berakhir pada {value}, tetapi predikat {next} dimulai pada {start}; rentang "
                              "predikat harus bersambung.",
    "error.catalog-band-empty": "{where}: batas atas {max} tidak di atas batas bawah {min}.",
    "error.catalog-band-bound": "{where}: batas {value} bukan angka.",
    # rosters
    "error.roster-unreadable": "Berkas daftar OPD {path} tidak dapat dibaca ({error}).",
    "error.roster-column": "Berkas daftar OPD {path}: kolom '{column}' tidak ada (kolom: kode,nama,jenis,alias).",
    "error.roster-both-required": "Berkas daftar OPD {path}, baris {line}: 'kode' dan 'nama' wajib diisi.",
    "error.roster-duplicate-code": "Berkas daftar OPD {path}, baris {line}: kode {code} sudah dipakai pada baris "
                                   "{first}.",
    "error.roster-no-rows": "Berkas daftar OPD {path}: tidak ada baris OPD.",
    "error.roster-alias-clash": "Berkas daftar OPD {path}: nama atau alias {name} dipakai oleh {a} dan {b}.",
    # targets
    "error.targets-unreadable": "Berkas target {path} tidak dapat dibaca ({error}).",
    "error.targets-json": "Berkas target {path} bukan JSON yang valid pada baris {line}, kolom {col} (contoh: "
                          "{{\"index\": \"3.5\", \"opd\": {{\"BPKAD\": {{\"index\": \"4.2\"}}}}}}).",
    "error.targets-not-number": "Berkas target {path}: {where}: {value} bukan angka.",
    "error.targets-negative": "Berkas target {path}: {where}: {value} tidak boleh negatif.",
    "error.targets-mapping": "Berkas target {path}: {where}: harus berupa pemetaan dengan 'index' dan/atau 'levels'.",
    "error.targets-unknown-key": "Berkas target {path}: {where}: kunci tidak dikenal; gunakan 'index', 'levels' atau "
                                 "'opd'.",
    "error.targets-index-scale": "Berkas target {path}: {where}: {value} di luar skala {lo}..{hi}.",
    "error.targets-levels-mapping": "Berkas target {path}: {where}: harus berupa pemetaan nomor indikator ke level.",
    "error.targets-indicator": "Berkas target {path}: {where}: indikator {id} tidak ada dalam {framework}.",
    "error.targets-level-whole": "Berkas target {path}: {where}: level {value} bukan bilangan bulat.",
    "error.targets-level-scale": "Berkas target {path}: {where}: level {value} di luar skala {lo}..{hi}.",
    "error.targets-opd-mapping": "Berkas target {path}: opd: harus berupa pemetaan kode OPD ke target.",
    "error.targets-opd-empty": "Berkas target {path}: opd: ada kode OPD yang kosong.",
    "error.targets-opd-unknown": "Berkas target {path}: kode OPD {code} tidak ada dalam daftar OPD.",
    # input and output
    "error.input-missing": "Folder input {folder} tidak ada.",
    "error.output-locked": "Berkas keluaran {path} sedang dibuka di Excel atau tidak dapat ditulis; tutup berkas lalu "
                           "jalankan ulang.",
    "error.output-verify": "Berkas keluaran {path} gagal diperiksa setelah ditulis ({why}); berkas lama tidak diubah.",
    "error.template-write": "Tidak dapat menulis {path}: {error}.",
}

EN = {
    "error.catalog-unknown": "framework {ref} is not known; choose one of {ids} or give a catalog file path.",
    "error.catalog-unreadable": "catalog file {path}: cannot be read as JSON ({error}).",
    "error.catalog-field-missing": "{where}: required field '{field}' is missing.",
    "error.catalog-weight-number": "{where}: weight {value} must be written as an exact string such as \"1.3\" or "
                                   "\"20/6\", not a number.",
    "error.catalog-weight-invalid": "{where}: weight {value} is not an exact number (write \"1.3\" or \"20/6\").",
    "error.catalog-weight-positive": "{where}: weight {value} must be greater than zero.",
    "error.catalog-level-range": "{where}: level range {lo}..{hi} is invalid.",
    "error.catalog-band-rule": "{where}: band_rule {rule} must be one of {rules}.",
    "error.catalog-level-name": "{where}: level_names.{cap} has no name for level {level}.",
    "error.catalog-duplicate-id": "{where}: {kind} id {id} is used twice; ids must be unique.",
    "error.catalog-undefined": "{where}: {kind} {id} is not defined.",
    "error.catalog-capability": "{where}: capability {value} must be 'process' or 'service'.",
    "error.catalog-criteria-missing": "{where}: criteria text for level {level} is missing.",
    "error.catalog-criteria-extra": "{where}: criteria text for level {level} is outside the scale {lo}..{hi}.",
    "error.catalog-no-indicators": "{where}: no indicators.",
    "error.catalog-aspect-sum": "{where}: indicator weights sum to {total}, not the aspect weight {expected}.",
    "error.catalog-domain-sum": "{where}: aspect weights sum to {total}, not the domain weight {expected}.",
    "error.catalog-total-sum": "{where}: domain weights sum to {total}, not 100.",
    "error.catalog-no-bands": "{where}: no predikat bands.",
    "error.catalog-band-start": "{where}: starts at {value}, above the scale minimum {lo}.",
    "error.catalog-band-end": "{where}: ends at {value}, not the scale maximum {hi}.",
    "error.catalog-band-gap": "{where}: ends at {value} but band {next} starts at {start}; bands must be contiguous.",
    "error.catalog-band-empty": "{where}: max {max} is not above min {min}.",
    "error.catalog-band-bound": "{where}: bound {value} is not a number.",
    "error.roster-unreadable": "roster file {path}: cannot be read ({error}).",
    "error.roster-column": "roster file {path}: column '{column}' is missing (columns: kode,nama,jenis,alias).",
    "error.roster-both-required": "roster file {path}, line {line}: both 'kode' and 'nama' are required.",
    "error.roster-duplicate-code": "roster file {path}, line {line}: code {code} is already used on line {first}.",
    "error.roster-no-rows": "roster file {path}: no OPD rows.",
    "error.roster-alias-clash": "roster file {path}: name or alias {name} is used by both {a} and {b}.",
    "error.targets-unreadable": "targets file {path}: cannot be read ({error}).",
    "error.targets-json": "targets file {path}: not valid JSON at line {line}, column {col} (expected e.g. "
                          "{{\"index\": \"3.5\", \"opd\": {{\"BPKAD\": {{\"index\": \"4.2\"}}}}}}).",
    "error.targets-not-number": "targets file {path}: {where}: {value} is not a number.",
    "error.targets-negative": "targets file {path}: {where}: {value} must not be negative.",
    "error.targets-mapping": "targets file {path}: {where}: expected a mapping with 'index' and/or 'levels'.",
    "error.targets-unknown-key": "targets file {path}: {where}: unknown key; use 'index', 'levels' or 'opd'.",
    "error.targets-index-scale": "targets file {path}: {where}: {value} is outside the scale {lo}..{hi}.",
    "error.targets-levels-mapping": "targets file {path}: {where}: expected a mapping of indicator id to level.",
    "error.targets-indicator": "targets file {path}: {where}: indicator {id} is not in {framework}.",
    "error.targets-level-whole": "targets file {path}: {where}: level {value} is not a whole number.",
    "error.targets-level-scale": "targets file {path}: {where}: level {value} is outside the scale {lo}..{hi}.",
    "error.targets-opd-mapping": "targets file {path}: opd: expected a mapping of OPD code to target.",
    "error.targets-opd-empty": "targets file {path}: opd: an OPD code is empty.",
    "error.targets-opd-unknown": "targets file {path}: OPD code {code} is not in the roster.",
    "error.input-missing": "The input folder {folder} does not exist.",
    "error.output-locked": "The output file {path} is open in Excel or cannot be written; close it and run again.",
    "error.output-verify": "The output file {path} failed its check after writing ({why}); the old file is unchanged.",
    "error.template-write": "Cannot write {path}: {error}.",
}
