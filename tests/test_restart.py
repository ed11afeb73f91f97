"""The bot killed with SIGKILL while liaisons report: after a restart, every report it had
acknowledged is stored exactly once.

Telegram redelivers the updates a bot had received but not yet confirmed (confirming happens
with the next getUpdates, so a kill between the two leaves them unconfirmed). The test makes
that worst case certain: after the restart, every update the dead bot had received is delivered
again, with its original update id."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from bot.fakeapi import FakeBotApi
from tests.chat import ADMIN, prepare_db

LIAISONS = {2001: 1, 2002: 2, 2003: 3}  # user id -> unit id
REPORTS_EACH = 25


def bot_env(server: FakeBotApi, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVINFO_")}
    env.update(
        GOVINFO_BOT_TOKEN=server.token,
        GOVINFO_API_BASE_URL=server.base_url,
        GOVINFO_API_BASE_FILE_URL=server.base_file_url,
        GOVINFO_DB=str(db),
        GOVINFO_ADMIN_IDS=str(ADMIN),
        GOVINFO_RATE_LIMIT="false",
    )
    return env


async def start_bot(server: FakeBotApi, db: Path, cwd: Path) -> asyncio.subprocess.Process:
    polls = len(server.calls_to("getUpdates"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=bot_env(server, db), cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(300):
        if len(server.calls_to("getUpdates")) > polls:
            return proc
        await asyncio.sleep(0.05)
    proc.kill()
    raise TimeoutError("the bot did not start polling")


def acknowledged(server: FakeBotApi) -> list[str]:
    return [
        m.text.split("：", 1)[1].split("\n")[0]
        for m in server.sent
        if m.text.startswith("已记录报送")
    ]


async def test_acknowledged_reports_are_stored_exactly_once_after_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    await prepare_db(db)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO liaisons (user_id, unit_id, name, joined_at) VALUES (?, ?, ?, '2024-01-01')",
            [(user, unit, f"信息员{user}") for user, unit in LIAISONS.items()],
        )
    titles = [f"报送-{user}-{n}" for n in range(REPORTS_EACH) for user in LIAISONS]
    async with FakeBotApi() as server:
        bot = await start_bot(server, db, tmp_path)
        update_ids: list[int] = []
        sent_while_down: list[str] = []
        # Report steadily; kill the bot once some, not all, have been acknowledged.
        for title in titles:
            update = server.send_message(int(title.split("-")[1]), f"/submit {title}")
            if bot.returncode is None:
                update_ids.append(update["update_id"])
            else:
                sent_while_down.append(title)
            await asyncio.sleep(0.01)
            if bot.returncode is None and len(acknowledged(server)) >= len(titles) // 3:
                bot.kill()
                await bot.wait()
                before_restart = acknowledged(server)
        assert bot.returncode == -9, "the bot was not killed mid-way: report faster or kill sooner"
        assert 0 < len(before_restart) < len(titles) and sent_while_down
        bot = await start_bot(server, db, tmp_path)
        for update_id in update_ids:
            server.replay(update_id)
        expected = set(before_restart) | set(sent_while_down)
        for _ in range(400):
            if expected <= set(acknowledged(server)) and server.pending_update_count == 0:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # let the replays run their course
        bot.terminate()
        await bot.wait()
    with sqlite3.connect(db) as conn:
        stored = [
            title
            for (title,) in conn.execute("SELECT title FROM records WHERE item_id = 'submission'")
        ]
    assert sorted(stored) == sorted(set(stored)), "a report was stored twice"
    # Every acknowledged report is stored, once; so is everything sent while the bot was down.
    assert set(acknowledged(server)) <= set(stored)
    assert set(before_restart) | set(sent_while_down) <= set(stored)
    assert set(stored) <= set(titles)
