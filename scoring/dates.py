"""The one date reader: days as people type them in chat and as offices write them in files.

今天, 昨天, 前天, 5月6日, 2024年5月6日, 2024-05-06, 2024-5-6, 2024/5/6, 2024.5.6, 5.6, 5/6,
05-06, 20240506, full-width digits, and in files Excel date cells and date serial numbers. A day
written without its year is the latest such day not after today (or, for a deadline, the next
such day not before today).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from enum import Enum

from scoring.errors import DomainError

RELATIVE = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
TOMORROW = "明天"

_FULL = re.compile(
    r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?|([-/.])(\d{1,2})\4(\d{1,2}))"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SHORT = re.compile(r"(\d{1,2})\s*(?:月\s*(\d{1,2})\s*[日号]?|[-/.](\d{1,2}))")
# What a date someone tried to write looks like, although it is not one read here (5月32日,
# 2024-13-01, 5/32, 上周五): told apart from a note or a title word, so that it is refused rather
# than taken as text. Only whole words count, and a bare number is no date: "2024年工作总结",
# "2.0" and "2024" end titles.
_ATTEMPT = re.compile(
    r"\d+\s*[年月日号][\d\s年月日号]*"
    r"|\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\d{1,2}[-/.][1-9]\d?|\d{8}"
    r"|大前天|明天|后天|月初|月底|月末|(?:上|本|这|下)?(?:周|星期|礼拜)[一二三四五六日天]"
    r"|(?:上|本|这)个?月\d{1,2}[日号]?"
)
# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in); serials this size are
# the years 1900 to 2173, which no count of anything in a date column reaches by accident.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIALS = range(1, 100_000)


class Toward(Enum):
    """Which way a day written without its year leans."""

    PAST = "past"
    FUTURE = "future"


def normalize(text: str) -> str:
    """Full-width digits and punctuation as ASCII, spaces trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def read_day(value: object, today: date, toward: Toward = Toward.PAST) -> date:
    """A day from what someone typed or a spreadsheet cell held; DomainError if it is none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise DomainError("date_unreadable", date=str(value))
    if isinstance(value, int | float):
        return _number(value)
    text = normalize(str(value))
    if not text:
        raise DomainError("date_missing")
    day = parse_text(text, today, toward)
    if day is None:
        raise DomainError("date_unreadable", date=text)
    return day


def parse_text(text: str, today: date, toward: Toward = Toward.PAST) -> date | None:
    """The day `text` (already normalised) names, or None if it names none."""
    if text in RELATIVE:
        return today - timedelta(days=RELATIVE[text])
    if text == TOMORROW and toward is Toward.FUTURE:
        return today + timedelta(days=1)
    try:
        if m := _FULL.fullmatch(text):
            if m[2]:
                return date(int(m[1]), int(m[2]), int(m[3]))
            return date(int(m[1]), int(m[5]), int(m[6]))
        if m := _COMPACT.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _SHORT.fullmatch(text):
            return _without_year(int(m[1]), int(m[2] or m[3]), today, toward)
    except ValueError:
        return None
    return None


def month_and_day(value: object) -> tuple[int, int] | None:
    """The month and day of a day written without its year (`6月10日`, `6/10`), else None."""
    if not isinstance(value, str):
        return None
    m = _SHORT.fullmatch(normalize(value))
    return (int(m[1]), int(m[2] or m[3])) if m else None


def is_day(text: str, today: date) -> bool:
    """Whether `text` is a day in one of the forms read here."""
    return parse_text(normalize(text), today) is not None


def looks_like_day(text: str) -> bool:
    """Whether `text` is, or was meant to be, a day: told apart from words of a note."""
    text = normalize(text)
    return text in RELATIVE or text == TOMORROW or bool(_ATTEMPT.fullmatch(text))


def _without_year(month: int, day: int, today: date, toward: Toward) -> date:
    candidate = date(today.year, month, day) if _valid(today.year, month, day) else None
    if toward is Toward.PAST:
        # "12月30日" said in January means last December.
        if candidate is None or candidate > today:
            return date(today.year - 1, month, day)
        return candidate
    if candidate is None or candidate < today:
        return date(today.year + 1, month, day)
    return candidate


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _number(value: float) -> date:
    """A number in a date column: 20240506 written as a number, or an Excel date serial."""
    if value != int(value):
        raise DomainError("date_unreadable", date=str(value))
    number = int(value)
    text = str(number)
    if len(text) == 8 and (m := _COMPACT.fullmatch(text)):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise DomainError("date_unreadable", date=text) from None
    if number in _SERIALS:
        return _EXCEL_EPOCH + timedelta(days=number)
    raise DomainError("date_unreadable", date=text)
