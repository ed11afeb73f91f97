"""Updates python-telegram-bot cannot read: a field a newer Bot API made required (a poll answer
without `option_persistent_ids`), a stray byte. The library refuses the whole getUpdates batch,
or answers a webhook's post 400, and Telegram sends the update again at once, for ever, with
every update behind it waiting. Such an update is set aside instead (bot.telegram.intake)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from telegram import Update

from bot.storage import Store

log = logging.getLogger(__name__)

# Of the reason an update could not be read, what is kept.
REASON_CHARS = 500


def unreadable(update: Mapping[str, Any]) -> str | None:
    """Why python-telegram-bot cannot read this update, or None if it can."""
    try:
        Update.de_json(dict(update), None)
    except Exception as exc:
        return reason_of(exc)
    return None


def reason_of(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:REASON_CHARS]


async def set_aside_stored(
    store: Store, update_id: int, payload: str, exc: Exception, now: datetime
) -> None:
    """A stored update that turned out unreadable once taken from the intake."""
    reason = reason_of(exc)
    async with store.bot_transaction() as tx:
        kept = await tx.intake.set_aside([(update_id, payload, reason)], now)
    if kept:
        log_set_aside({update_id: reason})


def log_set_aside(unread: Mapping[int, str]) -> None:
    for update_id, reason in unread.items():
        # One line, no traceback: the reason is all there is to know, and the update is kept.
        log.error("update %s cannot be read and is set aside: %s", update_id, reason)
