"""Optional accelerations of the report; the only code that touches xlsxwriter's private internals.

Two accelerators, each with a plain twin that is its specification (same calls, same bytes):

* :mod:`.rows`: the body rows of the main workbook's large tables streamed as ready XML
  (twin: :class:`pipeline.report.writer.Body`, every cell through xlsxwriter's ``write_*``);
* :mod:`.template`: per-OPD workbooks rendered from a prototype written once by xlsxwriter, with
  the recorder of :mod:`.record` (twin: each workbook written by xlsxwriter).

They run when :data:`pipeline.settings.ACCELERATE` is on (and SPBE_PLAIN does not name one of them) and the
installed xlsxwriter is in the range they were tested with (:data:`TESTED`); outside it a warning is logged
once and the plain path is used.
"""

from __future__ import annotations

import logging
import re

import xlsxwriter

from pipeline import settings

TESTED = ((3, 3), (3, 4))  # xlsxwriter versions [3.3, 3.4): the private names used here are those of 3.3
_checked: dict[str, bool] = {}


def tested(version: str) -> bool:
    """Whether the accelerators were tested with this xlsxwriter version."""
    m = re.match(r"(\d+)\.(\d+)", version)
    return m is not None and TESTED[0] <= (int(m[1]), int(m[2])) < TESTED[1]


def enabled(accelerator: str) -> bool:
    """Whether this accelerator ("rows" or "template") may run: on, and the installed xlsxwriter in the tested
    range."""
    if not settings.ACCELERATE or accelerator in settings.REPORT_PLAIN:
        return False
    installed = xlsxwriter.__version__
    ok = _checked.get(installed)
    if ok is None:
        ok = _checked[installed] = tested(installed)
        if not ok:
            logging.getLogger("pipeline").warning(
                "xlsxwriter %s is outside the range the report's accelerators were tested with (%s to below %s): "
                "writing without them (slower, same workbooks)", installed, ".".join(map(str, TESTED[0])),
                ".".join(map(str, TESTED[1])))
    return ok


def add_sheet(wb: xlsxwriter.Workbook, name: str) -> object:
    """A new worksheet of ``wb`` that takes streamed rows (:func:`body`)."""
    from pipeline.report.fast import rows

    return wb.add_worksheet(name, worksheet_class=rows.Sheet)


def body(out: object) -> object:
    """Streamed table rows on ``out`` (a :class:`pipeline.report.writer.Out` of an :func:`add_sheet` sheet)."""
    from pipeline.report.fast import rows

    return rows.Body(out)

