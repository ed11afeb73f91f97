"""A period's bulletin: its standings and, for a year, its awards, read in one snapshot."""

from __future__ import annotations

from datetime import date

from bot.storage import Store, Tx
from bot.usecases.standings import standings_in
from scoring.awards import Basis, GroupAwards, annual_awards
from scoring.bulletin import Bulletin, build_bulletin, is_year
from scoring.periods import Period, quarter, quarter_of, year
from scoring.ruleset import Ruleset
from scoring.standings import Standings


async def bulletin(store: Store, period: Period) -> Bulletin:
    async with store.reading(snapshot=True) as tx:
        return await bulletin_in(tx, period)


async def bulletin_in(tx: Tx, period: Period) -> Bulletin:
    """The bulletin inside a transaction already open (publishing locks in the same one)."""
    ruleset, table = await standings_in(tx, period)
    awards = None
    if ruleset.awards is not None and is_year(period):
        awards = await _awards(tx, ruleset, table)
    return build_bulletin(ruleset, table, awards)


async def _awards(tx: Tx, ruleset: Ruleset, table: Standings) -> list[GroupAwards]:
    assert ruleset.awards is not None
    the_year = table.period
    basis = await _basis(tx, ruleset, table)
    penalty_ids = [i for rule in ruleset.awards.disqualify for i in rule.penalties]
    by_id = await tx.penalty_counts(the_year.start, the_year.end, penalty_ids)
    names = {u.id: u.name for u in await tx.units()}
    penalties = {names[unit_id]: counts for unit_id, counts in by_id.items()}
    liaisons: dict[str, list[str]] = {}
    for person in await tx.liaisons():
        liaisons.setdefault(person.unit, []).append(person.name or person.display)
    return annual_awards(ruleset.awards, table.groups, basis, penalties, liaisons)


async def _basis(tx: Tx, ruleset: Ruleset, table: Standings) -> Basis:
    """The previous year's standings if it has ledger entries; otherwise (the ruleset's first
    year) the year's first quarter in which the ruleset was in force against its last."""
    number = table.period.start.year
    previous = year(number - 1)
    if await tx.has_ledger_entries(previous.start, previous.end):
        _, before = await standings_in(tx, previous)
        return Basis(previous.label, before.groups, table.groups)
    effective = ruleset.effective_from or date(number, 1, 1)
    first = quarter_of(min(max(effective, table.period.start), table.period.end))
    last = quarter(number, 4)
    _, before = await standings_in(tx, first)
    _, after = await standings_in(tx, last)
    return Basis(f"{first.label}..{last.label}", before.groups, after.groups)
