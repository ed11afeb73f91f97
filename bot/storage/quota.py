"""Submissions counted against the monthly quota, and the settlements made of them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.query import Repository
from bot.storage.sql import sql
from scoring.periods import Period


@dataclass(frozen=True)
class StoredSettlement:
    outcome: str
    # The quota the unit was settled against, and the submissions it had.
    quota: int
    submissions: int
    # The penalty record, if the outcome carries one.
    record_id: int | None


_SUBMISSION_COUNTS = sql(
    "SELECT unit_id, COUNT(*) FROM records WHERE item_id = 'submission' "
    "AND status = 'confirmed' AND date BETWEEN :start AND :end GROUP BY unit_id"
)
_SETTLEMENTS = sql(
    "SELECT unit_id, outcome, quota, submissions, record_id FROM quota_settlements "
    "WHERE month = :month"
)
_SETTLED_MONTHS = sql("SELECT month FROM quota_months ORDER BY month")
_ADD_SETTLED_MONTH = sql(
    "INSERT INTO quota_months (month, batch_id, allow_empty) "
    "VALUES (:month, :batch_id, :allow_empty)"
)
_PUT_SETTLEMENT = sql(
    "INSERT INTO quota_settlements (unit_id, month, quota, submissions, outcome, record_id, "
    "batch_id) VALUES (:unit_id, :month, :quota, :submissions, :outcome, :record_id, :batch_id) "
    "ON CONFLICT (unit_id, month) DO UPDATE SET quota = excluded.quota, "
    "submissions = excluded.submissions, outcome = excluded.outcome, "
    "record_id = excluded.record_id, batch_id = excluded.batch_id"
)
_SET_COUNT = sql(
    "UPDATE quota_settlements SET submissions = :submissions "
    "WHERE unit_id = :unit_id AND month = :month"
)


class QuotaStorage(Repository):
    async def submission_counts(self, period: Period) -> dict[int, int]:
        rows = await self.all(
            _SUBMISSION_COUNTS, {"start": period.start.isoformat(), "end": period.end.isoformat()}
        )
        return dict(rows)

    async def settlements(self, month: Period) -> dict[int, StoredSettlement]:
        """The month's settlement per unit, as it stands."""
        rows = await self.all(_SETTLEMENTS, {"month": month.label})
        return {unit: StoredSettlement(o, q, n, record) for unit, o, q, n, record in rows}

    async def settled_months(self) -> list[str]:
        rows = await self.all(_SETTLED_MONTHS)
        return [month for (month,) in rows]

    async def add_settled_month(self, month: Period, batch_id: int, allow_empty: bool) -> None:
        await self.write(
            _ADD_SETTLED_MONTH,
            {"month": month.label, "batch_id": batch_id, "allow_empty": int(allow_empty)},
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
        await self.write(
            _PUT_SETTLEMENT,
            {"unit_id": unit_id, "month": month.label, "quota": quota, "submissions": submissions,
             "outcome": outcome, "record_id": record_id, "batch_id": batch_id},
        )  # fmt: skip

    async def set_settlement_count(self, unit_id: int, month: Period, submissions: int) -> None:
        """A settlement whose outcome stands, with the count it now stands on."""
        await self.write(
            _SET_COUNT, {"submissions": submissions, "unit_id": unit_id, "month": month.label}
        )
