"""Standings for a period, read from the ledger in one snapshot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.storage import Store, Tx
from scoring.periods import Period
from scoring.roster import PeriodRoster, fold_counts, fold_totals, period_roster
from scoring.ruleset import Ruleset
from scoring.standings import (
    Standings,
    UnitTotals,
    add_counts,
    add_unit_totals,
    build_standings,
    counted_items,
    with_year_to_date,
    year_to_date_period,
)

# Per unit id, its records in a period by item id (tx.standings.record_counts).
Counted = Mapping[int, Mapping[str, int]]


async def standings(
    store: Store, period: Period, groups: Sequence[str] | None = None
) -> tuple[Ruleset, Standings]:
    """Group standings; `groups` are ids or labels (None: every group)."""
    async with store.reading(snapshot=True) as tx:
        return await standings_in(tx, period, groups)


async def standings_in(
    tx: Tx, period: Period, groups: Sequence[str] | None = None
) -> tuple[Ruleset, Standings]:
    """standings inside a transaction already open (a scheduled bulletin). Ranked by the
    method in force at the period's end, each day's entries as its own method scored them."""
    methods = await tx.config.methods()
    ruleset = methods.at(period.end)
    if ruleset.bulletin.year_to_date:
        ruleset = methods.period_ruleset(year_to_date_period(period).start, period.end)
    else:
        ruleset = methods.period_ruleset(period.start, period.end)
    wanted = None
    if groups is not None:
        wanted = [ruleset.find_group(key).id for key in groups]
    units = await tx.units.units()
    changes = await tx.units.changes()
    roster = period_roster(units, changes, period)
    read = await _read(tx, ruleset, period)
    table = await _build(tx, ruleset, period, roster, wanted, read)
    if changes:
        table = replace(table, unit_ids={u.name: u.id for u in roster.units})
    if ruleset.bulletin.year_to_date:
        ytd = year_to_date_period(period)
        year = period_roster(units, changes, ytd)
        # A unit's year row is found by the name its period's row has (a merge earlier in the
        # year notes the survivor's name in the year's list, not in a later quarter's).
        # Without changes every unit has one name; with them only a unit named otherwise in
        # the period is copied (10,000 copies cost more than the year's query).
        if changes:
            names = roster.names()
            renamed = [
                u if names.get(u.id, u.name) == u.name else replace(u, name=names[u.id])
                for u in year.units
            ]
            year = replace(year, units=renamed)
        year_read = await _year_read(tx, ruleset, period, read)
        year_table = await _build(tx, ruleset, ytd, year, wanted, year_read)
        table = with_year_to_date(ruleset, table, year_table)
    return ruleset, table


async def period_names(tx: Tx, period: Period) -> dict[int, str]:
    """Each unit id's name in the period's standings: a renamed unit's name at the period's
    end, a unit merged away into a listed one the survivor's (rules.md, "Units change")."""
    units = await tx.units.units()
    roster = period_roster(units, await tx.units.changes(), period)
    return {u.id: u.name for u in units} | roster.names()


async def listed_units(tx: Tx, period: Period) -> dict[str, int]:
    """The unit id of each name the period's standings list (a noted survivor's included)."""
    roster = period_roster(await tx.units.units(), await tx.units.changes(), period)
    return {u.name: u.id for u in roster.units}


@dataclass(frozen=True)
class _Read:
    """What the standings of a period read from the ledger per unit: its sums, and its records
    counted by item (None where the method counts none)."""

    totals: Mapping[int, UnitTotals]
    counted: Counted | None


async def _read(tx: Tx, ruleset: Ruleset, period: Period) -> _Read:
    totals = await tx.standings.period_totals(period, ruleset.bulletin.score_columns)
    counted = None
    if needed := counted_items(ruleset):
        counted = await tx.standings.record_counts(period, needed)
    return _Read(totals, counted)


async def _year_read(tx: Tx, ruleset: Ruleset, period: Period, read: _Read) -> _Read:
    """The year to date's reads. A period within one year is the end of its year to date: the
    year's are the period's (`read`) and those of the days before it, rather than the
    period's days read twice."""
    ytd = year_to_date_period(period)
    if ytd.start == period.start:
        return read
    if ytd.start > period.start:
        return await _read(tx, ruleset, ytd)
    before = await _read(tx, ruleset, Period(ytd.start, period.start - timedelta(days=1), ""))
    counted = None
    if read.counted is not None and before.counted is not None:
        counted = add_counts(read.counted, before.counted)
    return _Read(add_unit_totals(read.totals, before.totals), counted)


async def _build(
    tx: Tx,
    ruleset: Ruleset,
    period: Period,
    roster: PeriodRoster,
    wanted: list[str] | None,
    read: _Read,
) -> Standings:
    counts = await tx.standings.item_counts(period, wanted)
    counted = None if read.counted is None else fold_counts(read.counted, roster.folded)
    totals = fold_totals(read.totals, roster.folded)
    return build_standings(ruleset, period, roster.units, totals, counts, wanted, counted)
