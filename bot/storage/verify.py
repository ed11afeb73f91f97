"""Checking a database: what guards it (SQLite's own integrity check; on PostgreSQL, the triggers
that keep the ledger append-only and its sums fenced), the ledger's hash chain, and every kept sum
against the ledger lines it sums. The checks read through a Tx, the same SQL on either store.

They read the whole ledger, so they must keep clear of the bot's own work: on SQLite they run
on a connection of their own (the store's reading connection serves every read of the bot, and
a million lines would hold it for seconds), on PostgreSQL on one of the pool's. One read
transaction makes every check see the same state, also while the bot keeps writing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiosqlite

from bot.storage.base import BUSY_TIMEOUT_MS, Row, Store, TxBase
from bot.storage.chain import HASHED_COLUMNS, line_hash
from bot.storage.tx import Tx
from scoring.errors import DomainError

SLOTS = 8
# Ledger lines read, and hashed, at a time: a million-line ledger never sits in memory whole.
_CHAIN_BATCH = 10_000


@dataclass(frozen=True)
class Verified:
    lines: int
    # Rows of the kept sums (monthly and quarterly sums per unit, monthly item counts).
    sums: int


@dataclass(frozen=True)
class _Sums:
    """A table of kept sums and the query that sums the same from the ledger."""

    table: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    expected: str


# CASE rather than SQLite's `(s.slot = i) * l.points`: PostgreSQL does not multiply booleans.
_SLOT_SUMS = ", ".join(
    f"SUM(CASE WHEN s.slot = {i} THEN l.points ELSE 0 END) AS c{i}" for i in range(SLOTS)
)
_UNIT_SUMS = "COUNT(*) AS entries, SUM(l.adoptions) AS adoptions, SUM(l.items) AS items"
_UNIT_VALUES = ("entries", "adoptions", "items", *(f"c{i}" for i in range(SLOTS)))
_QUARTER = "substr(l.date, 1, 4) || 'Q' || ((CAST(substr(l.date, 6, 2) AS INTEGER) + 2) / 3)"

SUMS = (
    _Sums(
        "ledger_months",
        ("month", "unit_id"),
        _UNIT_VALUES,
        f"SELECT substr(l.date, 1, 7) AS month, l.unit_id AS unit_id, {_UNIT_SUMS}, {_SLOT_SUMS} "
        "FROM ledger l JOIN score_columns s ON s.name = l.column_name GROUP BY 1, 2",
    ),
    _Sums(
        "ledger_quarters",
        ("quarter", "unit_id"),
        _UNIT_VALUES,
        f"SELECT {_QUARTER} AS quarter, l.unit_id AS unit_id, {_UNIT_SUMS}, {_SLOT_SUMS} "
        "FROM ledger l JOIN score_columns s ON s.name = l.column_name GROUP BY 1, 2",
    ),
    _Sums(
        "item_months",
        ("month", "rule_id"),
        ("items",),
        "SELECT substr(l.date, 1, 7) AS month, l.rule_id AS rule_id, SUM(l.items) AS items "
        "FROM ledger l WHERE l.items <> 0 GROUP BY 1, 2",
    ),
)

# The triggers of migrations/postgres that keep the ledger append-only and let only its own
# trigger write the kept sums, by table. Switched off (ALTER TABLE ... DISABLE TRIGGER), they
# would let the ledger be changed unseen until the next check of the chain.
GUARDS = {
    "ledger": (
        "ledger_no_update", "ledger_no_delete", "ledger_no_truncate", "ledger_append_only",
        "ledger_sums",
    ),
    "ledger_months": ("ledger_months_guard", "ledger_months_guard_truncate"),
    "ledger_quarters": ("ledger_quarters_guard", "ledger_quarters_guard_truncate"),
    "item_months": ("item_months_guard", "item_months_guard_truncate"),
}  # fmt: skip


@asynccontextmanager
async def checking(store: Store) -> AsyncIterator[Tx]:
    """One read transaction on the database to check, once the store's own safeguards have been
    checked; DomainError names the first that fails."""
    if store.dialect == "postgres":
        async with store.reading(snapshot=True) as tx:
            await _check_guards(tx)
            yield tx
        return
    assert store.path is not None
    db = await aiosqlite.connect(store.path, isolation_level=None)
    try:
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA query_only = ON")
        (result,) = (await db.execute_fetchall("PRAGMA integrity_check"))[0]  # type: ignore[index]
        if result != "ok":
            raise DomainError("verify_integrity", detail=result)
        await db.execute("BEGIN")
        try:
            yield Tx(db, store, reading=True)
        finally:
            await db.execute("COMMIT")
    finally:
        await db.close()


async def _check_guards(tx: TxBase) -> None:
    # tgenabled: 'O' fires in ordinary sessions, 'A' always; 'D' is disabled, 'R' fires only
    # on a replica.
    enabled = {
        (table, name)
        for table, name in await tx.all(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'A') "
            "AND pg_table_is_visible(c.oid)"
        )
    }
    missing = [
        name for table, names in GUARDS.items() for name in names if (table, name) not in enabled
    ]
    if missing:
        raise DomainError("verify_guards", triggers=missing)


async def check_chain(tx: TxBase) -> int:
    """Every ledger line's hash, from the first line to the last; how many lines there are."""
    columns = f"{', '.join(HASHED_COLUMNS)}, hash"
    previous = ""
    lines = 0
    rows = await tx.all(f"SELECT {columns} FROM ledger ORDER BY id LIMIT {_CHAIN_BATCH}")
    while rows:
        # Hashing 10,000 lines takes tens of milliseconds: off the event loop, which keeps
        # serving the bot meanwhile.
        previous, broken = await asyncio.to_thread(_follow, previous, rows)
        if broken is not None:
            raise DomainError("verify_chain", line=broken)
        lines += len(rows)
        rows = await tx.all(
            f"SELECT {columns} FROM ledger WHERE id > ? ORDER BY id LIMIT {_CHAIN_BATCH}",
            (rows[-1][0],),
        )
    return lines


