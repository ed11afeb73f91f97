"""The lease: which process runs the bot on this database. Whoever holds it polls Telegram,
runs the scheduler and delivers the outbox; any other process waits until it expires."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.query import Repository


@dataclass(frozen=True)
class LeaseHolder:
    holder: str
    acquired_at: float
    expires_at: float


class LeaseStorage(Repository):
    async def take_lease(self, name: str, holder: str, now: float, expires_at: float) -> bool:
        """Take the lease if it is free, expired or already ours; whether we hold it now."""
        cursor = await self.db.execute(
            "INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
            "acquired_at = excluded.acquired_at, expires_at = excluded.expires_at "
            "WHERE leases.expires_at < excluded.acquired_at OR leases.holder = excluded.holder",
            (name, holder, now, expires_at),
        )
        return cursor.rowcount == 1

    async def steal_lease(
        self, name: str, holder: str, dead: str, now: float, expires_at: float
    ) -> bool:
        """Take the lease from `dead`, a holder known to have stopped; False if someone else
        holds it by now."""
        return (
            await self.write(
                "UPDATE leases SET holder = ?, acquired_at = ?, expires_at = ? "
                "WHERE name = ? AND holder = ?",
                (holder, now, expires_at, name, dead),
            )
            == 1
        )

    async def renew_lease(self, name: str, holder: str, expires_at: float) -> bool:
        """Extend our lease; False if another process has taken it meanwhile. An expired lease
        nobody took is ours again: nobody acted in our place."""
        return (
            await self.write(
                "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?",
                (expires_at, name, holder),
            )
            == 1
        )

    async def release_lease(self, name: str, holder: str) -> None:
        await self.write("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))

    async def lease_holder(self, name: str) -> LeaseHolder | None:
        row = await self.one(
            "SELECT holder, acquired_at, expires_at FROM leases WHERE name = ?", (name,)
        )
        return LeaseHolder(*row) if row else None
