"""Methods over time (rules.md, "A new method from a date"): a database keeps every method the
office used; records, settled months, standings and awards follow the method in force; adopting
a method from a past day re-scores what is stored, refused over a locked period."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.bulletin.compose import notes_text
from bot.storage import Store
from bot.usecases.bulletin import bulletin
from bot.usecases.methods import adopt
from scoring.methods import Method, Methods
from scoring.periods import parse_period
from scoring.ruleset import builtin_ruleset_text, parse_ruleset
from tests.chat import LIAISON, flat, running_bot
from tests.conftest import Cli, write_csv
from tests.reissued import REISSUED_FROM, reissued_text, write_reissued
from tests.rewind import rewind
from tests.stores import rows

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
UNITS = [["教育局", "A", ""], ["财政局", "A", ""], ["公安局", "B", ""], ["审计局", "B", ""]]


def submitted(unit: str, day: str, n: int) -> list[object]:
    return [day, unit, "报送", n, "", "", "", ""]


# April, under the method of 2024: 公安局 (B, quota 8) short with 6, the others at quota.
APRIL = [
    ["2024-04-10", "教育局", "city.zwyq.main", 1, "", "", "四月动态", ""],
    ["2024-04-11", "财政局", "city.jccc", 1, "", "", "四月调研", ""],
    submitted("教育局", "2024-04-02", 15),
    submitted("财政局", "2024-04-02", 15),
    submitted("公安局", "2024-04-02", 6),
    submitted("审计局", "2024-04-02", 8),
]
# May and June, under the method reissued from May (B's quota 5, a first miss -20): 公安局
# meets it in May and misses in June (a first miss again: May ended the streak); 审计局 misses
# both (-20, then -50).
SUMMER = [
    ["2024-05-10", "教育局", "city.zwyq.main", 1, "", "", "五月动态", ""],
    ["2024-05-12", "教育局", "city.video", 1, "", "", "五月视频", ""],
    submitted("教育局", "2024-05-02", 15),
    submitted("财政局", "2024-05-02", 15),
    submitted("公安局", "2024-05-02", 6),
    submitted("审计局", "2024-05-02", 4),
    submitted("教育局", "2024-06-03", 15),
    submitted("财政局", "2024-06-03", 15),
    submitted("公安局", "2024-06-03", 3),
    submitted("审计局", "2024-06-03", 4),
]


def office(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], UNITS))
    )
    cli.ok("records", "import", str(write_csv(tmp_path / "april.csv", HEADER, APRIL)))
    cli.ok("quota", "settle", "--month", "2024-04")


def table(cli: Cli, period: str) -> dict[str, dict[str, Any]]:
    """The standings of a period as JSON rows by unit."""
    found = json.loads(cli.ok("standings", "--period", period, "--format", "json"))
    return {row["unit"]: row for group in found["groups"] for row in group["rows"]}


async def notes(db: str, period: str) -> str:
    """The notes under a period's bulletin tables, in one line."""
    store = await Store.open(db)
    try:
        paper = await bulletin(store, parse_period(period))
    finally:
        await store.close()
    return "".join(notes_text(paper.notes))


def test_a_quarter_spanning_two_methods_sums_what_each_scored(cli: Cli, tmp_path: Path) -> None:
    office(cli, tmp_path)
    method = str(write_reissued(tmp_path))
    assert "计分不变" in cli.ok("rules", "adopt", method, "--from", REISSUED_FROM, "--yes")
    # 短视频 is the new method's: dated in April, it is refused, nothing of the file stored.
    early = [["2024-04-20", "教育局", "短视频", 1, "", "", "四月视频", ""]]
    refused = cli("records", "import", str(write_csv(tmp_path / "early.csv", HEADER, early)))
    assert refused.code == 1 and "第 2 行" in refused.err and "短视频" in refused.err
    cli.ok("records", "import", str(write_csv(tmp_path / "summer.csv", HEADER, SUMMER)))
    cli.ok("quota", "settle", "--month", "2024-05")
    cli.ok("quota", "settle", "--month", "2024-06")

    quarter = table(cli, "2024Q2")
    # 《政务要情》重要信息 scored 6 in April and 8 in May; 视频得分, which the method of April
    # lacks, counts 0 there and 7 in May.
    assert quarter["教育局"]["columns"] == {
        "采用得分": 14, "视频得分": 7, "批示加分": 0, "其他加分": 0, "扣分": 0, "调整分": 0,
    }  # fmt: skip
    assert quarter["教育局"]["adoption_count"] == 3 and quarter["教育局"]["total"] == 21
    assert quarter["财政局"]["total"] == 18
    # Settled months under each method: April's miss -30 (quota 8); May met (quota 5); June
    # a first miss again, -20. 审计局: April met; May -20; June missed again, -50.
    assert quarter["公安局"]["columns"]["扣分"] == -50
    assert quarter["审计局"]["columns"]["扣分"] == -70
    april = table(cli, "2024-04")
    assert "视频得分" not in april["教育局"]["columns"]
    assert april["公安局"]["columns"]["扣分"] == -30
    assert table(cli, "2024-05")["公安局"]["columns"]["扣分"] == 0
    # The year's awards follow the method in force on 31 December: one advanced unit per
    # group (the method of 2024 named three: 财政局 too).
    year = json.loads(cli.ok("bulletin", "--period", "2024", "--format", "json"))
    assert year["awards"][0]["advanced"] == ["教育局"]
    # The quarter's bulletin says which method scored which days; April's spans one method.
    q2, april_notes = asyncio.run(notes(cli.db, "2024Q2")), asyncio.run(notes(cli.db, "2024-04"))
    assert (
        "2024年4月1日至2024年4月30日按《磴口县政务信息工作考评办法（2024）》；"
        "2024年5月1日至2024年6月30日按《磴口县政务信息工作考评办法（2024年5月修订）》"
    ) in q2
    assert "考核办法修订" not in april_notes
    listed = cli.ok("rules", "list")
    assert "建库起" in listed and "dengkou-2024-05" in listed and REISSUED_FROM in listed
    assert "dengkou-2024-05" in cli.ok("rules", "show")
    assert "每月报送不少于 8 条" in cli.ok("rules", "show", "--at", "2024-04-30")


