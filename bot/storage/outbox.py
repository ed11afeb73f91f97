"""Messages the bot owes, stored with the action that owes them, marked when delivered."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.address import Address
from bot.storage.query import Repository
from bot.storage.sql import Statement, sql

# An owed edit of a message the bot sent (an answer to a button's press), as the attachment
# names it: `edit:<message id>` for its text, `caption:<message id>` for a file's caption.
EDIT_TEXT = "edit"
EDIT_CAPTION = "caption"

# A message's inline buttons as plain data, rows of (label, callback data): the outbox keeps
# them as JSON; the channel renders them (bot.buttons makes the bot's own).
Buttons = list[list[tuple[str, str]]]


def encode(buttons: Buttons) -> str:
    return json.dumps(buttons, ensure_ascii=False)


def decode(text: str) -> Buttons:
    return [[(label, data) for label, data in row] for row in json.loads(text)]


# What the leading bot process listens to on PostgreSQL (bot.telegram.replicas.Leadership): another
# process added to the outbox, or to the calendar.
OUTBOX_CHANNEL = "govinfo_outbox"


@dataclass(frozen=True)
class Outgoing:
    """A message in the outbox, waiting for delivery."""

    id: int
    to: Address
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


# Rows given in this order (Tx.many).
_ENQUEUE = sql(
    "INSERT INTO outbox (source, channel, address, text, parse_mode, created_at, buttons, "
    "attachment) VALUES (:source, :channel, :address, :text, :parse_mode, :created_at, "
    ":buttons, :attachment)"
)
_NOTIFY = sql(postgres="SELECT pg_notify(:channel, :payload)")
# SQLite has no such signal: the bot's next delivery finds the message.
_NUDGE = sql(sqlite="SELECT 1", postgres=f"SELECT pg_notify('{OUTBOX_CHANNEL}', '')")


@dataclass(frozen=True)
class _Table:
    """The statements of one table of owed messages: the database's outbox, or the working
    file's answers (SQLite only: see Store.answers_apart)."""

    enqueue_answer: Statement
    unsent: Statement
    unsent_on: Statement
    deliverable: Statement
    next_release: Statement
    by_channel: Statement
    mark_tried: Statement  # rows given in this order (Tx.many)
    mark_sent: Statement  # of many messages at once
    undeliverable: Statement


def _table(name: str, declare: Callable[[str], Statement], *, on_postgres: bool) -> _Table:
    unsent = (
        f"SELECT id, channel, address, text, parse_mode, buttons, attachment, tried_at FROM {name}"
    )
    return _Table(
        enqueue_answer=declare(
            f"INSERT INTO {name} (source, channel, address, text, parse_mode, created_at, "
            "buttons, attachment, held_until, tried_at) VALUES (:source, :channel, :address, "
            ":text, NULL, :now, :buttons, :attachment, :held_until, :now) RETURNING id"
        ),
        unsent=declare(
            f"{unsent} WHERE sent_at IS NULL AND failure IS NULL AND id > :after "
            "ORDER BY id LIMIT :limit"
        ),
        unsent_on=declare(
            f"{unsent} WHERE sent_at IS NULL AND failure IS NULL AND id > :after "
            "AND channel = :channel ORDER BY id LIMIT :limit"
        ),
        deliverable=declare(
            f"{unsent} WHERE sent_at IS NULL AND failure IS NULL AND id > :after "
            "AND channel = :channel "
            "AND (held_until IS NULL OR held_until <= :now OR created_at < :since) "
            "ORDER BY id LIMIT :limit"
        ),
        next_release=declare(
            f"SELECT MIN(held_until) FROM {name} WHERE sent_at IS NULL AND failure IS NULL "
            "AND channel = :channel AND held_until > :now AND created_at >= :since"
        ),
        by_channel=declare(
            f"SELECT channel, COUNT(*) FROM {name} WHERE sent_at IS NULL AND failure IS NULL "
            "GROUP BY channel ORDER BY channel"
        ),
        mark_tried=declare(
            f"UPDATE {name} SET tried_at = :tried_at WHERE id = :id AND tried_at IS NULL"
        ),
        mark_sent=sql(
            sqlite=f"UPDATE {name} SET sent_at = :sent_at "
            "WHERE id IN (SELECT value FROM json_each(:ids))",
            postgres=f"UPDATE {name} SET sent_at = :sent_at WHERE id = ANY(:ids::bigint[])"
            if on_postgres
            else None,
            arrays=["ids"],
        ),
        undeliverable=declare(f"UPDATE {name} SET failure = :failure WHERE id = :id"),
    )


_OUTBOX = _table("outbox", sql, on_postgres=True)
_ANSWERS = _table("answers", lambda text: sql(sqlite=text), on_postgres=False)


