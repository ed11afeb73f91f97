"""Templates an office fills in and imports as they are: a workbook with instructions and
examples first, then the sheet to fill, whose header is the one the importer reads, with
dropdowns of the roster's units and the ruleset's items and modifiers, and date columns.

The examples stay on the instruction sheet, below the rows the importer searches for a header,
so that a template filled in and imported never brings them along.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from bot import texts
from bot.filelimits import HEADER_ROWS
from bot.sheets import (
    BODY_SIZE,
    DATE_FORMAT,
    TITLE_ROW,
    SheetTable,
    add_sheet,
    display_width,
    fit_widths,
    new_workbook,
    print_setup,
    sheet_name,
    workbook_bytes,
    write_cell,
    write_table,
    write_title,
)
from scoring.records import MAX_COUNT, RECORD_COLUMNS
from scoring.ruleset import SUBMISSION_LABEL, ItemKind, Ruleset

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

KINDS = ("records", "units")
# Rows of the sheet to fill that dropdowns and formats cover.
FILL_ROWS = 2000
# The lists behind the dropdowns, on a hidden sheet (a list written in the validation itself
# may not exceed 255 characters).
OPTIONS_SHEET = "选项"
# The unit column is as wide as the roster's longest name, up to this.
UNIT_WIDTH = 30
UNITS_WIDTHS = {1: 30, 2: 12, 3: 40}
UNIT_COLUMNS = ("name", "group", "aliases")


def records_template(ruleset: Ruleset, units: Sequence[str], today: date) -> bytes:
    workbook = new_workbook()
    header = [texts.RECORD_COLUMN_NAMES[key][0] for key in RECORD_COLUMNS]
    items = [SUBMISSION_LABEL, *(i.label for i in ruleset.items)]
    modifiers = [m.label for m in ruleset.modifiers]
    first = ruleset.effective_from or date(2000, 1, 1)
    widths = {1: 12, 2: _widest(units), 3: 30, 6: 18, 7: 36, 8: 18}
    _instructions(
        workbook,
        texts.TEMPLATE_RECORDS_TITLE.format(ruleset=ruleset.name),
        [line.format(effective=first.isoformat()) for line in texts.TEMPLATE_RECORDS_HELP],
        header,
        _record_examples(ruleset, units, today),
        widths,
    )
    sheet = add_sheet(
        workbook,
        SheetTable(
            texts.TEMPLATE_RECORDS_SHEET,
            texts.TEMPLATE_RECORDS_SHEET_TITLE.format(ruleset=ruleset.name),
            header,
            [],
            min_widths=widths,
        ),
    )
    headings = texts.TEMPLATE_OPTION_HEADINGS
    options = _options(
        workbook,
        {headings["unit"]: units, headings["item"]: items, headings["modifiers"]: modifiers},
    )
    _date_column(sheet, "A", first)
    _list(sheet, "B", options[0], strict=False)
    _list(sheet, "C", options[1], strict=False)
    _whole(sheet, "D", 1, MAX_COUNT)
    _whole(sheet, "E", -100_000, 100_000)
    if modifiers:
        # Several modifiers may share a cell (市领导同志批示、…×2): the list only suggests.
        _list(sheet, "F", options[2], strict=None)
    return workbook_bytes(workbook)


def units_template(ruleset: Ruleset) -> bytes:
    workbook = new_workbook()
    header = [texts.UNIT_COLUMN_NAMES[key][0] for key in UNIT_COLUMNS]
    groups = [g.display for g in ruleset.groups]
    _instructions(
        workbook,
        texts.TEMPLATE_UNITS_TITLE.format(ruleset=ruleset.name),
        [line.format(groups="、".join(groups)) for line in texts.TEMPLATE_UNITS_HELP],
        header,
        [[name, groups[n % len(groups)], aliases] for n, (name, aliases) in enumerate(
            texts.TEMPLATE_UNIT_EXAMPLES
        )],
        UNITS_WIDTHS,
    )  # fmt: skip
    sheet = add_sheet(
        workbook,
        SheetTable(
            texts.TEMPLATE_UNITS_SHEET,
            texts.TEMPLATE_UNITS_SHEET_TITLE.format(ruleset=ruleset.name),
            header,
            [],
            min_widths=UNITS_WIDTHS,
        ),
    )
    (options,) = _options(workbook, {texts.TEMPLATE_OPTION_HEADINGS["group"]: groups})
    _list(sheet, "B", options, strict=True)
    return workbook_bytes(workbook)


def _record_examples(ruleset: Ruleset, units: Sequence[str], today: date) -> list[list[object]]:
    unit = units[0] if units else texts.TEMPLATE_EXAMPLE_UNIT
    other = units[1] if len(units) > 1 else unit
    examples: list[list[object]] = [
        [today, unit, SUBMISSION_LABEL, 1, None, None, texts.TEMPLATE_EXAMPLE_TITLES[0], None]
    ]
    adoption = next((i for i in ruleset.reportable_items), None)
    if adoption is not None:
        endorsed = [m.label for m in ruleset.modifiers if adoption.id in m.allowed_on][:1]
        examples.append(
            [today, other, adoption.label, 1, None, "、".join(endorsed),
             texts.TEMPLATE_EXAMPLE_TITLES[1], None]
        )  # fmt: skip
    adjustment = next((i for i in ruleset.items if i.kind is ItemKind.ADJUSTMENT), None)
    if adjustment is not None:
        examples.append(
            [today, unit, adjustment.label, 1, 5, None, None, texts.TEMPLATE_EXAMPLE_REASON]
        )
    return examples


def _instructions(
    workbook: Workbook,
    title: str,
    lines: list[str],
    header: list[str],
    examples: list[list[object]],
    widths: dict[int, int],
) -> None:
    """The first sheet: what to fill in and how, then examples below the rows the importer
    searches for a header (so that they are never taken for the sheet to import). The columns
    are as wide as those of the sheet to fill."""
    sheet = workbook.create_sheet(sheet_name(texts.TEMPLATE_HELP_SHEET))
    table = SheetTable(sheet.title, title, header, examples, min_widths=widths)
    widths = fit_widths(sheet, table)
    write_title(sheet, TITLE_ROW, title, widths)
    row = TITLE_ROW + 2
    for line in lines:
        write_title(sheet, row, line, widths, size=BODY_SIZE)
        row += 1
    row = max(row + 1, HEADER_ROWS + 2)
    write_title(sheet, row, texts.TEMPLATE_EXAMPLES, widths, size=BODY_SIZE)
    write_table(sheet, table, row + 1, widths)
    print_setup(sheet, table)


def _options(workbook: Workbook, lists: dict[str, Sequence[str]]) -> list[str]:
    """The dropdowns' lists on a hidden sheet, each under its heading; each list's range."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(OPTIONS_SHEET)
    sheet.sheet_state = "hidden"
    ranges = []
    for column, (heading, values) in enumerate(lists.items(), start=1):
        write_cell(sheet, 1, column, heading)
        for row, value in enumerate(values, start=2):
            write_cell(sheet, row, column, value)
        letter = get_column_letter(column)
        ranges.append(f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${max(len(values), 1) + 1}")
    return ranges


def _cells(column: str) -> str:
    return f"{column}3:{column}{FILL_ROWS + 2}"


def _list(sheet: Worksheet, column: str, source: str, *, strict: bool | None) -> None:
    """A dropdown: `strict` refuses anything else, False warns, None only suggests."""
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(
        type="list",
        formula1=f"={source}",
        allow_blank=True,
        showErrorMessage=strict is not None,
        errorStyle="stop" if strict else "warning",
        error=texts.TEMPLATE_NOT_IN_LIST,
    )
    validation.add(_cells(column))
    sheet.add_data_validation(validation)


def _whole(sheet: Worksheet, column: str, low: int, high: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(
        type="whole",
        operator="between",
        formula1=str(low),
        formula2=str(high),
        allow_blank=True,
        showErrorMessage=True,
        error=texts.TEMPLATE_WHOLE_NUMBER.format(low=low, high=high),
    )
    validation.add(_cells(column))
    sheet.add_data_validation(validation)


def _date_column(sheet: Worksheet, column: str, first: date) -> None:
    """Dates from the ruleset's first day, shown as 2024-05-06 whatever the office types."""
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet.column_dimensions[column].number_format = DATE_FORMAT
    validation = DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1=f"DATE({first.year},{first.month},{first.day})",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        error=texts.TEMPLATE_DATE.format(first=first.isoformat()),
    )
    validation.add(_cells(column))
    sheet.add_data_validation(validation)


def _widest(values: Sequence[str]) -> int:
    """As wide as the widest of a dropdown's values, up to a unit's long name."""
    return min(max((display_width(v) for v in values), default=10) + 2, UNIT_WIDTH)
