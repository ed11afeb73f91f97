"""Benchmark: quarterly standings over a large ledger, and a large records import, on SQLite and
on PostgreSQL side by side.

    python bench/standings.py [--store sqlite|postgres|both] [--pg-fsync] [--units 10000]
        [--entries 1000000] [--runs 15] [--import-rows 100000] [--import-runs 1] [--columns]
        [--reorganised 0]

Builds (once, cached in bench/out/) a database of `--units` units in the four groups of
ordos-2020 with `--entries` ledger entries over 2022-2024, then times, in the same process and
run, the quarterly standings of every group against a bare
`SELECT unit_id, SUM(points) ... GROUP BY unit_id` over the same quarter's rows. Then it imports
a `--import-rows` records CSV into a fresh database. Prints medians and the ratio.
Targets: standings <= 150 ms, ratio <= 2, the import <= 10 s. With `--reorganised N`, N units
are renamed, moved and merged (a third each) in the middle of the quarter before the runs, on a
copy of the SQLite database (PostgreSQL's is restored for each run anyway): the standings then
list units as they were, merged ones under their survivor.

With `--columns` the method is ordos-2020 with what other offices' methods add (rules.md,
"Methods of other offices"): two count columns (采用数, 报送条数), an adoption rate and every
column again for the year to date, over a ledger whose records include submissions (a
database of its own, cached apart): the standings then also count records by item, twice.

PostgreSQL runs on a throwaway server (tests/pgserver.py: on tmpfs, fsync and synchronous
commits off; with `--pg-fsync` on disk with both on, as PostgreSQL ships). Its database is
built by the same code and seed as SQLite's, through the store (ledger lines by COPY), so both
hold the same data; it is cached in bench/out/ as a pg_dump (named after the schema's migrations,
so that a changed schema is built again) and restored into each run's server, then vacuumed and
analysed (what autovacuum does to a table that grew). With `--store both`
the stores take turns: run by run, in alternating order, and so do the imports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.storage import (
    POSTGRES_MIGRATIONS,
    NewRecord,
    Store,
    UnitRow,
    database_files,
    migration_files,
    sql,
)
from bot.usecases.imports import import_records
from bot.usecases.setup import initialize
from bot.usecases.standings import standings
from scoring.engine import score
from scoring.periods import quarter
from scoring.records import Record
from scoring.roster import Change, UnitChange
from scoring.ruleset import builtin_ruleset_text, load_ruleset
from tests.pgserver import postgres_server, with_database

OUT = Path(__file__).resolve().parent / "out"
NOW = datetime(2025, 3, 1, tzinfo=timezone(timedelta(hours=8)))
FIRST = date(2022, 1, 1)
DAYS = (date(2024, 12, 31) - FIRST).days + 1
RULESET = load_ruleset("ordos-2020")
# ordos-2020 with count columns, a rate and the year to date (--columns).
COLUMNS_METHOD = (
    builtin_ruleset_text("ordos-2020").replace(
        "[bulletin]\n", '[bulletin]\nrate_column = "采用率"\nyear_to_date = "累计"\n', 1
    )
    + '\n[[bulletin.counts]]\ncolumn = "采用数"\nitems = ["info"]\n'
    + '\n[[bulletin.counts]]\ncolumn = "报送条数"\nitems = ["submission"]\n'
)
# The benchmark's own ledger key: no key file is written beside its databases, nor (for
# PostgreSQL) in the working directory.
KEY = "be" * 32
GROUPS = [g.id for g in RULESET.groups]
# A realistic mix: mostly adoptions, some commissioned, a few interviews and penalties.
ITEM_MIX = (
    ["info"] * 80
    + ["policy_interpretation"] * 3
    + ["online_interview"]
    + ["typo"] * 4
    + ["serious_error"]
)
# With --columns: submissions besides, about two for each adoption.
SUBMISSION_MIX = ITEM_MIX + ["submission"] * 180
STORES = ("sqlite", "postgres")
PERIOD = quarter(2023, 2)
BARE = sql(
    "SELECT unit_id, SUM(points) FROM ledger WHERE date BETWEEN :start AND :end GROUP BY unit_id"
)
COUNT = sql("SELECT COUNT(*) FROM ledger WHERE date BETWEEN :start AND :end")


def unit_names(n: int) -> list[tuple[str, str]]:
    return [(f"单位{i:05d}", GROUPS[i % len(GROUPS)]) for i in range(n)]


def random_record(
    rng: random.Random, units: list[tuple[str, str]], mix: list[str] = ITEM_MIX
) -> Record:
    item = rng.choice(mix)
    modifiers = (("commissioned", 1),) if item == "info" and rng.random() < 0.1 else ()
    return Record(
        rng.choice(units)[0], FIRST + timedelta(days=rng.randrange(DAYS)), item, None, modifiers
    )


def method(columns: bool) -> str:
    """The method a benchmark database is started with: ordos-2020, or its file with columns."""
    if not columns:
        return "ordos-2020"
    path = OUT / "ordos-columns.toml"
    path.write_text(COLUMNS_METHOD, "utf-8")
    return str(path)


async def build(target: str | Path, units: int, entries: int, columns: bool) -> None:
    rng = random.Random(20240101)
    store = await Store.open(target, key=KEY)
    await initialize(store, method(columns))
    mix = SUBMISSION_MIX if columns else ITEM_MIX
    names = unit_names(units)
    async with store.transaction() as tx:
        await tx.units.upsert_units([UnitRow(n, g, None) for n, g in names], NOW)
        ids = {name: unit_id for unit_id, name in (await tx.units.unit_lookup()).values()}
    written = 0
    while written < entries:
        chunk = []
        while written < entries and len(chunk) < 50_000:
            record = random_record(rng, names, mix)
            scored = score(RULESET, record)
            chunk.append(NewRecord(ids[record.unit], record, scored))
            written += len(scored.entries)
        async with store.transaction() as tx:
            batch = await tx.records.add_batch("bench", "bench", NOW)
            await tx.records.add_records(batch, chunk, NOW)
    await store.close()


def sqlite_database(units: int, entries: int, columns: bool) -> Path:
    path = OUT / f"standings{'-columns' if columns else ''}-{units}-{entries}.sqlite3"
    if not path.exists():
        start = time.perf_counter()
        partial = path.with_suffix(".building")
        for file in database_files(partial):
            file.unlink(missing_ok=True)
        asyncio.run(build(partial, units, entries, columns))
        partial.rename(path)
        print(f"built {path.name} in {time.perf_counter() - start:.1f} s", flush=True)
    return path


async def admin(server: str, *statements: str) -> None:
    """Statements outside any transaction (CREATE and DROP DATABASE, VACUUM)."""
    conn = await asyncpg.connect(server)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found: apt-get install -y postgresql-client-15")
    return found


def postgres_database(server: str, units: int, entries: int, columns: bool) -> str:
    """The benchmark's database on the server: built the first time (and dumped to bench/out/),
    restored from the dump afterwards."""
    schema = hashlib.sha256()
    for _, script in migration_files(POSTGRES_MIGRATIONS):
        schema.update(script.encode())
    kind = "standings-columns" if columns else "standings"
    dump = OUT / f"{kind}-{units}-{entries}-{schema.hexdigest()[:12]}.pgdump"
    if not dump.exists():
        start = time.perf_counter()
        asyncio.run(admin(server, "CREATE DATABASE standings_build"))
        built = with_database(server, "standings_build")
        asyncio.run(build(built, units, entries, columns))
        partial = dump.with_suffix(".dumping")
        subprocess.run(
            [pg_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={built}"],
            check=True,
        )
        partial.rename(dump)
        asyncio.run(admin(server, "DROP DATABASE standings_build"))
        print(f"built {dump.name} in {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    asyncio.run(admin(server, "CREATE DATABASE standings"))
    target = with_database(server, "standings")
    subprocess.run(
        [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={target}", dump],
        check=True,
    )
    asyncio.run(admin(target, "VACUUM ANALYZE"))
    print(f"restored {dump.name} in {time.perf_counter() - start:.1f} s", flush=True)
    return target


@dataclass
class Timings:
    ours: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    # CPU seconds of each run, this process's and the server's backends' together.
    ours_cpu: list[float] = field(default_factory=list)
    bare_cpu: list[float] = field(default_factory=list)
    rows: int = 0
    entries: int = 0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Cpu:
    """CPU seconds spent so far by this process and, on PostgreSQL, by the server processes
    serving the store (read from /proc: the server runs on this machine). Unlike wall time it
    hardly moves with the machine's load, and it counts the server's work, which this
    process's own CPU time leaves out."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends

    def __call__(self) -> float:
        spent = time.process_time()
        for pid in self.backends:
            with contextlib.suppress(FileNotFoundError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                spent += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return spent


async def backends(target: str | Path) -> list[int]:
    """The server processes of the store's connections (none for SQLite)."""
    if not isinstance(target, str):
        return []
    conn = await asyncpg.connect(target)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'govinfo-bot'"
        )
    finally:
        await conn.close()
    return [row["pid"] for row in rows]


