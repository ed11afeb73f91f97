"""Decimal points (rules.md, "Decimal points"): up to two decimals, exact as integers of
hundredths from the ruleset file and the import to the ledger and every output, shown as the
method writes them; a value that is not such a number refused with nothing stored; a database
from before hundredths upgraded with its ledger still verifying."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.errors import DomainError
from scoring.periods import quarter
from scoring.points import parse_points, show_points
from scoring.records import Record
from scoring.ruleset import parse_ruleset
from scoring.standings import UnitRef, build_standings

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
    # no decimal comma, no digits of other scripts.
    for bad in ("0.125", "1e3", "1E3", "NaN", "nan", "inf", "-Infinity", ".5", "1.", "1,5",
                "", "1 000", "٣", "0x10", "5分"):  # fmt: skip
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
