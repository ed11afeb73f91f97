"""Other offices' methods as rules: count columns, the adoption rate, the listing order and a
modifier's value by item, and the Changshan county method rebuilt from a table worked by hand."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from openpyxl import load_workbook

import scoring
from bot.bulletin.compose import notes_text
from bot.fakeapi import FakeBotApi
from bot.render import ruleset_text
from bot.storage import Store
from bot.telegram.notices import ChatNotices
from bot.usecases.imports import import_records
from bot.usecases.office import reverse
from bot.usecases.request import Request
from bot.usecases.status import ledger_lines
from scoring.bulletin import build_bulletin
from scoring.engine import score
from scoring.periods import parse_month, quarter
from scoring.quota import monthly_credits, quotas_to_settle, settle_month
from scoring.records import Record
from scoring.ruleset import builtin_ruleset_text, parse_ruleset
from scoring.standings import UnitRef, adoption_rate, build_standings
from tests.chat import ADMIN, LIAISON, bot_on, flat, prepare_db, running_bot
from tests.conftest import Cli, write_csv
from tests.jobs import CALENDAR_ONLY, at, clock, idle, received, run_at

CHANGSHAN = Path(scoring.__file__).parent / "rulesets" / "changshan-2014.toml"
HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
NOW = datetime(2024, 7, 3, 9, 0, tzinfo=timezone(timedelta(hours=8)))

# The table worked by hand from the Changshan method (常政办发〔2014〕97号), 2024 Q2, towns:
#
#   records in the quarter                                  县级采用得分  市级采用得分  调整分
#   天马街道  报送 13 (8 in April, 2 in May, 3 in June);              25           20          0
#             要情快报 3 (5 each), 常山政务 1 (10),
#             衢州政务信息动态 1 (20)
#   紫港街道  报送 8 (April); 要情快报 2, one reversed (5),          35           80        -10
#             增刊或参阅 1 (30), 衢州政务工作交流 1 (80),
#             adjustment -10
#   金川街道  nothing                                                0            0          0
#   球川镇    报送 6 (May); 要情快报 1 (5), 动态（单篇） 1 (50)        5           50          0
#
# 基础分 (三(一)1): April, May and June settled, 10 for each month at or above the towns' 8:
# 天马街道 April, 紫港街道 April; nothing deducted for the months below it. 天马街道 and 球川镇
# tie at 55 and share the second place, listed in the roster's order.
#
# Counts (records, the reversed one not counted) and the rate (采用条数 ÷ 报送条数, one decimal):
#
#   排名 单位   采用条数 报送条数 县级采用 市级采用 采用率 基础分 县级采用得分 市级采用得分 调整分 总分
#   1    紫港街道  3        8       2       1     37.5%   10      35          80      -10   115
#   2    天马街道  5       13       4       1     38.5%   10      25          20        0    55
#   2    球川镇    2        6       1       1     33.3%    0       5          50        0    55
#   4    金川街道  0        0       0       0       —      0       0           0        0     0
#
# Outside the quarter, and so in no cell: 天马街道's submission of 31 March, 球川镇's adoption
# of 1 July. The year to date (累计, 1 January to 30 June) differs from the quarter only there:
# 天马街道 报送 14, 采用率 5 ÷ 14 = 35.7% (March was not settled: no base score for it). The department group: 发展和改革局, 报送 4, 常山政务 1: 1, 4, 1, 0, 25.0%, 10.
HAND_TABLE = [
    (1, "紫港街道", 3, 8, 2, 1, "37.5%", 10, 35, 80, -10, 115),
    (2, "天马街道", 5, 13, 4, 1, "38.5%", 10, 25, 20, 0, 55),
    (2, "球川镇", 2, 6, 1, 1, "33.3%", 0, 5, 50, 0, 55),
    (4, "金川街道", 0, 0, 0, 0, "—", 0, 0, 0, 0, 0),
]
# The 累计 cells of the same rows, in the same order.
HAND_YEAR = [
    (3, 8, 2, 1, "37.5%", 10, 35, 80, -10, 115),
    (5, 14, 4, 1, "35.7%", 10, 25, 20, 0, 55),
    (2, 6, 1, 1, "33.3%", 0, 5, 50, 0, 55),
    (0, 0, 0, 0, "—", 0, 0, 0, 0, 0),
]
# The year-to-date columns the tables repeat (the JSON has them all), and their cells.
YEAR_COLUMNS = ["基础分", "总分"]
YEAR_SHOWN = [(y[5], y[9]) for y in HAND_YEAR]
COLUMNS = [
    "采用条数", "报送条数", "县级采用", "市级采用", "采用率", "基础分", "县级采用得分",
    "市级采用得分", "调整分", "总分",
]  # fmt: skip
ROSTER = [
    ["天马街道", "乡镇（街道）"],
    ["紫港街道", "乡镇（街道）"],
    ["金川街道", "乡镇（街道）"],
    ["球川镇", "乡镇（街道）"],
    ["发展和改革局", "县政府部门一类"],
]
RECORDS = [
    ["2024-03-31", "天马街道", "submission", 1, "", "", "", ""],
    ["2024-04-08", "天马街道", "submission", 8, "", "", "", ""],
    ["2024-05-08", "天马街道", "submission", 2, "", "", "", ""],
    ["2024-06-08", "天马街道", "submission", 3, "", "", "", ""],
    ["2024-04-20", "天马街道", "要情快报", 3, "", "", "天马街道春耕", ""],
    ["2024-05-20", "天马街道", "county.csgz", 1, "", "", "天马街道夏粮", ""],
    ["2024-06-20", "天马街道", "《衢州政务信息动态》", 1, "", "", "天马街道防汛", ""],
    ["2024-04-09", "紫港街道", "submission", 8, "", "", "", ""],
    ["2024-04-21", "紫港街道", "county.yqkb", 2, "", "", "紫港街道招商", ""],
    ["2024-05-21", "紫港街道", "county.supplement", 1, "", "", "紫港街道调研", ""],
    ["2024-06-21", "紫港街道", "city.exchange", 1, "", "", "紫港街道经验", ""],
    ["2024-06-28", "紫港街道", "adjustment", 1, -10, "", "", "紧急信息迟报"],
    ["2024-05-10", "球川镇", "submission", 6, "", "", "", ""],
    ["2024-05-22", "球川镇", "county.yqkb", 1, "", "", "球川镇茶油", ""],
    ["2024-06-22", "球川镇", "city.dynamics_single", 1, "", "", "球川镇乡村振兴", ""],
    ["2024-07-01", "球川镇", "city.dynamics", 1, "", "", "球川镇七月", ""],
    ["2024-04-11", "发展和改革局", "submission", 4, "", "", "", ""],
    ["2024-04-25", "发展和改革局", "county.csgz", 1, "", "", "项目推进", ""],
]


async def reverse_one_adoption(db: str) -> None:
    """The office reverses one of 紫港街道's two 要情快报 adoptions (a 5-point line)."""
    store = await Store.open(db)
    try:
        async with store.reading() as tx:
            unit_id, _ = await tx.units.resolve_unit("紫港街道")
        lines = await ledger_lines(store, unit_id, quarter(2024, 2))
        first = next(line for line in lines if line.points == 500)
        await reverse(store, first.id, "重复登记", Request("tg:1", NOW, 1, notices=ChatNotices(())))
    finally:
        await store.close()


