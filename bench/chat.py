"""Benchmark: one-line reports in chat, against a bare python-telegram-bot echo bot.

    python bench/chat.py [--rounds 3] [--reports 2000] [--users 200] [--rate 100] [--seconds 10]

The project's fake Bot API server (bot/fakeapi) runs inside this process; each bot runs as a
separate child process long-polling it over loopback, so both bots get identical conditions and
the bot's peak RSS can be read from /proc/<pid>/status (VmHWM):

- ours: `python -m bot.cli run` (what `govinfo-bot run` starts) with GOVINFO_* variables
  pointing at the fake server and a fresh copy of a prepared dengkou-2024 database (200 units
  单位001..单位200 in groups A/B/C, one bound liaison each). GOVINFO_RATE_LIMIT=false: the
  production rate limiter caps sending at Telegram's ~30 messages/s by design, and the fake
  server enforces no flood limit here, so with it on this would measure the limiter.
- echo: bench/echo_bot.py, a bare Application with the same builder settings that matter
  (concurrent updates, connection pool, base URLs) and one MessageHandler echoing the text.

Each round runs both bots (the order alternates between rounds), each on a fresh server:
1. throughput: `--users` liaisons send `--reports` one-line reports
   (`采用 《决策参考》 关于沙漠治理的调研第N篇 今天`, distinct titles so duplicate detection
   does not refuse them), all queued at once; handled/s = reports / (last reply − queueing);
2. latency (ours only, same process afterwards): reports offered at `--rate` per second for
   `--seconds` seconds on a monotonic schedule; latency = the server's receipt of the reply
   sendMessage − the queueing of the report;
3. peak RSS: VmHWM of each bot process after its work, before it is stopped.
Also printed: each bot's CPU time (all its threads) per report during the throughput run, which
the machine's noise disturbs less than the rates do.
Both bots first answer a few warm-up messages, untimed. Printed: every round, the medians and
the median of the per-round ratios ours/echo.
Targets: ratio >= 0.6, p95 latency <= 150 ms at 100 reports/s, our peak RSS <= 150 MB.

`--profile DIR` runs our bot under cProfile (DIR/ours-round<N>.prof, main thread only: SQLite
work in aiosqlite's thread shows up as awaiting); the figures of such a run are not comparable.
"""

from __future__ import annotations

import argparse
import asyncio
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import CONCURRENT_UPDATES, CONNECTION_POOL
from bot.fakeapi import FakeBotApi
from bot.storage import Store
from bot.usecases.imports import import_units
from bot.usecases.setup import initialize

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
TARGET_RATIO = 0.6
TARGET_P95_MS = 150.0
TARGET_RSS_MB = 150.0


def report_text(number: int) -> str:
    return f"采用 《决策参考》 关于沙漠治理的调研第{number}篇 今天"


# --- the database -----------------------------------------------------------------------------


