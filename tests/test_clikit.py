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


def spbe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
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
    (["check"], "Kesalahan: Argumen PATHS wajib diisi.", "Error: Argument PATHS is required."),
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
    assert lines[0].startswith("Pemakaian: ") and lines[0].endswith(" merge [OPTIONS]")
    assert lines[1].startswith("Ketik '") and lines[1].endswith(" merge -h' untuk bantuan.")


def test_a_fatal_error_is_one_line_in_the_users_language(tmp_path: Path) -> None:
    res = spbe("check", ".", "--framework", "tidak-ada", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr.splitlines()[-1].startswith("Kesalahan: Kerangka 'tidak-ada' ")
    res = spbe("check", ".", "--framework", "tidak-ada", "--lang", "en", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr.splitlines()[-1].startswith("Error: ")
