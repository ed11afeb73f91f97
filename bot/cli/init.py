"""`govinfo-bot init`: a database made, or checked, with its ruleset."""

from __future__ import annotations

import argparse

from bot import render, texts
from bot.cli.common import with_store
from bot.settings import Settings
from bot.storage import Store, shown
from bot.usecases.setup import initialize, newer_method


def declare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ruleset", required=True, help="内置规则集编号（ordos-2020、dengkou-2024）或规则文件"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        ruleset, changed = await initialize(store, args.ruleset)
        template = texts.INIT_DONE if changed else texts.INIT_SAME
        print(template.format(db=shown(settings.db), ruleset=ruleset.id, name=ruleset.name))
        if newer := await newer_method(store):
            print(render.rule_changes_text(ruleset.id, newer), end="")
        return 0

    return with_store(settings, work)
