"""The office's export: a period's records, ledger and standings as one XLSX workbook."""

from __future__ import annotations

import io

from openpyxl import Workbook

from bot import texts
from bot.render import add_standings_sheets
from bot.storage import Store
from bot.usecases.standings import standings
from scoring.periods import Period
from scoring.ruleset import SUBMISSION_ID


async def period_workbook(store: Store, period: Period) -> bytes:
    ruleset, table = await standings(store, period)
    async with store.reading(snapshot=True) as tx:
        records = await tx.records_between(period.start, period.end)
        ledger = await tx.ledger_between(period.start, period.end)
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    add_standings_sheets(workbook, ruleset, table)
    sheet = workbook.create_sheet(texts.EXPORT_SHEETS["records"])
    sheet.append(list(texts.EXPORT_RECORD_HEADER))
    for rid, day, unit, item_id, title, status, modifiers, explanation, note in records:
        item = ruleset.items_by_key.get(item_id)
        label = (
            item.label if item else texts.SUBMISSION_NAME if item_id == SUBMISSION_ID else item_id
        )
        sheet.append(
            [
                rid,
                day,
                unit,
                label,
                title,
                texts.STATUS_NAMES.get(status, status),
                modifiers,
                explanation,
                note,
            ]
        )
    sheet = workbook.create_sheet(texts.EXPORT_SHEETS["ledger"])
    sheet.append(list(texts.EXPORT_LEDGER_HEADER))
    for row in ledger:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
