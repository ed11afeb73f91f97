"""The sandbox: the real bot on the fake Bot API server with a demo roster, talked to through the
terminal chat by scripted lines. SQLite only: the sandbox makes its own database file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot.jobs.kind import Plan, Run, runs_between
from bot.jobs.registry import FINAL_WARNING, KINDS, QUOTA_REMINDER, SETTLEMENT
from bot.settings import Settings
from bot.telegram.sandbox import sandbox_session
from scoring.errors import DomainError
from scoring.periods import quarter_of
from scoring.ruleset import builtin_ruleset_text
from tests.bytecode import python_env

# A line to type, or how a person makes it up from what the sandbox printed so far.
Line = str | Callable[["Script"], str]


class Script:
    """Types the given lines one by one and keeps what the sandbox printed after each of them,
    and the prompt each line was typed at."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = iter(lines)
        self.chunks: list[list[str]] = [[]]  # [start-up, after line 1, after line 2, ...]
        self.prompts: list[str] = []  # [before line 1, before line 2, ...]

    async def read_line(self, prompt: str) -> str | None:
        self.prompts.append(prompt)
        line = next(self.lines, None)
        if callable(line):
            line = line(self)
        if line is not None:
            self.chunks.append([])
        return line

    def write(self, text: str) -> None:
        self.chunks[-1].append(text)

    def output(self, step: int) -> str:
        """What was printed before any input (0), or after the step-th line typed."""
        return "\n".join(self.chunks[step])

    def joined(self, step: int) -> str:
        """The output of a step with the bot's lines joined: the bot breaks lines to fit a
        phone, and the sandbox prints each following line of a message indented."""
        return self.output(step).replace("\n   ", "")


async def run(
    tmp_path: Path, ruleset: str, lines: list[Line], *, require_approval: bool = True
) -> tuple[int, Script]:
    script = Script(lines)
    code = await sandbox_session(
        Settings(_env_file=None, require_approval=require_approval),  # type: ignore[call-arg]
        ruleset,
        script.read_line,
        script.write,
        tmp_path,
    )
    return code, script


async def test_report_approval_and_standing_across_identities(tmp_path: Path) -> None:
    code, script = await run(
        tmp_path,
        "dengkou-2024",
        [
            "采用 《决策参考》 关于沙漠治理的调研 今天",
            ":press 1",
            ":as 管理员",
            ":press 1",
            ":as 1",
            "/me",
            "/rank",
            ":quit",
        ],
    )
    assert code == 0
    start = script.output(0)
    assert "dengkou-2024" in start and "示例单位 54 个" in start and ":press N" in start
    assert "审核：开启" in start
    assert "管理员 — 信息室（用户 100）" in start
    assert "1. 巴彦高勒镇（A类）的信息员 — 王芳（用户 201）  ◀ 当前" in start
    assert "2. 民族事务委员会（B类）" in start and "3. 机关事务服务中心（C类）" in start
    # The demo liaisons were bound quietly: none of the invite chatter is shown.
    assert "邀请链接" not in start and "绑定成功" not in start

    summary = script.output(1)
    # The demo binding took messages 1 and 2 of the liaison's chat.
    assert summary.startswith("（已发送 #3）\n🤖 #4 请确认申报") and "合计 18 分" in summary
    assert "[1] ✅ 确认提交  [2] 取消" in summary

    confirmed = script.output(2)
    assert "👆 ✅ 确认提交" in confirmed
    assert "✏️ #4 请确认申报" in confirmed and "等待信息室审核" in confirmed
    assert "（管理员 收到 1 条新消息，:as 管理员 查看）" in confirmed

    request = script.output(3)
    assert "现在你是 管理员 信息室" in request
    assert "新的采用申报 #1" in request and "单位：巴彦高勒镇（王芳）" in request
    assert "[1] ✅ 确认  [2] ❌ 驳回" in request

    approved = script.output(4)
    assert "✅ 已确认（信息室）" in approved
    assert "（巴彦高勒镇 收到 1 条新消息，:as 1 查看）" in approved

    told = script.output(5)
    assert "现在你是 巴彦高勒镇 的信息员 王芳" in told and "已确认，得 18 分" in script.joined(5)
    me = script.output(6)
    assert "巴彦高勒镇（A类）" in me and "得分 18\n" in me and "组内第 1 名" in me
    rank = script.output(7)
    # The parsed text is shown, not the HTML the bot sent.
    assert "▶" in rank and "巴彦高勒镇" in rank and "<pre>" not in rank
    assert script.output(8) == "已退出沙盒。"


