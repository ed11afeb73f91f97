"""A tamper-evident ledger: lines chained by hashes, kept sums that only the ledger's trigger may
write, and `govinfo-bot verify` (also run daily by the scheduler) naming the first line or sum
that no longer agrees, on either store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from bot import texts
from bot.storage import Store, is_postgres, migration_files
from bot.storage.chain import line_hash
from tests.chat import ADMIN, flat, running_bot
from tests.conftest import Cli, write_csv
from tests.jobs import at, clock, idle, run_at
from tests.pgserver import query
from tests.stores import rows

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]


def build_office(cli: Cli, tmp_path: Path) -> Cli:
    """A dengkou-2024 database with a few adoptions, an adjustment and a penalty."""
    cli.ok("init", "--ruleset", "dengkou-2024")
    units = [["教育局", "A", ""], ["公安局", "B", ""], ["审计局", "B", ""]]
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], units))
    )
    records = [
        ["2024-05-06", "教育局", "city.jccc", 1, "", "", "调研一", ""],
        ["2024-05-07", "公安局", "city.zwyq.main", 2, "", "", "动态", ""],
        ["2024-06-03", "审计局", "adjustment", 1, 12, "", "", "补记"],
        ["2024-06-04", "教育局", "error.city_endorsed", 1, "", "", "", "数据失误"],
    ]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, records)))
    return cli


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    return build_office(cli, tmp_path)


def tamper(db: str, table: str, statement: str) -> None:
    """Edit a table behind the bot's back, its triggers out of the way meanwhile and back in
    place after, as the database's owner could: on SQLite with the sqlite3 shell, on PostgreSQL
    as superuser."""
    if is_postgres(db):
        query(db, f"ALTER TABLE {table} DISABLE TRIGGER USER")
        query(db, statement)
        query(db, f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    with sqlite3.connect(db) as conn:
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        ).fetchall()
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(statement)
        for _, sql in triggers:
            conn.execute(sql)


def refused(db: str | Path, statement: str, params: tuple[object, ...] = ()) -> str:
    """The store's refusal of a statement."""
    if is_postgres(db):
        with pytest.raises(asyncpg.RaiseError) as caught:
            query(str(db), statement, params)
        return str(caught.value)
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.IntegrityError) as caught:
        conn.execute(statement, params)
    return str(caught.value)


def test_a_clean_database_verifies(office: Cli) -> None:
    out = office.ok("verify")
    lines = rows(office.db, "SELECT COUNT(*) FROM ledger")[0][0]
    assert out.strip().startswith(f"核验通过：{lines} 条积分流水")


def test_the_ledger_and_its_sums_refuse_edits(office: Cli, tmp_path: Path) -> None:
    db = office.db
    line = rows(db, "SELECT * FROM ledger WHERE reverses IS NULL ORDER BY id LIMIT 1")[0]
    values = f"VALUES ({', '.join('?' for _ in line)})"
    # A line written again over itself: SQLite's REPLACE, PostgreSQL's upsert.
    replaced = (
        [f"INSERT INTO ledger {values} ON CONFLICT (id) DO UPDATE SET points = 1000"]
        if is_postgres(db)
        else [f"INSERT OR REPLACE INTO ledger {values}", f"REPLACE INTO ledger {values}"]
    )
    for statement in replaced:
        assert "append-only" in refused(db, statement, line)
    assert "append-only" in refused(db, "UPDATE ledger SET points = 1000")
    assert "append-only" in refused(db, "DELETE FROM ledger")
    for table in ("ledger_months", "ledger_quarters", "item_months"):
        assert "kept sums" in refused(db, f"UPDATE {table} SET items = items + 1")
        assert "kept sums" in refused(db, f"DELETE FROM {table}")
    written = "INSERT INTO item_months (month, rule_id, items) VALUES ('2024-05', 'city.jccc', 9)"
    assert "kept sums" in refused(
        db,
        f"{written} ON CONFLICT (month, rule_id) DO UPDATE SET items = 9"
        if is_postgres(db)
        else written.replace("INSERT", "INSERT OR REPLACE"),
    )
    office.ok("verify")
    # The ledger still takes new lines, and keeps its sums with them.
    more = [["2024-06-05", "公安局", "city.jccc", 1, "", "", "调研二", ""]]
    office.ok("records", "import", str(write_csv(tmp_path / "more.csv", HEADER, more)))
    office.ok("verify")


