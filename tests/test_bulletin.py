"""The Ordos Q2 2020 bulletin rebuilt from records through `govinfo-bot bulletin` and read back:
the DOCX with python-docx, the XLSX with openpyxl, the JSON; an office's own wording; the PDF."""

from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from openpyxl import load_workbook

from bot.bulletin.compose import Letter, notes_text
from bot.bulletin.render import render_file
from bot.storage import Store
from bot.usecases.bulletin import bulletin
from scoring.bulletin import Bulletin, Published, build_bulletin
from scoring.periods import parse_period
from scoring.ruleset import load_ruleset
from scoring.standings import Standings
from tests.conftest import Cli, write_csv
from tests.libreoffice import require_soffice
from tests.test_ordos_seed import COLUMNS, records_for, seed_cells, seed_tables

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
OFFICE = "鄂尔多斯市政务服务局"
CST = timezone(timedelta(hours=8))


@pytest.fixture
def ordos(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The Ordos roster in the seed's order, and the records behind its Q2 2020 bulletin."""
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", OFFICE)
    monkeypatch.setenv("GOVINFO_BULLETIN_ADDRESSEES", "各旗区人民政府，市直各相关部门")
    tables = seed_tables()
    units = write_csv(
        tmp_path / "units.csv",
        ["name", "group"],
        [[r.unit, group] for group, rows in tables.items() for r in rows],
    )
    cli.ok("init", "--ruleset", "ordos-2020")
    cli.ok("units", "import", str(units))
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, records_for(tables))))
    return cli


def east_asian_font(element: object) -> str | None:
    rpr = element.rPr  # type: ignore[attr-defined]
    return rpr.rFonts.get(qn("w:eastAsia")) if rpr is not None else None


def test_docx_has_the_seed_tables_and_totals(ordos: Cli, tmp_path: Path) -> None:
    out = tmp_path / "q2.docx"
    printed = ordos.ok(
        "bulletin", "--period", "2020Q2", "--format", "docx", "--out", str(out),
        "--date", "2020-07-06", "--issue", "鄂政务发〔2020〕12号",
    )  # fmt: skip
    assert "已写入" in printed and "51 个单位" in printed
    document = docx.Document(str(out))

    seed = seed_cells()
    assert [len(rows) for rows in seed.values()] == [9, 35, 5, 2]
    assert len(document.tables) == 4
    for table, (group, rows) in zip(document.tables, seed.items(), strict=True):
        # A long unit name is broken into even lines by the bulletin itself.
        cells = [[cell.text.replace("\n", "") for cell in row.cells] for row in table.rows]
        assert cells[0] == ["排名", "单位", "采用条数", *COLUMNS, "总分"], group
        # Units in the seed's order, and every count, score, "/" and total as printed.
        assert [row[1:] for row in cells[1:]] == rows, group
        totals = [int(row[-1]) for row in cells[1:]]
        assert [int(row[0]) for row in cells[1:]] == [
            1 + sum(t > total for t in totals) for total in totals
        ]
        header_row = table.rows[0]._tr
        assert header_row.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
        number_cell = table.rows[1].cells[2].paragraphs[0]
        assert number_cell.style.name == "Gov Cell Right"

    texts = [p.text for p in document.paragraphs]
    opening = next(t for t in texts if "共采用" in t)
    for words in (
        "2020年第二季度，共采用各单位信息2349条",
        "在线访谈6条",
        "政策解读3条",
        "旗区1206条",
        "市直部门1078条",
        "开发区（园区）59条",
        "人民团体6条",
    ):
        assert words in opening, words
    assert texts[:5] == [
        "草稿",
        OFFICE,
        "鄂政务发〔2020〕12号",
        # Too long for a line: broken after "关于".
        f"{OFFICE}关于\n2020年第二季度政务信息采用情况的通报",
        "各旗区人民政府，市直各相关部门：",
    ]
    assert "附件：2020年第二季度政务信息采用情况统计表" in texts
    signature = texts.index(OFFICE, 2)
    assert texts[signature + 1] == "2020年7月6日"
    attachment = texts.index("附件")
    assert document.paragraphs[attachment].paragraph_format.page_break_before
    notes = [t for t in texts if re.match(r"(注：)?\d+、", t)]
    assert notes[0].startswith("注：1、")
    assert any("“/”即该项得分为0" in n for n in notes)
    assert any("本期没有计分记录的单位未列出" in n for n in notes)
    assert any("采用条数不含政策解读、在线访谈" in n for n in notes)
    assert any("在线访谈及政策解读得分：政策解读每条50分；在线访谈每条200分" in n for n in notes)
    assert notes[-1].endswith("以上数据为2020年4月1日至2020年6月30日。")

    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [
        round(m.mm)
        for m in (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ] == [37, 35, 28, 26]

    body = document.paragraphs[texts.index(opening)]
    assert body.style.name == "Gov Body"
    assert east_asian_font(body.style.element) == "仿宋_GB2312"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    # A theme font would win over the named one: there must be none.
    assert fonts.get(qn("w:eastAsiaTheme")) is None
    lang = defaults.find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    # 三号: 16 pt, in half points.
    assert defaults.find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) == "32"
    spacing = document.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault"))
    line = spacing.find(qn("w:pPr")).find(qn("w:spacing"))
    assert (line.get(qn("w:line")), line.get(qn("w:lineRule"))) == ("578", "exact")
    title = document.paragraphs[3]
    assert east_asian_font(title.style.element) == "方正小标宋简体"
    assert title.style.font.size.pt == 22

    assert document.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert f'w:jc w:val="{side}"' in xml
        assert footer.paragraphs[0].text == "— 1 —"


