"""What the office sees at its desk (the web console's 概览): this month's submissions against
each unit's quota with the working days left, the quarter's standings, the claims waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.bulletin.compose import Letter
from bot.bulletin.wording import Wording
from bot.storage import FoundLine, Lock, PeriodEvent, Store
from bot.usecases import bulletin as bulletins
from bot.usecases import office, periods, reports
from bot.usecases.bulletin import Issued
from bot.usecases.imports import (
    Existing,
    RecordsImported,
    UnitsImported,
    import_records,
    import_units,
)
from bot.usecases.notices import Notices
from bot.usecases.office import Entered, Reversed
from bot.usecases.reports import Decided
from bot.usecases.request import Request
from bot.usecases.standings import standings_in
from bot.usecases.webusers import acting_admin, actor_of, current_user
from bot.workdays import workdays_between
from scoring.errors import DomainError
from scoring.periods import Period, month_of, quarter_of, read_period
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


async def import_file(
    store: Store,
    name: str,
    form: str,
    kind: str,
    path: Path,
    existing: Existing,
    now: datetime,
    *,
    dry_run: bool,
    notices: Notices | None = None,
) -> RecordsImported | UnitsImported:
    """The console's import of a register (`records`) or a roster (`units`): the command line's
    import, by the user `name` if an admin at this moment. A dry run stores nothing; the real
    one is made once per form (and a file's records once at all: the import knows its bytes)."""
    async with store.transaction() as tx:
        if dry_run:
            user = await current_user(tx, name)
            if not user.is_admin:
                raise DomainError("web_admin_only")
            actor = actor_of(user.name)
        else:
            actor = await acting_admin(tx, name, form, now)
    if kind == "units":
        return await import_units(store, path, actor, now, dry_run=dry_run, notices=notices)
    return await import_records(store, path, actor, now, existing, dry_run=dry_run)


async def _acting(store: Store, name: str, form: str, now: datetime, notices: Notices) -> Request:
    """The request of the user `name` if an admin at this moment, its form claimed once (in a
    transaction of its own: the use cases below open theirs)."""
    async with store.transaction() as tx:
        actor = await acting_admin(tx, name, form, now)
    return Request(actor, now, name=name, notices=notices)


async def lock_period(
    store: Store, name: str, form: str, period: str, now: datetime, notices: Notices
) -> Period:
    """The console's lock of a period: the chat's and the command line's, by an admin at this
    moment, once per form."""
    return await periods.lock(store, period, await _acting(store, name, form, now, notices))


async def reopen_period(
    store: Store, name: str, form: str, period: str, reason: str, now: datetime,
    notices: Notices,
) -> Period:  # fmt: skip
    """The console's reopening of a period with its reason, as lock_period."""
    request = await _acting(store, name, form, now, notices)
    return await periods.reopen(store, period, reason, request)


async def publish_bulletin(
    store: Store, name: str, form: str, period: Period, letter: Letter, wording: Wording,
    now: datetime, notices: Notices,
) -> Issued:  # fmt: skip
    """The console's publication of a period's bulletin with the issue number and date shown in
    its preview: the chat's publish (locking the period), by an admin at this moment, once per
    form."""
    request = await _acting(store, name, form, now, notices)
    issued = await bulletins.publish(store, period, request, letter, wording, as_reviewed=False)
    await _nudge(store)
    return issued


# Lines a search of the ledger shows: the latest ones.
SEARCH_LIMIT = 500


@dataclass(frozen=True)
class LedgerSearch:
    period: Period
    lines: list[FoundLine]
    # The ledger has more lines matching than are shown.
    more: bool


async def search_ledger(
    store: Store, period_text: str, unit: str, rule_id: str, actor: str, now: datetime
) -> LedgerSearch:
    """The ledger's lines of a period (this quarter if none is named), of a unit (by any of
    its names), an item and an actor where given, the latest first."""
    today = now.date()
    period = read_period(period_text, today) if period_text.strip() else quarter_of(today)
    async with store.reading() as tx:
        unit_id = (await tx.units.resolve_unit(unit))[0] if unit.strip() else 0
        lines = await tx.ledger.search_lines(
            period.start, period.end, unit_id, rule_id.strip(), actor.strip(), SEARCH_LIMIT + 1
        )
    return LedgerSearch(period, lines[:SEARCH_LIMIT], len(lines) > SEARCH_LIMIT)


async def reverse_line(
    store: Store, name: str, form: str, entry_id: int, reason: str, now: datetime,
    notices: Notices,
) -> Reversed:  # fmt: skip
    """The console's reversal of a ledger line with its reason: the chat's /reverse, by an
    admin at this moment, once per form."""
    reason = reports.check_reason(reason)
    request = await _acting(store, name, form, now, notices)
    done = await office.reverse(store, entry_id, reason, request)
    await _nudge(store)
    return done


async def enter_penalty(
    store: Store, name: str, form: str, unit: str, item: str, day: date, note: str,
    now: datetime, notices: Notices,
) -> Entered:  # fmt: skip
    """The console's penalty: the chat's /penalty, by an admin at this moment, once per form."""
    request = await _acting(store, name, form, now, notices)
    done = await office.penalise(store, unit, item, day, note, request)
    await _nudge(store)
    return done


async def enter_adjustment(
    store: Store, name: str, form: str, unit: str, points: int, reason: str, now: datetime,
    notices: Notices,
) -> Entered:  # fmt: skip
    """The console's adjustment with its reason, as enter_penalty."""
    request = await _acting(store, name, form, now, notices)
    done = await office.adjust(store, unit, points, reason, request)
    await _nudge(store)
    return done


async def period_history(store: Store) -> tuple[list[Lock], list[PeriodEvent]]:
    return await periods.history(store)


async def _nudge(store: Store) -> None:
    """The liaison's notice is in the outbox, committed: the running bot is told to send it."""
    async with store.reading() as tx:
        await tx.outbox.nudge_courier()
