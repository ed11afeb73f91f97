"""Submissions counted against the monthly quota, and the settlements made of them.

A quota apart from the groups' monthly quota (a ruleset's `quotas`) keeps its settlements in
the same table, under `<quota id>@<period label>` (`towns.long@2024Q2`) instead of a month.
"""

from __future__ import annotations

from collections.abc import Sequence
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


_SUBMISSION_COUNTS_OF_KINDS = sql(
    sqlite="SELECT unit_id, COUNT(*) FROM records WHERE item_id = 'submission' "
    "AND status = 'confirmed' AND date BETWEEN :start AND :end "
    "AND modifiers IN (SELECT value FROM json_each(:kinds)) GROUP BY unit_id",
    postgres="SELECT unit_id, COUNT(*) FROM records WHERE item_id = 'submission' "
    "AND status = 'confirmed' AND date BETWEEN :start AND :end "
    "AND modifiers = ANY(:kinds::text[]) GROUP BY unit_id",
    arrays=["kinds"],
)
_SETTLED_CREDITS = sql(
    sqlite="SELECT l.unit_id, l.rule_id, l.record_id, l.points FROM ledger l "
    "WHERE l.date = :date AND l.rule_id IN (SELECT value FROM json_each(:rule_ids)) "
    "AND l.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id)",
    postgres="SELECT l.unit_id, l.rule_id, l.record_id, l.points FROM ledger l "
    "WHERE l.date = :date AND l.rule_id = ANY(:rule_ids::text[]) "
    "AND l.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id)",
    arrays=["rule_ids"],
)
_SETTLED_QUOTA_PERIODS = sql(
    "SELECT DISTINCT month FROM quota_settlements WHERE month LIKE '%@%' ORDER BY month"
)


class QuotaStorage(Repository):
    async def submission_counts(self, period: Period, kinds: Sequence[str] = ()) -> dict[int, int]:
        """Confirmed submissions per unit; with `kinds`, only those of these kinds (a
        submission's kind is kept as its one modifier)."""
        dates = {"start": period.start.isoformat(), "end": period.end.isoformat()}
        if kinds:
            rows = await self.all(_SUBMISSION_COUNTS_OF_KINDS, {**dates, "kinds": list(kinds)})
        else:
            rows = await self.all(_SUBMISSION_COUNTS, dates)
        return dict(rows)

    async def settlements(self, month: Period | str) -> dict[int, StoredSettlement]:
        """The month's settlement per unit, as it stands (or a quota's period's, by its key)."""
        rows = await self.all(_SETTLEMENTS, {"month": _key(month)})
        return {unit: StoredSettlement(o, q, n, record) for unit, o, q, n, record in rows}

    async def settled_credits(
        self, month: Period, rule_ids: Sequence[str]
    ) -> dict[int, dict[str, tuple[int, int]]]:
        """Per unit, the credits a settlement wrote for the month (dated on its last day) and
        not reversed since: item id -> (record id, points)."""
        if not rule_ids:
            return {}
        rows = await self.all(
            _SETTLED_CREDITS, {"date": month.end.isoformat(), "rule_ids": list(rule_ids)}
        )
        credits: dict[int, dict[str, tuple[int, int]]] = {}
        for unit_id, rule_id, record_id, points in rows:
            credits.setdefault(unit_id, {})[rule_id] = (record_id, points)
        return credits

    async def settled_quota_periods(self, quota_id: str) -> list[str]:
        """The keys of a quota's settled periods (`towns.long@2024Q2`), in order."""
        prefix = f"{quota_id}@"
        rows = await self.all(_SETTLED_QUOTA_PERIODS)
        return [key for (key,) in rows if key.startswith(prefix)]

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
        month: Period | str,
        quota: int,
        submissions: int,
        outcome: str,
        record_id: int | None,
        batch_id: int,
    ) -> None:
        """The unit's settlement of the month, replacing what an earlier settlement said."""
        await self.write(
            _PUT_SETTLEMENT,
            {"unit_id": unit_id, "month": _key(month), "quota": quota, "submissions": submissions,
             "outcome": outcome, "record_id": record_id, "batch_id": batch_id},
        )  # fmt: skip

    async def set_settlement_count(
        self, unit_id: int, month: Period | str, submissions: int
    ) -> None:
        """A settlement whose outcome stands, with the count it now stands on."""
        await self.write(
            _SET_COUNT, {"submissions": submissions, "unit_id": unit_id, "month": _key(month)}
        )


def quota_key(quota_id: str, period: Period) -> str:
    """Where a quota apart from the groups keeps a period's settlements."""
    return f"{quota_id}@{period.label}"


def _key(month: Period | str) -> str:
    return month if isinstance(month, str) else month.label
