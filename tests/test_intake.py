"""The intake's storage: updates stored once, known again when redelivered, marked handled once,
forgotten after a while. SQLite only: the working file and the database's claims (on
PostgreSQL the dispatcher of bot/telegram/replicas.py claims updates: tests/test_replicas.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot

from bot import texts
from bot.fakeapi import FakeBotApi
from bot.storage import AlreadyProcessed, Store, sql
from bot.telegram.intake import Intake
from tests.chat import STRANGER, bot_on, flat, prepare_db

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)


async def test_updates_are_stored_once_and_handled_once(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.sqlite3")
    intake = Intake(lambda: NOW)
    intake.use(store)
    try:
        async with store.bot_autocommit() as tx:
            assert await tx.intake.store_updates([(1, '{"a": 1}'), (2, '{"b": 2}')], NOW) == {1, 2}
        async with store.bot_autocommit() as tx:
            # A redelivered batch: only the update never seen is fresh.
            later = NOW + timedelta(seconds=1)
            assert await tx.intake.store_updates([(2, '{"b": 2}'), (3, '{"c": 3}')], later) == {3}
            assert await tx.intake.unhandled_updates() == [
                (1, '{"a": 1}'),
                (2, '{"b": 2}'),
                (3, '{"c": 3}'),
            ]
        # An action in the database claims its update there, once.
        async with store.transaction() as tx:
            await tx.intake.claim_update(2, NOW)
        with pytest.raises(AlreadyProcessed):
            async with store.transaction() as tx:
                await tx.intake.claim_update(2, NOW)
        # An action in the working file claims it there, once.
        async with store.bot_transaction() as tx:
            await tx.intake.claim_update(3, NOW)
        assert 3 in intake.claimed
        with pytest.raises(AlreadyProcessed):
            async with store.bot_transaction() as tx:
                await tx.intake.claim_update(3, NOW)
        async with store.bot_autocommit() as tx:
            # 2 is claimed in the database: the working file learns it is handled.
            assert await tx.intake.unhandled_updates() == [(1, '{"a": 1}')]
            await tx.intake.mark_handled(1, NOW)
            await tx.intake.mark_handled(3, NOW + timedelta(days=5))  # handled already: unchanged
            assert await tx.intake.unhandled_updates() == []
        # An action on an update never stored counts once too.
        async with store.bot_transaction() as tx:
            await tx.intake.claim_update(99, NOW)
        async with store.bot_autocommit() as tx:
            assert await tx.intake.forget_updates(NOW + timedelta(seconds=1)) == 4
            assert await tx.intake.store_updates([(1, "{}")], NOW) == {1}, "forgotten, new again"
        async with store.transaction() as tx:
            assert await tx.intake.forget_updates(NOW + timedelta(seconds=1)) == 1
            await tx.intake.claim_update(2, NOW)  # forgotten in the database too: new again
    finally:
        await store.close()


async def test_updates_stored_but_not_handled_come_first_at_the_next_start(tmp_path: Path) -> None:
    """What the last run received and did not handle is handled at start-up, in order; an update
    that cannot be read is skipped rather than stopping every start."""
    db = tmp_path / "bot.sqlite3"
    await prepare_db(db)
    async with FakeBotApi() as server:
        # Stored by a bot that died before handling them; Telegram delivers them again too.
        first = server.send_message(STRANGER, "/help")
        second = server.send_message(STRANGER, "/start")
        unreadable = {"update_id": second["update_id"], "message": {}}
        store = await Store.open(db)
        async with store.bot_autocommit() as tx:
            await tx.intake.store_updates(
                [
                    (first["update_id"], json.dumps(first)),
                    (second["update_id"], json.dumps(unreadable)),
                ],
                NOW,
            )
        await store.close()
        server.send_message(STRANGER, "/start")
        async with bot_on(server, tmp_path) as chat:
            help_text = await chat.reply(STRANGER)
            welcome = await chat.reply(STRANGER)
            await chat.settled()
    assert help_text.text.startswith(texts.HELP_LIAISON_HEAD)
    assert flat(welcome.text) == texts.WELCOME_STRANGER
    assert len(server.messages_to(STRANGER)) == 2, "each update handled once"
    store = await Store.open(db)
    async with store.bot_autocommit() as tx:
        assert await tx.intake.unhandled_updates() == []
    await store.close()


async def test_an_update_acted_on_before_a_long_stop_is_not_handled_again(tmp_path: Path) -> None:
    """Its action committed in the database, then the bot died before the working file marked
    it; the next start is days later, when the database's claim is old enough to be forgotten.
    The working file learns of the claim before it goes: the update is not handled again."""
    store = await Store.open(tmp_path / "g.sqlite3")
    try:
        async with store.bot_autocommit() as tx:
            await tx.intake.store_updates([(5, '{"update_id": 5}'), (6, '{"update_id": 6}')], NOW)
        async with store.transaction() as tx:
            await tx.intake.claim_update(5, NOW)
        intake = Intake(lambda: NOW + timedelta(days=5))
        intake.store = store
        assert [u.update_id for u in await intake.unhandled(Bot("1:a"))] == [6]
        async with store.transaction() as tx:
            assert await tx.all(sql("SELECT update_id FROM claimed_updates")) == [], "forgotten"
        async with store.bot_autocommit() as tx:
            assert await tx.intake.unhandled_updates() == [(6, '{"update_id": 6}')]
    finally:
        await store.close()
