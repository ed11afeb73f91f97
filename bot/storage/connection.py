"""The database connection: SQLite called on the event loop's own thread.

The bot's statements take microseconds, and most of what a chat message cost through aiosqlite
was the hand-over to its worker thread and back, paid several times per message and worse when
the machine is busy (the worker waits for the interpreter lock; measured with bench/chat.py:
p95 latency at 100 reports/s from 61 ms to 33 ms, and from 854 ms to 48 ms under other load).
A statement that has to wait for another process's write lock (an import from the command line
holds it for seconds) is the exception: it is tried again in a worker thread, with the busy
timeout, so that the event loop goes on meanwhile. Only one coroutine uses the connection at a
time (Store's lock), so handing it to a thread for that while is safe.

The methods keep aiosqlite's shapes (`await db.execute(...)`, `async with db.execute(...) as
cursor`, `execute_fetchall`, `executemany`), so that storage code reads the same.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine, Generator, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")
Row = tuple[Any, ...]


class Cursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def fetchone(self) -> Row | None:
        return self._cursor.fetchone()  # type: ignore[no-any-return]

    async def fetchall(self) -> list[Row]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _Executing:
    """`await db.execute(...)`, or `async with db.execute(...) as cursor`."""

    def __init__(self, run: Coroutine[Any, Any, Cursor]) -> None:
        self._run = run
        self._cursor: Cursor | None = None

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self._run.__await__()  # type: ignore[no-any-return]

    async def __aenter__(self) -> Cursor:
        self._cursor = await self._run
        return self._cursor

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._cursor is not None
        await self._cursor.close()


class Connection:
    def __init__(self, conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
        self._conn = conn
        self._busy_timeout_ms = busy_timeout_ms

    @classmethod
    async def open(cls, path: str | Path, busy_timeout_ms: int) -> Connection:
        # No busy wait on the event loop's thread: a busy database raises at once and the
        # statement waits in a thread (see _call).
        conn = sqlite3.connect(str(path), timeout=0, isolation_level=None, check_same_thread=False)
        return cls(conn, busy_timeout_ms)

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> _Executing:
        return _Executing(self._call(lambda: Cursor(self._conn.execute(sql, parameters))))

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        return await self._call(lambda: self._conn.execute(sql, parameters).fetchall())

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor:
        rows = list(rows)  # a generator would be spent by a first, busy attempt
        return await self._call(lambda: Cursor(self._conn.executemany(sql, rows)))

    async def create_function(
        self,
        name: str,
        arguments: int,
        function: Callable[..., Any],
        *,
        deterministic: bool = False,
    ) -> None:
        self._conn.create_function(name, arguments, function, deterministic=deterministic)

    async def close(self) -> None:
        self._conn.close()

    async def _call(self, statement: Callable[[], T]) -> T:
        try:
            return statement()
        except sqlite3.OperationalError as err:
            # The primary code: SQLITE_BUSY_RECOVERY and the like are busy too.
            if err.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
        # Nothing happened: a statement refused as busy has not started.
        return await asyncio.to_thread(self._waiting, statement)

    def _waiting(self, statement: Callable[[], T]) -> T:
        self._conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        try:
            return statement()
        finally:
            self._conn.execute("PRAGMA busy_timeout = 0")