async def prepare_template(path: Path, users: int) -> None:
    """A dengkou-2024 database with one unit and one bound liaison per simulated user."""
    store = await Store.open(path)
    try:
        await initialize(store, RULESET)
        roster = path.with_suffix(".units.csv")
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
            ids = dict(await tx.all("SELECT name, id FROM units"))
            await tx.db.executemany(
                "INSERT INTO liaisons (user_id, unit_id, name, username, active, joined_at) "
                "VALUES (?, ?, ?, '', 1, ?)",
                [
                    (FIRST_USER_ID + i, ids[unit_name(i)], f"信息员{i + 1:03d}", now.isoformat())
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
    kind: str  # "ours" or "echo"
    process: asyncio.subprocess.Process
    log: Path

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


async def start_bot(
    kind: str, server: FakeBotApi, db: Path | None, log: Path, profile: Path | None
) -> Bot:
    # Inherited GOVINFO_* variables must not change what is measured.
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOVINFO_")}
    env.update(
        GOVINFO_BOT_TOKEN=server.token,
        GOVINFO_API_BASE_URL=server.base_url,
        GOVINFO_API_BASE_FILE_URL=server.base_file_url,
    )
    if kind == "ours":
        assert db is not None
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
class Round:
    echo_per_s: float = 0.0
    ours_per_s: float = 0.0
    latency: Latency | None = None
    ours_rss_mb: float = 0.0
    echo_rss_mb: float = 0.0
    ours_cpu_ms: float = 0.0  # bot CPU per report in the throughput run
    echo_cpu_ms: float = 0.0

    @property
    def ratio(self) -> float:
        return self.ours_per_s / self.echo_per_s


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
    args: argparse.Namespace, work: Path, template: Path, number: int, result: Round
) -> None:
    db = work / f"ours-{number}.sqlite3"
    shutil.copyfile(template, db)  # fresh per round: every round starts from the same state
    profile = args.profile / f"ours-round{number}.prof" if args.profile else None
    async with FakeBotApi() as server:
        bot = await start_bot("ours", server, db, work / f"ours-{number}.log", profile)
        try:
            liaisons = Liaisons(server, args.users, lambda text: text.startswith(SUMMARY_MARK))
            await warm_up(liaisons)
            result.ours_per_s, result.ours_cpu_ms = await throughput(
                liaisons, args.reports, bot.process.pid
            )
            result.latency = await latency(liaisons, args.rate, args.seconds)
            result.ours_rss_mb = peak_rss_mb(bot.process.pid)
        finally:
            await stop_bot(bot)
        if bot.process.returncode not in (0, -signal.SIGINT):
            print(f"  (ours exited with {bot.process.returncode}; see {bot.log})")


async def bench(args: argparse.Namespace) -> list[Round]:
    work = Path(tempfile.mkdtemp(prefix="govinfo-chat-bench-"))
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    try:
        template = work / "template.sqlite3"
        await prepare_template(template, args.users)
        rounds = []
        for number in range(1, args.rounds + 1):
            result = Round()
            # Alternating the order spreads any drift of the machine over both bots.
            if number % 2:
                await run_echo(args, work, number, result)
                await run_ours(args, work, template, number, result)
            else:
                await run_ours(args, work, template, number, result)
                await run_echo(args, work, number, result)
            print_row(str(number), result, flush=True)
            rounds.append(result)
    except BaseException:
        print(f"bench failed; bot logs kept in {work}", file=sys.stderr)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return rounds


HEADER = (
    f"{'round':>6} {'echo/s':>7} {'ours/s':>7} {'ratio':>6} {'p50 ms':>7} {'p95 ms':>7} "
    f"{'max ms':>7} {'offered':>7} {'RSS MB':>7} {'echo MB':>7} {'cpu ms':>7} {'echo cpu':>8}"
)


def print_row(label: str, r: Round, *, ratio: float | None = None, flush: bool = False) -> None:
    lat = r.latency
    assert lat is not None
    print(
        f"{label:>6} {r.echo_per_s:7.0f} {r.ours_per_s:7.0f} "
        f"{r.ratio if ratio is None else ratio:6.2f} {lat.p50_ms:7.1f} {lat.p95_ms:7.1f} "
        f"{lat.max_ms:7.1f} {lat.offered_per_s:7.1f} {r.ours_rss_mb:7.1f} {r.echo_rss_mb:7.1f} "
        f"{r.ours_cpu_ms:7.2f} {r.echo_cpu_ms:8.2f}",
        flush=flush,
    )


def print_summary(rounds: list[Round]) -> None:
    def med(value: Callable[[Round], float]) -> float:
        return statistics.median(value(r) for r in rounds)

    latencies = [r.latency for r in rounds if r.latency is not None]
    median = Round(
        echo_per_s=med(lambda r: r.echo_per_s),
        ours_per_s=med(lambda r: r.ours_per_s),
        latency=Latency(
            statistics.median(lat.p50_ms for lat in latencies),
            statistics.median(lat.p95_ms for lat in latencies),
            statistics.median(lat.max_ms for lat in latencies),
            statistics.median(lat.offered_per_s for lat in latencies),
        ),
        ours_rss_mb=med(lambda r: r.ours_rss_mb),
        echo_rss_mb=med(lambda r: r.echo_rss_mb),
        ours_cpu_ms=med(lambda r: r.ours_cpu_ms),
        echo_cpu_ms=med(lambda r: r.echo_cpu_ms),
    )
    # The ratio is the median of the per-round (paired) ratios, not the ratio of the medians:
    # both bots of a round ran minutes apart at most, under similar noise.
    ratio = med(lambda r: r.ratio)
    print_row("median", median, ratio=ratio)
    assert median.latency is not None
    p95 = median.latency.p95_ms
    peak = max(r.ours_rss_mb for r in rounds)
    print(
        f"ratio ours/echo (median of paired): {ratio:.2f} (target >= {TARGET_RATIO}) "
        f"{'ok' if ratio >= TARGET_RATIO else 'MISSED'}"
    )
    print(
        f"p95 latency at {median.latency.offered_per_s:.0f}/s (median of rounds): {p95:.1f} ms "
        f"(target <= {TARGET_P95_MS:.0f}) {'ok' if p95 <= TARGET_P95_MS else 'MISSED'}"
    )
    print(
        f"peak RSS (max of rounds): {peak:.1f} MB (target <= {TARGET_RSS_MB:.0f}) "
        f"{'ok' if peak <= TARGET_RSS_MB else 'MISSED'}"
    )
    print("cpu ms: the bot's CPU time (all threads) per report in the throughput run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    print(
        f"{args.reports} reports from {args.users} liaisons; latency at {args.rate:g}/s for "
        f"{args.seconds:g} s; {args.rounds} rounds; CPUs: {os.cpu_count()}"
    )
    if args.profile:
        print("profiling our bot: these figures are not comparable with unprofiled runs")
    print(HEADER, flush=True)
    print_summary(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
