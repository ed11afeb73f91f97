"""The connections and their transactions: one long-lived aiosqlite connection that writes the
database, every action in one transaction; one that only reads it, so that the bot's reads never
wait for a writer (WAL lets readers go on while a write transaction is open, also one of another
process, such as a large import from the command line); and one on the bot's working file beside
it (see Store). Every query goes through a `Tx`."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aiosqlite
import asyncpg

from bot.storage.chain import line_hash
from bot.storage.connection import (
    SqliteConnection,
    SyncSqliteConnection,
    declare_cache_size,
)
from bot.storage.dsn import SCHEMES, is_postgres, password_in
from bot.storage.ledgerkey import KEYING_DUE, KeySource, key_source, make_key, read_key
from bot.storage.migrate import (
    BOT_FILE_MIGRATIONS,
    WORKING_FILE_VERSION,
    bind_bot_file,
    immediate,
    migrate,
    move_to_bot_file,
)
from bot.storage.query import CACHE_KIB
from bot.storage.sql import sql
from bot.storage.tx import Tx
from scoring.errors import DomainError
from scoring.methods import Methods
from scoring.standings import UnitRef

T = TypeVar("T")

# A large import from the command line holds the database's write lock for long (1,000,000
# records, the most one file may hold: about 40 s, bench/import_stall.py): the bot's writes to
# the database wait for it rather than fail. Its reads (reading()) and its writes to the working
# file do not wait for it at all.
BUSY_TIMEOUT_MS = 60_000
# Rows of each index ANALYZE samples when the store closes.
ANALYSIS_LIMIT = 400

log = logging.getLogger(__name__)


def bot_file_path(path: Path) -> Path:
    """The bot's working file next to a database: `govinfo.sqlite3` → `govinfo.bot.sqlite3`."""
    return (
        path.with_suffix(".bot" + path.suffix)
        if path.suffix
        else path.with_name(path.name + ".bot")
    )


def database_files(path: Path) -> list[Path]:
    """Every file of a database on disk: the database, its working file, and their WAL files."""
    return [
        Path(f"{main}{suffix}")
        for main in (path, bot_file_path(path))
        for suffix in ("", "-wal", "-shm")
    ]


# What a store raises when the database cannot do what was asked (a lock held too long, the
# server gone): for the callers that carry on and try again later.
STORAGE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, asyncpg.PostgresError, OSError)


def shown(target: str | Path) -> str:
    """A database as logs and messages may name it: a URL without its password (given before
    the host, or as a `password` parameter)."""
    text = str(target)
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return text
    credentials, at, host = parts.netloc.rpartition("@")
    if at and ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit(parts._replace(netloc=f"{credentials}{at}{host}", query=query))


def password_of(target: str | Path) -> str | None:
    """The password in a database URL, to be kept out of the logs: the one the driver sends."""
    text = str(target)
    return password_in(text) if text.startswith(SCHEMES) else None


class StoreBusy(Exception):
    """A transaction that was not to wait (Store.transaction(wait=False)) met another's lock."""


