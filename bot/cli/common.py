"""What several commands share: who acts, the database opened around a command's work, and
the lines more than one command prints."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from bot import texts
from bot.settings import Settings
from bot.storage import STORAGE_ERRORS, Store, shown
from bot.storage.verify import Verified


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def on_database(work: Coroutine[Any, Any, int], db: str | Path) -> int:
    """`work` run to its end; a database (or a file) that cannot be used, said in one line."""
    try:
        return asyncio.run(work)
    except STORAGE_ERRORS as exc:
        print(texts.STORAGE_FAILED.format(db=shown(db), detail=exc), file=sys.stderr)
        return 1


def with_store(settings: Settings, work: Callable[[Store], Awaitable[int]]) -> int:
    """`work` on the settings' database, opened for it and closed after it."""

    async def opened() -> int:
        store = await Store.open(
            settings.db, key_file=settings.ledger_key_file, key=settings.ledger_key_value
        )
        try:
            return await work(store)
        finally:
            await store.close()

    return on_database(opened(), settings.db)


def print_verified(store: Store, done: Verified) -> None:
    # SQLite's integrity check, which the longer text names, checks a database file; a
    # PostgreSQL server's store has none.
    ok = texts.VERIFY_OK if store.path is not None else texts.VERIFY_OK_POSTGRES
    print(ok.format(lines=done.lines, sums=done.sums))
    print(texts.VERIFY_HEAD.format(anchor=done.head))


def print_totals(lines: list[int]) -> None:
    """Total rows (合计) are left out, and said so: the office may have meant otherwise."""
    if lines:
        print(texts.TOTALS_SKIPPED.format(lines="、".join(map(str, lines))))
