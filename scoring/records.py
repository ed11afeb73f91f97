"""Records as the office writes them: parsing and validating rows of an import file.

A row names a unit, an item and a date and may repeat itself (`count`) and carry modifiers.
Every row is checked before anything is returned, so a caller stores a whole file or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from scoring.dates import month_and_day, read_day
from scoring.errors import DomainError, RowProblem, RowProblems
from scoring.names import Candidate, fold, resolve, split_list
from scoring.points import ONE, parse_points, show_points
from scoring.ruleset import SUBMISSION_ID, SUBMISSION_LABEL, Item, ItemKind, Modifier, Ruleset
from scoring.text import clean_text, normal_name

RECORD_COLUMNS = ("date", "unit", "item", "count", "points", "modifiers", "title", "note")
REQUIRED_RECORD_COLUMNS = ("date", "unit", "item")
# A register may keep the publication (刊物) and its column (栏目) apart: read together they name
# the item (《政务要情》 and 简讯: 《政务要情》简讯), and a column of 栏目 alone names it too.
SECTION_COLUMN = "section"
# A guard against a slip of the keyboard creating a hundred thousand records from one row.
MAX_COUNT = 1_000
# Records of one file, counts included: beyond this an import is refused at once.
MAX_RECORDS = 1_000_000
# Points of one entry (an adjustment): far beyond any real one, far below what could overflow a
# sum of millions of entries.
MAX_POINTS = 100_000
MAX_TITLE = 500
_REPEAT = re.compile(r"^(.*?)\s*[×xX*]\s*([0-9]+)$")
_NOT_LETTER_OR_NUMBER = re.compile(r"[\W_]+")
# Numbers are ASCII digits: int() would also take "٣" and str.isdigit() says "²" is one.
_WHOLE = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class Record:
    """One validated record: a submission, an adoption, a credit, a penalty or an adjustment."""

    unit: str
    day: date
    item_id: str
    # Hundredths (scoring.points), given only by an adjustment or a settled month's credit.
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
    # Keeps letters and numbers (categories L and N), exactly as testing each character's
    # category would, checked over every code point; a million titles an import.
    return _NOT_LETTER_OR_NUMBER.sub("", folded)


def clean_title(text: str) -> str:
    """A title as stored (scoring.text.clean_text: controls and line breaks a space, format
    characters removed, NFC), refused if nothing visible is left, if it has no letter or digit
    (emoji only), or if it is longer than a title."""
    title = clean_text(text)
    if title and not any(_visible(ch) for ch in title):
        raise DomainError("title_invisible")
    if title and not any(unicodedata.category(ch)[0] in "LN" for ch in title):
        # Emoji and marks alone name no piece of information.
        raise DomainError("title_no_words")
    if len(title) > MAX_TITLE:
        raise DomainError("title_too_long", length=len(title), limit=MAX_TITLE)
    return title


def clean_note(text: str) -> str:
    """A note or a reason as stored (scoring.text.clean_text), no longer than a title."""
    note = clean_text(text)
    if len(note) > MAX_TITLE:
        raise DomainError("note_too_long", length=len(note), limit=MAX_TITLE)
    return note


def _visible(ch: str) -> bool:
    # Control, format (zero-width) and separator characters show nothing; nor does the Hangul
    # filler, a favourite of blank-looking names.
    return unicodedata.category(ch)[0] not in "CZ" and ch not in "\u3164\u115f\u1160\uffa0"


def check_points(points: int) -> int:
    """Hundredths of an adjustment, refused beyond ±MAX_POINTS points."""
    if not -MAX_POINTS * ONE <= points <= MAX_POINTS * ONE:
        raise DomainError("points_too_large", points=show_points(points), limit=MAX_POINTS)
    return points


def whole_number(text: str) -> int | None:
    """An integer written in ASCII digits with an optional sign (full-width signs allowed)."""
    text = text.strip().replace("＋", "+").replace("－", "-")
    return int(text) if _WHOLE.fullmatch(text) else None


def split_repeat(text: str) -> tuple[str, int]:
    """`市领导同志批示×2` (or `*2`, `x2`) as (name, 2); without a count, (text, 1)."""
    text = text.strip()
    if (m := _REPEAT.match(text)) and m[1]:
        return m[1].strip(), int(m[2])
    return text, 1


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A valid row of an import file: its line number, its record, and how many of it."""

    line: int
    record: Record
    count: int


