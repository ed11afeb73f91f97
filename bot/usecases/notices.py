"""What an action owes people besides the one asking: written to the outbox in the action's own
transaction, so that it is delivered even if the bot stops right after the commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.buttons import Buttons
from bot.storage import Tx


async def tell_unit(tx: Tx, unit_id: int, source: str, text: str, now: datetime) -> None:
    """The unit's active liaisons are owed `text`."""
    await tx.enqueue(source, [(p.user_id, text) for p in await tx.liaisons(unit_id)], now)


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
    """Every admin is owed `text`, with buttons or a file if given."""
    await tx.enqueue(
        source, [(a, text) for a in admin_ids], now, buttons=buttons, attachment=attachment
    )