async def time_standings(
    targets: dict[str, str | Path], runs: int, warmup: int
) -> dict[str, Timings]:
    stores = {kind: await Store.open(target, key=KEY) for kind, target in targets.items()}
    span = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}
    timings = {kind: Timings() for kind in stores}
    for kind, store in stores.items():
        async with store.reading() as tx:
            count = await tx.one(COUNT, span)
        assert count is not None
        timings[kind].entries = count[0]
    cpu: dict[str, Cpu] = {}
    for run in range(-warmup, runs):
        if run == 0:
            # After the warm-up, which opened every connection the runs use.
            cpu = {kind: Cpu(await backends(targets[kind])) for kind in stores}
        # The stores take turns in alternating order, and so do the two queries, so that drift
        # in the machine's load hits them alike.
        for kind in list(stores)[:: -1 if run % 2 else 1]:
            store, timing = stores[kind], timings[kind]
            # The first runs fill caches (the roster, the ruleset, each connection's prepared
            # statements, the server's catalogue): not counted.
            counted = run >= 0
            spent = cpu[kind]() if counted else 0.0
            start = time.perf_counter()
            _, table = await standings(store, PERIOD)
            if counted:
                timing.ours.append(time.perf_counter() - start)
                timing.ours_cpu.append(cpu[kind]() - spent)
            timing.rows = sum(len(g.rows) for g in table.groups)
            spent = cpu[kind]() if counted else 0.0
            start = time.perf_counter()
            async with store.reading() as tx:
                await tx.all(BARE, span)
            if counted:
                timing.bare.append(time.perf_counter() - start)
                timing.bare_cpu.append(cpu[kind]() - spent)
    for store in stores.values():
        await store.close()
    return timings


