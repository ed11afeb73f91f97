"""The bot killed with SIGKILL, again and again: nothing a liaison or the office sent is lost,
nothing is done twice, and everything done is answered: submissions, one-line reports (their
summaries stored in the bot's working file) and the office's commands.

The fake Bot API server behaves as Telegram does: an update is delivered again and again until a
getUpdates call with a later offset confirms it, and never after that. python-telegram-bot sends
that call as soon as it has queued a batch, before the batch's handlers ran; the durable intake
stores the batch first, so that a bot killed then finds it in the database at its next start.

The answer to an action is owed in the action's transaction (the outbox: the database's, or for
a summary the working file's) and sent at once; an answer a kill left unsent goes at the next
start. Only a kill between Telegram's answer and its
mark can answer twice, and the second answer says it may be a repeat.

SQLite only: polling processes on a database file (tests/test_replicas.py: PostgreSQL).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from bot import texts
from bot.fakeapi import FakeBotApi
from bot.storage import bot_file_path
from tests.bots import LIAISONS, Liaisons, assert_each_once, liaisons_db, start_bot, titles
from tests.chat import ADMIN, flat

# Kills in one run: above the 8 of the scenario this test proves (each cycle is a bot started and
# up to KILL_WITHIN of work; twenty cost 31 s alone and twice that under load, for no more proof).
CYCLES = 10
QUEUED_WHILE_DOWN = 6
# While the bot runs, a liaison or the office acts this often until the kill.
REPORT_EVERY = 0.03
KILL_WITHIN = 2.0
# The office's entries: an adjustment to this unit, with a numbered reason.
OFFICE_UNIT = "教育局"


class Work:
    """In turn: a liaison submits (/submit), a liaison reports an adoption in one line (its
    summary is stored as a draft in the bot's working file), the office adjusts a unit's score
    (/adjust); each numbered, so that what was stored and what was answered can be counted."""

    def __init__(self, server: FakeBotApi) -> None:
        self.server = server
        self.submissions = Liaisons(server)
        self.reports: list[str] = []
        self.entries: list[str] = []
        self.done = 0

    def act(self) -> None:
        kind = self.done % 3
        self.done += 1
        if kind == 0:
            self.submissions.submit()
        elif kind == 1:
            user = list(LIAISONS)[len(self.reports) % len(LIAISONS)]
            title = f"报告-{user}-{len(self.reports)}"
            self.reports.append(title)
            self.server.send_message(user, f"采用 政务要情简讯 {title} 今天")
        else:
            reason = f"调整-{len(self.entries)}"
            self.entries.append(reason)
            self.server.send_message(ADMIN, f"/adjust {OFFICE_UNIT} +1 {reason}")

    def stored(self, db: Path) -> dict[str, Counter[str]]:
        with sqlite3.connect(db) as conn:
            notes = conn.execute("SELECT note FROM records WHERE note LIKE '调整-%'").fetchall()
        with sqlite3.connect(bot_file_path(db.resolve())) as conn:
            drafts = conn.execute("SELECT title FROM drafts").fetchall()
        return {
            "submissions": titles(db),
            "reports": Counter(title for (title,) in drafts),
            "entries": Counter(note for (note,) in notes),
        }

    def expected(self) -> dict[str, Counter[str]]:
        return {
            "submissions": Counter(self.submissions.titles),
            "reports": Counter(self.reports),
            "entries": Counter(self.entries),
        }

    def answers(self, *, resent: bool | None = None) -> dict[str, Counter[str]]:
        """How often each action was answered: a summary names its title, the office's entry its
        reason; with `resent`, only the answers marked as a possible repeat, or only the others."""
        found: dict[str, Counter[str]] = {"reports": Counter(), "entries": Counter()}
        for m in self.server.sent:
            text = flat(m.text or "")
            marked = text.startswith(texts.RESENT)
            text = text.removeprefix(texts.RESENT)
            if resent not in (None, marked):
                continue
            if text.startswith("请确认申报") and (title := re.search(r"报告-\d+-\d+", text)):
                found["reports"][title[0]] += 1
            elif (
                m.chat_id == ADMIN
                and text.startswith("已记入")
                and (reason := re.search(r"调整-\d+", text))
            ):
                found["entries"][reason[0]] += 1
        found["submissions"] = self.submissions.answers(resent=resent)
        return found

    async def all_stored(self, db: Path, timeout: float = 120.0) -> None:
        """Until every action is stored, and Telegram has nothing left to deliver."""
        deadline = time.monotonic() + timeout
        while self._missing(self.stored(db)) or self.server.pending_update_count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"never stored: {self._missing(self.stored(db))}")
            await asyncio.sleep(0.05)

    async def all_answered(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self._missing(self.answers()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"never answered: {self._missing(self.answers())}")
            await asyncio.sleep(0.05)

    def _missing(self, found: dict[str, Counter[str]]) -> dict[str, list[str]]:
        missing = {
            kind: sorted(set(wanted) - set(found[kind]))[:5]
            for kind, wanted in self.expected().items()
        }
        return {kind: some for kind, some in missing.items() if some}

    def assert_each_once(self, db: Path, context: str) -> None:
        """Every action stored once and answered at least once; a second answer only marked as
        a possible repeat (the courier's, killed between Telegram's answer and its mark)."""
        assert self.stored(db) == self.expected(), f"stored once each ({context})"
        assert not self._missing(self.answers()), f"answered ({context})"
        for kind, plain in self.answers(resent=False).items():
            twice = {action: n for action, n in plain.items() if n > 1}
            assert not twice, f"{kind} answered twice without the mark ({context}): {twice}"


async def test_killed_at_random_moments_nothing_is_lost_or_done_twice(tmp_path: Path) -> None:
    db = await liaisons_db(tmp_path)
    seed = int(os.environ.get("GOVINFO_TEST_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    kills = 0
    async with FakeBotApi() as server:
        work = Work(server)
        for _ in range(CYCLES):
            for _ in range(QUEUED_WHILE_DOWN):
                work.act()
            bot = await start_bot(server, db, tmp_path)
            kill_at = time.monotonic() + rng.uniform(0, KILL_WITHIN)
            while time.monotonic() < kill_at:
                work.act()
                await asyncio.sleep(min(REPORT_EVERY, max(0.0, kill_at - time.monotonic())))
            kills += 1
            bot.kill()
            assert await bot.wait() == -9
        bot = await start_bot(server, db, tmp_path)
        try:
            await work.all_stored(db)
            await work.all_answered()
            await asyncio.sleep(0.3)  # anything answered twice would be by now
        finally:
            bot.terminate()
            await bot.wait()
    work.assert_each_once(db, f"seed {seed}, {kills} kills")


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
