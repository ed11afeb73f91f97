"""The bot token never appears in anything `govinfo-bot run` prints, at DEBUG level too: not in
the Bot API URLs that httpx and python-telegram-bot log, not in the traceback of a token
Telegram rejects. SQLite only: real processes (tests/bots.py) on a database file."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from urllib.parse import quote

from telegram.error import InvalidToken

from bot import texts
from bot.fakeapi import FakeBotApi
from bot.logs import RedactSecret
from bot.storage import password_of, shown
from tests.bots import BotProcess, liaisons_db
from tests.test_webhook import free_port


def assert_no_token(server: FakeBotApi, output: str) -> None:
    _, _, secret = server.token.partition(":")
    assert secret not in output
    # Lines that held it were printed, redacted: the check above is not vacuous.
    assert "<token>" in output


async def test_a_rejected_token_is_not_printed(tmp_path: Path) -> None:
    db = await liaisons_db(tmp_path)
    async with FakeBotApi() as server:
        server.reject_token()
        bot = await BotProcess.start(server, db, tmp_path, log_level="DEBUG", jobs="true")
        output = await bot.output()
    assert bot.process.returncode == 1
    assert texts.TOKEN_REJECTED in output
    assert "DEBUG" in output and "getMe" in output
    assert_no_token(server, output)


async def test_a_working_bot_at_debug_level_does_not_print_its_token(tmp_path: Path) -> None:
    db = await liaisons_db(tmp_path)
    async with FakeBotApi() as server:
        bot = await BotProcess.start(server, db, tmp_path, log_level="DEBUG", jobs="true")
        server.send_message(2001, "/submit 令牌测试")
        # A deadline for the process's start and answer (a fresh interpreter on a machine at
        # load 25 took over 30 s): it returns as soon as the answer comes.
        await server.wait_for(lambda m: "令牌测试" in (m.text or ""), timeout=120)
        bot.process.terminate()
        output = await bot.output()
    assert "sendMessage" in output and "getUpdates" in output
    assert_no_token(server, output)


def test_the_filter_redacts_messages_arguments_and_tracebacks() -> None:
    token = "123456789:AAsecretPartOfTheToken0123456789"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecret(token))
    log = logging.getLogger("test_token")
    log.addHandler(handler)
    try:
        log.warning("url %s", f"https://api.telegram.org/bot{token}/getMe")
        log.warning("encoded https://api.telegram.org/bot%s/getMe", quote(token, safe=""))
        try:
            raise InvalidToken(f"The token `{token}` was rejected by the server.")
        except InvalidToken:
            log.exception("rejected")
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert "AAsecretPartOfTheToken" not in output
    assert output.count("<token>") == 3 and "Traceback" in output and "123456789" not in output


async def test_the_webhook_secret_is_not_printed(tmp_path: Path) -> None:
    """python-telegram-bot logs setWebhook's parameters at DEBUG: the secret among them."""
    db = await liaisons_db(tmp_path)
    port = free_port()
    secret = "webhook-secret-not-to-print"
    webhook = ["--webhook", f"http://127.0.0.1:{port}/tg", "--port", str(port),
               "--listen", "127.0.0.1"]  # fmt: skip
    async with FakeBotApi() as server:
        bot = await BotProcess.start(
            server, db, tmp_path, *webhook, log_level="DEBUG", webhook_secret=secret
        )
        server.send_message(2001, "/submit 密钥测试")
        # A deadline for the process's start and answer (a fresh interpreter on a machine at
        # load 25 took over 30 s): it returns as soon as the answer comes.
        await server.wait_for(lambda m: "密钥测试" in (m.text or ""), timeout=120)
        bot.process.terminate()
        output = await bot.output()
    assert "setWebhook" in output
    assert secret not in output
    assert_no_token(server, output)


def test_database_urls_are_shown_without_their_password() -> None:
    # An @ in a password is written %40 (the driver reads up to the first @ as the user part):
    # the password is the decoded one.
    url = "postgresql://govinfo:p%40ss:word@db.example.org:5432/govinfo"
    assert shown(url) == "postgresql://govinfo:***@db.example.org:5432/govinfo"
    assert password_of(url) == "p@ss:word"
    url = "postgresql://govinfo@db.example.org/govinfo?sslmode=require&password=secret"
    assert shown(url) == "postgresql://govinfo@db.example.org/govinfo?sslmode=require&password=***"
    assert password_of(url) == "secret"
    assert shown("data/govinfo.sqlite3") == "data/govinfo.sqlite3"
    assert password_of("data/govinfo.sqlite3") is None
