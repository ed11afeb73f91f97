"""Assessment periods: a month, a quarter, a year or an explicit date range."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from scoring.errors import DomainError

_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})[Qq]([1-4])")
_YEAR = re.compile(r"(\d{4})")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
# As people write periods: 2024年第二季度, 2024年二季度, 2024年第2季度, 2024年5月, 2024年(度).
_QUARTER_WORDS = re.compile(r"(\d{4})年第?([一二三四1-4])季度?")
_MONTH_WORDS = re.compile(r"(\d{4})年(\d{1,2})月(?:份)?")
_YEAR_WORDS = re.compile(r"(\d{4})年度?")
_QUARTER_NUMBERS = "一二三四"
# Periods named from today: the current or the previous month, quarter or year.
_RELATIVE = {
    **dict.fromkeys(("本月", "这个月", "当月", "本月份"), ("month", 0)),
    **dict.fromkeys(("上月", "上个月", "上一个月", "上月份"), ("month", -1)),
    **dict.fromkeys(("本季度", "这个季度", "本季", "当季", "当季度"), ("quarter", 0)),
    **dict.fromkeys(("上季度", "上个季度", "上一季度", "上季"), ("quarter", -1)),
    **dict.fromkeys(("今年", "本年", "本年度", "当年", "今年度"), ("year", 0)),
    **dict.fromkeys(("去年", "上年", "上一年", "上年度", "去年度"), ("year", -1)),
}
# The first year a period may reach back to under a ruleset that names no effective date.
EARLIEST_YEAR = 2000


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def name(self) -> str:
        """The period as people name it: 2024年第二季度, 2024年5月, 2024年, or its days."""
        return period_name(self)


def month(year: int, month_number: int) -> Period:
    last = calendar.monthrange(year, month_number)[1]
    return Period(
        date(year, month_number, 1),
        date(year, month_number, last),
        f"{year:04d}-{month_number:02d}",
    )


def quarter(year: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    return Period(month(year, first).start, month(year, first + 2).end, f"{year:04d}Q{number}")


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number, 12, 31), f"{number:04d}")


def month_of(day: date) -> Period:
    return month(day.year, day.month)


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def previous_month(period: Period) -> Period:
    if period.start.month == 1:
        return month(period.start.year - 1, 12)
    return month(period.start.year, period.start.month - 1)


def next_month(period: Period) -> Period:
    return month_of(period.end + timedelta(days=1))


def period_name(period: Period) -> str:
    """`2024年第二季度`, `2024年5月`, `2024年`, or `2024年4月1日至2024年5月15日`."""
    y = period.start.year
    if (period.start, period.end) == (year(y).start, year(y).end):
        return f"{y}年"
    if period.start.day == 1 and period.end == month_of(period.end).end:
        if period.start.month == period.end.month and period.start.year == period.end.year:
            return f"{y}年{period.start.month}月"
        q = quarter_of(period.start)
        if (q.start, q.end) == (period.start, period.end):
            return f"{y}年第{_QUARTER_NUMBERS[(period.start.month - 1) // 3]}季度"
    return f"{_day_name(period.start)}至{_day_name(period.end)}"


def _day_name(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def read_period(text: str, today: date) -> Period:
    """A period as people write it: anything `parse_period` reads, or one named from today
    (本月, 上月, 本季度, 上季度, 今年, 去年)."""
    words = _normal(text)
    if words in _RELATIVE:
        kind, step = _RELATIVE[words]
        if kind == "month":
            this = month_of(today)
            return previous_month(this) if step else this
        if kind == "quarter":
            this = quarter_of(today)
            return quarter_of(this.start - timedelta(days=1)) if step else this
        return year(today.year + step)
    return parse_period(text)


def _normal(text: str) -> str:
    """Full-width digits and letters as ASCII, and no spaces: `２０２４年 二季度` is 2024年二季度."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_period(text: str) -> Period:
    """`2024-05`, `2024Q2`, `2024`, `2024-04-01..2024-06-30`, or in words: `2024年第二季度`,
    `2024年二季度`, `2024年5月`, `2024年`."""
    text = _normal(text)
    try:
        if m := _QUARTER_WORDS.fullmatch(text):
            number = m[2]
            return quarter(
                int(m[1]), int(number) if number.isdigit() else _QUARTER_NUMBERS.index(number) + 1
            )
        if (m := _MONTH_WORDS.fullmatch(text)) and 1 <= int(m[2]) <= 12:
            return month(int(m[1]), int(m[2]))
        if m := _YEAR_WORDS.fullmatch(text):
            return year(int(m[1]))
        if m := _RANGE.fullmatch(text):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end < start:
                raise DomainError("period_reversed", period=text)
            return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")
        if m := _QUARTER.fullmatch(text):
            return quarter(int(m[1]), int(m[2]))
        if (m := _MONTH.fullmatch(text)) and 1 <= int(m[2]) <= 12:
            return month(int(m[1]), int(m[2]))
        if m := _YEAR.fullmatch(text):
            return year(int(m[1]))
    except ValueError as exc:
        raise DomainError("period_invalid", period=text) from exc
    raise DomainError("period_invalid", period=text)


