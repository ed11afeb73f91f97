"""Copying an assessment from one store to another (`govinfo-bot db copy`): which tables, and
reading and writing them a chunk at a time, so that a million ledger lines never sit in memory
whole. Both stores have the same tables with the same columns (migrations/postgres keeps
SQLite's names), so a row read from one goes into the other as it is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.storage.base import Row, Store, TxBase
from bot.storage.ledger import LEDGER_COLUMNS

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


# Every table of the assessment, each after the tables its foreign keys name.
# fmt: off
TABLES = (
    Table("settings", ("key", "value"), ("key",)),
    Table("score_columns", ("name", "slot"), ("name",)),
    Table("units", ("id", "name", "group_id", "active", "created_at"), ("id",)),
    Table("unit_aliases", ("alias", "unit_id"), ("alias",)),
    Table("batches", ("id", "kind", "actor", "source", "sha256", "rows", "created_at"), ("id",)),
    Table(
        "records",
        ("id", "batch_id", "unit_id", "date", "item_id", "points", "modifiers", "title", "note",
         "status", "explanation", "created_at", "claimed_by", "evidence", "title_key"),
        ("id",),
    ),
    Table("record_events", ("id", "record_id", "event", "actor", "reason", "at"), ("id",)),
    Table("ledger", LEDGER_COLUMNS, ("id",)),
    # The target is keyed as the source was: the same key (copied beside it) checks the lines.
    Table("ledger_keying", ("one", "first_line", "head", "key_id", "at", "mac"), ("one",)),
    Table("quota_months", ("month", "batch_id", "allow_empty"), ("month",)),
    Table(
        "quota_settlements",
        ("unit_id", "month", "quota", "submissions", "outcome", "record_id", "batch_id"),
        ("unit_id", "month"),
    ),
    Table(
        "liaisons", ("user_id", "unit_id", "name", "username", "active", "joined_at"), ("user_id",)
    ),
    Table(
        "invites",
        ("code_hash", "unit_id", "created_by", "created_at", "expires_at", "used_by", "used_at"),
        ("code_hash",),
    ),
    Table("invite_failures", ("user_id", "at"), ()),
    Table("liaison_events", ("user_id", "event", "reason", "at"), ()),
    Table(
        "period_locks",
        ("period", "first_day", "last_day", "actor", "actor_name", "at"),
        ("period",),
    ),
    Table(
        "period_events", ("id", "period", "event", "actor", "actor_name", "reason", "at"), ("id",)
    ),
    Table(
        "commissions",
        ("id", "topic", "deadline", "created_by", "created_at", "closed_at"),
        ("id",),
    ),
    Table(
        "commission_targets",
        ("commission_id", "unit_id", "outcome", "record_id"),
        ("commission_id", "unit_id"),
    ),
    Table("commission_answers", ("record_id", "commission_id", "unit_id"), ("record_id",)),
    Table(
        "commission_selections", ("answer_id", "item_id", "record_id"), ("answer_id", "item_id")
    ),
    # A published file may be megabytes.
    Table("files", ("id", "filename", "data", "sha256", "created_at"), ("id",), chunk=16),
    Table(
        "bulletins",
        ("id", "period", "version", "published_at", "actor", "actor_name", "content",
         "docx_file", "xlsx_file", "anchor"),
        ("id",),
        chunk=100,
    ),
    Table("job_runs", ("job", "period", "due_at", "ran_at", "outcome", "detail"), ("job", "period")),
    Table(
        "outbox",
        ("id", "source", "chat_id", "text", "parse_mode", "created_at", "sent_at", "failure",
         "buttons", "attachment", "held_until", "tried_at"),
        ("id",),
    ),
    Table("claimed_updates", ("update_id", "claimed_at"), ("update_id",)),
    # The web console's accounts, and who made, changed and removed them.
    Table("web_users", ("name", "role", "password_hash", "created_at", "created_by"), ("name",)),
    Table("web_user_events", ("id", "name", "event", "role", "actor", "at"), ("id",)),
)
# fmt: on

# The tables not copied: the kept sums, which the target's ledger triggers build again as the
# lines go in (and refuse any other write), and the marker row of SQLite's triggers; the
# running bot's own tables (in SQLite's working file; on PostgreSQL beside the assessment),
# which a stopped bot does not need; and what each store keeps about itself. The web console's
# failed logins, forms acted on and session key stay behind: its sessions end with the move.
NOT_COPIED = frozenset(
    {
        "ledger_months", "ledger_quarters", "item_months", "ledger_sums_writer",
        "inbox", "set_aside_updates", "drafts", "leases", "conversations", "belongs_to",
        "schema_version", "roster_version",
        "web_login_failures", "web_forms", "web_session_key",
    }
)  # fmt: skip


async def first_filled(tx: TxBase) -> tuple[str, int] | None:
    """The first table of the assessment holding anything, and its row count; None if the
    database is new or empty (a migrated database names itself in settings: that row aside)."""
    for table in TABLES:
        own = " WHERE key <> 'database_id'" if table.name == "settings" else ""
        found = await tx.one(f"SELECT COUNT(*) FROM {table.name}{own}")
        assert found is not None
        if found[0]:
            return table.name, int(found[0])
    return None


async def read_chunks(tx: TxBase, table: Table) -> AsyncIterator[list[Row]]:
    """The table's rows in chunks, in the order of its key (after the key of the chunk before:
    an index probe, where an offset would read every row before it again)."""
    columns = ", ".join(table.columns)
    if not table.key:
        offset = 0
        while rows := await tx.all(
            f"SELECT {columns} FROM {table.name} ORDER BY {columns} "
            f"LIMIT {table.chunk} OFFSET {offset}"
        ):
            yield [tuple(row) for row in rows]
            offset += len(rows)
        return
    keys = ", ".join(table.key)
    marks = ", ".join("?" for _ in table.key)
    at = [table.columns.index(key) for key in table.key]
    rows = await tx.all(f"SELECT {columns} FROM {table.name} ORDER BY {keys} LIMIT {table.chunk}")
    while rows:
        yield [tuple(row) for row in rows]
        rows = await tx.all(
            f"SELECT {columns} FROM {table.name} WHERE ({keys}) > ({marks}) "
            f"ORDER BY {keys} LIMIT {table.chunk}",
            [rows[-1][i] for i in at],
        )


async def write_rows(tx: TxBase, table: Table, rows: list[Row]) -> None:
    """Rows as they were read, ids and all: on PostgreSQL by COPY (the ledger's triggers there
    run once per statement, not per line), on SQLite by one executemany."""
    if tx.dialect == "postgres":
        await tx.db.copy_rows(table.name, table.columns, rows)  # type: ignore[attr-defined]
        return
    marks = ", ".join("?" for _ in table.columns)
    await tx.db.executemany(
        f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})", rows
    )


async def clear_settings(tx: TxBase) -> None:
    """A migrated database's name for itself goes: the copy is the same assessment, and keeps
    the source's."""
    await tx.db.execute("DELETE FROM settings")


async def advance_identities(tx: TxBase) -> None:
    """On PostgreSQL, each identity column's sequence past the ids copied in, so that the next
    INSERT ... RETURNING id does not hand out one of them again. pg_get_serial_sequence is NULL
    for the ids the code hands out itself (records, ledger), and setval of NULL does nothing."""
    if tx.dialect != "postgres":
        return
    for table in TABLES:
        if table.key == ("id",):
            await tx.one(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), MAX(id)) "
                f"FROM {table.name}"
            )


async def bind_working_file(store: Store) -> None:
    """SQLite's working file, made when the target was opened, belongs to the database it was
    made for: after the copy, to the source's database id, or the next start would take it for
    another database's and say so."""
    if store.dialect != "sqlite":
        return
    async with store.bot_transaction() as tx:
        await tx.db.execute(
            "UPDATE belongs_to SET database_id = "
            "(SELECT value FROM data.settings WHERE key = 'database_id')"
        )
