"""Web console accounts, apart from the browser: made, changed and removed from the command line
with an audit trail, logins throttled per name whatever the address, and passwords hashed at the
office's cost, a login rehashing a hash of other costs."""

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
from argon2 import PasswordHasher
from argon2 import extract_parameters as argon2_parameters
from pydantic import ValidationError

from bot import texts
from bot.settings import Settings
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

# The cheapest hashing the settings allow: these tests check who may log in, not argon2's cost.
CHEAP = {"GOVINFO_WEB_PASSWORD_TIME_COST": "1", "GOVINFO_WEB_PASSWORD_MEMORY_KIB": "1024"}
PASSWORDS = webusers.Passwords(1, 1024)


async def test_logins_are_throttled_per_name(database: str) -> None:
    now = datetime(2026, 12, 7, 9, 0).astimezone()
    throttle = webusers.Throttle(2, timedelta(minutes=5))
    store = await Store.open(database)
    try:
        await webusers.put_user(
            store, "王芳", "admin", "admin-password-1", "cli:root", now, PASSWORDS
        )
        for address in ("10.0.0.1", "10.0.0.2"):
            with pytest.raises(DomainError) as wrong:
                await webusers.log_in(store, "王芳", "nope-nope", address, throttle, now, PASSWORDS)
            assert wrong.value.code == "web_login_wrong"
        # From a third address, with the right password: the name has failed too often.
        with pytest.raises(DomainError) as refused:
            await webusers.log_in(
                store, "王芳", "admin-password-1", "10.0.0.3", throttle, now, PASSWORDS
            )
        assert refused.value.code == "web_login_throttled"
        later = now + timedelta(minutes=6)
        user = await webusers.log_in(
            store, "王芳", "admin-password-1", "10.0.0.3", throttle, later, PASSWORDS
        )
        assert user.is_admin
    finally:
        await store.close()


async def test_a_login_rehashes_a_password_hashed_at_other_costs(database: str) -> None:
    """The office lowered (or raised) the cost: each account's hash is made anew at the new
    cost when its password is next given right, and only then; no event of the account."""
    now = datetime(2026, 12, 7, 9, 0).astimezone()
    throttle = webusers.Throttle(5, timedelta(minutes=5))
    before, after = webusers.Passwords(2, 2048), webusers.Passwords(1, 1024)
    store = await Store.open(database)

    async def stored() -> str:
        async with store.reading() as tx:
            user = await tx.webusers.web_user("王芳")
        assert user is not None
        return user.password_hash

    try:
        await webusers.put_user(store, "王芳", "admin", "admin-password-1", "cli:root", now, before)
        old = await stored()
        assert (argon2_parameters(old).time_cost, argon2_parameters(old).memory_cost) == (2, 2048)
        with pytest.raises(DomainError):
            await webusers.log_in(store, "王芳", "wrong-password", "10.0.0.1", throttle, now, after)
        assert await stored() == old
        user = await webusers.log_in(
            store, "王芳", "admin-password-1", "10.0.0.1", throttle, now, after
        )
        assert user.is_admin
        new = await stored()
        assert (argon2_parameters(new).time_cost, argon2_parameters(new).memory_cost) == (1, 1024)
        await webusers.log_in(store, "王芳", "admin-password-1", "10.0.0.1", throttle, now, after)
        assert await stored() == new  # at the office's cost already: left as it is
        # A rehash of a hash changed meanwhile (the password set anew) leaves the new one.
        async with store.transaction() as tx:
            await tx.webusers.rehash_web_user("王芳", old, before.hash("admin-password-1"))
        assert await stored() == new
        async with store.reading() as tx:
            events = await tx.webusers.web_user_events()
        assert [event for _, event, *_ in events] == ["added"]
    finally:
        await store.close()


def test_the_password_cost_is_argon2s_default_within_bounds() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    default = PasswordHasher()
    assert settings.web_password_time_cost == default.time_cost
    assert settings.web_password_memory_kib == default.memory_cost
    for wrong in ({"web_password_time_cost": 0}, {"web_password_memory_kib": 512}):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, **wrong)  # type: ignore[call-arg]


def test_accounts_from_the_command_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in CHEAP.items():
        monkeypatch.setenv(key, value)
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
    # Hashed at the office's cost (GOVINFO_WEB_PASSWORD_*), not argon2's default.
    hashed = rows(cli.db, "SELECT password_hash FROM web_users")[0][0]
    assert (argon2_parameters(hashed).time_cost, argon2_parameters(hashed).memory_cost) == (1, 1024)
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
        await webusers.put_user(
            store, "王芳", "admin", "admin-password-1", "cli:root", now, PASSWORDS
        )
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
