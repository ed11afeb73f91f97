"""Locked periods: what a published bulletin showed can no longer change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.query import Repository
from bot.storage.sql import sql
from scoring.errors import DomainError
from scoring.periods import Period, parse_period


@dataclass(frozen=True)
class Lock:
    period: str
    first_day: date
    last_day: date
    actor: str
    actor_name: str
    at: datetime

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class PeriodEvent:
    period: str
    event: str
    actor: str
    actor_name: str
    reason: str
    at: datetime


_LOCKS = sql(
    "SELECT period, first_day, last_day, actor, actor_name, at FROM period_locks "
    "ORDER BY first_day, period"
)
_ADD_LOCK = sql(
    "INSERT INTO period_locks (period, first_day, last_day, actor, actor_name, at) "
    "VALUES (:period, :first_day, :last_day, :actor, :actor_name, :at)"
)
_REMOVE_LOCK = sql("DELETE FROM period_locks WHERE period = :period")
_PERIOD_EVENTS = sql(
    "SELECT period, event, actor, actor_name, reason, at FROM period_events ORDER BY id"
)
_ADD_PERIOD_EVENT = sql(
    "INSERT INTO period_events (period, event, actor, actor_name, reason, at) "
    "VALUES (:period, :event, :actor, :actor_name, :reason, :at)"
)


class PeriodStorage(Repository):
    async def locks(self) -> list[Lock]:
        rows = await self.all(_LOCKS)
        return [
            Lock(
                p,
                date.fromisoformat(a),
                date.fromisoformat(b),
                who,
                name,
                datetime.fromisoformat(t),
            )
            for p, a, b, who, name, t in rows
        ]

    async def refuse_locked(self, days: Iterable[date]) -> None:
        """Refuse, naming the lock, if any of these days lies in a locked period."""
        locks = await self.locks()
        if not locks:
            return
        for day in sorted(set(days)):
            for lock in locks:
                if lock.covers(day):
                    raise locked_error(lock, day)

    async def add_lock(self, period: Period, actor: str, actor_name: str, now: datetime) -> None:
        await self.write(
            _ADD_LOCK,
            {"period": period.label, "first_day": period.start.isoformat(),
             "last_day": period.end.isoformat(), "actor": actor, "actor_name": actor_name,
             "at": now.isoformat()},
        )  # fmt: skip
        await self._period_event(period.label, "locked", actor, actor_name, "", now)

    async def remove_lock(
        self, period: str, actor: str, actor_name: str, reason: str, now: datetime
    ) -> None:
        await self.write(_REMOVE_LOCK, {"period": period})
        await self._period_event(period, "reopened", actor, actor_name, reason, now)

    async def period_events(self) -> list[PeriodEvent]:
        rows = await self.all(_PERIOD_EVENTS)
        return [
            PeriodEvent(p, e, who, name, reason, datetime.fromisoformat(at))
            for p, e, who, name, reason, at in rows
        ]

    async def _period_event(
        self, period: str, event: str, actor: str, actor_name: str, reason: str, now: datetime
    ) -> None:
        await self.write(
            _ADD_PERIOD_EVENT,
            {"period": period, "event": event, "actor": actor, "actor_name": actor_name,
             "reason": reason, "at": now.isoformat()},
        )  # fmt: skip


def locked_error(lock: Lock, day: date) -> DomainError:
    return DomainError(
        "period_locked",
        date=day.isoformat(),
        period=parse_period(lock.period).name,
        who=lock.actor_name or lock.actor,
        at=lock.at.strftime("%Y-%m-%d %H:%M"),
    )
