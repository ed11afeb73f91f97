"""When the recurring jobs fall due: the default times, Chinese working days, and settings."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from pydantic import ValidationError

from bot.jobs.kind import Plan, Run, next_run, runs_between
from bot.jobs.registry import ANNUAL, KINDS, QUARTERLY, QUOTA_REMINDER
from bot.settings import Settings
from tests.conftest import Cli
from tests.stores import rows

ZONE = ZoneInfo("Asia/Shanghai")


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def calendar_runs(first: datetime, last: datetime, *, quota: bool, **values: object) -> list[Run]:
    """The office's calendar, without the daily check of the database."""
    plan = Plan(settings(verify_time=None, **values), quota)
    return runs_between(KINDS.values(), plan, first, last)


def runs(first: datetime, last: datetime, **values: object) -> list[tuple[str, str, str]]:
    return [
        (r.due_at.strftime("%Y-%m-%d %a %H:%M"), r.job.name, r.period)
        for r in calendar_runs(first, last, quota=True, **values)
    ]


def test_first_quarter_of_2026_with_the_spring_festival() -> None:
    got = runs(datetime(2026, 1, 1, 10, tzinfo=ZONE), datetime(2026, 4, 10, tzinfo=ZONE))
    assert got == [
        ("2026-01-05 Mon 09:00", "quarterly_standings", "2025Q4"),
        ("2026-01-10 Sat 09:00", "annual_standings", "2025"),
        ("2026-01-20 Tue 09:00", "quota_reminder", "2026-01/1"),
        # The third working day before the end: 28, 29, 30 (the 31st is a Saturday).
        ("2026-01-28 Wed 09:00", "quota_reminder", "2026-01/2"),
        ("2026-01-30 Fri 09:00", "final_warning", "2026-01"),
        ("2026-02-01 Sun 09:00", "settlement", "2026-01"),
        # 20 February is inside the Spring Festival holiday (15-23): the next working day.
        ("2026-02-24 Tue 09:00", "quota_reminder", "2026-02/1"),
        ("2026-02-26 Thu 09:00", "quota_reminder", "2026-02/2"),
        # Saturday 28 February is a working day in exchange for the holiday.
        ("2026-02-28 Sat 09:00", "final_warning", "2026-02"),
        ("2026-03-01 Sun 09:00", "settlement", "2026-02"),
        ("2026-03-20 Fri 09:00", "quota_reminder", "2026-03/1"),
        # 28 and 29 March are a weekend: 27, 30, 31.
        ("2026-03-27 Fri 09:00", "quota_reminder", "2026-03/2"),
        ("2026-03-31 Tue 09:00", "final_warning", "2026-03"),
        ("2026-04-01 Wed 09:00", "settlement", "2026-03"),
        # Bulletins go to the admins on their day, holiday or not.
        ("2026-04-05 Sun 09:00", "quarterly_standings", "2026Q1"),
    ]


def test_adjusted_working_sunday_and_the_national_day_holiday() -> None:
    got = runs(datetime(2026, 9, 1, tzinfo=ZONE), datetime(2026, 10, 31, 23, tzinfo=ZONE))
    others = [(day, period) for day, job, period in got if job != "settlement"]
    assert others == [
        # Sunday 20 September 2026 is worked in exchange for the mid-autumn holiday.
        ("2026-09-20 Sun 09:00", "2026-09/1"),
        ("2026-09-28 Mon 09:00", "2026-09/2"),
        ("2026-09-30 Wed 09:00", "2026-09"),
        ("2026-10-05 Mon 09:00", "2026Q3"),
        ("2026-10-20 Tue 09:00", "2026-10/1"),
        ("2026-10-28 Wed 09:00", "2026-10/2"),
        ("2026-10-30 Fri 09:00", "2026-10"),
    ]


