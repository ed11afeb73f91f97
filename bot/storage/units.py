"""Units and their aliases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.query import Repository
from bot.storage.sql import sql
from scoring.errors import DomainError
from scoring.roster import Change, UnitChange
from scoring.standings import UnitRef
from scoring.text import normal_name


@dataclass(frozen=True)
class UnitRow:
    name: str
    group: str
    # None keeps the unit's aliases as they are; a list replaces them.
    aliases: tuple[str, ...] | None


_UNITS = sql("SELECT id, name, group_id FROM units ORDER BY id")
# See _roster_version.
_ROSTER_VERSION = sql(sqlite="PRAGMA data_version", postgres="SELECT n FROM roster_version")
# Aliases, then the names a unit had before a rename, then the names of units merged into an
# active one (both found as the unit they are now: rules.md, "Units change"), then the names.
_LOOKUP = sql(
    "SELECT a.alias, u.id, u.name FROM unit_aliases a JOIN units u ON u.id = a.unit_id "
    "WHERE u.active = 1 UNION ALL SELECT c.old_value, u.id, u.name FROM unit_changes c "
    "JOIN units u ON u.id = c.unit_id WHERE c.change = 'rename' AND u.active = 1 "
    "UNION ALL SELECT m.name, s.id, s.name FROM unit_changes c JOIN units m ON m.id = c.unit_id "
    "JOIN units s ON s.id = c.into_unit WHERE c.change = 'merge' AND s.active = 1 "
    "UNION ALL SELECT u.name, u.id, u.name FROM units u WHERE u.active = 1"
)
_ALIASES = sql("SELECT unit_id, alias FROM unit_aliases ORDER BY alias")
_SET_GROUP = sql("UPDATE units SET group_id = :group_id WHERE id = :id")
_ADD_UNIT = sql(
    "INSERT INTO units (name, group_id, created_at) VALUES (:name, :group_id, :created_at) "
    "RETURNING id"
)
_DROP_ALIASES = sql("DELETE FROM unit_aliases WHERE unit_id = :unit_id")
# Rows given in this order (Tx.many).
_ADD_ALIAS = sql("INSERT INTO unit_aliases (alias, unit_id) VALUES (:alias, :unit_id)")
_CHANGES = sql(
    "SELECT unit_id, change, start, old_value, new_value, into_unit, actor, at "
    "FROM unit_changes ORDER BY start, id"
)
_ADD_CHANGE = sql(
    "INSERT INTO unit_changes (unit_id, change, start, old_value, new_value, into_unit, actor, "
    "at) VALUES (:unit_id, :change, :start, :old_value, :new_value, :into_unit, :actor, :at)"
)
_RENAME = sql("UPDATE units SET name = :name WHERE id = :id")
_RETIRE = sql("UPDATE units SET active = 0 WHERE id = :id")
_DROP_ALIAS = sql("DELETE FROM unit_aliases WHERE alias = :alias")


class UnitStorage(Repository):
    async def resolve_unit(self, key: str) -> tuple[int, str]:
        """(id, name) of the active unit with this name or alias, as written or in its normal
        form (scoring.text.normal_name: a full-width name finds the unit)."""
        lookup = await self.unit_lookup()
        found = lookup.get(key.strip())
        if found is None:
            # A name stored with a control character or in full width (by an earlier version)
            # is found by its normal form; looked for only when the name is not found as it is.
            wanted = normal_name(key)
            found = lookup.get(wanted) or next(
                (unit for name, unit in lookup.items() if normal_name(name) == wanted), None
            )
        if found is None:
            raise DomainError("unit_unknown", unit=normal_name(key))
        return found

    async def units(self) -> list[UnitRef]:
        if not self.reading:
            # Inside a write transaction: the roster as this transaction sees it. The cache
            # belongs to the reading connection, whose data_version tells when it is stale.
            rows = await self.all(_UNITS)
            return [UnitRef(*row) for row in rows]
        version = await self._roster_version()
        if self.store.units_cache is None or self.store.units_version != version:
            rows = await self.all(_UNITS)
            self.store.units_cache = [UnitRef(*row) for row in rows]
            self.store.units_version = version
        return self.store.units_cache

    async def _roster_version(self) -> int:
        """A number that changes whenever the roster may have: on SQLite the reading
        connection's data_version (it changes when another connection commits: the command
        line, or this store's writer); on PostgreSQL a counter its triggers on units and
        unit_aliases raise."""
        row = await self.one(_ROSTER_VERSION)
        assert row is not None
        return int(row[0])

    async def unit_lookup(self) -> dict[str, tuple[int, str]]:
        """Every active unit's name and alias mapped to (unit id, name)."""
        # Aliases first, so that a unit's own name wins over any alias spelled the same.
        rows = await self.all(_LOOKUP)
        return {key: (unit_id, name) for key, unit_id, name in rows}

    async def unit_aliases(self) -> dict[int, list[str]]:
        result: dict[int, list[str]] = {}
        for unit_id, alias in await self.all(_ALIASES):
            result.setdefault(unit_id, []).append(alias)
        return result

    async def upsert_units(self, rows: Iterable[UnitRow], now: datetime) -> tuple[int, int]:
        """Add new units and update the group and aliases of known ones; (added, updated)."""
        known = {name: (unit_id, group) for unit_id, name, group in await self.all(_UNITS)}
        aliases = await self.unit_aliases()
        added = updated = 0
        for row in rows:
            if row.name in known:
                unit_id, group = known[row.name]
                changed = group != row.group
                if changed:
                    await self.write(_SET_GROUP, {"group_id": row.group, "id": unit_id})
            else:
                unit_id = await self.insert(
                    _ADD_UNIT,
                    {"name": row.name, "group_id": row.group, "created_at": now.isoformat()},
                )
                changed = True
                added += 1
            if row.aliases is not None and sorted(row.aliases) != aliases.get(unit_id, []):
                await self.write(_DROP_ALIASES, {"unit_id": unit_id})
                await self.many(_ADD_ALIAS, [(alias, unit_id) for alias in row.aliases])
                changed = True
            if changed and row.name in known:
                updated += 1
        return added, updated

    async def changes(self) -> list[UnitChange]:
        """Every rename, merge, retirement and move, by date (the order they were made in on
        one day)."""
        return [
            UnitChange(
                unit_id, Change(change), date.fromisoformat(start), old, new, into, actor, at
            )
            for unit_id, change, start, old, new, into, actor, at in await self.all(_CHANGES)
        ]

    async def add_change(self, change: UnitChange, now: datetime) -> None:
        """Record a change and make it to the unit as it is now (its name, group or standing);
        the ledger is not touched."""
        await self.write(
            _ADD_CHANGE,
            {"unit_id": change.unit_id, "change": change.change.value,
             "start": change.start.isoformat(), "old_value": change.old,
             "new_value": change.new, "into_unit": change.into, "actor": change.actor,
             "at": now.isoformat()},
        )  # fmt: skip
        if change.change is Change.RENAME:
            # The new name may have been the unit's own alias: a name now, not an alias.
            await self.write(_DROP_ALIAS, {"alias": change.new})
            await self.write(_RENAME, {"name": change.new, "id": change.unit_id})
        elif change.change is Change.MOVE:
            await self.write(_SET_GROUP, {"group_id": change.new, "id": change.unit_id})
        else:
            await self.write(_RETIRE, {"id": change.unit_id})
