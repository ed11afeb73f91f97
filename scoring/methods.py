"""Methods over time: every method an office has used, each in force from its date.

A record is scored by the method in force on its date, a month settled by the method in force on
its last day (the day its penalty is dated), a year's awards follow the method in force on the
year's last day; a period spanning several methods sums what each scored in its own days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import pairwise

from scoring.ruleset import Ruleset


@dataclass(frozen=True)
class Method:
    """A method as the database keeps it: its rules, the file it came from, and the day it took
    effect (None for the database's first method, in force from the start)."""

    ruleset: Ruleset
    start: date | None
    source: str


@dataclass(frozen=True)
class MethodSpan:
    """The days of a period that one method governs."""

    method: Method
    start: date
    end: date


@dataclass(frozen=True)
class Methods:
    """The database's methods, the first one first; each later one ends the one before."""

    methods: tuple[Method, ...]

    def __post_init__(self) -> None:
        assert self.methods and self.methods[0].start is None
        starts = [m.start for m in self.methods[1:]]
        assert all(a is not None and b is not None and a < b for a, b in pairwise(starts))

    @property
    def latest(self) -> Ruleset:
        return self.methods[-1].ruleset

    @cached_property
    def current(self) -> Ruleset:
        """The latest method, for what no single day decides (a period's words, the items a
        chat offers today), with the database's first day: its dates reach back through the
        earlier methods to the first one's effective date."""
        first, latest = self.methods[0].ruleset, self.latest
        if latest.effective_from == first.effective_from:
            return latest
        return latest.model_copy(update={"effective_from": first.effective_from})

    def method_at(self, day: date) -> Method:
        found = self.methods[0]
        for method in self.methods[1:]:
            assert method.start is not None
            if method.start > day:
                break
            found = method
        return found

    def at(self, day: date) -> Ruleset:
        """The method in force on `day`."""
        return self.method_at(day).ruleset

    def spans(self, start: date, end: date) -> list[MethodSpan]:
        """The days from `start` to `end` cut where a method takes over, each with its method."""
        spans = []
        day = start
        while day <= end:
            method = self.method_at(day)
            later = [m.start for m in self.methods if m.start is not None and m.start > day]
            last = min([end, *(s - timedelta(days=1) for s in later)])
            spans.append(MethodSpan(method, day, last))
            day = last + timedelta(days=1)
        return spans

    def columns(self, start: date, end: date) -> list[str]:
        """The score columns of a period: those of the method in force at its end, then those
        only an earlier method of the period has (each counting 0 under the methods without
        it)."""
        rulesets = [s.method.ruleset for s in reversed(self.spans(start, end))]
        columns: list[str] = []
        for ruleset in rulesets:
            columns += [c for c in ruleset.bulletin.score_columns if c not in columns]
        return columns

    def period_ruleset(self, start: date, end: date) -> Ruleset:
        """The method that ranks a period (the one in force at its end: its groups, floor,
        columns and awards), its score columns grown by those of the period's earlier methods."""
        ruleset = self.at(end)
        columns = self.columns(start, end)
        if columns == ruleset.bulletin.score_columns:
            return ruleset
        bulletin = ruleset.bulletin.model_copy(update={"score_columns": columns})
        return ruleset.model_copy(update={"bulletin": bulletin})
