"""Scoring: a record becomes ledger entries, each explained, none hidden in a total."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.points import show_points
from scoring.records import Record
from scoring.ruleset import ItemKind, Ruleset


@dataclass(frozen=True)
class Entry:
    """One ledger line: what rule scored, into which bulletin column, and why."""

    rule_id: str
    column: str
    # Hundredths of a point (scoring.points).
    points: int
    # Contribution to the bulletin's adoption count (采用条数) and to the count of scored items.
    adoptions: int
    items: int
    explanation: str


@dataclass(frozen=True)
class Scored:
    entries: tuple[Entry, ...]
    explanation: str

    @property
    def points(self) -> int:
        return sum(e.points for e in self.entries)


def score(ruleset: Ruleset, record: Record) -> Scored:
    """The entries a record earns; a submission earns none (it only counts toward the quota)."""
    if record.is_submission:
        return Scored((), "")
    item = ruleset.item(record.item_id)
    # A settled month's submission points are given by the settlement, which knows the month's
    # count and its cap: the record carries them, as an adjustment carries its own.
    given = item.kind is ItemKind.ADJUSTMENT or (
        item.id == ruleset.submission_points_item and record.points is not None
    )
    base = record.points if given else item.points
    assert base is not None  # the ruleset model guarantees points on every other kind
    is_adoption = item.kind is ItemKind.ADOPTION
    base_text = _term(item.label, base, signed=item.kind is ItemKind.ADJUSTMENT)
    if given and record.note:
        base_text = f"{base_text}（{record.note}）"
    entries = [
        Entry(item.id, item.column, base, int(item.counts_as_adoption), int(is_adoption), base_text)
    ]
    for modifier_id, times in record.modifiers:
        modifier = ruleset.modifiers_by_key[modifier_id]
        label = modifier.label if times == 1 else f"{modifier.label}×{times}"
        points = modifier.points_for(item.id) * times
        entries.append(Entry(modifier.id, modifier.column, points, 0, 0, _term(label, points)))
    if len(entries) == 1:
        return Scored(tuple(entries), entries[0].explanation)
    total = sum(e.points for e in entries)
    return Scored(
        tuple(entries), " + ".join(e.explanation for e in entries) + f" = {show_points(total)}"
    )


def _term(label: str, points: int, *, signed: bool = False) -> str:
    # An adjustment can go either way, so its sign is always shown.
    value = show_points(points, signed=signed)
    # "《决策参考》18" reads naturally after a closing CJK bracket; other labels get a space.
    return f"{label}{value}" if label.endswith(("》", "）", "”")) else f"{label} {value}"
