"""Validation of a batch: discovery, one outcome per file, superseded copies, the year, the check command."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from pipeline import batch
from pipeline.catalog import framework as fwmod
from pipeline.catalog import roster as rostermod
from pipeline.cli import main
from pipeline.intake.read import Task, discover, entry, read_one
from pipeline.workers import Workers

INLINE = Workers(inline=True)


def checked(folder: Path) -> batch.CheckReport:
    return batch.check([folder], workers=INLINE)


def test_discover_recursive_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/z.xlsx", "A.xlsx", "a2.xlsx", "~$A.xlsx"):
        (tmp_path / name).write_bytes(b"x")
    assert [e.rel for e in discover(tmp_path)] == ["A.xlsx", "a2.xlsx", "b/z.xlsx", "~$A.xlsx"]


def test_superseded_rules(tmp_path: Path, make_submission) -> None:
    make_submission(tmp_path, opd="BKD", name="bkd_lama.xlsx", date_filled=dt.date(2026, 2, 1), levels={"1": 1})
    make_submission(tmp_path, opd="BKD", name="bkd_baru.xlsx", date_filled=dt.date(2026, 3, 1), levels={"1": 4})
    shutil.copy(tmp_path / "bkd_baru.xlsx", tmp_path / "bkd_baru (1).xlsx")  # sent twice
    make_submission(tmp_path, opd="BPKAD", name="bpkad_a.xlsx", levels={"1": 2})
    make_submission(tmp_path, opd="BPKAD", name="bpkad_b.xlsx", levels={"1": 3})
    os.utime(tmp_path / "bpkad_a.xlsx", (2_000_000_000, 2_000_000_000))  # same date filled: newer file wins
    os.utime(tmp_path / "bpkad_b.xlsx", (1_900_000_000, 1_900_000_000))
    (tmp_path / "~$bkd_baru.xlsx").write_bytes(b"\x00" * 165)
    report = checked(tmp_path)
    kept, outcomes = report.kept, report.outcomes
    by_file = {o.file: o for o in outcomes}
    assert len(outcomes) == 6
    # of two identical copies the first in discovery order stays ("bkd_baru (1)" sorts before "bkd_baru.")
    assert [s.file for s in kept] == ["bkd_baru (1).xlsx", "bpkad_a.xlsx"]
    twin = "bkd_baru.xlsx"
    assert by_file[twin].outcome == "superseded" and "salinan identik" in by_file[twin].reason()
    assert by_file["bkd_lama.xlsx"].outcome == "superseded" and "diisi 2026-03-01" in by_file["bkd_lama.xlsx"].reason()
    assert by_file["bpkad_b.xlsx"].outcome == "superseded" and by_file["bpkad_b.xlsx"].superseded_by == "bpkad_a.xlsx"
    assert by_file["~$bkd_baru.xlsx"].outcome == "rejected"
    assert next(s for s in kept if s.opd_code == "BKD").answer("1").level == 4
    assert by_file["bkd_lama.xlsx"].reason("en") == "replaced by bkd_baru (1).xlsx (filled 2026-03-01, newer)"


def test_identical_copies_keep_first_name(tmp_path: Path, make_submission) -> None:
    make_submission(tmp_path, opd="BKD", name="a.xlsx")
    shutil.copy(tmp_path / "a.xlsx", tmp_path / "b.xlsx")
    report = checked(tmp_path)
    kept, outcomes = report.kept, report.outcomes
    assert [s.file for s in kept] == ["a.xlsx"]
    assert [(o.file, o.outcome) for o in outcomes] == [("a.xlsx", "accepted"), ("b.xlsx", "superseded")]


def test_assemble_scores_and_year(tmp_path: Path, make_submission) -> None:
    make_submission(tmp_path, opd="BKD", levels={"1": 5})
    make_submission(tmp_path, opd="DINKES", identity={"year": 2025})
    make_submission(tmp_path, opd="DISHUB", levels={"25": None})
    fw = fwmod.load()
    subs = batch.read(discover(tmp_path), fw, None, None, INLINE)
    result = batch.assemble(fw, rostermod.load(), subs)
    assert result.year == 2026
    assert set(result.scores) == {"BKD", "DINKES", "DISHUB"}
    assert not result.scores["DISHUB"].complete and result.scores["DISHUB"].missing == ("25",)
    years = [f for f in result.findings if f.code == "year-mismatch"]
    assert [(f.file, f.found, f.expected) for f in years] == [("DINKES.xlsx", "2025", "2026")]
    assert len(result.not_submitted) == len(rostermod.load().opds) - 3
    assert result.scores["BKD"].index == sum(i.weight * (5 if i.id == "1" else 2) for i in fw.indicators) / 100


def test_check_command(tmp_path: Path, make_submission) -> None:
    good = make_submission(tmp_path, opd="BKD")
    runner = CliRunner()
    res = runner.invoke(main, ["check", str(good)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == "DITERIMA: BKD.xlsx [BKD]"
    (tmp_path / "laporan.pdf").write_bytes(b"%PDF-1.4\n%...")
    res = runner.invoke(main, ["check", str(tmp_path)])
    assert res.exit_code == 1
    assert "DITOLAK: laporan.pdf" in res.output and "[pdf-not-workbook]" in res.output
    assert res.output.rstrip().endswith("2 berkas: 1 diterima, 0 diterima tetapi tidak lengkap, 1 ditolak")
    res = runner.invoke(main, ["check", str(tmp_path), "--lang", "en"])
    assert "REJECTED: laporan.pdf" in res.output and "The file is a PDF document" in res.output
    res = runner.invoke(main, ["check", str(tmp_path / "missing.xlsx")])
    assert res.exit_code == 2
    res = runner.invoke(main, ["check"])
    assert res.exit_code == 2


def test_check_reports_location(tmp_path: Path, make_submission) -> None:
    make_submission(tmp_path, opd="BKD", levels={"3": "tiga?"})
    res = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert res.exit_code == 0
    assert "DITERIMA - TIDAK LENGKAP: BKD.xlsx [BKD]" in res.output
    assert "TIDAK LENGKAP Penilaian!H7 [level-unparseable] Level 'tiga?' tidak dapat dibaca" in res.output
    assert res.output.rstrip().endswith("1 berkas: 0 diterima, 1 diterima tetapi tidak lengkap, 0 ditolak")


def test_check_reports_copies(tmp_path: Path, make_submission) -> None:
    make_submission(tmp_path, opd="BKD", name="a.xlsx")
    shutil.copy(tmp_path / "a.xlsx", tmp_path / "b.xlsx")
    res = CliRunner().invoke(main, ["check", str(tmp_path), "-q"])
    assert res.exit_code == 0
    assert "  -> salinan identik dari a.xlsx" in res.output
    assert res.output.rstrip().endswith("; 1 akan digantikan salinan lain dari OPD yang sama")


def test_of_identical_copies_the_later_one_is_the_copy(tmp_path: Path, make_submission) -> None:
    """The same file sent again later is the copy, whatever the names' order ("(" sorts before ".")."""
    make_submission(tmp_path, opd="BKD", name="bkd.xlsx")
    shutil.copy(tmp_path / "bkd.xlsx", tmp_path / "bkd (kirim ulang).xlsx")
    os.utime(tmp_path / "bkd.xlsx", (1_772_323_200, 1_772_323_200))  # 1 March 2026
    os.utime(tmp_path / "bkd (kirim ulang).xlsx", (1_772_668_800, 1_772_668_800))  # 5 March 2026
    res = CliRunner().invoke(main, ["check", str(tmp_path), "-q"])
    assert "DITERIMA: bkd (kirim ulang).xlsx [BKD]\n  -> salinan identik dari bkd.xlsx\n" in res.output, res.output


