"""Turn a raw workbook into a typed Submission, locating every value and every problem.

Rows are found by key (indicator id, field label), columns by their heading text, sheets by
name; so inserted, deleted, hidden and reordered rows and columns still read correctly. Nothing
here raises for bad content: every problem becomes a Finding with its sheet and cell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pipeline import layout as L
from pipeline.catalog.framework import Framework, Indicator
from pipeline.catalog.roster import Roster
from pipeline.findings import Finding
from pipeline.i18n import Msg
from pipeline.intake.raw import BOOL, EMPTY, ERRORVAL, NUMBER, TEXT, RawCell, RawSheet, RawWorkbook
from pipeline.intake.values import function_vocab, match_vocab, parse_date, parse_int, parse_level, parse_quantity
from pipeline.model import Answer, AnswerColumns, Application, Infrastructure, Server, ServerCount, Site, Submission
from pipeline.text import a1, cell_key, clean_text, col_letter, fold


class _Ctx:
    """Per-file state: the fields of the submission being read (``fields``) and its findings."""

    def __init__(self, base: Submission, quiet: bool = False) -> None:
        self.file = self.name = base.file
        self.fields: dict[str, Any] = {"respondent": {}, "answers": [], "applications": []}
        self.findings: list[Finding] = []
        self.quiet = quiet

    def add(self, code: str, sheet: str = "", cell: str = "", found: object = "", expected: object = "",
            detail: object = "") -> None:
        if not self.quiet:
            expected = expected if isinstance(expected, (str, Msg)) else str(expected)  # a Num stays one
            self.findings.append(Finding(code, self.file, sheet, cell, _show(found), expected, str(detail)))

    def submission(self, base: Submission) -> Submission:
        """``base`` (the file's facts and findings so far) with everything read."""
        f = self.fields
        return dataclasses.replace(
            base, **{k: v for k, v in f.items() if k not in ("respondent", "answers", "applications")},
            respondent=tuple(f["respondent"].items()), answers=tuple(f["answers"]),
            applications=tuple(f["applications"]), findings=base.findings + tuple(self.findings))

    def text(self, cell: RawCell | None, sheet: str, ref: str) -> str:
        """Cell content as clean text; control characters, over-long text and a formula without a stored
        value (as programs other than Excel leave them) are reported."""
        if cell is not None and cell.formula is not None and cell.value is None:
            self.add("formula-without-value", sheet, ref, found=f"={cell.formula}")
        if cell is None or cell.kind in (EMPTY, ERRORVAL) or cell.value is None:
            return ""
        raw = _plain(cell)
        text, bad, cut = clean_text(raw)
        if bad:
            self.add("control-characters", sheet, ref, found=repr(raw[:40]))
        if cut:
            self.add("text-truncated", sheet, ref, found=cut, expected=len(text))
        return text.strip()


def _show(value: object) -> str:
    text = "" if value is None else str(value)
    text, _, _ = clean_text(text, 200)
    return text


def _plain(cell: RawCell) -> str:
    v = cell.value
    if cell.kind == NUMBER and isinstance(v, float) and v.is_integer():
        return str(int(v))
    if cell.kind == BOOL:
        return "TRUE" if v else "FALSE"
    return str(v)


# ---------------------------------------------------------------- entry point


def parse(raw: RawWorkbook, base: Submission, fw: Framework, roster: Roster,
          frameworks: dict[str, Framework], name: str | None = None) -> Submission:
    """``base`` (a file's facts and the findings so far) with everything ``raw`` says, read for the batch
    framework ``fw``; every problem is a finding.

    ``frameworks`` are all catalogs known (by id), used to name the framework of a foreign
    questionnaire; a questionnaire of another framework than ``fw`` is rejected, never mixed.
    ``name`` is the file's own name, when it is not the last part of ``base.file`` (an attachment).
    """
    ctx = _Ctx(base)
    ctx.name = name or base.file.rsplit("/", 1)[-1]  # macro and external-link warnings come from the reader
    assess = raw.sheet(L.SHEET_ASSESSMENT)
    ident = raw.sheet(L.SHEET_IDENTITY)
    if assess is None and ident is None:
        ctx.add("not-a-questionnaire", found=_sheet_list(raw))
    elif not _check_template(ctx, raw, assess, fw, frameworks):
        # still attribute the rejected file to its OPD (for the report), without more findings
        quiet = _Ctx(base, quiet=True)
        _read_identity(quiet, ident, roster, raw)
        ctx.fields.update((k, quiet.fields[k]) for k in ("opd_code", "opd_raw") if k in quiet.fields)
    else:
        _read_identity(ctx, ident, roster, raw)
        if assess is None:
            ctx.add("missing-sheet", found=_sheet_list(raw), expected=L.SHEET_ASSESSMENT)
        else:
            _read_answers(ctx, assess, fw)
            _read_apps(ctx, raw.sheet(L.SHEET_APPS), fw)
            _read_infra(ctx, raw)
    return ctx.submission(base)


def _sheet_list(raw: RawWorkbook) -> str:
    return ", ".join(s.name for s in raw.sheets) or "-"


# ---------------------------------------------------------------- template / framework


def _meta(raw: RawWorkbook) -> dict[str, str]:
    sheet = raw.sheet(L.SHEET_META)
    if sheet is None:
        return {}
    out = {}
    for (r, c), cell in sheet.cells.items():
        if c == 1 and cell.kind == TEXT:
            val = sheet.get(r, 2)
            out[str(cell.value).strip()] = _plain(val).strip() if val is not None and val.value is not None else ""
    return out


def _ids_in(sheet: RawSheet | None) -> set[str]:
    if sheet is None:
        return set()
    header = _find_header(sheet, L.ASSESSMENT_COLUMNS)
    if header is None:
        return set()
    row, cols = header
    col = cols.get("id")
    return {_indicator_id(c) for (r, cc), c in sheet.cells.items() if cc == col and r > row} - {""}


def _check_template(ctx: _Ctx, raw: RawWorkbook, assess: RawSheet | None, fw: Framework,
                    frameworks: dict[str, Framework]) -> bool:
    meta = _meta(raw)
    sub = ctx.fields
    if meta.get("framework_id"):
        sub["framework_id"] = meta["framework_id"]
        sub["template_version"] = version = meta.get("template_version", "")
        if sub["framework_id"] != fw.id:
            ctx.add("framework-mismatch", L.SHEET_META, "B2", found=sub["framework_id"], expected=fw.id)
            return False
        if version not in L.KNOWN_TEMPLATE_VERSIONS:
            ctx.add("unknown-template-version", L.SHEET_META, "B1", found=version or "-",
                    expected=", ".join(L.KNOWN_TEMPLATE_VERSIONS))
            return False
        fp = meta.get("framework_fingerprint", "")
        if fp != fw.fingerprint:
            ctx.add("fingerprint-mismatch", L.SHEET_META, "B3", found=fp or "-", expected=fw.fingerprint)
            return False
        return True
    # no metadata: recognise the framework from the indicator ids, or give up
    ids = _ids_in(assess)
    if not ids:
        ctx.add("not-a-questionnaire", found=_sheet_list(raw))
        return False
    best = max(frameworks.values(), key=lambda f: (len(ids & {i.id for i in f.indicators}), f.id == fw.id))
    overlap = len(ids & {i.id for i in best.indicators})
    if best.id != fw.id and overlap > len(ids & {i.id for i in fw.indicators}):
        ctx.add("framework-mismatch", found=best.id, expected=fw.id)
        return False
    sub["framework_id"] = fw.id
    ctx.add("missing-metadata", found=fw.id)
    return True


# ---------------------------------------------------------------- headings and rows


@lru_cache(maxsize=8)
def _wanted_headings(columns: tuple[L.Column, ...]) -> tuple[dict[str, str], re.Pattern[str]]:
    """Folded heading -> column key, and a pattern matching a text that starts with one (longest first)."""
    wanted: dict[str, str] = {}
    for col in columns:
        for text in L.headers_of(col):
            wanted.setdefault(fold(text), col.key)
    longest_first = sorted(wanted, key=len, reverse=True)
    return wanted, re.compile("(" + "|".join(map(re.escape, longest_first)) + ") ")


def _find_header(sheet: RawSheet, columns: Iterable[L.Column],
                 ctx: _Ctx | None = None) -> tuple[int, dict[str, int]] | None:
    """Locate the heading row (rows 1..HEADER_SEARCH_ROWS) and the column of each known heading.

    A heading matches when its text (case, accents and punctuation aside) is a known heading, or starts with
    one as whole words (the longest wins: "Level Verifikasi ..." is not "Level"): an OPD that changed a
    heading ("Level (pilih dari daftar) (1-5)") is read, with a warning per changed heading to ``ctx``.
    """
    columns = tuple(columns)
    wanted, starts_with_known = _wanted_headings(columns)
    longest = max(len(k) for k in wanted) + 40
    by_row: dict[int, dict[str, int]] = {}
    changed: dict[int, list[tuple[int, str, str]]] = {}
    for (r, c), cell in sheet.cells.items():
        if r > L.HEADER_SEARCH_ROWS or cell.kind != TEXT or len(cell.value) > longest:
            continue  # long texts (questions, criteria) cannot be headings: do not normalise them
        text = fold(cell.value)
        key = wanted.get(text)
        if key is None:
            known = starts_with_known.match(text)
            if known is None:
                continue
            key = wanted[known.group(1)]
            changed.setdefault(r, []).append((c, cell.value, key))
        by_row.setdefault(r, {}).setdefault(key, c)
    required = [c.key for c in columns if c.required]
    best = None
    for r, found in sorted(by_row.items()):
        score = sum(1 for k in required if k in found)
        if best is None or score > best[0] or (score == best[0] and len(found) > len(best[2])):
            best = (score, r, found)
    if best is None or best[0] == 0:
        return None
    if ctx is not None:
        headers = {c.key: c.header for c in columns}
        for c, text, key in changed.get(best[1], ()):
            if best[2].get(key) == c:
                ctx.add("heading-changed", sheet.name, a1(best[1], c), found=text, expected=headers[key])
    return best[1], best[2]


def _merged_source(sheet: RawSheet, row: int, col: int) -> tuple[int, int] | None:
    """Top-left cell of the merged range covering (row, col), when that is another cell."""
    for r1, c1, r2, c2 in sheet.merged:
        if r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1):
            return r1, c1
    return None


