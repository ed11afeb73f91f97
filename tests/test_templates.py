"""Templates an office fills in and imports as they are: instructions and examples first, the
importer's own header, dropdowns from the roster and the ruleset, date columns."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import Cli, write_csv


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    units = [["教育局", "A", "县教育局"], ["公安局", "B", ""], ["审计局", "C", ""]]
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], units))
    )
    return cli


def test_the_records_template(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "登记表.xlsx"
    said = office.ok("template", "records", "--out", str(out))
    assert "在「登记表」工作表中填写后，运行 govinfo-bot records import" in said
    book = load_workbook(out)
    assert book.sheetnames == ["填写说明", "登记表", "选项"]
    assert book["选项"].sheet_state == "hidden"
    sheet = book["登记表"]
    assert [c.value for c in sheet[2]] == [
        "日期",
        "单位",
        "项目",
        "数量",
        "分值",
        "批示",
        "标题",
        "备注",
    ]
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["A"].number_format == "yyyy-mm-dd"
    validations = {
        str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation
    }
    assert validations["A3:A2002"][0] == "date"
    assert validations["B3:B2002"] == ("list", "='选项'!$A$2:$A$4")
    assert validations["C3:C2002"] == ("list", "='选项'!$B$2:$B$35")
    assert validations["D3:D2002"][0] == "whole"
    assert validations["F3:F2002"] == ("list", "='选项'!$C$2:$C$6")
    options = [[c for c in row] for row in book["选项"].iter_rows(values_only=True)]
    assert [r[0] for r in options[1:4]] == ["教育局", "公安局", "审计局"]
    assert options[1][1] == "报送" and options[2][1] == "《政务要情》重要信息/部门工作/旗县区动态"
    assert options[1][2] == "市领导同志批示"
    # The examples lie below the rows the importer looks at for a header.
    notes = [list(r) for r in book["填写说明"].iter_rows(values_only=True)]
    example_header = next(n for n, r in enumerate(notes, start=1) if r[0] == "日期")
    assert example_header > 10
    assert isinstance(notes[example_header][0], datetime) and notes[example_header][2] == "报送"


def test_a_filled_template_imports_as_it_is(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "登记表.xlsx"
    office.ok("template", "records", "--out", str(out))
    # Imported empty, it stores nothing and says so.
    assert "0 行，0 条记录" in office.ok("records", "import", str(out))
    book = load_workbook(out)
    sheet = book["登记表"]
    filled = [
        [date(2024, 5, 6), "教育局", "《决策参考》", 1, None, "市领导同志批示", "关于沙漠治理的调研", None],
        [date(2024, 5, 7), "公安局", "报送", 3, None, None, None, None],
        [date(2024, 5, 8), "县教育局", "调整（须注明原因）", 1, -5, None, None, "更正误记"],
    ]  # fmt: skip
    for row, values in enumerate(filled, start=3):
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    book.save(out)
    out = office.ok("records", "import", str(out))
    assert "3 行，5 条记录（其中报送 3 条）" in out
    data = json.loads(office.ok("standings", "--period", "2024-05", "--format", "json"))
    totals = {r["unit"]: r["raw_total"] for g in data["groups"] for r in g["rows"]}
    assert totals == {"教育局": 48 - 5, "公安局": 0, "审计局": 0}


def test_the_units_template_filled_and_imported(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "单位名单.xlsx"
    office.ok("template", "units", "--out", str(out))
    book = load_workbook(out)
    assert book.sheetnames == ["填写说明", "单位名单", "选项"]
    sheet = book["单位名单"]
    assert [c.value for c in sheet[2]] == ["单位名称", "分组", "别名"]
    (validation,) = sheet.data_validations.dataValidation
    assert (validation.type, validation.formula1) == ("list", "='选项'!$A$2:$A$4")
    for row, values in enumerate(
        [["水利局", "C类", "县水利局、水利"], ["公安局", "A类", ""]], start=3
    ):
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    book.save(out)
    assert "新增 1 个，更新 1 个，共 4 个单位" in office.ok("units", "import", str(out))
