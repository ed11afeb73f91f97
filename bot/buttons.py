"""The bot's inline buttons, as plain data (bot.storage.Buttons), so that a use case can owe a
message with buttons (through the outbox) without knowing Telegram; the courier and the
handlers turn them into keyboards."""

from __future__ import annotations

from bot import texts
from bot.storage import Buttons
from scoring.periods import Period

APPROVE = "ok"
REJECT = "no"
PUBLISH = "bp"
HOLD = "bh"


def claim_buttons(record_id: int) -> Buttons:
    """✅/❌ for a claim waiting for the office."""
    return [[(texts.APPROVE, f"{APPROVE}:{record_id}"), (texts.REJECT, f"{REJECT}:{record_id}")]]


def publish_buttons(period: Period) -> Buttons:
    """发布 / 暂不发布 under a bulletin draft."""
    return [
        [
            (texts.BULLETIN_PUBLISH, f"{PUBLISH}:{period.label}"),
            (texts.BULLETIN_HOLD, f"{HOLD}:{period.label}"),
        ]
    ]
