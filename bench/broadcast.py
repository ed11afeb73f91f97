"""Benchmark: the scheduled quota reminder broadcast to many liaisons, under Telegram's flood limit.

    python bench/broadcast.py [--runs 3] [--liaisons 1500]

The project's fake Bot API server (bot/fakeapi) runs in this process with `rate_limit(30)`: like
Telegram, it answers 429 (with retry_after) to any message beyond 30 in a one-second window. The
real application (bot.telegram.app.build_application, production configuration: rate limiting ON, i.e.
python-telegram-bot's AIORateLimiter on top of the courier's own SendWindow) runs in the same
event loop through bot.telegram.runner.polling, on a fresh copy of a prepared dengkou-2024 database:
`--liaisons` units in group A (monthly quota 15, no submissions, so every one is behind), one
active liaison each (user ids 100001...), one admin (9001), and `jobs_since` set to
2026-03-20 08:00 Asia/Shanghai.

The process's wall clock is moved to 2026-03-20 09:30 Asia/Shanghai with time-machine (ticking),
so the start-up wake-up finds exactly one run due: the month's first quota reminder
(quota_reminder 2026-03/1, due at 09:00 on that Friday). It makes the reminders and the admin
summary into the outbox and the courier delivers them. time-machine does not move the monotonic
clock, which is what the courier's pacing, AIORateLimiter and the fake server's limit use, so
the sending path runs in real time.

Measured per run, from just before the application starts until the fake server has received the
last of the messages the run put into the outbox (every liaison's reminder and every chunk of the
admin summary): elapsed seconds, messages/s, elapsed / (liaisons / 30), the 429 answers the
server gave, and warnings or errors logged meanwhile. After a short untimed grace period (late
duplicates would show up there) each run checks that every liaison received exactly one
reminder, the admin only the summary, nobody else anything, and that the outbox is all marked
sent.

Target: median elapsed <= 1.15 × liaisons / 30 s (57.5 s for 1,500), and exactly one message per
liaison in every run. The exit code is non-zero if either is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.fakeapi import FakeBotApi
from bot.jobs.kind import Plan, runs_between
from bot.jobs.registry import KINDS, QUOTA_REMINDER
from bot.jobs.scheduler import SINCE_KEY
from bot.settings import Settings
from bot.storage import Store, UnitRow, sql
from bot.telegram.app import build_application
from bot.telegram.runner import polling
from bot.usecases.setup import initialize

RULESET = "dengkou-2024"
GROUP = "A"  # monthly quota 15 in dengkou-2024: units without submissions are behind
ADMIN_ID = 9001
FIRST_USER_ID = 100_001  # far from the admin id
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The reminder 2026-03/1 is due at 09:00 on Friday 2026-03-20; nothing else falls in between.
SINCE = datetime(2026, 3, 20, 8, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 3, 20, 9, 30, tzinfo=SHANGHAI)
EXPECTED_RUN = (QUOTA_REMINDER.name, "2026-03/1")
SOURCE = f"{EXPECTED_RUN[0]}:{EXPECTED_RUN[1]}"  # the outbox source the run's messages carry
PER_SECOND = 30  # Telegram's broadcast limit, enforced by the fake server
TARGET_FACTOR = 1.15
REMINDER_MARK = "【报送提醒】"
SUMMARY_MARK = "【报送进度】"
# Waiting for late duplicates after the last expected message; not part of the timing.
GRACE_SECONDS = 2.0
POLL_SECONDS = 0.02  # end times come from the server's records, not from this poll
SHOWN_LOG_RECORDS = 5


# --- the database -----------------------------------------------------------------------------


async def prepare_template(path: Path, liaisons: int) -> None:
    """A dengkou-2024 database: one group-A unit and one active liaison per simulated user."""
    store = await Store.open(path)
    try:
        await initialize(store, RULESET)
        async with store.transaction() as tx:
            await tx.units.upsert_units(
                [UnitRow(unit_name(i), GROUP, None) for i in range(liaisons)], SINCE
            )
            ids = dict(await tx.all(sql("SELECT name, id FROM units")))
            # Bound by SQL: redeeming invites through the chat would take minutes and is not
            # what is measured.
            await tx.many(
                sql(
                    "INSERT INTO liaisons (channel, address, unit_id, name, username, active, "
                    "joined_at) VALUES ('telegram', :address, :unit_id, :name, '', 1, :joined_at)"
                ),
                [
                    (
                        str(FIRST_USER_ID + i),
                        ids[unit_name(i)],
                        f"信息员{i + 1:04d}",
                        SINCE.isoformat(),
                    )
                    for i in range(liaisons)
                ],
            )
            # Runs due before this are not owed; the clock set at NOW makes one run due.
            await tx.config.set_setting(SINCE_KEY, SINCE.isoformat())
    finally:
        await store.close()  # also checkpoints the WAL, so copying the main file is enough


def unit_name(index: int) -> str:
    return f"单位{index + 1:04d}"


def outbox_counts(db: Path) -> tuple[int, int]:
    """(messages the run put into the outbox, of which marked sent), from a second connection."""
    # Read-only and separate from the bot's connection: WAL lets it read while the bot writes.
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT COUNT(*), COUNT(sent_at) FROM outbox WHERE source = ?", (SOURCE,)
        ).fetchone()
    connection.close()
    return int(row[0]), int(row[1])


def job_runs(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT job, period, outcome FROM job_runs").fetchall()
    connection.close()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


# --- one run ----------------------------------------------------------------------------------


class LogKeeper(logging.Handler):
    """Keeps warnings and errors logged during a run: retries, refused sends, handler errors."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Result:
    liaisons: int
    elapsed: float = 0.0  # start of the application -> the server's receipt of the last message
    first_send: float = 0.0  # start -> the first message, i.e. start-up and making the run
    expected: int = 0  # messages the run put into the outbox
    received: int = 0  # messages the server accepted, grace period included
    admin_messages: int = 0
    refused_429: int = 0
    other_failures: int = 0  # sendMessage answers other than 200 and 429
    cpu_seconds: float = 0.0  # this process (bot and fake server) during the timed part
    problems: list[str] = field(default_factory=list)
    log_lines: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.expected / self.elapsed if self.elapsed else 0.0

    @property
    def ratio(self) -> float:
        """Elapsed against the ideal liaisons / 30 s."""
        return self.elapsed / (self.liaisons / PER_SECOND)


