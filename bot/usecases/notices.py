"""What an action owes people besides the one asking: written to the outbox in the action's own
transaction, so that it is delivered even if the bot stops right after the commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.buttons import Buttons
from bot.render import CAPTION_LIMIT, cut, split_message
from bot.storage import Tx


async def tell_unit(tx: Tx, unit_id: int, source: str, text: str, now: datetime) -> None:
    """The unit's active liaisons are owed `text` (in as many messages as it needs)."""
    chats = [p.user_id for p in await tx.liaisons(unit_id)]
    await tx.enqueue(source, [(chat, part) for chat in chats for part in split_message(text)], now)


async def tell_admins(
    tx: Tx,
    admin_ids: Sequence[int],
    source: str,
    text: str,
    now: datetime,
    *,
    buttons: Buttons | None = None,
    attachment: str | None = None,
) -> None:
    """Every admin is owed `text`, with buttons or a file if given. A long text goes in as
    many messages as it needs, the buttons on the last; a file's caption is cut to fit."""
    if attachment is not None:
        await tx.enqueue(
            source, [(a, cut(text, CAPTION_LIMIT)) for a in admin_ids], now,
            buttons=buttons, attachment=attachment,
        )  # fmt: skip
        return
    *parts, last = split_message(text)
    await tx.enqueue(source, [(a, part) for a in admin_ids for part in parts], now)
    await tx.enqueue(source, [(a, last) for a in admin_ids], now, buttons=buttons)
