"""Who is first in a group: the unit nobody is above and somebody is below. A group tied
throughout (every unit at 0 before anything is scored) has no first, and nobody is told so."""

from __future__ import annotations

import pytest

from bot.render import phone_width
from scoring.standings import Row, leads


def rows(*totals: int) -> list[Row]:
    ranks = [1 + sum(1 for other in totals if other > t) for t in totals]
    return [
        Row(r, f"单位{n}", 0, (), t, t) for n, (r, t) in enumerate(zip(ranks, totals, strict=True))
    ]


@pytest.mark.parametrize(
    ("totals", "first"),
    [
        ((0, 0, 0), [False, False, False]),
        ((18, 0, 0), [True, False, False]),
        ((18, 18, 5), [True, True, False]),  # tied at the top, with a unit below
        ((5, 5), [False, False]),
        ((0, -30), [True, False]),  # no floor: 0 is first over a penalty
        ((7,), [False]),  # alone: nobody to be ahead of
    ],
)
def test_first_only_ahead_of_someone(totals: tuple[int, ...], first: list[bool]) -> None:
    table = rows(*totals)
    assert [leads(table, n) for n in range(len(table))] == first


def test_display_width_counts_wide_and_ambiguous_characters_twice() -> None:
    assert phone_width("abc 123") == 7
    assert phone_width("决策参考") == 8
    assert phone_width("《》，。（）") == 12
    assert phone_width("▶…") == 4  # East Asian fonts draw them wide
