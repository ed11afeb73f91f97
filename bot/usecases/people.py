"""The office's roster at its desk (the web console's 单位与信息员): the units with their
aliases and changes as `/units` shows them, the liaisons of each, and the chat's own invite,
move and remove, by a console admin at this moment, once per form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage import Address, Liaison, Store
from bot.usecases import liaisons
from bot.usecases.liaisons import Invite
from bot.usecases.request import Request
from bot.usecases.webusers import acting_admin
from scoring.roster import UnitChange
from scoring.standings import UnitRef

# Where a console user is reached, as the invites they make record it.
WEB = "web"
# The setting holding the start of a chat's invite link (the code follows it), kept by the
# running bot: the console shows its invites as the chat's links.
INVITE_LINK = "invite_link"


@dataclass(frozen=True)
class Roster:
    groups: dict[str, str]
    units: list[UnitRef]
    aliases: dict[int, list[str]]
    liaisons: list[Liaison]
    changes: list[UnitChange]
    # The start of an invite's link; empty while no bot has said it.
    invite_link: str


async def roster(store: Store) -> Roster:
    async with store.reading() as tx:
        ruleset = await tx.config.ruleset()
        return Roster(
            {g.id: g.display for g in ruleset.groups},
            await tx.units.units(),
            await tx.units.unit_aliases(),
            await tx.liaisons.liaisons(),
            await tx.units.changes(),
            await tx.config.setting(INVITE_LINK) or "",
        )


async def remember_invite_link(store: Store, start: str) -> None:
    """The running bot's invite links start so (e.g. https://t.me/<bot>?start=)."""
    async with store.transaction() as tx:
        await tx.config.set_setting(INVITE_LINK, start)


async def _acting(store: Store, name: str, form: str, now: datetime) -> Request:
    async with store.transaction() as tx:
        actor = await acting_admin(tx, name, form, now)
    # Nobody is told of these in chat either: the admin reads the answer on the page.
    return Request(actor, now, name=name)


async def invite(
    store: Store, name: str, form: str, unit: str, now: datetime, ttl: timedelta
) -> Invite:
    """The chat's /invite for the unit, made at the console."""
    request = await _acting(store, name, form, now)
    return await liaisons.create_invite(store, unit, Address(WEB, name), request, ttl)


async def move(
    store: Store, name: str, form: str, person: Address, unit: str, now: datetime
) -> Liaison:
    """The chat's /move of the liaison to the unit, made at the console."""
    request = await _acting(store, name, form, now)
    return await liaisons.move_liaison(store, person, unit, request)


async def remove(store: Store, name: str, form: str, person: Address, now: datetime) -> Liaison:
    """The chat's /remove of the liaison, made at the console."""
    request = await _acting(store, name, form, now)
    return await liaisons.remove_liaison(store, person, request)
