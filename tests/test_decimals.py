"""Decimal points (rules.md, "Decimal points"): up to two decimals, exact as integers of
hundredths from the ruleset file and the import to the ledger and every output, shown as the
method writes them; a value that is not such a number refused with nothing stored; a database
from before hundredths upgraded with its ledger still verifying."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.errors import DomainError
from scoring.periods import quarter
from scoring.points import parse_points, show_points
from scoring.records import Record
from scoring.ruleset import parse_ruleset
from scoring.standings import UnitRef, build_standings
from tests.chat import ADMIN, LIAISON, running_bot
from tests.conftest import Cli, write_csv
from tests.rewind import rewind
from tests.stores import rows
from tests.test_verify import build_office, tamper

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]

# An office's method written with decimals: half a point for a brief, 2.25 for a report, 1.5
# more for a leader's endorsement of a report, 0.25 off for a typo.
DECIMAL_RULESET = """
id = "decimal-test"
name = "小数分值测试办法"
floor = -0.5

[[groups]]
id = "A"

[[items]]
id = "brief"
label = "简讯"
kind = "adoption"
points = 0.5
column = "采用得分"
counts_as_adoption = true

[[items]]
id = "report"
label = "专报"
kind = "adoption"
points = 2.25
column = "采用得分"
counts_as_adoption = true

[[items]]
id = "typo"
label = "错别字"
kind = "penalty"
points = -0.25
column = "调整分"

[[items]]
id = "adjustment"
label = "调整"
kind = "adjustment"
column = "调整分"

[[modifiers]]
id = "endorse"
label = "领导批示"
points = 1.5
column = "批示得分"
allowed_on = ["report"]

