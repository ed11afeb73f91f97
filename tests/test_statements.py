"""The storage's SQL: the compiler that turns a statement into each store's text, and every
statement of the project checked by each store's own planner on a migrated database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

# Every module that declares statements, so that STATEMENTS holds them all.
import bot.storage.copy
import bot.storage.tx
import bot.storage.verify  # noqa: F401
from bot.storage import Store, bot_file_path, is_postgres
from bot.storage.sql import (
    POSTGRES,
    SQLITE,
    STATEMENTS,
    SqlError,
    Statement,
    compile_sql,
    sql,
)

# Statements of the project (tests declare their own to read tables directly).
PROJECT = [statement for statement in STATEMENTS if statement.module.startswith("bot.")]


@pytest.mark.parametrize(
    "literal",
    ["'data.csv'", "'?'", "'a:b'", "'it''s :x'", '"odd:name"', "'{data}.x'"],
)
def test_literals_are_left_alone(literal: str) -> None:
    for dialect in (SQLITE, POSTGRES):
        text, names = compile_sql(f"SELECT {literal} FROM t WHERE a = :a", dialect)
        assert text.startswith(f"SELECT {literal} FROM t"), text
        assert names == ("a",)


def test_comments_casts_and_marks_are_left_alone() -> None:
    statement = "SELECT x::text, j ? 'k' FROM t -- :x\nWHERE /* :y */ a = :a"
    text, names = compile_sql(statement, POSTGRES)
    assert text == "SELECT x::text, j ? 'k' FROM t -- :x\nWHERE /* :y */ a = $1"
    assert names == ("a",)
    text, _ = compile_sql(statement, SQLITE)
    assert text == "SELECT x::text, j ? 'k' FROM t -- :x\nWHERE /* :y */ a = ?1"


def test_a_repeated_name_is_one_parameter() -> None:
    statement = "SELECT :b, :a, :b, :c, :a"
    assert compile_sql(statement, POSTGRES) == ("SELECT $1, $2, $1, $3, $2", ("b", "a", "c"))
    assert compile_sql(statement, SQLITE) == ("SELECT ?1, ?2, ?1, ?3, ?2", ("b", "a", "c"))
    # Bound by name, each value once, in the order of the names.
    compiled = Statement({SQLITE: statement}).compiled(SQLITE)
    assert compiled.bind({"a": 1, "b": 2, "c": 3}) == (2, 1, 3)
    with sqlite3.connect(":memory:") as db:
        assert db.execute(compiled.text, compiled.bind({"a": 1, "b": 2, "c": 3})).fetchall() == [
            (2, 1, 2, 3, 1)
        ]


def test_schema_names_per_store() -> None:
    statement = "SELECT n FROM {data}.settings JOIN {temp}.staged s ON s.k = 'data.x'"
    assert compile_sql(statement, SQLITE)[0] == (
        "SELECT n FROM data.settings JOIN temp.staged s ON s.k = 'data.x'"
    )
    assert compile_sql(statement, POSTGRES)[0] == (
        "SELECT n FROM settings JOIN staged s ON s.k = 'data.x'"
    )


@pytest.mark.parametrize(
    "broken", ["SELECT 'open", 'SELECT "open', "SELECT 1 /* open", "SELECT {other}.t", "{data}x"]
)
def test_unreadable_statements_are_refused_when_declared(broken: str) -> None:
    with pytest.raises(SqlError):
        sql(broken)


def test_a_statement_runs_only_where_written() -> None:
    statement = Statement({POSTGRES: "SELECT pg_backend_pid()"})
    with pytest.raises(SqlError, match="not written for sqlite"):
        statement.compiled(SQLITE)


def test_arrays_are_json_on_sqlite() -> None:
    statement = Statement(
        {SQLITE: "SELECT value FROM json_each(:ids) ORDER BY value"}, arrays=["ids"]
    )
    compiled = statement.compiled(SQLITE)
    with sqlite3.connect(":memory:") as db:
        found = db.execute(compiled.text, compiled.bind({"ids": [3, 1, 2]})).fetchall()
    assert found == [(1,), (2,), (3,)]


def test_every_storage_module_declares_its_statements() -> None:
    declaring = {statement.module for statement in PROJECT}
    for module in (
        "bot.storage.records", "bot.storage.ledger", "bot.storage.intake", "bot.storage.units",
        "bot.storage.copy", "bot.storage.verify", "bot.storage.standings", "bot.storage.outbox",
    ):  # fmt: skip
        assert module in declaring, module


async def test_every_statement_is_understood_by_each_store(database: str) -> None:
    """Each store's own parser and planner on every statement of the project, against a
    migrated database: SQLite's EXPLAIN QUERY PLAN (the working file with the database attached
    as `data`, as the bot's connection has it), PostgreSQL's prepare (which also settles every
    parameter's type). A statement naming a missing table or column, or written in the other
    store's dialect, fails here."""
    store = await Store.open(database)
    await store.close()
    dialect = POSTGRES if is_postgres(database) else SQLITE
    mine = [statement for statement in PROJECT if statement.runs_on(dialect)]
    # Declared for one store only: PostgreSQL's replicas, conversations and triggers; SQLite's
    # pragmas and its own guard list.
    assert len(mine) < len(PROJECT)
    # A temporary table a statement creates is there for those that use it.
    creating = [s for s in mine if s.compiled(dialect).text.startswith("CREATE TEMP")]
    assert creating
    # Run for real: proven by running. SQLite carries out some pragmas as they are prepared
    # (a new temp_store drops the temporary tables): they come last.
    mine = [statement for statement in mine if statement not in creating]
    mine.sort(key=lambda statement: statement.compiled(dialect).text.startswith("PRAGMA"))
    failures: list[str] = []
    if dialect == SQLITE:
        db = sqlite3.connect(bot_file_path(Path(database)))
        try:
            db.execute("ATTACH DATABASE ? AS data", (database,))
            for statement in creating:
                db.execute(statement.compiled(SQLITE).text)
            for statement in mine:
                compiled = statement.compiled(SQLITE)
                try:
                    # Unknown values: NULL, as the planner sees a parameter before binding.
                    db.execute(f"EXPLAIN QUERY PLAN {compiled.text}", [None] * len(compiled.names))
                except sqlite3.Error as error:
                    failures.append(f"{statement!r}: {error}")
        finally:
            db.close()
    else:
        conn = await asyncpg.connect(database)
        try:
            for statement in creating:
                await conn.execute(statement.compiled(POSTGRES).text)
            for statement in mine:
                try:
                    await conn.prepare(statement.compiled(POSTGRES).text)
                except asyncpg.PostgresError as error:
                    failures.append(f"{statement!r}: {error}")
        finally:
            await conn.close()
    assert failures == []
