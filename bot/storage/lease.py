"""The lease: which process runs the bot on this database. Whoever holds it polls Telegram,
runs the scheduler and delivers the outbox; any other process waits until it expires."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.query import Repository
from bot.storage.sql import sql


@dataclass(frozen=True)
class LeaseHolder:
    holder: str
    acquired_at: float
    expires_at: float


_TAKE = sql(
    "INSERT INTO leases (name, holder, acquired_at, expires_at) "
    "VALUES (:name, :holder, :acquired_at, :expires_at) "
    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
    "acquired_at = excluded.acquired_at, expires_at = excluded.expires_at "
    "WHERE leases.expires_at < excluded.acquired_at OR leases.holder = excluded.holder"
)
_STEAL = sql(
    "UPDATE leases SET holder = :holder, acquired_at = :acquired_at, expires_at = :expires_at "
    "WHERE name = :name AND holder = :dead"
)
_RENEW = sql("UPDATE leases SET expires_at = :expires_at WHERE name = :name AND holder = :holder")
_RELEASE = sql("DELETE FROM leases WHERE name = :name AND holder = :holder")
_HOLDER = sql("SELECT holder, acquired_at, expires_at FROM leases WHERE name = :name")


class LeaseStorage(Repository):
    async def take_lease(self, name: str, holder: str, now: float, expires_at: float) -> bool:
        """Take the lease if it is free, expired or already ours; whether we hold it now."""
        taken = await self.write(
            _TAKE,
            {"name": name, "holder": holder, "acquired_at": now, "expires_at": expires_at},
        )
        return taken == 1

    async def steal_lease(
        self, name: str, holder: str, dead: str, now: float, expires_at: float
    ) -> bool:
        """Take the lease from `dead`, a holder known to have stopped; False if someone else
        holds it by now."""
        return (
            await self.write(
                _STEAL,
                {
                    "holder": holder,
                    "acquired_at": now,
                    "expires_at": expires_at,
                    "name": name,
                    "dead": dead,
                },
            )
            == 1
        )

    async def renew_lease(self, name: str, holder: str, expires_at: float) -> bool:
        """Extend our lease; False if another process has taken it meanwhile. An expired lease
        nobody took is ours again: nobody acted in our place."""
        return (
            await self.write(_RENEW, {"expires_at": expires_at, "name": name, "holder": holder})
            == 1
        )

    async def release_lease(self, name: str, holder: str) -> None:
        await self.write(_RELEASE, {"name": name, "holder": holder})

    async def lease_holder(self, name: str) -> LeaseHolder | None:
        row = await self.one(_HOLDER, {"name": name})
        return LeaseHolder(*row) if row else None
