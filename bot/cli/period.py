"""`govinfo-bot period`: a published period locked, reopened with a reason, the locks listed."""

from __future__ import annotations

import argparse
from datetime import datetime

from bot import texts
from bot.cli.common import actor, with_store
from bot.settings import Settings
from bot.storage import Store
from bot.usecases import periods
from bot.usecases.request import Request
from scoring.periods import parse_period


def declare(parser: argparse.ArgumentParser) -> None:
    period = parser.add_subparsers(dest="period_command", required=True)
    period.add_parser("lock", help="锁定一个已结束的期间").add_argument(
        "period", help="2024年第二季度、2024年5月、2024年、上季度、去年，或 2024Q2、2024-05"
    )
    reopen = period.add_parser("reopen", help="解锁一个期间（须注明原因）")
    reopen.add_argument("period")
    reopen.add_argument("--reason", required=True, help="解锁的原因，记入审计记录")
    period.add_parser("list", help="当前锁定的期间，以及全部锁定和解锁记录")


def run(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.now()
    return with_store(settings, lambda store: _period(store, args, now))


async def _period(store: Store, args: argparse.Namespace, now: datetime) -> int:
    match args.period_command:
        case "lock":
            locked = await periods.lock(store, args.period, Request(actor(), now))
            print(texts.PERIOD_LOCKED.format(period=locked.name))
        case "reopen":
            reopened = await periods.reopen(store, args.period, args.reason, Request(actor(), now))
            print(texts.PERIOD_REOPENED.format(period=reopened.name))
        case _:
            locks, events = await periods.history(store)
            print(texts.PERIODS_LOCKED_NOW)
            for lock in locks:
                print(
                    texts.PERIODS_LOCKED_LINE.format(
                        period=parse_period(lock.period).name, first=lock.first_day, last=lock.last_day,
                        who=texts.actor_display(lock.actor_name or lock.actor),
                        at=lock.at.strftime("%Y-%m-%d %H:%M"),
                    )
                )  # fmt: skip
            if not locks:
                print(texts.PERIODS_NONE)
            print(texts.PERIODS_HISTORY)
            for e in events:
                print(
                    texts.PERIODS_EVENT_LINE.format(
                        at=e.at.strftime("%Y-%m-%d %H:%M"), period=parse_period(e.period).name,
                        event=texts.PERIOD_EVENTS[e.event],
                        who=texts.actor_display(e.actor_name or e.actor),
                        reason=f"：{e.reason}" if e.reason else "",
                    )
                )  # fmt: skip
            if not events:
                print(texts.PERIODS_NONE)
    return 0
