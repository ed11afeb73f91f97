"""The durable intake: every update is stored in the bot's working file before Telegram is told it
arrived, and marked once handled, so that a crash loses none and a redelivery runs no handler
twice.

python-telegram-bot confirms a getUpdates batch with its next getUpdates call, before its
handlers have run, and its webhook answers 200 as soon as an update is queued: an update held
only in memory is lost with the process. Here:

- updates are stored in the bot's working file (see Store), which no other process locks for
  long: a large import from the command line, holding the database's write lock for half a
  minute, does not hold up the chat;
- polling: the bot's getUpdates request (IntakeRequest) stores each batch in one transaction
  before returning it to the Updater, which only then asks for the next batch (confirming this
  one);
- webhook: python-telegram-bot's webhook handler answers after `update_queue.put` returns, and
  the queue (IntakeQueue) stores the update first;
- either way, an update received before (a redelivery) never reaches the handlers;
- an update is marked handled in the transaction of its action (Tx.claim_update: in the
  database for an action there, in the working file for a report's summary), and in the working
  file by the update processor (IntakeProcessor) once its handlers have finished;
- at start-up, the stored updates not yet handled go to the handlers first, in update id order,
  but for those whose action the database records as done;
- an update python-telegram-bot cannot read (a field a newer Bot API made required) is stored
  raw, set aside with its reason and counted (`govinfo-bot verify`), and skipped once the
  library has refused it: polling gets past it when the Updater asks for its batch again (it
  is handed the bare update id, and moves its offset on), the webhook answers it 200 instead
  of 400 (bot.telegram.webhook), and the updates behind it are handled.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, Update
from telegram.ext import SimpleUpdateProcessor
from telegram.request import HTTPXRequest, RequestData

from bot.storage import KEEP_HANDLED, Store, StoreBusy
from bot.telegram.replicas import Conversations, Dispatcher, chat_of
from bot.telegram.unreadable import log_set_aside, set_aside_stored, unreadable

log = logging.getLogger(__name__)

FORGET_EVERY = timedelta(hours=1)


class Intake:
    """Where updates are stored and marked; the store is given once it is open (post_init)."""

    def __init__(self, clock: Callable[[], datetime], *, durable: bool = True) -> None:
        self._clock = clock
        # Off only to show what it prevents (tests) or what it costs (benchmarks).
        self.durable = durable
        self.store: Store | None = None
        # Updates marked handled in the working file by their action (Tx.claim_update there),
        # until their handlers finish: they need not be marked again.
        self.claimed: set[int] = set()
        # Update ids of the last getUpdates batch: stored now for the first time, or before.
        self._fresh: set[int] = set()
        self._known: set[int] = set()
        self._forgotten_at: datetime | None = None
        # With several processes on one database (bot.telegram.replicas): updates reach the handlers
        # only through the dispatcher, each with its conversation loaded from the database.
        self.dispatcher: Dispatcher | None = None
        self.conversations: Conversations | None = None

    def use(self, store: Store) -> None:
        """Store updates in `store` (open now), and hear of the updates its actions claim."""
        self.store = store
        store.on_claims = self.claimed.update

    def replicate(self, dispatcher: Dispatcher, conversations: Conversations) -> None:
        self.dispatcher = dispatcher
        self.conversations = conversations

    async def receive(
        self, updates: list[dict[str, Any]], unread: Mapping[int, str] | None = None
    ) -> None:
        """Store a getUpdates batch in one transaction (nothing for an empty one); the updates
        of `unread` (update id: why it cannot be read) are set aside in it."""
        unread = unread or {}
        if not updates or not self.durable:
            log_set_aside(unread)
            return
        rows = [(u["update_id"], json.dumps(u, ensure_ascii=False), chat_of(u)) for u in updates]
        aside = [(i, payload, unread[i]) for i, payload, _ in rows if i in unread]
        fresh = await self._store_updates(rows, aside)
        # A batch python-telegram-bot could not read comes again: what it held is fresh still
        # (stored, never handed to the handlers), but for what is set aside now, which the
        # Updater sees as a bare id only.
        fresh.update(i for i, _, _ in rows if i in self._fresh)
        fresh.difference_update(i for i, _, _ in aside)
        self._fresh.difference_update(i for i, _, _ in aside)
        if self.dispatcher is not None:
            self.dispatcher.wake()
            self._known.update(update_id for update_id, _, _ in rows)
            return
        for update_id, _, _ in rows:
            (self._fresh if update_id in fresh else self._known).add(update_id)

    async def admit(self, update: Update) -> bool:
        """Whether the update goes to the handlers: stored now, never received before. An update
        not from a getUpdates batch (a webhook delivery) is stored here."""
        update_id = update.update_id
        if not self.durable:
            return True
        if update_id in self._fresh:
            self._fresh.discard(update_id)
            return True
        if update_id in self._known:
            self._known.discard(update_id)
            return False
        content = update.to_dict()
        payload = json.dumps(content, ensure_ascii=False)
        fresh = update_id in await self._store_updates([(update_id, payload, chat_of(content))])
        if self.dispatcher is None:
            return fresh
        # Whichever process claims it first handles it (bot.telegram.replicas.Dispatcher).
        self.dispatcher.wake()
        return False

    async def set_aside(self, update: Mapping[str, Any], reason: str) -> None:
        """An update not from a getUpdates batch (a webhook delivery) that cannot be read:
        stored and set aside, never handed to the handlers."""
        if not self.durable:
            log_set_aside({update["update_id"]: reason})
            return
        payload = json.dumps(update, ensure_ascii=False)
        row = (update["update_id"], payload, chat_of(dict(update)))
        await self._store_updates([row], [(row[0], payload, reason)])

    async def _store_updates(
        self,
        rows: list[tuple[int, str, int | None]],
        aside: Sequence[tuple[int, str, str]] = (),
    ) -> set[int]:
        assert self.store is not None, "updates arrive only after post_init opened the store"
        now = self._clock()
        forget = self._forgotten_at is None or now - self._forgotten_at >= FORGET_EVERY
        if not forget and not aside:
            # One statement for the batch, atomic by itself: one call, no BEGIN and COMMIT.
            async with self.store.bot_autocommit() as tx:
                return await tx.intake.store_updates(rows, now)
        async with self.store.bot_transaction() as tx:
            fresh = await tx.intake.store_updates(rows, now)
            kept = await tx.intake.set_aside(aside, now)
            if forget:
                await tx.intake.forget_updates(now - KEEP_HANDLED)
        log_set_aside({update_id: reason for update_id, _, reason in aside if update_id in kept})
        if forget:
            self._forgotten_at = now
        return fresh

    async def handled(self, update_id: int) -> None:
        """The update's handlers have finished: marked handled unless its action did that in
        the working file."""
        assert self.store is not None
        if update_id in self.claimed:
            self.claimed.discard(update_id)
        elif self.durable:
            async with self.store.bot_autocommit() as tx:
                await tx.intake.mark_handled(update_id, self._clock())

    async def unhandled(self, bot: Bot) -> list[Update]:
        """The stored updates not handled yet (the last run stopped before), oldest first."""
        assert self.store is not None
        if not self.durable or self.dispatcher is not None:
            return []
        # First the working file learns which updates the database's claims handled, then the
        # old claims may go: forgotten first, an update whose action committed just before a
        # crash would be handled again after a long stop.
        async with self.store.bot_transaction() as tx:
            rows = await tx.intake.unhandled_updates()
        try:
            # Not worth waiting for: a long import holding the lock would hold up the start.
            async with self.store.transaction(wait=False) as tx:
                await tx.intake.forget_updates(self._clock() - KEEP_HANDLED)
        except StoreBusy:
            # Forgotten at the next start or daily check.
            log.info("old update marks not forgotten: the database is busy", exc_info=True)
        updates = []
        for update_id, payload in rows:
            try:
                updates.append(Update.de_json(json.loads(payload), bot))
            except Exception as exc:
                # Stored by a version that took it for readable: set aside now, or it would
                # stop every start.
                await set_aside_stored(self.store, update_id, payload, exc, self._clock())
        return updates


_NOTHING_ANSWERED = object()


class IntakeRequest(HTTPXRequest):
    """The bot's getUpdates request: each batch is stored before the Updater sees it."""

    def __init__(self, intake: Intake, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._intake = intake
        # The offset of the last getUpdates call answered with updates.
        self._answered: object = _NOTHING_ANSWERED

    async def post(  # type: ignore[override]
        self, url: str, request_data: RequestData | None = None, **timeouts: Any
    ) -> dict[str, Any] | list[dict[str, Any]] | bool:
        # post, not do_request: the batch as python-telegram-bot has just parsed it.
        result = await super().post(url, request_data, **timeouts)
        if url.endswith("/getUpdates") and isinstance(result, list):
            offset = request_data.parameters.get("offset") if request_data else None
            unread: dict[int, str] = {}
            if result and offset == self._answered:
                # Asked again from the same offset: python-telegram-bot could not read that
                # batch (or its answer was lost). Only then is each update tried: reading every
                # batch twice would cost what python-telegram-bot's own reading costs.
                unread = {u["update_id"]: why for u in result if (why := unreadable(u))}
            self._answered = offset if result else _NOTHING_ANSWERED
            # A failure here (the database) fails the request: the batch stays unconfirmed and
            # Telegram sends it again.
            await self._intake.receive(result, unread)
            if unread:
                # python-telegram-bot would refuse the whole batch again, for ever; the bare
                # id moves the Updater's offset past the update it cannot read.
                return [{"update_id": u["update_id"]} if u["update_id"] in unread else u
                        for u in result]  # fmt: skip
        return result


class IntakeQueue(asyncio.Queue[object]):
    """The application's update queue: updates received before are left out, and a webhook's
    update is stored before its request is answered."""

    def __init__(self, intake: Intake) -> None:
        super().__init__()
        self._intake = intake

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not await self._intake.admit(item):
            return
        await super().put(item)

    async def set_aside(self, update: Mapping[str, Any], reason: str) -> None:
        """A webhook's update that cannot be read (bot.telegram.webhook)."""
        await self._intake.set_aside(update, reason)


class IntakeProcessor(SimpleUpdateProcessor):
    """Runs each update's handlers, then marks it handled (see Intake.handled)."""

    def __init__(self, intake: Intake, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._intake = intake

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        dispatcher, conversations = self._intake.dispatcher, self._intake.conversations
        if not isinstance(update, Update):
            await coroutine
        elif dispatcher is None or conversations is None:
            await coroutine
            await self._intake.handled(update.update_id)
        else:
            await self._replicated(update, coroutine, dispatcher, conversations)

    async def _replicated(
        self,
        update: Update,
        coroutine: Awaitable[Any],
        dispatcher: Dispatcher,
        conversations: Conversations,
    ) -> None:
        # The conversation is loaded before the handlers look at the update (the coroutine has
        # not started yet) and kept after them; only then may the chat's next update be taken.
        try:
            async with conversations.held(update):
                await coroutine
        except Exception:
            log.exception("update %s is to be taken again: its conversation could not be read "
                          "or kept", update.update_id)  # fmt: skip
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # not started, if the conversation could not be read
            handled = False
        else:
            handled = True
        finally:
            # The claim's release marks it handled: the note of an action that did is not needed.
            self._intake.claimed.discard(update.update_id)
        await dispatcher.finish(update.update_id, handled=handled)
