"""A throwaway PostgreSQL server for the test session, and a fresh database for each test.

The server is Debian's (package postgresql-15; `.ci/run` installs it where it is missing), run
from the newest /usr/lib/postgresql/<version>/bin, or from $GOVINFO_PG_BIN. PostgreSQL refuses
to run as root: as root its tools run as the `postgres` user the package created. It listens on
a Unix socket in its own temporary directory only: no TCP port, so parallel sessions on one
machine cannot collide. Durability is off, but for benchmarks that ask for it (`durable`). A
session killed before its teardown leaves a server behind: the next session stops it (owner.pid
names the dead owner).

Each test's database is a copy of a template migrated once (Store.open), made in ~15 ms on
tmpfs: migrating each afresh would cost ~120 ms a test.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.storage import Store

PREFIX = "govinfo-pg-"
TEMPLATE = "govinfo_template"
SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
}
# PostgreSQL's own defaults, for benchmarks that measure what a production server would do.
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def _bindir() -> Path:
    if env := os.environ.get("GOVINFO_PG_BIN"):
        return Path(env)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.fail("PostgreSQL server binaries not found: apt-get install -y postgresql-15")
    return found[-1].parent


def _as_server_user() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam(os.environ.get("GOVINFO_PG_USER", "postgres"))
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _pg_ctl(bindir: Path, base: Path, *args: str, check: bool = True) -> None:
    subprocess.run(
        [bindir / "pg_ctl", "-D", base / "data", *args],
        cwd=base, check=check, capture_output=True, **_as_server_user(),
    )  # fmt: skip


def _parent(durable: bool) -> str:
    """tmpfs if there is one: a database per test costs ~15 ms there against 100-500 ms on a
    busy disk (measured on a 2-core machine). A durable server's goes to the temporary
    directory, on disk where tmpfs is not mounted there."""
    if env := os.environ.get("GOVINFO_PG_DIR"):
        return env
    if durable or not os.access("/dev/shm", os.W_OK):
        return tempfile.gettempdir()
    return "/dev/shm"


def _stop_orphans(bindir: Path, parent: str) -> None:
    for base in Path(parent).glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError, ValueError):
            owner = int((base / "owner.pid").read_text())
            with contextlib.suppress(ProcessLookupError):
                os.kill(owner, 0)
                continue  # its session is still running
            if (base / "data" / "postmaster.pid").exists():
                _pg_ctl(bindir, base, "-m", "immediate", "-w", "stop", check=False)
            shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(*, durable: bool = False) -> Iterator[str]:
    """A running server; its URL (database `postgres`). `durable`: fsync and synchronous
    commits on, as PostgreSQL ships, its files on disk rather than tmpfs."""
    bindir = _bindir()
    parent = _parent(durable)
    _stop_orphans(bindir, parent)
    user = _as_server_user()
    # Not pytest's tmp_path: its base directory is root's, mode 0700, which `postgres` cannot enter.
    base = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    (base / "owner.pid").write_text(str(os.getpid()))
    if user:
        os.chown(base, user["user"], user["group"])
    try:
        subprocess.run(
            [bindir / "initdb", "-D", base / "data", "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            cwd=base, check=True, capture_output=True, **user,
        )  # fmt: skip
        durability = DURABLE if durable else {}
        settings = {**SETTINGS, **durability, "unix_socket_directories": str(base)}
        options = " ".join(f"-c {key}={value}" for key, value in settings.items())
        try:
            _pg_ctl(bindir, base, "-l", str(base / "log"), "-w", "-t", "60", "-o", options, "start")
        except subprocess.CalledProcessError:
            log = base / "log"
            pytest.fail(f"PostgreSQL did not start:\n{log.read_text() if log.exists() else ''}")
        yield f"postgresql://postgres@/postgres?host={base}&port=5432"
    finally:
        if (base / "data" / "postmaster.pid").exists():
            _pg_ctl(bindir, base, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(base, ignore_errors=True)


def with_database(dsn: str, name: str) -> str:
    return dsn.replace("/postgres?", f"/{name}?", 1)


def run_sync(coroutine: Any) -> Any:
    """Run a coroutine to its end from synchronous code, also inside a running event loop (an
    async test's helpers): on a thread of its own."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


async def _admin(dsn: str, *statements: str) -> None:
    """Statements outside any transaction (CREATE and DROP DATABASE)."""
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def migrate_database(target: str) -> None:
    """Migrate the database at `target` (a URL or an SQLite file's path), made if missing."""
    store = await Store.open(target)
    await store.close()


class PostgresDatabases:
    """Fresh databases on one server, each a copy of the migrated template."""

    def __init__(self, server: str) -> None:
        self.server = server
        self._numbers = itertools.count(1)
        self._last: str | None = None

    def new(self, template: str = TEMPLATE) -> str:
        """A new database, a copy of `template` (a database kept by `keep`, or the migrated
        empty one)."""
        # The previous test's database is dropped now rather than at its end: right after a
        # test its server processes are still exiting, and DROP DATABASE would wait for them.
        name = f"test_{next(self._numbers)}"
        drop = [f"DROP DATABASE IF EXISTS {self._last} WITH (FORCE)"] if self._last else []
        run_sync(
            _admin(
                self.server, *drop, f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"
            )
        )
        self._last = name
        return with_database(self.server, name)

    def keep(self, database: str) -> str:
        """A copy of `database` (a URL, closed) kept for the session: a template for `new`,
        for tests that each start from the same data built once. Its name."""
        name = f"kept_{next(self._numbers)}"
        source = database.partition("?")[0].rpartition("/")[2]
        run_sync(
            _admin(self.server, f"CREATE DATABASE {name} TEMPLATE {source} STRATEGY FILE_COPY")
        )
        return name


@contextlib.contextmanager
def postgres_databases(*, durable: bool = False) -> Iterator[PostgresDatabases]:
    with postgres_server(durable=durable) as server:
        run_sync(_admin(server, f"CREATE DATABASE {TEMPLATE}"))
        run_sync(migrate_database(with_database(server, TEMPLATE)))
        yield PostgresDatabases(server)


def query(target: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of one query on a PostgreSQL database, written with `?` marks as for SQLite."""
    from bot.storage.sql import MARK, tokens

    numbers = iter(range(1, len(params) + 1))
    text = "".join(f"${next(numbers)}" if kind == MARK else token for kind, token in tokens(sql))

    async def fetch() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(target)
        try:
            return [tuple(row) for row in await conn.fetch(text, *params)]
        finally:
            await conn.close()

    return run_sync(fetch())  # type: ignore[no-any-return]
