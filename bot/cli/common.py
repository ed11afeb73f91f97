"""What several commands share: who acts, the database opened around a command's work, and
the lines more than one command prints."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import texts
from bot.settings import Settings
from bot.storage import STORAGE_ERRORS, Store, Tx, shown
from bot.storage.verify import Verified

if TYPE_CHECKING:
    from bot.usecases.notices import Notice


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@dataclass(frozen=True)
class ChatNoticesLater:
    """The chat's renderer of notices (bot.telegram.notices), loaded by the first notice a
    command owes: most runs of a command that may tell someone tell no one, and the renderer
    brings the bulletin's libraries along."""

    settings: Settings

    async def emit(self, tx: Tx, notice: Notice, now: datetime) -> None:
        from bot.telegram.notices import ChatNotices

        await ChatNotices.of(self.settings).emit(tx, notice, now)


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
