"""`govinfo-bot rules`: a ruleset file checked, a ruleset shown."""

from __future__ import annotations

import argparse

from bot import render, texts
from bot.cli.common import with_store
from bot.settings import Settings
from bot.storage import Store
from bot.usecases.setup import newer_method
from scoring.ruleset import load_ruleset


def declare(parser: argparse.ArgumentParser) -> None:
    rules = parser.add_subparsers(dest="rules_command", required=True)
    check = rules.add_parser("check", help="检查一个规则文件")
    check.add_argument("file", metavar="规则文件")
    show = rules.add_parser("show", help="显示当前规则集")
    show.add_argument("--ruleset", help="显示指定的规则集，而不是数据库中的")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.rules_command == "check":
        r = load_ruleset(args.file)
        print(
            texts.RULES_OK.format(
                ruleset=r.id,
                name=r.name,
                items=len(r.items),
                modifiers=len(r.modifiers),
                groups=len(r.groups),
            )
        )
        return 0
    if args.ruleset:
        print(render.ruleset_text(load_ruleset(args.ruleset)), end="")
        return 0

    async def show(store: Store) -> int:
        async with store.reading() as tx:
            ruleset = await tx.config.ruleset()
        print(render.ruleset_text(ruleset), end="")
        if newer := await newer_method(store):
            print("\n" + render.rule_changes_text(ruleset.id, newer), end="")
        return 0

    return with_store(settings, show)
