"""`govinfo-bot units import`: the roster of units from a CSV or XLSX file."""

from __future__ import annotations

import argparse

from bot import texts
from bot.cli.common import actor, print_totals, with_store
from bot.settings import Settings
from bot.storage import Store
from bot.usecases.imports import import_units


def declare(parser: argparse.ArgumentParser) -> None:
    units = parser.add_subparsers(dest="units_command", required=True)
    units_import = units.add_parser(
        "import",
        help="导入单位名单（CSV 或 XLSX：单位名称、分组[、别名]，或 name,group[,aliases]）",
    )
    units_import.add_argument("file", metavar="文件")
    units_import.add_argument("--sheet", help="XLSX 中要读取的工作表（默认：第一个有表头的工作表）")


def run(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.now()

    async def units(store: Store) -> int:
        done = await import_units(store, args.file, actor(), now, args.sheet)
        print(texts.UNITS_IMPORTED.format(added=done.added, updated=done.updated, total=done.total))
        print_totals(done.totals)
        return 0

    return with_store(settings, units)
