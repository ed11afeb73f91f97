"""The schema's one description (bot.storage.schema) is what the migrations make: every table
of a freshly migrated database, on each store, with the columns and key it lists, in the file
it names on SQLite. A migration that adds a table or a column the description lacks fails
here (and `db copy` would otherwise leave it behind)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import Store, bot_file_path, is_postgres
from bot.storage.schema import POSTGRES, SQLITE, File, tables_on
from tests.stores import rows

# (columns, primary key in order) of each table: the order of the columns means nothing (the
# project's SQL names them), that of a key's does.
Shape = dict[str, tuple[frozenset[str], tuple[str, ...]]]


def sqlite_shape(path: Path) -> Shape:
    """Each table of one SQLite file, as PRAGMA table_info gives it."""
    with sqlite3.connect(path) as conn:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        shape = {}
        for name in names:
            # (cid, name, type, notnull, default, pk): pk is the column's place in the key.
            info = conn.execute(f"PRAGMA table_info({name})").fetchall()
            key = tuple(column[1] for column in sorted(info, key=lambda c: c[5]) if column[5])
            shape[name] = (frozenset(column[1] for column in info), key)
    return shape


def postgres_shape(url: str) -> Shape:
    """Each table of the database's schema, as information_schema gives it."""
    columns = rows(
        url,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    keys = rows(
        url,
        "SELECT k.table_name, k.column_name FROM information_schema.table_constraints c "
        "JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name "
        "AND k.table_schema = c.table_schema "
        "WHERE c.table_schema = current_schema() AND c.constraint_type = 'PRIMARY KEY' "
        "ORDER BY k.table_name, k.ordinal_position",
    )
    shape: dict[str, tuple[list[str], list[str]]] = {}
    for table, column in columns:
        shape.setdefault(table, ([], []))[0].append(column)
    for table, column in keys:
        shape[table][1].append(column)
    return {table: (frozenset(cols), tuple(key)) for table, (cols, key) in shape.items()}


def described(dialect: str, file: File | None = None) -> Shape:
    return {
        table.name: (frozenset(table.columns_on(dialect)), table.key)
        for table in tables_on(dialect, file)
    }


async def migrated_shapes(database: str) -> list[tuple[Shape, Shape]]:
    """(found, described) for each file of the database (PostgreSQL: its one database)."""
    store = await Store.open(database)
    await store.close()
    if is_postgres(database):
        return [(postgres_shape(database), described(POSTGRES))]
    path = Path(database)
    return [
        (sqlite_shape(path), described(SQLITE, File.DATABASE)),
        (sqlite_shape(bot_file_path(path)), described(SQLITE, File.WORKING_FILE)),
    ]


async def test_the_migrated_schema_is_the_described_one(database: str) -> None:
    for found, expected in await migrated_shapes(database):
        assert found == expected


async def test_a_column_the_description_lacks_is_found(database: str) -> None:
    """What a migration adding a column without a word in the description would leave."""
    (found, expected), *_ = await migrated_shapes(database)
    rows(database, "ALTER TABLE units ADD COLUMN region TEXT")
    if is_postgres(database):
        found_after = postgres_shape(database)
    else:
        found_after = sqlite_shape(Path(database))
    assert found == expected
    assert found_after != expected
    assert found_after["units"][0] == expected["units"][0] | {"region"}