class Store(ABC):
    """Where the assessment is kept: an SQLite file (SqliteStore, the default) or a PostgreSQL
    database shared by several bot processes (bot.storage.postgres.PgStore). Both hand out the
    same `Tx`, whose statements (bot.storage.sql) each store runs compiled for itself through its
    own Connection; the store decides how a transaction begins and where each table lives."""

    dialect = "sqlite"
    # Whether the answers owed by actions of the bot's working file (bot_transaction: a
    # report's summary) wait in a table of their own there, rather than in the database's outbox.
    answers_apart = False

    def __init__(self, *, display: str, path: Path | None = None) -> None:
        # How messages name the database (a PostgreSQL URL without its password).
        self.display = display
        # The SQLite file (None on PostgreSQL).
        self.path = path
        # The methods, parsed once; ConfigStorage.methods sees one adopted elsewhere.
        self.methods_cache: Methods | None = None
        # The roster changes rarely and every standings read needs all of it: kept in memory,
        # checked against the store's roster version (Tx.roster_version).
        self.units_cache: list[UnitRef] | None = None
        self.units_version: int | None = None
        # Told, after each commit, the updates that the transaction's actions marked handled in
        # the working file (Tx.claim_update there): the intake's (bot.telegram.intake.Intake.use), which
        # then need not mark them again.
        self.on_claims: Callable[[list[int]], None] | None = None
        # Drafts whose confirmation is storing their claim in the database now.
        self.confirming: set[int] = set()
        # The ledger key (bot.storage.ledgerkey), read once when the store opens.
        self.key_source: KeySource | None = None
        self.ledger_key: bytes | None = None

    @staticmethod
    async def open(
        target: str | Path, *, key_file: Path | None = None, key: str | None = None
    ) -> Store:
        """The store at `target`: a `postgresql://` URL, or the path of an SQLite file; its
        ledger key where `key_file` or `key` say (bot.storage.ledgerkey.key_source)."""
        # The PostgreSQL store (bot.storage.postgres, which the package imports) is one of
        # Store's kinds without this module importing it.
        (kind,) = (kind for kind in Store.__subclasses__() if kind.serves(target))
        store = await kind.connect_to(target)
        try:
            await store._take_key(key_source(target, key_file, key))
        except BaseException:
            await store.close()
            raise
        return store

    @staticmethod
    @abstractmethod
    def serves(target: str | Path) -> bool:
        """Whether this kind of store keeps the database at `target`."""

    @classmethod
    @abstractmethod
    async def connect_to(cls, target: str | Path) -> Store:
        """The store at `target` (one it serves), migrated, without its ledger key."""

    async def _take_key(self, source: KeySource) -> None:
        """Read the ledger key; key a database from before the key (marked due by the migration
        that brought the keying), once: its lines so far keep their SHA-256 chain, the next
        ones are keyed."""
        self.key_source = source
        self.ledger_key = read_key(source)
        async with self.reading() as tx:
            if await tx.config.setting(KEYING_DUE) is None:
                return
        async with self.transaction() as tx:
            if await tx.config.setting(KEYING_DUE) is None:
                return
            self.ledger_key = make_key(source)
            keying = await tx.ledger.key_ledger(self.ledger_key, datetime.now(UTC))
        log.warning(
            "the ledger is keyed from line %d on, with the key in %s: keep it with the database",
            keying.first_line, source.shown,
        )  # fmt: skip

    def writing_key(self) -> bytes:
        """The ledger key to chain new lines with; refused (in Chinese) when it cannot be had.
        Read again only while missing: `init` in another process may have made it since."""
        if self.ledger_key is None and self.key_source is not None:
            self.ledger_key = read_key(self.key_source)
        if self.ledger_key is None:
            shown = self.key_source.shown if self.key_source else ""
            raise DomainError("ledger_key_missing", file=shown)
        return self.ledger_key

    def new_key(self) -> bytes:
        """The ledger key for a database being initialised: its file made if there is none."""
        assert self.key_source is not None
        self.ledger_key = make_key(self.key_source)
        return self.ledger_key

    def committed(self, tx: Tx) -> None:
        """A transaction of this store committed: the listener told of its claims."""
        if tx.claims and self.on_claims is not None:
            self.on_claims(tx.claims)

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self, *, wait: bool = True) -> AbstractAsyncContextManager[Tx]:
        """A write transaction: everything done through the Tx commits together or not at all.
        Without `wait`, refused at once (StoreBusy) while another process holds the write lock,
        instead of waiting for it: for upkeep that can be done later."""

    @abstractmethod
    def bot_transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A write transaction on the running bot's own tables (the intake, the summaries, the
        lease), reading the assessment beside them; it never waits for the assessment's write
        lock."""

    @abstractmethod
    async def bot_atomic(self, body: Callable[[Tx], Awaitable[T]]) -> T:
        """`body` run in one bot_transaction(), as fast as the store can."""

    @abstractmethod
    def staging(self) -> AbstractAsyncContextManager[Tx]:
        """The writing connection outside any transaction, for its temporary tables only
        (Tx.stage_records): work done ahead of a write transaction, taking no lock."""

    @abstractmethod
    def reading(self, *, snapshot: bool = False) -> AbstractAsyncContextManager[Tx]:
        """Reads that never wait for a write transaction; with `snapshot`, several queries see
        one consistent state of the database."""

    @abstractmethod
    def checking(self) -> AbstractAsyncContextManager[Tx]:
        """One read transaction for checking the whole database (bot.storage.verify), apart
        from the bot's own reads, once the store's own safeguards are found in place (the
        ledger's triggers; SQLite's integrity check); DomainError names the first that fails."""

    @abstractmethod
    async def adopt_bot_file(self) -> None:
        """After a copy into this store: the bot's working file, if the store has one, belongs
        to the copied database (its database id), or the next start would refuse it."""

    @abstractmethod
    def bot_autocommit(self) -> AbstractAsyncContextManager[Tx]:
        """Writes to the bot's own tables of one statement each, every statement atomic by
        itself: without the BEGIN and COMMIT of a transaction, for the writes made for every
        update."""


# How SQLite's connections are set up (a PRAGMA takes no parameter: each value declared).
_WAL = sql(sqlite="PRAGMA journal_mode = WAL")
_SYNCHRONOUS = sql(sqlite="PRAGMA synchronous = NORMAL")
_FOREIGN_KEYS = sql(sqlite="PRAGMA foreign_keys = ON")
_BUSY_TIMEOUT = sql(sqlite=f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
_NO_WAIT = sql(sqlite="PRAGMA busy_timeout = 0")
_TEMP_IN_MEMORY = sql(sqlite="PRAGMA temp_store = MEMORY")
_QUERY_ONLY = sql(sqlite="PRAGMA query_only = ON")
_ANALYSIS_LIMIT = sql(sqlite=f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
_OPTIMIZE = sql(sqlite="PRAGMA optimize")
_ATTACH_DATABASE = sql(sqlite="ATTACH DATABASE :uri AS data")
declare_cache_size(CACHE_KIB)


class SqliteStore(Store):
    """The database, and the bot's working file beside it.

    The database holds the assessment: every record, the ledger, the roster, the outbox. The
    working file holds what the running bot writes for itself on every update: the updates
    received (the durable intake), report summaries waiting for their confirm button (drafts),
    and the lease of the running instance. It is a database of its own so that none of this
    waits while another process holds the database's write lock: a large import from the
    command line holds it for half a minute, and the chat, which stores every update it is
    sent, would stall all that time. Its connection sees the database too (attached read-only
    as `data`), so an action there reads the assessment as it stores a summary; it never writes
    the database. The answer such an action owes waits in the working file (its `answers`)."""

    answers_apart = True

    def __init__(
        self, db: aiosqlite.Connection, reader: aiosqlite.Connection,
        bot: aiosqlite.Connection, path: Path,
    ) -> None:  # fmt: skip
        super().__init__(display=str(path), path=path)
        self._db = db
        self._reader = reader
        self._bot = bot
        # Each connection serves every coroutine: a lock for each keeps their transactions apart.
        self._lock = asyncio.Lock()
        self._read_lock = asyncio.Lock()
        self._bot_lock = asyncio.Lock()

    @staticmethod
    def serves(target: str | Path) -> bool:
        return not is_postgres(target)

    @classmethod
    async def connect_to(cls, target: str | Path) -> SqliteStore:
        return await cls.connect(Path(target))

    @classmethod
    async def connect(cls, path: Path) -> SqliteStore:
        db = await aiosqlite.connect(str(path), isolation_level=None)
        bot = reader = None
        try:
            writing = SqliteConnection(db)
            for pragma in (_WAL, _SYNCHRONOUS, _FOREIGN_KEYS, _BUSY_TIMEOUT):
                await writing.execute(pragma)
            # A large import updates several indexes at scattered places: the default 2 MB page
            # cache would make it re-read index pages from disk over and over.
            await writing.page_cache(CACHE_KIB)
            # Statement journals (and an import's staged rows) in memory: on disk they cost a
            # large import gigabytes of writes (4 GB for 300,000 records, measured).
            await writing.execute(_TEMP_IN_MEMORY)
            # The migration that chains the ledger hashes the lines already there with it.
            await db.create_function("ledger_line_hash", 14, _line_hash_sql, deterministic=True)
            bot = await _open_bot_file(path)
            # What a database from before the working file kept in its own tables moves there,
            # in the transaction of the migration that drops them.
            moves = {WORKING_FILE_VERSION: functools.partial(move_to_bot_file, db, bot)}
            await migrate(db, before=moves)
            await bind_bot_file(bot)
            reader = await aiosqlite.connect(str(path), isolation_level=None)
            # A reader may still meet a lock for a moment (while the WAL is reset).
            reading = SqliteConnection(reader)
            await reading.execute(_BUSY_TIMEOUT)
            await reading.page_cache(CACHE_KIB)
            await reading.execute(_QUERY_ONLY)
        except BaseException:
            for conn in (reader, bot, db):
                if conn is not None:
                    await conn.close()
            raise
        return cls(db, reader, bot, path)

    async def close(self) -> None:
        try:
            # SQLite's advice for long-lived connections: refresh planner statistics on the way
            # out, by sampling (analysis_limit): a full ANALYZE after a million-record import
            # would hold the write lock for seconds.
            writing = SqliteConnection(self._db)
            await writing.execute(_ANALYSIS_LIMIT)
            await writing.execute(_OPTIMIZE)
        except sqlite3.OperationalError:
            # Another process wrote meanwhile (the bot, as the command line closes): the
            # statistics wait for the next close. The connections must be closed all the same,
            # or their threads keep the process from exiting.
            log.info("planner statistics not refreshed: the database was busy", exc_info=True)
        finally:
            await self._reader.close()
            await self._bot.close()
            await self._db.close()

    @asynccontextmanager
    async def transaction(self, *, wait: bool = True) -> AsyncIterator[Tx]:
        async with self._lock:
            if wait:
                async with self._transaction(self._db, bot_file=False) as tx:
                    yield tx
                return
            writing = SqliteConnection(self._db)
            await writing.execute(_NO_WAIT)
            try:
                async with self._transaction(self._db, bot_file=False) as tx:
                    yield tx
            finally:
                await writing.execute(_BUSY_TIMEOUT)

    @asynccontextmanager
    async def bot_transaction(self) -> AsyncIterator[Tx]:
        """A write transaction in the bot's working file, reading the database as it stood
        when it began; it never waits for the database's write lock."""
        async with self._bot_lock, self._transaction(self._bot, bot_file=True) as tx:
            yield tx

    @asynccontextmanager
    async def _transaction(
        self, conn: aiosqlite.Connection, *, bot_file: bool
    ) -> AsyncIterator[Tx]:
        tx = Tx(SqliteConnection(conn), self, reading=False, bot_file=bot_file)
        try:
            async with immediate(conn, busy=StoreBusy):
                yield tx
        except BaseException:
            if not bot_file:
                # A method may have been written by the rolled-back transaction (the working
                # file sees the database read-only: it cannot).
                self.methods_cache = None
            raise
        self.committed(tx)

    async def bot_atomic(self, body: Callable[[Tx], Awaitable[T]]) -> T:
        """`body` as one bot_transaction() run whole on its connection's thread: one hand-over
        to aiosqlite's worker and back, where a transaction costs one per statement. For the
        chat's busiest action (a report's summary), whose statements take microseconds and
        whose hand-overs cost most of the time (bench/chat.py).

        `body` is the same storage code as anywhere else: its Tx sits on a connection whose
        methods finish at once (SyncSqliteConnection), so its coroutine runs to the end in one step
        there. A body that waits for anything else is refused (RuntimeError)."""
        async with self._bot_lock:
            tx, result = await self._bot._execute(self._atomically, body)
        self.committed(tx)
        return result

    def _atomically(self, body: Callable[[Tx], Awaitable[T]]) -> tuple[Tx, T]:
        conn = self._bot._conn
        conn.execute("BEGIN IMMEDIATE")
        tx = Tx(SyncSqliteConnection(conn), self, reading=False, bot_file=True)
        try:
            result = run_at_once(body(tx))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return tx, result

    @asynccontextmanager
    async def staging(self) -> AsyncIterator[Tx]:
        """The writing connection outside any transaction, for its temporary tables only
        (Tx.stage_records): work done ahead of a write transaction, taking no lock on the
        database. Other coroutines of this process wait for the connection meanwhile."""
        async with self._lock:
            yield Tx(SqliteConnection(self._db), self, reading=False)

    @asynccontextmanager
    async def reading(self, *, snapshot: bool = False) -> AsyncIterator[Tx]:
        """Reads, on the connection that only reads: they never wait for a write transaction,
        of this process or another. With `snapshot`, several queries see one consistent state
        of the database. What a transaction of this store committed is seen here at once."""
        async with self._read_lock:
            if not snapshot:
                yield Tx(SqliteConnection(self._reader), self, reading=True)
                return
            await self._reader.execute("BEGIN")
            try:
                yield Tx(SqliteConnection(self._reader), self, reading=True)
            finally:
                await self._reader.execute("COMMIT")

    @asynccontextmanager
    async def bot_autocommit(self) -> AsyncIterator[Tx]:
        """Writes to the bot's working file of one statement each, every statement atomic by
        itself (SQLite's autocommit): without the BEGIN and COMMIT of a transaction, for the
        writes made for every update."""
        async with self._bot_lock:
            tx = Tx(SqliteConnection(self._bot), self, reading=False, bot_file=True)
            yield tx
            self.committed(tx)

    async def adopt_bot_file(self) -> None:
        async with self.bot_transaction() as tx:
            await tx.write(_ADOPT)

    @asynccontextmanager
    async def checking(self) -> AsyncIterator[Tx]:
        """On a connection of its own: the reading connection serves every read of the bot,
        and a million ledger lines would hold it for seconds."""
        from bot.storage.tx import Tx
        from bot.storage.verify import check_integrity, check_sqlite_guards

        assert self.path is not None
        db = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            checking = SqliteConnection(db)
            await checking.execute(_BUSY_TIMEOUT)
            await checking.execute(_QUERY_ONLY)
            tx = Tx(checking, self, reading=True)
            await check_integrity(tx)
            await db.execute("BEGIN")
            try:
                await check_sqlite_guards(tx)
                yield tx
            finally:
                await db.execute("COMMIT")
        finally:
            await db.close()