async def test_replies_files_and_saved_documents(tmp_path: Path) -> None:
    sent, saved = tmp_path / "sent", tmp_path / "saved"
    sent.mkdir()
    saved.mkdir()
    document = sent / "材料 终稿.docx"  # a space: the path is quoted
    document.write_bytes(b"docx bytes")
    picture = sent / "截图.png"
    picture.write_bytes(b"\x89PNG picture")
    export = saved / "导出.xlsx"
    code, script = await run(
        tmp_path,
        "dengkou-2024",
        [
            "县公安局召开冬季安全工作会议",
            ":reply 3 /submit 冬季安全会议",
            f':file "{document}" /submit 附件报送',
            # A claim through the guided /report, with a photo as its evidence.
            "/report",
            ":press 1",
            ":press 2",
            "关于沙漠治理的调研",
            ":press 1",
            ":press 3",
            f":file {picture}",
            ":press 1",
            ":as 管理员",
            f":save 8 {saved}",
            f":save #9 {saved}",
            "/export",
            f":save 11 {export}",
            ":save 10 x.xlsx",
            ":save 7 x.txt",
            f":save 11 {tmp_path / 'missing' / 'x.xlsx'}",
            ":save 11",
            ":save abc x.xlsx",
            ":reply 99 你好",
            ":reply 3",
            ":quit",
        ],
    )
    assert code == 0
    # Free text gets a hint (#4); the reply goes to the text itself.
    assert "（已发送 #3）" in script.output(1) and "没有看懂" in script.output(1)
    submitted = script.output(2)
    assert "（已发送 #5，回复 #3）" in submitted and "已记录报送（#1）：冬季安全会议" in submitted
    assert "（管理员 收到 1 条新消息，:as 管理员 查看）" in submitted
    with_file = script.output(3)
    assert "（已发送 #7：材料 终稿.docx，10 字节）" in with_file
    assert "已记录报送（#2）：附件报送" in with_file
    photo = script.output(10)
    assert "（已发送 #15：截图.png，12 字节）" in photo and "证明材料：已附图片" in photo
    assert "等待信息室审核" in script.output(11)

    office = script.output(12)
    # The office's copy of the submission keeps the message replied to as its evidence...
    assert "🤖 #7 📨 巴彦高勒镇 报送（#1）：冬季安全会议县公安局召开冬季安全工作会议" in (
        script.joined(12)
    )
    # ...and the one sent with a document carries the document.
    assert "🤖 #8 📎 材料 终稿.docx（10 字节，:save 8 <路径> 可保存）" in office
    assert "📨 巴彦高勒镇 报送（#2）：附件报送" in script.joined(12)
    # The claim reaches the admin as the photo, with its buttons.
    assert "🤖 #9 🖼 截图.png（12 字节，:save 9 <路径> 可保存）\n   新的采用申报 #3" in office
    assert "[1] ✅ 确认  [2] ❌ 驳回" in office
    assert f"已把 材料 终稿.docx 保存到 {saved / '材料 终稿.docx'}" in script.output(13)
    assert (saved / "材料 终稿.docx").read_bytes() == b"docx bytes"
    assert (saved / "截图.png").read_bytes() == b"\x89PNG picture"

    assert "🤖 #11 📎 记录与排名-" in script.output(15)
    assert f"保存到 {export}" in script.output(16)
    workbook = openpyxl.load_workbook(export)
    records = workbook["记录"]
    titles = {row[4] for row in records.iter_rows(min_row=2, values_only=True)}
    assert {"冬季安全会议", "附件报送", "关于沙漠治理的调研"} <= titles

    assert script.output(17) == "你的对话里没有机器人发来的消息 #10"
    assert script.output(18) == "消息 #7 不是文件"
    assert script.output(19).startswith(f"无法写入 {tmp_path / 'missing' / 'x.xlsx'}：")
    assert script.output(20) == "用法：:save N <路径>"
    assert script.output(21).startswith("编号 abc 不对")
    assert script.output(22) == "你的对话里没有消息 #99"
    assert script.output(23) == "用法：:reply N <文字>"


