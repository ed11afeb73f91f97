"""The console's session: a cookie signed with the database's key (HMAC-SHA256), holding the
user's name, the CSRF token of their forms and when they were last seen; a session idle longer
than the setting is over. Nothing of it is trusted unsigned, and the role is never in it: it is
read from the database on every request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace

COOKIE = "govinfo_session"


@dataclass(frozen=True)
class Session:
    # Empty before logging in: the login form has a CSRF token too.
    name: str
    csrf: str
    # When the session was last used, in seconds since the epoch.
    seen: float

    @classmethod
    def anonymous(cls, now: float) -> Session:
        return cls("", secrets.token_urlsafe(32), now)

    def signed_in(self, name: str, now: float) -> Session:
        """A new session for the user: the CSRF token changes with the login."""
        return Session(name, secrets.token_urlsafe(32), now)

    def touched(self, now: float) -> Session:
        return replace(self, seen=now)


def encode(key: bytes, session: Session) -> str:
    # Without base64's padding: a cookie value with `=` in it would go out quoted.
    payload = (
        base64.urlsafe_b64encode(
            json.dumps([session.name, session.csrf, session.seen], ensure_ascii=False).encode()
        )
        .decode()
        .rstrip("=")
    )
    return f"{payload}.{_mac(key, payload)}"


def decode(key: bytes, value: str) -> Session | None:
    """The session the cookie holds, if it is signed with the key; None if not."""
    payload, _, mac = value.rpartition(".")
    if not payload or not hmac.compare_digest(mac, _mac(key, payload)):
        return None
    try:
        padded = payload + "=" * (-len(payload) % 4)
        name, csrf, seen = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError:
        return None
    if not isinstance(name, str) or not isinstance(csrf, str) or not isinstance(seen, float | int):
        return None
    return Session(name, csrf, float(seen))


def _mac(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def same_token(sent: object, expected: str) -> bool:
    return isinstance(sent, str) and bool(expected) and hmac.compare_digest(sent, expected)
