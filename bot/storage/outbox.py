"""Messages the bot owes, stored with the action that owes them, marked when delivered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.buttons import Buttons, decode, encode
from bot.storage.base import TxBase

# An owed edit of a message the bot sent (an answer to a button's press), as the attachment
# names it: `edit:<message id>` for its text, `caption:<message id>` for a file's caption.
EDIT_TEXT = "edit"
EDIT_CAPTION = "caption"


@dataclass(frozen=True)
class Outgoing:
    """A message in the outbox, waiting for delivery."""

    id: int
    chat_id: int
    text: str
    parse_mode: str | None
    buttons: Buttons | None = None
    # A file sent with `text` as its caption: a Telegram file (`document:<file id>`,
    # `photo:<file id>`) or one the bot made and kept in the database (`file:<files.id>`); or,
    # instead of a message of its own, the edit of one (EDIT_TEXT, EDIT_CAPTION).
    attachment: str | None = None
    # A send was begun before (by a process since gone, or one that got no answer): Telegram
    # may have received it, so it goes again marked as a possible repeat.
    tried: bool = False
    # Owed by an action of the bot's working file (a report's summary), marked there: on SQLite
    # the working file keeps such answers in a table of its own (see Store.answers_apart).
    bot_file: bool = False


class OutboxStorage(TxBase):
    @property
    def _outbox(self) -> str:
        """Where this transaction's answers wait: the working file's own table (`answers`) on a
        store that keeps them apart (Store.answers_apart), the database's outbox otherwise."""
        return "answers" if self.bot_file and self.store.answers_apart else "outbox"

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
        attachment: str | None = None,
    ) -> list[Outgoing]:
        """The answer to the person who asked, owed in the action's own transaction, its
        buttons and `attachment` (an edit: see notices.Answer) on the last part. It is sent at
        once by the process that wrote it, which holds it until `held_until` (no courier sends
        it meanwhile), and it counts as tried: found unsent after a crash, it may have reached
        the chat."""
        markup = encode(buttons) if buttons else None
        owed = []
        for n, text in enumerate(parts):
            last = n == len(parts) - 1
            row = await self.one(
                f"INSERT INTO {self._outbox} (source, chat_id, text, parse_mode, created_at, buttons, "
                "attachment, held_until, tried_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?) "
                "RETURNING id",
                (source, chat_id, text, now.isoformat(), markup if last else None,
                 attachment if last else None, held_until.isoformat(), now.isoformat()),
            )  # fmt: skip
            assert row is not None
            owed.append(
                Outgoing(row[0], chat_id, text, None, buttons if last else None,
                         attachment if last else None, bot_file=self.bot_file)
            )  # fmt: skip
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
            "SELECT id, chat_id, text, parse_mode, buttons, attachment, tried_at "
            f"FROM {self._outbox} "
            f"WHERE sent_at IS NULL AND failure IS NULL AND id > ?{held} ORDER BY id LIMIT ?",
            (*params, limit),
        )
        return [
            Outgoing(i, chat, text, mode, decode(markup) if markup else None, attachment,
                     tried is not None, self.bot_file)
            for i, chat, text, mode, markup, attachment, tried in rows
        ]  # fmt: skip

    async def next_release(self, now: datetime, since: datetime) -> datetime | None:
        """When the first answer held now by the process that wrote it is released to the
        courier (the process may have died before sending it)."""
        row = await self.one(
            f"SELECT MIN(held_until) FROM {self._outbox} WHERE sent_at IS NULL AND failure IS NULL "
            "AND held_until > ? AND created_at >= ?",
            (now.isoformat(), since.isoformat()),
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def mark_tried(self, message_ids: Sequence[int], now: datetime) -> None:
        """Sends about to begin: found unsent after a crash, these may have been received."""
        await self.db.executemany(
            f"UPDATE {self._outbox} SET tried_at = ? WHERE id = ? AND tried_at IS NULL",
            [(now.isoformat(), i) for i in message_ids],
        )

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        await self.write(
            f"UPDATE {self._outbox} SET sent_at = ? WHERE id = ?", (now.isoformat(), message_id)
        )

    async def mark_undeliverable(self, message_id: int, reason: str) -> None:
        await self.write(
            f"UPDATE {self._outbox} SET failure = ? WHERE id = ?", (reason, message_id)
        )

    async def notify(self, channel: str, payload: str) -> None:
        """PostgreSQL's NOTIFY, to the process listening (bot.replicas.Leadership)."""
        await self.one("SELECT pg_notify(?, ?)", (channel, payload))
