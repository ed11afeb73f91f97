"""The Dengkou method as an office might reissue it from 1 May 2024, for the tests of methods
over time: 《政务要情》重要信息 worth 8 instead of 6, a new adoption item (短视频, 7) in a new
column (视频得分), 落实领导批示并及时反馈 counted under 批示加分 instead of 其他加分, group B's monthly quota lowered from 8 to 5 and a first missed quota costing
20 instead of 30, one advanced unit named per group instead of three. Everything else as
the method of 2024."""

from __future__ import annotations

from pathlib import Path

from scoring.ruleset import builtin_ruleset_text

REISSUED_FROM = "2024-05-01"


def reissued_text() -> str:
    text = builtin_ruleset_text("dengkou-2024")
    for old, new in [
        ('id = "dengkou-2024"', 'id = "dengkou-2024-05"'),
        ("（2024）", "（2024年5月修订）"),
        ("effective_from = 2024-02-23", f"effective_from = {REISSUED_FROM}"),
        ('"采用得分", "批示加分"', '"采用得分", "视频得分", "批示加分"'),
        ('chat_label = "《政务要情》重要信息"\nkind = "adoption"\npoints = 6',
         'chat_label = "《政务要情》重要信息"\nkind = "adoption"\npoints = 8'),
        ('label = "B类"\nmonthly_quota = 8', 'label = "B类"\nmonthly_quota = 5'),
        ("advanced = 3", "advanced = 1"),
        ('kind = "credit"\npoints = 20\ncolumn = "其他加分"', 'kind = "credit"\npoints = 20\ncolumn = "批示加分"'),
    ]:  # fmt: skip
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    missed = 'id = "quota.missed"\n'
    at = text.index(missed)
    points = text.index("points = -30", at)
    text = text[:points] + "points = -20" + text[points + len("points = -30") :]
    return text + (
        '\n[[items]]\nid = "city.video"\nlabel = "短视频"\nkind = "adoption"\npoints = 7\n'
        'column = "视频得分"\ncounts_as_adoption = true\n'
    )


def write_reissued(folder: Path) -> Path:
    path = folder / "dengkou-2024-05.toml"
    path.write_text(reissued_text(), encoding="utf-8")
    return path
