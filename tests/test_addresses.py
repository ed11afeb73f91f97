"""A person and a chat are addressed as (channel, address). A database made before that (its
Telegram ids as numbers), upgraded on either store, keeps every liaison, invite, commission,
claim, owed message, summary and conversation, each at ('telegram', the id's digits): the
pending messages still reach the same chats, the sent ones are not sent again, and a liaison
still acts for their own unit only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg

from bot import texts
from bot.fakeapi import FakeBotApi
from bot.storage import (
    POSTGRES_MIGRATIONS,
    Address,
    Store,
    bot_file_path,
    database_files,
    is_postgres,
    migration_files,
)
from bot.storage.chain import line_hash
from tests.chat import ADMIN, LIAISON, SECOND, STRANGER, bot_on, prepare_db
from tests.pgserver import run_sync
from tests.stores import rows

# The last migrations before addresses: the database's, the working file's, PostgreSQL's.
BEFORE = {"database": 11, "working file": 4, "postgres": 6}
GROUP_CHAT = -1001234
DRAFT = 777
AT = "2026-03-02T09:00:00+08:00"

# What the chat, the courier and the scheduler had written, in the columns of that release.
OLD_ROWS = f"""
INSERT INTO units (name, group_id, created_at) VALUES ('教育局', 'A', '{AT}');
INSERT INTO units (name, group_id, created_at) VALUES ('公安局', 'B', '{AT}');
INSERT INTO liaisons (user_id, unit_id, name, username, active, joined_at)
    VALUES ({LIAISON}, 2, '王芳', 'wangfang', 1, '{AT}');
INSERT INTO liaisons (user_id, unit_id, name, username, active, joined_at)
    VALUES ({SECOND}, 1, '李强', '', 0, '{AT}');
INSERT INTO liaison_events (user_id, event, reason, at)
    VALUES ({SECOND}, 'deactivated', '屏蔽了机器人', '{AT}');
INSERT INTO invites (code_hash, unit_id, created_by, created_at, expires_at, used_by, used_at)
    VALUES ('used', 2, {ADMIN}, '{AT}', '2026-03-09T09:00:00+08:00', {LIAISON}, '{AT}');
INSERT INTO invites (code_hash, unit_id, created_by, created_at, expires_at)
    VALUES ('open', 1, {ADMIN}, '{AT}', '2026-03-09T09:00:00+08:00');
INSERT INTO invite_failures (user_id, at) VALUES ({STRANGER}, '{AT}');
INSERT INTO commissions (topic, deadline, created_by, created_at)
    VALUES ('春耕备耕', '2026-03-20', {ADMIN}, '{AT}');
INSERT INTO batches (kind, actor, created_at) VALUES ('claim', 'tg:{LIAISON}', '{AT}');
INSERT INTO records (id, batch_id, unit_id, date, item_id, title, status, created_at,
    claimed_by, title_key)
    VALUES (1, 1, 2, '2026-03-02', 'city.jccc', '关于治安形势的分析', 'pending', '{AT}',
    {LIAISON}, '关于治安形势的分析');
INSERT INTO outbox (source, chat_id, text, created_at, sent_at)
    VALUES ('settlement:2026-02', {LIAISON}, '早已送达的提醒', '{AT}', '{AT}');
INSERT INTO outbox (source, chat_id, text, created_at)
    VALUES ('settlement:2026-02', {LIAISON}, '升级前欠下的提醒', '{AT}');
INSERT INTO outbox (source, chat_id, text, created_at)
    VALUES ('copy:1', {GROUP_CHAT}, '升级前欠下的办公室副本', '{AT}');
INSERT INTO outbox (source, chat_id, text, created_at, buttons)
    VALUES ('claim:1', {ADMIN}, '升级前欠下的审核', '{AT}', '[[["✅ 确认", "ok:1"]]]');
"""
# Kept in the working file on SQLite, in the database on PostgreSQL.
OLD_DRAFT = f"""
INSERT INTO drafts (id, user_id, unit_id, date, item_id, title, created_at)
    VALUES ({DRAFT}, {LIAISON}, 2, '2026-03-02', 'city.jccc', '升级前的摘要', '{AT}');
"""
OLD_ANSWER = f"""
INSERT INTO answers (source, chat_id, text, created_at, held_until, tried_at)
    VALUES ('answer:draft:{DRAFT}', {LIAISON}, '升级前欠下的回答', '{AT}', '{AT}', '{AT}');
"""
OLD_CONVERSATION = f"""
INSERT INTO conversations (chat_id, user_id, states, user_data, updated_at)
    VALUES ({LIAISON}, {LIAISON}, '{{"report": 1}}', '{{}}', '{AT}');
