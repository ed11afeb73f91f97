"""One reading of names for files and chat: ids in any case, labels in any width, with or without
their quotes and bracketed remarks, or a part only one label has; ambiguity refused, numbered."""

from __future__ import annotations

import pytest

from bot import texts
from bot.chatinput import find_item, find_reportable
from scoring.errors import DomainError
from scoring.names import split_list, suggest
from scoring.records import resolve_item, resolve_modifier
from scoring.ruleset import load_ruleset

DENGKOU = load_ruleset("dengkou-2024")
ORDOS = load_ruleset("ordos-2020")


@pytest.mark.parametrize(
    ("written", "item_id"),
    [
        ("city.jccc", "city.jccc"),
        ("CITY.JCCC", "city.jccc"),
        ("《决策参考》", "city.jccc"),
        ("决策参考", "city.jccc"),
        ("“决策参考”", "city.jccc"),
        ("《政务要情》 简讯", "city.zwyq.brief"),
        ("〈政务要情〉简讯", "city.zwyq.brief"),
        ('市政府办公室微信公众号"政务要情"', "city.wechat.main"),
        ("市政府办公室微信公众号「政务要情」", "city.wechat.main"),
        ("配合承办自治区政府办公厅专项调研（每次）", "region.research_hosted"),
        ("配合承办自治区政府办公厅专项调研(每次)", "region.research_hosted"),
        ("配合承办自治区政府办公厅专项调研", "region.research_hosted"),
        ("配合承办自治区政府办公厅专项调研【每次】", "region.research_hosted"),
        ("自治区《专报信息》", "region.zbxx"),  # the whole label, though a part of another
        ("调整", "adjustment"),
        ("未完成信息报送任务", "quota.missed"),
        ("ＣＩＴＹ．ＪＣＣＣ", "city.jccc"),  # full-width
    ],
)
def test_an_item_by_every_name_an_office_writes(written: str, item_id: str) -> None:
    item = resolve_item(DENGKOU, written)
    assert item is not None and item.id == item_id


@pytest.mark.parametrize("written", ["报送", "submission", "SUBMISSION", " 报送 "])
def test_a_submission(written: str) -> None:
    assert resolve_item(DENGKOU, written) is None


def test_an_ambiguous_name_is_refused_with_numbered_candidates() -> None:
    with pytest.raises(DomainError) as refused:
        resolve_item(DENGKOU, "专报信息")
    err = refused.value
    assert err.code == "item_ambiguous"
    assert [c[0] for c in err.params["candidates"]] == [
        "city.zbxx.foresight",
        "city.zbxx.problem",
        "city.zbxx.other",
        "region.zbxx",
        "region.zbxx.problem",
    ]
    assert texts.error_text(err.code, err.params) == (
        "项目 专报信息 不明确，可能是：1. 《专报信息》前瞻性、预警性（city.zbxx.foresight）；"
        "2. 《专报信息》问题类（city.zbxx.problem）；3. 《专报信息》非问题类（city.zbxx.other）；"
        "4. 自治区《专报信息》（region.zbxx）；5. 自治区《专报信息》问题类（region.zbxx.problem）。"
        "请写完整名称或编号"
    )


def test_unknown_names() -> None:
    for text in ("city.unknown", "不存在的刊物"):
        with pytest.raises(DomainError) as refused:
            resolve_item(DENGKOU, text)
        assert refused.value.code == "item_unknown"
    with pytest.raises(DomainError) as refused:
        resolve_item(DENGKOU, "  ")
    assert refused.value.code == "item_missing"


def test_modifiers_and_groups_are_read_alike() -> None:
    assert resolve_modifier(DENGKOU, "市领导同志批示").id == "endorse.city_leader"
    assert resolve_modifier(DENGKOU, "ENDORSE.CITY_LEADER").id == "endorse.city_leader"
    assert resolve_modifier(DENGKOU, "自治区领导").id == "endorse.region_leader"
    with pytest.raises(DomainError) as refused:
        resolve_modifier(DENGKOU, "领导同志批示")
    assert refused.value.code == "modifier_ambiguous"
    assert "1. 市领导同志批示（endorse.city_leader）" in texts.error_text(
        refused.value.code, refused.value.params
    )
    assert resolve_modifier(ORDOS, "约稿").id == "commissioned"
    assert DENGKOU.find_group("a").id == "A"
    assert DENGKOU.find_group("Ａ类").id == "A"
    assert ORDOS.find_group("开发区").id == "开发区（园区）"
    assert ORDOS.find_group("开发区(园区)").id == "开发区（园区）"
    with pytest.raises(DomainError) as refused:
        DENGKOU.find_group("D")
    assert texts.error_text(refused.value.code, refused.value.params) == (
        "未知的分组 D（可用：A类、B类、C类）"
    )


def test_chat_reads_items_with_the_same_function() -> None:
    assert find_item(DENGKOU, "决策参考").id == "city.jccc"
    assert find_item(DENGKOU, "配合承办自治区政府办公厅专项调研").id == "region.research_hosted"
    with pytest.raises(DomainError) as refused:
        find_item(DENGKOU, "专报信息")
    assert refused.value.code == "item_ambiguous"
    # Penalties are not a liaison's to report, by whatever name.
    with pytest.raises(DomainError) as refused:
        find_item(DENGKOU, "未完成信息报送任务")
    assert refused.value.code == "item_not_reportable"


@pytest.mark.parametrize(
    ("written", "near"),
    [
        ("决测参考", ["city.jccc"]),
        ("政务要清简讯", ["city.zwyq.brief"]),
        ("每日要清特刊", ["region.mryq.special"]),
        ("专报新息", ["city.zbxx.foresight", "city.zbxx.problem", "city.zbxx.other", "region.zbxx",
                      "region.zbxx.problem"]),
        ("天气预报", []),
        ("x", []),
    ],
)  # fmt: skip
def test_a_mistyped_name_is_near_the_items_it_resembles(written: str, near: list[str]) -> None:
    assert [o.id for o in suggest(written, DENGKOU.reportable_item_names)] == near
    with pytest.raises(DomainError) as refused:
        find_item(DENGKOU, written)
    assert refused.value.code == "item_unknown"
    assert refused.value.params["suggestions"] == near


def test_a_part_of_a_label_is_found_but_not_whole() -> None:
    part = find_reportable(DENGKOU, "批示")
    assert part.value.id == "feedback.instruction" and not part.exact
    for whole in ("决策参考", "city.jccc", "配合承办自治区政府办公厅专项调研"):
        assert find_reportable(DENGKOU, whole).exact, whole


@pytest.mark.parametrize(
    "written",
    [
        "卫健委;市卫健委",
        "卫健委；市卫健委",
        "卫健委、市卫健委",
        "卫健委, 市卫健委",
        "卫健委，市卫健委",
    ],
)
def test_lists_in_one_cell(written: str) -> None:
    assert split_list(written) == ["卫健委", "市卫健委"]


def test_title_keys_keep_letters_and_numbers() -> None:
    """title_key drops what is not a letter or a number with one regular expression: the same
    as testing each character's Unicode category, here over the Basic Multilingual Plane."""
    import unicodedata

    from scoring.records import title_key

    text = "".join(chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF)
    folded = unicodedata.normalize("NFKC", text).casefold()
    assert title_key(text) == "".join(c for c in folded if unicodedata.category(c)[0] in "LN")
    assert title_key("冬季 安全会议！") == title_key("冬季安全会议") == "冬季安全会议"
