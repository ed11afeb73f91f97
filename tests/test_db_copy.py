"""`govinfo-bot db copy`: an office moved from SQLite to PostgreSQL and back keeps every row, its
ledger's hashes, the sums its triggers keep and its standings; a target holding anything is
refused and left as it was."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot import texts
from bot.storage import Store, bot_file_path, is_postgres, shown
from bot.storage.copy import NOT_COPIED, TABLES
from bot.storage.ledger import LEDGER_COLUMNS
from tests.conftest import Cli, write_csv
from tests.pgserver import PostgresDatabases, query, run_sync
from tests.reissued import REISSUED_FROM, write_reissued
from tests.stores import rows

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
UNIT_HEADER = ["name", "group", "aliases"]
NEW_UNIT = ["财政局", "B", ""]
UNITS = [["教育局", "A", "教育"], ["公安局", "B", ""], ["审计局", "B", ""], ["气象局", "C", ""]]
KEPT_SUMS = {
    "ledger_months": ("month", "unit_id"),
    "ledger_quarters": ("quarter", "unit_id"),
    "item_months": ("month", "rule_id"),
}


def submitted(unit: str, month: str, n: int, first: int = 1) -> list[list[object]]:
    return [
        [f"{month}-{day:02d}", unit, "报送", 1, "", "", f"{unit}{month}第{day}条", ""]
        for day in range(first, first + n)
    ]


# What the chat and the scheduler write, which the command line cannot: a liaison and an invite,
# a personal link, a commission answered and selected, a job run, a message sent, an update
# claimed.
CHAT_ROWS = [
    "INSERT INTO liaisons (channel, address, unit_id, name, username, active, joined_at) "
    "VALUES ('telegram', '9001', 1, '王芳', 'wangfang', 1, '2024-05-01T09:00:00+08:00')",
    "INSERT INTO liaisons (channel, address, unit_id, name, username, active, joined_at) "
    "VALUES ('telegram', '9002', 2, '李强', '', 0, '2024-05-02T09:00:00+08:00')",
    "INSERT INTO liaison_events (channel, address, event, reason, at) "
    "VALUES ('telegram', '9002', 'deactivated', '屏蔽了机器人', '2024-06-01T09:00')",
    "INSERT INTO invites (code_hash, unit_id, created_channel, created_by, created_at, "
    "expires_at, used_channel, used_by, used_at) VALUES ('ab12', 3, 'telegram', '1', "
    "'2024-05-01T09:00', '2024-05-08T09:00', NULL, NULL, NULL)",
    "INSERT INTO invite_failures (channel, address, at) "
    "VALUES ('telegram', '9003', '2024-05-03T10:00')",
    "INSERT INTO invite_failures (channel, address, at) "
    "VALUES ('telegram', '9003', '2024-05-03T10:00')",
    # A liaison of the web console's page, by a personal link revoked since.
    "INSERT INTO liaison_links (id, token_hash, created_by, created_at, revoked_by, revoked_at) "
    "VALUES (4, 'cd34', 'web:王芳', '2024-05-04T09:00', 'tg:1', '2024-05-05T09:00')",
    "INSERT INTO liaisons (channel, address, unit_id, name, username, active, joined_at) "
    "VALUES ('web', '4', 3, '赵信息员', '', 0, '2024-05-04T09:00:00+08:00')",
    "INSERT INTO commissions (id, topic, deadline, created_channel, created_by, created_at, "
    "closed_at) VALUES (1, '春耕备耕', '2024-05-20', 'telegram', '1', '2024-05-10T09:00', NULL)",
    "INSERT INTO commission_targets VALUES (1, 1, 'answered', 1)",
    "INSERT INTO commission_answers VALUES (1, 1, 1)",
    "INSERT INTO commission_selections VALUES (1, 'city.commission', 2)",
    "INSERT INTO job_runs VALUES ('settlement', '2024-05', '2024-06-01T09:00', "
    "'2024-06-01T09:00:05', 'done', '')",
    "INSERT INTO outbox (id, source, channel, address, text, parse_mode, created_at, sent_at, "
    "failure, buttons, attachment, held_until, tried_at) VALUES (1, 'settlement', 'telegram', "
    "'9001', '提醒函', NULL, '2024-06-01T09:00', '2024-06-01T09:00:01', NULL, '[]', NULL, NULL, "
    "'2024-06-01T09:00:01')",
    "INSERT INTO claimed_updates VALUES (700001, '2024-06-01T09:00')",
]


def build_office(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An office's first half of 2024: adoptions, an adjustment and a penalty, April and May
    settled (one unit short in May, then a late submission that settles May again), the first
    quarter locked and the second published, a unit renamed from July."""
    cli.ok("init", "--ruleset", "dengkou-2024")
    units = write_csv(tmp_path / "u.csv", UNIT_HEADER, UNITS)
    cli.ok("units", "import", str(units))
    records = [
        ["2024-03-06", "教育局", "city.jccc", 1, "", "", "调研一", ""],
        ["2024-05-07", "公安局", "city.zwyq.main", 2, "", "", "动态", ""],
        ["2024-05-08", "审计局", "city.jccc", 1, "", "", "审计调研", ""],
        ["2024-06-03", "审计局", "adjustment", 1, 12, "", "", "补记"],
        ["2024-06-04", "教育局", "error.city_endorsed", 1, "", "", "", "数据失误"],
        *submitted("公安局", "2024-04", 8),
        *submitted("公安局", "2024-05", 7),
        *submitted("审计局", "2024-04", 8),
        *submitted("审计局", "2024-05", 8),
        *submitted("教育局", "2024-04", 15),
        *submitted("教育局", "2024-05", 15),
        *submitted("气象局", "2024-04", 4),
        *submitted("气象局", "2024-05", 4),
    ]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, records)))
    cli.ok("quota", "settle", "--month", "2024-04")
    cli.ok("quota", "settle", "--month", "2024-05")
    late = write_csv(tmp_path / "late.csv", HEADER, submitted("公安局", "2024-05", 1, first=20))
    cli.ok("records", "import", str(late))
    # The office reissued its method from May: a second method to copy.
    cli.ok("rules", "adopt", str(write_reissued(tmp_path)), "--from", REISSUED_FROM, "--yes")
    cli.ok("period", "lock", "2024Q1")
    monkeypatch.delenv("GOVINFO_OFFICE_NAME", raising=False)
    cli.ok("bulletin", "publish", "--period", "2024Q2")
    cli.ok("units", "rename", "气象局", "气象服务中心", "--from", "2024-07-01", "--yes")
    password = tmp_path / "password.txt"
    password.write_text("a console password\n", encoding="utf-8")
    cli.ok("users", "add", "王芳", "--role", "admin", "--password-file", str(password))
    with sqlite3.connect(cli.db) as conn:
        for statement in CHAT_ROWS:
            conn.execute(statement)


