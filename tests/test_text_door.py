"""Text is cleaned where it enters (a roster or a register as CSV or XLSX, the command line's
options, chat), on both stores; and every file the project writes is safe even with text stored
before the door cleaned it (a database made by an earlier version), written here straight into
the database."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from openpyxl import Workbook, load_workbook

from bot import texts
from tests.chat import ADMIN, LIAISON, running_bot
from tests.conftest import Cli, write_csv
from tests.libreoffice import require_soffice
from tests.stores import rows as query

HEADER = ["date", "unit", "item", "title", "note"]
# What an earlier version stored as it came: a terminal escape, a bell, a vertical tab (Word's
# line break), a direction override, a zero-width space. (PostgreSQL's text refuses NUL, so no
# database holds one.)
DIRTY_UNIT = "公安局\x1b[2J\x07\u202e\u200b"
DIRTY_TITLE = "关于\x0b加强\x1b[31m信息工作\u202e的通知\x07"
# Characters no written file may carry (a tab, line feed and carriage return are XML's own).
CONTROLS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]
INVISIBLE = [*CONTROLS, "\u202e", "\u200b", "\u2028"]


def has_invisible(text: str) -> list[str]:
    return [ch for ch in INVISIBLE if ch in text]


@pytest.fixture
def office(cli: Cli) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    return cli


def units(cli: Cli) -> list[tuple[str, str]]:
    return query(cli.db, "SELECT name, group_id FROM units ORDER BY id")


# --- the door -----------------------------------------------------------------------------


def test_a_roster_csv_is_cleaned(office: Cli, tmp_path: Path) -> None:
    roster = [
        ["公安局\x1b\x00", "B", "公安\u200b;县公安局\x0b"],
        ["\u202e局通交\u202c", "B", ""],
        ["卫\u200b健委", "C", ""],
        ["ＡＢＣ局（交警）", "C", ""],
    ]
    office.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], roster))
    )
    assert units(office) == [
        ("公安局", "B"),
        ("局通交", "B"),
        ("卫健委", "C"),
        ("ABC局(交警)", "C"),
    ]
    assert query(office.db, "SELECT alias FROM unit_aliases ORDER BY alias") == [
        ("公安",),
        ("县公安局",),
    ]
    # The same roster again, as it was written: the same units, none added.
    result = office("units", "import", str(tmp_path / "u.csv"))
    assert result.code == 0 and "新增 0 个，更新 0 个，共 4 个单位" in result.out
    assert len(units(office)) == 4


def test_a_second_name_after_normalising_is_refused_naming_both(
    office: Cli, tmp_path: Path
) -> None:
    office.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], [["公安局", "B"]]))
    )
    # The 公\u3000安局: a second 公安局 once width and spaces are ignored.
    stored = write_csv(tmp_path / "stored.csv", ["name", "group"], [["公\u3000安局", "B"]])
    result = office("units", "import", str(stored))
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        "第 2 行：单位 公 安局 与已有单位 公安局 视为同名（忽略全半角、大小写和空格后相同）"
    ]
    in_file = write_csv(
        tmp_path / "file.csv", ["name", "group"], [["民政局", "B"], ["民\u3000政局", "C"]]
    )
    result = office("units", "import", str(in_file))
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        "第 3 行：单位 民 政局 与第 2 行的单位 民政局 视为同名（忽略全半角、大小写和空格后相同）"
    ]
    alias = write_csv(
        tmp_path / "alias.csv", ["name", "group", "aliases"], [["交通局", "B", "公安\u3000局"]]
    )
    result = office("units", "import", str(alias))
    assert result.code == 1 and "别名 公安 局 已被单位 公安局 使用" in result.err
    long = write_csv(tmp_path / "long.csv", ["name", "group"], [["局" * 5_000, "B"]])
    result = office("units", "import", str(long))
    assert result.code == 1
    assert result.err.splitlines()[1:] == ["第 2 行：单位名称或别名太长（5000 字）：不超过 60 字"]
    assert units(office) == [("公安局", "B")]


def test_a_register_csv_is_cleaned(office: Cli, tmp_path: Path) -> None:
    office.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], [["ABC局", "B"]]))
    )
    rows = [
        ["2024-05-06", "ＡＢＣ局", "报送", DIRTY_TITLE, "备注\x1b[0m\x00"],
        ["2024-05-07", "ABC\u200b局", "报送", "第一行\r\n第二行", ""],
    ]
    office.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    assert query(office.db, "SELECT title, note FROM records ORDER BY id") == [
        ("关于 加强[31m信息工作的通知", "备注[0m"),
        ("第一行 第二行", ""),
    ]


def test_a_register_xlsx_and_the_command_line_are_cleaned(office: Cli, tmp_path: Path) -> None:
    office.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], [["卫健委", "C"]]))
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "登记表"
    sheet.append(["日期", "单位", "项目", "标题"])
    sheet.append([date(2024, 5, 6), "卫\u200b健委", "报送", "第一行\n第二行\u2028第三行\u202e"])
    sheet.append([date(2024, 5, 7), "卫健委\u3000", "报送", "\t标题\u2060"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    # The sheet's name as typed with a zero-width space in it: the option is cleaned too.
    office.ok("records", "import", str(path), "--sheet", "登记\u200b表")
    assert query(office.db, "SELECT title FROM records ORDER BY id") == [
        ("第一行 第二行 第三行",),
        ("标题",),
    ]
    office.ok("period", "lock", "2024Q2")
    office.ok("period", "reopen", "2024Q2", "--reason", "更正\x1b[2J\u202e错报")
    assert query(office.db, "SELECT reason FROM period_events WHERE event = 'reopened'") == [
        ("更正[2J错报",)
    ]


async def test_chat_text_is_cleaned(database: str) -> None:
    async with running_bot(database) as chat:
        # A unit named in chat with a zero-width space and full-width letters is found.
        await chat.join(LIAISON, "公安\u200b局")
        done = await chat.ask(LIAISON, f"/submit {DIRTY_TITLE}")
        assert "已记录报送" in done.text
        assert query(chat.db(), "SELECT title FROM records") == [("关于 加强[31m信息工作的通知",)]
        # The one-line report: the item's name with a zero-width space in it is found, the
        # title's vertical tab is a space.
        summary = await chat.ask(LIAISON, "采用 《决策\u200b参考》 一条\x0b采用\x1b 今天")
        assert "一条 采用" in summary.text, summary.text
        assert "一条 采用" in (await chat.confirm(LIAISON, summary))
        titles = query(chat.db(), "SELECT title FROM records ORDER BY id")
        assert titles == [("关于 加强[31m信息工作的通知",), ("一条 采用",)]
        chat.say(ADMIN, "/adjust 公\u200b安局 +5 奖励\x1b[31m\u202e理由\x0b说明")
        await chat.server.wait_for(lambda m: "奖励[31m理由 说明" in m.text, chat_id=ADMIN)
        assert query(chat.db(), "SELECT note FROM records WHERE item_id = 'adjustment'") == [
            ("奖励[31m理由 说明",)
        ]


# --- the writers, on a database that holds such text already ---------------------------------


@pytest.fixture
def old(office: Cli, tmp_path: Path) -> Cli:
    roster = [["公安局", "B"], ["=交通局", "B"]]
    office.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], roster)))
    rows = [
        ["2024-05-06", "公安局", "city.jccc", "一条采用", ""],
        ["2024-05-07", "公安局", "报送", "一条报送", ""],
    ]
    office.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    query(office.db, "UPDATE units SET name = ? WHERE name = '公安局'", (DIRTY_UNIT,))
    query(office.db, "UPDATE records SET title = ?", (DIRTY_TITLE,))
    assert query(office.db, "SELECT COUNT(*) FROM units WHERE name = ?", (DIRTY_UNIT,)) == [(1,)]
    return office


def test_a_name_stored_before_is_found_by_its_clean_form(old: Cli, tmp_path: Path) -> None:
    """A register naming 公安局 finds the unit an earlier version stored with ESC, a direction
    override and a zero-width space in its name."""
    dirty = "公安局\x1b\u202e\u200b"
    query(old.db, "UPDATE units SET name = ? WHERE name = ?", (dirty, DIRTY_UNIT))
    rows = [["2024-05-08", "公安局", "报送", "又一条报送", ""]]
    old.ok("records", "import", str(write_csv(tmp_path / "more.csv", HEADER, rows)))
    assert (
        query(old.db, "SELECT u.name FROM records r JOIN units u ON u.id = r.unit_id")
        == [(dirty,)] * 3
    )


def xlsx_texts(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    return [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    ]


def test_standings_in_every_format(old: Cli, tmp_path: Path) -> None:
    text = old.ok("standings", "--period", "2024Q2")
    assert not has_invisible(text) and "\x1b" not in text
    assert "公安局[2J" in text
    out = tmp_path / "s.csv"
    old.ok("standings", "--period", "2024Q2", "--format", "csv", "--out", str(out))
    cells = [c for row in csv.reader(io.StringIO(out.read_text("utf-8-sig"))) for c in row]
    assert "公安局[2J" in cells and "'=交通局" in cells
    assert not has_invisible("".join(cells))
    out = tmp_path / "s.xlsx"
    result = old("standings", "--period", "2024Q2", "--format", "xlsx", "--out", str(out))
    assert result.code == 0, result.err
    written = xlsx_texts(out.read_bytes())
    assert "公安局[2J" in written and "=交通局" in written
    assert not has_invisible("".join(written))
    data = json.loads(old.ok("standings", "--period", "2024Q2", "--format", "json"))
    names = [row["unit"] for group in data["groups"] for row in group["rows"]]
    assert "公安局[2J" in names and not has_invisible("".join(names))


def test_templates(old: Cli, tmp_path: Path) -> None:
    for kind in ("records", "units"):
        out = tmp_path / f"{kind}.xlsx"
        result = old("template", kind, "--out", str(out))
        assert result.code == 0, result.err
        written = xlsx_texts(out.read_bytes())
        assert not has_invisible("".join(written))
    assert "公安局[2J" in xlsx_texts((tmp_path / "records.xlsx").read_bytes())


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "json"])
def test_the_bulletin(old: Cli, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "磴口县人民政府办公室\x1b[2J")
    out = tmp_path / f"b.{fmt}"
    result = old("bulletin", "--period", "2024Q2", "--format", fmt, "--out", str(out))
    assert result.code == 0, result.err
    if fmt == "json":
        written = out.read_text("utf-8")
        assert "公安局[2J" in written
        assert not has_invisible(json.dumps(json.loads(written), ensure_ascii=False))
    elif fmt == "docx":
        document = docx.Document(str(out))
        written = "".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        assert "公安局[2J" in written and not has_invisible(written)
    else:
        written = "".join(xlsx_texts(out.read_bytes()))
        assert "公安局[2J" in written and not has_invisible(written)
    if fmt != "json":
        with zipfile.ZipFile(out) as archive:
            xml = b"".join(archive.read(name) for name in archive.namelist())
        assert b"\x1b" not in xml and "\u202e".encode() not in xml


def test_the_bulletin_as_pdf(old: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_soffice()
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "磴口县人民政府办公室")
    out = tmp_path / "b.pdf"
    result = old("bulletin", "--period", "2024Q2", "--format", "pdf", "--out", str(out))
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "公安局[2J" in text and "\x1b" not in text


async def test_export_in_chat(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        assert "已记录报送" in (await chat.ask(LIAISON, "/submit 一条报送")).text
        query(chat.db(), "UPDATE units SET name = ? WHERE name = '公安局'", (DIRTY_UNIT,))
        query(chat.db(), "UPDATE records SET title = ?", (DIRTY_TITLE,))
        chat.say(ADMIN, "/export")
        sent = await chat.server.wait_for(lambda m: m.document is not None, chat_id=ADMIN)
        assert sent.document is not None
        written = xlsx_texts(sent.document.data)
        assert "公安局[2J" in written and DIRTY_TITLE not in written
        assert "关于 加强[31m信息工作的通知" in written
        assert not has_invisible("".join(written))
        assert texts.INTERNAL_ERROR not in str([m.text for m in chat.server.sent])
