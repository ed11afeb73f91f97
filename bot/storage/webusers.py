"""The web console's own rows: its accounts and what was done to them, failed logins (for
throttling), the forms already acted on, the key that signs its session cookies, and the
one-time links into it that admins ask a chat for."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.storage.address import Address
from bot.storage.connection import Row
from bot.storage.query import Repository
from bot.storage.sql import sql
from scoring.errors import DomainError


@dataclass(frozen=True)
class WebUser:
    name: str
    role: str
    password_hash: str
    created_at: datetime
    created_by: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class FormReplayed(DomainError):
    """A console form acted on before (sent twice, or its page reloaded): nothing more is done."""

    def __init__(self) -> None:
        super().__init__("web_form_replayed")


_USER = sql(
    "SELECT name, role, password_hash, created_at, created_by FROM web_users WHERE name = :name"
)
_USERS = sql(
    "SELECT name, role, password_hash, created_at, created_by FROM web_users ORDER BY name"
)
_PUT_USER = sql(
    "INSERT INTO web_users (name, role, password_hash, created_at, created_by) "
    "VALUES (:name, :role, :password_hash, :created_at, :created_by) "
    "ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
    "password_hash = excluded.password_hash"
)
# Only the hash it was checked against: a password changed meanwhile is not undone.
_REHASH_USER = sql(
    "UPDATE web_users SET password_hash = :new WHERE name = :name AND password_hash = :old"
)
_REMOVE_USER = sql("DELETE FROM web_users WHERE name = :name")
_ADD_EVENT = sql(
    "INSERT INTO web_user_events (name, event, role, actor, at) "
    "VALUES (:name, :event, :role, :actor, :at)"
)
_EVENTS = sql("SELECT name, event, role, actor, at FROM web_user_events ORDER BY id")
_ADD_LOGIN_FAILURE = sql(
    "INSERT INTO web_login_failures (name, address, at) VALUES (:name, :address, :at)"
)
_FAILURES_BY_NAME = sql(
    "SELECT COUNT(*) FROM web_login_failures WHERE name = :name AND at > :since"
)
_FAILURES_BY_ADDRESS = sql(
    "SELECT COUNT(*) FROM web_login_failures WHERE address = :address AND at > :since"
)
_FORGET_LOGIN_FAILURES = sql("DELETE FROM web_login_failures WHERE at < :before")
_CLAIM_FORM = sql(
    "INSERT INTO web_forms (token, claimed_at) VALUES (:token, :claimed_at) ON CONFLICT DO NOTHING"
)
_FORGET_FORMS = sql("DELETE FROM web_forms WHERE claimed_at < :before")
_MAKE_SESSION_KEY = sql(
    "INSERT INTO web_session_key (one, key) VALUES (1, :key) ON CONFLICT DO NOTHING"
)
_SESSION_KEY = sql("SELECT key FROM web_session_key WHERE one = 1")
_ADD_LINK = sql(
    "INSERT INTO web_links (token_hash, channel, address, actor, made_at, expires_at) "
    "VALUES (:token_hash, :channel, :address, :actor, :made_at, :expires_at)"
)
_LINK = sql(
    "SELECT channel, address, actor, expires_at, used_at FROM web_links "
    "WHERE token_hash = :token_hash"
)
_USE_LINK = sql(
    "UPDATE web_links SET used_at = :used_at WHERE token_hash = :token_hash AND used_at IS NULL"
)
_LINK_USED_BY = sql("SELECT COUNT(*) FROM web_links WHERE actor = :actor AND used_at IS NOT NULL")
_FORGET_LINKS = sql("DELETE FROM web_links WHERE expires_at < :before")


@dataclass(frozen=True)
class WebLink:
    """A one-time link into the console, as kept: who asked for it, until when, whether used."""

    person: Address
    actor: str
    expires_at: datetime
    used: bool


def _user(row: Row) -> WebUser:
    return WebUser(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4])


class WebUserStorage(Repository):
    async def web_user(self, name: str) -> WebUser | None:
        row = await self.one(_USER, {"name": name})
        return None if row is None else _user(row)

    async def web_users(self) -> list[WebUser]:
        return [_user(row) for row in await self.all(_USERS)]

    async def put_web_user(
        self, name: str, role: str, password_hash: str, actor: str, now: datetime
    ) -> bool:
        """Add the account, or give an existing one this role and password; True if it is new.
        Either way recorded in web_user_events with who did it."""
        existed = await self.web_user(name) is not None
        await self.write(
            _PUT_USER,
            {
                "name": name, "role": role, "password_hash": password_hash,
                "created_at": now.isoformat(), "created_by": actor,
            },
        )  # fmt: skip
        await self._web_user_event(name, "changed" if existed else "added", role, actor, now)
        return not existed

    async def rehash_web_user(self, name: str, old: str, new: str) -> None:
        """The same password hashed anew (at other costs): no change to the account, so not
        an event of its trail."""
        await self.write(_REHASH_USER, {"name": name, "old": old, "new": new})

    async def remove_web_user(self, name: str, actor: str, now: datetime) -> WebUser | None:
        """Remove the account, recorded with who did it; None if there is none of that name."""
        user = await self.web_user(name)
        if user is None:
            return None
        await self.write(_REMOVE_USER, {"name": name})
        await self._web_user_event(name, "removed", user.role, actor, now)
        return user

    async def _web_user_event(
        self, name: str, event: str, role: str, actor: str, now: datetime
    ) -> None:
        await self.write(
            _ADD_EVENT,
            {"name": name, "event": event, "role": role, "actor": actor, "at": now.isoformat()},
        )

    async def web_user_events(self) -> list[tuple[str, str, str, str, str]]:
        """(name, event, role, actor, at) of every change to the accounts, oldest first."""
        return [(r[0], r[1], r[2], r[3], r[4]) for r in await self.all(_EVENTS)]

    # --- logins ------------------------------------------------------------------------------

    async def add_login_failure(self, name: str, address: str, now: datetime) -> None:
        await self.write(
            _ADD_LOGIN_FAILURE, {"name": name, "address": address, "at": now.isoformat()}
        )

    async def login_failures_since(
        self, name: str, address: str, since: datetime
    ) -> tuple[int, int]:
        """(failed logins with this name, failed logins from this address) since then."""
        stamp = since.isoformat()
        by_name = await self.one(_FAILURES_BY_NAME, {"name": name, "since": stamp})
        by_address = await self.one(_FAILURES_BY_ADDRESS, {"address": address, "since": stamp})
        assert by_name is not None and by_address is not None
        return int(by_name[0]), int(by_address[0])

    async def forget_login_failures(self, before: datetime) -> None:
        await self.write(_FORGET_LOGIN_FAILURES, {"before": before.isoformat()})

    # --- forms and the session key -----------------------------------------------------------

    async def claim_web_form(self, token: str, now: datetime) -> None:
        """Mark the form acted on in the transaction of its action, as a Telegram update is
        (IntakeStorage.claim_update): a form sent again is refused (FormReplayed)."""
        if await self.write(_CLAIM_FORM, {"token": token, "claimed_at": now.isoformat()}) == 0:
            raise FormReplayed()

    async def forget_web_forms(self, before: datetime) -> None:
        await self.write(_FORGET_FORMS, {"before": before.isoformat()})

    async def web_session_key(self) -> str:
        """The key signing the console's session cookies: made by the first process to ask,
        then the same for every process on the database."""
        await self.write(_MAKE_SESSION_KEY, {"key": secrets.token_hex(32)})
        row = await self.one(_SESSION_KEY)
        assert row is not None
        return str(row[0])

    # --- one-time links ----------------------------------------------------------------------

    async def add_web_link(
        self, token_hash: str, person: Address, actor: str, now: datetime, expires: datetime
    ) -> None:
        await self.write(
            _ADD_LINK,
            {
                "token_hash": token_hash, "channel": person.channel, "address": person.address,
                "actor": actor, "made_at": now.isoformat(), "expires_at": expires.isoformat(),
            },
        )  # fmt: skip

    async def web_link(self, token_hash: str) -> WebLink | None:
        row = await self.one(_LINK, {"token_hash": token_hash})
        if row is None:
            return None
        return WebLink(
            Address(row[0], row[1]), row[2], datetime.fromisoformat(row[3]), row[4] is not None
        )

    async def use_web_link(self, token_hash: str, now: datetime) -> bool:
        """Mark the link used; False if it was used already (by a request at the same moment)."""
        used = {"token_hash": token_hash, "used_at": now.isoformat()}
        return await self.write(_USE_LINK, used) == 1

    async def signed_in_by_link(self, actor: str) -> bool:
        """Whether a link of this actor was used (and not forgotten since)."""
        row = await self.one(_LINK_USED_BY, {"actor": actor})
        return row is not None and int(row[0]) > 0

    async def forget_web_links(self, before: datetime) -> None:
        """Links expired before then are no use to anyone: their rows go."""
        await self.write(_FORGET_LINKS, {"before": before.isoformat()})
