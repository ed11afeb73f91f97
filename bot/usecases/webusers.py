"""Who may enter the web console: accounts with a role and a password (hashed with argon2),
logins throttled per name and per address, and the role read afresh for every action; and the
chat's admins, by a one-time link they ask the bot for (`/web`)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.storage import Address, Store, Tx, WebLink, WebUser
from bot.usecases.request import Request, claim
from scoring.errors import DomainError
from scoring.text import clean_text

ROLES = ("admin", "viewer")
# Shorter passwords are refused when an account is made.
PASSWORD_MIN = 8
NAME_MAX = 64
# Forms acted on are remembered this long: a form is sent twice within seconds, not days.
KEEP_FORMS = timedelta(days=2)


class Passwords:
    """Passwords hashed with argon2id at the office's cost (Settings.web_password_time_cost and
    web_password_memory_kib): the same for the accounts made and the logins checked."""

    def __init__(self, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        self._nobody: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def matches(self, hashed: str, password: str) -> bool:
        try:
            return self._hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    def outdated(self, hashed: str) -> bool:
        """The hash was made at other costs than these (the setting changed since)."""
        return self._hasher.check_needs_rehash(hashed)

    def check_nobody(self, password: str) -> None:
        """A check as long as a real one, when the name is unknown: a wrong name then takes as
        long as a wrong password and does not tell which names exist. The hash checked against
        is made at the first such login, not when the console starts."""
        if self._nobody is None:
            self._nobody = self.hash("nobody has this password")
        self.matches(self._nobody, password)


@dataclass(frozen=True)
class Throttle:
    """At most `attempts` failed logins per name and per address within `window`."""

    attempts: int
    window: timedelta


def actor_of(name: str) -> str:
    """How the audit trail names a console user's actions: an account's as `web:王芳`; a chat
    admin signed in by a link as their chat actions are (`tg:9001`: account names have no
    colon)."""
    return name if ":" in name else f"web:{name}"


def check_name(name: str) -> str:
    name = clean_text(name)
    if not name or len(name) > NAME_MAX or ":" in name:
        raise DomainError("web_user_name", limit=NAME_MAX)
    return name


def hash_password(passwords: Passwords, password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise DomainError("web_password_short", minimum=PASSWORD_MIN)
    return passwords.hash(password)


async def put_user(
    store: Store,
    name: str,
    role: str,
    password: str,
    actor: str,
    now: datetime,
    passwords: Passwords,
) -> bool:
    """Add the account, or set its role and password anew; True if it is new."""
    name = check_name(name)
    if role not in ROLES:
        raise DomainError("web_role_unknown", role=role)
    hashed = hash_password(passwords, password)
    async with store.transaction() as tx:
        return await tx.webusers.put_web_user(name, role, hashed, actor, now)


async def remove_user(store: Store, name: str, actor: str, now: datetime) -> WebUser:
    async with store.transaction() as tx:
        removed = await tx.webusers.remove_web_user(clean_text(name), actor, now)
    if removed is None:
        raise DomainError("web_user_unknown", name=name)
    return removed


async def users(store: Store) -> list[WebUser]:
    async with store.reading() as tx:
        return await tx.webusers.web_users()


async def log_in(
    store: Store,
    name: str,
    password: str,
    address: str,
    throttle: Throttle,
    now: datetime,
    passwords: Passwords,
) -> WebUser:
    """The account, if the password is its own and neither the name nor the address has failed
    too often lately; each failure is recorded and counts against both. A password hashed at
    other costs than the office's is hashed anew at theirs (the only moment it is known)."""
    name = clean_text(name)
    async with store.reading() as tx:
        by_name, by_address = await tx.webusers.login_failures_since(
            name, address, now - throttle.window
        )
        user = await tx.webusers.web_user(name)
    if max(by_name, by_address) >= throttle.attempts:
        minutes = max(1, round(throttle.window.total_seconds() / 60))
        raise DomainError("web_login_throttled", minutes=minutes)
    # The hash is checked outside any transaction: it takes a while, on purpose.
    if user is not None and passwords.matches(user.password_hash, password):
        if passwords.outdated(user.password_hash):
            rehashed = passwords.hash(password)
            async with store.transaction() as tx:
                await tx.webusers.rehash_web_user(user.name, user.password_hash, rehashed)
        return user
    if user is None:
        passwords.check_nobody(password)
    async with store.transaction() as tx:
        await tx.webusers.add_login_failure(name, address, now)
        await tx.webusers.forget_login_failures(now - max(throttle.window, timedelta(days=1)))
    raise DomainError("web_login_wrong")


