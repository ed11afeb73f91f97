"""A database taken back to the schema before one of its migrations, as the release before that
migration made it, to test the upgrade with the data a test built through today's code.

Only migrations that add tables can be taken back, and each one after the wanted one is taken
back too (they run again on the next opening): each says here what it added."""

from __future__ import annotations

import re
from importlib import resources

from bot.storage import is_postgres
from tests.stores import rows

# Per migration name: what undoes it on SQLite, and on PostgreSQL.
ADDED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "unit_changes": (("DROP TABLE unit_changes",), ("DROP TABLE unit_changes",)),
    "methods": (
        ("DROP TABLE methods",),
        ("DROP TABLE methods", "DROP FUNCTION methods_refuse()"),
    ),
    "web_links": (("DROP TABLE web_links",), ("DROP TABLE web_links",)),
    "liaison_links": (("DROP TABLE liaison_links",), ("DROP TABLE liaison_links",)),
}


def _names(package: str) -> list[tuple[int, str]]:
    found = []
    for entry in resources.files(package).iterdir():
        if m := re.fullmatch(r"(\d{4})_([a-z0-9_]+)\.sql", entry.name):
            found.append((int(m[1]), m[2]))
    return sorted(found)


def rewind(db: str, name: str, *, undone: bool = False) -> None:
    """Take `db` back to the schema before the migration called `name`; `undone`: the caller
    has undone that one itself (a migration of data only its test knows how to undo)."""
    postgres = is_postgres(db)
    migrations = _names("migrations.postgres" if postgres else "migrations")
    (version,) = [v for v, n in migrations if n == name]
    for _, later in reversed([m for m in migrations if m[0] >= version + undone]):
        assert later in ADDED, f"migration {later} cannot be taken back: say what it added"
        for statement in ADDED[later][postgres]:
            rows(db, statement)
    if postgres:
        rows(db, f"UPDATE schema_version SET version = {version - 1}")
    else:
        rows(db, f"PRAGMA user_version = {version - 1}")
