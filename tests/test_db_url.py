"""A database URL the driver would misread is refused in one line, before anything starts; the
password kept out of the logs is the real one, and no short text is ever taken for it."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot import texts
from bot.cli import main
from bot.logs import RedactSecret
from bot.storage import check_url, password_of
from scoring.errors import DomainError

UNENCODED = texts.ERRORS["db_url_unencoded"]
PORT = texts.ERRORS["db_url_port"]
BAD = [
    ("postgresql://govinfo:pa/ss@db.example.org/govinfo", UNENCODED),
    ("postgresql://govinfo:pa#ss@db.example.org/govinfo", UNENCODED),
    ("postgresql://govinfo:pa?ss@db.example.org/govinfo", UNENCODED),
    ("postgresql://govinfo:p@ss@db.example.org/govinfo", UNENCODED),
    ("postgresql://govinfo:secret@db.example.org/govinfo#main", UNENCODED),
    ("postgresql://govinfo:secret@db.example.org:port/govinfo", PORT),
    ("postgres://govinfo:secret@db.example.org:99999/govinfo", PORT),
    ("postgresql://govinfo:secret@a.example.org:5432,b.example.org:x/govinfo", PORT),
    ("postgresql://govinfo:secret@[::1]:five/govinfo", PORT),
    ("postgresql://govinfo@db.example.org/govinfo?port=abc&password=secret", PORT),
]
GOOD = [
    ("postgresql://govinfo:pa%2Fss%23%3F%40@db.example.org:5432/govinfo", "pa/ss#?@"),
    ("postgresql://govinfo:secret@a.example.org:5432,b.example.org:5433/govinfo", "secret"),
    ("postgresql://govinfo:secret@[::1]:5432/govinfo", "secret"),
    ("postgresql://govinfo@db.example.org/govinfo?port=5432&password=se%2Fcret", "se/cret"),
    ("postgresql:///govinfo", None),
]


@pytest.mark.parametrize(("url", "refusal"), BAD)
def test_a_misread_url_is_refused_with_what_is_wrong(url: str, refusal: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_url(url)
    assert texts.error_text(refused.value.code, refused.value.params) == refusal


@pytest.mark.parametrize(("url", "password"), GOOD)
def test_a_well_written_url_passes_with_its_real_password(url: str, password: str | None) -> None:
    check_url(url)
    assert password_of(url) == password


@pytest.mark.parametrize(
    "command",
    [["run"], ["sandbox"], ["verify"], ["standings", "--period", "2024Q1"], ["units", "import", "units.csv"], ["init", "--ruleset",
     "dengkou-2024"]],
)  # fmt: skip
def test_every_command_refuses_a_misread_url_in_one_line(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVINFO_BOT_TOKEN", "123456789:AAsecretPartOfTheToken0123456789")
    monkeypatch.setenv("GOVINFO_DB", "postgresql://govinfo:pa/ss@127.0.0.1:1/govinfo")
    assert main(command) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [UNENCODED] and out == ""
    # Given by --db as well.
    assert main(["--db", "postgresql://govinfo@127.0.0.1:port/govinfo", *command]) == 1
    assert capsys.readouterr().err.splitlines() == [PORT]


def test_db_copy_refuses_a_misread_url_on_either_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = str(tmp_path / "govinfo.sqlite3")
    assert main(["--db", good, "init", "--ruleset", "dengkou-2024"]) == 0
    bad = "postgresql://govinfo:pa#ss@127.0.0.1:1/govinfo"
    capsys.readouterr()
    assert main(["db", "copy", "--from", good, "--to", bad]) == 1
    assert capsys.readouterr().err.splitlines() == [UNENCODED]
    assert main(["db", "copy", "--from", bad, "--to", str(tmp_path / "copy.sqlite3")]) == 1
    assert capsys.readouterr().err.splitlines() == [UNENCODED]


def redacted(secret: str, line: str) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecret(secret))
    log = logging.getLogger("test_db_url")
    log.addHandler(handler)
    try:
        log.warning(line)
    finally:
        log.removeHandler(handler)
    return stream.getvalue().rstrip("\n")


def test_a_short_secret_is_never_a_redaction_pattern() -> None:
    line = "postgres stopped; the pool is empty"
    for short in ("p", "ps", "pos", ""):
        assert redacted(short, line) == line
    assert redacted("pa/ss#?@", "auth pa/ss#?@ and pa%2Fss%23%3F%40") == "auth <token> and <token>"