async def test_a_fresh_identity_binds_through_an_invite(tmp_path: Path) -> None:
    def start_from_invite(script: Script) -> str:
        return "/start " + re.findall(r"\?start=(\S+)", script.output(2))[-1]

    code, script = await run(
        tmp_path,
        "dengkou-2024",
        [
            ":as 管理员",
            "/invite 渡口镇",
            ":new 管理员",
            ":new " + "长" * 65,
            ":new 张三",
            start_from_invite,
            ":who",
            "/me",
        ],
    )
    assert code == 0
    assert script.output(3) == "名字 管理员 已被身份 管理员 使用：请换一个名字"
    assert script.output(4) == "名字太长：不超过 64 个字符"
    fresh = script.output(5)
    assert fresh.startswith("已新建身份 4：张三（用户 204），尚未绑定单位")
    assert "现在你是 张三（尚未绑定单位）" in fresh
    assert script.prompts[5] == "张三> "
    assert "绑定成功：你现在是 渡口镇 的信息员" in script.joined(6)
    # The bot's roster is the sandbox's: the prompt and the listing name the unit now.
    assert script.prompts[6] == "渡口镇> "
    assert "4. 渡口镇（A类）的信息员 — 张三（用户 204）  ◀ 当前" in script.output(7)
    assert "渡口镇（A类）" in script.output(8)


async def test_claims_score_at_once_without_approval(tmp_path: Path) -> None:
    code, script = await run(
        tmp_path,
        "dengkou-2024",
        ["采用 《决策参考》 关于沙漠治理的调研 今天", ":press 1", "/me"],
        require_approval=False,
    )
    assert code == 0
    assert "审核：关闭" in script.output(0)
    # Scored once confirmed, and nobody else is asked.
    confirmed = script.output(2)
    assert "已记录（#1），得 18 分" in confirmed and "收到" not in confirmed
    assert "得分 18\n   组内第 1 名" in script.output(3)


