"""Checking a database: `govinfo-bot verify` and the scheduler's daily check."""

from __future__ import annotations

import asyncio

from bot.storage import Store
from bot.storage.verify import Verified, verify_database


async def verify(store: Store) -> Verified:
    """SQLite's integrity check, the ledger's hash chain, and every kept sum against the ledger;
    DomainError names the first problem. It reads everything, so it runs in a thread on a
    connection of its own: the bot keeps answering meanwhile."""
    return await asyncio.to_thread(verify_database, store.path)
