"""Properties over random ledgers: totals are sums of entries, ranks follow totals, imports are atomic."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.storage import Store
from bot.usecases.imports import import_records, import_units
from bot.usecases.quota import settle_quota
from bot.usecases.setup import initialize
from bot.usecases.standings import standings
from scoring.engine import score
from scoring.errors import DomainError
from scoring.periods import Period, month, parse_month, quarter, year
from scoring.records import Record
from scoring.ruleset import ItemKind, load_ruleset
from tests.conftest import STORES, write_csv
from tests.pgserver import PostgresDatabases, run_sync
from tests.stores import rows as query

RULESET = load_ruleset("dengkou-2024")
NOW = datetime(2025, 1, 15, tzinfo=timezone(timedelta(hours=8)))
UNITS = (("甲镇", "A"), ("乙局", "A"), ("丙局", "A"), ("丁局", "B"), ("戊局", "B"), ("己司", "C"))
FIRST_DAY = date(2024, 3, 1)
HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
SCORED = [i for i in RULESET.items if i.kind is not ItemKind.ADJUSTMENT]


@st.composite
def rows(draw: st.DrawFn) -> list[object]:
    unit = draw(st.sampled_from(UNITS))[0]
    day = FIRST_DAY + timedelta(days=draw(st.integers(0, 300)))
    kind = draw(st.sampled_from(["item", "item", "item", "adjustment", "submission"]))
    count = draw(st.integers(1, 3))
    if kind == "adjustment":
        points = draw(st.integers(-120, 120).filter(bool))
        return [day.isoformat(), unit, "adjustment", count, points, "", "", "调整原因"]
    if kind == "submission":
        return [day.isoformat(), unit, "报送", count, "", "", "", ""]
    item = draw(st.sampled_from(SCORED))
    allowed = [m for m in RULESET.modifiers if item.id in m.allowed_on]
    chosen = draw(st.lists(st.sampled_from(allowed), max_size=2)) if allowed else []
    modifiers = ";".join(f"{m.id}×{draw(st.integers(1, 2))}" for m in chosen)
    return [day.isoformat(), unit, item.id, count, "", modifiers, "", ""]


periods = st.one_of(
    st.builds(month, st.just(2024), st.integers(3, 12)),
    st.builds(quarter, st.just(2024), st.integers(1, 4)),
    st.builds(
        lambda a, n: Period(
            FIRST_DAY + timedelta(days=a), FIRST_DAY + timedelta(days=a + n), "range"
        ),
        st.integers(0, 300),
        st.integers(0, 300),
    ),
    st.just(year(2024)),
)


Units = tuple[tuple[str, str], ...]


@dataclass
class Migrated:
    """Migrated and empty databases of one store: on SQLite copies of one file migrated once
    (migrating each example's anew was half of its CPU), on PostgreSQL of the server's
    migrated template."""

    sqlite: Path | None
    postgres: PostgresDatabases | None


@pytest.fixture(scope="module", params=STORES)
def migrated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Migrated:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("migrated") / "p.sqlite3"
        asyncio.run(_migrate(path))
        return Migrated(path, None)
    return Migrated(None, request.getfixturevalue("postgres"))


class Offices:
    """A database for each example of one test: an office set up with the ruleset and its
    units, a copy of one set up once per test and list of units (setting up and importing the
    units anew was a third of each example's time). Once per test rather than per module: on
    PostgreSQL the ledger key's file is the test's own (conftest.ledger_key_file). On SQLite an
    example's database goes into the directory given, its key beside it; on PostgreSQL each
    example's database replaces the previous one's."""

    def __init__(self, migrated: Migrated, tmp: Path) -> None:
        self._migrated = migrated
        self._tmp = tmp
        self._templates: dict[Units, str] = {}

    def new(self, tmp: Path, units: Units) -> str:
        if units not in self._templates:
            self._templates[units] = self._set_up(units)
        template = self._templates[units]
        if self._migrated.postgres is not None:
            return self._migrated.postgres.new(template)
        return _copy_sqlite(Path(template), tmp / "p.sqlite3")

    def _set_up(self, units: Units) -> str:
        place = self._tmp / f"office{len(self._templates)}"
        place.mkdir()
        if self._migrated.postgres is not None:
            db = self._migrated.postgres.new()
        else:
            assert self._migrated.sqlite is not None
            db = _copy_sqlite(self._migrated.sqlite, place / "p.sqlite3")
        run_sync(_set_up_office(place, db, units))
        return self._migrated.postgres.keep(db) if self._migrated.postgres is not None else db


# `offices` is the test's, shared by its examples on purpose: each example's database is its
# own copy of the office the fixture set up once.
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@pytest.fixture
def offices(migrated: Migrated, tmp_path: Path) -> Offices:
    return Offices(migrated, tmp_path)


def _copy_sqlite(source: Path, target: Path) -> str:
    """A copy of an SQLite database, and of its ledger key where it has one."""
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)
    key = Path(f"{source}.key")
    if key.exists():
        shutil.copyfile(key, f"{target}.key")
    return str(target)


async def _migrate(db: Path) -> None:
    store = await Store.open(str(db))
    await store.close()


async def _set_up_office(tmp: Path, db: str, units: Units) -> None:
    store = await Store.open(db)
    try:
        await initialize(store, "dengkou-2024")
        await import_units(store, write_csv(tmp / "u.csv", ["name", "group"], units), "test", NOW)
    finally:
        await store.close()


async def _load(tmp: Path, db: str, records: list[list[object]]) -> Store:
    store = await Store.open(db)
    await import_records(store, write_csv(tmp / "r.csv", HEADER, records), "test", NOW)
    return store


def _expected_raw(records: list[list[object]], period: Period) -> dict[str, int]:
    raw = {name: 0 for name, _ in UNITS}
    for d, unit, item, count, points, modifiers, *_ in records:
        day = date.fromisoformat(str(d))
        if day not in period or item == "报送":
            continue
        mods = tuple(
            (m.split("×")[0], int(m.split("×")[1])) for m in str(modifiers).split(";") if m
        )
        # A record holds its points in hundredths (scoring.points).
        given = int(points) * 100 if points != "" else None  # type: ignore[call-overload]
        record = Record(str(unit), day, str(item), given, mods)
        raw[str(unit)] += score(RULESET, record).points * int(count)  # type: ignore[call-overload]
    return raw


@settings(max_examples=40, deadline=None, suppress_health_check=SUPPRESSED)
@given(records=st.lists(rows(), min_size=1, max_size=40), period=periods)
def test_totals_are_sums_of_entries_and_ranks_follow_totals(
    offices: Offices, records: list[list[object]], period: Period
) -> None:
    async def check() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            store = await _load(Path(tmp), offices.new(Path(tmp), UNITS), records)
            try:
                _, table = await standings(store, period)
            finally:
                await store.close()
        expected = _expected_raw(records, period)
        for group in table.groups:
            totals = [row.total for row in group.rows]
            assert totals == sorted(totals, reverse=True)
            for row in group.rows:
                assert row.raw_total == expected[row.unit] == sum(row.scores)
                assert row.total == max(row.raw_total, 0)
                assert row.rank == 1 + sum(t > row.total for t in totals)
        assert sorted(r.unit for g in table.groups for r in g.rows) == sorted(
            name for name, _ in UNITS
        )

    asyncio.run(check())


@settings(max_examples=25, deadline=None, suppress_health_check=SUPPRESSED)
@given(
    records=st.lists(rows(), min_size=1, max_size=20),
    spoil=st.lists(st.sampled_from(["unit", "date", "item", "count"]), max_size=2),
)
def test_an_import_stores_all_of_its_rows_or_none(
    offices: Offices, records: list[list[object]], spoil: list[str]
) -> None:
    bad = [list(r) for r in records]
    for n, what in enumerate(spoil):
        row = bad[n % len(bad)]
        row[{"unit": 1, "date": 0, "item": 2, "count": 3}[what]] = {
            "unit": "无此单位", "date": "2024-02-30", "item": "no.such.item", "count": 0,
        }[what]  # fmt: skip

    async def attempt() -> tuple[int, int]:
        with tempfile.TemporaryDirectory() as tmp:
            db = offices.new(Path(tmp), UNITS)
            store = await Store.open(db)
            with contextlib.suppress(DomainError):
                await import_records(store, write_csv(Path(tmp) / "r.csv", HEADER, bad), "t", NOW)
            await store.close()
            ((stored,),) = query(db, "SELECT COUNT(*) FROM records")
            ((batches,),) = query(db, "SELECT COUNT(*) FROM batches WHERE kind = 'records'")
        return stored, batches

    stored, batches = asyncio.run(attempt())
    if spoil:
        assert (stored, batches) == (0, 0)
    else:
        assert (stored, batches) == (sum(int(r[3]) for r in records), 1)  # type: ignore[call-overload]


QUOTA_MONTHS = ["2024-03", "2024-04", "2024-05", "2024-06"]
QUOTA_UNITS = (("丁局", "B"), ("戊局", "B"), ("己司", "C"))
imports = st.tuples(
    st.just("import"),
    st.sampled_from([u for u, _ in QUOTA_UNITS]),
    st.sampled_from(QUOTA_MONTHS),
    st.integers(1, 9),
)
settles = st.tuples(st.just("settle"), st.sampled_from(QUOTA_MONTHS))


@settings(max_examples=30, deadline=None, suppress_health_check=SUPPRESSED)
@given(steps=st.lists(st.one_of(imports, settles), min_size=1, max_size=12))
def test_penalties_equal_a_settlement_from_scratch(
    offices: Offices, steps: list[tuple[object, ...]]
) -> None:
    """In any order of imports, settlements and late submissions, the penalties that stand are
    those of settling the settled months once, in order, on the final data."""

    async def run() -> tuple[dict[tuple[str, str], int], set[str], dict[tuple[str, str], int]]:
        counts: dict[tuple[str, str], int] = {}
        settled: set[str] = set()
        with tempfile.TemporaryDirectory() as tmp:
            db = offices.new(Path(tmp), QUOTA_UNITS)
            store = await Store.open(db)
            for n, step in enumerate(steps):
                if step[0] == "import":
                    _, unit, label, count = step
                    rows = [
                        [f"{label}-{1 + k % 28:02d}", unit, "报送", 1, "", "", f"第{n}批{k}", ""]
                        for k in range(int(count))  # type: ignore[call-overload]
                    ]
                    path = write_csv(Path(tmp) / f"r{n}.csv", HEADER, rows)
                    await import_records(store, path, "t", NOW)
                    key = (str(unit), str(label))
                    counts[key] = counts.get(key, 0) + int(count)  # type: ignore[call-overload]
                else:
                    await settle_quota(store, parse_month(str(step[1])), "t", NOW, allow_empty=True)
                    settled.add(str(step[1]))
            await store.close()
            standing = query(
                db,
                "SELECT u.name, substr(l.date, 1, 7), l.points / 100 FROM ledger l "
                "JOIN units u ON u.id = l.unit_id WHERE l.reverses IS NULL "
                "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id)",
            )
        penalties: dict[tuple[str, str], int] = {}
        for unit, label, points in standing:
            penalties[(unit, label)] = penalties.get((unit, label), 0) + points
        return penalties, settled, counts

    penalties, settled, counts = asyncio.run(run())
    # From scratch, written out here: quota B 8, C 4; −30 for a miss, −50 for a miss after a
    # settled month that was missed; a month not settled breaks the streak.
    quotas = {"B": 8, "C": 4}
    expected: dict[tuple[str, str], int] = {}
    for unit, group in QUOTA_UNITS:
        missed_before = False
        for label in QUOTA_MONTHS:
            if label not in settled:
                missed_before = False
                continue
            missed = counts.get((unit, label), 0) < quotas[group]
            if missed:
                expected[(unit, label)] = -50 if missed_before else -30
            missed_before = missed
    assert penalties == expected