async def test_ordos_roster_help_and_terminal_mistakes(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pdf"
    code, script = await run(
        tmp_path,
        "ordos-2020",
        [
            "/help",
            ":press 1",
            ":as 9",
            ":file",
            f":file {missing}",
            ":bogus",
            ":as 管理员",
            "/help",
        ],
    )
    assert code == 0  # the end of input ends the session like :quit
    start = script.output(0)
    assert "ordos-2020" in start and "示例单位 51 个" in start
    assert "1. 准格尔旗（旗区）" in start
    assert "2. 鄂尔多斯市卫生健康委员会（市直部门）" in start
    assert "3. 成吉思汗陵旅游区管理委员会（开发区（园区））" in start
    liaison_help = script.output(1)
    assert "信息员可以" in liaison_help and "管理员可以" not in liaison_help
    assert script.output(2) == "最近的消息里没有按钮"
    assert "没有身份 9" in script.output(3)
    assert script.output(4) == "用法：:file <路径> [说明文字]"
    assert f"无法读取文件 {missing}" in script.output(5)
    assert "未知的终端命令 :bogus" in script.output(6)
    admin_help = script.output(8)
    assert "管理员可以" in admin_help and admin_help.endswith("已退出沙盒。")


async def test_a_ruleset_without_a_demo_roster_is_refused(tmp_path: Path) -> None:
    own = tmp_path / "own.toml"
    own.write_text(
        builtin_ruleset_text("dengkou-2024").replace('id = "dengkou-2024"', 'id = "own"', 1),
        "utf-8",
    )
    with pytest.raises(DomainError) as refused:
        await run(tmp_path, str(own), [":quit"])
    assert refused.value.code == "sandbox_no_roster"


def test_command_line_sandbox(tmp_path: Path) -> None:
    env = python_env({k: v for k, v in os.environ.items() if not k.startswith("GOVINFO_")})
    env["GOVINFO_REQUIRE_APPROVAL"] = "false"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox"],
        input="/help\n:quit\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        # A deadline, not a measure: it ends as soon as the sandbox has quit (a process
        # started on a machine at load 25 took over 30 s).
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # Piped input is echoed after the prompt, so the output reads as a chat.
    assert "巴彦高勒镇> /help" in done.stdout
    # The setting reaches the sandbox's bot, and the introduction says so.
    assert "审核：关闭" in done.stdout
    assert "信息员可以" in done.stdout and "已退出沙盒。" in done.stdout
    assert not done.stderr


def _sent_number(script: Script) -> int:
    """The number of the message the person typed last, as the sandbox printed it."""
    sent = re.findall(r"（已发送 #(\d+)", "\n".join(script.chunks[-1]))
    return int(sent[-1])


async def test_time_moves_the_bots_clock_through_a_months_scheduled_work(
    tmp_path: Path,
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    # The month's next quota runs from now, whatever day the test runs on: a reminder, the
    # final warning after it, and the settlement after that.
    plan = Plan(settings, quota=True)
    runs = runs_between(KINDS.values(), plan, settings.now(), settings.now() + timedelta(days=70))
    reminder = next(r for r in runs if r.job is QUOTA_REMINDER)
    warning = next(r for r in runs if r.job is FINAL_WARNING and r.subject == reminder.subject)
    settlement = next(r for r in runs if r.job is SETTLEMENT and r.due_at > warning.due_at)

    def at(run: Run) -> str:
        return f":time {run.due_at:%Y-%m-%d %H:%M}"

    code, script = await run(
        tmp_path,
        "dengkou-2024",
        [
            at(reminder),
            # Another unit submits inside the month: a month with nothing submitted is not settled.
            ":as 2",
            "县民委召开民族团结工作会议",
            lambda s: f":reply {_sent_number(s)} /submit 民族团结工作会议",
            ":as 1",
            at(warning),
            f":time {settlement.due_at:%Y-%m-%d}",
            ":time 2020-01-01",
            ":time 明天",
            ":time",
            ":quit",
        ],
    )
    assert code == 0
    assert ":time" in script.output(0)
    assert reminder.subject is not None
    month = reminder.subject.name
    reminded = script.output(1)
    assert f"机器人的时钟：{reminder.due_at:%Y-%m-%d %H:%M}" in reminded
    assert "【报送提醒】巴彦高勒镇：" in reminded and month in reminded
    assert "已记录报送（#1）：民族团结工作会议" in script.output(4)
    warned = script.output(6)
    assert f"机器人的时钟：{warning.due_at:%Y-%m-%d %H:%M}" in warned
    assert "【扣分预警】" in warned and "巴彦高勒镇本月已报送信息 0 条" in warned
    assert "【报送提醒】" not in warned
    settled = script.output(7)
    # A date alone moves to the scheduled time of day.
    assert f"机器人的时钟：{settlement.due_at:%Y-%m-%d %H:%M}" in settled
    assert "【提醒函】巴彦高勒镇：" in settled and month in settled
    # The admin has the settlement's list.
    assert "（管理员 收到" in settled
    assert "只能向后拨" in script.output(8)
    assert ":time [YYYY-MM-DD [HH:MM]]" in script.output(9)
    assert script.output(10).startswith(f"机器人的时钟：{settlement.due_at:%Y-%m-%d}")


async def test_bulletin_sends_the_word_draft_and_offers_publishing_only_for_a_period_over(
    tmp_path: Path,
) -> None:
    today = Settings(_env_file=None).now().date()  # type: ignore[call-arg]
    current = quarter_of(today)
    last = quarter_of(current.start - timedelta(days=1))
    code, script = await run(
        tmp_path, "dengkou-2024", [":as 管理员", f"/bulletin {current.label}", "/bulletin"]
    )
    assert code == 0
    running = script.output(2)
    # The sandbox names an office, so the Word draft comes too, and no English setting is named.
    assert f"{current.name} 通报草稿（docx）" in running
    assert f"{current.name} 通报草稿（xlsx）" in running
    assert "GOVINFO_OFFICE_NAME" not in running
    assert f"{current.name} 到 {current.end.isoformat()} 才结束" in script.joined(2)
    assert "发布" not in running.replace("才能发布", "")
    ended = script.output(3)
    assert f"{last.name} 通报草稿（docx）" in ended
    assert "[1] 发布  [2] 暂不发布" in ended


def test_only_the_sandbox_moves_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # No environment variable reaches the offset: a real bot reads the real clock.
    for name in ("GOVINFO_CLOCK_OFFSET", "GOVINFO__CLOCK_OFFSET", "GOVINFO_CLOCK"):
        monkeypatch.setenv(name, "P30D")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert abs(settings.now() - datetime.now(settings.zone)) < timedelta(minutes=1)
    # The sandbox moves its own copy of the settings, not the ones it was given.
    copy = settings.model_copy()
    copy.move_clock(settings.now() + timedelta(days=30))
    assert copy.now() - settings.now() > timedelta(days=29)
    assert abs(settings.now() - datetime.now(settings.zone)) < timedelta(minutes=1)
