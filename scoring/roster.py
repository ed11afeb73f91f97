"""Units over time (机构改革): a roster read at a day or for a period from the units as they are
now and their dated changes (rules.md, "Units change"). Nothing here touches the ledger: a
change only says under which name, in which group and beside which units a unit's own entries
are listed."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum

from scoring.errors import DomainError
from scoring.periods import Period
from scoring.standings import UnitRef, UnitTotals, add_totals


class Change(Enum):
    RENAME = "rename"
    MERGE = "merge"
    RETIRE = "retire"
    MOVE = "move"


@dataclass(frozen=True)
class UnitChange:
    """A unit's change from `start`, its first day. `old`/`new`: the name (rename) or group
    (move) before and after; `into`: the surviving unit of a merge."""

    unit_id: int
    change: Change
    start: date
    old: str = ""
    new: str = ""
    into: int | None = None
    actor: str = ""
    at: str = ""


@dataclass(frozen=True)
class PeriodRoster:
    """The units a period lists, each named and grouped as at the period's end, in the roster's
    order; `folded` maps a unit merged away into a listed one (its entries count there)."""

    units: list[UnitRef]
    folded: dict[int, int] = field(default_factory=dict)

    def names(self) -> dict[int, str]:
        """Every unit id the period's entries may carry, mapped to the name it is listed under."""
        listed = {u.id: u.name for u in self.units}
        return listed | {
            merged: listed[survivor]
            for merged, survivor in self.folded.items()
            if survivor in listed
        }


def _by_unit(changes: Sequence[UnitChange]) -> dict[int, list[UnitChange]]:
    found: dict[int, list[UnitChange]] = {}
    for c in sorted(changes, key=lambda c: c.start):
        found.setdefault(c.unit_id, []).append(c)
    return found


def _as_at(unit: UnitRef, mine: Sequence[UnitChange], day: date) -> UnitRef:
    """The unit's name and group on `day`: the value before its first change after that day."""
    name = next((c.old for c in mine if c.change is Change.RENAME and c.start > day), unit.name)
    group = next((c.old for c in mine if c.change is Change.MOVE and c.start > day), unit.group)
    return unit if (name, group) == (unit.name, unit.group) else UnitRef(unit.id, name, group)


def _ended(mine: Sequence[UnitChange], day: date) -> UnitChange | None:
    """The unit's merge or retirement in force on `day`, if any."""
    return next(
        (c for c in mine if c.change in (Change.MERGE, Change.RETIRE) and c.start <= day), None
    )


def units_at(units: Sequence[UnitRef], changes: Sequence[UnitChange], day: date) -> list[UnitRef]:
    """The roster on `day`: units retired or merged away by then left out, the others named and
    grouped as they were then. For quotas and reminders: a unit gone owes nothing."""
    if not changes:
        return list(units)
    by_unit = _by_unit(changes)
    result = []
    for unit in units:
        mine = by_unit.get(unit.id)
        if mine is None:
            result.append(unit)
        elif _ended(mine, day) is None:
            result.append(_as_at(unit, mine, day))
    return result


