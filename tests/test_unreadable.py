"""An update python-telegram-bot cannot read (here a poll answer without the
`option_persistent_ids` Bot API 9.6 made required) is stored raw, set aside with its reason,
counted, and skipped: the reports behind it are handled, on polling and on the webhook, and a
restart does not bring it back."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import texts
from bot.cli import main
from bot.fakeapi import FakeBotApi
from bot.storage import Store, sql
from tests.chat import LIAISON, bot_on, bot_on_webhook, prepare_db
from tests.test_webhook import free_port

POISON = {
    "poll_answer": {
        "poll_id": "5",
        "option_ids": [0],
        "user": {"id": LIAISON, "is_bot": False, "first_name": "用户"},
    }
}
SET_ASIDE = "cannot be read and is set aside"


def set_aside_lines(caplog: pytest.LogCaptureFixture, update_id: int) -> int:
    return sum(
        1
        for r in caplog.records
        if SET_ASIDE in r.getMessage() and f"update {update_id} " in r.getMessage()
    )


# What python-telegram-bot logs (with a traceback) each time it cannot read what it received.
POLLING_REFUSAL = "Error while parsing updates"
WEBHOOK_REFUSAL = "Something went wrong processing the data"


def refusals(caplog: pytest.LogCaptureFixture, said: str) -> int:
    return sum(1 for r in caplog.records if said in r.getMessage())


async def verified(db: str) -> str:
    """What `govinfo-bot verify` prints (the command runs its own event loop)."""
    output: list[str] = []

    def run() -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["--db", db, "verify"]) == 0
        output.append(out.getvalue())

    await asyncio.to_thread(run)
    return output[0]


async def kept(db: str) -> list[tuple[int, dict[str, Any], str]]:
    store = await Store.open(db)
    try:
        async with store.bot_autocommit() as tx:
            rows = await tx.all(sql("SELECT update_id, payload, reason FROM set_aside_updates"))
    finally:
        await store.close()
    return [(int(i), json.loads(p), str(r)) for i, p, r in rows]


async def test_polling_sets_a_poison_update_aside_and_goes_on(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    await prepare_db(database)
    async with FakeBotApi() as server:
        # Queued before the bot starts: the poison and a report behind it arrive in one batch.
        poison = server.queue_update(POISON)["update_id"]
        server.send_message(LIAISON, "/help")
        async with bot_on(server, database) as chat:
            assert "/submit" in (await chat.reply(LIAISON)).text
            await chat.join(LIAISON, "教育局")
            assert "已记录报送" in (await chat.ask(LIAISON, "/submit 关于春耕的报告")).text
            # Refused by python-telegram-bot once, not again and again; set aside once.
            assert refusals(caplog, POLLING_REFUSAL) == 1
            assert set_aside_lines(caplog, poison) == 1
        ((update_id, payload, reason),) = await kept(database)
        assert (update_id, payload["poll_answer"]) == (poison, POISON["poll_answer"])
        assert "option_persistent_ids" in reason
        assert texts.VERIFY_SET_ASIDE.format(count=1) in await verified(database)
        # Started again: the poison is not taken again, the next report is.
        async with bot_on(server, database) as chat:
            assert "/submit" in (await chat.ask(LIAISON, "/help")).text
            await chat.settled()
        assert set_aside_lines(caplog, poison) == 1
        assert len(await kept(database)) == 1


async def test_the_webhook_sets_a_poison_update_aside_and_goes_on(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    await prepare_db(database)
    async with FakeBotApi() as server:
        server.webhook_retry(0.05)
        async with bot_on_webhook(server, database, free_port()) as chat:
            poison = server.queue_update(POISON)["update_id"]
            assert "/submit" in (await chat.ask(LIAISON, "/help")).text
            await chat.settled()
        # Answered 200 at once: not posted again, nothing held behind it.
        assert [d.status for d in server.webhook_deliveries if d.update_id == poison] == [200]
        assert refusals(caplog, WEBHOOK_REFUSAL) == 1
        assert set_aside_lines(caplog, poison) == 1
        assert [i for i, _, _ in await kept(database)] == [poison]
        async with bot_on_webhook(server, database, free_port()) as chat:
            assert "/submit" in (await chat.ask(LIAISON, "/help")).text
        assert set_aside_lines(caplog, poison) == 1


async def test_an_unreadable_update_stored_before_is_set_aside_at_the_start(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Stored, not handled, by a version that did not check: set aside when taken, once."""
    caplog.set_level(logging.ERROR)
    await prepare_db(database)
    store = await Store.open(database)
    try:
        async with store.bot_autocommit() as tx:
            await tx.intake.store_updates(
                [(900, json.dumps({"update_id": 900, **POISON}))], datetime.now(UTC)
            )
    finally:
        await store.close()
    async with FakeBotApi() as server, bot_on(server, database) as chat:
        assert "/submit" in (await chat.ask(LIAISON, "/help")).text
        await chat.settled()
        await _until(lambda: set_aside_lines(caplog, 900) == 1)
    assert [i for i, _, _ in await kept(database)] == [900]


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the condition never held")
