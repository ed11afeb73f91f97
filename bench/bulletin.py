"""Benchmark: the annual bulletin, awards included, as DOCX and XLSX for 500 and 10,000 units.

    python bench/bulletin.py [--units 500 10000] [--runs 5 3]

Builds (once, cached in bench/out/) a dengkou-2024 database per size: the units spread over
groups A, B and C, 2024 and 2025 adoptions (2024 is the basis of the most-improved units), quota,
commission and error penalties, one of them reversed, and a liaison for every third unit. Then
times, per format, reading the bulletin (standings, the 2024 basis, penalties, liaisons: the use
case) and rendering it, and prints the medians. Targets: <= 2 s for 500 units, <= 20 s for
10,000, read and render together.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.bulletin.compose import Letter
from bot.bulletin.render import render_file
from bot.storage import NewRecord, Store, UnitRow, database_files, sql
from bot.usecases.bulletin import bulletin
from bot.usecases.setup import initialize
from scoring.engine import score
from scoring.periods import year
from scoring.records import Record
from scoring.ruleset import load_ruleset

OUT = Path(__file__).resolve().parent / "out"
NOW = datetime(2026, 1, 8, 9, 0, tzinfo=timezone(timedelta(hours=8)))
RULESET = load_ruleset("dengkou-2024")
ADOPTIONS = ["city.zwyq.main", "city.zwyq.brief", "city.jccc", "city.wechat.main", "region.zbxx"]
PENALTIES = ["quota.missed", "quota.missed_again", "commission.missed", "error.city_endorsed"]
SUFFIXES = ["局", "委员会", "服务中心", "管理办公室", "有限责任公司", "苏木", "镇"]
ENTRIES_PER_UNIT = {2024: 12, 2025: 20}


def unit_names(n: int) -> list[tuple[str, str]]:
    groups = ["A", "B", "C"]
    return [(f"测试{i:05d}{SUFFIXES[i % len(SUFFIXES)]}", groups[i % 3]) for i in range(n)]


def day_in(rng: random.Random, the_year: int) -> date:
    start = max(date(the_year, 1, 1), RULESET.effective_from or date(the_year, 1, 1))
    return start + timedelta(days=rng.randrange((date(the_year, 12, 31) - start).days + 1))


async def build(path: Path, units: int) -> None:
    rng = random.Random(units)
    store = await Store.open(path)
    await initialize(store, "dengkou-2024")
    names = unit_names(units)
    async with store.transaction() as tx:
        await tx.units.upsert_units([UnitRow(n, g, None) for n, g in names], NOW)
        ids = {name: unit_id for unit_id, name in (await tx.units.unit_lookup()).values()}
    new = []
    for name, _ in names:
        for the_year, count in ENTRIES_PER_UNIT.items():
            for _ in range(rng.randrange(count // 2, count + 1)):
                record = Record(name, day_in(rng, the_year), rng.choice(ADOPTIONS))
                new.append(NewRecord(ids[name], record, score(RULESET, record)))
        if rng.random() < 0.15:
            record = Record(name, day_in(rng, 2025), rng.choice(PENALTIES))
            new.append(NewRecord(ids[name], record, score(RULESET, record)))
    async with store.transaction() as tx:
        batch = await tx.records.add_batch("bench", "bench", NOW)
        await tx.records.add_records(batch, new, NOW)
        penalty = await tx.one(
            sql("SELECT id FROM ledger WHERE points < 0 AND date >= '2025-01-01' LIMIT 1")
        )
        assert penalty is not None
        await tx.ledger.add_reversal(batch, penalty[0], "bench", NOW)
        await tx.many(
            sql(
                "INSERT INTO liaisons (channel, address, unit_id, name, joined_at) "
                "VALUES ('telegram', :address, :unit_id, :name, :joined_at)"
            ),
            [
                (str(1000 + i), ids[name], f"信息员{i}", NOW.isoformat())
                for i, (name, _) in enumerate(names)
                if i % 3 == 0
            ],
        )
    await store.close()


async def time_bulletin(path: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    store = await Store.open(path)
    letter = Letter("测试县人民政府办公室", "各有关单位", NOW.date())
    timings: dict[str, list[tuple[float, float]]] = {"docx": [], "xlsx": []}
    try:
        for _ in range(runs):
            for fmt in timings:
                start = time.perf_counter()
                paper = await bulletin(store, year(2025))
                read = time.perf_counter() - start
                data = render_file(paper, fmt, letter, NOW)
                timings[fmt].append((read, time.perf_counter() - start - read))
                assert paper.awards is not None and data
    finally:
        await store.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[500, 10_000])
    parser.add_argument("--runs", type=int, nargs="+", default=[5, 3])
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for units, runs in zip(args.units, args.runs, strict=True):
        path = OUT / f"bulletin-{units}.sqlite3"
        if not path.exists():
            start = time.perf_counter()
            partial = path.with_suffix(".building")
            for file in database_files(partial):
                file.unlink(missing_ok=True)
            asyncio.run(build(partial, units))
            partial.rename(path)
            print(f"built {path.name} in {time.perf_counter() - start:.1f} s")
        for fmt, samples in asyncio.run(time_bulletin(path, runs)).items():
            totals = sorted(read + render for read, render in samples)
            read = statistics.median(r for r, _ in samples)
            render = statistics.median(r for _, r in samples)
            print(
                f"{units} units, annual bulletin {fmt}: median {statistics.median(totals):.2f} s "
                f"(read {read:.2f} s + render {render:.2f} s; runs "
                + ", ".join(f"{t:.2f}" for t in totals)
                + ")"
            )


if __name__ == "__main__":
    main()