def test_hostile_batch_through_intake(tmp_path: Path, make_submission) -> None:
    """Every hostile file plus valid questionnaires through the real intake: one outcome each, no crash."""
    import pytest

    from tests.intake.hostile import write_all

    resource = pytest.importorskip("resource")

    hostile = tmp_path / "in"
    expected = write_all(hostile)
    make_submission(hostile, opd="BKD", name="valid-bkd.xlsx")
    make_submission(hostile, opd="DINKES", name="valid-dinkes.xlsx")
    result = batch.check([hostile])
    files = sorted(p.relative_to(hostile).as_posix() for p in hostile.rglob("*") if p.is_file())
    assert sorted(s.file for s in result.submissions if not s.parent) == files
    assert [o.file for o in result.outcomes] == [s.file for s in result.submissions]
    by_file = {o.file: o for o in result.outcomes}
    assert by_file["valid-bkd.xlsx"].outcome.startswith("accepted")
    assert by_file["valid-dinkes.xlsx"].outcome.startswith("accepted")
    assert {s.opd_code for s in result.kept} == {"BKD", "DINKES"}
    for name, code in expected.items():
        sub = next(s for s in result.submissions if s.file == name)
        if code == "container":
            assert by_file[name].outcome == "opened", name
        elif code is not None:
            assert by_file[name].outcome == "rejected", name
            assert code in {f.code for f in sub.findings}, (name, code)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 800, peak_mb


