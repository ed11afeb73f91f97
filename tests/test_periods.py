"""Periods: labels parsed, and a period split into whole months and the days left over."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.errors import DomainError
from scoring.periods import parse_period, split_months


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


def test_split_months() -> None:
    assert split_months(parse_period("2024Q2")) == (("2024-04", "2024-06"), [])
    assert split_months(parse_period("2024-04-10..2024-06-05")) == (
        ("2024-05", "2024-05"),
        [(date(2024, 4, 10), date(2024, 4, 30)), (date(2024, 6, 1), date(2024, 6, 5))],
    )
    assert split_months(parse_period("2024-04-10..2024-04-20")) == (
        None,
        [(date(2024, 4, 10), date(2024, 4, 20))],
    )
    assert split_months(parse_period("2024-01-31..2024-03-01")) == (
        ("2024-02", "2024-02"),
        [(date(2024, 1, 31), date(2024, 1, 31)), (date(2024, 3, 1), date(2024, 3, 1))],
    )