async def reorganise(target: str | Path, n: int) -> None:
    """N of the units changed from the middle of PERIOD: renamed, moved to the next group, or
    merged into the unit after them, in turn."""
    store = await Store.open(target, key=KEY)
    middle = PERIOD.start + (PERIOD.end - PERIOD.start) / 2
    async with store.transaction() as tx:
        units = await tx.units.units()
        for i in range(n):
            unit, after = units[2 * i], units[2 * i + 1]
            kind = (Change.RENAME, Change.MOVE, Change.MERGE)[i % 3]
            change = UnitChange(unit.id, kind, middle, actor="bench")
            if kind is Change.RENAME:
                change = replace(change, old=unit.name, new=f"{unit.name}（新）")
            elif kind is Change.MOVE:
                group = GROUPS[(GROUPS.index(unit.group) + 1) % len(GROUPS)]
                change = replace(change, old=unit.group, new=group)
            else:
                change = replace(change, into=after.id)
            await tx.units.add_change(change, NOW)
    await store.close()


def write_import_file(path: Path, rows: int, units: int) -> None:
    rng = random.Random(7)
    names = unit_names(units)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["date", "unit", "item", "count", "points", "modifiers", "title", "note"])
        for n in range(rows):
            r = random_record(rng, names)
            writer.writerow(
                [
                    r.day.isoformat(),
                    r.unit,
                    r.item_id,
                    1,
                    "",
                    "约稿" if r.modifiers else "",
                    f"信息标题 {n}",
                    "",
                ]
            )


async def time_import(target: str | Path, path: Path, units: int) -> float:
    """The import of `path` into a new database at `target`, holding the units only."""
    store = await Store.open(target, key=KEY)
    await initialize(store, "ordos-2020")
    async with store.transaction() as tx:
        await tx.units.upsert_units([UnitRow(n, g, None) for n, g in unit_names(units)], NOW)
    start = time.perf_counter()
    await import_records(store, path, "bench", NOW)
    elapsed = time.perf_counter() - start
    await store.close()
    return elapsed


