"""Forward-only migrations: numbered SQL files applied in order, keyed on PRAGMA user_version;
those of the database in `migrations`, those of the bot's working file in `migrations.botfile`."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from importlib import resources

import aiosqlite

from bot.storage.connection import SqliteConnection
from bot.storage.shielded import to_the_end
from bot.storage.sql import sql
from scoring.errors import DomainError

log = logging.getLogger(__name__)

_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")
DATABASE_MIGRATIONS = "migrations"
BOT_FILE_MIGRATIONS = "migrations.botfile"


def migration_files(package: str = DATABASE_MIGRATIONS) -> list[tuple[int, str]]:
    """(version, SQL) for every file in a migrations package, in order."""
    found = []
    for entry in resources.files(package).iterdir():
        if m := _NAME.fullmatch(entry.name):
            found.append((int(m[1]), entry.read_text("utf-8")))
    found.sort()
    versions = [v for v, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


# The built-in rulesets as shipped before (sha256 of the file's text). A database keeps the text
# it was initialised with until the office adopts another: every number it holds was scored by
# that text. `rules show` and `init` say what today's text of the same ruleset would change.
PREVIOUS_BUILTIN = {
    "3a0e7b583b9ddc7e53574512f4c5883533655dc22d2b37fc2333caa6cf46cb14": "dengkou-2024",
    "8144c83647a53589fb78561d78c13b5117c322a1f4b4596745a444a27abc0f28": "dengkou-2024",
    "8b5a3bea3ccc76b45e69b29e3ed190296bc8f2bf5bd7a6b5bdec517e6f2bba90": "dengkou-2024",
    "9c0388e40569ac041d287d8af55c750809b370c6c0a1eb3cff1dd201be5d1718": "dengkou-2024",
    "4e0e5c1ab99742af915541c703ad84d6239d08b42f88637f4e124b4aa2fa70ed": "ordos-2020",
}


def earlier_builtin(text: str) -> str | None:
    """The built-in ruleset id of which `text` is a version shipped before, if it is one."""
    return PREVIOUS_BUILTIN.get(hashlib.sha256(text.encode()).hexdigest())


@asynccontextmanager
async def immediate(
    conn: aiosqlite.Connection, busy: type[Exception] | None = None
) -> AsyncIterator[None]:
    """A write transaction on `conn`, its write lock taken at once: committed when the block
    ends, rolled back if it raises. With `busy`, a lock that cannot be had (within the busy
    timeout) raises that instead of sqlite3's error."""
    try:
        await to_the_end(conn.execute("BEGIN IMMEDIATE"))
    except sqlite3.OperationalError as exc:
        if busy is None or "locked" not in str(exc):
            raise
        raise busy() from exc
    except asyncio.CancelledError:
        await _roll_back(conn)
        raise
    try:
        yield
    except BaseException:
        await _roll_back(conn)
        raise
    await to_the_end(conn.execute("COMMIT"))


async def _roll_back(conn: aiosqlite.Connection) -> None:
    if conn.in_transaction:
        await to_the_end(conn.execute("ROLLBACK"))


async def migrate(
    db: aiosqlite.Connection,
    package: str = DATABASE_MIGRATIONS,
    before: Mapping[int, Callable[[], Awaitable[None]]] | None = None,
) -> int:
    """Apply every pending migration, each inside its own transaction; return the new version.
    `before[v]`, if given, runs inside migration v's transaction, ahead of its statements."""
    current = await _version(db)
    for version, script in migration_files(package):
        if version <= current:
            continue
        # executescript would commit on its own; statement by statement keeps one transaction.
        async with immediate(db):
            # Read again under the write lock: another process starting on the same database
            # may have applied it meanwhile.
            if await _version(db) < version:
                if before and version in before:
                    await before[version]()
                for statement in _statements(script):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {version}")
        current = version
    if package == DATABASE_MIGRATIONS:
        await _note_earlier_builtin(db)
    return current


