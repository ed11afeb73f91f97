"""Several bot processes on one PostgreSQL database (README, "Several machines").

Any number of processes run `govinfo-bot run --webhook` behind a load balancer; Telegram's
deliveries land on any of them. Here:

- each stores the update it receives in the intake before answering 200 (bot.telegram.intake), and
  hands it to no handler itself: every process takes updates from the intake (Dispatcher),
  whichever process stored them, claiming each (bot.storage.intake.claim_next) so that it is
  handled once; a chat's updates are claimed one at a time, in order;
- a claim is renewed while its update is handled; a process that dies leaves its claims to
  expire (Settings.claim_seconds), and another process takes the update over;
- a guided conversation's step and the user's data live in the database between updates
  (Conversations), so that its next step may land on any process;
- one process leads (Leadership: a PostgreSQL advisory lock held by a connection of its own):
  it alone runs the scheduler and delivers the outbox. The others tell it when they have added
  to the outbox (NOTIFY). When the leader dies its connection closes, the lock is free, and
  another process takes it within Settings.leader_check_seconds (and leads after a hand-over's
  wait, unless the leader before it resigned: stopped cleanly); the job runs and messages
  already done are recorded in the database and not made again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
from telegram import Update
from telegram.ext import Application, ConversationHandler

from bot import texts
from bot.storage import OUTBOX_CHANNEL, Address, LeaderLock, PgStore
from bot.telegram.unreadable import set_aside_stored

log = logging.getLogger(__name__)

# How often a claim is renewed while its update is handled, as a part of how long it lasts
# (Settings.claim_seconds): three renewals may fail before it expires.
RENEW_PART = 0.3
# How long the leader's check of its connection may take before the leader gives up its lock: at
# least this, however often it checks (a loaded machine answers late, and a leader giving up
# for that stops its process).
CHECK_TIMEOUT = 2.0
# What ends the hold on the leader's lock.
LOST = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


def replica_name() -> str:
    """This process, as its claims name it: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def chat_of(payload: dict[str, Any]) -> int | None:
    """The chat an update (as Telegram sends it) belongs to: its updates are handled in order."""
    for key, value in payload.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        for holder in (value, value.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                return int(holder["chat"]["id"])
        sender = value.get("from")
        if isinstance(sender, dict):
            return int(sender["id"])
    return None


class Dispatcher:
    """Takes updates from the intake for this process's handlers, up to `limit` at a time."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        store: PgStore,
        clock: Callable[[], datetime],
        limit: int,
        *,
        claim_seconds: float,
        poll_every: float,
    ) -> None:
        self._app = app
        self._store = store
        self._clock = clock
        self._limit = limit
        # How long a claim lasts unless renewed: how long an update of a dead process waits
        # before another takes it over. How often this process looks for updates nobody holds
        # (stored by a process that died, or whose chat waited for an earlier update handled
        # elsewhere).
        self._claim_seconds = claim_seconds
        self._poll_every = poll_every
        self.name = replica_name()
        self._in_flight: set[int] = set()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._take(), name="dispatcher"),
            asyncio.create_task(self._renew(), name="claims"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def wake(self) -> None:
        """An update was stored, or one handled: there may be one to take."""
        self._wake.set()

    async def finish(self, update_id: int, *, handled: bool) -> None:
        """The update's claim released: handled, or (not `handled`) to be taken again, here or
        elsewhere. Either way no longer this process's to renew."""
        try:
            async with self._store.bot_autocommit() as tx:
                await tx.intake.finish_claim(update_id, self._clock() if handled else None)
        finally:
            # Also if the release failed: the claim then expires, and the update is taken again
            # (its action, if it committed, is found done).
            self._in_flight.discard(update_id)
            self._wake.set()

    async def _take(self) -> None:
        absorbed_at = -self._poll_every
        while True:
            try:
                if time.monotonic() - absorbed_at >= self._poll_every:
                    # Updates a dead process acted on are marked handled before they are taken
                    # again (they would be handled twice).
                    async with self._store.bot_autocommit() as tx:
                        await tx.intake.absorb_expired_claims()
                    absorbed_at = time.monotonic()
                await self._take_all()
            except Exception:
                # The database gone for a moment: the updates wait in the intake.
                log.warning("could not take updates from the intake", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_every)
            self._wake.clear()

    async def _take_all(self) -> None:
        while len(self._in_flight) < self._limit and self._app.running:
            async with self._store.bot_autocommit() as tx:
                claimed = await tx.intake.claim_next(self.name, self._claim_seconds)
            if claimed is None:
                return
            update_id, payload = claimed
            self._in_flight.add(update_id)
            try:
                update = Update.de_json(json.loads(payload), self._app.bot)
            except Exception as exc:
                # Stored by a version that took it for readable (bot.telegram.unreadable).
                await set_aside_stored(self._store, update_id, payload, exc, self._clock())
                await self.finish(update_id, handled=True)
                continue
            # put_nowait: the update is stored already (IntakeQueue.put would store it again).
            self._app.update_queue.put_nowait(update)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self._claim_seconds * RENEW_PART)
            held = sorted(self._in_flight)
            if not held:
                continue
            try:
                async with self._store.bot_autocommit() as tx:
                    renewed = await tx.intake.renew_claims(self.name, held, self._claim_seconds)
            except Exception:
                log.warning("could not renew the claims on updates", exc_info=True)
                continue
            if renewed < len(held):
                # Stalled for longer than a claim lasts: another process may be handling
                # some of these too (their actions still commit once: claimed_updates).
                log.error(
                    "claims on %d updates expired while they were handled", len(held) - renewed
                )


