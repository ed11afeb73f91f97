"""Drafts: a report summarised for its liaison, waiting for the confirm button. They live in the
bot's working file (see Store), read with the database's units beside them."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.address import Address
from bot.storage.query import Repository
from bot.storage.records import decode_modifiers, encode_modifiers
from bot.storage.sql import sql
from scoring.records import Record


@dataclass(frozen=True)
class StoredDraft:
    id: int
    liaison: Address
    unit_id: int
    unit: str
    record: Record
    evidence: str
    created_at: datetime
    used: bool
    cancelled: bool


# A draft whose confirmation committed in the database: its update is claimed there.
_CONFIRMED = "EXISTS (SELECT 1 FROM {data}.claimed_updates c WHERE c.update_id = d.confirming)"
_ADD_DRAFT = sql(
    "INSERT INTO drafts (id, channel, address, unit_id, date, item_id, modifiers, title, "
    "evidence, created_at) VALUES (:id, :channel, :address, :unit_id, :date, :item_id, :modifiers, :title, "
    ":evidence, :created_at) RETURNING id"
)
_DRAFT = sql(
    "SELECT d.channel, d.address, d.unit_id, u.name, d.date, d.item_id, d.modifiers, d.title, "
    f"d.evidence, d.created_at, d.record_id IS NOT NULL OR {_CONFIRMED}, d.cancelled "
    "FROM drafts d JOIN units u ON u.id = d.unit_id WHERE d.id = :id"
)
_RESERVE = sql("UPDATE drafts SET confirming = :update_id WHERE id = :id")
_USE = sql("UPDATE drafts SET record_id = :record_id WHERE id = :id")
_CANCEL = sql("UPDATE drafts SET cancelled = 1 WHERE id = :id")
_CANCEL_OPEN_SET = (
    "UPDATE drafts AS d SET cancelled = 1 WHERE channel = :channel AND address = :address "
    "AND record_id IS NULL "
    f"AND cancelled = 0 AND NOT {_CONFIRMED}"
)
_CANCEL_OPEN = sql(
    sqlite=f"{_CANCEL_OPEN_SET} AND id NOT IN (SELECT value FROM json_each(:busy))",
    postgres=f"{_CANCEL_OPEN_SET} AND NOT (id = ANY(:busy::bigint[]))",
    arrays=["busy"],
)


class DraftStorage(Repository):
    async def add_draft(
        self, liaison: Address, unit_id: int, record: Record, evidence: str, now: datetime
    ) -> int:
        # A random id (see migrations/botfile/0001): 48 bits, 15 digits at most, as a button's
        # number is read (chatinput.record_number).
        return await self.insert(
            _ADD_DRAFT,
            {"id": secrets.randbits(48), "channel": liaison.channel, "address": liaison.address,
             "unit_id": unit_id,
             "date": record.day.isoformat(), "item_id": record.item_id,
             "modifiers": encode_modifiers(record.modifiers), "title": record.title,
             "evidence": evidence, "created_at": now.isoformat()},
        )  # fmt: skip

    async def draft(self, draft_id: int) -> StoredDraft | None:
        """The draft; used once its confirmation stored the claim, which the database records
        (its update's claim) even when a crash came before the draft was marked."""
        row = await self.one(_DRAFT, {"id": draft_id})
        if row is None:
            return None
        channel, address, unit_id, unit, day, item_id, mods, title, evidence = row[:9]
        created, used, cancelled = row[9:]
        record = Record(unit, date.fromisoformat(day), item_id, None, decode_modifiers(mods), title)
        return StoredDraft(
            draft_id, Address(channel, address), unit_id, unit, record, evidence, datetime.fromisoformat(created),
            bool(used), bool(cancelled),
        )  # fmt: skip

    async def reserve_draft(self, draft_id: int, update_id: int) -> None:
        """The draft is being stored in the database by the confirmation `update_id`."""
        await self.write(_RESERVE, {"update_id": update_id, "id": draft_id})

    async def use_draft(self, draft_id: int, record_id: int) -> None:
        await self.write(_USE, {"record_id": record_id, "id": draft_id})

    async def cancel_draft(self, draft_id: int) -> None:
        await self.write(_CANCEL, {"id": draft_id})

    async def cancel_open_drafts(self, liaison: Address, confirming: Iterable[int]) -> int:
        """Cancel the liaison's drafts still waiting for confirmation, but for those being confirmed
        now (`confirming`) or confirmed already; how many there were."""
        return await self.write(
            _CANCEL_OPEN,
            {"channel": liaison.channel, "address": liaison.address, "busy": list(confirming)},
        )
