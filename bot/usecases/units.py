"""Units over time (机构改革): a unit renamed, merged into another, retired or moved to another
group from a day. Each change is checked against the roster and the locked periods in the
transaction that makes it, kept with its actor (the audit trail), and never touches the
ledger: standings read the changes per period (bot.usecases.standings)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from bot import texts
from bot.storage import Liaison, Store, Tx
from bot.usecases.notices import UnitMerged, UnitRetired
from bot.usecases.request import Request
from scoring.dates import read_day
from scoring.errors import DomainError
from scoring.roster import Change, UnitChange
from scoring.standings import UnitRef
from scoring.text import clean_name, name_key


@dataclass(frozen=True)
class ChangeRequest:
    """What the office asks: `target` is the new name (rename), the surviving unit (merge) or
    the new group (move), empty for a retirement; `start` as written (`2024-07-01`)."""

    change: Change
    unit: str
    target: str
    start: str


@dataclass(frozen=True)
class PlannedChange:
    """A change checked and ready (or made): what the confirmation and the answer say."""

    change: UnitChange
    unit: str
    # The survivor's name (merge), the group's label (move), the new name (rename).
    target: str = ""
    # Liaisons moved to the survivor (merge) or released (retirement).
    liaisons: list[Liaison] = field(default_factory=list)


async def preview_change(
    store: Store, request: ChangeRequest, actor: str, today: date
) -> PlannedChange:
    """What the change would do, for the office to confirm; nothing is stored."""
    async with store.reading() as tx:
        return await plan_change(tx, request, actor, today)


async def change_unit(store: Store, change: ChangeRequest, request: Request) -> PlannedChange:
    """Make the change, checked again in its own transaction (the roster may have changed
    since it was confirmed)."""
    async with store.transaction() as tx:
        return await make_change(tx, change, request)


async def roster_history(store: Store) -> tuple[list[UnitRef], list[UnitChange]]:
    """Every unit as it is now (retired and merged ones too) and every change, by date."""
    async with store.reading() as tx:
        return await tx.units.units(), await tx.units.changes()


async def plan_change(tx: Tx, request: ChangeRequest, actor: str, today: date) -> PlannedChange:
    """The change checked against the roster as this transaction sees it; DomainError naming
    what is wrong (an unknown unit, a merge into itself, a day inside a locked period, a name
    taken...)."""
    unit_id, unit = await tx.units.resolve_unit(request.unit)
    start = read_day(request.start, today)
    if start > today:
        raise DomainError("unit_change_future", start=start.isoformat())
    for lock in await tx.periods.locks():
        if lock.last_day >= start:
            raise DomainError(
                "unit_change_locked", unit=unit, start=start.isoformat(), period=lock.period,
                who=lock.actor_name or lock.actor, at=lock.at.strftime("%Y-%m-%d %H:%M"),
            )  # fmt: skip
    changes = await tx.units.changes()
    latest = max((c.start for c in changes if c.unit_id == unit_id), default=None)
    if latest is not None and start < latest:
        raise DomainError(
            "unit_change_order", unit=unit, start=start.isoformat(), latest=latest.isoformat()
        )
    planned = UnitChange(unit_id, request.change, start, actor=actor)
    if request.change is Change.RENAME:
        new = clean_name(request.target)
        if not new:
            raise DomainError("unit_rename_empty", unit=unit)
        await _refuse_taken(tx, unit_id, unit, new)
        return PlannedChange(replace(planned, old=unit, new=new), unit, new)
    if request.change is Change.MOVE:
        ruleset = await tx.config.ruleset()
        group = ruleset.find_group(request.target)
        current = next(u.group for u in await tx.units.units() if u.id == unit_id)
        if group.id == current:
            raise DomainError("unit_move_same", unit=unit, group=group.display)
        return PlannedChange(replace(planned, old=current, new=group.id), unit, group.display)
    liaisons = await tx.liaisons.liaisons(unit_id)
    if request.change is Change.MERGE:
        into_id, into = await tx.units.resolve_unit(request.target)
        if into_id == unit_id:
            raise DomainError("unit_merge_self", unit=unit)
        return PlannedChange(replace(planned, into=into_id), unit, into, liaisons)
    return PlannedChange(planned, unit, "", liaisons)


async def make_change(tx: Tx, asked: ChangeRequest, request: Request) -> PlannedChange:
    """Check and make the change in `tx`: the unit as it is now changed, the change kept with its
    actor; a merged unit's liaisons moved to the survivor and a retired unit's released, each
    told why (a notice, emitted only where there is someone to tell)."""
    now = request.at
    planned = await plan_change(tx, asked, request.actor, now.date())
    change = planned.change
    await tx.units.add_change(change, now)
    people = tuple(person.address for person in planned.liaisons)
    if change.change is Change.MERGE:
        assert change.into is not None
        for person in people:
            await tx.liaisons.move_liaison(person, change.into)
        if people:
            merged = UnitMerged(change.unit_id, planned.unit, planned.target, change.start, people)
            await request.emit(tx, merged)
    elif change.change is Change.RETIRE:
        reason = texts.UNIT_RETIRED_REASON.format(unit=planned.unit, start=change.start.isoformat())
        for person in people:
            await tx.liaisons.deactivate_liaison(person, reason, now)
        if people:
            await request.emit(tx, UnitRetired(change.unit_id, planned.unit, change.start, people))
    return planned


async def _refuse_taken(tx: Tx, unit_id: int, unit: str, new: str) -> None:
    """A new name must not be another unit's name or alias (nor a name it had), nor the unit's
    own name; the unit's own alias may become its name."""
    key = name_key(new)
    if key == name_key(unit):
        raise DomainError("unit_rename_same", unit=unit)
    for taken, (owner_id, owner) in (await tx.units.unit_lookup()).items():
        if name_key(taken) == key and owner_id != unit_id:
            raise DomainError("unit_rename_taken", unit=unit, name=new, owner=owner)
    for other in await tx.units.units():
        if other.id != unit_id and name_key(other.name) == key:
            raise DomainError("unit_rename_taken", unit=unit, name=new, owner=other.name)