def bench_settings(server: FakeBotApi, db: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        bot_token=server.token,
        admin_ids=[ADMIN_ID],
        db=db,
        ruleset=RULESET,
        api_base_url=server.base_url,
        api_base_file_url=server.base_file_url,
        rate_limit=True,  # production: the point is the real sending path
    )


def check_calendar(settings: Settings) -> None:
    """The run under test must be the only one due, or the figures would measure more."""
    due = [
        (r.job.name, r.period)
        for r in runs_between(KINDS.values(), Plan(settings, True), SINCE, NOW)
    ]
    if due != [EXPECTED_RUN]:
        raise RuntimeError(f"expected only {EXPECTED_RUN} due in ({SINCE}, {NOW}], got {due}")


async def wait_delivered(
    server: FakeBotApi, db: Path, liaisons: int, deadline: float
) -> tuple[int, float]:
    """Waits until every liaison and the whole admin summary arrived; (owed, last arrival)."""
    expected = 0
    waiting = set(range(FIRST_USER_ID, FIRST_USER_ID + liaisons))
    admin = 0
    last = 0.0
    cursor = 0  # position in server.sent up to which arrivals are counted
    while True:
        if expected == 0 and server.sent:
            # The courier sends only after the run's transaction committed: the outbox now
            # holds all the run owes.
            expected = (await asyncio.to_thread(outbox_counts, db))[0]
            if expected <= liaisons:
                raise RuntimeError(f"the run owes {expected} messages, expected > {liaisons}")
        # Per chat rather than a plain count: a duplicate must not end the timing early.
        for message in server.sent[cursor:]:
            waiting.discard(message.chat_id)
            admin += message.chat_id == ADMIN_ID
            last = max(last, message.time)
        cursor = len(server.sent)
        if expected and not waiting and admin >= expected - liaisons:
            return expected, last
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{len(waiting)} liaisons and {max(expected - liaisons - admin, 0)} admin "
                f"messages still waiting (of {expected or '?'} owed)"
            )
        await asyncio.sleep(POLL_SECONDS)


