"""What an action owes people besides the one asking: written to the outbox in the action's own
transaction, so that it is delivered even if the bot stops right after the commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.buttons import Buttons
from bot.render import CAPTION_LIMIT, cut, split_message
from bot.storage import EDIT_CAPTION, EDIT_TEXT, Address, Outgoing, Tx

R = TypeVar("R")
# How long the process that handled an action keeps its answer to itself, to send it at once:
# longer than one send takes, however slow. Only after that may another process's courier send
# it (the first has died, or its send failed).
ANSWER_HOLD = timedelta(seconds=30)


@dataclass
class Answer(Generic[R]):
    """The answer to the person who asked: rendered from the action's result inside its
    transaction and owed there (owe_answer), so that a crash right after the commit cannot
    leave the action unanswered; `owed` is what the channel then sends at once."""

    to: Address
    render: Callable[[R], str]
    # The buttons under the answer (on its last part), if it has any.
    buttons: Callable[[R], Buttons] | None = None
    # The answer to a button's press: the new text of the button's message (its buttons gone),
    # the edit owed as a message is; `caption`: the message is a file's, its caption edited.
    edits: int | None = None
    caption: bool = False
    owed: list[Outgoing] = field(default_factory=list)


async def owe_answer(
    tx: Tx, answer: Answer[R] | None, result: R, source: str, now: datetime
) -> None:
    if answer is None:
        return
    text = answer.render(result)
    buttons = answer.buttons(result) if answer.buttons is not None else None
    if answer.edits is None:
        answer.owed = await tx.outbox.enqueue_answer(
            source, answer.to, split_message(text), now, now + ANSWER_HOLD, buttons=buttons
        )
        return
    edit = f"{EDIT_CAPTION if answer.caption else EDIT_TEXT}:{answer.edits}"
    answer.owed = await tx.outbox.enqueue_answer(
        source, answer.to, [text], now, now + ANSWER_HOLD, buttons=buttons, attachment=edit
    )


async def tell_unit(tx: Tx, unit_id: int, source: str, text: str, now: datetime) -> None:
    """The unit's active liaisons are owed `text` (in as many messages as it needs)."""
    chats = [p.address for p in await tx.liaisons.liaisons(unit_id)]
    await tx.outbox.enqueue(
        source, [(chat, part) for chat in chats for part in split_message(text)], now
    )


async def tell_admins(
    tx: Tx,
    admin_ids: Sequence[int],
    source: str,
    text: str,
    now: datetime,
    *,
    buttons: Buttons | None = None,
    attachment: str | None = None,
) -> None:
    """Every admin (their Telegram ids, from the settings) is owed `text`, with buttons or a
    file if given. A long text goes in as many messages as it needs, the buttons on the last; a
    file's caption is cut to fit."""
    admins = [Address.telegram(a) for a in admin_ids]
    if attachment is not None:
        await tx.outbox.enqueue(
            source, [(a, cut(text, CAPTION_LIMIT)) for a in admins], now,
            buttons=buttons, attachment=attachment,
        )  # fmt: skip
        return
    *parts, last = split_message(text)
    await tx.outbox.enqueue(source, [(a, part) for a in admins for part in parts], now)
    await tx.outbox.enqueue(source, [(a, last) for a in admins], now, buttons=buttons)
