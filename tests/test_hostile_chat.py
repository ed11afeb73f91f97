"""Hostile chat input: every odd command and forged button gets a clear Chinese answer, never
the internal error, and nothing odd is stored."""

from __future__ import annotations

from bot import texts
from tests.chat import ADMIN, LIAISON, running_bot
from tests.stores import rows

HUGE = "9" * 25
LONG = "长" * 600
LIAISON_INPUTS = [
    "/rank 9999Q4",
    "/rank 2024Q5",
    "/rank 99999",
    "/rank 1999",
    "/why 2024-13",
    "/why 0001-01-01..9999-12-31",
    f"/submit {LONG}",
    "/submit \u200b\u200b\u2060",
    "/submit \u3164",
    # Not a commission number: a submission with this title, stored as it is.
    "/submit 约稿² 一条回复",
    f"/submit 约稿{HUGE} 一条回复",
    "/submit 一条报送 99999年1月1日",
    f"采用 决策参考 {LONG} 今天",
    "采用 决策参考 \u200b 今天",
    "采用 决策参考 一条信息 9999-99-99",
    f"采用 {LONG} 标题",
    f"/start {'x' * 4000}",
    "/start ²",
]
ADMIN_INPUTS = [
    "/standings 9999Q4",
    "/standings 0000",
    "/export 9999",
    "/export 2024-05-01..9999-12-31",
    f"/adjust 公安局 +{HUGE} 理由",
    "/adjust 公安局 ² 理由",
    "/adjust 公安局 ٣ 理由",
    "/adjust 公安局 +100001 理由",
    f"/adjust 公安局 +5 {LONG}",
    "/endorse ² 市领导同志批示",
    f"/endorse {HUGE} 市领导同志批示",
    "/endorse 1 市领导同志批示×99999999999",
    "/endorse 1 市领导同志批示×²",
    f"/reverse {HUGE} 理由",
    "/reverse ٣ 理由",
    "/reverse -1 理由",
    "/move ² 公安局",
    f"/move {HUGE} 公安局",
    "/remove ²",
    "/select ² 市",
    f"/select {HUGE} 市",
    "/penalty 公安局 error.city_endorsed 9999-99-99 说明",
    "/penalty 公安局 error.city_endorsed 99999年1月1日 说明",
    f"/penalty 公安局 error.city_endorsed 今天 {LONG}",
    "/commission 9999-12-31 公安局 题目",
    f"/commission 明天 公安局 {LONG}",
    "/commission ² 公安局 题目",
    "/lock 9999Q4",
    "/lock ²",
    f"/reopen 2024Q2 {LONG}",
    f"/invite {'局' * 4000}",
    f"/why {HUGE}",
]
FORGED_BUTTONS = [
    "ok:²",
    f"ok:{HUGE}",
    "ok:-1",
    "no:²",
    f"dc:{HUGE}",
    "dx:²",
    "rp:../../..",
    "ri:",
    "ri:not.an.item",
    "rd:9",
    "re:not.a.modifier",
    "rs:xyz",
    "zz:1",
    "ok",
    ":",
    "tb:9999",
    "tb:0001-01-01..9999-12-31",
    "tb:",
    "mv:",
    "mvx:",
    "mv:not-a-code",
]
# Pressed by an admin: the bulletin's buttons with periods nobody offered.
FORGED_ADMIN_BUTTONS = ["bp:0001", "bp:1999", "bp:9999Q4", "bp:", "bh:", "bh:2024Q9"]


async def test_hostile_input_gets_clear_answers(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        some_message = await chat.ask(LIAISON, "/me")
        for user, inputs in ((LIAISON, LIAISON_INPUTS), (ADMIN, ADMIN_INPUTS)):
            for text in inputs:
                before = len(chat.server.messages_to(user))
                chat.say(user, text)
                await chat.settled()
                answers = chat.server.messages_to(user)[before:]
                assert answers, f"no answer to {text[:40]!r}"
                for answer in answers:
                    assert answer.text != texts.INTERNAL_ERROR, text[:40]
                    # Chinese, and never a wall of the user's own text quoted back.
                    assert len(answer.text) < 1000, (text[:40], answer.text[:80])
        answered = len(chat.server.calls_to("answerCallbackQuery"))
        for data in FORGED_BUTTONS:
            chat.press_data(LIAISON, some_message, data)
            await chat.settled()
        admin_message = await chat.ask(ADMIN, "/units")
        for data in FORGED_ADMIN_BUTTONS:
            chat.press_data(ADMIN, admin_message, data)
            await chat.settled()
        calls = chat.server.calls_to("answerCallbackQuery")[answered:]
        assert len(calls) == len(FORGED_BUTTONS) + len(FORGED_ADMIN_BUTTONS)
        assert [c.params for c in calls if "text" not in c.params] == []
        assert texts.INTERNAL_ERROR not in str([m.text for m in chat.server.sent])
        # Nothing of it was stored: no record, no ledger line.
        assert rows(chat.db(), "SELECT title FROM records") == [("约稿² 一条回复",)]
        assert rows(chat.db(), "SELECT COUNT(*) FROM commissions") == [(0,)]
        assert rows(chat.db(), "SELECT COUNT(*) FROM bulletins") == [(0,)]
        assert rows(chat.db(), "SELECT COUNT(*) FROM period_locks") == [(0,)]
        assert rows(chat.db(), "SELECT COUNT(*) FROM ledger") == [(0,)]


async def test_direction_overrides_are_removed_from_titles(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        done = await chat.ask(LIAISON, "/submit 关于\u202e告报作工\u202c的通知")
        assert "已记录报送" in done.text
        assert rows(chat.db(), "SELECT title FROM records") == [("关于告报作工的通知",)]
