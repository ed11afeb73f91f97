"""Shared test helpers: run the real command line against a real SQLite file."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main

DATA = Path(__file__).parent / "data"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@dataclass
class Cli:
    db: Path
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
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "govinfo.sqlite3", capsys)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path