@pytest.fixture
def changshan(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", str(CHANGSHAN))
    cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], ROSTER)))
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, RECORDS)))
    asyncio.run(reverse_one_adoption(cli.db))
    for month in ("2024-04", "2024-05", "2024-06"):
        cli.ok("quota", "settle", "--month", month)
    return cli


def test_changshan_table_rebuilt_cell_by_cell(changshan: Cli) -> None:
    data = json.loads(changshan.ok("standings", "--period", "2024Q2", "--format", "json"))
    towns, departments = data["groups"][0], data["groups"][1]
    assert towns["group"] == "乡镇（街道）"
    built = [
        (
            r["rank"], r["unit"], r["adoption_count"], r["counts"]["报送条数"],
            r["counts"]["县级采用"], r["counts"]["市级采用"], r["rate"], r["columns"]["基础分"],
            r["columns"]["县级采用得分"], r["columns"]["市级采用得分"], r["columns"]["调整分"],
            r["total"],
        )
        for r in towns["rows"]
    ]  # fmt: skip
    assert built == HAND_TABLE
    assert data["year_to_date"] == {"start": "2024-01-01", "end": "2024-06-30"}
    year = [
        (
            y["adoption_count"], y["counts"]["报送条数"], y["counts"]["县级采用"],
            y["counts"]["市级采用"], y["rate"], y["columns"]["基础分"],
            y["columns"]["县级采用得分"], y["columns"]["市级采用得分"], y["columns"]["调整分"],
            y["total"],
        )
        for y in (r["year_to_date"] for r in towns["rows"])
    ]  # fmt: skip
    assert year == HAND_YEAR
    (department,) = departments["rows"]
    assert department["counts"] == {"报送条数": 4, "县级采用": 1, "市级采用": 0}
    # No quota for the departments in this file: no base score, nothing settled for them.
    assert department["rate"] == "25.0%" and department["total"] == 10
    # The CSV: the same cells under the bulletin's headers, count columns and rate included.
    text = changshan.ok("standings", "--period", "2024Q2", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["分组", "排名", "单位", *COLUMNS, *(f"累计{c}" for c in YEAR_COLUMNS)]
    assert rows[1:5] == [
        ["乡镇（街道）", *map(str, row), *map(str, year)]
        for row, year in zip(HAND_TABLE, YEAR_SHOWN, strict=True)
    ]
    # The text table names the columns and shows the rate as the method writes it.
    shown = changshan.ok("standings", "--period", "2024Q2")
    assert "报送条数" in shown and "38.5%" in shown and "—" in shown


def test_changshan_bulletin_describes_every_column(
    changshan: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(changshan.ok("bulletin", "--period", "2024Q2", "--format", "json"))
    assert data["groups"][0]["rows"][0]["counts"] == {"报送条数": 8, "县级采用": 2, "市级采用": 1}
    assert data["groups"][0]["rows"][1]["year_to_date"]["counts"]["报送条数"] == 14
    # The tables of the DOCX and the XLSX: the quarter's columns, then the year's to date.
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "常山县人民政府办公室")
    out = tmp_path / "bulletin.docx"
    changshan.ok("bulletin", "--period", "2024Q2", "--format", "docx", "--out", str(out))
    document = docx.Document(str(out))
    table = document.tables[0]
    header = [cell.text for cell in table.rows[0].cells]
    assert header == ["排名", "单位", *COLUMNS, *(f"累计{c}" for c in YEAR_COLUMNS)]
    assert [cell.text for cell in table.rows[2].cells] == [
        "2", "天马街道", *map(str, HAND_TABLE[1][2:]), *map(str, YEAR_SHOWN[1]),
    ]  # fmt: skip
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "以“累计”开头的各列为2024年1月1日至2024年6月30日的累计数" in paragraphs
    xlsx_out = tmp_path / "bulletin.xlsx"
    changshan.ok("bulletin", "--period", "2024Q2", "--format", "xlsx", "--out", str(xlsx_out))
    (sheet,) = [s for s in load_workbook(xlsx_out).worksheets if s.title.startswith("乡镇")]
    cells = list(sheet.iter_rows(values_only=True))
    head = next(n for n, row in enumerate(cells) if row[1] == "单位")
    assert cells[head][-1] == "累计总分" and cells[head + 2][-2:] == YEAR_SHOWN[1]
    ruleset = parse_ruleset(CHANGSHAN.read_text("utf-8"))
    empty = build_standings(ruleset, quarter(2024, 2), [], {}, {})
    notes = "\n".join(notes_text(build_bulletin(ruleset, empty).notes))
    assert "报送条数为报送的条数，已撤销的不计。" in notes
    assert "县级采用为《要情快报》、《常山政务》、《常山政务增刊》或《政务参阅》的条数" in notes
    assert "采用率为采用条数除以报送条数，以百分比保留一位小数；本期未报送的单位记为“—”。" in notes
    assert "县级采用得分：" in notes and "市级采用得分：" in notes
    assert "各组按总分从高到低排列" in notes


def scoring_submissions(text: str, cap: int | None = 5) -> str:
    """The Changshan method, its submissions also scoring 1 point each, at most `cap` a month."""
    capped = f"\nsubmissions_cap = {cap}" if cap else ""
    return (
        text.replace('score_columns = ["基础分",', 'score_columns = ["报送得分", "基础分",')
        .replace(
            'quota_met = "quota.base"',
            f'quota_met = "quota.base"\nsubmissions = "submission.points"{capped}',
        )
        .replace(
            "# 三(二)1: adopted at county level.",
            '[[items]]\nid = "submission.points"\nlabel = "报送得分"\nkind = "credit"\n'
            'points = 1\ncolumn = "报送得分"\nreportable = false\n\n'
            "# 三(二)1: adopted at county level.",
        )
    )


def test_monthly_credits_cap_submission_points_and_give_the_base_score_at_quota() -> None:
    ruleset = parse_ruleset(scoring_submissions(CHANGSHAN.read_text("utf-8")))
    may = parse_month("2024-05")
    quotas = quotas_to_settle(
        ruleset, [("天马街道", "乡镇（街道）"), ("发展和改革局", "县政府部门一类")]
    )
    # Submissions score in every group, the base score only where there is a quota.
    assert quotas == {"天马街道": 8, "发展和改革局": 0}
    settled = settle_month(ruleset, may, quotas, {"天马街道": 9, "发展和改革局": 4}, ())
    assert [monthly_credits(ruleset, s) for s in settled] == [
        {"submission.points": 500, "quota.base": 1000},
        {"submission.points": 400},
    ]
    below = settle_month(ruleset, may, {"天马街道": 8}, {"天马街道": 3}, ())
    # Below the quota: no base score, and no penalty under a method that deducts nothing.
    assert [(s.penalty_rule, monthly_credits(ruleset, s)) for s in below] == [
        (None, {"submission.points": 300})
    ]
    uncapped = parse_ruleset(scoring_submissions(CHANGSHAN.read_text("utf-8"), cap=None))
    (many,) = settle_month(uncapped, may, {"天马街道": 8}, {"天马街道": 30}, ())
    assert monthly_credits(uncapped, many) == {"submission.points": 3000, "quota.base": 1000}
    # `rules show` says both.
    shown = ruleset_text(ruleset)
    assert "月度结算时报送得分：每条 1 分（报送得分），每月封顶 5 分" in shown
    assert "月度结算时完成月度报送任务的单位得 月度基础分 10 分" in shown


def test_settlement_writes_submission_points_and_base_score_and_late_data_settles_again(
    cli: Cli, tmp_path: Path
) -> None:
    own = tmp_path / "scored.toml"
    own.write_text(scoring_submissions(CHANGSHAN.read_text("utf-8")), "utf-8")
    cli.ok("init", "--ruleset", str(own))
    cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], ROSTER)))
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, RECORDS)))
    # Nothing is scored for submissions before their month is settled.
    before = json.loads(cli.ok("standings", "--period", "2024Q2", "--format", "json"))
    assert before["groups"][0]["rows"][0]["columns"]["报送得分"] == 0
    for month in ("2024-04", "2024-05", "2024-06"):
        cli.ok("quota", "settle", "--month", month)
    # 天马街道 8 + 2 + 3 (capped 5 + 2 + 3), 紫港街道 8 (5), 球川镇 6 (5); 发展和改革局 4, in a
    # group without a quota: its points, no base score.
    expected = {"天马街道": (10, 10), "紫港街道": (5, 10), "金川街道": (0, 0), "球川镇": (5, 0)}

    def credits() -> dict[str, tuple[int, int]]:
        data = json.loads(cli.ok("standings", "--period", "2024Q2", "--format", "json"))
        return {
            r["unit"]: (r["columns"]["报送得分"], r["columns"]["基础分"])
            for g in data["groups"]
            for r in g["rows"]
            if r["unit"] in expected or r["unit"] == "发展和改革局"
        }

    assert credits() == expected | {"发展和改革局": (4, 0)}
    # Settling again with the same data changes nothing.
    assert "没有新的变更" in cli.ok("quota", "settle", "--month", "2024-05")
    # Late submissions: 球川镇 reaches May's 8 (its points stay at the cap of 5, the base score
    # is written), 天马街道 has 3 in May (2 points reversed, 3 written).
    late = [
        ["2024-05-28", "球川镇", "submission", 2, "", "", "", ""],
        ["2024-05-29", "天马街道", "submission", 1, "", "", "", ""],
    ]
    out = cli.ok("records", "import", str(write_csv(tmp_path / "late.csv", HEADER, late)))
    assert "2024年5月 球川镇（报送 8/8）：+5 → +15" in out
    assert "2024年5月 天马街道（报送 3/8）：+2 → +3" in out
    assert credits() == expected | {
        "发展和改革局": (4, 0), "天马街道": (11, 10), "球川镇": (5, 10),
    }  # fmt: skip
    store_lines = asyncio.run(unit_lines(cli.db, "天马街道"))
    assert "报送得分 2（报送 2 条，每月封顶 5 分）" in store_lines
    assert any("补录报送，重新结算 2024-05" in line for line in store_lines)
    assert "报送得分 3（报送 3 条，每月封顶 5 分）" in store_lines


