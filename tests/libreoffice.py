"""Open a workbook in a real spreadsheet application: LibreOffice headless conversion to PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise AssertionError("LibreOffice (soffice) is not installed; .ci/run installs it (apt-get install libreoffice-calc)")
    return exe


def to_pdf(xlsx: Path, outdir: Path, timeout: int = 180) -> Path:
    """Convert with a private profile; fail when LibreOffice cannot open the file."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = (outdir / "lo-profile").resolve().as_uri()
    proc = subprocess.run([soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(outdir), str(xlsx)], capture_output=True, text=True, timeout=timeout)
    pdf = outdir / (xlsx.stem + ".pdf")
    assert proc.returncode == 0 and pdf.exists() and pdf.stat().st_size > 1000, (
        f"LibreOffice could not convert {xlsx.name}: rc={proc.returncode} {proc.stdout} {proc.stderr}")
    return pdf


def pdf_text(pdf: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise AssertionError("pdftotext (poppler-utils) is not installed")
    return subprocess.run([exe, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
