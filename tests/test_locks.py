"""Locked periods: once published, nothing dated inside can be stored, reversed, endorsed or
settled by any path, each refusal saying who locked it and when; a reopen lets them through."""

from __future__ import annotations

from pathlib import Path

from tests.chat import ADMIN, LIAISON, flat, running_bot
from tests.conftest import Cli, write_csv
from tests.stores import rows

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
UNITS = [["教育局", "A", ""], ["公安局", "B", ""]]


def test_a_locked_quarter_refuses_imports_and_settlements_until_reopened(
    cli: Cli, tmp_path: Path
) -> None:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], UNITS))
    )
    cli.ok(
        "records",
        "import",
        str(
            write_csv(
                tmp_path / "a.csv", HEADER, [["2024-05-06", "公安局", "报送", 3, "", "", "", ""]]
            )
        ),
    )
    refused = cli("period", "lock", "2999Q1")
    assert refused.code == 1 and "尚未结束" in refused.err
    assert "已锁定 2024年第二季度" in cli.ok("period", "lock", "2024Q2")
    assert cli("period", "lock", "2024Q2").code == 1

    late = write_csv(
        tmp_path / "late.csv",
        HEADER,
        [
            ["2024-07-01", "公安局", "city.jccc", 1, "", "", "七月的采用", ""],
            ["2024-06-30", "公安局", "city.jccc", 1, "", "", "六月的采用", ""],
        ],
    )
    result = cli("records", "import", str(late))
    assert result.code == 1
    assert result.err.splitlines()[1].startswith(
        "第 3 行：2024-06-30 属于已锁定的期间 2024年第二季度（命令行用户 "
    )
    assert "第 2 行" not in result.err
    result = cli("quota", "settle", "--month", "2024-05")
    assert result.code == 1 and "已锁定的期间 2024年第二季度" in result.err
    assert rows(cli.db, "SELECT COUNT(*) FROM ledger") == [(0,)]

    # The running register again, with a row more: what is stored is skipped, the locked
    # quarter's rows store nothing, and the new row (in an open month) goes in.
    register = [
        ["2024-05-06", "公安局", "报送", 3, "", "", "", ""],
        ["2024-07-02", "公安局", "报送", 1, "", "", "七月报送", ""],
    ]
    out = cli(
        "records",
        "import",
        "--skip-existing",
        str(write_csv(tmp_path / "reg.csv", HEADER, register)),
    )
    assert out.code == 0 and "1 条记录" in out.out and "跳过已存储的记录 3 条" in out.out
    assert cli("period", "reopen", "2024Q1", "--reason", "无").code == 1
    cli.ok("period", "reopen", "2024Q2", "--reason", "六月漏登一条采用")
    cli.ok("records", "import", str(late))
    cli.ok("quota", "settle", "--month", "2024-05")
    listing = cli.ok("period", "list")
    assert "当前锁定的期间：\n  （没有）" in listing
    assert " 2024年第二季度 锁定 — 命令行用户 " in listing
    assert " 2024年第二季度 解锁 — 命令行用户 " in listing and "：六月漏登一条采用" in listing


async def test_a_locked_quarter_in_chat(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "公安局")
        for title, day in (
            ("关于治安形势的分析", "2024-05-06"),
            ("关于审计整改的报告", "2024-05-07"),
        ):
            summary = await chat.ask(LIAISON, f"采用 决策参考 {title} {day}")
            await chat.confirm(LIAISON, summary)
        claims = [
            await chat.server.wait_for(lambda m, n=n: f"新的采用申报 #{n}" in m.text, chat_id=ADMIN)
            for n in (1, 2)
        ]
        await chat.press(ADMIN, claims[1], "✅ 确认")
        await chat.server.wait_for(lambda m: "已确认" in m.text, chat_id=LIAISON)
        (entry,) = rows(chat.db(), "SELECT id FROM ledger WHERE record_id = 2")
        assert "已锁定 2024年第二季度" in (await chat.ask(ADMIN, "/lock 2024Q2")).text

        locked = "属于已锁定的期间 2024年第二季度（用户9001 于 "
        await chat.press(ADMIN, claims[0], "✅ 确认")
        answer = await chat.server.wait_for_call(
            "answerCallbackQuery", lambda c: "锁定" in str(c.params)
        )
        assert locked in str(answer.params)
        for command in (
            "/penalty 公安局 error.city_endorsed 2024-06-03 数据失误",
            f"/reverse {entry[0]} 批示对象有误",
            "/endorse 2 市领导同志批示",
        ):
            assert locked in flat((await chat.ask(ADMIN, command)).text), command
        refused = await chat.ask(LIAISON, "采用 决策参考 又一篇分析 2024-06-01")
        assert locked in flat(refused.text)
        assert rows(chat.db(), "SELECT COUNT(*), SUM(points) / 100 FROM ledger") == [(1, 18)]
        # A correction dated today stays possible.
        assert "分值：+5" in (await chat.ask(ADMIN, "/adjust 公安局 +5 六月漏记的批示")).text

        assert "用法" in (await chat.ask(ADMIN, "/reopen 2024Q2")).text
        assert "已解锁 2024年第二季度" in (await chat.ask(ADMIN, "/reopen 2024Q2 核实后更正")).text
        await chat.press(ADMIN, claims[0], "✅ 确认")
        await chat.server.wait_for(lambda m: "#1" in m.text and "已确认" in m.text, chat_id=LIAISON)
        assert "单位：公安局" in (await chat.ask(ADMIN, "/endorse 2 市领导同志批示")).text
        assert "已冲正" in (await chat.ask(ADMIN, f"/reverse {entry[0]} 批示对象有误")).text
        assert rows(chat.db(), "SELECT event, actor FROM period_events ORDER BY id") == [
            ("locked", f"tg:{ADMIN}"),
            ("reopened", f"tg:{ADMIN}"),
        ]
