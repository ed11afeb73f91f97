"""Phone-sized chat: every line /me, /rank and /standings send fits 34 display columns on the
54 units of dengkou-2024, long lists repeat their header, and the full table is a document."""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.render import PHONE_COLUMNS, PHONE_ROWS, fit, phone_width
from bot.storage import Store
from bot.usecases.imports import import_records
from tests.chat import ADMIN, LIAISON, SECOND, prepare_db, running_bot
from tests.conftest import write_csv

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
LONGEST = "内蒙古自治区黄河三盛公水利枢纽管理中心"


def columns(line: str) -> int:
    """Columns a phone gives a line: wide and ambiguous East Asian characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)


def shown_lines(text: str) -> list[str]:
    return html.unescape(re.sub(r"</?pre>", "", text)).splitlines()


async def test_every_line_fits_a_phone(database: str, tmp_path: Path) -> None:
    roster = resources.files("bot").joinpath("demo", "dengkou-2024-units.csv").read_text("utf-8")
    units = [row for row in csv.reader(io.StringIO(roster))][1:]
    assert len(units) == 54
    await prepare_db(database, units=units)
    # Scores of every size and sign, ties among them.
    rows = [
        [datetime.now().date().isoformat(), name, "city.jccc", 1 + n % 7, "", "", f"第{n}篇", ""]
        for n, (name, _, _) in enumerate(units)
    ]
    rows.append(
        [datetime.now().date().isoformat(), LONGEST, "adjustment", 1, 99999, "", "", "大数"]
    )
    rows.append(
        [datetime.now().date().isoformat(), "渡口镇", "adjustment", 1, -99999, "", "", "负数"]
    )
    store = await Store.open(database)
    try:
        await import_records(
            store, write_csv(tmp_path / "r.csv", HEADER, rows), "t", datetime.now().astimezone()
        )
    finally:
        await store.close()
    async with running_bot(database) as chat:
        await chat.join(LIAISON, LONGEST)
        await chat.join(SECOND, "渡口镇")
        sent_before = len(chat.server.sent)
        for user, command in (
            (LIAISON, "/me"),
            (SECOND, "/me"),
            (LIAISON, "/rank"),
            (SECOND, "/rank"),
            (ADMIN, "/standings"),
        ):
            chat.say(user, command)
            await chat.settled()
        answers = chat.server.sent[sent_before:]
        assert len(answers) >= 8
        lines = [line for m in answers for line in shown_lines(m.text)]
        too_wide = [line for line in lines if columns(line) > 34]
        assert not too_wide, too_wide
        texts = [m.text for m in answers]
        assert any("内蒙古自治区黄河…" in t or "内蒙古自治区" in t for t in texts)
        # Group A's 31 units go out in parts, each with the title and the header again.
        group_a = [t for t in texts if "（一）A类" in t]
        assert len(group_a) == -(-31 // PHONE_ROWS) and all("排名 单位" in t for t in group_a)
        ranks = [int(line.split()[0].lstrip("▶")) for t in group_a for line in shown_lines(t)[2:]]
        assert len(ranks) == 31 and ranks == sorted(ranks)

        # The full table on request: the button, or the word 表格.
        chat.press_data(ADMIN, answers[-1], answers[-1].callback_data("📊 完整表格（Excel）"))
        document = await chat.server.wait_for(lambda m: m.document is not None, chat_id=ADMIN)
        assert document.document is not None
        book = load_workbook(io.BytesIO(document.document.data))
        assert len(book.sheetnames) == 3
        chat.say(ADMIN, "/standings 2024 表格")
        await chat.server.wait_for(
            lambda m: m.document is not None and "2024" in (m.caption or ""), chat_id=ADMIN
        )
        # A liaison's button gives the liaison's own group only.
        rank_message = next(m for m in answers if m.chat_id == SECOND and m.inline_keyboard)
        chat.press_data(SECOND, rank_message, rank_message.callback_data("📊 完整表格（Excel）"))
        own = await chat.server.wait_for(lambda m: m.document is not None, chat_id=SECOND)
        assert own.document is not None
        assert load_workbook(io.BytesIO(own.document.data)).sheetnames == ["A类"]


async def test_equal_totals_keep_the_roster_order(database: str) -> None:
    units = [["审计局", "B", ""], ["公安局", "B", ""], ["财政局", "B", ""]]
    await prepare_db(database, units=units)
    async with running_bot(database) as chat:
        chat.say(ADMIN, "/standings")
        group = await chat.server.wait_for(lambda m: "B类" in m.text, chat_id=ADMIN)
    names = [line.split()[1] for line in shown_lines(group.text)[2:]]
    assert names == ["审计局", "公安局", "财政局"]


@pytest.mark.parametrize(
    "text",
    [
        "已提交，等待信息室审核（记录 #1）。审核结果会通知你。",
        "无法识别的日期 5月32日：可以写 今天、昨天、前天、5月6日、2024年5月6日、2024-05-06、"
        "2024/5/6、2024.5.6、5.6 或 20240506",
        "【2024Q2 通报】公安局（B类）：第 1 名（共 2 个单位），总分 0",
        "计分：《决策参考》18 + 市领导同志批示 30 + 市政府办公室领导同志批示 20 = 68",
        "标题：关于全县冬季防火检查和安全生产大排查大整治工作情况的调研报告",
        "a" * 40 + " 请转发",
    ],
)
def test_fit_breaks_only_where_a_reader_would(text: str) -> None:
    fitted = fit(text)
    lines = fitted.split("\n")
    # Only breaks are added: joined again, the text is as written.
    assert fitted.replace("\n", "") == text and len(lines) > 1
    for line in lines:
        # Wider only when it is one word that no break may split.
        assert phone_width(line) <= PHONE_COLUMNS or " " not in line.rstrip(), line
        assert line[0] not in "，。；：、！？）」》", line
    # A number and what it counts stay together; a title mark keeps its name.
    for kept in ("5月6日", "第 1 名", "《决策参考》", "#1"):
        if kept in text:
            assert kept in fitted, kept


def test_fit_keeps_a_link_whole_on_its_own_line() -> None:
    link = "https://t.me/govinfo_test_bot?start=Y15Gg5A0qoRq"
    lines = fit(f"教育局 的邀请链接（一次有效）：{link}").split("\n")
    assert [line.rstrip() for line in lines][-1] == link
    assert all(phone_width(line) <= PHONE_COLUMNS for line in lines[:-1])
    assert fit("短消息\n第二行") == "短消息\n第二行"
