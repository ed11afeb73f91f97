"""Liaisons: one-time invites that bind a Telegram user to a unit, and the office's roster of them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage import Address, Liaison, Store
from bot.usecases.notices import Answer, LiaisonMoved, owe_answer
from bot.usecases.request import Request, claim
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
    store: Store, unit_key: str, admin: Address, request: Request, ttl: timedelta
) -> Invite:
    now = request.at
    code = new_code()
    async with store.transaction() as tx:
        await claim(tx, request)
        unit_id, unit = await tx.units.resolve_unit(unit_key)
        expires = now + ttl
        await tx.liaisons.add_invite(code_hash(code), unit_id, admin, now, expires)
    return Invite(code, unit, expires)


async def redeem_invite(
    store: Store,
    code: str,
    person: Address,
    name: str,
    username: str,
    request: Request,
    *,
    move: bool = False,
    answer: Answer[Liaison] | None = None,
) -> Liaison:
    """Bind the user to the invite's unit; a wrong code counts toward the user's throttle.

    A liaison of another unit is asked first (`invite_moves`, nothing changed); with `move`
    they are moved and the admins are told. The user is owed `answer` once bound."""
    now = request.at
    failure: DomainError | None = None
    async with store.transaction() as tx:
        await claim(tx, request)
        wrong, first = await tx.liaisons.wrong_codes_since(person, now - WRONG_CODE_WINDOW)
        if wrong >= MAX_WRONG_CODES:
            assert first is not None
            unlock = first + WRONG_CODE_WINDOW
            minutes = max(1, int((unlock - now).total_seconds() // 60) + 1)
            raise DomainError("invite_throttled", minutes=minutes)
        invite = await tx.liaisons.invite(code_hash(code))
        if invite is None or invite.used or invite.expires_at <= now:
            # The failure must be kept although the action fails: it is committed, then raised.
            await tx.liaisons.add_wrong_code(person, now)
            failure = DomainError(
                "invite_invalid"
                if invite is None
                else "invite_used"
                if invite.used
                else "invite_expired"
            )
        else:
            current = await tx.liaisons.liaison(person, active_only=True)
            if current is not None and current.unit_id == invite.unit_id:
                raise DomainError("invite_same_unit", unit=current.unit)
            if current is not None and not move:
                raise DomainError("invite_moves", current=current.unit, unit=invite.unit)
            await tx.liaisons.use_invite(code_hash(code), person, now)
            await tx.liaisons.bind_liaison(person, invite.unit_id, name, username, now)
            liaison = await tx.liaisons.liaison(person)
            if current is not None and liaison is not None:
                moved = LiaisonMoved(person, liaison.display, current.unit, liaison.unit)
                await request.emit(tx, moved)
            assert liaison is not None
            await owe_answer(tx, answer, liaison, f"answer:bound:{person.address}", now)
    if failure is not None:
        raise failure
    assert liaison is not None
    return liaison


async def list_liaisons(store: Store) -> list[Liaison]:
    async with store.reading() as tx:
        return await tx.liaisons.liaisons()


async def move_liaison(
    store: Store,
    person: Address,
    unit_key: str,
    request: Request,
    answer: Answer[Liaison] | None = None,
) -> Liaison:
    now = request.at
    async with store.transaction() as tx:
        await claim(tx, request)
        if await tx.liaisons.liaison(person) is None:
            raise DomainError("liaison_unknown", user=person.address)
        unit_id, _ = await tx.units.resolve_unit(unit_key)
        await tx.liaisons.move_liaison(person, unit_id)
        moved = await tx.liaisons.liaison(person)
        assert moved is not None
        await owe_answer(tx, answer, moved, f"answer:move:{person.address}", now)
    return moved


async def remove_liaison(
    store: Store,
    person: Address,
    request: Request,
    answer: Answer[Liaison] | None = None,
) -> Liaison:
    """Take a liaison off the roster; their unit's records stay."""
    now = request.at
    async with store.transaction() as tx:
        await claim(tx, request)
        liaison = await tx.liaisons.liaison(person)
        if liaison is None:
            raise DomainError("liaison_unknown", user=person.address)
        await tx.liaisons.remove_liaison(person)
        await owe_answer(tx, answer, liaison, f"answer:remove:{person.address}", now)
    return liaison
