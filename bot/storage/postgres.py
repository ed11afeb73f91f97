"""The PostgreSQL store: one database shared by every bot process (replicas on several machines)
and the command line, through asyncpg.

The storage areas' statements are written once for both stores (bot.storage.sql) and compiled
here for PostgreSQL (`$1..$n`, no `data.`/`temp.` schema names); PgConnection runs them, with
row counts from the command status. Everything SQLite keeps in the bot's working file (the intake, the summaries, the
lease) is an ordinary table here: there is no long-held write lock to keep them apart from.

What SQLite's one writer gives for free is kept by hand: every write transaction takes one
advisory lock (WRITE_LOCK) for its whole length, across every process on the database, so
the storage's check-then-write code (the next id as MAX(id) + 1, the period locks, the ledger's
chain) stays correct. Writes to the bot's own tables take none (see bot_transaction); reads
take none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import asyncpg

from bot.storage.base import BUSY_TIMEOUT_MS, Store, StoreBusy, shown
from bot.storage.connection import Row, RowsInsert
from bot.storage.dsn import check_url, is_postgres
from bot.storage.migrate import migration_files
from bot.storage.shielded import to_the_end
from bot.storage.sql import NO_PARAMS, POSTGRES, Params, Statement, sql
from bot.storage.tx import Tx

T = TypeVar("T")
log = logging.getLogger(__name__)

POSTGRES_MIGRATIONS = "migrations.postgres"
# Advisory lock keys (any 64-bit numbers of our own; other applications on the server use theirs).
WRITE_LOCK = 0x676F76_0001
MIGRATE_LOCK = 0x676F76_0003
LEADER_LOCK = 0x676F76_0004
# Handlers (8 at a time), the dispatcher and its renewals, the courier and the scheduler.
POOL_SIZE = 16
SESSION = {
    "application_name": "govinfo-bot",
    # What SQLite's busy timeout is: a write waits this long for another's lock.
    "lock_timeout": f"{BUSY_TIMEOUT_MS}ms",
    # asyncpg prepares every statement, and PostgreSQL settles on a generic plan after five
    # runs: one made while the intake was young (never analysed) rescanned every waiting
    # update for each claim, 171 ms a claim with 2,000 waiting against 0.4 ms (bench/chat.py).
    "plan_cache_mode": "force_custom_plan",
}
# The leader's connection: a leader whose machine vanished (no FIN, no RST) is noticed by the
# server after 10 + 3 × 5 s of silence, and its lock freed, so that another process takes over
# within 30 s (over TCP; a Unix socket's peer is always known at once).
LEADER_SETTINGS = {
    "application_name": "govinfo-bot leader",
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
    # Keepalives are not sent while data waits to be acknowledged (a NOTIFY to a vanished
    # leader): then this bounds how long the server waits.
    "tcp_user_timeout": "25000",
}


_WAIT_FOR_WRITE = sql(postgres="SELECT pg_advisory_xact_lock(:key)")
_TRY_WRITE = sql(postgres="SELECT pg_try_advisory_xact_lock(:key)")
_TRY_LEAD = sql(postgres="SELECT pg_try_advisory_lock(:key)")
# Who leads, in settings, written by the holder of the leader's lock on its connection: a leader
# that may still be sending. Taking the lock names this one and returns the one named before (a
# statement's CTE reads the row as it was before the statement); resigning removes the name.
_SUCCEED = sql(
    postgres="WITH previous AS (SELECT value FROM settings WHERE key = 'leader') "
    "INSERT INTO settings (key, value) VALUES ('leader', :name) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
    "RETURNING (SELECT value FROM previous)"
)
_RESIGN = sql(postgres="DELETE FROM settings WHERE key = 'leader' AND value = :name")


class PgConnection:
    """An asyncpg connection running the project's statements compiled for PostgreSQL."""

    __slots__ = ("conn",)

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def fetch_one(self, statement: Statement, params: Params = NO_PARAMS) -> Row | None:
        compiled = statement.compiled(POSTGRES)
        row: Row | None = await self.conn.fetchrow(compiled.text, *compiled.bind(params))
        return row

    async def fetch_all(self, statement: Statement, params: Params = NO_PARAMS) -> list[Row]:
        compiled = statement.compiled(POSTGRES)
        rows: list[Row] = await self.conn.fetch(compiled.text, *compiled.bind(params))
        return rows

    async def execute(self, statement: Statement, params: Params = NO_PARAMS) -> int:
        compiled = statement.compiled(POSTGRES)
        status: str = await self.conn.execute(compiled.text, *compiled.bind(params))
        # "UPDATE 3", "INSERT 0 1", "DELETE 0"; "CREATE TABLE" has no count.
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else -1

    async def execute_many(self, statement: Statement, rows: Iterable[Sequence[object]]) -> None:
        await self.conn.executemany(statement.compiled(POSTGRES).text, rows)

    async def insert_rows(self, insert: RowsInsert, rows: Iterable[Sequence[object]]) -> None:
        """One COPY: one statement, so the ledger's statement-level triggers run once for all
        of them (executemany fires them per row: 8× slower, measured)."""
        await self.conn.copy_records_to_table(
            insert.table, records=rows, columns=list(insert.columns)
        )

    async def advance_sequence(self, statement: Statement) -> None:
        await self.execute(statement)

    async def page_cache(self, kib: int) -> None:
        """The server's shared buffers serve every connection: nothing to set per connection."""


