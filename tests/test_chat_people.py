"""Chat as people use it: hints instead of silence, help and menus that fit the ruleset, items
only the office records kept out of the report menu, an invite that asks before moving a
liaison, and a commission that says which targets nobody will hear about it."""

from __future__ import annotations

import pytest

from bot.storage import Address
from bot.telegram.handlers.common import STORE
from bot.usecases import links
from scoring.errors import DomainError
from tests.chat import ADMIN, LIAISON, SECOND, flat, prepare_db, running_bot
from tests.jobs import at, clock, idle
from tests.stores import rows


async def test_what_the_bot_does_not_understand_gets_a_hint(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        assert "没有看懂" in (await chat.ask(LIAISON, "你好，请问怎么报送？")).text
        assert "后面要空一格" in (await chat.ask(LIAISON, "采用决策参考关于沙漠治理的调研")).text
        assert "不认识的命令 /foo" in (await chat.ask(LIAISON, "/foo bar")).text
        chat.server.send_document(LIAISON, "材料.docx", b"docx")
        assert "没有说明用途" in (await chat.reply(LIAISON)).text
        assert rows(chat.db(), "SELECT COUNT(*) FROM records") == [(0,)]


async def test_help_and_menus_show_what_the_ruleset_supports(database: str) -> None:
    await prepare_db(database, "ordos-2020", [["准格尔旗", "旗区", ""]])
    async with running_bot(database, ruleset="ordos-2020") as chat:
        await chat.join(LIAISON, "准格尔旗")
        liaison_help = (await chat.ask(LIAISON, "/help")).text
        admin_help = (await chat.ask(ADMIN, "/help")).text
        menus = [
            c["command"]
            for scope in ({"type": "all_private_chats"}, {"type": "chat", "chat_id": ADMIN})
            for c in chat.server.commands_for(scope) or []
        ]
    assert "报送任务" not in liaison_help and "报送进度" not in liaison_help
    assert "约稿" not in liaison_help and "约稿" not in admin_help
    assert "/submit <标题> [日期] — 记录一条报送" in flat(liaison_help)
    assert not {"commission", "commissions", "select"} & set(menus)
    assert {"pending", "approve", "reject", "lock"} <= set(menus)


async def test_dengkou_help_keeps_quota_and_commissions(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        liaison_help = (await chat.ask(LIAISON, "/help")).text
    assert "计入每月报送任务" in liaison_help and "/commissions" in liaison_help


async def test_office_only_items_are_not_offered_and_short_labels_are_used(
    database: str,
) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "市政府办公室采用")
        call = await chat.server.wait_for_call("editMessageReplyMarkup")
        offered = str(call.params)
        assert "约稿被市政府办公室选用" not in offered and "city.commission" not in offered
        assert "舆情社情（市采用）（15）" in offered
        await chat.ask(LIAISON, "/cancel")
        refused = await chat.ask(LIAISON, "采用 city.commission 一篇约稿 今天")
        assert "不能由信息员申报" in refused.text
        summary = await chat.ask(LIAISON, "采用 自治区调研跟进 自治区领导调研后的报送 今天")
        assert "项目：自治区调研跟进" in summary.text and "合计 50 分" in summary.text


async def test_an_invite_asks_before_moving_a_liaison_and_tells_the_admins(
    database: str,
) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        link = (await chat.ask(ADMIN, "/invite 审计局")).text
        code = link.rsplit("start=", 1)[1].strip()
        asked = await chat.ask(LIAISON, f"/start {code}")
        assert "你现在是 公安局 的信息员" in asked.text and "改为 审计局" in asked.text
        await chat.press(LIAISON, asked, "取消")
        await chat.edited(asked, "没有改变")
        assert rows(chat.db(), "SELECT unit_id FROM liaisons") == [(2,)]
        again = await chat.ask(LIAISON, f"/start {code}")
        await chat.press(LIAISON, again, "✅ 改为 审计局 的信息员")
        await chat.edited(again, "绑定成功")
        assert rows(chat.db(), "SELECT unit_id FROM liaisons") == [(3,)]
        told = await chat.server.wait_for(lambda m: "通过邀请链接" in m.text, chat_id=ADMIN)
        assert "从 公安局 改为 审计局" in told.text
        # The invite is spent; the same unit's own link again changes nothing.
        assert "已被使用过" in (await chat.ask(SECOND, f"/start {code}")).text
        own = (await chat.ask(ADMIN, "/invite 审计局")).text.rsplit("start=", 1)[1].strip()
        assert "你已经是 审计局 的信息员" in (await chat.ask(LIAISON, f"/start {own}")).text


async def test_invite_makes_a_personal_web_link_and_unlink_revokes_it(database: str) -> None:
    async with running_bot(database, web_public_url="https://govinfo.example.gov.cn/") as chat:
        made = (await chat.ask(ADMIN, "/invite 公安局 网页 赵信息员")).text
        assert "公安局 的信息员 赵信息员 的网页个人链接（#1" in flat(made)
        token = made.split("https://govinfo.example.gov.cn/l/", 1)[1].split()[0]
        assert len(token) == 43 and "/unlink 1" in made
        # The link opens an ordinary liaison of the unit, at its web address.
        opened = await links.liaison_of(chat.app.bot_data[STORE], token)
        assert (opened.unit, opened.name, opened.address) == (
            "公安局",
            "赵信息员",
            Address("web", "1"),
        )
        assert rows(chat.db(), "SELECT token_hash FROM liaison_links") == [
            (links.token_hash(token),)
        ]
        revoked = await chat.ask(ADMIN, "/unlink 1")
        assert "已收回 公安局 的信息员 赵信息员 的网页个人链接（#1）" in flat(revoked.text)
        with pytest.raises(DomainError) as refused:
            await links.liaison_of(chat.app.bot_data[STORE], token)
        assert refused.value.code == "link_invalid"
        assert "没有使用中的个人链接 #1" in (await chat.ask(ADMIN, "/unlink 1")).text
        # A liaison asking is refused as for any admin command.
        await chat.join(LIAISON, "公安局")
        assert "只有信息室管理员" in (await chat.ask(LIAISON, "/invite 公安局 网页 王五")).text


async def test_a_web_link_needs_the_consoles_address(database: str) -> None:
    async with running_bot(database) as chat:
        refused = (await chat.ask(ADMIN, "/invite 公安局 网页 赵信息员")).text
    assert "GOVINFO_WEB_PUBLIC_URL" in refused
    assert rows(chat.db(), "SELECT COUNT(*) FROM liaison_links") == [(0,)]


async def test_a_commission_names_the_targets_nobody_will_hear_of(database: str) -> None:
    with clock(at(2026, 3, 2, 10)):
        async with running_bot(database) as chat:
            await idle(chat, at(2026, 3, 2, 10))
            await chat.join(LIAISON, "公安局")
            created = await chat.ask(ADMIN, "/commission 3月6日 B类 春耕备耕工作进展")
            assert "约稿单位 2 个：公安局、审计局" in created.text
            assert "其中 1 个单位没有信息员，约稿通知无法送达：审计局" in flat(created.text)
