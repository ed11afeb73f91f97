"""The bot killed with SIGKILL, again and again: nothing a liaison sent is lost, nothing is done
twice, and everything done is answered.

The fake Bot API server behaves as Telegram does: an update is delivered again and again until a
getUpdates call with a later offset confirms it, and never after that. python-telegram-bot sends
that call as soon as it has queued a batch, before the batch's handlers ran; the durable intake
stores the batch first, so that a bot killed then finds it in the database at its next start.

The answer to an action is owed in the action's transaction (the outbox) and sent at once; an
answer a kill left unsent goes at the next start. Only a kill between Telegram's answer and its
mark can answer twice, and the second answer says it may be a repeat.

SQLite only: polling processes on a database file (tests/test_replicas.py: PostgreSQL).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import pytest

from bot.fakeapi import FakeBotApi
from tests.bots import Liaisons, assert_each_once, liaisons_db, start_bot, titles

CYCLES = 20
QUEUED_WHILE_DOWN = 6
# While the bot runs, a liaison reports this often until the kill.
REPORT_EVERY = 0.03
KILL_WITHIN = 2.0


async def test_killed_at_random_moments_nothing_is_lost_or_done_twice(tmp_path: Path) -> None:
    db = await liaisons_db(tmp_path)
    seed = int(os.environ.get("GOVINFO_TEST_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    kills = 0
    async with FakeBotApi() as server:
        liaisons = Liaisons(server)
        for _ in range(CYCLES):
            for _ in range(QUEUED_WHILE_DOWN):
                liaisons.submit()
            bot = await start_bot(server, db, tmp_path)
            kill_at = time.monotonic() + rng.uniform(0, KILL_WITHIN)
            while time.monotonic() < kill_at:
                liaisons.submit()
                await asyncio.sleep(min(REPORT_EVERY, max(0.0, kill_at - time.monotonic())))
            kills += 1
            bot.kill()
            assert await bot.wait() == -9
        bot = await start_bot(server, db, tmp_path)
        try:
            await liaisons.all_stored(db)
            await liaisons.all_answered()
            await asyncio.sleep(0.3)  # anything answered twice would be by now
        finally:
            bot.terminate()
            await bot.wait()
    assert_each_once(db, liaisons, f"seed {seed}, {kills} kills")


@pytest.mark.parametrize("durable", [True, False], ids=["intake", "no-intake"])
async def test_killed_once_its_batch_is_confirmed(tmp_path: Path, durable: bool) -> None:
    """The worst moment of all: the next getUpdates has confirmed the batch, whose handlers have
    only begun. With the intake every report is handled after the restart; without it (what
    python-telegram-bot does by itself) the batch is lost."""
    db = await liaisons_db(tmp_path)
    async with FakeBotApi() as server:
        liaisons = Liaisons(server)
        for _ in range(60):
            liaisons.submit()
        intake = "true" if durable else "false"
        bot = await start_bot(server, db, tmp_path, durable_intake=intake)
        # Killed as soon as the second getUpdates has confirmed the batch (however long the
        # bot takes to start on a loaded machine).
        deadline = time.monotonic() + 60
        while len(server.calls_to("getUpdates")) < 2:
            assert time.monotonic() < deadline, "the bot never polled twice"
            await asyncio.sleep(0.001)
        bot.kill()
        await bot.wait()
        assert server.pending_update_count == 0, "the batch was confirmed before the kill"
        polls = len(server.calls_to("getUpdates"))
        bot = await start_bot(server, db, tmp_path, durable_intake=intake)
        try:
            if durable:
                await liaisons.all_stored(db)
                await liaisons.all_answered()
                await asyncio.sleep(0.3)
            else:
                # Up and polling: whatever it had of the batch it handles before polling.
                while len(server.calls_to("getUpdates")) == polls:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.5)
        finally:
            bot.terminate()
            await bot.wait()
    if durable:
        assert_each_once(db, liaisons, "killed once the batch was confirmed")
    else:
        lost = set(liaisons.titles) - set(titles(db))
        assert len(lost) > len(liaisons.titles) // 2, "without the intake the batch is lost"
