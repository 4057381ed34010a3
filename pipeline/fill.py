"""Fill the blank questionnaire programmatically (sample data, tests, benchmarks).

Uses the same layout description as the template writer and the reader: rows are found by
indicator id and field label, columns by heading, never by hard-coded address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl

from pipeline import layout as L
from pipeline.text import col_letter


def _header_cols(ws: object, columns: Sequence[L.Column]) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows(min_row=1, max_row=L.HEADER_SEARCH_ROWS):
        found = {}
        for cell in row:
            for c in columns:
                if isinstance(cell.value, str) and cell.value.strip() == c.header:
                    found[c.key] = cell.column
        if found:
            return row[0].row, found
    raise LookupError(f"no heading row in sheet {ws.title}")


def _label_rows(ws: object, fields: Sequence[L.Field]) -> dict[str, int]:
    labels = {f.label: f.key for f in fields}
    return {labels[c.value]: c.row for c in ws["A"] if isinstance(c.value, str) and c.value in labels}


def fill_questionnaire(template: Path, out: Path, *, opd: str = "", levels: Mapping[str, object] | None = None,
                       verified: Mapping[str, object] | None = None, explanations: Mapping[str, str] | None = None,
                       evidence: Mapping[str, str] | None = None, service_names: Mapping[str, str] | None = None,
                       identity: Mapping[str, object] | None = None,
                       applications: Sequence[Mapping[str, object]] = (),
                       infrastructure: Mapping[str, object] | None = None,
                       servers: Mapping[str, int] | None = None,
                       server_rows: Sequence[Mapping[str, object]] = (),
                       sites: Sequence[Mapping[str, object]] = (),
                       cells: Mapping[tuple[str, str], object] | None = None,
                       default_evidence: bool = True) -> Path:
    """Write a filled copy of ``template`` to ``out``.

    Args:
        opd: the OPD dropdown text (e.g. "BKD - Badan Kepegawaian Daerah") or any typed name.
        levels / verified: indicator id -> value written as is into the level / verified cell
            (int, float, or text such as "3 - Terdefinisi", "tiga?", "=1+2").
        explanations / evidence / service_names: indicator id -> text.
        identity: field key (layout.IDENTITY_FIELDS) -> value (a datetime.date for date_filled).
        applications: dicts keyed by layout.APP_COLUMNS keys.
        infrastructure: field key (layout.INFRA_FIELDS) -> value; servers: hosting label -> count (the
            previous template version's table).
        server_rows / sites: dicts keyed by layout.SERVER_TABLE / NETWORK_TABLE keys (the current version).
        cells: (sheet, A1) -> raw value, written last (for odd cases).
        default_evidence: name a plausible document for each level > 0 that has no evidence given.
    """
    wb = openpyxl.load_workbook(template)
    ident = wb[L.SHEET_IDENTITY]
    rows = _label_rows(ident, L.IDENTITY_FIELDS)
    values: dict[str, object] = {"opd": opd, "respondent": "Petugas SPBE", "nip": "198501012010011001",
                                 "position": "Analis Sistem Informasi", "email": "spbe@example.go.id",
                                 "phone": "0811-0000-000", "date_filled": dt.date(2026, 3, 2), "year": 2026}
    values.update(identity or {})
    for key, value in values.items():
        if key in rows and value is not None:
            ident.cell(rows[key], L.IDENTITY_VALUE_COL, value)

    ws = wb[L.SHEET_ASSESSMENT]
    hrow, cols = _header_cols(ws, L.ASSESSMENT_COLUMNS)
    id_rows = {str(ws.cell(r, cols["id"]).value): r for r in range(hrow + 1, ws.max_row + 1)
               if ws.cell(r, cols["id"]).value is not None}
    for key, data in (("level", levels), ("verified", verified), ("explanation", explanations),
                      ("evidence", evidence), ("service_name", service_names)):
        for iid, value in (data or {}).items():
            if iid in id_rows and value is not None:
                ws.cell(id_rows[iid], cols[key], value)
    if default_evidence:
        for iid, value in (levels or {}).items():
            if iid in id_rows and not (evidence or {}).get(iid) and value not in (None, 0, "0", ""):
                ws.cell(id_rows[iid], cols["evidence"], f"Dokumen pendukung indikator {iid}.pdf")

    for sheet, columns, rows in ((L.SHEET_APPS, L.APP_COLUMNS, applications), (L.SHEET_SERVERS, L.SERVER_TABLE,
                                                                                server_rows),
                                 (L.SHEET_NETWORK, L.NETWORK_TABLE, sites)):
        if rows:
            ws = wb[sheet]
            hrow, cols = _header_cols(ws, columns)
            for n, row in enumerate(rows, start=1):
                for key, value in row.items():
                    ws.cell(hrow + n, cols[key], value)

    infra = wb[L.SHEET_INFRA]
    irows = _label_rows(infra, L.INFRA_FIELDS)
    for key, value in (infrastructure or {}).items():
        infra.cell(irows[key], 2, value)
    loc_rows = {c.value: c.row for c in infra["A"] if isinstance(c.value, str)}
    for label, count in (servers or {}).items():
        infra.cell(loc_rows[label], 2, count)

    for (sheet, ref), value in (cells or {}).items():
        wb[sheet][ref] = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def level_choice(fw: object, indicator_id: str, level: int) -> str:
    """The dropdown text for a level of an indicator, e.g. '3 - Terdefinisi'."""
    return L.level_choice(fw, fw.indicator(indicator_id).capability, level)


__all__ = ["fill_questionnaire", "level_choice", "col_letter"]