def with_quota_penalties(text: str) -> str:
    """The Changshan method with deductions for a quarter without a long piece, and a monthly
    quota of 5 for two units of different groups (a class that is not a ranking group)."""
    penalty = (
        'id = "{id}"\nlabel = "{label}"\nkind = "penalty"\npoints = {points}\ncolumn = "调整分"'
    )
    items = [
        ("long.missed", "未完成长篇信息任务", -5),
        ("long.missed_again", "经提醒后仍未完成长篇信息任务", -10),
        ("key.missed", "未完成重点单位报送任务", -3),
        ("key.missed_again", "经提醒后仍未完成重点单位报送任务", -6),
    ]
    added = "".join(
        "[[items]]\n" + penalty.format(id=i, label=label, points=points) + "\n\n"
        for i, label, points in items
    )
    return text.replace(
        'kinds = ["long"]\n',
        'kinds = ["long"]\n'
        'penalties = { missed = "long.missed", missed_again = "long.missed_again" }\n',
    ).replace(
        "# 三(二)1: adopted at county level.",
        '[[quotas]]\nid = "key.units"\nlabel = "重点单位报送"\n'
        'units = ["发展和改革局", "紫港街道"]\nminimum = 5\n'
        'penalties = { missed = "key.missed", missed_again = "key.missed_again" }\n\n'
        + added
        + "# 三(二)1: adopted at county level.",
    )


