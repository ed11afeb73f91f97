"""Commissions (约稿): who was asked, who answered, what was selected, how each ended."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.address import Address
from bot.storage.query import Repository
from bot.storage.sql import sql


@dataclass(frozen=True)
class Commission:
    id: int
    topic: str
    deadline: date
    created_at: datetime
    # (unit id, name) of every target, by unit id
    targets: list[tuple[int, str]]
    closed: bool


_ADD_COMMISSION = sql(
    "INSERT INTO commissions (topic, deadline, created_channel, created_by, created_at) "
    "VALUES (:topic, :deadline, :channel, :address, :created_at) RETURNING id"
)
_ADD_TARGET = sql(
    "INSERT INTO commission_targets (commission_id, unit_id) VALUES (:commission_id, :unit_id)"
)
_COMMISSION = sql("SELECT topic, deadline, created_at, closed_at FROM commissions WHERE id = :id")
_TARGETS = sql(
    "SELECT u.id, u.name FROM commission_targets t JOIN units u ON u.id = t.unit_id "
    "WHERE t.commission_id = :id ORDER BY u.id"
)
_COMMISSION_IDS = sql("SELECT id FROM commissions ORDER BY id DESC LIMIT :limit")
_UNIT_COMMISSION_IDS = sql(
    "SELECT id FROM commissions WHERE id IN "
    "(SELECT commission_id FROM commission_targets WHERE unit_id = :unit_id) "
    "ORDER BY id DESC LIMIT :limit"
)
_OPEN_COMMISSION_IDS = sql("SELECT id FROM commissions WHERE closed_at IS NULL ORDER BY id")
_ANSWERED_UNITS = sql("SELECT DISTINCT unit_id FROM commission_answers WHERE commission_id = :id")
_TARGET_OUTCOMES = sql(
    "SELECT unit_id, outcome FROM commission_targets "
    "WHERE commission_id = :id AND outcome IS NOT NULL"
)
_ADD_ANSWER = sql(
    "INSERT INTO commission_answers (record_id, commission_id, unit_id) "
    "VALUES (:record_id, :commission_id, :unit_id)"
)
_ANSWER_UNIT = sql("SELECT unit_id FROM commission_answers WHERE record_id = :record_id")
_SELECTION = sql(
    "SELECT record_id FROM commission_selections "
    "WHERE answer_id = :answer_id AND item_id = :item_id"
)
_ADD_SELECTION = sql(
    "INSERT INTO commission_selections (answer_id, item_id, record_id) "
    "VALUES (:answer_id, :item_id, :record_id)"
)
_CLOSE = sql("UPDATE commissions SET closed_at = :closed_at WHERE id = :id")
_ANSWERED = sql(
    "UPDATE commission_targets SET outcome = 'answered' WHERE commission_id = :id AND unit_id IN "
    "(SELECT unit_id FROM commission_answers WHERE commission_id = :id)"
)
_MISSED = sql(
    "UPDATE commission_targets SET outcome = :outcome, record_id = :record_id "
    "WHERE commission_id = :id AND unit_id = :unit_id"
)
_EARLIER_OUTCOMES = sql(
    "SELECT t.unit_id, t.outcome FROM commission_targets t "
    "JOIN commissions c ON c.id = t.commission_id "
    "WHERE t.outcome IS NOT NULL AND t.commission_id <> :id "
    "AND (c.deadline, c.id) < (:deadline, :id) "
    "AND t.unit_id IN (SELECT unit_id FROM commission_targets WHERE commission_id = :id) "
    "ORDER BY c.deadline, c.id"
)


class CommissionStorage(Repository):
    async def add_commission(
        self, topic: str, deadline: date, admin: Address, unit_ids: Iterable[int], now: datetime
    ) -> int:
        commission_id = await self.insert(
            _ADD_COMMISSION,
            {"topic": topic, "deadline": deadline.isoformat(), "channel": admin.channel,
             "address": admin.address, "created_at": now.isoformat()},
        )  # fmt: skip
        await self.many(_ADD_TARGET, [(commission_id, unit_id) for unit_id in unit_ids])
        return commission_id

    async def commission(self, commission_id: int) -> Commission | None:
        row = await self.one(_COMMISSION, {"id": commission_id})
        if row is None:
            return None
        targets = await self.all(_TARGETS, {"id": commission_id})
        return Commission(
            commission_id,
            row[0],
            date.fromisoformat(row[1]),
            datetime.fromisoformat(row[2]),
            [(unit_id, name) for unit_id, name in targets],
            row[3] is not None,
        )

    async def commission_ids(self, *, unit_id: int | None = None, limit: int = 30) -> list[int]:
        """Commissions newest first: all of them, or those that asked `unit_id`."""
        rows = await (
            self.all(_COMMISSION_IDS, {"limit": limit})
            if unit_id is None
            else self.all(_UNIT_COMMISSION_IDS, {"unit_id": unit_id, "limit": limit})
        )
        return [commission_id for (commission_id,) in rows]

    async def open_commission_ids(self) -> list[int]:
        rows = await self.all(_OPEN_COMMISSION_IDS)
        return [commission_id for (commission_id,) in rows]

    async def answered_units(self, commission_id: int) -> set[int]:
        rows = await self.all(_ANSWERED_UNITS, {"id": commission_id})
        return {unit_id for (unit_id,) in rows}

    async def target_outcomes(self, commission_id: int) -> dict[int, str]:
        """How the commission ended for each target, once settled."""
        rows = await self.all(_TARGET_OUTCOMES, {"id": commission_id})
        return dict(rows)

    async def add_answer(self, record_id: int, commission_id: int, unit_id: int) -> None:
        await self.write(
            _ADD_ANSWER,
            {"record_id": record_id, "commission_id": commission_id, "unit_id": unit_id},
        )

    async def answer_unit(self, record_id: int) -> int | None:
        """The unit of a commission answer; None if the record answers no commission."""
        row = await self.one(_ANSWER_UNIT, {"record_id": record_id})
        return row[0] if row else None

    async def selection(self, answer_id: int, item_id: str) -> int | None:
        """The record that scored the answer's selection for this item, if it was selected."""
        row = await self.one(_SELECTION, {"answer_id": answer_id, "item_id": item_id})
        return row[0] if row else None

    async def add_selection(self, answer_id: int, item_id: str, record_id: int) -> None:
        await self.write(
            _ADD_SELECTION, {"answer_id": answer_id, "item_id": item_id, "record_id": record_id}
        )

    async def close_commission(self, commission_id: int, now: datetime) -> None:
        """Mark the commission settled and every target that answered as answered."""
        await self.write(_CLOSE, {"closed_at": now.isoformat(), "id": commission_id})
        await self.write(_ANSWERED, {"id": commission_id})

    async def set_target_missed(
        self, commission_id: int, unit_id: int, outcome: str, record_id: int
    ) -> None:
        await self.write(
            _MISSED,
            {"outcome": outcome, "record_id": record_id, "id": commission_id, "unit_id": unit_id},
        )

    async def missed_last_time(self, commission_id: int, deadline: date) -> set[int]:
        """Targets whose latest earlier commission (by deadline) was settled as a miss."""
        rows = await self.all(
            _EARLIER_OUTCOMES, {"id": commission_id, "deadline": deadline.isoformat()}
        )
        latest: dict[int, str] = {}
        for unit_id, outcome in rows:
            latest[unit_id] = outcome
        return {unit_id for unit_id, outcome in latest.items() if outcome != "answered"}
