"""Benchmark: one-line reports in chat, against a bare python-telegram-bot echo bot, with our
bot on SQLite and on PostgreSQL side by side.

    python bench/chat.py [--store sqlite|postgres|both] [--pg-fsync] [--rounds 3]
        [--reports 2000] [--users 200] [--rate 100] [--seconds 10]

The project's fake Bot API server (bot/fakeapi) runs inside this process; each bot runs as a
separate child process long-polling it over loopback, so both bots get identical conditions and
the bot's peak RSS can be read from /proc/<pid>/status (VmHWM):

- ours: `python -m bot.cli run` (what `govinfo-bot run` starts) with GOVINFO_* variables
  pointing at the fake server and a fresh copy of a prepared dengkou-2024 database (200 units
  单位001..单位200 in groups A/B/C, one bound liaison each): an SQLite file, or a database of a
  throwaway PostgreSQL server (tests/pgserver.py: on tmpfs, fsync and synchronous commits off;
  with `--pg-fsync` on disk with both on, as PostgreSQL ships), copied from a template database
  each round. On PostgreSQL the bot is one replica (bot/telegram/replicas.py): the leader, polling, its
  updates claimed from the intake table by its dispatcher. GOVINFO_RATE_LIMIT=false: the
  production rate limiter caps sending at Telegram's ~30 messages/s by design, and the fake
  server enforces no flood limit here, so with it on this would measure the limiter.
- echo: bench/echo_bot.py, a bare Application with the same builder settings that matter
  (concurrent updates, connection pool, base URLs) and one MessageHandler echoing the text.

Each round runs the echo bot and ours on each store (the order reverses between rounds), each
on a fresh fake server:
1. throughput: `--users` liaisons send `--reports` one-line reports
   (`采用 《决策参考》 关于沙漠治理的调研第N篇 今天`, distinct titles so duplicate detection
   does not refuse them), all queued at once; handled/s = reports / (last reply − queueing);
2. latency (ours only, same process afterwards): reports offered at `--rate` per second for
   `--seconds` seconds on a monotonic schedule; latency = the server's receipt of the reply
   sendMessage − the queueing of the report;
3. peak RSS: VmHWM of each bot process after its work, before it is stopped.
Also printed: each bot's CPU time (all its threads) per report during the throughput run, which
the machine's noise disturbs less than the rates do, and on PostgreSQL the server's (all its
processes: on 2 cores it competes with the bot).
Every bot first answers a few warm-up messages, untimed. Printed: every round, the medians and
the median of the per-round ratios ours/echo, for each store.
Targets: ratio >= 0.6 on SQLite, >= 0.5 on PostgreSQL (one replica); p95 latency <= 150 ms at
100 reports/s; our peak RSS <= 150 MB.

`--profile DIR` runs our bot under cProfile (DIR/<store>-round<N>.prof, main thread only:
SQLite work in aiosqlite's thread shows up as awaiting); the figures of such a run are not
comparable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import math
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.fakeapi import FakeBotApi
from bot.storage import Store, sql
from bot.telegram.app import CONCURRENT_UPDATES, CONNECTION_POOL
from bot.usecases.imports import import_units
from bot.usecases.setup import initialize
from tests.pgserver import TEMPLATE, PostgresDatabases, postgres_databases, with_database

ROOT = Path(__file__).resolve().parent.parent
RULESET = "dengkou-2024"
GROUPS = ("A", "B", "C")
ADMIN_ID = 9001
FIRST_USER_ID = 100_001  # far from the admin id and from the fake server's update ids
WARMUP_REPORTS = 20
READY_TIMEOUT = 60.0
# Generous: a bot that stops answering fails the run instead of hanging it.
REPLY_TIMEOUT = 180.0
STOP_TIMEOUT = 20.0
REPORT_NUMBER = re.compile(r"调研第(\d+)篇")
SUMMARY_MARK = "请确认申报"
STORES = ("sqlite", "postgres")
TARGET_RATIO = {"sqlite": 0.6, "postgres": 0.5}
TARGET_P95_MS = 150.0
TARGET_RSS_MB = 150.0


def report_text(number: int) -> str:
    return f"采用 《决策参考》 关于沙漠治理的调研第{number}篇 今天"


# --- the database -----------------------------------------------------------------------------


async def prepare_template(target: str | Path, roster: Path, users: int) -> None:
    """A dengkou-2024 database with one unit and one bound liaison per simulated user."""
    store = await Store.open(target)
    try:
        await initialize(store, RULESET)
        with roster.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["name", "group", "aliases"])
            writer.writerows([unit_name(i), GROUPS[i % len(GROUPS)], ""] for i in range(users))
        now = datetime.now().astimezone()
        await import_units(store, roster, "bench", now)
        # Bound by SQL rather than through redeem_invite: redeeming records its update id as
        # processed, and those ids would collide with the fake server's, so drop_replays would
        # silently drop the benchmark's first reports.
        async with store.transaction() as tx:
            ids = dict(await tx.all(sql("SELECT name, id FROM units")))
            await tx.many(
                sql(
                    "INSERT INTO liaisons (channel, address, unit_id, name, username, active, "
                    "joined_at) VALUES ('telegram', :address, :unit_id, :name, '', 1, :joined_at)"
                ),
                [
                    (
                        str(FIRST_USER_ID + i),
                        ids[unit_name(i)],
                        f"信息员{i + 1:03d}",
                        now.isoformat(),
                    )
                    for i in range(users)
                ],
            )
    finally:
        await store.close()  # also checkpoints the WAL, so copying the main file is enough


def unit_name(index: int) -> str:
    return f"单位{index + 1:03d}"


# --- the bots ---------------------------------------------------------------------------------


@dataclass
class Bot:
    kind: str  # "echo", or the store of ours: "sqlite" or "postgres"
    process: asyncio.subprocess.Process
    log: Path

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


async def start_bot(
    kind: str, server: FakeBotApi, db: str | Path | None, log: Path, profile: Path | None
) -> Bot:
    """Ours on the database `db` (an SQLite file or a PostgreSQL URL), or the echo bot."""
    # Inherited GOVINFO_* variables must not change what is measured.
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOVINFO_")}
    env.update(
        GOVINFO_BOT_TOKEN=server.token,
        GOVINFO_API_BASE_URL=server.base_url,
        GOVINFO_API_BASE_FILE_URL=server.base_file_url,
    )
    if db is not None:
        env.update(
            GOVINFO_DB=str(db),
            GOVINFO_ADMIN_IDS=str(ADMIN_ID),
            GOVINFO_RATE_LIMIT="false",
            GOVINFO_RULESET=RULESET,
        )
        profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
        command = [sys.executable, *profiler, "-m", "bot.cli", "run"]
    else:
        command = [
            sys.executable,
            str(ROOT / "bench" / "echo_bot.py"),
            f"--concurrent-updates={CONCURRENT_UPDATES}",
            f"--connection-pool={CONNECTION_POOL}",
        ]
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out
        )
    bot = Bot(kind, process, log)
    try:
        await wait_ready(bot, server)
    except BaseException:
        await stop_bot(bot)  # a bot that failed to start must not outlive the benchmark
        raise
    return bot


async def wait_ready(bot: Bot, server: FakeBotApi) -> None:
    """Returns once the bot long-polls: its start-up (post_init included) is over."""
    deadline = time.monotonic() + READY_TIMEOUT
    while not any(call.method == "getUpdates" for call in server.calls):
        if bot.process.returncode is not None:
            raise RuntimeError(f"{bot.kind} bot exited at start-up:\n{bot.log_tail()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{bot.kind} bot never polled:\n{bot.log_tail()}")
        await asyncio.sleep(0.02)


async def stop_bot(bot: Bot) -> None:
    """SIGINT lets run_polling stop cleanly (and cProfile write its file); kill if it hangs."""
    if bot.process.returncode is not None:
        return
    bot.process.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(bot.process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        bot.process.kill()
        await bot.process.wait()


def cpu_seconds(pid: int) -> float:
    """User plus system time of the process, all threads, from /proc/<pid>/stat."""
    # The command name may contain spaces or parentheses: fields are counted after its ")".
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(postmaster: int) -> float:
    """User plus system time of a PostgreSQL server: the postmaster, the processes it runs now
    and those that have ended (counted in its children's times once it has waited for them)."""
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster:
                ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def postmaster_pid(server: str) -> int:
    """The server's main process: the parent of the process serving a connection."""
    conn = await asyncpg.connect(server)
    try:
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    finally:
        await conn.close()


def peak_rss_mb(pid: int) -> float:
    """VmHWM, the process's peak resident set size so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # reported in kB
    raise RuntimeError(f"no VmHWM for process {pid}")


# --- playing the liaisons ---------------------------------------------------------------------


@dataclass
class Liaisons:
    """Sends numbered reports through the fake server and matches the bot's replies to them."""

    server: FakeBotApi
    users: int
    is_expected: Callable[[str], bool]
    queued_at: dict[int, float] = field(default_factory=dict)
    replied_at: dict[int, float] = field(default_factory=dict)
    _next_number: int = 1
    _cursor: int = 0  # position in server.sent up to which replies are matched

    def send(self) -> int:
        number = self._next_number
        self._next_number += 1
        user = FIRST_USER_ID + number % self.users
        self.server.send_message(user, report_text(number), first_name=f"信息员{user}")
        self.queued_at[number] = time.monotonic()
        return number

    async def wait_replies(self, numbers: range) -> None:
        """Waits until every report in `numbers` has its reply; a wrong reply fails the run."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while True:
            self._collect()
            missing = [n for n in numbers if n not in self.replied_at]
            if not missing:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(missing)} reports unanswered, e.g. #{missing[0]}")
            await asyncio.sleep(0.01)  # reply times come from the server, not from this poll

    def _collect(self) -> None:
        sent = self.server.sent
        for message in sent[self._cursor :]:
            text = message.text or ""
            match = REPORT_NUMBER.search(text)
            if match is None or not self.is_expected(text):
                raise RuntimeError(f"unexpected reply to chat {message.chat_id}: {text[:200]!r}")
            number = int(match[1])
            if number in self.replied_at:
                raise RuntimeError(f"report #{number} was answered twice")
            self.replied_at[number] = message.time
        self._cursor = len(sent)


async def warm_up(liaisons: Liaisons) -> None:
    numbers = [liaisons.send() for _ in range(WARMUP_REPORTS)]
    await liaisons.wait_replies(range(numbers[0], numbers[-1] + 1))


async def throughput(liaisons: Liaisons, reports: int, pid: int) -> tuple[float, float]:
    """Reports handled per second, all queued at once, and the bot's CPU ms per report."""
    cpu_before = cpu_seconds(pid)
    start = time.monotonic()
    numbers = [liaisons.send() for _ in range(reports)]
    await liaisons.wait_replies(range(numbers[0], numbers[-1] + 1))
    last = max(liaisons.replied_at[n] for n in numbers)
    return reports / (last - start), (cpu_seconds(pid) - cpu_before) * 1000 / reports


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    max_ms: float
    offered_per_s: float  # as actually paced


async def latency(liaisons: Liaisons, rate: float, seconds: float) -> Latency:
    count = round(rate * seconds)
    start = time.monotonic()
    numbers = []
    for i in range(count):
        # Against the schedule, not the previous send, so late wake-ups do not lower the rate.
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        numbers.append(liaisons.send())
    paced = liaisons.queued_at[numbers[-1]] - liaisons.queued_at[numbers[0]]
    await liaisons.wait_replies(range(numbers[0], numbers[-1] + 1))
    millis = sorted((liaisons.replied_at[n] - liaisons.queued_at[n]) * 1000 for n in numbers)
    return Latency(
        p50_ms=nearest_rank(millis, 0.50),
        p95_ms=nearest_rank(millis, 0.95),
        max_ms=millis[-1],
        offered_per_s=(count - 1) / paced if paced > 0 else math.inf,
    )


def nearest_rank(ordered: list[float], fraction: float) -> float:
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# --- rounds -----------------------------------------------------------------------------------


@dataclass
class Ours:
    """Our bot on one store in one round."""

    per_s: float = 0.0
    latency: Latency | None = None
    rss_mb: float = 0.0
    cpu_ms: float = 0.0  # bot CPU per report in the throughput run
    server_cpu_ms: float | None = None  # PostgreSQL's, per report in the throughput run


@dataclass
class Round:
    echo_per_s: float = 0.0
    echo_rss_mb: float = 0.0
    echo_cpu_ms: float = 0.0
    ours: dict[str, Ours] = field(default_factory=dict)

    def ratio(self, kind: str) -> float:
        return self.ours[kind].per_s / self.echo_per_s


@dataclass
class Databases:
    """Where each round's copy of the prepared database comes from, for each store."""

    work: Path
    sqlite_template: Path | None = None
    postgres: PostgresDatabases | None = None
    postmaster: int | None = None  # the PostgreSQL server's main process

    def fresh(self, kind: str, number: int) -> str | Path:
        if kind == "sqlite":
            assert self.sqlite_template is not None
            db = self.work / f"ours-{number}.sqlite3"
            shutil.copyfile(self.sqlite_template, db)
            return db
        assert self.postgres is not None
        return self.postgres.new()  # a copy of TEMPLATE; the previous round's is dropped


async def prepare(args: argparse.Namespace, work: Path, stack: contextlib.ExitStack) -> Databases:
    databases = Databases(work)
    roster = work / "units.csv"
    if "sqlite" in args.stores:
        databases.sqlite_template = work / "template.sqlite3"
        await prepare_template(databases.sqlite_template, roster, args.users)
    if "postgres" in args.stores:
        postgres = stack.enter_context(postgres_databases(durable=args.pg_fsync))
        await prepare_template(with_database(postgres.server, TEMPLATE), roster, args.users)
        databases.postgres = postgres
        databases.postmaster = await postmaster_pid(postgres.server)
    return databases


async def run_echo(args: argparse.Namespace, work: Path, number: int, result: Round) -> None:
    async with FakeBotApi() as server:
        bot = await start_bot("echo", server, None, work / f"echo-{number}.log", None)
        try:
            liaisons = Liaisons(server, args.users, lambda text: text.startswith("采用 "))
            await warm_up(liaisons)
            result.echo_per_s, result.echo_cpu_ms = await throughput(
                liaisons, args.reports, bot.process.pid
            )
            result.echo_rss_mb = peak_rss_mb(bot.process.pid)
        finally:
            await stop_bot(bot)


async def run_ours(
    args: argparse.Namespace, databases: Databases, kind: str, number: int, result: Round
) -> None:
    db = databases.fresh(kind, number)  # fresh per round: every round starts from the same state
    profile = args.profile / f"{kind}-round{number}.prof" if args.profile else None
    log = databases.work / f"{kind}-{number}.log"
    ours = result.ours[kind] = Ours()
    postmaster = databases.postmaster if kind == "postgres" else None
    async with FakeBotApi() as server:
        bot = await start_bot(kind, server, db, log, profile)
        try:
            liaisons = Liaisons(server, args.users, lambda text: text.startswith(SUMMARY_MARK))
            await warm_up(liaisons)
            server_cpu = server_cpu_seconds(postmaster) if postmaster else 0.0
            ours.per_s, ours.cpu_ms = await throughput(liaisons, args.reports, bot.process.pid)
            if postmaster:
                server_cpu = server_cpu_seconds(postmaster) - server_cpu
                ours.server_cpu_ms = server_cpu * 1000 / args.reports
            ours.latency = await latency(liaisons, args.rate, args.seconds)
            ours.rss_mb = peak_rss_mb(bot.process.pid)
        finally:
            await stop_bot(bot)
        if bot.process.returncode not in (0, -signal.SIGINT):
            print(f"  ({kind} exited with {bot.process.returncode}; see {bot.log})")


async def bench(args: argparse.Namespace) -> list[Round]:
    work = Path(tempfile.mkdtemp(prefix="govinfo-chat-bench-"))
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.ExitStack() as stack:
            databases = await prepare(args, work, stack)
            rounds = []
            for number in range(1, args.rounds + 1):
                result = Round()
                # Reversing the order every round spreads any drift of the machine over the bots.
                order = ["echo", *args.stores]
                for kind in order[:: 1 if number % 2 else -1]:
                    if kind == "echo":
                        await run_echo(args, work, number, result)
                    else:
                        await run_ours(args, databases, kind, number, result)
                for kind in args.stores:
                    print_row(str(number), kind, result, flush=True)
                rounds.append(result)
    except BaseException:
        print(f"bench failed; bot logs kept in {work}", file=sys.stderr)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return rounds


HEADER = (
    f"{'round':>6} {'store':>8} {'echo/s':>7} {'ours/s':>7} {'ratio':>6} {'p50 ms':>7} "
    f"{'p95 ms':>7} {'max ms':>7} {'offered':>7} {'RSS MB':>7} {'echo MB':>7} {'cpu ms':>7} "
    f"{'echo cpu':>8} {'db cpu':>7}"
)


def print_row(
    label: str, kind: str, r: Round, *, ratio: float | None = None, flush: bool = False
) -> None:
    ours = r.ours[kind]
    lat = ours.latency
    assert lat is not None
    db_cpu = "-" if ours.server_cpu_ms is None else f"{ours.server_cpu_ms:.2f}"
    print(
        f"{label:>6} {kind:>8} {r.echo_per_s:7.0f} {ours.per_s:7.0f} "
        f"{r.ratio(kind) if ratio is None else ratio:6.2f} {lat.p50_ms:7.1f} {lat.p95_ms:7.1f} "
        f"{lat.max_ms:7.1f} {lat.offered_per_s:7.1f} {ours.rss_mb:7.1f} {r.echo_rss_mb:7.1f} "
        f"{ours.cpu_ms:7.2f} {r.echo_cpu_ms:8.2f} {db_cpu:>7}",
        flush=flush,
    )


def median_round(rounds: list[Round], kind: str) -> Round:
    """The median of every figure over the rounds, for the echo bot and ours on `kind`."""
    med = statistics.median
    latencies = [lat for r in rounds if (lat := r.ours[kind].latency) is not None]
    server_cpu = [ms for r in rounds if (ms := r.ours[kind].server_cpu_ms) is not None]
    ours = Ours(
        per_s=med(r.ours[kind].per_s for r in rounds),
        latency=Latency(
            med(lat.p50_ms for lat in latencies),
            med(lat.p95_ms for lat in latencies),
            med(lat.max_ms for lat in latencies),
            med(lat.offered_per_s for lat in latencies),
        ),
        rss_mb=med(r.ours[kind].rss_mb for r in rounds),
        cpu_ms=med(r.ours[kind].cpu_ms for r in rounds),
        server_cpu_ms=med(server_cpu) if server_cpu else None,
    )
    return Round(
        echo_per_s=med(r.echo_per_s for r in rounds),
        echo_rss_mb=med(r.echo_rss_mb for r in rounds),
        echo_cpu_ms=med(r.echo_cpu_ms for r in rounds),
        ours={kind: ours},
    )


def print_summary(rounds: list[Round], stores: list[str]) -> None:
    # The ratio is the median of the per-round (paired) ratios, not the ratio of the medians:
    # the bots of a round ran minutes apart at most, under similar noise.
    ratios = {kind: statistics.median(r.ratio(kind) for r in rounds) for kind in stores}
    medians = {kind: median_round(rounds, kind) for kind in stores}
    for kind in stores:
        print_row("median", kind, medians[kind], ratio=ratios[kind])
    for kind in stores:
        latency = medians[kind].ours[kind].latency
        assert latency is not None
        target, p95 = TARGET_RATIO[kind], latency.p95_ms
        peak = max(r.ours[kind].rss_mb for r in rounds)
        print(
            f"{kind}: ratio ours/echo (median of paired): {ratios[kind]:.2f} "
            f"(target >= {target}) {'ok' if ratios[kind] >= target else 'MISSED'}"
        )
        print(
            f"{kind}: p95 latency at {latency.offered_per_s:.0f}/s (median of rounds): "
            f"{p95:.1f} ms (target <= {TARGET_P95_MS:.0f}) "
            f"{'ok' if p95 <= TARGET_P95_MS else 'MISSED'}"
        )
        print(
            f"{kind}: peak RSS (max of rounds): {peak:.1f} MB (target <= {TARGET_RSS_MB:.0f}) "
            f"{'ok' if peak <= TARGET_RSS_MB else 'MISSED'}"
        )
    if len(stores) == 2:
        paired = statistics.median(r.ratio("postgres") / r.ratio("sqlite") for r in rounds)
        print(f"throughput postgres / sqlite (median of paired): {paired:.2f}")
    print("cpu ms: the bot's CPU time (all threads) per report in the throughput run;")
    print("db cpu: the PostgreSQL server's (all its processes), likewise")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=[*STORES, "both"], default="both")
    parser.add_argument(
        "--pg-fsync", action="store_true", help="PostgreSQL on disk, fsync and commits durable"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reports", type=int, default=2000, help="reports per throughput run")
    parser.add_argument("--users", type=int, default=200, help="liaisons (one unit each)")
    parser.add_argument("--rate", type=float, default=100.0, help="reports/s of the latency run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    parser.add_argument("--profile", type=Path, help="run our bot under cProfile into this dir")
    args = parser.parse_args()
    if args.rounds < 1 or args.reports < 1 or args.users < 1 or args.rate <= 0:
        parser.error("--rounds, --reports, --users and --rate must be positive")
    if round(args.rate * args.seconds) < 2:
        parser.error("the latency run needs at least 2 reports (--rate × --seconds)")
    args.stores = list(STORES) if args.store == "both" else [args.store]
    print(
        f"{args.reports} reports from {args.users} liaisons; latency at {args.rate:g}/s for "
        f"{args.seconds:g} s; {args.rounds} rounds; CPUs: {os.cpu_count()}"
    )
    if "postgres" in args.stores:
        durability = "on disk, fsync on" if args.pg_fsync else "on tmpfs, fsync off"
        print(f"postgres: one replica; a throwaway server {durability}")
    if args.profile:
        print("profiling our bot: these figures are not comparable with unprofiled runs")
    print(HEADER, flush=True)
    print_summary(asyncio.run(bench(args)), args.stores)


if __name__ == "__main__":
    main()
