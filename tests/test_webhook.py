"""`govinfo-bot run --webhook` end to end: the fake Bot API server posts each update to the bot's
URL with the secret token header and posts it again until the bot answers 200, as Telegram does;
the bot stores each update before answering, so that killing it loses nothing.
SQLite only: a single process on a database file (tests/test_replicas.py: PostgreSQL)."""

from __future__ import annotations

import asyncio
import random
import socket
import time
from pathlib import Path

import httpx

from bot.fakeapi import SECRET_HEADER, FakeBotApi
from tests.bots import Liaisons, assert_each_once, liaisons_db, start_bot

SECRET = "webhook-secret-for-tests"
CYCLES = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_with_the_secret_killed_and_restarted(tmp_path: Path) -> None:
    db = await liaisons_db(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = ("--webhook", url, "--port", str(port), "--listen", "127.0.0.1", "--secret", SECRET)
    rng = random.Random(port)
    kills = 0
    async with FakeBotApi() as server:
        server.webhook_retry(0.05)
        liaisons = Liaisons(server)
        bot = await start_bot(server, db, tmp_path, *webhook)
        liaisons.submit()
        await server.wait_for(lambda m: "已记录报送" in (m.text or ""), timeout=30)
        assert server.webhook_url == url

        # Posts without the secret, or with another, are refused and handle nothing.
        async with httpx.AsyncClient() as client:
            forged = server.updates[1]
            for headers in ({}, {SECRET_HEADER: "guess"}):
                answer = await client.post(url, json=forged, headers=headers)
                assert answer.status_code == 403

        for _ in range(CYCLES):
            kill_at = time.monotonic() + rng.uniform(0, 1.5)
            while time.monotonic() < kill_at:
                liaisons.submit()
                await asyncio.sleep(0.03)
            kills += 1
            bot.kill()
            await bot.wait()
            # Telegram keeps posting while the bot is down; those updates wait for it.
            for _ in range(3):
                liaisons.submit()
            bot = await start_bot(server, db, tmp_path, *webhook)
        try:
            await liaisons.all_stored(db)
            await liaisons.all_answered()
            await asyncio.sleep(0.3)
        finally:
            bot.terminate()
            await bot.wait()
    assert_each_once(db, liaisons, f"webhook, {kills} kills")
    # Every update was answered 200 once in the end, and some had to be posted again.
    delivered = [d.update_id for d in server.webhook_deliveries if d.status == 200]
    assert sorted(delivered) == sorted(server.updates)
    assert any(d.status != 200 for d in server.webhook_deliveries)