def test_an_edited_line_breaks_the_chain_there(office: Cli) -> None:
    db = office.db
    (target,) = rows(db, "SELECT id FROM ledger ORDER BY id LIMIT 1 OFFSET 1")[0]
    tamper(db, "ledger", f"UPDATE ledger SET points = points + 100 WHERE id = {target}")
    result = office("verify")
    assert result.code == 1
    assert result.err.strip() == texts.error_text("verify_chain", {"line": target})


def test_a_removed_line_breaks_the_chain_at_the_next(office: Cli) -> None:
    db = office.db
    first, second = (i for (i,) in rows(db, "SELECT id FROM ledger ORDER BY id LIMIT 2"))
    tamper(db, "ledger", f"DELETE FROM ledger WHERE id = {first}")
    result = office("verify")
    assert result.err.strip() == texts.error_text("verify_chain", {"line": second})


def test_an_edited_sum_is_named(office: Cli) -> None:
    db = office.db
    unit, kept = rows(
        db, "SELECT unit_id, c0 FROM ledger_months WHERE month = '2024-05' ORDER BY unit_id"
    )[0]
    tamper(
        db,
        "ledger_months",
        f"UPDATE ledger_months SET c0 = c0 + 50 WHERE month = '2024-05' AND unit_id = {unit}",
    )
    result = office("verify")
    assert result.code == 1
    column = rows(db, "SELECT name FROM score_columns WHERE slot = 0")[0][0]
    assert result.err.strip() == texts.error_text(
        "verify_sum",
        {"table": "ledger_months", "key": f"2024-05 {unit}", "column": column,
         "kept": kept + 50, "ledger": kept},
    )  # fmt: skip


def test_a_missing_or_extra_sum_row_is_named(office: Cli) -> None:
    db = office.db
    tamper(db, "item_months", "DELETE FROM item_months")
    result = office("verify")
    assert result.err.strip() == texts.error_text(
        "verify_sum_missing", {"table": "item_months", "key": "2024-05 city.jccc"}
    )
    tamper(
        db,
        "ledger_quarters",
        "INSERT INTO ledger_quarters VALUES ('2023Q1', 1, 1, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0)",
    )
    assert office("verify").err.strip() == texts.error_text(
        "verify_sum_extra", {"table": "ledger_quarters", "key": "2023Q1 1"}
    )


@pytest.mark.stores("postgres")
def test_a_guard_left_switched_off_is_named(office: Cli) -> None:
    """PostgreSQL keeps its own files: what stands in for SQLite's integrity check is that the
    triggers guarding the ledger and its sums are all there and switched on."""
    assert office.ok("verify").splitlines()[0].endswith("保护流水的触发器齐全")
    query(office.db, "ALTER TABLE ledger DISABLE TRIGGER ledger_no_update")
    query(office.db, "DROP TRIGGER item_months_guard_truncate ON item_months")
    result = office("verify")
    assert result.code == 1
    assert result.err.strip() == texts.error_text(
        "verify_guards", {"triggers": ["ledger_no_update", "item_months_guard_truncate"]}
    )


@pytest.mark.stores("sqlite")
def test_a_damaged_file_fails_the_integrity_check(office: Cli) -> None:
    db = Path(office.db)
    data = bytearray(db.read_bytes())
    # The first copy of a unit's name: the table row or its unique index, and they no longer
    # agree.
    at_name = data.find("审计局".encode())
    data[at_name] ^= 0x01
    db.write_bytes(bytes(data))
    result = office("verify")
    assert result.code == 1
    assert result.err.startswith(texts.ERRORS["verify_integrity"].split("{")[0])


