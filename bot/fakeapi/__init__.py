"""A fake Telegram Bot API server for end-to-end tests, the sandbox chat and benchmarks."""

from bot.fakeapi.errors import ApiError
from bot.fakeapi.records import ApiCall, CallbackAnswer, SentMessage, StoredFile
from bot.fakeapi.server import DEFAULT_TOKEN, FakeBotApi, MessageRef

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "FakeBotApi",
    "MessageRef",
    "SentMessage",
    "StoredFile",
]
