"""Liaisons: one-time invites that bind a Telegram user to a unit, and the office's roster of them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store import Liaison, Store
from scoring.errors import DomainError

# Guessing is throttled: this many wrong codes within the window locks a user out for the rest of it.
MAX_WRONG_CODES = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_code() -> str:
    # 12 URL-safe characters (72 random bits): fits Telegram's start parameter, and unguessable
    # at the throttled rate.
    return secrets.token_urlsafe(9)


@dataclass(frozen=True)
class Invite:
    code: str
    unit: str
    expires_at: datetime


async def create_invite(
    store: Store, unit_key: str, admin_id: int, update_id: int, now: datetime, ttl: timedelta
) -> Invite:
    code = new_code()
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        unit_id, unit = await tx.resolve_unit(unit_key)
        expires = now + ttl
        await tx.db.execute(
            "INSERT INTO invites (code_hash, unit_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (code_hash(code), unit_id, admin_id, now.isoformat(), expires.isoformat()),
        )
    return Invite(code, unit, expires)


async def redeem_invite(
    store: Store, code: str, user_id: int, name: str, username: str, update_id: int, now: datetime
) -> Liaison:
    """Bind the user to the invite's unit; a wrong code counts toward the user's throttle."""
    failure: DomainError | None = None
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        since = (now - WRONG_CODE_WINDOW).isoformat()
        row = await tx.one(
            "SELECT COUNT(*), MIN(at) FROM invite_failures WHERE user_id = ? AND at > ?",
            (user_id, since),
        )
        assert row is not None
        if row[0] >= MAX_WRONG_CODES:
            unlock = datetime.fromisoformat(row[1]) + WRONG_CODE_WINDOW
            minutes = max(1, int((unlock - now).total_seconds() // 60) + 1)
            raise DomainError("invite_throttled", minutes=minutes)
        invite = await tx.one(
            "SELECT i.unit_id, i.expires_at, i.used_by, u.name FROM invites i JOIN units u ON u.id = i.unit_id "
            "WHERE i.code_hash = ?",
            (code_hash(code),),
        )
        if invite is None or invite[2] is not None or datetime.fromisoformat(invite[1]) <= now:
            # The failure must be kept although the action fails: it is committed, then raised.
            await tx.db.execute(
                "INSERT INTO invite_failures (user_id, at) VALUES (?, ?)",
                (user_id, now.isoformat()),
            )
            failure = DomainError(
                "invite_invalid"
                if invite is None
                else "invite_used"
                if invite[2] is not None
                else "invite_expired"
            )
        else:
            await tx.db.execute(
                "UPDATE invites SET used_by = ?, used_at = ? WHERE code_hash = ?",
                (user_id, now.isoformat(), code_hash(code)),
            )
            await tx.db.execute(
                "INSERT INTO liaisons (user_id, unit_id, name, username, active, joined_at) VALUES (?, ?, ?, ?, 1, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET unit_id = excluded.unit_id, name = excluded.name, "
                "username = excluded.username, active = 1, joined_at = excluded.joined_at",
                (user_id, invite[0], name, username, now.isoformat()),
            )
            liaison = await tx.liaison(user_id)
    if failure is not None:
        raise failure
    assert liaison is not None
    return liaison


async def list_liaisons(store: Store) -> list[Liaison]:
    async with store.reading() as tx:
        return await tx.liaisons()


async def move_liaison(
    store: Store, user_id: int, unit_key: str, update_id: int, now: datetime
) -> Liaison:
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        if await tx.liaison(user_id) is None:
            raise DomainError("liaison_unknown", user=user_id)
        unit_id, _ = await tx.resolve_unit(unit_key)
        await tx.db.execute("UPDATE liaisons SET unit_id = ? WHERE user_id = ?", (unit_id, user_id))
        moved = await tx.liaison(user_id)
    assert moved is not None
    return moved


async def remove_liaison(store: Store, user_id: int, update_id: int, now: datetime) -> Liaison:
    """Take a liaison off the roster; their unit's records stay."""
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        liaison = await tx.liaison(user_id)
        if liaison is None:
            raise DomainError("liaison_unknown", user=user_id)
        await tx.db.execute("UPDATE liaisons SET active = 0 WHERE user_id = ?", (user_id,))
    return liaison
