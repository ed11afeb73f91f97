"""Settling a month's submission quota: penalties into the ledger, once per unit and month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage import NewRecord, Store, Tx
from scoring.engine import score
from scoring.errors import DomainError
from scoring.periods import Period, next_month, parse_month, previous_month
from scoring.quota import Outcome, Settlement, settle_month
from scoring.records import Record
from scoring.ruleset import Ruleset
from scoring.standings import UnitRef


@dataclass(frozen=True)
class SettledUnit:
    unit_id: int
    unit: str
    group: str
    quota: int
    submissions: int
    outcome: Outcome
    points: int


@dataclass(frozen=True)
class MonthSettled:
    month: Period
    # Units settled by this call; units settled earlier are not settled again.
    settled: list[SettledUnit]

    @property
    def penalised(self) -> list[SettledUnit]:
        return [s for s in self.settled if s.outcome is not Outcome.MET]


async def settle_quota(store: Store, month: Period, actor: str, now: datetime) -> MonthSettled:
    """Settle `month` for every unit of a group with a quota that is not yet settled for it."""
    async with store.transaction() as tx:
        return await settle_quota_in(tx, month, actor, now)


async def settle_quota_in(tx: Tx, month: Period, actor: str, now: datetime) -> MonthSettled:
    """settle_quota inside a transaction that also does more (the scheduled settlement)."""
    if month.end >= now.date():
        raise DomainError("month_not_ended", month=month.label)
    ruleset = await tx.ruleset()
    if not ruleset.has_quota:
        raise DomainError("no_quota", ruleset=ruleset.id)
    if ruleset.effective_from and month.end < ruleset.effective_from:
        raise DomainError(
            "month_before_effective", month=month.label, effective=ruleset.effective_from
        )
    await _refuse_out_of_order(tx, month)
    done = await tx.settlements(month)
    units = [u for u in await tx.units() if u.id not in done]
    outcomes = await _outcomes(tx, ruleset, month, units)
    if not outcomes:
        return MonthSettled(month, [])
    by_id = {u.id: u for u in units}
    penalties = []
    for o in outcomes:
        if o.penalty_rule is not None:
            record = Record(by_id[o.unit].name, o.penalty_date, o.penalty_rule)
            penalties.append(NewRecord(o.unit, record, score(ruleset, record)))
    batch = await tx.add_batch("settlement", actor, now, source=month.label, rows=len(outcomes))
    record_ids = await tx.add_records(batch, penalties, now)
    penalty_of = {
        p.unit_id: (rid, p.scored.points) for p, rid in zip(penalties, record_ids, strict=True)
    }
    settled = []
    for o in outcomes:
        record_id, points = penalty_of.get(o.unit, (None, 0))
        await tx.add_settlement(
            o.unit, month, o.quota, o.submissions, o.outcome.value, record_id, batch
        )
        unit = by_id[o.unit]
        settled.append(
            SettledUnit(unit.id, unit.name, unit.group, o.quota, o.submissions, o.outcome, points)
        )
    return MonthSettled(month, settled)


async def _refuse_out_of_order(tx: Tx, month: Period) -> None:
    """Months are settled one after another: a streak needs the month before to be settled."""
    months = await tx.settled_months()
    if not months or month.label in months:
        return
    last = parse_month(months[-1])
    if month < last:
        raise DomainError("month_out_of_order", month=month.label, last=last.label)
    following = next_month(last)
    if month != following:
        raise DomainError("month_gap", month=month.label, missing=following.label)


@dataclass(frozen=True)
class Behind:
    """A unit below its quota so far this month, and what settling the month now would cost."""

    unit_id: int
    unit: str
    group: str
    quota: int
    submissions: int
    again: bool
    rule: str
    # The points the settlement would deduct, as a positive number.
    deduction: int


async def behind_quota(tx: Tx, month: Period) -> list[Behind]:
    """Units below their group's quota in `month` so far, as the settlement would see them."""
    ruleset = await tx.ruleset()
    units = await tx.units()
    by_id = {u.id: u for u in units}
    behind = []
    for o in await _outcomes(tx, ruleset, month, units):
        if o.penalty_rule is None:
            continue
        unit = by_id[o.unit]
        points = ruleset.item(o.penalty_rule).points
        assert points is not None  # quota penalties are penalty items, which have points
        behind.append(
            Behind(
                unit.id, unit.name, unit.group, o.quota, o.submissions,
                o.outcome is Outcome.MISSED_AGAIN, o.penalty_rule, -points,
            )
        )  # fmt: skip
    return behind


async def _outcomes(
    tx: Tx, ruleset: Ruleset, month: Period, units: list[UnitRef]
) -> list[Settlement[int]]:
    before = await tx.settlements(previous_month(month))
    reminded = {unit_id for unit_id, outcome in before.items() if outcome != Outcome.MET}
    counts = await tx.submission_counts(month)
    return settle_month(ruleset, month, [(u.id, u.group) for u in units], counts, reminded)