async def test_the_migration_chains_lines_written_before_it(tmp_path: Path) -> None:
    """A database from before the chain: its lines get their hashes in id order."""
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        for version, sql in migration_files()[:3]:
            conn.executescript(sql)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.executescript(
            "INSERT INTO settings (key, value) VALUES ('ruleset', 'x');"
            "INSERT INTO score_columns (name, slot) VALUES ('采用得分', 0);"
            "INSERT INTO units (id, name, group_id, created_at) VALUES (1, '教育局', 'A', '');"
            "INSERT INTO batches (id, kind, actor, created_at) VALUES (1, 'import', 't', '');"
        )
        lines = [
            (3, "2024-05-06", 1, "city.jccc", "采用得分", 18, 1, 1, None, 1, "甲", "t", None),
            (7, "2024-05-07", 1, "city.jccc", "采用得分", 18, 1, 1, None, 1, "乙", "t", None),
            (8, "2024-05-08", 1, "city.jccc", "采用得分", -18, -1, -1, None, 1, "冲正", "t", 7),
        ]
        conn.executemany(
            "INSERT INTO ledger (id, date, unit_id, rule_id, column_name, points, adoptions, "
            "items, record_id, batch_id, explanation, created_at, reverses) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            lines,
        )
    store = await Store.open(db)
    await store.close()
    expected, previous = [], ""
    for line in lines:
        previous = line_hash(previous, line)
        expected.append((line[0], previous))
    assert rows(db, "SELECT id, hash FROM ledger ORDER BY id") == expected
    assert "append-only" in refused(db, "UPDATE ledger SET points = 0")
    # Keyed on the way, once: from the line after its last, on the head of its SHA-256 chain.
    assert rows(db, "SELECT first_line, head FROM ledger_keying") == [(9, expected[-1][1])]
    assert rows(db, "SELECT value FROM settings WHERE key = 'ledger_keying_due'") == []
    assert Path(f"{db}.key").exists()


async def test_the_daily_check_tells_the_admins_when_it_fails(database: str) -> None:
    with clock(at(2026, 3, 2, 10)) as time:
        async with running_bot(database, verify_time="03:00") as chat:
            await idle(chat, at(2026, 3, 2, 10))
            await run_at(chat, time, at(2026, 3, 3, 3))
            assert rows(chat.db(), "SELECT outcome FROM job_runs WHERE job = 'ledger_check'") == [
                ("done",)
            ]
            # A check that passed sends the chain's head, to be kept outside the database: the
            # ledger is empty yet, line 0.
            assert rows(chat.db(), "SELECT COUNT(*) FROM ledger") == [(0,)]
            anchor = await chat.server.wait_for(
                lambda m: m.text.startswith("【数据核验】2026-03-03 核验通过"), chat_id=ADMIN
            )
            assert anchor.text.endswith("链头锚点：0:")
            chat.say(ADMIN, "/adjust 教育局 +12 补记漏登")
            await chat.server.wait_for(lambda m: m.text.startswith("已记入"), chat_id=ADMIN)
            (line,) = rows(chat.db(), "SELECT MAX(id) FROM ledger")[0]
            tamper(chat.db(), "ledger", f"UPDATE ledger SET points = 120 WHERE id = {line}")
            await run_at(chat, time, at(2026, 3, 4, 3))
            failed = rows(
                chat.db(),
                "SELECT outcome, detail FROM job_runs WHERE job = 'ledger_check' AND period = ?",
                ("2026-03-04",),
            )
            notice = await chat.server.wait_for(
                lambda m: flat(m.text).startswith("【自动任务未完成】数据核验"), chat_id=ADMIN
            )
    assert failed == [("failed", flat(notice.text))]
    assert texts.error_text("verify_chain", {"line": line}) in flat(notice.text)


async def test_a_check_caught_up_late_names_its_own_day(database: str) -> None:
    """Stopped over a night's check and started again just before the next one: the missed day's
    check is made at once and the new day's at its time. Each names its own day, so that two
    checks of an unchanged ledger never read as one message sent twice."""
    with clock(at(2026, 3, 2, 10)) as time:
        async with running_bot(database, verify_time="03:00") as chat:
            await idle(chat, at(2026, 3, 2, 10))
            await run_at(chat, time, at(2026, 3, 4, 2, 59))
            await run_at(chat, time, at(2026, 3, 4, 3))
            made = rows(
                chat.db(), "SELECT period FROM job_runs WHERE job = 'ledger_check' ORDER BY period"
            )
            checks = [
                flat(m.text) for m in chat.server.messages_to(ADMIN) if "【数据核验】" in m.text
            ]
    assert made == [("2026-03-03",), ("2026-03-04",)]
    assert checks == [
        flat(texts.LEDGER_CHECK_ANCHOR.format(day="2026-03-03", anchor="0:")),
        flat(texts.LEDGER_CHECK_ANCHOR.format(day="2026-03-04", anchor="0:")),
    ]
