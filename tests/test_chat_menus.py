"""Command menus per scope, /help, ending a report early, and starting without a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import texts
from bot.telegram.handlers import report
from tests.chat import ADMIN, LIAISON, OTHER_ADMIN, running_bot


async def test_menus_are_set_per_scope(database: str) -> None:
    async with running_bot(database) as chat:
        liaisons = chat.server.commands_for({"type": "all_private_chats"})
        admins = chat.server.commands_for({"type": "chat", "chat_id": ADMIN})
        assert chat.server.commands_for({"type": "chat", "chat_id": OTHER_ADMIN}) == admins
    assert liaisons is not None and admins is not None
    liaison_names = [c["command"] for c in liaisons]
    assert {"report", "submit", "me", "rank", "history", "why", "help", "cancel"} <= set(
        liaison_names
    )
    assert "invite" not in liaison_names
    admin_names = {c["command"] for c in admins}
    assert {
        "invite",
        "pending",
        "penalty",
        "adjust",
        "endorse",
        "reverse",
        "export",
        "me",
    } <= admin_names


async def test_help_differs_for_admins(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        liaison_help = (await chat.ask(LIAISON, "/help")).text
        admin_help = (await chat.ask(ADMIN, "/help")).text
    assert "/report" in liaison_help and "/invite" not in liaison_help
    assert "/report" in admin_help and "/invite" in admin_help and "/export" in admin_help


# SQLite only: the replicas on PostgreSQL replace python-telegram-bot's conversation timer by an
# expiry checked when the next update comes, and this waits for the timer's own message.
@pytest.mark.stores("sqlite")
async def test_report_cancelled_and_timed_out(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "CONVERSATION_TIMEOUT", 0.5)
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "市政府办公室采用")
        await chat.server.wait_for_call("editMessageReplyMarkup")
        assert "已取消" in (await chat.ask(LIAISON, "/cancel")).text
        # Outside the conversation, plain text is no title: a hint, nothing stored.
        hint = (await chat.ask(LIAISON, "这不是标题")).text
        assert "没有看懂" in hint and "/help" in hint
        assert not [m for m in chat.server.messages_to(LIAISON) if "采用日期" in m.text]
        await chat.ask(LIAISON, "/report")
        timed_out = await chat.server.wait_for(lambda m: "超时" in m.text, chat_id=LIAISON)
        assert "已取消" in timed_out.text


async def test_a_press_answered_too_late_is_still_acted_on(database: str) -> None:
    """Telegram refuses a press's answer after about 15 seconds (a press handled late on a loaded
    machine, or taken over from a process that died after answering it): the press is acted on
    all the same, and the guided report goes on."""
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "市政府办公室采用")
        chat.server.expire_presses()
        await chat.server.wait_for_call("editMessageReplyMarkup")
        await chat.press(LIAISON, menu, "《决策参考》（18）")
        chat.server.expire_presses()
        await chat.server.wait_for_call("editMessageText")
        asked = await chat.edited(menu, "请输入信息标题")
        refused = [
            call.description
            for call in chat.server.calls_to("answerCallbackQuery")
            if call.status is not None
        ]
        said = [m.text for m in chat.server.messages_to(LIAISON)]
    assert "《决策参考》" in asked
    assert len(refused) == 2 and all("query is too old" in (d or "") for d in refused)
    assert texts.REPORT_FAILED not in said and texts.INTERNAL_ERROR not in said


def test_run_without_a_token_points_to_the_sandbox(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVINFO_")}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "GOVINFO_BOT_TOKEN" in proc.stderr and "govinfo-bot sandbox" in proc.stderr
