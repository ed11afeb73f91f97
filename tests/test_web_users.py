"""Web console accounts, apart from the browser: made, changed and removed from the command line
with an audit trail, and logins throttled per name whatever the address."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from bot import texts
from bot.storage import OUTBOX_CHANNEL, Address, Store
from bot.telegram.notices import ChatNotices
from bot.usecases import desk, reports, webusers
from bot.usecases.imports import import_units
from bot.usecases.request import Request
from bot.usecases.setup import initialize
from bot.web.session import Session, decode, encode
from scoring.errors import DomainError
from tests.conftest import Cli, write_csv
from tests.stores import rows
from tests.test_webhook import free_port


async def test_logins_are_throttled_per_name(database: str) -> None:
    now = datetime(2026, 12, 7, 9, 0).astimezone()
    throttle = webusers.Throttle(2, timedelta(minutes=5))
    store = await Store.open(database)
    try:
        await webusers.put_user(store, "王芳", "admin", "admin-password-1", "cli:root", now)
        for address in ("10.0.0.1", "10.0.0.2"):
            with pytest.raises(DomainError) as wrong:
                await webusers.log_in(store, "王芳", "nope-nope", address, throttle, now)
            assert wrong.value.code == "web_login_wrong"
        # From a third address, with the right password: the name has failed too often.
        with pytest.raises(DomainError) as refused:
            await webusers.log_in(store, "王芳", "admin-password-1", "10.0.0.3", throttle, now)
        assert refused.value.code == "web_login_throttled"
        later = now + timedelta(minutes=6)
        user = await webusers.log_in(store, "王芳", "admin-password-1", "10.0.0.3", throttle, later)
        assert user.is_admin
    finally:
        await store.close()


def test_accounts_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--ruleset", "dengkou-2024")
    assert cli.ok("users", "list").strip() == texts.USERS_NONE
    short = tmp_path / "short.txt"
    short.write_text("1234567\n", encoding="utf-8")
    refused = cli("users", "add", "王芳", "--role", "admin", "--password-file", str(short))
    assert refused.code == 1
    assert texts.ERRORS["web_password_short"].format(minimum=8) in refused.err
    good = tmp_path / "good.txt"
    good.write_text("a long enough one\n", encoding="utf-8")
    added = cli.ok("users", "add", "王芳", "--role", "viewer", "--password-file", str(good))
    assert added.strip() == texts.USERS_ADDED.format(name="王芳", role="只读")
    changed = cli.ok("users", "add", "王芳", "--role", "admin", "--password-file", str(good))
    assert changed.strip() == texts.USERS_CHANGED.format(name="王芳", role="管理员")
    listed = cli.ok("users", "list")
    assert listed.startswith("王芳\t管理员\t") and "命令行用户" in listed
    assert cli.ok("users", "remove", "王芳").strip() == texts.USERS_REMOVED.format(name="王芳")
    gone = cli("users", "remove", "王芳")
    assert gone.code == 1 and texts.ERRORS["web_user_unknown"].format(name="王芳") in gone.err
    events = rows(cli.db, "SELECT name, event, role FROM web_user_events ORDER BY id")
    assert events == [
        ("王芳", "added", "viewer"), ("王芳", "changed", "admin"), ("王芳", "removed", "admin")
    ]  # fmt: skip


def test_a_session_cookie_is_trusted_only_as_signed() -> None:
    key, other = b"k" * 32, b"o" * 32
    session = Session.anonymous(1000.0).signed_in("王芳", 1001.0)
    cookie = encode(key, session)
    assert decode(key, cookie) == session
    assert decode(other, cookie) is None
    payload, _, mac = cookie.rpartition(".")
    # Another name with the first one's signature, or no signature at all.
    forged = encode(other, Session("管理员", session.csrf, session.seen)).rpartition(".")[0]
    assert decode(key, f"{forged}.{mac}") is None
    assert decode(key, payload) is None
    assert decode(key, "") is None


@pytest.mark.stores("postgres")
async def test_a_decision_on_postgresql_tells_the_leading_bot_to_deliver(
    database: str, tmp_path: Path
) -> None:
    """The web console sends nothing itself: once a decision has committed, the leading bot
    process, listening (bot.telegram.replicas.Leadership), is told that the outbox holds its notice."""
    now = datetime(2026, 12, 7, 9, 0).astimezone()
    store = await Store.open(database)
    listener = await asyncpg.connect(database)
    told = asyncio.Event()
    try:
        await initialize(store, "dengkou-2024")
        units = write_csv(tmp_path / "u.csv", ["name", "group"], [["公安局", "A"]])
        await import_units(store, units, "cli:root", now)
        async with store.transaction() as tx:
            await tx.liaisons.bind_liaison(Address.telegram(77), 1, "赵信息员", "", now)
        draft = await reports.make_draft(
            store,
            Address.telegram(77),
            "city.jccc",
            "关于春耕的调研",
            now.date(),
            (),
            "",
            Request("tg:77", now, 1),
        )
        claim = (
            await reports.confirm_draft(
                store,
                draft.id,
                Address.telegram(77),
                True,
                Request("tg:77", now, 2, notices=ChatNotices(())),
            )
        ).record_id
        await webusers.put_user(store, "王芳", "admin", "admin-password-1", "cli:root", now)
        await listener.add_listener(OUTBOX_CHANNEL, lambda *_: told.set())
        await desk.approve(store, "王芳", "form-1", claim, now, ChatNotices(()))
        await asyncio.wait_for(told.wait(), 30)
        async with store.reading() as tx:
            waiting = await tx.outbox.unsent(0, 10)
        assert [m.to for m in waiting] == [Address("telegram", "77")]
    finally:
        await listener.close()
        await store.close()


@pytest.mark.stores("sqlite")
def test_the_web_command_serves_the_console(cli: Cli) -> None:
    """`govinfo-bot web` as an office starts it: the login page, in Chinese, with its headers."""
    cli.ok("init", "--ruleset", "dengkou-2024")
    port = free_port()
    command = [sys.executable, "-m", "bot.cli", "--db", cli.db, "web", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/login")
                break
            except httpx.ConnectError:
                assert server.poll() is None and time.monotonic() < deadline, "it did not start"
                time.sleep(0.1)
        assert answer.status_code == 200 and "登录" in answer.text
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    finally:
        server.terminate()
        server.wait(30)
