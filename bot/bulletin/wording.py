"""The words of a bulletin an office may write itself: the title, the opening and the closing.

An office's file is TOML with any of `title`, `opening` and `closing`, each a template with
`{{ placeholder }}`s (README, "Bulletin"); what it leaves out keeps the default wording of
`bot.texts`. The file is the office's, not ours: it is rendered in jinja2's sandbox, and a
placeholder that does not exist is refused by name before anything is written.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from bot import texts
from scoring.errors import DomainError

PARTS = ("title", "opening", "closing")

_ENV = SandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


@dataclass(frozen=True)
class Wording:
    """Template sources by part, and where they came from (for refusals)."""

    title: str
    opening: str
    closing: str
    source: str


DEFAULT = Wording(
    texts.BULLETIN_TITLE,
    texts.BULLETIN_OPENING,
    texts.BULLETIN_CLOSING,
    texts.TEMPLATE_DEFAULT_SOURCE,
)


def load_wording(path: str | Path) -> Wording:
    """An office's wording file, checked whole: syntax and placeholders of every part."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DomainError(
            "file_unreadable", path=str(path), detail=exc.strerror or str(exc)
        ) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DomainError("template_toml", path=str(path), detail=str(exc)) from exc
    extra = sorted(set(data) - set(PARTS))
    if extra:
        raise DomainError("template_keys", path=str(path), keys=texts.LIST_SEPARATOR.join(extra))
    for part, value in data.items():
        if not isinstance(value, str):
            raise DomainError("template_not_text", path=str(path), part=part)
    wording = Wording(
        data.get("title", DEFAULT.title),
        data.get("opening", DEFAULT.opening),
        data.get("closing", DEFAULT.closing),
        str(path),
    )
    for part in PARTS:
        _check(wording, part)
    return wording


def _known(part: str) -> tuple[str, ...]:
    # The title is what the opening and closing may quote; it cannot quote itself.
    return tuple(p for p in texts.TEMPLATE_PLACEHOLDERS if part != "title" or p != "title")


def _check(wording: Wording, part: str) -> None:
    source = getattr(wording, part)
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise DomainError(
            "template_syntax", path=wording.source, part=part, line=exc.lineno, detail=exc.message
        ) from exc
    known = _known(part)
    unknown = sorted(meta.find_undeclared_variables(tree) - set(known))
    if unknown:
        raise DomainError(
            "template_placeholder",
            path=wording.source,
            part=part,
            name="{{ " + unknown[0] + " }}",
            known=texts.LIST_SEPARATOR.join(known),
        )


def render_part(wording: Wording, part: str, values: Mapping[str, Any]) -> list[str]:
    """The part's paragraphs: separated by blank lines, each joined into one line (Chinese
    text has no spaces between the lines of a paragraph)."""
    _check(wording, part)
    try:
        text = _ENV.from_string(getattr(wording, part)).render(
            {k: v for k, v in values.items() if k in _known(part)}
        )
    except TemplateError as exc:
        raise DomainError(
            "template_failed", path=wording.source, part=part, detail=str(exc)
        ) from exc
    paragraphs = []
    for block in _BLANK_LINE.split(text.strip()):
        joined = "".join(line.strip() for line in block.splitlines())
        if joined:
            paragraphs.append(joined)
    return paragraphs
