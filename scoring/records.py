"""Records as the office writes them: parsing and validating rows of an import file.

A row names a unit, an item and a date and may repeat itself (`count`) and carry modifiers.
Every row is checked before anything is returned, so a caller stores a whole file or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from scoring.errors import ImportRejected, RowProblem
from scoring.ruleset import SUBMISSION_ID, SUBMISSION_LABEL, Item, ItemKind, Ruleset

RECORD_COLUMNS = ("date", "unit", "item", "count", "points", "modifiers", "title", "note")
REQUIRED_RECORD_COLUMNS = ("date", "unit", "item")
# A guard against a slip of the keyboard creating a hundred thousand records from one row.
MAX_COUNT = 10_000
_REPEAT = re.compile(r"^(.*?)\s*[×xX*]\s*(\d+)$")


@dataclass(frozen=True)
class Record:
    """One validated record: a submission, an adoption, a credit, a penalty or an adjustment."""

    unit: str
    day: date
    item_id: str
    points: int | None = None
    # (modifier id, times): two city leaders' endorsements are (("endorse.city_leader", 2),).
    modifiers: tuple[tuple[str, int], ...] = ()
    title: str = ""
    note: str = ""

    @property
    def is_submission(self) -> bool:
        return self.item_id == SUBMISSION_ID


def title_key(title: str) -> str:
    """A title folded for duplicate detection: width, case, spaces and punctuation ignored."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def split_repeat(text: str) -> tuple[str, int]:
    """`市领导同志批示×2` (or `*2`, `x2`) as (name, 2); without a count, (text, 1)."""
    text = text.strip()
    if (m := _REPEAT.match(text)) and m[1]:
        return m[1].strip(), int(m[2])
    return text, 1


class _RowError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params


def check_header(header: Iterable[str]) -> list[RowProblem]:
    names = [h.strip() for h in header]
    problems = [
        RowProblem(1, "column_missing", {"column": c})
        for c in REQUIRED_RECORD_COLUMNS
        if c not in names
    ]
    problems += [
        RowProblem(1, "column_unknown", {"column": c})
        for c in names
        if c and c not in RECORD_COLUMNS
    ]
    return problems


def parse_rows(
    ruleset: Ruleset,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    units: Mapping[str, str],
    today: date,
) -> list[Record]:
    """Validate numbered rows into records, `count` expanded; raise ImportRejected on any bad row.

    `units` maps every unit name and alias to the unit's name.
    """
    records: list[Record] = []
    problems: list[RowProblem] = []
    for line, row in rows:
        try:
            record, count = parse_row(ruleset, row, units, today)
        except _RowError as err:
            problems.append(RowProblem(line, err.code, err.params))
            continue
        records.extend([record] * count)
    if problems:
        raise ImportRejected(problems)
    return records


def parse_row(
    ruleset: Ruleset, row: Mapping[str, Any], units: Mapping[str, str], today: date
) -> tuple[Record, int]:
    unit_text = _text(row.get("unit"))
    if not unit_text:
        raise _RowError("unit_missing")
    unit = units.get(unit_text)
    if unit is None:
        raise _RowError("unit_unknown", unit=unit_text)
    day = parse_day(row.get("date"), ruleset, today)
    item_text = _text(row.get("item"))
    item = resolve_item(ruleset, item_text)
    count = _count(row.get("count"))
    points = _points(row.get("points"), item)
    modifiers = parse_modifiers(ruleset, _text(row.get("modifiers")), item)
    note = _text(row.get("note"))
    if item is not None and item.kind is ItemKind.ADJUSTMENT and not note:
        raise _RowError("reason_required")
    return (
        Record(
            unit,
            day,
            item.id if item else SUBMISSION_ID,
            points,
            modifiers,
            _text(row.get("title")),
            note,
        ),
        count,
    )


def parse_day(value: Any, ruleset: Ruleset, today: date) -> date:
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text(value)
        if not text:
            raise _RowError("date_missing")
        try:
            if len(text) != 10:
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            raise _RowError("date_invalid", date=text) from None
    if ruleset.effective_from and day < ruleset.effective_from:
        raise _RowError(
            "date_before_effective",
            date=day.isoformat(),
            effective=ruleset.effective_from.isoformat(),
        )
    if day > today:
        raise _RowError("date_in_future", date=day.isoformat())
    return day


def resolve_item(ruleset: Ruleset, text: str) -> Item | None:
    """The item named by id or label; None for a submission (报送)."""
    if not text:
        raise _RowError("item_missing")
    if text in (SUBMISSION_ID, SUBMISSION_LABEL):
        return None
    item = ruleset.items_by_key.get(text)
    if item is None:
        raise _RowError("item_unknown", item=text)
    return item


def parse_modifiers(ruleset: Ruleset, text: str, item: Item | None) -> tuple[tuple[str, int], ...]:
    if not text:
        return ()
    counts: dict[str, int] = {}
    for part in (p.strip() for p in text.replace("；", ";").split(";")):
        if not part:
            continue
        name, times = split_repeat(part)
        if times < 1:
            raise _RowError("modifier_times_invalid", modifier=part)
        modifier = ruleset.modifiers_by_key.get(name)
        if modifier is None:
            raise _RowError("modifier_unknown", modifier=name)
        if item is None or item.id not in modifier.allowed_on:
            raise _RowError(
                "modifier_not_allowed",
                modifier=modifier.label,
                item=item.label if item else SUBMISSION_LABEL,
            )
        counts[modifier.id] = counts.get(modifier.id, 0) + times
    return tuple(counts.items())


def _count(value: Any) -> int:
    if value is None or _text(value) == "":
        return 1
    number = _whole(value, "count_invalid")
    if number < 1:
        raise _RowError("count_below_one", count=number)
    if number > MAX_COUNT:
        raise _RowError("count_too_large", count=number, limit=MAX_COUNT)
    return number


def _points(value: Any, item: Item | None) -> int | None:
    given = value is not None and _text(value) != ""
    if item is None or item.kind is not ItemKind.ADJUSTMENT:
        if given:
            raise _RowError("points_not_allowed", item=item.label if item else SUBMISSION_LABEL)
        return None
    if not given:
        raise _RowError("points_required")
    points = _whole(value, "points_invalid")
    if points == 0:
        raise _RowError("points_zero")
    return points


def _whole(value: Any, code: str) -> int:
    if isinstance(value, bool):
        raise _RowError(code, value=str(value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    try:
        return int(text.replace("＋", "+").replace("－", "-"))
    except ValueError:
        raise _RowError(code, value=text) from None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
