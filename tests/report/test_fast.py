"""The accelerators of pipeline.report.fast give the bytes of their plain twins (xlsxwriter's own output), and
step aside, loudly, for an xlsxwriter version they were not tested with."""

from __future__ import annotations

import dataclasses
import io
import logging
import string
import sys
import types
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipeline import batch, i18n, report, settings
from pipeline.catalog import framework as fwmod
from pipeline.catalog.roster import Opd, Roster
from pipeline.catalog.targets import Target, Targets
from pipeline.findings import CODES, ERROR, Finding
from pipeline.report import fast, gap_sheet, per_opd, writer
from tests.batchfactory import CONTROL_TEXT, HOSTILE, large_batch, odd_code_batch, standard_batch, submission

needs_tested_xlsxwriter = pytest.mark.skipif(not fast.tested(xlsxwriter.__version__), reason=f"the accelerators are not used with xlsxwriter "
                                             f"{xlsxwriter.__version__}")


def parts(data: bytes | Path) -> dict[str, bytes]:
    """Every part of a workbook, uncompressed."""
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist()}


def both_ways(monkeypatch: pytest.MonkeyPatch, write: object) -> tuple[object, object]:
    """``write()`` with the accelerators on, then off."""
    monkeypatch.setattr(settings, "ACCELERATE", True)
    a = write()
    monkeypatch.setattr(settings, "ACCELERATE", False)
    return a, write()


# ---------------------------------------------------------------- the main workbook: streamed table rows