[bulletin]
score_columns = ["采用得分", "批示得分", "调整分"]
listing = "all"
"""


def test_points_are_read_as_methods_write_them_and_shown_so() -> None:
    read = {
        "5": 500, "0.5": 50, "135.4": 13540, "135.40": 13540, "-0.25": -25, "+12": 1200,
        " 3 ": 300, "0": 0,
        # Full-width digits, point and signs, as a Chinese input method types them: one
        # number only, read as names are (NFKC).
        "１.５": 150, "－３": -300, "＋0.5": 50,
    }  # fmt: skip
    assert {text: parse_points(text) for text in read} == read
    # A third decimal is never rounded away; no exponent, no NaN or infinity, no bare point,
    # no decimal comma, no digits of other scripts, no superscript or circled digits.
    for bad in ("0.125", "1e3", "1E3", "NaN", "nan", "inf", "-Infinity", ".5", "1.", "1,5",
                "", "1 000", "٣", "0x10", "5分", "²", "①", "2²"):  # fmt: skip
        assert parse_points(bad) is None, bad
    shown = {500: "5", 13540: "135.4", 50: "0.5", -25: "-0.25", 0: "0", 101: "1.01"}
    assert {value: show_points(value) for value in shown} == shown
    assert [show_points(v, signed=True) for v in (1200, 50, -25, 0)] == [
        "+12",
        "+0.5",
        "-0.25",
        "0",
    ]


def _ruleset_refusal(points: str) -> list[tuple[str, str]]:
    try:
        parse_ruleset(DECIMAL_RULESET.replace("points = 2.25", f"points = {points}"))
    except DomainError as exc:
        return [(p.field, p.code) for p in exc.problems]  # type: ignore[attr-defined]
    return []


def test_a_ruleset_holds_decimals_exactly_and_refuses_a_third_decimal() -> None:
    ruleset = parse_ruleset(DECIMAL_RULESET)
    assert [(i.id, i.points) for i in ruleset.items] == [
        ("brief", 50), ("report", 225), ("typo", -25), ("adjustment", None),
    ]  # fmt: skip
    assert (ruleset.modifiers[0].points, ruleset.floor) == (150, -50)
    assert _ruleset_refusal("2.125") == [("items[report].points", "ruleset_points_decimals")]
    # TOML's own non-numbers are numbers to TOML but not points.
    assert _ruleset_refusal("nan") == [("items[report].points", "ruleset_points_decimals")]
    assert _ruleset_refusal("0.1") == []


def _decimal_text(value: Fraction) -> str:
    """A sum of hundredths written as a decimal, as the method would write it."""
    text = f"{Decimal(value.numerator) / value.denominator:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@settings(max_examples=2, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_decimals_sum_exactly_over_100000_entries(seed: int) -> None:
    """100,000 entries (items, endorsements and penalties of a method with decimals, and
    adjustments typed with up to two decimals) sum to exactly what fractions.Fraction makes of
    the numbers as written. Each kind of record is scored once (scoring is a function of the
    record); the adjustments are each read from their text."""
    ruleset = parse_ruleset(DECIMAL_RULESET)
    rng = random.Random(seed)
    day = date(2024, 5, 6)
    kinds = [
        (Record("甲", day, "brief"), Fraction("0.5")),
        (Record("甲", day, "report"), Fraction("2.25")),
        (Record("甲", day, "report", modifiers=(("endorse", 2),)), Fraction("2.25") + 3),
        (Record("甲", day, "typo"), Fraction("-0.25")),
    ]
    scored = [(score(ruleset, record).points, value) for record, value in kinds]
    total, exact = 0, Fraction(0)
    for _ in range(100_000):
        if rng.random() < 0.5:
            points, value = rng.choice(scored)
        else:
            sign, whole, cents = rng.choice((1, -1)), rng.randrange(100_000), rng.randrange(100)
            # Written as a clerk would: 12, +12, 12.3, 12.30, 12.05, -7.5 ...
            written = rng.choice(("", f".{cents:02d}", f".{cents // 10}"))
            cents = 0 if not written else cents if len(written) == 3 else cents // 10 * 10
            text = f"{'-' if sign < 0 else rng.choice(('', '+'))}{whole}{written}"
            points, value = parse_points(text), Fraction(sign * (whole * 100 + cents), 100)
            assert points is not None
        total += points
        exact += value
    assert Fraction(total, 100) == exact
    assert show_points(total) == _decimal_text(exact)


def test_rankings_compare_points_exactly() -> None:
    ruleset = parse_ruleset(DECIMAL_RULESET)
    units = [UnitRef(n, name, "A") for n, name in enumerate(["甲", "乙", "丙", "丁"], start=1)]
    # Scores (采用得分, 批示得分, 调整分) in hundredths: totals 135.4, 135.39, 135.4, -0.75.
    totals = {
        1: (1, 3, 0, 0, 13540, 0, 0),
        2: (2, 3, 0, 0, 13500, 39, 0),
        3: (3, 3, 0, 0, 13000, 550, -10),
        4: (4, 1, 0, 0, 0, 0, -75),
    }
    table = build_standings(ruleset, quarter(2024, 2), units, totals, {})
    rows_ = table.groups[0].rows
    assert [(r.rank, r.unit, r.total, r.raw_total) for r in rows_] == [
        (1, "甲", 13540, 13540), (1, "丙", 13540, 13540), (3, "乙", 13539, 13539),
        (4, "丁", -50, -75),
    ]  # fmt: skip
    shown = table.to_json()["groups"][0]["rows"]
    assert [(r["total"], r["raw_total"], r["columns"]["调整分"]) for r in shown] == [
        (135.4, 135.4, 0), (135.4, 135.4, -0.1), (135.39, 135.39, 0), (-0.5, -0.75, -0.75),
    ]  # fmt: skip


RECORDS = [
    ["2024-05-06", "甲局", "brief", 3, "", "", "简讯一", ""],
    ["2024-05-07", "甲局", "专报", 1, "", "领导批示", "专报一", ""],
    ["2024-05-08", "乙局", "adjustment", 1, "-0.25", "", "", "更正"],
    ["2024-05-09", "乙局", "report", 1, "", "", "专报二", ""],
    ["2024-05-10", "丙局", "typo", 1, "", "", "", ""],
    ["2024-05-11", "丙局", "调整", 1, "－0.5", "", "", "迟报"],
]


def _decimal_office(cli: Cli, tmp_path: Path) -> Cli:
    method = tmp_path / "decimal.toml"
    method.write_text(DECIMAL_RULESET, "utf-8")
    cli.ok("init", "--ruleset", str(method))
    roster = [["甲局", "A"], ["乙局", "A"], ["丙局", "A"]]
    cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], roster)))
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, RECORDS)))
    return cli


def test_a_method_with_decimals_end_to_end(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Import, standings (text, JSON, CSV), the bulletin (JSON, DOCX with its notes) and
    `rules show` of a method written with 0.5, 2.25, 1.5 and -0.25 points, on both stores."""
    office = _decimal_office(cli, tmp_path)
    data = json.loads(office.ok("standings", "--period", "2024-05", "--format", "json"))
    built = [
        (r["rank"], r["unit"], r["adoption_count"], r["columns"], r["raw_total"], r["total"])
        for r in data["groups"][0]["rows"]
    ]
    assert built == [
        (1, "甲局", 4, {"采用得分": 3.75, "批示得分": 1.5, "调整分": 0}, 5.25, 5.25),
        (2, "乙局", 1, {"采用得分": 2.25, "批示得分": 0, "调整分": -0.25}, 2, 2),
        # Floored at -0.5: the raw total stays exact beside it.
        (3, "丙局", 0, {"采用得分": 0, "批示得分": 0, "调整分": -0.75}, -0.75, -0.5),
    ]
    text = office.ok("standings", "--period", "2024-05").splitlines()
    assert [line.split() for line in text if line.startswith(("1 ", "2 ", "3 "))] == [
        ["1", "甲局", "4", "3.75", "1.5", "0", "5.25", "5.25"],
        ["2", "乙局", "1", "2.25", "0", "-0.25", "2", "2"],
        ["3", "丙局", "0", "0", "0", "-0.75", "-0.5", "-0.75"],
    ]
    table = list(
        csv.reader(
            io.StringIO(
                office.ok("standings", "--period", "2024-05", "--format", "csv").lstrip("\ufeff")
            )
        )
    )
    assert table[3][3:] == ["0", "0", "0", "-0.75", "-0.5", "-0.75"]
    bulletin = json.loads(office.ok("bulletin", "--period", "2024-05", "--format", "json"))
    assert bulletin["groups"] == data["groups"]
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "某县人民政府办公室")
    out = tmp_path / "bulletin.docx"
    office.ok("bulletin", "--period", "2024-05", "--format", "docx", "--out", str(out))
    document = docx.Document(str(out))
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert cells[1] == ["1", "甲局", "4", "3.75", "1.5", "0", "5.25"]
    notes = "\n".join(p.text for p in document.paragraphs)
    assert "简讯每条0.5分" in notes and "专报每条2.25分" in notes
    assert "领导批示加1.5分" in notes and "错别字扣0.25分" in notes
    assert "低于-0.5分的按-0.5分计算" in notes
    rules = office.ok("rules", "show")
    assert "总分下限：-0.5" in rules and "+1.5" in rules and "2.25" in rules