def test_quotas_apart_from_groups_settle_in_their_own_periods(cli: Cli, tmp_path: Path) -> None:
    own = tmp_path / "quotas.toml"
    own.write_text(with_quota_penalties(CHANGSHAN.read_text("utf-8")), "utf-8")
    cli.ok("rules", "check", str(own))
    cli.ok("init", "--ruleset", str(own))
    shown = cli.ok("rules", "show")
    assert (
        "报送任务 长篇信息（towns.long）：乡镇（街道）每季度不少于 1 条（只计 长篇信息），"
        "未完成扣 5 分，经提醒后仍未完成扣 10 分"
    ) in shown
    assert "报送任务 重点单位报送（key.units）：发展和改革局、紫港街道每月不少于 5 条" in shown
    cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], ROSTER)))
    # 紫港街道's one long piece of the quarter; the others' submissions are not long pieces.
    long = [["2024-05-15", "紫港街道", "长篇信息", 1, "", "", "紫港街道长篇", ""]]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, RECORDS + long)))
    april = cli.ok("quota", "settle", "--month", "2024-04")
    # The class quota, monthly: 发展和改革局 4 of 5 (紫港街道's 8 meet it).
    assert "2024年4月 发展和改革局（重点单位报送 4/5）：不扣分 → -3" in april
    assert "紫港街道（重点单位报送" not in april
    # The towns' monthly quota deducts nothing in this method: a miss costs the base score.
    assert (
        "其中 2 个未完成" in april and "球川镇（乡镇（街道））：报送 0/8，未完成，不扣分" in april
    )
    may = cli.ok("quota", "settle", "--month", "2024-05")
    assert "2024年5月 发展和改革局（重点单位报送 0/5）：不扣分 → -6" in may
    assert "2024年5月 紫港街道（重点单位报送 1/5）：不扣分 → -3" in may
    # No quarter ends with May: the long pieces are not settled yet.
    assert "长篇信息" not in april + may
    dry = cli.ok("quota", "settle", "--month", "2024-06", "--dry-run")
    assert "其他报送任务试算，扣分将有变更：" in dry
    assert "2024年第二季度 天马街道（长篇信息 0/1）：不扣分 → -5" in dry
    june = cli.ok("quota", "settle", "--month", "2024-06")
    assert "其他报送任务结算，扣分有变更：" in june
    # The quarter ends with June: the towns' long pieces, counted apart from other submissions
    # (天马街道 submitted 13 pieces, none of them long).
    for town in ("天马街道", "金川街道", "球川镇"):
        assert f"2024年第二季度 {town}（长篇信息 0/1）：不扣分 → -5" in june
    assert "紫港街道（长篇信息" not in june
    for month in ("2024-07", "2024-08", "2024-09"):
        september = cli.ok("quota", "settle", "--month", month, "--allow-empty")
    # A second quarter without one after a letter: the streak, in quarters.
    assert "2024年第三季度 金川街道（长篇信息 0/1）：不扣分 → -10" in september
    assert "2024年第三季度 紫港街道（长篇信息 0/1）：不扣分 → -5" in september

    def adjustments(period: str) -> dict[str, int]:
        data = json.loads(cli.ok("standings", "--period", period, "--format", "json"))
        return {r["unit"]: r["columns"]["调整分"] for g in data["groups"] for r in g["rows"]}

    assert adjustments("2024Q2") == {
        "紫港街道": -10 - 3 - 6, "天马街道": -5, "金川街道": -5, "球川镇": -5,
        "发展和改革局": -3 - 6 - 6,
    }  # fmt: skip
    # 天马街道's long piece of June, found late: its quarter is settled again, and the next
    # quarter's deduction is a first one again.
    late = [["2024-06-10", "天马街道", "长篇信息", 1, "", "", "天马街道长篇", ""]]
    out = cli.ok("records", "import", str(write_csv(tmp_path / "late.csv", HEADER, late)))
    assert "2024年第二季度 天马街道（长篇信息 1/1）：-5 → 不扣分" in out
    assert "2024年第三季度 天马街道（长篇信息 0/1）：-10 → -5" in out
    assert adjustments("2024Q2")["天马街道"] == 0
    assert adjustments("2024Q3")["天马街道"] == -5
    assert "没有新的变更" in cli.ok("quota", "settle", "--month", "2024-06")


