"""Standings: per-unit sums for a period turned into ranked group tables."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from operator import add, itemgetter
from typing import Any, NamedTuple

from scoring.periods import Period
from scoring.points import points_json
from scoring.ruleset import SUBMISSION_ID, Ruleset


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    group: str


# A unit's sums over a period, as storage hands them over: a plain tuple per unit, because a
# bulletin can rank 10,000 units and an object apiece costs more than the query that sums them.
# Layout: (unit id, ledger entries, adoptions, scored items, one sum per score column...).
UnitTotals = tuple[int, ...]
ENTRIES, ADOPTIONS, ITEMS, SCORES = 1, 2, 3, 4


def add_totals(a: UnitTotals, b: UnitTotals) -> UnitTotals:
    """The sums of one unit over two parts of a period."""
    return (a[0], *(x + y for x, y in zip(a[1:], b[1:], strict=True)))


class Row(NamedTuple):
    """One unit's line of a group table. Light on purpose: a bulletin can have 10,000 of them.
    Scores and totals are hundredths of a point (scoring.points)."""

    rank: int
    unit: str
    adoption_count: int
    # In the order of the ruleset's score columns (Standings.columns).
    scores: tuple[int, ...]
    raw_total: int
    total: int
    # In the order of the ruleset's count columns (Standings.count_columns).
    counts: tuple[int, ...] = ()
    # The adoption rate (`38.5%`, `—` with no submission) where the ruleset shows one.
    rate: str | None = None


# The adoption rate of a unit that submitted nothing.
NO_RATE = "—"


def adoption_rate(adoptions: int, submissions: int) -> str:
    """Adoptions ÷ submissions as a percentage with one decimal, rounded half up, in integers
    (5 of 13: `38.5%`)."""
    if submissions <= 0:
        return NO_RATE
    tenths, rest = divmod(adoptions * 1000, submissions)
    if 2 * rest >= submissions:
        tenths += 1
    return f"{tenths // 10}.{tenths % 10}%"


@dataclass(frozen=True)
class GroupStandings:
    group: str
    item_count: int
    rows: list[Row]


@dataclass(frozen=True)
class Standings:
    ruleset: str
    period: Period
    columns: list[str]
    item_counts: dict[str, int]
    groups: list[GroupStandings] = field(default_factory=list)
    count_columns: list[str] = field(default_factory=list)
    # Whether rows carry an adoption rate, and whether they are ranked (or in roster order).
    rated: bool = False
    ranked: bool = True
    # The same standings from 1 January of the period's year to its end, where the ruleset
    # shows them beside the period's (with_year_to_date).
    year_to_date: Standings | None = None
    # Which of a row's cells (count, counts, rate, scores, total) the tables repeat for it.
    year_positions: tuple[int, ...] = ()
    # The unit id of each row's name, where the roster was read for the period (a unit may be
    # listed under an earlier name or with a note: bot.usecases.standings).
    unit_ids: dict[str, int] = field(default_factory=dict)

    def name_of(self, unit_id: int, name: str) -> str:
        """The name a unit's row has (`name`, its name now, if the table does not say)."""
        return next((n for n, i in self.unit_ids.items() if i == unit_id), name)

    @cached_property
    def _year_rows(self) -> dict[str, Row]:
        ytd = self.year_to_date
        return {r.unit: r for g in ytd.groups for r in g.rows} if ytd else {}

    def year_row(self, row: Row) -> Row:
        """The unit's year-to-date row (all zeros for a unit not listed in it)."""
        found = self._year_rows.get(row.unit)
        if found is not None:
            return found
        counts = (0,) * len(self.count_columns)
        rate = NO_RATE if self.rated else None
        return Row(0, row.unit, 0, (0,) * len(self.columns), 0, 0, counts, rate)

    def year_cells(self, row: Row) -> tuple[int | str, ...]:
        """The unit's year-to-date cells in the order of its period's (count, counts, rate,
        scores, total); none where the ruleset shows no year to date."""
        if self.year_to_date is None:
            return ()
        y = self.year_row(row)
        rate = () if y.rate is None else (y.rate,)
        cells = (y.adoption_count, *y.counts, *rate, *y.scores, y.total)
        return tuple(cells[n] for n in self.year_positions)

    @cached_property
    def year_points(self) -> tuple[bool, ...]:
        """Which of year_cells are points (scores and total), not counts or a rate."""
        first = 1 + len(self.count_columns) + int(self.rated)
        return tuple(n >= first for n in self.year_positions)

    def cells(self, row: Row) -> dict[str, int]:
        """A row's scores (hundredths) by column name."""
        return dict(zip(self.columns, row.scores, strict=True))

    def _points_json(self, row: Row) -> dict[str, Any]:
        return {
            "columns": {c: points_json(v) for c, v in self.cells(row).items()},
            "raw_total": points_json(row.raw_total),
            "total": points_json(row.total),
        }

    def count_cells(self, row: Row) -> dict[str, int]:
        return dict(zip(self.count_columns, row.counts, strict=True))

    def _row_json(self, r: Row) -> dict[str, Any]:
        # Keys only a ruleset with such columns has: the seeds' JSON stays as it was.
        data: dict[str, Any] = {
            "rank": r.rank if self.ranked else None,
            "unit": r.unit,
            "adoption_count": r.adoption_count,
        }
        if self.count_columns:
            data["counts"] = self.count_cells(r)
        if self.rated:
            data["rate"] = r.rate
        data |= self._points_json(r)
        if self.year_to_date is not None:
            y = self.year_row(r)
            year: dict[str, Any] = {"adoption_count": y.adoption_count}
            if self.count_columns:
                year["counts"] = self.count_cells(y)
            if self.rated:
                year["rate"] = y.rate
            year |= self._points_json(y)
            data["year_to_date"] = year
        return data

    @property
    def item_count(self) -> int:
        return sum(self.item_counts.values())

    def to_json(self) -> dict[str, Any]:
        """The interchange shape of rules.md, key for key."""
        year = self.year_to_date
        # Only a ruleset showing the year to date has the key: the seeds' JSON stays as it was.
        span = (
            {
                "year_to_date": {
                    "start": year.period.start.isoformat(),
                    "end": self.period.end.isoformat(),
                }
            }
            if year
            else {}
        )
        return {
            "ruleset": self.ruleset,
            "period": {
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            **span,
            "item_count": self.item_count,
            "item_counts": self.item_counts,
            "groups": [
                {
                    "group": g.group,
                    "item_count": g.item_count,
                    "rows": [self._row_json(r) for r in g.rows],
                }
                for g in self.groups
            ],
        }


def build_standings(
    ruleset: Ruleset,
    period: Period,
    units: Sequence[UnitRef],
    totals: Mapping[int, UnitTotals],
    item_counts: Mapping[str, int],
    groups: Sequence[str] | None = None,
    counted: Mapping[int, Mapping[str, int]] | None = None,
) -> Standings:
    """Rank every group's units by total.

    `totals` holds the units with ledger entries in the period; `item_counts` counts the scored
    adoption items of the groups shown by rule id; `counted` holds, per unit id, its records in
    the period by item id (`submission` for its submissions), not counting reversed ones: what
    the ruleset's count columns and adoption rate need. Units are listed by the ruleset's
    listing policy, totals floored by its floor; equal totals share a rank (1, 2, 2, 4) and are
    listed in the order of `units`, the roster's; a ruleset in roster order lists them so.
    """
    b = ruleset.bulletin
    columns = b.score_columns
    wanted = [g.id for g in ruleset.groups if groups is None or g.id in groups]
    list_all = b.listing == "all"
    floor = ruleset.floor
    empty: UnitTotals = (0,) * (SCORES + len(columns))
    count_items = [c.items for c in b.counts]
    no_counts = (0,) * len(count_items)
    count = _counter(count_items)
    rated = b.rate_column is not None
    # A rate per (adoptions, submissions): few distinct pairs among thousands of units.
    rates: dict[tuple[int, int], str] = {}
    # Per listed unit, by group: a Row without its rank, (unit, adoptions, scores, raw total,
    # total, counts, rate), given its rank once the group is sorted; and the group's items.
    by_group: dict[str, list[_Listed]] = {g: [] for g in wanted}
    items: dict[str, int] = dict.fromkeys(wanted, 0)
    # Looked up once, not per unit: this loop runs for every unit of the roster, twice with
    # the year to date.
    total_of, counted_of = totals.get, counted.get if counted else None
    group_of = by_group.get
    first_score, adoptions_at, items_at, submission = SCORES, ADOPTIONS, ITEMS, SUBMISSION_ID
    for unit in units:
        listed = group_of(unit.group)
        if listed is None:
            continue
        t = total_of(unit.id)
        if t is None:
            if not list_all:
                continue
            t = empty
        scores = t[first_score:]
        raw = sum(scores)
        total = raw if floor is None or raw >= floor else floor
        # The seeds count nothing, and a unit without records has no counts: no work per unit
        # for them (a bulletin can have 10,000).
        mine = counted_of(unit.id) if counted_of else None
        if mine is None:
            counts, submitted = no_counts, 0
        else:
            counts = count(mine)
            submitted = mine.get(submission, 0)
        adoptions = t[adoptions_at]
        rate = None
        if rated:
            pair = (adoptions, submitted)
            rate = rates.get(pair)
            if rate is None:
                rate = rates[pair] = adoption_rate(*pair)
        listed.append((unit.name, adoptions, scores, raw, total, counts, rate))
        if t[items_at]:
            items[unit.group] += t[items_at]
    result: list[GroupStandings] = []
    new_row = tuple.__new__  # Row's own __new__ is a Python function: a call per row more
    for group_id in wanted:
        listed = by_group[group_id]
        if b.ranked:
            # By total only, highest first; the sort is stable (reverse too), so equal totals
            # keep the roster's order (`units` comes in it), which is how the Ordos bulletin
            # lists them (民政局 with 9 adoptions before 公安局 with 11, both at 55): the
            # office's own list, not a second criterion.
            listed.sort(key=_total, reverse=True)
        ranked: list[Row] = []
        rank, previous = 0, None
        for position, entry in enumerate(listed, start=1):
            if entry[4] != previous:
                rank, previous = position, entry[4]
            ranked.append(new_row(Row, (rank, *entry)))
        result.append(GroupStandings(group_id, items[group_id], ranked))
    totals_by_item = {k: item_counts[k] for k in sorted(item_counts) if item_counts[k]}
    return Standings(
        ruleset.id, period, list(columns), totals_by_item, result,
        [c.column for c in b.counts], rated, b.ranked,
    )  # fmt: skip


def _counter(count_items: Sequence[Sequence[str]]) -> Callable[[Mapping[str, int]], Counts]:
    """A unit's count columns from its records by item. Columns of one item each (the usual
    kind) are read in one pass, without a sum per column: this runs for thousands of units."""
    if all(len(items) == 1 for items in count_items):
        keys = [items[0] for items in count_items]
        zeros = [0] * len(keys)
        return lambda mine: tuple(map(mine.get, keys, zeros))
    return lambda mine: tuple(sum(mine.get(i, 0) for i in items) for items in count_items)


def add_unit_totals(
    a: Mapping[int, UnitTotals], b: Mapping[int, UnitTotals]
) -> dict[int, UnitTotals]:
    """Per-unit sums of two periods that do not overlap, summed (the year to date as the days
    before a period and the period)."""
    result = dict(a)
    # Column by column in C (map), not a generator per unit: thousands of units have both.
    for unit_id, mine in b.items():
        other = result.get(unit_id)
        result[unit_id] = mine if other is None else (unit_id, *map(add, other[1:], mine[1:]))
    return result


def add_counts(
    a: Mapping[int, Mapping[str, int]], b: Mapping[int, Mapping[str, int]]
) -> dict[int, Mapping[str, int]]:
    """Per-unit counts by item of two periods that do not overlap, summed (the year to date
    as the days before a period and the period): only the units in both are copied."""
    result: dict[int, Mapping[str, int]] = dict(a)
    for unit_id, mine in b.items():
        other = result.get(unit_id)
        if other is None:
            result[unit_id] = mine
            continue
        both = dict(other)
        for item, n in mine.items():
            both[item] = both.get(item, 0) + n
        result[unit_id] = both
    return result


def year_to_date_period(period: Period) -> Period:
    """From 1 January of the period's (last) year to the period's end."""
    start = date(period.end.year, 1, 1)
    return Period(start, period.end, f"{start.isoformat()}..{period.end.isoformat()}")


def with_year_to_date(ruleset: Ruleset, standings: Standings, year: Standings) -> Standings:
    """The period's standings with the year's to date beside them."""
    positions = tuple(ruleset.bulletin.year_to_date_positions)
    return replace(standings, year_to_date=year, year_positions=positions)


def counted_items(ruleset: Ruleset) -> list[str]:
    """The item ids whose records build_standings needs counted (`counted`): those of the
    count columns, and submissions for an adoption rate. None for the seeds' rulesets."""
    b = ruleset.bulletin
    wanted = {i for c in b.counts for i in c.items}
    if b.rate_column:
        wanted.add(SUBMISSION_ID)
    return sorted(wanted)


def unit_above(rows: Sequence[Row], index: int) -> Row | None:
    """The row ranked just above `rows[index]`: the last one before it with a higher total
    (units tied with it share its rank, they are not above it)."""
    total = rows[index].total
    return next((r for r in reversed(rows[:index]) if r.total > total), None)


def leads(rows: Sequence[Row], index: int) -> bool:
    """Whether `rows[index]` is first in its group: no unit above it and some unit below. A
    group tied throughout (every unit at 0 before anything is scored) has no first."""
    total = rows[index].total
    return unit_above(rows, index) is None and any(r.total < total for r in rows)


Counts = tuple[int, ...]
# A Row without its rank (build_standings).
_Listed = tuple[str, int, tuple[int, ...], int, int, tuple[int, ...], str | None]
_total = itemgetter(4)
