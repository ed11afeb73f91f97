"""Real `govinfo-bot run` processes against the fake Bot API server, for the tests about
processes: kills, restarts, a second instance, what they print."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

from bot import texts
from bot.fakeapi import FakeBotApi
from tests.bytecode import python_env
from tests.chat import ADMIN, prepare_db
from tests.forkserver import ForkedBot, ForkServer

LIAISONS = {2001: 1, 2002: 2, 2003: 3}  # user id -> unit id
# How long before a kill an action may have committed and its answer not yet be sent: the time
# from the commit to Telegram receiving the answer, generously for a loaded machine. (Such an
# answer is the dead process's to send; another's courier sends it once its hold ends.)
REPLY_WINDOW = 1.0


def bot_env(server: FakeBotApi, db: Path, **settings: str) -> dict[str, str]:
    env = python_env({k: v for k, v in os.environ.items() if not k.startswith("GOVINFO_")})
    # The ledger key the test's database was initialised with (tests/conftest.py).
    if "GOVINFO_LEDGER_KEY_FILE" in os.environ:
        env["GOVINFO_LEDGER_KEY_FILE"] = os.environ["GOVINFO_LEDGER_KEY_FILE"]
    env.update(
        GOVINFO_BOT_TOKEN=server.token,
        GOVINFO_API_BASE_URL=server.base_url,
        GOVINFO_API_BASE_FILE_URL=server.base_file_url,
        GOVINFO_DB=str(db),
        GOVINFO_ADMIN_IDS=str(ADMIN),
        GOVINFO_RATE_LIMIT="false",
        GOVINFO_JOBS="false",
        # On PostgreSQL (tests/test_replicas.py): a new leader starts 2.5 checks after taking
        # over, a dead process's updates are taken over when its claims expire. Shorter than
        # the product's 2 s and 10 s, long enough that a loaded machine's stalls lose neither.
        GOVINFO_LEADER_CHECK_SECONDS="0.5",
        GOVINFO_CLAIM_SECONDS="4",
        GOVINFO_INTAKE_POLL_SECONDS="0.1",
    )
    env.update({f"GOVINFO_{key.upper()}": value for key, value in settings.items()})
    return env


async def start_bot(
    server: FakeBotApi, db: Path, cwd: Path, *args: str, **settings: str
) -> ForkedBot:
    """`govinfo-bot run` with `args` (--webhook ...) and GOVINFO_<setting> variables, forked
    from a process that has imported the bot (tests/forkserver.py: the tests that start it
    again and again spent most of their time importing it)."""
    env = bot_env(server, db, **settings)
    forks = await asyncio.to_thread(ForkServer.running)
    return await asyncio.to_thread(forks.start, ["run", *args], env, str(cwd))


class BotProcess:
    """`govinfo-bot run` with everything it prints collected as it comes (a full pipe would
    stop it)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        assert process.stdout is not None and process.stderr is not None
        self.lines: list[str] = []
        self._reading = asyncio.gather(self._read(process.stdout), self._read(process.stderr))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            self.lines.append(line.decode())

    @classmethod
    async def start(
        cls, server: FakeBotApi, db: Path, cwd: Path, *args: str, **settings: str
    ) -> BotProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", *args, env=bot_env(server, db, **settings),
            cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        return cls(process)

    @property
    def pid(self) -> int:
        return self.process.pid

    async def said(self, text: str, timeout: float = 30.0) -> None:
        """Until it has printed `text`."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot never said {text!r}")
            await asyncio.sleep(0.05)

    async def output(self, timeout: float = 60.0) -> str:
        """Everything it printed, once it has ended."""
        await asyncio.wait_for(self._reading, timeout)
        await self.process.wait()
        return "".join(self.lines)


async def liaisons_db(tmp_path: Path) -> Path:
    db = tmp_path / "bot.sqlite3"
    await prepare_db(db)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO liaisons (channel, address, unit_id, name, joined_at) "
            "VALUES ('telegram', ?, ?, ?, '2024-01-01')",
            [(str(user), unit, f"信息员{user}") for user, unit in LIAISONS.items()],
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

    def answers(self, *, resent: bool | None = None) -> Counter[str]:
        """How often each title was answered; with `resent`, only the answers marked as a
        possible repeat (texts.RESENT), or only those not marked."""
        found: Counter[str] = Counter()
        for m in self.server.sent:
            text = m.text or ""
            marked = text.startswith(texts.RESENT)
            text = text.removeprefix(texts.RESENT)
            if text.startswith("已记录报送") and resent in (None, marked):
                found[text.split("：", 1)[1].split("\n")[0]] += 1
        return found

    async def all_answered(self, timeout: float = 30.0) -> None:
        """Until every report has been answered."""
        deadline = time.monotonic() + timeout
        while set(self.answers()) != set(self.titles):
            if time.monotonic() > deadline:
                missing = set(self.titles) - set(self.answers())
                raise TimeoutError(f"{len(missing)} reports never answered: {sorted(missing)[:5]}")
            await asyncio.sleep(0.05)

    async def all_stored(self, db: Path, timeout: float = 120.0) -> None:
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


def assert_each_once(db: Path, liaisons: Liaisons, context: str) -> None:
    """Every report stored once and answered at least once: its answer is owed in its action's
    transaction. A second answer is only the courier's resending of one it could not know was
    received (killed between Telegram's answer and its mark), and says it may be a repeat."""
    assert titles(db) == Counter(liaisons.titles), f"stored once each ({context})"
    answers = liaisons.answers()
    assert set(answers) == set(liaisons.titles), f"answered ({context})"
    plain = liaisons.answers(resent=False)
    twice = {title: n for title, n in plain.items() if n > 1}
    assert not twice, f"answered more than once without the mark ({context}): {twice}"
