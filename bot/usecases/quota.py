"""Settling the monthly submission quota, and settling again when the data changes.

Settlement follows the data (rules.md): months may be settled in any order; settling one settles
every settled month after it again, because a streak runs through them; a submission stored late
settles its month and the settled months after it again, in the same transaction. A penalty that
no longer applies is cancelled by a reversing entry, one whose kind changes is reversed and
written anew, one that now applies is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot import texts
from bot.storage import NewRecord, Store, StoredSettlement, Tx, quota_key
from scoring.engine import score
from scoring.errors import DomainError
from scoring.periods import Period, month_of, parse_month, parse_period, previous_month
from scoring.points import show_points
from scoring.quota import (
    Outcome,
    Settlement,
    monthly_credits,
    previous_period,
    quota_members,
    quota_period_of,
    quota_periods,
    quotas_of,
    quotas_to_settle,
    settle_month,
    settle_period,
)
from scoring.records import Record
from scoring.roster import units_at
from scoring.ruleset import Quota, QuotaPenalties, Ruleset


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
class PenaltyChange:
    """A unit's settlement of a month as it was and as it is now."""

    month: Period
    unit_id: int
    unit: str
    group: str
    quota: int
    submissions: int
    # None: the month was not settled for the unit before.
    before: Outcome | None
    after: Outcome
    before_points: int
    after_points: int
    # A quota apart from the groups' (its label: 长篇信息), settled in `month`, its own period
    # (a month or a quarter); empty for the groups' monthly quota.
    quota_label: str = ""
    # Its penalty now, if any (the letter names it).
    rule: str | None = None


@dataclass(frozen=True)
class MonthSettled:
    month: Period
    # Every unit's outcome for the month after this settlement.
    settled: list[SettledUnit]
    # Whether the month was settled before this call.
    again: bool
    # What this call changed, in this month and in the settled months after it.
    changes: list[PenaltyChange]
    # What it changed in the ruleset's other quotas (`quotas`), in their own periods.
    quota_changes: list[PenaltyChange] = field(default_factory=list)

    @property
    def missed(self) -> list[SettledUnit]:
        """Units below their quota, penalised or not."""
        return [s for s in self.settled if s.outcome is not Outcome.MET]

    @property
    def penalised(self) -> list[SettledUnit]:
        # A missed month under a method without quota penalties costs only its base score.
        return [s for s in self.settled if s.outcome is not Outcome.MET and s.points]

    @property
    def new_quota_penalties(self) -> list[PenaltyChange]:
        """Penalties of the other quotas written by this call, in the periods it settled
        (each owes a reminder letter)."""
        return [
            c
            for c in self.quota_changes
            if c.month.end == self.month.end and c.rule is not None and c.after != c.before
        ]

    @property
    def new_penalties(self) -> list[PenaltyChange]:
        """This month's penalties written by this call (each owes a reminder letter)."""
        return [
            c
            for c in self.changes
            if c.month == self.month and c.after is not Outcome.MET and c.after != c.before
        ]


class DryRun(Exception):
    """Raised inside the transaction of a dry run, so that nothing it wrote is kept."""

    def __init__(self, result: MonthSettled) -> None:
        super().__init__(result.month.label)
        self.result = result


async def settle_quota(
    store: Store,
    month: Period,
    actor: str,
    now: datetime,
    *,
    allow_empty: bool = False,
    dry_run: bool = False,
) -> MonthSettled:
    """Settle `month` (and the settled months after it); with `dry_run`, store nothing."""
    try:
        async with store.transaction() as tx:
            result = await settle_quota_in(tx, month, actor, now, allow_empty=allow_empty)
            if dry_run:
                raise DryRun(result)
    except DryRun as dry:
        return dry.result
    return result


