"""Hostile and broken files through the sniffer and the strict reader: one outcome each, never an exception."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.findings import ERROR, WARNING
from pipeline.intake import sniff
from pipeline.intake.raw import NUMBER, TEXT, RawCell
from pipeline.intake.xlsx import read_workbook
from tests.intake import hostile
from tests.intake.test_xlsx import INDONESIAN


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> tuple[Path, dict[str, str | None]]:
    folder = tmp_path_factory.mktemp("hostile")
    return folder, hostile.write_all(folder)


@pytest.mark.parametrize("name", sorted(hostile.EXPECTED))
def test_each_hostile_file_has_one_outcome(hostile_dir, name):
    folder, expected = hostile_dir
    code = expected[name]
    kind, findings, _ = hostile.read_one(folder / name, name)
    if code is None:
        assert (kind, findings) == ("read", [])
    elif code == "container":
        assert (kind, findings) == ("container", [])
    elif code in ("macro-workbook", "external-link"):
        assert kind == "read" and [(c, s) for c, s, _ in findings] == [(code, WARNING)]
    else:
        assert kind == "rejected" and [(c, s) for c, s, _ in findings] == [(code, ERROR)]


def test_rejections_say_why(hostile_dir):
    folder, _ = hostile_dir
    found = {n: hostile.read_one(folder / n, n)[1][0][2] for n in (
        "zip-bomb.xlsx", "ratio-bomb.xlsx", "billion-laughs.xlsx", "scan.xlsx", "big.xlsx",
        "truncated.xlsx", "bad-crc.xlsx", "duplicate-member.xlsx", "malformed-xml.xlsx", "data.xlsx")}
    ratio = found.pop("ratio-bomb.xlsx")
    assert ratio.startswith("xl/worksheets/sheet1.xml: rasio ") and ratio.endswith(":1")
    malformed = found.pop("malformed-xml.xlsx")
    assert malformed.startswith("xl/worksheets/sheet1.xml: XML rusak (baris 1, kolom ")
    assert found == {
        "zip-bomb.xlsx": "xl/worksheets/sheet1.xml: 300 MB",
        "billion-laughs.xlsx": "xl/sharedStrings.xml",
        "scan.xlsx": "PNG",
        "big.xlsx": "26 MB",
        "truncated.xlsx": "arsip zip terpotong atau rusak",
        "bad-crc.xlsx": "xl/worksheets/sheet1.xml: CRC tidak cocok (data rusak)",
        "duplicate-member.xlsx": "xl/worksheets/sheet1.xml",
        "data.xlsx": "CSV (;)",
    }


def test_english_messages_have_no_indonesian(hostile_dir):
    """``check --lang en``: the tool's own words in a finding (what it found, what it expected) are English."""
    folder, expected = hostile_dir
    for name in expected:
        findings = hostile.read_raw(folder / name, name)[1]
        for f in findings:
            english = f"{f.message('en')} {f.hint('en')}".casefold()
            assert not [w for w in INDONESIAN if w in english], (name, english)


def test_accepted_odd_files_keep_their_values(hostile_dir):
    folder, _ = hostile_dir
    wb, findings = read_workbook(folder / "long-text.xlsx", "long-text.xlsx")
    assert findings == []
    assert wb.sheet("Identitas").get(20, 1) == RawCell(hostile.LONG_TEXT, TEXT)
    assert len(hostile.LONG_TEXT) == 40_000
    assert wb.sheet("Penilaian").get(1, 1).value == hostile.CONTROL_TEXT + " 1-1"  # returned as-is
    wb, _ = read_workbook(folder / "far-corner.xlsx", "far-corner.xlsx")
    assert wb.sheets[0].cells == {(1, 1): RawCell("kiri atas", TEXT), (1048576, 16384): RawCell(42.0, NUMBER)}
    wb, findings = read_workbook(folder / "macro.xlsm", "macro.xlsm")
    assert wb.has_macros and [f.code for f in findings] == ["macro-workbook"]
    wb, findings = read_workbook(folder / "external-link.xlsx", "external-link.xlsx")
    assert wb.external_links == 1 and [(f.code, f.found) for f in findings] == [("external-link", "anggaran.xlsx")]


def test_reader_alone_rejects_what_sniff_would(hostile_dir):
    """read_workbook is safe on its own too: non-workbooks come back as one error, never an exception."""
    folder, expected = hostile_dir
    for name in expected:
        wb, findings = read_workbook(folder / name, name)
        assert (wb is None) == any(f.severity == ERROR for f in findings), name
        assert wb is not None or len(findings) == 1, name


def test_hostile_member_sizes_are_what_the_cases_claim(hostile_dir):
    folder, _ = hostile_dir
    with zipfile.ZipFile(folder / "zip-bomb.xlsx") as zf:
        info = zf.getinfo(hostile.SHEET1)
        assert info.file_size == 300 * 1024 * 1024 and info.compress_size < 2 * 1024 * 1024


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_workbooks_never_raise(tmp_path, data):
    base = tmp_path / "base.xlsx"
    if not base.exists():
        hostile.valid_xlsx(base, rows=3, cols=3)
    raw = bytearray(base.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = tmp_path / "m.xlsx"
    path.write_bytes(bytes(raw))
    kind, findings = sniff.detect(path, "m.xlsx")
    wb, read_findings = read_workbook(path, "m.xlsx")
    assert (wb is None) == any(f.severity == ERROR for f in read_findings)
    assert kind in ("xlsx", "rejected") and all(f.file == "m.xlsx" for f in findings + read_findings)


def test_mutated_xml_inside_the_zip_never_raises(tmp_path):
    base = hostile.valid_xlsx(tmp_path / "base.xlsx", rows=3, cols=3)
    sheet = hostile.member(base, hostile.SHEET2)
    nasty = [b"", b"<", b"<worksheet/>", sheet.replace(b'r="A1"', b'r="1A"'), sheet.replace(b'r="A1"', b'r="XFE1"'),
             sheet.replace(b'<row r="1"', b'<row r="0"'), sheet.replace(b'r="A1"', b'r="A99999999"'),
             sheet.replace(b'<row r="1"', b'<row r="' + b"9" * 5000 + b'"'),
             sheet.replace(b'r="A1"', b'r="A' + b"9" * 5000 + b'"'),
             sheet.replace(b"<sheetData>", b"<sheetData>&undefined;"), sheet.replace(b"UTF-8", b"bogus-enc"),
             b'<?xml version="1.0" encoding="UTF-16"?>' + sheet, sheet.decode().encode("utf-16"),
             b'<x:worksheet xmlns:x="urn:other"/>', sheet.replace(b"<sheetData>", b"<sheetData>" + b"<row/>" * 50_000)]
    for i, data in enumerate(nasty):
        path = hostile.rewrite_zip(base, tmp_path / f"n{i}.xlsx", {hostile.SHEET2: data})
        wb, findings = read_workbook(path, "n.xlsx")
        assert (wb is None) == any(f.severity == ERROR for f in findings), (i, findings)
        assert not [f for f in findings if "galat tak terduga" in f.message("id")], (i, findings)
