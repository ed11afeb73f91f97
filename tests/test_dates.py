"""One date reader for chat and files: every form people write, read the same everywhere."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from scoring.dates import Toward, is_day, looks_like_day, read_day
from scoring.errors import DomainError
from tests.chat import ADMIN, LIAISON, running_bot
from tests.conftest import Cli, write_csv
from tests.stores import rows as query

TODAY = date(2024, 5, 20)
FORMS = {
    "今天": date(2024, 5, 20),
    "昨天": date(2024, 5, 19),
    "前天": date(2024, 5, 18),
    "5月6日": date(2024, 5, 6),
    "5月6号": date(2024, 5, 6),
    "2024年5月6日": date(2024, 5, 6),
    "2024-05-06": date(2024, 5, 6),
    "2024-5-6": date(2024, 5, 6),
    "2024/5/6": date(2024, 5, 6),
    "2024.5.6": date(2024, 5, 6),
    "5.6": date(2024, 5, 6),
    "5/6": date(2024, 5, 6),
    "05-06": date(2024, 5, 6),
    "20240506": date(2024, 5, 6),
    "２０２４／５／６": date(2024, 5, 6),
    # Without a year: the latest such day not after today.
    "12月30日": date(2023, 12, 30),
    "5月21日": date(2023, 5, 21),
}


@pytest.mark.parametrize(("text", "day"), FORMS.items())
def test_every_form(text: str, day: date) -> None:
    assert read_day(text, TODAY) == day
    assert is_day(text, TODAY)


def test_cells_and_numbers_from_files() -> None:
    assert read_day(datetime(2024, 5, 6, 0, 0), TODAY) == date(2024, 5, 6)
    assert read_day(date(2024, 5, 6), TODAY) == date(2024, 5, 6)
    assert read_day(45418, TODAY) == date(2024, 5, 6)  # an Excel serial
    assert read_day(20240506, TODAY) == date(2024, 5, 6)
    with pytest.raises(DomainError):
        read_day(45418.5, TODAY)


def test_deadlines_lean_forward() -> None:
    assert read_day("明天", TODAY, Toward.FUTURE) == date(2024, 5, 21)
    assert read_day("5月1日", TODAY, Toward.FUTURE) == date(2025, 5, 1)
    assert read_day("6月1日", TODAY, Toward.FUTURE) == date(2024, 6, 1)


@pytest.mark.parametrize(
    "text",
    ["5月32日", "2024-13-01", "2月30日", "上周五", "月底", "5/32", "99999年1月1日", "20241305"],
)
def test_what_was_meant_as_a_date_but_is_none(text: str) -> None:
    assert not is_day(text, TODAY)
    assert looks_like_day(text)
    with pytest.raises(DomainError) as refused:
        read_day(text, TODAY)
    assert refused.value.code == "date_unreadable"


@pytest.mark.parametrize(
    "text", ["数据失误", "2024年工作总结", "关于5G建设", "约稿", "2.0", "12", "2024", "123"]
)
def test_words_are_not_dates(text: str) -> None:
    assert not looks_like_day(text)


def test_every_form_in_an_import_file(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], [["公安局", "B"]]))
    )
    header = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
    written = ["2024-05-06", "2024-5-7", "2024/5/8", "2024.5.9", "2024年5月10日", "20240511"]
    rows = [[d, "公安局", "报送", 1, "", "", f"第{n}条", ""] for n, d in enumerate(written)]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", header, rows)))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    sheet.append([date(2024, 5, 12), "公安局", "报送", 1, None, None, "日期单元格", None])
    sheet.append([45425, "公安局", "报送", 1, None, None, "日期序号", None])  # 2024-05-13
    book.save(tmp_path / "r.xlsx")
    cli.ok("records", "import", str(tmp_path / "r.xlsx"))
    assert query(cli.db, "SELECT date FROM records ORDER BY date") == [
        (f"2024-05-{d:02d}",) for d in range(6, 14)
    ]


async def test_chat_reads_a_trailing_date_in_every_form(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        for n, written in enumerate(
            ["2024-05-06", "2024/5/6", "2024.5.6", "2024年5月6日", "20240506"]
        ):
            summary = (await chat.ask(LIAISON, f"采用 决策参考 第{n}篇 调研报告 {written}")).text
            assert f"标题：第{n}篇 调研报告\n日期：2024-05-06" in summary, summary
        versioned = (await chat.ask(LIAISON, "采用 决策参考 数字政府建设 2.0")).text
        assert (
            f"标题：数字政府建设 2.0\n日期：{chat.settings.now().date().isoformat()}" in versioned
        )
        only = await chat.ask(LIAISON, "采用 决策参考 2024-05-06")
        assert "标题不能只是日期" in only.text
        wrong = await chat.ask(LIAISON, "采用 决策参考 一篇调研 5月32日")
        assert "无法识别的日期 5月32日" in wrong.text
        # /penalty: a word meant as a date that is none is refused, not stored as today.
        refused = await chat.ask(ADMIN, "/penalty 公安局 error.city_endorsed 上周五 数据失误")
        assert "无法识别的日期 上周五" in refused.text
        noted = await chat.ask(ADMIN, "/penalty 公安局 error.city_endorsed 数据失误")
        assert f"日期：{chat.settings.now().date().isoformat()}" in noted.text
        assert "备注：数据失误" in noted.text
        dated = await chat.ask(ADMIN, "/penalty 公安局 error.city_endorsed 2024.5.8 数据失误")
        assert "日期：2024-05-08" in dated.text
