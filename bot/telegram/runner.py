"""Starting and stopping the application: `govinfo-bot run` (serve), and inside an event loop
someone else owns (the sandbox, tests, benchmarks: polling).

python-telegram-bot's run_polling/run_webhook are not used: a standby waits in post_init until
it holds the database, possibly for long, and a stop signal must end that wait cleanly (their
signal handler raises SystemExit past a post_init still running, which then goes on using a
store being closed). Here the start is raced against a stop event, set by SIGINT/SIGTERM or by
the lease's loss, and whatever happened the store is closed at the end.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram.error import InvalidToken
from telegram.ext import Application

from bot.settings import Settings
from bot.telegram import webhook as webhook_handler
from bot.telegram.handlers.common import POLLING, STOP, deliver_now

# Long polling: how long Telegram holds a getUpdates call open when there is nothing to send.
POLL_TIMEOUT = 10


@dataclass(frozen=True)
class Webhook:
    url: str
    listen: str
    port: int
    secret: str


def serve_settings(settings: Settings, webhook: Webhook | None = None) -> bool:
    """`govinfo-bot run`: the application built from the settings, served until stopped; False
    if Telegram rejects the token."""
    from bot.telegram.app import build_application

    try:
        asyncio.run(serve(build_application(settings), webhook))
    except InvalidToken:
        return False
    return True


async def serve(app: Application, webhook: Webhook | None = None) -> None:  # type: ignore[type-arg]
    """Run until SIGINT or SIGTERM (or the lease is lost), then stop gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(app, stop, webhook=webhook):
        await stop.wait()


@asynccontextmanager
async def polling(app: Application, *, timeout: int = POLL_TIMEOUT) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async with running(app, asyncio.Event(), timeout=timeout):
        yield app


@asynccontextmanager
async def running(
    app: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
    *,
    webhook: Webhook | None = None,
    timeout: int = POLL_TIMEOUT,
) -> AsyncIterator[None]:
    """Initialise, take the database (post_init: it may wait as a standby), receive and handle
    updates until the body ends; with `stop` set before the start is done, nothing starts."""
    app.bot_data[STOP] = stop
    app.bot_data[POLLING] = webhook is None
    try:
        async with app:
            if not await _started(app, stop):
                yield
                return
            assert app.updater is not None
            if webhook is None:
                await app.updater.start_polling(poll_interval=0, timeout=timeout)
            else:
                webhook_handler.install()
                await app.updater.start_webhook(
                    listen=webhook.listen,
                    port=webhook.port,
                    url_path=_path(webhook.url),
                    webhook_url=webhook.url,
                    secret_token=webhook.secret,
                )
            await app.start()
            # What a crash left in the outbox (answers among it) goes now, jobs or not.
            deliver_now(app)
            try:
                yield
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        # Also after an error: the lease is released and the store closed.
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def _started(app: Application, stop: asyncio.Event) -> bool:  # type: ignore[type-arg]
    """Run post_init unless `stop` comes first; whether it completed."""
    if app.post_init is None:
        return True
    starting = asyncio.ensure_future(app.post_init(app))
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait((starting, stopping), return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if starting.done():
        starting.result()
        return True
    starting.cancel()
    with suppress(asyncio.CancelledError):
        await starting
    return False


def _path(url: str) -> str:
    return urlsplit(url).path.lstrip("/")
