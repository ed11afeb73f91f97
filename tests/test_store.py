"""Storage guarantees: migrations, pragmas, an append-only ledger, all-or-nothing actions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.migrate import migration_files
from bot.storage import NewRecord, Store
from bot.usecases.setup import initialize
from scoring.engine import score
from scoring.records import Record

NOW = datetime(2024, 6, 1, tzinfo=UTC)


async def test_migrations_pragmas_and_append_only_ledger(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite3"
    store = await Store.open(path)
    ruleset, _ = await initialize(store, "dengkou-2024")
    async with store.transaction() as tx:
        await tx.db.execute(
            "INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '')"
        )
        batch = await tx.add_batch("test", "tester", NOW)
        record = Record("教育局", date(2024, 5, 6), "city.jccc")
        await tx.add_records(batch, [NewRecord(1, record, score(ruleset, record))], NOW)
    await store.close()

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(migration_files())
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE ledger SET points = 1000")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM ledger")
        assert db.execute("SELECT points FROM ledger").fetchall() == [(18,)]

    # Opening again applies nothing twice, and foreign keys are on for the store's connection.
    store = await Store.open(path)
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx.db.execute("INSERT INTO unit_aliases (alias, unit_id) VALUES ('x', 999)")
    await store.close()


async def test_a_failing_action_leaves_nothing(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.sqlite3")
    ruleset, _ = await initialize(store, "dengkou-2024")
    record = Record("教育局", date(2024, 5, 6), "city.jccc")
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.db.execute(
                "INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '')"
            )
            batch = await tx.add_batch("test", "tester", NOW)
            await tx.add_records(batch, [NewRecord(1, record, score(ruleset, record))], NOW)
            raise RuntimeError("the process dies half-way")
    async with store.reading() as tx:
        assert await tx.units() == []
        assert await tx.db.execute_fetchall("SELECT * FROM ledger") == []
    await store.close()
