"""Rulesets as data: both built-ins load, a malformed file is refused naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.texts import domain_error_lines
from scoring.errors import DomainError
from scoring.ruleset import builtin_ruleset_text, load_ruleset, parse_ruleset
from tests.conftest import Cli


def test_ordos_ruleset_holds_the_bulletin_rules() -> None:
    r = load_ruleset("ordos-2020")
    assert [g.id for g in r.groups] == ["旗区", "市直部门", "开发区（园区）", "人民团体"]
    assert all(g.monthly_quota is None for g in r.groups)
    # Points are held in hundredths (scoring.points): 5 points are 500.
    assert {i.id: (i.label, i.points, i.column) for i in r.items} == {
        "info": ("采用信息", 500, "采用得分"),
        "policy_interpretation": ("政策解读", 5000, "在线访谈及政策解读得分"),
        "online_interview": ("在线访谈", 20000, "在线访谈及政策解读得分"),
        "typo": ("错别字", -500, "附加分"),
        "serious_error": ("严重错误", -3000, "附加分"),
        "adjustment": ("附加分", None, "附加分"),
    }
    assert [i.id for i in r.items if i.counts_as_adoption] == ["info"]
    assert [(m.id, m.points, m.allowed_on) for m in r.modifiers] == [
        ("commissioned", 1000, ["info"])
    ]
    assert r.bulletin.score_columns == ["采用得分", "约稿得分", "在线访谈及政策解读得分", "附加分"]
    assert (r.bulletin.slash_for_zero, r.bulletin.listing, r.floor) == (
        ["在线访谈及政策解读得分"],
        "scored",
        None,
    )


def test_dengkou_ruleset_holds_the_method() -> None:
    r = load_ruleset("dengkou-2024")
    assert str(r.effective_from) == "2024-02-23"
    assert (r.floor, r.bulletin.listing) == (0, "all")
    allowed = {m.id: set(m.allowed_on) for m in r.modifiers}
    assert allowed["endorse.city_leader"] == allowed["endorse.city_office_leader"] == {
        "city.zwyq.main", "city.zwyq.brief", "city.zwyq.merged", "city.jccc",
        "city.zbxx.foresight", "city.zbxx.problem", "city.zbxx.other",
    }  # fmt: skip
    assert allowed["endorse.region_leader"] == allowed["endorse.region_office_leader"] == {
        "region.mryq.frontier", "region.mryq.problem", "region.mryq.brief", "region.mryq.special",
        "region.zbxx", "region.zbxx.problem",
    }  # fmt: skip
    assert allowed["endorse.state_leader"] == {"state.adopted"}
    assert r.quota_penalties is not None and r.quota_penalties.missed == "quota.missed"
    assert r.awards is not None


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            ("points = 18", 'points = "many"'),
            "items[city.jccc].points：分值须为整数或最多两位小数的数（如 5、0.5），不加引号",
        ),
        (
            ('column = "采用得分"\ncounts', 'column = "得分"\ncounts'),
            "（整个规则文件）：items city.zwyq.main 的通报列 得分 不在 bulletin.score_columns 中",
        ),
        (('listing = "all"', 'listing = "some"'), "bulletin.listing：只能是 'scored' or 'all'"),
        (("monthly_quota = 15", "monthly_quota = 0"), "groups[A].monthly_quota：应不小于 1"),
        (
            ('allowed_on = ["state.adopted"]', 'allowed_on = ["state.nothing"]'),
            "加分项 endorse.state_leader 的 allowed_on 中 state.nothing 不是采用或加分项",
        ),
        (("points = -30", "points = 30"), "：扣分项的分值须为负数"),
        # A setting the format does not have is named unsupported, with the entry it is in;
        # a misspelling is suggested only when a supported setting is close to it.
        (
            ('kind = "credit"', 'kind = "credit"\nsize = 3'),
            "items[city.clue].size：不支持的设置项 size：规则文件格式没有这一设置",
        ),
        (
            ('kind = "credit"', 'kind = "credit"\nchat_lable = "线索"'),
            "items[city.clue].chat_lable：不支持的设置项 chat_lable（是否想写 chat_label？）",
        ),
        (
            ("floor = 0", "floor = 0\nbase_score = 10"),
            "base_score：不支持的设置项 base_score：规则文件格式没有这一设置",
        ),
        (
            ('listing = "all"', 'listing = "all"\nlsiting = "all"'),
            "bulletin.lsiting：不支持的设置项 lsiting（是否想写 listing？）",
        ),
        # A label used twice names both entries that use it.
        (
            ('label = "《决策参考》"', 'label = "《政务要情》简讯"'),
            "items/modifiers label 中 《政务要情》简讯 用了两次：items city.zwyq.brief 与 items city.jccc",
        ),
        (
            ('id = "city.jccc"', 'id = "city.zwyq.main"'),
            "items/modifiers id 中 city.zwyq.main 用了两次：items.0 与 items.3",
        ),
        # The reserved id and label say that they are reserved.
        (
            ('id = "city.jccc"', 'id = "submission"'),
            "items.3：编号 submission 是保留的（报送记录专用），请换一个编号",
        ),
        (
            ('label = "《决策参考》"', 'label = "报送"'),
            "items city.jccc：名称 报送 是保留的（报送记录专用），请换一个名称",
        ),
        (
            ("[awards]", "[awards]\nimprovd = 3"),
            "awards.improvd：不支持的设置项 improvd（是否想写 improved？）",
        ),
        # The settings of count columns, the rate, the order and values by item, checked.
        (
            (
                'listing = "all"',
                'listing = "all"\n[[bulletin.counts]]\ncolumn = "报送条数"\nitems = ["submision"]',
            ),
            "bulletin.counts 的 报送条数 中 submision 不是项目编号，也不是报送（submission）",
        ),
        (
            (
                'listing = "all"',
                'listing = "all"\n[[bulletin.counts]]\ncolumn = "总分"\nitems = ["submission"]',
            ),
            "bulletin columns 中 总分 用了两次：bulletin.counts.0 与 bulletin.total_column",
        ),
        (
            ('listing = "all"', 'listing = "all"\norder = "roster"'),
            "bulletin.order 为 roster（不排名），不能设 awards（评先须有名次）",
        ),
        (
            ('listing = "all"', 'listing = "all"\norder = "by_name"'),
            "bulletin.order：只能是 'total' or 'roster'",
        ),
        (
            (
                'allowed_on = ["state.adopted"]',
                'allowed_on = ["state.adopted"]\npoints_on = { "city.jccc" = 5 }',
            ),
            "modifiers[endorse.state_leader]：加分项 endorse.state_leader 的 points_on 中 city.jccc 不在 allowed_on 中",
        ),
        (
            (
                'allowed_on = ["state.adopted"]',
                'allowed_on = ["state.adopted"]\npoints_on = { "state.adopted" = 0 }',
            ),
            "加分项 endorse.state_leader 的 points_on 中 state.adopted 的分值须为正数",
        ),
    ],
)
def test_malformed_ruleset_is_refused_in_chinese_naming_the_field(
    change: tuple[str, str], line: str
) -> None:
    text = builtin_ruleset_text("dengkou-2024").replace(*change, 1)
    with pytest.raises(DomainError) as caught:
        parse_ruleset(text)
    lines = domain_error_lines(caught.value)
    assert lines[0] == "规则文件有 1 处错误："
    assert any(line in shown for shown in lines[1:]), lines


def test_rules_check_and_show_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    own = tmp_path / "office.toml"
    own.write_text(
        builtin_ruleset_text("ordos-2020").replace('id = "ordos-2020"', 'id = "my-office"'), "utf-8"
    )
    assert "规则文件有效：my-office" in cli.ok("rules", "check", str(own))
    broken = tmp_path / "broken.toml"
    broken.write_text("id = [", "utf-8")
    result = cli("rules", "check", str(broken))
    assert result.code == 1 and "不是有效的 TOML" in result.err
    cli.ok("init", "--ruleset", str(own))
    shown = cli.ok("rules", "show")
    assert shown.startswith("规则集 my-office")
    assert "commissioned" in shown and "+10" in shown
    assert "规则集 dengkou-2024" in cli.ok("rules", "show", "--ruleset", "dengkou-2024")


def test_rules_check_names_every_problem_and_its_entry(cli: Cli, tmp_path: Path) -> None:
    """`rules check` on a clerk's file: each refusal names the entry it is about, says what
    the format does not have, and suggests a setting only where one is close."""
    text = builtin_ruleset_text("ordos-2020")
    text = text.replace('label = "政策解读"', 'label = "采用信息"')
    text = text.replace("max_per_adoption = 1", "max_per_adoption = 1\nper_month_cap = 3")
    text = text.replace('id = "typo"', 'id = "submission"')
    text = text.replace('slash_for_zero = ["在线访谈及政策解读得分"]', "slash_for_zro = []")
    broken = tmp_path / "office.toml"
    broken.write_text(text, "utf-8")
    result = cli("rules", "check", str(broken))
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == "规则文件有 2 处错误：", lines
    assert (
        "bulletin.slash_for_zro：不支持的设置项 slash_for_zro（是否想写 slash_for_zero？）" in lines
    )
    assert (
        "modifiers[commissioned].per_month_cap：不支持的设置项 per_month_cap：规则文件格式没有这一设置"
        in lines
    )
    # Once those are fixed, the file's reserved id is named, then its label used twice.
    text = text.replace("\nper_month_cap = 3", "").replace("slash_for_zro = []", "")
    broken.write_text(text, "utf-8")
    result = cli("rules", "check", str(broken))
    assert (
        "（整个规则文件）：items.3：编号 submission 是保留的（报送记录专用），请换一个编号"
        in result.err
    )
    broken.write_text(text.replace('id = "submission"', 'id = "typo"'), "utf-8")
    result = cli("rules", "check", str(broken))
    assert (
        "items/modifiers label 中 采用信息 用了两次：items info 与 items policy_interpretation"
        in result.err
    )


def test_rules_show_describes_count_columns_and_order(cli: Cli, tmp_path: Path) -> None:
    own = tmp_path / "own.toml"
    own.write_text(
        builtin_ruleset_text("ordos-2020").replace(
            'listing = "scored"',
            'listing = "scored"\norder = "roster"\nrate_column = "采用率"\n'
            '[[bulletin.counts]]\ncolumn = "报送条数"\nitems = ["submission"]\n'
            '[[bulletin.counts]]\ncolumn = "访谈及解读条数"\n'
            'items = ["online_interview", "policy_interpretation"]',
        ),
        "utf-8",
    )
    shown = cli.ok("rules", "show", "--ruleset", str(own))
    assert "单位按名册顺序列出，不排名次" in shown
    assert "采用条数 / 报送条数 / 访谈及解读条数 / 采用率 / 采用得分" in shown
    assert "报送条数：统计 报送 的条数（已撤销的不计）" in shown
    assert "访谈及解读条数：统计 在线访谈、政策解读 的条数（已撤销的不计）" in shown
    assert "采用率：采用条数 ÷ 报送条数，保留一位小数；本期未报送的记为 —" in shown