def period_roster(
    units: Sequence[UnitRef], changes: Sequence[UnitChange], period: Period
) -> PeriodRoster:
    """The units a period lists (rules.md, "Units change"): named and grouped as at its end; a
    unit retired or merged away from a day after the period's first is still listed (it had
    days of its own), one retired by the first day is not; a unit merged into another from a
    day inside the period is listed with the survivor, whose name then reads `（含原X）`; one
    merged before the period is folded into the survivor without a note (it has no entries of
    its own there, but any stored late count where the survivor's do)."""
    if not changes:
        return PeriodRoster(list(units))
    by_unit = _by_unit(changes)
    folded: dict[int, int] = {}
    within: dict[int, list[int]] = {}
    for unit_id, mine in by_unit.items():
        merge = _ended(mine, period.end)
        if merge is None or merge.change is not Change.MERGE or merge.into is None:
            continue
        folded[unit_id] = merge.into
        if merge.start > period.start:
            within.setdefault(merge.into, []).append(unit_id)
    # A survivor merged on in turn (A into B, B into C): A's entries count where B's do.
    for unit_id in folded:
        seen = {unit_id}
        while (onward := folded.get(folded[unit_id])) is not None and onward not in seen:
            seen.add(onward)
            folded[unit_id] = onward
    names = {u.id: u.name for u in units}
    listed: list[UnitRef] = []
    for unit in units:
        own = by_unit.get(unit.id)
        if own is None and unit.id not in within:
            listed.append(unit)
            continue
        if unit.id in folded or (own and _ended(own, period.start)):
            continue
        shown = _as_at(unit, own, period.end) if own else unit
        merged = _merged_into(unit.id, within, names)
        if merged:
            shown = replace(shown, name=f"{shown.name}（含原{'、'.join(merged)}）")
        listed.append(shown)
    return PeriodRoster(listed, folded)


def _merged_into(
    survivor: int, within: Mapping[int, list[int]], names: Mapping[int, str]
) -> list[str]:
    """The names of the units merged into `survivor` inside the period, and of those merged
    into them, in the roster's order."""
    found: list[str] = []
    for merged in sorted(within.get(survivor, [])):
        found.append(names[merged])
        found += _merged_into(merged, within, names)
    return found


def fold_totals(
    totals: Mapping[int, UnitTotals], folded: Mapping[int, int]
) -> dict[int, UnitTotals]:
    """The period's sums with each merged-away unit's added to its survivor's."""
    if not folded:
        return dict(totals)
    result = dict(totals)
    for merged, survivor in folded.items():
        mine = result.pop(merged, None)
        if mine is None:
            continue
        moved = (survivor, *mine[1:])
        earlier = result.get(survivor)
        result[survivor] = moved if earlier is None else add_totals(earlier, moved)
    return result


def fold_counts(
    counts: Mapping[int, Mapping[str, int]], folded: Mapping[int, int]
) -> dict[int, Mapping[str, int]]:
    """Per-unit counts by item with each merged-away unit's added to its survivor's (only a
    survivor's counts are copied: `counts` is left as it was)."""
    result = dict(counts)
    for merged, survivor in folded.items():
        mine = result.pop(merged, None)
        if mine is None:
            continue
        into = dict(result.get(survivor, {}))
        for item, n in mine.items():
            into[item] = into.get(item, 0) + n
        result[survivor] = into
    return result


# How a roster's change column (变更) names each change, Chinese first (rules.md, "Units
# roster"): `更名自 原名称 日期`, `并入 单位 日期`, `撤销 日期`, `调组 日期`.
CHANGE_WORDS: dict[Change, tuple[str, ...]] = {
    Change.RENAME: ("更名自", "rename-from"),
    Change.MERGE: ("并入", "merge-into"),
    Change.RETIRE: ("撤销", "retire"),
    Change.MOVE: ("调组", "move"),
}


@dataclass(frozen=True)
class ChangeCell:
    """A roster row's change as written: the other unit it names (the old name of a rename,
    the survivor of a merge) and its first day, still to be read."""

    change: Change
    other: str
    start: str


def read_change(text: str) -> ChangeCell:
    """The change a roster cell states; DomainError `unit_change_syntax` if it states none."""
    written = unicodedata.normalize("NFKC", text).strip()
    for change, words in CHANGE_WORDS.items():
        word = next((w for w in words if written.lower().startswith(w)), None)
        if word is None:
            continue
        rest = written[len(word) :].strip()
        other, _, start = rest.rpartition(" ")
        other, start = other.strip(), start.removeprefix("自").removesuffix("起")
        needs_other = change in (Change.RENAME, Change.MERGE)
        if start and bool(other) == needs_other:
            return ChangeCell(change, other, start)
    raise DomainError("unit_change_syntax", change=written)