def parse_rows(
    ruleset: Ruleset,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    units: Mapping[str, str],
    today: date,
    year: int | None = None,
) -> list[ParsedRow]:
    """Validate numbered rows; raise ImportRejected naming the first bad rows and counting all.

    `units` maps every unit name and alias to the unit's name. A day written without its year
    (`6月10日`) takes `year` if given, else the one year of the file's other days; when they
    name several years or none, each such row is refused (a register kept in December and
    imported in January would otherwise land a year off).
    """
    parsed: list[ParsedRow] = []
    problems = RowProblems()
    # (index in parsed, month and day) of rows whose day waits for the file's year.
    yearless: list[tuple[int, tuple[int, int]]] = []
    records = 0
    names = _Names(ruleset, today, year)
    for line, row in rows:
        try:
            record, count = parse_row(row, units, names)
        except DomainError as err:
            problems.add(RowProblem(line, err.code, err.params))
            continue
        records += count
        if records > MAX_RECORDS:
            raise DomainError("too_many_records", limit=MAX_RECORDS)
        if year is None and (month_day := month_and_day(row.get("date"))):
            yearless.append((len(parsed), month_day))
        parsed.append(ParsedRow(line, record, count))
    if yearless:
        for problem in _date_yearless(ruleset, parsed, yearless, today):
            problems.add(problem)
    if problems:
        raise problems.rejected()
    return parsed


def _date_yearless(
    ruleset: Ruleset,
    parsed: list[ParsedRow],
    yearless: list[tuple[int, tuple[int, int]]],
    today: date,
) -> list[RowProblem]:
    """Give each day written without its year the year the file's other days agree on, in
    place; a problem for each that cannot have it."""
    waiting = {index for index, _ in yearless}
    years = sorted({r.record.day.year for i, r in enumerate(parsed) if i not in waiting})
    problems = []
    for index, (month_number, day_number) in yearless:
        row = parsed[index]
        shown = f"{month_number}月{day_number}日"
        if len(years) != 1:
            code = "date_year_disagrees" if years else "date_year_unknown"
            problems.append(RowProblem(row.line, code, {"date": shown, "years": years}))
            continue
        try:
            day = date(years[0], month_number, day_number)
            check_day(ruleset, day, today)
        except ValueError:
            problems.append(RowProblem(row.line, "date_unreadable", {"date": shown}))
            continue
        except DomainError as err:
            problems.append(RowProblem(row.line, err.code, err.params))
            continue
        parsed[index] = ParsedRow(row.line, replace(row.record, day=day), row.count)
    return problems


class _Names:
    """Item and modifier names and the days written in one file, each read once: a register of
    a million rows names a few dozen items and at most some thousands of days."""

    def __init__(self, ruleset: Ruleset, today: date, year: int | None = None) -> None:
        self.ruleset = ruleset
        self.today = today
        # The year of days written without one, when the office gave it (--year).
        self.year = year
        self._items: dict[str, Item | None] = {}
        self._modifiers: dict[tuple[str, str], tuple[tuple[str, int], ...]] = {}
        self._days: dict[str, date] = {}

    def day(self, value: Any) -> date:
        if month_day := month_and_day(value):
            if self.year is None:
                # Provisional, unchecked: parse_rows gives it the file's year once all is read.
                return date(2000, *month_day)  # a leap year: 2月29日 waits like any other day
            try:
                value = date(self.year, *month_day)
            except ValueError:
                raise DomainError("date_unreadable", date=str(value)) from None
        # Only text is kept: a day read from it depends on the text alone. A refused one is
        # not kept, so that each of its rows is refused in turn.
        if not isinstance(value, str):
            return parse_day(value, self.ruleset, self.today)
        if value not in self._days:
            self._days[value] = parse_day(value, self.ruleset, self.today)
        return self._days[value]

    def item(self, text: str) -> Item | None:
        if text not in self._items:
            self._items[text] = resolve_item(self.ruleset, text)
        return self._items[text]

    def modifiers(self, text: str, item: Item | None) -> tuple[tuple[str, int], ...]:
        key = (text, item.id if item else SUBMISSION_ID)
        if key not in self._modifiers:
            self._modifiers[key] = parse_modifiers(self.ruleset, text, item)
        return self._modifiers[key]


def parse_row(
    row: Mapping[str, Any], units: Mapping[str, str], names: _Names
) -> tuple[Record, int]:
    unit_text = _text(row.get("unit"))
    if not unit_text:
        raise DomainError("unit_missing")
    # A name written in another form of the same characters (full-width) is the unit's.
    unit = units.get(unit_text) or units.get(normal_name(unit_text))
    if unit is None:
        raise DomainError("unit_unknown", unit=unit_text)
    day = names.day(row.get("date"))
    item_text = _text(row.get("item"))
    if (section := _text(row.get(SECTION_COLUMN))) and section not in item_text:
        item_text += section
    # A kind of submission (长篇信息) is a submission, the kind kept as its one modifier.
    kind = names.ruleset.submission_kinds_by_key.get(item_text)
    item = None if kind else names.item(item_text)
    count = _count(row.get("count"))
    points = _points(row.get("points"), item)
    modifiers = names.modifiers(_text(row.get("modifiers")), item)
    if kind is not None:
        modifiers = ((kind.id, 1),)
    note = clean_note(_text(row.get("note")))
    if item is not None and item.kind is ItemKind.ADJUSTMENT and not note:
        raise DomainError("reason_required")
    return (
        Record(
            unit,
            day,
            item.id if item else SUBMISSION_ID,
            points,
            modifiers,
            clean_title(_text(row.get("title"))),
            note,
        ),
        count,
    )