def contents(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every copied table and every kept sum, row by row in key order."""
    found = {
        table.name: rows(
            db,
            f"SELECT {', '.join(table.columns)} FROM {table.name} "
            f"ORDER BY {', '.join(table.key or table.columns)}",
        )
        for table in TABLES
    }
    for table, key in KEPT_SUMS.items():
        found[table] = rows(db, f"SELECT * FROM {table} ORDER BY {', '.join(key)}")
    return found


def standings(cli: Cli) -> list[Any]:
    return [
        json.loads(cli.ok("standings", "--period", period, "--format", "json"))
        for period in ("2024Q1", "2024Q2", "2024")
    ]


@pytest.fixture
def office(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    cli = Cli(str(tmp_path / "office.sqlite3"), capsys)
    build_office(cli, tmp_path, monkeypatch)
    return cli


def test_an_office_goes_to_postgresql_and_back_unchanged(
    office: Cli, postgres: PostgresDatabases, tmp_path: Path
) -> None:
    before = contents(office.db)
    assert all(before[table.name] for table in TABLES), "every table has rows to copy"
    reverses = LEDGER_COLUMNS.index("reverses")
    assert any(line[reverses] is not None for line in before["ledger"]), "a reversing line"
    table = standings(office)
    head = office.ok("verify").split("链头锚点：", 1)[1].split("（", 1)[0]

    server = postgres.new()
    back = str(tmp_path / "back.sqlite3")
    for source, target in ((office.db, server), (server, back)):
        out = office.ok("db", "copy", "--from", source, "--to", target)
        copied = Cli(target, office.capsys)
        assert contents(target) == before
        assert standings(copied) == table
        lines = len(before["ledger"])
        sums = sum(len(before[t]) for t in KEPT_SUMS)
        ok = texts.VERIFY_OK_POSTGRES if is_postgres(target) else texts.VERIFY_OK
        assert out.splitlines()[-2] == ok.format(lines=lines, sums=sums)
        # The same lines under the same key (copied with them): the same head.
        assert out.splitlines()[-1] == texts.VERIFY_HEAD.format(anchor=head)
        assert texts.COPY_TABLE_LINE.format(table="积分流水", rows=lines) in out.splitlines()
        assert copied.ok("verify").splitlines() == out.splitlines()[-2:]
    # The copy is the same assessment: its working file is its own, not another database's.
    assert rows(bot_file_path(Path(back)), "SELECT database_id FROM belongs_to") == [
        (dict(before["settings"])["database_id"],)
    ]

    # The copy on PostgreSQL takes new units, batches and lines after the ids copied in.
    on_server = Cli(server, office.capsys)
    on_server.ok("units", "import", str(write_csv(tmp_path / "u2.csv", UNIT_HEADER, [NEW_UNIT])))
    more = [["2024-07-01", "财政局", "city.jccc", 1, "", "", "七月调研", ""]]
    on_server.ok("records", "import", str(write_csv(tmp_path / "july.csv", HEADER, more)))
    last = max(batch[0] for batch in before["batches"])
    assert rows(server, "SELECT COUNT(*) FROM batches WHERE id > ?", (last,)) == [(2,)]
    on_server.ok("verify")

    # A line changed behind the bot's back on PostgreSQL is named there, and in a copy of it.
    (line,) = rows(server, "SELECT id FROM ledger ORDER BY id LIMIT 1 OFFSET 3")[0]
    query(server, "ALTER TABLE ledger DISABLE TRIGGER USER")
    query(server, f"UPDATE ledger SET points = points + 1 WHERE id = {line}")
    query(server, "ALTER TABLE ledger ENABLE TRIGGER USER")
    broken = texts.error_text("verify_chain", {"line": line})
    assert on_server("verify").err.strip() == broken
    result = office("db", "copy", "--from", server, "--to", str(tmp_path / "again.sqlite3"))
    # The copy is made, as it stood; the check of it names the line.
    assert (result.code, result.err.strip()) == (1, broken)
    assert texts.COPY_TABLE_LINE.format(table="积分流水", rows=lines + 1) in result.out.splitlines()


def test_a_target_holding_anything_is_refused_and_left_as_it_was(
    office: Cli, database: str, tmp_path: Path
) -> None:
    target = Cli(database, office.capsys)
    target.ok("init", "--ruleset", "dengkou-2024")
    target.ok("units", "import", str(write_csv(tmp_path / "t.csv", UNIT_HEADER, [NEW_UNIT])))
    before = contents(database)
    result = office("db", "copy", "--from", office.db, "--to", database)
    assert result.code == 1
    # The first table holding anything: the ruleset in settings (its name for itself aside).
    assert result.err.strip() == texts.error_text(
        "copy_target_not_empty",
        {"db": shown(database), "table": "设置和规则集", "rows": len(before["settings"]) - 1},
    )
    assert contents(database) == before


async def received(db: str, updates: list[tuple[int, str]]) -> None:
    store = await Store.open(db)
    try:
        async with store.bot_autocommit() as tx:
            await tx.intake.store_updates(updates, datetime(2024, 7, 1))
    finally:
        await store.close()


def test_a_missing_source_or_updates_not_yet_handled_are_refused(
    office: Cli, database: str, tmp_path: Path
) -> None:
    missing = str(tmp_path / "typo.sqlite3")
    result = office("db", "copy", "--from", missing, "--to", database)
    assert result.code == 1
    assert result.err.strip() == texts.error_text("copy_source_missing", {"db": missing})
    assert not Path(missing).exists(), "no empty database made where the source was not"
    # Updates Telegram was told arrived but the bot has not handled: they live in the bot's
    # own tables, which are not copied.
    run_sync(received(office.db, [(41, "{}"), (42, "{}")]))
    result = office("db", "copy", "--from", office.db, "--to", database)
    assert result.code == 1
    assert result.err.strip() == texts.error_text(
        "copy_source_unhandled", {"db": office.db, "updates": 2}
    )
    assert rows(database, "SELECT COUNT(*) FROM settings WHERE key = 'ruleset'") == [(0,)]


def schema(db: str) -> dict[str, list[str]]:
    """Every table of a store, with its columns in order (SQLite's working file included)."""
    if is_postgres(db):
        columns = rows(
            db,
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
        )
    else:
        columns = [
            (table, column)
            for file in (db, bot_file_path(Path(db)))
            for (table,) in rows(file, "SELECT name FROM sqlite_master WHERE type = 'table'")
            for (column,) in rows(file, "SELECT name FROM pragma_table_info(?)", (table,))
        ]
    found: dict[str, list[str]] = {}
    for table, column in columns:
        found.setdefault(table, []).append(column)
    return found


def test_every_table_is_copied_whole_or_said_not_to_be(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table or a column added to either schema must be copied, or named as not copied."""
    Cli(database, capsys).ok("verify")  # opened: made and migrated
    tables = schema(database)
    # Rows are read and written by column name: the order need not match.
    assert {t.name: sorted(tables.get(t.name, [])) for t in TABLES} == {
        t.name: sorted(t.columns) for t in TABLES
    }
    assert set(tables) - {t.name for t in TABLES} <= NOT_COPIED
