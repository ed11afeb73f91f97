"""Settlement follows the data: late submissions settle their month and the settled months after
it again, in the same transaction; a dry run stores nothing; an empty month is refused."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.fakeapi import FakeBotApi
from bot.storage import Store
from bot.usecases.imports import import_records
from bot.usecases.quota import settle_quota
from scoring.periods import parse_month
from tests.chat import ADMIN, LIAISON, bot_on, flat, prepare_db, running_bot
from tests.conftest import Cli, write_csv
from tests.jobs import at, clock, idle, received, run_at
from tests.stores import rows

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
UNITS = [["教育局", "A", ""], ["公安局", "B", ""], ["审计局", "B", ""], ["气象局", "C", ""]]


def submitted(unit: str, month: str, n: int, first: int = 1) -> list[list[object]]:
    return [
        [f"{month}-{day:02d}", unit, "报送", 1, "", "", f"{unit}{month}第{day}条", ""]
        for day in range(first, first + n)
    ]


# 公安局 (group B, quota 8): April met, May one short, June nothing. The others report enough
# in April and nothing after, except 气象局 which meets its quota of 4 every month.
SPRING = (
    submitted("公安局", "2024-04", 8)
    + submitted("公安局", "2024-05", 7)
    + submitted("审计局", "2024-04", 8)
    + submitted("教育局", "2024-04", 15)
    + submitted("气象局", "2024-04", 4)
    + submitted("气象局", "2024-05", 4)
    + submitted("气象局", "2024-06", 4)
)


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], UNITS))
    )
    cli.ok("records", "import", str(write_csv(tmp_path / "spring.csv", HEADER, SPRING)))
    return cli


def standing_penalties(db: str, unit: str) -> list[tuple[str, str, int]]:
    """(date, rule, points) of the unit's ledger lines that stand: not reversed, no reversal."""
    return rows(
        db,
        "SELECT l.date, l.rule_id, l.points / 100 FROM ledger l JOIN units u ON u.id = l.unit_id "
        "WHERE u.name = ? AND l.reverses IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id) ORDER BY l.date",
        (unit,),
    )


def test_a_late_submission_settles_its_month_and_the_later_ones_again(
    office: Cli, tmp_path: Path
) -> None:
    for month in ("2024-04", "2024-05", "2024-06"):
        office.ok("quota", "settle", "--month", month, *(["--allow-empty"] * (month == "2024-06")))
    assert standing_penalties(office.db, "公安局") == [
        ("2024-05-31", "quota.missed", -30),
        ("2024-06-30", "quota.missed_again", -50),
    ]
    before_audit = standing_penalties(office.db, "审计局")

    # The eighth May submission of 公安局, found in the register in July.
    late = write_csv(tmp_path / "late.csv", HEADER, submitted("公安局", "2024-05", 1, first=20))
    out = office.ok("records", "import", str(late))
    assert "2024年5月 公安局（报送 8/8）：-30 → 不扣分" in out
    assert "2024年6月 公安局（报送 0/8）：-50 → -30" in out
    assert standing_penalties(office.db, "公安局") == [("2024-06-30", "quota.missed", -30)]
    # Nothing else changed, and nothing was deleted: the old penalties stand reversed.
    assert standing_penalties(office.db, "审计局") == before_audit
    reasons = [
        text
        for (text,) in rows(office.db, "SELECT explanation FROM ledger WHERE reverses IS NOT NULL")
    ]
    assert len(reasons) == 2
    assert "补录报送，重新结算 2024-05" in reasons[0]
    assert "补录报送，重新结算 2024-06" in reasons[1]
    assert rows(
        office.db, "SELECT month, outcome FROM quota_settlements WHERE unit_id = 2 ORDER BY month"
    ) == [("2024-04", "met"), ("2024-05", "met"), ("2024-06", "missed")]
    # Settling again changes nothing.
    assert "没有新的变更" in office.ok("quota", "settle", "--month", "2024-05")


def test_a_dry_run_prints_what_it_would_write_and_stores_nothing(office: Cli) -> None:
    office.ok("quota", "settle", "--month", "2024-06", "--allow-empty")
    ledger = rows(office.db, "SELECT * FROM ledger")
    dry = office.ok("quota", "settle", "--month", "2024-05", "--dry-run")
    assert dry.splitlines()[0].startswith("（试算")
    assert "公安局（B）：报送 7/8，未完成，将扣分并下发提醒函 -30" in dry
    # June was settled first: its first misses become second ones once May is settled.
    assert "以下月份将重新结算，扣分将有变更：" in dry
    assert "2024年6月 公安局（报送 0/8）：-30 → -50" in dry
    assert "已记入流水" not in dry
    assert rows(office.db, "SELECT * FROM ledger") == ledger
    assert rows(office.db, "SELECT month FROM quota_months") == [("2024-06",)]
    real = office.ok("quota", "settle", "--month", "2024-05")
    # The same settlement, said as done: the dry run's lines without "将" (would).
    done, would = real.splitlines(), dry.splitlines()[1:]
    assert done[0] == "2024年5月 月度报送任务结算：4 个单位，其中 3 个未完成（扣分已记入流水）"
    assert would[0] == "2024年5月 月度报送任务试算：将结算 4 个单位，其中 3 个未完成，将扣分"
    assert done[1:] == [line.replace("将", "") for line in would[1:]] != would[1:]
    assert rows(office.db, "SELECT month FROM quota_months ORDER BY month") == [
        ("2024-05",),
        ("2024-06",),
    ]
    assert standing_penalties(office.db, "公安局") == [
        ("2024-05-31", "quota.missed", -30),
        ("2024-06-30", "quota.missed_again", -50),
    ]