async def test_the_scheduled_settlement_sends_a_quarterly_quota_letter(
    database: str, tmp_path: Path
) -> None:
    """The settlement of a quarter's last month settles the quarter's long pieces, and the
    unit that had none is sent its letter."""
    own = tmp_path / "quotas.toml"
    own.write_text(with_quota_penalties(CHANGSHAN.read_text("utf-8")), "utf-8")
    await prepare_db(database, str(own), [[name, group, ""] for name, group in ROSTER])
    june = [["2026-06-08", "天马街道", "submission", 8, "", "", "", ""]]
    store = await Store.open(database)
    try:
        path = write_csv(tmp_path / "r.csv", HEADER, june)
        await import_records(store, path, "test", at(2026, 6, 30))
    finally:
        await store.close()
    with clock(at(2026, 6, 30, 10)) as time:
        async with (
            FakeBotApi() as server,
            bot_on(server, database, ruleset=str(own), **CALENDAR_ONLY) as chat,
        ):
            await idle(chat, at(2026, 6, 30, 10))
            await chat.join(LIAISON, "天马街道")
            await run_at(chat, time, at(2026, 7, 1))
            (letter,) = received(chat, LIAISON, "【提醒函】")
            (summary,) = received(chat, ADMIN, "【月度结算】")
    # The towns' monthly quota deducts nothing: three towns missed it, none was penalised.
    assert "已结算 4 个单位：完成任务 1 个，扣分 0 个" in summary
    assert "2026年第二季度贵单位报送长篇信息 0 条，未完成不少于 1 条的任务" in letter
    assert "扣 5 分（未完成长篇信息任务）" in letter


