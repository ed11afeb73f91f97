"""The bulletin (通报) as content: the opening's totals, one table per group, the notes that
explain the tables, and for a year the awards. No wording and no layout: `bot.bulletin` writes
the Chinese and lays it out as DOCX, XLSX or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from scoring.awards import GroupAwards
from scoring.periods import Period
from scoring.points import points_cell
from scoring.ruleset import SUBMISSION_ID, ItemKind, Ruleset
from scoring.standings import Standings

# A zero printed as "/" where the ruleset says so, as the Ordos tables print it.
SLASH = "/"
# A table cell: a number, a unit's name, or SLASH. A number of points is an int when whole, else an exact Decimal (scoring.points.points_cell).
Cell = int | Decimal | str


@dataclass(frozen=True)
class Count:
    """A number of scored adoption items, by kind of item or by group."""

    id: str
    label: str
    count: int


@dataclass(frozen=True)
class Headline:
    """The totals the opening paragraph gives: items adopted in all, the special kinds among
    them (adoptions that are not counted as 采用条数, such as interviews), and by group."""

    item_count: int
    kinds: tuple[Count, ...]
    groups: tuple[Count, ...]
    unit_count: int


@dataclass(frozen=True)
class Penalised:
    """A penalty item (a missed quota, a missed commission, an error) and the units charged
    it in the period, in the order of the tables: the opening names them, as real 通报 do."""

    item: str
    label: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A group's table: rank, unit, then the ruleset's bulletin columns."""

    group: str
    label: str
    # The ruleset's columns after rank and unit: the count, the scores, the total.
    columns: tuple[str, ...]
    # (rank, unit, count, counts..., rate, scores..., total) in rank order; a tuple apiece,
    # there can be 10,000. Unranked (the roster's order), the first cell is the row's number.
    rows: list[tuple[Cell, ...]]
    ranked: bool = True


@dataclass(frozen=True)
class Term:
    """One way points reach a column: an item or a modifier with its points in hundredths
    (None: as given)."""

    label: str
    points: int | None
    kind: Literal["adoption", "credit", "penalty", "adjustment", "modifier"]


@dataclass(frozen=True)
class ColumnNote:
    column: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Notes:
    """What the notes under the tables explain, read from the ruleset."""

    listing: Literal["scored", "all"]
    count_column: str
    # Adoptions the count column leaves out (the Ordos interviews and policy interpretations).
    uncounted: tuple[str, ...]
    slash_columns: tuple[str, ...]
    columns: tuple[ColumnNote, ...]
    total_column: str
    floor: int | None
    start: date
    end: date
    ranked: bool = True
    # Each count column with the labels of what it counts (None: submissions).
    counts: tuple[tuple[str, tuple[str | None, ...]], ...] = ()
    rate_column: str | None = None
    # The year-to-date columns' word and their first day (1 January), where shown.
    year_to_date: tuple[str, date] | None = None
    # Where the period spans several methods: each method's name with the days it governed.
    methods: tuple[tuple[str, date, date], ...] = ()


@dataclass(frozen=True)
class Published:
    """A published version of a period's bulletin."""

    version: int
    at: datetime
    by: str
    # The ledger chain's head when it was published (bot.storage.ledger.Anchor), shown in the
    # notes: `govinfo-bot verify --anchor` proves later that the numbers' lines did not change.
    anchor: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "at": self.at.isoformat(timespec="seconds"), "by": self.by}


@dataclass(frozen=True)
class Bulletin:
    ruleset: str
    ruleset_name: str
    period: Period
    standings: Standings
    headline: Headline
    tables: list[Table]
    notes: Notes
    # For a year under a ruleset with [awards]; None otherwise.
    awards: list[GroupAwards] | None
    # Item labels by id, for the reasons of a disqualification.
    item_labels: dict[str, str]
    # Penalties charged in the period, in the ruleset's order of items; reversed ones left out.
    penalised: tuple[Penalised, ...] = ()

    def to_json(self, published: Published | None) -> dict[str, Any]:
        """The standings JSON with `published` (None: a draft) and, for a year, `awards`."""
        data = self.standings.to_json()
        data["published"] = published.to_json() if published else None
        if self.awards is not None:
            data["awards"] = [a.to_json() for a in self.awards]
        return data


