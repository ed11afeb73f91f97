"""Periods as people write them, and registers as offices really keep them, through the command
line and in chat: 2024年第二季度 and 上季度 read, every period named in Chinese, files named for
what they hold; register headers, a unit merged down its rows, dates without a year, a formula
in a total row, a dry run, every refusal of a file in one pass."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from tests.chat import ADMIN, LIAISON, flat, running_bot
from tests.conftest import Cli, write_csv

ZONE = ZoneInfo("Asia/Shanghai")
QUARTERS = "一二三四"


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    roster = write_csv(
        tmp_path / "units.csv",
        ["name", "group", "aliases"],
        [["教育局", "A", "县教育局"], ["公安局", "B", ""], ["审计局", "B", ""]],
    )
    cli.ok("units", "import", str(roster))
    return cli


def records_csv(path: Path, rows: list[list[object]]) -> Path:
    return write_csv(path, ["date", "unit", "item", "count", "points", "modifiers", "title"], rows)


def totals(cli: Cli, period: str) -> dict[str, int]:
    data = json.loads(cli.ok("standings", "--period", period, "--format", "json"))
    return {row["unit"]: row["raw_total"] for g in data["groups"] for row in g["rows"]}


# --- periods ---------------------------------------------------------------------------------


def test_periods_as_people_write_them_on_the_command_line(
    office: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    office.ok(
        "records", "import",
        str(records_csv(tmp_path / "r.csv", [
            ["2024-05-06", "教育局", "city.jccc", 1, None, None, "一篇调研"],
            ["2024-05-07", "公安局", "报送", 3, None, None, None],
            ["2024-07-02", "审计局", "city.jccc", 1, None, None, "七月的调研"],
        ])),
    )  # fmt: skip
    q2 = office.ok("standings", "--period", "2024Q2", "--format", "json")
    for words in ("2024年第二季度", "2024年二季度", "2024年第2季度"):
        assert office.ok("standings", "--period", words, "--format", "json") == q2
    assert totals(office, "2024年5月") == {"教育局": 18, "公安局": 0, "审计局": 0}
    assert totals(office, "2024年")["审计局"] == 18
    with time_machine.travel(datetime(2024, 8, 10, 9, tzinfo=ZONE), tick=False):
        assert office.ok("standings", "--period", "上季度", "--format", "json") == q2
        assert totals(office, "本月") == {"教育局": 0, "公安局": 0, "审计局": 0}
        assert totals(office, "上月")["审计局"] == 18
        assert totals(office, "今年")["教育局"] == 18
        assert "2024年第三季度" in office.ok("standings", "--period", "本季度")
        # Named in Chinese, never by its label.
        text = office.ok("standings", "--period", "上季度")
        assert "2024年第二季度（2024-04-01 至 2024-06-30）" in text and "2024Q2" not in text
        assert office.ok("period", "lock", "上月").strip() == (
            "已锁定 2024年7月：期间内的记录、冲正、批示和结算都不能再变更。"
        )
        again = office("period", "lock", "2024-07")
        assert again.code == 1 and again.err.startswith("2024年7月 已于")
        listed = office.ok("period", "list")
        assert "2024年7月（2024-07-01 至 2024-07-31）" in listed and "2024-07 " not in listed
        # A month to settle, as people write it; the dry run only says what it would do.
        dry = office.ok("quota", "settle", "--month", "2024年5月", "--dry-run")
        assert "2024年5月 月度报送任务试算：将结算 3 个单位，其中 3 个未完成，将扣分" in dry
        assert "公安局（B）：报送 3/8，未完成，将扣分并下发提醒函 -30" in dry
        assert "已记入流水" not in dry and "2024-05" not in dry
        assert totals(office, "2024年5月")["公安局"] == 0
        done = office.ok("quota", "settle", "--month", "2024年5月")
        assert "2024年5月 月度报送任务结算：3 个单位，其中 3 个未完成（扣分已记入流水）" in done
        assert totals(office, "2024年5月")["公安局"] == -30
    refused = office("standings", "--period", "2024年第五季度")
    assert (
        refused.code == 1 and "无法识别的期间 2024年第五季度：请写成 2024年第二季度" in refused.err
    )
    # --out is optional: files are named for the period in Chinese.
    assert office.ok("standings", "--period", "2024年5月", "--format", "xlsx").strip() == (
        "已写入 排名-2024年5月.xlsx"
    )
    sheet = load_workbook(tmp_path / "排名-2024年5月.xlsx").worksheets[0]
    assert "2024年5月" in str(sheet.cell(1, 1).value)
    written = office.ok("bulletin", "--period", "2024年第二季度", "--format", "xlsx")
    assert written.startswith("已写入 通报-2024年第二季度.xlsx（2024年第二季度通报草稿")
    assert (tmp_path / "通报-2024年第二季度.xlsx").stat().st_size > 0


async def test_periods_as_people_write_them_in_chat(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        today = chat.settings.now().date()
        month = f"{today.year}年{today.month}月"
        quarter = f"{today.year}年第{QUARTERS[(today.month - 1) // 3]}季度"
        last = (
            date(today.year - 1, 12, 1)
            if today.month == 1
            else today.replace(day=1, month=today.month - 1)
        )
        await chat.join(LIAISON, "公安局")
        # A submission dated in last month names that month, not `2026-11`.
        dated = (
            await chat.ask(LIAISON, f"/submit 上月的一条报送 {last.replace(day=2).isoformat()}")
        ).text
        assert f"公安局 {last.year}年{last.month}月已报送 1 条" in dated
        assert f"{last:%Y-%m}已报送" not in dated
        rank = (await chat.ask(LIAISON, "/rank 本季度")).text
        assert f"B类 {quarter}，" in rank
        assert (
            await chat.ask(
                LIAISON, f"/rank {today.year}年 第{QUARTERS[(today.month - 1) // 3]}季度"
            )
        ).text == rank
        standings = (await chat.ask(ADMIN, "/standings 本月")).text
        assert standings.startswith(f"{month} 排名")
        chat.say(ADMIN, f"/export {quarter}")
        sent = await chat.server.wait_for(lambda m: m.document is not None, chat_id=ADMIN)
        assert sent.document is not None
        assert sent.document.filename == f"记录与排名-{quarter}.xlsx"
        assert flat(sent.caption) == f"{quarter} 的记录、积分流水和排名"
        locked = (await chat.ask(ADMIN, "/lock 上月")).text
        assert locked.startswith(f"已锁定 {last.year}年{last.month}月：")
        refused = (await chat.ask(ADMIN, "/lock 上上月")).text
        assert "无法识别的期间 上上月" in refused


# --- files as registers are kept -------------------------------------------------------------

REGISTER_HEADER = ["序号", "报送单位", "采用时间", "采用刊物（栏目）", "信息标题", "领导批示"]


def register(path: Path, rows: list[list[object]], merge: str | None = None) -> Path:
    """A register as offices keep it: a title, the header on row 2, the unit merged down its
    rows, and a total row whose formula Excel never calculated (openpyxl saves no value)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "采用登记"
    sheet.append(["2024年信息采用登记表"])
    sheet.append(REGISTER_HEADER)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    last = sheet.max_row
    sheet.append(["合计", None, None, None, f"=COUNTA(E3:E{last})", None])
    if merge:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def test_a_register_as_offices_keep_it(office: Cli, tmp_path: Path) -> None:
    rows = [
        ["教育局", "2024年6月3日", "《决策参考》", "关于沙漠治理的调研", "市领导同志批示"],
        [None, "6月10日", "《政务要情》简讯", "开学第一课", None],  # its unit merged from above
        [None, "2024/6/12", "《决策参考》", "职业教育的建议", None],
        ["公安局", "6月20日", "《政务要情》简讯", "冬季安全", None],
    ]
    path = register(tmp_path / "登记表.xlsx", rows, merge="B3:B5")
    # A dry run shows what would be stored and stores nothing.
    dry = office.ok("records", "import", "--dry-run", str(path))
    assert "试导入（未保存任何内容）：将导入 4 行，4 条记录（其中报送 0 条），" in dry
    assert "已跳过合计行：第 7 行" in dry
    assert totals(office, "2024年6月") == {"教育局": 0, "公安局": 0, "审计局": 0}
    out = office.ok("records", "import", str(path))
    assert "记录已导入：4 行，4 条记录" in out
    # The yearless days took the file's year, 2024; the merged cell gave 教育局 three rows.
    assert totals(office, "2024年6月") == {"教育局": 18 + 30 + 3 + 18, "公安局": 3, "审计局": 0}