def test_same_data_and_stamp_give_the_same_bytes(ordos: Cli) -> None:
    stamp = datetime(2020, 7, 6, 9, 30, tzinfo=CST)
    letter = Letter(OFFICE, "各旗区人民政府", stamp.date())

    async def render_twice() -> list[bytes]:
        store = await Store.open(ordos.db)
        try:
            results = []
            for fmt in ("docx", "xlsx", "docx", "xlsx"):
                data = await bulletin(store, parse_period("2020Q2"))
                results.append(render_file(data, fmt, letter, stamp))
            return results
        finally:
            await store.close()

    first_docx, first_xlsx, second_docx, second_xlsx = asyncio.run(render_twice())
    assert first_docx == second_docx
    assert first_xlsx == second_xlsx
    for data in (first_docx, first_xlsx):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            assert {info.date_time for info in package.infolist()} == {(2020, 7, 6, 9, 30, 0)}
            core = package.read("docProps/core.xml").decode()
            assert "2020-07-06T01:30:00Z" in core


def test_a_published_version_is_no_draft(ordos: Cli) -> None:
    at = datetime(2020, 7, 6, 9, 12, tzinfo=CST)
    published = Published(2, at, "信息科 王芳")
    letter = Letter(OFFICE, "各旗区人民政府", at.date(), "鄂政务发〔2020〕12号")

    async def read() -> Bulletin:
        store = await Store.open(ordos.db)
        try:
            return await bulletin(store, parse_period("2020Q2"))
        finally:
            await store.close()

    paper = asyncio.run(read())
    data = json.loads(render_file(paper, "json", letter, at, published=published))
    assert data["published"] == {
        "version": 2,
        "at": "2020-07-06T09:12:00+08:00",
        "by": "信息科 王芳",
    }
    document = docx.Document(
        io.BytesIO(render_file(paper, "docx", letter, at, published=published))
    )
    assert [p.text for p in document.paragraphs[:2]] == [OFFICE, "鄂政务发〔2020〕12号"]
    workbook = load_workbook(
        io.BytesIO(render_file(paper, "xlsx", letter, at, published=published))
    )
    assert workbook["旗区"]["A1"].value == "2020年第二季度旗区信息采用情况"


