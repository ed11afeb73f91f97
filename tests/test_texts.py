"""Every sentence a user can see is Chinese and free of the internal vocabulary; every refusal
the code can raise has its sentence."""

from __future__ import annotations

import re
from pathlib import Path

from bot import texts

ROOT = Path(__file__).parent.parent
# Words of the code and the database that must never reach a user.
INTERNAL = re.compile(
    r"\b(pending|confirmed|rejected|submission|adoption|credit|penalty|adjustment|ledger|"
    r"record_id|unit_id|item_id|rule_id|None|True|False|Traceback|Error|error)\b"
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def user_strings() -> list[tuple[str, str]]:
    """(name, text) of every sentence in bot/texts.py, error templates included."""
    found: list[tuple[str, str]] = [(f"ERRORS[{k}]", v) for k, v in texts.ERRORS.items()]
    found += [(f"RULESET_PROBLEMS[{k}]", v) for k, v in texts.RULESET_PROBLEMS.items()]
    for name, value in vars(texts).items():
        # Not sentences: argparse's English keys, and the placeholder names a wording file uses.
        if not name.isupper() or name in (
            "ERRORS",
            "RULESET_PROBLEMS",
            "ARGPARSE",
            "TEMPLATE_PLACEHOLDERS",
        ):
            continue
        if isinstance(value, str):
            found.append((name, value))
        elif isinstance(value, dict):
            for key, item in value.items():
                shown = item[0] if isinstance(item, tuple) else item
                if isinstance(shown, str):
                    found.append((f"{name}[{key}]", shown))
        elif isinstance(value, list | tuple):
            for n, item in enumerate(value):
                shown = item[1] if isinstance(item, tuple) else item
                if isinstance(shown, str):
                    found.append((f"{name}[{n}]", shown))
    return found


def test_every_sentence_is_chinese_and_says_no_internal_word() -> None:
    strings = user_strings()
    assert len(strings) > 400
    # Symbols and single characters (a rank marker, a dash) need no Chinese.
    wordless = {"RANK_MARK", "SANDBOX_BOT", "SANDBOX_EDITED", "CHINESE_NUMBERS", "WEEKDAYS"}
    for name, text in strings:
        bare = re.sub(r"\{[^}]*\}", "", text)  # placeholders are filled with Chinese or numbers
        bare = re.sub(r"(?<![\w/])/[a-z_]+|--[a-z-]+", "", bare)  # /pending, --allow-empty
        if name not in wordless and re.search(r"[A-Za-z]{2}", bare):
            assert CJK.search(bare), (name, text)
        # The import file's help names the file format's own item id, `submission`.
        if name != "RECORDS_IMPORT_HELP":
            assert not INTERNAL.search(bare), (name, text)


def test_every_refusal_the_code_raises_has_its_sentence() -> None:
    raised = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("scoring/**/*.py")]:
        source = path.read_text("utf-8")
        raised |= set(re.findall(r'DomainError\(\s*"([a-z_]+)"', source))
        raised |= set(re.findall(r'RowProblem\(\s*\w+,\s*"([a-z_]+)"', source))
        raised |= set(re.findall(r'_invalid\(\s*"([a-z_]+)"', source))
    raised = {
        f"ruleset_{c}" if c not in texts.ERRORS and f"ruleset_{c}" in texts.RULESET_PROBLEMS else c
        for c in raised
    }
    missing = sorted(c for c in raised if c not in texts.ERRORS and c not in texts.RULESET_PROBLEMS)
    assert len(raised) > 80
    assert not missing, missing
