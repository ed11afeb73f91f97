"""Failures the fake server can simulate: injected errors, latency, flood control, blocked users."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from bot.fakeapi.errors import ApiError

# Telegram's broadcast limit (~30 messages per second) applies to messages, not to other calls.
RATE_LIMITED_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
_RATE_WINDOW_SECONDS = 1.0


@dataclass(slots=True)
class _InjectedFailure:
    error: ApiError
    remaining: int


class FaultInjector:
    """Fault state and controls; FakeBotApi inherits them so tests call server.fail_next()."""

    def __init__(self) -> None:
        super().__init__()
        self._failures: dict[str, deque[_InjectedFailure]] = {}
        self._delays: dict[str, float] = {}
        self._sends_per_second: int | None = None
        self._recent_sends: deque[float] = deque()
        self._blocked: set[int] = set()
        self.token_rejected = False

    def fail_next(
        self,
        method: str,
        *,
        status: int = HTTPStatus.INTERNAL_SERVER_ERROR,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Answers the next `times` calls of `method` with an error instead of running them."""
        if times < 1:
            raise ValueError("times must be at least 1")
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1  # Telegram always tells a flood-limited client how long to wait
        if retry_after is not None and retry_after < 1:
            raise ValueError("retry_after must be a positive number of seconds")
        error = (
            ApiError(status, description, retry_after=retry_after)
            if description is not None
            else ApiError.with_default_description(status, retry_after=retry_after)
        )
        self._failures.setdefault(method.lower(), deque()).append(_InjectedFailure(error, times))

    def slow(self, method: str, seconds: float) -> None:
        """Delays every answer to `method` by `seconds` (after it ran); 0 removes the delay."""
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    def rate_limit(self, per_second: int | None = 30) -> None:
        """Answers 429 to message sends beyond `per_second` in any one-second window."""
        if per_second is not None and per_second < 1:
            raise ValueError("per_second must be at least 1 (or None to disable)")
        self._sends_per_second = per_second
        self._recent_sends.clear()

    def reject_token(self) -> None:
        """Answers 401 to every call, as Telegram does once a token is revoked."""
        self.token_rejected = True

    def block(self, user_id: int) -> None:
        """Makes every call aimed at chat `user_id` answer 403, as after the user blocked the bot."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def _injected_fault(self, method: str, params: Mapping[str, Any]) -> ApiError | None:
        failures = self._failures.get(method.lower())
        if failures:
            failure = failures[0]
            failure.remaining -= 1
            if failure.remaining == 0:
                failures.popleft()
            return failure.error
        if params.get("chat_id") in self._blocked:
            return ApiError(HTTPStatus.FORBIDDEN, "Forbidden: bot was blocked by the user")
        if self._sends_per_second is not None and method in RATE_LIMITED_METHODS:
            return self._flood_control(self._sends_per_second)
        return None

    def _flood_control(self, per_second: int) -> ApiError | None:
        now = time.monotonic()
        window = self._recent_sends
        while window and window[0] <= now - _RATE_WINDOW_SECONDS:
            window.popleft()
        if len(window) < per_second:
            window.append(now)
            return None
        retry_after = max(1, math.ceil(window[0] + _RATE_WINDOW_SECONDS - now))
        return ApiError(
            HTTPStatus.TOO_MANY_REQUESTS,
            f"Too Many Requests: retry after {retry_after}",
            retry_after=retry_after,
        )

    def _answer_delay(self, method: str) -> float:
        return self._delays.get(method.lower(), 0.0)
