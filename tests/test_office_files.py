"""Files as offices make them: a title row merged across the table, blank rows, Chinese column
names, an instruction sheet first, dates typed every way, items by any name the chat accepts, a
total row at the bottom, CSV saved by Excel on Chinese Windows (GBK) or with a BOM."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.conftest import Cli
from tests.libreoffice import soffice
from tests.xlsxraw import sheet_xml, write_xlsx

CN_HEADER = ["序号", "日期", "单位名称", "项目", "数量", "分值", "批示", "标题", "备注"]


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "单位名单"
    sheet.append(["磴口县政务信息考评单位名单（2024年）"])
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["序号", "单位名称", "类别", "别名"])
    sheet.append([1, "教育局", "A类", "县教育局、教育"])
    sheet.append([2, "公安局", "b", "县公安局，公安"])
    sheet.append([3, "审计局", "B", None])
    path = tmp_path / "单位名单.xlsx"
    book.save(path)
    assert "新增 3 个" in cli.ok("units", "import", str(path))
    return cli


def totals(cli: Cli, period: str) -> dict[str, int]:
    data = json.loads(cli.ok("standings", "--period", period, "--format", "json"))
    return {row["unit"]: row["raw_total"] for g in data["groups"] for row in g["rows"]}


def office_register(path: Path, rows: list[list[object]], *, sheet: str = "5月登记表") -> Path:
    """A register as an office keeps it: instructions first, a merged title, a blank row, the
    header on row 3, the records, and a total row."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "填写说明"
    for line in ("1. 每条信息填写一行", "2. 日期写 2024/5/6 或 2024年5月6日 均可", "3. 单位写全称"):
        notes.append([line])
    data = book.create_sheet(sheet)
    data.append(["2024年5月政务信息报送与采用登记表"])
    data.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(CN_HEADER))
    data.append([])
    data.append(CN_HEADER)
    for number, row in enumerate(rows, start=1):
        data.append([number, *row])
    data.append(["合计", None, None, None, sum(int(str(r[3] or 1)) for r in rows)])
    book.save(path)
    return path


REGISTER = [
    # 日期 in every form, items by any name the chat accepts, modifiers separated by 、
    [date(2024, 5, 6), "教育局", "决策参考", 1, None, "市领导同志批示、市政府办公室领导同志批示",
     "关于沙漠治理的调研", None],
    ["2024/5/7", "县公安局", "《政务要情》 简讯", 2, None, None, "冬季安全工作会议", None],
    ["2024年5月8日", "审计局", "配合承办自治区政府办公厅专项调研", None, None, None, "专项调研", None],
    ["2024.5.9", "教育", "CITY.WECHAT.MAIN", 1, None, None, "开学第一课", None],
    ["20240510", "公安局", "报送", 3, None, None, None, None],
    [45425, "审计局", "submission", 1, None, None, "五月报送", None],  # a date serial: 2024-05-13
    ["2024-5-14", "公安局", "调整", 1, "-5", None, None, "更正四月误记"],
]  # fmt: skip


def test_an_office_register_imports_with_the_right_totals(office: Cli, tmp_path: Path) -> None:
    path = office_register(tmp_path / "登记表.xlsx", REGISTER)
    out = office.ok("records", "import", str(path))
    assert "7 行，10 条记录（其中报送 4 条）" in out
    assert "已跳过合计行：第 11 行" in out
    assert totals(office, "2024-05") == {
        "教育局": 18 + 30 + 20 + 10,
        "公安局": 2 * 3 - 5,
        "审计局": 80,
    }


def test_csv_as_excel_saves_it_gbk_and_utf8_with_bom(office: Cli, tmp_path: Path) -> None:
    lines = [
        "2024年5月报送登记,,,,,,,",
        ",,,,,,,",
        "日期,单位,项目,数量,分值,批示,标题,备注",
        "2024/5/6,公安局,报送,2,,,,",
        "2024/5/7,教育局,决策参考,1,,市领导同志批示,一篇调研,",
        "合计,,,3,,,,",
    ]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    out = office.ok("records", "import", str(gbk))
    assert "2 行，3 条记录（其中报送 2 条）" in out and "已跳过合计行：第 6 行" in out
    bom = tmp_path / "bom.csv"
    lines[3] = "2024/5/8,公安局,报送,2,,,,"
    lines[4] = "2024/5/8,教育局,决策参考,1,,市领导同志批示,另一篇调研,"
    bom.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    assert "2 行，3 条记录（其中报送 2 条）" in office.ok("records", "import", str(bom))
    assert totals(office, "2024-05") == {"教育局": 2 * 48, "公安局": 0, "审计局": 0}