def test_adopting_from_a_past_day_rescores_what_is_stored(cli: Cli, tmp_path: Path) -> None:
    office(cli, tmp_path)
    may = [
        ["2024-05-10", "教育局", "city.zwyq.main", 1, "", "", "五月动态", ""],
        ["2024-05-11", "财政局", "feedback.instruction", 1, "", "", "五月反馈", ""],
        submitted("公安局", "2024-05-02", 6),
        submitted("审计局", "2024-05-02", 6),
        submitted("教育局", "2024-05-02", 15),
        submitted("财政局", "2024-05-02", 10),
    ]
    cli.ok("records", "import", str(write_csv(tmp_path / "may.csv", HEADER, may)))
    cli.ok("quota", "settle", "--month", "2024-05")
    before = table(cli, "2024Q2")
    assert before["教育局"]["columns"]["采用得分"] == 12
    assert before["公安局"]["columns"]["扣分"] == -80  # -30 in April, -50 again in May
    method = str(write_reissued(tmp_path))

    # Not confirmed: what it would change is said, and nothing is stored.
    asked = cli("rules", "adopt", method, "--from", REISSUED_FROM)
    assert asked.code == 1 and "未保存任何变更" in asked.out
    changed = "2024-05-10 教育局 《政务要情》重要信息/部门工作/旗县区动态：6 → 8"
    assert changed in asked.out
    assert "2024年5月 公安局（报送 6/5）：-50 → 不扣分" in asked.out
    assert table(cli, "2024Q2") == before
    assert "dengkou-2024-05" not in cli.ok("rules", "list")

    done = cli.ok("rules", "adopt", method, "--from", REISSUED_FROM, "--yes")
    assert changed in done and "2024年5月 公安局（报送 6/5）：-50 → 不扣分" in done
    # 审计局's May, missed (-30) under the quota of 8, meets the new one of 5.
    assert "2024年5月 审计局（报送 6/5）：-30 → 不扣分" in done
    # 财政局 missed May under both: the same penalty, scored -20 by the new method.
    assert "2024-05-31 财政局 未完成信息报送任务（并下发提醒函）：-30 → -20" in done
    after = table(cli, "2024Q2")
    assert after["教育局"]["columns"]["采用得分"] == 14
    assert after["公安局"]["columns"]["扣分"] == -30
    # The same 20 points, in another column: written anew there.
    assert "2024-05-11 财政局 落实领导批示并及时反馈（每篇每次）：20 → 20" in done
    assert before["财政局"]["columns"]["其他加分"] == 20
    assert (after["财政局"]["columns"]["其他加分"], after["财政局"]["columns"]["批示加分"]) == (
        0,
        20,
    )
    assert table(cli, "2024-04")["教育局"]["columns"]["采用得分"] == 6
    # Append-only: the May line reversed and written anew, with who and why in the trail.
    lines = rows(
        cli.db,
        "SELECT l.points FROM ledger l JOIN units u ON u.id = l.unit_id "
        "WHERE u.name = '教育局' AND l.date = '2024-05-10' ORDER BY l.id",
    )
    assert [p for (p,) in lines] == [600, -600, 800]  # hundredths
    events = rows(cli.db, "SELECT actor, reason FROM record_events WHERE event = 'rescored'")
    assert len(events) == 3 and all(actor.startswith("cli:") for actor, _ in events)
    assert "重新计分" in events[0][1]
    assert "核验通过" in cli.ok("verify")


