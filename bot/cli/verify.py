"""`govinfo-bot verify`: the database file, the ledger's keyed chain, its sums, statuses, locks."""

from __future__ import annotations

import argparse

from bot import texts
from bot.cli.common import print_verified, with_store
from bot.settings import Settings
from bot.storage import Store
from bot.usecases.verify import parse_anchor, verify


def declare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--anchor", help=texts.VERIFY_ANCHOR_HELP)


def run(args: argparse.Namespace, settings: Settings) -> int:
    anchor = parse_anchor(args.anchor) if args.anchor else None

    async def check(store: Store) -> int:
        print_verified(store, await verify(store, anchor))
        if anchor is not None:
            print(texts.VERIFY_ANCHOR_OK.format(anchor=anchor, line=anchor.line))
        async with store.bot_autocommit() as tx:
            if aside := await tx.intake.set_aside_count():
                print(texts.VERIFY_SET_ASIDE.format(count=aside))
        return 0

    return with_store(settings, check)
