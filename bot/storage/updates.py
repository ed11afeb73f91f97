"""Telegram updates already acted on: a redelivered update finds itself and changes nothing."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.storage.base import TxBase
from scoring.errors import DomainError


class AlreadyProcessed(DomainError):
    """The Telegram update was acted on before (a redelivery): nothing more is done."""

    def __init__(self, update_id: int) -> None:
        super().__init__("update_replayed", update_id=update_id)


class UpdateStorage(TxBase):
    async def claim_update(self, update_id: int, now: datetime) -> None:
        """Record that this update is being acted on, in the action's own transaction."""
        try:
            await self.db.execute(
                "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)",
                (update_id, now.isoformat()),
            )
        except sqlite3.IntegrityError:
            raise AlreadyProcessed(update_id) from None
