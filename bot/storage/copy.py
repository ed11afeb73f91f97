"""Copying an assessment from one store to another (`govinfo-bot db copy`): which tables, and
reading and writing them a chunk at a time, so that a million ledger lines never sit in memory
whole. Both stores have the same tables with the same columns (migrations/postgres keeps
SQLite's names), so a row read from one goes into the other as it is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.storage.base import Store
from bot.storage.connection import Row, RowsInsert, rows_insert
from bot.storage.query import TxBase
from bot.storage.schema import TABLES as SCHEMA_TABLES
from bot.storage.schema import Kind
from bot.storage.sql import Statement, sql

# Rows read and written at a time.
CHUNK = 10_000


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    # The primary key, which the rows are read in order of a chunk at a time (the ledger's in
    # id order, as its append-only trigger on the target wants them). Empty for the two tables
    # without one: paged by offset in the source's snapshot instead.
    key: tuple[str, ...]
    chunk: int = CHUNK


# Rows at a time where rows are large: a published file may be megabytes.
SMALLER_CHUNKS = {"files": 16, "bulletins": 100}

# Every table of the assessment (bot.storage.schema), each after the tables its foreign keys
# name. The ledger's keying is copied too: the target is keyed as the source was, and the same
# key (copied beside it) checks the lines.
TABLES = tuple(
    Table(table.name, table.columns, table.key, SMALLER_CHUNKS.get(table.name, CHUNK))
    for table in SCHEMA_TABLES
    if table.kind is Kind.ASSESSMENT
)

# The tables not copied: the kept sums, which the target's ledger triggers build again as the
# lines go in (and refuse any other write), and the marker row of SQLite's triggers; the
# running bot's own tables (in SQLite's working file; on PostgreSQL beside the assessment),
# which a stopped bot does not need; and what each store keeps about itself.
NOT_COPIED = frozenset(table.name for table in SCHEMA_TABLES if table.kind is not Kind.ASSESSMENT)


@dataclass(frozen=True)
class _TableSql:
    """A table's statements for the copy, declared with TABLES."""

    count: Statement
    first_chunk: Statement
    # After the key of the chunk before (or at an offset, for a table without a key).
    next_chunk: Statement
    insert: RowsInsert
    # PostgreSQL's identity sequence moved on past the ids copied in (tables keyed by `id`).
    sequence: Statement | None


def _table_sql(table: Table) -> _TableSql:
    columns = ", ".join(table.columns)
    own = " WHERE key <> 'database_id'" if table.name == "settings" else ""
    select = f"SELECT {columns} FROM {table.name}"
    if table.key:
        keys = ", ".join(table.key)
        after = ", ".join(f":{key}" for key in table.key)
        first = sql(f"{select} ORDER BY {keys} LIMIT {table.chunk}")
        following = sql(f"{select} WHERE ({keys}) > ({after}) ORDER BY {keys} LIMIT {table.chunk}")
    else:
        first = following = sql(f"{select} ORDER BY {columns} LIMIT {table.chunk} OFFSET :offset")
    sequence = (
        sql(
            postgres=f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), MAX(id)) "
            f"FROM {table.name}"
        )
        if table.key == ("id",)
        else None
    )
    return _TableSql(
        sql(f"SELECT COUNT(*) FROM {table.name}{own}"), first, following,
        rows_insert(table.name, table.columns), sequence,
    )  # fmt: skip


_SQL = {table.name: _table_sql(table) for table in TABLES}
_CLEAR_SETTINGS = sql("DELETE FROM settings")


async def first_filled(tx: TxBase) -> tuple[str, int] | None:
    """The first table of the assessment holding anything, and its row count; None if the
    database is new or empty (a migrated database names itself in settings: that row aside)."""
    for table in TABLES:
        found = await tx.one(_SQL[table.name].count)
        assert found is not None
        if found[0]:
            return table.name, int(found[0])
    return None


async def read_chunks(tx: TxBase, table: Table) -> AsyncIterator[list[Row]]:
    """The table's rows in chunks, in the order of its key (after the key of the chunk before:
    an index probe, where an offset would read every row before it again)."""
    statements = _SQL[table.name]
    if not table.key:
        offset = 0
        while rows := await tx.all(statements.next_chunk, {"offset": offset}):
            yield [tuple(row) for row in rows]
            offset += len(rows)
        return
    at = [(key, table.columns.index(key)) for key in table.key]
    rows = await tx.all(statements.first_chunk)
    while rows:
        yield [tuple(row) for row in rows]
        rows = await tx.all(statements.next_chunk, {key: rows[-1][i] for key, i in at})


async def write_rows(tx: TxBase, table: Table, rows: list[Row]) -> None:
    """Rows as they were read, ids and all, by the store's bulk insert (Connection.insert_rows:
    on PostgreSQL a COPY, whose ledger triggers run once per statement, not per line)."""
    await tx.db.insert_rows(_SQL[table.name].insert, rows)


async def clear_settings(tx: TxBase) -> None:
    """A migrated database's name for itself goes: the copy is the same assessment, and keeps
    the source's."""
    await tx.write(_CLEAR_SETTINGS)


async def advance_identities(tx: TxBase) -> None:
    """Each identity column's sequence past the ids copied in, so that the next INSERT ...
    RETURNING id does not hand out one of them again (Connection.advance_sequence: SQLite's next
    rowid follows the largest by itself). pg_get_serial_sequence is NULL for the ids the code
    hands out itself (records, ledger), and setval of NULL does nothing."""
    for table in TABLES:
        sequence = _SQL[table.name].sequence
        if sequence is not None:
            await tx.db.advance_sequence(sequence)


async def bind_working_file(store: Store) -> None:
    """SQLite's working file, made when the target was opened, belongs to the database it was
    made for: after the copy, to the source's database id, or the next start would take it for
    another database's and say so. PostgreSQL has no working file (Store.adopt_bot_file)."""
    await store.adopt_bot_file()
