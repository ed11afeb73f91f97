"""Sums over a period for the standings: kept sums for whole quarters and months, ledger lines
for the days at either end."""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.query import Repository
from scoring.periods import Period, split_period
from scoring.standings import UnitTotals, add_totals


class StandingsStorage(Repository):
    async def period_totals(self, period: Period, columns: Sequence[str]) -> dict[int, UnitTotals]:
        """Each unit's sums over the period: whole quarters and months from the sums kept for
        them, the remaining days from the ledger lines themselves."""
        parts = split_period(period)
        slots = [f"c{i}" for i in range(len(columns))]
        queries: list[tuple[str, Sequence[object]]] = []
        quarters = [q.label for q in parts.quarters]
        if len(quarters) == 1:
            # One quarter is one row per unit already: no grouping needed.
            queries.append(
                (
                    f"SELECT unit_id, entries, adoptions, items, {', '.join(slots)} FROM ledger_quarters WHERE quarter = ?",
                    quarters,
                )
            )
        elif quarters:
            marks = ", ".join("?" for _ in quarters)
            sums = ", ".join(f"SUM({c})" for c in slots)
            queries.append(
                (
                    f"SELECT unit_id, SUM(entries), SUM(adoptions), SUM(items), {sums} FROM ledger_quarters "
                    f"WHERE quarter IN ({marks}) GROUP BY unit_id",
                    quarters,
                )
            )
        for months in parts.months:
            sums = ", ".join(f"SUM({c})" for c in slots)
            queries.append(
                (
                    f"SELECT unit_id, SUM(entries), SUM(adoptions), SUM(items), {sums} FROM ledger_months "
                    "WHERE month BETWEEN ? AND ? GROUP BY unit_id",
                    months,
                )
            )
        pivot = ", ".join(
            "COALESCE(SUM(points) FILTER (WHERE column_name = ?), 0)" for _ in columns
        )
        for start, end in parts.days:
            queries.append(
                (
                    f"SELECT unit_id, COUNT(*), SUM(adoptions), SUM(items), {pivot} FROM ledger "
                    "WHERE date BETWEEN ? AND ? GROUP BY unit_id",
                    [*columns, start.isoformat(), end.isoformat()],
                )
            )
        totals: dict[int, UnitTotals] = {}
        for sql, params in queries:
            rows = await self.all(sql, params)
            if not totals:
                totals = {row[0]: row for row in rows}
                continue
            for row in rows:
                earlier = totals.get(row[0])
                totals[row[0]] = row if earlier is None else add_totals(earlier, row)
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
                for rule_id, n in await self.all(
                    "SELECT rule_id, SUM(items) FROM item_months WHERE month BETWEEN ? AND ? GROUP BY rule_id",
                    (first, last),
                ):
                    counts[rule_id] = counts.get(rule_id, 0) + n
            edges = parts.days
            group_filter, group_params = "", []
        else:
            edges = [(period.start, period.end)]
            marks = ", ".join("?" for _ in groups)
            group_filter = f"AND unit_id IN (SELECT id FROM units WHERE group_id IN ({marks}))"
            group_params = list(groups)
        for start, end in edges:
            for rule_id, n in await self.all(
                f"SELECT rule_id, SUM(items) FROM ledger WHERE items <> 0 AND date BETWEEN ? AND ? {group_filter} "
                "GROUP BY rule_id",
                [start.isoformat(), end.isoformat(), *group_params],
            ):
                counts[rule_id] = counts.get(rule_id, 0) + n
        return counts
