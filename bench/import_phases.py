"""Where the time of a large records import goes, phase by phase, on SQLite and PostgreSQL.

    python bench/import_phases.py [--store sqlite|postgres|both] [--rows 100000] [--runs 1]
        [--pg-fsync] [--profile FILE]

The same 100,000-row CSV as bench/standings.py's import (same seed), imported into a new
database holding the 10,000 units only. Each phase of `import_records` is timed by wall clock
and by CPU: this process's (every thread) and, on PostgreSQL, the server backend's (read from
/proc, so the server's work is seen apart from ours). Statements and round trips are counted
at the connection. CPU times and counts suffer far less than wall times from a machine shared
with other work: compare those. `--profile` writes cProfile's statistics of one whole import.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import os
import secrets
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bot.storage.ledger as ledger_module
import bot.storage.records as records_module
import bot.usecases.imports as imports_module
from bench.standings import NOW, OUT, admin, unit_names, write_import_file
from bot.storage import Store, UnitRow, database_files
from bot.storage.connection import SqliteConnection
from bot.storage.postgres import PgConnection
from bot.usecases.imports import import_records
from bot.usecases.setup import initialize
from tests.pgserver import postgres_server, with_database

CLK = os.sysconf("SC_CLK_TCK")
# Phases run on a thread of their own, beside the others (insert_staged); their CPU is also in
# the phase they overlap, which is reported with it.
THREADED = {"chain: ids and HMACs (another thread)"}


@dataclass
class Phase:
    wall: float = 0.0
    cpu: float = 0.0
    server: float = 0.0
    statements: int = 0


class Meter:
    """Phases by name, each timed while it runs; nested phases are left out of their parent."""

    def __init__(self) -> None:
        self.phases: dict[str, Phase] = defaultdict(Phase)
        self.stack: list[str] = []
        self.backend: int | None = None
        self.statements = 0

    def server_cpu(self) -> float:
        if self.backend is None:
            return 0.0
        fields = Path(f"/proc/{self.backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        marks = (time.perf_counter(), time.process_time(), self.server_cpu(), self.statements)
        self.stack.append(name)
        try:
            yield
        finally:
            self.stack.pop()
            now = (time.perf_counter(), time.process_time(), self.server_cpu(), self.statements)
            spent = [b - a for a, b in zip(marks, now, strict=True)]
            p = self.phases[name]
            p.wall += spent[0]
            p.cpu += spent[1]
            p.server += spent[2]
            p.statements += int(spent[3])
            # The parent's figures are its own, without this phase's.
            if self.stack:
                q = self.phases[self.stack[-1]]
                q.wall -= spent[0]
                q.cpu -= spent[1]
                q.server -= spent[2]
                q.statements -= int(spent[3])


def timed(meter: Meter, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    if name in THREADED:

        @functools.wraps(func)
        def run_on_thread(*args: Any, **kwargs: Any) -> Any:
            # Beside the phases of the event loop's thread: its CPU is this thread's own, and
            # it is not taken out of the phase it overlaps.
            start = (time.perf_counter(), time.thread_time())
            try:
                return func(*args, **kwargs)
            finally:
                p = meter.phases[name]
                p.wall += time.perf_counter() - start[0]
                p.cpu += time.thread_time() - start[1]

        return run_on_thread
    if asyncio.iscoroutinefunction(func):

        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with meter.phase(name):
                return await func(*args, **kwargs)

        return run_async

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with meter.phase(name):
            return func(*args, **kwargs)

    return run


@contextlib.contextmanager
def instrumented(meter: Meter) -> Iterator[None]:
    """The import's phases wrapped in timers for the benchmark's run, put back after it."""
    targets: list[tuple[object, str, str]] = [
        (imports_module, "file_digest", "reading: the file's SHA-256"),
        (imports_module, "read_table", "reading: the file's rows"),
        (imports_module, "parse_rows", "checking: parse and validate rows"),
        (imports_module, "_prepare", "scoring and identities"),
        (records_module.RecordStorage, "stage_records", "staging (before the lock)"),
        (imports_module, "_new_counts", "duplicates: compared with stored"),
        (imports_module, "_locked_rows", "period locks"),
        (records_module.RecordStorage, "insert_staged", "insert: records"),
        (records_module, "_staged_chain", "chain: ids and HMACs (another thread)"),
        (ledger_module.LedgerStorage, "_insert_chained", "insert: ledger lines"),
        (imports_module, "resettle_late", "late submissions resettled"),
        (records_module.RecordStorage, "discard_staged", "staging discarded"),
    ]
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in targets]
    # Every statement reaches the store's connection through one of these (bot.storage.connection).
    counted = [
        (connection, method)
        for connection in (SqliteConnection, PgConnection)
        for method in ("fetch_one", "fetch_all", "execute", "execute_many", "insert_rows")
    ]
    saved += [(owner, attr, getattr(owner, attr)) for owner, attr in counted]

    def counting(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        async def run(*args: Any, **kwargs: Any) -> Any:
            meter.statements += 1
            return await func(*args, **kwargs)

        return run

    try:
        for owner, attr, name in targets:
            setattr(owner, attr, timed(meter, name, getattr(owner, attr)))
        for owner, attr in counted:
            setattr(owner, attr, counting(getattr(owner, attr)))
        yield
    finally:
        for owner, attr, func in saved:
            setattr(owner, attr, func)


async def run_import(
    target: str | Path, path: Path, units: int, profile: Path | None
) -> tuple[Meter, float, float, float]:
    # A key of the run's own: a PostgreSQL store would otherwise keep its key file in the
    # working directory.
    store = await Store.open(target, key=secrets.token_hex(32))
    await initialize(store, "ordos-2020")
    async with store.transaction() as tx:
        await tx.units.upsert_units([UnitRow(n, g, None) for n, g in unit_names(units)], NOW)
    meter = Meter()
    if store.dialect == "postgres":
        meter.backend = await store._writer.fetchval("SELECT pg_backend_pid()")  # type: ignore[attr-defined]
    profiler = cProfile.Profile() if profile else None
    with instrumented(meter):
        start = (time.perf_counter(), time.process_time(), meter.server_cpu())
        if profiler:
            profiler.enable()
        with meter.phase("the rest (transactions, commit, counts)"):
            await import_records(store, path, "bench", NOW)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        wall = time.perf_counter() - start[0]
        cpu = time.process_time() - start[1]
        server = meter.server_cpu() - start[2]
    await store.close()
    return meter, wall, cpu, server


def report(kind: str, meter: Meter, wall: float, cpu: float, server: float) -> None:
    print(f"{kind}: whole import: wall {wall:.2f} s, CPU {cpu:.2f} s, server CPU {server:.2f} s, "
          f"{meter.statements} statements")  # fmt: skip
    print(f"  {'phase':42} {'wall s':>7} {'CPU s':>7} {'server':>7} {'stmts':>6}")
    for name, p in meter.phases.items():
        print(f"  {name:42} {p.wall:7.2f} {p.cpu:7.2f} {p.server:7.2f} {p.statements:6d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--pg-fsync", action="store_true")
    parser.add_argument("--profile", type=Path, help="cProfile statistics of the last import")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    work = OUT / "import"
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"records-{args.rows}.csv"
    if not path.exists():
        write_import_file(path, args.rows, args.units)
    with contextlib.ExitStack() as stack:
        server = None
        if "postgres" in kinds:
            server = stack.enter_context(postgres_server(durable=args.pg_fsync))
        for run in range(args.runs):
            for kind in kinds[:: -1 if run % 2 else 1]:
                print(f"uptime: {os.popen('uptime').read().strip()}", flush=True)
                profile = args.profile.with_suffix(f".{kind}.prof") if args.profile else None
                if kind == "sqlite":
                    db = work / "phases.sqlite3"
                    for file in database_files(db):
                        file.unlink(missing_ok=True)
                    report(kind, *asyncio.run(run_import(db, path, args.units, profile)))
                    continue
                assert server is not None
                name = f"phases_{run}"
                asyncio.run(admin(server, f"CREATE DATABASE {name}"))
                target = with_database(server, name)
                report(kind, *asyncio.run(run_import(target, path, args.units, profile)))
                asyncio.run(admin(server, f"DROP DATABASE {name}"))


if __name__ == "__main__":
    main()
