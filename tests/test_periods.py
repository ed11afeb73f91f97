"""Periods: labels parsed, and a period split into whole months and the days left over."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.errors import DomainError
from scoring.periods import PeriodParts, parse_period, read_month, read_period, split_period


@pytest.mark.parametrize(
    ("label", "start", "end", "canonical"),
    [
        ("2024-05", date(2024, 5, 1), date(2024, 5, 31), "2024-05"),
        ("2024-2", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2024Q2", date(2024, 4, 1), date(2024, 6, 30), "2024Q2"),
        ("2024q4", date(2024, 10, 1), date(2024, 12, 31), "2024Q4"),
        ("2024", date(2024, 1, 1), date(2024, 12, 31), "2024"),
        ("2024-04-10..2024-06-05", date(2024, 4, 10), date(2024, 6, 5), "2024-04-10..2024-06-05"),
    ],
)
def test_labels(label: str, start: date, end: date, canonical: str) -> None:
    period = parse_period(label)
    assert (period.start, period.end, period.label) == (start, end, canonical)


@pytest.mark.parametrize(
    "label", ["2024Q5", "2024-13", "24", "2024-06-31..2024-07-01", "2024-07-01..2024-06-01", ""]
)
def test_bad_labels(label: str) -> None:
    with pytest.raises(DomainError):
        parse_period(label)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2024年第二季度", "2024Q2"),
        ("2024年二季度", "2024Q2"),
        ("2024年第2季度", "2024Q2"),
        ("２０２４年 第四季度", "2024Q4"),
        ("2024年5月", "2024-05"),
        ("2024年05月", "2024-05"),
        ("2024年", "2024"),
        ("2024年度", "2024"),
        # Named from today, 2026-01-15: the previous month and quarter lie in the previous year.
        ("本月", "2026-01"),
        ("上月", "2025-12"),
        ("本季度", "2026Q1"),
        ("上季度", "2025Q4"),
        ("今年", "2026"),
        ("去年", "2025"),
        ("2024Q2", "2024Q2"),
        ("2024-05", "2024-05"),
    ],
)
def test_periods_as_people_write_them(text: str, label: str) -> None:
    assert read_period(text, date(2026, 1, 15)).label == label


@pytest.mark.parametrize("text", ["2024年第五季度", "2024年13月", "前年", "上上月", "本周"])
def test_periods_not_read(text: str) -> None:
    with pytest.raises(DomainError) as err:
        read_period(text, date(2026, 1, 15))
    assert err.value.code == "period_invalid"


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("2024Q2", "2024年第二季度"),
        ("2024Q4", "2024年第四季度"),
        ("2024-05", "2024年5月"),
        ("2024", "2024年"),
        ("2024-04-10..2024-06-05", "2024年4月10日至2024年6月5日"),
        # A range that happens to be a quarter is named as one.
        ("2024-04-01..2024-06-30", "2024年第二季度"),
    ],
)
def test_period_names(label: str, name: str) -> None:
    assert parse_period(label).name == name


def test_a_month_as_people_write_it() -> None:
    today = date(2026, 1, 15)
    assert read_month("上月", today).label == "2025-12"
    assert read_month("2024年5月", today).label == "2024-05"
    for text in ("2024年第二季度", "2024-13", "上上月"):
        with pytest.raises(DomainError) as err:
            read_month(text, today)
        assert err.value.code == "month_invalid"


def test_split_period() -> None:
    q2 = parse_period("2024Q2")
    assert split_period(q2) == PeriodParts([q2], [], [])
    year = split_period(parse_period("2024"))
    assert [q.label for q in year.quarters] == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert (year.months, year.days) == ([], [])
    assert split_period(parse_period("2024-05")) == PeriodParts([], [("2024-05", "2024-05")], [])
    assert split_period(parse_period("2024-02-10..2024-08-05")) == PeriodParts(
        [q2],
        [("2024-03", "2024-03"), ("2024-07", "2024-07")],
        [(date(2024, 2, 10), date(2024, 2, 29)), (date(2024, 8, 1), date(2024, 8, 5))],
    )
    assert split_period(parse_period("2024-04-10..2024-04-20")) == PeriodParts(
        [], [], [(date(2024, 4, 10), date(2024, 4, 20))]
    )
    assert split_period(parse_period("2024-01-31..2024-03-01")) == PeriodParts(
        [],
        [("2024-02", "2024-02")],
        [(date(2024, 1, 31), date(2024, 1, 31)), (date(2024, 3, 1), date(2024, 3, 1))],
    )
