"""Benchmark: the chat while a large records import runs in another process.

    python bench/import_stall.py [--rows 1000000] [--runs 3] [--rate 20] [--load mixed]

The project's fake Bot API server (bot/fakeapi) runs in this process and our bot (`python -m
bot.cli run`, as in bench/chat.py, whose set-up it reuses: a dengkou-2024 database of 200 units
单位001..单位200, one bound liaison each) polls it as a child process. Liaisons send at a
steady `--rate` per second, round robin: `/me` (a read: quota, score and rank), one-line reports
(`采用 《决策参考》 … 今天`, which store a draft: a write), or both in turn (`--load mixed`). After
`--before` seconds, `govinfo-bot records import` of a `--rows`-row CSV (built once, cached in
bench/out/) runs against the same database as another process; the load goes on until
`--after` seconds past its end.

Measured per run: the import's wall time; how long it held the write lock (a probe in this
process tries `BEGIN IMMEDIATE` without waiting every 50 ms on a connection of its own; the
longest stretch it found the lock taken); and the reply latency (the server's receipt of the
reply minus the sending of the message) of every message sent while the import ran, by kind:
p50, p95, max, and replies that were errors. Printed: every run, and the medians of the runs.
Target: p95 under 2 s for every message sent while a 1,000,000-row file is imported.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import math
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chat import (  # bench/chat.py: this directory is the script's first import path
    FIRST_USER_ID,
    SUMMARY_MARK,
    nearest_rank,
    prepare_template,
    start_bot,
    stop_bot,
    unit_name,
)

from bot.fakeapi import FakeBotApi
from bot.storage import database_files

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
TARGET_P95_S = 2.0
PROBE_EVERY = 0.05
REPLY_TIMEOUT = 300.0
# An import that hangs fails the run instead of the benchmark hanging with it.
IMPORT_TIMEOUT = 1200.0
WARMUP = 10
# Records of the file: mostly submissions, some adoptions, over the ruleset's first year.
ITEMS = ["报送"] * 6 + ["city.zwyq.main", "city.zwyq.brief", "《决策参考》", "city.wechat.brief"]
FIRST_DAY = date(2024, 3, 1)
DAYS = 300


def records_csv(rows: int, units: int) -> Path:
    path = OUT / f"import-stall-{rows}-{units}.csv"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20240301)
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["date", "unit", "item", "count", "points", "modifiers", "title", "note"])
        for n in range(rows):
            day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            unit = unit_name(rng.randrange(units))
            writer.writerow([day.isoformat(), unit, rng.choice(ITEMS), 1, "", "", f"信息{n}", ""])
    partial.rename(path)
    return path


# --- the write lock, seen from outside -------------------------------------------------------


class LockProbe:
    """Tries the write lock without waiting, every PROBE_EVERY seconds, in a thread of its own;
    records the stretches it found it taken."""

    def __init__(self, db: Path) -> None:
        self._db = db
        self._stop = threading.Event()
        self.busy: list[tuple[float, float]] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(self._db, timeout=0, isolation_level=None)
        started: float | None = None
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                try:
                    connection.execute("BEGIN IMMEDIATE")
                    connection.execute("ROLLBACK")
                    if started is not None:
                        self.busy.append((started, now))
                        started = None
                except sqlite3.OperationalError:
                    started = now if started is None else started
                self._stop.wait(PROBE_EVERY)
        finally:
            connection.close()

    def longest(self, start: float, end: float) -> float:
        return max((b - a for a, b in self.busy if b >= start and a <= end), default=0.0)


# --- the liaisons -----------------------------------------------------------------------------


@dataclass
class Sent:
    kind: str  # "me" or "report"
    user: int
    at: float
    replied: float | None = None
    error: bool = False


@dataclass
class Liaisons:
    server: FakeBotApi
    users: int
    load: str
    sent: list[Sent] = field(default_factory=list)
    _waiting: dict[int, deque[Sent]] = field(default_factory=dict)
    _cursor: int = 0
    _number: int = 0

    def send(self) -> None:
        self._number += 1
        user = FIRST_USER_ID + self._number % self.users
        kind = self.load if self.load != "mixed" else ("me", "report")[self._number % 2]
        text = "/me" if kind == "me" else f"采用 《决策参考》 导入期间的调研第{self._number}篇 今天"
        self.server.send_message(user, text, first_name=f"信息员{user}")
        message = Sent(kind, user, time.monotonic())
        self.sent.append(message)
        self._waiting.setdefault(user, deque()).append(message)

    def collect(self) -> None:
        """Each reply answers its chat's oldest message of the kind the reply is to."""
        sent = self.server.sent
        for reply in sent[self._cursor :]:
            waiting = self._waiting.get(reply.chat_id)
            if not waiting:
                continue
            text = reply.text or ""
            kind = "report" if text.startswith(SUMMARY_MARK) else "me"
            unit_reply = text.startswith(unit_name(reply.chat_id - FIRST_USER_ID))
            message = next((m for m in waiting if m.kind == kind), waiting[0])
            waiting.remove(message)
            message.replied = reply.time
            message.error = not (text.startswith(SUMMARY_MARK) or unit_reply)
        self._cursor = len(sent)

    async def wait_all(self) -> None:
        deadline = time.monotonic() + REPLY_TIMEOUT
        while True:
            self.collect()
            if all(m.replied is not None for m in self.sent):
                return
            if time.monotonic() > deadline:
                missing = sum(1 for m in self.sent if m.replied is None)
                raise TimeoutError(f"{missing} messages unanswered")
            await asyncio.sleep(0.05)