def test_a_locked_period_in_the_way_refuses_the_adoption(cli: Cli, tmp_path: Path) -> None:
    office(cli, tmp_path)
    cli.ok("records", "import", str(write_csv(tmp_path / "summer.csv", HEADER, SUMMER[:1])))
    cli.ok("period", "lock", "2024Q2")
    before = table(cli, "2024Q2")
    method = str(write_reissued(tmp_path))
    refused = cli("rules", "adopt", method, "--from", REISSUED_FROM, "--yes")
    assert refused.code == 1
    assert "2024Q2 已锁定" in refused.err and "未保存任何内容" in refused.err
    assert "dengkou-2024-05" not in cli.ok("rules", "list")
    assert table(cli, "2024Q2") == before
    # Reopened, the period can change: the adoption goes through and re-scores May.
    cli.ok("period", "reopen", "2024Q2", "--reason", "考核办法修订")
    done = cli.ok("rules", "adopt", method, "--from", REISSUED_FROM, "--yes")
    assert "：6 → 8" in done
    assert table(cli, "2024Q2")["教育局"]["columns"]["采用得分"] == 14


def test_the_same_rules_again_are_not_a_new_method(cli: Cli, tmp_path: Path) -> None:
    office(cli, tmp_path)
    # The method of 2024 with its comments dropped and its layout changed.
    text = builtin_ruleset_text("dengkou-2024")
    same = "\n".join(
        line.replace(" = ", "=") for line in text.splitlines() if not line.startswith("#")
    )
    relaid = tmp_path / "relaid.toml"
    relaid.write_text(same, encoding="utf-8")
    said = cli.ok("rules", "adopt", str(relaid), "--from", "2024-06-01", "--yes")
    assert "不是新考核办法" in said and "dengkou-2024（建库起）" in said
    method = str(write_reissued(tmp_path))
    cli.ok("rules", "adopt", method, "--from", REISSUED_FROM, "--yes")
    again = tmp_path / "again.toml"
    again.write_text("# 再次下发\n" + reissued_text(), encoding="utf-8")
    said = cli.ok("rules", "adopt", str(again), "--from", "2024-07-01", "--yes")
    assert f"dengkou-2024-05（{REISSUED_FROM}）" in said and "不是新考核办法" in said
    assert len(cli.ok("rules", "list").splitlines()) == 3  # a heading and two methods


def test_a_database_made_before_opens_with_its_one_method(cli: Cli, tmp_path: Path) -> None:
    """A database of the release before this one has no table of methods: opened (every
    command migrates), it has its one method, scores as before, and can adopt a second."""
    office(cli, tmp_path)
    before = table(cli, "2024Q2")
    rewind(cli.db, "methods")
    listed = cli.ok("rules", "list").splitlines()
    assert len(listed) == 2 and "建库起" in listed[1] and "dengkou-2024" in listed[1]
    assert table(cli, "2024Q2") == before
    cli.ok("rules", "adopt", str(write_reissued(tmp_path)), "--from", REISSUED_FROM, "--yes")
    assert "dengkou-2024-05" in cli.ok("rules", "list")


def test_the_methods_in_force_by_day() -> None:
    first = parse_ruleset(builtin_ruleset_text("dengkou-2024"))
    second = parse_ruleset(reissued_text())
    methods = Methods((Method(first, None, ""), Method(second, date(2024, 5, 1), "x.toml")))
    assert methods.at(date(2024, 4, 30)) is first and methods.at(date(2024, 5, 1)) is second
    spans = methods.spans(date(2024, 4, 1), date(2024, 6, 30))
    assert [(s.method.ruleset.id, s.start, s.end) for s in spans] == [
        ("dengkou-2024", date(2024, 4, 1), date(2024, 4, 30)),
        ("dengkou-2024-05", date(2024, 5, 1), date(2024, 6, 30)),
    ]
    assert methods.columns(date(2024, 4, 1), date(2024, 4, 30)) == first.bulletin.score_columns
    assert methods.columns(date(2024, 4, 1), date(2024, 6, 30)) == second.bulletin.score_columns
    # What no one day decides (a period's words) reaches back to the first method's day.
    assert methods.current.effective_from == first.effective_from
    assert methods.current.items_by_key["city.video"].points == 700  # hundredths


async def test_the_chat_scores_a_report_by_the_method_of_its_day(
    database: str, tmp_path: Path
) -> None:
    """A method adopted by the command line while the bot runs is the bot's at once: a report
    dated after its day is scored by it, one dated before by the earlier method, and an item
    only the new method has is refused for a day before it."""
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        store = await Store.open(database)
        try:
            now = datetime.now(ZoneInfo("Asia/Shanghai"))
            path = str(write_reissued(tmp_path))
            await adopt(store, path, date(2024, 5, 1), "cli:test", now, confirmed=True)
        finally:
            await store.close()
        april = await chat.ask(LIAISON, "采用 政务要情重要信息 四月动态 2024-04-10")
        assert "合计 6 分" in april.text
        may = await chat.ask(LIAISON, "采用 政务要情重要信息 五月动态 2024-05-10")
        assert "合计 8 分" in may.text
        video = flat((await chat.ask(LIAISON, "采用 短视频 四月视频 2024-04-12")).text)
        assert "2024-04-12 施行的考核办法《磴口县政务信息工作考评办法（2024）》没有 短视频" in video
