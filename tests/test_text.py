"""Text cleaned at the door (scoring.text): controls, direction overrides and zero-width
characters out, line breaks as spaces, names normalised and bounded, names compared as one."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from scoring.errors import DomainError
from scoring.records import clean_note, clean_title
from scoring.text import (
    MAX_NAME,
    clean_name,
    clean_text,
    name_key,
    normal_name,
    one_line,
    printable,
)


def invisible() -> frozenset[str]:
    """Every character that is a control, a format character or a line or paragraph separator:
    built when the test runs, not at import (a sweep of all of Unicode costs ~0.5 s, paid by
    every collection of the suite)."""
    return frozenset(
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp")
    )


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        # Word's line break inside a table cell is a vertical tab.
        ("关于\x0b加强信息工作的通知", "关于 加强信息工作的通知"),
        ("第一行\r\n第二行\n第三行", "第一行 第二行 第三行"),
        ("\x1b[2J\x1b[31m红色标题\x1b[0m", "[2J[31m红色标题[0m"),
        ("空\x00字符\x07响铃\x7f删除\x9b", "空字符响铃删除"),
        ("关于\u202e告报作工\u202c的通知", "关于告报作工的通知"),
        ("零\u200b宽\u200c字\u200d符\u2060\ufeff", "零宽字符"),
        ("  多个   空格\t\t之间  ", "多个 空格 之间"),
        # NFC: a decomposed é is one character; full-width punctuation stays as written.
        ("Cafe\u0301（一）", "Café（一）"),
        ("段落\u2028分隔\u2029符\x85", "段落 分隔 符"),
    ],
)
def test_titles_are_cleaned(given: str, stored: str) -> None:
    assert clean_text(given) == stored
    assert clean_title(given) == stored
    assert clean_note(given) == stored


def test_every_invisible_character_is_removed_or_a_space() -> None:
    """The list of what is removed covers every control and format character this Python
    knows, and a line or paragraph separator becomes a space."""
    every = invisible()
    text = "字".join(sorted(every))
    for cleaned in (one_line(text), clean_text(text), normal_name(text)):
        assert not [ch for ch in cleaned if ch in every]
        assert set(cleaned) <= {"字", " "}
    kept = printable(text)
    assert not [ch for ch in kept if ch in every and ch not in "\t\n\r"]
    assert "\n" in kept and "\t" in kept


def test_a_title_of_only_invisible_characters_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        clean_title("\u3164")
    assert refused.value.code == "title_invisible"
    assert clean_title("\u200b\x1b\u202e") == ""  # then refused as missing by its caller


def test_names_are_normalised_and_compared_as_one() -> None:
    assert clean_name("公\u3000安局") == "公 安局"
    assert clean_name("ＡＢＣ局（交警）") == "ABC局(交警)"
    assert clean_name("\u202e局安公\u202c\x1b") == "局安公"
    assert clean_name("卫\u200b健委") == "卫健委"
    for twin in ("公\u3000安局", "公 安局", "公安局\u200b", "\x1b公安局", "公安局\x0b"):
        assert name_key(twin) == name_key("公安局"), twin
    assert name_key("公安局") != name_key("公安分局")


def test_a_name_is_bounded() -> None:
    assert clean_name("局" * MAX_NAME) == "局" * MAX_NAME
    with pytest.raises(DomainError) as refused:
        clean_name("局" * 5_000)
    assert refused.value.code == "name_too_long"
    assert refused.value.params["length"] == 5_000 and refused.value.params["limit"] == MAX_NAME


def test_documents_keep_their_own_line_breaks() -> None:
    assert printable("标题\n第二行\t列") == "标题\n第二行\t列"
    assert printable("a\x0bb\x1bc\x00d") == "a bcd"
    assert one_line("标题\n第二行") == "标题 第二行"
