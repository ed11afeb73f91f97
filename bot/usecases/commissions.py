"""Commissions (约稿): the office asks units for a piece on a topic by a deadline; answers are
submissions linked to it; misses are penalised at the deadline; selected answers score."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import texts
from bot.storage import Address, Commission, NewRecord, Store, Tx
from bot.usecases.notices import (
    Answer,
    AnswerSelected,
    CommissionAnswered,
    CommissionIssued,
    owe_answer,
)
from bot.usecases.request import Request, claim
from scoring.commission import settle_commission
from scoring.engine import score
from scoring.errors import DomainError
from scoring.quota import Outcome
from scoring.records import Record, clean_note
from scoring.ruleset import Item, Ruleset

# A commission is asked for weeks ahead, not years: a later deadline is a slip of the keyboard.
MAX_DEADLINE = timedelta(days=366)
# Units in a /commission are listed with these between them.
_SEPARATORS = re.compile(r"[、，,；;]+")


@dataclass(frozen=True)
class Created:
    commission: Commission
    # Targets without an active liaison: nobody was told of the commission there.
    unreached: list[str]


@dataclass(frozen=True)
class CommissionState:
    commission: Commission
    answered: set[int]
    # Outcome per target unit once settled: answered, missed, missed_again.
    outcomes: dict[int, str]


@dataclass(frozen=True)
class MissedUnit:
    unit_id: int
    unit: str
    outcome: Outcome
    rule: Item


@dataclass(frozen=True)
class Selected:
    answer_id: int
    record_id: int
    unit: str
    title: str
    item: Item


def missed_deduction(ruleset: Ruleset) -> int:
    """What a first miss costs (a positive number), said in the notice and the reminder."""
    rules = ruleset.commission_penalties
    assert rules is not None  # commissions are refused for rulesets without these rules
    points = ruleset.item(rules.missed).points
    assert points is not None
    return -points


async def _targets(tx: Tx, ruleset: Ruleset, spec: str) -> list[tuple[int, str]]:
    """Units named by name or alias, by group, or all of them (全部)."""
    keys = [k.strip() for k in _SEPARATORS.split(spec) if k.strip()]
    if not keys:
        raise DomainError("targets_missing")
    lookup = await tx.units.unit_lookup()
    active = {unit_id for unit_id, _ in lookup.values()}
    units = [u for u in await tx.units.units() if u.id in active]
    chosen: dict[int, str] = {}
    for key in keys:
        group = ruleset.groups_by_key.get(key)
        if key == texts.ALL_UNITS or group is not None:
            members = [u for u in units if group is None or u.group == group.id]
            if not members:
                raise DomainError("targets_empty", key=key)
            chosen.update((u.id, u.name) for u in members)
        else:
            unit_id, name = await tx.units.resolve_unit(key)
            chosen[unit_id] = name
    return sorted(chosen.items())


async def create(
    store: Store,
    topic: str,
    deadline: date,
    targets: str,
    admin: Address,
    request: Request,
    answer: Answer[Created] | None = None,
) -> Created:
    """Store a commission and owe its targets' liaisons the notice."""
    now = request.at
    topic = clean_note(topic)
    if not topic:
        raise DomainError("topic_missing")
    if deadline < now.date():
        raise DomainError("deadline_past", deadline=deadline.isoformat())
    if deadline > now.date() + MAX_DEADLINE:
        raise DomainError("deadline_too_far", deadline=deadline.isoformat())
    async with store.transaction() as tx:
        await claim(tx, request)
        ruleset = await tx.config.ruleset()
        if ruleset.commission_penalties is None:
            raise DomainError("commission_not_in_rules", ruleset=ruleset.id)
        units = await _targets(tx, ruleset, targets)
        commission_id = await tx.commissions.add_commission(
            topic, deadline, admin, [unit_id for unit_id, _ in units], now
        )
        unit_ids = tuple(unit_id for unit_id, _ in units)
        issued = CommissionIssued(
            commission_id, topic, deadline, missed_deduction(ruleset), unit_ids
        )
        await request.emit(tx, issued)
        reached = await tx.liaisons.liaison_chats(unit_ids)
        unreached = [name for unit_id, name in units if unit_id not in reached]
        created = Created(
            Commission(commission_id, topic, deadline, now, units, closed=False), unreached
        )
        await owe_answer(tx, answer, created, f"answer:commission:{commission_id}", now)
    return created


async def load(tx: Tx, commission_id: int) -> Commission:
    commission = await tx.commissions.commission(commission_id)
    if commission is None:
        raise DomainError("commission_unknown", id=commission_id)
    return commission


async def link_answer(
    tx: Tx, commission_id: int, unit_id: int, unit: str, record_id: int, today: date
) -> Commission:
    """Link a submission to the commission it answers, inside the submission's transaction."""
    commission = await load(tx, commission_id)
    if unit_id not in {target for target, _ in commission.targets}:
        raise DomainError("commission_not_target", id=commission_id, unit=unit)
    if today > commission.deadline:
        raise DomainError(
            "commission_closed", id=commission_id, deadline=commission.deadline.isoformat()
        )
    await tx.commissions.add_answer(record_id, commission_id, unit_id)
    return commission


