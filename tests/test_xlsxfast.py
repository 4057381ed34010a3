"""The recorder of pipeline.xlsxfast: replaying a recorded row writes what the original calls wrote."""

from __future__ import annotations

from pipeline import xlsxfast

BOLD = {"bold": True}  # one spec, as the report's: the recorder gives it one format object


def _write_row(ws: xlsxfast.SheetRecord, book: xlsxfast.RecordingBook, row: int, name: str) -> None:
    bold = book.add_format(BOLD)
    ws.write_string(row, 0, "7", bold)
    ws.write_string(row, 1, name)
    ws.write_number(row, 2, 3.0, bold)
    ws.write_formula(row, 3, f"=MAX(0,C{row + 1}-1)", None, 2)
    ws.write_string(row, 4, "kriteria")
    ws.set_row(row, 30)


def _sheet(with_replay: bool) -> tuple[xlsxfast.SheetRecord, list[bool]]:
    book = xlsxfast.RecordingBook()
    source = book.add_worksheet("A")
    before = source.string_count
    _write_row(source, book, 5, "Nama indikator")
    entry = source.row_entry(5, before)

    ws = book.add_worksheet("B")
    ws.write_string(0, 0, "kriteria")  # already known here: must keep its index
    replayed = []
    if with_replay:
        replayed.append(ws.replay_row(5, entry))
        replayed.append(ws.replay_row(5, entry))  # the row is no longer empty: nothing written
    else:
        _write_row(ws, book, 5, "Nama indikator")
    ws.write_string(6, 0, "sesudah")
    return ws, replayed


def test_a_replayed_row_renders_as_the_written_row() -> None:
    direct, _ = _sheet(with_replay=False)
    replayed, flags = _sheet(with_replay=True)
    assert flags == [True, False]
    styles = xlsxfast.Styles({xlsxfast.props_key(BOLD): 1})
    assert replayed.cells == direct.cells
    assert replayed.heights == direct.heights == {5: 30}
    assert replayed.strings == direct.strings and replayed.string_list == list(direct.strings)
    assert replayed.string_count == direct.string_count == 5
    assert replayed.sheet_data(styles) == direct.sheet_data(styles)
    assert replayed.shared_strings() == direct.shared_strings()
