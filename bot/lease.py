"""One running bot per database: the process holding the lease polls Telegram, runs the scheduler
and delivers the outbox; another one started on the same database waits as a standby and takes
over once the holder is gone.

The holder renews its lease every quarter of its lifetime. A standby takes over when the lease
has expired, or at once when the holder was a process on this machine that no longer exists (a
killed bot restarted by its supervisor need not wait for the expiry). The lease is kept in the
bot's working file (see Store), which a long import into the database does not lock: a renewal
never waits past the lease's life for it. The working file is named after the database's real
path, so processes reaching the database by different names share it (a hard link, or the file
mounted elsewhere under another name, is not covered).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

from bot.storage import STORAGE_ERRORS, Store

log = logging.getLogger(__name__)

NAME = "bot"


def this_process() -> str:
    """A holder id: host, process id, and a random part (process ids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def gone(holder: str) -> bool:
    """Whether the holder was a process on this machine that has ended."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process: alive
        return False
    return False


class Lease:
    def __init__(self, store: Store, seconds: float, name: str = NAME) -> None:
        self._store = store
        self._seconds = seconds
        self._name = name
        self.holder = this_process()
        self._keeping: asyncio.Task[None] | None = None

    @property
    def standby_check(self) -> float:
        """How often a standby looks at the lease."""
        return min(2.0, self._seconds / 4)

    async def acquire(self, waiting: Callable[[str], None]) -> bool:
        """Take the lease; while another live process holds it, wait (telling `waiting` who
        holds it, once). Whether it had to wait."""
        told = False
        while True:
            try:
                if await self._take():
                    return told
                if not told:
                    async with self._store.bot_transaction() as tx:
                        current = await tx.lease.lease_holder(self._name)
                    if current is not None:
                        waiting(current.holder)
                        told = True
            except STORAGE_ERRORS:
                # Busy for longer than the busy timeout (a holder stalled inside a write to the
                # working file): nobody can take over meanwhile; keep waiting.
                log.warning("could not look at the lease; trying again", exc_info=True)
            await asyncio.sleep(self.standby_check)

    async def _take(self) -> bool:
        now = time.time()
        async with self._store.bot_transaction() as tx:
            if await tx.lease.take_lease(self._name, self.holder, now, now + self._seconds):
                return True
            current = await tx.lease.lease_holder(self._name)
            return (
                current is not None
                and gone(current.holder)
                and await tx.lease.steal_lease(
                    self._name, self.holder, current.holder, now, now + self._seconds
                )
            )

    def keep(self, lost: Callable[[str], None]) -> None:
        """Renew the lease until released; if another process took it meanwhile (this one was
        stalled for longer than the lease), call `lost` with the new holder and stop renewing."""
        self._keeping = asyncio.create_task(self._keep(lost), name="lease")

    async def _keep(self, lost: Callable[[str], None]) -> None:
        while True:
            await asyncio.sleep(self._seconds / 4)
            try:
                async with self._store.bot_transaction() as tx:
                    kept = await tx.lease.renew_lease(
                        self._name, self.holder, time.time() + self._seconds
                    )
                    current = None if kept else await tx.lease.lease_holder(self._name)
            except Exception:
                # The working file busy for a while (it should not be: only bots write it, and
                # briefly): the lease lasts four renewals.
                log.warning("could not renew the lease; trying again", exc_info=True)
                continue
            if not kept:
                lost(current.holder if current is not None else "")
                return

    async def release(self) -> None:
        if self._keeping is not None:
            self._keeping.cancel()
            self._keeping = None
        async with self._store.bot_transaction() as tx:
            await tx.lease.release_lease(self._name, self.holder)
