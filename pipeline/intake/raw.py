"""A workbook as stored in the file: cells with their stored values, never evaluated (the reader's output)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

NUMBER, TEXT, BOOL, ERRORVAL, EMPTY = "n", "s", "b", "e", "empty"  # kinds of RawCell.kind


class RawCell(NamedTuple):
    """One cell as stored in the file: never evaluated (a named tuple: a file has thousands, made fast)."""

    value: object  # float for numbers, str for text and error codes (e.g. "#N/A"), bool
    kind: str  # NUMBER, TEXT, BOOL, ERRORVAL, EMPTY
    formula: str | None = None  # formula text without "=", when the cell holds a formula


@dataclass
class RawSheet:
    name: str
    state: str  # "visible", "hidden" or "veryHidden"
    cells: dict[tuple[int, int], RawCell]  # (row, col), both 1-based
    merged: list[tuple[int, int, int, int]]  # (min_row, min_col, max_row, max_col)

    def get(self, row: int, col: int) -> RawCell | None:
        return self.cells.get((row, col))


@dataclass
class RawWorkbook:
    sheets: list[RawSheet]
    has_macros: bool = False
    external_links: int = 0

    def sheet(self, name: str) -> RawSheet | None:
        """Find a sheet by name, tolerant to case and surrounding/inner spacing."""
        key = normalise_name(name)
        return next((s for s in self.sheets if normalise_name(s.name) == key), None)


def normalise_name(text: str) -> str:
    """A sheet name as compared: no spaces, case folded."""
    return "".join(str(text).split()).casefold()