async def settle_quota_in(
    tx: Tx, month: Period, actor: str, now: datetime, *, allow_empty: bool = False
) -> MonthSettled:
    """settle_quota inside a transaction that also does more (the scheduled settlement)."""
    if month.end >= now.date():
        raise DomainError("month_not_ended", month=month.name)
    # A month is settled by the method in force on its last day, the day its penalty is dated.
    ruleset = await tx.config.ruleset(month.end)
    if not ruleset.settles:
        raise DomainError("no_quota", ruleset=ruleset.id)
    if ruleset.effective_from and month.end < ruleset.effective_from:
        raise DomainError(
            "month_before_effective", month=month.name, effective=ruleset.effective_from
        )
    # Settling inside a locked period is refused even when it would change nothing.
    await tx.periods.refuse_locked([month.end])
    settled_months = await tx.quota.settled_months()
    again = month.label in settled_months
    if not again and not allow_empty and not await tx.quota.submission_counts(month):
        raise DomainError("month_empty", month=month.name)
    batch = None
    if not again:
        batch = await tx.records.add_batch("settlement", actor, now, source=month.label)
        await tx.quota.add_settled_month(month, batch, allow_empty)
        settled_months = [*settled_months, month.label]
    reason = texts.RESETTLED_AFTER.format(settled=month.label, month="{month}")
    changes = (
        await _settle_from(tx, month, settled_months, actor, now, reason, batch)
        if ruleset.has_quota or ruleset.submission_points_item
        else []
    )
    quota_changes = []
    for quota in ruleset.quotas:
        for period in quota_periods(quota, month):
            quota_changes += await _settle_quota_from(
                tx, ruleset, quota, period, actor, now, reason, batch, first_new=True
            )
    units = {u.id: u for u in await tx.units.units()}
    settled = [
        SettledUnit(
            unit_id, units[unit_id].name, units[unit_id].group, s.quota,
            s.submissions, Outcome(s.outcome), _outcome_points(ruleset, Outcome(s.outcome)),
        )
        for unit_id, s in sorted((await tx.quota.settlements(month)).items())
    ]  # fmt: skip
    return MonthSettled(month, settled, again, changes, quota_changes)


async def resettle_late(
    tx: Tx, days: Iterable[date], actor: str, now: datetime
) -> list[PenaltyChange]:
    """After submissions dated `days` were stored: settle their settled months, and the settled
    months after them, again. Inside the transaction that stored them."""
    methods = await tx.config.methods()
    if not any(m.ruleset.settles for m in methods.methods):
        return []
    ruleset = methods.latest
    days = list(days)
    settled_months = await tx.quota.settled_months()
    late = sorted({month_of(day).label for day in days} & set(settled_months))
    changes = (
        await _settle_from(
            tx, parse_month(late[0]), settled_months, actor, now, texts.RESETTLED_LATE
        )
        if late
        else []
    )
    for quota in ruleset.quotas:
        settled = set(await tx.quota.settled_quota_periods(quota.id))
        periods = sorted(
            (quota_period_of(quota, day) for day in days
             if quota_key(quota.id, quota_period_of(quota, day)) in settled),
            key=lambda p: p.start,
        )  # fmt: skip
        if periods:
            changes += await _settle_quota_from(
                tx, ruleset, quota, periods[0], actor, now, texts.RESETTLED_LATE
            )
    return changes


async def resettle_method(
    tx: Tx, start: date, actor: str, now: datetime, reason: str
) -> list[PenaltyChange]:
    """After a method was adopted from `start`: settle the settled months from its month on
    again, by the method in force in each, against the quotas it sets."""
    settled_months = await tx.quota.settled_months()
    later = sorted(m for m in settled_months if m >= month_of(start).label)
    if not later:
        return []
    return await _settle_from(
        tx, parse_month(later[0]), settled_months, actor, now, reason, requota=True
    )


