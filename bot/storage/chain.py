"""The ledger's hash chain: each line's hash covers its columns and the hash of the line before
it, so that a line changed, removed or put in between breaks the chain from there on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

# The columns a line's hash covers, in this order after the previous line's hash.
HASHED_COLUMNS = (
    "id", "date", "unit_id", "rule_id", "column_name", "points", "adoptions", "items",
    "record_id", "batch_id", "explanation", "created_at", "reverses",
)  # fmt: skip
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def line_hash(previous: str, line: Sequence[object]) -> str:
    """The chain hash of a ledger line: sha256 of a JSON array of the previous line's hash and
    the line's HASHED_COLUMNS. JSON, so that any language (or a PostgreSQL port) can check it."""
    return hashlib.sha256(_CANONICAL.encode([previous, *line]).encode()).hexdigest()
