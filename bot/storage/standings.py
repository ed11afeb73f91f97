"""Sums over a period for the standings: kept sums for whole quarters and months, ledger lines
for the days at either end."""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.query import Repository
from bot.storage.sql import Params, Statement, sql
from scoring.periods import Period, split_period
from scoring.ruleset import MAX_SCORE_COLUMNS, SUBMISSION_ID
from scoring.standings import UnitTotals, add_totals


def _slots(n: int) -> str:
    return "".join(f", c{i}" for i in range(n))


def _sums(n: int) -> str:
    return "".join(f", SUM(c{i})" for i in range(n))


def _pivot(n: int) -> str:
    return "".join(
        f", COALESCE(SUM(points) FILTER (WHERE column_name = :column{i}), 0)" for i in range(n)
    )


# One statement per number of score columns a ruleset may have (MAX_SCORE_COLUMNS), each
# reading that many of the slots c0..c7.
_COUNTS = range(1, MAX_SCORE_COLUMNS + 1)
# One quarter is one row per unit already: no grouping needed.
_QUARTER = {
    n: sql(
        f"SELECT unit_id, entries, adoptions, items{_slots(n)} FROM ledger_quarters "
        "WHERE quarter = :quarter"
    )
    for n in _COUNTS
}
_QUARTERS = {
    n: sql(
        sqlite=f"SELECT unit_id, SUM(entries), SUM(adoptions), SUM(items){_sums(n)} "
        "FROM ledger_quarters WHERE quarter IN (SELECT value FROM json_each(:quarters)) "
        "GROUP BY unit_id",
        postgres=f"SELECT unit_id, SUM(entries), SUM(adoptions), SUM(items){_sums(n)} "
        "FROM ledger_quarters WHERE quarter = ANY(:quarters::text[]) GROUP BY unit_id",
        arrays=["quarters"],
    )
    for n in _COUNTS
}
_MONTHS = {
    n: sql(
        f"SELECT unit_id, SUM(entries), SUM(adoptions), SUM(items){_sums(n)} FROM ledger_months "
        "WHERE month BETWEEN :first AND :last GROUP BY unit_id"
    )
    for n in _COUNTS
}
_DAYS = {
    n: sql(
        f"SELECT unit_id, COUNT(*), SUM(adoptions), SUM(items){_pivot(n)} FROM ledger "
        "WHERE date BETWEEN :start AND :end GROUP BY unit_id"
    )
    for n in _COUNTS
}
_ITEM_MONTHS = sql(
    "SELECT rule_id, SUM(items) FROM item_months WHERE month BETWEEN :first AND :last "
    "GROUP BY rule_id"
)
_ITEM_DAYS = sql(
    "SELECT rule_id, SUM(items) FROM ledger WHERE items <> 0 AND date BETWEEN :start AND :end "
    "GROUP BY rule_id"
)
_GROUP_ITEM_DAYS = sql(
    sqlite="SELECT rule_id, SUM(items) FROM ledger WHERE items <> 0 "
    "AND date BETWEEN :start AND :end AND unit_id IN (SELECT id FROM units WHERE group_id IN "
    "(SELECT value FROM json_each(:groups))) GROUP BY rule_id",
    postgres="SELECT rule_id, SUM(items) FROM ledger WHERE items <> 0 "
    "AND date BETWEEN :start AND :end AND unit_id IN (SELECT id FROM units WHERE group_id = "
    "ANY(:groups::text[])) GROUP BY rule_id",
    arrays=["groups"],
)
# A unit's records of some items, reversed ones and their reversals left out (record_counts).
_RECORD_COUNTS = sql(
    # `+l.reverses`: SQLite would otherwise walk the unique index on reverses (every line
    # not a reversal, the whole ledger) instead of the period's dates.
    sqlite="SELECT l.unit_id, l.rule_id, COUNT(*) FROM ledger l "
    "WHERE l.date BETWEEN :start AND :end AND l.rule_id IN (SELECT value FROM json_each(:rules)) "
    "AND +l.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id) "
    "GROUP BY l.unit_id, l.rule_id",
    postgres="SELECT l.unit_id, l.rule_id, COUNT(*) FROM ledger l "
    "WHERE l.date BETWEEN :start AND :end AND l.rule_id = ANY(:rules::text[]) "
    "AND l.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id) "
    "GROUP BY l.unit_id, l.rule_id",
    arrays=["rules"],
)
_SLOTS = sql("SELECT name, slot FROM score_columns")
_SUBMISSION_COUNTS = sql(
    "SELECT unit_id, COUNT(*) FROM records WHERE item_id = :submission "
    "AND status = 'confirmed' AND date BETWEEN :start AND :end GROUP BY unit_id"
)


