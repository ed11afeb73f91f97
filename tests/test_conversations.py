"""The guided /report refused at every step, and failing: each refusal says why, and the
conversation never sticks — the next one-line report is answered without /cancel."""

from __future__ import annotations

from bot.fakeapi import SentMessage
from tests.chat import ADMIN, LIAISON, OTHER_ADMIN, Chat, flat, running_bot

TITLE = "关于沙漠治理的调研"


async def _to_date_step(chat: Chat, title: str) -> SentMessage:
    menu = await chat.ask(LIAISON, "/report")
    await chat.press(LIAISON, menu, "市政府办公室采用")
    await chat.server.wait_for_call("editMessageReplyMarkup")
    await chat.press(LIAISON, menu, "《决策参考》（18）")
    await chat.edited(menu, "请输入信息标题")
    return await chat.ask(LIAISON, title)


def _answers(chat: Chat) -> list[str]:
    return [answer.callback_query_id for answer in chat.server.callback_answers]


async def test_report_refused_at_every_step_then_a_one_line_report(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        assert "已锁定 2024年第二季度" in flat((await chat.ask(ADMIN, "/lock 2024Q2")).text)
        first = await chat.ask(LIAISON, f"采用 决策参考 {TITLE} 今天")
        assert "得 18 分" in await chat.confirm(LIAISON, first)

        # The title step: a date is not a title; asked again.
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "市政府办公室采用")
        await chat.server.wait_for_call("editMessageReplyMarkup")
        await chat.press(LIAISON, menu, "《决策参考》（18）")
        await chat.edited(menu, "请输入信息标题")
        refused = await chat.ask(LIAISON, "2024-05-06")
        assert "2024-05-06" in refused.text and "采用日期" not in refused.text
        day_question = await chat.ask(LIAISON, TITLE)
        assert "采用日期" in day_question.text

        # The date step: a future date and a day in a locked period are refused at once, each
        # followed by the question again.
        assert "晚于今天" in (await chat.ask(LIAISON, "2999-01-01")).text
        assert "采用日期" in (await chat.reply(LIAISON)).text
        locked = await chat.ask(LIAISON, "2024-05-06")
        assert "已锁定的期间 2024年第二季度" in flat(locked.text)
        again = await chat.reply(LIAISON)
        assert "采用日期" in again.text and again.inline_keyboard

        # Today is allowed: the duplicate shows only at the end, where the report ends with
        # its reason; the skip button is answered once, by the bot with no error.
        await chat.press(LIAISON, again, "今天")
        endorse = await chat.reply(LIAISON)
        await chat.press(LIAISON, endorse, "完成")
        evidence = await chat.server.wait_for(lambda m: "证明材料" in m.text, chat_id=LIAISON)
        pressed = len(chat.server.callback_answers)
        await chat.press(LIAISON, evidence, "跳过")
        ended = await chat.reply(LIAISON)
        assert "重复申报" in ended.text and "本次申报已结束" in ended.text
        await chat.settled()
        answered = _answers(chat)[pressed:]
        assert len(answered) == 1, answered

        # Nothing sticks: a one-line report is answered, and /report starts again.
        summary = await chat.ask(LIAISON, "采用 政务要情简讯 全县开展冬季防火检查 昨天")
        assert "请确认申报" in summary.text and "合计 3 分" in summary.text
        assert "请选择" in (await chat.ask(LIAISON, "/report")).text
        # Every button press of the walk was answered exactly once.
        assert len(_answers(chat)) == len(set(_answers(chat)))


async def test_a_step_that_fails_ends_the_report_cleanly(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        day_question = await _to_date_step(chat, TITLE)
        endorse = await chat.ask(LIAISON, "昨天")
        assert "领导批示" in endorse.text, endorse.text
        await chat.press(LIAISON, endorse, "完成")
        evidence = await chat.server.wait_for(lambda m: "证明材料" in m.text, chat_id=LIAISON)
        del day_question
        # Telegram refuses the answer to the press: an error the conversation does not expect.
        chat.server.fail_next("answerCallbackQuery", status=400, description="Bad Request: refused")
        await chat.press(LIAISON, evidence, "跳过")
        told = await chat.server.wait_for(lambda m: "出错" in m.text, chat_id=LIAISON)
        assert "本次申报已结束" in told.text and "/report" in told.text
        # Refused before anything was stored: no summary waits.
        await chat.settled()
        assert not [m for m in chat.server.messages_to(LIAISON) if "请确认申报" in m.text]
        # The conversation has ended: the next text is a one-line report, not evidence.
        summary = await chat.ask(LIAISON, "采用 政务要情简讯 全县开展冬季防火检查 昨天")
        assert "请确认申报" in summary.text and "合计 3 分" in summary.text


async def test_a_rejection_that_fails_ends_and_asks_for_no_reason(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        for title in ("第一篇分析", "第二篇分析"):
            await chat.confirm(LIAISON, await chat.ask(LIAISON, f"采用 决策参考 {title} 今天"))
        ask = await chat.server.wait_for(lambda m: "新的采用申报 #1" in m.text, chat_id=ADMIN)
        # Every claim delivered first: the failure injected below is the rejection's own.
        for admin in (ADMIN, OTHER_ADMIN):
            await chat.server.wait_for(lambda m: "新的采用申报 #2" in m.text, chat_id=admin)
        # Telegram refuses the question for the reason: an error the conversation does not
        # expect.
        chat.server.fail_next("sendMessage", status=400, description="Bad Request: refused")
        await chat.press(ADMIN, ask, "❌ 驳回")
        told = await chat.server.wait_for(lambda m: "出错" in m.text, chat_id=ADMIN)
        assert "/pending" in told.text
        # No reason is asked for: the admin's next text is not taken as one.
        assert "没有看懂" in (await chat.ask(ADMIN, "另一段文字")).text
        chat.say(ADMIN, "/pending")
        listed = [(await chat.reply(ADMIN)).text for _ in range(2)]
        assert "#1" in listed[0] and "#2" in listed[1]