def check_messages(server: FakeBotApi, liaisons: int, result: Result) -> None:
    per_chat = Counter(message.chat_id for message in server.sent)
    users = range(FIRST_USER_ID, FIRST_USER_ID + liaisons)
    missing = [u for u in users if per_chat[u] == 0]
    repeated = [u for u in users if per_chat[u] > 1]
    strangers = sorted(set(per_chat) - set(users) - {ADMIN_ID})
    if missing:
        result.problems.append(f"{len(missing)} liaisons got nothing, e.g. {missing[:5]}")
    if repeated:
        result.problems.append(
            f"{len(repeated)} liaisons got more than one message, e.g. "
            + ", ".join(f"{u}×{per_chat[u]}" for u in repeated[:5])
        )
    if strangers:
        result.problems.append(f"messages to unexpected chats {strangers[:5]}")
    wrong = [
        m.chat_id
        for m in server.sent
        if m.chat_id in users and not (m.text or "").startswith(REMINDER_MARK)
    ]
    if wrong:
        result.problems.append(f"{len(wrong)} liaison messages are not reminders, e.g. {wrong[0]}")
    admin = server.messages_to(ADMIN_ID)
    result.admin_messages = len(admin)
    if not admin or not (admin[0].text or "").startswith(SUMMARY_MARK):
        result.problems.append("the admin did not get the summary first")
    if len(admin) != result.expected - liaisons:
        result.problems.append(
            f"the admin got {len(admin)} messages, the outbox held {result.expected - liaisons}"
        )


async def run_once(template: Path, work: Path, number: int, liaisons: int) -> Result:
    db = work / f"run-{number}.sqlite3"
    shutil.copyfile(template, db)  # fresh per run: every run starts from the same state
    result = Result(liaisons)
    keeper = LogKeeper()
    logging.getLogger().addHandler(keeper)
    try:
        async with FakeBotApi() as server:
            server.rate_limit(per_second=PER_SECOND)
            settings = bench_settings(server, db)
            check_calendar(settings)
            # Generous: a stalled broadcast fails the run instead of hanging the benchmark.
            budget = 3 * TARGET_FACTOR * liaisons / PER_SECOND + 60
            cpu_before = time.process_time()
            start = time.monotonic()
            app = build_application(settings, rate_limit=True)
            async with polling(app):
                result.expected, last = await wait_delivered(server, db, liaisons, start + budget)
                result.cpu_seconds = time.process_time() - cpu_before
                result.elapsed = last - start
                result.first_send = server.sent[0].time - start
                await asyncio.sleep(GRACE_SECONDS)
            result.received = len(server.sent)
            sends = server.calls_to("sendMessage")
            result.refused_429 = sum(1 for call in sends if call.status == 429)
            result.other_failures = sum(1 for call in sends if call.status not in (200, 429))
            check_messages(server, liaisons, result)
            if server.internal_errors:
                result.problems.append(f"fake server errors: {server.internal_errors[:3]}")
        owed, marked = outbox_counts(db)
        if marked != owed:
            result.problems.append(f"outbox: {owed - marked} of {owed} not marked sent")
        runs = job_runs(db)
        if runs != [(*EXPECTED_RUN, "done")]:
            result.problems.append(f"job_runs: {runs}")
    finally:
        logging.getLogger().removeHandler(keeper)
    result.log_lines = [
        f"{r.levelname} {r.name}: {r.getMessage()}" for r in keeper.records[:SHOWN_LOG_RECORDS]
    ]
    if keeper.records:
        result.problems.append(f"{len(keeper.records)} warnings/errors logged")
    return result


