"""Setting a database up with the ruleset it will score by."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage import Store, earlier_builtin
from scoring.errors import DomainError
from scoring.rulediff import RuleChange, ruleset_changes
from scoring.ruleset import (
    BUILTIN_RULESETS,
    Ruleset,
    builtin_ruleset_text,
    parse_ruleset,
    ruleset_source,
)


async def initialize(store: Store, spec: str) -> tuple[Ruleset, bool]:
    """Store the ruleset (a built-in id or a file); (ruleset, whether anything changed).

    A database keeps the ruleset it was started with: every stored entry was scored by it. Asked
    for the built-in ruleset it holds an earlier shipped text of, it keeps that text (newer_method
    says what today's would change).
    """
    text = ruleset_source(spec)
    ruleset = parse_ruleset(text)
    async with store.transaction() as tx:
        current = await tx.config.ruleset_text()
        if current is None:
            await tx.config.set_ruleset(text)
            # Keyed from the first line on (the key file made here if there is none).
            await tx.ledger.key_ledger(store.new_key(), datetime.now(UTC))
            return ruleset, True
    if current == text:
        return ruleset, False
    if spec in BUILTIN_RULESETS and earlier_builtin(current) == spec:
        return parse_ruleset(current), False
    raise DomainError(
        "already_initialized", current=parse_ruleset(current).id, requested=ruleset.id
    )


async def newer_method(store: Store) -> list[RuleChange]:
    """What the text of the database's built-in ruleset shipped now would change against the
    earlier shipped text it keeps (nothing for an office's own ruleset, or today's text)."""
    async with store.reading() as tx:
        current = await tx.config.ruleset_text()
    if current is None:
        raise DomainError("not_initialized")
    ruleset_id = earlier_builtin(current)
    if ruleset_id is None:
        return []
    return ruleset_changes(current, builtin_ruleset_text(ruleset_id))
