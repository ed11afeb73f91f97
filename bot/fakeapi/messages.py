"""Building and validating the content of Bot API Message objects the way Telegram does."""

from __future__ import annotations

import itertools
from typing import Any

from bot.fakeapi.errors import bad_request
from bot.fakeapi.formatting import EntityParseError, parse_html, utf16_length
from bot.fakeapi.records import StoredFile

_MAX_TEXT_LENGTH = 4096
_MAX_CAPTION_LENGTH = 1024
_MAX_CALLBACK_DATA_BYTES = 64


def text_content(text: Any, parse_mode: Any, entities: Any) -> dict[str, Any]:
    """The "text" and "entities" of a message; raises 400 like Telegram for bad texts."""
    if not isinstance(text, str) or not text:
        raise bad_request("message text is empty")
    plain, parsed_entities = _render(text, parse_mode, entities)
    if not plain.strip():
        raise bad_request("message text is empty")
    if utf16_length(plain) > _MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    content: dict[str, Any] = {"text": plain}
    if parsed_entities:
        content["entities"] = parsed_entities
    return content


def caption_content(params: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The caption as sent and the "caption"/"caption_entities" of a media message."""
    caption = params.get("caption")
    if not caption:
        return None, {}
    caption = str(caption)
    plain, entities = _render(caption, params.get("parse_mode"), params.get("caption_entities"))
    if utf16_length(plain) > _MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    content: dict[str, Any] = {"caption": plain}
    if entities:
        content["caption_entities"] = entities
    return caption, content


def reply_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """The validated reply_markup of any kind, None when absent."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return markup
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for button in itertools.chain.from_iterable(keyboard):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request('can\'t parse inline keyboard button: Field "text" must be a String')
        if set(button) == {"text"}:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= _MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    return markup


def inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """The reply_markup of an edit, which can only be an inline keyboard."""
    markup = reply_markup(params)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def without_reply(message: dict[str, Any]) -> dict[str, Any]:
    """A message as embedded in reply_to_message: Telegram never nests replies deeper."""
    return {key: value for key, value in message.items() if key != "reply_to_message"}


def document_object(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.filename,
        "mime_type": stored.mime_type,
        "file_size": stored.size,
    }


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    # One size only, and no real dimensions: the fake does not decode images.
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "width": 0,
            "height": 0,
        }
    ]


def _render(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[dict[str, Any]]]:
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        try:
            return parse_html(text)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from error
    return text, list(entities or [])