async def bench(args: argparse.Namespace) -> list[Result]:
    work = Path(tempfile.mkdtemp(prefix="govinfo-broadcast-bench-"))
    try:
        template = work / "template.sqlite3"
        await prepare_template(template, args.liaisons)
        results = []
        print(HEADER, flush=True)
        for number in range(1, args.runs + 1):
            # tick=True: the wall clock runs on from NOW, so the scheduler's times stay sane.
            with time_machine.travel(NOW, tick=True):
                result = await run_once(template, work, number, args.liaisons)
            print_row(str(number), result)
            for line in result.log_lines:
                print(f"       log: {line}", flush=True)
            for problem in result.problems:
                print(f"       problem: {problem}", flush=True)
            results.append(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


# --- output -----------------------------------------------------------------------------------

HEADER = (
    f"{'run':>6} {'elapsed s':>9} {'ratio':>6} {'msg/s':>6} {'1st send':>8} {'owed':>5} "
    f"{'recv':>5} {'admin':>5} {'429s':>5} {'other':>5} {'cpu s':>6}"
)


def print_row(label: str, r: Result) -> None:
    print(
        f"{label:>6} {r.elapsed:9.2f} {r.ratio:6.3f} {r.per_second:6.2f} {r.first_send:8.2f} "
        f"{r.expected:5d} {r.received:5d} {r.admin_messages:5d} {r.refused_429:5d} "
        f"{r.other_failures:5d} {r.cpu_seconds:6.1f}",
        flush=True,
    )


def summarize(results: list[Result], liaisons: int) -> bool:
    elapsed = statistics.median(r.elapsed for r in results)
    target = TARGET_FACTOR * liaisons / PER_SECOND
    ratio = elapsed / (liaisons / PER_SECOND)
    per_second = statistics.median(r.per_second for r in results)
    refused = sum(r.refused_429 for r in results)
    exact = all(not r.problems for r in results)
    print(
        f"median elapsed {elapsed:.2f} s, ratio {ratio:.3f} of {liaisons}/{PER_SECOND} s, "
        f"{per_second:.2f} msg/s; 429 answers in all runs: {refused}"
    )
    print(
        "ratio = elapsed / (liaisons / 30); 1st send = start-up and making the run; "
        "owed = the run's outbox rows (reminders and admin summary chunks); "
        "recv = messages the server accepted, grace period included; "
        "cpu s = this process (bot and fake server) during the timed part"
    )
    time_ok = elapsed <= target
    print(
        f"{'PASS' if time_ok else 'FAIL'}: median elapsed {elapsed:.2f} s "
        f"(target <= {TARGET_FACTOR} × {liaisons}/{PER_SECOND} = {target:.1f} s)"
    )
    print(
        f"{'PASS' if exact else 'FAIL'}: every liaison got exactly one reminder, "
        f"nothing else went wrong, in every run" + ("" if exact else " (see the problems above)")
    )
    return time_ok and exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--liaisons", type=int, default=1500, help="one unit each")
    args = parser.parse_args()
    if args.runs < 1 or args.liaisons < 1:
        parser.error("--runs and --liaisons must be positive")
    # Inherited GOVINFO_* variables (jobs time, reminder days...) must not change what is
    # measured; keyword settings win over them, but not every field is given here.
    for key in [key for key in os.environ if key.startswith("GOVINFO_")]:
        del os.environ[key]
    # Warnings and errors go to each run's LogKeeper and are printed with its figures.
    logging.getLogger().setLevel(logging.WARNING)
    print(
        f"quota reminder to {args.liaisons} liaisons, server limit {PER_SECOND}/s; "
        f"{args.runs} runs; CPUs: {os.cpu_count()}",
        flush=True,
    )
    results = asyncio.run(bench(args))
    sys.exit(0 if summarize(results, args.liaisons) else 1)


if __name__ == "__main__":
    main()
