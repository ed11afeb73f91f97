"""The bulletin's tables as a workbook: one sheet per group, titled and dated, set up to print.

Each sheet: a title row and the period, the header frozen under them, columns as wide as their
CJK text, A4 fitted to one page wide (landscape only when too wide for portrait) with the three
top rows repeated on each printed page, and page numbers. Then the notes, and for a year the
awards, each on a sheet of its own. Text cells are stored as text whatever they start with:
openpyxl would store a unit named `=…` as a formula.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from bot import texts
from bot.bulletin.compose import Composed
from bot.bulletin.package import printable, restamp, utc_naive
from bot.sheets import LINE_HEIGHT, PORTRAIT_WIDTH, lines_needed

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TITLE_FONT = Font(name="黑体", size=16)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _named_styles() -> list[NamedStyle]:
    """The table's cell styles, registered once: a style set on a cell by its parts is hashed
    part by part, which took 20 of 28 seconds for 10,000 rows."""
    head = Font(name="黑体", size=11)
    cell = Font(name="仿宋_GB2312", size=11)
    return [
        NamedStyle(HEAD, font=head, border=_BORDER, alignment=_CENTER),
        NamedStyle(CENTER, font=cell, border=_BORDER, alignment=_CENTER),
        NamedStyle(
            LEFT,
            font=cell,
            border=_BORDER,
            alignment=Alignment(horizontal="left", vertical="center", wrap_text=True),
        ),
        NamedStyle(
            RIGHT,
            font=cell,
            border=_BORDER,
            alignment=Alignment(horizontal="right", vertical="center"),
        ),
    ]


HEAD, CENTER, LEFT, RIGHT = "Bulletin Head", "Bulletin Center", "Bulletin Left", "Bulletin Right"
# Header text wraps after this many display cells (a CJK character is two).
HEADER_WRAP = 12
TOP_ROWS = 3
# The notes' one column: within a portrait A4 page's width, so they print at full size.
NOTES_WIDTH = 80
# Excel refuses these in sheet titles, and titles over 31 characters.
_SHEET_FORBIDDEN = set("[]:*?/\\")


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(text: str, taken: set[str]) -> str:
    title = "".join(ch for ch in printable(text) if ch not in _SHEET_FORBIDDEN)[:31] or texts.GROUP
    candidate, n = title, 2
    while candidate in taken:
        suffix = f"({n})"
        candidate, n = title[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def _text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    cell = sheet.cell(row, column, printable(text))
    # openpyxl takes any string starting with "=" for a formula; user text is text.
    cell.data_type = "s"
    return cell


def _title_rows(sheet: Worksheet, title: str, period: str, columns: int) -> None:
    _text_cell(sheet, 1, 1, title)
    _text_cell(sheet, 2, 1, period)
    sheet.cell(1, 1).font = _TITLE_FONT
    sheet.cell(1, 1).alignment = _CENTER
    sheet.cell(2, 1).alignment = _CENTER
    sheet.row_dimensions[1].height = 30
    if columns > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)


def _print_setup(sheet: Worksheet, *, titled: bool = True) -> None:
    """A4 one page wide, portrait or landscape by the sheet's width, page numbers in the
    footer; a titled sheet keeps its title and header on every page."""
    if titled:
        sheet.freeze_panes = sheet.cell(TOP_ROWS + 1, 1)
        sheet.print_title_rows = f"1:{TOP_ROWS}"
    total = sum(
        sheet.column_dimensions[get_column_letter(n)].width or 0
        for n in range(1, sheet.max_column + 1)
    )
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = (
        sheet.ORIENTATION_LANDSCAPE if total > PORTRAIT_WIDTH else sheet.ORIENTATION_PORTRAIT
    )
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = texts.SHEET_FOOTER


def _fit_columns(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, cells in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = cells + 2


def render_xlsx(doc: Composed, stamp: datetime) -> bytes:
    """The XLSX bytes; the same `doc` and `stamp` give the same bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for style in _named_styles():
        workbook.add_named_style(style)
    taken: set[str] = set()
    period = texts.XLSX_PERIOD.format(start=doc.period_span[0], end=doc.period_span[1])
    draft = texts.XLSX_DRAFT if doc.draft else ""
    for block in doc.tables:
        table = block.table
        sheet = workbook.create_sheet(sheet_title(table.label, taken))
        first = texts.RANK if table.ranked else texts.ROW_NUMBER
        header = [first, texts.UNIT, *table.columns]
        title = texts.XLSX_TITLE.format(period=doc.period, group=table.label, draft=draft)
        _title_rows(sheet, title, period, len(header))
        widths = [min(width(h), HEADER_WRAP) for h in header]
        for column, text in enumerate(header, start=1):
            _text_cell(sheet, TOP_ROWS, column, text).style = HEAD
        styles = [CENTER, LEFT] + [RIGHT] * len(table.columns)
        for offset, values in enumerate(table.rows, start=TOP_ROWS + 1):
            for column, (value, style) in enumerate(zip(values, styles, strict=True), start=1):
                if isinstance(value, str):
                    cell = _text_cell(sheet, offset, column, value)
                    widths[column - 1] = max(widths[column - 1], width(value))
                else:
                    cell = sheet.cell(offset, column, value)
                    widths[column - 1] = max(widths[column - 1], len(str(value)))
                cell.style = style
        _fit_columns(sheet, widths)
        # The header row as high as its longest wrapped heading (在线访谈及政策解读得分).
        sheet.row_dimensions[TOP_ROWS].height = LINE_HEIGHT * max(
            lines_needed(h, w) for h, w in zip(header, widths, strict=True)
        )
        _print_setup(sheet)
    _notes_sheet(workbook, doc, taken)
    if doc.awards:
        _awards_sheet(workbook, doc, taken)
    workbook.properties.creator = workbook.properties.lastModifiedBy = printable(doc.office)
    workbook.properties.title = printable(doc.attachment_title)
    workbook.properties.created = workbook.properties.modified = utc_naive(stamp)
    out = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which would stamp the time of saving as modified.
    ExcelWriter(workbook, ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True)).save()
    return restamp(out.getvalue(), stamp)


def _notes_sheet(workbook: Workbook, doc: Composed, taken: set[str]) -> None:
    sheet = workbook.create_sheet(sheet_title(texts.XLSX_NOTES_SHEET, taken))
    for row, note in enumerate(doc.notes, start=1):
        _text_cell(sheet, row, 1, note)
        sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        # As high as its wrapped lines: a reader's row height would cut a long note short.
        sheet.row_dimensions[row].height = lines_needed(note, NOTES_WIDTH) * LINE_HEIGHT
    sheet.column_dimensions["A"].width = NOTES_WIDTH
    _print_setup(sheet, titled=False)


def _awards_sheet(workbook: Workbook, doc: Composed, taken: set[str]) -> None:
    sheet = workbook.create_sheet(sheet_title(texts.XLSX_AWARDS_SHEET, taken))
    header = texts.XLSX_AWARDS_HEADER
    _title_rows(sheet, doc.attachment_title, doc.period, len(header))
    widths = [width(h) for h in header]
    for column, text in enumerate(header, start=1):
        _text_cell(sheet, TOP_ROWS, column, text).style = HEAD
    for row, values in enumerate(doc.awards, start=TOP_ROWS + 1):
        for column, value in enumerate(values, start=1):
            _text_cell(sheet, row, column, value).style = LEFT
            widths[column - 1] = max(widths[column - 1], width(value))
    _fit_columns(sheet, widths)
    _print_setup(sheet)
