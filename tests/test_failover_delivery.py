"""A courier stopped mid-broadcast (its process killed, or its leadership lost) and another
taking over: every message is delivered, and only the messages that were in flight — at most
one per chat, at most WORKERS in all — go twice, the second time marked as a possible repeat."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot

from bot import texts
from bot.fakeapi import FakeBotApi
from bot.storage import Address, Store
from bot.telegram.delivery import WORKERS, Courier
from bot.telegram.notices import ANSWER_HOLD
from tests.chat import prepare_db

CHATS = 40
PER_CHAT = 3


def _now() -> datetime:
    return datetime.now().astimezone()


async def test_a_courier_stopped_mid_broadcast_repeats_only_what_was_in_flight(
    database: str,
) -> None:
    await prepare_db(database)
    store = await Store.open(database)
    owed = [(5000 + chat, f"通知 {chat}-{n}") for n in range(PER_CHAT) for chat in range(CHATS)]
    try:
        async with store.transaction() as tx:
            await tx.outbox.enqueue(
                "broadcast", [(Address.telegram(c), text) for c, text in owed], _now()
            )
        async with FakeBotApi() as server:
            # Each send is taken at once and answered later: a courier stopped meanwhile has
            # messages Telegram received and it never marked sent.
            server.slow("sendMessage", 0.2)
            async with Bot(server.token, base_url=server.base_url) as bot:
                first = Courier(bot, store, [], _now, lambda: True)
                killed = asyncio.ensure_future(first.deliver())
                while len(server.sent) < CHATS // 2:
                    await asyncio.sleep(0.01)
                killed.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await killed
                received_before = len(server.sent)
                server.slow("sendMessage", 0)
                second = Courier(bot, store, [], _now, lambda: True)
                assert await second.deliver() is False
    finally:
        await store.close()

    copies: Counter[tuple[int, str]] = Counter()
    marked: Counter[tuple[int, str]] = Counter()
    for message in server.sent:
        text = message.text or ""
        key = (message.chat_id, text.removeprefix(texts.RESENT))
        copies[key] += 1
        marked[key] += text.startswith(texts.RESENT)
    # Everything delivered, nothing lost with the first courier.
    assert set(copies) == set(owed)
    repeated = [key for key, n in copies.items() if n > 1]
    assert repeated, f"none was in flight when the courier stopped ({received_before} sent)"
    # Only what was in flight: one message per chat at most, WORKERS at most, each twice, and
    # the second copy says it may be a repeat.
    assert len(repeated) <= WORKERS, repeated
    assert len({chat for chat, _ in repeated}) == len(repeated), repeated
    assert all(copies[key] == 2 and marked[key] == 1 for key in repeated), repeated
    # Marked are only the messages found tried: one per chat at most, WORKERS at most (one
    # whose send was begun may not have reached Telegram, and is marked all the same).
    tried = [key for key in copies if marked[key]]
    assert len(tried) <= WORKERS and len({chat for chat, _ in tried}) == len(tried), tried


def _later(start: datetime, seconds: float) -> Callable[[], datetime]:
    """A clock reading `seconds` after `start`."""
    return lambda: start + timedelta(seconds=seconds)


async def test_an_answer_is_left_to_its_process_until_its_hold_ends(database: str) -> None:
    """An answer owed in its action's transaction is the handling process's to send: another
    process's courier leaves it alone for ANSWER_HOLD, then sends it (that process died before
    sending it), marked as a possible repeat. On SQLite, where one process runs at a time, the
    answers a predecessor left are sent at once."""
    await prepare_db(database)
    store = await Store.open(database)
    written = _now()
    try:
        async with store.transaction() as tx:
            await tx.outbox.enqueue_answer(
                "answer:1", Address.telegram(5001), ["已记录报送"], written, written + ANSWER_HOLD
            )
        async with FakeBotApi() as server, Bot(server.token, base_url=server.base_url) as bot:
            # Another process, while the hold lasts: nothing is sent.
            other = Courier(bot, store, [], _later(written, 1), lambda: True, shared=True)
            assert await other.deliver() is True  # some is left
            assert server.sent == []
            # The hold over: sent once, marked.
            after = Courier(
                bot, store, [], _later(written, ANSWER_HOLD.seconds + 1), lambda: True, shared=True
            )
            assert await after.deliver() is False
            assert [m.text for m in server.sent] == [f"{texts.RESENT}已记录报送"]

        async with store.transaction() as tx:
            await tx.outbox.enqueue_answer(
                "answer:2", Address.telegram(5002), ["第二条"], written, written + ANSWER_HOLD
            )
        async with FakeBotApi() as server, Bot(server.token, base_url=server.base_url) as bot:
            # One process at a time (SQLite's lease): a courier started after the answer was
            # written sends it at once; a shared one waits for the hold.
            shared = Courier(bot, store, [], _later(written, 1), lambda: True, shared=True)
            await shared.deliver()
            assert server.sent == []
            alone = Courier(bot, store, [], _later(written, 1), lambda: True)
            await alone.deliver()
            assert [m.text for m in server.sent] == [f"{texts.RESENT}第二条"]
    finally:
        await store.close()
