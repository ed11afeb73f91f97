"""`govinfo-bot sandbox`: the bot in the terminal, on the project's own fake Bot API."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import Settings


def declare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ruleset", default=None, help="规则集（默认取 GOVINFO_RULESET）")


def run(args: argparse.Namespace, settings: Settings) -> int:
    return sandbox(settings, args.ruleset)


def sandbox(settings: Settings, ruleset: str | None) -> int:
    # Imported when the sandbox starts: `run`, which imports this module, may never need it.
    from bot.telegram.sandbox import run_sandbox

    return asyncio.run(run_sandbox(settings, ruleset or settings.ruleset))
