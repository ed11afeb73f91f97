"""Webhook delivery, as Telegram does it: each pending update is POSTed to the bot's URL with the
secret token header, and sent again until the bot answers with a 2xx status.

Updates go one at a time, in update id order; only loopback URLs are delivered to, so that a
test can never make the fake post to the network. With backends (`balance`), the fake also plays
the load balancer in front of several bot processes: each update goes to the next backend in
turn, and one that does not answer is left for the next (nginx's proxy_next_upstream).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.fakeapi.signals import Signal

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_REQUEST_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POST of an update to the webhook and how it went (status None: no answer)."""

    update_id: int
    status: int | None
    time: float  # time.monotonic() when it ended


class WebhookSender:
    def __init__(
        self,
        next_update: Callable[[], dict[str, Any] | None],
        delivered: Callable[[int], None],
        updates: Signal,
    ) -> None:
        self._next_update = next_update
        self._delivered = delivered
        self._updates = updates
        self._task: asyncio.Task[None] | None = None
        self.deliveries: list[Delivery] = []
        self.last_error = ""
        # Telegram waits longer and longer between attempts; a test need not.
        self.retry_seconds = 0.1
        self.backends: list[str] = []
        self._turn = 0

    def start(self, url: str, secret: str | None) -> None:
        self.stop()
        if urlsplit(url).hostname not in _LOOPBACK:
            self.last_error = "the fake Bot API delivers webhooks to loopback addresses only"
            return
        self._task = asyncio.get_running_loop().create_task(self._run(url, secret))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self, url: str, secret: str | None) -> None:
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        async with httpx.AsyncClient(timeout=_REQUEST_TIMEOUT) as client:
            while True:
                update = self._next_update()
                if update is None:
                    await self._updates.wait(1.0)
                    continue
                status = None
                target = self._next_backend() if self.backends else url
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.post(
                        target, content=json.dumps(update), headers=headers
                    )
                    status = response.status_code
                self.deliveries.append(Delivery(update["update_id"], status, time.monotonic()))
                if status is not None and 200 <= status < 300:
                    self._delivered(update["update_id"])
                    continue
                self.last_error = f"Wrong response from the webhook: {status}"
                if status is None and self.backends:
                    continue  # the balancer tries the next backend at once
                await asyncio.sleep(self.retry_seconds)

    def balance(self, backends: list[str]) -> None:
        if any(urlsplit(url).hostname not in _LOOPBACK for url in backends):
            raise ValueError("the fake Bot API delivers webhooks to loopback addresses only")
        self.backends = list(backends)

    def _next_backend(self) -> str:
        self._turn += 1
        return self.backends[self._turn % len(self.backends)]