def _cell(ctx: _Ctx, sheet: RawSheet, row: int, col: int, report_merge: bool = True) -> RawCell | None:
    cell = sheet.get(row, col)
    if cell is None and sheet.merged:
        src = _merged_source(sheet, row, col)
        if src is not None:
            if report_merge:
                ctx.add("merged-answer-cell", sheet.name, a1(row, col), found=a1(*src))
            return sheet.get(*src)
    return cell


def _indicator_id(cell: RawCell | None) -> str:
    if cell is None or cell.value is None or cell.kind in (EMPTY, ERRORVAL, BOOL):
        return ""
    if cell.kind == NUMBER:
        v = float(cell.value)
        return str(int(v)) if v.is_integer() else str(v)
    text = unicodedata.normalize("NFKC", str(cell.value)).strip().casefold()
    text = re.sub(r"^(indikator|ind\.?|no\.?)\s*", "", text)
    return text.rstrip(".").replace(" ", "")


# ---------------------------------------------------------------- identity


def _read_identity(ctx: _Ctx, sheet: RawSheet | None, roster: Roster, raw: RawWorkbook) -> None:
    sub, respondent = ctx.fields, ctx.fields["respondent"]
    if sheet is None:
        ctx.add("missing-sheet", found=_sheet_list(raw), expected=L.SHEET_IDENTITY)
        return
    values = _read_form(ctx, sheet, L.IDENTITY_FIELDS)
    for field in L.IDENTITY_FIELDS:
        text, ref, cell = values.get(field.key, ("", "", None))
        if field.key == "opd":
            sub["opd_raw"] = text
            if not text:
                ctx.add("opd-missing", sheet.name, ref or a1(L.FIRST_DATA_ROW, L.IDENTITY_VALUE_COL))
                continue
            opd = roster.match(text)
            if opd is None:
                ctx.add("opd-unknown", sheet.name, ref, found=text)
                continue
            sub["opd_code"] = opd.code
            stem = ctx.name.rsplit(".", 1)[0]
            named = roster.find_in_filename(stem)
            if named is not None and named.code != opd.code:
                ctx.add("opd-filename-mismatch", sheet.name, ref, found=named.code, expected=opd.code)
        elif field.key == "date_filled":
            date = None
            if cell is not None and cell.value is not None:
                date = parse_date(cell)
                if date is None:
                    ctx.add("date-invalid", sheet.name, ref, found=text)
                sub["date_filled"] = date
            respondent[field.key] = date.isoformat() if date else text
        elif field.key == "year":
            year = parse_int(text)
            if text and (year is None or not 2000 <= year <= 2100):
                ctx.add("number-invalid", sheet.name, ref, found=text, expected="2000-2100")
                year = None
            sub["year"] = year
            respondent[field.key] = text
        else:
            respondent[field.key] = text
            if field.key in ("nip", "phone") and cell is not None and cell.kind == NUMBER:
                # a number keeps neither a leading zero (0812...) nor digits after the 15th (an 18-digit NIP)
                ctx.add("number-in-text-field", sheet.name, ref, found=text, expected=field.label)
            elif field.key == "nip" and text and not re.fullmatch(r"\d{18}", text.replace(" ", "")):
                ctx.add("nip-invalid", sheet.name, ref, found=text)
        if field.required and field.key not in ("opd",) and not text:
            # a deleted label row is reported at the place the row belongs in the template
            where = ref or a1(L.FIRST_DATA_ROW + L.IDENTITY_FIELDS.index(field), L.IDENTITY_VALUE_COL)
            ctx.add("identity-field-missing", sheet.name, where, expected=field.label)


