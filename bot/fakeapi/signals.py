"""A broadcast wake-up for coroutines waiting on the fake server's state."""

from __future__ import annotations

import asyncio
import contextlib


class Signal:
    """Wakes every current waiter on notify(); waiters then re-check their own condition.

    Unlike a shared asyncio.Event, nobody has to clear it, so any number of waiters (long polls,
    test helpers) can wait at once without stealing each other's wake-ups.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Returns on the next notify() or after `timeout` seconds, whichever comes first."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._event.wait()
