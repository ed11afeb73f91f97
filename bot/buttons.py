"""Inline buttons as plain data, so that a use case can owe a message with buttons (through the
outbox) without knowing Telegram; the courier and the handlers turn them into keyboards."""

from __future__ import annotations

import json

from bot import texts
from scoring.periods import Period

# Rows of (label, callback data).
Buttons = list[list[tuple[str, str]]]

APPROVE = "ok"
REJECT = "no"
PUBLISH = "bp"
HOLD = "bh"


def claim_buttons(record_id: int) -> Buttons:
    """✅/❌ for a claim waiting for the office."""
    return [[(texts.APPROVE, f"{APPROVE}:{record_id}"), (texts.REJECT, f"{REJECT}:{record_id}")]]


def encode(buttons: Buttons) -> str:
    return json.dumps(buttons, ensure_ascii=False)


def decode(text: str) -> Buttons:
    return [[(label, data) for label, data in row] for row in json.loads(text)]


def publish_buttons(period: Period) -> Buttons:
    """发布 / 暂不发布 under a bulletin draft."""
    return [
        [
            (texts.BULLETIN_PUBLISH, f"{PUBLISH}:{period.label}"),
            (texts.BULLETIN_HOLD, f"{HOLD}:{period.label}"),
        ]
    ]
