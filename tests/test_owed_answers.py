"""The answer to every action that commits is owed in the action's own transaction: Telegram
failing to take it loses nothing; the courier sends it once the handling process's hold ends
(as after a crash, when that process is gone)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from time import monotonic

from telegram import Bot

from bot import texts
from bot.fakeapi import FakeBotApi
from bot.fakeapi.recorder import WAIT
from bot.storage import Address, Outgoing, Store, sql
from bot.telegram.delivery import Courier
from bot.telegram.handlers.common import STORE
from bot.telegram.notices import ANSWER_HOLD
from tests.chat import ADMIN, LIAISON, Chat, flat, prepare_db, running_bot
from tests.jobs import at, clock, idle, received, run_at
from tests.stores import rows

START = at(2026, 3, 10, 10)
LATER = START + ANSWER_HOLD + timedelta(minutes=1)
# Answers sent at once in the test of their marks.
ANSWERS = 24


_OWED_TEXT = (
    "SELECT address, sent_at IS NOT NULL FROM {table} WHERE source LIKE :source ORDER BY id"
)
# The database's outbox read by a connection of the test's own (tests.stores.rows: `?` marks).
_OWED_ROWS = "SELECT address, sent_at IS NOT NULL FROM outbox WHERE source LIKE ? ORDER BY id"
_OWED = {
    "outbox": sql(_OWED_TEXT.format(table="outbox")),
    "answers": sql(sqlite=_OWED_TEXT.format(table="answers")),
}


async def _owed(chat: Chat, source: str) -> list[tuple[int, bool]]:
    """The answers owed under `source`: (chat, sent), where the action's transaction wrote
    them (a summary's, on SQLite, in the working file's `answers`)."""
    store: Store = chat.app.bot_data[STORE]
    table = "outbox"
    if source.startswith("answer:draft:") and store.answers_apart:
        table = "answers"
    if source.startswith("answer:draft:"):
        async with store.bot_autocommit() as tx:
            return [(int(c), bool(s)) for c, s in await tx.all(_OWED[table], {"source": source})]
    return [(int(c), bool(s)) for c, s in rows(chat.db(), _OWED_ROWS, (source,))]


async def _marked_sent(chat: Chat, source: str, user: int) -> None:
    """Until the answer is marked sent (once Telegram has taken it)."""
    deadline = monotonic() + WAIT
    while (owed := await _owed(chat, source)) != [(user, True)]:
        assert monotonic() < deadline, f"never marked sent: {owed}"
        await asyncio.sleep(0.05)


async def test_a_one_line_reports_summary_survives_a_failed_send(database: str) -> None:
    with clock(START) as time:
        async with running_bot(database, require_approval=False) as chat:
            await idle(chat, START)
            await chat.join(LIAISON, "公安局")
            # Telegram fails the summary: stored with the draft, it is not lost.
            chat.server.fail_next("sendMessage", status=502)
            chat.say(LIAISON, "采用 政务要情简讯 全县开展冬季防火检查 今天")
            await chat.settled()
            assert not received(chat, LIAISON, "请确认申报")
            assert await _owed(chat, "answer:draft:%") == [(LIAISON, False)]
            # Past its hold, the courier sends it, marked, with the buttons that confirm it.
            await run_at(chat, time, LATER)
            summary = await chat.server.wait_for(
                lambda m: "请确认申报" in flat(m.text or ""), chat_id=LIAISON
            )
            assert summary.text.startswith(texts.RESENT)
            await _marked_sent(chat, "answer:draft:%", LIAISON)
            assert "已记录（#1），得 3 分" in flat(await chat.confirm(LIAISON, summary))
            assert rows(chat.db(), "SELECT title, status FROM records") == [
                ("全县开展冬季防火检查", "confirmed")
            ]


async def test_an_office_commands_answer_survives_a_failed_send(database: str) -> None:
    with clock(START) as time:
        async with running_bot(database) as chat:
            await idle(chat, START)
            # Telegram fails the answer to /adjust: stored with the entry, it is not lost.
            chat.server.fail_next("sendMessage", status=502)
            chat.say(ADMIN, "/adjust 公安局 +5 补记漏登")
            await chat.settled()
            assert not received(chat, ADMIN, "已记入")
            assert rows(chat.db(), "SELECT note FROM records") == [("补记漏登",)]
            assert await _owed(chat, "answer:adjustment:%") == [(ADMIN, False)]
            await run_at(chat, time, LATER)
            answer = await chat.server.wait_for(lambda m: "已记入" in (m.text or ""), chat_id=ADMIN)
            assert answer.text.startswith(f"{texts.RESENT}已记入（#1）")
            assert "补记漏登" in flat(answer.text)
            # Once.
            await chat.settled()
            assert len(received(chat, ADMIN, "已记入")) == 1


async def test_a_pressed_buttons_answer_is_the_owed_edit_of_its_message(database: str) -> None:
    with clock(START) as time:
        async with running_bot(database) as chat:
            await idle(chat, START)
            await chat.join(LIAISON, "公安局")
            summary = await chat.ask(LIAISON, "采用 决策参考 关于治安形势的分析 今天")
            assert "等待信息室审核" in await chat.confirm(LIAISON, summary)
            claim = await chat.server.wait_for(
                lambda m: "新的采用申报 #1" in (m.text or ""), chat_id=ADMIN
            )
            # Telegram fails the edit that answers ✅: the approval stands, its edit is owed.
            chat.server.fail_next("editMessageText", status=502)
            await chat.press(ADMIN, claim, "✅ 确认")
            await chat.server.wait_for(lambda m: "已确认" in (m.text or ""), chat_id=LIAISON)
            await chat.settled()
            assert "✅ 已确认" not in claim.message["text"]
            assert await _owed(chat, "answer:approval:1") == [(ADMIN, False)]
            # The courier makes it, without a mark: an edit made twice reads the same.
            await run_at(chat, time, LATER)
            edited = await chat.edited(claim, "✅ 已确认")
            assert not edited.startswith(texts.RESENT) and "新的采用申报 #1" in edited
            assert not claim.message.get("reply_markup")
            assert rows(chat.db(), "SELECT status FROM records") == [("confirmed",)]


async def test_answers_sent_together_are_each_marked_sent_when_their_send_returns(
    database: str,
) -> None:
    """Many answers sent at once (a busy chat): their marks are written together, yet each
    answer's send returns only once its own mark is stored, and none is left to send again."""
    await prepare_db(database)
    store = await Store.open(database)
    now = datetime.now().astimezone()
    try:
        owed: list[list[Outgoing]] = []
        for n in range(ANSWERS):
            # Half owed by actions of the working file (a summary), half by the database's.
            opened = store.bot_transaction() if n % 2 else store.transaction()
            async with opened as tx:
                owed.append(
                    await tx.outbox.enqueue_answer(
                        f"answer:test:{n}",
                        Address.telegram(7000 + n),
                        [f"答复 {n}"],
                        now,
                        now + ANSWER_HOLD,
                    )
                )
        async with FakeBotApi() as server, Bot(server.token, base_url=server.base_url) as bot:
            courier = Courier(bot, store, [], lambda: now, lambda: True)

            async def answer(messages: list[Outgoing]) -> None:
                assert await courier.answer(messages)
                # Marked by now: a courier finding what is left does not see it.
                async with store.bot_autocommit() as tx:
                    left = {m.id for m in await tx.outbox.unsent(0, 1000) if m.bot_file}
                async with store.reading() as tx:
                    left |= {-m.id for m in await tx.outbox.unsent(0, 1000)}
                assert not {m.id if m.bot_file else -m.id for m in messages} & left, messages

            await asyncio.gather(*(answer(messages) for messages in owed))
            # After the holds, as after a restart: nothing is sent a second time.
            later = Courier(bot, store, [], lambda: now + 2 * ANSWER_HOLD, lambda: True)
            assert await later.deliver() is False
        assert sorted(m.text or "" for m in server.sent) == sorted(
            f"答复 {n}" for n in range(ANSWERS)
        )
    finally:
        await store.close()
