"""What the database keeps about itself: the methods it scores by and a few named values."""

from __future__ import annotations

from datetime import date, datetime

from bot.storage.query import Repository
from bot.storage.sql import sql
from scoring.errors import DomainError
from scoring.methods import Method, Methods
from scoring.ruleset import MAX_SCORE_COLUMNS, Ruleset, parse_ruleset

_RULESET = sql("SELECT value FROM settings WHERE key = 'ruleset'")
_SET_RULESET = sql("INSERT INTO settings (key, value) VALUES ('ruleset', :value)")
_ADD_SCORE_COLUMN = sql("INSERT INTO score_columns (name, slot) VALUES (:name, :slot)")
_SCORE_COLUMNS = sql("SELECT name, slot FROM score_columns ORDER BY slot")
_METHOD_COUNT = sql("SELECT COUNT(*) FROM methods")
_METHODS = sql("SELECT start, text, source FROM methods ORDER BY start")
_ADD_METHOD = sql(
    "INSERT INTO methods (start, text, source, adopted_at, adopted_by) "
    "VALUES (:start, :text, :source, :adopted_at, :adopted_by)"
)
_SETTING = sql("SELECT value FROM settings WHERE key = :key")
_SET_SETTING = sql(
    "INSERT INTO settings (key, value) VALUES (:key, :value) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


class ConfigStorage(Repository):
    # Whether this transaction has checked the store's methods against the database: once per
    # transaction, so that a method adopted by another process (the command line) is seen by
    # the next transaction of a running bot or console, without a restart.
    _checked = False

    async def ruleset_text(self) -> str | None:
        row = await self.one(_RULESET)
        return row[0] if row else None

    async def methods(self) -> Methods:
        """Every method of the database, the first (the `ruleset` setting) first. Parsed once
        per store; read again when a method was adopted since (methods are only ever added)."""
        cached = self.store.methods_cache
        if cached is not None and self._checked:
            return cached
        row = await self.one(_METHOD_COUNT)
        adopted = int(row[0]) if row else 0
        if cached is None or len(cached.methods) != adopted + 1:
            text = await self.ruleset_text()
            if text is None:
                raise DomainError("not_initialized")
            first = cached.methods[0] if cached else Method(parse_ruleset(text), None, "")
            later = [
                Method(parse_ruleset(text), date.fromisoformat(start), source)
                for start, text, source in await self.all(_METHODS)
            ]
            cached = Methods((first, *later))
            self.store.methods_cache = cached
        self._checked = True
        return cached

    async def ruleset(self, day: date | None = None) -> Ruleset:
        """The method in force on `day`; without one, the latest adopted, reaching back to the
        first's effective date (Methods.current)."""
        methods = await self.methods()
        return methods.current if day is None else methods.at(day)

    async def set_ruleset(self, text: str) -> None:
        ruleset = parse_ruleset(text)
        await self.write(_SET_RULESET, {"value": text})
        await self.many(
            _ADD_SCORE_COLUMN,
            [(name, slot) for slot, name in enumerate(ruleset.bulletin.score_columns)],
        )

    async def add_method(
        self, start: date, text: str, source: str, actor: str, now: datetime
    ) -> None:
        """A method in force from `start`; its score columns not known yet get the next free
        sum slots (refused past MAX_SCORE_COLUMNS over every method)."""
        ruleset = parse_ruleset(text)
        slots: dict[str, int] = dict(await self.all(_SCORE_COLUMNS))
        new = [c for c in ruleset.bulletin.score_columns if c not in slots]
        if len(slots) + len(new) > MAX_SCORE_COLUMNS:
            raise DomainError("method_too_many_columns", limit=MAX_SCORE_COLUMNS)
        await self.many(_ADD_SCORE_COLUMN, [(c, len(slots) + i) for i, c in enumerate(new)])
        await self.write(
            _ADD_METHOD,
            {
                "start": start.isoformat(),
                "text": text,
                "source": source,
                "adopted_at": now.isoformat(),
                "adopted_by": actor,
            },
        )
        # Read again by the next call, in this transaction and the store's next ones.
        self.store.methods_cache = None
        self._checked = False

    async def score_slots(self) -> dict[str, int]:
        """Each score column's sum slot (c0..c7), over every method."""
        return {name: int(slot) for name, slot in await self.all(_SCORE_COLUMNS)}

    async def setting(self, key: str) -> str | None:
        row = await self.one(_SETTING, {"key": key})
        return row[0] if row else None

    async def set_setting(self, key: str, value: str) -> None:
        await self.write(_SET_SETTING, {"key": key, "value": value})
