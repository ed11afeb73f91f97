"""The office's export: a period's records, ledger and standings as one XLSX workbook, every
item and modifier by its label, every date a date cell."""

from __future__ import annotations

from datetime import date

from bot import texts
from bot.render import add_standings_sheets
from bot.sheets import SheetTable, add_sheet, new_workbook, workbook_bytes
from bot.storage import Store, decode_modifiers
from bot.usecases.standings import standings
from scoring.periods import Period
from scoring.points import points_cell
from scoring.ruleset import SUBMISSION_ID, Ruleset

# Columns of free text, wrapped rather than widened: the item, the title, the explanation and
# the note of a record; the rule and the explanation of a ledger line.
RECORD_TEXT_COLUMNS = {4, 5, 8, 9}
LEDGER_TEXT_COLUMNS = {4, 7}


async def period_workbook(store: Store, period: Period) -> bytes:
    ruleset, table = await standings(store, period)
    async with store.reading(snapshot=True) as tx:
        records = await tx.records.records_between(period.start, period.end)
        ledger = await tx.records.ledger_between(period.start, period.end)
    workbook = new_workbook()
    add_standings_sheets(workbook, ruleset, table)
    span = texts.period_span(period)
    record_rows = [
        [
            rid, date.fromisoformat(day), unit, _label(ruleset, item_id), title,
            texts.STATUS_NAMES.get(status, status), _modifiers(ruleset, modifiers), explanation,
            note,
        ]
        for rid, day, unit, item_id, title, status, modifiers, explanation, note in records
    ]  # fmt: skip
    add_sheet(
        workbook,
        SheetTable(
            texts.EXPORT_SHEETS["records"],
            texts.EXPORT_SHEET_TITLE.format(
                ruleset=ruleset.name, what=texts.EXPORT_SHEETS["records"], period=span
            ),
            texts.EXPORT_RECORD_HEADER,
            record_rows,
            RECORD_TEXT_COLUMNS,
            centred={1},
        ),
    )
    ledger_rows = [
        [
            lid, date.fromisoformat(day), unit, _label(ruleset, rule_id), column, points_cell(points),
            explanation, reverses,
        ]
        for lid, day, unit, rule_id, column, points, explanation, reverses in ledger
    ]  # fmt: skip
    add_sheet(
        workbook,
        SheetTable(
            texts.EXPORT_SHEETS["ledger"],
            texts.EXPORT_SHEET_TITLE.format(
                ruleset=ruleset.name, what=texts.EXPORT_SHEETS["ledger"], period=span
            ),
            texts.EXPORT_LEDGER_HEADER,
            ledger_rows,
            LEDGER_TEXT_COLUMNS,
            centred={1, 8},
        ),
    )
    return workbook_bytes(workbook)


def _label(ruleset: Ruleset, rule_id: str) -> str:
    """An item or modifier by the label people know it by."""
    if rule_id == SUBMISSION_ID:
        return texts.SUBMISSION_NAME
    rule = ruleset.items_by_key.get(rule_id) or ruleset.modifiers_by_key.get(rule_id)
    return rule.label if rule is not None else rule_id


def _modifiers(ruleset: Ruleset, stored: str) -> str:
    """`endorse.city_leader×2` as `市领导同志批示×2`, in the separators an import reads."""
    return "；".join(
        _label(ruleset, m) + (f"×{n}" if n > 1 else "") for m, n in decode_modifiers(stored)
    )