def _read_form(ctx: _Ctx, sheet: RawSheet, fields: tuple[L.Field, ...]) -> dict[str, tuple[str, str, RawCell | None]]:
    """Values of a label/value form: the label anywhere in column A, the value in column B."""
    labels = {}
    for f in fields:
        for text in (f.label, *f.aliases):
            labels.setdefault(fold(text), f.key)
    rows: dict[str, int] = {}
    for (r, c), cell in sorted(sheet.cells.items()):
        if c == L.IDENTITY_LABEL_COL and cell.kind == TEXT:
            key = labels.get(fold(cell.value).rstrip(" ?:"))
            if key is None:
                key = labels.get(fold(cell.value))
            if key is not None and key not in rows:
                rows[key] = r
    out = {}
    for f in fields:
        r = rows.get(f.key)
        if r is None:
            out[f.key] = ("", "", None)
            continue
        ref = a1(r, L.IDENTITY_VALUE_COL)
        cell = _cell(ctx, sheet, r, L.IDENTITY_VALUE_COL)
        out[f.key] = (ctx.text(cell, sheet.name, ref), ref, cell)
    return out


# ---------------------------------------------------------------- answers


def _read_answers(ctx: _Ctx, sheet: RawSheet, fw: Framework) -> None:
    header = _find_header(sheet, L.ASSESSMENT_COLUMNS, ctx)
    if header is None or "id" not in header[1] or "level" not in header[1]:
        missing = "No." if header is None or "id" not in header[1] else L.ASSESSMENT_COLUMNS[7].header
        ctx.add("missing-column", sheet.name, expected=missing)
        for ind in fw.indicators:
            ctx.add("indicator-missing", sheet.name, expected=ind.id)
        return
    hrow, cols = header
    ctx.fields["columns"] = AnswerColumns(sheet.name, *(col_letter(cols[k]) if k in cols else ""
                                                         for k in ("level", "verified", "evidence")))
    rows_by_id: dict[str, list[int]] = {}
    unknown: list[tuple[int, str]] = []
    numbered = {r for (r, c), cell in sheet.cells.items() if c == cols["id"] and _indicator_id(cell)}
    for r in sorted({r for (r, _c) in sheet.cells if r > hrow} - numbered):
        if _row_has_answer(sheet, r, cols) and _merged_source(sheet, r, cols["id"]) is None:
            ctx.add("indicator-number-missing", sheet.name, a1(r, cols["id"]), detail=r)
    for (r, c), cell in sheet.cells.items():
        if c != cols["id"] or r <= hrow:
            continue
        iid = _indicator_id(cell)
        if not iid:
            continue
        if fw.has_indicator(iid):
            rows_by_id.setdefault(iid, []).append(r)
        else:
            unknown.append((r, iid))
    for r, iid in sorted(unknown):
        if _row_has_answer(sheet, r, cols):
            ctx.add("indicator-unknown", sheet.name, a1(r, cols["id"]), found=iid)
    if sheet.state != "visible" and rows_by_id:
        ctx.add("hidden-sheet", sheet.name)
    for ind in fw.indicators:
        rows = sorted(rows_by_id.get(ind.id, []))
        if not rows:
            ctx.add("indicator-missing", sheet.name, expected=ind.id)
            continue
        if len(rows) > 1:
            ctx.add("indicator-duplicate", sheet.name, a1(rows[0], cols["id"]), found=ind.id,
                    detail=", ".join(str(r) for r in rows))
            continue
        ctx.fields["answers"].append(_read_answer(ctx, sheet, rows[0], cols, fw, ind))


