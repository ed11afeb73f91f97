"""A fake Telegram Bot API server for end-to-end tests, the sandbox chat and benchmarks."""

from bot.fakeapi.errors import ApiError
from bot.fakeapi.records import ApiCall, CallbackAnswer, SentMessage, StoredFile
from bot.fakeapi.server import DEFAULT_TOKEN, FakeBotApi, MessageRef
from bot.fakeapi.webhook import SECRET_HEADER, Delivery

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "Delivery",
    "FakeBotApi",
    "MessageRef",
    "SentMessage",
    "StoredFile",
]
