"""The ledger's chain: each line's hash covers its columns and the hash of the line before it,
so that a line changed, removed or put in between breaks the chain from there on.

A plain SHA-256 chain can be recomputed by anyone who can write the database. From the point a
database is keyed on, each line is chained by an HMAC-SHA256 under the ledger key, which is kept
outside the database (bot.storage.ledgerkey): without the key no line can be added, changed or
re-chained unseen. Lines written before that point keep their SHA-256 hashes; the keying record
MACs the point and the hash it follows on, so the earlier lines cannot be rewritten either.

Points are stored in hundredths (scoring.points) but hashed as the decimal they are
(`hashed_line`): a whole number as the JSON integer it is (what every line stored before
hundredths was hashed with, so those lines still verify after the upgrade multiplied them by
100), any other as its decimal text, a JSON string (`"0.5"`, `"-0.25"`): never a float."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence

from scoring.points import ONE, show_points

# The columns a line's hash covers, in this order after the previous line's hash.
HASHED_COLUMNS = (
    "id", "date", "unit_id", "rule_id", "column_name", "points", "adoptions", "items",
    "record_id", "batch_id", "explanation", "created_at", "reverses",
)  # fmt: skip
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_POINTS = HASHED_COLUMNS.index("points")


def hashed_line(line: Sequence[object]) -> tuple[object, ...]:
    """A stored line (HASHED_COLUMNS, points in hundredths) as its hash covers it: its points
    as the decimal they are, so that hashes do not depend on how points are stored."""
    points = line[_POINTS]
    assert isinstance(points, int)
    whole, fraction = divmod(points, ONE)
    shown: object = whole if fraction == 0 else show_points(points)
    return (*line[:_POINTS], shown, *line[_POINTS + 1 :])


def line_hash(previous: str, line: Sequence[object]) -> str:
    """The chain hash of a ledger line: sha256 of a JSON array of the previous line's hash and
    the line's HASHED_COLUMNS. JSON, so that any language (or a PostgreSQL port) can check it."""
    return hashlib.sha256(_CANONICAL.encode([previous, *line]).encode()).hexdigest()


def line_mac(key: bytes, previous: str, line: Sequence[object]) -> str:
    """The keyed chain hash of a ledger line: HMAC-SHA256 under the ledger key of the same JSON
    array line_hash hashes. It costs what a SHA-256 costs."""
    return hmac.new(key, _CANONICAL.encode([previous, *line]).encode(), hashlib.sha256).hexdigest()


def chained(key: bytes | None, previous: str, line: Sequence[object]) -> str:
    """A stored line's chain hash: keyed with a key, plain SHA-256 (a line before the keying)
    without."""
    hashed = hashed_line(line)
    return line_hash(previous, hashed) if key is None else line_mac(key, previous, hashed)


def key_id(key: bytes) -> str:
    """A name for a key that does not give it away: which key a database was keyed with."""
    return hmac.new(key, b"govinfo-bot ledger key", hashlib.sha256).hexdigest()[:16]


def keying_mac(key: bytes, first_line: int, head: str, at: str) -> str:
    """The MAC of the keying record: from which line on the chain is keyed, and the hash of the
    line before it (the head of the SHA-256 chain)."""
    return line_mac(key, "keying", (first_line, head, at))
