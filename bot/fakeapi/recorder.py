"""Recording what the bot did and waiting for it: calls, sent messages, callback answers."""

from __future__ import annotations

import bisect
import itertools
import textwrap
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from bot.fakeapi.records import ApiCall, CallbackAnswer, SentMessage
from bot.fakeapi.signals import Signal

_T = TypeVar("_T")

# How long a wait for the bot lasts by default before it fails: a wait returns as soon as what
# it waits for is there, and the tests share a loaded machine, where a reply can take seconds.
WAIT = 30.0


class Recorder:
    """The observation half of FakeBotApi, which inherits it so tests call server.wait_for()."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.callback_answers: list[CallbackAnswer] = []
        self._sent_by_key: dict[tuple[int, int], SentMessage] = {}
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._consumed_up_to: dict[int, int] = {}  # chat id -> last message id taken by waiters
        self._scan_from = 0  # self.sent before this index is all consumed
        self._call_cursors: dict[str, int] = {}  # lower-case method -> next index in self.calls
        self._activity = Signal()  # notified whenever a call has been answered

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return list(self._sent_by_chat.get(chat_id, []))

    async def wait_for(
        self,
        predicate: Callable[[SentMessage], bool],
        *,
        chat_id: int | None = None,
        timeout: float = WAIT,
    ) -> SentMessage:
        """Waits for the next bot message matching `predicate` that no waiter took yet.

        Each chat has a cursor: taking a message also consumes the earlier, skipped messages of
        its chat, so successive waits walk through a conversation in order.
        """
        what = getattr(predicate, "__name__", repr(predicate))
        where = "" if chat_id is None else f" in chat {chat_id}"
        return await self._wait_until(
            lambda: self._take_message(predicate, chat_id),
            timeout,
            f"no bot message matching {what}{where}",
        )

    async def next_message(self, chat_id: int, *, timeout: float = WAIT) -> SentMessage:
        """Waits for the next bot message in `chat_id` that no waiter took yet."""
        return await self._wait_until(
            lambda: self._take_message(lambda _: True, chat_id),
            timeout,
            f"no new bot message in chat {chat_id}",
        )

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = WAIT,
    ) -> ApiCall:
        """Waits for the next answered call of `method` (matching `predicate`) not yet taken."""
        return await self._wait_until(
            lambda: self._take_call(method.lower(), predicate),
            timeout,
            f"no answered {method} call" + ("" if predicate is None else " matching predicate"),
        )

    def _record_sent(self, sent: SentMessage) -> None:
        self.sent.append(sent)
        self._sent_by_chat.setdefault(sent.chat_id, []).append(sent)
        self._sent_by_key[(sent.chat_id, sent.message_id)] = sent

    async def _wait_until(self, take: Callable[[], _T | None], timeout: float, what: str) -> _T:
        deadline = time.monotonic() + timeout
        while (found := take()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{what} within {timeout} s\n{self._describe_activity()}")
            await self._activity.wait(remaining)
        return found

    def _take_message(
        self, predicate: Callable[[SentMessage], bool], chat_id: int | None
    ) -> SentMessage | None:
        candidates: Iterable[SentMessage]
        if chat_id is None:
            sent = self.sent
            while self._scan_from < len(sent) and self._is_consumed(sent[self._scan_from]):
                self._scan_from += 1
            candidates = itertools.islice(sent, self._scan_from, None)
        else:
            in_chat = self._sent_by_chat.get(chat_id, [])
            # Message ids grow within a chat, so the cursor is a position in its list.
            start = bisect.bisect_right(
                in_chat, self._consumed_up_to.get(chat_id, 0), key=lambda m: m.message_id
            )
            candidates = itertools.islice(in_chat, start, None)
        for message in candidates:
            if not self._is_consumed(message) and predicate(message):
                self._consumed_up_to[message.chat_id] = message.message_id
                return message
        return None

    def _is_consumed(self, message: SentMessage) -> bool:
        return message.message_id <= self._consumed_up_to.get(message.chat_id, 0)

    def _take_call(
        self, method: str, predicate: Callable[[ApiCall], bool] | None
    ) -> ApiCall | None:
        for index in range(self._call_cursors.get(method, 0), len(self.calls)):
            call = self.calls[index]
            if (
                call.method.lower() == method
                and call.status is not None
                and (predicate is None or predicate(call))
            ):
                self._call_cursors[method] = index + 1
                return call
        return None

    def _describe_activity(self) -> str:
        """What a timed-out waiter reports, so a failing test shows what the bot did instead."""
        unconsumed = [message for message in self.sent if not self._is_consumed(message)]
        lines = [f"unconsumed bot messages ({len(unconsumed)}):"]
        lines += [f"  {_summarize(message)}" for message in unconsumed[-10:]]
        lines.append(f"last calls ({len(self.calls)} in all):")
        lines += [
            f"  {call.method} -> {call.status}"
            + (f" {call.description}" if call.description else "")
            for call in self.calls[-10:]
        ]
        return "\n".join(lines)


def _summarize(message: SentMessage) -> str:
    body = message.text or message.caption or ""
    if message.document is not None:
        body = f"[document {message.document.filename}] {body}"
    shown = textwrap.shorten(body, 70, placeholder="…")
    return f"chat {message.chat_id} #{message.message_id} {message.method}: {shown!r}"
