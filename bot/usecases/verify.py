"""Checking a database: `govinfo-bot verify` and the scheduler's daily check."""

from __future__ import annotations

from bot.storage import Store
from bot.storage.verify import SUMS, Verified, check_chain, check_sums, checking


async def verify(store: Store) -> Verified:
    """What guards the database (SQLite's integrity check, PostgreSQL's ledger triggers), the
    ledger's hash chain, and every kept sum against the ledger, in one snapshot; DomainError
    names the first problem. The bot keeps answering meanwhile: the checks read on a
    connection of their own and hash the lines off the event loop."""
    async with checking(store) as tx:
        lines = await check_chain(tx)
        sums = sum([await check_sums(tx, table) for table in SUMS])
    return Verified(lines, sums)
