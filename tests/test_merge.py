"""`spbe merge` end to end on the shipped sample input, as Diskominfo runs it."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline import batch
from pipeline.cli import main
from pipeline.workers import Workers
from tests.libreoffice import pdf_text, to_pdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "input"


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("merge") / "rekap.xlsx"
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out, res.output


def test_summary_lines(merged: tuple[Path, str]) -> None:
    out, output = merged
    lines = [ln for ln in output.splitlines() if ln and not ln.startswith("Membaca")]
    assert "Berkas: 16 ditemukan, 13 diterima, 2 digantikan, 1 ditolak" in lines
    assert "E-mail dan arsip: 4 e-mail, 2 arsip (ZIP, mbox) dibuka; 3 lampiran data dukung" in lines
    assert "OPD: 13 dinilai (1 tidak lengkap), 27 dari 40 belum mengirim" in lines
    assert any(ln.startswith("Rata-rata indeks provinsi: ") for ln in lines)
    assert f"Rekap ditulis: {out}" in lines


def test_an_index_in_a_sentence_has_the_languages_decimal_separator(merged: tuple[Path, str],
                                                                    tmp_path: Path) -> None:
    """A comma in Bahasa Indonesia (as the number cells show on an Indonesian PC), a point in English: the
    command's summary line and Ringkasan's bands."""
    en_out = tmp_path / "rekap-en.xlsx"
    en = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(en_out), "--lang", "en"])
    assert en.exit_code == 0, en.output
    for (out, output), line, band in (
            (merged, r"Rata-rata indeks provinsi: \d,\d\d \(Baik\)", "4,20 ≤ indeks ≤ 5,00"),
            ((en_out, en.output), r"Province average index: \d\.\d\d \(Baik\)", "4.20 ≤ index ≤ 5.00")):
        assert any(re.fullmatch(line, ln) for ln in output.splitlines()), output
        ws = openpyxl.load_workbook(out, read_only=True).worksheets[0]  # Ringkasan / Summary
        assert band in [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]


def test_workbook_contents(merged: tuple[Path, str]) -> None:
    out, _ = merged
    wb = openpyxl.load_workbook(out, read_only=True)
    for name in ("Ringkasan", "Peringkat", "Matriks", "Validasi", "Berkas", "Belum Mengirim", "Aplikasi",
                 "Aplikasi Bersama", "Hosting & Pusat Data", "Rencana Ruang Server", "Urutan Migrasi", "Jaringan",
                 "Layanan vs Aplikasi", "Data", "BKD", "DISHUB"):
        assert name in wb.sheetnames, name
    rows = [r for r in wb["Berkas"].iter_rows(min_row=5, values_only=True) if r and r[0]]
    files = [r for r in rows if r[0].endswith(".xlsx")]
    assert len(files) == 15 and len(rows) == 25  # every message, archive and attachment has its row
    superseded = [r for r in files if "versi awal" in r[0]]
    assert len(superseded) == 1 and "DIGANTIKAN" in superseded[0]
    by_name = {r[0]: r for r in rows}
    mailed = by_name["Kotak masuk SPBE (Thunderbird).mbox#3#1 Kuesioner SPBE Dispora (perbaikan).xlsx"]
    assert mailed[6:9] == ("Petugas SPBE DISPORA <spbe@dispora.kaltaraprov.example>", "2026-03-12 16:40 +08:00",
                           "RE: Kuesioner SPBE Dispora (perbaikan)")
    assert by_name["Kotak masuk SPBE (Thunderbird).mbox#2"][1:5] == (
        "DITOLAK", "DISPAR", "Dinas Pariwisata", "E-mail tidak memuat lampiran.")
    # BPKAD's gap sheet says that the verifier changed 8 of its levels, with its own index (Peringkat has both too)
    bpkad = next(wb["BPKAD"].iter_rows(min_row=3, max_row=3, max_col=1, values_only=True))[0]
    assert bpkad == ("Verifikator Diskominfo mengubah level 8 indikator: kolom Level saat ini memakai level hasil "
                     "verifikasi (indeks penilaian mandiri OPD: 3,78).")
    assert next(wb["BKD"].iter_rows(min_row=3, max_row=3, max_col=1, values_only=True))[0] is None
    # Validasi says which findings belong to a superseded file (they need no fix): the first BKD file's
    validasi = [r for r in wb["Validasi"].iter_rows(min_row=5, values_only=True) if r and r[0]]
    assert {r[7] for r in validasi if "versi awal" in r[0]} == {"DIGANTIKAN"}
    ranking = {r[1]: r for r in wb["Peringkat"].iter_rows(min_row=5, values_only=True) if r and r[1]}
    assert ranking["DISPORA"][-1].startswith("Petugas SPBE DISPORA <spbe@dispora.kaltaraprov.example> · 2026-03-12")
    # province summary in Matriks: every indicator's level counts and its unanswered count add up to the 13 OPDs
    # scored; DISHUB left five indicators unanswered (0*), counted apart from the answers of level 0
    rows = list(wb["Matriks"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Sebaran level"))
    counts = [r for r in rows[start + 1:start + 8]]
    assert [c[1] for c in counts] == [*(f"level {n}" for n in range(6)), "0* tidak dijawab"]
    n = sum(1 for v in counts[0][2:] if isinstance(v, int))  # one column per indicator
    assert n >= 35 and all(sum(c[k] for c in counts) == 13 for k in range(2, 2 + n))
    assert sum(counts[-1][2:2 + n]) == 5


def test_ringkasan_counts_what_the_command_prints(merged: tuple[Path, str]) -> None:
    """The key figures an official reads equal the summary line (an accepted but incomplete file counts as
    accepted in both)."""
    out, output = merged
    figures = {r[0]: r[1] for r in openpyxl.load_workbook(out, read_only=True)["Ringkasan"].iter_rows(values_only=True)
               if r and isinstance(r[0], str) and isinstance(r[1], int)}
    assert "Berkas: 16 ditemukan, 13 diterima, 2 digantikan, 1 ditolak" in output
    assert (figures["Berkas ditemukan di folder input"], figures["Berkas diterima (dipakai)"]) == (16, 13)
    assert figures["Berkas digantikan salinan lain dari OPD yang sama"] == 2


def test_strict_fails_on_incomplete(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(tmp_path / "x.xlsx"), "--strict"])
    assert res.exit_code == 1
    assert ("Kesalahan: --strict: ditolak: Kotak masuk SPBE (Thunderbird).mbox#2; tidak lengkap: DISHUB. "
            "Lihat lembar Validasi.") in res.output
    assert (tmp_path / "x.xlsx").exists()  # the workbook is still written, so staff can see why
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(tmp_path / "en.xlsx"), "--strict",
                                    "--lang", "en"])
    assert res.exit_code == 1 and res.output.rstrip().endswith("See the Validation sheet.")  # the English rekap's


def test_english_and_missing_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(tmp_path / "en.xlsx"), "--lang", "en"])
    assert res.exit_code == 0 and "Files: 16 found, 13 accepted, 2 superseded, 1 rejected" in res.output
    res = CliRunner().invoke(main, ["merge", "-i", str(tmp_path / "nope")])
    assert res.exit_code == 2 and res.output.splitlines()[-1] == (
        f"Kesalahan: Folder input {tmp_path / 'nope'} tidak ada; jalankan spbe dari folder yang berisi folder input, "
        "atau beri folder lain dengan -i FOLDER.")
    monkeypatch.chdir(tmp_path)  # a folder without input/: the message says where it looked
    res = CliRunner().invoke(main, ["merge"], env={"SPBE_LANG": "en"})
    assert res.exit_code == 2 and f"The input folder {tmp_path / 'input'} does not exist;" in res.output


def test_deterministic(tmp_path: Path, merged: tuple[Path, str]) -> None:
    out2 = tmp_path / "again.xlsx"
    copy = tmp_path / "input"
    shutil.copytree(SAMPLES, copy)  # new modification times must not change the result
    res = CliRunner().invoke(main, ["merge", "-i", str(copy), "-o", str(out2)])
    assert res.exit_code == 0
    assert hashlib.sha256(out2.read_bytes()).digest() == hashlib.sha256(merged[0].read_bytes()).digest()


@pytest.mark.libreoffice
def test_output_opens_in_libreoffice(tmp_path: Path, merged: tuple[Path, str]) -> None:
    text = pdf_text(to_pdf(merged[0], tmp_path))
    assert "Rekapitulasi Tingkat Kematangan SPBE" in text
    assert "Badan Pengelolaan Keuangan dan Aset Daerah" in text


def test_samples_in_step_with_template(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "tools" / "make_samples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.make(tmp_path)

    def digest(folder: Path) -> list:
        return [(s.file, s.opd_code, s.date_filled, {a.indicator: (a.level, a.verified) for a in s.answers},
                 [(a.name, a.hosting) for a in s.applications], sorted((f.code, f.cell) for f in s.findings))
                for s in batch.check([folder], workers=Workers(inline=True)).submissions]

    assert digest(tmp_path) == digest(SAMPLES), "input/ is stale: run python tools/make_samples.py"
    again = tmp_path / "again"
    mod.make(again)  # the samples are the same bytes at every generation (no time of day in them)
    assert {p.name: p.read_bytes() for p in again.iterdir()} == {
        p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}


def test_python_m_pipeline() -> None:
    res = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, cwd=ROOT / "tests")
    assert res.returncode == 0 and "spbe merge" in res.stdout


def test_targets_file(tmp_path: Path) -> None:
    targets = tmp_path / "target.json"
    targets.write_text('{"index": "3.5", "opd": {"BPKAD": {"index": "4.2"}}}', encoding="utf-8")
    out = tmp_path / "t.xlsx"
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(out), "--targets", str(targets)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out, read_only=True)

    def target_of(code: str) -> float:
        rows = list(wb[code].iter_rows(min_row=1, max_row=8, values_only=True))
        return next(r[2] for r in rows if r[1] and str(r[1]).startswith("Target indeks"))

    assert target_of("BPKAD") == 4.2 and target_of("BKD") == 3.5
    # an OPD entry with levels only keeps the file's default index (it used to replace it: 2.02)
    targets.write_text('{"index": "3.5", "opd": {"BPKAD": {"levels": {"25": 3}}}}', encoding="utf-8")
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(out), "--targets", str(targets)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert target_of("BPKAD") == 3.5
    bad = tmp_path / "bad.json"
    bad.write_text('{"levels": {"99": 3}}', encoding="utf-8")
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(out), "--targets", str(bad)])
    assert res.exit_code == 1 and "Kesalahan: Berkas target" in res.output and "99" in res.output


def test_other_framework_and_empty_folder_are_explained(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(tmp_path / "x.xlsx"),
                                    "--framework", "permenpanrb-59-2020"])
    assert res.exit_code == 0
    assert "Berkas: 16 ditemukan, 0 diterima, 0 digantikan, 16 ditolak" in res.output
    assert ("15 berkas memakai kerangka lain (permenpanrb-5-2018); jalankan ulang dengan "
            "--framework permenpanrb-5-2018.") in res.output
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx", read_only=True)
    rows = [r for r in wb["Berkas"].iter_rows(values_only=True) if r and str(r[0]).endswith("BKD (revisi).xlsx")]
    assert "BKD" in rows[0]  # a rejected file is still attributed to its OPD
    empty = tmp_path / "kosong"
    empty.mkdir()
    res = CliRunner().invoke(main, ["merge", "-i", str(empty), "-o", str(tmp_path / "e.xlsx")])
    assert res.exit_code == 0 and f"Perhatian: tidak ada berkas di folder {empty}." in res.output


def test_targets_file_errors(tmp_path: Path) -> None:
    for text, message, lang in (("{oops", "bukan JSON yang valid pada baris 1, kolom 2", "id"),
                                ("{oops", "not valid JSON at line 1, column 2", "en"),
                                ('{"opd": {"NOPE": {"index": "3"}}}', "kode OPD 'NOPE' tidak ada dalam daftar OPD", "id"),
                                ('{"opd": {"NOPE": {"index": "3"}}}', "OPD code 'NOPE' is not in the roster", "en")):
        bad = tmp_path / "t.json"
        bad.write_text(text, encoding="utf-8")
        res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(tmp_path / "x.xlsx"),
                                        "--targets", str(bad), "--lang", lang])
        assert res.exit_code == 1 and message in res.output, res.output


def test_output_paths_each_say_what_is_wrong(tmp_path: Path) -> None:
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(folder)])
    assert res.exit_code == 2 and res.output.splitlines()[-1] == (
        f"Kesalahan: Keluaran {folder} adalah folder; berikan nama berkas .xlsx, atau akhiri dengan / untuk menulis "
        "rekap di dalam folder itu.")
    (tmp_path / "notes.txt").write_text("x")
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(tmp_path / "notes.txt" / "r.xlsx")])
    assert res.exit_code == 2 and res.output.splitlines()[-1] == (
        f"Kesalahan: Rekap tidak dapat ditulis di {tmp_path / 'notes.txt'} karena {tmp_path / 'notes.txt'} adalah "
        "berkas, bukan folder.")
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(tmp_path / "rekap.csv")])
    assert res.exit_code == 2 and res.output.splitlines()[-1] == (
        f"Kesalahan: Keluaran {tmp_path / 'rekap.csv'} harus berkas .xlsx (rekap selalu buku kerja Excel); akhiri "
        "namanya dengan .xlsx.")
    assert not (tmp_path / "rekap.csv").exists()
    # a trailing slash means a folder: the rekap goes inside it, under its default name
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(tmp_path / "baru") + "/"])
    assert res.exit_code == 0, res.output
    assert os.listdir(tmp_path / "baru") == ["rekap-spbe-2026.xlsx"]
    (tmp_path / "baru" / "rekap-spbe-2026.xlsx").unlink()
    (tmp_path / "baru" / "rekap-spbe-2026.xlsx").mkdir()  # the default name taken by a folder
    res = CliRunner().invoke(main, ["merge", "-i", str(SAMPLES), "-o", str(tmp_path / "baru") + "/"])
    assert res.exit_code == 2 and "rekap-spbe-2026.xlsx adalah folder" in res.output


def test_a_run_scoring_nobody_keeps_the_old_rekap(tmp_path: Path) -> None:
    out = tmp_path / "rekap.xlsx"
    out.write_bytes(b"previous")
    empty = tmp_path / "kosong"
    empty.mkdir()
    res = CliRunner().invoke(main, ["merge", "-i", str(empty), "-o", str(out)])
    assert res.exit_code == 1 and res.output.splitlines()[-1] == (
        f"Kesalahan: Tidak ada OPD yang dapat dinilai, jadi rekap lama {out} dipertahankan (gunakan --allow-empty "
        "untuk menulis rekap kosong).")
    assert out.read_bytes() == b"previous"
    res = CliRunner().invoke(main, ["merge", "-i", str(empty), "-o", str(out), "--allow-empty"])
    assert res.exit_code == 0 and out.read_bytes()[:2] == b"PK"


def test_an_input_folder_that_vanishes_while_read_keeps_the_old_rekap(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.intake import read as intake

    copy = tmp_path / "input"
    shutil.copytree(SAMPLES, copy)
    out = tmp_path / "rekap.xlsx"
    out.write_bytes(b"previous")
    found = intake.discover

    def moved_away(folder: Path) -> list:  # the folder is moved as soon as it has been listed
        entries = found(folder)
        copy.rename(tmp_path / "moved")
        return entries

    monkeypatch.setattr(intake, "discover", moved_away)
    res = CliRunner().invoke(main, ["merge", "-i", str(copy), "-o", str(out), "--lang", "en", "--workers", "1"])
    n = sum(1 for p in SAMPLES.rglob("*") if p.is_file())
    assert res.exit_code == 1 and res.output.splitlines()[-1] == (
        f"Error: The input folder {copy} was moved or emptied while it was read ({n} files gone), so the old rekap "
        "is kept; run again when the files are complete.")
    assert out.read_bytes() == b"previous"


def test_an_office_lock_file_is_listed_but_fails_nothing(tmp_path: Path) -> None:
    """Excel leaves ~$<name>.xlsx beside a questionnaire open in it: listed as not a questionnaire, but neither
    ``check`` nor ``merge --strict`` fails for it (there is nothing to ask of anyone)."""
    folder = tmp_path / "input"
    folder.mkdir()
    shutil.copy(SAMPLES / "Kuesioner SPBE 2026 - BAPPEDA.xlsx", folder)
    (folder / "~$Kuesioner SPBE 2026 - BAPPEDA.xlsx").write_bytes(b"\x0bsomeone" + bytes(154))
    res = CliRunner().invoke(main, ["check", str(folder)])
    assert res.exit_code == 0 and "Berkas kunci Office" in res.output, res.output
    res = CliRunner().invoke(main, ["merge", "-i", str(folder), "-o", str(tmp_path / "x.xlsx"), "--strict"])
    assert res.exit_code == 0 and "1 ditolak" in res.output, res.output
    (folder / "bukan.xlsx").write_text("a,b\n1,2\n")  # a file its sender must send again: that still fails
    assert CliRunner().invoke(main, ["check", str(folder)]).exit_code == 1
    res = CliRunner().invoke(main, ["merge", "-i", str(folder), "-o", str(tmp_path / "x.xlsx"), "--strict"])
    assert res.exit_code == 1 and "ditolak: bukan.xlsx." in res.output, res.output


def test_a_gap_sheet_names_the_public_services_the_opd_assessed(merged: tuple[Path, str]) -> None:
    """Indicators 35a-35c are one catalog name for three services: the gap sheet adds the service the OPD named
    on its Penilaian sheet, so the plan says which service to raise."""
    from pipeline import layout as L

    form = openpyxl.load_workbook(SAMPLES / "Kuesioner SPBE 2026 - BAPPEDA.xlsx")[L.SHEET_ASSESSMENT]
    header = next(r for r in form.iter_rows() if any(c.value == L.ASSESSMENT_COLUMNS[0].header for c in r))
    col = {c.value: c.column for c in header}
    services = {form.cell(r, col[L.ASSESSMENT_COLUMNS[0].header]).value: form.cell(r, col[next(
        c.header for c in L.ASSESSMENT_COLUMNS if c.key == "service_name")]).value
        for r in range(header[0].row + 1, form.max_row + 1)}
    named = {k: v for k, v in services.items() if str(k).startswith("35") and v}
    assert len(named) == 3
    sheet = openpyxl.load_workbook(merged[0])["BAPPEDA"]
    shown = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for service in named.values():
        assert f"Layanan Publik Instansi Pemerintah: {service}" in shown, service
