"""Delivering what the scheduled work owes: blocked users, flood control and network errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from http import HTTPStatus

import pytest
from telegram import Bot

from bot.fakeapi import FakeBotApi
from bot.storage import Address, Store
from bot.telegram.delivery import Courier
from tests.chat import ADMIN, LIAISON, OTHER_ADMIN, SECOND, Chat, running_bot
from tests.jobs import at, clock, idle, received, run_at
from tests.stores import rows

REMINDER = "【报送提醒】"


@asynccontextmanager
async def two_liaisons(database: str) -> AsyncIterator[Chat]:
    """The bot the day before March's first reminder, with 公安局's and 审计局's liaisons."""
    async with running_bot(database) as chat:
        await idle(chat, at(2026, 3, 19, 10))
        await chat.join(LIAISON, "公安局")
        await chat.join(SECOND, "审计局")
        yield chat


def sends_to(chat_calls: list, user: int) -> list[int | None]:  # type: ignore[type-arg]
    """The statuses of every sendMessage to `user`, failed ones included."""
    return [c.status for c in chat_calls if c.params.get("chat_id") == user]


async def test_a_liaison_who_blocked_the_bot_is_made_inactive_and_admins_are_told(
    database: str,
) -> None:
    with clock(at(2026, 3, 19, 10)) as time:
        async with two_liaisons(database) as chat:
            chat.server.block(SECOND)
            await run_at(chat, time, at(2026, 3, 20))
            assert len(received(chat, LIAISON, REMINDER)) == 1
            for admin in (ADMIN, OTHER_ADMIN):
                (told,) = received(chat, admin, "已屏蔽机器人")
                assert "审计局" in told and "/invite 审计局" in told
            assert rows(
                chat.db(), "SELECT active FROM liaisons WHERE address = ?", (str(SECOND),)
            ) == [(0,)]
            assert rows(chat.db(), "SELECT channel, address, event FROM liaison_events") == [
                ("telegram", str(SECOND), "deactivated")
            ]
            assert rows(chat.db(), "SELECT COUNT(*) FROM outbox WHERE failure IS NOT NULL") == [
                (1,)
            ]
            # The next reminder is not tried on the blocked chat again.
            await run_at(chat, time, at(2026, 3, 27))
            assert len(received(chat, LIAISON, REMINDER)) == 2
            # The answer to the invite, then the one reminder refused.
            assert sends_to(chat.server.calls_to("sendMessage"), SECOND) == [
                HTTPStatus.OK,
                HTTPStatus.FORBIDDEN,
            ]
            # Unblocked, they are no longer a liaison until invited again.
            chat.server.unblock(SECOND)
            answer = await chat.ask(SECOND, "/me")
            assert "你还没有绑定单位" in answer.text


async def test_flood_control_and_network_errors_are_retried_and_sent_once(
    database: str,
) -> None:
    with clock(at(2026, 3, 19, 10)) as time:
        async with two_liaisons(database) as chat:
            chat.server.fail_next("sendMessage", status=HTTPStatus.TOO_MANY_REQUESTS, retry_after=1)
            chat.server.fail_next("sendMessage", status=HTTPStatus.BAD_GATEWAY, times=2)
            await run_at(chat, time, at(2026, 3, 20))
            assert len(received(chat, LIAISON, REMINDER)) == 1
            assert len(received(chat, SECOND, REMINDER)) == 1
            assert len(received(chat, ADMIN, "【报送进度】")) == 1
            assert len(received(chat, OTHER_ADMIN, "【报送进度】")) == 1
            calls = chat.server.calls_to("sendMessage")
            statuses = [c.status for c in calls]
            assert statuses.count(HTTPStatus.TOO_MANY_REQUESTS) == 1
            # The message refused for flood control is tried again only after retry_after (1 s).
            flood = calls[statuses.index(HTTPStatus.TOO_MANY_REQUESTS)]
            again = [c for c in calls if c.params["chat_id"] == flood.params["chat_id"]]
            assert again[-1].time - flood.time >= 1.0
            assert statuses.count(HTTPStatus.BAD_GATEWAY) == 2
            assert rows(chat.db(), "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]


async def test_a_message_for_another_channel_waits_for_its_outlet(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The Telegram courier takes the rows addressed on Telegram only: a row for a channel
    with no outlet in this process is neither tried nor marked failed, it waits (for a process
    that sends on that channel), and the log says so once."""
    mail = Address("mail", "zhao@gov.example")
    now = datetime.now().astimezone()
    store = await Store.open(database)
    try:
        async with store.transaction() as tx:
            told = [(mail, "致邮箱"), (Address.telegram(5001), "致 Telegram")]
            await tx.outbox.enqueue("notice", told, now)
        async with FakeBotApi() as server, Bot(server.token, base_url=server.base_url) as bot:
            courier = Courier(bot, store, [], lambda: now, lambda: True)
            # Nothing of its own is left.
            assert await courier.deliver() is False
            assert [(m.chat_id, m.text) for m in server.sent] == [(5001, "致 Telegram")]
            with caplog.at_level(logging.WARNING, logger="bot.telegram.delivery"):
                assert await courier.waiting() is False
                assert await courier.waiting() is False
            said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
            assert said == ["messages wait for channels this process does not send on (mail: 1)"]
        async with store.reading() as tx:
            (left,) = await tx.outbox.unsent(0, 10)
            assert (left.to, left.text, left.tried) == (mail, "致邮箱", False)
            assert await tx.outbox.waiting_by_channel() == {"mail": 1}
    finally:
        await store.close()
