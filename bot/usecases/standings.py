"""Standings for a period, read from the ledger in one snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.storage import Store, Tx
from scoring.periods import Period
from scoring.roster import PeriodRoster, fold_counts, fold_totals, period_roster
from scoring.ruleset import Ruleset
from scoring.standings import (
    Standings,
    build_standings,
    counted_items,
    with_year_to_date,
    year_to_date_period,
)


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
    table = await _build(tx, ruleset, period, roster, wanted)
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
        table = with_year_to_date(ruleset, table, await _build(tx, ruleset, ytd, year, wanted))
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


async def _build(
    tx: Tx, ruleset: Ruleset, period: Period, roster: PeriodRoster, wanted: list[str] | None
) -> Standings:
    totals = await tx.standings.period_totals(period, ruleset.bulletin.score_columns)
    counts = await tx.standings.item_counts(period, wanted)
    counted = None
    if needed := counted_items(ruleset):
        counted = fold_counts(await tx.standings.record_counts(period, needed), roster.folded)
    totals = fold_totals(totals, roster.folded)
    return build_standings(ruleset, period, roster.units, totals, counts, wanted, counted)
