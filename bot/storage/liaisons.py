"""Liaisons bound to units, and the one-time invites that bind them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.address import WEB, Address
from bot.storage.connection import Row
from bot.storage.query import Repository
from bot.storage.sql import sql


@dataclass(frozen=True)
class Liaison:
    address: Address
    unit_id: int
    unit: str
    group: str
    name: str
    username: str
    active: bool

    @property
    def display(self) -> str:
        handle = f"@{self.username}" if self.username else self.address.address
        return f"{self.name}（{handle}）" if self.name else handle


@dataclass(frozen=True)
class StoredInvite:
    unit_id: int
    unit: str
    expires_at: datetime
    used: bool


_LIAISON = (
    "SELECT l.channel, l.address, l.unit_id, u.name, u.group_id, l.name, l.username, l.active "
    "FROM liaisons l JOIN units u ON u.id = l.unit_id"
)
_ONE_LIAISON = sql(f"{_LIAISON} WHERE l.channel = :channel AND l.address = :address")
_UNIT_LIAISONS = sql(
    f"{_LIAISON} WHERE l.active = 1 AND l.unit_id = :unit_id ORDER BY u.id, l.joined_at"
)
_ALL_LIAISONS = sql(f"{_LIAISON} WHERE l.active = 1 ORDER BY u.id, l.joined_at")
_BIND_LIAISON = sql(
    "INSERT INTO liaisons (channel, address, unit_id, name, username, active, joined_at) "
    "VALUES (:channel, :address, :unit_id, :name, :username, 1, :joined_at) "
    "ON CONFLICT (channel, address) DO UPDATE SET unit_id = excluded.unit_id, name = excluded.name, "
    "username = excluded.username, active = 1, joined_at = excluded.joined_at"
)
_WHO = "channel = :channel AND address = :address"
_MOVE_LIAISON = sql(f"UPDATE liaisons SET unit_id = :unit_id WHERE {_WHO}")
_REMOVE_LIAISON = sql(f"UPDATE liaisons SET active = 0 WHERE {_WHO}")
_DEACTIVATED = sql(
    "INSERT INTO liaison_events (channel, address, event, reason, at) "
    "VALUES (:channel, :address, 'deactivated', :reason, :at)"
)
_ADD_INVITE = sql(
    "INSERT INTO invites (code_hash, unit_id, created_channel, created_by, created_at, "
    "expires_at) VALUES (:code_hash, :unit_id, :channel, :address, :created_at, :expires_at)"
)
_INVITE = sql(
    "SELECT i.unit_id, u.name, i.expires_at, i.used_by FROM invites i "
    "JOIN units u ON u.id = i.unit_id WHERE i.code_hash = :code_hash"
)
_USE_INVITE = sql(
    "UPDATE invites SET used_channel = :channel, used_by = :address, used_at = :used_at "
    "WHERE code_hash = :code_hash"
)
_ADD_LINK = sql(
    "INSERT INTO liaison_links (token_hash, created_by, created_at) "
    "VALUES (:token_hash, :created_by, :created_at) RETURNING id"
)
_LINK = sql("SELECT id, revoked_at FROM liaison_links WHERE token_hash = :token_hash")
_REVOKE_LINK = sql(
    "UPDATE liaison_links SET revoked_by = :revoked_by, revoked_at = :revoked_at "
    "WHERE id = :id AND revoked_at IS NULL"
)
_LINKS = sql(
    "SELECT k.id, u.name, l.name, k.created_by, k.created_at FROM liaison_links k "
    "JOIN liaisons l ON l.channel = :channel AND l.address = CAST(k.id AS TEXT) "
    "JOIN units u ON u.id = l.unit_id WHERE k.revoked_at IS NULL AND l.active = 1 ORDER BY k.id"
)
_WRONG_CODES = sql(f"SELECT COUNT(*), MIN(at) FROM invite_failures WHERE {_WHO} AND at > :since")
_ADD_WRONG_CODE = sql(
    "INSERT INTO invite_failures (channel, address, at) VALUES (:channel, :address, :at)"
)


@dataclass(frozen=True)
class LiaisonLink:
    """A personal link in use: its number, the liaison's unit and name, who made it and when."""

    id: int
    unit: str
    name: str
    created_by: str
    created_at: datetime


def _who(person: Address) -> dict[str, str]:
    return {"channel": person.channel, "address": person.address}


def _liaison(row: Row) -> Liaison:
    channel, address, unit_id, unit, group, name, username, active = row
    return Liaison(Address(channel, address), unit_id, unit, group, name, username, bool(active))


