"""Reading one earlier rekap: its Data sheet, in any format version, checked against its own figures (in a worker).

The Data sheet is the contract between a year's rekap and the years after it:

* **format 2** (written since history was added; column ``versi_format`` = 2 on every row): one row per
  scored OPD: year, catalog id, OPD code and name, the index (stored and exact), predikat, status,
  unanswered indicators, source file and sheet, the format version, then ``level_<indicator>`` (the level
  used) and ``target_<indicator>`` (the target level the gap sheet printed) for every indicator;
* **format 1** (rekaps written before; no version column): one row per OPD and indicator (year, catalog,
  OPD code and name, indicator, domain, aspect, self, verified and used level, level source, weight, exact
  weight, file, sheet, cell); its index is checked against the *Peringkat* sheet; it has no targets.

Headings are accepted in either language. A rekap is input like any OPD file: it is read by the strict
reader (:func:`pipeline.intake.xlsx.read_workbook`) within limits, and nothing here raises for bad
content: an OPD whose rows are malformed, twice, or whose levels do not give the index the rekap printed
is left out with a finding; a file that cannot be used at all gives one finding and no OPDs.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

from pipeline import i18n, settings
from pipeline.catalog import framework as fwmod
from pipeline.catalog.framework import Framework, display
from pipeline.errors import CatalogError
from pipeline.findings import Finding
from pipeline.i18n import Msg, msg
from pipeline.intake import sniff, xlsx
from pipeline.intake.raw import NUMBER, TEXT, RawCell, RawSheet, normalise_name
from pipeline.scoring import index
from pipeline.text import a1

VERSION = 2  # the format this version of the tool writes
KNOWN_VERSIONS = (1, 2)
FIXED = ("year", "framework", "opd_code", "opd_name", "index", "index_exact", "predikat", "status", "unanswered",
         "file", "sheet", "format_version")  # format 2's first columns (texts: report.data_columns)
BLOCKS = ("level", "target")  # then one column per indicator and block: "level_<id>", "target_<id>"
_V1 = {"year": 0, "framework": 1, "opd_code": 2, "opd_name": 3, "indicator": 4, "level": 9}  # format 1 columns
_NUMBER = re.compile(r"-?\d{1,30}(?:\.\d{1,30}|/\d{1,30})?")  # an exact index as the Data sheet writes it
_SHEETS = frozenset(normalise_name(t[k]) for t in (i18n.table(lang, "report") for lang in i18n.LANGS)
                    for k in ("sheet_data", "sheet_ranking"))


def headings(lang: str, fw: Framework) -> list[str]:
    """The Data sheet's headings (format :data:`VERSION`) in ``lang``."""
    return [*i18n.table(lang, "report")["data_columns"].split("|"),
            *(f"{block}_{ind.id}" for block in BLOCKS for ind in fw.indicators)]


@dataclass(frozen=True)
class Task:
    path: str
    rel: str  # the name findings carry
    framework: str | None  # this run's catalog (id or file): an earlier rekap may use it too


class OpdYear(NamedTuple):
    """One OPD of an earlier rekap, as read and checked."""

    code: str
    name: str
    index: Fraction  # from its levels (equal to the printed index: checked)
    predikat: str
    levels: dict[str, int]  # level used per indicator of that year's catalog
    targets: dict[str, int]  # the printed target per indicator (format 1: none)
    domains: dict[str, Fraction]


@dataclass(frozen=True)
class Rekap:
    """One earlier rekap as read: its year, catalog and OPDs (``year`` None: not usable, see ``findings``)."""

    file: str
    sha256: str
    year: int | None = None
    framework: str = ""  # catalog id
    version: int | None = None
    opds: tuple[OpdYear, ...] = ()
    findings: tuple[Finding, ...] = ()


