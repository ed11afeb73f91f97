"""FakeBotApi: an in-process fake of the Telegram Bot API server.

The real python-telegram-bot Application talks to it over HTTP exactly as it would to
api.telegram.org; tests, the sandbox and the benchmarks play the users through the synchronous
simulation methods and observe the bot through the recorded calls and messages.

Everything runs on one event loop: call the simulation methods from that loop's thread (use
loop.call_soon_threadsafe from other threads).
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import json
import logging
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any, Self

from bot.fakeapi.errors import ApiError, bad_request
from bot.fakeapi.faults import FaultInjector
from bot.fakeapi.http import HttpRequest, HttpResponse, HttpServer
from bot.fakeapi.messages import (
    caption_content,
    document_object,
    inline_markup,
    photo_sizes,
    reply_markup,
    text_content,
    without_reply,
)
from bot.fakeapi.params import ParamsError, UploadedFile, decode_params
from bot.fakeapi.recorder import Recorder
from bot.fakeapi.records import ApiCall, CallbackAnswer, SentMessage, StoredFile
from bot.fakeapi.signals import Signal
from bot.fakeapi.webhook import Delivery, WebhookSender

_LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:AAFakeTokenForGovinfoBotTests"

_HOST = "127.0.0.1"  # loopback only: the fake must never be reachable from the network

_MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
_MAX_UPDATES_PER_CALL = 100
_SUPERGROUP_ID_LIMIT = -1_000_000_000_000  # supergroup ids are "-100" followed by 10+ digits
# A bot_command entity covers "/name" and an optional "@botname", nothing after it.
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
# Update types Telegram sends only when allowed_updates names them explicitly.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "choose_sticker",
        "find_location",
        "record_video",
        "record_video_note",
        "record_voice",
        "typing",
        "upload_document",
        "upload_photo",
        "upload_video",
        "upload_video_note",
        "upload_voice",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)

MessageRef = SentMessage | Mapping[str, Any] | tuple[int, int]
_Method = Callable[[dict[str, Any]], Awaitable[Any]]


class _Chat:
    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.messages: dict[int, dict[str, Any]] = {}  # current versions, by message id
        self._message_ids = itertools.count(1)

    def next_message_id(self) -> int:
        return next(self._message_ids)


class FakeBotApi(FaultInjector, Recorder):
    """A fake Telegram Bot API server on a loopback port.

    Use `async with FakeBotApi() as server:` and point python-telegram-bot at it with
    `ApplicationBuilder().base_url(server.base_url).base_file_url(server.base_file_url)`.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "govinfo_test_bot",
        first_name: str = "GovInfo Test Bot",
        port: int = 0,
    ) -> None:
        super().__init__()
        bot_id, separator, _ = token.partition(":")
        if not (separator and bot_id.isdigit()):
            raise ValueError("a bot token looks like '<bot id>:<secret>'")
        self.token = token
        self.username = username
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self._http = HttpServer(self._handle, host=_HOST, port=port)

        # What the bot did, for tests to inspect.
        self.files: dict[str, StoredFile] = {}  # by file_id, uploaded by users or the bot
        self.updates: dict[int, dict[str, Any]] = {}  # every update ever queued, by update_id
        self.my_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (scope, language)
        self.webhook_url = ""
        self.internal_errors: list[Exception] = []  # bugs of the fake itself, answered as 500

        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, _Chat] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._pending: list[dict[str, Any]] = []  # unconfirmed updates, sorted by update_id
        self._replayed: set[int] = set()  # update ids to deliver once more despite the offset
        self._allowed_updates: list[str] = []
        self._open_callback_queries: set[str] = set()
        self._update_ids = itertools.count(1)
        self._object_ids = itertools.count(1)  # files and callback queries
        self._poll_generation = 0
        self._updates_signal = Signal()
        self._webhook = WebhookSender(
            self._next_webhook_update, self._confirm_one, self._updates_signal
        )
        implementations: dict[str, _Method] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
            "close": self._always_true,
            "logOut": self._always_true,
        }
        # Telegram matches method names case-insensitively.
        self._methods = {name.lower(): (name, impl) for name, impl in implementations.items()}

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> Self:
        await self._http.start()
        return self

    async def stop(self) -> None:
        """Closes the port and every connection, ending pending long polls at once."""
        self._webhook.stop()
        await self._http.stop()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def base_url(self) -> str:
        return f"http://{_HOST}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{_HOST}:{self.port}/file/bot"

    # --- simulated users -----------------------------------------------------------------

    def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """Queues a text message from the user (in their private chat unless chat_id is given)."""
        user = self._user(user_id, first_name, username, language_code)
        content: dict[str, Any] = {"text": text}
        if command := _COMMAND.match(text):
            # CommandHandler only reacts to a bot_command entity at offset 0. The pattern is
            # ASCII-only, so its length in characters equals its length in UTF-16 units.
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        message = self._user_message(user, chat_id, content, reply_to_message_id)
        return self._queue({"message": message})

    def edit_message(self, user_id: int, message: MessageRef, text: str) -> dict[str, Any]:
        """Queues an edited_message: the user changed the text of a message they sent before.
        Like Telegram, the edit keeps the message's id and date and adds an edit_date."""
        chat_id, message_id = _message_key(message)
        chat = self._chats.get(chat_id)
        original = chat.messages.get(message_id) if chat else None
        if chat is None or original is None or original.get("from", {}).get("id") != user_id:
            raise ValueError(f"user {user_id} sent no message {message_id} in chat {chat_id}")
        content: dict[str, Any] = {"text": text}
        if command := _COMMAND.match(text):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        kept = {
            key: value
            for key, value in original.items()
            if key not in ("text", "entities", "caption", "caption_entities", "edit_date")
        }
        edited = {**kept, **content, "edit_date": int(time.time())}
        chat.messages[message_id] = edited
        return self._queue({"edited_message": edited})

    def press_button(
        self, user_id: int, message: MessageRef, callback_data: str, *, any_data: bool = False
    ) -> dict[str, Any]:
        """Queues a callback_query for an inline button of a message the bot sent.

        With `any_data`, the data need not be offered by the message as it is now: a press on a
        keyboard the user still sees after an edit, or a modified client's forged data.
        """
        chat_id, message_id = _message_key(message)
        chat = self._chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        if stored is None or self._sent_by_key.get((chat_id, message_id)) is None:
            raise ValueError(f"the bot has no (undeleted) message {message_id} in chat {chat_id}")
        keyboard = stored.get("reply_markup", {}).get("inline_keyboard", [])
        offered = [button.get("callback_data") for row in keyboard for button in row]
        if callback_data not in offered and not any_data:
            raise ValueError(
                f"message {chat_id}/{message_id} has no button with callback_data "
                f"{callback_data!r}; it offers {offered}"
            )
        query_id = str(next(self._object_ids))
        self._open_callback_queries.add(query_id)
        query = {
            "id": query_id,
            "from": dict(self._user(user_id)),
            "message": dict(stored),  # a snapshot: later edits must not change this update
            "chat_instance": str(chat_id),
            "data": callback_data,
        }
        return self._queue({"callback_query": query})

    def expire_presses(self) -> None:
        """Telegram takes a press's answer for about 15 seconds, once: from now on the presses
        made so far get "query is too old" for an answer (as do those answered already)."""
        self._open_callback_queries.clear()

    def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        caption: str | None = None,
        *,
        chat_id: int | None = None,
        mime_type: str | None = None,
    ) -> dict[str, Any]:
        """Queues a document message; the bot can download the file through getFile."""
        stored = self._store_file(data, filename, mime_type, "documents")
        content: dict[str, Any] = {"document": document_object(stored)}
        if caption:
            content["caption"] = caption
        message = self._user_message(self._user(user_id), chat_id, content)
        return self._queue({"message": message})

    def send_photo(
        self,
        user_id: int,
        data: bytes,
        caption: str | None = None,
        *,
        chat_id: int | None = None,
        filename: str = "photo.jpg",
    ) -> dict[str, Any]:
        """Queues a photo message; the bot can download the photo through getFile."""
        stored = self._store_file(data, filename, None, "photos")
        content: dict[str, Any] = {"photo": photo_sizes(stored)}
        if caption:
            content["caption"] = caption
        message = self._user_message(self._user(user_id), chat_id, content)
        return self._queue({"message": message})

    def queue_update(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Queues a raw update; its update_id, if any, is replaced by the next free one."""
        body = {key: value for key, value in update.items() if key != "update_id"}
        if not body:
            raise ValueError("an update needs a payload such as 'message' or 'callback_query'")
        return self._queue(body)

    def replay(self, update_id: int) -> dict[str, Any]:
        """Delivers an already queued update once more, with the same update_id.

        Telegram does this when a bot stops before confirming updates; the replay is delivered
        even though the bot's offset has already moved past it.
        """
        update = self.updates.get(update_id)
        if update is None:
            raise ValueError(f"no update {update_id} was ever queued")
        if all(pending["update_id"] != update_id for pending in self._pending):
            bisect.insort(self._pending, update, key=lambda pending: pending["update_id"])
        self._replayed.add(update_id)
        self._updates_signal.notify()
        return update

    @property
    def pending_update_count(self) -> int:
        return len(self._pending)

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        """Every POST of an update to the webhook, in order, answered or not."""
        return self._webhook.deliveries

    def balance(self, backends: list[str]) -> None:
        """Deliver the webhook's updates to these URLs in turn instead of its own URL, as a load
        balancer in front of several bot processes would."""
        self._webhook.balance(backends)

    def webhook_retry(self, seconds: float) -> None:
        """How long the webhook waits before sending an unanswered update again."""
        self._webhook.retry_seconds = seconds

    def _describe_activity(self) -> str:
        # Unfetched updates in a timeout report usually mean the bot is not polling at all.
        return f"{super()._describe_activity()}\nunconfirmed updates: {len(self._pending)}"

    # --- observing the bot ---------------------------------------------------------------

    def commands_for(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]] | None:
        """The commands set for exactly this scope and language, None when none are set."""
        return self.my_commands.get(_commands_key({"scope": scope, "language_code": language_code}))

    # --- HTTP entry point ----------------------------------------------------------------

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/file/bot"):
            return self._download(request.path.removeprefix("/file/bot"))
        if not request.path.startswith("/bot"):
            return _error_response(ApiError(HTTPStatus.NOT_FOUND, "Not Found"))
        token, _, method = request.path.removeprefix("/bot").partition("/")
        if token != self.token or self.token_rejected:
            return _error_response(ApiError(HTTPStatus.UNAUTHORIZED, "Unauthorized"))

        name, implementation = self._methods.get(method.lower(), (method, None))
        call = ApiCall(method=name, params={}, time=time.monotonic())
        self.calls.append(call)
        try:
            try:
                call.params = decode_params(request.content_type, request.body, request.query)
            except ParamsError as error:
                raise bad_request(str(error)) from error
            if implementation is None:
                raise ApiError(HTTPStatus.NOT_FOUND, "Not Found")
            fault = self._injected_fault(name, call.params)
            if fault is not None:
                raise fault
            result = await implementation(call.params)
        except ApiError as error:
            call.status, call.description = error.status, error.description
            response = _error_response(error)
        except Exception as error:
            _LOGGER.exception("the fake Bot API failed in %s", name)
            self.internal_errors.append(error)
            call.status, call.description = 500, f"Internal Server Error: {error!r}"
            response = _error_response(ApiError(500, "Internal Server Error"))
        else:
            call.status, call.result = 200, result
            response = HttpResponse.json(200, {"ok": True, "result": result})
        self._activity.notify()
        if delay := self._answer_delay(name):
            await asyncio.sleep(delay)
        return response

    def _download(self, token_and_path: str) -> HttpResponse:
        token, _, file_path = token_and_path.partition("/")
        if token != self.token:
            return _error_response(ApiError(HTTPStatus.UNAUTHORIZED, "Unauthorized"))
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return _error_response(ApiError(HTTPStatus.NOT_FOUND, "Not Found"))
        return HttpResponse(200, stored.data, stored.mime_type)

    # --- Bot API methods -----------------------------------------------------------------

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(HTTPStatus.CONFLICT, _WEBHOOK_CONFLICT)
        offset = _int_param(params, "offset", 0)
        limit = min(
            max(_int_param(params, "limit", _MAX_UPDATES_PER_CALL), 1), _MAX_UPDATES_PER_CALL
        )
        timeout = params.get("timeout") or 0
        if not isinstance(timeout, int | float):
            raise bad_request("wrong parameter timeout")
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        self._confirm(offset)

        # Like Telegram, a new getUpdates ends an older one still waiting (with 409). That
        # also releases polls whose client gave up, e.g. PTB cancelling its poll on shutdown.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()
        deadline = time.monotonic() + timeout
        while not (batch := self._deliverable(limit)):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await self._updates_signal.wait(remaining)
            if generation != self._poll_generation:
                raise ApiError(HTTPStatus.CONFLICT, _POLL_CONFLICT)
        self._replayed.difference_update(update["update_id"] for update in batch)
        return batch

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            # A negative offset keeps only the last -offset updates, forgetting the rest.
            self._pending = self._pending[offset:]
        elif offset:
            self._pending = [
                update
                for update in self._pending
                if update["update_id"] >= offset or update["update_id"] in self._replayed
            ]

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = set(self._allowed_updates)
        batch: list[dict[str, Any]] = []
        for update in self._pending:
            kind = next(key for key in update if key != "update_id")
            if (kind in allowed) if allowed else (kind not in _OPT_IN_UPDATE_TYPES):
                batch.append(update)
                if len(batch) == limit:
                    break
        return batch

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        if params.get("drop_pending_updates"):
            self._drop_pending_updates()
        if self.webhook_url:
            secret = params.get("secret_token")
            self._webhook.start(self.webhook_url, str(secret) if secret else None)
        else:
            self._webhook.stop()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        self._webhook.stop()
        if params.get("drop_pending_updates"):
            self._drop_pending_updates()
        return True

    def _next_webhook_update(self) -> dict[str, Any] | None:
        batch = self._deliverable(1)
        return batch[0] if batch else None

    def _confirm_one(self, update_id: int) -> None:
        self._pending = [update for update in self._pending if update["update_id"] != update_id]
        self._replayed.discard(update_id)

    def _drop_pending_updates(self) -> None:
        self._pending.clear()
        self._replayed.clear()

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook_url and self._webhook.last_error:
            info["last_error_message"] = self._webhook.last_error
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        content = text_content(params.get("text"), params.get("parse_mode"), params.get("entities"))
        return self._send("sendMessage", chat, params, content, text=params["text"])

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        stored = self._file_param(params, "document", "documents")
        caption, content = caption_content(params)
        content["document"] = document_object(stored)
        return self._send("sendDocument", chat, params, content, caption=caption, document=stored)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(params)
        stored = self._file_param(params, "photo", "photos")
        caption, content = caption_content(params)
        content["photo"] = photo_sizes(stored)
        return self._send("sendPhoto", chat, params, content, caption=caption, photo=stored)

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message, sent = self._editable_message(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        content = text_content(params.get("text"), params.get("parse_mode"), params.get("entities"))
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        markup = inline_markup(params)
        unchanged = (
            content["text"] == message["text"]
            and content.get("entities") == message.get("entities")
            and markup == message.get("reply_markup")
        )
        if unchanged:
            raise bad_request(_NOT_MODIFIED)
        message.pop("entities", None)
        message.update(content)
        sent.text, sent.parse_mode = params["text"], params.get("parse_mode")
        return self._apply_edit(message, sent, markup, params)

    async def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        message, sent = self._editable_message(params)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        caption, content = caption_content(params)
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        markup = inline_markup(params)
        unchanged = (
            content.get("caption") == message.get("caption")
            and content.get("caption_entities") == message.get("caption_entities")
            and markup == message.get("reply_markup")
        )
        if unchanged:
            raise bad_request(_NOT_MODIFIED)
        message.pop("caption", None)
        message.pop("caption_entities", None)
        message.update(content)
        sent.caption = caption
        return self._apply_edit(message, sent, markup, params)

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message, sent = self._editable_message(params)
        markup = inline_markup(params)
        if markup == message.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        return self._apply_edit(message, sent, markup, params)

    def _apply_edit(
        self,
        message: dict[str, Any],
        sent: SentMessage,
        markup: dict[str, Any] | None,
        params: dict[str, Any],
    ) -> dict[str, Any]:
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        sent.reply_markup = markup
        sent.edits.append(dict(params))
        return dict(message)

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._target_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int) or chat.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        if sent := self._sent_by_key.get((chat.info["id"], message_id)):
            sent.deleted = True
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_callback_queries:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callback_queries.remove(query_id)
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=params.get("text"),
                show_alert=bool(params.get("show_alert", False)),
                url=params.get("url"),
                cache_time=int(params.get("cache_time", 0)),
                time=time.monotonic(),
            )
        )
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description is empty or too long")
        key = _commands_key(params)
        if commands:
            self.my_commands[key] = [
                {"command": command["command"], "description": command["description"]}
                for command in commands
            ]
        else:
            self.my_commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.my_commands.get(_commands_key(params), []))

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.my_commands.pop(_commands_key(params), None)
        return True

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > _MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _always_true(self, params: dict[str, Any]) -> bool:
        return True

    # --- state helpers -------------------------------------------------------------------

    def _queue(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self.updates[update["update_id"]] = update
        self._pending.append(update)
        self._updates_signal.notify()
        return update

    def _user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        )
        # Later calls may omit the profile; only given fields change it.
        for key, value in (
            ("first_name", first_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is not None:
                user[key] = value
        return user

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            info: dict[str, Any]
            if chat_id > 0:
                user = self._users.get(chat_id, {"first_name": f"User{chat_id}"})
                info = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
                if "username" in user:
                    info["username"] = user["username"]
            else:
                kind = "supergroup" if chat_id <= _SUPERGROUP_ID_LIMIT else "group"
                info = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
            chat = self._chats[chat_id] = _Chat(info)
        return chat

    def _user_message(
        self,
        user: dict[str, Any],
        chat_id: int | None,
        content: dict[str, Any],
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        chat = self._chat(user["id"] if chat_id is None else chat_id)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = chat.messages.get(reply_to_message_id)
            if reply_to is None:
                raise ValueError(f"chat {chat.info['id']} has no message {reply_to_message_id}")
        message = {
            "message_id": chat.next_message_id(),
            "from": dict(user),  # a copy, so later profile changes don't rewrite history
            "chat": chat.info,
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = without_reply(reply_to)
        chat.messages[message["message_id"]] = message
        return message

    def _target_chat(self, params: dict[str, Any]) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")  # "@channelname" chats are not simulated
        return self._chat(chat_id)

    def _editable_message(self, params: dict[str, Any]) -> tuple[dict[str, Any], SentMessage]:
        if "inline_message_id" in params:
            raise bad_request("MESSAGE_ID_INVALID")  # inline mode is not simulated
        chat = self._target_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request("message to edit not found")
        sent = self._sent_by_key.get((chat.info["id"], message_id))
        if sent is None:
            raise bad_request("message can't be edited")
        return message, sent

    def _reply_target(self, chat: _Chat, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters") or {}
        if not isinstance(reply, dict):
            raise bad_request("can't parse reply parameters JSON object")
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        target = chat.messages.get(message_id)
        if target is not None:
            return without_reply(target)
        if reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply")):
            return None
        raise bad_request("message to be replied not found")

    def _send(
        self,
        method: str,
        chat: _Chat,
        params: dict[str, Any],
        content: dict[str, Any],
        *,
        text: str | None = None,
        caption: str | None = None,
        document: StoredFile | None = None,
        photo: StoredFile | None = None,
    ) -> dict[str, Any]:
        markup = reply_markup(params)
        reply_to = self._reply_target(chat, params)  # validated before the id is taken
        chat_id = chat.info["id"]
        message: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "from": self.bot_user,
            "chat": chat.info,
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        # Messages only carry inline keyboards; reply keyboards live in the client.
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        chat.messages[message["message_id"]] = message
        sent = SentMessage(
            method=method,
            chat_id=chat_id,
            message_id=message["message_id"],
            time=time.monotonic(),
            text=text,
            caption=caption,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            reply_to_message_id=None if reply_to is None else reply_to["message_id"],
            document=document,
            photo=photo,
            message=message,
        )
        self._record_sent(sent)
        return dict(message)

    def _file_param(self, params: dict[str, Any], name: str, folder: str) -> StoredFile:
        value = params.get(name)
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            return self._store_file(value.data, value.filename, value.content_type, folder)
        if isinstance(value, str) and value:
            stored = self.files.get(value)
            if stored is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return stored
        raise bad_request(f"there is no {name} in the request")

    def _store_file(
        self, data: bytes, filename: str, mime_type: str | None, folder: str
    ) -> StoredFile:
        number = next(self._object_ids)
        suffix = re.sub(r"[^a-z0-9.]", "", PurePosixPath(filename).suffix.lower())
        stored = StoredFile(
            file_id=f"{folder}-file-{number}",
            file_unique_id=f"unique-{number}",
            file_path=f"{folder}/file_{number}{suffix}",
            filename=filename,
            mime_type=mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
            data=bytes(data),
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored


# --- pure helpers ------------------------------------------------------------------------


def _error_response(error: ApiError) -> HttpResponse:
    return HttpResponse.json(error.status, error.payload())


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    if not isinstance(value, int):
        raise bad_request(f"wrong parameter {name}")
    return value


def _message_key(message: MessageRef) -> tuple[int, int]:
    if isinstance(message, SentMessage):
        return message.chat_id, message.message_id
    if isinstance(message, tuple):
        return message
    return int(message["chat"]["id"]), int(message["message_id"])


def _commands_key(params: Mapping[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, Mapping) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(dict(scope), sort_keys=True), str(params.get("language_code") or "")
