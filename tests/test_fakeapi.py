"""The fake Bot API driven by the real python-telegram-bot Application over HTTP, no mocks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.fakeapi import FakeBotApi, faults

# RetryAfter warns about its future timedelta type whenever PTB itself builds one.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

USER = 42
GROUP = -1001234567890


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake
    assert fake.internal_errors == []


def build_app(server: FakeBotApi) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )


@contextlib.asynccontextmanager
async def polling(
    server: FakeBotApi,
    *handlers: BaseHandler,  # type: ignore[type-arg]
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Runs the application with real long polling; re-raises the first handler error."""
    app = build_app(server)
    app.add_handlers(handlers)
    errors: list[Exception] = []

    async def keep_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_error_handler(keep_error)
    async with app:
        # A long timeout proves that polls wake on new updates and that shutdown ends them.
        await app.updater.start_polling(poll_interval=0, timeout=10)  # type: ignore[union-attr]
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
    if errors:
        raise errors[0]


def method_url(server: FakeBotApi, method: str) -> str:
    return f"{server.base_url}{server.token}/{method}"


async def test_start_command_reaches_command_handler(server: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.effective_user is not None
        name = update.effective_user.first_name
        await update.message.reply_text(f"欢迎, {name}! {context.args}", do_quote=True)

    started = time.monotonic()
    async with polling(server, CommandHandler("start", start)):
        update = server.send_message(USER, "/start hello", first_name="张三")
        reply = await server.next_message(USER)
        server.send_message(USER, "/start@govinfo_test_bot", chat_id=GROUP)
        group_reply = await server.next_message(GROUP)
    assert time.monotonic() - started < 3

    request = update["message"]
    assert request["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert reply.text == "欢迎, 张三! ['hello']"
    assert reply.message_id == request["message_id"] + 1
    assert reply.reply_to_message_id == request["message_id"]
    assert reply.message["from"]["username"] == "govinfo_test_bot"
    assert reply.message["chat"] == {"id": USER, "type": "private", "first_name": "张三"}
    assert group_reply.message["chat"]["type"] == "supergroup"
    assert group_reply.text == "欢迎, 张三! []"  # the profile is remembered
    assert [call.method for call in server.calls[:3]] == ["getMe", "deleteWebhook", "getUpdates"]
    assert server.calls_to("sendMessage")[0].params["chat_id"] == USER


async def test_a_user_edits_a_message_as_telegram_sends_it(server: FakeBotApi) -> None:
    seen: list[Update] = []

    async def keep(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)
        assert update.effective_message is not None
        await update.effective_message.reply_text("ok")

    async with polling(server, MessageHandler(filters.ALL, keep)):
        sent = server.send_message(USER, "/submit 旧标题")["message"]
        await server.next_message(USER)
        server.edit_message(USER, sent, "/submit 新标题")
        await server.next_message(USER)
        with pytest.raises(ValueError, match="sent no message"):
            server.edit_message(USER + 1, sent, "/submit 别人的")
    original, edit = seen
    assert original.message is not None and edit.edited_message is not None
    assert edit.message is None and edit.update_id == original.update_id + 1
    edited = edit.edited_message
    assert (edited.message_id, edited.date) == (original.message.message_id, original.message.date)
    assert edited.edit_date is not None and edited.text == "/submit 新标题"
    assert edited.entities[0].type == "bot_command"


async def test_inline_button_press_is_answered_and_edits_the_message(server: FakeBotApi) -> None:
    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        keyboard = [[InlineKeyboardButton("是", callback_data="yes")]]
        keyboard.append([InlineKeyboardButton("否", callback_data="no")])
        await update.message.reply_text("确认?", reply_markup=InlineKeyboardMarkup(keyboard))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer(f"收到 {query.data}", show_alert=True)
        await query.edit_message_text(f"<b>已选择</b> {query.data}", parse_mode="HTML")

    async with polling(server, CommandHandler("menu", menu), CallbackQueryHandler(pressed)):
        server.send_message(USER, "/menu")
        question = await server.next_message(USER)
        server.press_button(USER, question, question.callback_data("否"))
        edit = await server.wait_for_call("editMessageText")

    assert edit.status == 200
    [answer] = server.callback_answers
    assert (answer.text, answer.show_alert) == ("收到 no", True)
    assert question.text == "<b>已选择</b> no"
    assert question.message["text"] == "已选择 no"
    assert question.message["entities"] == [{"type": "bold", "offset": 0, "length": 3}]
    # Like Telegram, an edit that does not repeat the keyboard removes it.
    assert question.reply_markup is None and "reply_markup" not in question.message
    assert len(question.edits) == 1
    with pytest.raises(ValueError, match="no button"):
        server.press_button(USER, (USER, question.message_id), "yes")


async def test_documents_flow_both_ways(server: FakeBotApi) -> None:
    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.document is not None
        document = update.message.document
        data = await (await document.get_file()).download_as_bytearray()
        await update.message.reply_document(
            bytes(data).upper(), filename=f"回执-{document.file_name}", caption=f"{len(data)} 字节"
        )

    async with polling(server, MessageHandler(filters.Document.ALL, on_document)) as app:
        server.send_document(USER, "报送.txt", b"report body", caption="请审核")
        reply = await server.next_message(USER)
        assert reply.document is not None
        # A file the bot sent can be sent again by file_id and downloaded like any other.
        again = await app.bot.send_document(USER, reply.document.file_id)
        assert again.document is not None
        downloaded = await (await again.document.get_file()).download_as_bytearray()

    assert reply.document.data == b"REPORT BODY"
    assert reply.document.filename == "回执-报送.txt"
    assert reply.document.mime_type == "text/plain"
    assert reply.caption == "11 字节"
    assert reply.message["document"]["file_name"] == "回执-报送.txt"
    assert downloaded == b"REPORT BODY"


async def test_multipart_upload_keeps_awkward_filenames_and_typed_fields(
    server: FakeBotApi,
) -> None:
    markup = '{"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]}'
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            method_url(server, "sendDocument"),
            data={"chat_id": "-100", "reply_markup": markup, "caption": "123"},
            files={"document": ('季度 "报表"\\v2.xlsx', b"\x00\x01binary", "application/x-test")},
        )

    assert answer.status_code == 200, answer.text
    [sent] = server.sent
    assert sent.document is not None
    assert sent.document.filename == '季度 "报表"\\v2.xlsx'
    assert (sent.document.data, sent.document.mime_type) == (
        b"\x00\x01binary",
        "application/x-test",
    )
    assert (sent.chat_id, sent.caption, sent.message["chat"]["type"]) == (-100, "123", "group")
    assert sent.inline_keyboard == [[{"text": "ok", "callback_data": "ok"}]]


async def test_replayed_update_arrives_again_with_the_same_id(server: FakeBotApi) -> None:
    seen: list[int] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        seen.append(update.update_id)
        await update.message.reply_text(update.message.text)

    async with polling(server, MessageHandler(filters.TEXT, echo)):
        first = server.send_message(USER, "hello")
        await server.next_message(USER)
        server.replay(first["update_id"])
        await server.next_message(USER)
        server.send_message(USER, "after")
        assert (await server.wait_for(lambda message: message.text == "after")).chat_id == USER

    assert seen == [first["update_id"], first["update_id"], first["update_id"] + 1]


async def test_long_poll_wakes_on_new_update_and_offset_confirms(server: FakeBotApi) -> None:
    url = method_url(server, "getUpdates")
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(client.post(url, json={"timeout": 5}))
        await asyncio.sleep(0.05)
        queued_at = time.monotonic()
        update = server.send_message(USER, "hi")
        delivered = (await poll).json()
        assert time.monotonic() - queued_at < 1
        unconfirmed = (await client.post(url, data={"offset": "0"})).json()
        confirmed = (await client.post(url, params={"offset": update["update_id"] + 1})).json()
        # chat_member updates come only to bots that ask for them, as on Telegram.
        member = server.queue_update({"chat_member": {"chat": {"id": GROUP}}})
        by_default = (await client.post(url, json={})).json()
        asked = (await client.post(url, json={"allowed_updates": ["chat_member"]})).json()

    assert delivered == {"ok": True, "result": [update]}
    assert unconfirmed["result"] == [update]
    assert confirmed == {"ok": True, "result": []}
    assert (by_default["result"], asked["result"]) == ([], [member])


async def test_fail_next_answers_429_to_a_raw_client(server: FakeBotApi) -> None:
    server.fail_next("sendMessage", status=429, retry_after=3)
    url = method_url(server, "sendMessage")
    async with httpx.AsyncClient() as client:
        limited = await client.post(url, json={"chat_id": USER, "text": "hi"})
        accepted = await client.post(url, data={"chat_id": str(USER), "text": "hi"})

    assert limited.status_code == 429
    assert limited.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert accepted.status_code == 200
    assert accepted.json()["result"]["text"] == "hi"
    assert [call.status for call in server.calls_to("sendMessage")] == [429, 200]
    assert len(server.sent) == 1


async def test_injected_failures_reach_ptb_as_its_exceptions(server: FakeBotApi) -> None:
    server.fail_next("sendMessage", status=429, retry_after=2)
    server.fail_next("sendMessage", status=502, times=2)
    async with build_app(server) as app:
        with pytest.raises(RetryAfter, match="Retry in 2 seconds"):
            await app.bot.send_message(USER, "one")
        for _ in range(2):
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await app.bot.send_message(USER, "two")
        await app.bot.send_message(USER, "three")
    assert [message.text for message in server.sent] == ["three"]


class StoppedClock:
    """The server's clock for its rate limit, moved only by the test: the 35 sends fall in one
    second however slowly a loaded machine makes them."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


async def test_rate_limit_answers_429_beyond_30_sends_per_second(
    server: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = StoppedClock()
    monkeypatch.setattr(faults, "time", clock)
    server.rate_limit(per_second=30)
    async with build_app(server) as app:
        results = await asyncio.gather(
            *(app.bot.send_message(USER, f"n{i}") for i in range(35)), return_exceptions=True
        )
        async with httpx.AsyncClient() as client:
            raw = await client.post(
                method_url(server, "sendMessage"), json={"chat_id": 1, "text": "x"}
            )
        clock.now += 1.05  # the sliding window has moved on
        await app.bot.send_message(USER, "later")

    assert sum(isinstance(result, RetryAfter) for result in results) == 5
    assert len(server.sent) == 31
    retry_after = raw.json()["parameters"]["retry_after"]
    assert raw.status_code == 429 and isinstance(retry_after, int) and retry_after >= 1


async def test_blocked_user_gives_forbidden(server: FakeBotApi) -> None:
    server.block(USER)
    async with build_app(server) as app:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(USER, "hi")
        server.unblock(USER)
        await app.bot.send_message(USER, "hi")
    assert [call.status for call in server.calls_to("sendMessage")] == [403, 200]


async def test_commands_are_stored_per_scope_and_language(server: FakeBotApi) -> None:
    chat_scope = BotCommandScopeChat(USER)
    async with build_app(server) as app:
        await app.bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")])
        await app.bot.set_my_commands(
            [BotCommand("admin", "管理")], scope=chat_scope, language_code="zh"
        )
        chat_commands = await app.bot.get_my_commands(scope=chat_scope, language_code="zh")
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await app.bot.set_my_commands([BotCommand("Start", "uppercase is refused")])
        await app.bot.delete_my_commands()

    assert [command.command for command in chat_commands] == ["admin"]
    assert server.commands_for({"type": "chat", "chat_id": USER}, "zh") == [
        {"command": "admin", "description": "管理"}
    ]
    assert server.commands_for({"type": "chat", "chat_id": USER}) is None
    assert server.commands_for() is None  # deleted
    assert len(server.calls_to("setMyCommands")) == 3


async def test_telegram_validation_errors(server: FakeBotApi) -> None:
    # PTB strips "Bad Request: " and capitalizes the rest, hence the case-insensitive matches.
    async with build_app(server) as app:
        with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "br"'):
            await app.bot.send_message(USER, "a<br>b", parse_mode="HTML")
        message = await app.bot.send_message(USER, "same")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await app.bot.edit_message_text("same", USER, message.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await app.bot.send_message(USER, "x", reply_to_message_id=999)
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            button = InlineKeyboardButton("x", callback_data="d" * 65)
            await app.bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup([[button]]))


async def test_photos_raw_updates_webhooks_and_small_methods(server: FakeBotApi) -> None:
    photos: list[bytes] = []

    async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        file = await update.message.photo[-1].get_file()
        photos.append(bytes(await file.download_as_bytearray()))
        await update.message.reply_photo(b"thumbnail", caption="<i>收到</i>", parse_mode="HTML")

    async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.edited_message is not None
        await context.bot.send_chat_action(USER, "typing")
        sent = await context.bot.send_message(USER, f"edited: {update.edited_message.text}")
        await sent.delete()

    handlers = (
        MessageHandler(filters.PHOTO, on_photo),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit),
    )
    async with polling(server, *handlers) as app:
        server.send_photo(USER, b"jpeg bytes", caption="现场照片")
        photo_reply = await server.next_message(USER)
        original = server.send_message(USER, "draft")["message"]
        server.queue_update({"edited_message": {**original, "text": "final", "edit_date": 1}})
        deleted = await server.wait_for(lambda message: message.deleted, chat_id=USER)
        assert server.calls_to("sendChatAction")[0].params["action"] == "typing"

        server.slow("getWebhookInfo", 0.2)
        started = time.monotonic()
        assert (await app.bot.get_webhook_info()).url == ""
        assert time.monotonic() - started >= 0.2
        await app.updater.stop()  # type: ignore[union-attr]
        await app.bot.set_webhook("https://example.org/hook")
        with pytest.raises(Conflict):
            await app.bot.get_updates()
        await app.bot.delete_webhook()
        await app.updater.start_polling(poll_interval=0, timeout=10)  # type: ignore[union-attr]

    assert photos == [b"jpeg bytes"]
    assert photo_reply.photo is not None and photo_reply.photo.data == b"thumbnail"
    assert photo_reply.message["caption"] == "收到"
    assert deleted.text == "edited: final"


async def test_wrong_token_and_unknown_method(server: FakeBotApi) -> None:
    async with httpx.AsyncClient() as client:
        wrong_token = await client.post(f"{server.base_url}1:wrong/getMe")
        unknown = await client.post(method_url(server, "sendTelepathy"))
        case_insensitive = await client.get(method_url(server, "getme"))

    assert wrong_token.status_code == 401
    assert wrong_token.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert case_insensitive.json()["result"]["username"] == "govinfo_test_bot"


async def test_waiting_times_out_with_an_explanation(server: FakeBotApi) -> None:
    server.send_message(USER, "nobody is polling")
    with pytest.raises(TimeoutError, match=r"(?s)no new bot message in chat 42.*updates: 1"):
        await server.next_message(USER, timeout=0.05)


async def test_stop_ends_a_pending_long_poll_promptly() -> None:
    server = FakeBotApi()
    await server.start()
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(
            client.post(method_url(server, "getUpdates"), json={"timeout": 30})
        )
        while not server.calls:
            await asyncio.sleep(0.01)
        stopping = time.monotonic()
        await server.stop()
        with pytest.raises(httpx.HTTPError):
            await poll
    assert time.monotonic() - stopping < 1
