"""Submissions counted against the monthly quota, and the settlements made of them."""

from __future__ import annotations

from bot.storage.base import TxBase
from scoring.periods import Period


class QuotaStorage(TxBase):
    async def submission_counts(self, period: Period) -> dict[int, int]:
        rows = await self.all(
            "SELECT unit_id, COUNT(*) FROM records WHERE item_id = 'submission' "
            "AND status = 'confirmed' AND date BETWEEN ? AND ? GROUP BY unit_id",
            (period.start.isoformat(), period.end.isoformat()),
        )
        return dict(rows)

    async def settlements(self, month: Period) -> dict[int, str]:
        """Outcome per unit already settled for the month."""
        rows = await self.all(
            "SELECT unit_id, outcome FROM quota_settlements WHERE month = ?", (month.label,)
        )
        return dict(rows)

    async def settled_months(self) -> list[str]:
        rows = await self.all("SELECT DISTINCT month FROM quota_settlements ORDER BY month")
        return [month for (month,) in rows]

    async def add_settlement(
        self,
        unit_id: int,
        month: Period,
        quota: int,
        submissions: int,
        outcome: str,
        record_id: int | None,
        batch_id: int,
    ) -> None:
        await self.db.execute(
            "INSERT INTO quota_settlements (unit_id, month, quota, submissions, outcome, record_id, batch_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (unit_id, month.label, quota, submissions, outcome, record_id, batch_id),
        )
