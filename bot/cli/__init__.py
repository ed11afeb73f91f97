"""The `govinfo-bot` command line: set up a database, import, settle and print standings.

Each command is a module of this package, `bot/cli/<command>.py`, that declares the command's
arguments (`declare`) and runs it (`run`). A module is imported only when its command is given,
so that `records import --help` or `rules check` loads neither python-telegram-bot nor the
bulletin's libraries; the list below names every command and its line in `govinfo-bot --help`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from bot import texts
from bot.settings import Settings
from bot.storage import check_url, is_postgres
from scoring.errors import DomainError
from scoring.text import clean_text

# Every command, in the order `govinfo-bot --help` lists them, with its line there.
COMMANDS = {
    "init": "初始化数据库并选定规则集",
    "rules": "规则集",
    "units": "单位名单",
    "records": "记录",
    "template": "生成可直接填写、导入的 Excel 模板",
    "quota": "月度报送任务",
    "period": "锁定已公布的期间",
    "standings": "排名",
    "bulletin": "通报：草稿（docx、xlsx、json 或 pdf）、发布、已发布的版本",
    "jobs": "定时任务：最近的执行记录和接下来的安排",
    "verify": texts.VERIFY_HELP,
    "db": texts.DB_HELP,
    "run": "运行机器人（需要 GOVINFO_BOT_TOKEN）",
    "sandbox": "不连接 Telegram，在终端里试用机器人",
    "web": texts.WEB_HELP,
    "users": texts.USERS_HELP,
}


def _chinese(message: str) -> str:
    return texts.ARGPARSE.get(message, message)


# argparse says its own words (usage, errors, the help option) through a module-level gettext
# function: pointed at our table, the whole command line speaks Chinese.
argparse._ = _chinese  # type: ignore[attr-defined]


def command_module(name: str) -> ModuleType:
    return import_module(f"{__name__}.{name}")


class _CommandParser(argparse.ArgumentParser):
    """A command's parser, given its arguments by the command's module only once argparse
    reaches the command: the other commands' modules are never imported."""

    def __init__(self, *, command: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # None for the sub-commands a module declares itself (`records import`).
        self._command = command

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._command is not None:
            command_module(self._command).declare(self)
            self._command = None
        return super().parse_known_args(args, namespace)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govinfo-bot", description="政务信息报送与采用考评")
    parser.add_argument(
        "--db", help="数据库文件（默认取环境变量 GOVINFO_DB，或 ./govinfo.sqlite3）"
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser
    )
    for name, line in COMMANDS.items():
        commands.add_parser(name, help=line, command=name)
    return parser


# Options that carry words people type (a reason, a group, a sheet's name, an issue number),
# cleaned as chat and files are (scoring.text); paths are left as the system names them.
_TEXT_OPTIONS = ("reason", "group", "sheet", "issue")


def _clean_text_options(args: argparse.Namespace) -> None:
    for name in _TEXT_OPTIONS:
        value = getattr(args, name, None)
        if isinstance(value, str):
            setattr(args, name, clean_text(value))
        elif isinstance(value, list):
            setattr(args, name, [clean_text(v) for v in value])


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _clean_text_options(args)
    try:
        settings = Settings()
    except ValidationError as exc:
        fields = ", ".join(f"GOVINFO_{str(e['loc'][0]).upper()}" for e in exc.errors() if e["loc"])
        print(texts.SETTINGS_INVALID.format(fields=fields), file=sys.stderr)
        return 1
    if args.db:
        settings = settings.model_copy(update={"db": args.db})
    try:
        # Before anything starts: a misread URL would connect with the wrong password, or fail
        # deep in the driver.
        if is_postgres(settings.db):
            check_url(settings.db)
        code: int = command_module(args.command).run(args, settings)
    except DomainError as err:
        for line in texts.domain_error_lines(err):
            print(line, file=sys.stderr)
        return 1
    return code
