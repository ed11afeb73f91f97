"""Reading what people type in chat: dates through the one date reader, items by a
recognisable name, and the one-line report. What is typed is cleaned first (scoring.text): a
title pasted from Word with a vertical tab in it reads as the same words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot import texts
from scoring.dates import Toward, is_day, looks_like_day, read_day
from scoring.errors import DomainError
from scoring.names import Found, find, resolve, suggest
from scoring.periods import Period, check_period, quarter_of
from scoring.periods import read_period as read_period_words
from scoring.points import check_points_text
from scoring.records import check_points
from scoring.ruleset import Item, Ruleset
from scoring.text import clean_text

# Record, ledger line and user numbers: ASCII digits, and no longer than a database id can be.
_NUMBER = re.compile(r"#?([0-9]{1,15})")


def record_number(text: str) -> int:
    """A record's, a ledger line's or a user's number as typed: `17` or `#17`."""
    if m := _NUMBER.fullmatch(text.strip()):
        return int(m[1])
    raise DomainError("number_invalid", text=text[:20])


def points(text: str) -> int:
    """An adjustment's points as hundredths: `+12`, `-5`, `-0.25`, within the bound of one
    entry."""
    return check_points(check_points_text(text, "points_invalid"))


def read_period(text: str | None, ruleset: Ruleset, today: date) -> Period:
    """A period asked about in chat (this quarter if none), as people write it (2024年第二季度,
    上月, 2024Q2 …), within the ruleset's years."""
    if not text:
        return quarter_of(today)
    return check_period(read_period_words(text, today), ruleset.effective_from, today)


def parse_day(text: str, today: date) -> date:
    """A day that has been: 今天, 昨天, 5月6日 (the latest one not after today), 2024-05-06 …"""
    return read_day(text, today)


def parse_deadline(text: str, today: date) -> date:
    """A day to come: 今天, 明天, 5月6日 (this year's, or next year's if past), 2024-05-06 …"""
    return read_day(text, today, Toward.FUTURE)


def find_item(ruleset: Ruleset, text: str) -> Item:
    """An adoption or credit a liaison names, read as files are read (scoring.names); a name
    of another kind of item is refused as not reportable."""
    return find_reportable(ruleset, text).value


def find_reportable(ruleset: Ruleset, text: str) -> Found[Item]:
    """As `find_item`, saying whether the name was whole; a name of nothing carries the ids of
    the reportable items it is near (`suggestions`), for the liaison to choose from."""
    text = clean_text(text)
    try:
        return find(text, ruleset.reportable_item_names, "item")
    except DomainError as err:
        if err.code != "item_unknown":
            raise
        try:
            other = resolve(text, ruleset.item_names, "item")
        except DomainError:
            near = suggest(text, ruleset.reportable_item_names)
            raise DomainError("item_unknown", item=text, suggestions=[o.id for o in near]) from None
        raise DomainError("item_not_reportable", item=other.label) from None


@dataclass(frozen=True)
class Dated:
    """Words with the date that ended them: the title of a report and its day."""

    words: list[str]
    day: date


def trailing_day(words: list[str], today: date) -> Dated:
    """The last word is the date when it is one in any form of the date reader (never part of
    the title); a last word meant as a date that is none (5月32日) is refused."""
    if words and is_day(words[-1], today):
        return Dated(words[:-1], read_day(words[-1], today))
    if words and looks_like_day(words[-1]):
        raise DomainError("date_unreadable", date=words[-1])
    return Dated(words, today)


@dataclass(frozen=True)
class OneLine:
    item: Item
    title: str
    day: date
    # The item's name as written, and whether it was whole (not a part of a label to confirm).
    name: str = ""
    exact: bool = True


def parse_one_line(ruleset: Ruleset, text: str, today: date) -> OneLine:
    """`采用 <item> <title> [date]`."""
    name, title, day = split_one_line(text, today)
    found = find_reportable(ruleset, name)
    return OneLine(found.value, title, day, name, found.exact)


def split_one_line(text: str, today: date) -> tuple[str, str, date]:
    """`采用 <item> <title> [date]` as the item's name, the title and the day, the name not yet
    read: a title and a day stay good while the liaison picks the item a name meant."""
    parts = clean_text(text).split()
    if len(parts) < 3:
        raise DomainError("usage", usage=texts.ONE_LINE_USAGE)
    dated = trailing_day(parts[2:], today)
    if not dated.words:
        raise DomainError("title_is_date", title=parts[-1])
    return parts[1], " ".join(dated.words), dated.day


def split_submission_line(text: str, today: date) -> tuple[list[str], date]:
    """`报送 [类别] <标题> [日期]` as the words before the date (a kind, if the method has it,
    then the title) and the day: the last word is the date when it is one."""
    parts = clean_text(text).split()
    if len(parts) < 2:
        raise DomainError("usage", usage=texts.ONE_LINE_SUBMISSION_USAGE)
    dated = trailing_day(parts[1:], today)
    if not dated.words:
        raise DomainError("title_is_date", title=parts[-1])
    return dated.words, dated.day


def split_day_and_note(words: list[str], today: date) -> tuple[date | None, list[str]]:
    """`[日期] [备注]` after a command's fixed arguments: a first word that is a date is the
    date; one meant as a date that is none is refused rather than taken as the note."""
    if not words:
        return None, []
    if is_day(words[0], today):
        return read_day(words[0], today), words[1:]
    if looks_like_day(words[0]):
        raise DomainError("date_unreadable", date=words[0])
    return None, words