async def unit_lines(db: str, unit: str) -> list[str]:
    """The explanations of a unit's ledger lines in 2024 Q2, reversals included."""
    store = await Store.open(db)
    try:
        async with store.reading() as tx:
            unit_id, _ = await tx.units.resolve_unit(unit)
        return [line.explanation for line in await ledger_lines(store, unit_id, quarter(2024, 2))]
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (('quota_met = "quota.base"', 'quota_met = "adjustment"'),
         "monthly_credits.quota_met 中的 adjustment 不是加分项"),
        (('groups = ["乡镇（街道）"]', 'groups = ["乡镇"]'),
         "任务 towns.long 的 groups 中 乡镇 不是分组"),
        (('kinds = ["long"]', 'kinds = ["short"]'),
         "任务 towns.long 的 kinds 中 short 不是报送类别（submission_kinds）"),
        (('groups = ["乡镇（街道）"]\n', ""), "任务 towns.long 须写明适用的分组 groups 或单位 units"),
        (('["基础分", "总分"]', '["基础分", "累计"]'),
         "bulletin.year_to_date_columns 中的 累计 不是通报的列"),
    ],
)  # fmt: skip
def test_rules_check_refuses_a_wrong_credit_quota_or_year_column(
    cli: Cli, tmp_path: Path, change: tuple[str, str], refusal: str
) -> None:
    own = tmp_path / "wrong.toml"
    text = CHANGSHAN.read_text("utf-8")
    assert change[0] in text
    own.write_text(text.replace(*change), "utf-8")
    result = cli("rules", "check", str(own))
    assert result.code != 0
    assert refusal in result.out + result.err


