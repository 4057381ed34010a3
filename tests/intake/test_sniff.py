"""Recognising a file's format by its content (pipeline.intake.sniff)."""

from __future__ import annotations

import zipfile
import zlib

import pytest

from pipeline import i18n
from pipeline.intake import sniff
from tests.intake import hostile


def test_ole_encryption_found_beyond_the_first_directory_sector(tmp_path):
    path = hostile.ole2(tmp_path / "enc.xlsx", ("Workbook",))
    with path.open("ab") as fh:  # the encryption entries in a later directory sector
        fh.write(bytes(4096) + "EncryptedPackage".encode("utf-16-le"))
    assert sniff.detect(path, "enc.xlsx")[1][0].code == "encrypted-file"


def test_size_limit_and_text_kinds(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"x" * 2000)
    assert sniff.detect(p, "a.xlsx", max_bytes=1000)[1][0].code == "file-too-large"
    p.write_bytes(b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- c -->\n<html><body/></html>")
    assert sniff.detect(p, "a.xlsx")[1][0].code == "html-not-workbook"
    for text, found, english in (("nama\tlevel\nDinas\t3\n", "teks dipisah tab", "tab-separated text"),
                                 ("hanya teks\n", "teks", "text")):
        p.write_bytes(text.encode("utf-16"))
        [f] = sniff.detect(p, "a.xlsx")[1]
        assert (f.code, i18n.render(f.found, "id"), i18n.render(f.found, "en")) == ("csv-not-workbook", found, english)
    hostile.valid_xlsx(p)
    assert sniff.detect(p, "a.xlsx") == ("xlsx", [])


def test_zip_archives_are_containers_and_documents_are_named(tmp_path):
    p = tmp_path / "z.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        for name in ("a/b.pdf", "c.docx", "d.txt", "e.txt"):
            zf.writestr(name, b"x")
    assert sniff.detect(p, "z.xlsx") == (sniff.ZIP, [])
    for folder, label in (("word/", "Word"), ("ppt/", "PowerPoint")):
        with zipfile.ZipFile(p, "w") as zf:
            zf.writestr("[Content_Types].xml", b"<Types/>")
            zf.writestr(folder + "x.xml", b"<x/>")
        [f] = sniff.detect(p, "z.xlsx")[1]
        assert (f.code, f.found) == ("document-not-workbook", label)
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
    [f] = sniff.detect(p, "z.xlsx")[1]
    assert (f.code, f.found, i18n.render(f.message("en"))) == (
        "document-not-workbook", "OpenDocument text", "The file is a document (OpenDocument text), not a workbook.")


@pytest.mark.parametrize("exc, found, english", [
    (zipfile.BadZipFile("Bad CRC-32 for file 'x'"), "CRC tidak cocok (data rusak)", "CRC mismatch (damaged data)"),
    (RuntimeError("File is encrypted, password required"), "arsip zip terenkripsi", "encrypted zip archive"),
    (NotImplementedError("That compression method is not supported"), "metode kompresi tidak didukung",
     "unsupported compression method"),
    (EOFError(), "data terpotong", "truncated data"),
    (zipfile.BadZipFile("File is not a zip file"), "arsip zip terpotong atau rusak", "truncated or damaged zip archive"),
    (zlib.error("Error -3 while decompressing data: invalid block type"), "data terkompresi rusak",
     "damaged compressed data"),
    (OSError("disk"), "arsip zip rusak (OSError)", "damaged zip archive (OSError)"),
])
def test_zip_error_reasons(exc, found, english):
    reason = sniff.zip_error_reason(exc)
    assert (i18n.render(reason, "id"), i18n.render(reason, "en")) == (found, english)


def test_unreadable_file(tmp_path):
    [f] = sniff.detect(tmp_path / "missing.xlsx", "missing.xlsx")[1]
    assert f.code == "corrupt-workbook" and i18n.render(f.found, "en").startswith("the file cannot be opened (")