@needs_tested_xlsxwriter
@pytest.mark.parametrize("case", ["standard", "odd", "english", "large", "streamed"])
def test_main_workbook_is_the_same_with_and_without_accelerators(case: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    res = {"standard": standard_batch, "odd": odd_code_batch, "english": lambda: standard_batch(lang="en"),
           "large": lambda: large_batch(settings.CHART_MAX_OPDS + 10),  # its data-centre plan streams too
           "streamed": lambda: large_batch(30)}[case]()
    if case == "streamed":  # xlsxwriter's constant_memory mode: rows written to disk as they come, inline strings
        monkeypatch.setattr(settings, "PER_OPD_LIMIT", 0)
        monkeypatch.setattr(settings, "STREAM_ABOVE", 0)
    n = iter(range(2))

    def write() -> Path:
        return report.write(res, tmp_path / str(next(n)) / "rekap.xlsx", per_opd_files=False).workbook

    fast_path, plain_path = both_ways(monkeypatch, write)
    assert parts(fast_path) == parts(plain_path)


@needs_tested_xlsxwriter
def test_streamed_rows_are_used_and_checked(tmp_path: Path) -> None:
    wb = writer.new_workbook(str(tmp_path / "x.xlsx"))
    out = writer.Out(fast.add_sheet(wb, "S"))
    body = fast.body(out)
    fmt = wb.add_format({"bold": True})
    b = body.row(3)
    b.text(1, "a", fmt)
    with pytest.raises(writer.ReportWriteError, match="out of order"):
        b.text(0, "b", fmt)  # columns in order
    b.end()
    with pytest.raises(writer.ReportWriteError, match="out of order"):
        body.row(2).text(0, "c", fmt)
        body.end()  # rows in order
    with pytest.raises(writer.ReportWriteError, match="code -2"):  # past Excel's 32,767 UTF-16 units
        body.row(9).text(0, "\U0001F600" * 20000, fmt)
    b = body.row(10)
    b.text(0, "=1+" + "x" * 40000, fmt)  # cut by clean_text with its marker; a string, never a formula
    b.end()
    out.text(3, 5, "written by xlsxwriter on a streamed row")
    with pytest.raises(writer.ReportWriteError, match="both streamed and written"):
        wb.close()


@needs_tested_xlsxwriter
@pytest.mark.parametrize("constant_memory", [False, True])
def test_streamed_text_is_written_as_xlsxwriter_writes_it(constant_memory: bool, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [*ODD, " ", "x" * 40000, "_x0000_ \x01"]

    def write() -> bytes:
        buf = io.BytesIO()
        wb = writer.new_workbook(buf, constant_memory)
        ctx = writer.Ctx(wb, per_opd.meta_of(standard_batch()), accelerate=True)
        ctx.set_properties("S")  # fixed dates: the two workbooks are written a moment apart
        out = ctx.sheet("S")
        body = ctx.body(out)
        for r, text in enumerate(texts):
            body.row(r).text(0, text, ctx.f["wrap"])
            body.num(1, r / 7 - 1, ctx.f["idx"])
            body.blank(2, ctx.f["text"])
            body.num(300, r, ctx.f["int"])  # past column IV
            body.end([(text, 20)])
        wb.close()
        return buf.getvalue()

    fast_bytes, plain_bytes = both_ways(monkeypatch, write)
    assert parts(fast_bytes) == parts(plain_bytes)


# ---------------------------------------------------------------- per-OPD workbooks: the template


def books(res: batch.MergeResult) -> list[tuple[writer.Meta, gap_sheet.GapData]]:
    meta = per_opd.meta_of(res)
    sheets = per_opd.sheet_names(res, i18n.table(meta.lang, "report"))
    return [(meta, gap_sheet.data_of(res, code, sheets[code])) for code in sorted(res.scores)]


def assert_same_books(res: batch.MergeResult) -> None:
    from pipeline.report.fast import template

    for meta, data in books(res):
        rendered = template.render(meta, data)
        assert rendered is not None, f"{data.code}: not rendered from the template"
        assert parts(rendered) == parts(per_opd.book(meta, data, accelerate=False)), data.code


@needs_tested_xlsxwriter
@pytest.mark.parametrize("factory", ["standard", "odd", "english"])
def test_template_workbooks_are_xlsxwriters(factory: str) -> None:
    assert_same_books({"standard": standard_batch, "odd": odd_code_batch,
                       "english": lambda: standard_batch(lang="en")}[factory]())


ODD = ['=HYPERLINK("http://x")', "+1", "@x", "-2", " lead", "trail ", "a&b<c>\"d'", "_x0041_", "<r>x</r>", "é ü 中文",
       "tab\tnew\nline", "\U0001F600", "100% %(a)s %% %s %(0)s", "<r>%(A)s</r>", CONTROL_TEXT, ""]
text = st.one_of(st.sampled_from(ODD), st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))
files = st.one_of(st.sampled_from(ODD[:-2]), st.text(st.characters(blacklist_categories=("Cs",)), max_size=20))
codes = st.text(string.ascii_uppercase + string.digits + "/:*?[]'&<> -_.é", min_size=1, max_size=12)
WARN = sorted(c for c, sev in CODES.items() if sev != ERROR)


@st.composite
def merged(draw: st.DrawFn) -> batch.MergeResult:
    """A batch of 1-3 OPDs: random levels (some missing, some verified), odd names and codes, findings, targets."""
    fw = fwmod.load(draw(st.sampled_from(["permenpanrb-5-2018", "permenpanrb-59-2020"])))
    ids = [i.id for i in fw.indicators]
    opds = draw(st.lists(st.tuples(codes, text), min_size=1, max_size=3, unique_by=lambda o: o[0].casefold()))
    subs, targets = [], {}
    for n, (code, _) in enumerate(opds):
        level = st.one_of(st.none(), st.integers(fw.level_min, fw.level_max))
        levels = {i: draw(level) if draw(st.booleans()) else fw.level_max for i in ids}
        verified = draw(st.dictionaries(st.sampled_from(ids), st.integers(fw.level_min, fw.level_max), max_size=4))
        findings = [Finding(c, f"f{n}.xlsx", draw(text), draw(text), draw(text), draw(text), draw(text))
                    for c in draw(st.lists(st.sampled_from(WARN), max_size=4))]
        subs.append(submission(fw, code, levels, file=f"{draw(files)}{n}.xlsx", verified=verified or None,
                               findings=findings, content=str(n)))
        kind = draw(st.sampled_from(["rule", "index", "levels"]))
        if kind == "index":
            targets[code] = Target(index=Fraction(draw(st.integers(0, 500)), 100))
        elif kind == "levels":
            targets[code] = Target(levels={i: draw(st.integers(fw.level_min, fw.level_max)) for i in ids[:3]})
    roster = Roster(tuple(Opd(code, name or code, "dinas") for code, name in opds))
    return batch.assemble(fw, roster, subs, year=2026, targets=Targets(opd=targets), lang=draw(st.sampled_from(
        ["id", "en"])), band_rule=draw(st.sampled_from(["unrounded", "rounded"])), input_dir="input")


@needs_tested_xlsxwriter
@given(merged())
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_template_workbooks_are_xlsxwriters_on_generated_opds(res: batch.MergeResult) -> None:
    """Property: every part of every rendered per-OPD workbook is byte for byte the part xlsxwriter writes."""
    assert_same_books(res)


@needs_tested_xlsxwriter
def test_template_and_xlsxwriter_refuse_the_same_text() -> None:
    res = standard_batch()
    (meta, data), *_ = books(res)
    nasty = [Finding("evidence-missing", "a&b<c>.xlsx", "=SUM(A1)", "  J5 ", f"{h}\r\n_x0041_ tail ", detail=h)
             for h in (*HOSTILE, CONTROL_TEXT, "x" * 40000)]
    fine = dataclasses.replace(data, findings=tuple(nasty), name=f"{data.name} & <Co> \"q\" ' {CONTROL_TEXT}")
    assert parts(per_opd.book(meta, fine)) == parts(per_opd.book(meta, fine, accelerate=False))
    too_long = dataclasses.replace(fine, findings=(Finding("evidence-missing", "x", found="😀" * 20000),))
    for accelerate in (True, False):  # 20,000 emoji exceed Excel's 32,767 UTF-16 units: both refuse
        with pytest.raises(writer.ReportWriteError):
            per_opd.book(meta, too_long, accelerate)


@needs_tested_xlsxwriter
def test_an_unusual_sheet_is_written_by_xlsxwriter(monkeypatch: pytest.MonkeyPatch) -> None:
    """A layout the template does not keep (here: no chart) is not rendered, and still written."""
    from pipeline.report.fast import template

    (meta, data), *_ = books(standard_batch())
    real = gap_sheet.write

    def without_chart(ctx: writer.Ctx, d: gap_sheet.GapData, *, standalone: bool) -> None:
        real(ctx, d, standalone=standalone)
        ctx.wb.charts = []

    assert template.render(meta, data) is not None  # the template (of the usual layout) is made
    monkeypatch.setattr(gap_sheet, "write", without_chart)
    assert template.render(meta, data) is None
    assert parts(per_opd.book(meta, data)) == parts(per_opd.book(meta, data, accelerate=False))


# ---------------------------------------------------------------- the xlsxwriter version gate


@pytest.mark.parametrize("version", ["3.4.0", "3.1.9", "4.0", "unknown"])
def test_an_untested_xlsxwriter_gets_the_plain_path_and_a_warning(version: str, tmp_path: Path, caplog: object,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsxwriter, "__version__", version)
    monkeypatch.setattr(settings, "ACCELERATE", True)
    calls = []
    monkeypatch.setattr(fast, "add_sheet", lambda wb, name: calls.append("rows"))
    stub = types.ModuleType("pipeline.report.fast.template")  # the template is not even imported
    stub.render = lambda meta, data: calls.append("template")
    monkeypatch.setitem(sys.modules, "pipeline.report.fast.template", stub)
    monkeypatch.setattr(fast, "template", stub, raising=False)
    res = standard_batch()
    with caplog.at_level(logging.WARNING, logger="pipeline"):
        out = report.write(res, tmp_path / "rekap.xlsx", per_opd_files=True)
    assert calls == [] and sorted(out.opd_workbooks) == sorted(res.scores)
    warnings = [r for r in caplog.records if r.name == "pipeline" and version in r.getMessage()]
    assert len(warnings) == 1 and "xlsxwriter" in warnings[0].getMessage()  # once, however often asked


@needs_tested_xlsxwriter
def test_the_installed_xlsxwriter_is_in_the_tested_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "ACCELERATE", True)
    assert fast.enabled("rows") and fast.enabled("template")
    monkeypatch.setattr(settings, "ACCELERATE", False)  # SPBE_PLAIN=1
    assert not fast.enabled("rows") and not fast.enabled("template")


