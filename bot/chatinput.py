"""Reading what people type in chat: dates as they say them, items by a recognisable name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot import texts
from scoring.errors import DomainError
from scoring.ruleset import Item, Ruleset

_MONTH_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?")
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_RELATIVE = {texts.TODAY: 0, texts.YESTERDAY: 1, "前天": 2}


def parse_day(text: str, today: date) -> date:
    """今天, 昨天, 前天, 2024-05-06, 2024/5/6, 5月6日 or 2024年5月6日."""
    text = text.strip()
    if text in _RELATIVE:
        return today - timedelta(days=_RELATIVE[text])
    try:
        if m := _ISO.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _MONTH_DAY.fullmatch(text):
            day = date(int(m[1]) if m[1] else today.year, int(m[2]), int(m[3]))
            # "12月30日" said in January means last December.
            if not m[1] and day > today:
                day = day.replace(year=today.year - 1)
            return day
    except ValueError:
        pass
    raise DomainError("date_unreadable", date=text)


def parse_deadline(text: str, today: date) -> date:
    """A day to come: 今天, 明天, 2024-05-06, 5月6日 (this year's, or next year's if past)."""
    text = text.strip()
    if text == texts.TOMORROW:
        return today + timedelta(days=1)
    if (m := _MONTH_DAY.fullmatch(text)) and not m[1]:
        try:
            day = date(today.year, int(m[2]), int(m[3]))
        except ValueError:
            raise DomainError("date_unreadable", date=text) from None
        return day if day >= today else day.replace(year=today.year + 1)
    return parse_day(text, today)


def looks_like_day(text: str) -> bool:
    text = text.strip()
    return text in _RELATIVE or bool(_ISO.fullmatch(text) or _MONTH_DAY.fullmatch(text))


def _bare(text: str) -> str:
    return re.sub(r"[《》“”\"\s]", "", text)


def find_item(ruleset: Ruleset, text: str) -> Item:
    """An adoption or credit named by id, label, label without its brackets, or a unique part."""
    text = text.strip()
    reportable = ruleset.reportable_items
    exact = ruleset.items_by_key.get(text)
    if exact is not None:
        return exact
    bare = _bare(text)
    if not bare:
        raise DomainError("item_unknown", item=text)
    same = [i for i in reportable if _bare(i.label) == bare]
    if len(same) == 1:
        return same[0]
    partial = [i for i in reportable if bare in _bare(i.label)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise DomainError(
            "item_ambiguous", text=text, options="、".join(i.label for i in partial[:6])
        )
    raise DomainError("item_unknown", item=text)


@dataclass(frozen=True)
class OneLine:
    item: Item
    title: str
    day: date


def parse_one_line(ruleset: Ruleset, text: str, today: date) -> OneLine:
    """`采用 <item> <title> [date]`."""
    parts = text.split()
    if len(parts) < 3:
        raise DomainError("usage", usage=texts.ONE_LINE_USAGE)
    item = find_item(ruleset, parts[1])
    rest = parts[2:]
    day = today
    if len(rest) > 1 and looks_like_day(rest[-1]):
        day = parse_day(rest[-1], today)
        rest = rest[:-1]
    return OneLine(item, " ".join(rest), day)
