"""`govinfo-bot records import`: records from a CSV or XLSX file, stored whole or not at all."""

from __future__ import annotations

import argparse

from bot import render, texts
from bot.cli.common import actor, print_totals, with_store
from bot.settings import Settings
from bot.storage import Store
from bot.usecases.imports import Existing, import_records
from scoring.points import show_points


def declare(parser: argparse.ArgumentParser) -> None:
    records = parser.add_subparsers(dest="records_command", required=True)
    records_import = records.add_parser(
        "import",
        help="导入记录（CSV 或 XLSX）",
        description=texts.RECORDS_IMPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    records_import.add_argument("file", metavar="文件")
    records_import.add_argument(
        "--sheet", help="XLSX 中要读取的工作表（默认：第一个有表头的工作表）"
    )
    existing = records_import.add_mutually_exclusive_group()
    existing.add_argument(
        "--skip-existing",
        action="store_true",
        help="只导入数据库中还没有的行（跳过已存储的记录，如重新导入不断追加的登记表）",
    )
    existing.add_argument(
        "--allow-duplicates",
        action="store_true",
        help="每一行都作为新记录存储，即使与已存储的记录相同",
    )
    records_import.add_argument(
        "--dry-run", action="store_true", help="只显示将要导入和拒绝的内容，不保存"
    )
    records_import.add_argument(
        "--year", type=int, help="没有写年份的日期（如 6月10日）所属的年份，如 2024"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.now()

    async def records(store: Store) -> int:
        existing = (
            Existing.SKIP
            if args.skip_existing
            else Existing.ALLOW
            if args.allow_duplicates
            else Existing.REFUSE
        )
        done = await import_records(
            store, args.file, actor(), now, existing, args.sheet, year=args.year,
            dry_run=args.dry_run,
        )  # fmt: skip
        print(
            (texts.RECORDS_DRY if done.dry_run else texts.RECORDS_IMPORTED).format(
                rows=done.rows, records=done.records, submissions=done.submissions,
                entries=done.entries, points=show_points(done.points),
            )
        )  # fmt: skip
        if done.skipped:
            skipped = texts.RECORDS_SKIPPED_DRY if done.dry_run else texts.RECORDS_SKIPPED
            print(skipped.format(skipped=done.skipped))
        print_totals(done.totals)
        if done.changes:
            head = texts.RESETTLED_HEAD_DRY if done.dry_run else texts.RESETTLED_HEAD
            print(render.render_changes(head, done.changes))
        return 0

    return with_store(settings, records)
