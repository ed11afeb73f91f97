"""The dengkou-2024 method worked through: every item, endorsements, refusals, floor, quota streak."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring.engine import score
from scoring.records import Record
from scoring.ruleset import load_ruleset
from tests.conftest import Cli, write_csv
from tests.stores import rows as query

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]

# Points as rules.md reads them from the method, written out here independently of the TOML.
ADOPTIONS = {
    "city.zwyq.main": 6, "city.zwyq.brief": 3, "city.zwyq.merged": 3, "city.jccc": 18,
    "city.zbxx.foresight": 20, "city.zbxx.problem": 16, "city.zbxx.other": 12,
    "city.wechat.main": 10, "city.wechat.brief": 5, "city.opinion": 15, "region.opinion": 30,
    "region.mryq.frontier": 30, "region.mryq.problem": 40, "region.mryq.brief": 20,
    "region.mryq.special": 50, "region.zbxx": 50, "region.zbxx.problem": 60,
    "city.commission": 15, "region.commission": 30, "state.adopted": 200,
}  # fmt: skip
CREDITS = {
    "city.clue": 15, "region.research_hosted": 80, "city.research_hosted": 50,
    "city.visit_followup": 25, "region.visit_followup": 50, "feedback.instruction": 20,
}  # fmt: skip
PENALTIES = {
    "quota.missed": -30, "quota.missed_again": -50, "commission.missed": -30,
    "commission.missed_again": -50, "error.city_endorsed": -100, "error.region_endorsed": -200,
}  # fmt: skip
ENDORSEMENTS = {
    "endorse.city_leader": (30, "city.jccc"), "endorse.city_office_leader": (20, "city.zbxx.problem"),
    "endorse.region_leader": (40, "region.mryq.special"),
    "endorse.region_office_leader": (30, "region.zbxx"), "endorse.state_leader": (300, "state.adopted"),
}  # fmt: skip
UNITS = [
    ["巴彦高勒镇", "A", "巴镇"],
    ["教育局", "A", ""],
    ["公安局", "B", "县公安局"],
    ["审计局", "B", ""],
    ["气象局", "C", ""],
]


@pytest.fixture
def dengkou(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units",
        "import",
        str(write_csv(tmp_path / "units.csv", ["name", "group", "aliases"], UNITS)),
    )
    return cli


def standings(cli: Cli, period: str) -> dict[str, dict]:  # type: ignore[type-arg]
    data = json.loads(cli.ok("standings", "--period", period, "--format", "json"))
    return {row["unit"]: row for group in data["groups"] for row in group["rows"]}


def ledger(cli: Cli) -> list[tuple]:  # type: ignore[type-arg]
    return query(
        cli.db, "SELECT unit_id, date, rule_id, column_name, points / 100 FROM ledger ORDER BY id"
    )


def test_every_item_scores_its_published_points() -> None:
    ruleset = load_ruleset("dengkou-2024")
    assert {i.id for i in ruleset.items} == {*ADOPTIONS, *CREDITS, *PENALTIES, "adjustment"}
    for table in (ADOPTIONS, CREDITS, PENALTIES):
        for item_id, points in table.items():
            scored = score(ruleset, Record("u", ruleset.effective_from, item_id))  # type: ignore[arg-type]
            assert scored.points == points * 100, item_id  # hundredths
            assert [e.rule_id for e in scored.entries] == [item_id]
    for modifier_id, (points, on) in ENDORSEMENTS.items():
        scored = score(
            ruleset, Record("u", ruleset.effective_from, on, modifiers=((modifier_id, 1),))
        )  # type: ignore[arg-type]
        assert scored.points == (ADOPTIONS[on] + points) * 100, modifier_id
    assert {g.id: g.monthly_quota for g in ruleset.groups} == {"A": 15, "B": 8, "C": 4}


def test_every_kind_through_the_command_line(dengkou: Cli, tmp_path: Path) -> None:
    rows = [
        ["2024-04-02", "教育局", item, 1, "", "", f"信息 {item}", ""]
        for item in [*ADOPTIONS, *CREDITS]
    ]
    dengkou.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    row = standings(dengkou, "2024Q2")["教育局"]
    assert row["columns"]["采用得分"] == sum(ADOPTIONS.values())
    assert row["columns"]["其他加分"] == sum(CREDITS.values())
    assert row["adoption_count"] == len(ADOPTIONS)
    assert row["total"] == sum(ADOPTIONS.values()) + sum(CREDITS.values())


def test_endorsements_add_up_and_explain_themselves(dengkou: Cli, tmp_path: Path) -> None:
    rows = [
        [
            "2024-05-06",
            "巴镇",
            "《决策参考》",
            1,
            "",
            "市领导同志批示;endorse.city_office_leader×2",
            "关于沙漠治理的调研",
            "",
        ],
        [
            "2024-05-07",
            "巴彦高勒镇",
            "state.adopted",
            1,
            "",
            "endorse.state_leader*1",
            "国办采用",
            "",
        ],
    ]
    out = dengkou.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    assert "合计 588 分" in out  # 18 + 30 + 2×20, and 200 + 300
    row = standings(dengkou, "2024-05")["巴彦高勒镇"]
    assert row["columns"] == {
        "采用得分": 218,
        "批示加分": 370,
        "其他加分": 0,
        "扣分": 0,
        "调整分": 0,
    }
    ((explanation,),) = query(
        dengkou.db, "SELECT explanation FROM records WHERE item_id = 'city.jccc'"
    )
    assert explanation == "《决策参考》18 + 市领导同志批示 30 + 市政府办公室领导同志批示×2 40 = 88"


def test_modifier_refused_where_not_allowed(dengkou: Cli, tmp_path: Path) -> None:
    rows = [
        ["2024-05-06", "教育局", "city.jccc", 1, "", "", "合格的一行", ""],
        ["2024-05-06", "教育局", "city.wechat.main", 1, "", "endorse.city_leader", "微信", ""],
        ["2024-05-06", "教育局", "region.mryq.brief", 1, "", "市领导同志批示", "每日要情", ""],
    ]
    result = dengkou("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    assert result.code == 1
    assert "第 3 行：加分项 市领导同志批示 不适用于 市政府办公室微信公众号“政务要情”" in result.err
    assert "第 4 行：加分项 市领导同志批示 不适用于 《每日要情》简讯" in result.err
    assert "第 2 行" not in result.err
    assert ledger(dengkou) == []


def test_floor_at_zero_keeps_the_raw_total(dengkou: Cli, tmp_path: Path) -> None:
    rows = [
        ["2024-06-03", "气象局", "city.wechat.brief", 1, "", "", "简讯", ""],
        ["2024-06-20", "气象局", "error.city_endorsed", 1, "", "", "", "数据错误被批示"],
        ["2024-06-21", "审计局", "adjustment", 1, 7, "", "", "补记五月漏登的信息"],
    ]
    dengkou.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    table = standings(dengkou, "2024Q2")
    assert (table["气象局"]["raw_total"], table["气象局"]["total"]) == (-95, 0)
    assert table["审计局"]["columns"]["调整分"] == 7
    # Every unit of a group is listed, zero or not, and equal totals share a rank.
    assert set(table) == {u[0] for u in UNITS}
    assert table["气象局"]["rank"] == 1  # alone in group C
    assert table["教育局"]["total"] == table["巴彦高勒镇"]["total"] == 0
    assert table["教育局"]["rank"] == table["巴彦高勒镇"]["rank"] == 1


def test_records_before_the_effective_date_are_refused(dengkou: Cli, tmp_path: Path) -> None:
    rows = [
        ["2024-02-22", "教育局", "city.jccc", 1, "", "", "早一天", ""],
        ["2024-02-23", "教育局", "city.jccc", 1, "", "", "生效当天", ""],
    ]
    result = dengkou("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    assert result.code == 1
    assert "第 2 行：日期 2024-02-22 早于规则集生效日期 2024-02-23" in result.err
    assert ledger(dengkou) == []
    dengkou.ok("records", "import", str(write_csv(tmp_path / "ok.csv", HEADER, rows[1:])))
    assert len(ledger(dengkou)) == 1


def submissions(unit: str, month: str, n: int) -> list[list[object]]:
    return [
        [f"{month}-{1 + i % 28:02d}", unit, "报送", 1, "", "", f"报送 {i}", ""] for i in range(n)
    ]


def test_quota_streak(dengkou: Cli, tmp_path: Path) -> None:
    rows = (
        submissions("巴彦高勒镇", "2024-03", 15)  # A at quota every month
        + submissions("巴彦高勒镇", "2024-04", 15)
        + submissions("巴彦高勒镇", "2024-05", 16)
        + submissions("教育局", "2024-03", 14)  # A: missed, missed again, then met
        + submissions("教育局", "2024-04", 3)
        + submissions("教育局", "2024-05", 15)
        + submissions("公安局", "2024-03", 8)  # B: met, missed, met
        + submissions("公安局", "2024-04", 7)
        + submissions("公安局", "2024-05", 8)
        + submissions("审计局", "2024-03", 7)  # B: missed, met, missed (a new streak: -30)
        + submissions("审计局", "2024-04", 8)
        + submissions("审计局", "2024-05", 0)
        + submissions("气象局", "2024-03", 4)  # C: 4 is enough
    )
    dengkou.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    march = dengkou.ok("quota", "settle", "--month", "2024-03")
    assert "5 个单位，其中 2 个未完成" in march
    assert "教育局（A）：报送 14/15，未完成，扣分并下发提醒函 -30" in march
    assert dengkou.ok("quota", "settle", "--month", "2024-04")
    assert dengkou.ok("quota", "settle", "--month", "2024-05")

    units = {name: i + 1 for i, (name, _, _) in enumerate(UNITS)}
    # A list, not a set: a penalty written twice must show.
    penalties = sorted((uid, day, rule, points) for uid, day, rule, _, points in ledger(dengkou))
    assert penalties == sorted(
        [
            (units["教育局"], "2024-03-31", "quota.missed", -30),
            (units["审计局"], "2024-03-31", "quota.missed", -30),
            (units["教育局"], "2024-04-30", "quota.missed_again", -50),
            (units["公安局"], "2024-04-30", "quota.missed", -30),
            (units["审计局"], "2024-05-31", "quota.missed", -30),
            (units["气象局"], "2024-04-30", "quota.missed", -30),
            (units["气象局"], "2024-05-31", "quota.missed_again", -50),
        ]
    )
    # Settling again changes nothing.
    before = ledger(dengkou)
    assert "已结算过" in dengkou.ok("quota", "settle", "--month", "2024-04")
    assert ledger(dengkou) == before
    # Penalties are dated in the month they concern: March's lands in Q1, not Q2.
    assert standings(dengkou, "2024Q1")["教育局"]["raw_total"] == -30
    assert standings(dengkou, "2024Q2")["教育局"]["raw_total"] == -50
    assert standings(dengkou, "2024Q2")["教育局"]["total"] == 0


def test_settling_refuses_an_unfinished_month_and_a_ruleset_without_quotas(
    cli: Cli, tmp_path: Path
) -> None:
    cli.ok("init", "--ruleset", "dengkou-2024")
    result = cli("quota", "settle", "--month", "2999-01")
    assert result.code == 1 and "尚未结束" in result.err
    result = cli("quota", "settle", "--month", "2024-13")
    assert result.code == 1 and "无法识别的月份" in result.err
    other = Cli(str(tmp_path / "ordos.sqlite3"), cli.capsys)
    other.ok("init", "--ruleset", "ordos-2020")
    result = other("quota", "settle", "--month", "2020-05")
    assert result.code == 1 and "没有月度报送任务" in result.err


def test_months_may_be_settled_in_any_order(dengkou: Cli) -> None:
    """Nobody reported in April, May or June. May settled first is a first miss; April settled
    after it makes May a second one (−50), and June follows the streak."""
    assert "--allow-empty" in dengkou("quota", "settle", "--month", "2024-05").err
    dengkou.ok("quota", "settle", "--month", "2024-05", "--allow-empty")
    assert sorted(points for *_, points in ledger(dengkou)) == [-30] * 5
    out = dengkou.ok("quota", "settle", "--month", "2024-04", "--allow-empty")
    assert "2024年5月 教育局（报送 0/15）：-30 → -50" in out
    dengkou.ok("quota", "settle", "--month", "2024-06", "--allow-empty")
    live = live_points(dengkou)
    assert live == {("2024-04-30", -30): 5, ("2024-05-31", -50): 5, ("2024-06-30", -50): 5}


def live_points(cli: Cli) -> dict[tuple[str, int], int]:
    """Penalties still standing (not reversed), by day and points, with how many units."""
    standing = query(
        cli.db,
        "SELECT date, points / 100 FROM ledger l WHERE reverses IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id)",
    )
    counts: dict[tuple[str, int], int] = {}
    for day, points in standing:
        counts[(day, points)] = counts.get((day, points), 0) + 1
    return counts
