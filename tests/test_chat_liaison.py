"""A liaison's day in the bot, end to end through the fake Bot API server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.cli import main
from tests.chat import ADMIN, LIAISON, OTHER_ADMIN, SECOND, STRANGER, flat, running_bot
from tests.stores import rows


def count(db: str, sql: str) -> int:
    return int(rows(db, sql)[0][0])


async def test_invite_binds_a_liaison_once(database: str) -> None:
    async with running_bot(database) as chat:
        link = (await chat.ask(ADMIN, "/invite 县教育局")).text
        assert "教育局" in link and "https://t.me/govinfo_test_bot?start=" in link
        code = link.rsplit("start=", 1)[1].strip()
        assert len(code) >= 8
        assert "绑定成功：你现在是 教育局 的信息员" in flat(
            (await chat.ask(LIAISON, f"/start {code}")).text
        )
        # Single use: a second person cannot use the same link.
        assert "已被使用过" in (await chat.ask(SECOND, f"/start {code}")).text
        assert "你是 教育局 的信息员" in flat((await chat.ask(LIAISON, "/start")).text)
        assert "邀请链接" in (await chat.ask(STRANGER, "/start")).text
        # Only admins invite.
        assert "只有信息室管理员" in (await chat.ask(LIAISON, "/invite 公安局")).text


async def test_wrong_invite_codes_are_throttled(database: str) -> None:
    async with running_bot(database) as chat:
        for n in range(5):
            assert "邀请码无效" in (await chat.ask(STRANGER, f"/start wrongcode{n}")).text
        link = (await chat.ask(ADMIN, "/invite 公安局")).text
        code = link.rsplit("start=", 1)[1].strip()
        # Even the right code waits now: guessing is slowed for everyone who tries too often.
        assert "次数过多" in (await chat.ask(STRANGER, f"/start {code}")).text
        assert "绑定成功" in (await chat.ask(SECOND, f"/start {code}")).text


async def test_guided_report_then_approval(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "教育局")
        menu = await chat.ask(LIAISON, "/report")
        assert menu.inline_keyboard, menu.text
        await chat.press(LIAISON, menu, "市政府办公室采用")
        await chat.server.wait_for_call("editMessageReplyMarkup")
        await chat.press(LIAISON, menu, "《决策参考》（18）")
        await chat.server.wait_for_call("editMessageText")
        assert "《决策参考》" in menu.message["text"] and "请输入信息标题" in menu.message["text"]
        day_question = await chat.ask(LIAISON, "关于沙漠治理的调研")
        assert "采用日期" in day_question.text
        endorse = await chat.ask(LIAISON, "2024-05-06")
        assert "领导批示" in endorse.text
        await chat.press(LIAISON, endorse, "市领导同志批示 +30")
        await chat.server.wait_for_call(
            "editMessageReplyMarkup", lambda call: "×1" in str(call.params)
        )
        await chat.press(LIAISON, endorse, "完成")
        evidence = await chat.server.wait_for(lambda m: "证明材料" in m.text, chat_id=LIAISON)
        chat.server.send_document(LIAISON, "采用截图.pdf", b"%PDF-1.4 evidence")
        summary = await chat.server.wait_for(lambda m: "请确认申报" in m.text, chat_id=LIAISON)
        assert "计分：《决策参考》18\n+ 市领导同志批示 30\n= 48" in summary.text
        assert "合计 48 分" in summary.text and "已附文件" in summary.text
        del evidence
        assert "等待信息室审核" in await chat.confirm(LIAISON, summary)
        # Every admin is asked, with the evidence file forwarded; one approves; the liaison is
        # told the points.
        ask = await chat.server.wait_for(
            lambda m: "新的采用申报" in (m.caption or m.text or ""), chat_id=ADMIN
        )
        assert ask.document is not None and ask.document.data == b"%PDF-1.4 evidence"
        assert count(chat.db(), "SELECT COUNT(*) FROM ledger") == 0
        await chat.press(ADMIN, ask, "✅ 确认")
        told = await chat.server.wait_for(
            lambda m: "已确认，得 48 分" in flat(m.text), chat_id=LIAISON
        )
        assert "关于沙漠治理的调研" in told.text
        assert count(chat.db(), "SELECT COALESCE(SUM(points), 0) / 100 FROM ledger") == 48
        assert (
            count(chat.db(), "SELECT COUNT(*) FROM records WHERE evidence LIKE 'document:%'") == 1
        )
        # The other admin still sees the buttons: pressing them now changes nothing.
        other = await chat.server.wait_for(
            lambda m: "新的采用申报" in (m.caption or ""), chat_id=OTHER_ADMIN
        )
        chat.press_data(OTHER_ADMIN, other, "ok:1")
        stale = await chat.server.wait_for_call(
            "answerCallbackQuery", lambda c: "已处理" in str(c.params)
        )
        assert "不能再次审核" in str(stale.params)
        assert count(chat.db(), "SELECT COALESCE(SUM(points), 0) / 100 FROM ledger") == 48


async def test_one_line_report_rejected_with_reason(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        summary = await chat.ask(LIAISON, "采用 政务要情简讯 全县开展冬季防火检查 昨天")
        assert "《政务要情》简讯" in summary.text and "合计 3 分" in summary.text
        assert "等待信息室审核" in await chat.confirm(LIAISON, summary)
        ask = await chat.server.wait_for(lambda m: "新的采用申报" in m.text, chat_id=ADMIN)
        await chat.press(ADMIN, ask, "❌ 驳回")
        await chat.server.wait_for(lambda m: "驳回记录" in m.text, chat_id=ADMIN)
        chat.say(ADMIN, "标题与已采用的信息重复")
        told = await chat.server.wait_for(lambda m: "被驳回" in m.text, chat_id=LIAISON)
        assert "标题与已采用的信息重复" in told.text
        history = await chat.ask(LIAISON, "/history")
        assert "已驳回：标题与已采用的信息重复" in flat(history.text)
        assert rows(chat.db(), "SELECT event, reason FROM record_events ORDER BY id") == [
            ("claimed", ""),
            ("rejected", "标题与已采用的信息重复"),
        ]


async def test_duplicate_claim_refused_with_pointer(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        summary = await chat.ask(LIAISON, "采用 《决策参考》 关于沙漠治理的调研 2024-05-06")
        assert "得 18 分" in await chat.confirm(LIAISON, summary)
        again = await chat.ask(LIAISON, "采用 决策参考 关于沙漠治理的调研！ 2024年5月6日")
        assert "重复申报" in again.text and "#1" in again.text
        assert count(chat.db(), "SELECT COUNT(*) FROM records") == 1


async def test_me_and_rank_agree_with_the_command_line(database: str, tmp_path: Path) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        await chat.join(SECOND, "审计局")
        for user, line in [
            (LIAISON, "采用 《决策参考》 一季度经济运行分析 今天"),
            (SECOND, "采用 《专报信息》问题类 审计发现的问题 今天"),
            (SECOND, "采用 政务要情简讯 审计动态 今天"),
        ]:
            summary = await chat.ask(user, line)
            assert "已记录" in await chat.confirm(user, summary)
        for n in range(3):
            assert "本月已报送" in (await chat.ask(LIAISON, f"/submit 报送信息{n}")).text
        me = (await chat.ask(LIAISON, "/me")).text
        rank = (await chat.ask(LIAISON, "/rank")).message["text"]
    quarter = me.split("本季度（")[1].split("）")[0]
    out = tmp_path / "standings.json"
    args = [
        "--db",
        database,
        "standings",
        "--period",
        quarter,
        "--format",
        "json",
        "--group",
        "B",
        "--out",
        str(out),
    ]
    assert await asyncio.to_thread(main, args) == 0  # the command line runs its own event loop
    rows = {r["unit"]: r for r in json.loads(out.read_text("utf-8"))["groups"][0]["rows"]}
    assert rows["公安局"]["total"] == 18 and rows["审计局"]["total"] == 19
    assert f"得分 {rows['公安局']['total']}\n组内第 {rows['公安局']['rank']} 名，共 2 个单位" in me
    assert "本月（" in me and "报送 3 条\n任务 8 条，还差 5 条" in me
    assert "比上一名 审计局 少 1 分" in me
    assert "▶" in rank and "公安局" in rank and "审计局" in rank
    marked = next(line for line in rank.splitlines() if "▶" in line)
    # Rank, unit, total, and the gap to the unit above.
    assert "公安局" in marked and marked.split()[-2:] == ["18", "-1"]


async def test_why_explains_every_point(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        summary = await chat.ask(LIAISON, "采用 《决策参考》 关于沙漠治理的调研 今天")
        assert "已记录" in await chat.confirm(LIAISON, summary)
        assert "单位：公安局" in (await chat.ask(ADMIN, "/adjust 公安局 -5 报送迟缓")).text
        await chat.server.wait_for(lambda m: "信息室为 公安局 记入" in m.text, chat_id=LIAISON)
        why = (await chat.ask(LIAISON, "/why")).text
        assert "+18\n  《决策参考》18" in why
        assert "-5\n  调整（须注明原因）-5（报送迟缓）" in why
        assert "合计 13 分" in why


async def test_commands_refused_where_they_do_not_belong(database: str) -> None:
    async with running_bot(database) as chat:
        assert "还没有绑定单位" in (await chat.ask(STRANGER, "/me")).text
        assert "还没有绑定单位" in (await chat.ask(STRANGER, "采用 决策参考 标题")).text
        group_chat = -100123
        chat.say(LIAISON, "/me", chat_id=group_chat)
        assert "私聊" in (await chat.server.next_message(group_chat)).text
        await chat.join(LIAISON, "公安局")
        assert "不能由信息员申报" in (await chat.ask(LIAISON, "采用 quota.missed 自己扣分")).text
        assert "晚于今天" in (await chat.ask(LIAISON, "采用 决策参考 未来的信息 2999-01-01")).text
        assert "用法" in (await chat.ask(LIAISON, "采用 决策参考")).text
        assert "用法" in (await chat.ask(LIAISON, "/submit")).text


async def test_a_claim_duplicating_an_imported_record_is_refused(
    database: str, tmp_path: Path
) -> None:
    from tests.conftest import write_csv

    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        header = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
        records = write_csv(
            tmp_path / "r.csv",
            header,
            [["2024-05-06", "公安局", "city.jccc", 1, "", "", "关于沙漠治理的调研", ""]],
        )
        args = ["--db", str(chat.db()), "records", "import", str(records)]
        assert await asyncio.to_thread(main, args) == 0
        again = await chat.ask(LIAISON, "采用 决策参考 关于沙漠治理的调研 2024-05-06")
        assert "重复申报" in again.text
