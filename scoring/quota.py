"""The monthly quota, settled as a pure function of submission counts and earlier reminders.

A unit below its group's quota gets the ruleset's `missed` penalty and a reminder letter the
first time; one that already had a reminder for the month before gets `missed_again`; a month at
or above quota ends the streak. The penalty is dated on the last day of the month it concerns.
A ruleset's other quotas (`quotas`: a class of units, one unit, a quarter, some kinds of
submission) settle alike in their own periods; a settled month may also score credits
(`monthly_credits`: submission points up to a cap, a base score at quota).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from scoring.periods import Period, month_of, previous_month, quarter_of
from scoring.ruleset import Quota, QuotaPenalties, Ruleset

K = TypeVar("K")


class Outcome(StrEnum):
    MET = "met"
    MISSED = "missed"
    MISSED_AGAIN = "missed_again"


@dataclass(frozen=True)
class Settlement(Generic[K]):
    unit: K
    quota: int
    submissions: int
    outcome: Outcome
    penalty_rule: str | None
    penalty_date: date

    @property
    def reminded(self) -> bool:
        """Whether this month's settlement sends a reminder letter (提醒函)."""
        return self.outcome is not Outcome.MET


def quotas_of(ruleset: Ruleset, units: Iterable[tuple[K, str]]) -> dict[K, int]:
    """Each unit's monthly quota by its group, for (unit, group id) pairs; units of groups
    without a quota are left out."""
    quotas = {g.id: g.monthly_quota for g in ruleset.groups if g.monthly_quota}
    return {unit: quotas[group] for unit, group in units if group in quotas}


def settle_month(
    ruleset: Ruleset,
    month: Period,
    quotas: Mapping[K, int],
    submissions: Mapping[K, int],
    reminded_month_before: Collection[K],
) -> list[Settlement[K]]:
    """Settle `month` for the units of `quotas`, each against its quota (quotas_of for a month
    settled now; the quota it was settled with for a month settled again)."""
    # None: a method whose only consequence of a missed month is losing its base score.
    return settle_period(ruleset.quota_penalties, month, quotas, submissions, reminded_month_before)


def settle_period(
    rules: QuotaPenalties | None,
    period: Period,
    quotas: Mapping[K, int],
    submissions: Mapping[K, int],
    reminded_before: Collection[K],
) -> list[Settlement[K]]:
    """Settle a quota's period (a month, a quarter) with its penalties (None: none)."""
    result: list[Settlement[K]] = []
    for unit, quota in quotas.items():
        count = submissions.get(unit, 0)
        if count >= quota:
            outcome, rule = Outcome.MET, None
        elif unit in reminded_before:
            outcome, rule = Outcome.MISSED_AGAIN, rules.missed_again if rules else None
        else:
            outcome, rule = Outcome.MISSED, rules.missed if rules else None
        result.append(Settlement(unit, quota, count, outcome, rule, period.end))
    return result


def quota_members(quota: Quota, units: Iterable[tuple[K, str, str]]) -> dict[K, int]:
    """The units a quota apart from the groups applies to, for (unit, name, group id) triples,
    each with the quota's minimum."""
    groups, names = set(quota.groups), set(quota.units)
    return {unit: quota.minimum for unit, name, group in units if group in groups or name in names}


def quota_periods(quota: Quota, month: Period) -> list[Period]:
    """The periods of the quota that settling `month` settles: the month, or the quarter that
    ends with it."""
    if quota.period == "month":
        return [month]
    q = quarter_of(month.start)
    return [q] if q.end == month.end else []


def quota_period_of(quota: Quota, day: date) -> Period:
    return month_of(day) if quota.period == "month" else quarter_of(day)


def previous_period(quota: Quota, period: Period) -> Period:
    return (
        previous_month(period)
        if quota.period == "month"
        else quarter_of(period.start - timedelta(days=1))
    )


def quotas_to_settle(ruleset: Ruleset, units: Iterable[tuple[K, str]]) -> dict[K, int]:
    """quotas_of, and where submissions score points, every other unit with a quota of 0: a
    month is settled for its submissions' points even where nothing is required."""
    quotas = quotas_of(ruleset, units)
    if ruleset.submission_points_item is None:
        return quotas
    return {unit: quotas.get(unit, 0) for unit, _ in units}


def monthly_credits(ruleset: Ruleset, settlement: Settlement[K]) -> dict[str, int]:
    """The credits a unit's settled month scores beside its penalty, by item id: its
    submissions' points up to the monthly cap, and the base score for a month at or above a
    quota it has. Items that score nothing are left out."""
    credits: dict[str, int] = {}
    mc = ruleset.monthly_credits
    if mc is None:
        return credits
    if mc.submissions is not None and settlement.submissions:
        points = ruleset.item(mc.submissions).points
        assert points is not None  # a credit item has points
        earned = points * settlement.submissions
        credits[mc.submissions] = (
            earned if mc.submissions_cap is None else min(earned, mc.submissions_cap)
        )
    if mc.quota_met is not None and settlement.quota > 0 and settlement.outcome is Outcome.MET:
        points = ruleset.item(mc.quota_met).points
        assert points is not None
        credits[mc.quota_met] = points
    return credits