async def offer(liaisons: Liaisons, rate: float, until: asyncio.Event) -> None:
    """Messages at a steady rate, against a schedule rather than the last send."""
    start = time.monotonic()
    n = 0
    while not until.is_set():
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        liaisons.send()
        liaisons.collect()
        n += 1


# --- a run ------------------------------------------------------------------------------------


@dataclass
class Latency:
    count: int
    p50: float
    p95: float
    worst: float
    errors: int


@dataclass
class Run:
    import_s: float
    lock_s: float
    kinds: dict[str, Latency]
    load_before: float
    load_after: float
    output: str


def latency(messages: list[Sent]) -> Latency:
    waits = sorted((m.replied or math.inf) - m.at for m in messages)
    if not waits:
        return Latency(0, 0.0, 0.0, 0.0, 0)
    return Latency(
        len(waits), nearest_rank(waits, 0.5), nearest_rank(waits, 0.95), waits[-1],
        sum(1 for m in messages if m.error),
    )  # fmt: skip


async def run_once(args: argparse.Namespace, work: Path, template: Path, csv_path: Path) -> Run:
    db = work / "run.sqlite3"
    for file in database_files(db):
        file.unlink(missing_ok=True)
    shutil.copyfile(template, db)
    load_before = os.getloadavg()[0]
    async with FakeBotApi() as server:
        bot = await start_bot("ours", server, db, work / "bot.log", None)
        try:
            liaisons = Liaisons(server, args.users, args.load)
            for _ in range(WARMUP):
                liaisons.send()
            await liaisons.wait_all()
            warm = len(liaisons.sent)
            stop = asyncio.Event()
            load = asyncio.create_task(offer(liaisons, args.rate, stop))
            with LockProbe(db) as probe:
                await asyncio.sleep(args.before)
                env = {k: v for k, v in os.environ.items() if not k.startswith("GOVINFO_")}
                started = time.monotonic()
                importer = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot.cli", "--db", str(db), "records", "import",
                    str(csv_path), cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                )  # fmt: skip
                try:
                    output, _ = await asyncio.wait_for(importer.communicate(), IMPORT_TIMEOUT)
                except TimeoutError:
                    importer.kill()
                    await importer.wait()
                    raise
                ended = time.monotonic()
                await asyncio.sleep(args.after)
                stop.set()
                await load
            await liaisons.wait_all()
        finally:
            await stop_bot(bot)
    if importer.returncode != 0:
        raise RuntimeError(f"the import failed:\n{output.decode()}")
    during = [m for m in liaisons.sent[warm:] if started <= m.at <= ended]
    kinds = {"all": latency(during)}
    for kind in ("me", "report"):
        if any(m.kind == kind for m in during):
            kinds[kind] = latency([m for m in during if m.kind == kind])
    return Run(
        ended - started, probe.longest(started, ended), kinds, load_before, os.getloadavg()[0],
        output.decode().strip(),
    )  # fmt: skip


def show(label: str, run: Run) -> None:
    parts = [f"{label:>6} import {run.import_s:6.1f} s, write lock {run.lock_s:5.1f} s"]
    for kind, lat in run.kinds.items():
        parts.append(
            f"{kind}: n={lat.count} p50 {lat.p50:.2f} s p95 {lat.p95:.2f} s max {lat.worst:.2f} s"
            f" errors {lat.errors}"
        )
    print(" | ".join(parts), flush=True)


async def bench(args: argparse.Namespace) -> list[Run]:
    csv_path = records_csv(args.rows, args.users)
    work = Path(tempfile.mkdtemp(prefix="govinfo-import-stall-"))
    try:
        template = work / "template.sqlite3"
        await prepare_template(template, args.users)
        runs = []
        for number in range(1, args.runs + 1):
            run = await run_once(args, work, template, csv_path)
            show(str(number), run)
            print(
                f"       load average {run.load_before:.2f} before, {run.load_after:.2f} after; "
                f"import said: {run.output.splitlines()[0] if run.output else ''}",
                flush=True,
            )
            runs.append(run)
    except BaseException:
        print(f"bench failed; the bot's log is in {work}", file=sys.stderr)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="messages/s from the liaisons")
    parser.add_argument("--load", choices=("me", "report", "mixed"), default="mixed")
    parser.add_argument("--before", type=float, default=5.0)
    parser.add_argument("--after", type=float, default=5.0)
    args = parser.parse_args()
    print(
        f"{args.rows} rows imported while {args.users} liaisons send {args.load} at "
        f"{args.rate:g}/s; {args.runs} runs; CPUs: {os.cpu_count()}",
        flush=True,
    )
    runs = asyncio.run(bench(args))
    median = Run(
        statistics.median(r.import_s for r in runs),
        statistics.median(r.lock_s for r in runs),
        {
            kind: Latency(
                int(statistics.median(r.kinds[kind].count for r in runs)),
                statistics.median(r.kinds[kind].p50 for r in runs),
                statistics.median(r.kinds[kind].p95 for r in runs),
                statistics.median(r.kinds[kind].worst for r in runs),
                int(statistics.median(r.kinds[kind].errors for r in runs)),
            )
            for kind in runs[0].kinds
        },
        0.0,
        0.0,
        "",
    )
    show("median", median)
    p95 = median.kinds["all"].p95
    print(
        f"p95 reply latency while importing (median of runs): {p95:.2f} s "
        f"(target < {TARGET_P95_S:g} s) {'ok' if p95 < TARGET_P95_S else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