def test_an_empty_month_is_refused_unless_the_office_says_so(office: Cli) -> None:
    refused = office("quota", "settle", "--month", "2024-07")
    assert refused.code == 1 and "2024年7月 没有任何报送记录" in refused.err
    assert "--allow-empty" in refused.err
    assert rows(office.db, "SELECT COUNT(*) FROM quota_months") == [(0,)]
    office.ok("quota", "settle", "--month", "2024-07", "--allow-empty")
    assert rows(office.db, "SELECT month, allow_empty FROM quota_months") == [("2024-07", 1)]


async def test_a_late_submission_in_chat_says_what_it_changed(
    database: str, tmp_path: Path
) -> None:
    await prepare_db(database, units=UNITS)
    now = datetime(2024, 7, 2, 9).astimezone()
    store = await Store.open(database)
    try:
        await import_records(store, write_csv(tmp_path / "spring.csv", HEADER, SPRING), "test", now)
        for month in ("2024-04", "2024-05", "2024-06"):
            await settle_quota(
                store, parse_month(month), "test", now, allow_empty=month == "2024-06"
            )
    finally:
        await store.close()
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        answer = await chat.ask(LIAISON, "/submit 公安局五月补报的一条 2024-05-28")
        assert "报送日期：2024-05-28" in answer.text
        assert "公安局 2024年5月已报送 8 条" in flat(answer.text)
        assert "2024年5月 公安局（报送 8/8）：-30 → 不扣分" in flat(answer.text)
        told = await chat.server.wait_for(lambda m: "补录报送" in m.text, chat_id=ADMIN)
        assert "2024年6月 公安局（报送 0/8）：-50 → -30" in flat(told.text)
        assert standing_penalties(database, "公安局") == [("2024-06-30", "quota.missed", -30)]
        # The same title again in May is a duplicate, pointing to the first.
        again = await chat.ask(LIAISON, "/submit 公安局五月补报的一条 2024-05-29")
        assert "重复报送" in again.text and "2024-05-28" in again.text


async def test_the_scheduled_settlement_refuses_an_empty_month_and_says_why(
    database: str,
) -> None:
    with clock(at(2026, 3, 31, 10)) as time:
        async with FakeBotApi() as server, bot_on(server, database) as chat:
            await idle(chat, at(2026, 3, 31, 10))
            await run_at(chat, time, at(2026, 4, 1))
            (failed,) = received(chat, ADMIN, "【自动任务未完成】")
            assert "月度结算（2026年3月）" in failed and "2026年3月 没有任何报送记录" in failed
            assert "--allow-empty" in failed
            assert rows(chat.db(), "SELECT outcome FROM job_runs WHERE job = 'settlement'") == [
                ("failed",)
            ]
            assert rows(chat.db(), "SELECT COUNT(*) FROM ledger") == [(0,)]


def test_settling_again_keeps_the_units_and_quotas_a_month_was_settled_with(
    office: Cli, tmp_path: Path
) -> None:
    office.ok("quota", "settle", "--month", "2024-04")
    # Later: a unit is added, and 气象局 moves from group C (quota 4) to A (quota 15).
    roster = [*UNITS[:3], ["气象局", "A", ""], ["新设局", "B", ""]]
    office.ok(
        "units", "import", str(write_csv(tmp_path / "u2.csv", ["name", "group", "aliases"], roster))
    )
    late = write_csv(tmp_path / "late.csv", HEADER, submitted("公安局", "2024-04", 1, first=20))
    out = office.ok("records", "import", str(late))
    assert "重新结算" not in out
    assert standing_penalties(office.db, "新设局") == []
    assert standing_penalties(office.db, "气象局") == []
    assert rows(
        office.db,
        "SELECT u.name, s.quota, s.submissions, s.outcome FROM quota_settlements s "
        "JOIN units u ON u.id = s.unit_id WHERE s.month = '2024-04' AND u.name IN ('公安局', '气象局', '新设局') "
        "ORDER BY u.name",
    ) == [("公安局", 8, 9, "met"), ("气象局", 4, 4, "met")]
