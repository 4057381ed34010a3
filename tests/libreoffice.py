"""Open a workbook in a real spreadsheet application: LibreOffice headless, to PDF, and the PDF as text.

Tests that use it carry ``@pytest.mark.libreoffice``. Where LibreOffice or poppler-utils is missing they
are skipped with one line naming the package to install; with ``SPBE_REQUIRE_LIBREOFFICE=1`` (set by
``.ci/run``, which installs both) a missing program fails them instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGES = {"soffice": "libreoffice-calc", "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils",
            "fc-match": "fontconfig", "Carlito": "fonts-crosextra-carlito"}


def _missing(what: str) -> None:
    why = f"{what} not installed (apt-get install {PACKAGES[what]})"
    if os.environ.get("SPBE_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail(why)
    pytest.skip(why)


def require(program: str) -> str:
    """The program's path; skip (or fail, under SPBE_REQUIRE_LIBREOFFICE=1) when it is not installed."""
    exe = shutil.which(program) or (shutil.which("libreoffice") if program == "soffice" else None)
    if exe is None:
        _missing(program)
    return exe


def require_calibri_metrics() -> None:
    """Skip (or fail) unless LibreOffice lays text out in Calibri's widths (Calibri, or its metric twin Carlito,
    which LibreOffice ships on Windows and Debian recommends): printed sizes are only meaningful then."""
    found = subprocess.run([require("fc-match"), "Calibri"], capture_output=True, text=True).stdout
    if "Calibri" not in found and "Carlito" not in found:
        _missing("Carlito")


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


def printed_points(pdf: Path, page: int, outdir: Path) -> float:
    """The size (pt) at which 10-point text is printed on ``page`` (1-based) of ``pdf``: the median height of its
    words against that of 10-point text printed at 100 % in the same fonts."""
    import statistics

    import xlsxwriter

    outdir.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(outdir / "ten-points.xlsx"))
    ws = wb.add_worksheet()
    ws.write(0, 0, "Kebijakan Internal SPBE", wb.add_format({"font_name": "Calibri", "font_size": 10}))
    ws.set_print_scale(100)
    wb.close()
    reference = to_pdf(outdir / "ten-points.xlsx", outdir)

    def heights(path: Path, n: int) -> list[float]:
        xml = subprocess.run([require("pdftotext"), "-bbox", "-f", str(n), "-l", str(n), str(path), "-"],
                             capture_output=True, text=True, check=True).stdout
        return [float(b) - float(a) for a, b in re.findall(r'<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', xml)]

    return 10 * statistics.median(heights(pdf, page)) / statistics.median(heights(reference, 1))


def pdf_text(pdf: Path) -> str:
    return subprocess.run([require("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
