"""Storage guarantees: migrations, pragmas, an append-only ledger, all-or-nothing actions.
Those of SQLite's file and connections (pragmas, its locks, the working file's thread) are
tested on SQLite only; the rest on each store."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Address, NewRecord, Store, Tx, migration_files, sql
from bot.storage.records import CHAIN_CHUNK
from bot.usecases.setup import initialize
from bot.usecases.verify import verify
from scoring.engine import score
from scoring.records import Record
from tests.pgserver import PostgresDatabases

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def another_database(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A second new database on the test's store. On PostgreSQL it replaces the test's
    `database` (tests/pgserver.py keeps one a test), which must be closed by then."""
    if store_kind == "sqlite":
        return str(tmp_path / "another.sqlite3")
    databases: PostgresDatabases = request.getfixturevalue("postgres")
    return databases.new()


# SQLite only: its pragmas and its sqlite3 shell; PostgreSQL's triggers: tests/test_verify.py.
async def test_migrations_pragmas_and_append_only_ledger(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite3"
    store = await Store.open(path)
    ruleset, _ = await initialize(store, "dengkou-2024")
    async with store.transaction() as tx:
        await tx.write(
            sql("INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '')")
        )
        batch = await tx.records.add_batch("test", "tester", NOW)
        record = Record("教育局", date(2024, 5, 6), "city.jccc")
        await tx.records.add_records(batch, [NewRecord(1, record, score(ruleset, record))], NOW)
    await store.close()

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(migration_files())
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE ledger SET points = 1000")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM ledger")
        assert db.execute("SELECT points / 100 FROM ledger").fetchall() == [(18,)]

    # Opening again applies nothing twice, and foreign keys are on for the store's connection.
    store = await Store.open(path)
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx.write(sql("INSERT INTO unit_aliases (alias, unit_id) VALUES ('x', 999)"))
    await store.close()


async def test_a_failing_action_leaves_nothing(database: str) -> None:
    store = await Store.open(database)
    ruleset, _ = await initialize(store, "dengkou-2024")
    record = Record("教育局", date(2024, 5, 6), "city.jccc")
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.write(
                sql("INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '')")
            )
            batch = await tx.records.add_batch("test", "tester", NOW)
            await tx.records.add_records(batch, [NewRecord(1, record, score(ruleset, record))], NOW)
            raise RuntimeError("the process dies half-way")
    async with store.reading() as tx:
        assert await tx.units.units() == []
        assert await tx.all(sql("SELECT * FROM ledger")) == []
    await store.close()


async def test_a_cancelled_transaction_leaves_the_store_usable(database: str) -> None:
    """A task cancelled wherever it stands in a transaction (a courier stopped mid-send) leaves
    nothing of it, and the next transaction on the shared connection goes on."""
    store = await Store.open(database)
    try:
        for steps in range(12):

            async def writes(n: int = steps) -> None:
                async with store.transaction() as tx:
                    await tx.config.set_setting("cancelled", str(n))
                    await asyncio.sleep(60)

            task = asyncio.ensure_future(writes())
            for _ in range(steps):
                await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            async with store.transaction() as tx:
                assert await tx.config.setting("cancelled") is None
                await tx.config.set_setting("after", str(steps))
            async with store.reading() as tx:
                assert await tx.config.setting("after") == str(steps)
    finally:
        await store.close()


async def test_a_transaction_run_whole_commits_or_leaves_nothing(database: str) -> None:
    store = await Store.open(database)
    await initialize(store, "dengkou-2024")
    async with store.transaction() as tx:
        await tx.write(
            sql("INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '')")
        )
    record = Record("教育局", date(2024, 5, 6), "city.jccc", title="一篇信息")

    async def stores(tx: Tx) -> int:
        (unit,) = await tx.units.units()
        return await tx.drafts.add_draft(Address.telegram(7), unit.id, record, "", NOW)

    async def fails(tx: Tx) -> int:
        await stores(tx)
        raise RuntimeError("the process dies half-way")

    async def drafts() -> list[tuple[object, ...]]:
        async with store.bot_transaction() as tx:
            return [
                tuple(row)
                for row in await tx.all(sql("SELECT channel, address, title FROM drafts"))
            ]

    with pytest.raises(RuntimeError, match="half-way"):
        await store.bot_atomic(fails)
    assert await drafts() == []

    draft_id = await store.bot_atomic(stores)
    assert await drafts() == [("telegram", "7", "一篇信息")]
    async with store.bot_transaction() as tx:
        draft = await tx.drafts.draft(draft_id)
    assert draft is not None and draft.unit == "教育局" and draft.record == record
    await store.close()


# SQLite only: the body runs whole on the working file's thread, where nothing can be awaited.
async def test_an_atomic_body_that_waits_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.sqlite3")
    await initialize(store, "dengkou-2024")
    async with store.transaction() as tx:
        await tx.write(
            sql("INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '')")
        )

    async def waits(tx: Tx) -> int:
        (unit,) = await tx.units.units()
        await tx.drafts.add_draft(
            Address.telegram(7), unit.id, Record("教育局", date(2024, 5, 6), "city.jccc"), "", NOW
        )
        await asyncio.sleep(0)
        return 0

    with pytest.raises(RuntimeError, match="waited"):
        await store.bot_atomic(waits)
    async with store.bot_transaction() as tx:
        assert await tx.all(sql("SELECT * FROM drafts")) == []
    await store.close()


