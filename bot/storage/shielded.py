"""Statements that run to their end even when the task awaiting them is cancelled (a courier
stopped mid-send, a leader that lost its lock, a shutdown): the driver finishes a statement it
was given whatever happens to its caller, and a transaction left open on a shared connection
would refuse the next one (SQLite) or take it in as a savepoint never committed (asyncpg)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

log = logging.getLogger(__name__)


async def to_the_end(statement: Awaitable[object]) -> None:
    """`statement` awaited to its end; a cancellation of the caller meanwhile is raised after."""
    task = asyncio.ensure_future(statement)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        if not task.cancelled() and task.exception() is not None:
            log.debug("a statement under a cancelled task failed", exc_info=task.exception())
        raise