class _Dates(json.JSONEncoder):
    def default(self, o: object) -> object:
        if isinstance(o, date):
            return {"__date__": o.isoformat()}
        return super().default(o)


def _dates(value: dict[str, Any]) -> object:
    return date.fromisoformat(value["__date__"]) if set(value) == {"__date__"} else value


class Conversations:
    """A chat's guided conversations, loaded from the database before each of its updates is
    handled and kept there after: python-telegram-bot holds them in its memory only.

    A conversation whose last step is older than its handler's timeout has ended (the timeout
    of python-telegram-bot runs in the memory of the process that handled the step, so it is
    not used: this process's timers are cancelled after each update)."""

    def __init__(self, app: Application, store: PgStore, clock: Callable[[], datetime]) -> None:  # type: ignore[type-arg]
        self._app = app
        self._store = store
        self._clock = clock
        # A user's data is one dict in this process's memory, shared by all of the user's chats
        # (a private chat and an office group): one of the user's updates at a time here. A
        # lock, and how many updates use it, by user id.
        self._users: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def held(self, update: Update) -> AsyncIterator[None]:
        """The update's conversations loaded for its handlers, and kept after them."""
        user = update.effective_user
        if user is None:
            yield
            return
        lock, users = self._users.setdefault(user.id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                had = await self._load(update)
                try:
                    yield
                finally:
                    await self._keep(update, had)
        finally:
            users[0] -= 1
            if not users[0]:
                del self._users[user.id]

    def _handlers(self) -> list[ConversationHandler[Any]]:
        return [
            handler
            for group in self._app.handlers.values()
            for handler in group
            if isinstance(handler, ConversationHandler)
        ]

    async def _load(self, update: Update) -> bool:
        """Whether the chat's user had a conversation kept."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return False
        async with self._store.reading() as tx:
            kept = await tx.conversations.conversation(Address.telegram(user.id), str(chat.id))
        states: dict[str, Any] = {}
        data: dict[str, Any] = {}
        if kept is not None:
            states = json.loads(kept[0])
            data = json.loads(kept[1], object_hook=_dates)
            age = self._clock() - datetime.fromisoformat(kept[2])
        for handler in self._handlers():
            # python-telegram-bot has no public way to read or set a conversation's state.
            key = handler._get_key(update)
            state = states.get(handler.name or "")
            timeout = handler.conversation_timeout
            if state is not None and timeout is not None and age > _seconds(timeout):
                state = None
            if state is None:
                handler._conversations.pop(key, None)
            else:
                handler._conversations[key] = state
        kept_data = self._app.user_data[user.id]
        kept_data.clear()
        kept_data.update(data)
        return kept is not None

    async def _keep(self, update: Update, had: bool) -> None:
        """Keep what the update left of the chat's conversations (`had`: what load said)."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        states = {}
        for handler in self._handlers():
            # python-telegram-bot has no public way to read or set a conversation's state.
            key = handler._get_key(update)
            state = handler._conversations.pop(key, None)
            if state is not None:
                states[handler.name or ""] = state
            timer = handler.timeout_jobs.pop(key, None)
            if timer is not None:
                timer.schedule_removal()
        data = dict(self._app.user_data.get(user.id, {}))
        self._app.drop_user_data(user.id)
        if not (states or data or had):
            return  # nothing before, nothing now: most updates (a one-line report, a button)
        async with self._store.bot_autocommit() as tx:
            if states or data:
                await tx.conversations.keep_conversation(
                    Address.telegram(user.id),
                    str(chat.id),
                    json.dumps(states),
                    json.dumps(data, cls=_Dates),
                    self._clock(),
                )
            else:
                await tx.conversations.forget_conversation(Address.telegram(user.id), str(chat.id))


def _seconds(timeout: float | timedelta) -> timedelta:
    return timeout if isinstance(timeout, timedelta) else timedelta(seconds=timeout)


class Leadership:
    """Which process runs the scheduler and the courier: the one holding LEADER_LOCK.

    A new leader starts at once when no leader before it may still be sending: there was none,
    or the last one resigned (it stopped cleanly, its courier quiet, and recorded so before it
    released the lock). Otherwise (killed, cut off from the database, stopped mid-send) it waits
    the hand-over first."""

    def __init__(
        self,
        store: PgStore,
        name: str,
        lead: Callable[[], Awaitable[None]],
        told: Callable[[], None],
        lost: Callable[[], None],
        quiet: Callable[[], Awaitable[None]],
        *,
        check: float,
    ) -> None:
        self._store = store
        # This process as the leader's record names it.
        self._name = name
        # How often a follower tries for the lock, and the leader checks its connection; how
        # long a check may take; how long a new leader waits before it starts when the one
        # before did not resign: that one, cut off from the database, may still be sending
        # until its next check has timed out (a check's interval and timeout), and half a
        # check more.
        self._check = check
        self._timeout = max(check, CHECK_TIMEOUT)
        self._handover = check + self._timeout + check / 2
        # Become the leader; told: another process changed the outbox or the calendar; lost:
        # the lock's connection failed (the process must stop: another may lead by now);
        # quiet: until this process's courier has nothing in flight (it starts nothing new
        # once `leading` is clear).
        self._lead = lead
        self._told = told
        self._lost = lost
        self._quiet = quiet
        self.leading = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def stop(self) -> None:
        """A leader stops leading and resigns (see _step_down); anything else stops trying."""
        if self._task is None:
            return
        self._stopping.set()
        if not self.leading.is_set():
            # Not leading (or not yet: still waiting the hand-over): nothing to resign, and the
            # record, naming this process or one before it, leaves the next leader waiting.
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                async with self._store.leader_lock() as lock:
                    while not await lock.take():
                        await asyncio.sleep(self._check)
                    await self._hold(lock)
                    return
            except asyncio.CancelledError:
                raise
            except LOST:
                if not self.leading.is_set():
                    # A follower lost nothing: it tries again on a new connection.
                    log.warning("could not try for the leader's lock", exc_info=True)
                    await asyncio.sleep(self._check)
                    continue
                log.exception("the leader's connection to the database failed")
                self.leading.clear()
                self._lost()
                return

    async def _hold(self, lock: LeaderLock) -> None:
        """Lead while the lock's connection answers, until stopped."""
        previous = await lock.succeed(self._name, self._timeout)
        await lock.listen(OUTBOX_CHANNEL, lambda _: self._told())
        if previous is not None:
            # A leader that did not resign, cut off from the database (its connection gone
            # from the server's side, the lock freed), may still be sending until its next
            # check fails: this one starts after that, if it still holds the lock then.
            log.warning(texts.LEADER_HANDOVER.format(holder=previous, seconds=self._handover))
            await asyncio.sleep(self._handover)
            await lock.check(timeout=self._timeout)
        await self._lead()
        self.leading.set()
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._check)
            if not self._stopping.is_set():
                await lock.check(timeout=self._timeout)
        await self._step_down(lock)

    async def _step_down(self, lock: LeaderLock) -> None:
        """Stop sending, then record the resignation before the lock is released. Not written
        (the courier still busy after a hand-over's time, the connection failing), the next
        leader waits the hand-over."""
        self.leading.clear()
        try:
            await asyncio.wait_for(self._quiet(), self._handover)
        except TimeoutError:
            log.warning("the courier was still sending: the next leader waits the hand-over")
            return
        try:
            if not await lock.resign(self._name, self._timeout):
                log.error("the leader's record names another process: not resigned")
        except LOST:
            log.warning("could not record the leader's resignation", exc_info=True)


class Nudge:
    """The courier of a process that does not lead: it tells the leader, which delivers (and
    looks at the calendar again: the action may have added a commission's deadline)."""

    def __init__(self, store: PgStore) -> None:
        self._store = store

    async def deliver(self) -> bool:
        async with self._store.reading() as tx:
            await tx.outbox.notify(OUTBOX_CHANNEL, "")
        return False