def _row_has_answer(sheet: RawSheet, r: int, cols: dict[str, int]) -> bool:
    return any(sheet.get(r, cols[k]) is not None for k in ("level", "explanation", "evidence") if k in cols)


def _read_answer(ctx: _Ctx, sheet: RawSheet, r: int, cols: dict[str, int], fw: Framework, ind: Indicator) -> Answer:
    name = sheet.name
    lref = a1(r, cols["level"])
    merge = next((m for m in sheet.merged if m[0] <= r <= m[2] and m[1] <= cols["level"] <= m[3]), None)
    if merge is not None and (merge[0], merge[1]) != (r, cols["level"]) and merge[0] != merge[2]:
        # the level cell is covered by a merge that starts on another indicator's row: not this one's answer
        ctx.add("level-merged", name, lref, found=a1(merge[0], merge[1]), detail=ind.id)
        return Answer(ind.id, None, None, r)
    if merge is not None and (merge[0], merge[1]) == (r, cols["level"]):
        ctx.add("merged-answer-cell", name, lref, found=f"{a1(merge[0], merge[1])}:{a1(merge[2], merge[3])}")
    cell = _cell(ctx, sheet, r, cols["level"])
    level, code, expected = parse_level(cell, fw, ind.capability)
    if code == "level-coerced":
        ctx.add(code, name, lref, found=_plain(cell), expected=expected)
    elif code == "level-formula":
        ctx.add(code, name, lref, found=f"={cell.formula}")
    elif code == "level-blank":
        ctx.add(code, name, lref, detail=ind.id)
    elif code:
        ctx.add(code, name, lref, found=_plain(cell) if cell is not None else "", expected=expected)
    verified = None
    if "verified" in cols:
        vref = a1(r, cols["verified"])
        vcell = _cell(ctx, sheet, r, cols["verified"])
        if vcell is not None and not (vcell.kind == TEXT and not str(vcell.value).strip()):
            verified, vcode, vexp = parse_level(vcell, fw, ind.capability)
            if vcode == "level-coerced":  # the verifier's level read after normalising, as the OPD's is
                ctx.add(vcode, name, vref, found=_plain(vcell), expected=vexp)
            elif verified is None:
                found = f"={vcell.formula}" if vcell.formula is not None else _plain(vcell)
                ctx.add("verified-level-invalid", name, vref, found=found, expected=f"{fw.level_min}-{fw.level_max}")
    texts = {}
    for key in ("explanation", "evidence", "service_name"):
        if key in cols:
            ref = a1(r, cols[key])
            texts[key] = (ctx.text(_cell(ctx, sheet, r, cols[key], report_merge=False), name, ref), ref)
        else:
            texts[key] = ("", "")
    if ind.service_slot and level is not None and level > fw.level_min and not texts["service_name"][0]:
        ctx.add("service-name-missing", name, texts["service_name"][1], detail=ind.id)
    return Answer(ind.id, level, verified, r, texts["service_name"][0], bool(texts["evidence"][0]))


