"""Drafts: a report summarised for its liaison, waiting for the confirm button. They live in the
bot's working file (see Store), read with the database's units beside them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.base import TxBase
from bot.storage.records import decode_modifiers, encode_modifiers
from scoring.records import Record


@dataclass(frozen=True)
class StoredDraft:
    id: int
    user_id: int
    unit_id: int
    unit: str
    record: Record
    evidence: str
    created_at: datetime
    used: bool
    cancelled: bool


class DraftStorage(TxBase):
    async def add_draft(
        self, user_id: int, unit_id: int, record: Record, evidence: str, now: datetime
    ) -> int:
        # A random id (see migrations/botfile/0001): 48 bits, 15 digits at most, as a button's
        # number is read (chatinput.record_number).
        return await self.insert(
            "INSERT INTO drafts (id, user_id, unit_id, date, item_id, modifiers, title, "
            "evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                secrets.randbits(48), user_id, unit_id, record.day.isoformat(), record.item_id,
                encode_modifiers(record.modifiers), record.title, evidence, now.isoformat(),
            ),
        )  # fmt: skip

    async def draft(self, draft_id: int) -> StoredDraft | None:
        row = await self.one(
            "SELECT d.user_id, d.unit_id, u.name, d.date, d.item_id, d.modifiers, d.title, "
            "d.evidence, d.created_at, d.record_id, d.cancelled "
            "FROM drafts d JOIN units u ON u.id = d.unit_id WHERE d.id = ?",
            (draft_id,),
        )
        if row is None:
            return None
        user_id, unit_id, unit, day, item_id, mods, title, evidence, created, used, cancelled = row
        record = Record(unit, date.fromisoformat(day), item_id, None, decode_modifiers(mods), title)
        return StoredDraft(
            draft_id, user_id, unit_id, unit, record, evidence, datetime.fromisoformat(created),
            used is not None, bool(cancelled),
        )  # fmt: skip

    async def use_draft(self, draft_id: int, record_id: int) -> None:
        await self.write("UPDATE drafts SET record_id = ? WHERE id = ?", (record_id, draft_id))

    async def cancel_draft(self, draft_id: int) -> None:
        await self.write("UPDATE drafts SET cancelled = 1 WHERE id = ?", (draft_id,))

    async def cancel_open_drafts(self, user_id: int) -> int:
        """Cancel the user's drafts still waiting for confirmation; how many there were."""
        return await self.write(
            "UPDATE drafts SET cancelled = 1 WHERE user_id = ? AND record_id IS NULL AND cancelled = 0",
            (user_id,),
        )
