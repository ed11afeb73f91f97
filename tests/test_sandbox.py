"""The sandbox: the real bot on the fake Bot API server with a demo roster, talked to through the
terminal chat by scripted lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox import sandbox_session
from bot.settings import Settings
from scoring.errors import DomainError
from scoring.ruleset import builtin_ruleset_text


class Script:
    """Types the given lines one by one and keeps what the sandbox printed after each of them."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = iter(lines)
        self.chunks: list[list[str]] = [[]]  # [start-up, after line 1, after line 2, ...]

    async def read_line(self, prompt: str) -> str | None:
        line = next(self.lines, None)
        if line is not None:
            self.chunks.append([])
        return line

    def write(self, text: str) -> None:
        self.chunks[-1].append(text)

    def output(self, step: int) -> str:
        """What was printed before any input (0), or after the step-th line typed."""
        return "\n".join(self.chunks[step])


async def run(
    tmp_path: Path, ruleset: str, lines: list[str], *, require_approval: bool = True
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
    assert summary.startswith("🤖 请确认申报") and "合计 18 分" in summary
    assert "[1] ✅ 确认提交  [2] 取消" in summary

    confirmed = script.output(2)
    assert "👆 ✅ 确认提交" in confirmed
    assert "✏️ 请确认申报" in confirmed and "等待信息室审核" in confirmed
    assert "（管理员 收到 1 条新消息，:as 管理员 查看）" in confirmed

    request = script.output(3)
    assert "现在你是 管理员 信息室" in request
    assert "新的采用申报 #1" in request and "单位：巴彦高勒镇（王芳）" in request
    assert "[1] ✅ 确认  [2] ❌ 驳回" in request

    approved = script.output(4)
    assert "✅ 已确认（信息室）" in approved
    assert "（巴彦高勒镇 收到 1 条新消息，:as 1 查看）" in approved

    told = script.output(5)
    assert "现在你是 巴彦高勒镇 的信息员 王芳" in told and "已确认，得 18 分" in told
    me = script.output(6)
    assert "巴彦高勒镇 的情况" in me and "得分 18，组内第 1 名" in me
    rank = script.output(7)
    # The parsed text is shown, not the HTML the bot sent.
    assert "▶" in rank and "巴彦高勒镇" in rank and "<pre>" not in rank
    assert script.output(8) == "已退出沙盒。"


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
    assert "得分 18，组内第 1 名" in script.output(3)


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
    assert script.output(4) == "用法：:file <路径>"
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
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOVINFO_")}
    env["GOVINFO_REQUIRE_APPROVAL"] = "false"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox"],
        input="/help\n:quit\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    # Piped input is echoed after the prompt, so the output reads as a chat.
    assert "巴彦高勒镇> /help" in done.stdout
    # The setting reaches the sandbox's bot, and the introduction says so.
    assert "审核：关闭" in done.stdout
    assert "信息员可以" in done.stdout and "已退出沙盒。" in done.stdout
    assert not done.stderr