@pytest.mark.parametrize(
    ("adoptions", "submissions", "rate"),
    [(5, 13, "38.5%"), (1, 8, "12.5%"), (2, 3, "66.7%"), (1, 16, "6.3%"), (0, 4, "0.0%"),
     (3, 2, "150.0%"), (0, 0, "—"), (2, 0, "—")],
)  # fmt: skip
def test_adoption_rate_one_decimal_rounded_half_up(
    adoptions: int, submissions: int, rate: str
) -> None:
    assert adoption_rate(adoptions, submissions) == rate


def roster_ordered(text: str) -> str:
    return text.replace('listing = "all"\norder = "total"', 'listing = "all"\norder = "roster"')


def test_roster_order_lists_units_as_the_roster_without_ranks(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "常山县人民政府办公室")
    own = tmp_path / "roster-order.toml"
    own.write_text(roster_ordered(CHANGSHAN.read_text("utf-8")), "utf-8")
    cli.ok("init", "--ruleset", str(own))
    cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], ROSTER)))
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, RECORDS)))
    data = json.loads(cli.ok("standings", "--period", "2024Q2", "--format", "json"))
    rows = data["groups"][0]["rows"]
    assert [(r["rank"], r["unit"], r["total"]) for r in rows] == [
        (None, "天马街道", 45), (None, "紫港街道", 110), (None, "金川街道", 0), (None, "球川镇", 55),
    ]  # fmt: skip
    text = cli.ok("standings", "--period", "2024Q2", "--format", "csv")
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "排名" not in header and header[:2] == ["分组", "单位"]
    # The bulletin's tables number the rows (序号) instead of ranking them, and say so.
    out = tmp_path / "bulletin.xlsx"
    cli.ok("bulletin", "--period", "2024Q2", "--format", "xlsx", "--out", str(out))
    (sheet,) = [s for s in load_workbook(out).worksheets if s.title.startswith("乡镇")]
    cells = list(sheet.iter_rows(values_only=True))
    head = next(n for n, row in enumerate(cells) if row[1] == "单位")
    assert cells[head][:9] == (
        "序号", "单位", "采用条数", "报送条数", "县级采用", "市级采用", "采用率", "基础分",
        "县级采用得分",
    )  # fmt: skip
    assert [row[:2] for row in cells[head + 1 : head + 5]] == [
        (1, "天马街道"), (2, "紫港街道"), (3, "金川街道"), (4, "球川镇"),
    ]  # fmt: skip
    docx_out = tmp_path / "bulletin.docx"
    cli.ok("bulletin", "--period", "2024Q2", "--format", "docx", "--out", str(docx_out))
    paragraphs = "\n".join(p.text for p in docx.Document(str(docx_out)).paragraphs)
    assert "各组按单位名册顺序排列，不排名次。" in paragraphs


def test_a_modifier_adds_different_points_on_different_items() -> None:
    text = builtin_ruleset_text("dengkou-2024").replace(
        'id = "endorse.city_leader"', 'id = "endorse.city_leader"\npoints_on = { "city.jccc" = 50 }'
    )
    ruleset = parse_ruleset(text)
    day = date(2024, 5, 6)
    on_jccc = score(
        ruleset, Record("财政局", day, "city.jccc", modifiers=(("endorse.city_leader", 2),))
    )
    on_zwyq = score(
        ruleset, Record("财政局", day, "city.zwyq.main", modifiers=(("endorse.city_leader", 1),))
    )
    assert [e.points for e in on_jccc.entries] == [1800, 10000]
    assert [e.points for e in on_zwyq.entries] == [600, 3000]
    assert on_jccc.explanation == "《决策参考》18 + 市领导同志批示×2 100 = 118"
    # `rules show` and the bulletin's notes give both values.
    assert "+30、《决策参考》+50" in ruleset_text(ruleset)
    empty = build_standings(ruleset, quarter(2024, 2), [], {}, {})
    notes = "\n".join(notes_text(build_bulletin(ruleset, empty).notes))
    assert "市领导同志批示加30分" in notes and "市领导同志批示（《决策参考》）加50分" in notes


