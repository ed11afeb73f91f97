"""Chat end to end: the real application from the project's factory, polling the project's fake
Bot API server over loopback, on a real database (an SQLite file, or the PostgreSQL database a
test's `database` fixture gives); tests talk to it as users do."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.fakeapi import FakeBotApi, SentMessage
from bot.fakeapi.recorder import WAIT
from bot.settings import Settings
from bot.storage import Store, is_postgres, sql
from bot.telegram.app import build_application
from bot.telegram.handlers.common import STORE
from bot.telegram.runner import Webhook, polling, running
from bot.usecases.imports import import_units
from bot.usecases.setup import initialize
from tests.conftest import write_csv

ADMIN = 9001
OTHER_ADMIN = 9002
LIAISON = 1001
SECOND = 1002
STRANGER = 4242
UNITS = [
    ["教育局", "A", "县教育局"],
    ["公安局", "B", ""],
    ["审计局", "B", ""],
    ["气象局", "C", ""],
]


def flat(text: str) -> str:
    """A reply without its line breaks: the bot breaks every line to fit a phone
    (bot.render.fit), wherever a phrase asserted on may be, and keeps a broken space."""
    return text.replace("\n", "")


_UNFINISHED = sql("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL")
_UNFINISHED_PG = sql(
    postgres="SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL OR claimed_until IS NOT NULL"
)


@dataclass
class Chat:
    server: FakeBotApi
    app: Application  # type: ignore[type-arg]
    settings: Settings

    def say(self, user: int, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.server.send_message(user, text, first_name=f"用户{user}", **kwargs)

    def edit(self, user: int, said: dict[str, Any], text: str) -> dict[str, Any]:
        """The user edits a message `say` sent: Telegram sends the edit as a new update."""
        return self.server.edit_message(user, said["message"], text)

    async def reply(self, user: int, timeout: float = WAIT) -> SentMessage:
        return await self.server.next_message(user, timeout=timeout)

    async def ask(self, user: int, text: str) -> SentMessage:
        self.say(user, text)
        return await self.reply(user)

    async def press(self, user: int, message: SentMessage, label: str) -> None:
        self.server.press_button(user, message, message.callback_data(label))

    def press_data(self, user: int, message: SentMessage, data: str) -> None:
        """A press carrying `data` whether or not the message offers it now (stale or forged)."""
        self.server.press_button(user, message, data, any_data=True)

    async def edited(self, message: SentMessage, text: str, timeout: float = WAIT) -> str:
        """Wait until the bot has edited `message` to contain `text`; its current text."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in flat(message.message["text"]):
                return str(message.message["text"])
            await asyncio.sleep(0.02)
        raise TimeoutError(f"message never said {text!r}: {message.message['text']!r}")

    async def confirm(self, user: int, summary: SentMessage) -> str:
        """Press the summary's confirm button; the summary as it then reads."""
        before = str(summary.message["text"])
        await self.press(user, summary, "✅ 确认提交")
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            current = str(summary.message["text"])
            if current != before:
                return current
            await asyncio.sleep(0.02)
        raise TimeoutError("the summary was not updated after confirming")

    async def settled(self, timeout: float = WAIT) -> None:
        """Wait until the bot has taken every queued update and finished what it started: none
        waits on the server, none is being handled, and the intake (the SQLite working file, or
        PostgreSQL's inbox, where the dispatcher claims them) holds none unhandled or claimed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (
                self.server.pending_update_count == 0
                and not self.app._update_processor.current_concurrent_updates
                and not await self._unfinished()
                # Again: an update fetched while the intake was read may have been handled.
                and self.server.pending_update_count == 0
                and not self.app._update_processor.current_concurrent_updates
            ):
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("the bot did not settle")

    async def _unfinished(self) -> int:
        """Updates in the intake not yet handled, or still claimed (PostgreSQL: a claim is
        released once the update's conversation is kept, after its handlers)."""
        store: Store = self.app.bot_data[STORE]
        async with store.bot_autocommit() as tx:
            row = await tx.one(_UNFINISHED_PG if is_postgres(self.settings.db) else _UNFINISHED)
        return int(row[0]) if row else 0

    async def join(self, user: int, unit: str) -> None:
        """An admin invites, the user opens the deep link."""
        link = (await self.ask(ADMIN, f"/invite {unit}")).text
        code = link.rsplit("start=", 1)[1].strip()
        bound = await self.ask(user, f"/start {code}")
        assert "绑定成功" in bound.text, bound.text

    def db(self) -> str:
        return self.settings.db


# The databases prepare_db prepared (a PostgreSQL database has no file to tell it by).
_prepared: set[str] = set()


async def prepare_db(
    db: str | Path, ruleset: str = "dengkou-2024", units: Sequence[Sequence[str]] = UNITS
) -> None:
    store = await Store.open(db)
    try:
        await initialize(store, ruleset)
        with tempfile.TemporaryDirectory() as work:
            roster = write_csv(Path(work) / "units.csv", ["name", "group", "aliases"], units)
            await import_units(store, roster, "test", datetime.now().astimezone())
    finally:
        await store.close()
    _prepared.add(str(db))


def _unprepared(db: str) -> bool:
    """Whether bot_on must prepare `db`: a database neither prepared here nor initialised by the
    test (an SQLite `database` is a copy of a migrated, empty one: it exists, holding nothing)."""
    if db in _prepared:
        return False
    if is_postgres(db) or not Path(db).exists():
        return True
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT 1 FROM settings WHERE key = 'ruleset'").fetchone() is None


def chat_settings(server: FakeBotApi, db: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": server.token,
        "admin_ids": [ADMIN, OTHER_ADMIN],
        "db": db,
        "ruleset": "dengkou-2024",
        "api_base_url": server.base_url,
        "api_base_file_url": server.base_file_url,
        "require_approval": True,
        # A PostgreSQL bot whose leader before did not resign (killed, cut off) leads (runs its
        # scheduler and courier) a hand-over after it takes the lock: 5 s with the product's 2 s
        # between leader checks, 2.3 s with these; on a new database, or after a clean stop, at
        # once.
        "leader_check_seconds": 0.2,
        "intake_poll_seconds": 0.05,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_bot(tmp_path: Path | str, **overrides: Any) -> AsyncIterator[Chat]:
    async with FakeBotApi() as server, bot_on(server, tmp_path, **overrides) as chat:
        yield chat


@asynccontextmanager
async def bot_on_webhook(server: FakeBotApi, db: str, port: int) -> AsyncIterator[Chat]:
    """The bot on `db` (prepared) receiving updates on a webhook at `port` of loopback: the
    server posts each update there, and again until it is answered 200."""
    hook = Webhook(f"http://127.0.0.1:{port}/tg", "127.0.0.1", port, "secret-of-the-test-hook")
    settings = chat_settings(server, db)
    app = build_application(settings, rate_limit=False)
    async with running(app, asyncio.Event(), webhook=hook):
        yield Chat(server, app, settings)


@asynccontextmanager
async def bot_on(server: FakeBotApi, db: Path | str, **overrides: Any) -> AsyncIterator[Chat]:
    """The bot on a server that outlives it: stopped and started again, it finds its database.
    `db`: a test's `database`, or (SQLite) the directory of the database file."""
    if isinstance(db, Path):
        db = str(db / "bot.sqlite3")
    if _unprepared(db):
        await prepare_db(db, overrides.get("ruleset", "dengkou-2024"))
    settings = chat_settings(server, db, **overrides)
    app = build_application(settings, rate_limit=False)
    errors: list[BaseException] = []

    async def keep(update: object, context: Any) -> None:
        errors.append(context.error)

    app.add_error_handler(keep)
    async with polling(app):
        yield Chat(server, app, settings)
    if errors:
        raise errors[0]
