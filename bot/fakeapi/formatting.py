"""Telegram's HTML parse mode: validation, plain text and entities.

Telegram rejects unsupported or unbalanced tags with "can't parse entities"; bots that build
HTML by hand break on exactly that in production, so the fake reproduces it. Other parse modes
are passed through unchecked.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

_ENTITY_TYPES = {
    "a": "text_link",
    "b": "bold",
    "blockquote": "blockquote",
    "code": "code",
    "del": "strikethrough",
    "em": "italic",
    "i": "italic",
    "ins": "underline",
    "pre": "pre",
    "s": "strikethrough",
    "span": "spoiler",
    "strike": "strikethrough",
    "strong": "bold",
    "tg-emoji": "custom_emoji",
    "tg-spoiler": "spoiler",
    "u": "underline",
}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML."""


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Returns the plain text and its message entities (offsets in UTF-16 code units)."""
    parser = _TelegramHtmlParser(source)
    parser.feed(source)
    parser.close()
    if parser.open_tags:
        tag = parser.open_tags[-1][0]
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
    entities = sorted(parser.entities, key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(parser.text), entities


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtmlParser(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._source = source
        self._line_starts = [0] + [i + 1 for i, char in enumerate(source) if char == "\n"]
        self.text: list[str] = []
        self.length = 0
        self.entities: list[dict[str, Any]] = []
        self.open_tags: list[tuple[str, int, dict[str, str | None]]] = []

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        return len(self._source[: self._line_starts[line - 1] + column].encode())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag not in _ENTITY_TYPES or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
            )
        self.open_tags.append((tag, self.length, attributes))

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags:
            raise EntityParseError(
                f'Can\'t find start tag corresponding to end tag "{tag}" '
                f"at byte offset {self._byte_offset()}"
            )
        open_tag, offset, attributes = self.open_tags.pop()
        if open_tag != tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self._byte_offset()}, "
                f'expected "</{open_tag}>", found "</{tag}>"'
            )
        language = (attributes.get("class") or "").removeprefix("language-")
        if tag == "code" and language and self.open_tags and self.open_tags[-1][0] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language, not two.
            self.open_tags[-1][2]["language"] = language
            return
        if self.length > offset:
            self.entities.append(_entity(tag, offset, self.length - offset, attributes))

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.length += utf16_length(data)


def _entity(
    tag: str, offset: int, length: int, attributes: dict[str, str | None]
) -> dict[str, Any]:
    entity: dict[str, Any] = {"type": _ENTITY_TYPES[tag], "offset": offset, "length": length}
    if tag == "a":
        entity["url"] = attributes.get("href") or ""
    elif tag == "pre" and attributes.get("language"):
        entity["language"] = attributes["language"]
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attributes.get("emoji-id") or ""
    elif tag == "blockquote" and "expandable" in attributes:
        entity["type"] = "expandable_blockquote"
    return entity