@needs_tested_xlsxwriter
def test_accelerated_merge_sample_matches_plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end on files: the shipped sample's workbooks, per-OPD ones included, with and without."""
    sample = Path(__file__).resolve().parents[2] / "input"
    n = iter(range(2))

    def merge() -> batch.MergeResult:
        from pipeline.workers import Workers

        with Workers(inline=True) as pool:
            return batch.merge(sample, tmp_path / str(next(n)) / "rekap.xlsx", per_opd_files=True, workers=pool)

    a, b = both_ways(monkeypatch, merge)
    assert parts(a.workbook) == parts(b.workbook)
    assert sorted(a.opd_workbooks) == sorted(b.opd_workbooks)
    for code, path in a.opd_workbooks.items():
        assert parts(path) == parts(b.opd_workbooks[code]), code


# ---------------------------------------------------------------- any table: streamed rows against xlsxwriter


FORMULAS = ["=SUM(A1:C1)", "=ROUND(B2*3,2)", "=A1+B1/2", "=MAX(A1,B1)", '=SUMPRODUCT(A1:A3,B1:B3)']
FORMATS = ["wrap", "idx", "int", "text", "bold", "level", None]
numbers = st.one_of(st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
                    st.fractions(max_denominator=10**6), st.none())


@st.composite
def table_rows(draw: st.DrawFn) -> list[tuple[int, list[tuple], list[tuple[str, float]]]]:
    """Rows of a table as a sheet writer makes them: (row, [(op, column(s), value, format)...], fit)."""
    rows, r = [], draw(st.integers(0, 5))
    for _ in range(draw(st.integers(0, 6))):
        r += draw(st.integers(1, 3))
        ops, c = [], -1
        for _ in range(draw(st.integers(0, 6))):
            c += draw(st.integers(1, 3))
            fmt = draw(st.sampled_from(FORMATS))
            op = draw(st.sampled_from(["text", "num", "blank", "formula", "merged"]))
            if op == "text":
                ops.append(("text", c, draw(text), fmt))
            elif op == "num":
                ops.append(("num", c, draw(numbers), fmt))
            elif op == "blank":
                ops.append(("blank", c, None, fmt))
            elif op == "formula":
                ops.append(("formula", c, (draw(st.sampled_from(FORMULAS)),
                                           draw(st.floats(-1e6, 1e6, allow_nan=False))), fmt))
            else:
                c2 = c + draw(st.integers(1, 3))
                ops.append(("merged", (c, c2), draw(text), fmt or "wrap"))
                c = c2
        has_cell = any(op != "blank" or fmt is not None for op, _c, _v, fmt in ops)
        fit = [(draw(text), draw(st.sampled_from([8.0, 20.0, 48.0])))] if has_cell and draw(st.booleans()) else []
        rows.append((r, ops, fit))
    return rows


