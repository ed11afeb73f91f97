"""One delivery path: what the bot owes after a commit goes through the outbox, written in the
action's own transaction; a claim can always be decided."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot import texts
from bot.fakeapi import FakeBotApi
from bot.telegram.notices import ANSWER_HOLD
from tests.chat import ADMIN, LIAISON, OTHER_ADMIN, bot_on, running_bot
from tests.jobs import at, clock, idle, received, run_at
from tests.stores import rows


async def test_a_claim_whose_admin_message_failed_at_first_still_reaches_the_admins(
    database: str,
) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        summary = await chat.ask(LIAISON, "采用 决策参考 关于治安形势的分析 今天")
        # Telegram fails the next two sends: the claim was stored with the messages it owes.
        chat.server.fail_next("sendMessage", status=502, times=2)
        assert "等待信息室审核" in await chat.confirm(LIAISON, summary)
        assert rows(
            chat.db(),
            "SELECT address, buttons IS NOT NULL FROM outbox WHERE source = 'claim:1' ORDER BY id",
        ) == [(str(ADMIN), 1), (str(OTHER_ADMIN), 1)]
        for admin in (ADMIN, OTHER_ADMIN):
            claim = await chat.server.wait_for(
                lambda m: "新的采用申报 #1" in (m.text or ""), chat_id=admin, timeout=10
            )
            assert claim.callback_data("✅ 确认") == "ok:1"
        for _ in range(100):  # each is marked sent once Telegram has confirmed it
            if rows(chat.db(), "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the claim's messages were never marked sent")


async def test_the_answer_to_a_submission_is_owed_with_it_and_sent_at_once(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        answer = await chat.ask(LIAISON, "/submit 县公安局召开冬季安全工作会议")
        assert answer.text.startswith("已记录报送（#1）")
        # Written by the submission's transaction, then marked once Telegram took it.
        for _ in range(100):
            sent = rows(
                chat.db(), "SELECT address, sent_at IS NOT NULL FROM outbox WHERE source = ?",
                ("answer:1",),
            )  # fmt: skip
            if sent == [(str(LIAISON), 1)]:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"the answer was not marked sent: {sent}")
        # Sent once, by the process that handled it.
        await chat.settled()
        answers = [m for m in chat.server.messages_to(LIAISON) if "已记录报送" in m.text]
        assert len(answers) == 1


async def test_an_answer_telegram_failed_is_sent_by_the_courier_once_its_hold_ends(
    database: str,
) -> None:
    start = at(2026, 3, 10, 10)
    with clock(start) as time:
        async with running_bot(database) as chat:
            await idle(chat, start)
            await chat.join(LIAISON, "公安局")
            # Telegram fails the answer: stored with the submission, it is not lost.
            chat.server.fail_next("sendMessage", status=502)
            chat.say(LIAISON, "/submit 县公安局召开冬季安全工作会议")
            await chat.settled()
            assert not received(chat, LIAISON, "已记录报送")
            # Past its hold, the courier sends it, marked: Telegram may have taken the first.
            await run_at(chat, time, start + ANSWER_HOLD + timedelta(minutes=1))
            (answer,) = received(chat, LIAISON, "已记录报送")
            assert answer.startswith(f"{texts.RESENT}已记录报送（#1）")


async def test_pending_offers_buttons_and_claims_are_decided_by_number(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        for title in ("第一篇分析", "第二篇分析", "第三篇分析"):
            await chat.confirm(LIAISON, await chat.ask(LIAISON, f"采用 决策参考 {title} 今天"))
        await chat.server.wait_for(lambda m: "新的采用申报 #3" in (m.text or ""), chat_id=ADMIN)
        chat.say(ADMIN, "/pending")
        listed = [await chat.reply(ADMIN) for _ in range(3)]
        assert [m.callback_data("❌ 驳回") for m in listed] == ["no:1", "no:2", "no:3"]
        await chat.press(ADMIN, listed[1], "✅ 确认")
        await chat.server.wait_for(lambda m: "#2" in m.text and "已确认" in m.text, chat_id=LIAISON)

        approved = await chat.ask(ADMIN, "/approve 1")
        assert approved.text.startswith("已确认记录 #1，得 18 分")
        told = await chat.server.wait_for(
            lambda m: "#1" in m.text and "已确认" in m.text, chat_id=LIAISON
        )
        assert "第一篇分析" in told.text
        assert "不能再次审核" in (await chat.ask(ADMIN, "/approve 1")).text
        assert "用法" in (await chat.ask(ADMIN, "/reject 3")).text
        rejected = await chat.ask(ADMIN, "/reject 3 不是本单位的信息")
        assert rejected.text.startswith("已驳回记录 #3：不是本单位的信息")
        told = await chat.server.wait_for(lambda m: "被驳回" in m.text, chat_id=LIAISON)
        assert "不是本单位的信息" in told.text
        assert "只有信息室管理员" in (await chat.ask(LIAISON, "/approve 3")).text
        assert rows(chat.db(), "SELECT id, status FROM records ORDER BY id") == [
            (1, "confirmed"),
            (2, "confirmed"),
            (3, "rejected"),
        ]
        # Every notice went through the outbox (beside the liaison's own answers), and every
        # one was delivered.
        assert rows(
            chat.db(),
            "SELECT source FROM outbox WHERE address = ? AND source NOT LIKE 'answer:%' ORDER BY id",
            (str(LIAISON),),
        ) == [("approval:2",), ("approval:1",), ("rejection:3",)]
        assert "没有待审核" in (await chat.ask(ADMIN, "/pending")).text


async def test_long_evidence_still_reaches_the_admins_and_the_office(database: str) -> None:
    office = -1009999
    async with running_bot(database, office_chat_id=office) as chat:
        await chat.join(LIAISON, "公安局")
        long_text = "情况说明" * 1000  # 4,000 characters, Telegram's limit for a message
        original = chat.say(LIAISON, long_text)["message"]["message_id"]
        await chat.reply(LIAISON)  # the hint for free text
        chat.say(LIAISON, "/submit 一条长材料的报送", reply_to_message_id=original)
        await chat.server.wait_for(lambda m: "已记录报送" in (m.text or ""), chat_id=LIAISON)
        copy = await chat.server.wait_for(
            lambda m: "一条长材料的报送" in (m.text or ""), chat_id=office
        )
        assert copy.text.endswith("…") and len(copy.text) < 500
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "市政府办公室采用")
        await chat.server.wait_for_call("editMessageReplyMarkup")
        await chat.press(LIAISON, menu, "《决策参考》（18）")
        await chat.server.wait_for_call("editMessageText")
        await chat.ask(LIAISON, "一篇带长证明的调研")
        endorse = await chat.ask(LIAISON, "今天")
        await chat.press(LIAISON, endorse, "完成")
        await chat.server.wait_for(lambda m: "证明材料" in (m.text or ""), chat_id=LIAISON)
        chat.say(LIAISON, long_text)
        summary = await chat.server.wait_for(
            lambda m: "请确认申报" in (m.text or ""), chat_id=LIAISON
        )
        await chat.confirm(LIAISON, summary)
        claim = await chat.server.wait_for(
            lambda m: "新的采用申报" in (m.text or ""), chat_id=ADMIN
        )
        assert "证明材料：情况说明" in claim.text and claim.callback_data("✅ 确认") == "ok:2"
        assert rows(chat.db(), "SELECT COUNT(*) FROM outbox WHERE failure IS NOT NULL") == [(0,)]


async def test_an_action_handled_while_the_bot_stops_leaves_its_notices_for_the_next_start(
    database: str, recwarn: pytest.WarningsRecorder
) -> None:
    """The bot stops while an admin's entry is being answered: the application, no longer
    running, still finishes handling the update; the answer is sent, the liaison's notice
    waits in the outbox (no new send begins once stopping) and goes at the next start. No
    delivery is left as a task the stopping application would not wait for."""
    async with FakeBotApi() as server:
        async with bot_on(server, database) as chat:
            await chat.join(LIAISON, "公安局")
            # The entry's answer is taken at once and answered late: the bot stops meanwhile.
            server.slow("sendMessage", 2)
            chat.say(ADMIN, "/adjust 公安局 -2 材料迟交")
            await server.wait_for(lambda m: "已记入" in (m.text or ""), chat_id=ADMIN)
        server.slow("sendMessage", 0)
        assert not [
            m for m in server.messages_to(LIAISON) if "信息室为 公安局 记入" in (m.text or "")
        ]
        assert [str(w.message) for w in recwarn if "create_task" in str(w.message)] == []
        async with bot_on(server, database) as chat:
            told = await server.wait_for(
                lambda m: "信息室为 公安局 记入" in (m.text or ""), chat_id=LIAISON
            )
            assert "材料迟交" in (told.text or "")
