"""Checking a database: what guards it (SQLite's own integrity check; on both stores, the triggers
that keep the ledger append-only and its sums fenced), the ledger's chain (keyed by the ledger
key from the keying on), an anchor kept outside the database, every kept sum against the ledger
lines it sums, every record's status against its events and the period locks against their
history. The checks read through a Tx, the same SQL on either store.

They read the whole ledger, so they must keep clear of the bot's own work: on SQLite they run
on a connection of their own (the store's reading connection serves every read of the bot, and
a million lines would hold it for seconds), on PostgreSQL on one of the pool's. One read
transaction makes every check see the same state, also while the bot keeps writing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.storage.chain import HASHED_COLUMNS, chained, key_id, keying_mac
from bot.storage.connection import Row
from bot.storage.ledger import KEYING, Anchor, Keying
from bot.storage.query import TxBase
from bot.storage.sql import Statement, sql
from bot.storage.tx import Tx
from scoring.errors import DomainError

if TYPE_CHECKING:
    # Annotations only: each store's checking() runs the checks of this module.
    from bot.storage.base import Store

SLOTS = 8
# Ledger lines read, and hashed, at a time: a million-line ledger never sits in memory whole.
_CHAIN_BATCH = 10_000


@dataclass(frozen=True)
class Verified:
    lines: int
    # Rows of the kept sums (monthly and quarterly sums per unit, monthly item counts).
    sums: int
    # The head of the chain checked: to be kept outside the database.
    head: Anchor


@dataclass(frozen=True)
class _Sums:
    """A table of kept sums and the query that sums the same from the ledger."""

    table: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    expected: str

    def __post_init__(self) -> None:
        keys, values = self.keys, self.values
        on = " AND ".join(f"k.{key} = e.{key}" for key in keys)
        kept_values = ", ".join(f"k.{v}" for v in values)
        expected_values = ", ".join(f"e.{v}" for v in values)
        nulls = ", ".join("NULL" for _ in values)
        # Rows that differ or are missing on either side, the first by key.
        object.__setattr__(self, "differences", sql(
            f"WITH e AS ({self.expected}) "
            f"SELECT {', '.join(f'e.{key}' for key in keys)}, {kept_values}, {expected_values} "
            f"FROM e LEFT JOIN {self.table} k ON {on} "
            f"WHERE k.{keys[0]} IS NULL OR ({kept_values}) <> ({expected_values}) "
            f"UNION ALL SELECT {', '.join(f'k.{key}' for key in keys)}, {kept_values}, {nulls} "
            f"FROM {self.table} k WHERE NOT EXISTS (SELECT 1 FROM e WHERE {on}) "
            "ORDER BY 1, 2 LIMIT 1"
        ))  # fmt: skip
        object.__setattr__(self, "count", sql(f"SELECT COUNT(*) FROM {self.table}"))

    # Made from the above (__post_init__).
    differences: Statement = field(init=False)
    count: Statement = field(init=False)


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
    "ledger_keying": (
        "ledger_keying_no_update", "ledger_keying_no_delete", "ledger_keying_no_truncate",
    ),
}  # fmt: skip
# The same guards in migrations/*.sql: SQLite has no TRUNCATE, and checks a row's insert, update
# and delete in triggers of their own.
SQLITE_GUARDS = {
    "ledger": (
        "ledger_no_update", "ledger_no_delete", "ledger_append_only", "ledger_slot",
        "ledger_sums", "ledger_items",
    ),
    **{
        table: tuple(f"{table}_guard_{event}" for event in ("insert", "update", "delete"))
        for table in ("ledger_months", "ledger_quarters", "item_months")
    },
    "ledger_keying": ("ledger_keying_no_update", "ledger_keying_no_delete"),
}  # fmt: skip


def checking(store: Store) -> AbstractAsyncContextManager[Tx]:
    """One read transaction on the database to check, once the store's own safeguards have been
    checked (Store.checking: each store has its own); DomainError names the first that fails."""
    return store.checking()


# tgenabled: 'O' fires in ordinary sessions, 'A' always; 'D' is disabled, 'R' fires only on a
# replica.
_PG_TRIGGERS = sql(
    postgres="SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'A') AND pg_table_is_visible(c.oid)"
)
_SQLITE_TRIGGERS = sql(sqlite="SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
INTEGRITY = sql(sqlite="PRAGMA integrity_check")


async def check_integrity(tx: TxBase) -> None:
    """SQLite's own check of the file."""
    (result,) = (await tx.all(INTEGRITY))[0]
    if result != "ok":
        raise DomainError("verify_integrity", detail=result)


