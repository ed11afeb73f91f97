"""Text from people and files, cleaned once where it enters, and made safe again where it leaves.

What a person pastes or a file holds can carry characters that show nothing but break what is
made of them: control characters (Word's line break inside a table cell is a vertical tab, ESC
starts a terminal escape sequence, NUL and most C0 controls are illegal in XLSX and DOCX),
direction overrides (a name that reads otherwise than it is stored), zero-width characters (two
names that look the same and are not), and lengths no one types. At the door:

- a title or a note (`clean_text`): every control character and line break becomes a space,
  format characters (direction marks and overrides, zero-width characters, the BOM) are
  removed, runs of spaces become one, the ends are trimmed, and it is normalised to NFC (the
  form it had, full-width punctuation kept);
- a name (`clean_name`): the same, then NFKC (full-width letters, digits and the ideographic
  space as their plain forms), at most MAX_NAME characters; `name_key` is how two names are
  compared, so that `公\u3000安局` is found to be a second `公安局`.

On the way out (`printable`, `one_line`), the same characters are removed again from whatever
is written, as a last guard: a database made before the door cleaned holds such text still.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from scoring.errors import DomainError
from scoring.names import fold

# A unit's name or alias: the longest real ones (a county's bureau with its full title) are
# some twenty characters.
MAX_NAME = 60

# Line breaks and every other control character that separates words: a space.
_BREAKS = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f\x85\u2028\u2029]")
# A document keeps tab, line feed and carriage return (XML allows them; a CSV quotes them).
_BREAKS_IN_DOCUMENT = re.compile("[\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")
# Every other C0 and C1 control and DEL; the format characters (Unicode category Cf: the soft
# hyphen, direction marks, embeddings, overrides and isolates, zero-width space and joiners, the
# word joiner and invisible operators, the BOM, interlinear annotations, tags); lone surrogates;
# and the two noncharacters XML refuses. tests/test_text.py checks the list against every Cf
# character Python knows.
_REMOVED = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)
_SPACES = re.compile(r"\s+")


def one_line(text: str) -> str:
    """`text` with no control or format character: each line break or control that separates
    words a space, the others removed. Nothing is trimmed or normalised: for output."""
    return _BREAKS.sub(" ", _REMOVED.sub("", text))


def printable(text: str) -> str:
    """`text` as a document may hold it: tabs and line breaks kept, every other control and
    format character removed (a vertical tab or a form feed a space)."""
    return _BREAKS_IN_DOCUMENT.sub(" ", _REMOVED.sub("", text))


def one_line_json(value: Any) -> Any:
    """Every text of a JSON value (keys too) through one_line."""
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, dict):
        return {one_line_json(key): one_line_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [one_line_json(item) for item in value]
    return value


def clean_text(text: str) -> str:
    """A title, a note or a reason as stored: one line, spaces collapsed, trimmed, NFC."""
    # Most cells of a large file are clean already: isprintable() is false for every control,
    # format, line and paragraph separator and space but " ".
    if (
        text.isprintable()
        and text == text.strip()
        and "  " not in text
        and unicodedata.is_normalized("NFC", text)
    ):
        return text
    return unicodedata.normalize("NFC", _SPACES.sub(" ", one_line(text)).strip())


def normal_name(text: str) -> str:
    """A name in its one form: one line, NFKC, spaces collapsed, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", one_line(text))).strip()


def clean_name(text: str) -> str:
    """A unit's name or alias as stored: its normal form (normal_name), at most MAX_NAME
    characters (DomainError `name_too_long` otherwise)."""
    name = normal_name(text)
    if len(name) > MAX_NAME:
        raise DomainError("name_too_long", name=name[:20], length=len(name), limit=MAX_NAME)
    return name


def name_key(text: str) -> str:
    """How two names are compared: after cleaning, width, case, spaces, quotes and bracket
    styles ignored (scoring.names.fold). Two units whose names share a key are one name."""
    return fold(_SPACES.sub("", one_line(text)))
