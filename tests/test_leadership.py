"""On PostgreSQL the process holding the leader's lock runs the scheduler and the courier
(bot.telegram.replicas.Leadership). A new leader waits the hand-over only when a leader before it
may still be sending: not on a fresh database, nor after a leader that stopped cleanly; after one
cut off from the database, it does (after one killed: tests/test_replicas.py)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot import texts
from bot.fakeapi import FakeBotApi
from bot.telegram.app import INTAKE
from tests.chat import bot_on
from tests.pgserver import PostgresDatabases
from tests.stores import rows

TAKEN = texts.LEADER_TAKEN.split("{db}")[0]
HANDOVER = texts.LEADER_HANDOVER.split("（")[0]


def said(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


async def lost(caplog: pytest.LogCaptureFixture) -> None:
    while not said(caplog, texts.LEADER_LOST.split("{db}")[0]):
        await asyncio.sleep(0.05)


def named_leader(db: str) -> list[tuple[str]]:
    return rows(db, "SELECT value FROM settings WHERE key = 'leader'")


async def test_a_leader_that_stopped_cleanly_is_followed_at_once(
    postgres: PostgresDatabases, caplog: pytest.LogCaptureFixture
) -> None:
    db = postgres.new()
    async with FakeBotApi() as server:
        # A fresh database: nobody led before.
        async with bot_on(server, db) as chat:
            first = chat.app.bot_data[INTAKE].dispatcher.name
            assert named_leader(db) == [(first,)]
        # Stopped cleanly, it resigned before it released the lock.
        assert named_leader(db) == []
        async with bot_on(server, db) as chat:
            assert named_leader(db) == [(chat.app.bot_data[INTAKE].dispatcher.name,)]
    assert len(said(caplog, TAKEN)) == 2
    assert said(caplog, HANDOVER) == []


async def test_a_leader_cut_off_never_counts_as_resigned(
    postgres: PostgresDatabases, caplog: pytest.LogCaptureFixture
) -> None:
    """Its lock's connection gone, a leader stops leading; its stop afterwards, however clean,
    records no resignation: it may have been sending until it noticed."""
    db = postgres.new()
    async with FakeBotApi() as server:
        async with bot_on(server, db) as chat:
            first = chat.app.bot_data[INTAKE].dispatcher.name
            conn = await asyncpg.connect(db)
            try:
                await conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'govinfo-bot leader' AND datname = current_database()"
                )
            finally:
                await conn.close()
            await asyncio.wait_for(lost(caplog), 30)
        assert named_leader(db) == [(first,)]
        async with bot_on(server, db):
            pass
    [waited] = said(caplog, HANDOVER)
    assert f"（{first}）" in waited