# SQLite only: a writer holding SQLite's lock from another connection, and its data_version.
async def test_reads_never_wait_for_a_writer(tmp_path: Path) -> None:
    """An import from the command line holds the write lock; the bot's reads go on, on the
    store's reading connection, and see every commit as soon as it is made."""
    path = tmp_path / "g.sqlite3"
    store = await Store.open(path)
    await initialize(store, "dengkou-2024")
    async with store.transaction() as tx:
        await tx.write(
            sql("INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '')")
        )
    async with store.reading() as tx:
        assert [u.name for u in await tx.units.units()] == [
            "教育局"
        ]  # this store's commit, at once
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO units (name, group_id, created_at) VALUES ('公安局', 'B', '')")
        start = time.monotonic()
        async with store.reading(snapshot=True) as tx:
            assert [u.name for u in await tx.units.units()] == ["教育局"]
            assert await tx.config.ruleset_text() is not None
        # The busy timeout is a minute: a read that waited for the writer would show.
        assert time.monotonic() - start < 1.0
        other.execute("COMMIT")
        # Another connection's commit: the cached roster is read again (PRAGMA data_version).
        async with store.reading() as tx:
            assert [u.name for u in await tx.units.units()] == ["教育局", "公安局"]
        # The reading connection refuses to write.
        with pytest.raises(sqlite3.OperationalError):
            async with store.reading() as tx:
                await tx.write(sql("DELETE FROM units"))
    finally:
        other.close()
        await store.close()


async def test_staged_records_are_stored_as_add_records_stores_them(
    database: str, store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A large import stages its records before the write lock and moves them in under it: the
    rows it stores are those add_records would, ids, ledger lines and monthly sums alike."""
    tables = ("records", "ledger", "ledger_months", "ledger_quarters", "item_months")
    stored = []
    for staged in (False, True):
        # One ledger key for both: the lines' keyed hashes are compared too.
        store = await Store.open(
            another_database(store_kind, tmp_path, request) if staged else database,
            key="5e" * 32,
        )
        ruleset, _ = await initialize(store, "dengkou-2024")
        async with store.transaction() as tx:
            for name, group in (("教育局", "A"), ("公安局", "B")):
                await tx.write(
                    sql("INSERT INTO units (name, group_id, created_at) VALUES (:name, :g, '')"),
                    {"name": name, "g": group},
                )
            # Something stored already: new ids follow it.
            first = Record("教育局", date(2024, 4, 1), "city.zwyq.brief")
            batch = await tx.records.add_batch("test", "tester", NOW)
            await tx.records.add_records(batch, [NewRecord(1, first, score(ruleset, first))], NOW)
        records = [
            Record(
                "教育局", date(2024, 5, 6), "city.jccc", None, (("endorse.city_leader", 2),), "调研"
            ),
            Record("公安局", date(2024, 5, 2), "submission", None, (), "一条报送"),
            Record("公安局", date(2024, 6, 30), "adjustment", -5, (), "", "更正"),
        ]
        new = [NewRecord(1, records[0], score(ruleset, records[0]))] * 2 + [
            NewRecord(2, r, score(ruleset, r)) for r in records[1:]
        ]
        new.append(NewRecord(2, records[0], score(ruleset, records[0]), status="pending"))
        await _store_records(store, new, staged=staged)
        async with store.reading() as tx:
            stored.append([await tx.all(sql(f"SELECT * FROM {t} ORDER BY 1, 2")) for t in tables])
        await store.close()
    assert stored[0] == stored[1]
    records_rows, ledger_rows = stored[1][0], stored[1][1]
    assert [r[0] for r in records_rows] == [1, 2, 3, 4, 5, 6]
    assert len(ledger_rows) == 1 + 2 * 2 + 1  # the pending record has no ledger line yet


async def _store_records(
    store: Store, new: list[NewRecord], *, staged: bool, chunk: int = CHAIN_CHUNK
) -> None:
    """`new` stored as an import stores them (staged, then inserted under the lock, `chunk`
    ledger lines at a time) or as add_records does in one go."""
    if staged:
        async with store.staging() as tx:
            lines = await tx.records.stage_records(new)
    async with store.transaction() as tx:
        batch = await tx.records.add_batch("test", "tester", NOW)
        if staged:
            await tx.records.insert_staged(batch, NOW, lines, chunk=chunk)
        else:
            await tx.records.add_records(batch, new, NOW)


# The ledger lines insert_staged hashes and inserts at a time in the test across its chunks.
CHUNK = 100
_ONE_UNIT = sql("INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '')")
_LEDGER = sql("SELECT * FROM ledger ORDER BY id")


async def test_staged_lines_chained_across_chunks_as_add_records_chains_them(
    database: str, store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """insert_staged hashes and inserts an import's ledger lines a chunk at a time: across the
    chunks' seams the lines, their ids and their keyed chain are those add_records writes in
    one go, and the chain checks. Small chunks: the seams are those of production's larger
    ones, crossed with a few hundred lines."""
    lines = 2 * CHUNK + 3
    stored = []
    for staged in (False, True):
        store = await Store.open(
            another_database(store_kind, tmp_path, request) if staged else database,
            key="6f" * 32,
        )
        ruleset, _ = await initialize(store, "dengkou-2024")
        async with store.transaction() as tx:
            await tx.write(_ONE_UNIT)
        records = [
            Record("教育局", date(2024, 1, 1) + timedelta(days=n % 150), "city.zwyq.brief")
            for n in range(lines)
        ]
        new = [NewRecord(1, r, score(ruleset, r)) for r in records]
        assert all(len(n.scored.entries) == 1 for n in new)
        await _store_records(store, new, staged=staged, chunk=CHUNK)
        async with store.reading() as tx:
            stored.append(await tx.all(_LEDGER))
        assert (await verify(store)).lines == lines
        await store.close()
    assert len(stored[1]) == lines
    assert stored[0] == stored[1]
