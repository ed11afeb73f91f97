"""The office's side of the bot, end to end: approvals, admin commands, the export, and refusals."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from tests.chat import ADMIN, LIAISON, OTHER_ADMIN, SECOND, STRANGER, Chat, flat, running_bot
from tests.stores import rows


async def claim(chat: Chat, user: int, line: str) -> str:
    summary = await chat.ask(user, line)
    return await chat.confirm(user, summary)


async def test_non_admin_pressing_an_admin_button_only_hears_so(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        await claim(chat, LIAISON, "采用 《决策参考》 关于治安形势的分析 今天")
        ask = await chat.server.wait_for(lambda m: "新的采用申报" in m.text, chat_id=ADMIN)
        # A liaison who got hold of the button (forwarded, or a modified client) presses it.
        chat.press_data(LIAISON, ask, "ok:1")
        answer = await chat.server.wait_for_call(
            "answerCallbackQuery", lambda c: "管理员" in str(c.params)
        )
        assert "只有信息室管理员" in str(answer.params)
        assert rows(chat.db(), "SELECT status FROM records") == [("pending",)]
        assert rows(chat.db(), "SELECT COUNT(*) FROM ledger") == [(0,)]


async def test_forged_and_stale_confirm_buttons(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        await chat.join(SECOND, "审计局")
        summary = await chat.ask(LIAISON, "采用 《决策参考》 公安局的信息 今天")
        confirm = summary.callback_data("✅ 确认提交")
        # Another liaison forges a press of this liaison's draft.
        chat.press_data(SECOND, summary, confirm)
        forged = await chat.server.wait_for_call(
            "answerCallbackQuery", lambda c: "无效" in str(c.params)
        )
        assert "无效的按钮" in str(forged.params)
        # Malformed data is answered as a stale button.
        chat.press_data(LIAISON, summary, "dc:notanumber")
        await chat.server.wait_for_call("answerCallbackQuery", lambda c: "失效" in str(c.params))
        assert "已记录" in await chat.confirm(LIAISON, summary)
        # The same draft pressed again (a stale keyboard) stores nothing more.
        chat.press_data(LIAISON, summary, confirm)
        stale = await chat.server.wait_for_call(
            "answerCallbackQuery", lambda c: "失效" in str(c.params)
        )
        assert "该按钮已失效" in str(stale.params)
        assert rows(chat.db(), "SELECT COUNT(*) FROM records") == [(1,)]


async def test_a_replayed_update_counts_once(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        update = chat.say(LIAISON, "/submit 一条报送")
        assert "本月已报送 1 条" in (await chat.reply(LIAISON)).text
        chat.server.replay(update["update_id"])
        await chat.settled()
        assert rows(chat.db(), "SELECT COUNT(*) FROM records") == [(1,)]
        assert chat.server.messages_to(LIAISON)[-1].text.startswith("已记录报送")
        # The next one counts normally.
        assert "本月已报送 2 条" in (await chat.ask(LIAISON, "/submit 第二条报送")).text


async def test_submission_copied_to_the_office_chat(database: str) -> None:
    office = -1009999
    async with running_bot(database, office_chat_id=office) as chat:
        await chat.join(LIAISON, "公安局")
        original = chat.say(LIAISON, "县公安局召开冬季安全工作会议")["message"]["message_id"]
        chat.say(LIAISON, "/submit", reply_to_message_id=original)
        done = await chat.server.wait_for(lambda m: "已记录报送" in m.text, chat_id=LIAISON)
        assert "县公安局召开冬季安全工作会议" in flat(done.text) and "任务 8 条" in done.text
        copy = await chat.server.next_message(office)
        assert "公安局 报送" in copy.text and "冬季安全工作会议" in copy.text
        chat.server.send_document(LIAISON, "材料.docx", b"docx bytes", caption="/submit 附件报送")
        await chat.server.wait_for(lambda m: "附件报送" in m.text, chat_id=LIAISON)
        sent = await chat.server.next_message(office)
        assert sent.document is not None and sent.document.data == b"docx bytes"


async def test_roster_commands(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        listing = (await chat.ask(ADMIN, "/liaisons")).text
        assert f"用户{LIAISON}（用户ID {LIAISON}）\n  公安局（B类）" in listing
        assert listing.count(f"用户ID {LIAISON}") == 1 and listing.count(str(LIAISON)) == 2
        assert "已将" in (await chat.ask(ADMIN, f"/move {LIAISON} 审计局")).text
        assert "审计局 的信息员" in flat((await chat.ask(LIAISON, "/start")).text)
        assert "用法" in (await chat.ask(ADMIN, "/move 公安局")).text
        assert "没有找到信息员" in (await chat.ask(ADMIN, f"/remove {STRANGER}")).text
        assert "已移除" in (await chat.ask(ADMIN, f"/remove {LIAISON}")).text
        assert "还没有绑定单位" in (await chat.ask(LIAISON, "/me")).text
        units = (await chat.ask(ADMIN, "/units")).text
        assert "教育局（A类）信息员 0 人\n  别名：县教育局" in units
        assert "只有信息室管理员" in (await chat.ask(LIAISON, "/units")).text
        assert "未知的单位" in (await chat.ask(ADMIN, "/invite 不存在的局")).text


async def test_penalty_adjustment_endorsement_reversal_and_pending(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        await claim(chat, LIAISON, "采用 《决策参考》 关于治安形势的分析 今天")
        await chat.server.wait_for(lambda m: "新的采用申报" in m.text, chat_id=ADMIN)
        pending = flat((await chat.ask(ADMIN, "/pending")).text)
        assert "#1 公安局" in pending and "《决策参考》「关于治安形势的分析」" in pending
        ask = await chat.server.wait_for(lambda m: "新的采用申报" in m.text, chat_id=OTHER_ADMIN)
        await chat.press(OTHER_ADMIN, ask, "✅ 确认")
        await chat.server.wait_for(lambda m: "得 18 分" in m.text, chat_id=LIAISON)
        assert "没有待审核" in (await chat.ask(ADMIN, "/pending")).text

        endorsed = (await chat.ask(ADMIN, "/endorse 1 市领导同志批示×2")).text
        assert "市领导同志批示×2 60" in endorsed
        assert "不适用于" in (await chat.ask(ADMIN, "/endorse 1 国务院领导同志签批")).text
        penalised = (
            await chat.ask(ADMIN, "/penalty 公安局 error.city_endorsed 昨天 数据失误")
        ).text
        # Every confirmation of an office entry states unit, item, date, points and note.
        yesterday = (chat.settings.now().date() - timedelta(days=1)).isoformat()
        assert penalised.splitlines()[1:6] == [
            "单位：公安局", "项目：较大失误被市领导同志批示", f"日期：{yesterday}", "分值：-100",
            "备注：数据失误",
        ]  # fmt: skip
        assert "未知的扣分项" in (await chat.ask(ADMIN, "/penalty 公安局 city.jccc")).text
        adjusted = (await chat.ask(ADMIN, "/adjust 公安局 +12 补记漏登")).text
        today = chat.settings.now().date().isoformat()
        assert [f"日期：{today}", "分值：+12", "备注：补记漏登"] == adjusted.splitlines()[3:6]
        assert flat((await chat.ask(ADMIN, "/adjust 公安局 十二 补记")).text) == (
            "分值 十二 无法识别：请写整数或最多两位小数（如 5、-0.25、135.4），不用科学计数法"
        )
        entries = rows(chat.db(), "SELECT id, rule_id, points / 100 FROM ledger ORDER BY id")
        assert [(r, p) for _, r, p in entries] == [
            ("city.jccc", 18), ("endorse.city_leader", 60), ("error.city_endorsed", -100), ("adjustment", 12),
        ]  # fmt: skip
        penalty_id = entries[2][0]
        reversed_ = (await chat.ask(ADMIN, f"/reverse {penalty_id} 批示对象有误")).text
        assert f"冲正流水号 {penalty_id}" in reversed_
        assert "已冲正过" in (await chat.ask(ADMIN, f"/reverse {penalty_id} 再来一次")).text
        assert "用法" in (await chat.ask(ADMIN, "/reverse 1")).text
        # Nothing is ever deleted: the penalty stays, cancelled by its reversal.
        assert rows(chat.db(), "SELECT SUM(points) / 100, COUNT(*) FROM ledger") == [(90, 5)]
        assert rows(
            chat.db(), f"SELECT points / 100, reverses FROM ledger WHERE reverses = {penalty_id}"
        ) == [(100, penalty_id)]
        chat.say(LIAISON, "/why")
        why = (await chat.server.wait_for(lambda m: "得分明细" in m.text, chat_id=LIAISON)).text
        assert "合计 90 分" in why and "冲正" in why
        chat.say(ADMIN, "/standings")
        standings = await chat.server.wait_for(lambda m: "公安局" in m.text, chat_id=ADMIN)
        assert "90" in standings.text
        await chat.server.wait_for(lambda m: "C类" in m.text, chat_id=ADMIN)
        assert "无法识别的期间" in (await chat.ask(ADMIN, "/standings 2024Q9")).text
        # Every score change is in the audit trail with its author.
        assert rows(chat.db(), "SELECT event, actor FROM record_events ORDER BY id") == [
            ("claimed", f"tg:{LIAISON}"), ("approved", f"tg:{OTHER_ADMIN}"), ("endorsed", f"tg:{ADMIN}"),
            ("penalty", f"tg:{ADMIN}"), ("adjustment", f"tg:{ADMIN}"), ("reversed", f"tg:{ADMIN}"),
        ]  # fmt: skip


async def test_export_is_an_xlsx_openpyxl_reads(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        await claim(chat, LIAISON, "采用 《决策参考》 关于治安形势的分析 今天")
        await chat.ask(LIAISON, "/submit 一条报送")
        chat.say(ADMIN, "/export")
        sent = await chat.server.wait_for(lambda m: m.document is not None, chat_id=ADMIN)
        assert sent.document is not None and sent.document.filename.endswith(".xlsx")
        book = load_workbook(io.BytesIO(sent.document.data))
        assert book.sheetnames == ["A类", "B类", "C类", "记录", "积分流水"]
        b = [list(r) for r in book["B类"].iter_rows(values_only=True)]
        # A title row, then the header.
        assert str(b[0][0]).startswith("磴口县政务信息工作考评办法（2024）\nB类排名　")
        assert b[1] == [
            "排名",
            "单位",
            "采用条数",
            "采用得分",
            "批示加分",
            "其他加分",
            "扣分",
            "调整分",
            "总分",
            "原始总分",
        ]
        assert b[2] == [1, "公安局", 1, 18, 0, 0, 0, 0, 18, 18]
        records = [list(r) for r in book["记录"].iter_rows(values_only=True)]
        assert [r[3] for r in records[2:]] == ["《决策参考》", "报送"]
        ledger = [list(r) for r in book["积分流水"].iter_rows(values_only=True)]
        assert ledger[2][5] == 18
        assert "只有信息室管理员" in (await chat.ask(LIAISON, "/export")).text