# ---------------------------------------------------------------- tables: applications, servers, office sites

Row = dict[str, tuple[str, str]]  # column key -> (text, A1 reference)


def _table(ctx: _Ctx, sheet: RawSheet | None, columns: tuple[L.Column, ...],
           what: str) -> tuple[int, dict[str, int], list[tuple[int, Row]]] | None:
    """The filled rows of a one-row-per-item table: (heading row, column of each key, [(row, its texts)]).
    A missing sheet or name column is a finding and gives None."""
    if sheet is None:
        ctx.add("missing-optional-sheet", expected=what)
        return None
    header = _find_header(sheet, columns, ctx)
    if header is None or columns[1].key not in header[1]:
        ctx.add("missing-column", sheet.name, expected=columns[1].header)
        return None
    hrow, cols = header
    value_cols = {col for key, col in cols.items() if key != "no"}
    if any(r2 > hrow for _r1, _c1, r2, _c2 in sheet.merged):
        rows = sorted({r for (r, c) in sheet.cells if r > hrow})  # a merge may carry a value into any row
    else:  # rows holding nothing but the pre-filled "No." give nothing: not read
        rows = sorted({r for (r, c) in sheet.cells if r > hrow and c in value_cols})
    out = []
    for r in rows:
        values = {c.key: ("", "") for c in columns}  # a column the sheet lacks reads as empty
        values.update((key, (ctx.text(_cell(ctx, sheet, r, col, report_merge=False), sheet.name, a1(r, col)),
                             a1(r, col))) for key, col in cols.items() if key != "no")
        if any(v for key, (v, _) in values.items() if key != "no"):
            out.append((r, values))
    return hrow, cols, out


