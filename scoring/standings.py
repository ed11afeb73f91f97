"""Standings: per-unit sums for a period turned into ranked group tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scoring.periods import Period
from scoring.ruleset import Ruleset


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    group: str


@dataclass
class UnitTotals:
    """A unit's sums over the period's ledger entries, one per bulletin score column."""

    columns: dict[str, int]
    adoptions: int = 0
    items: int = 0


@dataclass(frozen=True)
class Row:
    rank: int
    unit: str
    adoption_count: int
    columns: dict[str, int]
    raw_total: int
    total: int


@dataclass(frozen=True)
class GroupStandings:
    group: str
    item_count: int
    rows: list[Row]


@dataclass(frozen=True)
class Standings:
    ruleset: str
    period: Period
    item_counts: dict[str, int]
    groups: list[GroupStandings] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(self.item_counts.values())

    def to_json(self) -> dict[str, Any]:
        """The interchange shape of rules.md, key for key."""
        return {
            "ruleset": self.ruleset,
            "period": {
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "item_count": self.item_count,
            "item_counts": self.item_counts,
            "groups": [
                {
                    "group": g.group,
                    "item_count": g.item_count,
                    "rows": [
                        {
                            "rank": r.rank,
                            "unit": r.unit,
                            "adoption_count": r.adoption_count,
                            "columns": r.columns,
                            "raw_total": r.raw_total,
                            "total": r.total,
                        }
                        for r in g.rows
                    ],
                }
                for g in self.groups
            ],
        }


def build_standings(
    ruleset: Ruleset,
    period: Period,
    units: Sequence[UnitRef],
    totals: Mapping[int, UnitTotals],
    item_counts: Mapping[str, Mapping[str, int]],
    groups: Sequence[str] | None = None,
) -> Standings:
    """Rank every group's units by total.

    `totals` holds only units with ledger entries in the period; `item_counts` maps a group id
    to its scored adoption items counted by rule id. Units are listed by the ruleset's listing
    policy, totals floored by its floor, and equal totals share a rank (1, 2, 2, 4).
    """
    wanted = [g.id for g in ruleset.groups if groups is None or g.id in groups]
    by_group: dict[str, list[UnitRef]] = {g: [] for g in wanted}
    for unit in units:
        if unit.group in by_group:
            by_group[unit.group].append(unit)
    columns = ruleset.bulletin.score_columns
    list_all = ruleset.bulletin.listing == "all"
    overall: dict[str, int] = {}
    result: list[GroupStandings] = []
    for group_id in wanted:
        rows: list[tuple[int, int, str, dict[str, int], int]] = []
        for unit in by_group[group_id]:
            t = totals.get(unit.id)
            if t is None and not list_all:
                continue
            cells = {c: (t.columns.get(c, 0) if t else 0) for c in columns}
            raw = sum(cells.values())
            total = raw if ruleset.floor is None else max(raw, ruleset.floor)
            rows.append((total, t.adoptions if t else 0, unit.name, cells, raw))
        rows.sort(key=lambda r: (-r[0], -r[1], r[2]))
        ranked: list[Row] = []
        for position, (total, adoptions, name, cells, raw) in enumerate(rows, start=1):
            rank = ranked[-1].rank if ranked and ranked[-1].total == total else position
            ranked.append(Row(rank, name, adoptions, cells, raw, total))
        counts = item_counts.get(group_id, {})
        for rule_id, n in counts.items():
            overall[rule_id] = overall.get(rule_id, 0) + n
        result.append(GroupStandings(group_id, sum(counts.values()), ranked))
    item_counts_sorted = {k: overall[k] for k in sorted(overall) if overall[k]}
    return Standings(ruleset.id, period, item_counts_sorted, result)
