"""Chinese working days: holidays, adjusted working weekends, and the weekend fallback."""

from __future__ import annotations

from datetime import date

from bot.workdays import (
    is_workday,
    last_workday,
    nth_last_workday,
    workday_before,
    workdays_between,
)


def test_holidays_and_adjusted_working_weekends() -> None:
    assert not is_workday(date(2024, 10, 1))  # National Day
    assert not is_workday(date(2024, 10, 7))  # a Monday inside the holiday
    assert is_workday(date(2024, 10, 12))  # a Saturday worked in exchange
    assert is_workday(date(2024, 9, 29))  # a Sunday worked in exchange
    assert not is_workday(date(2024, 2, 12))  # Spring Festival, a Monday


def test_plain_weekends_where_the_calendar_has_no_data() -> None:
    assert is_workday(date(2099, 1, 5))  # a Monday
    assert not is_workday(date(2099, 1, 3))  # a Saturday


def test_month_end_working_days() -> None:
    # September 2024 ends on a Monday (30th); the 29th is a Sunday worked in exchange.
    assert last_workday(date(2024, 9, 1), date(2024, 9, 30)) == date(2024, 9, 30)
    assert nth_last_workday(date(2024, 9, 1), date(2024, 9, 30), 3) == date(2024, 9, 27)
    # The last working day of September 2024 before the National Day holiday, counted back 2.
    assert nth_last_workday(date(2024, 9, 1), date(2024, 9, 30), 2) == date(2024, 9, 29)
    # October 2024 ends on a Thursday, after the holiday.
    assert last_workday(date(2024, 10, 1), date(2024, 10, 31)) == date(2024, 10, 31)
    assert workday_before(date(2024, 10, 8)) == date(2024, 9, 30)
    assert workdays_between(date(2024, 10, 1), date(2024, 10, 7)) == []
