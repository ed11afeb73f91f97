"""The files the project writes look finished in Excel and WPS (a title with the period, a
frozen header, widths fitted to CJK text, A4 set up, labels rather than ids, date cells), CSV
opens in Excel on Chinese Windows (a BOM, or GBK), and no text anyone wrote becomes a formula."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from bot.export import period_workbook
from bot.sheets import FORMULA_STARTS, display_width
from bot.storage import Store
from scoring.periods import parse_period
from tests.conftest import Cli, write_csv
from tests.libreoffice import soffice

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HOSTILE = [
    '=HYPERLINK("http://example.com/x","点我")',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
]
UNITS = [
    ["巴彦高勒镇人民政府办公室", "A", ""],
    ["公安局", "B", ""],
    *[[h, "C", ""] for h in HOSTILE],
]
HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], UNITS))
    )
    rows = [
        ["2024-05-06", "公安局", "city.jccc", 1, "", "endorse.city_leader×2", HOSTILE[0], "+备注"],
        ["2024-05-07", "巴彦高勒镇人民政府办公室", "报送", 1, "", "", "@一条报送", ""],
        ["2024-05-08", HOSTILE[1], "adjustment", 1, -5, "", "", "=1+1"],
    ]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    return cli


def cells_of(data: bytes, sheet: str) -> list[ElementTree.Element]:
    """The saved XML's cells of a sheet, as Excel will read them."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = load_workbook(io.BytesIO(data), read_only=True)
        number = book.sheetnames.index(sheet) + 1
        root = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{number}.xml"))
    return list(root.iter(f"{MAIN}c"))


def assert_text_cells(data: bytes, sheet: str, texts: list[str]) -> None:
    cells = cells_of(data, sheet)
    assert not [c.get("r") for c in cells if c.find(f"{MAIN}f") is not None]
    strings = {
        "".join(t.text or "" for t in c.iter(f"{MAIN}t")): c
        for c in cells
        if c.get("t") == "inlineStr"
    }
    for text in texts:
        assert text in strings, text
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in b"".join(archive.read(n) for n in archive.namelist())


