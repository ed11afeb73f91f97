"""Delivering the outbox: messages the bot owes, sent within Telegram's limits and never twice.

Jobs and broadcasts store their messages in the outbox in the transaction that makes them owed;
the courier sends them afterwards and marks each one sent. The answer to the person who asked
is stored the same way, and sent at once by the process that handled the action (`answer`),
which holds it meanwhile; the courier sends it only once that process has died or failed. An
answer to a button's press is the edit of its message (made twice, it reads the same: no mark);
on SQLite the answers owed by the working file's actions (a summary) wait in the working file.
A restart finds what is left. Only a crash between Telegram's answer and the mark can send one
message twice: a send is marked tried before it begins (for a chat's next message in the
transaction that marks its last one sent), so that a message found unsent after a crash, which
Telegram may have received, goes again marked as a possible repeat (texts.RESENT). A crash
repeats at most one message per chat, the one in flight: at most WORKERS messages in all.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot import texts
from bot.buttons import Buttons
from bot.render import fit
from bot.storage import EDIT_CAPTION, EDIT_TEXT, TELEGRAM, Address, Outgoing, Store, Tx

log = logging.getLogger(__name__)

# Telegram answers 429 beyond about 30 messages a second. Each send holds one of 30 slots from
# its start until a little over a second after its answer: the server then never sees more than
# 30 arrivals in any one second, whatever the latency.
PER_SECOND = 30
SLOT_SECONDS = 1.02
# Sends in flight at once: enough to keep 30 a second going at Telegram's ~200 ms latency.
WORKERS = 8
BATCH = 500
ATTEMPTS = 5
# Waits between attempts after a network error: 1, 2, 4, 8 seconds; then the message waits for
# the next delivery (the scheduler tries again a minute later).
BACKOFF = 1.0


class SendWindow:
    """At most `per_second` sends in any window of `seconds` (see PER_SECOND)."""

    def __init__(self, per_second: int = PER_SECOND, seconds: float = SLOT_SECONDS) -> None:
        self._slots = asyncio.Semaphore(per_second)
        self._seconds = seconds
        # After a 429 every sender waits until then: flood control is for the whole bot.
        self.paused_until = 0.0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        await self._slots.acquire()
        try:
            while (wait := self.paused_until - loop.time()) > 0:
                await asyncio.sleep(wait)
            yield
        finally:
            loop.call_later(self._seconds, self._slots.release)

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self.paused_until = max(self.paused_until, loop.time() + seconds)


class SentMarks:
    """The marks of the answers sent at once (Courier.answer), written together: an answer's
    mark waits while one is being written, then goes with every other that came meanwhile, in
    one statement (a group commit). Each returns once its answer is marked, as a mark of its
    own would: only what waits with it is written in the same statement. A statement per
    answer (a hand-over to SQLite's thread, a round trip to PostgreSQL) was most of what
    owing answers through the outbox added to a report's cost (bench/chat.py)."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        # For each table of owed messages (the working file's, the database's outbox): the
        # marks waiting to be written, and the task writing them, if one is.
        self._waiting: dict[bool, list[tuple[int, asyncio.Future[None]]]] = {True: [], False: []}
        self._writers: dict[bool, asyncio.Task[None]] = {}

    async def mark(self, message: Outgoing) -> None:
        """Returns once `message` is marked sent; raises what writing the mark raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[message.bot_file].append((message.id, done))
        if message.bot_file not in self._writers:
            self._writers[message.bot_file] = asyncio.create_task(self._write(message.bot_file))
        await done

    async def _write(self, bot_file: bool) -> None:
        batch: list[tuple[int, asyncio.Future[None]]] = []
        try:
            while batch := self._waiting[bot_file]:
                self._waiting[bot_file] = []
                try:
                    async with marking(self._store, bot_file) as tx:
                        await tx.outbox.mark_sent([i for i, _ in batch], self._clock())
                except Exception as err:
                    _settle(batch, err)
                else:
                    _settle(batch, None)
        except BaseException as err:  # cancelled (the loop stops): no waiter is left hanging
            _settle(batch + self._waiting[bot_file], err)
            self._waiting[bot_file] = []
            raise
        finally:
            del self._writers[bot_file]


def _settle(batch: list[tuple[int, asyncio.Future[None]]], err: BaseException | None) -> None:
    for _, done in batch:
        if done.done():  # its waiter was cancelled
            continue
        if err is None:
            done.set_result(None)
        elif isinstance(err, asyncio.CancelledError):
            done.cancel()
        else:
            done.set_exception(err)


def marking(store: Store, bot_file: bool) -> AbstractAsyncContextManager[Tx]:
    """Where a message is marked: in the database's outbox, or in the working file's."""
    return store.bot_autocommit() if bot_file else store.transaction()


class Courier:
    """The outlet of the outbox's Telegram messages: it takes the rows addressed on Telegram
    only. A row for another channel waits for a process with that channel's outlet (never
    tried here, nor marked failed), and is said in the log."""

    channel = TELEGRAM

    def __init__(
        self,
        bot: Bot,
        store: Store,
        admin_ids: list[int],
        clock: Callable[[], datetime],
        running: Callable[[], bool],
        *,
        shared: bool = False,
    ) -> None:
        self._bot = bot
        self._store = store
        self._admins = admin_ids
        self._clock = clock
        # Whether the application still runs: once it stops, no new message is started, so that
        # shutdown waits for the messages in flight only.
        self._running = running
        self._window = SendWindow()
        # One delivery at a time in this process, so that no message is picked up twice.
        self._lock = asyncio.Lock()
        # An answer (see answer) is held by the process that wrote it. On SQLite one process
        # runs at a time (bot.lease): those written before this one started are its
        # predecessor's, released at once. With several processes (`shared`) each waits until
        # its hold ends.
        self._since = datetime.min if shared else clock()
        self._wake: asyncio.TimerHandle | None = None
        # The delivery a wake-up started, referenced so that it is not collected mid-way.
        self._redelivery: asyncio.Task[bool] | None = None
        self._marks = SentMarks(store, clock)
        # The messages last said to wait for channels without an outlet here, by channel.
        self._stranded: dict[str, int] = {}

    async def deliver(self) -> bool:
        """Send the messages waiting in the outbox, including those added while sending; True
        if some are left for a later delivery (network errors, the application stopping, or
        answers held by the process that owes them)."""
        async with self._lock:
            left = False
            # The database's outbox, then the working file's if it has one (Store.answers_apart).
            for bot_file in (False, True) if self._store.answers_apart else (False,):
                left = await self._deliver_from(bot_file) or left
            return left

    async def idle(self) -> None:
        """Until no delivery is under way; once `running` says no, none sends after this."""
        async with self._lock:
            pass

    async def waiting(self) -> bool:
        """Whether any Telegram message waits in the database's outbox or, where the working
        file keeps its actions' answers apart (Store.answers_apart), in the working file's.
        Messages for other channels are not this courier's: they are said in the log."""
        async with self._store.reading() as tx:
            waiting = await tx.outbox.waiting_by_channel()
        self._say_stranded({c: n for c, n in waiting.items() if c != self.channel})
        if waiting.get(self.channel):
            return True
        if not self._store.answers_apart:
            return False
        async with self._store.bot_autocommit() as tx:
            return bool(await tx.outbox.unsent(0, 1, channel=self.channel))

    def _say_stranded(self, stranded: dict[str, int]) -> None:
        """Log the messages waiting for channels this process has no outlet for, when that
        changes (the scheduler asks at each of its passes)."""
        if stranded == self._stranded:
            return
        self._stranded = stranded
        if stranded:
            counts = ", ".join(f"{channel}: {n}" for channel, n in stranded.items())
            log.warning("messages wait for channels this process does not send on (%s)", counts)
        else:
            log.info("no message waits for a channel this process does not send on")

    def _marking(self, message: Outgoing) -> AbstractAsyncContextManager[Tx]:
        return marking(self._store, message.bot_file)

    async def _deliver_from(self, bot_file: bool) -> bool:
        after = 0
        while self._running():
            now = self._clock()
            async with self._store.bot_autocommit() if bot_file else self._store.reading() as tx:
                batch = await tx.outbox.deliverable(self.channel, after, BATCH, now, self._since)
                released = (
                    None if batch else await tx.outbox.next_release(self.channel, now, self._since)
                )
            if released is not None:
                # Held by the process that handled its action: if that one failed to send
                # it, it is this courier's once released (and the scheduler's next wake-up
                # comes soon: some is left).
                self._deliver_at(released)
            if not batch:
                return released is not None
            # One worker takes all of a chat's messages, in order: the parts of a long
            # summary arrive as written, and no chat gets two messages at once.
            chats: dict[Address, list[Outgoing]] = {}
            for message in batch:
                chats.setdefault(message.to, []).append(message)
            queue: asyncio.Queue[list[Outgoing]] = asyncio.Queue()
            for messages in chats.values():
                queue.put_nowait(messages)
            halted = asyncio.Event()
            async with asyncio.TaskGroup() as workers:
                for _ in range(WORKERS):
                    workers.create_task(self._work(queue, halted))
            if halted.is_set():
                return True
            after = batch[-1].id
        return True

    async def _work(self, queue: asyncio.Queue[list[Outgoing]], halted: asyncio.Event) -> None:
        while not queue.empty() and not halted.is_set() and self._running():
            messages = queue.get_nowait()
            for n, message in enumerate(messages):
                following = messages[n + 1] if n + 1 < len(messages) else None
                try:
                    if n == 0 and not message.tried:
                        # Later ones are marked with the mark of the one before (see _send).
                        async with self._marking(message) as tx:
                            await tx.outbox.mark_tried([message.id], self._clock())
                    done = await self._send(message, following)
                except Exception:
                    log.exception("could not deliver message %s", message.id)
                    done = False
                if not done:
                    # Telegram has been unreachable for a while (or the store failed): the rest
                    # waits for the next delivery rather than each message its own backoff, and
                    # this chat's later messages wait too, so that it keeps its order.
                    halted.set()
                    break

    async def answer(self, owed: Sequence[Outgoing]) -> bool:
        """Send at once, in order, the answer an action just stored (Tx.enqueue_answer), as a
        reply was sent: outside the courier's window (the chat does not wait behind a
        broadcast) and without its backoff. False if some is left: a delivery then finds it
        held and sends it once the hold ends."""
        for message in owed:
            try:
                done = await self._send(message, answer=True)
            except Exception:
                log.exception("could not send answer %s", message.id)
                done = False
            if not done:
                return False
        return True

    def _deliver_at(self, when: datetime) -> None:
        """Deliver again at `when` (once: an earlier wake-up already set is kept)."""
        if self._wake is not None and not self._wake.cancelled():
            return
        delay = max(0.0, (when - self._clock()).total_seconds()) + 0.1

        def wake() -> None:
            self._wake = None
            if self._running():
                self._redelivery = asyncio.ensure_future(self.deliver())

        self._wake = asyncio.get_running_loop().call_later(delay, wake)

    async def _send(
        self, message: Outgoing, following: Outgoing | None = None, *, answer: bool = False
    ) -> bool:
        """Deliver one message; False if it is left for later after repeated errors (for an
        `answer`, after one). Once sent, the chat's `following` message is marked tried in the
        same transaction."""
        tried = message.tried
        for attempt in range(ATTEMPTS):
            try:
                if answer:
                    await self._post(message, resent=tried)
                else:
                    # The slot covers the request only: the bookkeeping after it does not count
                    # against Telegram's limit.
                    async with self._window.slot():
                        await self._post(message, resent=tried)
            except RetryAfter as err:
                # Refused before it was taken: not a repeat.
                self._window.pause(_retry_seconds(err))
                if answer:
                    await asyncio.sleep(_retry_seconds(err))
                continue
            except Forbidden as err:
                if message.bot_file:
                    async with self._marking(message) as tx:
                        await tx.outbox.mark_undeliverable(message.id, err.message)
                    await self.chat_blocked(message.to, err.message)
                else:
                    await self.chat_blocked(message.to, err.message, message.id)
                return True
            except (BadRequest, ChatMigrated) as err:
                log.warning("message %s to chat %s refused: %s", message.id, message.to, err)
                async with self._marking(message) as tx:
                    await tx.outbox.mark_undeliverable(message.id, str(err))
                return True
            except TelegramError:
                # Network errors, and anything else Telegram may get over: try again, as a
                # possible repeat (a timeout may come after Telegram took the message).
                log.warning("error sending message %s", message.id, exc_info=True)
                tried = True
                if answer:
                    return False
            else:
                if answer:
                    await self._marks.mark(message)
                    return True
                # The chat's following message is of the same outbox (a delivery reads one).
                async with self._marking(message) as tx:
                    await tx.outbox.mark_sent([message.id], self._clock())
                    if following is not None and not following.tried:
                        await tx.outbox.mark_tried([following.id], self._clock())
                return True
            if attempt + 1 < ATTEMPTS:
                await asyncio.sleep(BACKOFF * 2**attempt)
        return False

    async def _post(self, message: Outgoing, *, resent: bool = False) -> None:
        markup = keyboard(message.buttons) if message.buttons else None
        text = _phone_sized(message)
        kind, _, file_id = (message.attachment or "").partition(":")
        if kind in EDITS:
            await self._edit(message, kind, int(file_id), text)
            return
        if resent:
            text = f"{texts.RESENT}{text}"
        if kind == "photo":
            await self._bot.send_photo(
                message.to.telegram_id, file_id, caption=text, reply_markup=markup
            )
        elif kind == "document":
            await self._bot.send_document(
                message.to.telegram_id, file_id, caption=text, reply_markup=markup
            )
        elif kind == "file":  # a file the bot made (a bulletin draft), kept in the database
            async with self._store.reading() as tx:
                stored = await tx.bulletins.stored_file(int(file_id))
            assert stored is not None  # files are never deleted
            await self._bot.send_document(
                message.to.telegram_id,
                stored.data,
                filename=stored.filename,
                caption=text,
                reply_markup=markup,
            )
        else:
            await self._bot.send_message(
                message.to.telegram_id, text, parse_mode=message.parse_mode, reply_markup=markup
            )

    async def _edit(self, message: Outgoing, kind: str, message_id: int, text: str) -> None:
        """An owed edit of a button's message (notices.Answer.edits), its buttons replaced. Made
        twice it reads the same (no repeat to mark): Telegram refuses the second as not
        modified, which is its delivery."""
        try:
            markup = keyboard(message.buttons) if message.buttons else None
            if kind == EDIT_CAPTION:
                await self._bot.edit_message_caption(
                    message.to.telegram_id, message_id, caption=text, reply_markup=markup
                )
            else:
                await self._bot.edit_message_text(
                    text, message.to.telegram_id, message_id, reply_markup=markup
                )
        except BadRequest as err:
            if "not modified" not in err.message:
                raise

    async def chat_blocked(self, chat: Address, reason: str, message_id: int | None = None) -> None:
        """The user blocked the bot: a liaison is made inactive and the admins are told."""
        now = self._clock()
        async with self._store.transaction() as tx:
            if message_id is not None:
                await tx.outbox.mark_undeliverable(message_id, reason)
            liaison = await tx.liaisons.deactivate_liaison(chat, reason, now)
            if liaison is not None:
                notice = texts.LIAISON_BLOCKED.format(who=liaison.display, unit=liaison.unit)
                admins = [Address.telegram(a) for a in self._admins]
                await tx.outbox.enqueue("blocked", [(a, notice) for a in admins], now)
        if liaison is not None:
            log.info("liaison %s blocked the bot and was made inactive", chat)


# Kinds of attachment that are an owed edit rather than a message.
EDITS = (EDIT_TEXT, EDIT_CAPTION)
# What Telegram accepts: the breaks fit adds are characters too.
_TELEGRAM_LIMITS = {"message": 4096, "caption": 1024}


def _phone_sized(message: Outgoing) -> str:
    """Plain text with its lines fitted to a phone, unless the added breaks would take it past
    what Telegram accepts (a notice already cut to the limit); HTML is laid out by its writer."""
    if message.parse_mode or not message.text:
        return message.text
    fitted = fit(message.text)
    kind = (message.attachment or "").partition(":")[0]
    limit = _TELEGRAM_LIMITS["caption" if kind and kind != EDIT_TEXT else "message"]
    return fitted if len(fitted) <= limit else message.text


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


def _retry_seconds(err: RetryAfter) -> float:
    # The library warns that retry_after becomes a timedelta; read it either way, quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
