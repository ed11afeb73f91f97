"""A chat that helps, end to end: names mistyped or too short are offered as buttons, a name
read from a part of a label is shown to be checked, refusals that advise only what the asker
may do, one number for a record, and every line of every reply whole on a phone."""

from __future__ import annotations

import html
import re

from bot.fakeapi import SentMessage
from bot.render import PHONE_COLUMNS, phone_width
from tests.chat import ADMIN, LIAISON, SECOND, Chat, flat, running_bot
from tests.stores import rows

# A rule id as the files and the CLI write them (city.jccc): never shown to a liaison.
RULE_ID = re.compile(r"[a-z]+\.[a-z_.]+")


def buttons(message: SentMessage) -> list[str]:
    return [button["text"] for row in message.inline_keyboard for button in row]


async def test_a_mistyped_item_is_offered_as_a_button(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        offer = await chat.ask(LIAISON, "采用 决测参考 关于沙漠治理的调研 2024-05-06")
        assert "是不是《决策参考》？" in offer.text
        assert buttons(offer) == ["是，《决策参考》", "取消"]
        assert rows(chat.db(), "SELECT COUNT(*) FROM records") == [(0,)]
        await chat.press(LIAISON, offer, "是，《决策参考》")
        summary = await chat.edited(offer, "请确认申报")
        # The title and the day written with the typo are kept.
        assert "项目：《决策参考》" in summary and "标题：关于沙漠治理的调研" in summary
        assert "日期：2024-05-06" in summary and "合计 18 分" in summary
        assert "等待信息室审核" in await chat.confirm(LIAISON, offer)
        assert rows(chat.db(), "SELECT item_id, title FROM records") == [
            ("city.jccc", "关于沙漠治理的调研")
        ]


async def test_a_refused_offer_stores_nothing(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        earlier = await chat.ask(LIAISON, "采用 决测参考 较早的一篇 今天")
        offer = await chat.ask(LIAISON, "采用 决测参考 关于沙漠治理的调研 今天")
        # The earlier offer's button cannot take the later title.
        await chat.press(LIAISON, earlier, "是，《决策参考》")
        await chat.server.wait_for_call("answerCallbackQuery", lambda c: "失效" in str(c.params))
        await chat.press(LIAISON, offer, "取消")
        await chat.edited(offer, "已取消")
        # The buttons of an answered offer are stale.
        chat.press_data(LIAISON, offer, "rk:city.jccc")
        await chat.server.wait_for_call("answerCallbackQuery", lambda c: "失效" in str(c.params))
        assert rows(chat.db(), "SELECT COUNT(*) FROM records") == [(0,)]
        # A name near nothing is refused as before, with no buttons.
        unknown = await chat.ask(LIAISON, "采用 天气预报 关于沙漠治理的调研 今天")
        assert "未知的项目 天气预报" in unknown.text and not unknown.inline_keyboard


async def test_an_ambiguous_name_is_picked_by_its_chinese_name(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        offer = await chat.ask(LIAISON, "采用 专报信息 全县信访形势分析 今天")
        labels = buttons(offer)
        assert "「专报信息」可能是下面几项" in offer.text
        assert "《专报信息》问题类" in labels and labels[-1] == "取消"
        assert not RULE_ID.search(offer.text) and not any(RULE_ID.search(b) for b in labels)
        await chat.press(LIAISON, offer, "《专报信息》问题类")
        summary = await chat.edited(offer, "请确认申报")
        assert "项目：《专报信息》问题类" in summary and "合计 16 分" in summary


async def test_the_bare_adoption_word_gets_the_usage(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        bare = await chat.ask(LIAISON, "采用")
        assert "一句话申报要写项目和标题" in bare.text and "采用 <项目> <标题>" in bare.text
        assert "空一格" not in bare.text
        glued = await chat.ask(LIAISON, "采用决策参考 关于沙漠治理的调研")
        assert "空一格" in glued.text


async def test_a_name_read_from_part_of_a_label_is_shown_to_be_checked(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        near = await chat.ask(LIAISON, "采用 批示 落实县长批示情况 今天")
        assert "项目：批示落实反馈" in near.text or "落实领导批示" in near.text
        assert "按「批示」理解为此项，请核对" in near.text
        exact = await chat.ask(LIAISON, "采用 决策参考 关于沙漠治理的调研 今天")
        assert "请确认申报" in exact.text and "请核对" not in exact.text


async def test_emoji_only_titles_are_refused(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        refused = await chat.ask(LIAISON, "采用 决策参考 🎉🎉🎉 今天")
        assert "标题要有文字" in refused.text
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "市政府办公室采用")
        await chat.server.wait_for_call("editMessageReplyMarkup")
        await chat.press(LIAISON, menu, "《决策参考》（18）")
        await chat.edited(menu, "请输入信息标题")
        assert "标题要有文字" in (await chat.ask(LIAISON, "👍👍")).text
        # Still asked for the title: a real one goes on.
        assert "采用日期" in (await chat.ask(LIAISON, "关于沙漠治理的调研 👍")).text
        assert rows(chat.db(), "SELECT COUNT(*) FROM records") == [(0,)]


async def test_a_liaison_is_not_advised_to_unlock_a_period(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        assert "已锁定 2024年第二季度" in flat((await chat.ask(ADMIN, "/lock 2024Q2")).text)
        refused = await chat.ask(LIAISON, "采用 决策参考 关于沙漠治理的调研 2024-05-06")
        assert (
            "属于已锁定的期间 2024年第二季度" in flat(refused.text)
            and "请联系信息室" in refused.text
        )
        assert "解锁" not in refused.text
        # An admin can unlock, and is told so.
        office = await chat.ask(ADMIN, "/penalty 公安局 error.city_endorsed 2024-05-06 失误")
        assert "解锁该期间" in office.text.replace("\n", "")
        assert rows(chat.db(), "SELECT COUNT(*) FROM records") == [(0,)]


async def test_a_direction_override_is_never_echoed(database: str) -> None:
    override = "\u202e"
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        for line in (
            f"/x{override}em",
            f"采用 天气{override}预报 关于沙漠治理的调研 今天",
            f"采用 决策参考 关于{override}沙漠治理的调研 今天",
            f"/submit 报送{override}信息",
        ):
            reply = await chat.ask(LIAISON, line)
            assert override not in reply.text, line
            assert reply.text.strip()
        await chat.settled()
        assert all(override not in (m.text or "") for m in chat.server.messages_to(LIAISON))


async def test_records_by_their_number_ledger_lines_by_their_own(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        await chat.confirm(LIAISON, await chat.ask(LIAISON, "采用 决策参考 一季度分析 今天"))
        await chat.ask(ADMIN, "/adjust 公安局 -5 报送迟缓")
        await chat.server.wait_for(lambda m: "信息室为 公安局 记入" in m.text, chat_id=LIAISON)
        history = (await chat.ask(LIAISON, "/history")).text
        assert "记录 #1 " in history and "《决策参考》「一季度分析」" in history
        why = (await chat.ask(LIAISON, "/why")).text
        ((first,), (second,)) = rows(chat.db(), "SELECT id FROM ledger ORDER BY id")
        assert f"流水号 {first} " in why and f"流水号 {second} " in why
        assert "记录 #" not in why and "#" not in why


async def test_no_first_in_a_group_all_at_zero(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        await chat.join(SECOND, "审计局")
        me = (await chat.ask(LIAISON, "/me")).text
        assert "排名第一" not in me and "本组各单位目前同分" in me
        chat.say(ADMIN, "/bulletin 2024Q2")
        draft = await chat.server.wait_for(lambda m: "通报草稿】" in (m.text or ""), chat_id=ADMIN)
        await chat.press(ADMIN, draft, "发布")
        line = await chat.server.wait_for(
            lambda m: "【2024年第二季度 通报】" in flat(m.text), chat_id=LIAISON
        )
        assert "第 1 名（共 2 个单位），总分 0" in flat(line.text) and "本组第一" not in line.text
        await chat.server.wait_for(
            lambda m: "【2024年第二季度 通报】" in flat(m.text), chat_id=SECOND
        )
        # With points, the first is said again.
        await chat.confirm(SECOND, await chat.ask(SECOND, "采用 决策参考 审计发现 今天"))
        ask = await chat.server.wait_for(lambda m: "新的采用申报" in m.text, chat_id=ADMIN)
        await chat.press(ADMIN, ask, "✅ 确认")
        await chat.server.wait_for(lambda m: "已确认" in m.text, chat_id=SECOND)
        assert "目前排名第一" in (await chat.ask(SECOND, "/me")).text


async def test_the_rejection_notice_reads_as_a_sentence(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        await chat.confirm(LIAISON, await chat.ask(LIAISON, "采用 决策参考 一季度分析 今天"))
        ask = await chat.server.wait_for(lambda m: "新的采用申报" in m.text, chat_id=ADMIN)
        await chat.press(ADMIN, ask, "❌ 驳回")
        await chat.server.wait_for(lambda m: "驳回记录" in m.text, chat_id=ADMIN)
        notice = await chat.ask(ADMIN, "标题重复")
        assert notice.text.replace("\n", "") == "已驳回记录 #1：标题重复，已通知该单位信息员。"


async def guided_report(chat: Chat, user: int) -> SentMessage:
    """A /report of 《决策参考》 through its buttons up to the evidence question, with one
    市领导同志批示 chosen."""
    menu = await chat.ask(user, "/report")
    await chat.press(user, menu, "市政府办公室采用")
    await chat.server.wait_for_call("editMessageReplyMarkup")
    await chat.press(user, menu, "《决策参考》（18）")
    await chat.edited(menu, "请输入信息标题")
    await chat.ask(user, "关于沙漠治理的调研")
    endorse = await chat.ask(user, "2024-05-06")
    await chat.press(user, endorse, "市领导同志批示 +30")
    await chat.server.wait_for_call("editMessageReplyMarkup", lambda call: "×1" in str(call.params))
    await chat.press(user, endorse, "完成")
    await chat.server.wait_for(lambda m: "证明材料" in m.text, chat_id=user)
    return endorse


async def test_chosen_endorsements_stay_and_a_photo_is_a_photo(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        endorse = await guided_report(chat, LIAISON)
        # The question's buttons are gone; what was chosen is still there to read.
        assert "已选：市领导同志批示" in await chat.edited(endorse, "已选")
        chat.server.send_photo(LIAISON, b"\xff\xd8\xff photo")
        summary = await chat.server.wait_for(lambda m: "请确认申报" in m.text, chat_id=LIAISON)
        assert "批示：市领导同志批示" in summary.text
        assert "证明材料：已附图片" in summary.text and "已附文件" not in summary.text
        assert "= 48" in summary.text
        confirmed = await chat.confirm(LIAISON, summary)
        assert "批示：市领导同志批示" in confirmed and "等待信息室审核" in confirmed
        # A photo sent for no purpose is a photo in the hint too.
        chat.server.send_photo(LIAISON, b"\xff\xd8\xff photo")
        hint = await chat.server.wait_for(lambda m: "没有说明用途" in m.text, chat_id=LIAISON)
        assert flat(hint.text).startswith("收到图片") and "文件" not in hint.text


def too_wide(message: SentMessage) -> list[str]:
    """The lines of a message, its edits included, that a phone cannot show whole. A link and
    a ledger anchor (line:hash, to be copied whole) are words that cannot be broken: a line
    holding only one of them is allowed its width."""
    texts = [message.text or message.caption or ""]
    texts += [str(e.get("text") or e.get("caption") or "") for e in message.edits]
    wide = []
    for text in texts:
        if message.parse_mode == "HTML":
            text = html.unescape(re.sub(r"<[^>]+>", "", text))
        for line in text.split("\n"):
            link = re.fullmatch(r"https?://\S+|[0-9]+:[0-9a-f]{64}", line.rstrip())
            if phone_width(line) > PHONE_COLUMNS and not link:
                wide.append(line)
    return wide


async def test_every_line_of_every_reply_fits_a_phone(database: str) -> None:
    async with running_bot(database, require_approval=True) as chat:
        await chat.join(LIAISON, "公安局")
        await chat.join(SECOND, "审计局")
        for line in (
            "采用 决策参考 关于全县冬季防火检查和安全生产大排查大整治工作情况的调研报告 今天",
            "采用 政务要情简讯 关于全县冬季防火检查工作的简讯 今天",
        ):
            await chat.confirm(LIAISON, await chat.ask(LIAISON, line))
        liaison_lines = [
            "/start", "/help", "/me", "/rank", "/history", "/why",
            "/submit 全县开展冬季防火检查工作情况的报送信息",
            "采用", "采用决策参考", "采用 决测参考 标题 今天", "采用 专报信息 标题 今天",
            "采用 批示 标题 今天", "采用 决策参考 标题 5月32日", "采用 决策参考 🎉 今天",
            "你好", "/nonsense", "/cancel",
        ]  # fmt: skip
        for line in liaison_lines:
            chat.say(LIAISON, line)
            await chat.settled()
        await guided_report(chat, SECOND)
        chat.server.send_document(SECOND, "采用截图.pdf", b"%PDF-1.4 evidence")
        summary = await chat.server.wait_for(lambda m: "请确认申报" in m.text, chat_id=SECOND)
        await chat.confirm(SECOND, summary)
        approve = await chat.server.wait_for(
            lambda m: "新的采用申报 #1" in (m.text or m.caption or ""), chat_id=ADMIN
        )
        await chat.press(ADMIN, approve, "✅ 确认")
        await chat.settled()
        admin_lines = [
            "/help", "/start", "/invite 气象局", "/liaisons", "/units", "/pending",
            "/approve 3", "/reject 2 标题与已采用的信息重复，请核实后重新申报",
            "/penalty 公安局 错别字 今天 报送信息中有错别字", "/adjust 审计局 +5 补记上月漏记的批示",
            "/endorse 1 市政府办公室领导同志批示", "/reverse 1 批示对象有误需要冲正",
            "/standings", "/lock 2024Q2", "/reopen 2024Q2 核实后更正",
            "/commission 明天 公安局、审计局 关于今冬明春森林草原防火工作的约稿",
            "/commissions", "/bulletin 2024Q2", "/bulletins", "/move 1002 气象局", "/remove 1002",
            "/approve", "/penalty 公安局 不存在的扣分项", "/export",
        ]  # fmt: skip
        for line in admin_lines:
            chat.say(ADMIN, line)
            await chat.settled()
        ready = next(m for m in chat.server.messages_to(ADMIN) if "发布" in str(m.reply_markup))
        await chat.press(ADMIN, ready, "发布")
        await chat.edited(ready, "已发布")
        await chat.server.wait_for(lambda m: "通报】" in m.text, chat_id=LIAISON)
        for line in ("/me", "/rank", "/history", "/why", "/commissions"):
            chat.say(LIAISON, line)
            await chat.settled()
        sent = chat.server.sent
        assert len(sent) > 60
        wide = {line for message in sent for line in too_wide(message)}
        assert not wide, "\n".join(sorted(wide))
