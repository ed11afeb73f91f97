"""`govinfo-bot db copy`: an assessment moved whole from one store to another (SQLite to
PostgreSQL, or back), with the bot stopped."""

from __future__ import annotations

from bot import texts
from bot.storage import Store, place_key, read_key
from bot.storage.copy import (
    TABLES,
    advance_identities,
    bind_working_file,
    clear_settings,
    first_filled,
    read_chunks,
    write_rows,
)
from scoring.errors import DomainError


async def copy_database(source: Store, target: Store) -> dict[str, int]:
    """Every table of the source's assessment into the target, which must hold none of it, in
    one transaction there (all of it or nothing); the rows copied, by table, in the order
    copied. The source is read in one snapshot. The kept sums are not copied: the target's
    ledger triggers sum the lines as they go in (`verify` on the target then shows that they
    agree with the lines)."""
    async with source.reading() as tx:
        if await tx.config.ruleset_text() is None:
            raise DomainError("copy_source_missing", db=source.display)
    key = source.writing_key()
    assert target.key_source is not None
    target_key = read_key(target.key_source)
    async with source.bot_transaction() as tx:
        waiting = len(await tx.intake.unhandled_updates())
    if waiting:
        # Telegram was told they arrived: not copied, they would be lost with the old store.
        raise DomainError("copy_source_unhandled", db=source.display, updates=waiting)
    rows: dict[str, int] = {}
    async with source.reading(snapshot=True) as read, target.transaction() as write:
        filled = await first_filled(write)
        if filled is not None:
            table, count = filled
            raise DomainError(
                "copy_target_not_empty",
                db=target.display,
                table=texts.COPY_TABLES[table],
                rows=count,
            )
        if target_key is not None and target_key != key:
            # The copied lines would not check under the target's key.
            raise DomainError("copy_key_differs", file=target.key_source.shown)
        await clear_settings(write)
        for table in TABLES:
            rows[table.name] = 0
            async for chunk in read_chunks(read, table):
                await write_rows(write, table, chunk)
                rows[table.name] += len(chunk)
        await advance_identities(write)
    if target_key is None:
        place_key(target.key_source, key)
    target.ledger_key = key
    await bind_working_file(target)
    return rows
