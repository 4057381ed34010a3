"""A mistyped command line is answered in the user's language: which word was wrong, what would be right,
where to get help; exit code 2. Run through the real entry point (``python -m pipeline``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ("Usage:", "Try ", "Error:", "No such", "Invalid value", "Missing", "Got unexpected", "is not",
           "does not", "requires", "Aborted")


def spbe(*args: str, cwd: Path, lang: str = "") -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if k != "SPBE_LANG"}, "PYTHONPATH": str(ROOT)}
    if lang:
        env["SPBE_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


CASES = [  # arguments, last line in Indonesian, last line in English (--lang en added at the end)
    (["merge", "--yaer", "2026"], "Kesalahan: Opsi '--yaer' tidak dikenal. Mungkin maksud Anda: --year?",
     "Error: No such option '--yaer'. Did you mean: --year?"),
    (["merge", "--year", "dua ribu"], "Kesalahan: Nilai --year tidak sah: 'dua ribu' bukan bilangan bulat.",
     "Error: Invalid value for --year: 'dua ribu' is not a whole number."),
    (["merge", "--band-rule", "bulat"],
     "Kesalahan: Nilai --band-rule tidak sah: 'bulat' bukan salah satu dari unrounded, rounded.",
     "Error: Invalid value for --band-rule: 'bulat' is not one of unrounded, rounded."),
    (["merge", "--strict=ya"], "Kesalahan: Opsi '--strict' tidak menerima nilai.",
     "Error: Option '--strict' does not take a value."),
    (["merge", "--roster", "tidak-ada.csv"], "Kesalahan: Nilai --roster tidak sah: tidak-ada.csv tidak ada.",
     "Error: Invalid value for --roster: tidak-ada.csv does not exist."),
    (["merge", "--roster", "."], "Kesalahan: Nilai --roster tidak sah: . adalah folder, bukan berkas.",
     "Error: Invalid value for --roster: . is a folder, not a file."),
    (["merge", "Data OPD"],
     "Kesalahan: Argumen berlebih: Data OPD. Jalur yang memuat spasi ditulis di antara tanda kutip.",
     "Error: Unexpected extra arguments: Data OPD. A path with spaces is written in quotes."),
    (["mrege"], "Kesalahan: Perintah 'mrege' tidak dikenal; perintah yang ada: check, frameworks, merge, template.",
     None),
    (["check"], "Kesalahan: Argumen BERKAS_ATAU_FOLDER wajib diisi.", "Error: Argument FILES_OR_FOLDERS is required."),
    (["--roster", "x.csv", "merge"],  # an option of the commands given before the command's name
     "Kesalahan: Opsi '--roster' tidak dikenal. Tulis --roster sesudah nama perintah, misalnya: spbe merge --roster ...",
     "Error: No such option '--roster'. Give --roster after the command's name, e.g. spbe merge --roster ..."),
]


@pytest.mark.parametrize(("args", "indonesian", "english"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_a_mistyped_command_line_is_answered_in_the_users_language(tmp_path: Path, args: list[str],
                                                                  indonesian: str, english: str | None) -> None:
    res = spbe(*args, cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.splitlines()[-1] == indonesian
    assert not [w for w in ENGLISH if w in res.stderr], res.stderr
    if english is not None:
        res = spbe(*args, "--lang", "en", cwd=tmp_path)
        assert res.returncode == 2 and res.stderr.splitlines()[-1] == english


def test_a_usage_error_shows_the_usage_and_where_help_is(tmp_path: Path) -> None:
    lines = spbe("merge", "--yaer", "2026", cwd=tmp_path).stderr.splitlines()
    assert lines[0].startswith("Pemakaian: ") and lines[0].endswith(" merge [OPSI]")
    assert lines[1].startswith("Ketik '") and lines[1].endswith(" merge -h' untuk bantuan.")


def test_a_fatal_error_is_one_line_in_the_users_language(tmp_path: Path) -> None:
    res = spbe("check", ".", "--framework", "tidak-ada", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr.splitlines()[-1].startswith("Kesalahan: Kerangka 'tidak-ada' ")
    res = spbe("check", ".", "--framework", "tidak-ada", "--lang", "en", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr.splitlines()[-1].startswith("Error: ")


@pytest.mark.parametrize("command", [[], ["merge"], ["check"], ["template"], ["frameworks"], ["frameworks", "show"]])
def test_the_help_is_in_the_language_of_lang(tmp_path: Path, command: list[str]) -> None:
    """Every help text comes from the catalogue: Indonesian by default, English with --lang en."""
    indonesian = spbe(*command, "--help", cwd=tmp_path).stdout
    assert indonesian.startswith("Pemakaian: ") and "\nOpsi:\n" in indonesian
    assert not [w for w in ("Usage", "Options", "[OPTIONS]", "TEXT", "FILE", "INTEGER", "PATH", "default", "Show ")
                if w in indonesian], indonesian
    english = spbe(*command, "--help", cwd=tmp_path, lang="en").stdout  # commands without --lang: SPBE_LANG
    assert english.startswith("Usage: ") and "\nOptions:\n" in english
    if command in (["merge"], ["check"]):
        assert spbe(*command, "--lang", "en", "--help", cwd=tmp_path).stdout == english
    assert not [w for w in ("Pemakaian", "Opsi", "bawaan", "Tampilkan", "berkas", "Periksa", "Contoh") if w in english], english


def test_a_bad_language_in_the_environment_is_named(tmp_path: Path) -> None:
    res = spbe("check", ".", cwd=tmp_path, lang="jv")
    assert res.returncode == 2
    assert res.stderr.splitlines()[-1] == "Kesalahan: Nilai --lang / SPBE_LANG tidak sah: 'jv' bukan salah satu dari id, en."
