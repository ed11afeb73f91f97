"""The bot's working file: what the running bot writes for itself (updates received, summaries,
its lease) never waits for the database's write lock, which another process may hold for half a
minute (a large import from the command line); a database from before it moves there whole.
SQLite only: PostgreSQL has no working file (its bot tables are in the database)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot

from bot import texts
from bot.lease import Lease
from bot.storage import Address, Store, bot_file_path, database_files, migration_files, sql
from bot.storage.chain import line_hash
from bot.telegram.intake import Intake
from scoring.errors import DomainError
from scoring.records import Record
from tests.chat import LIAISON, running_bot

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)


@contextmanager
def write_lock_held(db: Path) -> Iterator[sqlite3.Connection]:
    """Another process's write transaction on the database, open until the block ends."""
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE settings SET value = value WHERE key = 'ruleset'")
        yield other
        other.execute("COMMIT")
    finally:
        other.close()


async def test_the_chat_answers_while_another_process_holds_the_write_lock(tmp_path: Path) -> None:
    """/me and a report's summary come back at once; the confirmation, which stores the claim
    in the database, waits for the lock and is stored once it is free. (The database's busy
    timeout is a minute: a reply that waited for the lock would miss the 5 s of `ask`.)"""
    async with running_bot(tmp_path) as chat:
        await chat.join(LIAISON, "教育局")
        with write_lock_held(chat.db()):
            started = time.monotonic()
            me = await chat.ask(LIAISON, "/me")
            assert "教育局" in me.text
            summary = await chat.ask(LIAISON, "采用 《决策参考》 关于沙漠治理的调研 今天")
            assert "请确认申报" in summary.text
            assert time.monotonic() - started < 4
            cancel = summary.callback_data("取消")
            await chat.press(LIAISON, summary, "✅ 确认提交")
            await asyncio.sleep(0.5)
            assert "请确认申报" in summary.message["text"], "the claim waits for the lock"
            # Cancelled meanwhile, by its button or by another command: refused, the claim is
            # on its way.
            chat.press_data(LIAISON, summary, cancel)
            assert "教育局" in (await chat.ask(LIAISON, "/me")).text
            for _ in range(100):
                if chat.server.callback_answers[-1:] and chat.server.callback_answers[-1].text:
                    break
                await asyncio.sleep(0.02)
            assert chat.server.callback_answers[-1].text == texts.ERRORS["draft_confirming"]
        # The lock released: the claim is stored and the summary says so.
        assert "等待信息室审核" in await chat.edited(summary, "等待信息室审核")
        assert texts.REPORT_CANCELLED not in summary.message["text"]
        # The confirmed summary's buttons are spent.
        chat.press_data(LIAISON, summary, cancel)
        await chat.settled()
        assert chat.server.callback_answers[-1].text == texts.ERRORS["button_stale"]


async def test_the_lease_is_taken_and_renewed_while_the_database_is_locked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "g.sqlite3"
    store = await Store.open(path)
    try:
        with write_lock_held(path):
            started = time.monotonic()
            lease = Lease(store, 0.4)
            assert not await lease.acquire(lambda holder: None)
            lost: list[str] = []
            lease.keep(lost.append)
            before = _expiry(path)
            await asyncio.sleep(0.5)  # two renewals
            assert _expiry(path) > before and not lost
            assert time.monotonic() - started < 2
            await lease.release()
    finally:
        await store.close()


async def test_a_database_from_before_the_working_file_moves_what_the_bot_had_kept(
    tmp_path: Path,
) -> None:
    """Updates received and not handled, and summaries (ids kept: their buttons carry them),
    move to the working file; updates already acted on stay in the database as claimed, so a
    redelivery still changes nothing."""
    path = tmp_path / "g.sqlite3"
    with sqlite3.connect(path, isolation_level=None) as conn:
        # Migration 0007 chains the ledger lines there with it.
        conn.create_function("ledger_line_hash", 14, lambda prev, *line: line_hash(prev, line))
        for version, script in migration_files()[:7]:
            conn.executescript(script)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '')")
        conn.executemany(
            "INSERT INTO intake (update_id, payload, received_at, handled_at) VALUES (?, ?, ?, ?)",
            [
                (10, '{"update_id": 10}', NOW.isoformat(), NOW.isoformat()),
                (11, '{"update_id": 11}', NOW.isoformat(), None),
            ],
        )
        conn.execute(
            "INSERT INTO drafts (id, user_id, unit_id, date, item_id, title, created_at) "
            "VALUES (5, 1001, 1, '2026-03-01', 'city.jccc', '一篇调研', ?)",
            (NOW.isoformat(),),
        )
        # An earlier bot still running on it: refused, nothing changed.
        conn.execute(
            "INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ('bot', 'old', ?, ?)",
            (time.time(), time.time() + 60),
        )
    with pytest.raises(DomainError) as refused:
        await Store.open(path)
    assert refused.value.code == "earlier_bot_running"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
        assert conn.execute("SELECT COUNT(*) FROM intake").fetchone()[0] == 2
        # It stopped: its lease expired.
        conn.execute("UPDATE leases SET expires_at = ?", (time.time() - 1,))
    store = await Store.open(path)
    try:
        async with store.bot_autocommit() as tx:
            assert await tx.intake.unhandled_updates() == [(11, '{"update_id": 11}')]
            # The update handled before is known: delivered again, it is not fresh.
            assert await tx.intake.store_updates([(10, "{}")], NOW) == set()
        async with store.bot_transaction() as tx:
            draft = await tx.drafts.draft(5)
        assert draft is not None and draft.unit == "教育局" and draft.record.title == "一篇调研"
        async with store.transaction() as tx:
            assert await tx.all(sql("SELECT update_id FROM claimed_updates")) == [(10,)]
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migration_files())
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        assert not tables & {"intake", "drafts", "leases"}
    assert bot_file_path(path).exists()


