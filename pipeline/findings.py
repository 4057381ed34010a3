"""Findings: problems found in submitted files, as data (never raised).

Every finding has a stable kebab-case code from :data:`CODES` (its severity), a location (file,
sheet, A1 cell), the value found, what was expected and a detail. Its message and fix hint are
rendered in the user's language from the catalogue (:mod:`pipeline.i18n`, keys ``finding.<code>``
and ``hint.<code>``); ``found`` and ``expected`` are data: the user's own text, or a
:class:`~pipeline.i18n.Msg` when the tool describes what it found (a damaged zip, a time limit).

Severities:

* ``error``: the file is rejected (it cannot be attributed or read);
* ``incomplete``: one answer cannot be used; that indicator is scored at the lowest level of
  the scale and the submission is marked *tidak lengkap*;
* ``warning``: something was coerced or looks inconsistent; the score is not affected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pipeline import i18n
from pipeline.i18n import Msg
from pipeline.text import cell_key

ERROR, INCOMPLETE, WARNING = "error", "incomplete", "warning"
SEVERITY_ORDER = {ERROR: 0, INCOMPLETE: 1, WARNING: 2}

_E, _I, _W = ERROR, INCOMPLETE, WARNING
CODES: dict[str, str] = {  # code -> severity, grouped by where it is found
    # the entry found in the input folder
    "not-a-file": _E, "broken-link": _E, "path-too-long": _E, "unreadable-entry": _E,
    # the file itself
    "office-lock-file": _E, "empty-file": _E, "file-too-large": _E, "legacy-xls-format": _E, "xlsb-format": _E,
    "encrypted-file": _E, "strict-open-xml": _E, "html-not-workbook": _E, "csv-not-workbook": _E,
    "xml-not-workbook": _E, "document-not-workbook": _E, "pdf-not-workbook": _E, "image-not-workbook": _E,
    "unknown-format": _E, "corrupt-workbook": _E, "zip-bomb": _E, "xml-dtd-forbidden": _E,
    "duplicate-zip-member": _E, "damaged-part": _W, "resource-limit": _E, "sheet-too-large": _E, "macro-workbook": _W,
    "external-link": _W,
    # saved e-mails and archives
    "mail-unreadable": _E, "mail-too-complex": _E, "mail-no-attachment": _E, "attachment-broken": _E,
    "attachment-name-unsafe": _W, "attachment-name-undecodable": _W, "archive-empty": _E, "archive-too-deep": _E,
    # structure and template
    "not-a-questionnaire": _E, "missing-sheet": _E, "missing-optional-sheet": _W, "missing-column": _E,
    "missing-metadata": _W, "heading-changed": _W, "framework-mismatch": _E, "unknown-template-version": _E, "fingerprint-mismatch": _E,
    "hidden-sheet": _W,
    # identity
    "opd-missing": _E, "opd-unknown": _E, "opd-filename-mismatch": _W, "opd-from-sender": _W,
    "opd-sender-mismatch": _W, "identity-field-missing": _W,
    "nip-invalid": _W, "number-in-text-field": _W, "date-invalid": _W, "year-mismatch": _W,
    # answers (Penilaian)
    "indicator-missing": _I, "indicator-duplicate": _I, "indicator-unknown": _W, "indicator-number-missing": _W,
    "level-blank": _I, "level-merged": _I, "formula-without-value": _W,
    "level-unparseable": _I, "level-out-of-range": _I, "level-formula": _I, "level-error-value": _I,
    "level-coerced": _W, "verified-level-invalid": _W, "merged-answer-cell": _W, "service-name-missing": _W,
    "evidence-missing": _W, "service-without-application": _W, "application-with-low-level": _W,
    "text-truncated": _W, "control-characters": _W,
    # inventory (Aplikasi, Infrastruktur)
    "application-name-missing": _W, "vocabulary-coerced": _W, "vocabulary-unknown": _W, "number-invalid": _W,
    "number-coerced": _W, "value-implausible": _W, "server-room-inconsistent": _W, "server-app-unknown": _W,
    "rows-beyond-table": _W,
    # earlier rekaps (history): error = the rekap, or the OPD concerned, is left out of the history
    "history-unreadable": _E, "history-not-rekap": _E, "history-format-unknown": _E, "history-framework-unknown": _E,
    "history-data-invalid": _E, "history-opd-twice": _E, "history-index-mismatch": _E, "history-year-twice": _E,
    "history-other-roster": _E, "history-opd-unmatched": _W, "history-no-opd": _W, "history-open-in-excel": _W,
}


# rejections nobody has to act on (Excel's lock file beside a questionnaire open in it): listed and counted as
# rejected, but they fail neither ``spbe check`` nor ``merge --strict``
NO_ACTION = frozenset({"office-lock-file"})


def needs_action(findings: Iterable[Finding]) -> bool:
    """True when a rejected entry's errors ask something of its sender (not only :data:`NO_ACTION` ones)."""
    return any(f.severity == ERROR and f.code not in NO_ACTION for f in findings)


@dataclass(frozen=True, slots=True)
class Finding:
    """One located problem in one submitted file."""

    code: str
    file: str
    sheet: str = ""
    cell: str = ""
    found: str | Msg = ""
    expected: str | Msg = ""
    detail: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise KeyError(f"unknown finding code {self.code!r}")

    @property
    def severity(self) -> str:
        return CODES[self.code]

    def _fields(self, lang: str) -> dict[str, str]:
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell or "-",
                "found": i18n.render(self.found, lang), "expected": i18n.render(self.expected, lang),
                "detail": self.detail}

    def message(self, lang: str = "id") -> str:
        return i18n.table(lang)[f"finding.{self.code}"].format(**self._fields(lang))

    def hint(self, lang: str = "id") -> str:
        return i18n.table(lang)[f"hint.{self.code}"].format(**self._fields(lang))

    @property
    def location(self) -> str:
        return "!".join(p for p in (self.sheet, self.cell) if p)

    def sort_key(self) -> tuple:
        # files in the order the Berkas sheet lists them (case aside), then severity, sheet and cell
        return (self.file.casefold(), self.file, SEVERITY_ORDER[self.severity], self.sheet, cell_key(self.cell),
                self.code, str(self.found))


def severity_label(severity: str, lang: str = "id") -> str:
    return i18n.text(f"severity.{severity}", lang)


def outcome_label(outcome: str, lang: str = "id") -> str:
    return i18n.text(f"outcome.{outcome}", lang)