def time_imports(
    kinds: list[str], server: str | None, rows: int, units: int, runs: int
) -> dict[str, list[float]]:
    work = OUT / "import"
    work.mkdir(parents=True, exist_ok=True)
    path = work / "records.csv"
    write_import_file(path, rows, units)
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    for run in range(runs):
        for kind in kinds[:: -1 if run % 2 else 1]:
            if kind == "sqlite":
                db = work / "import.sqlite3"
                for file in database_files(db):
                    file.unlink(missing_ok=True)
                seconds[kind].append(asyncio.run(time_import(db, path, units)))
                continue
            assert server is not None
            name = f"import_{run}"
            asyncio.run(admin(server, f"CREATE DATABASE {name}"))
            target = with_database(server, name)
            seconds[kind].append(asyncio.run(time_import(target, path, units)))
            asyncio.run(admin(server, f"DROP DATABASE {name}"))
    return seconds


def report_standings(kind: str, timing: Timings, runs: int) -> None:
    ours_ms = statistics.median(timing.ours) * 1000
    bare_ms = statistics.median(timing.bare) * 1000
    ratios = statistics.median(o / b for o, b in zip(timing.ours, timing.bare, strict=True))
    print(f"{kind}: quarter 2023Q2: {timing.entries} ledger entries, {timing.rows} ranked rows")
    print(f"{kind}: standings, every group: median {ours_ms:.1f} ms of {runs} (target <= 150)")
    print(f"{kind}: bare SELECT SUM GROUP BY unit_id: median {bare_ms:.1f} ms")
    paired = sorted(o / b for o, b in zip(timing.ours, timing.bare, strict=True))
    print(
        f"{kind}: ratio: {ours_ms / bare_ms:.2f} of medians, {ratios:.2f} median of paired runs "
        f"(from {paired[0]:.2f} to {paired[-1]:.2f}) (target <= 2)"
    )
    # Means: the server's CPU is counted in clock ticks (10 ms), so only a sum over the runs
    # is exact.
    ours_cpu = statistics.fmean(timing.ours_cpu) * 1000
    bare_cpu = statistics.fmean(timing.bare_cpu) * 1000
    print(
        f"{kind}: CPU, this process's and the server's, mean of {runs}: standings "
        f"{ours_cpu:.1f} ms, bare {bare_cpu:.1f} ms, ratio {ours_cpu / bare_cpu:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=[*STORES, "both"], default="both")
    parser.add_argument(
        "--pg-fsync", action="store_true", help="PostgreSQL on disk, fsync and commits durable"
    )
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3, help="runs first, not counted")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-runs", type=int, default=1, help="imports into each store")
    parser.add_argument(
        "--reorganised", type=int, default=0, help="units renamed, moved and merged first"
    )
    parser.add_argument(
        "--columns", action="store_true", help="a method with count, rate and year-to-date columns"
    )
    args = parser.parse_args()
    kinds = list(STORES) if args.store == "both" else [args.store]
    OUT.mkdir(parents=True, exist_ok=True)
    if "postgres" in kinds:
        durability = "on disk, fsync on" if args.pg_fsync else "on tmpfs, fsync off"
        print(f"postgres: a throwaway server {durability}", flush=True)
    with contextlib.ExitStack() as stack:
        server = None
        targets: dict[str, str | Path] = {}
        for kind in kinds:
            if kind == "sqlite":
                targets[kind] = sqlite_database(args.units, args.entries, args.columns)
            else:
                server = stack.enter_context(postgres_server(durable=args.pg_fsync))
                targets[kind] = postgres_database(server, args.units, args.entries, args.columns)
        if args.reorganised:
            if "sqlite" in targets:
                copy = OUT / "reorganised.sqlite3"
                for file in database_files(copy):
                    file.unlink(missing_ok=True)
                shutil.copy(targets["sqlite"], copy)
                targets["sqlite"] = copy
            for target in targets.values():
                asyncio.run(reorganise(target, args.reorganised))
        timings = asyncio.run(time_standings(targets, args.runs, args.warmup))
        for kind in kinds:
            report_standings(kind, timings[kind], args.runs)
        if len(kinds) == 2:
            pg, lite = timings["postgres"].ours, timings["sqlite"].ours
            paired = statistics.median(p / s for p, s in zip(pg, lite, strict=True))
            print(f"standings postgres / sqlite: {paired:.2f} (median of paired runs)")
        if args.import_rows and args.import_runs:
            seconds = time_imports(kinds, server, args.import_rows, args.units, args.import_runs)
            for kind in kinds:
                runs = ", ".join(f"{s:.2f}" for s in seconds[kind])
                print(
                    f"{kind}: records import: {args.import_rows} rows in "
                    f"{statistics.median(seconds[kind]):.2f} s median ({runs}) (target <= 10)"
                )


if __name__ == "__main__":
    main()
