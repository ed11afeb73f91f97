"""Who asks for an action, which request it is and when: the one value every way in (a chat
channel, the web console, the command line, the jobs) hands to a use case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage import Tx
from bot.usecases.notices import Notice, Notices


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
    # Where the action's notices go: the renderer of the channel that reaches people, which
    # owes them in the outbox. None for a way in whose actions owe nobody a notice.
    notices: Notices | None = None
    # The web console's token of the form that asked, so that a form sent twice acts once
    # (claimed in the action's own transaction, as `key` is); None for other ways in.
    form: str | None = None

    async def emit(self, tx: Tx, notice: Notice) -> None:
        """Owe `notice` inside the action's transaction `tx`."""
        if self.notices is None:
            # A notice with nowhere to go would be lost silently: a way in that lets an action
            # tell someone must say through which channel.
            raise RuntimeError(f"{type(notice).__name__} emitted by a request without notices")
        await self.notices.emit(tx, notice, self.at)


async def claim(tx: Tx, request: Request) -> None:
    """Mark the request handled inside the action's transaction: the two commit together, and
    a request handled before is refused (AlreadyProcessed, FormReplayed)."""
    if request.key is not None:
        await tx.intake.claim_update(request.key, request.at)
    if request.form is not None:
        await tx.webusers.claim_web_form(request.form, request.at)
