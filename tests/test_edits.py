"""An edited message never acts again (Telegram sends an edit as a new update carrying the whole
message): the user is told once how to correct, nothing is stored twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram import Bot, Update
from telegram.ext import BaseHandler, ConversationHandler

from bot import texts
from bot.fakeapi import FakeBotApi
from bot.telegram.app import build_application
from bot.telegram.handlers.edits import EDITS_GROUP
from tests.chat import (
    ADMIN,
    LIAISON,
    Chat,
    bot_on_webhook,
    chat_settings,
    prepare_db,
    running_bot,
)
from tests.stores import rows
from tests.test_webhook import free_port


def notices(chat: Chat, user: int, text: str) -> int:
    return sum(1 for m in chat.server.messages_to(user) if m.text == text)


async def test_an_edited_submit_is_not_stored_again(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "教育局")
        said = chat.say(LIAISON, "/submit 关于春耕的报告")
        assert "本月已报送 1 条" in (await chat.reply(LIAISON)).text
        chat.edit(LIAISON, said, "/submit 关于春耕生产的报告")
        assert (await chat.reply(LIAISON)).text == texts.EDIT_NOT_TAKEN
        # The next new message is the second piece, not the third.
        assert "本月已报送 2 条" in (await chat.ask(LIAISON, "/submit 关于防汛的报告")).text
        await chat.settled()
        assert notices(chat, LIAISON, texts.EDIT_NOT_TAKEN) == 1
        titles = rows(chat.db(), "SELECT title FROM records ORDER BY id")
        assert titles == [("关于春耕的报告",), ("关于防汛的报告",)]


async def test_an_edited_adjustment_adds_nothing(database: str) -> None:
    async with running_bot(database) as chat:
        said = chat.say(ADMIN, "/adjust 教育局 +5 补记漏登")
        assert "分值：+5" in (await chat.reply(ADMIN)).text
        chat.edit(ADMIN, said, "/adjust 教育局 +50 补记漏登")
        assert (await chat.reply(ADMIN)).text == texts.EDIT_NOT_TAKEN_ADMIN
        # Edited twice: each edit is its own update, answered once, acting never.
        chat.edit(ADMIN, said, "/adjust 教育局 +500 补记漏登")
        assert (await chat.reply(ADMIN)).text == texts.EDIT_NOT_TAKEN_ADMIN
        await chat.settled()
        assert notices(chat, ADMIN, texts.EDIT_NOT_TAKEN_ADMIN) == 2
        assert rows(chat.db(), "SELECT rule_id, points / 100 FROM ledger") == [("adjustment", 5)]


async def test_an_edit_on_the_webhook_adds_nothing_either(database: str) -> None:
    await prepare_db(database)
    async with FakeBotApi() as server, bot_on_webhook(server, database, free_port()) as chat:
        said = chat.say(ADMIN, "/adjust 教育局 +5 补记漏登")
        assert "分值：+5" in (await chat.reply(ADMIN)).text
        chat.edit(ADMIN, said, "/adjust 教育局 +50 补记漏登")
        assert (await chat.reply(ADMIN)).text == texts.EDIT_NOT_TAKEN_ADMIN
        await chat.settled()
        assert notices(chat, ADMIN, texts.EDIT_NOT_TAKEN_ADMIN) == 1
        assert rows(chat.db(), "SELECT rule_id, points / 100 FROM ledger") == [("adjustment", 5)]


async def test_an_edited_one_line_report_makes_no_second_summary(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "教育局")
        said = chat.say(LIAISON, "采用 决策参考 关于沙漠治理的调研 5月6日")
        summary = await chat.reply(LIAISON)
        assert "请确认申报" in summary.text and "关于沙漠治理的调研" in summary.text
        chat.edit(LIAISON, said, "采用 决策参考 关于沙漠治理的专题调研 5月6日")
        assert (await chat.reply(LIAISON)).text == texts.EDIT_NOT_TAKEN
        assert "等待信息室审核" in await chat.confirm(LIAISON, summary)
        await chat.settled()
        assert notices(chat, LIAISON, texts.EDIT_NOT_TAKEN) == 1
        assert sum(1 for m in chat.server.messages_to(LIAISON) if "请确认申报" in m.text) == 1
        assert rows(chat.db(), "SELECT title FROM records") == [("关于沙漠治理的调研",)]


async def test_an_edited_answer_in_a_report_is_no_next_answer(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "教育局")
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "市政府办公室采用")
        await chat.server.wait_for_call("editMessageReplyMarkup")
        await chat.press(LIAISON, menu, "《决策参考》（18）")
        await chat.server.wait_for_call("editMessageText")
        said = chat.say(LIAISON, "关于沙漠治理的调研")
        assert "采用日期" in (await chat.reply(LIAISON)).text
        # Edited while the date is asked: not taken as the date, nor as a new title.
        chat.edit(LIAISON, said, "2024-05-06")
        assert (await chat.reply(LIAISON)).text == texts.EDIT_NOT_TAKEN
        assert "领导批示" in (await chat.ask(LIAISON, "2024-05-07")).text
        endorse = chat.server.messages_to(LIAISON)[-1]
        await chat.press(LIAISON, endorse, "完成")
        await chat.server.wait_for(lambda m: "证明材料" in m.text, chat_id=LIAISON)
        summary = await chat.ask(LIAISON, "无")
        assert "关于沙漠治理的调研" in summary.text and "2024-05-07" in summary.text, summary.text
        await chat.settled()
        assert notices(chat, LIAISON, texts.EDIT_NOT_TAKEN) == 1


def _leaves(handler: BaseHandler[Any, Any, Any]) -> list[BaseHandler[Any, Any, Any]]:
    if not isinstance(handler, ConversationHandler):
        return [handler]
    inner = [
        each
        for state, handlers in handler.states.items()
        # The timeout's handlers run on the conversation's last update, never on a new one.
        if state != ConversationHandler.TIMEOUT
        for each in handlers
    ]
    return [handler] + [
        leaf
        for each in (*handler.entry_points, *inner, *handler.fallbacks)
        for leaf in _leaves(each)
    ]


def _edited(
    bot: Bot, update_id: int, user: int, content: dict[str, Any], chat_id: int | None = None
) -> Update:
    chat: dict[str, Any] = (
        {"id": user, "type": "private", "first_name": "用户"}
        if chat_id is None
        else {"id": chat_id, "type": "supergroup", "title": "信息室"}
    )
    message = {
        "message_id": 7,
        "date": 1_700_000_000,
        "edit_date": 1_700_000_060,
        "from": {"id": user, "is_bot": False, "first_name": "用户"},
        "chat": chat,
        **content,
    }
    return Update.de_json({"update_id": update_id, "edited_message": message}, bot)


def _command(text: str) -> dict[str, Any]:
    length = len(text.split()[0])
    return {"text": text, "entities": [{"type": "bot_command", "offset": 0, "length": length}]}


async def test_no_handler_but_the_notice_takes_an_edit(tmp_path: Path) -> None:
    """Every handler of the built application, conversations' steps included: whichever one a
    later change adds, an edit must not reach it."""
    async with FakeBotApi() as server:
        app = build_application(chat_settings(server, str(tmp_path / "bot.sqlite3")))
        # CommandHandler reads the bot's username (getMe) to tell its own commands.
        await app.bot.initialize()
        commands = [f"/{name}" for name in (*texts.COMMANDS_LIAISON, *texts.COMMANDS_ADMIN)]
        edits = [
            *(
                _edited(app.bot, n, ADMIN, _command(f"{c} 教育局 +5 备注"))
                for n, c in enumerate(commands)
            ),
            *(
                _edited(app.bot, 100 + n, LIAISON, _command(f"{c} 标题"))
                for n, c in enumerate(commands)
            ),
            _edited(app.bot, 200, LIAISON, {"text": "采用 决策参考 关于沙漠治理的调研 5月6日"}),
            _edited(app.bot, 201, LIAISON, {"text": "关于沙漠治理的调研"}),
            _edited(app.bot, 202, ADMIN, _command("/adjust 教育局 +5 备注"), chat_id=-100123),
            _edited(
                app.bot,
                203,
                LIAISON,
                {"caption": "/submit 标题", "document": {"file_id": "f", "file_unique_id": "u"}},
            ),
        ]
        checked = 0
        for group, handlers in app.handlers.items():
            for handler in handlers:
                for leaf in _leaves(handler):
                    for update in edits:
                        taken = leaf.check_update(update)
                        expected = group == EDITS_GROUP
                        assert (taken not in (None, False)) is expected, (group, leaf, update)
                    checked += 1
        await app.bot.shutdown()
        assert checked > 30
