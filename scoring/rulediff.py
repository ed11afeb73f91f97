"""What a newer text of a ruleset would change against the text a database keeps: the rule
entries added, removed or changed, by their place in the ruleset (`items.city.jccc.points`).

A database keeps the method it was started with until the office adopts another, so an upgrade
only says what the newer text would change; it never applies it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Literal

Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class RuleChange:
    change: Change
    # Where in the ruleset: table keys and entry ids joined by dots.
    where: str
    old: object = None
    new: object = None


def ruleset_changes(stored: str, newer: str) -> list[RuleChange]:
    """The entries of `newer` that differ from `stored` (both ruleset TOML texts), in the
    order the ruleset lists them."""
    return _compare("", tomllib.loads(stored), tomllib.loads(newer))


def _compare(where: str, old: object, new: object) -> list[RuleChange]:
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[RuleChange] = []
        for key in [*old, *(k for k in new if k not in old)]:
            place = f"{where}.{key}" if where else str(key)
            if key not in new:
                changes.append(RuleChange("removed", place, old=old[key]))
            elif key not in old:
                changes.append(RuleChange("added", place, new=new[key]))
            else:
                changes += _compare(place, old[key], new[key])
        return changes
    if _by_id(old) is not None and _by_id(new) is not None:
        # Lists of entries with ids (items, modifiers, groups, award rules) are compared entry
        # by entry: moving one is no change of the method.
        return _compare(where, _by_id(old), _by_id(new))
    return [] if old == new else [RuleChange("changed", where, old, new)]


def _by_id(value: object) -> dict[str, object] | None:
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(entry, dict) and isinstance(entry.get("id"), str) for entry in value):
        return None
    return {entry["id"]: entry for entry in value}
