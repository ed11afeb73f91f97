"""Drafts: a report summarised for its liaison, waiting for the confirm button. They live in the
bot's working file (see Store), read with the database's units beside them."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.query import Repository
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


class DraftStorage(Repository):
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
        """The draft; used once its confirmation stored the claim, which the database records
        (its update's claim) even when a crash came before the draft was marked."""
        row = await self.one(
            "SELECT d.user_id, d.unit_id, u.name, d.date, d.item_id, d.modifiers, d.title, "
            f"d.evidence, d.created_at, d.record_id IS NOT NULL OR {_CONFIRMED}, d.cancelled "
            "FROM drafts d JOIN units u ON u.id = d.unit_id WHERE d.id = ?",
            (draft_id,),
        )
        if row is None:
            return None
        user_id, unit_id, unit, day, item_id, mods, title, evidence, created, used, cancelled = row
        record = Record(unit, date.fromisoformat(day), item_id, None, decode_modifiers(mods), title)
        return StoredDraft(
            draft_id, user_id, unit_id, unit, record, evidence, datetime.fromisoformat(created),
            bool(used), bool(cancelled),
        )  # fmt: skip

    async def reserve_draft(self, draft_id: int, update_id: int) -> None:
        """The draft is being stored in the database by the confirmation `update_id`."""
        await self.write("UPDATE drafts SET confirming = ? WHERE id = ?", (update_id, draft_id))

    async def use_draft(self, draft_id: int, record_id: int) -> None:
        await self.write("UPDATE drafts SET record_id = ? WHERE id = ?", (record_id, draft_id))

    async def cancel_draft(self, draft_id: int) -> None:
        await self.write("UPDATE drafts SET cancelled = 1 WHERE id = ?", (draft_id,))

    async def cancel_open_drafts(self, user_id: int, confirming: Iterable[int]) -> int:
        """Cancel the user's drafts still waiting for confirmation, but for those being confirmed
        now (`confirming`) or confirmed already; how many there were."""
        busy = list(confirming)
        # PostgreSQL refuses an empty `IN ()`.
        spared = f"AND id NOT IN ({', '.join('?' for _ in busy)}) " if busy else ""
        return await self.write(
            "UPDATE drafts AS d SET cancelled = 1 WHERE user_id = ? AND record_id IS NULL "
            f"AND cancelled = 0 {spared}AND NOT {_CONFIRMED}",
            (user_id, *busy),
        )


# A draft whose confirmation committed in the database: its update is claimed there.
_CONFIRMED = "EXISTS (SELECT 1 FROM data.claimed_updates c WHERE c.update_id = d.confirming)"
