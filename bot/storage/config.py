"""What the database keeps about itself: the ruleset in force and a few named values."""

from __future__ import annotations

from bot.storage.query import Repository
from bot.storage.sql import sql
from scoring.errors import DomainError
from scoring.ruleset import Ruleset, parse_ruleset

_RULESET = sql("SELECT value FROM settings WHERE key = 'ruleset'")
_SET_RULESET = sql("INSERT INTO settings (key, value) VALUES ('ruleset', :value)")
_ADD_SCORE_COLUMN = sql("INSERT INTO score_columns (name, slot) VALUES (:name, :slot)")
_SETTING = sql("SELECT value FROM settings WHERE key = :key")
_SET_SETTING = sql(
    "INSERT INTO settings (key, value) VALUES (:key, :value) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


class ConfigStorage(Repository):
    async def ruleset_text(self) -> str | None:
        row = await self.one(_RULESET)
        return row[0] if row else None

    async def ruleset(self) -> Ruleset:
        # A database never changes its ruleset (init refuses), so it is read and parsed once.
        if self.store.ruleset_cache is None:
            text = await self.ruleset_text()
            if text is None:
                raise DomainError("not_initialized")
            self.store.ruleset_cache = parse_ruleset(text)
        return self.store.ruleset_cache

    async def set_ruleset(self, text: str) -> None:
        ruleset = parse_ruleset(text)
        await self.write(_SET_RULESET, {"value": text})
        await self.many(
            _ADD_SCORE_COLUMN,
            [(name, slot) for slot, name in enumerate(ruleset.bulletin.score_columns)],
        )

    async def setting(self, key: str) -> str | None:
        row = await self.one(_SETTING, {"key": key})
        return row[0] if row else None

    async def set_setting(self, key: str, value: str) -> None:
        await self.write(_SET_SETTING, {"key": key, "value": value})
