"""Commissions (约稿) settled at their deadline, as a pure function of who answered.

A target without an answer gets the ruleset's `missed` penalty and a reminder letter; one whose
previous commission was missed as well gets `missed_again` (经提醒后仍未完成), read like the
monthly quota's streak: an answered commission ends it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from scoring.quota import Outcome
from scoring.ruleset import Ruleset

K = TypeVar("K")


@dataclass(frozen=True)
class Missed(Generic[K]):
    unit: K
    outcome: Outcome
    penalty_rule: str


def settle_commission(
    ruleset: Ruleset, targets: Iterable[K], answered: Collection[K], missed_before: Collection[K]
) -> list[Missed[K]]:
    """The penalties for the targets that did not answer; none if the ruleset has no such rule."""
    rules = ruleset.commission_penalties
    if rules is None:
        return []
    return [
        Missed(unit, Outcome.MISSED_AGAIN, rules.missed_again)
        if unit in missed_before
        else Missed(unit, Outcome.MISSED, rules.missed)
        for unit in targets
        if unit not in answered
    ]
