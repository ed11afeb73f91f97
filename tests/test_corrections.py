"""Corrections that must not leave numbers wrong: a reversed adoption takes its endorsements
with it, a submission counts once a month, a cancelled summary stores nothing, and a modifier
is taken no more often than the ruleset allows."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl import load_workbook as _load

from tests.chat import ADMIN, LIAISON, flat, prepare_db, running_bot
from tests.conftest import Cli, write_csv
from tests.stores import rows

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]


async def test_reversing_an_adoption_reverses_its_endorsements(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        await chat.confirm(
            LIAISON, await chat.ask(LIAISON, "采用 决策参考 关于治安形势的分析 今天")
        )
        await chat.confirm(
            LIAISON, await chat.ask(LIAISON, "采用 决策参考 关于交通安全的调研 今天")
        )
        assert "单位：公安局" in (await chat.ask(ADMIN, "/endorse 1 市领导同志批示×2")).text
        await chat.ask(ADMIN, "/endorse 1 市政府办公室领导同志批示")
        await chat.ask(ADMIN, "/endorse 2 市领导同志批示")
        entries = rows(chat.db(), "SELECT id, record_id, points / 100 FROM ledger ORDER BY id")
        assert [(r, p) for _, r, p in entries] == [(1, 18), (2, 18), (1, 60), (1, 20), (2, 30)]
        base = entries[0][0]
        answer = (await chat.ask(ADMIN, f"/reverse {base} 不是本单位的信息")).text
        assert "分值：-98" in answer and answer.count("冲正流水号 ") == 3
        standing = rows(
            chat.db(),
            "SELECT record_id, SUM(points) / 100 FROM ledger GROUP BY record_id ORDER BY record_id",
        )
        assert standing == [(1, 0), (2, 48)]
        refused = (await chat.ask(ADMIN, "/endorse 1 市领导同志批示")).text
        assert "记录 #1 的计分已冲正" in refused
        # Reversing an endorsement alone leaves the adoption standing.
        endorsement = entries[4][0]
        await chat.ask(ADMIN, f"/reverse {endorsement} 批示对象有误")
        assert rows(chat.db(), "SELECT SUM(points) / 100 FROM ledger WHERE record_id = 2") == [
            (18,)
        ]


async def test_endorsing_a_rejected_claim_is_refused(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        await chat.confirm(LIAISON, await chat.ask(LIAISON, "采用 决策参考 一篇分析 今天"))
        claim = await chat.server.wait_for(lambda m: "新的采用申报" in m.text, chat_id=ADMIN)
        await chat.press(ADMIN, claim, "❌ 驳回")
        await chat.server.wait_for(lambda m: "驳回记录 #1 的原因" in m.text, chat_id=ADMIN)
        chat.say(ADMIN, "不是本单位的信息")
        await chat.server.wait_for(lambda m: "已驳回记录 #1" in m.text, chat_id=ADMIN)
        chat.say(ADMIN, "/endorse 1 市领导同志批示")
        refused = await chat.server.wait_for(
            lambda m: "批示" in m.text and "#1" in m.text and "驳回）" in m.text, chat_id=ADMIN
        )
        assert flat(refused.text) == "记录 #1 尚未确认（已驳回），不能追加批示"


async def test_the_same_submission_twice_counts_once(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        first = (await chat.ask(LIAISON, "/submit 县公安局召开冬季安全工作会议")).text
        assert "本月已报送 1 条" in first
        again = (await chat.ask(LIAISON, "/submit 县公安局 召开冬季安全工作会议！")).text
        assert again.startswith("重复报送：公安局") and "#1" in again
        assert "本月已报送 2 条" in (await chat.ask(LIAISON, "/submit 另一条信息")).text


async def test_cancel_or_a_new_command_cancels_a_waiting_summary(database: str) -> None:
    async with running_bot(database, require_approval=False) as chat:
        await chat.join(LIAISON, "公安局")
        summary = await chat.ask(LIAISON, "采用 决策参考 第一篇 今天")
        assert "已取消未确认的申报" in (await chat.ask(LIAISON, "/cancel")).text
        await chat.press(LIAISON, summary, "✅ 确认提交")
        assert "已取消" in await chat.edited(summary, "已取消")
        assert summary.inline_keyboard == []
        answer = await chat.server.wait_for_call(
            "answerCallbackQuery", lambda c: "取消" in str(c.params)
        )
        assert "该申报已取消，未保存" in str(answer.params)

        second = await chat.ask(LIAISON, "采用 决策参考 第二篇 今天")
        await chat.ask(LIAISON, "/me")
        await chat.press(LIAISON, second, "✅ 确认提交")
        await chat.edited(second, "已取消")
        assert rows(chat.db(), "SELECT COUNT(*) FROM records") == [(0,)]
        assert "没有进行中的操作" in (await chat.ask(LIAISON, "/cancel")).text
        # A summary confirmed before the next command stands.
        third = await chat.ask(LIAISON, "采用 决策参考 第三篇 今天")
        assert "已记录" in await chat.confirm(LIAISON, third)
        await chat.ask(LIAISON, "/me")
        assert rows(chat.db(), "SELECT COUNT(*) FROM records") == [(1,)]


def test_a_commission_modifier_is_taken_once_per_adoption(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--ruleset", "ordos-2020")
    cli.ok(
        "units",
        "import",
        str(write_csv(tmp_path / "u.csv", ["name", "group"], [["准格尔旗", "旗区"]])),
    )
    twice = write_csv(
        tmp_path / "r.csv", HEADER, [["2020-05-06", "准格尔旗", "info", 1, "", "约稿×2", "", ""]]
    )
    refused = cli("records", "import", str(twice))
    assert refused.code == 1
    assert "第 2 行：加分项 约稿 每条采用最多计 1 次，这里是 2 次" in refused.err
    assert "约稿" in cli.ok("rules", "show") and "每条最多" in cli.ok("rules", "show")
    bad = tmp_path / "bad.toml"
    text = (Path(__file__).parent.parent / "scoring/rulesets/ordos-2020.toml").read_text("utf-8")
    bad.write_text(text.replace("max_per_adoption = 1", "max_per_adoption = 0"), "utf-8")
    result = cli("rules", "check", str(bad))
    assert result.code == 1 and "modifiers[commissioned].max_per_adoption" in result.err


async def test_chat_takes_a_commission_modifier_once(database: str) -> None:
    await prepare_db(database, "ordos-2020", [["准格尔旗", "旗区", ""]])
    async with running_bot(database, ruleset="ordos-2020", require_approval=False) as chat:
        await chat.join(LIAISON, "准格尔旗")
        await chat.confirm(LIAISON, await chat.ask(LIAISON, "采用 采用信息 一条动态 今天"))
        assert "单位：准格尔旗" in (await chat.ask(ADMIN, "/endorse 1 约稿")).text
        refused = (await chat.ask(ADMIN, "/endorse 1 约稿")).text
        assert "每条采用最多计 1 次" in refused
        assert rows(chat.db(), "SELECT SUM(points) / 100 FROM ledger") == [(15,)]
        # The 约稿 reversed alone (a mistake): the record no longer carries it, and it can be
        # given again, once.
        (line,) = rows(chat.db(), "SELECT id FROM ledger WHERE rule_id = 'commissioned'")
        await chat.ask(ADMIN, f"/reverse {line[0]} 记错了")
        assert rows(chat.db(), "SELECT modifiers FROM records") == [("",)]
        assert "单位：准格尔旗" in (await chat.ask(ADMIN, "/endorse 1 约稿")).text
        assert "每条采用最多计 1 次" in (await chat.ask(ADMIN, "/endorse 1 约稿")).text
        assert rows(chat.db(), "SELECT SUM(points) / 100 FROM ledger") == [(15,)]


def test_an_xlsx_formula_without_a_stored_value_is_refused(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], [["公安局", "B"]]))
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "登记表"
    sheet.append(HEADER)
    sheet.append(["2024-05-06", "公安局", "报送", "=1+1", None, None, "公式算出的条数", None])
    sheet.append(["2024-05-07", "公安局", "报送", 1, None, None, "=A2", None])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    # openpyxl wrote the formulas without results, as any program but Excel does.
    assert _load(io.BytesIO(path.read_bytes()), data_only=True).active["D2"].value is None  # type: ignore[index]
    result = cli("records", "import", str(path))
    assert result.code == 1
    assert "工作表「登记表」中，单元格 D2、G3 是公式" in result.err
    assert rows(cli.db, "SELECT COUNT(*) FROM records") == [(0,)]
