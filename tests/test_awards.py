"""The year's awards (rule 六) worked through by hand on a Dengkou roster, 2024 (the ruleset's
first year) and 2025, from records through the command line and the office's use cases."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from openpyxl import load_workbook

from bot.storage import Address, Store
from bot.telegram.notices import ChatNotices
from bot.usecases.liaisons import create_invite, redeem_invite, remove_liaison
from bot.usecases.office import reverse
from bot.usecases.request import Request
from bot.usecases.status import ledger_lines
from scoring.awards import disqualifying, first_with_ties
from scoring.periods import year
from scoring.ruleset import load_ruleset
from tests.conftest import Cli, write_csv

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
NOW = datetime(2026, 1, 8, 9, 0, tzinfo=timezone(timedelta(hours=8)))
# Every adoption here is a 10-point 市政府办公室微信公众号“政务要情” item: a total of 170 is 17.
ITEM = "city.wechat.main"

# Group A in roster order (equal totals list in it), with each year's total in points.
A_2024 = {
    "巴彦高勒镇": 300, "发展和改革委员会": 250, "财政局": 140, "教育局": 200, "水利局": 180,
    "统计局": 150, "渡口镇": 130, "乡村振兴局": 10, "卫生健康委员会": 30, "应急管理局": 10,
    "隆盛合镇": 100, "补隆淖镇": 90, "沙金苏木": 80,
}  # fmt: skip
A_2025_ADOPTED = {
    "巴彦高勒镇": 400, "发展和改革委员会": 300, "财政局": 200, "教育局": 260, "水利局": 120,
    "统计局": 100, "渡口镇": 100, "乡村振兴局": 90, "卫生健康委员会": 60, "应急管理局": 40,
    "隆盛合镇": 10, "补隆淖镇": 10, "沙金苏木": 10,
}  # fmt: skip
# 2025's penalties, as stored; 财政局's -50 is reversed afterwards.
A_2025_PENALTIES = [
    ("2025-03-31", "巴彦高勒镇", "quota.missed"),  # -30
    ("2025-04-30", "巴彦高勒镇", "quota.missed_again"),  # -50: two quota penalties
    ("2025-06-15", "发展和改革委员会", "commission.missed"),  # -30
    ("2025-05-31", "财政局", "quota.missed"),  # -30: one alone does not disqualify
    ("2025-06-30", "财政局", "quota.missed_again"),  # -50, reversed: does not count
    ("2025-07-10", "教育局", "error.city_endorsed"),  # -100
]
# Worked by hand: adoptions less the penalties that stand.
A_2025 = {
    "巴彦高勒镇": 400 - 30 - 50, "发展和改革委员会": 300 - 30, "财政局": 200 - 30,
    "教育局": 260 - 100, "水利局": 120, "统计局": 100, "渡口镇": 100, "乡村振兴局": 90,
    "卫生健康委员会": 60, "应急管理局": 40, "隆盛合镇": 10, "补隆淖镇": 10, "沙金苏木": 10,
}  # fmt: skip
# Group C in 2024: (first quarter, second and third, fourth quarter).
C_2024 = {
    "机关事务服务中心": (100, 300, 100),
    "磴口工业园管理办公室": (90, 300, 70),
    "气象局": (80, 300, 60),
    "磴口供电公司": (10, 0, 60),
    "城镇发展投资有限公司": (20, 0, 80),
    "文化旅游投资开发有限责任公司": (30, 0, 70),
    "乐享百湖电子商务有限责任公司": (40, 0, 0),
    "蒙晟生态能源科技发展有限责任公司": (0, 0, 0),
}
C_2024_TOTAL = {unit: sum(parts) for unit, parts in C_2024.items()}

# The 2025 bulletin, worked by hand (basis: the 2024 annual standings).
#  A 2025 ranks: 巴彦高勒镇 1 (320), 发展和改革委员会 2 (270), 财政局 3 (170), 教育局 4 (160),
#  水利局 5 (120), 统计局 6 and 渡口镇 6 (100), 乡村振兴局 8 (90), 卫生健康委员会 9 (60),
#  应急管理局 10 (40), 隆盛合镇, 补隆淖镇, 沙金苏木 11 (10).
#  A 2024 ranks: 巴彦高勒镇 1, 发展和改革委员会 2, 教育局 3, 水利局 4, 统计局 5, 财政局 6,
#  渡口镇 7, 隆盛合镇 8, 补隆淖镇 9, 沙金苏木 10, 卫生健康委员会 11, 乡村振兴局 and
#  应急管理局 12.
A_AWARDS_2025 = {
    "group": "A",
    "basis": "2024",
    # 财政局 170, 水利局 120, 统计局 100 — and 渡口镇, tied with 统计局 at 100.
    "advanced": ["财政局", "水利局", "统计局", "渡口镇"],
    # Neither disqualified nor advanced, rank risen: 乡村振兴局 by 4; 卫生健康委员会 and
    # 应急管理局 by 2 with the same gain of 30, tied at the cut-off of 2, both named.
    # 财政局 (6 to 3) and 教育局 (3 to 4, and disqualified) are not candidates.
    "improved": [
        {"unit": "乡村振兴局", "from_rank": 12, "to_rank": 8},
        {"unit": "卫生健康委员会", "from_rank": 11, "to_rank": 9},
        {"unit": "应急管理局", "from_rank": 12, "to_rank": 10},
    ],
    # The last two are 补隆淖镇 and 沙金苏木; 隆盛合镇 is tied with them at 10.
    "lowest": ["隆盛合镇", "补隆淖镇", "沙金苏木"],
    "disqualified": [
        {"unit": "巴彦高勒镇", "reasons": {"quota.missed": 1, "quota.missed_again": 1}},
        {"unit": "发展和改革委员会", "reasons": {"commission.missed": 1}},
        {"unit": "教育局", "reasons": {"error.city_endorsed": 1}},
    ],
    # Active liaisons only: 水利局's 赵敏 was removed; 巴彦高勒镇's 陈静 is not a candidate (its
    # unit is disqualified); 统计局, 渡口镇 and the others have no liaison.
    "candidates": {"财政局": ["王芳"], "水利局": ["李强"], "乡村振兴局": ["刘洋"]},
}
EMPTY_B = {
    "group": "B", "advanced": [], "improved": [], "lowest": [], "disqualified": [], "candidates": {},
}  # fmt: skip
# C in 2025 repeats its 2024 totals: the same ranks, nobody rose.
C_AWARDS_2025 = {
    "group": "C",
    "basis": "2024",
    "advanced": ["机关事务服务中心", "磴口工业园管理办公室", "气象局"],
    "improved": [],
    "lowest": ["乐享百湖电子商务有限责任公司", "蒙晟生态能源科技发展有限责任公司"],
    "disqualified": [],
    "candidates": {},
}

# The 2024 bulletin: the ruleset's first year (2023 has no ledger entries), so rises are
# measured from 2024Q1 (in force from 23 February) to 2024Q4.
#  A's 2024 adoptions all fall in May: every unit ranks 1 in both quarters, nobody rose.
A_AWARDS_2024 = {
    "group": "A",
    "basis": "2024Q1..2024Q4",
    "advanced": ["巴彦高勒镇", "发展和改革委员会", "教育局"],
    "improved": [],
    # 乡村振兴局 and 应急管理局 at 10, rank 12; 卫生健康委员会 above them has 30.
    "lowest": ["乡村振兴局", "应急管理局"],
    "disqualified": [],
    "candidates": {"巴彦高勒镇": ["陈静"]},
}
#  C: Q1 ranks 机关 1, 工业园 2, 气象局 3, 乐享 4, 文旅 5, 城投 6, 供电 7, 蒙晟 8; Q4 ranks
#  机关 1, 城投 2, 工业园 3, 文旅 3, 气象局 5, 供电 5, 乐享 7, 蒙晟 7. Annual: 机关 500,
#  工业园 460, 气象局 440 (advanced), 城投 100, 文旅 100, 供电 70, 乐享 40, 蒙晟 0.
C_AWARDS_2024 = {
    "group": "C",
    "basis": "2024Q1..2024Q4",
    "advanced": ["机关事务服务中心", "磴口工业园管理办公室", "气象局"],
    # 城投 rose 4 (6 to 2); 供电 and 文旅 rose 2 each, 供电 gaining 50 and 文旅 40: the larger
    # gain takes the second place, 文旅 is left out; 蒙晟 rose 1 (8 to 7).
    "improved": [
        {"unit": "城镇发展投资有限公司", "from_rank": 6, "to_rank": 2},
        {"unit": "磴口供电公司", "from_rank": 7, "to_rank": 5},
    ],
    "lowest": ["乐享百湖电子商务有限责任公司", "蒙晟生态能源科技发展有限责任公司"],
    "disqualified": [],
    "candidates": {},
}


def adoptions(day: str, unit: str, points: int) -> list[list[object]]:
    return [[day, unit, ITEM, points // 10, "", "", f"{unit}信息", ""]] if points else []


def records() -> list[list[object]]:
    rows: list[list[object]] = []
    for unit, points in A_2024.items():
        rows += adoptions("2024-05-10", unit, points)
    for unit, (first, middle, last) in C_2024.items():
        rows += adoptions("2024-03-10", unit, first)
        rows += adoptions("2024-06-10", unit, middle)
        rows += adoptions("2024-11-10", unit, last)
        rows += adoptions("2025-05-10", unit, first + middle + last)
    for unit, points in A_2025_ADOPTED.items():
        rows += adoptions("2025-05-12", unit, points)
    rows += [[day, unit, item, 1, "", "", "", "月度结算"] for day, unit, item in A_2025_PENALTIES]
    return rows


async def office_work(db: str) -> None:
    """What the office did in chat: a reversal and the liaisons."""
    store = await Store.open(db)
    try:
        async with store.reading() as tx:
            finance, _ = await tx.units.resolve_unit("财政局")
        (wrong,) = [
            line for line in await ledger_lines(store, finance, year(2025)) if line.points == -5000
        ]
        await reverse(
            store,
            wrong.id,
            "五月已完成报送任务，结算有误",
            Request("tg:1", NOW, 1, notices=ChatNotices(())),
        )
        update = iter(range(100, 200))
        for user, (unit, name) in enumerate(
            [("财政局", "王芳"), ("水利局", "李强"), ("水利局", "赵敏"), ("乡村振兴局", "刘洋"),
             ("巴彦高勒镇", "陈静")],
            start=501,
        ):  # fmt: skip
            invite = await create_invite(
                store,
                unit,
                Address.telegram(1),
                Request("tg:1", NOW, next(update)),
                timedelta(days=7),
            )
            await redeem_invite(
                store,
                invite.code,
                Address.telegram(user),
                name,
                "",
                Request(f"tg:{user}", NOW, next(update)),
            )
        await remove_liaison(store, Address.telegram(503), Request("tg:1", NOW, next(update)))
    finally:
        await store.close()


@pytest.fixture
def dengkou(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "磴口县人民政府办公室")
    cli.ok("init", "--ruleset", "dengkou-2024")
    roster = [[unit, "A"] for unit in A_2024] + [[unit, "C"] for unit in C_2024]
    cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], roster)))
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, records())))
    asyncio.run(office_work(cli.db))
    return cli


def bulletin_json(cli: Cli, period: str) -> dict:  # type: ignore[type-arg]
    return json.loads(cli.ok("bulletin", "--period", period, "--format", "json"))


def test_a_year_with_the_previous_year_as_basis(dengkou: Cli) -> None:
    data = bulletin_json(dengkou, "2025")
    assert data["published"] is None
    totals = {row["unit"]: row["total"] for g in data["groups"] for row in g["rows"]}
    assert totals == A_2025 | C_2024_TOTAL
    assert data["awards"] == [A_AWARDS_2025, EMPTY_B | {"basis": "2024"}, C_AWARDS_2025]


def test_a_first_year_against_its_first_quarter(dengkou: Cli) -> None:
    data = bulletin_json(dengkou, "2024")
    totals = {row["unit"]: row["total"] for g in data["groups"] for row in g["rows"]}
    assert totals == A_2024 | C_2024_TOTAL
    assert data["awards"] == [A_AWARDS_2024, EMPTY_B | {"basis": "2024Q1..2024Q4"}, C_AWARDS_2024]


def test_a_quarter_has_no_awards(dengkou: Cli) -> None:
    assert "awards" not in bulletin_json(dengkou, "2025Q2")


def test_the_awards_as_an_office_writes_them(dengkou: Cli, tmp_path: Path) -> None:
    out = tmp_path / "2025.docx"
    dengkou.ok("bulletin", "--period", "2025", "--out", str(out), "--date", "2026-01-08")
    document = docx.Document(str(out))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    start = texts.index("一、通报表扬")
    assert texts[start : texts.index("三、书面说明") + 5] == [
        "一、通报表扬",
        "根据《磴口县政务信息工作考评办法（2024）》，经综合评定，对以下单位予以通报表扬。",
        "（一）信息工作先进单位",
        "A类：财政局、水利局、统计局、渡口镇。",
        "B类：无。",
        "C类：机关事务服务中心、磴口工业园管理办公室、气象局。",
        "（二）进步较大单位",
        "A类：乡村振兴局（由2024年度第12名升至2025年度第8名）、"
        "卫生健康委员会（由2024年度第11名升至2025年度第9名）、"
        "应急管理局（由2024年度第12名升至2025年度第10名）。",
        "B类：无。",
        "C类：无。",
        "（三）先进个人",
        "每个先进单位和进步较大单位可推荐1名先进个人，候选人为各单位在册信息员：",
        "财政局：王芳。",
        "水利局：李强。",
        "乡村振兴局：刘洋。",
        "二、取消评先资格",
        "以下单位本年度因未按要求完成信息报送任务被通报1次以上、经提醒后仍无较大改变，"
        "未按时限要求报送约稿信息，或信息报送出现严重失真，取消获评资格：",
        "A类：巴彦高勒镇（未完成信息报送任务1次、经提醒后仍无较大改变1次）、"
        "发展和改革委员会（未按时完成约稿任务1次）、教育局（较大失误被市领导同志批示1次）。",
        "三、书面说明",
        "以下单位在年度中排名靠后，请单位主要负责人书面检查并说明情况：",
        "A类：隆盛合镇、补隆淖镇、沙金苏木。",
        "B类：无。",
        "C类：乐享百湖电子商务有限责任公司、蒙晟生态能源科技发展有限责任公司。",
    ]
    # Level-one headings in 黑体, level-two in 楷体.
    for text, font in (("一、通报表扬", "黑体"), ("（一）信息工作先进单位", "楷体_GB2312")):
        style = paragraphs[texts.index(text)].style.element
        assert style.rPr.rFonts.get(qn("w:eastAsia")) == font
    assert "2026年1月8日" in texts
    # dengkou-2024 lists every unit and floors totals at 0: the notes say so.
    assert "2、各组全部单位均列出，没有计分记录的为0分。" in texts
    assert "8、总分为各项得分之和，扣分后低于0分的按0分计算。" in texts

    first = tmp_path / "2024.docx"
    dengkou.ok("bulletin", "--period", "2024", "--out", str(first))
    texts = [p.text for p in docx.Document(str(first)).paragraphs]
    assert (
        "C类：城镇发展投资有限公司（由2024年第一季度第6名升至2024年第四季度第2名）、"
        "磴口供电公司（由2024年第一季度第7名升至2024年第四季度第5名）。"
    ) in texts
    assert "本年度没有取消获评资格的单位。" in texts

    sheet = tmp_path / "2025.xlsx"
    dengkou.ok("bulletin", "--period", "2025", "--format", "xlsx", "--out", str(sheet))
    workbook = load_workbook(sheet)
    assert workbook.sheetnames == ["A类", "B类", "C类", "说明", "年度评选"]
    awards = [[c.value for c in row] for row in workbook["年度评选"].iter_rows(min_row=4)]
    assert ["A类", "取消获评资格", "教育局", "较大失误被市领导同志批示1次"] in awards
    assert ["A类", "先进个人候选人", "财政局", "王芳"] in awards
    assert workbook["B类"]["A4"].value is None  # no units, no rows
    # Each sheet takes the orientation its width needs: the long company names of C类 and the
    # reasons of the awards only fit across a landscape page; A类, B类 and the notes fit upright.
    orientations = {s.title: s.page_setup.orientation for s in workbook.worksheets}
    assert orientations == {
        "A类": "portrait", "B类": "portrait", "C类": "landscape", "说明": "portrait",
        "年度评选": "landscape",
    }  # fmt: skip


def test_disqualification_names_only_the_rules_a_unit_falls_under() -> None:
    rules = load_ruleset("dengkou-2024").awards
    assert rules is not None
    # One quota penalty and a missed commission: disqualified by the commission alone.
    assert disqualifying(rules.disqualify, {"quota.missed": 1, "commission.missed": 1}) == {
        "commission.missed": 1
    }
    assert disqualifying(rules.disqualify, {"quota.missed_again": 1}) == {}
    assert disqualifying(rules.disqualify, {"quota.missed": 2}) == {"quota.missed": 2}
    assert disqualifying(rules.disqualify, {"error.region_endorsed": 1, "typo": 3}) == {
        "error.region_endorsed": 1
    }


@pytest.mark.parametrize(
    ("values", "n", "named"),
    [
        ([5, 4, 4, 3], 2, [5, 4, 4]),
        ([5, 4, 3, 3], 2, [5, 4]),
        ([5, 5, 5], 1, [5, 5, 5]),
        ([5, 4], 3, [5, 4]),
        ([5, 4], 0, []),
        ([], 2, []),
    ],
)
def test_first_with_ties(values: list[int], n: int, named: list[int]) -> None:
    assert first_with_ties(values, n, lambda v: v) == named


def test_a_disqualifying_rule_must_name_penalties() -> None:
    text = (Path(__file__).parent.parent / "scoring" / "rulesets" / "dengkou-2024.toml").read_text(
        "utf-8"
    )
    from bot.texts import domain_error_lines
    from scoring.errors import DomainError
    from scoring.ruleset import parse_ruleset

    bad = text.replace(
        'penalties = ["error.city_endorsed", "error.region_endorsed"]',
        'penalties = ["error.city_endorsed", "city.jccc"]',
    )
    with pytest.raises(DomainError) as refused:
        parse_ruleset(bad)
    assert domain_error_lines(refused.value)[1:] == [
        "（整个规则文件）：awards.disqualify 中的 city.jccc 不是扣分项"
    ]


def test_the_opening_names_the_units_penalised(dengkou: Cli, tmp_path: Path) -> None:
    out = tmp_path / "2025.docx"
    dengkou.ok("bulletin", "--period", "2025", "--out", str(out))
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    opening = texts[: texts.index("一、通报表扬")]
    (totals,) = [t for t in opening if "共采用" in t]
    # Every penalty of the year, with the units charged it: the quota, the commission, the
    # error; the second quota penalty of 财政局, reversed, is not among them.
    assert totals.endswith(
        "C类171条。巴彦高勒镇、财政局因“未完成信息报送任务（并下发提醒函）”被扣分；"
        "巴彦高勒镇因“经提醒后仍无较大改变”被扣分；发展和改革委员会因“未按时完成约稿任务”被扣分；"
        "教育局因“较大失误被市领导同志批示”被扣分。"
    )
    # A quarter names its own penalties only; one without penalties says nothing of them.
    quarter = tmp_path / "2025q2.docx"
    dengkou.ok("bulletin", "--period", "2025Q2", "--out", str(quarter))
    assert any(
        p.text.endswith(
            "财政局因“未完成信息报送任务（并下发提醒函）”被扣分；巴彦高勒镇因“经提醒后仍无较大改变”"
            "被扣分；发展和改革委员会因“未按时完成约稿任务”被扣分。"
        )
        for p in docx.Document(str(quarter)).paragraphs
    )
    dengkou.ok("bulletin", "--period", "2024Q4", "--out", str(quarter))
    assert not any("被扣分" in p.text for p in docx.Document(str(quarter)).paragraphs)


def test_a_tie_at_the_bottom_of_most_of_a_group_is_one_sentence(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "磴口县人民政府办公室")
    cli.ok("init", "--ruleset", "dengkou-2024")
    roster = [[u, "A"] for u in ("教育局", "公安局", "审计局", "财政局", "水利局")]
    roster += [[u, "B"] for u in ("气象局", "林业局", "粮食局")]
    cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], roster)))
    scored = [
        ["2024-05-06", "教育局", "city.jccc", 1, "", "", "教育调研", ""],
        ["2024-05-06", "气象局", "city.jccc", 2, "", "", "气象调研", ""],
        ["2024-05-07", "林业局", "city.jccc", 1, "", "", "林业调研", ""],
    ]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, scored)))
    out = tmp_path / "2024.docx"
    cli.ok("bulletin", "--period", "2024", "--out", str(out))
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    lowest = texts[texts.index("三、书面说明") + 2 :][:3]
    # Four of five tied at 0 (the last two named, ties included): one sentence, not a list.
    assert lowest[0] == "A类：公安局、审计局、财政局等4个单位全年得分均为0分。"
    # Two named with different totals: a plain list.
    assert lowest[1] == "B类：林业局、粮食局。"
