"""Checking a database: `govinfo-bot verify` and the scheduler's daily check."""

from __future__ import annotations

from datetime import datetime

from bot.storage import Anchor, Store
from bot.storage.verify import (
    SUMS,
    Verified,
    check_anchor,
    check_chain,
    check_keying,
    check_locks,
    check_records,
    check_sums,
    checking,
)
from bot.usecases.notices import LedgerKeyed, Notices
from scoring.errors import DomainError


async def verify(store: Store, anchor: Anchor | None = None) -> Verified:
    """What guards the database (SQLite's integrity check, the ledger's triggers on both
    stores), the ledger's chain under the ledger key, the anchor if one is given (a chain head
    kept outside the database: nothing up to it changed), every kept sum against the ledger,
    every record's status against its events and the locks against their history, in one
    snapshot; DomainError names the first problem. The bot keeps answering meanwhile: the
    checks read on a connection of their own and hash the lines off the event loop."""
    key = store.ledger_key
    shown = store.key_source.shown if store.key_source is not None else ""
    async with checking(store) as tx:
        keying = await check_keying(tx, key, shown)
        lines, head = await check_chain(tx, keying, key)
        if anchor is not None:
            await check_anchor(tx, anchor)
        sums = sum([await check_sums(tx, table) for table in SUMS])
        await check_records(tx)
        await check_locks(tx)
    return Verified(lines, sums, head)


def parse_anchor(text: str) -> Anchor:
    """An anchor as shown to the admins and in a bulletin's notes: `line:hash`."""
    line, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if (
        not line.strip().isdigit()
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise DomainError("verify_anchor_format", anchor=text)
    return Anchor(int(line), digest)


async def tell_keying(store: Store, notices: Notices, now: datetime) -> bool:
    """The admins told, once, that a database from before the ledger key was keyed on its
    upgrade, and where the key is (they must keep it apart from the database); whether told
    now. A database keyed at `init` (from its first line) has nothing to tell."""
    async with store.reading() as tx:
        # Read first: every start asks, and almost every time there is nothing to tell.
        keying = await tx.ledger.ledger_keying()
        if keying is None or keying.first_line == 1 or await tx.config.setting(_TOLD) is not None:
            return False
    async with store.transaction() as tx:
        keying = await tx.ledger.ledger_keying()
        if keying is None or keying.first_line == 1 or await tx.config.setting(_TOLD) is not None:
            return False
        shown = store.key_source.shown if store.key_source is not None else ""
        await notices.emit(tx, LedgerKeyed(keying.first_line, shown), now)
        await tx.config.set_setting(_TOLD, now.isoformat())
    return True


# The setting that says the admins were told of the keying.
_TOLD = "ledger_keying_told"
