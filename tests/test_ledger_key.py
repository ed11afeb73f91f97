"""The ledger against someone who can write the database: lines chained by an HMAC under a key
kept outside it, the chain's head anchored outside it (published bulletins, the admins' chat),
and `govinfo-bot verify` checking the keying, the guarding triggers, every record's status and
the period locks, on both stores."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot import texts
from bot.storage import Store
from bot.storage.chain import HASHED_COLUMNS, hashed_line, line_hash, line_mac
from bot.storage.ledgerkey import key_source, read_key
from bot.telegram.notices import ChatNotices
from bot.usecases.verify import tell_keying
from tests.conftest import Cli, write_csv
from tests.stores import rows
from tests.test_verify import HEADER, build_office, tamper

ADMIN = 9001
NOW = datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    return build_office(cli, tmp_path)


def key_of(db: str) -> bytes:
    """The office's ledger key, where the database's owner keeps it."""
    key = read_key(key_source(db))
    assert key is not None
    return key


def lines(db: str) -> list[tuple[object, ...]]:
    """Every ledger line's hashed columns and its stored hash, in id order."""
    return rows(db, f"SELECT {', '.join(HASHED_COLUMNS)}, hash FROM ledger ORDER BY id")


def rechain(db: str, start: int, key: bytes | None, end: int | None = None) -> None:
    """Hash every line from id `start` on (to `end`) again, as a forger would after changing
    one: with SHA-256 (no key), or with the key itself."""
    previous = ""
    for *line, stored in lines(db):
        if line[0] < start:
            previous = str(stored)
            continue
        if end is not None and line[0] > end:  # type: ignore[operator]
            break
        # Points hashed as the decimal they are, as the store hashes them.
        hashed = hashed_line(line)
        previous = line_hash(previous, hashed) if key is None else line_mac(key, previous, hashed)
        tamper(db, "ledger", f"UPDATE ledger SET hash = '{previous}' WHERE id = {line[0]}")


def fail(cli: Cli, *args: str) -> str:
    result = cli("verify", *args)
    assert result.code == 1, result.out
    return result.err.strip()


def head(cli: Cli) -> str:
    """The anchor `verify` gives for the chain's head."""
    out = cli.ok("verify")
    return out.split("链头锚点：", 1)[1].split("（", 1)[0]


def test_a_forged_line_with_a_self_computed_sha256_is_caught(office: Cli) -> None:
    """The issue's forgery: an INSERT after the last line, its hash the SHA-256 of the previous
    hash and its columns; the triggers let it in (it is appended) and keep the sums with it."""
    db = office.db
    *last, previous = lines(db)[-1]
    forged = [int(last[0]) + 1, *last[1:]]  # type: ignore[call-overload]
    forged[5] = 1000  # points
    forged[HASHED_COLUMNS.index("explanation")] = "伪造"
    slot = rows(db, "SELECT slot FROM ledger WHERE id = ?", (last[0],))[0][0]
    marks = ", ".join("?" for _ in range(len(forged) + 2))
    rows(
        db,
        f"INSERT INTO ledger ({', '.join(HASHED_COLUMNS)}, hash, slot) VALUES ({marks})",
        (*forged, line_hash(str(previous), forged), slot),
    )
    assert fail(office) == texts.error_text("verify_chain", {"line": forged[0]})


def test_a_rewritten_past_line_rehashed_is_caught(office: Cli) -> None:
    db = office.db
    (target,) = rows(db, "SELECT id FROM ledger ORDER BY id LIMIT 1 OFFSET 1")[0]
    tamper(db, "ledger", f"UPDATE ledger SET points = points + 100 WHERE id = {target}")
    rechain(db, target, key=None)
    assert fail(office) == texts.error_text("verify_chain", {"line": target})


def test_deleted_last_lines_are_caught_by_the_anchor(office: Cli) -> None:
    """Removing lines from the end leaves a whole chain: the anchor kept outside the database
    names the line that is gone."""
    anchor = head(office)
    db = office.db
    (last,) = rows(db, "SELECT MAX(id) FROM ledger")[0]
    out = office.ok("verify", "--anchor", anchor)
    assert texts.VERIFY_ANCHOR_OK.format(anchor=anchor, line=last) in out
    tamper(db, "ledger", f"DELETE FROM ledger WHERE id >= {last - 1}")
    # The sums follow the ledger by hand too, as a careful forger would make them.
    for table in ("ledger_months", "ledger_quarters", "item_months"):
        tamper(db, table, f"DELETE FROM {table}")
    assert fail(office, "--anchor", anchor) == texts.error_text(
        "verify_anchor_gone", {"line": last}
    )


