"""Liaisons bound to units, and the one-time invites that bind them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import Row
from bot.storage.query import Repository
from bot.storage.sql import sql


@dataclass(frozen=True)
class Liaison:
    user_id: int
    unit_id: int
    unit: str
    group: str
    name: str
    username: str
    active: bool

    @property
    def display(self) -> str:
        handle = f"@{self.username}" if self.username else str(self.user_id)
        return f"{self.name}（{handle}）" if self.name else handle


@dataclass(frozen=True)
class StoredInvite:
    unit_id: int
    unit: str
    expires_at: datetime
    used: bool


_LIAISON = (
    "SELECT l.user_id, l.unit_id, u.name, u.group_id, l.name, l.username, l.active "
    "FROM liaisons l JOIN units u ON u.id = l.unit_id"
)
_ONE_LIAISON = sql(f"{_LIAISON} WHERE l.user_id = :user_id")
_UNIT_LIAISONS = sql(
    f"{_LIAISON} WHERE l.active = 1 AND l.unit_id = :unit_id ORDER BY u.id, l.joined_at"
)
_ALL_LIAISONS = sql(f"{_LIAISON} WHERE l.active = 1 ORDER BY u.id, l.joined_at")
_BIND_LIAISON = sql(
    "INSERT INTO liaisons (user_id, unit_id, name, username, active, joined_at) "
    "VALUES (:user_id, :unit_id, :name, :username, 1, :joined_at) "
    "ON CONFLICT (user_id) DO UPDATE SET unit_id = excluded.unit_id, name = excluded.name, "
    "username = excluded.username, active = 1, joined_at = excluded.joined_at"
)
_MOVE_LIAISON = sql("UPDATE liaisons SET unit_id = :unit_id WHERE user_id = :user_id")
_REMOVE_LIAISON = sql("UPDATE liaisons SET active = 0 WHERE user_id = :user_id")
_DEACTIVATED = sql(
    "INSERT INTO liaison_events (user_id, event, reason, at) "
    "VALUES (:user_id, 'deactivated', :reason, :at)"
)
_ADD_INVITE = sql(
    "INSERT INTO invites (code_hash, unit_id, created_by, created_at, expires_at) "
    "VALUES (:code_hash, :unit_id, :created_by, :created_at, :expires_at)"
)
_INVITE = sql(
    "SELECT i.unit_id, u.name, i.expires_at, i.used_by FROM invites i "
    "JOIN units u ON u.id = i.unit_id WHERE i.code_hash = :code_hash"
)
_USE_INVITE = sql(
    "UPDATE invites SET used_by = :user_id, used_at = :used_at WHERE code_hash = :code_hash"
)
_WRONG_CODES = sql(
    "SELECT COUNT(*), MIN(at) FROM invite_failures WHERE user_id = :user_id AND at > :since"
)
_ADD_WRONG_CODE = sql("INSERT INTO invite_failures (user_id, at) VALUES (:user_id, :at)")


def _liaison(row: Row) -> Liaison:
    user_id, unit_id, unit, group, name, username, active = row
    return Liaison(user_id, unit_id, unit, group, name, username, bool(active))


class LiaisonStorage(Repository):
    async def liaison(self, user_id: int, *, active_only: bool = False) -> Liaison | None:
        row = await self.one(_ONE_LIAISON, {"user_id": user_id})
        if row is None or (active_only and not row[6]):
            return None
        return _liaison(row)

    async def liaisons(self, unit_id: int | None = None) -> list[Liaison]:
        """Active liaisons, of one unit or all, by unit."""
        rows = await (
            self.all(_UNIT_LIAISONS, {"unit_id": unit_id}) if unit_id else self.all(_ALL_LIAISONS)
        )
        return [_liaison(row) for row in rows]

    async def liaison_chats(self, unit_ids: Iterable[int]) -> dict[int, list[int]]:
        """The chats of the active liaisons of these units, by unit."""
        wanted = set(unit_ids)
        chats: dict[int, list[int]] = {}
        for person in await self.liaisons():
            if person.unit_id in wanted:
                chats.setdefault(person.unit_id, []).append(person.user_id)
        return chats

    async def bind_liaison(
        self, user_id: int, unit_id: int, name: str, username: str, now: datetime
    ) -> None:
        """Make the user the unit's active liaison (again, if they were one before)."""
        await self.write(
            _BIND_LIAISON,
            {"user_id": user_id, "unit_id": unit_id, "name": name, "username": username,
             "joined_at": now.isoformat()},
        )  # fmt: skip

    async def move_liaison(self, user_id: int, unit_id: int) -> None:
        await self.write(_MOVE_LIAISON, {"unit_id": unit_id, "user_id": user_id})

    async def remove_liaison(self, user_id: int) -> None:
        await self.write(_REMOVE_LIAISON, {"user_id": user_id})

    async def deactivate_liaison(self, user_id: int, reason: str, now: datetime) -> Liaison | None:
        """Make an active liaison inactive, with the reason in liaison_events; None if not one."""
        liaison = await self.liaison(user_id, active_only=True)
        if liaison is None:
            return None
        await self.remove_liaison(user_id)
        await self.write(
            _DEACTIVATED, {"user_id": user_id, "reason": reason, "at": now.isoformat()}
        )
        return liaison

    # --- invites ----------------------------------------------------------------------------

    async def add_invite(
        self, code_hash: str, unit_id: int, admin_id: int, now: datetime, expires: datetime
    ) -> None:
        await self.write(
            _ADD_INVITE,
            {"code_hash": code_hash, "unit_id": unit_id, "created_by": admin_id,
             "created_at": now.isoformat(), "expires_at": expires.isoformat()},
        )  # fmt: skip

    async def invite(self, code_hash: str) -> StoredInvite | None:
        row = await self.one(_INVITE, {"code_hash": code_hash})
        if row is None:
            return None
        return StoredInvite(row[0], row[1], datetime.fromisoformat(row[2]), row[3] is not None)

    async def use_invite(self, code_hash: str, user_id: int, now: datetime) -> None:
        await self.write(
            _USE_INVITE, {"user_id": user_id, "used_at": now.isoformat(), "code_hash": code_hash}
        )

    async def wrong_codes_since(self, user_id: int, since: datetime) -> tuple[int, datetime | None]:
        """(how many wrong invite codes the user sent since then, when the first of them was)."""
        row = await self.one(_WRONG_CODES, {"user_id": user_id, "since": since.isoformat()})
        assert row is not None
        return row[0], datetime.fromisoformat(row[1]) if row[1] else None

    async def add_wrong_code(self, user_id: int, now: datetime) -> None:
        await self.write(_ADD_WRONG_CODE, {"user_id": user_id, "at": now.isoformat()})