@needs_tested_xlsxwriter
@given(table_rows(), st.booleans())
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
def test_streamed_rows_equal_xlsxwriter_on_any_table(monkeypatch: pytest.MonkeyPatch,
                                                     rows: list[tuple[int, list[tuple], list]],
                                                     constant_memory: bool) -> None:
    """The plain twin (every cell through xlsxwriter) is the specification of the streamed rows: any table of
    texts, numbers, blanks, formulas and merged cells gives the same parts, in both of xlsxwriter's modes."""
    meta = per_opd.meta_of(standard_batch())

    def write() -> bytes:
        buf = io.BytesIO()
        wb = writer.new_workbook(buf, constant_memory)
        ctx = writer.Ctx(wb, meta, accelerate=True)
        ctx.set_properties("S")
        body = ctx.body(ctx.sheet("S"))
        for r, ops, fit in rows:
            body.row(r)
            for op, c, value, fmt in ops:
                f = ctx.f[fmt] if fmt else None
                if op == "text":
                    body.text(c, value, f)
                elif op == "num":
                    body.num(c, value, f)
                elif op == "blank":
                    body.blank(c, f)
                elif op == "formula":
                    body.formula(c, value[0], value[1], f)
                else:
                    body.merged(c[0], c[1], value, f)
            body.end(fit)
        wb.close()
        return buf.getvalue()

    fast_bytes, plain_bytes = both_ways(monkeypatch, write)
    assert parts(fast_bytes) == parts(plain_bytes)
