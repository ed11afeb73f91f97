"""The ledger key: 32 random bytes the office keeps outside the database, which chain the ledger's
lines by HMAC (bot.storage.chain). Someone who can write the database but not read the key
cannot add, change or re-chain a line unseen.

Where it is kept: GOVINFO_LEDGER_KEY (the key itself, 64 hex digits), else the file
GOVINFO_LEDGER_KEY_FILE, else a file beside an SQLite database (`<database>.key`) or, for
PostgreSQL, `govinfo-ledger.key` in the working directory. `init` makes the file when there is
none; it is read once, when the store opens."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.storage.dsn import is_postgres
from scoring.errors import DomainError

KEY_BYTES = 32
# The setting the keying migration leaves on a database initialised before it.
KEYING_DUE = "ledger_keying_due"
POSTGRES_KEY_FILE = "govinfo-ledger.key"


@dataclass(frozen=True)
class KeySource:
    """Where the ledger key is: given as a value, or kept in a file."""

    file: Path | None
    value: bytes | None = None

    @property
    def shown(self) -> str:
        return str(self.file) if self.file is not None else "GOVINFO_LEDGER_KEY"


def key_source(
    target: str | Path, key_file: Path | None = None, key: str | None = None
) -> KeySource:
    """The key's place for a database: the settings given (bot.settings reads them from the
    environment and .env), else the environment's, else the default beside the database."""
    key = key or os.environ.get("GOVINFO_LEDGER_KEY") or None
    if key:
        return KeySource(None, _decode(key, "GOVINFO_LEDGER_KEY"))
    named = key_file or os.environ.get("GOVINFO_LEDGER_KEY_FILE") or None
    if named:
        return KeySource(Path(named))
    return KeySource(Path(POSTGRES_KEY_FILE) if is_postgres(target) else Path(f"{target}.key"))


def read_key(source: KeySource) -> bytes | None:
    """The key, or None when its file does not exist (yet)."""
    if source.value is not None:
        return source.value
    assert source.file is not None
    try:
        text = source.file.read_text("ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DomainError("ledger_key_unreadable", file=source.shown, detail=str(exc)) from exc
    return _decode(text, source.shown)


def make_key(source: KeySource) -> bytes:
    """The key, its file made (readable by its owner only) when there is none."""
    if (found := read_key(source)) is not None:
        return found
    key = secrets.token_bytes(KEY_BYTES)
    try:
        _write_new(source, key)
    except FileExistsError:
        return make_key(source)
    return key


def place_key(source: KeySource, key: bytes) -> None:
    """A copy's key where the target keeps it: the source's, so that its lines check there."""
    if source.file is None:
        return
    try:
        _write_new(source, key)
    except FileExistsError as exc:
        raise DomainError("ledger_key_unreadable", file=source.shown, detail=str(exc)) from exc


def _write_new(source: KeySource, key: bytes) -> None:
    """The key written to a file that must not exist yet (FileExistsError if it does): two
    processes keying at once must not write two keys over each other (O_EXCL)."""
    assert source.file is not None
    try:
        fd = os.open(source.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise
    except OSError as exc:
        raise DomainError("ledger_key_unreadable", file=source.shown, detail=str(exc)) from exc
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
        f.flush()
        os.fsync(f.fileno())


def _decode(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise DomainError("ledger_key_invalid", file=where, digits=KEY_BYTES * 2)
    return key
