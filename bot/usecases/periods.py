"""Locking a period once its numbers are published, and reopening it with a reason."""

from __future__ import annotations

from bot.storage import Lock, PeriodEvent, Store
from bot.usecases.notices import Answer, owe_answer
from bot.usecases.request import Request, claim
from scoring.errors import DomainError
from scoring.periods import Period, read_period
from scoring.records import clean_note


async def lock(
    store: Store,
    period_text: str,
    request: Request,
    answer: Answer[Period] | None = None,
) -> Period:
    """Lock a period that has ended: nothing dated inside it can change any more."""
    now = request.at
    period = read_period(period_text, now.date())
    if period.end >= now.date():
        raise DomainError("period_not_ended", period=period.name, end=period.end.isoformat())
    async with store.transaction() as tx:
        await claim(tx, request)
        current = next((x for x in await tx.periods.locks() if x.period == period.label), None)
        if current is not None:
            raise DomainError(
                "period_already_locked",
                period=period.name,
                who=current.actor_name or current.actor,
                at=current.at.strftime("%Y-%m-%d %H:%M"),
            )
        await tx.periods.add_lock(period, request.actor, request.name, now)
        await owe_answer(tx, answer, period, f"answer:lock:{period.label}", now)
    return period


async def reopen(
    store: Store,
    period_text: str,
    reason: str,
    request: Request,
    answer: Answer[Period] | None = None,
) -> Period:
    """Reopen a locked period; the reason stays in the audit trail with who and when."""
    now = request.at
    period = read_period(period_text, now.date())
    reason = clean_note(reason)
    if not reason:
        raise DomainError("reason_missing")
    async with store.transaction() as tx:
        await claim(tx, request)
        if not any(x.period == period.label for x in await tx.periods.locks()):
            raise DomainError("period_not_locked", period=period.name)
        await tx.periods.remove_lock(period.label, request.actor, request.name, reason, now)
        await owe_answer(tx, answer, period, f"answer:reopen:{period.label}", now)
    return period


async def history(store: Store) -> tuple[list[Lock], list[PeriodEvent]]:
    """The periods locked now, and every lock and reopening ever made."""
    async with store.reading() as tx:
        return await tx.periods.locks(), await tx.periods.period_events()
