"""Shared test helpers: run the real command line against a real database, on each store.

A test that asks for `database` (directly, or through `cli`) runs twice: on an SQLite file and
on a fresh PostgreSQL database of a server the session starts (tests/pgserver.py) once the
first such test needs it; on either store a copy of a database migrated once per worker."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import database_files
from tests.pgserver import PostgresDatabases, migrate_database, postgres_databases, run_sync

# One Chromium per test process for every browser test (tests/web.py says why).
from tests.web import lent_browser, shared_chromium  # noqa: F401 (the fixtures)

STORES = ("sqlite", "postgres")

DATA = Path(__file__).parent / "data"

# No test speaks TLS (the fake Bot API, the webhooks and nginx are plain HTTP on loopback), yet
# every HTTP client httpx makes (two for each Application the tests start) would load a whole
# bundle of CA certificates (certifi's, or SSL_CERT_FILE's): ~55 ms of CPU each. From a
# directory (SSL_CERT_DIR, which httpx reads after SSL_CERT_FILE) a certificate is read only when
# one is to be checked. Child processes (the bots the tests start) inherit it.
if os.path.isdir("/etc/ssl/certs"):
    os.environ.pop("SSL_CERT_FILE", None)
    os.environ["SSL_CERT_DIR"] = "/etc/ssl/certs"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "stores(*kinds): the stores a test's `database` is on (all unless marked)"
    )


# The slowest tests, slowest first (measured with `--durations`; most of their time is waiting on
# processes, servers and timers). The slowest start first, so that none is left running alone at
# the end while the other workers idle; the README's command hands tests out one at a time, in
# the order collected (`--dist load --maxschedchunk 1`). They are spread among the others rather
# than all started at once: most start several bot processes, and all of them at the same time
# on a loaded machine made their waits fail. A name missing here only runs in its usual place.
SLOW_FIRST = (
    "test_replicas.py::test_three_replicas_one_killed",
    "test_restart.py::test_killed_at_random_moments_nothing_is_lost_or_done_twice",
    "test_jobs_quarter.py::test_a_quarter_of_reminders_warnings_and_settlements",
    "test_nginx_example.py::test_the_readme_nginx_example_in_front_of_three_replicas",
    "test_properties.py::test_penalties_equal_a_settlement_from_scratch",
    "test_properties.py::test_totals_are_sums_of_entries_and_ranks_follow_totals",
    "test_hostile_files.py::test_cells_beyond_excels_limit",
    "test_hostile_files.py::test_one_shared_string_of_400_mb",
    "test_properties.py::test_an_import_stores_all_of_its_rows_or_none",
    "test_lease.py::test_two_bots_on_one_database",
    "test_webhook.py::test_webhook_with_the_secret_killed_and_restarted",
    "test_hostile_files.py::test_a_sheet_of_more_than_a_million_rows",
    "test_hostile_files.py::test_only_regular_files_are_read",
    "test_hostile_files.py::test_a_roster_of_a_million_rows",
    "test_office_files.py::test_a_register_saved_by_a_spreadsheet_program",
    "test_hostile_files.py::test_csv_fields_beyond_the_limit",
    "test_lease.py::test_a_holder_elsewhere_is_waited_for_and_a_lost_lease_stops_the_bot",
    "test_token.py::test_a_working_bot_at_debug_level_does_not_print_its_token",
    "test_hostile_files.py::test_csv_of_more_than_a_million_rows",
    "test_sandbox.py::test_command_line_sandbox",
    "test_token.py::test_the_webhook_secret_is_not_printed",
    "test_token.py::test_a_rejected_token_is_not_printed",
    "test_restart.py::test_killed_once_its_batch_is_confirmed",
    "test_locks.py::test_a_locked_quarter_in_chat",
    "test_hostile_files.py::test_a_row_numbered_beyond_a_million",
    "test_written_files.py::test_a_spreadsheet_program_reads_our_csv_as_text",
    "test_hostile_chat.py::test_hostile_input_gets_clear_answers",
    "test_chat_help.py::test_every_line_of_every_reply_fits_a_phone",
    "test_jobs_quarter.py::test_units_of_a_group_without_a_quota_get_no_reminder",
)


def _slowness(item: pytest.Item) -> int:
    name = item.nodeid.removeprefix("tests/").split("[")[0]
    return SLOW_FIRST.index(name) if name in SLOW_FIRST else len(SLOW_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow = sorted((i for i in items if _slowness(i) < len(SLOW_FIRST)), key=_slowness)
    others = [i for i in items if _slowness(i) == len(SLOW_FIRST)]  # in pytest's order
    share = len(others) // max(len(slow), 1)
    ordered: list[pytest.Item] = []
    for n, item in enumerate(slow):
        ordered += [item, *others[n * share : (n + 1) * share]]
    items[:] = ordered + others[len(slow) * share :]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("stores")
        metafunc.parametrize("store_kind", marker.args if marker else STORES)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    with postgres_databases() as databases:
        yield databases


@pytest.fixture(autouse=True)
def ledger_key_file(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL database's ledger key in the test's own directory (by default it would be
    made in the working directory); an SQLite database's lies beside its file."""
    callspec = getattr(request.node, "callspec", None)
    # A `database` on PostgreSQL, or a store chosen by a parameter of another name.
    params = callspec.params.values() if callspec is not None else ()
    if any(value == "postgres" for value in params) or "postgres" in request.fixturenames:
        monkeypatch.setenv("GOVINFO_LEDGER_KEY_FILE", str(tmp_path / "ledger.key"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database migrated once per worker, as PostgreSQL's template is: migrating each
    test's afresh cost ~80 ms of CPU, copying its files ~1 ms."""
    path = tmp_path_factory.mktemp("template") / "govinfo.sqlite3"
    run_sync(migrate_database(str(path)))
    return path


@pytest.fixture
def database(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new database, migrated and empty: an SQLite file's path or a PostgreSQL URL."""
    if store_kind == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / template.name
        # The database and its working file (closed, they have no WAL files left).
        for source, target in zip(database_files(template), database_files(path), strict=True):
            if source.exists():
                shutil.copyfile(source, target)
        return str(path)
    databases: PostgresDatabases = request.getfixturevalue("postgres")
    return databases.new()


@dataclass
class Cli:
    db: str
    capsys: pytest.CaptureFixture[str]

    def __call__(self, *args: str) -> CliResult:
        self.capsys.readouterr()
        code = main(["--db", str(self.db), *args])
        captured = self.capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.code == 0, result.err
        return result.out


@pytest.fixture
def cli(database: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(database, capsys)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path