def test_seeds_have_no_new_keys_in_their_standings() -> None:
    ruleset = parse_ruleset(builtin_ruleset_text("ordos-2020"))
    units = [UnitRef(1, "准格尔旗", "旗区")]
    table = build_standings(ruleset, quarter(2020, 2), units, {1: (1, 1, 1, 1, 5, 0, 0, 0)}, {})
    (row,) = table.to_json()["groups"][0]["rows"]
    assert list(row) == ["rank", "unit", "adoption_count", "columns", "raw_total", "total"]


@pytest.mark.parametrize("order", ["total", "roster"])
async def test_me_and_rank_show_the_count_columns(
    database: str, tmp_path: Path, order: str
) -> None:
    """A liaison's /me and /rank under a method with count columns show them and the rate; in
    roster order they show no rank."""
    own = tmp_path / "method.toml"
    text = CHANGSHAN.read_text("utf-8")
    own.write_text(roster_ordered(text) if order == "roster" else text, "utf-8")
    await prepare_db(
        database, str(own), [["天马街道", "乡镇（街道）", ""], ["紫港街道", "乡镇（街道）", ""]]
    )
    # Today in the office's time zone: in the quarter and month /me shows.
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    records = [
        [today, "紫港街道", "submission", 8, "", "", "", ""],
        [today, "紫港街道", "county.yqkb", 2, "", "", "紫港街道招商", ""],
        [today, "紫港街道", "city.exchange", 1, "", "", "紫港街道经验", ""],
        # The base score, as a settlement writes it.
        [today, "紫港街道", "quota.base", 1, "", "", "", ""],
        [today, "天马街道", "submission", 4, "", "", "", ""],
        [today, "天马街道", "county.csgz", 1, "", "", "天马街道夏粮", ""],
    ]
    store = await Store.open(database)
    try:
        path = write_csv(tmp_path / "r.csv", HEADER, records)
        await import_records(store, path, "test", datetime.now(ZoneInfo("Asia/Shanghai")))
    finally:
        await store.close()
    async with running_bot(database, ruleset=str(own)) as chat:
        await chat.join(LIAISON, "紫港街道")
        me = flat((await chat.ask(LIAISON, "/me")).text)
        rank = flat((await chat.ask(LIAISON, "/rank")).message["text"])
        why = flat((await chat.ask(LIAISON, "/why")).text)
        # Last quarter's bulletin (nothing in it) published: the unit is told its place, or,
        # in roster order, only its total.
        number = (date.fromisoformat(today).month - 1) // 3 + 1
        year = int(today[:4])
        last = f"{year}Q{number - 1}" if number > 1 else f"{year - 1}Q4"
        chat.say(ADMIN, f"/bulletin {last}")
        draft = await chat.server.wait_for(lambda m: "通报草稿】" in (m.text or ""), chat_id=ADMIN)
        await chat.press(ADMIN, draft, "发布")
        told = await chat.server.wait_for(lambda m: "通报】" in flat(m.text), chat_id=LIAISON)
    counted = "报送条数 8，县级采用 2，市级采用 1，采用率 37.5%，基础分 10"
    assert counted in me and "得分 100" in me
    assert f"本单位：{counted}" in rank
    # /why explains the points entry by entry, then what the method counts beside them.
    assert "合计 100 分" in why and f"本单位：{counted}" in why
    if order == "total":
        assert "组内第 1 名，共 2 个单位" in me and "排名" in rank
        assert flat(told.text).endswith("紫港街道（乡镇（街道））：第 1 名（共 2 个单位），总分 0")
    else:
        assert flat(told.text).endswith("紫港街道（乡镇（街道））：总分 0")
        assert "本办法按名册顺序通报，不排名次" in me and "组内第" not in me
        assert "排名" not in rank
        # The roster's order: 天马街道 (10) above 紫港街道 (100).
        assert rank.index("天马街道") < rank.index("紫港街道")
