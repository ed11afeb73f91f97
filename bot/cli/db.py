"""`govinfo-bot db copy`: a database copied whole between SQLite and PostgreSQL, then verified."""

from __future__ import annotations

import argparse
import sys
from contextlib import AsyncExitStack
from pathlib import Path

from bot import texts
from bot.cli.common import on_database, print_verified
from bot.settings import Settings
from bot.storage import STORAGE_ERRORS, Store, is_postgres, shown
from bot.usecases.copy import copy_database
from bot.usecases.verify import verify
from scoring.errors import DomainError


def declare(parser: argparse.ArgumentParser) -> None:
    database = parser.add_subparsers(dest="db_command", required=True)
    copy = database.add_parser(
        "copy",
        help=texts.DB_COPY_HELP,
        description=texts.DB_COPY_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copy.add_argument("--from", dest="source", required=True, help=texts.DB_COPY_FROM)
    copy.add_argument("--to", dest="target", required=True, help=texts.DB_COPY_TO)


def run(args: argparse.Namespace, settings: Settings) -> int:
    return on_database(_copy(args.source, args.target), settings.db)


async def _copy(source_at: str, target_at: str) -> int:
    """`db copy`: both stores open at once, each named if it cannot be opened; the target
    verified once the copy has committed, as `verify` would."""
    if not is_postgres(source_at) and not Path(source_at).exists():
        # Opening it would make an empty database there, and copy nothing from it.
        raise DomainError("copy_source_missing", db=source_at)
    async with AsyncExitStack() as stores:
        opened = []
        for where in (source_at, target_at):
            try:
                store = await Store.open(where)
            except STORAGE_ERRORS as exc:
                print(texts.STORAGE_FAILED.format(db=shown(where), detail=exc), file=sys.stderr)
                return 1
            stores.push_async_callback(store.close)
            opened.append(store)
        source, target = opened
        try:
            copied = await copy_database(source, target)
        except STORAGE_ERRORS as exc:
            failed = texts.COPY_FAILED.format(
                source=source.display, target=target.display, detail=exc
            )
            print(failed, file=sys.stderr)
            return 1
        print(texts.COPY_DONE.format(source=source.display, target=target.display))
        for table, rows in copied.items():
            print(texts.COPY_TABLE_LINE.format(table=texts.COPY_TABLES[table], rows=rows))
        print_verified(target, await verify(target))
    return 0
