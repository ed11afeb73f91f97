"""The year's awards (rule 六 of the Dengkou method), per group, from plain values.

Who is disqualified, which units are named advanced, most improved and lowest-ranked, and whose
liaisons are the candidates for advanced individuals. The numbers named and what disqualifies
come from the ruleset's `[awards]`; everything else is passed in, already read and ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from scoring.ruleset import Awards, Disqualify
from scoring.standings import GroupStandings, Row

T = TypeVar("T")


@dataclass(frozen=True)
class Basis:
    """What a rise in rank is measured on: each unit's rank in `before` against `after`.

    The previous year's annual standings against this year's, or in a ruleset's first year its
    first quarter in force against the year's last quarter (label `2024Q1..2024Q4`).
    """

    label: str
    before: Sequence[GroupStandings]
    after: Sequence[GroupStandings]


@dataclass(frozen=True)
class Improvement:
    unit: str
    from_rank: int
    to_rank: int
    # The total in `after` less the total in `before`: the tie-break between equal rises.
    gain: int

    @property
    def rise(self) -> int:
        return self.from_rank - self.to_rank


@dataclass(frozen=True)
class Disqualified:
    unit: str
    # The penalties that disqualified it, by item id, with their counts in the year.
    reasons: dict[str, int]


@dataclass(frozen=True)
class GroupAwards:
    group: str
    basis: str
    advanced: list[str]
    improved: list[Improvement]
    lowest: list[str]
    disqualified: list[Disqualified]
    # Active liaisons of each advanced or most-improved unit that has any, in that order.
    candidates: dict[str, list[str]]

    def to_json(self) -> dict[str, Any]:
        """The shape of rules.md ("Bulletin as JSON"), key for key."""
        return {
            "group": self.group,
            "basis": self.basis,
            "advanced": self.advanced,
            "improved": [
                {"unit": i.unit, "from_rank": i.from_rank, "to_rank": i.to_rank}
                for i in self.improved
            ],
            "lowest": self.lowest,
            "disqualified": [{"unit": d.unit, "reasons": d.reasons} for d in self.disqualified],
            "candidates": self.candidates,
        }


def disqualifying(rules: Sequence[Disqualify], counts: Mapping[str, int]) -> dict[str, int]:
    """The penalties (id: count) by which a unit is disqualified; empty if it is not.

    Only the rules a unit falls under are its reasons: one quota penalty beside a missed
    commission is not a reason, since one alone would not disqualify.
    """
    reasons: dict[str, int] = {}
    for rule in rules:
        hits = {rule_id: counts[rule_id] for rule_id in rule.penalties if counts.get(rule_id)}
        if sum(hits.values()) >= rule.at_least:
            reasons.update(hits)
    return reasons


def first_with_ties(ranked: Sequence[T], n: int, key: Callable[[T], Hashable]) -> list[T]:
    """The first `n` of `ranked`, and those after them tied with the last one named."""
    if n <= 0 or not ranked:
        return []
    named = list(ranked[:n])
    last = key(named[-1])
    for item in ranked[n:]:
        if key(item) != last:
            break
        named.append(item)
    return named


def _total(row: Row) -> int:
    return row.total


def _rise_and_gain(improvement: Improvement) -> tuple[int, int]:
    return (improvement.rise, improvement.gain)


def group_awards(
    rules: Awards,
    group: GroupStandings,
    basis_label: str,
    before: Mapping[str, Row],
    after: Mapping[str, Row],
    penalties: Mapping[str, Mapping[str, int]],
    liaisons: Mapping[str, Sequence[str]],
) -> GroupAwards:
    """One group's awards; `group.rows` are the year's standings in rank order."""
    rows = group.rows
    disqualified = []
    for row in rows:
        reasons = disqualifying(rules.disqualify, penalties.get(row.unit, {}))
        if reasons:
            disqualified.append(Disqualified(row.unit, reasons))
    out = {d.unit for d in disqualified}
    eligible = [r for r in rows if r.unit not in out and r.total > 0]
    advanced = [r.unit for r in first_with_ties(eligible, rules.advanced, _total)]
    named = out | set(advanced)
    rises = []
    for row in rows:
        earlier, later = before.get(row.unit), after.get(row.unit)
        if row.unit in named or earlier is None or later is None or later.rank >= earlier.rank:
            continue
        rises.append(Improvement(row.unit, earlier.rank, later.rank, later.total - earlier.total))
    # Stable: equal rises with equal gains stay in the year's rank order.
    rises.sort(key=lambda i: (-i.rise, -i.gain))
    improved = first_with_ties(rises, rules.improved, _rise_and_gain)
    lowest = [r.unit for r in reversed(first_with_ties(rows[::-1], rules.lowest, _total))]
    candidates = {
        unit: list(liaisons[unit])
        for unit in [*advanced, *(i.unit for i in improved)]
        if liaisons.get(unit)
    }
    return GroupAwards(
        group.group, basis_label, advanced, improved, lowest, disqualified, candidates
    )


def annual_awards(
    rules: Awards,
    groups: Sequence[GroupStandings],
    basis: Basis,
    penalties: Mapping[str, Mapping[str, int]],
    liaisons: Mapping[str, Sequence[str]],
) -> list[GroupAwards]:
    """Every group's awards, in the order of `groups` (the year's standings).

    `penalties` are each unit's penalty counts in the year by item id, reversed entries left
    out; `liaisons` the names of each unit's active liaisons. Units are named by name.
    """
    before = {g.group: {r.unit: r for r in g.rows} for g in basis.before}
    after = {g.group: {r.unit: r for r in g.rows} for g in basis.after}
    return [
        group_awards(
            rules,
            group,
            basis.label,
            before.get(group.group, {}),
            after.get(group.group, {}),
            penalties,
            liaisons,
        )
        for group in groups
    ]