async def _settle_quota_from(
    tx: Tx,
    ruleset: Ruleset,
    quota: Quota,
    first: Period,
    actor: str,
    now: datetime,
    reason: str,
    batch: int | None = None,
    *,
    first_new: bool = False,
) -> list[PenaltyChange]:
    """A quota apart from the groups: settle its period `first` (settled before, or
    `first_new`) and its settled periods after it, as _settle_from settles months."""
    keys = await tx.quota.settled_quota_periods(quota.id)
    first_key = quota_key(quota.id, first)
    periods = [
        parse_period(key.partition("@")[2])
        for key in {*keys, first_key}
        if key in keys or first_new
    ]
    chain = sorted((p for p in periods if p.start >= first.start), key=lambda p: p.start)
    units = await tx.units.units()
    changes = await tx.units.changes()
    by_id = {u.id: u for u in units}
    before_key = quota_key(quota.id, previous_period(quota, first))
    previous = (
        {u: Outcome(s.outcome) for u, s in (await tx.quota.settlements(before_key)).items()}
        if before_key in keys
        else {}
    )
    planned: list[tuple[PenaltyChange, Settlement[int], StoredSettlement | None, str]] = []
    for position, period in enumerate(chain):
        key = quota_key(quota.id, period)
        if position and previous_period(quota, period) != chain[position - 1]:
            previous = {}  # the period before was never settled: no letter went out for it
        reminded = {u for u, outcome in previous.items() if outcome is not Outcome.MET}
        counts = await tx.quota.submission_counts(period, quota.kinds)
        stored = await tx.quota.settlements(key)
        quotas = (
            {unit: s.quota for unit, s in stored.items()}
            if stored
            else quota_members(
                quota, [(u.id, u.name, u.group) for u in units_at(units, changes, period.end)]
            )
        )
        wanted = settle_period(quota.penalties, period, quotas, counts, reminded)
        for s in wanted:
            old = stored.get(s.unit)
            old_outcome = Outcome(old.outcome) if old else None
            if old is not None and old_outcome is s.outcome:
                if old.submissions != s.submissions:
                    await tx.quota.set_settlement_count(s.unit, key, s.submissions)
                continue
            unit = by_id[s.unit]
            old_points = (
                _rule_points(ruleset, _penalty_rule(quota.penalties, old_outcome))
                if old_outcome
                else 0
            )
            change = PenaltyChange(
                period, unit.id, unit.name, unit.group, s.quota, s.submissions, old_outcome,
                s.outcome, old_points, _rule_points(ruleset, s.penalty_rule), quota.label,
                s.penalty_rule,
            )  # fmt: skip
            planned.append((change, s, old, key))
        previous = {s.unit: s.outcome for s in wanted}
    if not planned:
        return []
    await tx.periods.refuse_locked(change.month.end for change, _, _, _ in planned)
    if batch is None:
        batch = await tx.records.add_batch(
            "settlement", actor, now, source=first_key, rows=len(planned)
        )
    for change, s, old, key in planned:
        why = reason.format(month=change.month.label)
        if old is not None and old.record_id is not None:
            await _reverse(tx, batch, old.record_id, actor, why, now)
        record_id = None
        if s.penalty_rule is not None:
            record = Record(change.unit, s.penalty_date, s.penalty_rule)
            record_id = await _write(tx, ruleset, batch, change.unit_id, record, now)
        await tx.quota.put_settlement(
            s.unit, key, s.quota, s.submissions, s.outcome.value, record_id, batch
        )
    return [change for change, _, _, _ in planned]


def _penalty_rule(rules: QuotaPenalties | None, outcome: Outcome) -> str | None:
    if rules is None or outcome is Outcome.MET:
        return None
    return rules.missed if outcome is Outcome.MISSED else rules.missed_again


