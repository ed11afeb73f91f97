"""What the fake server records about the bot: calls, sent messages, files, callback answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ApiCall:
    """One Bot API request; status is None until the server has decided the answer."""

    method: str
    params: dict[str, Any]
    time: float  # time.monotonic() on arrival
    status: int | None = None
    result: Any = None
    description: str | None = None  # the error description when status is not 200


@dataclass(frozen=True, slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    filename: str
    mime_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent; edits update text/caption/reply_markup in place."""

    method: str
    chat_id: int
    message_id: int
    time: float  # time.monotonic() when sent
    text: str | None  # exactly as the bot sent it, markup included
    caption: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None  # any kind of keyboard, as sent
    reply_to_message_id: int | None
    document: StoredFile | None
    photo: StoredFile | None
    message: dict[str, Any]  # the current Bot API Message object
    edits: list[dict[str, Any]] = field(default_factory=list)  # params of each applied edit
    deleted: bool = False

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        return (self.reply_markup or {}).get("inline_keyboard", [])

    def callback_data(self, button_text: str) -> str:
        """The callback_data of the inline button labelled `button_text`."""
        for row in self.inline_keyboard:
            for button in row:
                if button.get("text") == button_text and "callback_data" in button:
                    return str(button["callback_data"])
        labels = [button.get("text") for row in self.inline_keyboard for button in row]
        raise KeyError(f"no callback button {button_text!r}; the buttons are {labels}")


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    time: float
