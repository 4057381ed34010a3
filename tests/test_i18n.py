"""The catalogue of user-facing texts: both languages complete, placeholders alike, messages render."""

from __future__ import annotations

import string

import pytest

from pipeline import i18n
from pipeline.findings import CODES, Finding


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert set(i18n.TEXT["id"]) == set(i18n.TEXT["en"])
    for key, text in i18n.TEXT["id"].items():
        assert placeholders(text) == placeholders(i18n.TEXT["en"][key]), key


def test_every_finding_code_has_a_message_and_a_hint() -> None:
    for code in CODES:
        for lang in i18n.LANGS:
            assert i18n.text(f"finding.{code}", lang) and i18n.text(f"hint.{code}", lang), code


def test_a_message_renders_in_the_language_asked_for_nested_ones_too() -> None:
    zip_reason = i18n.msg("reason.zip-truncated")
    found = i18n.msg("reason.in-part", part="xl/workbook.xml", reason=zip_reason)
    f = Finding("corrupt-workbook", "a.xlsx", found=found)
    assert f.message("id") == "Buku kerja rusak atau terpotong: xl/workbook.xml: arsip zip terpotong atau rusak."
    assert f.message("en") == "The workbook is corrupt or truncated: xl/workbook.xml: truncated or damaged zip archive."
    assert str(found) == "reason.in-part part=xl/workbook.xml reason=reason.zip-truncated"


def test_unknown_keys_fail_where_they_are_made() -> None:
    with pytest.raises(KeyError):
        i18n.msg("reason.no-such-thing")


def test_help_is_indonesian_down_to_its_headings() -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    for args in (["--help"], ["merge", "--help"], ["frameworks", "--help"], ["frameworks", "show", "--help"]):
        out = CliRunner().invoke(main, args).output
        assert out.startswith("Pemakaian: ") and "\nOpsi:\n" in out, (args, out[:200])
        assert not [w for w in ("Usage:", "Options:", "Commands:", "Show this message") if w in out], (args, out)


def test_numbers_in_what_the_reader_found_have_the_languages_separators(tmp_path) -> None:
    """A size or a count in a finding reads "30,2 KB" and "10.000" in Bahasa Indonesia, "30.2 KB" and "10,000" in
    English: the reader keeps the number, the message shows it."""
    from pipeline import settings
    from pipeline.intake import xlsx

    book = tmp_path / "a.xlsx"
    book.write_bytes(bytes(range(256)) * 121)  # 30,976 bytes: 30.25 KiB
    _wb, (too_big,) = xlsx.read_workbook(book, "a.xlsx", settings.Limits(max_file_bytes=1536))
    assert too_big.code == "file-too-large"
    assert "30,2 KB" in too_big.message("id") and "1,5 KB" in too_big.message("id")
    assert "30.2 KB" in too_big.message("en") and "1.5 KB" in too_big.message("en")
    many = Finding("mail-too-complex", "m.mbox", found=i18n.msg("reason.mail-messages", n=i18n.Num(f"{10000:,}")))
    assert "10.000" in many.message("id") and "10,000" in many.message("en")
