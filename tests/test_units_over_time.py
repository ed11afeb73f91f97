"""Units over time (rules.md, "Units change"): a rename, a merge in the middle of a quarter and a
group move, each with the standings of the periods before, across and after it; a retired unit
owes no quota after its day; a merged unit's liaisons move to the survivor, told why; the ledger
is never rewritten."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.storage import Address, Liaison, Store
from bot.telegram.notices import ChatNotices
from bot.usecases.quota import behind_quota
from bot.usecases.request import Request
from bot.usecases.status import UnitStatus, unit_status
from bot.usecases.units import ChangeRequest, change_unit
from scoring.periods import month_of
from scoring.roster import Change
from tests.chat import ADMIN, flat, prepare_db, running_bot
from tests.conftest import Cli, write_csv
from tests.rewind import rewind
from tests.stores import rows

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
# In roster order: 交通局, 公安局, 交警大队, 林业局, 教育局.
UNITS = [
    ["交通局", "A", ""],
    ["公安局", "B", ""],
    ["交警大队", "B", ""],
    ["林业局", "A", ""],
    ["教育局", "A", ""],
]
JCCC, BRIEF = "city.jccc", "city.zwyq.brief"  # 18 and 3 points in dengkou-2024
RECORDS = [
    ["2024-03-10", "交通局", JCCC, 1, "", "", "一季度", ""],
    ["2024-03-05", "交警大队", JCCC, 1, "", "", "一季度", ""],
    ["2024-03-01", "林业局", BRIEF, 1, "", "", "一季度", ""],
    ["2024-04-10", "交警大队", BRIEF, 1, "", "", "并入之前", ""],
    ["2024-06-10", "公安局", JCCC, 1, "", "", "二季度", ""],
    ["2024-05-05", "林业局", JCCC, 1, "", "", "调组之后", ""],
    ["2024-08-01", "公安局", BRIEF, 1, "", "", "三季度", ""],
]
NOW = datetime(2024, 7, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
LIAISON = Address("telegram", "7001")


def _by(actor: str, at: datetime) -> Request:
    """A change made as the command line makes it: its letters rendered for the chat."""
    return Request(actor, at, notices=ChatNotices([]))


def _table(cli: Cli, period: str) -> dict[str, list[tuple[int, str, int]]]:
    data = json.loads(cli.ok("standings", "--period", period, "--format", "json"))
    return {
        g["group"]: [(r["rank"], r["unit"], r["total"]) for r in g["rows"]] for g in data["groups"]
    }


def _office(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--ruleset", "dengkou-2024")
    roster = write_csv(tmp_path / "units.csv", ["name", "group", "aliases"], UNITS)
    cli.ok("units", "import", str(roster))
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, RECORDS)))


BEFORE = {
    "A": [(1, "交通局", 18), (2, "林业局", 3), (3, "教育局", 0)],
    "B": [(1, "交警大队", 18), (2, "公安局", 0)],
    "C": [],
}


def test_rename_merge_and_move_list_each_period_as_it_was(cli: Cli, tmp_path: Path) -> None:
    _office(cli, tmp_path)
    assert _table(cli, "2024Q1") == BEFORE
    ledger = rows(cli.db, "SELECT * FROM ledger ORDER BY id")

    out = cli.ok("units", "rename", "交通局", "交通运输局", "--from", "2024-05-20", "--yes")
    assert "交通局 自 2024-05-20 起更名为 交通运输局" in out
    cli.ok("units", "merge", "交警大队", "公安局", "--from", "2024-05-15", "--yes")
    cli.ok("units", "move", "林业局", "B类", "--from", "2024年5月1日", "--yes")

    # Entries after the changes, naming the old name (an alias now) and the merged unit.
    late = [
        ["2024-08-10", "交通局", BRIEF, 1, "", "", "原名", ""],
        ["2024-09-01", "交警大队", BRIEF, 1, "", "", "并入之后", ""],
    ]
    cli.ok("records", "import", str(write_csv(tmp_path / "late.csv", HEADER, late)))

    # Before every change: as it was.
    assert _table(cli, "2024Q1") == BEFORE
    # Across: named and grouped as at the quarter's end, the merged unit's entries with the
    # survivor's under a note.
    assert _table(cli, "2024Q2") == {
        "A": [(1, "交通运输局", 0), (1, "教育局", 0)],
        "B": [(1, "公安局（含原交警大队）", 21), (2, "林业局", 18)],
        "C": [],
    }
    # A month wholly before the merge still lists both.
    assert _table(cli, "2024-04")["B"] == [(1, "交警大队", 3), (2, "公安局", 0)]
    # After: the survivor alone.
    assert _table(cli, "2024Q3") == {
        "A": [(1, "交通运输局", 3), (2, "教育局", 0)],
        "B": [(1, "公安局", 6), (2, "林业局", 0)],
        "C": [],
    }
    assert _table(cli, "2024") == {
        "A": [(1, "交通运输局", 21), (2, "教育局", 0)],
        "B": [(1, "公安局（含原交警大队）", 45), (2, "林业局", 21)],
        "C": [],
    }
    # Every format lists the same names.
    text = cli.ok("standings", "--period", "2024Q2", "--format", "text")
    assert "公安局（含原交警大队）" in text and "交通局" not in text
    csv_out = cli.ok("standings", "--period", "2024Q1", "--format", "csv")
    assert "交警大队" in csv_out and "交通运输局" not in csv_out
    # Nothing of the ledger was rewritten: the lines before are there as they were.
    assert rows(cli.db, "SELECT * FROM ledger ORDER BY id")[: len(ledger)] == ledger
    # The audit trail: each change with its actor.
    trail = rows(cli.db, "SELECT change, start, actor FROM unit_changes ORDER BY id")
    assert [(c, s) for c, s, _ in trail] == [
        ("rename", "2024-05-20"),
        ("merge", "2024-05-15"),
        ("move", "2024-05-01"),
    ]
    assert all(actor.startswith("cli") for _, _, actor in trail)


def test_changes_refused_with_clear_reasons(cli: Cli, tmp_path: Path) -> None:
    _office(cli, tmp_path)
    cases = [
        (("rename", "无此单位", "新名", "--from", "2024-05-01"), "未知的单位 无此单位"),
        (("merge", "公安局", "公安局", "--from", "2024-05-01"), "公安局 不能并入它自己"),
        (("rename", "交通局", "公安局", "--from", "2024-05-01"), "这已是 公安局 的名称或别名"),
        (("move", "教育局", "A", "--from", "2024-05-01"), "教育局 已在 A类"),
        (("retire", "教育局", "--from", "2999-01-01"), "晚于今天"),
    ]
    for args, reason in cases:
        result = cli("units", *args, "--yes")
        assert result.code == 1 and reason in result.err, (args, result.err)
    cli.ok("period", "lock", "2024Q2")
    refused = cli("units", "retire", "教育局", "--from", "2024-03-01", "--yes")
    assert refused.code == 1
    assert "已锁定（已通报）的期间 2024Q2" in refused.err and "重新开放" in refused.err
    cli.ok("period", "reopen", "2024Q2", "--reason", "机构改革")
    cli.ok("units", "retire", "教育局", "--from", "2024-03-01", "--yes")
    # An earlier change after a later one of the same unit would make its history ambiguous.
    cli.ok("units", "rename", "林业局", "林草局", "--from", "2024-07-01", "--yes")
    later = cli("units", "move", "林草局", "B", "--from", "2024-06-01", "--yes")
    assert later.code == 1 and "按时间顺序" in later.err
    # A retired unit is no longer one a change can name.
    assert "未知的单位 教育局" in cli("units", "move", "教育局", "B", "--from", "2024-08-01").err
    assert rows(cli.db, "SELECT COUNT(*) FROM unit_changes") == [(2,)]


def test_a_change_is_confirmed_first(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _office(cli, tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    result = cli("units", "retire", "教育局", "--from", "2024-07-01")
    assert result.code == 1
    assert "教育局 自 2024-07-01 起撤销" in result.out and "确认吗？" in result.out
    assert "已取消" in result.out
    assert rows(cli.db, "SELECT COUNT(*) FROM unit_changes") == [(0,)]
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert "已登记" in cli.ok("units", "retire", "教育局", "--from", "2024-07-01")
    # Retired: listed in the quarter before, not in the one after.
    assert (2, "教育局", 0) in _table(cli, "2024Q2")["A"]
    assert [r[1] for r in _table(cli, "2024Q3")["A"]] == ["交通局", "林业局"]


def test_retired_unit_gets_no_reminder_after_its_day(cli: Cli, tmp_path: Path) -> None:
    _office(cli, tmp_path)
    june, july = month_of(date(2024, 6, 1)), month_of(date(2024, 7, 1))

    async def retire() -> tuple[set[str], set[str], set[str]]:
        store = await Store.open(cli.db)
        try:
            async with store.transaction() as tx:
                before = {b.unit for b in await behind_quota(tx, july)}
                unit_id, _ = await tx.units.resolve_unit("教育局")
                await tx.liaisons.bind_liaison(
                    Address("telegram", "7002"), unit_id, "王芳", "wangfang", NOW
                )
            request = ChangeRequest(Change.RETIRE, "教育局", "", "2024-07-01")
            await change_unit(store, request, _by("cli:test", NOW))
            async with store.reading() as tx:
                return (
                    before,
                    {b.unit for b in await behind_quota(tx, june)},
                    {b.unit for b in await behind_quota(tx, july)},
                )
        finally:
            await store.close()

    before, behind_june, behind_july = asyncio.run(retire())
    # Reminders and warnings are sent to the units behind_quota names.
    assert "教育局" in before and "教育局" in behind_june
    assert "交通局" in behind_july and "教育局" not in behind_july
    # Its liaison is released, told why.
    assert rows(cli.db, "SELECT channel, address, text FROM outbox") == [
        (
            "telegram",
            "7002",
            "教育局 已自 2024-07-01 起撤销，你的信息员身份随之解除。如有疑问请联系信息室。",
        )
    ]
    assert rows(
        cli.db, "SELECT active FROM liaisons WHERE channel = 'telegram' AND address = '7002'"
    ) == [(0,)]
    # Nor a settlement: July is settled for the others, not for the retired unit.
    cli.ok("quota", "settle", "--month", "2024-07", "--allow-empty")
    settled = rows(
        cli.db,
        "SELECT u.name FROM quota_settlements s JOIN units u ON u.id = s.unit_id "
        "WHERE s.month = '2024-07'",
    )
    assert ("交通局",) in settled and ("教育局",) not in settled


def test_liaisons_of_a_merged_unit_move_to_the_survivor_told_why(cli: Cli, tmp_path: Path) -> None:
    _office(cli, tmp_path)

    june = datetime(2024, 6, 20, 9, tzinfo=NOW.tzinfo)

    async def merge() -> tuple[Liaison | None, UnitStatus | None]:
        store = await Store.open(cli.db)
        try:
            async with store.transaction() as tx:
                unit_id, _ = await tx.units.resolve_unit("交警大队")
                await tx.liaisons.bind_liaison(LIAISON, unit_id, "李强", "liqiang", june)
            request = ChangeRequest(Change.MERGE, "交警大队", "公安局", "2024-05-15")
            await change_unit(store, request, _by("cli:test", june))
            async with store.reading() as tx:
                person = await tx.liaisons.liaison(LIAISON, active_only=True)
            return person, person and await unit_status(store, person, june)
        finally:
            await store.close()

    person, status = asyncio.run(merge())
    assert person is not None and person.unit == "公安局"
    # Their /me in the quarter of the merge finds the survivor's row, noted.
    assert status is not None and status.row is not None
    assert (status.row.rank, status.row.unit, status.row.total) == (
        1,
        "公安局（含原交警大队）",
        2100,
    )  # hundredths
    assert rows(cli.db, "SELECT channel, address, text FROM outbox") == [
        ("telegram", "7001", "交警大队 已自 2024-05-15 起并入 公安局，你现在是 公安局 的信息员。")
    ]


def test_a_database_from_before_opens_with_its_units_as_they_were(cli: Cli, tmp_path: Path) -> None:
    """A database migrated up to the version before unit changes: its next opening adds them,
    its standings are what they were, and its units can then be changed."""
    _office(cli, tmp_path)
    before = _table(cli, "2024Q2")
    # Back to the schema before unit changes (and the migrations after it).
    rewind(cli.db, "unit_changes")
    assert _table(cli, "2024Q2") == before
    assert rows(cli.db, "SELECT COUNT(*) FROM unit_changes") == [(0,)]
    cli.ok("units", "rename", "交通局", "交通运输局", "--from", "2024-07-01", "--yes")
    assert _table(cli, "2024Q2") == before
    assert _table(cli, "2024Q3")["A"][0] == (1, "交通运输局", 0)


def test_the_roster_states_the_same_changes(cli: Cli, tmp_path: Path) -> None:
    """A roster with a change column (变更) makes the changes the commands make; imported again
    it changes nothing; a cell stating no change, or a refused change, refuses the file whole."""
    _office(cli, tmp_path)
    header = ["单位名称", "分组", "别名", "变更"]
    roster = [
        ["交通运输局", "A", "", "更名自 交通局 2024-05-20"],
        ["公安局", "B", "", ""],
        ["交警大队", "B", "", "并入 公安局 2024-05-15"],
        ["林业局", "B类", "", "调组 2024年5月1日"],
        ["教育局", "A", "", ""],
    ]
    path = write_csv(tmp_path / "roster2.csv", header, roster)
    bad = write_csv(
        tmp_path / "bad.csv",
        header,
        [["教育局", "A", "", "撤并 2024-05-01"], ["公安局", "B", "", "并入 公安局 2024-05-01"]],
    )
    refused = cli("units", "import", str(bad))
    assert refused.code == 1 and "第 2 行：变更 撤并 2024-05-01 无法识别" in refused.err
    bad = write_csv(tmp_path / "bad2.csv", header, [["公安局", "B", "", "并入 公安局 2024-05-01"]])
    refused = cli("units", "import", str(bad))
    assert refused.code == 1 and "第 2 行：公安局 不能并入它自己" in refused.err
    assert rows(cli.db, "SELECT COUNT(*) FROM unit_changes") == [(0,)]
    cli.ok("units", "import", str(path))
    expected = {
        "A": [(1, "交通运输局", 0), (1, "教育局", 0)],
        "B": [(1, "公安局（含原交警大队）", 21), (2, "林业局", 18)],
        "C": [],
    }
    assert _table(cli, "2024Q1") == BEFORE
    assert _table(cli, "2024Q2") == expected
    cli.ok("units", "import", str(path))
    assert rows(cli.db, "SELECT COUNT(*) FROM unit_changes") == [(3,)]
    assert _table(cli, "2024Q2") == expected


async def test_units_in_chat_show_the_changes(database: str) -> None:
    await prepare_db(database)
    store = await Store.open(database)
    try:
        for request in [
            ChangeRequest(Change.RENAME, "气象局", "气象服务中心", "2024-07-01"),
            ChangeRequest(Change.MERGE, "审计局", "公安局", "2024-06-01"),
        ]:
            await change_unit(store, request, _by("cli:王芳", NOW))
    finally:
        await store.close()
    async with running_bot(database) as chat:
        units = flat((await chat.ask(ADMIN, "/units")).text)
    assert "气象服务中心（C类）信息员 0 人" in units
    assert "自 2024-07-01 起更名，原名 气象局（命令行用户 王芳 于 2024-07-20 登记）" in units
    # A unit merged away is listed after the roster, with its day and survivor.
    assert units.index("气象服务中心") < units.index("审计局（B类）自 2024-06-01 起并入 公安局")


def test_the_year_to_date_after_a_merge_holds_both_units(cli: Cli, tmp_path: Path) -> None:
    """A method with year-to-date columns: the quarter after a merge lists the survivor alone,
    its year so far with the merged unit's entries (the year's list notes the merge)."""
    ruleset = Path(__file__).parent.parent / "scoring" / "rulesets" / "changshan-2014.toml"
    cli.ok("init", "--ruleset", str(ruleset))
    town = "乡镇（街道）"
    roster = [["紫港街道", town], ["天马街道", town]]
    cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], roster)))
    records = [
        ["2024-04-10", "天马街道", "county.csgz", 1, "", "", "二季度", ""],
        ["2024-08-05", "紫港街道", "county.yqkb", 1, "", "", "三季度", ""],
    ]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, records)))
    cli.ok("units", "merge", "天马街道", "紫港街道", "--from", "2024-05-15", "--yes")
    data = json.loads(cli.ok("standings", "--period", "2024Q3", "--format", "json"))
    (towns,) = [g for g in data["groups"] if g["group"] == town]
    assert [(r["unit"], r["total"], r["year_to_date"]["total"]) for r in towns["rows"]] == [
        ("紫港街道", 5, 15)
    ]
    assert towns["rows"][0]["year_to_date"]["counts"]["县级采用"] == 2
