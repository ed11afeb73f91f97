"""Setting a database up with the ruleset it will score by."""

from __future__ import annotations

from bot.storage import Store
from scoring.errors import DomainError
from scoring.ruleset import Ruleset, parse_ruleset, ruleset_source


async def initialize(store: Store, spec: str) -> tuple[Ruleset, bool]:
    """Store the ruleset (a built-in id or a file); (ruleset, whether anything changed).

    A database keeps the ruleset it was started with: every stored entry was scored by it.
    """
    text = ruleset_source(spec)
    ruleset = parse_ruleset(text)
    async with store.transaction() as tx:
        current = await tx.ruleset_text()
        if current is None:
            await tx.set_ruleset(text)
            return ruleset, True
    if current == text:
        return ruleset, False
    raise DomainError(
        "already_initialized", current=parse_ruleset(current).id, requested=ruleset.id
    )