def test_submission_comes_back_whole_from_a_worker_process(tmp_path: Path, make_submission) -> None:
    """A submission read in a worker process equals the one read in this process, field by field."""
    path = make_submission(tmp_path, opd="BKD", levels={"1": 1, "2": 5}, date_filled=dt.date(2026, 3, 4),
                           applications=[{"name": "SIMPEG", "function": "Kepegawaian", "status": "Aktif"},
                                         {"name": "Web", "function": "profil dinas", "hosting": "di bawah meja"}],
                           infrastructure={"server_room": "Ya"},
                           server_rows=[{"name": "SIMPEG", "hosting": "Vendor/hosting di luar provinsi", "vcpu": "4 core",
                                         "apps": "SIMPEG"}],
                           sites=[{"site": "Kantor BKD", "provider": "Telkom", "bandwidth": "20 Mbps"}])
    task = Task(entry(path, path.name), None, None)
    [here] = read_one(task)
    infra = here.infrastructure
    assert here.opd_code == "BKD" and len(here.applications) == 2 and here.findings
    assert infra.server_rows[0].vcpu == 4 and infra.sites[0].bandwidth == 20
    with Workers(1) as pool:
        assert pool.map(read_one, [task], timeout=60) == [[here]]


def test_check_never_lets_a_file_name_act_on_the_terminal(tmp_path: Path, make_submission) -> None:
    make_submission(tmp_path, opd="BKD", name="bkd.xlsx")
    (tmp_path / "x\033[2J\033[31mFAKE DITERIMA.xlsx").write_bytes(b"%PDF-1.4")
    (tmp_path / "baris\nDITERIMA: palsu.xlsx").write_bytes(b"%PDF-1.4")
    res = CliRunner().invoke(main, ["check", str(tmp_path), "-q"])
    assert "\033" not in res.output and "DITOLAK: x\\x1b[2J\\x1b[31mFAKE DITERIMA.xlsx" in res.output
    assert "DITOLAK: baris\\nDITERIMA: palsu.xlsx" in res.output
    assert not any(line.startswith("DITERIMA: palsu") for line in res.output.splitlines())


def test_a_rejected_file_is_tied_to_the_opd_its_name_names(tmp_path: Path, make_submission) -> None:
    make_submission(tmp_path, opd="BKD", name="Kuesioner SPBE 2026 - BKD.xlsx")
    (tmp_path / "Kuesioner SPBE 2026 - BAPENDA.ods").write_bytes(b"PK\x03\x04 broken")
    (tmp_path / "tanpa nama.xlsx").write_bytes(b"%PDF-1.4")
    report = checked(tmp_path)
    by_file = {o.file: o for o in report.outcomes}
    assert by_file["Kuesioner SPBE 2026 - BAPENDA.ods"].opd_code == "BAPENDA"
    assert by_file["Kuesioner SPBE 2026 - BAPENDA.ods"].outcome == "rejected"
    assert by_file["tanpa nama.xlsx"].opd_code == ""
    assert [s.opd_code for s in report.kept] == ["BKD"]


def test_berkas_outcome_is_the_verdict_check_prints(tmp_path: Path, make_submission) -> None:
    """An incomplete questionnaire is 'accepted but incomplete' both in `spbe check` and on Berkas."""
    make_submission(tmp_path, opd="BKD", name="bkd.xlsx", levels={"3": None})
    make_submission(tmp_path, opd="DINKES", name="dinkes.xlsx")
    report = batch.check([tmp_path], workers=Workers(inline=True))
    outcomes = {o.file: o.outcome for o in report.outcomes}
    assert outcomes == {"bkd.xlsx": "accepted-incomplete", "dinkes.xlsx": outcomes["dinkes.xlsx"]}
    assert outcomes["dinkes.xlsx"] in ("accepted", "accepted-with-notes")
    result = CliRunner().invoke(main, ["merge", "-i", str(tmp_path), "-o", str(tmp_path / "out" / "rekap.xlsx")])
    assert result.exit_code == 0, result.output
    assert "2 diterima" in result.output  # the incomplete file is counted among the accepted ones


def test_check_gives_one_advice_once_per_file() -> None:
    """Six findings of one kind in one file share their advice: it is printed once, under the first."""
    book = Path(__file__).resolve().parents[1] / "input" / "Kuesioner SPBE 2026 - BAPPEDA.xlsx"
    out = CliRunner().invoke(main, ["check", str(book)]).output
    notes = [line for line in out.splitlines() if "[service-without-application]" in line]
    advice = [line for line in out.splitlines() if line.strip() == "-> Daftarkan aplikasi layanan ini pada lembar "
              "Aplikasi, atau tinjau kembali levelnya."]
    assert len(notes) > 1 and len(advice) == 1