def build_bulletin(
    ruleset: Ruleset,
    standings: Standings,
    awards: list[GroupAwards] | None = None,
    penalties: dict[str, dict[str, int]] | None = None,
) -> Bulletin:
    """`penalties`: per unit name, the penalty items charged in the period and how often."""
    labels = {g.id: g.display for g in ruleset.groups}
    b = ruleset.bulletin
    kinds = tuple(
        Count(i.id, i.label, standings.item_counts[i.id])
        for i in ruleset.items
        if i.kind is ItemKind.ADOPTION
        and not i.counts_as_adoption
        and standings.item_counts.get(i.id)
    )
    headline = Headline(
        standings.item_count,
        kinds,
        tuple(Count(g.group, labels[g.group], g.item_count) for g in standings.groups),
        sum(len(g.rows) for g in standings.groups),
    )
    slashed = [column in b.slash_for_zero for column in b.score_columns]
    tables = []
    for group in standings.groups:
        rows: list[tuple[Cell, ...]] = []
        for number, r in enumerate(group.rows, start=1):
            scores = (
                SLASH if value == 0 and slash else points_cell(value)
                for value, slash in zip(r.scores, slashed, strict=True)
            )
            rate = () if r.rate is None else (r.rate,)
            first = r.rank if b.ranked else number
            year = (
                points_cell(v) if is_points and isinstance(v, int) else v
                for v, is_points in zip(standings.year_cells(r), standings.year_points, strict=True)
            )
            total = points_cell(r.total)
            rows.append((first, r.unit, r.adoption_count, *r.counts, *rate, *scores, total, *year))
        columns = (*b.columns, *b.year_to_date_headers)
        tables.append(Table(group.group, labels[group.group], columns, rows, b.ranked))
    notes = Notes(
        b.listing,
        b.count_column,
        tuple(
            i.label
            for i in ruleset.items
            if i.kind is ItemKind.ADOPTION and not i.counts_as_adoption
        ),
        tuple(b.slash_for_zero),
        tuple(ColumnNote(column, _terms(ruleset, column)) for column in b.score_columns),
        b.total_column,
        ruleset.floor,
        standings.period.start,
        standings.period.end,
        b.ranked,
        tuple(
            (
                c.column,
                tuple(None if i == SUBMISSION_ID else ruleset.item(i).label for i in c.items),
            )
            for c in b.counts
        ),
        b.rate_column,
        _year_to_date(standings, b.year_to_date),
    )
    return Bulletin(
        ruleset.id,
        ruleset.name,
        standings.period,
        standings,
        headline,
        tables,
        notes,
        awards,
        {i.id: i.label for i in ruleset.items},
        _penalised(ruleset, standings, penalties or {}),
    )


def _year_to_date(standings: Standings, prefix: str | None) -> tuple[str, date] | None:
    year = standings.year_to_date
    return (prefix, year.period.start) if prefix and year else None


def _penalised(
    ruleset: Ruleset, standings: Standings, penalties: dict[str, dict[str, int]]
) -> tuple[Penalised, ...]:
    order = {row.unit: n for n, row in enumerate(r for g in standings.groups for r in g.rows)}
    units = sorted(penalties, key=lambda unit: (order.get(unit, len(order)), unit))
    return tuple(
        Penalised(i.id, i.label, tuple(u for u in units if penalties[u].get(i.id)))
        for i in ruleset.items
        if i.kind is ItemKind.PENALTY and any(penalties[u].get(i.id) for u in units)
    )


def _terms(ruleset: Ruleset, column: str) -> tuple[Term, ...]:
    terms = [Term(i.label, i.points, i.kind.value) for i in ruleset.items if i.column == column]
    for m in ruleset.modifiers:
        if m.column != column:
            continue
        # A value by item is said with its item; the modifier's own value where it applies.
        if any(target not in m.points_on for target in m.allowed_on):
            terms.append(Term(m.label, m.points, "modifier"))
        terms += [
            Term(f"{m.label}（{ruleset.item(target).label}）", points, "modifier")
            for target, points in m.points_on.items()
        ]
    return tuple(terms)


def is_year(period: Period) -> bool:
    """Whether the period is one calendar year, however it was written."""
    start, end = period.start, period.end
    return (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and (
        start.year == end.year
    )