"""


def _old_sqlite(path: Path) -> None:
    # Built from nothing: the `database` fixture's file is already migrated to today's schema.
    for file in database_files(path):
        file.unlink(missing_ok=True)
    with sqlite3.connect(path, isolation_level=None) as conn:
        # Migration 0007 chains the ledger lines there with it.
        conn.create_function("ledger_line_hash", 14, lambda prev, *line: line_hash(prev, line))
        for version, script in migration_files()[: BEFORE["database"]]:
            conn.executescript(script)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.executescript(OLD_ROWS)
    with sqlite3.connect(bot_file_path(path), isolation_level=None) as bot:
        for version, script in migration_files("migrations.botfile")[: BEFORE["working file"]]:
            bot.executescript(script)
            bot.execute(f"PRAGMA user_version = {version}")
        bot.executescript(OLD_DRAFT + OLD_ANSWER)


async def _old_postgres(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        # The test's database comes migrated: made again from nothing, to that release.
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        for _, script in migration_files(POSTGRES_MIGRATIONS)[: BEFORE["postgres"]]:
            await conn.execute(script)
        await conn.execute(
            "CREATE TABLE schema_version (one INTEGER PRIMARY KEY CHECK (one = 1), "
            f"version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1, {BEFORE['postgres']})"
        )
        await conn.execute(OLD_ROWS + OLD_DRAFT + OLD_CONVERSATION)
    finally:
        await conn.close()


async def test_a_database_from_before_addresses_keeps_every_person_and_message(
    database: str,
) -> None:
    if is_postgres(database):
        run_sync(_old_postgres(database))
    else:
        _old_sqlite(Path(database))
    await prepare_db(database)  # opened by this release: migrated

    telegram = "telegram"
    assert rows(
        database,
        "SELECT channel, address, unit_id, name, username, active FROM liaisons ORDER BY address",
    ) == [
        (telegram, str(LIAISON), 2, "王芳", "wangfang", 1),
        (telegram, str(SECOND), 1, "李强", "", 0),
    ]
    assert rows(database, "SELECT channel, address, event, reason FROM liaison_events") == [
        (telegram, str(SECOND), "deactivated", "屏蔽了机器人")
    ]
    assert rows(
        database,
        "SELECT code_hash, unit_id, created_channel, created_by, used_channel, used_by, used_at "
        "FROM invites ORDER BY code_hash",
    ) == [
        ("open", 1, telegram, str(ADMIN), None, None, None),
        ("used", 2, telegram, str(ADMIN), telegram, str(LIAISON), AT),
    ]
    assert rows(database, "SELECT channel, address, at FROM invite_failures") == [
        (telegram, str(STRANGER), AT)
    ]
    assert rows(database, "SELECT topic, created_channel, created_by FROM commissions") == [
        ("春耕备耕", telegram, str(ADMIN))
    ]
    assert rows(database, "SELECT id, claimed_channel, claimed_by, status FROM records") == [
        (1, telegram, str(LIAISON), "pending")
    ]
    assert rows(
        database, "SELECT source, channel, address, text, sent_at FROM outbox ORDER BY id"
    ) == [
        ("settlement:2026-02", telegram, str(LIAISON), "早已送达的提醒", AT),
        ("settlement:2026-02", telegram, str(LIAISON), "升级前欠下的提醒", None),
        ("copy:1", telegram, str(GROUP_CHAT), "升级前欠下的办公室副本", None),
        ("claim:1", telegram, str(ADMIN), "升级前欠下的审核", None),
    ]
    store = await Store.open(database)
    try:
        async with store.bot_transaction() as tx:
            draft = await tx.drafts.draft(DRAFT)
        assert draft is not None and draft.liaison == Address.telegram(LIAISON)
        assert not draft.cancelled and draft.record.title == "升级前的摘要"
        async with store.reading() as tx:
            liaison = await tx.liaisons.liaison(Address.telegram(LIAISON), active_only=True)
            # The same digits on another channel are someone else.
            assert await tx.liaisons.liaison(Address("mail", str(LIAISON))) is None
            if is_postgres(database):
                kept = await tx.conversations.conversation(Address.telegram(LIAISON), str(LIAISON))
                assert kept == ('{"report": 1}', "{}", AT)
        assert liaison is not None and liaison.unit == "公安局"
    finally:
        await store.close()

    async with FakeBotApi() as server, bot_on(server, database) as chat:
        # The courier delivers what was owed to the same chats, and nothing sent already.
        owed = [(LIAISON, "升级前欠下的提醒"), (GROUP_CHAT, "升级前欠下的办公室副本")]
        owed.append((ADMIN, "升级前欠下的审核"))
        if not is_postgres(database):
            owed.append((LIAISON, "升级前欠下的回答"))
        for chat_id, text in owed:
            message = await server.wait_for(lambda m, t=text: t in (m.text or ""), chat_id=chat_id)
            if text == "升级前欠下的审核":
                assert message.callback_data("✅ 确认") == "ok:1"
        # The liaison's summary is still theirs (cancelled by them), their unit still theirs.
        assert (await chat.ask(LIAISON, "/cancel")).text == texts.DRAFTS_CANCELLED
        assert "公安局" in (await chat.ask(LIAISON, "/me")).text
        # The pending claim still names who made it.
        assert "王芳" in (await chat.ask(ADMIN, "/pending")).text
        await chat.settled()
    assert [m.text for m in server.sent if m.text == "早已送达的提醒"] == []
    for chat_id, text in owed:
        assert len([m for m in server.messages_to(chat_id) if text in (m.text or "")]) == 1
