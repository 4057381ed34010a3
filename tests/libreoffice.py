"""Open a workbook in a real spreadsheet application: LibreOffice headless, to PDF, and the PDF as text.

Tests that use it carry ``@pytest.mark.libreoffice``. Where LibreOffice or poppler-utils is missing they
are skipped with one line naming the package to install; with ``SPBE_REQUIRE_LIBREOFFICE=1`` (set by
``.ci/run``, which installs both) a missing program fails them instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGES = {"soffice": "libreoffice-calc", "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils"}


def require(program: str) -> str:
    """The program's path; skip (or fail, under SPBE_REQUIRE_LIBREOFFICE=1) when it is not installed."""
    exe = shutil.which(program) or (shutil.which("libreoffice") if program == "soffice" else None)
    if exe is None:
        why = f"{program} not installed (apt-get install {PACKAGES[program]})"
        if os.environ.get("SPBE_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return exe


def to_pdf(xlsx: Path, outdir: Path, timeout: int = 180) -> Path:
    """Convert with a private profile; fail when LibreOffice cannot open the file."""
    pdf = _convert(xlsx, outdir, "pdf", timeout) / (xlsx.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000, f"LibreOffice could not convert {xlsx.name} to PDF"
    return pdf


def to_csv(xlsx: Path, outdir: Path, timeout: int = 180, *, shown: bool = False) -> dict[str, str]:
    """Every sheet exported by LibreOffice as CSV (UTF-8, comma, text quoted as needed): sheet name -> text.
    ``shown``: cells as LibreOffice displays them (number formats applied), else their values."""
    folder = _convert(xlsx, outdir, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,"
                      f"{'true' if shown else 'false'},false,false,-1", timeout)
    prefix = xlsx.stem + "-"
    return {p.stem[len(prefix):]: p.read_text(encoding="utf-8") for p in folder.glob(f"{xlsx.stem}-*.csv")}


def _convert(xlsx: Path, outdir: Path, target: str, timeout: int) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    profile = (outdir / "lo-profile").resolve().as_uri()
    proc = subprocess.run([require("soffice"), f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                           target, "--outdir", str(outdir), str(xlsx)], capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"LibreOffice could not convert {xlsx.name}: {proc.stdout} {proc.stderr}"
    return outdir


_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def recalculate(xlsx: Path, outdir: Path, timeout: int = 180) -> Path:
    """``xlsx`` opened in LibreOffice with every formula recalculated on load, saved again as .xlsx (its cells hold
    LibreOffice's results: read them with ``openpyxl.load_workbook(path, data_only=True)``)."""
    profile = outdir / "lo-recalc-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
    out = outdir / "recalculated"
    proc = subprocess.run([require("soffice"), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                           "--convert-to", "xlsx", "--outdir", str(out), str(xlsx)], capture_output=True, text=True,
                          timeout=timeout)
    result = out / xlsx.name
    assert proc.returncode == 0 and result.exists(), f"LibreOffice could not recalculate {xlsx.name}: {proc.stderr}"
    return result


def pdf_text(pdf: Path) -> str:
    return subprocess.run([require("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