async def _settle_from(
    tx: Tx,
    first: Period,
    settled_months: Sequence[str],
    actor: str,
    now: datetime,
    reason: str,
    batch: int | None = None,
    *,
    requota: bool = False,
) -> list[PenaltyChange]:
    """Settle `first` and every settled month after it from the data as it is, each by the
    method in force on its last day, writing only the differences from what is stored.
    `reason` names the month of each reversal (`{month}`); `batch` is the settlement's own, if
    the caller made one; `requota`: each unit's quota is its method's now (a method adopted
    for the month), not the one the month was settled with."""
    methods = await tx.config.methods()
    months = sorted(m for m in settled_months if m >= first.label)
    before = previous_month(first)
    previous = (
        {u: Outcome(s.outcome) for u, s in (await tx.quota.settlements(before)).items()}
        if before.label in settled_months
        else {}
    )
    units = await tx.units.units()
    changes = await tx.units.changes()
    by_id = {u.id: u for u in units}
    credit_items = sorted(
        {i for m in methods.methods if (mc := m.ruleset.monthly_credits)
         for i in (mc.submissions, mc.quota_met) if i}
    )  # fmt: skip
    planned: list[_Planned] = []
    for label in months:
        month = parse_month(label)
        ruleset = methods.at(month.end)
        if label != first.label and previous_month(month).label not in months:
            # The month before was never settled: no reminder letter went out for it.
            previous = {}
        reminded = {u for u, outcome in previous.items() if outcome is not Outcome.MET}
        counts = await tx.quota.submission_counts(month)
        stored = await tx.quota.settlements(month)
        stored_credits = await tx.quota.settled_credits(month, credit_items)
        # A month settled before is settled again for the units it settled, each against the
        # quota it had then: a unit added or moved since does not change an old month.
        quotas = (
            {unit: s.quota for unit, s in stored.items()}
            if stored and not requota
            else quotas_to_settle(
                ruleset, [(u.id, u.group) for u in units_at(units, changes, month.end)]
            )
        )
        wanted = settle_month(ruleset, month, quotas, counts, reminded)
        for s in wanted:
            old = stored.get(s.unit)
            old_outcome = Outcome(old.outcome) if old else None
            old_credits = stored_credits.get(s.unit, {})
            credits = monthly_credits(ruleset, s)
            same_credits = {k: p for k, (_, p) in old_credits.items()} == credits
            if old is not None and old_outcome is s.outcome and same_credits:
                if old.submissions != s.submissions:
                    await tx.quota.set_settlement_count(s.unit, month, s.submissions)
                continue
            unit = by_id[s.unit]
            old_penalty = _outcome_points(ruleset, old_outcome)
            if requota and old is not None and old.record_id is not None:
                # Settled by the method before: its penalty as that method scored it.
                live = await tx.ledger.live_entries(old.record_id)
                old_penalty = sum(e.points for e in live)
            # A unit's month as a whole: its penalty and the credits written beside it.
            change = PenaltyChange(
                month, unit.id, unit.name, unit.group, s.quota, s.submissions, old_outcome,
                s.outcome, old_penalty + sum(p for _, p in old_credits.values()),
                _rule_points(ruleset, s.penalty_rule) + sum(credits.values()),
            )  # fmt: skip
            planned.append(_Planned(change, s, old, old_credits, credits, ruleset))
        previous = {s.unit: s.outcome for s in wanted}
    if not planned:
        return []
    await tx.periods.refuse_locked(p.change.month.end for p in planned)
    if batch is None:
        batch = await tx.records.add_batch(
            "settlement", actor, now, source=first.label, rows=len(planned)
        )
    for p in planned:
        change, s, old, ruleset = p.change, p.settlement, p.stored, p.ruleset
        why = reason.format(month=change.month.label)
        if old is None or Outcome(old.outcome) is not s.outcome:
            if old is not None and old.record_id is not None:
                await _reverse(tx, batch, old.record_id, actor, why, now)
            record_id = None
            if s.penalty_rule is not None:
                record = Record(change.unit, s.penalty_date, s.penalty_rule)
                record_id = await _write(tx, ruleset, batch, change.unit_id, record, now)
            await tx.quota.put_settlement(
                s.unit, change.month, s.quota, s.submissions, s.outcome.value, record_id, batch
            )
        elif old.submissions != s.submissions:
            await tx.quota.set_settlement_count(s.unit, change.month, s.submissions)
        for rule_id in sorted(p.stored_credits.keys() | p.credits.keys()):
            stored_credit = p.stored_credits.get(rule_id)
            points = p.credits.get(rule_id)
            if stored_credit is not None and stored_credit[1] == points:
                continue
            if stored_credit is not None:
                await _reverse(tx, batch, stored_credit[0], actor, why, now)
            if points is not None:
                given = rule_id == ruleset.submission_points_item
                record = Record(
                    change.unit, s.penalty_date, rule_id, points if given else None,
                    note=_submission_note(ruleset, s.submissions) if given else "",
                )  # fmt: skip
                await _write(tx, ruleset, batch, change.unit_id, record, now)
    return [p.change for p in planned]


