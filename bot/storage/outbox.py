"""Messages the bot owes, stored with the action that owes them, marked when delivered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.buttons import Buttons, decode, encode
from bot.storage.base import TxBase


@dataclass(frozen=True)
class Outgoing:
    """A message in the outbox, waiting for delivery."""

    id: int
    chat_id: int
    text: str
    parse_mode: str | None
    buttons: Buttons | None = None
    # A file sent with `text` as its caption: a Telegram file (`document:<file id>`,
    # `photo:<file id>`) or one the bot made and kept in the database (`file:<files.id>`).
    attachment: str | None = None


class OutboxStorage(TxBase):
    async def enqueue(
        self,
        source: str,
        messages: Iterable[tuple[int, str]],
        now: datetime,
        parse_mode: str | None = None,
        *,
        buttons: Buttons | None = None,
        attachment: str | None = None,
    ) -> int:
        """Messages (chat id, text) owed by `source`, delivered after the transaction commits,
        each with the same buttons or attached file if given."""
        markup = encode(buttons) if buttons else None
        rows = [
            (source, chat_id, text, parse_mode, now.isoformat(), markup, attachment)
            for chat_id, text in messages
        ]
        await self.db.executemany(
            "INSERT INTO outbox (source, chat_id, text, parse_mode, created_at, buttons, attachment) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        return len(rows)

    async def unsent(self, after: int, limit: int) -> list[Outgoing]:
        rows = await self.all(
            "SELECT id, chat_id, text, parse_mode, buttons, attachment FROM outbox "
            "WHERE sent_at IS NULL AND failure IS NULL AND id > ? ORDER BY id LIMIT ?",
            (after, limit),
        )
        return [
            Outgoing(i, chat, text, mode, decode(markup) if markup else None, attachment)
            for i, chat, text, mode, markup, attachment in rows
        ]

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        await self.write(
            "UPDATE outbox SET sent_at = ? WHERE id = ?", (now.isoformat(), message_id)
        )

    async def mark_undeliverable(self, message_id: int, reason: str) -> None:
        await self.write("UPDATE outbox SET failure = ? WHERE id = ?", (reason, message_id))

    async def notify(self, channel: str, payload: str) -> None:
        """PostgreSQL's NOTIFY, to the process listening (bot.replicas.Leadership)."""
        await self.one("SELECT pg_notify(?, ?)", (channel, payload))