async def check_guards(tx: TxBase) -> None:
    enabled = {(table, name) for table, name in await tx.all(_PG_TRIGGERS)}
    missing = [
        name for table, names in GUARDS.items() for name in names if (table, name) not in enabled
    ]
    if missing:
        raise DomainError("verify_guards", triggers=missing)


async def check_sqlite_guards(tx: TxBase) -> None:
    # Dropped (the sqlite3 shell can), they would let the ledger be changed unseen until the
    # next check of the chain.
    present = set(await tx.all(_SQLITE_TRIGGERS))
    missing = [
        name
        for table, names in SQLITE_GUARDS.items()
        for name in names
        if (table, name) not in present
    ]
    if missing:
        raise DomainError("verify_guards", triggers=missing)


_INITIALISED = sql("SELECT 1 FROM settings WHERE key = 'ruleset'")
_CHAIN_COLUMNS = f"{', '.join(HASHED_COLUMNS)}, hash"
_CHAIN_FIRST = sql(f"SELECT {_CHAIN_COLUMNS} FROM ledger ORDER BY id LIMIT {_CHAIN_BATCH}")
_CHAIN_NEXT = sql(
    f"SELECT {_CHAIN_COLUMNS} FROM ledger WHERE id > :after ORDER BY id LIMIT {_CHAIN_BATCH}"
)


async def check_keying(tx: TxBase, key: bytes | None, key_shown: str) -> Keying | None:
    """The keying record, checked against the key: None for a database never initialised."""
    row = await tx.one(KEYING)
    if row is None:
        if await tx.one(_INITIALISED) is not None:
            # Every initialised database is keyed when it opens: the record was removed.
            raise DomainError("verify_unkeyed")
        return None
    keying = Keying(*row)
    if key is None:
        raise DomainError("verify_key_missing", file=key_shown)
    if key_id(key) != keying.key_id:
        raise DomainError(
            "verify_key_wrong", file=key_shown, expected=keying.key_id, found=key_id(key)
        )
    if keying_mac(key, keying.first_line, keying.head, keying.at) != keying.mac:
        raise DomainError("verify_keying")
    return keying


async def check_chain(tx: TxBase, keying: Keying | None, key: bytes | None) -> tuple[int, Anchor]:
    """Every ledger line's hash, from the first line to the last: SHA-256 before the keying,
    HMAC under the key from it on; how many lines there are, and the last with its hash."""
    head = Anchor(0, "")
    lines = 0
    rows = await tx.all(_CHAIN_FIRST)
    while rows:
        # Hashing 10,000 lines takes tens of milliseconds: off the event loop, which keeps
        # serving the bot meanwhile.
        head, broken = await asyncio.to_thread(_follow, head, rows, keying, key)
        if broken is not None:
            raise DomainError("verify_chain", line=broken)
        lines += len(rows)
        rows = await tx.all(_CHAIN_NEXT, {"after": rows[-1][0]})
    if keying is not None and head.line < keying.first_line:
        # No keyed line yet: the unkeyed chain must still end where the keying found it.
        if head.line < keying.first_line - 1:
            raise DomainError("verify_anchor_gone", line=keying.first_line - 1)
        if head.hash != keying.head:
            raise DomainError("verify_chain", line=head.line)
    return lines, head


def _follow(
    head: Anchor, rows: Sequence[Row], keying: Keying | None, key: bytes | None
) -> tuple[Anchor, int | None]:
    """The chain through `rows` from `head`: the new head, and the first line whose stored hash
    differs, if any. The first keyed line follows on the head the keying recorded."""
    previous = head.hash
    line_id = head.line
    for *line, stored in rows:
        line_id = line[0]
        keyed = keying is not None and line_id >= keying.first_line
        if keying is not None and line_id == keying.first_line and previous != keying.head:
            return Anchor(line_id, previous), line_id
        previous = chained(key if keyed else None, previous, line)
        if previous != stored:
            return Anchor(line_id, previous), line_id
    return Anchor(line_id, previous), None