def test_bad_points_are_refused_whole_with_nothing_stored(cli: Cli, tmp_path: Path) -> None:
    office = _decimal_office(cli, tmp_path)
    before = office.ok("standings", "--period", "2024-05", "--format", "json")
    bad = [
        ["2024-05-20", "甲局", "adjustment", 1, value, "", "", "试"]
        for value in ("0.125", "1e3", "NaN", "１.５", "1,5")
    ]
    result = office("records", "import", str(write_csv(tmp_path / "bad.csv", HEADER, bad)))
    assert result.code != 0
    said = result.err + result.out
    # Line 5 (full-width １.５) is a number as the method writes it: only the others are named.
    for line, value in ((2, "0.125"), (3, "1e3"), (4, "NaN"), (6, "1,5")):
        assert f"第 {line} 行" in said and f"分值 {value} 无法识别" in said, (line, said)
    assert "第 5 行" not in said
    assert office.ok("standings", "--period", "2024-05", "--format", "json") == before


async def test_an_adjustment_of_a_quarter_point_in_chat(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        adjusted = (await chat.ask(ADMIN, "/adjust 公安局 -0.25 报送格式不规范")).text
        assert "分值：-0.25" in adjusted.splitlines()
        told = await chat.server.wait_for(lambda m: "-0.25" in m.text, chat_id=LIAISON)
        assert "报送格式不规范" in told.text
        for bad in ("0.125", "1e3", "NaN"):
            refusal = (await chat.ask(ADMIN, f"/adjust 公安局 {bad} 试")).text
            assert refusal.startswith(f"分值 {bad} 无法识别"), refusal
        # Only the one adjustment stored, in hundredths.
        assert rows(chat.db(), "SELECT points FROM ledger") == [(-25,)]
        why = (await chat.ask(LIAISON, "/why")).text
        assert "-0.25" in why and "合计 -0.25 分" in why
        me = (await chat.ask(LIAISON, "/me")).text
        # dengkou-2024 floors a total at 0: the raw total is shown exactly beside it.
        assert "原始分 -0.25（总分最低为 0）" in me


def test_a_database_from_before_hundredths_is_upgraded_and_still_verifies(
    cli: Cli, tmp_path: Path
) -> None:
    """A database as the release before wrote it (whole points, its schema one migration
    short) opened by this one: points become hundredths, standings are what they were, and
    every line of the hash chain still verifies; a decimal added after verifies too."""
    office = build_office(cli, tmp_path)
    before = office.ok("standings", "--period", "2024Q2", "--format", "json")
    sums = ("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7")
    whole = ", ".join(f"{c} = {c} / 100" for c in sums)
    for table, statement in (
        ("ledger", "UPDATE ledger SET points = points / 100"),
        ("records", "UPDATE records SET points = points / 100 WHERE points IS NOT NULL"),
        ("ledger_months", f"UPDATE ledger_months SET {whole}"),
        ("ledger_quarters", f"UPDATE ledger_quarters SET {whole}"),
    ):
        tamper(office.db, table, statement)
    rewind(office.db, "hundredths", undone=True)
    assert rows(office.db, "SELECT SUM(points) FROM ledger") == [(18 + 12 + 12 - 100,)]
    assert office.ok("verify").startswith("核验通过")
    assert rows(office.db, "SELECT SUM(points) FROM ledger") == [((18 + 12 + 12 - 100) * 100,)]
    assert office.ok("standings", "--period", "2024Q2", "--format", "json") == before
    more = [["2024-06-05", "审计局", "adjustment", 1, "-0.25", "", "", "更正"]]
    office.ok("records", "import", str(write_csv(tmp_path / "more.csv", HEADER, more)))
    assert office.ok("verify").startswith("核验通过")
    data = json.loads(office.ok("standings", "--period", "2024Q2", "--format", "json"))
    audit = next(r for g in data["groups"] for r in g["rows"] if r["unit"] == "审计局")
    assert audit["total"] == 11.75