async def answer_notice(
    tx: Tx, commission: Commission, unit: str, record_id: int, title: str
) -> CommissionAnswered:
    """What the office is told of an answer: with what may select it."""
    ruleset = await tx.config.ruleset()
    selections = tuple(
        (key, ruleset.item(item_id).label, ruleset.item(item_id).points)
        for key, item_id in ruleset.commission_selections.items()
    )
    return CommissionAnswered(commission.id, commission.topic, unit, record_id, title, selections)


def selection_item(ruleset: Ruleset, key: str) -> Item:
    """The item a selection scores, by its word (市), id or label."""
    key = key.strip()
    for word, item_id in ruleset.commission_selections.items():
        item = ruleset.item(item_id)
        if key in (word, item.id, item.label):
            return item
    if not ruleset.commission_selections:
        raise DomainError("no_selections", ruleset=ruleset.id)
    known = "、".join(ruleset.commission_selections)
    raise DomainError("selection_unknown", key=key, known=known)


async def select(
    store: Store,
    answer_id: int,
    key: str,
    request: Request,
    answer: Answer[Selected] | None = None,
) -> Selected:
    """Score an answer as selected (选用); its unit's liaisons are owed the news."""
    now = request.at
    async with store.transaction() as tx:
        await claim(tx, request)
        # Selected today, scored by the method in force today.
        ruleset = await tx.config.ruleset(now.date())
        item = selection_item(ruleset, key)
        if await tx.commissions.answer_unit(answer_id) is None:
            raise DomainError("not_commission_answer", record=answer_id)
        stored = await tx.records.record(answer_id)
        unit_id, chosen = stored.unit_id, stored.record
        if await tx.commissions.selection(answer_id, item.id) is not None:
            raise DomainError("selection_duplicate", record=answer_id, label=item.label)
        record = Record(chosen.unit, now.date(), item.id, title=chosen.title)
        batch = await tx.records.add_batch("selection", request.actor, now, source=f"#{answer_id}")
        (record_id,) = await tx.records.add_records(
            batch, [NewRecord(unit_id, record, score(ruleset, record))], now
        )
        await tx.commissions.add_selection(answer_id, item.id, record_id)
        await tx.records.add_event(answer_id, "selected", request.actor, item.id, now)
        told = AnswerSelected(unit_id, answer_id, record_id, chosen.title, item.label, item.points)
        await request.emit(tx, told)
        selected = Selected(answer_id, record_id, chosen.unit, chosen.title, item)
        await owe_answer(tx, answer, selected, f"answer:selection:{record_id}", now)
    return selected


async def close(
    tx: Tx, commission: Commission, batch_actor: str, now: datetime
) -> list[MissedUnit]:
    """Settle a commission after its deadline: a penalty for every target that did not answer."""
    ruleset = await tx.config.ruleset(commission.deadline)
    answered = await tx.commissions.answered_units(commission.id)
    missed_before = await tx.commissions.missed_last_time(commission.id, commission.deadline)
    names = dict(commission.targets)
    misses = settle_commission(ruleset, names, answered, missed_before)
    # Every target's outcome is written at the settlement; the next one's streak reads them.
    await tx.commissions.close_commission(commission.id, now)
    if not misses:
        return []
    penalties = []
    for m in misses:
        record = Record(
            names[m.unit],
            commission.deadline,
            m.penalty_rule,
            note=texts.COMMISSION_NOTE.format(id=commission.id),
        )
        penalties.append(NewRecord(m.unit, record, score(ruleset, record)))
    batch = await tx.records.add_batch(
        "commission", batch_actor, now, source=f"#{commission.id}", rows=len(penalties)
    )
    record_ids = await tx.records.add_records(batch, penalties, now)
    for m, record_id in zip(misses, record_ids, strict=True):
        await tx.commissions.set_target_missed(commission.id, m.unit, m.outcome.value, record_id)
    return [
        MissedUnit(m.unit, names[m.unit], m.outcome, ruleset.item(m.penalty_rule)) for m in misses
    ]


async def states(tx: Tx, unit_id: int | None = None) -> list[CommissionState]:
    """Commissions, newest first: all of them, or those that asked `unit_id`."""
    result = []
    for commission_id in await tx.commissions.commission_ids(unit_id=unit_id):
        result.append(
            CommissionState(
                await load(tx, commission_id),
                await tx.commissions.answered_units(commission_id),
                await tx.commissions.target_outcomes(commission_id),
            )
        )
    return result


async def open_commissions(tx: Tx) -> list[Commission]:
    """Commissions not yet settled: their reminders and settlement are still to come."""
    return [
        await load(tx, commission_id)
        for commission_id in await tx.commissions.open_commission_ids()
    ]
