"""Messages the bot owes, stored with the action that owes them, marked when delivered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.buttons import Buttons, decode, encode
from bot.storage.base import TxBase

# What the leading bot process listens to on PostgreSQL (bot.replicas.Leadership): another
# process added to the outbox, or to the calendar.
OUTBOX_CHANNEL = "govinfo_outbox"


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
    # A send was begun before (by a process since gone, or one that got no answer): Telegram
    # may have received it, so it goes again marked as a possible repeat.
    tried: bool = False


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

    async def enqueue_answer(
        self,
        source: str,
        chat_id: int,
        parts: Sequence[str],
        now: datetime,
        held_until: datetime,
        *,
        buttons: Buttons | None = None,
    ) -> list[Outgoing]:
        """The answer to the person who asked, owed in the action's own transaction, its
        buttons on the last part. It is sent at once by the process that wrote it, which holds
        it until `held_until` (no courier sends it meanwhile), and it counts as tried: found
        unsent after a crash, it may have reached the chat."""
        markup = encode(buttons) if buttons else None
        owed = []
        for n, text in enumerate(parts):
            last = n == len(parts) - 1
            row = await self.one(
                "INSERT INTO outbox (source, chat_id, text, parse_mode, created_at, buttons, "
                "held_until, tried_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?) RETURNING id",
                (source, chat_id, text, now.isoformat(), markup if last else None,
                 held_until.isoformat(), now.isoformat()),
            )  # fmt: skip
            assert row is not None
            owed.append(Outgoing(row[0], chat_id, text, None, buttons if last else None))
        return owed

    async def unsent(
        self, after: int, limit: int, *, now: datetime | None = None, since: datetime | None = None
    ) -> list[Outgoing]:
        """Messages waiting, after the id `after`. With `now`, not the answers held by the
        process that wrote them (see enqueue_answer), unless written before `since`."""
        held = ""
        params: tuple[object, ...] = (after,)
        if now is not None:
            held = " AND (held_until IS NULL OR held_until <= ? OR created_at < ?)"
            params += (now.isoformat(), (since or now).isoformat())
        rows = await self.all(
            "SELECT id, chat_id, text, parse_mode, buttons, attachment, tried_at FROM outbox "
            f"WHERE sent_at IS NULL AND failure IS NULL AND id > ?{held} ORDER BY id LIMIT ?",
            (*params, limit),
        )
        return [
            Outgoing(i, chat, text, mode, decode(markup) if markup else None, attachment,
                     tried is not None)
            for i, chat, text, mode, markup, attachment, tried in rows
        ]  # fmt: skip

    async def next_release(self, now: datetime, since: datetime) -> datetime | None:
        """When the first answer held now by the process that wrote it is released to the
        courier (the process may have died before sending it)."""
        row = await self.one(
            "SELECT MIN(held_until) FROM outbox WHERE sent_at IS NULL AND failure IS NULL "
            "AND held_until > ? AND created_at >= ?",
            (now.isoformat(), since.isoformat()),
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def mark_tried(self, message_ids: Sequence[int], now: datetime) -> None:
        """Sends about to begin: found unsent after a crash, these may have been received."""
        await self.db.executemany(
            "UPDATE outbox SET tried_at = ? WHERE id = ? AND tried_at IS NULL",
            [(now.isoformat(), i) for i in message_ids],
        )

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        await self.write(
            "UPDATE outbox SET sent_at = ? WHERE id = ?", (now.isoformat(), message_id)
        )

    async def mark_undeliverable(self, message_id: int, reason: str) -> None:
        await self.write("UPDATE outbox SET failure = ? WHERE id = ?", (reason, message_id))

    async def nudge_courier(self) -> None:
        """On PostgreSQL, tell the leading bot process that the outbox holds something new (a
        process that sends nothing itself: a follower, the web console). SQLite has no such
        signal."""
        if self.dialect == "postgres":
            await self.notify(OUTBOX_CHANNEL, "")

    async def notify(self, channel: str, payload: str) -> None:
        """PostgreSQL's NOTIFY, to the process listening (bot.replicas.Leadership)."""
        await self.one("SELECT pg_notify(?, ?)", (channel, payload))
