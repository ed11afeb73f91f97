"""Reading a test's database directly, whichever store it is on."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bot.storage import is_postgres
from tests.pgserver import query


def rows(db: str | Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """The rows of one query (`?` marks), on an SQLite file or a PostgreSQL URL."""
    if is_postgres(db):
        return query(str(db), sql, params)
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()
