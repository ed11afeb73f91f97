"""Checking a database: SQLite's own integrity check, the ledger's hash chain, and every kept sum
against the ledger lines it sums.

It reads the whole ledger, so it runs on a connection of its own in a worker thread (see
bot/usecases/verify.py): the bot's one connection, and its event loop, stay free meanwhile. One
read transaction makes every check see the same state, also while the bot keeps writing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.storage.base import BUSY_TIMEOUT_MS
from bot.storage.chain import HASHED_COLUMNS, line_hash
from scoring.errors import DomainError

SLOTS = 8
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


_SLOT_SUMS = ", ".join(f"SUM((s.slot = {i}) * l.points) AS c{i}" for i in range(SLOTS))
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


def verify_database(path: Path) -> Verified:
    """Check the database; raise DomainError naming the first problem found."""
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        (result,) = db.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise DomainError("verify_integrity", detail=result)
        db.execute("BEGIN")
        try:
            lines = _check_chain(db)
            sums = sum(_check_sums(db, sums) for sums in SUMS)
        finally:
            db.execute("COMMIT")
    finally:
        db.close()
    return Verified(lines, sums)


def _check_chain(db: sqlite3.Connection) -> int:
    cursor = db.execute(f"SELECT {', '.join(HASHED_COLUMNS)}, hash FROM ledger ORDER BY id")
    previous = ""
    lines = 0
    while rows := cursor.fetchmany(_CHAIN_BATCH):
        for *line, stored in rows:
            previous = line_hash(previous, line)
            if previous != stored:
                raise DomainError("verify_chain", line=line[0])
        lines += len(rows)
    return lines


def _check_sums(db: sqlite3.Connection, sums: _Sums) -> int:
    """Compare the kept table with the ledger's sums; its row count if they agree."""
    keys, values = sums.keys, sums.values
    on = " AND ".join(f"k.{key} = e.{key}" for key in keys)
    kept_values = ", ".join(f"k.{v}" for v in values)
    expected_values = ", ".join(f"e.{v}" for v in values)
    nulls = ", ".join("NULL" for _ in values)
    # Rows that differ or are missing on either side, the first by key.
    row = db.execute(
        f"WITH e AS ({sums.expected}) "
        f"SELECT {', '.join(f'e.{key}' for key in keys)}, {kept_values}, {expected_values} "
        f"FROM e LEFT JOIN {sums.table} k ON {on} "
        f"WHERE k.{keys[0]} IS NULL OR ({kept_values}) <> ({expected_values}) "
        f"UNION ALL SELECT {', '.join(f'k.{key}' for key in keys)}, {kept_values}, {nulls} "
        f"FROM {sums.table} k WHERE NOT EXISTS (SELECT 1 FROM e WHERE {on}) "
        "ORDER BY 1, 2 LIMIT 1"
    ).fetchone()
    if row is not None:
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
            column=_column_name(db, column),
            kept=kept[index],
            ledger=expected[index],
        )
    (count,) = db.execute(f"SELECT COUNT(*) FROM {sums.table}").fetchone()
    return int(count)


def _column_name(db: sqlite3.Connection, column: str) -> str:
    """A score slot (c0..c7) by the ruleset's name for it; the other columns as they are."""
    if column.startswith("c") and column[1:].isdigit():
        row = db.execute("SELECT name FROM score_columns WHERE slot = ?", (int(column[1:]),))
        found = row.fetchone()
        if found is not None:
            return str(found[0])
    return column