def _outgoing(rows: Iterable[Sequence[Any]], bot_file: bool) -> list[Outgoing]:
    return [
        Outgoing(i, Address(channel, address), text, mode, decode(markup) if markup else None,
                 attachment, tried is not None, bot_file)
        for i, channel, address, text, mode, markup, attachment, tried in rows
    ]  # fmt: skip


class OutboxStorage(Repository):
    @property
    def _outbox(self) -> _Table:
        """Where this transaction's answers wait: the working file's own table (`answers`) on a
        store that keeps them apart (Store.answers_apart), the database's outbox otherwise."""
        return _ANSWERS if self.bot_file and self.store.answers_apart else _OUTBOX

    async def enqueue(
        self,
        source: str,
        messages: Iterable[tuple[Address, str]],
        now: datetime,
        parse_mode: str | None = None,
        *,
        buttons: Buttons | None = None,
        attachment: str | None = None,
    ) -> int:
        """Messages (address, text) owed by `source`, delivered after the transaction commits,
        each with the same buttons or attached file if given."""
        markup = encode(buttons) if buttons else None
        rows = [
            (source, to.channel, to.address, text, parse_mode, now.isoformat(), markup, attachment)
            for to, text in messages
        ]
        await self.many(_ENQUEUE, rows)
        return len(rows)

    async def enqueue_answer(
        self,
        source: str,
        to: Address,
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
                self._outbox.enqueue_answer,
                {"source": source, "channel": to.channel, "address": to.address, "text": text, "now": now.isoformat(),
                 "buttons": markup if last else None, "attachment": attachment if last else None,
                 "held_until": held_until.isoformat()},
            )  # fmt: skip
            assert row is not None
            owed.append(
                Outgoing(row[0], to, text, None, buttons if last else None,
                         attachment if last else None, bot_file=self.bot_file)
            )  # fmt: skip
        return owed

    async def unsent(self, after: int, limit: int, *, channel: str | None = None) -> list[Outgoing]:
        """Messages waiting, after the id `after`: all of them, or those to `channel`'s
        addresses."""
        if channel is None:
            rows = await self.all(self._outbox.unsent, {"after": after, "limit": limit})
        else:
            params = {"after": after, "limit": limit, "channel": channel}
            rows = await self.all(self._outbox.unsent_on, params)
        return _outgoing(rows, self.bot_file)

    async def deliverable(
        self, channel: str, after: int, limit: int, now: datetime, since: datetime
    ) -> list[Outgoing]:
        """What `channel`'s courier may send now, after the id `after`: its messages waiting,
        but not the answers held by the process that wrote them (see enqueue_answer), unless
        written before `since`."""
        rows = await self.all(
            self._outbox.deliverable,
            {"after": after, "limit": limit, "channel": channel, "now": now.isoformat(),
             "since": since.isoformat()},
        )  # fmt: skip
        return _outgoing(rows, self.bot_file)

    async def next_release(self, channel: str, now: datetime, since: datetime) -> datetime | None:
        """When the first of `channel`'s answers held now by the process that wrote it is
        released to the courier (the process may have died before sending it)."""
        row = await self.one(
            self._outbox.next_release,
            {"channel": channel, "now": now.isoformat(), "since": since.isoformat()},
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def waiting_by_channel(self) -> dict[str, int]:
        """How many messages wait, by the channel they are addressed on."""
        return {channel: count for channel, count in await self.all(self._outbox.by_channel)}

    async def mark_tried(self, message_ids: Sequence[int], now: datetime) -> None:
        """Sends about to begin: found unsent after a crash, these may have been received."""
        await self.many(self._outbox.mark_tried, [(now.isoformat(), i) for i in message_ids])

    async def mark_sent(self, message_ids: Sequence[int], now: datetime) -> None:
        """Messages delivered, in one statement however many (bot.telegram.delivery.SentMarks)."""
        await self.write(
            self._outbox.mark_sent, {"sent_at": now.isoformat(), "ids": list(message_ids)}
        )

    async def mark_undeliverable(self, message_id: int, reason: str) -> None:
        await self.write(self._outbox.undeliverable, {"failure": reason, "id": message_id})

    async def nudge_courier(self) -> None:
        """On PostgreSQL, tell the leading bot process that the outbox holds something new (a
        process that sends nothing itself: a follower, the web console). SQLite has no such
        signal."""
        await self.one(_NUDGE)

    async def notify(self, channel: str, payload: str) -> None:
        """PostgreSQL's NOTIFY, to the process listening (bot.telegram.replicas.Leadership)."""
        await self.one(_NOTIFY, {"channel": channel, "payload": payload})