def test_a_key_holder_rewriting_history_is_caught_by_the_anchor(office: Cli) -> None:
    """Even re-chained with the key itself, a changed line no longer has the hash the anchor
    (a published bulletin's notes, the admins' chat) recorded."""
    anchor = head(office)
    db = office.db
    (first,) = rows(db, "SELECT MIN(id) FROM ledger")[0]
    tamper(db, "ledger", f"UPDATE ledger SET explanation = '改过' WHERE id = {first}")
    rechain(db, first, key=key_of(db))
    office.ok("verify")
    line = int(anchor.split(":")[0])
    assert fail(office, "--anchor", anchor) == texts.error_text("verify_anchor", {"line": line})
    assert office("verify", "--anchor", "12:xyz").err.strip() == texts.error_text(
        "verify_anchor_format", {"anchor": "12:xyz"}
    )


def test_a_confirmed_record_set_back_to_pending_is_caught(office: Cli) -> None:
    db = office.db
    (record,) = rows(db, "SELECT MIN(record_id) FROM ledger")[0]
    rows(db, "UPDATE records SET status = 'pending' WHERE id = ?", (record,))
    assert fail(office) == texts.error_text("verify_unconfirmed_scored", {"record": record})


def test_a_record_status_against_its_events(office: Cli) -> None:
    """An approved claim (its event says so) made rejected again behind the bot's back."""
    db = office.db
    (record,) = rows(db, "SELECT MIN(id) FROM records")[0]
    rows(
        db,
        "INSERT INTO record_events (record_id, event, actor, reason, at) "
        "VALUES (?, 'approved', 'tg:1', '', '2024-06-01T00:00:00')",
        (record,),
    )
    office.ok("verify")
    rows(db, "UPDATE records SET status = 'rejected' WHERE id = ?", (record,))
    assert fail(office) == texts.error_text(
        "verify_status", {"record": record, "status": "rejected", "event": "approved"}
    )


def test_deleted_period_locks_are_caught(office: Cli) -> None:
    office.ok("period", "lock", "2024Q2")
    office.ok("verify")
    rows(office.db, "DELETE FROM period_locks")
    assert fail(office) == texts.error_text(
        "verify_locks", {"period": "2024Q2", "history": "locked"}
    )


@pytest.mark.stores("sqlite")
def test_dropped_triggers_are_caught_on_sqlite(office: Cli) -> None:
    with sqlite3.connect(office.db) as conn:
        names = [
            n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        ]
        for name in names:
            conn.execute(f"DROP TRIGGER {name}")
    problem = fail(office)
    assert problem.startswith(texts.ERRORS["verify_guards"].split("{")[0])
    for name in ("ledger_no_update", "ledger_no_delete", "ledger_append_only", "ledger_sums"):
        assert name in problem


def test_the_keying_cannot_be_removed_or_the_key_swapped(office: Cli, tmp_path: Path) -> None:
    db = office.db
    source = key_source(db)
    assert source.file is not None and source.file.exists()
    # Another key (a forger's own) in the key file's place.
    original = source.file.read_text()
    source.file.write_text("ab" * 32 + "\n")
    assert fail(office).startswith(texts.ERRORS["verify_key_wrong"].split("{")[0][:10])
    source.file.write_text(original)
    tamper(db, "ledger_keying", "DELETE FROM ledger_keying")
    assert fail(office) == texts.error_text("verify_unkeyed", {})


def test_without_the_key_writing_is_refused_and_reading_works(office: Cli, tmp_path: Path) -> None:
    source = key_source(office.db)
    assert source.file is not None
    before = office.ok("standings", "--period", "2024Q2")
    source.file.rename(tmp_path / "kept-elsewhere.key")
    more = [["2024-06-05", "公安局", "city.jccc", 1, "", "", "调研二", ""]]
    result = office("records", "import", str(write_csv(tmp_path / "more.csv", HEADER, more)))
    assert result.code == 1
    assert result.err.strip() == texts.error_text("ledger_key_missing", {"file": str(source.file)})
    assert office.ok("standings", "--period", "2024Q2") == before
    (tmp_path / "kept-elsewhere.key").rename(source.file)
    office.ok("records", "import", str(write_csv(tmp_path / "more.csv", HEADER, more)))
    office.ok("verify")


