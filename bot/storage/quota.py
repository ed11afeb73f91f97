"""Submissions counted against the monthly quota, and the settlements made of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.base import TxBase
from scoring.periods import Period


@dataclass(frozen=True)
class StoredSettlement:
    outcome: str
    # The quota the unit was settled against, and the submissions it had.
    quota: int
    submissions: int
    # The penalty record, if the outcome carries one.
    record_id: int | None


class QuotaStorage(TxBase):
    async def submission_counts(self, period: Period) -> dict[int, int]:
        rows = await self.all(
            "SELECT unit_id, COUNT(*) FROM records WHERE item_id = 'submission' "
            "AND status = 'confirmed' AND date BETWEEN ? AND ? GROUP BY unit_id",
            (period.start.isoformat(), period.end.isoformat()),
        )
        return dict(rows)

    async def settlements(self, month: Period) -> dict[int, StoredSettlement]:
        """The month's settlement per unit, as it stands."""
        rows = await self.all(
            "SELECT unit_id, outcome, quota, submissions, record_id FROM quota_settlements "
            "WHERE month = ?",
            (month.label,),
        )
        return {unit: StoredSettlement(o, q, n, record) for unit, o, q, n, record in rows}

    async def settled_credits(
        self, month: Period, rule_ids: Sequence[str]
    ) -> dict[int, dict[str, tuple[int, int]]]:
        """Per unit, the credits a settlement wrote for the month (dated on its last day) and
        not reversed since: item id -> (record id, points)."""
        if not rule_ids:
            return {}
        marks = ", ".join("?" for _ in rule_ids)
        rows = await self.all(
            "SELECT l.unit_id, l.rule_id, l.record_id, l.points FROM ledger l "
            f"WHERE l.date = ? AND l.rule_id IN ({marks}) AND l.reverses IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id)",
            [month.end.isoformat(), *rule_ids],
        )
        credits: dict[int, dict[str, tuple[int, int]]] = {}
        for unit_id, rule_id, record_id, points in rows:
            credits.setdefault(unit_id, {})[rule_id] = (record_id, points)
        return credits

    async def settled_months(self) -> list[str]:
        rows = await self.all("SELECT month FROM quota_months ORDER BY month")
        return [month for (month,) in rows]

    async def add_settled_month(self, month: Period, batch_id: int, allow_empty: bool) -> None:
        await self.db.execute(
            "INSERT INTO quota_months (month, batch_id, allow_empty) VALUES (?, ?, ?)",
            (month.label, batch_id, int(allow_empty)),
        )

    async def put_settlement(
        self,
        unit_id: int,
        month: Period,
        quota: int,
        submissions: int,
        outcome: str,
        record_id: int | None,
        batch_id: int,
    ) -> None:
        """The unit's settlement of the month, replacing what an earlier settlement said."""
        await self.db.execute(
            "INSERT INTO quota_settlements (unit_id, month, quota, submissions, outcome, record_id, batch_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id, month) DO UPDATE SET "
            "quota = excluded.quota, submissions = excluded.submissions, outcome = excluded.outcome, "
            "record_id = excluded.record_id, batch_id = excluded.batch_id",
            (unit_id, month.label, quota, submissions, outcome, record_id, batch_id),
        )

    async def set_settlement_count(self, unit_id: int, month: Period, submissions: int) -> None:
        """A settlement whose outcome stands, with the count it now stands on."""
        await self.write(
            "UPDATE quota_settlements SET submissions = ? WHERE unit_id = ? AND month = ?",
            (submissions, unit_id, month.label),
        )