def test_xlsx_one_sheet_per_group_set_up_to_print(ordos: Cli, tmp_path: Path) -> None:
    out = tmp_path / "q2.xlsx"
    ordos.ok("bulletin", "--period", "2020Q2", "--format", "xlsx", "--out", str(out))
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["旗区", "市直部门", "开发区（园区）", "人民团体", "说明"]
    sheet = workbook["旗区"]
    assert sheet["A1"].value == "2020年第二季度旗区信息采用情况（草稿）"
    assert sheet["A2"].value == "统计期间：2020年4月1日至2020年6月30日"
    assert [c.value for c in sheet[3]] == ["排名", "单位", "采用条数", *COLUMNS, "总分"]
    assert [c.value for c in sheet[4]] == [1, "准格尔旗", 280, 1400, 260, "/", -40, 1620]
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$1:$3"
    setup = sheet.page_setup
    # Seven narrow columns fit a portrait page.
    assert (setup.orientation, int(setup.paperSize)) == ("portrait", 9)
    assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    for each in workbook.worksheets:
        assert "&P" in each.oddFooter.center.text, each.title  # page numbers on every sheet
    # 在线访谈及政策解读得分 wraps on two lines: its row is high enough to show both.
    assert sheet.row_dimensions[3].height >= 2 * 15
    notes = workbook["说明"]
    assert notes.page_setup.orientation == "portrait"
    assert int(notes.page_setup.fitToWidth) == 1 and notes.sheet_properties.pageSetUpPr.fitToPage
    # Each note as high as its wrapped lines, none cut short.
    column = notes.column_dimensions["A"].width
    for (cell,) in notes.iter_rows():
        lines = -(-sum(2 if ord(ch) > 0x2E80 else 1 for ch in cell.value) // int(column))
        assert notes.row_dimensions[cell.row].height >= 15 * lines, cell.value
    departments = workbook["市直部门"]
    longest = max(len(c.value) for c in departments["B"][3:])
    # Fitted to CJK text: a Chinese character takes two widths.
    assert departments.column_dimensions["B"].width >= 2 * longest
    assert [c.value for c in departments[4]][:3] == [1, "鄂尔多斯市卫生健康委员会", 190]


def test_json_is_the_standings_with_published_and_no_awards(ordos: Cli) -> None:
    data = json.loads(ordos.ok("bulletin", "--period", "2020Q2", "--format", "json"))
    standings = json.loads(ordos.ok("standings", "--period", "2020Q2", "--format", "json"))
    assert data.pop("published") is None
    # ordos-2020 has no [awards]: not even a year's bulletin has them.
    assert data == standings
    year = json.loads(ordos.ok("bulletin", "--period", "2020", "--format", "json"))
    assert "awards" not in year and year["item_count"] == 2349 + 3 + 1


def test_user_text_stays_text(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "=HYPERLINK(1)")
    cli.ok("init", "--ruleset", "ordos-2020")
    names = ["=1+2", "+SUM(A1)", "-3", "@cmd", "{ PAGE }"]
    cli.ok(
        "units", "import",
        str(write_csv(tmp_path / "u.csv", ["name", "group"], [[n, "旗区"] for n in names])),
    )  # fmt: skip
    rows = [["2020-05-06", n, "info", 1 + i, "", "", "", ""] for i, n in enumerate(names)]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    xlsx = tmp_path / "b.xlsx"
    cli.ok("bulletin", "--period", "2020Q2", "--format", "xlsx", "--out", str(xlsx))
    with zipfile.ZipFile(xlsx) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    values = [c.value for c in load_workbook(xlsx)["旗区"]["B"][3:]]
    assert values == list(reversed(names))
    out = tmp_path / "b.docx"
    cli.ok("bulletin", "--period", "2020Q2", "--format", "docx", "--out", str(out))
    document = docx.Document(str(out))
    assert [row.cells[1].text for row in document.tables[0].rows[1:]] == list(reversed(names))
    assert document.paragraphs[1].text == "=HYPERLINK(1)"
    # The only field in the document is the page number's.
    assert "instrText" not in document.element.xml


def test_office_name_is_required_for_docx(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVINFO_OFFICE_NAME", raising=False)
    cli.ok("init", "--ruleset", "ordos-2020")
    result = cli("bulletin", "--period", "2020Q2", "--format", "docx", "--out", "x.docx")
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "通报需要发文机关名称：请在 .env 或环境变量中设置 GOVINFO_OFFICE_NAME（如 磴口县人民政府办公室）"
    ]


def write_template(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def test_office_wording_from_a_template(ordos: Cli, tmp_path: Path) -> None:
    template = write_template(
        tmp_path / "wording.toml",
        """title = "{{ office }}关于市人民政府网站{{ period }}信息采用情况的通报"
opening = '''
为进一步加强政府网站建设，现将市人民政府网站{{ period }}信息采用情况通报如下。

{{ period }}，市人民政府网站共采用各旗区和各部门、单位信息{{ item_count }}条\
{% for k in kinds %}，{{ k.label }}{{ k.count }}条{% endfor %}。
'''
""",
    )
    out = tmp_path / "t.docx"
    ordos.ok(
        "bulletin", "--period", "2020Q2", "--out", str(out), "--template", str(template)
    )  # fmt: skip
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    # Too long to break after "关于" into two lines that fit: left to wrap.
    assert f"{OFFICE}关于市人民政府网站2020年第二季度信息采用情况的通报" in texts
    assert (
        "2020年第二季度，市人民政府网站共采用各旗区和各部门、单位信息2349条，政策解读3条，在线访谈6条。"
        in texts
    )
    # The closing was not given: the default wording stays.
    assert any(t.startswith("下一步，各单位要围绕中心工作") for t in texts)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            'opening = "{{ periood }}共采用{{ item_count }}条"',
            "通报模板 {path} 的 opening 中没有占位符 {{ periood }}（可用：office、title、period、",
        ),
        ('closing = "{% for %}"', "通报模板 {path} 的 closing 第 1 行有误："),
        (
            "opening = \"{{ ''.__class__.__mro__ }}\"",
            "通报模板 {path} 的 opening 无法生成：",
        ),
        ('opening = "{{ groups[0].lable }}"', "通报模板 {path} 的 opening 无法生成："),
        ('ending = "谢谢"', "通报模板 {path} 只能有 title、opening、closing 三项，多了：ending"),
        ("opening = 3", "通报模板 {path} 的 opening 应为文字"),
        ("opening = ", "通报模板 {path} 不是有效的 TOML："),
    ],
)
def test_a_bad_template_is_refused_in_one_line(
    ordos: Cli, tmp_path: Path, template: str, message: str
) -> None:
    path = write_template(tmp_path / "bad.toml", template)
    out = tmp_path / "never.docx"
    result = ordos("bulletin", "--period", "2020Q2", "--out", str(out), "--template", str(path))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message.replace("{path}", str(path))), lines
    assert not out.exists()