def _vocab(ctx: _Ctx, sheet: str, value: tuple[str, str], vocab: L.Vocab) -> tuple[str, str]:
    """A dropdown answer normalised (key, label); a coerced or unknown one is reported."""
    text, ref = value
    key, label, exact = match_vocab(text, vocab)
    if text and not exact:
        code = "vocabulary-unknown" if key.startswith("lainnya") else "vocabulary-coerced"
        ctx.add(code, sheet, ref, found=text, expected=label if code == "vocabulary-coerced" else
                ", ".join(v[1] for v in vocab))
    return key, label


def _yes_no(ctx: _Ctx, sheet: str, value: tuple[str, str]) -> str:
    key = _vocab(ctx, sheet, value, L.YES_NO)[0]
    return "" if key.startswith("lainnya") else key


def _quantity(ctx: _Ctx, sheet: RawSheet, ref: str, key: str, header: str) -> float | None:
    """A number of the Server or Jaringan table (or the previous version's bandwidth); problems reported."""
    if not ref:
        return None
    r, c = cell_key(ref)
    cell = _cell(ctx, sheet, r, c, report_merge=False)
    value, code, expected = parse_quantity(cell, key, ctx.fields.get("year") or dt.date.today().year)
    if code:
        found = f"={cell.formula}" if cell.formula is not None else _plain(cell)
        ctx.add(code, sheet.name, ref, found=found, expected=expected, detail=header)
    return value


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _read_apps(ctx: _Ctx, sheet: RawSheet | None, fw: Framework) -> None:
    table = _table(ctx, sheet, L.APP_COLUMNS, L.SHEET_APPS)
    if table is None:
        return
    hrow, cols, rows = table
    fvocab = function_vocab(fw)
    vocabs = {"function": fvocab, "users": L.USERS, "developer": L.DEVELOPERS, "hosting": L.HOSTING, "status": L.STATUS}
    beyond = 0
    last_template_row = hrow + L.APP_INPUT_ROWS
    for r, values in rows:
        if not values["name"][0]:
            ctx.add("application-name-missing", sheet.name, a1(r, cols["name"]))
            continue
        beyond += r > last_template_row
        norm = {key: _vocab(ctx, sheet.name, values[key], vocab) for key, vocab in vocabs.items()}
        text = {key: values[key][0] for key in ("url", "integrated_with", "problems", "needs")}
        ctx.fields["applications"].append(Application(
            name=values["name"][0], function=norm["function"][0], function_label=norm["function"][1],
            users=norm["users"][1], developer=norm["developer"][1], hosting=norm["hosting"][0],
            status=norm["status"][0], sheet=sheet.name, row=r, cell=a1(r, cols["name"]), **text))
    if beyond:
        ctx.add("rows-beyond-table", sheet.name, a1(last_template_row + 1, cols["name"]), found=beyond)


