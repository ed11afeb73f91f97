"""Publishing the bulletin: the period locks, the published files are kept byte for byte, a
version after a reopen says what changed, and each unit's liaisons hear their line once."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.fakeapi import FakeBotApi, SentMessage
from bot.storage import Store
from bot.usecases.bulletin import published_file
from bot.usecases.imports import import_records
from scoring.periods import parse_period
from tests.chat import ADMIN, LIAISON, SECOND, Chat, bot_on, flat, prepare_db
from tests.conftest import Cli, write_csv
from tests.stores import rows

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
UNITS = [
    ["教育局", "A", ""], ["公安局", "B", ""], ["审计局", "B", ""], ["财政局", "B", ""],
    ["气象局", "C", ""],
]  # fmt: skip
THIRD = 1003
Q2 = [
    ["2024-05-06", "公安局", "city.jccc", 2, "", "", "公安调研", ""],
    ["2024-05-07", "审计局", "city.jccc", 1, "", "", "审计调研", ""],
    ["2024-05-08", "财政局", "city.jccc", 1, "", "", "财政调研", ""],
    ["2024-06-03", "教育局", "city.zwyq.brief", 1, "", "", "教育简讯", ""],
]


def office(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], UNITS))
    )
    cli.ok("records", "import", str(write_csv(tmp_path / "q2.csv", HEADER, Q2)))
    return cli


def test_publishing_locks_and_keeps_the_files(cli: Cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "磴口县人民政府办公室")
    office(cli, tmp_path)
    out = cli.ok("bulletin", "publish", "--period", "2024Q2")
    assert out.startswith("已发布 2024年第二季度 通报第 1 版，期间已锁定")
    assert "当前锁定的期间：\n  2024年第二季度" in cli.ok("period", "list")
    late = write_csv(
        tmp_path / "late.csv",
        HEADER,
        [["2024-06-20", "审计局", "city.jccc", 2, "", "", "补登", ""]],
    )
    assert "属于已锁定的期间 2024年第二季度" in cli("records", "import", str(late)).err
    refused = cli("bulletin", "publish", "--period", "2024Q2")
    assert refused.code == 1 and "第 1 版已于" in refused.err and "解锁" in refused.err

    # The published files, byte for byte, whenever asked.
    first, again = tmp_path / "v1.docx", tmp_path / "v1-again.docx"
    cli.ok(
        "bulletin", "--period", "2024Q2", "--format", "docx", "--version", "1", "--out", str(first)
    )
    cli.ok(
        "bulletin", "--period", "2024Q2", "--format", "docx", "--version", "1", "--out", str(again)
    )
    assert first.read_bytes() == again.read_bytes()
    (stored,) = rows(cli.db, "SELECT f.sha256 FROM bulletins b JOIN files f ON f.id = b.docx_file")
    assert hashlib.sha256(first.read_bytes()).hexdigest() == stored[0]
    xlsx = tmp_path / "v1.xlsx"
    cli.ok(
        "bulletin", "--period", "2024Q2", "--format", "xlsx", "--version", "1", "--out", str(xlsx)
    )
    sheet = load_workbook(xlsx).worksheets[1]
    assert any(row[1] == "公安局" for row in sheet.iter_rows(values_only=True))

    # Reopened, corrected and published again: version 2, and what changed.
    cli.ok("period", "reopen", "2024Q2", "--reason", "审计局六月漏登两篇")
    cli.ok("records", "import", str(late))
    second = cli.ok("bulletin", "publish", "--period", "2024Q2")
    assert second.startswith("已发布 2024年第二季度 通报第 2 版")
    assert "B类 审计局：第 2 名 18 分 → 第 1 名 54 分" in second
    assert "B类 公安局：第 1 名 36 分 → 第 2 名 36 分" in second
    # Same total, but now third.
    assert "B类 财政局：第 2 名 18 分 → 第 3 名 18 分" in second

    assert "教育局" not in second
    listing = cli.ok("bulletin", "list")
    assert "2024年第二季度 第 1 版" in listing and "2024年第二季度 第 2 版" in listing
    # Version 1 is still had as it was.
    cli.ok(
        "bulletin", "--period", "2024Q2", "--format", "docx", "--version", "1", "--out", str(again)
    )
    assert first.read_bytes() == again.read_bytes()


async def q2_draft(chat: Chat, tmp_path: Path) -> SentMessage:
    """The second quarter's records imported, and the admin's /bulletin draft with its buttons."""
    store = await Store.open(chat.db())
    try:
        await import_records(
            store, write_csv(tmp_path / "q2.csv", HEADER, Q2), "t", chat.settings.now()
        )
    finally:
        await store.close()
    chat.say(ADMIN, "/bulletin 2024Q2")
    return await chat.server.wait_for(lambda m: "通报草稿】" in (m.text or ""), chat_id=ADMIN)


async def test_liaisons_hear_their_line_once_also_across_a_restart(
    database: str, tmp_path: Path
) -> None:
    await prepare_db(database, units=UNITS)
    async with FakeBotApi() as server:
        async with bot_on(server, database) as chat:
            await chat.join(LIAISON, "公安局")
            await chat.join(SECOND, "审计局")
            await chat.join(THIRD, "财政局")
            draft = await q2_draft(chat, tmp_path)
            spreadsheet = next(m for m in chat.server.messages_to(ADMIN) if m.document is not None)
            assert load_workbook(io.BytesIO(spreadsheet.document.data)).sheetnames  # type: ignore[union-attr]
            # A liaison pressing the admins' button is refused.
            chat.press_data(LIAISON, draft, draft.callback_data("发布"))
            await chat.server.wait_for_call(
                "answerCallbackQuery", lambda c: "管理员" in str(c.params)
            )
            assert rows(chat.db(), "SELECT COUNT(*) FROM bulletins") == [(0,)]
            await chat.press(ADMIN, draft, "发布")
            await chat.edited(draft, "已发布 2024年第二季度 通报第 1 版")
            line = await chat.server.wait_for(
                lambda m: "【2024年第二季度 通报】" in m.text, chat_id=LIAISON
            )
            assert flat(line.text).startswith(
                "【2024年第二季度 通报】公安局（B类）：第 1 名（共 3 个单位），总分 36，本组第一"
            )
            other = await chat.server.wait_for(
                lambda m: "【2024年第二季度 通报】" in m.text, chat_id=SECOND
            )
            assert "第 2 名" in other.text and "比上一名 公安局 少 18 分" in flat(other.text)
            # Tied with 审计局 at rank 2: the unit above is 公安局 for both.
            tied = await chat.server.wait_for(
                lambda m: "【2024年第二季度 通报】" in flat(m.text), chat_id=THIRD
            )
            assert "第 2 名（共 3 个单位）" in flat(tied.text)
            assert "比上一名 公安局 少 18 分" in flat(tied.text)
            # The admins hold the chain head the bulletin was computed from, as stored with it.
            anchor = await chat.server.wait_for(lambda m: "链头锚点" in flat(m.text), chat_id=ADMIN)
            (stored,) = rows(chat.db(), "SELECT anchor FROM bulletins")[0]
            assert stored.startswith("5:") and f"链头锚点：{stored}（" in flat(anchor.text)
            listing = await chat.ask(ADMIN, "/bulletins")
            assert listing.text.startswith("2024年第二季度 第 1 版")
        # Started again: nothing owed is sent twice.
        async with bot_on(server, database) as chat:
            await chat.ask(ADMIN, "/bulletins")
            await chat.settled()
        for user in (LIAISON, SECOND, THIRD):
            told = [m for m in server.messages_to(user) if "【2024年第二季度 通报】" in m.text]
            assert len(told) == 1


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode()


def test_publishing_keeps_the_reviewed_drafts_issue_and_date(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "磴口县人民政府办公室")
    office(cli, tmp_path)
    draft = tmp_path / "draft.docx"
    cli.ok(
        "bulletin", "--period", "2024Q2", "--issue", "磴政办发〔2024〕12号",
        "--date", "2024-07-05", "--out", str(draft),
    )  # fmt: skip
    assert "磴政办发〔2024〕12号" in _docx_text(draft)
    cli.ok("bulletin", "publish", "--period", "2024Q2")
    published = tmp_path / "v1.docx"
    cli.ok("bulletin", "--period", "2024Q2", "--version", "1", "--out", str(published))
    text = _docx_text(published)
    # The draft that was reviewed, not one numbered anew and dated the day of publishing.
    assert "磴政办发〔2024〕12号" in text and "2024年7月5日" in text
    assert f"{date.today().year}年{date.today().month}月{date.today().day}日" not in text

    # Named when publishing again, the issue and date are the publisher's.
    cli.ok("period", "reopen", "2024Q2", "--reason", "改发文字号")
    cli.ok(
        "bulletin", "publish", "--period", "2024Q2", "--issue", "磴政办发〔2024〕13号",
        "--date", "2024-07-08",
    )  # fmt: skip
    cli.ok("bulletin", "--period", "2024Q2", "--version", "2", "--out", str(published))
    text = _docx_text(published)
    assert "磴政办发〔2024〕13号" in text and "2024年7月8日" in text


def test_the_published_versions_json(cli: Cli, tmp_path: Path) -> None:
    office(cli, tmp_path)
    draft = json.loads(cli.ok("bulletin", "--period", "2024Q2", "--format", "json"))
    assert draft["published"] is None
    cli.ok("bulletin", "publish", "--period", "2024Q2")
    locked = json.loads(cli.ok("bulletin", "--period", "2024Q2", "--format", "json"))
    assert locked["published"]["version"] == 1 and locked["published"]["by"]
    assert locked["groups"] == draft["groups"]
    first = json.loads(
        cli.ok("bulletin", "--period", "2024Q2", "--version", "1", "--format", "json")
    )
    assert first == locked

    # Reopened and changed, the period shows a draft again; version 1 stays as published.
    cli.ok("period", "reopen", "2024Q2", "--reason", "审计局六月漏登两篇")
    late = [["2024-06-20", "审计局", "city.jccc", 2, "", "", "补登", ""]]
    cli.ok("records", "import", str(write_csv(tmp_path / "late.csv", HEADER, late)))
    reopened = json.loads(cli.ok("bulletin", "--period", "2024Q2", "--format", "json"))
    assert reopened["published"] is None and reopened["groups"] != draft["groups"]
    assert (
        json.loads(cli.ok("bulletin", "--period", "2024Q2", "--version", "1", "--format", "json"))
        == first
    )
    out = tmp_path / "v1.json"
    cli.ok(
        "bulletin", "--period", "2024Q2", "--version", "1", "--format", "json", "--out", str(out)
    )
    assert json.loads(out.read_text("utf-8")) == first
    missing = cli("bulletin", "--period", "2024Q2", "--version", "2", "--format", "json")
    assert missing.code == 1 and "没有发布过" in missing.err


async def test_the_publish_button_publishes_the_draft_the_admin_reviewed(
    database: str, tmp_path: Path
) -> None:
    await prepare_db(database, units=UNITS)
    office = {"office_name": "磴口县人民政府办公室"}
    async with FakeBotApi() as server:
        async with bot_on(
            server, database, **office, bulletin_issue="磴政办发〔2024〕12号"
        ) as chat:
            draft = await q2_draft(chat, tmp_path)
        # The office changes its issue number setting before pressing 发布 on the draft.
        async with bot_on(
            server, database, **office, bulletin_issue="磴政办发〔2024〕99号"
        ) as chat:
            await chat.press(ADMIN, draft, "发布")
            await chat.edited(draft, "已发布 2024年第二季度 通报第 1 版")
            store = await Store.open(chat.db())
            try:
                stored = await published_file(store, parse_period("2024Q2"), 1, "docx")
            finally:
                await store.close()
    text = zipfile.ZipFile(io.BytesIO(stored.data)).read("word/document.xml").decode()
    assert "磴政办发〔2024〕12号" in text and "99号" not in text
