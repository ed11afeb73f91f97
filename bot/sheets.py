"""The files the project writes, finished for Excel and WPS on Chinese Windows, and safe.

Every XLSX sheet the project writes (standings, the /export workbook, templates) is made here: a
title row naming what and when, the header frozen below it, columns as wide as their CJK text,
dates as date cells, and an A4 page set up to print the table one page wide with the header on
every page. Every CSV is written here too, with a UTF-8 BOM (without it Excel on Chinese Windows
reads UTF-8 as GBK and garbles it) or in GBK.

No text a user wrote becomes a formula in any file written here. In XLSX a text is always a
string cell (openpyxl would make any text beginning with "=" a formula), marked as quoted so
that it stays text when edited in Excel. In CSV a text beginning with `=`, `+`, `-`, `@`, a tab
or a carriage return is written with an apostrophe before it, as OWASP advises: Excel and
LibreOffice then show it as text (the apostrophe visible), where a leading tab would be
invisible and is dropped by some readers.

No control or format character reaches a file either (scoring.text.printable): text is
cleaned where it enters, but a database made before that holds such text still, and openpyxl
refuses to save a cell with ESC or NUL in it.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot import texts
from scoring.errors import DomainError
from scoring.text import one_line, printable

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

# What spreadsheets read as the start of a formula (or of a command, in old Excel: DDE).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
# Column widths, in Excel's units (about one Latin character; a CJK character takes two).
MIN_WIDTH = 6
MAX_WIDTH = 50
# Columns of free text wrap at this width, so that a sheet of records still prints legibly.
WRAP_WIDTH = 30
DATE_WIDTH = 12
# Wider than this (in Excel's units) a table prints in landscape.
PORTRAIT_WIDTH = 95
# A heading wider than this over narrower values (在线访谈及政策解读得分) wraps on two lines.
HEADING_WRAP = 12
# Font sizes (points) and the height of a line of each, in points.
BODY_SIZE = 11
TITLE_SIZE = 16
LINE_HEIGHT = 15
TITLE_LINE_HEIGHT = 22
# The rows a sheet begins with: the title, then the header.
TITLE_ROW = 1
HEADER_ROW = 2
CSV_ENCODINGS = ("utf-8", "gbk")


def display_width(text: str) -> int:
    """Display width: CJK characters take two cells, in a terminal as in a spreadsheet."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def inert(text: str) -> str:
    """A CSV field that no spreadsheet reads as a formula, with no control character."""
    text = printable(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([inert(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    """CSV as Excel on Chinese Windows opens it: UTF-8 with a BOM, or GBK."""
    if encoding == "utf-8":
        return text.encode("utf-8-sig")
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise DomainError(
            "csv_not_encodable", encoding=encoding.upper(), char=exc.object[exc.start : exc.end]
        ) from None


@dataclass
class SheetTable:
    """What one sheet shows: its name, the title above the table, the header and the rows."""

    name: str
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    # Columns of free text (titles, notes): wrapped at WRAP_WIDTH rather than widened.
    wrap: set[int] = field(default_factory=set)
    # Columns centred, such as a rank.
    centred: set[int] = field(default_factory=set)
    # Widths columns have at least (a template's columns, before anyone fills them).
    min_widths: dict[int, int] = field(default_factory=dict)


def new_workbook() -> Workbook:
    from openpyxl import Workbook  # imported here: only those who write XLSX pay for it

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheet_name(text: str) -> str:
    # Excel refuses these characters in sheet titles, and titles over 31 characters.
    return "".join(ch for ch in one_line(text) if ch not in "[]:*?/\\")[:31]


def add_sheet(workbook: Workbook, table: SheetTable) -> Worksheet:
    """A sheet with the title row, the frozen header, the rows, fitted widths and A4 set-up."""
    sheet = workbook.create_sheet(sheet_name(table.name))
    widths = fit_widths(sheet, table)
    write_title(sheet, TITLE_ROW, table.title, widths)
    write_table(sheet, table, HEADER_ROW, widths)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    print_setup(sheet, table)
    return sheet


def write_title(sheet: Worksheet, row: int, text: str, widths: list[int], size: int = 0) -> None:
    """A line of text across the table's columns, wrapped, its row as high as it needs.
    Without `size`, the sheet's title, large and bold."""
    from openpyxl.styles import Alignment, Font

    cell = write_cell(sheet, row, 1, text)
    cell.font = Font(name=texts.SHEET_FONT, size=size or TITLE_SIZE, bold=not size)
    cell.alignment = Alignment(
        horizontal="left" if size else "center", vertical="center", wrap_text=True
    )
    if len(widths) > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
    font_size = size or TITLE_SIZE
    line = TITLE_LINE_HEIGHT if not size else LINE_HEIGHT
    sheet.row_dimensions[row].height = line * lines_needed(
        text, sum(widths) * BODY_SIZE / font_size
    ) + (8 if not size else 2)


def write_table(sheet: Worksheet, table: SheetTable, header_row: int, widths: list[int]) -> None:
    """The header (bold, shaded) at `header_row` and the rows below it, ruled."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body_font = Font(name=texts.SHEET_FONT, size=BODY_SIZE)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for number, heading in enumerate(table.header, start=1):
        cell = write_cell(sheet, header_row, number, heading)
        cell.font = Font(name=texts.SHEET_FONT, size=BODY_SIZE, bold=True)
        cell.fill = header_fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, row in enumerate(table.rows, start=header_row + 1):
        lines = 1
        for number, value in enumerate(row, start=1):
            cell = write_cell(sheet, offset, number, value)
            cell.font = body_font
            cell.border = border
            if number in table.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if isinstance(value, str) and number <= len(widths):
                    lines = max(lines, lines_needed(value, widths[number - 1] - 2))
            elif number in table.centred:
                cell.alignment = Alignment(horizontal="center", vertical="top")
            else:
                cell.alignment = Alignment(vertical="top")
        if lines > 1:
            # Neither Excel nor LibreOffice fits a row to wrapped text when opening a file.
            sheet.row_dimensions[offset].height = LINE_HEIGHT * lines + 2
    sheet.row_dimensions[header_row].height = (
        LINE_HEIGHT
        * max(
            lines_needed(heading, width - 2)
            for heading, width in zip(table.header, widths, strict=False)
        )
        + 4
    )


def write_cell(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """The one way a value enters a cell: text stays text, whatever it begins with; a date is
    a date cell."""
    cell = sheet.cell(row, column)
    if isinstance(value, str):
        value = printable(value)
        cell.value = value
        # openpyxl takes any text beginning with "=" for a formula: it is a string here.
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    elif isinstance(value, datetime | date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        cell.value = value
    return cell


def fit_widths(sheet: Worksheet, table: SheetTable) -> list[int]:
    """Each column as wide as its widest value (CJK characters count twice), within bounds; a
    long heading over short values is wrapped on two lines rather than widening its column."""
    from openpyxl.utils import get_column_letter

    widths = []
    for number, heading in enumerate(table.header, start=1):
        widest = max(
            (_width(row[number - 1]) for row in table.rows if number <= len(row)), default=0
        )
        heading_width = display_width(heading)
        if heading_width > HEADING_WRAP:
            heading_width = max(HEADING_WRAP, math.ceil(heading_width / 2))
        limit = WRAP_WIDTH if number in table.wrap else MAX_WIDTH
        width = min(max(widest, heading_width) + 2, limit)
        width = max(width, MIN_WIDTH, table.min_widths.get(number, 0))
        sheet.column_dimensions[get_column_letter(number)].width = width
        widths.append(width)
    return widths


def lines_needed(text: str, width: float) -> int:
    """How many lines text takes wrapped in a cell this wide, each of its own lines at least one."""
    return sum(max(1, math.ceil(display_width(line) / max(width, 1))) for line in text.split("\n"))


def _width(value: object) -> int:
    if isinstance(value, datetime | date):
        return DATE_WIDTH
    if value is None:
        return 0
    return display_width(str(value))


def print_setup(sheet: Worksheet, table: SheetTable) -> None:
    """A4, one page wide (as many pages long as it takes), the title and header on every
    page, centred, with page numbers."""
    from openpyxl.utils import get_column_letter

    total = sum(
        sheet.column_dimensions[get_column_letter(n)].width or MIN_WIDTH
        for n in range(1, len(table.header) + 1)
    )
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if total > PORTRAIT_WIDTH else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    sheet.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.5
    margins.top = margins.bottom = 0.75
    sheet.oddFooter.center.text = texts.SHEET_FOOTER
