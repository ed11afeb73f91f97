"""The web console's own rows: its accounts and what was done to them, failed logins (for
throttling), the forms already acted on, and the key that signs its session cookies."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.storage.base import TxBase
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


_USER = "SELECT name, role, password_hash, created_at, created_by FROM web_users"


class WebUserStorage(TxBase):
    async def web_user(self, name: str) -> WebUser | None:
        row = await self.one(f"{_USER} WHERE name = ?", (name,))
        if row is None:
            return None
        return WebUser(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4])

    async def web_users(self) -> list[WebUser]:
        rows = await self.all(f"{_USER} ORDER BY name")
        return [WebUser(r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4]) for r in rows]

    async def put_web_user(
        self, name: str, role: str, password_hash: str, actor: str, now: datetime
    ) -> bool:
        """Add the account, or give an existing one this role and password; True if it is new.
        Either way recorded in web_user_events with who did it."""
        existed = await self.web_user(name) is not None
        await self.db.execute(
            "INSERT INTO web_users (name, role, password_hash, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
            "password_hash = excluded.password_hash",
            (name, role, password_hash, now.isoformat(), actor),
        )
        await self._web_user_event(name, "changed" if existed else "added", role, actor, now)
        return not existed

    async def remove_web_user(self, name: str, actor: str, now: datetime) -> WebUser | None:
        """Remove the account, recorded with who did it; None if there is none of that name."""
        user = await self.web_user(name)
        if user is None:
            return None
        await self.write("DELETE FROM web_users WHERE name = ?", (name,))
        await self._web_user_event(name, "removed", user.role, actor, now)
        return user

    async def _web_user_event(
        self, name: str, event: str, role: str, actor: str, now: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO web_user_events (name, event, role, actor, at) VALUES (?, ?, ?, ?, ?)",
            (name, event, role, actor, now.isoformat()),
        )

    async def web_user_events(self) -> list[tuple[str, str, str, str, str]]:
        """(name, event, role, actor, at) of every change to the accounts, oldest first."""
        return [
            (r[0], r[1], r[2], r[3], r[4])
            for r in await self.all(
                "SELECT name, event, role, actor, at FROM web_user_events ORDER BY id"
            )
        ]

    # --- logins ------------------------------------------------------------------------------

    async def add_login_failure(self, name: str, address: str, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO web_login_failures (name, address, at) VALUES (?, ?, ?)",
            (name, address, now.isoformat()),
        )

    async def login_failures_since(
        self, name: str, address: str, since: datetime
    ) -> tuple[int, int]:
        """(failed logins with this name, failed logins from this address) since then."""
        stamp = since.isoformat()
        by_name = await self.one(
            "SELECT COUNT(*) FROM web_login_failures WHERE name = ? AND at > ?", (name, stamp)
        )
        by_address = await self.one(
            "SELECT COUNT(*) FROM web_login_failures WHERE address = ? AND at > ?",
            (address, stamp),
        )
        assert by_name is not None and by_address is not None
        return int(by_name[0]), int(by_address[0])

    async def forget_login_failures(self, before: datetime) -> None:
        await self.write("DELETE FROM web_login_failures WHERE at < ?", (before.isoformat(),))

    # --- forms and the session key -----------------------------------------------------------

    async def claim_web_form(self, token: str, now: datetime) -> None:
        """Mark the form acted on in the transaction of its action, as a Telegram update is
        (IntakeStorage.claim_update): a form sent again is refused (FormReplayed)."""
        cursor = await self.db.execute(
            "INSERT INTO web_forms (token, claimed_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (token, now.isoformat()),
        )
        if cursor.rowcount == 0:
            raise FormReplayed()

    async def forget_web_forms(self, before: datetime) -> None:
        await self.write("DELETE FROM web_forms WHERE claimed_at < ?", (before.isoformat(),))

    async def web_session_key(self) -> str:
        """The key signing the console's session cookies: made by the first process to ask,
        then the same for every process on the database."""
        await self.db.execute(
            "INSERT INTO web_session_key (one, key) VALUES (1, ?) ON CONFLICT DO NOTHING",
            (secrets.token_hex(32),),
        )
        row = await self.one("SELECT key FROM web_session_key WHERE one = 1")
        assert row is not None
        return str(row[0])
