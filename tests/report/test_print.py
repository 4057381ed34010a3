"""The rekap as printed by LibreOffice: headings on the same page as their rows, charts whole, gap-sheet
headings repeated, long file names not cut, no ``###``."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from pipeline import i18n, report
from tests.batchfactory import assemble as assemble_batch
from tests.batchfactory import framework, standard_submissions, submission
from tests.libreoffice import pdf_text, printed_points, require_calibri_metrics, to_pdf

LONG_FILE = "Kuesioner SPBE 2026 - BIRO-ORGANISASI.xlsx"

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module", params=["id", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def T(lang: str) -> dict:  # noqa: N802 - the report's strings, as the sheet code names them
    return i18n.table(lang, "report")


@pytest.fixture(scope="module")
def result(lang: str):
    """The standard scenario and eight more OPDs (14 scored, as in the report of issue 13), one of them with a long
    file name."""
    fw = framework()
    ids = [i.id for i in fw.indicators]
    more = [submission(fw, code, {i: 1 + (k + n) % 5 for n, i in enumerate(ids)})
            for k, code in enumerate(("BIRO-HUKUM", "BIRO-PEMERINTAHAN", "DINKES", "DISDIKBUD", "DISHUB", "DPMPTSP",
                                      "INSPEKTORAT"))]
    return assemble_batch([*standard_submissions(fw), *more, submission(fw, "BIRO-ORGANISASI", file=LONG_FILE)],
                          fw=fw, lang=lang)


@pytest.fixture(scope="module")
def written(result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return report.write(result, tmp_path_factory.mktemp("print") / "rekap.xlsx", per_opd_files=False).workbook


@pytest.fixture(scope="module")
def pages(written: Path) -> list[str]:
    return pdf_text(to_pdf(written, written.parent / "pdf", timeout=240)).split("\f")


def page_of(pages: list[str], text: str, start: int = 0) -> int:
    """The first page (from ``start``) holding ``text`` on one line."""
    for n in range(start, len(pages)):
        if any(text in line for line in pages[n].splitlines()):
            return n
    raise LookupError(text)


def test_summary_headings_stand_with_their_first_rows(pages: list[str], result, T: dict) -> None:
    fw = result.framework
    first_rows = {
        T["key_figures"]: T["n_roster"],
        T["bands"]: fw.bands[-1].name,
        T["domain_means"]: f"{fw.domains[0].id} {fw.domains[0].name}",
        T["aspect_means"]: f"{fw.aspects[0].id} {fw.aspects[0].name}",
        T["opd_chart_data"]: result.ranking[0].name,
    }
    for heading, row in first_rows.items():
        n = page_of(pages, heading)
        assert page_of(pages, row, n) == n, (heading, row, n)


def test_summary_charts_are_not_split(written: Path, pages: list[str], result, T: dict) -> None:
    """Every chart lies between two page breaks of Ringkasan, and LibreOffice breaks its pages only there."""
    with zipfile.ZipFile(written) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', sheet)]
    anchors = [(int(a), int(b)) for a, b in re.findall(r"<xdr:from>.*?<xdr:row>(\d+)</xdr:row>.*?"
                                                      r"<xdr:to>.*?<xdr:row>(\d+)</xdr:row>", drawing)]
    assert breaks and len(anchors) == 4
    for first, last in anchors:
        assert not [b for b in breaks if first < b <= last], (first, last, breaks)
    ranking_page = page_of(pages, T["ranking_title"].format(year=result.year))
    assert ranking_page == len(breaks) + 1  # no page break of LibreOffice's own inside Ringkasan
    fw = result.framework
    charts = {  # title -> labels of the chart, printed on the page of its title
        T["chart_dist"]: [b.name for b in fw.bands],
        T["chart_opd"]: [result.ranking[0].name],
        f"{T['chart_means']}: {T['domain']}": [f"{d.id} {d.name}" for d in fw.domains],
        f"{T['chart_means']}: {T['aspect']}": [fw.aspects[0].id, fw.aspects[-1].id],
    }
    for title, labels in charts.items():
        n = page_of(pages, title)
        for label in labels:
            assert label in pages[n], (title, label, n)


def test_gap_sheets_repeat_their_column_headings(pages: list[str], result, T: dict) -> None:
    row = re.compile(r"^\s*\d+[a-c]?\s+Tingkat Kematangan .*\s\d\.\d{4}\s")  # an indicator row of a gap table
    table_pages = [n for n, page in enumerate(pages) if any(row.match(ln) for ln in page.splitlines())]
    assert len(table_pages) >= 2 * len(result.scores)  # every OPD's table runs over at least two pages
    for n in table_pages:
        assert T["next_criteria"].split()[0] in pages[n] and T["contribution"].split()[0] in pages[n], n


def test_gap_sheets_print_at_about_8_5_points(written: Path, pages: list[str], result, T: dict) -> None:
    """The indicator table, the part of the gap sheet people read, prints its 10-point text at 8.5 points or more
    (at 6.3 before its columns were narrowed)."""
    require_calibri_metrics()
    n = page_of(pages, T["indicators"])
    assert T["next_criteria"].split()[0] in pages[n]
    assert printed_points(written.parent / "pdf" / "rekap.pdf", n + 1, written.parent / "ref") >= 8.5


def test_ranking_prints_whole_file_names(pages: list[str], result, T: dict) -> None:
    n = page_of(pages, T["ranking_title"].format(year=result.year))
    for sub in result.kept:
        for word in sub.file.split():
            assert re.search(rf"(?<!\S){re.escape(word)}(?!\S)", pages[n]), (sub.file, word)
    assert "BIRO-ORGANISASI.xlsx" in pages[n].split()


def test_nothing_is_shown_as_hashes(pages: list[str]) -> None:
    assert not [n for n, page in enumerate(pages) if "###" in page]


def test_ranking_prints_at_about_8_points(written: Path, pages: list[str], result, T: dict) -> None:
    require_calibri_metrics()
    n = page_of(pages, T["ranking_title"].format(year=result.year))
    assert printed_points(written.parent / "pdf" / "rekap.pdf", n + 1, written.parent / "ref") >= 7.7


def test_berkas_prints_what_became_of_each_file_readably(written: Path, pages: list[str], result, T: dict) -> None:
    """Berkas on paper: file, outcome, OPD, reason, superseded by; not the SHA-256 and e-mail details of the screen."""
    require_calibri_metrics()
    n = page_of(pages, T["files_title"])
    assert not re.search(r"\b[0-9a-f]{64}\b", pages[n]) and i18n.text("outcome.superseded", result.lang) in pages[n]
    assert printed_points(written.parent / "pdf" / "rekap.pdf", n + 1, written.parent / "ref") >= 6.5