def test_a_published_period_is_proved_unchanged_by_its_anchor(office: Cli, tmp_path: Path) -> None:
    office.ok("bulletin", "publish", "--period", "2024Q2")
    (anchor,) = rows(office.db, "SELECT anchor FROM bulletins")[0]
    assert f"链头锚点：{anchor}" in office.ok("bulletin", "list")
    # The published spreadsheet's notes carry it, as published.
    xlsx = tmp_path / "published.xlsx"
    office.ok(
        "bulletin", "--period", "2024Q2", "--version", "1", "--format", "xlsx", "--out", str(xlsx)
    )
    cells = [
        str(c.value) for sheet in load_workbook(xlsx) for row in sheet.iter_rows() for c in row
    ]
    assert any(texts.NOTE_ANCHOR.format(anchor=anchor) in cell for cell in cells)
    # Later lines (another period) leave the published one's anchor standing.
    more = [["2024-07-05", "公安局", "city.jccc", 1, "", "", "调研二", ""]]
    office.ok("records", "import", str(write_csv(tmp_path / "more.csv", HEADER, more)))
    line = int(anchor.split(":")[0])
    out = office.ok("verify", "--anchor", anchor)
    assert texts.VERIFY_ANCHOR_OK.format(anchor=anchor, line=line) in out
    # A line of the published quarter changed and the whole chain re-made with the key.
    (first,) = rows(office.db, "SELECT MIN(id) FROM ledger WHERE date >= '2024-04-01'")[0]
    tamper(office.db, "ledger", f"UPDATE ledger SET explanation = 'x' WHERE id = {first}")
    rechain(office.db, first, key=key_of(office.db))
    assert fail(office, "--anchor", anchor) == texts.error_text("verify_anchor", {"line": line})


def test_a_database_from_before_is_keyed_once_and_the_admins_told(
    office: Cli, tmp_path: Path
) -> None:
    """A database of the release before: SHA-256 lines and no keying. Opened, it is keyed from
    its next line on; its old lines stay valid as they were, the new ones are keyed."""
    db = office.db
    tamper(db, "ledger_keying", "DELETE FROM ledger_keying")
    rechain(db, 1, key=None)
    # What the keying migration leaves on a database initialised before it (on SQLite,
    # tests/test_verify.py migrates a database of migration level 3 through it).
    rows(db, "INSERT INTO settings (key, value) VALUES ('ledger_keying_due', 'upgrade')")
    key_file = key_source(db).file
    assert key_file is not None
    key_file.unlink()
    (last,) = rows(db, "SELECT MAX(id) FROM ledger")[0]

    async def upgrade() -> tuple[bool, bool]:
        store = await Store.open(db)
        try:
            notices = ChatNotices([ADMIN])
            return await tell_keying(store, notices, NOW), await tell_keying(store, notices, NOW)
        finally:
            await store.close()

    assert asyncio.run(upgrade()) == (True, False)
    assert key_file.exists()
    assert rows(db, "SELECT first_line FROM ledger_keying") == [(last + 1,)]
    told = rows(db, "SELECT address, text FROM outbox WHERE source = 'ledger_keyed'")
    assert told == [(str(ADMIN), texts.LEDGER_KEYED.format(line=last + 1, file=str(key_file)))]
    office.ok("verify")
    more = [["2024-06-05", "公安局", "city.jccc", 1, "", "", "调研二", ""]]
    office.ok("records", "import", str(write_csv(tmp_path / "more.csv", HEADER, more)))
    office.ok("verify")
    # The new line is keyed: its SHA-256 re-made by a forger breaks the chain there.
    (new,) = rows(db, "SELECT MAX(id) FROM ledger")[0]
    assert new == last + 1
    rechain(db, new, key=None)
    assert fail(office) == texts.error_text("verify_chain", {"line": new})
    rechain(db, new, key=key_of(db))
    office.ok("verify")
    # An old line rewritten and the unkeyed chain re-made after it: it no longer ends on the
    # head the keying recorded.
    tamper(db, "ledger", "UPDATE ledger SET explanation = '改过' WHERE id = 1")
    rechain(db, 1, key=None, end=last)
    assert fail(office) == texts.error_text("verify_chain", {"line": new})


@pytest.mark.stores("sqlite")
def test_a_copy_carries_the_key_and_refuses_a_different_one(office: Cli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.sqlite3"
    Path(f"{elsewhere}.key").write_text("cd" * 32 + "\n")
    result = office("db", "copy", "--from", office.db, "--to", str(elsewhere))
    assert result.code == 1
    assert result.err.strip() == texts.error_text("copy_key_differs", {"file": f"{elsewhere}.key"})
    Path(f"{elsewhere}.key").unlink()
    office.ok("db", "copy", "--from", office.db, "--to", str(elsewhere))
    assert Path(f"{elsewhere}.key").read_bytes() == Path(f"{office.db}.key").read_bytes()
    Cli(str(elsewhere), office.capsys).ok("verify")
