"""Decoding Bot API method parameters from an HTTP request.

python-telegram-bot 22 posts `application/x-www-form-urlencoded` (or `multipart/form-data` when
a file is uploaded) in which string values are sent raw and every other value is JSON-encoded,
so "123" may be a chat id or a message text. Like Telegram, the fake therefore decides the type
by parameter name. JSON bodies and query strings are accepted too, for raw test clients.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

# Parameters whose values are JSON objects or arrays.
_JSON_FIELDS = frozenset(
    {
        "allowed_updates",
        "caption_entities",
        "commands",
        "entities",
        "link_preview_options",
        "reply_markup",
        "reply_parameters",
        "scope",
    }
)
_NUMBER_FIELDS = frozenset(
    {
        "cache_time",
        "chat_id",
        "limit",
        "max_connections",
        "message_id",
        "message_thread_id",
        "offset",
        "reply_to_message_id",
        "timeout",
        "user_id",
    }
)
_BOOLEAN_FIELDS = frozenset(
    {
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "disable_notification",
        "drop_pending_updates",
        "protect_content",
        "show_alert",
    }
)

_ATTACH_PREFIX = "attach://"
_DISPOSITION_PARAM = re.compile(r';\s*([\w*-]+)=("(?:[^"\\]|\\.)*"|[^;]*)')
# httpx quotes multipart names the HTML5 way: '"' and control characters become %XX.
_HTML5_ESCAPE = re.compile(r"%(22|[01][0-9A-F])")
_QUOTED_PAIR = re.compile(r"\\(.)")


class ParamsError(ValueError):
    """The request body cannot be decoded; answered as 400 Bad Request."""


@dataclass(frozen=True, slots=True)
class UploadedFile:
    filename: str
    data: bytes
    content_type: str


def decode_params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """Returns the parameters with their Bot API types; uploaded files become UploadedFile."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    media_type, options = _split_header_value(content_type)
    if body:
        if media_type == "application/json":
            try:
                decoded = json.loads(body)
            except ValueError as error:
                raise ParamsError("can't parse JSON body") from error
            if not isinstance(decoded, dict):
                raise ParamsError("JSON body must be an object")
            params.update(decoded)
        elif media_type == "application/x-www-form-urlencoded":
            params.update(parse_qsl(_utf8(body), keep_blank_values=True))
        elif media_type == "multipart/form-data":
            if "boundary" not in options:
                raise ParamsError("multipart body without boundary")
            params.update(_parse_multipart(body, options["boundary"]))
        else:
            raise ParamsError(f"unsupported Content-Type {content_type!r}")
    _resolve_attachments(params)
    return {name: _coerce(name, value) for name, value in params.items()}


def _split_header_value(value: str) -> tuple[str, dict[str, str]]:
    main, *rest = value.split(";")
    options: dict[str, str] = {}
    for item in rest:
        key, _, option = item.partition("=")
        options[key.strip().lower()] = option.strip().strip('"')
    return main.strip().lower(), options


def _parse_multipart(body: bytes, boundary: str) -> dict[str, str | UploadedFile]:
    fields: dict[str, str | UploadedFile] = {}
    # Boundaries never occur inside parts (that is how they are chosen), so splitting is safe.
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        head, separator, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise ParamsError("malformed multipart part")
        content = content.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in head.decode(errors="replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = {
            key.lower(): _unquote(value)
            for key, value in _DISPOSITION_PARAM.findall(headers.get("content-disposition", ""))
        }
        if "name" not in disposition:
            raise ParamsError("multipart part without a name")
        if "filename" in disposition:
            fields[disposition["name"]] = UploadedFile(
                filename=disposition["filename"],
                data=content,
                content_type=headers.get("content-type", "application/octet-stream"),
            )
        else:
            fields[disposition["name"]] = _utf8(content)
    return fields


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError as error:
        raise ParamsError("strings must be encoded in UTF-8") from error


def _unquote(value: str) -> str:
    if not value.startswith('"'):
        return value.strip()
    value = _QUOTED_PAIR.sub(r"\1", value[1:-1])
    return _HTML5_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), value)


def _resolve_attachments(params: dict[str, Any]) -> None:
    """Replaces "attach://<part>" values by the uploaded part, as Telegram does."""
    for name, value in list(params.items()):
        if isinstance(value, str) and value.startswith(_ATTACH_PREFIX):
            part = params.pop(value.removeprefix(_ATTACH_PREFIX), None)
            if not isinstance(part, UploadedFile):
                raise ParamsError(f"attached file for {name} not found")
            params[name] = part


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as error:
            raise ParamsError(f"can't parse {name} JSON object") from error
    if name in _NUMBER_FIELDS:
        # Non-numeric chat ids ("@channelname") stay strings, as Telegram allows them.
        for number_type in (int, float):
            try:
                return number_type(value)
            except ValueError:
                pass
        return value
    if name in _BOOLEAN_FIELDS:
        return value.lower() in ("true", "1")
    return value
