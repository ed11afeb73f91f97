"""Standings for a period, read from the ledger in one snapshot."""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage import Store, Tx
from scoring.periods import Period
from scoring.ruleset import Ruleset
from scoring.standings import (
    Standings,
    UnitRef,
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
    table = await _build(tx, ruleset, period, units, wanted)
    if ruleset.bulletin.year_to_date:
        year = await _build(tx, ruleset, year_to_date_period(period), units, wanted)
        table = with_year_to_date(ruleset, table, year)
    return ruleset, table


async def _build(
    tx: Tx, ruleset: Ruleset, period: Period, units: Sequence[UnitRef], wanted: list[str] | None
) -> Standings:
    totals = await tx.standings.period_totals(period, ruleset.bulletin.score_columns)
    counts = await tx.standings.item_counts(period, wanted)
    counted = None
    if needed := counted_items(ruleset):
        counted = await tx.standings.record_counts(period, needed)
    return build_standings(ruleset, period, units, totals, counts, wanted, counted)
