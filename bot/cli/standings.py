"""`govinfo-bot standings`: a period's standings as text, CSV, JSON or a workbook."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from bot import render, texts
from bot.cli.common import with_store
from bot.settings import Settings
from bot.sheets import CSV_ENCODINGS, csv_bytes
from bot.storage import Store
from bot.usecases.standings import standings
from scoring.periods import Period, check_period, read_period


def declare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--period",
        required=True,
        help="2024年第二季度、2024年5月、2024年、本月、上季度、今年，或 2024Q2、2024-05、2024-04-01..2024-06-30",
    )
    parser.add_argument("--group", action="append", help="只看某个分组（可重复）")
    parser.add_argument("--format", choices=render.FORMATS, default="text")
    parser.add_argument("--out", help="写入文件而不是标准输出（xlsx 默认写入 排名-<期间>.xlsx）")
    parser.add_argument(
        "--encoding",
        choices=CSV_ENCODINGS,
        default="utf-8",
        help="写入 CSV 文件的编码：utf-8（带 BOM，Excel 可直接打开，默认）或 gbk",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.now()
    return with_store(settings, lambda store: _standings(store, args, now))


async def _checked(store: Store, period: Period, now: datetime) -> Period:
    """The period, if it lies within the ruleset's years (scoring.periods.check_period)."""
    async with store.reading() as tx:
        ruleset = await tx.config.ruleset()
    return check_period(period, ruleset.effective_from, now.date())


async def _standings(store: Store, args: argparse.Namespace, now: datetime) -> int:
    period = await _checked(store, read_period(args.period, now.date()), now)
    ruleset, table = await standings(store, period, args.group)
    if args.format == "xlsx":
        out = args.out or texts.STANDINGS_FILE.format(period=period.name, format="xlsx")
        Path(out).write_bytes(render.standings_xlsx(ruleset, table))
        print(texts.STANDINGS_WRITTEN.format(path=out))
        return 0
    if args.format == "json":
        output = render.standings_json(table)
    elif args.format == "csv":
        output = render.standings_csv(ruleset, table)
        if args.out:
            # A CSV file is for Excel: with a BOM (or in GBK), as it opens it on Chinese Windows.
            Path(args.out).write_bytes(csv_bytes(output, args.encoding))
            print(texts.STANDINGS_WRITTEN.format(path=args.out))
            return 0
    else:
        output = render.standings_text(ruleset, table)
    if args.out:
        Path(args.out).write_text(output, "utf-8")
        print(texts.STANDINGS_WRITTEN.format(path=args.out))
    else:
        sys.stdout.write(output)
    return 0