def submission_kind(ruleset: Ruleset, words: list[str]) -> tuple[str | None, list[str]]:
    """A chat submission's kind, said as its first word (`长篇信息 关于…的调研`) by its label or
    id where the method has kinds: (kind id, the other words); (None, words) otherwise. A
    title of that one word alone is a title, not a kind."""
    if len(words) > 1 and (kind := ruleset.submission_kinds_by_key.get(normal_name(words[0]))):
        return kind.id, words[1:]
    return None, words


def parse_day(value: Any, ruleset: Ruleset, today: date) -> date:
    """A row's date, in any form the shared date reader knows, within the ruleset's time."""
    day = read_day(value, today)
    check_day(ruleset, day, today)
    return day


def check_day(ruleset: Ruleset, day: date, today: date) -> None:
    """Records are dated between the ruleset's effective date and today."""
    if ruleset.effective_from and day < ruleset.effective_from:
        raise DomainError(
            "date_before_effective",
            date=day.isoformat(),
            effective=ruleset.effective_from.isoformat(),
        )
    if day > today:
        raise DomainError("date_in_future", date=day.isoformat())


def resolve_item(ruleset: Ruleset, text: str) -> Item | None:
    """The item a file names (scoring.names: id, label, label without its remark, a part of
    one label); None for a submission (报送)."""
    if fold(text) in (SUBMISSION_ID, SUBMISSION_LABEL):
        return None
    return resolve(text, ruleset.item_names, "item")


def resolve_modifier(ruleset: Ruleset, text: str) -> Modifier:
    return resolve(text, [Candidate(m.id, m.label, m) for m in ruleset.modifiers], "modifier")


def parse_modifiers(ruleset: Ruleset, text: str, item: Item | None) -> tuple[tuple[str, int], ...]:
    if not text:
        return ()
    counts: dict[str, int] = {}
    for part in split_list(text):
        name, times = split_repeat(part)
        if not 1 <= times <= MAX_COUNT:
            raise DomainError("modifier_times_invalid", modifier=part)
        modifier = resolve_modifier(ruleset, name)
        if item is None:
            raise DomainError(
                "modifier_not_allowed", modifier=modifier.label, item=SUBMISSION_LABEL
            )
        counts[modifier.id] = counts.get(modifier.id, 0) + times
    modifiers = tuple(counts.items())
    if item is not None:
        check_modifiers(ruleset, item, modifiers)
    return modifiers


def check_modifiers(ruleset: Ruleset, item: Item, modifiers: tuple[tuple[str, int], ...]) -> None:
    """Each modifier allowed on the item, and no more times than one adoption may carry it."""
    for modifier_id, times in modifiers:
        modifier = ruleset.modifiers_by_key[modifier_id]
        if item.id not in modifier.allowed_on:
            raise DomainError("modifier_not_allowed", modifier=modifier.label, item=item.label)
        if modifier.max_per_adoption is not None and times > modifier.max_per_adoption:
            raise DomainError(
                "modifier_too_many",
                modifier=modifier.label,
                times=times,
                limit=modifier.max_per_adoption,
            )


def reportable(ruleset: Ruleset, key: str) -> Item:
    """An item a liaison may claim: an adoption or a credit, by id or label."""
    item = ruleset.items_by_key.get(key.strip())
    if item is None:
        raise DomainError("item_unknown", item=key.strip())
    if item not in ruleset.reportable_items:
        raise DomainError("item_not_reportable", item=item.label)
    return item


def _count(value: Any) -> int:
    if value is None or _text(value) == "":
        return 1
    number = _whole(value, "count_invalid")
    if number < 1:
        raise DomainError("count_below_one", count=number)
    if number > MAX_COUNT:
        raise DomainError("count_too_large", count=number, limit=MAX_COUNT)
    return number


def _points(value: Any, item: Item | None) -> int | None:
    given = value is not None and _text(value) != ""
    if item is None or item.kind is not ItemKind.ADJUSTMENT:
        if given:
            raise DomainError("points_not_allowed", item=item.label if item else SUBMISSION_LABEL)
        return None
    if not given:
        raise DomainError("points_required")
    points = _decimal(value)
    if points == 0:
        raise DomainError("points_zero")
    return check_points(points)


def _whole(value: Any, code: str) -> int:
    if isinstance(value, bool):
        raise DomainError(code, value=str(value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    number = whole_number(text)
    if number is None:
        raise DomainError(code, value=text[:20])
    return number


def _decimal(value: Any) -> int:
    """An adjustment's points as hundredths: a number of a workbook's cell (an XLSX stores 0.5
    as a float, read back by its shortest text, which is what was typed) or text."""
    if isinstance(value, bool):
        raise DomainError("points_invalid", value=str(value))
    if isinstance(value, int):
        return value * ONE
    text = repr(value) if isinstance(value, float) else _text(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        text = str(int(value))
    points = parse_points(text)
    if points is None:
        raise DomainError("points_invalid", value=text[:20])
    return points


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