def test_pdf_without_libreoffice_says_what_to_install(
    ordos: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    result = ordos("bulletin", "--period", "2020Q2", "--format", "pdf", "--out", "x.pdf")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert "生成 PDF 需要 LibreOffice" in lines[0] and "libreoffice-writer-nogui" in lines[0]


def test_pdf_through_libreoffice(ordos: Cli, tmp_path: Path) -> None:
    require_soffice()
    out = tmp_path / "q2.pdf"
    ordos.ok("bulletin", "--period", "2020Q2", "--format", "pdf", "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed: apt-get install poppler-utils (as .ci/run does)")
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2349" in text and "准格尔旗" in text
    # Page numbers: pdftotext drops the spaces between the dashes and the number.
    assert "—2—" in text.replace(" ", "")


@pytest.mark.parametrize("ruleset", ["dengkou-2024", "ordos-2020"])
def test_the_notes_read_as_sentences(ruleset: str) -> None:
    rules = load_ruleset(ruleset)
    period = parse_period("2024Q2")
    paper = build_bulletin(rules, Standings(rules.id, period, [], {}))
    notes = notes_text(paper.notes)
    for note in notes:
        # No aside repeating what the note says, no 同上 pointing at a line that is not there,
        # no brackets inside brackets.
        assert "）每次" not in note and "同上" not in note, note
        assert not re.search(r"（[^）]*（", note), note
    if ruleset == "dengkou-2024":
        (other,) = [n for n in notes if n.startswith("5、其他加分：")]
        assert "配合承办自治区政府办公厅专项调研每次80分；" in other
        assert (
            "市、自治区领导调研后及时报送，被市政府办公室采用每次25分、被自治区政府办公厅采用每次50分；"
        ) in other
        assert "7、调整分：调整按记录分值计，须注明原因。" in notes


def test_group_tables_share_widths_and_nothing_wraps_by_a_character(
    ordos: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "q2.docx"
    ordos.ok("bulletin", "--period", "2020Q2", "--out", str(out))
    document = docx.Document(str(out))
    grids = [
        [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        for table in document.tables
    ]
    # One attachment: every group's table has the same columns as wide.
    assert len(grids) == 4 and all(grid == grids[0] for grid in grids)
    margins = 2 * 57  # twips of cell margin
    per_line = [(w - margins) // 240 for w in grids[0]]  # CJK characters of 12 pt a line
    header = [cell.text for cell in document.tables[0].rows[0].cells]
    for title, room in zip(header, per_line, strict=True):
        lines = -(-len(title) // room)
        # On one line, or broken so that no line holds a character alone.
        assert lines == 1 or len(title) - room * (lines - 1) >= 2, (title, room)
    names = [row.cells[1].text for table in document.tables for row in table.rows[1:]]
    # The longest names (18 characters) cannot fit beside the numbers: they are broken into
    # even lines, each within the column, none a character alone.
    assert max(len(name.replace("\n", "")) for name in names) > per_line[1]
    lines = [line for name in names for line in name.split("\n")]
    assert max(len(line) for line in lines) <= per_line[1]
    # 13 characters where 11 fit: 7 and 6, not 11 and 2.
    assert "鄂尔多斯市发展\n和改革委员会" in names
    for name in names:
        parts = name.split("\n")
        assert len(parts) == 1 or min(len(p) for p in parts) >= len(max(parts, key=len)) - 1
    # Numbers (a serif digit is a little over half a character) stay on one line.
    for table in document.tables:
        for row in table.rows[1:]:
            for cell, width in zip(row.cells[2:], grids[0][2:], strict=True):
                assert len(cell.text) * 144 + margins <= width, cell.text


def test_a_comma_ending_a_line_survives_into_the_pdf(ordos: Cli, tmp_path: Path) -> None:
    # 、 at every place around a line's end: the last character of the first line (26 after
    # the indent), the one that would hang past it, and the first of the next line.
    paragraphs = ["甲" * n + "、" + "乙" * 20 + "。" for n in range(22, 32)]
    template = write_template(
        tmp_path / "wording.toml", "opening = '''\n" + "\n\n".join(paragraphs) + "\n'''\n"
    )
    out = tmp_path / "q2.pdf"
    ordos.ok(
        "bulletin", "--period", "2020Q2", "--format", "pdf", "--template", str(template),
        "--out", str(out),
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s|—\d+—", "", text)
    for paragraph in paragraphs:
        assert paragraph in flat, paragraph
