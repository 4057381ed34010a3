"""What the command line prints: summaries, verdict lines, notes (``cli.<name>``)."""

from __future__ import annotations

ID = {
    "cli.reading": "Membaca berkas",
    "cli.files-summary": "Berkas: {found} ditemukan, {accepted} diterima, {superseded} digantikan, {rejected} ditolak",
    "cli.opd-summary": "OPD: {scored} dinilai ({incomplete} tidak lengkap), {missing} dari {roster} belum mengirim",
    "cli.province-average": "Rata-rata indeks provinsi: {index} ({predikat})",
    "cli.written": "Rekap ditulis: {path}",
    "cli.empty-input": "Perhatian: tidak ada berkas di folder {folder}.",
    "cli.other-framework": "{n} berkas memakai kerangka lain ({ids}); jalankan ulang dengan --framework {first}.",
    "cli.strict": "--strict: {why}. Lihat lembar Validasi.",
    "cli.strict-rejected": "ditolak: {files}",
    "cli.strict-incomplete": "tidak lengkap: {opds}",
    "cli.check-summary": "{total} berkas: {accepted} diterima, {incomplete} diterima tetapi tidak lengkap, "
                         "{rejected} ditolak",
    "cli.check-superseded": "; {n} akan digantikan salinan yang lebih baru",
    "cli.template-written": "Kuesioner ditulis: {path} ({framework}, {n} indikator, {opds} OPD)",
    "cli.default": " (bawaan/default)",
    "cli.framework-line": "{n_domains} domain, {n_aspects} aspek, {n_indicators} indikator, level {lo}-{hi}",
    "cli.framework-scale": "level {lo}-{hi}; aturan batas predikat: {rule}",
    "cli.capability.process": "kapabilitas proses",
    "cli.capability.service": "kapabilitas layanan",
    "cli.bands": "predikat:",
    "cli.note": "catatan: {note}",
    "cli.index": "indeks",
}

EN = {
    "cli.reading": "Reading files",
    "cli.files-summary": "Files: {found} found, {accepted} accepted, {superseded} superseded, {rejected} rejected",
    "cli.opd-summary": "OPDs: {scored} scored ({incomplete} incomplete), {missing} of {roster} have not submitted",
    "cli.province-average": "Province average index: {index} ({predikat})",
    "cli.written": "Workbook: {path}",
    "cli.empty-input": "No file found in {folder}.",
    "cli.other-framework": "{n} file(s) use another framework ({ids}); run again with --framework {first}.",
    "cli.strict": "--strict: {why}. See the Validasi sheet.",
    "cli.strict-rejected": "rejected: {files}",
    "cli.strict-incomplete": "incomplete: {opds}",
    "cli.check-summary": "{total} file(s): {accepted} accepted, {incomplete} accepted but incomplete, "
                         "{rejected} rejected",
    "cli.check-superseded": "; {n} would be superseded by a newer copy",
    "cli.template-written": "Questionnaire written: {path} ({framework}, {n} indicators, {opds} OPDs)",
    "cli.default": " (default)",
    "cli.framework-line": "{n_domains} domains, {n_aspects} aspects, {n_indicators} indicators, levels {lo}-{hi}",
    "cli.framework-scale": "levels {lo}-{hi}; predikat band rule: {rule}",
    "cli.capability.process": "process capability",
    "cli.capability.service": "service capability",
    "cli.bands": "predikat:",
    "cli.note": "note: {note}",
    "cli.index": "index",
}
