"""`govinfo-bot template`: a workbook to fill in and import, with dropdowns."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import texts
from bot.cli.common import with_store
from bot.settings import Settings
from bot.storage import Store
from bot.templates import KINDS, records_template, units_template


def declare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, help="records：政务信息登记表；units：单位名单")
    parser.add_argument("--out", help="模板文件（默认 政务信息登记表.xlsx 或 单位名单.xlsx）")


def run(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.now()

    async def template(store: Store) -> int:
        """A workbook to fill in, with the database's units and the ruleset's items."""
        async with store.reading() as tx:
            ruleset = await tx.config.ruleset()
            active = {name for _, name in (await tx.units.unit_lookup()).values()}
            units = [u.name for u in await tx.units.units() if u.name in active]
        if args.kind == "records":
            data = records_template(ruleset, units, now.date())
            sheet = texts.TEMPLATE_RECORDS_SHEET
        else:
            data, sheet = units_template(ruleset), texts.TEMPLATE_UNITS_SHEET
        out = args.out or texts.TEMPLATE_FILES[args.kind]
        Path(out).write_bytes(data)
        print(texts.TEMPLATE_WRITTEN.format(path=out, sheet=sheet, kind=args.kind))
        if args.kind == "records" and not units:
            print(texts.TEMPLATE_NO_UNITS)
        return 0

    return with_store(settings, template)
