"""Upgrading never changes how a stored database scores: a database keeps the ruleset text it
was started with, also one shipped by an earlier release, until the office adopts another;
`rules show` and `init` say what the text shipped now would change."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from bot.storage.migrate import PREVIOUS_BUILTIN
from scoring.rulediff import ruleset_changes
from scoring.ruleset import builtin_ruleset_text, parse_ruleset
from tests.conftest import Cli, write_csv
from tests.stores import rows

PREVIOUS = sorted((Path(__file__).parent / "data" / "previous-rulesets").glob("*.toml"))
# The dengkou-2024 text shipped before the award disqualifications.
BEFORE_DISQUALIFY = Path(__file__).parent / "data/previous-rulesets/dengkou-2024-9c0388e40569.toml"
HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]


def test_every_earlier_text_is_known_and_still_read() -> None:
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in PREVIOUS} == set(PREVIOUS_BUILTIN)
    for path in PREVIOUS:
        ruleset = parse_ruleset(path.read_text("utf-8"))
        assert PREVIOUS_BUILTIN[hashlib.sha256(path.read_bytes()).hexdigest()] == ruleset.id


def test_the_changes_of_a_newer_text_are_named_entry_by_entry() -> None:
    changes = ruleset_changes(
        BEFORE_DISQUALIFY.read_text("utf-8"), builtin_ruleset_text("dengkou-2024")
    )
    where = {c.where: c for c in changes}
    assert where["awards.disqualify"].change == "added"
    assert where["items.city.commission.reportable"].new is False
    # The list of selections became a table of words.
    assert where["commission_selections"].old == ["city.commission", "region.commission"]
    assert (
        ruleset_changes(builtin_ruleset_text("ordos-2020"), builtin_ruleset_text("ordos-2020"))
        == []
    )


def test_an_upgrade_keeps_the_stored_method_and_its_standings(cli: Cli, tmp_path: Path) -> None:
    """A database of the release before holds the text it shipped, which had no award
    disqualifications. Opened by this release (every command opens it, migrating), it keeps that
    text, so 教育局's two quota penalties do not take its award away."""
    cli.ok("init", "--ruleset", "dengkou-2024")
    units = [["教育局", "A"], ["公安局", "A"], ["审计局", "A"], ["水利局", "A"]]
    cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], units)))
    records = [
        ["2024-03-06", "教育局", "city.wechat.main", 9, "", "", "动态", ""],
        ["2024-03-07", "公安局", "city.wechat.main", 5, "", "", "动态", ""],
        ["2024-03-08", "审计局", "city.wechat.main", 3, "", "", "动态", ""],
        ["2024-03-09", "水利局", "city.wechat.main", 1, "", "", "动态", ""],
        ["2024-11-06", "教育局", "city.wechat.main", 20, "", "", "动态", ""],
        ["2024-03-31", "教育局", "quota.missed", 1, "", "", "", "未完成"],
        ["2024-04-30", "教育局", "quota.missed_again", 1, "", "", "", "仍未完成"],
    ]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, records)))
    old = BEFORE_DISQUALIFY.read_text("utf-8")
    rows(cli.db, "UPDATE settings SET value = ? WHERE key = 'ruleset'", (old,))

    def stored() -> str:
        return str(rows(cli.db, "SELECT value FROM settings WHERE key = 'ruleset'")[0][0])

    before = cli.ok("standings", "--period", "2024")
    awards = json.loads(cli.ok("bulletin", "--period", "2024", "--format", "json"))["awards"]
    assert stored() == old
    assert awards[0]["disqualified"] == []
    assert "教育局" in awards[0]["advanced"]
    # `init` again with the same ruleset: nothing to change, the newer text's changes named.
    again = cli.ok("init", "--ruleset", "dengkou-2024")
    assert "无需变更" in again
    assert "  + awards.disqualify：" in again
    shown = cli.ok("rules", "show")
    assert "取消评先资格" not in shown.split("\n\n")[0]
    assert "本库仍按所存版本计分" in shown and "  + awards.disqualify：" in shown
    assert stored() == old
    assert cli.ok("standings", "--period", "2024") == before
    after = json.loads(cli.ok("bulletin", "--period", "2024", "--format", "json"))["awards"]
    assert after == awards


def test_a_database_on_todays_text_hears_of_no_newer_one(cli: Cli) -> None:
    cli.ok("init", "--ruleset", "ordos-2020")
    assert "本库仍按所存版本计分" not in cli.ok("rules", "show")