def test_standings_xlsx_looks_finished(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "排名.xlsx"
    office.ok("standings", "--period", "2024Q2", "--format", "xlsx", "--out", str(out))
    data = out.read_bytes()
    book = load_workbook(out)
    assert book.sheetnames == ["A类", "B类", "C类"]
    sheet = book["A类"]
    assert sheet["A1"].value == (
        "磴口县政务信息工作考评办法（2024）\nA类排名　2024年第二季度（2024-04-01 至 2024-06-30）"
    )
    assert "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]][:3] == ["排名", "单位", "采用条数"]
    assert sheet["B3"].value == "巴彦高勒镇人民政府办公室"
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["B"].width >= display_width("巴彦高勒镇人民政府办公室")
    assert int(sheet.page_setup.paperSize or 0) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert_text_cells(data, "C类", HOSTILE)


def test_standings_csv_for_excel(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "排名.csv"
    office.ok("standings", "--period", "2024Q2", "--format", "csv", "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("分组,排名,单位,")
    assert any(line.startswith("A类,1,巴彦高勒镇人民政府办公室,") for line in lines)
    fields = [f for line in lines for f in line.split(",")]
    # Numbers are numbers (附加分 may be -5); no text begins like a formula.
    texts = [f for f in fields if not f.lstrip("-").isdigit()]
    assert not [f for f in texts if f.lstrip('"').startswith(FORMULA_STARTS)]
    assert "'+1+1" in fields and "'-2+3" in fields and "'@SUM(1" in data.decode("utf-8-sig")
    out_gbk = tmp_path / "排名-gbk.csv"
    office.ok(
        "standings", "--period", "2024Q2", "--format", "csv", "--encoding", "gbk", "--out",
        str(out_gbk),
    )  # fmt: skip
    assert out_gbk.read_bytes().decode("gbk").splitlines() == lines
    # A unit named with a character GBK lacks cannot be written in GBK: said in one line.
    office.ok(
        "units", "import", str(write_csv(tmp_path / "u2.csv", ["name", "group"], [["𠀋局", "A"]]))
    )
    result = office(
        "standings", "--period", "2024Q2", "--format", "csv", "--encoding", "gbk", "--out",
        str(out_gbk),
    )  # fmt: skip
    assert result.code == 1 and result.err.strip() == (
        "无法用 GBK 编码写出字符「𠀋」：请改用 UTF-8（去掉 --encoding）"
    )


async def test_the_export_shows_labels_dates_and_inert_text(office: Cli) -> None:
    store = await Store.open(office.db)
    try:
        data = await period_workbook(store, parse_period("2024Q2"))
    finally:
        await store.close()
    book = load_workbook(io.BytesIO(data))
    records = book["记录"]
    assert records["A1"].value == (
        "磴口县政务信息工作考评办法（2024）\n记录　2024年第二季度（2024-04-01 至 2024-06-30）"
    )
    rows = [list(r) for r in records.iter_rows(min_row=3, values_only=True)]
    assert rows[0][1:7] == [
        datetime(2024, 5, 6), "公安局", "《决策参考》", HOSTILE[0], "已确认", "市领导同志批示×2",
    ]  # fmt: skip
    assert records["B3"].number_format == "yyyy-mm-dd"
    ledger = [list(r) for r in book["积分流水"].iter_rows(min_row=3, values_only=True)]
    assert {r[3] for r in ledger} == {"《决策参考》", "市领导同志批示", "调整（须注明原因）"}
    assert isinstance(ledger[0][1], datetime) and ledger[0][1].date() == date(2024, 5, 6)
    assert_text_cells(data, "记录", [HOSTILE[0], "+备注", "@一条报送", "=1+1"])
    assert_text_cells(data, "C类", HOSTILE)


def test_every_writer_makes_text_inert() -> None:
    """Tabs and carriage returns never survive an import (cells are stripped), but the writers
    do not rely on it."""
    from openpyxl import Workbook

    from bot.sheets import csv_text, inert, workbook_bytes, write_cell

    starts = ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1"]
    assert [inert(t) for t in starts] == ["'" + t for t in starts]
    assert inert("公安局") == "公安局" and inert("1-2") == "1-2"
    assert csv_text(["a"], [[-5], ["-5"]]).splitlines() == ["a", "-5", "'-5"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row, text in enumerate(starts, start=1):
        assert write_cell(sheet, row, 1, text).quotePrefix
    data = workbook_bytes(book)
    assert_text_cells(data, sheet.title, starts[:4])
    assert not [c for c in cells_of(data, sheet.title) if c.find(f"{MAIN}f") is not None]


def test_a_spreadsheet_program_reads_our_csv_as_text(office: Cli, tmp_path: Path) -> None:
    """LibreOffice reads the CSV as Excel would: a name beginning with "=" is text there (it
    would be a formula without the apostrophe: the control row proves the reader would)."""
    out = tmp_path / "排名.csv"
    office.ok("standings", "--period", "2024Q2", "--format", "csv", "--out", str(out))
    out.write_bytes(out.read_bytes() + "C类,9,=1+1,0\r\n".encode())
    # Comma-separated, double quotes, UTF-8 (76): headless LibreOffice does not look for a BOM.
    book = load_workbook(soffice(tmp_path, "xlsx", out, "--infilter=CSV:44,34,76,1"))
    sheet = book.active
    assert sheet is not None
    units = {str(row[2].value): row[2].data_type for row in sheet.iter_rows(min_row=2)}
    assert units["'" + HOSTILE[0]] == "s"
    assert units["'+1+1"] == units["'-2+3"] == units["'@SUM(1,2)"] == "s"
    assert units["=1+1"] == "f"  # the control row, written without our writer
