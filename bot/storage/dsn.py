"""A PostgreSQL URL read as asyncpg reads it, and refused before use when it would be misread.

A `/`, `?` or `#` written as is in a password ends the URL's user part early (`pa/ss@host`
is the host `pa` and the path `/ss@host`), a second `@` moves the host, and a port that is not
a number fails deep in the driver: each would end in a traceback, or connect with the wrong
password and have the logs redact the wrong text. Each is a one-line refusal here instead.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

from scoring.errors import DomainError

SCHEMES = ("postgresql://", "postgres://")
MAX_PORT = 65535


def check_url(dsn: str) -> None:
    """Refuse (DomainError) a PostgreSQL URL whose parts cannot be read as meant."""
    parts = urlsplit(dsn)
    if "#" in dsn or "@" in parts.path + parts.query or parts.netloc.count("@") > 1:
        raise DomainError("db_url_unencoded")
    hosts = parts.netloc.rpartition("@")[2]
    ports = [_port_of(host) for host in hosts.split(",")]
    ports += [p for key, value in parse_qsl(parts.query) if key == "port" for p in value.split(",")]
    if not all(_is_port(port) for port in ports if port):
        raise DomainError("db_url_port")


def password_in(dsn: str) -> str | None:
    """The password as the driver will send it (percent-decoded), if the URL holds one."""
    parts = urlsplit(dsn)
    query = dict(parse_qsl(parts.query))
    if query.get("password"):
        return query["password"]
    credentials, at, _ = parts.netloc.partition("@")
    password = credentials.partition(":")[2] if at else ""
    return unquote(password) or None


def _port_of(host: str) -> str:
    if host.startswith("["):  # an IPv6 address: [::1]:5432
        return host.partition("]")[2].removeprefix(":")
    return host.rpartition(":")[2] if ":" in host else ""


def _is_port(text: str) -> bool:
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PORT


def is_postgres(target: object) -> bool:
    """Whether a store's target is a PostgreSQL URL (else it is an SQLite file's path)."""
    return isinstance(target, str) and target.startswith(SCHEMES)
