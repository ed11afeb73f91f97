"""Benchmark: quarterly standings over a large ledger, and a large records import.

    python bench/standings.py [--units 10000] [--entries 1000000] [--runs 15] [--import-rows 100000]

Builds (once, cached in bench/out/) a database of `--units` units in the four groups of
ordos-2020 with `--entries` ledger entries over 2022-2024, then times, in the same process and
run, the quarterly standings of every group against a bare
`SELECT unit_id, SUM(points) ... GROUP BY unit_id` over the same quarter's rows. Then it imports
a `--import-rows` records CSV into a fresh database. Prints medians and the ratio.
Targets: standings <= 150 ms, ratio <= 2, the import <= 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.storage import NewRecord, Store, UnitRow, database_files
from bot.usecases.imports import import_records
from bot.usecases.setup import initialize
from bot.usecases.standings import standings
from scoring.engine import score
from scoring.periods import quarter
from scoring.records import Record
from scoring.ruleset import load_ruleset

OUT = Path(__file__).resolve().parent / "out"
NOW = datetime(2025, 3, 1, tzinfo=timezone(timedelta(hours=8)))
FIRST = date(2022, 1, 1)
DAYS = (date(2024, 12, 31) - FIRST).days + 1
RULESET = load_ruleset("ordos-2020")
GROUPS = [g.id for g in RULESET.groups]
# A realistic mix: mostly adoptions, some commissioned, a few interviews and penalties.
ITEM_MIX = (
    ["info"] * 80
    + ["policy_interpretation"] * 3
    + ["online_interview"]
    + ["typo"] * 4
    + ["serious_error"]
)


def unit_names(n: int) -> list[tuple[str, str]]:
    return [(f"单位{i:05d}", GROUPS[i % len(GROUPS)]) for i in range(n)]


def random_record(rng: random.Random, units: list[tuple[str, str]]) -> Record:
    item = rng.choice(ITEM_MIX)
    modifiers = (("commissioned", 1),) if item == "info" and rng.random() < 0.1 else ()
    return Record(
        rng.choice(units)[0], FIRST + timedelta(days=rng.randrange(DAYS)), item, None, modifiers
    )


async def build(path: Path, units: int, entries: int) -> None:
    rng = random.Random(20240101)
    store = await Store.open(path)
    await initialize(store, "ordos-2020")
    names = unit_names(units)
    async with store.transaction() as tx:
        await tx.upsert_units([UnitRow(n, g, None) for n, g in names], NOW)
        ids = {name: unit_id for unit_id, name in (await tx.unit_lookup()).values()}
    written = 0
    while written < entries:
        chunk = []
        while written < entries and len(chunk) < 50_000:
            record = random_record(rng, names)
            scored = score(RULESET, record)
            chunk.append(NewRecord(ids[record.unit], record, scored))
            written += len(scored.entries)
        async with store.transaction() as tx:
            batch = await tx.add_batch("bench", "bench", NOW)
            await tx.add_records(batch, chunk, NOW)
    await store.close()


async def time_standings(path: Path, runs: int) -> tuple[list[float], list[float], int, int]:
    store = await Store.open(path)
    period = quarter(2023, 2)
    ours: list[float] = []
    bare: list[float] = []
    rows = 0
    async with store.reading() as tx:
        entries = (await tx.db.execute_fetchall(
            "SELECT COUNT(*) FROM ledger WHERE date BETWEEN ? AND ?",
            (period.start.isoformat(), period.end.isoformat()),
        ))[0][0]  # fmt: skip
    for _ in range(runs):
        # Alternate the two so that drift in machine load hits both alike.
        start = time.perf_counter()
        _, table = await standings(store, period)
        ours.append(time.perf_counter() - start)
        rows = sum(len(g.rows) for g in table.groups)
        start = time.perf_counter()
        async with store.reading() as tx:
            await tx.db.execute_fetchall(
                "SELECT unit_id, SUM(points) FROM ledger WHERE date BETWEEN ? AND ? GROUP BY unit_id",
                (period.start.isoformat(), period.end.isoformat()),
            )
        bare.append(time.perf_counter() - start)
    await store.close()
    return ours, bare, rows, entries


async def time_import(rows: int, units: int) -> float:
    rng = random.Random(7)
    names = unit_names(units)
    work = OUT / "import"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "import.sqlite3"
    for file in database_files(db):
        file.unlink(missing_ok=True)
    store = await Store.open(db)
    await initialize(store, "ordos-2020")
    async with store.transaction() as tx:
        await tx.upsert_units([UnitRow(n, g, None) for n, g in names], NOW)
    path = work / "records.csv"
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
    start = time.perf_counter()
    await import_records(store, path, "bench", NOW)
    elapsed = time.perf_counter() - start
    await store.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"standings-{args.units}-{args.entries}.sqlite3"
    if not path.exists():
        start = time.perf_counter()
        partial = path.with_suffix(".building")
        for file in database_files(partial):
            file.unlink(missing_ok=True)
        asyncio.run(build(partial, args.units, args.entries))
        partial.rename(path)
        print(f"built {path.name} in {time.perf_counter() - start:.1f} s")
    ours, bare, rows, entries = asyncio.run(time_standings(path, args.runs))
    ours_ms, bare_ms = statistics.median(ours) * 1000, statistics.median(bare) * 1000
    ratios = statistics.median(o / b for o, b in zip(ours, bare, strict=True))
    print(f"quarter 2023Q2: {entries} ledger entries, {rows} ranked rows, {args.runs} runs")
    print(f"standings, every group: median {ours_ms:.1f} ms (target <= 150)")
    print(f"bare SELECT SUM GROUP BY unit_id: median {bare_ms:.1f} ms")
    print(
        f"ratio: {ours_ms / bare_ms:.2f} of medians, {ratios:.2f} median of paired runs (target <= 2)"
    )
    if args.import_rows:
        elapsed = asyncio.run(time_import(args.import_rows, args.units))
        print(f"records import: {args.import_rows} rows in {elapsed:.2f} s (target <= 10)")


if __name__ == "__main__":
    main()