class StandingsStorage(Repository):
    async def period_totals(self, period: Period, columns: Sequence[str]) -> dict[int, UnitTotals]:
        """Each unit's sums over the period: whole quarters and months from the sums kept for
        them, the remaining days from the ledger lines themselves."""
        parts = split_period(period)
        # Each column's sum slot: the first method's columns are slots 0.. in its order; a
        # later method's new columns follow. A column no method stored counts 0.
        slots = {name: int(slot) for name, slot in await self.all(_SLOTS)}
        wanted = [slots.get(column) for column in columns]
        direct = wanted == list(range(len(columns)))
        if not direct:
            by_slot = {slot: name for name, slot in slots.items()}
            columns = [by_slot[i] for i in range(max(s for s in [*wanted, 0] if s is not None) + 1)]
        n = len(columns)
        queries: list[tuple[Statement, Params]] = []
        quarters = [q.label for q in parts.quarters]
        if len(quarters) == 1:
            queries.append((_QUARTER[n], {"quarter": quarters[0]}))
        elif quarters:
            queries.append((_QUARTERS[n], {"quarters": quarters}))
        for first, last in parts.months:
            queries.append((_MONTHS[n], {"first": first, "last": last}))
        named = {f"column{i}": column for i, column in enumerate(columns)}
        for start, end in parts.days:
            queries.append(
                (_DAYS[n], {**named, "start": start.isoformat(), "end": end.isoformat()})
            )
        totals: dict[int, UnitTotals] = {}
        for statement, params in queries:
            rows = await self.all(statement, params)
            if not totals:
                totals = {row[0]: row for row in rows}
                continue
            for row in rows:
                earlier = totals.get(row[0])
                totals[row[0]] = row if earlier is None else add_totals(earlier, row)
        if not direct:
            totals = {
                unit: (*t[:4], *(0 if s is None else t[4 + s] for s in wanted))
                for unit, t in totals.items()
            }
        return totals

    async def item_counts(
        self, period: Period, groups: Sequence[str] | None = None
    ) -> dict[str, int]:
        """Scored adoption items per rule id over the period, for the given groups or all."""
        counts: dict[str, int] = {}
        if groups is None:
            parts = split_period(period)
            # Item counts are kept per month only: a quarter is its three months.
            months = [(q.start.strftime("%Y-%m"), q.end.strftime("%Y-%m")) for q in parts.quarters]
            for first, last in [*months, *parts.months]:
                for rule_id, n in await self.all(_ITEM_MONTHS, {"first": first, "last": last}):
                    counts[rule_id] = counts.get(rule_id, 0) + n
            edges = parts.days
        else:
            edges = [(period.start, period.end)]
        for start, end in edges:
            days = {"start": start.isoformat(), "end": end.isoformat()}
            found = await (
                self.all(_ITEM_DAYS, days)
                if groups is None
                else self.all(_GROUP_ITEM_DAYS, {**days, "groups": list(groups)})
            )
            for rule_id, n in found:
                counts[rule_id] = counts.get(rule_id, 0) + n
        return counts

    async def record_counts(
        self, period: Period, rule_ids: Sequence[str]
    ) -> dict[int, dict[str, int]]:
        """Per unit id, its records of these items in the period by item id, for count columns:
        an item's ledger line that was not reversed is one record (a reversal is a line of the
        same item pointing back with `reverses`: neither counts); `submission` counts the
        unit's confirmed submissions, which have no ledger line."""
        counts: dict[int, dict[str, int]] = {}
        span = {"start": period.start.isoformat(), "end": period.end.isoformat()}
        scored = [r for r in rule_ids if r != SUBMISSION_ID]
        if scored:
            for unit_id, rule_id, n in await self.all(_RECORD_COUNTS, {**span, "rules": scored}):
                counts.setdefault(unit_id, {})[rule_id] = n
        if SUBMISSION_ID in rule_ids:
            for unit_id, n in await self.all(
                _SUBMISSION_COUNTS, {**span, "submission": SUBMISSION_ID}
            ):
                counts.setdefault(unit_id, {})[SUBMISSION_ID] = n
        return counts