def test_publication_and_column_kept_apart(office: Cli, tmp_path: Path) -> None:
    """刊物 and 栏目 in two columns name the item together; 栏目 alone names it too."""
    apart = tmp_path / "apart.csv"
    write_csv(
        apart,
        ["报送单位", "采用时间", "刊物", "栏目", "信息标题"],
        [
            ["教育局", "2024-06-03", "《政务要情》", "简讯", "一则简讯"],
            ["公安局", "2024-06-04", "《决策参考》", None, "一篇参考"],
        ],
    )
    assert "2 条记录" in office.ok("records", "import", str(apart))
    alone = write_csv(
        tmp_path / "alone.csv",
        ["报送单位", "采用时间", "栏目", "信息标题"],
        [["审计局", "2024-06-05", "《政务要情》简讯", "又一则简讯"]],
    )
    assert "1 条记录" in office.ok("records", "import", str(alone))
    assert totals(office, "2024年6月") == {"教育局": 3, "公安局": 18, "审计局": 3}


def test_a_formula_without_value_in_a_record_row_is_refused(office: Cli, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(REGISTER_HEADER)
    sheet.append([1, "教育局", "2024-06-03", "《决策参考》", '=CONCAT("调研","一")', None])
    sheet.append(["合计", None, None, None, "=COUNTA(E2:E2)", None])
    book.save(tmp_path / "f.xlsx")
    refused = office("records", "import", str(tmp_path / "f.xlsx"))
    assert refused.code == 1
    assert "单元格 E2 是公式，但文件里没有保存计算结果" in refused.err
    assert "E3" not in refused.err


def test_a_day_without_its_year_when_the_file_does_not_say(office: Cli, tmp_path: Path) -> None:
    rows = [
        ["2024-12-28", "教育局", "报送", 1, None, None, "年末的一条"],
        ["2025-03-02", "教育局", "报送", 1, None, None, "年初的一条"],
        ["6月10日", "公安局", "city.jccc", 1, None, None, "哪一年的"],
    ]
    path = records_csv(tmp_path / "r.csv", rows)
    refused = office("records", "import", str(path))
    assert refused.code == 1
    assert refused.err.splitlines()[1:] == [
        "第 4 行：日期 6月10日 没有写年份，而文件中其他日期分属 2024、2025 年，无法确定是哪一年："
        "请写明年份，或在导入时用 --year 指定年份"
    ]
    alone = records_csv(tmp_path / "alone.csv", [rows[2]])
    assert "用 --year 指定年份" in office("records", "import", str(alone)).err
    assert "1 条记录" in office.ok("records", "import", "--year", "2024", str(alone))
    assert totals(office, "2024年6月")["公安局"] == 18


def test_one_pass_names_stored_and_locked_rows_together(office: Cli, tmp_path: Path) -> None:
    first = [["2024-06-05", "教育局", "city.jccc", 1, None, None, "六月的调研"]]
    office.ok("records", "import", str(records_csv(tmp_path / "first.csv", first)))
    office.ok("records", "import", str(records_csv(tmp_path / "may.csv", [
        ["2024-05-06", "审计局", "city.jccc", 1, None, None, "五月的调研"],
    ])))  # fmt: skip
    office.ok("period", "lock", "2024年5月")
    again = [
        ["2024-05-08", "公安局", "报送", 1, None, None, "五月补录"],
        *first,
        ["2024-06-09", "公安局", "报送", 1, None, None, "六月新的一条"],
    ]
    refused = office("records", "import", "--dry-run", str(records_csv(tmp_path / "a.csv", again)))
    assert refused.code == 1
    lines = refused.err.splitlines()
    assert lines[0] == "文件有 2 处错误，已整体拒绝，未保存任何内容："
    assert lines[1].startswith("第 2 行：") and "已锁定的期间 2024年5月" in lines[1]
    assert lines[2].startswith("第 3 行：")
    assert totals(office, "2024年6月")["公安局"] == 0


def test_template_before_a_roster_and_without_out(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cli.ok("init", "--ruleset", "dengkou-2024")
    out = cli.ok("template", "records")
    assert out.splitlines()[0].startswith("已写入模板 政务信息登记表.xlsx")
    assert "单位名单是空的" in out and "govinfo-bot units import" in out
    assert (tmp_path / "政务信息登记表.xlsx").exists()
    assert "单位名单是空的" not in cli.ok("template", "units")
    assert (tmp_path / "单位名单.xlsx").exists()
