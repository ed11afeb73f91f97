"""Storage queries the bulletin needs beyond the standings: penalties that count toward the
year's awards, and whether a year has any ledger entries at all."""

from __future__ import annotations

from collections.abc import Sequence

from bot.store import Tx
from scoring.periods import Period


async def penalty_counts(
    tx: Tx, period: Period, rule_ids: Sequence[str]
) -> dict[int, dict[str, int]]:
    """Per unit id, how many ledger lines of these penalty items fall in the period and were
    not reversed. A reversal is itself a line of the same item, pointing back with `reverses`:
    neither counts."""
    if not rule_ids:
        return {}
    marks = ", ".join("?" for _ in rule_ids)
    # `points < 0` is true of every penalty line (the ruleset refuses a penalty that is not
    # negative) and lets the period index answer before any table row is read for rule_id.
    rows = await tx.all(
        "SELECT l.unit_id, l.rule_id, COUNT(*) FROM ledger l "
        f"WHERE l.date BETWEEN ? AND ? AND l.points < 0 AND l.rule_id IN ({marks}) "
        "AND l.reverses IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id) "
        "GROUP BY l.unit_id, l.rule_id",
        [period.start.isoformat(), period.end.isoformat(), *rule_ids],
    )
    counts: dict[int, dict[str, int]] = {}
    for unit_id, rule_id, n in rows:
        counts.setdefault(unit_id, {})[rule_id] = n
    return counts


async def has_ledger_entries(tx: Tx, period: Period) -> bool:
    row = await tx.one(
        "SELECT 1 FROM ledger WHERE date BETWEEN ? AND ? LIMIT 1",
        (period.start.isoformat(), period.end.isoformat()),
    )
    return row is not None
