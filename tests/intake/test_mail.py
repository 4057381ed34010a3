"""Saved e-mails, mailboxes, zip archives and .ods files through the intake: each entry one outcome, in bounded
time, whatever the file does (the hostile corpus of :mod:`tests.intake.hostile_mail`)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from pipeline.intake.read import Task, entry, read_one
from tests.intake import hostile_mail


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mail")
    hostile_mail.write_all(folder)
    return folder


@pytest.mark.parametrize("name", sorted(hostile_mail.EXPECTED))
def test_each_entry_has_its_own_outcome(corpus: Path, name: str) -> None:
    start = time.perf_counter()
    entries = read_one(Task(entry(corpus / name, name), None, None))
    assert time.perf_counter() - start < 10, name
    got = [(s.file, s.kind, tuple(sorted(f.code for f in s.findings))) for s in entries]
    assert got == hostile_mail.EXPECTED[name]


# ---------------------------------------------------------------- a realistic input of saved e-mails

import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
import shutil  # noqa: E402
from email.message import EmailMessage  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from pipeline import batch, settings  # noqa: E402
from pipeline.cli import main  # noqa: E402
from pipeline.workers import Workers  # noqa: E402
from tools import mailmake  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=8))


def _when(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=TZ)


def _addr(code: str) -> str:
    return f"Petugas {code} <spbe@{code.lower()}.kaltaraprov.example>"


@pytest.fixture
def workbooks(tmp_path: Path, make_submission) -> Path:
    """The workbooks OPDs send, dropped in directly (BKD twice: a first version and a revision)."""
    folder = tmp_path / "direct"
    folder.mkdir()
    day = dt.date(2026, 3, 2)
    make_submission(folder, opd="BKD", name="bkd-awal.xlsx", levels={"1": 1}, date_filled=day)
    make_submission(folder, opd="BKD", name="bkd-revisi.xlsx", levels={"1": 4}, date_filled=day)
    make_submission(folder, opd="DINKES", name="dinkes.xlsx", levels={"2": 3, "3": 4}, date_filled=day)
    make_submission(folder, opd="BAPPEDA", name="bappeda.xlsx", levels={"5": 5}, date_filled=day)
    make_submission(folder, opd="DISHUB", name="dishub.xlsx", levels={"7": 0}, date_filled=day)
    return folder


def _mails(direct: Path, folder: Path) -> Path:
    """The same workbooks as OPDs really send them: e-mails (a resend), an .mbox, a .msg, a zip with evidence,
    a forwarded message, and an e-mail with no attachment."""
    folder.mkdir()
    read = {p.name: p.read_bytes() for p in direct.iterdir()}
    (folder / "bkd-1.eml").write_bytes(mailmake.eml(_addr("BKD"), "Kuesioner SPBE", _when(3), [
        ("Kuesioner BKD.xlsx", read["bkd-awal.xlsx"]), ("bukti-1.pdf", hostile_mail.PDF)]))
    (folder / "bkd-2.eml").write_bytes(mailmake.eml(_addr("BKD"), "RE: Kuesioner SPBE (revisi)", _when(5), [
        ("Kuesioner BKD.xlsx", read["bkd-revisi.xlsx"])]))
    evidence = hostile_mail.zip_of({"Kuesioner Dinkes.xlsx": read["dinkes.xlsx"], "Data Dukung/sk.pdf": hostile_mail.PDF,
                                    "Data Dukung/foto.png": b"\x89PNG\r\n\x1a\n" + bytes(30)})
    dinkes = mailmake.eml(_addr("DINKES"), "SPBE Dinkes", _when(4), [("spbe-dinkes.zip", evidence)])
    empty = mailmake.eml(_addr("DISHUB"), "Kuesioner menyusul", _when(4))
    (folder / "kotak.mbox").write_bytes(mailmake.mbox([dinkes, empty]))
    (folder / "bappeda.msg").write_bytes(mailmake.msg("Petugas BAPPEDA", "spbe@bappeda.kaltaraprov.example",
                                                      "Kuesioner SPBE Bappeda", _when(6),
                                                      [("Kuesioner Bappeda.xlsx", read["bappeda.xlsx"])]))
    inner = EmailMessage()
    inner["From"], inner["Subject"], inner["Date"] = _addr("DISHUB"), "Kuesioner Dishub", "Fri, 6 Mar 2026 08:00:00 +0800"
    inner.set_content("terlampir")
    inner.add_attachment(read["dishub.xlsx"], maintype="application", subtype="octet-stream", filename="dishub.xlsx")
    fwd = EmailMessage()
    fwd["From"], fwd["Subject"], fwd["Date"] = "Sekretariat <sekretariat@example.org>", "Fwd: Kuesioner Dishub", \
        "Sat, 7 Mar 2026 10:00:00 +0800"
    fwd.set_content("diteruskan")
    fwd.add_attachment(inner)
    (folder / "diteruskan.eml").write_bytes(fwd.as_bytes())
    return folder


def _merge(folder: Path, out: Path) -> batch.MergeResult:
    return batch.merge(folder, out, workers=Workers(inline=True))


def test_saved_emails_merge_like_the_workbooks_dropped_in(tmp_path: Path, workbooks: Path) -> None:
    mails = _mails(workbooks, tmp_path / "mails")
    direct = _merge(workbooks, tmp_path / "a.xlsx")
    mailed = _merge(mails, tmp_path / "b.xlsx")
    assert {c: s.index for c, s in mailed.scores.items()} == {c: s.index for c, s in direct.scores.items()}
    assert set(mailed.scores) == {"BKD", "DINKES", "BAPPEDA", "DISHUB"}
    assert mailed.submission_of("BKD").answer("1").level == 4  # the revision, sent later, is kept
    rows = [(o.file, o.outcome, o.opd_code) for o in mailed.outcomes]
    assert rows == [
        ("bappeda.msg", "opened", "BAPPEDA"),
        ("bappeda.msg#1 Kuesioner Bappeda.xlsx", "accepted", "BAPPEDA"),
        ("bkd-1.eml", "opened", "BKD"),
        ("bkd-1.eml#1 Kuesioner BKD.xlsx", "superseded", "BKD"),
        ("bkd-1.eml#2 bukti-1.pdf", "evidence", "BKD"),
        ("bkd-2.eml", "opened", "BKD"),
        ("bkd-2.eml#1 Kuesioner BKD.xlsx", "accepted", "BKD"),
        ("diteruskan.eml", "opened", "DISHUB"),
        ("diteruskan.eml#1 Kuesioner Dishub.eml", "opened", "DISHUB"),
        ("diteruskan.eml#1 Kuesioner Dishub.eml#1 dishub.xlsx", "accepted", "DISHUB"),
        ("kotak.mbox", "opened", ""),
        ("kotak.mbox#1", "opened", "DINKES"),
        ("kotak.mbox#1#1 spbe-dinkes.zip", "opened", "DINKES"),
        ("kotak.mbox#1#1 spbe-dinkes.zip#1 Kuesioner Dinkes.xlsx", "accepted", "DINKES"),
        ("kotak.mbox#1#1 spbe-dinkes.zip#2 sk.pdf", "evidence", "DINKES"),
        ("kotak.mbox#1#1 spbe-dinkes.zip#3 foto.png", "evidence", "DINKES"),
        ("kotak.mbox#2", "rejected", "DISHUB"),
    ]
    by = {o.file: o for o in mailed.outcomes}
    assert by["bkd-1.eml#1 Kuesioner BKD.xlsx"].reason("id") == (
        "digantikan bkd-2.eml#1 Kuesioner BKD.xlsx (dikirim 2026-03-05 09:00 +08:00, lebih baru)")
    src = by["bkd-2.eml#1 Kuesioner BKD.xlsx"].source
    assert (src.sender, src.address, src.date, src.subject) == (
        "Petugas BKD <spbe@bkd.kaltaraprov.example>", "spbe@bkd.kaltaraprov.example", "2026-03-05T09:00:00+08:00",
        "RE: Kuesioner SPBE (revisi)")
    assert by["kotak.mbox#2"].reason("en") == "The e-mail has no attachment."
    assert by["kotak.mbox"].reason("id") == "berisi 1 kuesioner, 2 data dukung, 2 e-mail"  # at any depth
    assert by["kotak.mbox#1"].reason("en") == "holds 1 questionnaire(s), 2 evidence file(s), 0 e-mail(s)"
    assert by["bappeda.msg"].source.date == "2026-03-06T01:00:00+00:00"
    assert all(len(o.sha256) == 64 for o in mailed.outcomes)  # each entry its own SHA-256
    assert [e.file for e in mailed.evidence["DINKES"]] == ["kotak.mbox#1#1 spbe-dinkes.zip#2 sk.pdf",
                                                           "kotak.mbox#1#1 spbe-dinkes.zip#3 foto.png"]
    lines = mailed.summary_lines("id")
    assert lines[:2] == ["Berkas: 6 ditemukan, 4 diterima, 1 digantikan, 1 ditolak",
                         "E-mail dan arsip: 6 e-mail, 2 arsip (ZIP, mbox) dibuka; 3 lampiran data dukung"]


def test_the_same_attachment_twice_is_a_duplicate(tmp_path: Path, workbooks: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data = (workbooks / "dinkes.xlsx").read_bytes()
    for day in (3, 4):
        (folder / f"m{day}.eml").write_bytes(mailmake.eml(_addr("DINKES"), "SPBE", _when(day), [("k.xlsx", data)]))
    result = batch.check([folder], workers=Workers(inline=True))
    reasons = {o.file: o.reason("en") for o in result.outcomes}
    assert reasons["m4.eml#1 k.xlsx"] == "byte-identical copy of m3.eml#1 k.xlsx"


def test_the_sender_ties_a_file_to_its_opd(tmp_path: Path, make_submission) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    blank = make_submission(tmp_path, opd="", name="blank.xlsx").read_bytes()
    other = make_submission(tmp_path, opd="DINKES", name="other.xlsx").read_bytes()
    (folder / "a.eml").write_bytes(mailmake.eml(_addr("BKD"), "SPBE", _when(3), [("k.xlsx", blank)]))
    (folder / "b.eml").write_bytes(mailmake.eml(_addr("BAPPEDA"), "SPBE", _when(3), [("k.xlsx", other)]))
    (folder / "c.eml").write_bytes(mailmake.eml(_addr("DISHUB"), "SPBE", _when(3), [("k.xlsx", b"PK\x03\x04broken")]))
    (folder / "d.eml").write_bytes(mailmake.eml("Orang <x@gmail.example>", "SPBE", _when(3), [("k.xlsx", blank)]))
    result = batch.merge(folder, tmp_path / "r.xlsx", workers=Workers(inline=True))
    subs = {s.file: s for s in result.submissions}
    a = subs["a.eml#1 k.xlsx"]
    assert (a.opd_code, a.rejected) == ("BKD", False)
    assert [(f.code, f.sheet, f.found) for f in a.findings if f.code.startswith("opd")] == [
        ("opd-from-sender", "Identitas", "spbe@bkd.kaltaraprov.example")]
    assert "BKD" in result.scores
    b = subs["b.eml#1 k.xlsx"]
    assert b.opd_code == "DINKES" and [(f.code, f.detail) for f in b.findings if f.code.startswith("opd")] == [
        ("opd-sender-mismatch", "BAPPEDA")]
    c = subs["c.eml#1 k.xlsx"]
    assert (c.opd_code, c.rejected) == ("DISHUB", True)
    assert "DISHUB" in {o.code for o in result.not_submitted}
    d = subs["d.eml#1 k.xlsx"]
    assert (d.opd_code, [f.code for f in d.findings if f.code.startswith("opd")]) == ("", ["opd-missing"])


def test_check_reads_the_message_about_to_be_sent(tmp_path: Path, make_submission) -> None:
    data = make_submission(tmp_path, opd="BKD").read_bytes()
    mail = tmp_path / "kirim.eml"
    mail.write_bytes(mailmake.eml(_addr("BKD"), "SPBE", _when(3), [("Kuesioner.xlsx", data), ("sk.pdf", b"%PDF-1")]))
    res = CliRunner().invoke(main, ["check", str(mail), "-q"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "DIBUKA: kirim.eml [BKD]", "DITERIMA: kirim.eml#1 Kuesioner.xlsx [BKD]",
        "DATA DUKUNG: kirim.eml#2 sk.pdf [BKD]",
        "1 berkas: 1 diterima, 0 diterima tetapi tidak lengkap, 0 ditolak; 1 e-mail/arsip dibuka, 1 lampiran data dukung"]
    mail.write_bytes(mailmake.eml(_addr("BKD"), "SPBE", _when(3)))
    res = CliRunner().invoke(main, ["check", str(mail), "--lang", "en"])
    assert res.exit_code == 1 and "[mail-no-attachment] The e-mail has no attachment." in res.output


def test_a_mailbox_stops_at_its_message_limit(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(settings, "LIMITS", dataclasses.replace(settings.LIMITS, max_entries=5))
    box = tmp_path / "besar.mbox"
    box.write_bytes(mailmake.mbox([mailmake.eml(_addr("BKD"), f"m{i}", _when(3)) for i in range(8)]))
    entries = read_one(Task(entry(box, box.name), None, None))
    assert [s.file for s in entries] == ["besar.mbox"] + [f"besar.mbox#{i}" for i in range(1, 6)]
    assert [f.code for f in entries[0].findings] == ["mail-too-complex"]


def test_a_mailbox_larger_than_a_message_is_streamed_from_the_one_open_file(tmp_path: Path, monkeypatch) -> None:
    """Beyond the size of one message, a mailbox is read message by message (hashed whole on the way); any
    other file that large is too large, with no hash."""
    monkeypatch.setattr(settings, "LIMITS", dataclasses.replace(settings.LIMITS, max_message_bytes=4096))
    box = tmp_path / "arsip.mbox"
    box.write_bytes(mailmake.mbox([mailmake.eml(_addr("BKD"), f"pesan {i}", _when(3)) for i in range(12)]))
    assert box.stat().st_size > 4096
    entries = read_one(Task(entry(box, box.name), None, None))
    assert [s.file for s in entries] == ["arsip.mbox"] + [f"arsip.mbox#{i}" for i in range(1, 13)]
    assert (entries[0].sha256, entries[0].size) == (hashlib.sha256(box.read_bytes()).hexdigest(), box.stat().st_size)
    assert [s.source.subject for s in entries[1:4]] == ["pesan 0", "pesan 1", "pesan 2"]
    big = tmp_path / "besar.eml"
    big.write_bytes(box.read_bytes()[5:].replace(b"\nFrom ", b"\n>From "))  # one message, not a mailbox
    [sub] = read_one(Task(entry(big, big.name), None, None))
    assert [f.code for f in sub.findings] == ["file-too-large"] and sub.sha256 == ""


def test_hostile_mail_through_the_worker_pool(corpus: Path, tmp_path: Path) -> None:
    """The whole corpus through the isolated readers (worker processes): every entry one outcome, nothing
    lost to a worker's time or memory limit."""
    folder = tmp_path / "in"
    shutil.copytree(corpus, folder)
    result = batch.check([folder])
    assert [o.file for o in result.outcomes] == [e[0] for n in sorted(hostile_mail.EXPECTED)
                                                 for e in hostile_mail.EXPECTED[n]]
    assert not [s.file for s in result.submissions if any(f.code == "resource-limit" for f in s.findings)]