def _read_servers(ctx: _Ctx, sheet: RawSheet | None) -> tuple[Server, ...]:
    table = _table(ctx, sheet, L.SERVER_TABLE, L.SHEET_SERVERS)
    out = []
    heads = {c.key: c.header for c in L.SERVER_TABLE}
    for r, v in table[2] if table else ():
        num = {k: _quantity(ctx, sheet, v[k][1], k, heads[k]) for k in ("vcpu", "ram", "storage", "year", "rent")}
        apps = tuple(a.strip() for a in re.split(r"[;\n]", v["apps"][0]) if a.strip())
        out.append(Server(v["name"][0], _vocab(ctx, sheet.name, v["hosting"], L.HOSTING)[0], v["city"][0],
                          _vocab(ctx, sheet.name, v["kind"], L.KINDS)[0], num["vcpu"], num["ram"], num["storage"],
                          v["os"][0], _int(num["year"]), apps, _yes_no(ctx, sheet.name, v["backup"]),
                          v["backup_where"][0], _int(num["rent"]), r, v["apps"][1]))
    return tuple(out)


def _read_sites(ctx: _Ctx, sheet: RawSheet | None) -> tuple[Site, ...]:
    table = _table(ctx, sheet, L.NETWORK_TABLE, L.SHEET_NETWORK)
    out = []
    heads = {c.key: c.header for c in L.NETWORK_TABLE}
    for r, v in table[2] if table else ():
        num = {k: _quantity(ctx, sheet, v[k][1], k, heads[k]) for k in ("bandwidth", "cost", "outages", "users")}
        out.append(Site(v["site"][0], v["provider"][0], num["bandwidth"], _int(num["cost"]), _int(num["outages"]),
                        _yes_no(ctx, sheet.name, v["intranet"]), _int(num["users"]), sheet.name, r))
    return tuple(out)


# ---------------------------------------------------------------- infrastructure


def _read_infra(ctx: _Ctx, raw: RawWorkbook) -> None:
    """Infrastruktur (the server room, and in the previous version the one provider, bandwidth and the server
    counts per location), then the Server and Jaringan sheets of the current version."""
    sheet = raw.sheet(L.SHEET_INFRA)
    version = ctx.fields.get("template_version", "")
    legacy = version == L.PREVIOUS_VERSION or (not version and raw.sheet(L.SHEET_SERVERS) is None)
    if sheet is None:
        ctx.add("missing-optional-sheet", expected=L.SHEET_INFRA)
    values = _read_form(ctx, sheet, L.INFRA_FIELDS) if sheet is not None else {}
    text = {f.key: values.get(f.key, ("", "", None))[0] for f in L.INFRA_FIELDS}
    ref = {f.key: values.get(f.key, ("", "", None))[1] for f in L.INFRA_FIELDS}
    room = _yes_no(ctx, sheet.name, (text["server_room"], ref["server_room"])) if sheet is not None else ""
    sites: tuple[Site, ...] = ()
    servers = []
    if legacy and sheet is not None:
        bandwidth = _quantity(ctx, sheet, ref["bandwidth"], "bandwidth", L.INFRA_FIELDS[1].label)
        if text["provider"] or text["bandwidth"]:
            row = cell_key(ref["bandwidth"] or ref["provider"])[0]
            sites = (Site("", text["provider"], bandwidth, None, None, "", None, sheet.name, row),)
        labels = {fold(label): key for key, label, _ in L.HOSTING}
        for (r, c), cell in sorted(sheet.cells.items()):
            key = labels.get(fold(cell.value)) if c == 1 and cell.kind == TEXT else None
            count_text = ctx.text(_cell(ctx, sheet, r, 2, report_merge=False), sheet.name, a1(r, 2)) if key else ""
            if not count_text:
                continue
            n = parse_int(count_text)
            if n is None or n < 0:
                ctx.add("number-invalid", sheet.name, a1(r, 2), found=count_text, expected="0, 1, 2, ...")
                continue
            servers.append(ServerCount(key, n, ctx.text(_cell(ctx, sheet, r, 3, report_merge=False), sheet.name,
                                                        a1(r, 3))))
    rows: tuple[Server, ...] = ()
    if not legacy:
        rows, sites = _read_servers(ctx, raw.sheet(L.SHEET_SERVERS)), _read_sites(ctx, raw.sheet(L.SHEET_NETWORK))
    ctx.fields["infrastructure"] = Infrastructure(
        has_server_room=room, problems=text["problems"], needs=text["needs"], servers=tuple(servers),
        server_rows=rows, sites=sites, server_room_cell=ref["server_room"])
