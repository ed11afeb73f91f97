"""Forward-only migrations: numbered SQL files applied in order, keyed on PRAGMA user_version."""

from __future__ import annotations

import re
import sqlite3
from importlib import resources

import aiosqlite

_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")


def migration_files() -> list[tuple[int, str]]:
    """(version, SQL) for every file in the `migrations` package, in order."""
    found = []
    for entry in resources.files("migrations").iterdir():
        if m := _NAME.fullmatch(entry.name):
            found.append((int(m[1]), entry.read_text("utf-8")))
    found.sort()
    versions = [v for v, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


async def migrate(db: aiosqlite.Connection) -> int:
    """Apply every pending migration, each inside its own transaction; return the new version."""
    current = await _version(db)
    for version, sql in migration_files():
        if version <= current:
            continue
        # executescript would commit on its own; statement by statement keeps one transaction.
        await db.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another process starting on the same database
            # may have applied it meanwhile.
            if await _version(db) < version:
                for statement in _statements(sql):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        await db.execute("COMMIT")
        current = version
    return current


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
