"""Methods over time: the office's new method adopted from a date, what is stored re-scored.

Adopting a method from a day that has passed changes scores already stored (rules.md, "A new
method from a date"): in one transaction, the settled months from that day on are settled
again by it, then every record from that day on whose lines it scores otherwise is reversed
and written anew (the ledger stays append-only). A locked period on or after the day refuses
the adoption: its numbers were published.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot import texts
from bot.storage import Store, Tx
from bot.usecases.quota import PenaltyChange, resettle_method
from scoring.engine import score
from scoring.errors import DomainError
from scoring.methods import Method, Methods
from scoring.ruleset import Ruleset, parse_ruleset, ruleset_source

# The far end of "from that day on": records are never dated in the future (check_day).
_END_OF_TIME = date(9999, 12, 31)


@dataclass(frozen=True)
class ScoreChange:
    """A stored record scored otherwise by the method adopted: its points before and after."""

    record_id: int
    unit: str
    day: date
    item: str
    before: int
    after: int


@dataclass(frozen=True)
class Adopted:
    ruleset: Ruleset
    start: date
    # A stored method with the same rules (nothing adopted), if the file is one.
    same_as: Method | None = None
    changes: list[ScoreChange] = field(default_factory=list)
    settlement_changes: list[PenaltyChange] = field(default_factory=list)
    # Worked out and shown, nothing kept (not confirmed).
    dry_run: bool = False


class _DryRun(Exception):
    """Raised inside the transaction of an adoption not confirmed: nothing it wrote is kept."""

    def __init__(self, result: Adopted) -> None:
        super().__init__()
        self.result = result


async def methods(store: Store) -> Methods:
    async with store.reading() as tx:
        return await tx.config.methods()


async def adopt(
    store: Store,
    spec: str,
    start: date | None,
    actor: str,
    now: datetime,
    *,
    confirmed: bool,
) -> Adopted:
    """Adopt the method of file `spec` from `start` (by default the file's effective date).
    Not `confirmed`: everything is worked out and checked as for real, and nothing is kept."""
    text = ruleset_source(spec)
    ruleset = parse_ruleset(text)
    start = start or ruleset.effective_from
    if start is None:
        raise DomainError("method_start_missing")
    if ruleset.effective_from is not None and start < ruleset.effective_from:
        raise DomainError(
            "method_start_early", start=start.isoformat(), effective=ruleset.effective_from
        )
    try:
        async with store.transaction() as tx:
            result = await _adopt_in(tx, text, ruleset, start, Path(spec).name, actor, now)
            if not confirmed and result.same_as is None:
                raise _DryRun(result)
    except _DryRun as done:
        return Adopted(
            done.result.ruleset, start, None, done.result.changes,
            done.result.settlement_changes, dry_run=True,
        )  # fmt: skip
    return result


async def _adopt_in(
    tx: Tx, text: str, ruleset: Ruleset, start: date, source: str, actor: str, now: datetime
) -> Adopted:
    known = await tx.config.methods()
    for method in known.methods:
        # Parsed, two texts state the same rules whatever their comments and layout.
        if method.ruleset.model_dump() == ruleset.model_dump():
            return Adopted(ruleset, start, same_as=method)
    first = known.methods[0].ruleset.effective_from
    if first is not None and start <= first:
        raise DomainError("method_before_first", start=start.isoformat(), first=first)
    if any(m.start is not None and m.start >= start for m in known.methods):
        latest = known.methods[-1].start
        raise DomainError("method_not_latest", start=start.isoformat(), latest=latest)
    for lock in await tx.periods.locks():
        if lock.last_day >= start:
            raise DomainError(
                "method_period_locked",
                start=start.isoformat(),
                period=lock.period,
                who=lock.actor_name or lock.actor,
                at=lock.at.strftime("%Y-%m-%d %H:%M"),
            )
    await tx.config.add_method(start, text, source, actor, now)
    batch = await tx.records.add_batch("method", actor, now, source=source)
    reason = texts.METHOD_RESCORED.format(method=ruleset.name, start=start.isoformat())
    settled = await resettle_method(tx, start, actor, now, reason)
    changes = await _rescore(tx, ruleset, start, batch, actor, reason, now)
    return Adopted(ruleset, start, None, changes, settled)


async def _rescore(
    tx: Tx, ruleset: Ruleset, start: date, batch: int, actor: str, reason: str, now: datetime
) -> list[ScoreChange]:
    """Every confirmed record from `start` on that the new method scores otherwise: its live
    lines reversed, its lines under the new method written."""
    changes = []
    for row in await tx.records.records_between(start, _END_OF_TIME):
        record_id, status = int(row[0]), row[5]
        if status != "confirmed":
            continue
        live = await tx.ledger.live_entries(record_id)
        if not live:
            continue  # a submission (no line), or a record reversed: it stays so
        stored = await tx.records.record(record_id)
        record = stored.record
        missing = [
            key for key in (record.item_id, *(m for m, _ in record.modifiers))
            if key not in ruleset.items_by_key and key not in ruleset.modifiers_by_key
        ]  # fmt: skip
        if missing:
            raise DomainError(
                "method_item_missing", record=record_id, item=missing[0], method=ruleset.name
            )
        scored = score(ruleset, record)
        # A line in another column is scored otherwise too: the column's sums would differ.
        before = Counter((e.rule_id, e.column, e.points) for e in live)
        if before == Counter((e.rule_id, e.column, e.points) for e in scored.entries):
            continue
        for entry in live:
            await tx.ledger.add_reversal(
                batch,
                entry.id,
                texts.REVERSAL_LINE.format(
                    entry=entry.id, explanation=entry.explanation, reason=reason
                ),
                now,
            )
        await tx.ledger.add_ledger(batch, stored.unit_id, record_id, record.day, scored, now)
        await tx.records.set_record_modifiers(record_id, record.modifiers, scored.explanation)
        await tx.records.add_event(record_id, "rescored", actor, reason, now)
        changes.append(
            ScoreChange(
                record_id, record.unit, record.day, ruleset.item(record.item_id).label,
                sum(e.points for e in live), scored.points,
            )
        )  # fmt: skip
    return changes
