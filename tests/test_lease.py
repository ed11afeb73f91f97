"""One running bot per database: a second `govinfo-bot run` waits as a standby, sends and
schedules nothing, and takes over once the first is gone.
SQLite only: on PostgreSQL the replicas share the database and elect a leader instead."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import texts
from bot.fakeapi import FakeBotApi, SentMessage
from bot.lease import Lease, gone
from bot.settings import Settings
from bot.storage import Store, bot_file_path
from tests.bots import LIAISONS, BotProcess, liaisons_db

LEASE_SECONDS = 3


async def test_the_lease_is_held_renewed_taken_over_and_lost(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.sqlite3")
    try:
        async with store.bot_transaction() as tx:
            assert await tx.lease.take_lease("bot", "a", 100.0, 120.0)
            assert not await tx.lease.take_lease("bot", "b", 110.0, 130.0), "held by a"
            assert await tx.lease.take_lease("bot", "a", 110.0, 130.0), "a may take its own again"
            assert await tx.lease.renew_lease("bot", "a", 140.0)
            assert await tx.lease.take_lease("bot", "b", 141.0, 161.0), "expired: b takes over"
            assert not await tx.lease.renew_lease("bot", "a", 170.0), "a has lost it"
            assert not await tx.lease.steal_lease("bot", "c", "a", 150.0, 170.0), (
                "a no longer holds it"
            )
            assert await tx.lease.steal_lease("bot", "c", "b", 150.0, 170.0)
            await tx.lease.release_lease("bot", "b")
            holder = await tx.lease.lease_holder("bot")
            assert holder is not None and holder.holder == "c", "only its holder releases it"
            await tx.lease.release_lease("bot", "c")
            assert await tx.lease.lease_holder("bot") is None
    finally:
        await store.close()


async def test_a_killed_holder_on_this_machine_is_replaced_at_once(tmp_path: Path) -> None:
    finished = await asyncio.create_subprocess_exec("true")
    await finished.wait()
    store = await Store.open(tmp_path / "g.sqlite3")
    try:
        dead = Lease(store, 600)
        dead.holder = dead.holder.replace(f":{os.getpid()}:", f":{finished.pid}:")
        assert gone(dead.holder) and not gone(Lease(store, 600).holder)
        await dead.acquire(lambda holder: None)
        standby = Lease(store, 600)
        started = time.monotonic()
        assert not await standby.acquire(lambda holder: None), "taken without waiting"
        # Sooner than a standby's first wait between two looks at the lease would end (a bound
        # of the product's, not a guess at how fast a loaded machine runs).
        assert time.monotonic() - started < standby.standby_check
    finally:
        await store.close()


def reminders_due(db: Path) -> None:
    """The scheduler's calendar starts just before this month's first day, so the settlement of
    last month (GOVINFO_SETTLE_DAY=1 at 00:00) is due: a reminder letter to each liaison."""
    office = ZoneInfo(Settings.model_fields["timezone"].default)
    first = datetime.now(office).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (first - timedelta(days=1)).date().isoformat()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('jobs_since', ?)",
            ((first - timedelta(minutes=1)).isoformat(),),
        )
        # One submission last month (气象局, which has no liaison): a month with none at all is
        # refused as missing data rather than settled.
        batch = conn.execute(
            "INSERT INTO batches (kind, actor, created_at) VALUES ('records', 'test', ?)",
            (last_month,),
        ).lastrowid
        conn.execute(
            "INSERT INTO records (batch_id, unit_id, date, item_id, created_at, title, title_key) "
            "VALUES (?, 4, ?, 'submission', ?, '上月报送', '上月报送')",
            (batch, last_month, last_month),
        )


def lease(db: Path) -> tuple[str, int, float, float]:
    """(holder, its process id, when it took the lease, when the lease expires)."""
    with sqlite3.connect(bot_file_path(db)) as conn:
        holder, acquired, expires = conn.execute(
            "SELECT holder, acquired_at, expires_at FROM leases WHERE name = 'bot'"
        ).fetchone()
    return holder, int(holder.split(":")[1]), acquired, expires


async def answered(server: FakeBotApi, title: str, timeout: float) -> float:
    """Report `title`; how long the answer took."""
    started = time.monotonic()
    server.send_message(2001, f"/submit {title}")
    await server.wait_for(lambda m: title in (m.text or ""), timeout=timeout)
    return time.monotonic() - started


async def test_two_bots_on_one_database(tmp_path: Path) -> None:
    db = await liaisons_db(tmp_path)
    reminders_due(db)
    settings = {
        "jobs": "true", "settle_day": "1", "jobs_time": "00:00",
        "lease_seconds": str(LEASE_SECONDS),
    }  # fmt: skip
    async with FakeBotApi() as server:
        bots = [await BotProcess.start(server, db, tmp_path, **settings) for _ in range(2)]
        try:
            for user in LIAISONS:
                await server.wait_for(letter, chat_id=user, timeout=120)
            await answered(server, "第一个", timeout=60)
            first_holder, pid, _, _ = lease(db)
            first = next(bot for bot in bots if bot.pid == pid)
            second = next(bot for bot in bots if bot is not first)
            waiting = texts.LEASE_STANDBY.format(
                db=db, holder=first_holder, seconds=LEASE_SECONDS + 2
            )
            await second.said(waiting)
            # (Killed while delivering, it could send one message twice: the courier's window
            # between Telegram's answer and marking the message sent. Not what this is about.)
            await delivered(db)
            # Killed, the holder is replaced by the standby on the same machine at once, not
            # once its lease has expired.
            _, _, _, expires = lease(db)
            first.process.kill()
            await first.process.wait()
            await answered(server, "接管后", timeout=60)
            _, pid, acquired, _ = lease(db)
            assert pid == second.pid and acquired < expires
        finally:
            for bot in bots:
                if bot.process.returncode is None:
                    bot.process.terminate()
                await bot.process.wait()
    sent = Counter((m.chat_id, m.text) for m in server.sent)
    twice = [key for key, n in sent.items() if n > 1]
    assert not twice, f"sent twice: {twice}"
    letters = Counter(m.chat_id for m in server.sent if letter(m))
    assert letters == Counter(list(LIAISONS)), "one reminder letter for each liaison"


async def test_a_holder_elsewhere_is_waited_for_and_a_lost_lease_stops_the_bot(
    tmp_path: Path,
) -> None:
    """A holder on another machine cannot be seen to die: its lease is waited out. A bot whose
    lease was taken from it (it stalled for longer than the lease) stops."""
    db = await liaisons_db(tmp_path)
    elsewhere = "other-host:4242:0123abcd"
    # Held long enough that the bot finds it held however slowly it starts; once the bot waits,
    # the holder's lease is made to end LEASE_SECONDS from then.
    with sqlite3.connect(bot_file_path(db)) as conn:
        conn.execute(
            "INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ('bot', ?, ?, ?)",
            (elsewhere, time.time(), time.time() + 600),
        )
    async with FakeBotApi() as server:
        bot = await BotProcess.start(server, db, tmp_path, lease_seconds=str(LEASE_SECONDS))
        try:
            await bot.said(
                texts.LEASE_STANDBY.format(db=db, holder=elsewhere, seconds=LEASE_SECONDS + 2)
            )
            expires = time.time() + LEASE_SECONDS
            with sqlite3.connect(bot_file_path(db)) as conn:
                conn.execute("UPDATE leases SET expires_at = ? WHERE name = 'bot'", (expires,))
            await answered(server, "等待之后", timeout=LEASE_SECONDS + 30)
            _, pid, acquired, _ = lease(db)
            assert pid == bot.pid and acquired >= expires
            taker = "other-host:4343:4567cdef"
            with sqlite3.connect(bot_file_path(db)) as conn:
                conn.execute(
                    "UPDATE leases SET holder = ?, expires_at = ? WHERE name = 'bot'",
                    (taker, time.time() + 600),
                )
            assert await asyncio.wait_for(bot.process.wait(), LEASE_SECONDS + 10) == 0
        finally:
            if bot.process.returncode is None:
                bot.process.terminate()
        output = await bot.output()
    assert texts.LEASE_STANDBY.format(db=db, holder=elsewhere, seconds=LEASE_SECONDS + 2) in output
    assert texts.LEASE_TAKEN.format(db=db) in output
    assert texts.LEASE_LOST.format(db=db, holder=taker) in output


async def delivered(db: Path) -> None:
    """Until the outbox has nothing left to send."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as conn:
            (left,) = conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failure IS NULL"
            ).fetchone()
        if not left:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the outbox was not delivered")


def letter(message: SentMessage) -> bool:
    return (message.text or "").startswith("【提醒函】")
