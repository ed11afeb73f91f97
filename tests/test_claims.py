"""Replicas claiming updates from the PostgreSQL intake: each update once, a chat's in order, a
dead claimer's updates taken over once its claims expire, and those its actions committed not
handled again."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.storage import Store
from tests.pgserver import PostgresDatabases

NOW = datetime(2026, 3, 20, 9, 0)
A, B = 501, 502  # two chats


async def claim(store: Store, replica: str, now: float = 100.0) -> int | None:
    async with store.bot_autocommit() as tx:
        claimed = await tx.claim_next(replica, now, now + 10)
    return claimed[0] if claimed else None


async def test_each_update_once_and_a_chats_in_order(postgres: PostgresDatabases) -> None:
    db = postgres.new()
    stores = [await Store.open(db) for _ in range(3)]
    try:
        async with stores[0].bot_autocommit() as tx:
            await tx.store_updates(
                [(1, "{}", A), (2, "{}", A), (3, "{}", B), (4, "{}", A), (5, "{}", None)], NOW
            )
        # Three replicas claiming at once take three different updates: chat A's first, chat
        # B's, and the one without a chat; not chat A's second while its first is held.
        first = await asyncio.gather(*(claim(s, f"r{i}") for i, s in enumerate(stores)))
        assert sorted(first) == [1, 3, 5]  # type: ignore[type-var]
        assert await claim(stores[0], "r0") is None
        async with stores[0].bot_autocommit() as tx:
            for update_id in (1, 3, 5):
                await tx.mark_handled(update_id, NOW)
        assert await claim(stores[1], "r1") == 2
        # r1 dies holding update 2: nobody takes it before its claim expires, then another does.
        assert await claim(stores[2], "r2", now=105.0) is None
        assert await claim(stores[2], "r2", now=111.0) == 2
        async with stores[2].bot_autocommit() as tx:
            await tx.mark_handled(2, NOW)
        assert await claim(stores[0], "r0", now=112.0) == 4
        # r0 renews its claim while it works: at 115 it is still its own.
        async with stores[0].bot_autocommit() as tx:
            assert await tx.renew_claims("r0", [4], 125.0) == 1
        assert await claim(stores[1], "r1", now=115.0) is None
    finally:
        for store in stores:
            await store.close()


async def test_an_update_acted_on_by_a_dead_claimer_is_not_handled_again(
    postgres: PostgresDatabases,
) -> None:
    db = postgres.new()
    store = await Store.open(db)
    try:
        async with store.bot_autocommit() as tx:
            await tx.store_updates([(7, "{}", A), (8, "{}", A)], NOW)
            assert await tx.claim_next("dead", 100.0, 110.0) == (7, "{}")
        # Its action committed (claimed in the database), then the process died unmarked.
        async with store.transaction() as tx:
            await tx.claim_update(7, NOW)
        async with store.bot_autocommit() as tx:
            await tx.absorb_claims()
            # Taken over after the expiry: update 7 is done, so chat A's next is 8.
            assert await tx.claim_next("alive", 120.0, 130.0) == (8, "{}")
    finally:
        await store.close()