class _Stop(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


def read_one(task: Task) -> Rekap:
    """Read and check one earlier rekap. Never raises for bad content."""
    path, rel = Path(task.path), task.rel
    try:
        data = path.read_bytes() if path.stat().st_size <= settings.HISTORY_LIMITS.max_file_bytes else None
    except OSError as exc:
        return _unusable(rel, "", Finding("history-unreadable", rel, found=msg("reason.unreadable", error=exc)))
    sha = hashlib.sha256(data or b"").hexdigest()
    kind, found = sniff.detect(path, rel, max_bytes=settings.HISTORY_LIMITS.max_file_bytes, data=data)
    raw = None
    if kind == sniff.XLSX:
        raw, found = xlsx.read_workbook(path, rel, settings.HISTORY_LIMITS, sheets=set(_SHEETS), data=data)
    if raw is None:
        return _unusable(rel, sha, Finding("history-unreadable", rel, found=reason(found[0]) if found else ""))
    sheets = {normalise_name(s.name): s for s in raw.sheets}
    t = {lang: i18n.table(lang, "report") for lang in i18n.LANGS}
    data_sheet = next((sheets[k] for k in {normalise_name(x["sheet_data"]) for x in t.values()} if k in sheets), None)
    ranking = next((s for k, s in sheets.items() if k in {normalise_name(x["sheet_ranking"]) for x in t.values()}
                    and s.cells), None)
    try:
        if data_sheet is None:
            raise _Stop(Finding("history-not-rekap", rel, found=", ".join(s.name for s in raw.sheets)))
        return _parse(rel, sha, data_sheet, ranking, task.framework)
    except _Stop as stop:
        return _unusable(rel, sha, stop.finding)


def _unusable(rel: str, sha: str, finding: Finding) -> Rekap:
    return Rekap(rel, sha, findings=(finding,))


def _rows(sheet: RawSheet) -> dict[int, dict[int, RawCell]]:
    rows: dict[int, dict[int, RawCell]] = defaultdict(dict)
    for (r, c), cell in sheet.cells.items():
        rows[r][c] = cell
    return rows


def _text(cell: RawCell | None) -> str:
    return str(cell.value).strip() if cell is not None and cell.kind == TEXT else ""


def _whole(cell: RawCell | None) -> int | None:
    if cell is None or cell.kind != NUMBER or cell.formula is not None or not math.isfinite(cell.value):
        return None
    return int(cell.value) if float(cell.value).is_integer() else None


def _parse(rel: str, sha: str, sheet: RawSheet, ranking: RawSheet | None, own_framework: str | None) -> Rekap:
    rows = _rows(sheet)
    head = {c: _text(cell) for c, cell in rows.pop(1, {}).items()}
    names = {lang: i18n.table(lang, "report") for lang in i18n.LANGS}
    fixed = {}
    for t in names.values():
        fixed.update({text: key for key, text in zip(FIXED, t["data_columns"].split("|"), strict=True)})
    cols = {fixed[h]: c for c, h in head.items() if h in fixed}
    v1 = any([head.get(c + 1) for c in range(16)] == t["data_headers"].split("|") for t in names.values())
    if not rows:  # a rekap's headings and no OPD (a year in which nobody was scored), or not a rekap at all
        raise _Stop(Finding("history-no-opd" if cols or v1 else "history-not-rekap", rel, sheet.name, found=sheet.name))
    first = min(rows)
    if "format_version" in cols:
        versions = {_whole(r.get(cols["format_version"])) for r in rows.values()}
        version = versions.pop() if len(versions) == 1 else None
        if version not in KNOWN_VERSIONS or version == 1:
            cell = a1(first, cols["format_version"])
            raise _Stop(Finding("history-format-unknown", rel, sheet.name, cell,
                                found=_shown(rows[first].get(cols["format_version"])),
                                expected=", ".join(map(str, KNOWN_VERSIONS))))
    elif v1:
        version, cols = 1, {k: c + 1 for k, c in _V1.items()}
    else:
        raise _Stop(Finding("history-not-rekap", rel, sheet.name, found=sheet.name))
    if not {"year", "framework", "opd_code"} <= set(cols):
        raise _Stop(Finding("history-not-rekap", rel, sheet.name, found=sheet.name))

    def whole_file(key: str, get: object) -> object:
        """The one value of a column that every row repeats (year, catalog)."""
        for r, row in rows.items():
            value = get(row.get(cols[key]))
            if value in (None, "") or value != get(rows[first].get(cols[key])):
                raise _Stop(Finding("history-data-invalid", rel, sheet.name, a1(r, cols[key]),
                                    found=_shown(row.get(cols[key])), expected=msg("reason.same-every-row")))
        return get(rows[first].get(cols[key]))

    year, fid = whole_file("year", _whole), whole_file("framework", _text)
    fw = _catalog(fid, own_framework)
    if fw is None:
        raise _Stop(Finding("history-framework-unknown", rel, sheet.name, a1(first, cols["framework"]), found=fid))
    per_opd = _v2(rel, sheet, rows, cols, head, fw) if version == 2 else _v1(rel, sheet, rows, cols, head, fw,
                                                                             ranking)
    return Rekap(rel, sha, year, fw.id, version, tuple(o for o in per_opd if isinstance(o, OpdYear)),
                 tuple(f for o in per_opd if isinstance(o, list) for f in o))


def _catalog(fid: str, own: str | None) -> Framework | None:
    for ref in (own, fid):
        try:
            fw = fwmod.load(ref)
        except CatalogError:
            continue
        if fw.id == fid:
            return fw
    return None


def _shown(cell: RawCell | None) -> str:
    if cell is None:
        return ""
    return f"={cell.formula}" if cell.formula is not None else str(cell.value)


def _levels(rel: str, sheet: RawSheet, fw: Framework, cells: dict[str, tuple[int, int, RawCell | None]],
            optional: bool = False) -> tuple[dict[str, int], list[Finding]]:
    """Levels per indicator from (row, column, cell); a missing or out-of-scale one is a finding."""
    out, bad = {}, []
    for ind, (r, c, cell) in cells.items():
        level = _whole(cell)
        if level is None and optional and cell is None:
            continue
        if level is None or level not in fw.levels:
            bad.append(Finding("history-data-invalid", rel, sheet.name, a1(r, c), found=_shown(cell),
                               expected=f"{fw.level_min}-{fw.level_max}", detail=ind))
        else:
            out[ind] = level
    return out, bad


def _checked(rel: str, sheet: RawSheet, fw: Framework, code: str, name: str, levels: dict[str, int],
             targets: dict[str, int], printed: tuple[str, bool, int, int], predikat: str) -> OpdYear | list[Finding]:
    """The OPD, when its levels give the index the rekap printed (``printed``: the index as text, whether it
    is exact, and its cell); else the finding that leaves it out."""
    score = index.score(fw, levels, opd=code)
    text, exact, r, c = printed
    try:  # a plain decimal or fraction only: Fraction("1e999999999") alone would take minutes
        value = Fraction(text) if _NUMBER.fullmatch(text) else None
        same = value is not None and (score.index == value if exact else abs(float(value) - float(score.index)) < 5e-7)
    except (ValueError, ZeroDivisionError):
        same = False
    if not same:
        return [Finding("history-index-mismatch", rel, sheet.name, a1(r, c) if c else "", found=display(score.index),
                        expected=text or "-", detail=code)]
    return OpdYear(code, name, score.index, predikat or score.predikat, levels, targets, score.domains)


def _v2(rel: str, sheet: RawSheet, rows: dict, cols: dict[str, int], head: dict[int, str],
        fw: Framework) -> list[OpdYear | list[Finding]]:
    blocks = {(h.split("_", 1)[0], h.split("_", 1)[1]): c for c, h in head.items() if "_" in h}
    absent = [ind.id for ind in fw.indicators if ("level", ind.id) not in blocks]
    if absent or "index_exact" not in cols:
        raise _Stop(Finding("history-data-invalid", rel, sheet.name, "A1", found=sheet.name,
                            expected=f"level_{absent[0]}" if absent else "index_exact"))
    out, seen = [], {}
    for r in sorted(rows):
        row = rows[r]
        code = _text(row.get(cols["opd_code"]))
        if code in seen or not code:
            out.append([Finding("history-opd-twice" if code else "history-data-invalid", rel, sheet.name,
                                a1(r, cols["opd_code"]), found=code, expected=head[cols["opd_code"]],
                                detail=str(seen.get(code, "")))])
            seen.setdefault(code, r)
            continue
        seen[code] = r
        levels, bad = _levels(rel, sheet, fw, {i.id: (r, blocks["level", i.id], row.get(blocks["level", i.id]))
                                               for i in fw.indicators})
        targets, bad_t = _levels(rel, sheet, fw, {i.id: (r, c, row.get(c)) for i in fw.indicators
                                                  if (c := blocks.get(("target", i.id)))}, optional=True)
        if bad or bad_t:
            out.append(bad + bad_t)
            continue
        printed = (_text(row.get(cols["index_exact"])), True, r, cols["index_exact"])
        out.append(_checked(rel, sheet, fw, code, _text(row.get(cols.get("opd_name", 0))), levels, targets,
                            printed, _text(row.get(cols.get("predikat", 0)))))
    twice = {f.found for o in out if isinstance(o, list) for f in o if f.code == "history-opd-twice"}
    return [o for o in out if not (isinstance(o, OpdYear) and o.code in twice)]


def _v1(rel: str, sheet: RawSheet, rows: dict, cols: dict[str, int], head: dict[int, str], fw: Framework,
        ranking: RawSheet | None) -> list[OpdYear | list[Finding]]:
    printed = _ranking_index(ranking)
    if printed is None:
        raise _Stop(Finding("history-not-rekap", rel, sheet.name, found=sheet.name))
    opds: dict[str, dict[str, tuple[int, int, RawCell | None]]] = {}
    first_row, out, twice = {}, [], set()
    for r in sorted(rows):
        row = rows[r]
        code, ind = _text(row.get(cols["opd_code"])), _text(row.get(cols["indicator"]))
        cells = opds.setdefault(code, {})
        first_row.setdefault(code, (r, _text(row.get(cols["opd_name"]))))
        if ind in cells or not code or not fw.has_indicator(ind):
            column = cols["opd_code" if not code or ind in cells else "indicator"]
            out.append([Finding("history-opd-twice" if ind in cells and code else "history-data-invalid", rel,
                                sheet.name, a1(r, column), found=code if ind in cells else _shown(row.get(column)),
                                expected=head[column], detail=str(cells[ind][0]) if ind in cells else "")])
            twice.add(code)
            continue
        cells[ind] = (r, cols["level"], row.get(cols["level"]))
    for code, cells in opds.items():
        if code in twice:
            continue
        r, name = first_row[code]
        missing = [i.id for i in fw.indicators if i.id not in cells]
        levels, bad = _levels(rel, sheet, fw, cells)
        if missing:
            bad.append(Finding("history-data-invalid", rel, sheet.name, a1(r, cols["opd_code"]), found=code,
                               expected=msg("reason.indicators-missing", ids=", ".join(missing[:5]))))
        if bad:
            out.append(bad)
            continue
        value = printed.get(code)
        own = (str(round(value[0], 6)), False, value[1], value[2]) if value else ("", False, r, 0)
        out.append(_checked(rel, sheet, fw, code, name, levels, {}, own, ""))
    return out


def _ranking_index(sheet: RawSheet | None) -> dict[str, tuple[float, int, int]] | None:
    """OPD code -> (printed index, row, column) from a format-1 rekap's Peringkat sheet; None without one."""
    if sheet is None:
        return None
    rows = _rows(sheet)
    for lang in i18n.LANGS:
        t = i18n.table(lang, "report")
        for r in sorted(rows):
            texts = {_text(cell): c for c, cell in rows[r].items()}
            if t["code"] in texts and t["spbe_index"] in texts:
                code_c, idx_c = texts[t["code"]], texts[t["spbe_index"]]
                return {_text(row.get(code_c)): (float(row[idx_c].value), n, idx_c) for n, row in rows.items()
                        if n > r and _text(row.get(code_c)) and row.get(idx_c) is not None
                        and row[idx_c].kind == NUMBER}
    return None


def reason(finding: Finding) -> Msg:
    """A finding of the reader as the reason of a history finding."""
    return msg(f"finding.{finding.code}", found=finding.found, expected=finding.expected, cell=finding.cell,
               sheet=finding.sheet, detail=finding.detail, file=finding.file)
