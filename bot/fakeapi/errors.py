"""Bot API error answers, shaped exactly like Telegram's."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """Raised by a method implementation to answer `{"ok": false, ...}`."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = int(status)
        self.description = description
        self.retry_after = retry_after

    @classmethod
    def with_default_description(cls, status: int, *, retry_after: int | None = None) -> ApiError:
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            return cls(
                status, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
        try:
            description = HTTPStatus(status).phrase
        except ValueError:
            description = f"Error {status}"
        return cls(status, description, retry_after=retry_after)

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            payload["parameters"] = {"retry_after": self.retry_after}
        return payload


def bad_request(reason: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, f"Bad Request: {reason}")