def test_an_ambiguous_item_is_refused_with_numbered_candidates(office: Cli, tmp_path: Path) -> None:
    rows = [["2024-05-06", "教育局", "专报信息", 1, None, None, "一篇专报", None]]
    result = office("records", "import", str(office_register(tmp_path / "r.xlsx", rows)))
    assert result.code == 1
    assert result.err.splitlines() == [
        "工作表「5月登记表」有 1 处错误，已整体拒绝，未保存任何内容：",
        "第 4 行：项目 专报信息 不明确，可能是：1. 《专报信息》前瞻性、预警性（city.zbxx.foresight）；"
        "2. 《专报信息》问题类（city.zbxx.problem）；3. 《专报信息》非问题类（city.zbxx.other）；"
        "4. 自治区《专报信息》（region.zbxx）；5. 自治区《专报信息》问题类（region.zbxx.problem）。"
        "请写完整名称或编号",
    ]


def test_a_sheet_is_chosen_by_name_or_by_its_header(office: Cli, tmp_path: Path) -> None:
    path = office_register(tmp_path / "r.xlsx", REGISTER[4:5], sheet="五月")
    result = office("records", "import", "--sheet", "六月", str(path))
    assert result.code == 1
    assert result.err.strip().endswith("中没有名为「六月」的工作表（有：填写说明、五月）")
    result = office("records", "import", "--sheet", "填写说明", str(path))
    assert result.code == 1 and "的工作表 填写说明 的前 10 行中都没有找到表头" in result.err
    assert "3 条记录" in office.ok("records", "import", "--sheet", "五月", str(path))


def test_a_header_too_far_down_or_missing(office: Cli, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "登记"
    for _ in range(10):
        sheet.append(["说明文字"])
    sheet.append(["日期", "单位", "项目"])
    path = tmp_path / "far.xlsx"
    book.save(path)
    result = office("records", "import", str(path))
    assert result.code == 1
    assert result.err.strip() == (
        f"文件 {path} 的工作表 登记 的前 10 行中都没有找到表头：表头须包含列 日期（date）、"
        "单位（unit）、项目（item）；也可以用 --sheet 指定工作表"
    )
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("日期,单位名称,批示\n2024-05-06,公安局,\n", encoding="utf-8")
    result = office("records", "import", str(csv_path))
    assert result.err.splitlines()[1:] == ["第 1 行：缺少列 项目（item）"]


def test_english_headers_in_any_case_and_marks_of_required_columns(
    office: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Date,UNIT,Item,日期（必填）\n2024-05-06,公安局,报送,\n", encoding="utf-8")
    result = office("records", "import", str(path))
    assert result.err.splitlines()[1:] == ["第 1 行：列 日期（必填） 重复出现"]
    path.write_text("Date*,UNIT,Item,数量(条)\n2024-05-06,公安局,报送,2\n", encoding="utf-8")
    assert "2 条记录" in office.ok("records", "import", str(path))


def test_a_workbook_as_excel_saves_it_with_shared_strings(office: Cli, tmp_path: Path) -> None:
    """Excel and WPS keep a workbook's texts in one shared table, here 3,004 of them (far more
    text than one cell may hold, each well within it), and dates as serial numbers."""
    words = ["日期", "单位", "项目", "标题", "公安局", "报送"]
    titles = [f"关于第{n}项重点工作进展情况的报告" for n in range(3000)]
    shared = [b"<si><t>" + text.encode() + b"</t></si>" for text in words + titles]
    header = b'<row r="1">' + b"".join(
        b'<c r="%s1" t="s"><v>%d</v></c>' % (column, n) for n, column in enumerate([b"A", b"B", b"C", b"D"])
    ) + b"</row>"  # fmt: skip
    rows = [
        b'<row r="%d"><c r="A%d"><v>45418</v></c><c r="B%d" t="s"><v>4</v></c>'
        b'<c r="C%d" t="s"><v>5</v></c><c r="D%d" t="s"><v>%d</v></c></row>'
        % (n + 2, n + 2, n + 2, n + 2, n + 2, n + 6)
        for n in range(len(titles))
    ]
    path = write_xlsx(tmp_path / "excel.xlsx", sheet_xml([header, *rows], "A1:D3001"), shared)
    out = office.ok("records", "import", str(path))
    assert "3000 行，3000 条记录（其中报送 3000 条）" in out


def test_a_register_saved_by_a_spreadsheet_program(office: Cli, tmp_path: Path) -> None:
    """The register saved again by LibreOffice, as Excel and WPS save it: shared strings, date
    cells by their number format, the merged title kept."""
    saved = soffice(tmp_path / "saved", "xlsx", office_register(tmp_path / "登记表.xlsx", REGISTER))
    with zipfile.ZipFile(saved) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
    out = office.ok("records", "import", str(saved))
    assert "7 行，10 条记录（其中报送 4 条）" in out and "已跳过合计行：第 11 行" in out
    assert totals(office, "2024-05") == {"教育局": 78, "公安局": 1, "审计局": 80}