_ANCHOR = sql("SELECT hash FROM ledger WHERE id = :id")


async def check_anchor(tx: TxBase, anchor: Anchor) -> None:
    """The line an anchor names still has the hash it had: with the chain whole up to it, no
    line up to it changed since the anchor was taken."""
    if anchor.line == 0:
        return
    found = await tx.one(_ANCHOR, {"id": anchor.line})
    if found is None:
        raise DomainError("verify_anchor_gone", line=anchor.line)
    if found[0] != anchor.hash:
        raise DomainError("verify_anchor", line=anchor.line)


_STATUS_MISMATCH = sql(
    "SELECT r.id, r.status, e.event FROM records r JOIN record_events e ON e.id = ("
    "SELECT MAX(x.id) FROM record_events x WHERE x.record_id = r.id "
    "AND x.event IN ('approved', 'confirmed', 'rejected')) "
    "WHERE r.status <> CASE e.event WHEN 'rejected' THEN 'rejected' ELSE 'confirmed' END "
    "ORDER BY r.id LIMIT 1"
)
_UNCONFIRMED_SCORED = sql(
    "SELECT r.id FROM records r WHERE r.status <> 'confirmed' "
    "AND EXISTS (SELECT 1 FROM ledger l WHERE l.record_id = r.id) ORDER BY r.id LIMIT 1"
)


async def check_records(tx: TxBase) -> None:
    """Every record's status agrees with its events and the ledger: one set back to pending
    behind the bot's back could be approved, and scored, again."""
    found = await tx.one(_STATUS_MISMATCH)
    if found is not None:
        record, status, event = found
        raise DomainError("verify_status", record=record, status=status, event=event)
    found = await tx.one(_UNCONFIRMED_SCORED)
    if found is not None:
        raise DomainError("verify_unconfirmed_scored", record=found[0])


_LOCK_MISMATCH = sql(
    "WITH latest AS (SELECT e.period, e.event FROM period_events e WHERE e.id = "
    "(SELECT MAX(x.id) FROM period_events x WHERE x.period = e.period)) "
    "SELECT period, 'locked' FROM latest WHERE event = 'locked' "
    "AND NOT EXISTS (SELECT 1 FROM period_locks k WHERE k.period = latest.period) "
    "UNION ALL SELECT k.period, 'reopened' FROM period_locks k "
    "WHERE NOT EXISTS (SELECT 1 FROM latest WHERE latest.period = k.period "
    "AND latest.event = 'locked') "
    "UNION ALL SELECT DISTINCT b.period, 'published' FROM bulletins b "
    "WHERE NOT EXISTS (SELECT 1 FROM period_events x WHERE x.period = b.period) "
    "ORDER BY 1 LIMIT 1"
)


async def check_locks(tx: TxBase) -> None:
    """The periods locked now are those whose last lock event is a lock, and every period
    published has a lock history: a lock deleted behind the bot's back would let a published
    number change."""
    found = await tx.one(_LOCK_MISMATCH)
    if found is not None:
        period, history = found
        raise DomainError("verify_locks", period=period, history=history)


async def check_sums(tx: TxBase, sums: _Sums) -> int:
    """Compare the kept table with the ledger's sums; its row count if they agree."""
    keys, values = sums.keys, sums.values
    found = await tx.one(sums.differences)
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
    count = await tx.one(sums.count)
    assert count is not None
    return int(count[0])


_SLOT_NAME = sql("SELECT name FROM score_columns WHERE slot = :slot")


async def _column_name(tx: TxBase, column: str) -> str:
    """A score slot (c0..c7) by the ruleset's name for it; the other columns as they are."""
    if column.startswith("c") and column[1:].isdigit():
        found = await tx.one(_SLOT_NAME, {"slot": int(column[1:])})
        if found is not None:
            return str(found[0])
    return column