def check_period(period: Period, effective_from: date | None, today: date) -> Period:
    """A period someone asks about lies between the ruleset's first year and next year: beyond
    that it is a slip of the keyboard (9999Q4), and dates past year 9999 do not exist."""
    first = effective_from.year if effective_from else EARLIEST_YEAR
    last = today.year + 1
    if period.start.year < first or period.end.year > last:
        raise DomainError("period_out_of_range", period=period.name, first=first, last=last)
    return period


def parse_month(text: str) -> Period:
    """A calendar month written `2024-05` or `2024年5月`."""
    words = _normal(text)
    m = _MONTH.fullmatch(words) or _MONTH_WORDS.fullmatch(words)
    if not m or not 1 <= int(m[2]) <= 12:
        raise DomainError("month_invalid", month=text)
    return month(int(m[1]), int(m[2]))


def read_month(text: str, today: date) -> Period:
    """A calendar month as people write it: `2024-05`, `2024年5月`, 本月 or 上月."""
    try:
        period = read_period(text, today)
    except DomainError:
        period = None
    if period is None or period != month_of(period.start):
        raise DomainError("month_invalid", month=text) from None
    return period


@dataclass(frozen=True)
class PeriodParts:
    """A period cut along calendar lines: whole quarters, then whole months, then single days."""

    quarters: list[Period]
    # (first, last) `YYYY-MM` of each run of whole months outside those quarters
    months: list[tuple[str, str]]
    days: list[tuple[date, date]]


def split_period(period: Period) -> PeriodParts:
    """Cut a period so that sums kept per quarter and per month answer for most of it and only
    the days at either end need individual ledger lines."""
    first = (
        period.start if period.start.day == 1 else month_of(period.start).end + timedelta(days=1)
    )
    last = (
        period.end
        if period.end == month_of(period.end).end
        else month_of(period.end).start - timedelta(days=1)
    )
    if first > last:
        return PeriodParts([], [], [(period.start, period.end)])
    days = []
    if period.start < first:
        days.append((period.start, first - timedelta(days=1)))
    if last < period.end:
        days.append((last + timedelta(days=1), period.end))
    q = quarter_of(first)
    if q.start < first:
        q = quarter_of(q.end + timedelta(days=1))
    quarters: list[Period] = []
    while q.end <= last:
        quarters.append(q)
        q = quarter_of(q.end + timedelta(days=1))
    months: list[tuple[date, date]] = []
    if not quarters:
        months.append((first, last))
    else:
        if first < quarters[0].start:
            months.append((first, quarters[0].start - timedelta(days=1)))
        if quarters[-1].end < last:
            months.append((quarters[-1].end + timedelta(days=1), last))
    return PeriodParts(
        quarters,
        [(a.strftime("%Y-%m"), b.strftime("%Y-%m")) for a, b in months],
        days,
    )
