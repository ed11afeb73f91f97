"""Three `govinfo-bot run --webhook` processes on one PostgreSQL database, the fake Bot API server
delivering Telegram's updates across them as a load balancer would: liaisons report and walk
through a guided conversation whose steps land on different processes; the leading process is
killed mid-run, as a rule before a scheduled reminder falls due. Every report is stored once and
answered once, the conversation goes on, and the reminders are sent once, by the process that
took over (or, when the processes were slower to start than the reminder to fall due, by the one
that led first: once all the same)."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.cli import main
from bot.fakeapi import FakeBotApi, SentMessage
from bot.jobs.scheduler import SINCE_KEY
from bot.storage import Address, Store
from tests.bots import LIAISONS, REPLY_WINDOW, BotProcess, Liaisons, bot_env
from tests.chat import ADMIN, flat, prepare_db
from tests.pgserver import PostgresDatabases
from tests.stores import rows
from tests.test_webhook import free_port

SECRET = "replica-secret-for-tests"
GUIDED = 2004  # a fourth liaison, of unit 4, who reports through the guided conversation
# The offices' clock in the processes: a quota reminder falls due at 09:00 on 20 March 2026 (a
# Friday), DUE seconds after the processes start.
DUE = 25.0
REMINDER_AT = datetime(2026, 3, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LEADING = texts.LEADER_TAKEN.split("{db}")[0]
HANDOVER = texts.LEADER_HANDOVER.split("（")[0]


def leads(replica: BotProcess) -> bool:
    return any(LEADING in line for line in replica.lines)


async def stop(replica: BotProcess, sig: int = signal.SIGTERM) -> None:
    if replica.process.returncode is None:
        replica.process.send_signal(sig)
    await replica.output()


async def start_replica(
    server: FakeBotApi, db: str, port: int, clock: tuple[str, str]
) -> BotProcess:
    args = ["run", "--webhook", "http://127.0.0.1:9/telegram", "--port", str(port),
            "--listen", "127.0.0.1", "--secret", SECRET]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.travel", *clock, *args,
        env=bot_env(server, db, jobs="true", log_level="WARNING"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    return BotProcess(process)


async def bind_liaisons(db: str, started: datetime | None = None) -> None:
    """The liaisons, and the calendar's start at the processes' starting time: runs due since
    are owed, however late the first leader's first pass (the processes' start-up takes tens of
    seconds on a loaded machine, and a pass that set the start itself, after the reminder's due
    time, would never make it). Without `started` (no scheduled work awaited), the first pass
    sets it."""
    store = await Store.open(db)
    try:
        async with store.transaction() as tx:
            for user, unit in [*LIAISONS.items(), (GUIDED, 4)]:
                await tx.liaisons.bind_liaison(
                    Address.telegram(user), unit, f"信息员{user}", "", datetime(2026, 1, 5)
                )
            if started is not None:
                await tx.config.set_setting(SINCE_KEY, started.isoformat())
    finally:
        await store.close()


async def until(condition: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.05)


def offers(message: SentMessage, label: str) -> bool:
    return any(button.get("text") == label for row in message.inline_keyboard for button in row)


async def press(server: FakeBotApi, user: int, message: SentMessage, label: str) -> None:
    server.press_button(user, message, message.callback_data(label))


async def guided_report(server: FakeBotApi) -> SentMessage:
    """/report to the summary, each step a separate update (so on another process in turn)."""
    server.send_message(GUIDED, "/report", first_name="信息员")
    # Waited for by its button: the scheduled reminder may reach the chat first.
    menu = await server.wait_for(
        lambda m: offers(m, "市政府办公室采用"), chat_id=GUIDED, timeout=30
    )
    await press(server, GUIDED, menu, "市政府办公室采用")
    await server.wait_for_call("editMessageReplyMarkup", timeout=30)
    await press(server, GUIDED, menu, "《决策参考》（18）")
    await server.wait_for_call("editMessageText", timeout=30)
    server.send_message(GUIDED, "关于沙漠治理的调研", first_name="信息员")
    day = await server.wait_for(lambda m: "采用日期" in m.text, chat_id=GUIDED, timeout=30)
    await press(server, GUIDED, day, texts.TODAY)
    endorse = await server.wait_for(lambda m: "领导批示" in m.text, chat_id=GUIDED, timeout=30)
    await press(server, GUIDED, endorse, "完成")
    evidence = await server.wait_for(lambda m: "证明材料" in m.text, chat_id=GUIDED, timeout=30)
    await press(server, GUIDED, evidence, texts.SKIP)
    return await server.wait_for(lambda m: "请确认申报" in m.text, chat_id=GUIDED, timeout=30)


def stored_titles(db: str) -> Counter[str]:
    found = rows(db, "SELECT title FROM records WHERE item_id = 'submission'")
    return Counter(title for (title,) in found)


async def test_three_replicas_one_killed(postgres: PostgresDatabases) -> None:
    db = postgres.new()
    await prepare_db(db)
    real = time.time()
    # The processes' clock reads REMINDER_AT DUE seconds from now.
    offset = REMINDER_AT.timestamp() - DUE - real
    started = datetime.fromtimestamp(real + offset, REMINDER_AT.tzinfo)
    await bind_liaisons(db, started)
    clock = (started.isoformat(), str(real))
    async with FakeBotApi() as server:
        server.webhook_retry(0.05)
        ports = [free_port() for _ in range(3)]
        server.balance([f"http://127.0.0.1:{port}/telegram" for port in ports])
        replicas = [await start_replica(server, db, port, clock) for port in ports]
        try:
            await until(lambda: any(leads(r) for r in replicas), "no process leads", 120)
            (leader,) = (r for r in replicas if leads(r))
            liaisons = Liaisons(server)
            conversation = asyncio.ensure_future(guided_report(server))
            # Few enough that every unit stays behind its quota (A 15, B 8, C 4 a month).
            for _ in range(6):
                liaisons.submit()
                await asyncio.sleep(0.05)
            # The leader dies mid-run: its connection, and with it the leader's lock, goes.
            killed_at = time.time()
            await stop(leader, signal.SIGKILL)
            for _ in range(6):
                liaisons.submit()
                await asyncio.sleep(0.05)
            summary = await asyncio.wait_for(conversation, 60)
            server.press_button(GUIDED, summary, summary.callback_data("✅ 确认提交"))
            others = [r for r in replicas if r is not leader]
            await until(lambda: any(leads(r) for r in others), "nobody took over", 30)
            assert time.time() - killed_at < 30
            # The first leader, on a new database, led at once; the next, after a leader that
            # never resigned (killed), waited the hand-over (it may still have been sending).
            assert not any(HANDOVER in line for line in leader.lines)
            (successor,) = (r for r in others if leads(r))
            (waited,) = (line for line in successor.lines if HANDOVER in line)
            assert f":{leader.process.pid}:" in waited
            await until(
                lambda: (
                    stored_titles(db) == Counter(liaisons.titles)
                    and not server.pending_update_count
                ),
                "reports not all stored",
            )
            # The admins are asked to approve the guided report; the approval reaches its liaison.
            ask = await server.wait_for(
                lambda m: "新的采用申报" in m.text, chat_id=ADMIN, timeout=30
            )
            await press(server, ADMIN, ask, "✅ 确认")
            await server.wait_for(
                lambda m: "已确认，得 18 分" in flat(m.text), chat_id=GUIDED, timeout=30
            )
            # The reminder, made by the process that leads now, once for each unit behind.
            reminders = lambda: [  # noqa: E731
                m for m in server.sent if m.text and m.text.startswith("【报送提醒】")
            ]
            await until(lambda: len(reminders()) >= 4, "the reminders were not sent", DUE + 30)
            await asyncio.sleep(2.0)
        finally:
            for replica in replicas:
                await stop(replica)
    assert sorted(m.chat_id for m in reminders()) == sorted([*LIAISONS, GUIDED])
    assert rows(db, "SELECT COUNT(*) FROM job_runs WHERE job = 'quota_reminder'") == [(1,)]
    # Every report stored once and answered once (a second answer only marked as a possible
    # repeat); unanswered only if its action committed just before the kill (its answer was the
    # dead process's to send, and waits for its hold to end).
    assert stored_titles(db) == Counter(liaisons.titles)
    answers = liaisons.answers()
    assert max(liaisons.answers(resent=False).values()) == 1, answers
    stored = dict(rows(db, "SELECT title, created_at FROM records WHERE item_id = 'submission'"))
    for title in set(liaisons.titles) - set(answers):
        at = datetime.fromisoformat(stored[title]).timestamp() - offset
        assert 0 <= killed_at - at <= REPLY_WINDOW, title
    # Each step of the conversation went to the process whose turn it was, so to several.
    served = {d.update_id for d in server.webhook_deliveries if d.status == 200}
    assert served == set(server.updates)


def test_processes_sharing_a_webhook_need_one_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each start gives Telegram the webhook's secret: processes with secrets of their own
    (random ones) would refuse each other's posts. On PostgreSQL one must be set."""
    monkeypatch.setenv("GOVINFO_BOT_TOKEN", "123:secret")
    monkeypatch.setenv("GOVINFO_DB", "postgresql://govinfo@db.invalid/govinfo")
    monkeypatch.delenv("GOVINFO_WEBHOOK_SECRET", raising=False)
    assert main(["run", "--webhook", "https://bot.example.org/tg"]) == 1
    assert "GOVINFO_WEBHOOK_SECRET" in capsys.readouterr().err
