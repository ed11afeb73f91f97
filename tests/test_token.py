"""The bot token never appears in anything `govinfo-bot run` prints, at DEBUG level too: not in
the Bot API URLs that httpx and python-telegram-bot log, not in the traceback of a token
Telegram rejects."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot import texts
from bot.fakeapi import FakeBotApi
from tests.bots import bot_env, liaisons_db


class Bot:
    """`govinfo-bot run` at DEBUG level, everything it prints collected as it comes (a full
    pipe would stop it)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        assert process.stdout is not None and process.stderr is not None
        self._output = asyncio.gather(process.stdout.read(), process.stderr.read())

    @classmethod
    async def start(cls, server: FakeBotApi, db: Path, cwd: Path) -> Bot:
        env = bot_env(server, db, log_level="DEBUG", jobs="true")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=cwd, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        return cls(process)

    async def output(self) -> str:
        out, err = await asyncio.wait_for(self._output, 60)
        await self.process.wait()
        return out.decode() + err.decode()


def assert_no_token(server: FakeBotApi, output: str) -> None:
    _, _, secret = server.token.partition(":")
    assert secret not in output
    # Lines that held it were printed, redacted: the check above is not vacuous.
    assert "<token>" in output


async def test_a_rejected_token_is_not_printed(tmp_path: Path) -> None:
    db = await liaisons_db(tmp_path)
    async with FakeBotApi() as server:
        server.reject_token()
        bot = await Bot.start(server, db, tmp_path)
        output = await bot.output()
    assert bot.process.returncode == 1
    assert texts.TOKEN_REJECTED in output
    assert "DEBUG" in output and "getMe" in output and "Traceback" in output
    assert_no_token(server, output)


async def test_a_working_bot_at_debug_level_does_not_print_its_token(tmp_path: Path) -> None:
    db = await liaisons_db(tmp_path)
    async with FakeBotApi() as server:
        bot = await Bot.start(server, db, tmp_path)
        server.send_message(2001, "/submit 令牌测试")
        await server.wait_for(lambda m: "令牌测试" in (m.text or ""), timeout=30)
        bot.process.terminate()
        output = await bot.output()
    assert "sendMessage" in output and "getUpdates" in output
    assert_no_token(server, output)
