"""Bad input is refused whole with every bad row named; nothing of a refused file is stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.conftest import Cli, write_csv
from tests.stores import rows as query

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    units = [["教育局", "A", "县教育局;教育"], ["公安局", "B类", ""]]
    cli.ok(
        "units",
        "import",
        str(write_csv(tmp_path / "units.csv", ["name", "group", "aliases"], units)),
    )
    return cli


def counts(cli: Cli) -> tuple[int, int, int]:
    ((records, ledger, batches),) = query(
        cli.db,
        "SELECT (SELECT COUNT(*) FROM records), (SELECT COUNT(*) FROM ledger), "
        "(SELECT COUNT(*) FROM batches)",
    )
    return records, ledger, batches


def test_every_bad_row_is_listed_and_nothing_is_stored(office: Cli, tmp_path: Path) -> None:
    rows = [
        ["2024-05-06", "教育局", "city.jccc", 1, "", "", "好的一行", ""],  # line 2
        ["2024-05-06", "不存在的局", "city.jccc", 1, "", "", "", ""],  # 3
        ["2024-05-06", "教育局", "city.unknown", 1, "", "", "", ""],  # 4
        ["2024-05-06", "教育局", "city.wechat.main", 1, "", "endorse.city_leader", "", ""],  # 5
        ["2024-01-06", "教育局", "city.jccc", 1, "", "", "", ""],  # 6
        ["2024/13/06", "教育局", "city.jccc", 1, "", "", "", ""],  # 7
        ["2024-05-06", "教育局", "city.jccc", 0, "", "", "", ""],  # 8
        ["2024-05-06", "教育局", "city.jccc", 1, 5, "", "", ""],  # 9
        ["2024-05-06", "教育局", "adjustment", 1, "", "", "", "没有分值"],  # 10
        ["2024-05-06", "教育局", "adjustment", 1, 5, "", "", ""],  # 11: no reason
        ["2099-05-06", "教育局", "city.jccc", 1, "", "", "", ""],  # 12
        ["2024-05-06", "县教育局", "报送", 1, "", "", "别名与中文项目名可用", ""],  # 13: fine
    ]
    before = counts(office)
    result = office("records", "import", str(write_csv(tmp_path / "bad.csv", HEADER, rows)))
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == "文件有 10 处错误，已整体拒绝，未保存任何内容："
    assert lines[1:] == [
        "第 3 行：未知的单位 不存在的局",
        "第 4 行：未知的项目 city.unknown",
        "第 5 行：加分项 市领导同志批示 不适用于 市政府办公室微信公众号“政务要情”",
        "第 6 行：日期 2024-01-06 早于规则集生效日期 2024-02-23",
        "第 7 行：无法识别的日期 2024/13/06：可以写 今天、昨天、前天、5月6日、2024年5月6日、"
        "2024-05-06、2024/5/6、2024.5.6、5.6 或 20240506",
        "第 8 行：条数 0 小于 1",
        "第 9 行：只有调整项可以填写分值，《决策参考》 不能填写",
        "第 10 行：调整项必须填写分值",
        "第 11 行：调整项必须在备注（note）列注明原因",
        "第 12 行：日期 2099-05-06 晚于今天",
    ]
    assert counts(office) == before


def test_missing_and_unknown_columns(office: Cli, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "cols.csv", ["date", "unit", "modifers"], [["2024-05-06", "教育局", ""]]
    )
    result = office("records", "import", str(path))
    assert result.code == 1
    assert "第 1 行：缺少列 项目（item）" in result.err
    assert "第 1 行：未知的列 modifers" in result.err


def test_the_same_file_is_not_imported_twice(office: Cli, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv", HEADER, [["2024-05-06", "教育", "city.jccc", 2, "", "", "", ""]]
    )
    assert "2 条记录" in office.ok("records", "import", str(path))
    result = office("records", "import", str(path))
    assert result.code == 1 and "已于" in result.err and "导入过" in result.err
    assert counts(office)[:2] == (2, 2)


def test_xlsx_and_gbk_csv_are_read(office: Cli, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    from datetime import date

    sheet.append(
        [date(2024, 5, 6), "公安局", "《决策参考》", 3, None, "市领导同志批示", "表格导入", None]
    )
    workbook.save(tmp_path / "r.xlsx")
    assert "3 条记录" in office.ok("records", "import", str(tmp_path / "r.xlsx"))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(
        ("\n".join([",".join(HEADER), "2024-05-07,公安局,报送,1,,,,"]) + "\n").encode("gb18030")
    )
    assert "其中报送 1 条" in office.ok("records", "import", str(gbk))


def test_units_import_updates_and_never_duplicates(office: Cli, tmp_path: Path) -> None:
    again = [["教育局", "B", "教育"], ["公安局", "B", ""], ["气象局", "C", ""]]
    out = office.ok(
        "units", "import", str(write_csv(tmp_path / "u2.csv", ["name", "group", "aliases"], again))
    )
    assert "新增 1 个，更新 1 个，共 3 个单位" in out
    assert query(office.db, "SELECT name, group_id FROM units ORDER BY id") == [
        ("教育局", "B"),
        ("公安局", "B"),
        ("气象局", "C"),
    ]
    assert query(office.db, "SELECT alias FROM unit_aliases") == [("教育",)]
    bad = [["新单位", "D", ""], ["公安局", "A", "教育"], ["", "A", ""]]
    result = office(
        "units", "import", str(write_csv(tmp_path / "u3.csv", ["name", "group", "aliases"], bad))
    )
    assert result.code == 1
    assert "第 2 行：未知的分组 D（可用：A类、B类、C类）" in result.err
    assert "第 3 行：别名 教育 已被单位 教育局 使用" in result.err
    assert "第 4 行：未填写单位名称" in result.err


def test_unknown_ruleset_period_and_file_fail_with_one_line(cli: Cli, tmp_path: Path) -> None:
    result = cli("init", "--ruleset", "nowhere-2030")
    assert result.code == 1 and result.err.count("\n") == 1 and "未知的规则集" in result.err
    cli.ok("init", "--ruleset", "dengkou-2024")
    assert "无需变更" in cli.ok("init", "--ruleset", "dengkou-2024")
    result = cli("init", "--ruleset", "ordos-2020")
    assert result.code == 1 and "不能改为 ordos-2020" in result.err
    result = cli("standings", "--period", "2024Q5")
    assert result.code == 1 and "无法识别的期间 2024Q5" in result.err
    result = cli("records", "import", str(tmp_path / "missing.csv"))
    assert result.code == 1 and "无法读取文件" in result.err


def test_console_script_exits_non_zero(tmp_path: Path) -> None:
    """The installed entry point, as an office runs it."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "--db",
            str(tmp_path / "x.sqlite3"),
            "standings",
            "--period",
            "2024",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "数据库尚未初始化：请先运行 govinfo-bot init --ruleset <规则集>"


def test_an_alias_cannot_take_another_units_name(office: Cli, tmp_path: Path) -> None:
    clash = [["甲单位", "A", "乙单位"], ["乙单位", "B", ""]]
    result = office(
        "units", "import", str(write_csv(tmp_path / "c.csv", ["name", "group", "aliases"], clash))
    )
    assert result.code == 1 and "第 2 行：别名 乙单位 已被单位 乙单位 使用" in result.err
    stored = [["丙单位", "A", "教育局"]]
    result = office(
        "units", "import", str(write_csv(tmp_path / "d.csv", ["name", "group", "aliases"], stored))
    )
    assert result.code == 1 and "别名 教育局 已被单位 教育局 使用" in result.err
