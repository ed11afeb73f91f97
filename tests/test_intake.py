"""The intake's storage: updates stored once, known again when redelivered, marked handled once,
forgotten after a while."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import AlreadyProcessed, Store

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)


async def test_updates_are_stored_once_and_handled_once(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.sqlite3")
    try:
        async with store.autocommit() as tx:
            assert await tx.store_updates([(1, '{"a": 1}'), (2, '{"b": 2}')], NOW) == {1, 2}
        async with store.autocommit() as tx:
            # A redelivered batch: only the update never seen is fresh.
            later = NOW + timedelta(seconds=1)
            assert await tx.store_updates([(2, '{"b": 2}'), (3, '{"c": 3}')], later) == {3}
            assert await tx.unhandled_updates() == [
                (1, '{"a": 1}'),
                (2, '{"b": 2}'),
                (3, '{"c": 3}'),
            ]
        async with store.transaction() as tx:
            await tx.claim_update(2, NOW)
        assert 2 in store.claimed
        with pytest.raises(AlreadyProcessed):
            async with store.transaction() as tx:
                await tx.claim_update(2, NOW)
        async with store.autocommit() as tx:
            await tx.mark_handled(1, NOW)
            await tx.mark_handled(2, NOW + timedelta(days=5))  # handled already: unchanged
            assert await tx.unhandled_updates() == [(3, '{"c": 3}')]
        # An action on an update never stored counts once too.
        async with store.transaction() as tx:
            await tx.claim_update(99, NOW)
        async with store.autocommit() as tx:
            assert await tx.forget_updates(NOW + timedelta(seconds=1)) == 3
            assert await tx.store_updates([(1, "{}")], NOW) == {1}, "forgotten, new again"
    finally:
        await store.close()