@dataclass(frozen=True)
class _Planned:
    """A unit's month to write: its change, its settlement now, what was stored for it."""

    change: PenaltyChange
    settlement: Settlement[int]
    stored: StoredSettlement | None
    # Credit item id -> (record id, points) as stored; item id -> points as settled now.
    stored_credits: dict[str, tuple[int, int]]
    credits: dict[str, int]
    # The method in force in the month.
    ruleset: Ruleset


async def _reverse(tx: Tx, batch: int, record_id: int, actor: str, why: str, now: datetime) -> None:
    for entry in await tx.ledger.live_entries(record_id):
        await tx.ledger.add_reversal(
            batch,
            entry.id,
            texts.REVERSAL_LINE.format(entry=entry.id, explanation=entry.explanation, reason=why),
            now,
        )
    await tx.records.add_event(record_id, "reversed", actor, why, now)


async def _write(
    tx: Tx, ruleset: Ruleset, batch: int, unit_id: int, record: Record, now: datetime
) -> int:
    (record_id,) = await tx.records.add_records(
        batch, [NewRecord(unit_id, record, score(ruleset, record))], now
    )
    return record_id


def _submission_note(ruleset: Ruleset, submissions: int) -> str:
    """What a month's submission points stand on: the count, and the cap where one applies."""
    mc = ruleset.monthly_credits
    cap = mc.submissions_cap if mc else None
    note = texts.SUBMISSION_POINTS_NOTE.format(count=submissions)
    if cap is None:
        return note
    return note + texts.SUBMISSION_POINTS_CAP.format(cap=show_points(cap))


def _rule_points(ruleset: Ruleset, rule_id: str | None) -> int:
    if rule_id is None:
        return 0
    points = ruleset.item(rule_id).points
    assert points is not None  # quota penalties are penalty items, which have points
    return points


def _outcome_points(ruleset: Ruleset, outcome: Outcome | None) -> int:
    """What a settlement outcome deducts (0 for a month at quota, or none settled)."""
    rules = ruleset.quota_penalties
    if outcome is None or outcome is Outcome.MET or rules is None:
        return 0
    rule = rules.missed if outcome is Outcome.MISSED else rules.missed_again
    return _rule_points(ruleset, rule)


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
    ruleset = await tx.config.ruleset(month.end)
    units = await tx.units.units()
    by_id = {u.id: u for u in units}
    before = await tx.quota.settlements(previous_month(month))
    reminded = {unit_id for unit_id, s in before.items() if s.outcome != Outcome.MET}
    counts = await tx.quota.submission_counts(month)
    behind = []
    # A unit retired or merged away by the month's end owes no quota and gets no reminder.
    on_roster = units_at(units, await tx.units.changes(), month.end)
    quotas = quotas_of(ruleset, [(u.id, u.group) for u in on_roster])
    for o in settle_month(ruleset, month, quotas, counts, reminded):
        if o.penalty_rule is None:
            continue
        unit = by_id[o.unit]
        behind.append(
            Behind(
                unit.id, unit.name, unit.group, o.quota, o.submissions,
                o.outcome is Outcome.MISSED_AGAIN, o.penalty_rule,
                -_rule_points(ruleset, o.penalty_rule),
            )
        )  # fmt: skip
    return behind
