"""A job kind is one declaration: a kind declared into the registry, and nowhere else, is
scheduled, made, caught up after a stop and described by `govinfo-bot jobs`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.fakeapi import FakeBotApi
from bot.jobs import registry
from bot.jobs.kind import Due, JobKind, Plan
from bot.jobs.work import Work
from bot.storage import Address
from tests.chat import ADMIN, bot_on
from tests.conftest import Cli
from tests.jobs import CALENDAR_ONLY, at, clock, idle, next_wake, received, run_at
from tests.stores import rows

NOON = timedelta(hours=12)


def noon_every_day(plan: Plan, after: datetime, until: datetime) -> Iterator[Due]:
    day = after.astimezone(ZoneInfo(plan.settings.timezone)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    while day + NOON <= until:
        yield Due(day + NOON, day.date().isoformat())
        day += timedelta(days=1)


async def tell_the_admins(work: Work) -> None:
    # What a run owes is owed in its transaction; the probe's line is written for the chat
    # directly, as a kind's notice rendered by the channel would be.
    told = [(Address.telegram(ADMIN), f"probe {work.run.period}")]
    await work.tx.outbox.enqueue(work.source, told, work.now)


PROBE = JobKind(
    "probe",
    "探针",
    due=noon_every_day,
    work=tell_the_admins,
    # After a stop, only the latest missed probe is still worth making.
    line=lambda run: ("probe",),
    keyed_by_period=False,
)


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> JobKind:
    monkeypatch.setitem(registry.KINDS, PROBE.name, PROBE)
    return PROBE


async def test_a_kind_declared_once_is_scheduled_made_caught_up_and_described(
    database: str, cli: Cli, probe: JobKind
) -> None:
    with clock(at(2026, 3, 2, 10)) as time:
        async with FakeBotApi() as server:
            async with bot_on(server, database, **CALENDAR_ONLY) as chat:
                await idle(chat, at(2026, 3, 2, 10))
                # Scheduled: before anything of the office's calendar (the reminder of the 20th).
                assert next_wake(chat) == at(2026, 3, 2, 12)
                await run_at(chat, time, at(2026, 3, 2, 12))
                assert received(chat, ADMIN, "probe") == ["probe 2026-03-02"]
                assert next_wake(chat) == at(2026, 3, 3, 12)

            # Stopped over two due times: at the start, the latest is made, the others skipped.
            time.move_to(at(2026, 3, 5, 13))
            async with bot_on(server, database, **CALENDAR_ONLY) as chat:
                await idle(chat, at(2026, 3, 5, 13))
                assert received(chat, ADMIN, "probe") == ["probe 2026-03-02", "probe 2026-03-05"]
                assert rows(
                    chat.db(),
                    "SELECT period, outcome, detail FROM job_runs WHERE job = 'probe' "
                    "ORDER BY period",
                ) == [
                    ("2026-03-02", "done", ""),
                    ("2026-03-03", "skipped", "superseded"),
                    ("2026-03-04", "skipped", "superseded"),
                    ("2026-03-05", "done", ""),
                ]
                assert next_wake(chat) == at(2026, 3, 6, 12)

            # The command line runs its own event loop.
            out = await asyncio.to_thread(cli.ok, "jobs")
    recent = out[: out.index("接下来的定时任务")]
    assert "  探针 2026-03-05：完成" in recent
    assert "  探针 2026-03-04：跳过 superseded" in recent
    upcoming = out[out.index("接下来的定时任务") :].splitlines()
    assert upcoming[1:3] == [
        "  2026-03-06 12:00 周五  探针 2026-03-06",
        "  2026-03-07 12:00 周六  探针 2026-03-07",
    ]