class LiaisonStorage(Repository):
    async def liaison(self, person: Address, *, active_only: bool = False) -> Liaison | None:
        """The liaison at exactly this address (the same address on another channel is
        someone else)."""
        row = await self.one(_ONE_LIAISON, _who(person))
        if row is None or (active_only and not row[7]):
            return None
        return _liaison(row)

    async def liaisons(self, unit_id: int | None = None) -> list[Liaison]:
        """Active liaisons, of one unit or all, by unit."""
        rows = await (
            self.all(_UNIT_LIAISONS, {"unit_id": unit_id}) if unit_id else self.all(_ALL_LIAISONS)
        )
        return [_liaison(row) for row in rows]

    async def liaison_chats(self, unit_ids: Iterable[int]) -> dict[int, list[Address]]:
        """The addresses of the active liaisons of these units that a message reaches, by unit
        (a liaison of the web console's page reads there what they are owed)."""
        wanted = set(unit_ids)
        chats: dict[int, list[Address]] = {}
        for person in await self.liaisons():
            if person.unit_id in wanted and person.address.channel != WEB:
                chats.setdefault(person.unit_id, []).append(person.address)
        return chats

    async def bind_liaison(
        self, person: Address, unit_id: int, name: str, username: str, now: datetime
    ) -> None:
        """Make the person the unit's active liaison (again, if they were one before)."""
        await self.write(
            _BIND_LIAISON,
            {**_who(person), "unit_id": unit_id, "name": name, "username": username,
             "joined_at": now.isoformat()},
        )  # fmt: skip

    async def move_liaison(self, person: Address, unit_id: int) -> None:
        await self.write(_MOVE_LIAISON, {"unit_id": unit_id, **_who(person)})

    async def remove_liaison(self, person: Address) -> None:
        await self.write(_REMOVE_LIAISON, _who(person))

    async def deactivate_liaison(
        self, person: Address, reason: str, now: datetime
    ) -> Liaison | None:
        """Make an active liaison inactive, with the reason in liaison_events; None if not one."""
        liaison = await self.liaison(person, active_only=True)
        if liaison is None:
            return None
        await self.remove_liaison(person)
        await self.write(_DEACTIVATED, {**_who(person), "reason": reason, "at": now.isoformat()})
        return liaison

    # --- invites ----------------------------------------------------------------------------

    async def add_invite(
        self, code_hash: str, unit_id: int, admin: Address, now: datetime, expires: datetime
    ) -> None:
        await self.write(
            _ADD_INVITE,
            {"code_hash": code_hash, "unit_id": unit_id, **_who(admin),
             "created_at": now.isoformat(), "expires_at": expires.isoformat()},
        )  # fmt: skip

    async def invite(self, code_hash: str) -> StoredInvite | None:
        row = await self.one(_INVITE, {"code_hash": code_hash})
        if row is None:
            return None
        return StoredInvite(row[0], row[1], datetime.fromisoformat(row[2]), row[3] is not None)

    async def use_invite(self, code_hash: str, person: Address, now: datetime) -> None:
        await self.write(
            _USE_INVITE, {**_who(person), "used_at": now.isoformat(), "code_hash": code_hash}
        )

    async def wrong_codes_since(
        self, person: Address, since: datetime
    ) -> tuple[int, datetime | None]:
        """(how many wrong invite codes the person sent since then, when the first of them was)."""
        row = await self.one(_WRONG_CODES, {**_who(person), "since": since.isoformat()})
        assert row is not None
        return row[0], datetime.fromisoformat(row[1]) if row[1] else None

    async def add_wrong_code(self, person: Address, now: datetime) -> None:
        await self.write(_ADD_WRONG_CODE, {**_who(person), "at": now.isoformat()})

    # --- personal links to the web console ---------------------------------------------------

    async def add_link(self, token_hash: str, actor: str, now: datetime) -> int:
        """A new link's number: the liaison it opens is at (`channel`, that number)."""
        return await self.insert(
            _ADD_LINK,
            {"token_hash": token_hash, "created_by": actor, "created_at": now.isoformat()},
        )

    async def link(self, token_hash: str) -> tuple[int, bool] | None:
        """(the link's number, whether it is revoked) of the token with this hash."""
        row = await self.one(_LINK, {"token_hash": token_hash})
        return None if row is None else (int(row[0]), row[1] is not None)

    async def revoke_link(self, link_id: int, actor: str, now: datetime) -> bool:
        """Revoke the link; False if there is no such link in use."""
        changed = await self.write(
            _REVOKE_LINK, {"id": link_id, "revoked_by": actor, "revoked_at": now.isoformat()}
        )
        return changed > 0

    async def links(self, channel: str) -> list[LiaisonLink]:
        """The links in use, of liaisons still active, oldest first."""
        rows = await self.all(_LINKS, {"channel": channel})
        return [
            LiaisonLink(int(r[0]), r[1], r[2], r[3], datetime.fromisoformat(r[4])) for r in rows
        ]