def test_a_year_the_calendar_library_does_not_know_falls_back_to_weekends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unknown_year(day: date) -> bool:
        raise NotImplementedError(f"no data for {day.year}")

    # As chinesecalendar answers for a year its tables do not cover yet.
    monkeypatch.setattr(chinese_calendar, "is_workday", unknown_year)
    got = runs(datetime(2026, 2, 1, 10, tzinfo=ZONE), datetime(2026, 2, 28, 23, tzinfo=ZONE))
    # Without the Spring Festival tables: Friday the 20th, and the month ends on Friday the 27th.
    assert [day for day, _, _ in got] == [
        "2026-02-20 Fri 09:00",
        "2026-02-25 Wed 09:00",
        "2026-02-27 Fri 09:00",
    ]


def test_job_times_are_settings() -> None:
    got = runs(
        datetime(2026, 3, 1, 10, tzinfo=ZONE),
        datetime(2026, 4, 1, 23, tzinfo=ZONE),
        jobs_time=time(8, 30),
        remind_day=10,
        remind_last_workday=5,
        warn_last_workday=2,
        settle_day=2,
    )
    assert got == [
        ("2026-03-02 Mon 08:30", "settlement", "2026-02"),
        ("2026-03-10 Tue 08:30", "quota_reminder", "2026-03/1"),
        ("2026-03-25 Wed 08:30", "quota_reminder", "2026-03/2"),
        ("2026-03-30 Mon 08:30", "final_warning", "2026-03"),
    ]
    assert settings(jobs_time="07:45").jobs_time == time(7, 45)


def test_bad_job_settings_are_refused() -> None:
    for bad in ({"remind_day": 31}, {"remind_last_workday": 1}, {"jobs_time": "25:00"}):
        with pytest.raises(ValidationError):
            settings(**bad)


def test_without_quotas_only_the_bulletins_remain() -> None:
    found = calendar_runs(
        datetime(2025, 12, 31, tzinfo=ZONE),
        datetime(2026, 12, 31, tzinfo=ZONE),
        quota=False,
    )
    assert {r.job for r in found} == {QUARTERLY, ANNUAL}
    assert [r.period for r in found] == ["2025Q4", "2025", "2026Q1", "2026Q2", "2026Q3"]


def test_the_next_run_is_strictly_after() -> None:
    at_reminder = datetime(2026, 1, 20, 9, tzinfo=ZONE)
    following = next_run(KINDS.values(), Plan(settings(verify_time=None), True), at_reminder)
    assert following is not None
    assert (following.due_at.date(), following.job) == (date(2026, 1, 28), QUOTA_REMINDER)


def test_the_command_line_shows_what_ran_and_what_comes(cli: Cli) -> None:
    cli.ok("init", "--ruleset", "dengkou-2024")
    rows(
        cli.db,
        "INSERT INTO job_runs (job, period, due_at, ran_at, outcome, detail) VALUES "
        "('settlement', '2026-01', '2026-02-01T09:00:00+08:00', '2026-02-01T09:00:02+08:00', "
        "'done', '')",
    )
    with time_machine.travel(datetime(2026, 2, 21, 10, tzinfo=ZONE)):
        out = cli.ok("jobs")
    assert "2026-02-01 09:00  月度结算 2026年1月：完成" in out
    upcoming = out[out.index("接下来的定时任务") :]
    assert upcoming.splitlines()[1:4] == [
        "  2026-02-24 09:00 周二  报送提醒 2026年2月",
        "  2026-02-26 09:00 周四  报送提醒 2026年2月",
        "  2026-02-28 09:00 周六  扣分预警 2026年2月",
    ]
    assert "  每天 03:00  数据核验（下次 2026-02-22 周日；失败时通知管理员）" in upcoming
    assert "待发送的消息" not in out
    # A message for a channel the bot does not send on waits, and is said to.
    for channel, address in [
        ("telegram", "9001"),
        ("mail", "zhao@gov.example"),
        ("mail", "li@gov.example"),
    ]:
        rows(
            cli.db,
            "INSERT INTO outbox (source, channel, address, text, created_at) VALUES "
            f"('test', '{channel}', '{address}', '通知', '2026-02-21T10:00:00+08:00')",
        )
    assert cli.ok("jobs").splitlines()[-1] == "待发送的消息：mail 2 条，telegram 1 条"
