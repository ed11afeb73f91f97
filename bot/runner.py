"""Running the application inside an event loop someone else owns: the sandbox, tests, benchmarks.

`govinfo-bot run` uses python-telegram-bot's own run_polling/run_webhook, which also install
signal handlers; this is the same start and stop sequence without taking over the loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application


@asynccontextmanager
async def polling(app: Application, *, timeout: int = 10) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    try:
        async with app:
            # run_polling would call the post_init and post_shutdown hooks; initialize() does not.
            if app.post_init is not None:
                await app.post_init(app)
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=timeout)
            await app.start()
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        # Also after an error, or the store's connection would outlive the loop.
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