async def add_unit(store: Store, name: str, group: str) -> None:
    async with store.transaction() as tx:
        await tx.write(
            sql("INSERT INTO units (name, group_id, created_at) VALUES (:name, :g, '')"),
            {"name": name, "g": group},
        )


def _expiry(db: Path) -> float:
    with sqlite3.connect(bot_file_path(db)) as conn:
        (expires,) = conn.execute("SELECT expires_at FROM leases").fetchone()
    return float(expires)


async def test_a_working_file_beside_another_database_keeps_only_unhandled_updates(
    tmp_path: Path,
) -> None:
    """The database deleted and made anew at the same path: the old summaries name the old
    database's units and are dropped; updates received and not yet handled are still handled."""
    path = tmp_path / "g.sqlite3"
    store = await Store.open(path)
    try:
        await add_unit(store, "教育局", "A")
        async with store.bot_transaction() as tx:
            draft_id = await tx.drafts.add_draft(
                Address.telegram(7), 1, Record("教育局", NOW.date(), "city.jccc"), "", NOW
            )
            assert await tx.intake.store_updates([(1, "{}"), (2, "{}")], NOW) == {1, 2}
            await tx.intake.mark_handled(1, NOW)
    finally:
        await store.close()
    for file in database_files(path)[:3]:
        file.unlink(missing_ok=True)
    store = await Store.open(path)
    try:
        await add_unit(store, "公安局", "B")
        async with store.bot_autocommit() as tx:
            # Its unit 1 is 公安局 now: the old summary is gone rather than confirmed for it.
            assert await tx.drafts.draft(draft_id) is None
            assert await tx.intake.unhandled_updates() == [(2, "{}")]
            assert await tx.intake.store_updates([(1, "{}")], NOW) == {1}, "the old mark is gone"
    finally:
        await store.close()


async def test_the_working_file_is_named_after_the_database_itself(tmp_path: Path) -> None:
    """Reached through a symbolic link, the database has one working file: one lease."""
    real = tmp_path / "data" / "govinfo.sqlite3"
    real.parent.mkdir()
    link = tmp_path / "link.sqlite3"
    link.symlink_to(real)
    store = await Store.open(link)
    await store.close()
    assert bot_file_path(real).exists() and not bot_file_path(link).exists()


async def test_the_start_does_not_wait_for_the_write_lock(tmp_path: Path) -> None:
    """At start-up the bot forgets old marks in the database, unless another process holds its
    write lock: then later, rather than after the busy timeout of a minute."""
    path = tmp_path / "g.sqlite3"
    store = await Store.open(path)
    try:
        async with store.bot_autocommit() as tx:
            await tx.intake.store_updates([(6, '{"update_id": 6}')], NOW)
        async with store.transaction() as tx:
            await tx.intake.claim_update(5, NOW)
        intake = Intake(lambda: NOW + timedelta(days=5))
        intake.store = store
        with write_lock_held(path):
            started = time.monotonic()
            assert [u.update_id for u in await intake.unhandled(Bot("1:a"))] == [6]
            assert time.monotonic() - started < 2
        async with store.reading() as tx:
            assert await tx.all(sql("SELECT update_id FROM claimed_updates")) == [(5,)], "kept"
        assert [u.update_id for u in await intake.unhandled(Bot("1:a"))] == [6]
        async with store.reading() as tx:
            assert await tx.all(sql("SELECT update_id FROM claimed_updates")) == [], "forgotten now"
    finally:
        await store.close()
