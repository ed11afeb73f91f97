"""Who asks for an action, which request it is and when: the one value every way in (a chat
channel, the web console, the command line, the jobs) hands to a use case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage import Tx


@dataclass(frozen=True)
class Request:
    # Who acts, as the audit trail records it: opaque to the use cases (`tg:9001`,
    # `web:王芳`, `cli:王芳`, `scheduler`); the way in builds it.
    actor: str
    # The moment the action happens.
    at: datetime
    # The way in's number for this request, so that a request delivered twice acts once
    # (claimed in the action's own transaction); None where nothing is redelivered (the CLI).
    key: int | None = None
    # The actor's name as people read it, where it is recorded beside the actor.
    name: str = ""


async def claim(tx: Tx, request: Request) -> None:
    """Mark the request handled inside the action's transaction: the two commit together, and
    a request handled before is refused (AlreadyProcessed)."""
    if request.key is not None:
        await tx.intake.claim_update(request.key, request.at)