@asynccontextmanager
async def shielded_transaction(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """asyncpg's transaction, begun and ended to the end whatever cancels the task meanwhile:
    cancelled half-way through its BEGIN, asyncpg's own would stay marked open and make the next
    transaction on the connection a savepoint inside it, never committed."""
    transaction = conn.transaction()
    try:
        await to_the_end(transaction.start())
    except asyncio.CancelledError:
        if conn.is_in_transaction():
            await to_the_end(transaction.rollback())
        raise
    try:
        yield
    except BaseException:
        await to_the_end(transaction.rollback())
        raise
    await to_the_end(transaction.commit())


async def _no_reset(conn: asyncpg.Connection) -> None:
    """A pooled connection leaves no session state behind (transaction-scoped locks only; the
    temporary tables of an import live on the writer connection, never pooled): asyncpg's
    reset query on every release would cost a round trip per transaction."""


class PgStore(Store):
    """A PostgreSQL database: a pool for reads and the bot's own tables, and one connection for
    the assessment's writes (a large import stages its records in temporary tables there,
    ahead of its transaction, as on SQLite)."""

    dialect = "postgres"

    def __init__(self, dsn: str, pool: asyncpg.Pool, writer: asyncpg.Connection) -> None:
        super().__init__(display=shown(dsn))
        self.dsn = dsn
        self._pool = pool
        self._writer = writer
        self._lock = asyncio.Lock()

    @staticmethod
    def serves(target: str | Path) -> bool:
        return is_postgres(target)

    @classmethod
    async def connect_to(cls, target: str | Path) -> PgStore:
        return await cls.connect(str(target))

    @classmethod
    async def connect(cls, dsn: str) -> PgStore:
        check_url(dsn)
        writer = await asyncpg.connect(dsn, server_settings=SESSION)
        try:
            await migrate_postgres(writer)
            pool = await asyncpg.create_pool(
                dsn, min_size=1, max_size=POOL_SIZE, reset=_no_reset, server_settings=SESSION
            )
        except BaseException:
            await writer.close()
            raise
        return cls(dsn, pool, writer)

    async def close(self) -> None:
        try:
            await self._pool.close()
        finally:
            await self._writer.close()

    @asynccontextmanager
    async def transaction(self, *, wait: bool = True) -> AsyncIterator[Tx]:
        async with self._lock:
            writer = await self._writing()
            conn = PgConnection(writer)
            try:
                async with shielded_transaction(writer):
                    if wait:
                        await conn.execute(_WAIT_FOR_WRITE, {"key": WRITE_LOCK})
                    else:
                        taken = await conn.fetch_one(_TRY_WRITE, {"key": WRITE_LOCK})
                        if not (taken and taken[0]):
                            raise StoreBusy()
                    tx = Tx(conn, self, reading=False)
                    yield tx
            except BaseException:
                # A method may have been written by the transaction that did not commit.
                self.methods_cache = None
                raise
        self.committed(tx)

    async def _writing(self) -> asyncpg.Connection:
        """The writer connection, opened again if it was lost (the server restarted, or the
        network dropped it): the pool's connections are, by the pool."""
        if self._writer.is_closed():
            log.warning("the database connection was lost; connecting again")
            self._writer = await asyncpg.connect(self.dsn, server_settings=SESSION)
        return self._writer

    @asynccontextmanager
    async def bot_transaction(self) -> AsyncIterator[Tx]:
        # No lock of the store's: what SQLite's working file gets from its one writer, a chat's
        # updates get here from being handled one at a time (bot.telegram.replicas), and the intake's
        # own writes are single statements. A store-wide lock held each report's summary up
        # behind the others' (bench/chat.py: 0.44 of the echo bot with it, 0.58 without).
        async with self._pool.acquire() as conn, shielded_transaction(conn):
            tx = Tx(PgConnection(conn), self, reading=False, bot_file=True)
            yield tx
        self.committed(tx)

    async def bot_atomic(self, body: Callable[[Tx], Awaitable[T]]) -> T:
        # The SQLite store runs this on its connection's thread to save hand-overs; here a
        # transaction's statements go over the network either way.
        async with self.bot_transaction() as tx:
            return await body(tx)

    @asynccontextmanager
    async def staging(self) -> AsyncIterator[Tx]:
        async with self._lock:
            writer = await self._writing()
            yield Tx(PgConnection(writer), self, reading=False)

    @asynccontextmanager
    async def reading(self, *, snapshot: bool = False) -> AsyncIterator[Tx]:
        async with self._pool.acquire() as conn:
            if not snapshot:
                yield Tx(PgConnection(conn), self, reading=True)
                return
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                yield Tx(PgConnection(conn), self, reading=True)

    @asynccontextmanager
    async def bot_autocommit(self) -> AsyncIterator[Tx]:
        async with self._pool.acquire() as conn:
            tx = Tx(PgConnection(conn), self, reading=False, bot_file=True)
            yield tx
        self.committed(tx)

    @asynccontextmanager
    async def checking(self) -> AsyncIterator[Tx]:
        from bot.storage.verify import check_guards

        async with self.reading(snapshot=True) as tx:
            await check_guards(tx)
            yield tx

    async def adopt_bot_file(self) -> None:
        """Nothing to do: the bot's own tables live in the database itself."""

    @asynccontextmanager
    async def leader_lock(self) -> AsyncIterator[LeaderLock]:
        """The leader's lock, on a connection of its own, outside the pool: the lock lasts as
        long as that connection (a process that dies loses it at once)."""
        conn = await asyncpg.connect(self.dsn, server_settings=LEADER_SETTINGS)
        try:
            yield LeaderLock(conn)
        finally:
            await conn.close()


class LeaderLock:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def take(self) -> bool:
        """Whether this connection holds the lock now (taken, or held before)."""
        taken = await PgConnection(self._conn).fetch_one(_TRY_LEAD, {"key": LEADER_LOCK})
        return bool(taken and taken[0])

    async def succeed(self, name: str, timeout: float) -> str | None:
        """Name this process (`name`) the leader, the lock held; the leader named before, unless
        there was none or it resigned: one that may still be sending (cut off, or killed)."""
        succeed = _SUCCEED.compiled(POSTGRES)
        row = await self._conn.fetchrow(
            succeed.text, *succeed.bind({"name": name}), timeout=timeout
        )
        return None if row is None else row[0]

    async def resign(self, name: str, timeout: float) -> bool:
        """Record that this leader (`name`) sends nothing more, before the lock is released;
        whether it was still the one named. A resignation not written leaves the next leader
        waiting as for a leader cut off."""
        resign = _RESIGN.compiled(POSTGRES)
        status = await self._conn.execute(
            resign.text, *resign.bind({"name": name}), timeout=timeout
        )
        return bool(status == "DELETE 1")

    async def listen(self, channel: str, heard: Callable[[str], None]) -> None:
        """Call `heard` with the payload of every NOTIFY on `channel` (Tx.notify)."""
        await self._conn.add_listener(channel, lambda _c, _p, _ch, payload: heard(payload))

    async def check(self, timeout: float) -> None:
        """Raises if the connection, and with it the lock, is gone, or does not answer within
        `timeout` (a network cut off: the server will free the lock soon)."""
        await self._conn.fetchval("SELECT 1", timeout=timeout)


async def migrate_postgres(conn: asyncpg.Connection) -> int:
    """Apply every pending migration of migrations/postgres, each in its own transaction, under
    a lock that makes replicas starting together apply each once; the new version."""
    migrating = PgConnection(conn)
    await migrating.execute(_LOCK_MIGRATIONS, {"key": MIGRATE_LOCK})
    try:
        await migrating.execute(_SCHEMA_VERSION_TABLE)
        row = await migrating.fetch_one(_SCHEMA_VERSION)
        current = row[0] if row else 0
        for version, script in migration_files(POSTGRES_MIGRATIONS):
            if version <= current:
                continue
            async with conn.transaction():
                # The simple query protocol: a whole file in one call, function bodies kept whole.
                await conn.execute(script)
                await migrating.execute(_SET_SCHEMA_VERSION, {"version": version})
            current = version
        return int(current)
    finally:
        await migrating.execute(_UNLOCK_MIGRATIONS, {"key": MIGRATE_LOCK})


_LOCK_MIGRATIONS = sql(postgres="SELECT pg_advisory_lock(:key)")
_UNLOCK_MIGRATIONS = sql(postgres="SELECT pg_advisory_unlock(:key)")
_SCHEMA_VERSION_TABLE = sql(
    postgres="CREATE TABLE IF NOT EXISTS schema_version "
    "(one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL)"
)
_SCHEMA_VERSION = sql(postgres="SELECT version FROM schema_version")
_SET_SCHEMA_VERSION = sql(
    postgres="INSERT INTO schema_version (one, version) VALUES (1, :version) "
    "ON CONFLICT (one) DO UPDATE SET version = excluded.version"
)
