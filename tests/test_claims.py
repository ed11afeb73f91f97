"""Replicas claiming updates from the PostgreSQL intake: each update once, a chat's in order
(also while an earlier one's conversation is being kept after its action marked it handled), a
dead claimer's updates taken over once its claims expire, and those its actions committed not
handled again. Claims are timed by the server's clock: the tests wait for real."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.storage import Store
from tests.pgserver import PostgresDatabases

NOW = datetime(2026, 3, 20, 9, 0)
A, B = 501, 502  # two chats
SHORT = 0.3  # seconds a claim lasts in these tests


async def claim(store: Store, replica: str, seconds: float = 60.0) -> int | None:
    async with store.bot_autocommit() as tx:
        claimed = await tx.intake.claim_next(replica, seconds)
    return claimed[0] if claimed else None


async def finish(store: Store, update_id: int) -> None:
    async with store.bot_autocommit() as tx:
        await tx.intake.finish_claim(update_id, NOW)


async def test_each_update_once_and_a_chats_in_order(postgres: PostgresDatabases) -> None:
    db = postgres.new()
    stores = [await Store.open(db) for _ in range(3)]
    try:
        async with stores[0].bot_autocommit() as tx:
            await tx.intake.store_updates(
                [(1, "{}", A), (2, "{}", A), (3, "{}", B), (4, "{}", A), (5, "{}", None)], NOW
            )
        # Three replicas claiming at once take three different updates: chat A's first, chat
        # B's, and the one without a chat; not chat A's second while its first is held.
        first = await asyncio.gather(*(claim(s, f"r{i}") for i, s in enumerate(stores)))
        assert sorted(first) == [1, 3, 5]  # type: ignore[type-var]
        assert await claim(stores[0], "r0") is None
        # Update 1's action marks it handled; its conversation is not kept yet: chat A waits.
        async with stores[0].bot_autocommit() as tx:
            await tx.intake.mark_handled(1, NOW)
        assert await claim(stores[1], "r1") is None
        for update_id in (1, 3, 5):
            await finish(stores[0], update_id)
        assert await claim(stores[1], "r1", SHORT) == 2
        # r1 dies holding update 2: nobody takes it before its claim expires, then another does.
        assert await claim(stores[2], "r2") is None
        await asyncio.sleep(SHORT + 0.1)
        assert await claim(stores[2], "r2") == 2
        await finish(stores[2], 2)
        assert await claim(stores[0], "r0", SHORT) == 4
        # r0 renews its claim while it works: after the first expiry it is still its own.
        async with stores[0].bot_autocommit() as tx:
            assert await tx.intake.renew_claims("r0", [4], 60.0) == 1
        await asyncio.sleep(SHORT + 0.1)
        assert await claim(stores[1], "r1") is None
        # An update that could not be handled now is released at once, not handled.
        async with stores[0].bot_autocommit() as tx:
            await tx.intake.finish_claim(4, None)
        assert await claim(stores[1], "r1") == 4
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
            await tx.intake.store_updates([(7, "{}", A), (8, "{}", A)], NOW)
            assert await tx.intake.claim_next("dead", SHORT) == (7, "{}")
        # Its action committed (claimed in the database), then the process died unmarked.
        async with store.transaction() as tx:
            await tx.intake.claim_update(7, NOW)
        async with store.bot_autocommit() as tx:
            # A live claim is its holder's to finish.
            assert await tx.intake.absorb_expired_claims() == 0
        await asyncio.sleep(SHORT + 0.1)
        async with store.bot_autocommit() as tx:
            assert await tx.intake.absorb_expired_claims() == 1
            # Update 7 is done, so chat A's next is 8.
            assert await tx.intake.claim_next("alive", 60.0) == (8, "{}")
    finally:
        await store.close()