# The database migration that moves the running bot's own tables to its working file.
WORKING_FILE_VERSION = 8


async def move_to_bot_file(db: aiosqlite.Connection, bot: aiosqlite.Connection) -> None:
    """Copy what a database from before the bot's working file kept for the running bot into
    that file: every update received (handled or not: a redelivered one must still be known) and
    the report summaries, ids and states kept (their buttons carry the ids). Called inside the
    transaction of migration 0008, which holds the database's write lock: an earlier bot still
    running cannot add a row between the copy and the drop, and one whose lease is live is
    refused rather than left running beside this one. Done again after a crash in between, it
    copies nothing twice."""
    live = list(
        await db.execute_fetchall(
            "SELECT holder, expires_at FROM leases WHERE expires_at > ?", (time.time(),)
        )
    )
    if live:
        raise DomainError("earlier_bot_running", holder=live[0][0])
    updates = await db.execute_fetchall(
        "SELECT update_id, payload, received_at, handled_at FROM intake"
    )
    drafts = await db.execute_fetchall(
        "SELECT id, user_id, unit_id, date, item_id, modifiers, title, evidence, created_at, "
        "record_id, cancelled FROM drafts"
    )
    async with immediate(bot):
        await bot.executemany(
            "INSERT OR IGNORE INTO inbox (update_id, payload, received_at, handled_at) "
            "VALUES (?, ?, ?, ?)",
            updates,
        )
        # The working file is migrated first: its drafts name their liaison by address.
        await bot.executemany(
            "INSERT OR IGNORE INTO drafts (id, channel, address, unit_id, date, item_id, "
            "modifiers, title, evidence, created_at, record_id, cancelled) "
            "VALUES (?, 'telegram', CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            drafts,
        )


_DATABASE_ID = sql(sqlite="SELECT value FROM {data}.settings WHERE key = 'database_id'")
_BELONGS_TO = sql(sqlite="SELECT database_id FROM belongs_to")
_DROP_DRAFTS = sql(sqlite="DELETE FROM drafts")
_DROP_HANDLED = sql(sqlite="DELETE FROM inbox WHERE handled_at IS NOT NULL")
_DROP_BELONGS_TO = sql(sqlite="DELETE FROM belongs_to")
_BELONG_TO = sql(sqlite="INSERT INTO belongs_to (database_id) VALUES (:database_id)")
_RULESET = sql(sqlite="SELECT value FROM settings WHERE key = 'ruleset'")


async def bind_bot_file(bot: aiosqlite.Connection) -> None:
    """Tie the working file to its database (attached as `data`, migrated). A working file left
    beside another database made at the same path (the old one deleted or moved away) loses
    its summaries, whose units and liaisons were the old database's, and the updates it had
    handled there; updates received and not handled yet stay, to be handled."""
    conn = SqliteConnection(bot)
    ((database_id,),) = await conn.fetch_all(_DATABASE_ID)
    rows = await conn.fetch_all(_BELONGS_TO)
    if rows and rows[0][0] == database_id:
        return
    async with immediate(bot):
        if rows:
            log.warning("the working file belonged to another database: its summaries dropped")
            await conn.execute(_DROP_DRAFTS)
            await conn.execute(_DROP_HANDLED)
        await conn.execute(_DROP_BELONGS_TO)
        await conn.execute(_BELONG_TO, {"database_id": database_id})


async def _note_earlier_builtin(db: aiosqlite.Connection) -> None:
    rows = await SqliteConnection(db).fetch_all(_RULESET)
    if rows and (ruleset_id := earlier_builtin(rows[0][0])) is not None:
        log.info(
            "the stored ruleset %s is a version shipped before, kept as it is; "
            "`govinfo-bot rules show` says what the version shipped now would change",
            ruleset_id,
        )


async def _version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return row[0] if row else 0


def _statements(sql: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        # complete_statement knows that a trigger body's inner semicolons do not end it.
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
