"""The bot killed with SIGKILL, again and again: nothing a liaison sent is lost, nothing is done
or answered twice.

The fake Bot API server behaves as Telegram does: an update is delivered again and again until a
getUpdates call with a later offset confirms it, and never after that. python-telegram-bot sends
that call as soon as it has queued a batch, before the batch's handlers ran; the durable intake
stores the batch first, so that a bot killed then finds it in the database at its next start.

What a kill can still cost is the reply to an action that committed just before it: the reply
is sent after the commit, and the update, marked handled by that commit, is not handled again.
The test checks that every report without a reply was stored in the last moments before a kill.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from bot.fakeapi import FakeBotApi
from tests.chat import ADMIN, prepare_db

LIAISONS = {2001: 1, 2002: 2, 2003: 3}  # user id -> unit id
CYCLES = 20
QUEUED_WHILE_DOWN = 6
# While the bot runs, a liaison reports this often until the kill.
REPORT_EVERY = 0.03
KILL_WITHIN = 2.0
# How long before a kill an action may have committed and still be without its reply: the time
# from the commit to Telegram receiving the reply, generously for a loaded machine.
REPLY_WINDOW = 1.0


def bot_env(server: FakeBotApi, db: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVINFO_")}
    env.update(
        GOVINFO_BOT_TOKEN=server.token,
        GOVINFO_API_BASE_URL=server.base_url,
        GOVINFO_API_BASE_FILE_URL=server.base_file_url,
        GOVINFO_DB=str(db),
        GOVINFO_ADMIN_IDS=str(ADMIN),
        GOVINFO_RATE_LIMIT="false",
        GOVINFO_JOBS="false",
    )
    env.update({f"GOVINFO_{key.upper()}": value for key, value in settings.items()})
    return env


async def start_bot(
    server: FakeBotApi, db: Path, cwd: Path, **settings: str
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=bot_env(server, db, **settings), cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def liaisons_db(tmp_path: Path) -> Path:
    db = tmp_path / "bot.sqlite3"
    await prepare_db(db)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO liaisons (user_id, unit_id, name, joined_at) VALUES (?, ?, ?, '2024-01-01')",
            [(user, unit, f"信息员{user}") for user, unit in LIAISONS.items()],
        )
    return db


class Liaisons:
    """Liaisons submitting numbered titles, and what came of them."""

    def __init__(self, server: FakeBotApi) -> None:
        self.server = server
        self.titles: list[str] = []

    def submit(self) -> None:
        user = list(LIAISONS)[len(self.titles) % len(LIAISONS)]
        title = f"报送-{user}-{len(self.titles)}"
        self.titles.append(title)
        self.server.send_message(user, f"/submit {title}")

    def answers(self) -> Counter[str]:
        return Counter(
            m.text.split("：", 1)[1].split("\n")[0]
            for m in self.server.sent
            if m.text is not None and m.text.startswith("已记录报送")
        )

    async def all_stored(self, db: Path, timeout: float = 30.0) -> None:
        """Until every report is stored, and Telegram has nothing left to deliver."""
        deadline = time.monotonic() + timeout
        while set(titles(db)) != set(self.titles) or self.server.pending_update_count:
            if time.monotonic() > deadline:
                missing = set(self.titles) - set(titles(db))
                raise TimeoutError(f"{len(missing)} reports never stored: {sorted(missing)[:5]}")
            await asyncio.sleep(0.05)


def titles(db: Path) -> Counter[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT title FROM records WHERE item_id = 'submission'").fetchall()
    return Counter(title for (title,) in rows)


def stored_at(db: Path) -> dict[str, float]:
    """When each report's action ran (seconds since the epoch), by title."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT title, created_at FROM records WHERE item_id = 'submission'"
        ).fetchall()
    return {title: datetime.fromisoformat(at).timestamp() for title, at in rows}


def assert_each_once(db: Path, liaisons: Liaisons, kills: list[float], context: str) -> None:
    """Every report stored once, none answered twice, and a report without its answer only
    where its action committed just before a kill."""
    assert titles(db) == Counter(liaisons.titles), f"stored once each ({context})"
    answers = liaisons.answers()
    twice = {title: n for title, n in answers.items() if n > 1}
    assert not twice, f"answered more than once ({context}): {twice}"
    when = stored_at(db)
    for title in set(liaisons.titles) - set(answers):
        assert any(0 <= kill - when[title] <= REPLY_WINDOW for kill in kills), (
            f"{title} was stored long before any kill and never answered ({context})"
        )


async def test_killed_at_random_moments_nothing_is_lost_or_done_twice(tmp_path: Path) -> None:
    db = await liaisons_db(tmp_path)
    seed = int(os.environ.get("GOVINFO_TEST_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    kills: list[float] = []
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
            kills.append(time.time())
            bot.kill()
            assert await bot.wait() == -9
        bot = await start_bot(server, db, tmp_path)
        try:
            await liaisons.all_stored(db)
            await asyncio.sleep(0.3)  # anything answered twice would be by now
        finally:
            bot.terminate()
            await bot.wait()
    assert_each_once(db, liaisons, kills, f"seed {seed}")


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
        for _ in range(3000):
            if len(server.calls_to("getUpdates")) >= 2:
                break
            await asyncio.sleep(0.001)
        killed = time.time()
        bot.kill()
        await bot.wait()
        assert server.pending_update_count == 0, "the batch was confirmed before the kill"
        polls = len(server.calls_to("getUpdates"))
        bot = await start_bot(server, db, tmp_path, durable_intake=intake)
        try:
            if durable:
                await liaisons.all_stored(db)
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
        assert_each_once(db, liaisons, [killed], "killed once the batch was confirmed")
    else:
        lost = set(liaisons.titles) - set(titles(db))
        assert len(lost) > len(liaisons.titles) // 2, "without the intake the batch is lost"
