"""A database initialised with a built-in ruleset as shipped before is moved to today's text,
which scores everything alike and adds what the earlier text lacked."""

from __future__ import annotations

import hashlib
import sqlite3
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.storage.migrate import PREVIOUS_BUILTIN
from scoring.ruleset import builtin_ruleset_text
from tests.conftest import Cli

PREVIOUS = sorted((Path(__file__).parent / "data" / "previous-rulesets").glob("*.toml"))


def scored(text: str) -> dict[str, Any]:
    """What decides a number: items, modifiers' points, groups' quotas, columns, the floor."""
    data = tomllib.loads(text)
    return {
        "items": {(i["id"], i["kind"], i.get("points"), i["column"]) for i in data["items"]},
        "modifiers": {(m["id"], m["points"], m["column"]) for m in data.get("modifiers", [])},
        "groups": [(g["id"], g.get("monthly_quota")) for g in data["groups"]],
        "columns": data["bulletin"]["score_columns"],
        "floor": data.get("floor"),
    }


def test_every_earlier_text_is_known_and_scores_alike() -> None:
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in PREVIOUS} == set(PREVIOUS_BUILTIN)
    for path in PREVIOUS:
        old = path.read_text("utf-8")
        ruleset_id = PREVIOUS_BUILTIN[hashlib.sha256(old.encode()).hexdigest()]
        assert scored(old) == scored(builtin_ruleset_text(ruleset_id)), path.name


# SQLite only: the move to today's text is a step of the SQLite migrations; a PostgreSQL
# database is newer than every earlier text.
@pytest.mark.stores("sqlite")
@pytest.mark.parametrize("path", PREVIOUS, ids=lambda p: p.name)
def test_a_database_with_an_earlier_text_gets_todays(cli: Cli, path: Path) -> None:
    cli.ok("init", "--ruleset", "ordos-2020" if "ordos" in path.name else "dengkou-2024")
    with sqlite3.connect(cli.db) as db:
        db.execute(
            "UPDATE settings SET value = ? WHERE key = 'ruleset'", (path.read_text("utf-8"),)
        )
    shown = cli.ok("rules", "show")
    if "dengkou" in path.name:
        assert "取消评先资格" in shown  # the award rules the earlier text lacked
    else:
        (commissioned,) = [line for line in shown.splitlines() if "commissioned" in line]
        assert "不限" not in commissioned and " 1 " in commissioned  # max_per_adoption
    assert "无需变更" in cli.ok(
        "init", "--ruleset", "ordos-2020" if "ordos" in path.name else "dengkou-2024"
    )