_ADOPT = sql(
    sqlite="UPDATE belongs_to SET database_id = "
    "(SELECT value FROM {data}.settings WHERE key = 'database_id')"
)


async def _open_bot_file(path: Path) -> aiosqlite.Connection:
    # URI names (uri=True) for the read-only attachment below.
    # Named after the database's real path: two processes reaching it by different names (a
    # symbolic link) share one working file, and so one lease.
    bot = await aiosqlite.connect(
        bot_file_path(path.resolve()).as_uri(), uri=True, isolation_level=None
    )
    try:
        for pragma in (_WAL, _SYNCHRONOUS, _BUSY_TIMEOUT):
            await SqliteConnection(bot).execute(pragma)
        await migrate(bot, BOT_FILE_MIGRATIONS)
        # Read-only: a slip that wrote the database from here would commit apart from the
        # working file, and wait for the database's lock, which this file exists to avoid.
        await SqliteConnection(bot).execute(
            _ATTACH_DATABASE, {"uri": f"{path.resolve().as_uri()}?mode=ro"}
        )
    except BaseException:
        await bot.close()
        raise
    return bot


def _line_hash_sql(previous: str, *line: object) -> str:
    return line_hash(previous, line)


def run_at_once(coroutine: Coroutine[Any, Any, T] | Awaitable[T]) -> T:
    """Run a coroutine that never waits (its awaits all finish at once) to its end."""
    assert isinstance(coroutine, Coroutine)
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("a transaction run whole (Store.bot_atomic) waited for something")
