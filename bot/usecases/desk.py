"""What the office sees at its desk (the web console's 概览): this month's submissions against
each unit's quota with the working days left, the quarter's standings, the claims waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage import Store
from bot.usecases import reports
from bot.usecases.notices import Notices
from bot.usecases.reports import Decided
from bot.usecases.request import Request
from bot.usecases.standings import standings_in
from bot.usecases.webusers import acting_admin
from bot.workdays import workdays_between
from scoring.periods import Period, month_of, quarter_of
from scoring.quota import quotas_of
from scoring.ruleset import Ruleset
from scoring.standings import Standings


@dataclass(frozen=True)
class UnitMonth:
    unit: str
    group: str
    submissions: int
    # None: the unit's group has no monthly quota.
    quota: int | None

    @property
    def behind(self) -> bool:
        return self.quota is not None and self.submissions < self.quota


@dataclass(frozen=True)
class Overview:
    ruleset: Ruleset
    month: Period
    # Working days from today to the month's end, today included.
    workdays_left: int
    units: list[UnitMonth]
    quarter: Standings
    pending: int


async def overview(store: Store, now: datetime) -> Overview:
    today = now.date()
    month = month_of(today)
    async with store.reading(snapshot=True) as tx:
        ruleset, quarter = await standings_in(tx, quarter_of(today))
        active = {unit_id for unit_id, _ in (await tx.units.unit_lookup()).values()}
        units = [u for u in await tx.units.units() if u.id in active]
        counts = await tx.quota.submission_counts(month)
        pending = len(await tx.records.pending_claims())
    quotas = quotas_of(ruleset, [(u.id, u.group) for u in units])
    labels = {g.id: g.display for g in ruleset.groups}
    rows = [
        UnitMonth(u.name, labels.get(u.group, u.group), counts.get(u.id, 0), quotas.get(u.id))
        for u in units
    ]
    left = len(workdays_between(today, month.end))
    return Overview(ruleset, month, left, rows, quarter, pending)


async def approve(
    store: Store, name: str, form: str, record_id: int, now: datetime, notices: Notices
) -> Decided:
    """The console's approval of a claim: the chat's approve, by the user `name` if an admin at
    this moment, once per form; the liaisons are told through `notices`."""
    async with store.transaction() as tx:
        actor = await acting_admin(tx, name, form, now)
        request = Request(actor, now, name=name, notices=notices)
        decided = await reports.approve_in(tx, record_id, request)
    await _nudge(store)
    return decided


async def reject(
    store: Store,
    name: str,
    form: str,
    record_id: int,
    reason: str,
    now: datetime,
    notices: Notices,
) -> Decided:
    """The console's rejection of a claim, as approve."""
    reason = reports.check_reason(reason)
    async with store.transaction() as tx:
        actor = await acting_admin(tx, name, form, now)
        request = Request(actor, now, name=name, notices=notices)
        decided = await reports.reject_in(tx, record_id, reason, request)
    await _nudge(store)
    return decided


async def _nudge(store: Store) -> None:
    """The liaison's notice is in the outbox, committed: the running bot is told to send it."""
    async with store.reading() as tx:
        await tx.outbox.nudge_courier()