async def current_user(tx: Tx, name: str) -> WebUser:
    """The account as the database has it now: a removed user is refused at once. A chat
    admin's actor (`tg:9001`) is an admin if they came in by a link: the console checked them
    against the admins of its settings for this very request (link_admin)."""
    if ":" in name:
        if not await tx.webusers.signed_in_by_link(name):
            raise DomainError("web_user_gone")
        return WebUser(name, "admin", "", datetime.min, name)
    user = await tx.webusers.web_user(name)
    if user is None:
        raise DomainError("web_user_gone")
    return user


async def acting_admin(tx: Tx, name: str, form: str, now: datetime) -> str:
    """Inside an action's transaction: the user is an admin at this moment, and the form was
    not acted on before (claimed here, as a Telegram update is). The actor to record."""
    user = await current_user(tx, name)
    if not user.is_admin:
        raise DomainError("web_admin_only")
    await tx.webusers.claim_web_form(form, now)
    await tx.webusers.forget_web_forms(now - KEEP_FORMS)
    return actor_of(user.name)


# A link's token: 32 URL-safe characters (192 random bits), kept only as its SHA-256.
LINK_TOKEN_BYTES = 24
LINK_TOKEN_MAX = 64
# Links expired this long ago are forgotten, and with them the sessions they opened: a session
# opened by a link lasts at most this long, however busy.
KEEP_LINKS = timedelta(hours=12)
# A session opened by a link: its name in the session cookie, the link's hash after it.
LINK_SESSION = "link:"


def link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoginLink:
    token: str
    expires_at: datetime


async def make_login_link(
    store: Store, person: Address, request: Request, ttl: timedelta
) -> LoginLink:
    """A one-time link into the console for the admin `person` (checked by their channel),
    whose console actions are recorded as the request's actor. Stored only hashed; a request
    delivered twice makes none the second time."""
    token = secrets.token_urlsafe(LINK_TOKEN_BYTES)
    expires = request.at + ttl
    async with store.transaction() as tx:
        await claim(tx, request)
        await tx.webusers.forget_web_links(request.at - KEEP_LINKS)
        await tx.webusers.add_web_link(link_hash(token), person, request.actor, request.at, expires)
    return LoginLink(token, expires)


async def check_login_link(store: Store, token: str, now: datetime) -> None:
    """Refuse a link that is unknown, used or expired (nothing changes)."""
    async with store.reading() as tx:
        _usable(await tx.webusers.web_link(link_hash(token)) if _well_formed(token) else None, now)


async def use_login_link(
    store: Store, token: str, admins: Collection[Address], now: datetime
) -> str:
    """Use the link, once, if its admin is one still: the name of the console session it opens
    (LINK_SESSION and the link's hash)."""
    hashed = link_hash(token)
    async with store.transaction() as tx:
        link = _usable(await tx.webusers.web_link(hashed) if _well_formed(token) else None, now)
        if link.person not in admins:
            raise DomainError("web_link_not_admin")
        if not await tx.webusers.use_web_link(hashed, now):
            raise DomainError("web_link_used")
    return LINK_SESSION + hashed


async def link_admin(
    store: Store, session: str, admins: Collection[Address], now: datetime
) -> WebUser | None:
    """The admin a link's session belongs to, if they are an admin at this moment (their
    actor as the name: current_user and actor_of take it); None if not, or if the link is
    forgotten."""
    async with store.reading() as tx:
        link = await tx.webusers.web_link(session.removeprefix(LINK_SESSION))
    if link is None or not link.used or link.person not in admins:
        return None
    return WebUser(link.actor, "admin", "", now, link.actor)


def _well_formed(token: str) -> bool:
    return 0 < len(token) <= LINK_TOKEN_MAX


def _usable(link: WebLink | None, now: datetime) -> WebLink:
    if link is None:
        raise DomainError("web_link_unknown")
    if link.used:
        raise DomainError("web_link_used")
    if link.expires_at <= now:
        raise DomainError("web_link_expired")
    return link
