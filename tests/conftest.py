"""Shared test helpers: run the real command line against a real database, on each store.

A test that asks for `database` (directly, or through `cli`) runs twice: on an SQLite file and
on a fresh PostgreSQL database of a server the session starts (tests/pgserver.py) once the
first such test needs it."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.pgserver import PostgresDatabases, postgres_databases

STORES = ("sqlite", "postgres")

DATA = Path(__file__).parent / "data"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "stores(*kinds): the stores a test's `database` is on (all unless marked)"
    )


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


@pytest.fixture
def database(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new database, migrated and empty: an SQLite file's path or a PostgreSQL URL."""
    if store_kind == "sqlite":
        return str(tmp_path / "govinfo.sqlite3")
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
