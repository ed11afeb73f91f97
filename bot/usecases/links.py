"""Personal links to the web console's liaison page, for liaisons who cannot reach Telegram: the
office makes one for a unit (at its desk or in chat), the liaison opens it without a password,
and it works until it is revoked. Only the token's hash is stored; the liaison it opens is an
ordinary liaison of the unit, at the address ('web', the link's number)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.storage import WEB, Address, Liaison, LiaisonLink, Store, Tx
from bot.usecases.notices import Answer, owe_answer
from bot.usecases.request import Request, claim
from bot.usecases.webusers import acting_admin
from scoring.errors import DomainError
from scoring.text import clean_text

# The channel of the liaisons a link opens: the web console's liaison page.
CHANNEL = WEB
NAME_MAX = 64
# Why a revoked link's liaison left the roster (liaison_events).
REVOKED = "personal link revoked"


@dataclass(frozen=True)
class MadeLink:
    # The token, shown once to whoever made the link (only its hash is kept).
    token: str
    liaison: Liaison


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def address_of(link_id: int) -> Address:
    return Address(CHANNEL, str(link_id))


def actor_of(liaison: Liaison) -> str:
    """How the audit trail names what a liaison did through their link (texts.actor_display)."""
    return f"link:{liaison.address.address}"


async def make_link(store: Store, unit_key: str, name: str, request: Request) -> MadeLink:
    """A link for a liaison of the unit called `name`, made by a chat or command-line request."""
    async with store.transaction() as tx:
        await claim(tx, request)
        return await _make_in(tx, unit_key, name, request.actor, request.at)


async def make_link_at_desk(
    store: Store, user: str, form: str, unit_key: str, name: str, now: datetime
) -> MadeLink:
    """The console's link, by the user `user` if an admin at this moment, once per form."""
    async with store.transaction() as tx:
        actor = await acting_admin(tx, user, form, now)
        return await _make_in(tx, unit_key, name, actor, now)


async def _make_in(tx: Tx, unit_key: str, name: str, actor: str, now: datetime) -> MadeLink:
    name = clean_text(name)
    if not name or len(name) > NAME_MAX:
        raise DomainError("link_name", limit=NAME_MAX)
    unit_id, _ = await tx.units.resolve_unit(unit_key)
    # 256 random bits: unguessable, and nothing to throttle.
    token = secrets.token_urlsafe(32)
    link_id = await tx.liaisons.add_link(token_hash(token), actor, now)
    await tx.liaisons.bind_liaison(address_of(link_id), unit_id, name, "", now)
    liaison = await tx.liaisons.liaison(address_of(link_id))
    assert liaison is not None
    return MadeLink(token, liaison)


async def revoke_link(
    store: Store, link_id: int, request: Request, answer: Answer[Liaison] | None = None
) -> Liaison:
    """The link stops working at once and its liaison leaves the roster (their records stay);
    the asker is owed `answer`."""
    async with store.transaction() as tx:
        await claim(tx, request)
        gone = await _revoke_in(tx, link_id, request.actor, request.at)
        await owe_answer(tx, answer, gone, f"answer:unlink:{link_id}", request.at)
    return gone


async def revoke_link_at_desk(
    store: Store, user: str, form: str, link_id: int, now: datetime
) -> Liaison:
    async with store.transaction() as tx:
        actor = await acting_admin(tx, user, form, now)
        return await _revoke_in(tx, link_id, actor, now)


async def _revoke_in(tx: Tx, link_id: int, actor: str, now: datetime) -> Liaison:
    if not await tx.liaisons.revoke_link(link_id, actor, now):
        raise DomainError("link_unknown", link=link_id)
    liaison = await tx.liaisons.deactivate_liaison(address_of(link_id), REVOKED, now)
    if liaison is None:  # removed from the roster before: the link is revoked all the same
        liaison = await tx.liaisons.liaison(address_of(link_id))
    assert liaison is not None
    return liaison


async def links(store: Store) -> list[LiaisonLink]:
    async with store.reading() as tx:
        return await tx.liaisons.links(CHANNEL)


async def liaison_of(store: Store, token: str) -> Liaison:
    """The active liaison the token opens; refused alike when it is unknown, revoked, or its
    liaison left the roster (nothing tells a guesser which)."""
    async with store.reading() as tx:
        found = await tx.liaisons.link(token_hash(token))
        if found is None or found[1]:
            raise DomainError("link_invalid")
        liaison = await tx.liaisons.liaison(address_of(found[0]), active_only=True)
    if liaison is None:
        raise DomainError("link_invalid")
    return liaison
