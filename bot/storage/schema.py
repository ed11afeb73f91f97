"""The schema, described once: every table of both stores, its columns and key, and where it
lives. The migrations (migrations/, migrations/botfile/, migrations/postgres/) make it; this is
what they make, checked against freshly migrated databases of both stores
(tests/test_schema.py), and what `db copy` copies (bot.storage.copy).

Both stores have the same tables with the same columns (the PostgreSQL migrations keep SQLite's
names), but for what each keeps for itself and the columns PostgreSQL's replicas need."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.storage.ledger import LEDGER_COLUMNS


class Kind(Enum):
    # The assessment itself: everything `db copy` copies.
    ASSESSMENT = "assessment"
    # Sums kept by the ledger's triggers (and their marker row on SQLite): built again, never
    # copied.
    SUMS = "sums"
    # The running bot's own tables: the intake, the summaries, the lease, the conversations.
    BOT = "bot"
    # What a store keeps about itself (its schema's version, its roster's).
    STORE = "store"
    # The web console's passing state (failed logins, forms acted on, the key signing its
    # sessions): left behind by `db copy`, its sessions end with the move.
    CONSOLE = "console"


class File(Enum):
    """Which SQLite file a table lives in (PostgreSQL has one database)."""

    DATABASE = "database"
    WORKING_FILE = "working file"


SQLITE = "sqlite"
POSTGRES = "postgres"
BOTH = frozenset({SQLITE, POSTGRES})


@dataclass(frozen=True)
class Table:
    name: str
    # The columns both stores have (the ledger's in the order its lines are hashed and copied).
    columns: tuple[str, ...]
    # The primary key; empty for a table without one.
    key: tuple[str, ...]
    kind: Kind = Kind.ASSESSMENT
    file: File = File.DATABASE
    stores: frozenset[str] = BOTH
    # Columns only PostgreSQL has (the replicas' claims of updates).
    postgres_only: tuple[str, ...] = ()

    def columns_on(self, dialect: str) -> tuple[str, ...]:
        return self.columns + (self.postgres_only if dialect == POSTGRES else ())


SUM_COLUMNS = ("entries", "adoptions", "items", "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7")

# The assessment's tables each after the tables its foreign keys name (the order `db copy`
# writes them in), then the others.
# fmt: off
TABLES = (
    Table("settings", ("key", "value"), ("key",)),
    Table("score_columns", ("name", "slot"), ("name",)),
    # The methods adopted after the first (the `ruleset` setting), each from its day.
    Table("methods", ("start", "text", "source", "adopted_at", "adopted_by"), ("start",)),
    Table("units", ("id", "name", "group_id", "active", "created_at"), ("id",)),
    Table("unit_aliases", ("alias", "unit_id"), ("alias",)),
    Table(
        "unit_changes",
        ("id", "unit_id", "change", "start", "old_value", "new_value", "into_unit", "actor", "at"),
        ("id",),
    ),
    Table("batches", ("id", "kind", "actor", "source", "sha256", "rows", "created_at"), ("id",)),
    Table(
        "records",
        ("id", "batch_id", "unit_id", "date", "item_id", "points", "modifiers", "title", "note",
         "status", "explanation", "created_at", "claimed_channel", "claimed_by", "evidence",
         "title_key"),
        ("id",),
    ),
    Table("record_events", ("id", "record_id", "event", "actor", "reason", "at"), ("id",)),
    Table("ledger", LEDGER_COLUMNS, ("id",)),
    Table("ledger_keying", ("one", "first_line", "head", "key_id", "at", "mac"), ("one",)),
    Table("quota_months", ("month", "batch_id", "allow_empty"), ("month",)),
    Table(
        "quota_settlements",
        ("unit_id", "month", "quota", "submissions", "outcome", "record_id", "batch_id"),
        ("unit_id", "month"),
    ),
    # A person or a chat is reached at (channel, address); a column naming someone who acted
    # (created_by, used_by, claimed_by) holds the address, its channel beside it.
    Table(
        "liaisons",
        ("channel", "address", "unit_id", "name", "username", "active", "joined_at"),
        ("channel", "address"),
    ),
    Table(
        "invites",
        ("code_hash", "unit_id", "created_channel", "created_by", "created_at", "expires_at",
         "used_channel", "used_by", "used_at"),
        ("code_hash",),
    ),
    # A liaison's personal link to the web console (the liaison at ('web', its id)).
    Table(
        "liaison_links",
        ("id", "token_hash", "created_by", "created_at", "revoked_by", "revoked_at"), ("id",),
    ),
    Table("invite_failures", ("channel", "address", "at"), ()),
    Table("liaison_events", ("channel", "address", "event", "reason", "at"), ()),
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
        ("id", "topic", "deadline", "created_channel", "created_by", "created_at", "closed_at"),
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
    Table("files", ("id", "filename", "data", "sha256", "created_at"), ("id",)),
    Table(
        "bulletins",
        ("id", "period", "version", "published_at", "actor", "actor_name", "content",
         "docx_file", "xlsx_file", "anchor"),
        ("id",),
    ),
    Table("job_runs", ("job", "period", "due_at", "ran_at", "outcome", "detail"), ("job", "period")),
    Table(
        "outbox",
        ("id", "source", "channel", "address", "text", "parse_mode", "created_at", "sent_at",
         "failure", "buttons", "attachment", "held_until", "tried_at"),
        ("id",),
    ),
    Table("claimed_updates", ("update_id", "claimed_at"), ("update_id",)),
    # The web console's accounts, and who made, changed and removed them.
    Table("web_users", ("name", "role", "password_hash", "created_at", "created_by"), ("name",)),
    Table("web_user_events", ("id", "name", "event", "role", "actor", "at"), ("id",)),

    Table("ledger_months", ("month", "unit_id", *SUM_COLUMNS), ("month", "unit_id"), Kind.SUMS),
    Table(
        "ledger_quarters", ("quarter", "unit_id", *SUM_COLUMNS), ("quarter", "unit_id"), Kind.SUMS
    ),
    Table("item_months", ("month", "rule_id", "items"), ("month", "rule_id"), Kind.SUMS),
    Table("ledger_sums_writer", ("one",), ("one",), Kind.SUMS),

    Table(
        "inbox", ("update_id", "payload", "received_at", "handled_at", "chat_id"), ("update_id",),
        Kind.BOT, File.WORKING_FILE, postgres_only=("claimed_by", "claimed_until"),
    ),
    Table(
        "set_aside_updates", ("update_id", "payload", "reason", "set_aside_at"), ("update_id",),
        Kind.BOT, File.WORKING_FILE,
    ),
    Table(
        "drafts",
        ("id", "channel", "address", "unit_id", "date", "item_id", "modifiers", "title", "evidence",
         "created_at", "record_id", "cancelled", "confirming"),
        ("id",), Kind.BOT, File.WORKING_FILE,
    ),
    Table(
        "leases", ("name", "holder", "acquired_at", "expires_at"), ("name",),
        Kind.BOT, File.WORKING_FILE,
    ),
    # The answers owed by the working file's own actions, on SQLite (OutboxStorage): the
    # outbox's columns.
    Table(
        "answers",
        ("id", "source", "channel", "address", "text", "parse_mode", "created_at", "sent_at",
         "failure", "buttons", "attachment", "held_until", "tried_at"),
        ("id",), Kind.BOT, File.WORKING_FILE, stores=frozenset({SQLITE}),
    ),
    # Kept in the database by the replicas only (bot.telegram.replicas); one process on SQLite keeps
    # them in memory.
    Table(
        "conversations", ("channel", "chat", "address", "states", "user_data", "updated_at"),
        ("channel", "chat", "address"), Kind.BOT, stores=frozenset({POSTGRES}),
    ),
    # Which database the working file belongs to.
    Table(
        "belongs_to", ("database_id",), (), Kind.STORE, File.WORKING_FILE,
        stores=frozenset({SQLITE}),
    ),
    # SQLite keeps both in its file's header (PRAGMA user_version, data_version).
    Table("schema_version", ("one", "version"), ("one",), Kind.STORE, stores=frozenset({POSTGRES})),
    Table("roster_version", ("one", "n"), ("one",), Kind.STORE, stores=frozenset({POSTGRES})),

    Table("web_login_failures", ("id", "name", "address", "at"), ("id",), Kind.CONSOLE),
    Table("web_forms", ("token", "claimed_at"), ("token",), Kind.CONSOLE),
    Table("web_session_key", ("one", "key"), ("one",), Kind.CONSOLE),
    Table(
        "web_links",
        ("token_hash", "channel", "address", "actor", "made_at", "expires_at", "used_at"),
        ("token_hash",),
        Kind.CONSOLE,
    ),
)
# fmt: on


def tables_on(dialect: str, file: File | None = None) -> tuple[Table, ...]:
    """The tables of a store (on SQLite, of one of its files if `file` is given)."""
    return tuple(
        table
        for table in TABLES
        if dialect in table.stores and (file is None or table.file is file)
    )
