"""Scheduled jobs end to end under a controllable clock.

time-machine moves datetime.now(), which both the office's clock and APScheduler read, but not
asyncio's monotonic clock: a test moves the clock to a due time and wakes APScheduler, which then
runs whatever its own reading of the time says is due, as it would have at that moment.

An action's reply comes before the delivery it set off (answer_now) is done, and that delivery
then sets the next wake-up again: the clock only moves, and a pass only counts as over, once no
such delivery is under way, or it would read the clock of a later day than the action's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

import time_machine

from bot.fakeapi.recorder import WAIT
from bot.storage import Store, sql
from bot.telegram.handlers.common import DELIVERY_TASK, STORE
from bot.telegram.timer import WAKE
from tests.chat import Chat, flat

ZONE = ZoneInfo("Asia/Shanghai")


# The daily database check wakes the scheduler every night: tests stepping from one run of the
# office's calendar to the next leave it off.
CALENDAR_ONLY = {"verify_time": None}


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


class Clock:
    def __init__(self, coordinates: time_machine.Coordinates) -> None:
        self._coordinates = coordinates

    def move_to(self, when: datetime) -> None:
        self._coordinates.move_to(when)


@contextmanager
def clock(start: datetime) -> Iterator[Clock]:
    with time_machine.travel(start, tick=True) as coordinates:
        yield Clock(coordinates)


def next_wake(chat: Chat) -> datetime | None:
    assert chat.app.job_queue is not None
    jobs = chat.app.job_queue.get_jobs_by_name(WAKE)
    return jobs[0].next_t if jobs else None


def delivering() -> bool:
    """Whether an action's delivery is under way (it sets the next wake-up again when done)."""
    return any(t.get_name() == DELIVERY_TASK and not t.done() for t in asyncio.all_tasks())


async def delivered() -> None:
    """Until the deliveries that actions set off are done."""
    deadline = monotonic() + WAIT
    while monotonic() < deadline:
        if not delivering():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("an action's delivery did not end")


async def idle(chat: Chat, after: datetime) -> None:
    """Until the scheduler has made what was due at `after`, set its next wake-up beyond it,
    and delivered every message it owed, and no action's delivery is left to reschedule."""
    deadline = monotonic() + WAIT
    while monotonic() < deadline:
        wake = next_wake(chat)
        # The wake-up at start-up is due at once; the one set after a pass is a due time later.
        settled = wake is not None and wake > after + timedelta(seconds=30)
        if settled and await unsent(chat) == 0 and not delivering():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"the scheduler did not settle after {after}")


_UNSENT = sql("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failure IS NULL")


async def unsent(chat: Chat) -> int:
    """Messages in the outbox neither sent nor failed, read through the bot's own reading
    connection: a wait reads this 50 times a second, and a connection of its own for each
    reading (tests.stores.rows) cost PostgreSQL more than the bot's work it waits for."""
    store: Store = chat.app.bot_data[STORE]
    async with store.reading() as tx:
        row = await tx.one(_UNSENT)
    return int(row[0]) if row else 0


async def run_at(chat: Chat, time: Clock, moment: datetime) -> None:
    """Move the clock to `moment`, once the last actions' deliveries are done (each sets the next
    wake-up again at the time it ends), and wake the scheduler as its timer would."""
    await delivered()
    time.move_to(moment)
    assert chat.app.job_queue is not None
    chat.app.job_queue.scheduler.wakeup()
    await idle(chat, moment)


def received(chat: Chat, user: int, marker: str) -> list[str]:
    """What the user received containing `marker`: texts, and captions of files, each without
    the breaks that fit its lines to a phone."""
    said = [flat(m.text or m.caption or "") for m in chat.server.messages_to(user)]
    return [text for text in said if marker in text]


async def submit(chat: Chat, user: int, count: int, topic: str) -> None:
    for n in range(count):
        title = f"{topic}（{n + 1}）"
        chat.say(user, f"/submit {title}")
        await chat.server.wait_for(
            lambda m, t=title: "已记录报送" in m.text and t in flat(m.text), chat_id=user
        )


async def wakes_at(chat: Chat, when: datetime) -> None:
    """Until the scheduler's next wake-up is `when` (it is set again after a new commission)."""
    deadline = monotonic() + WAIT
    while monotonic() < deadline:
        if next_wake(chat) == when:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the next wake-up is {next_wake(chat)}, not {when}")


async def answer(chat: Chat, user: int, text: str, expected: str) -> str:
    """Say `text` and wait for the bot's answer containing `expected`, past scheduled messages."""
    chat.say(user, text)
    found = await chat.server.wait_for(lambda m: expected in flat(m.text), chat_id=user)
    return found.text