def _follow(previous: str, rows: Sequence[Row]) -> tuple[str, int | None]:
    """The chain through `rows` from `previous`: the last hash, and the first line whose stored
    hash differs, if any."""
    for *line, stored in rows:
        previous = line_hash(previous, line)
        if previous != stored:
            return previous, line[0]
    return previous, None


async def check_sums(tx: TxBase, sums: _Sums) -> int:
    """Compare the kept table with the ledger's sums; its row count if they agree."""
    keys, values = sums.keys, sums.values
    on = " AND ".join(f"k.{key} = e.{key}" for key in keys)
    kept_values = ", ".join(f"k.{v}" for v in values)
    expected_values = ", ".join(f"e.{v}" for v in values)
    nulls = ", ".join("NULL" for _ in values)
    # Rows that differ or are missing on either side, the first by key.
    found = await tx.one(
        f"WITH e AS ({sums.expected}) "
        f"SELECT {', '.join(f'e.{key}' for key in keys)}, {kept_values}, {expected_values} "
        f"FROM e LEFT JOIN {sums.table} k ON {on} "
        f"WHERE k.{keys[0]} IS NULL OR ({kept_values}) <> ({expected_values}) "
        f"UNION ALL SELECT {', '.join(f'k.{key}' for key in keys)}, {kept_values}, {nulls} "
        f"FROM {sums.table} k WHERE NOT EXISTS (SELECT 1 FROM e WHERE {on}) "
        "ORDER BY 1, 2 LIMIT 1"
    )
    if found is not None:
        row = tuple(found)
        key = " ".join(str(part) for part in row[: len(keys)])
        kept = row[len(keys) : len(keys) + len(values)]
        expected = row[len(keys) + len(values) :]
        if kept[0] is None:
            raise DomainError("verify_sum_missing", table=sums.table, key=key)
        if expected[0] is None:
            raise DomainError("verify_sum_extra", table=sums.table, key=key)
        column = next(v for v, k, e in zip(values, kept, expected, strict=True) if k != e)
        index = values.index(column)
        raise DomainError(
            "verify_sum",
            table=sums.table,
            key=key,
            column=await _column_name(tx, column),
            kept=kept[index],
            ledger=expected[index],
        )
    count = await tx.one(f"SELECT COUNT(*) FROM {sums.table}")
    assert count is not None
    return int(count[0])


async def _column_name(tx: TxBase, column: str) -> str:
    """A score slot (c0..c7) by the ruleset's name for it; the other columns as they are."""
    if column.startswith("c") and column[1:].isdigit():
        found = await tx.one("SELECT name FROM score_columns WHERE slot = ?", (int(column[1:]),))
        if found is not None:
            return str(found[0])
    return column
