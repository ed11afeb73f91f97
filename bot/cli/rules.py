"""`govinfo-bot rules`: a ruleset file checked, a ruleset shown, the methods over time listed,
a new method adopted from a date."""

from __future__ import annotations

import argparse
import sys

from bot import render, texts
from bot.cli.common import actor, with_store
from bot.settings import Settings
from bot.storage import Store
from bot.usecases.methods import Adopted, adopt, methods
from bot.usecases.setup import newer_method
from scoring.dates import read_day
from scoring.points import show_points
from scoring.ruleset import load_ruleset


def declare(parser: argparse.ArgumentParser) -> None:
    rules = parser.add_subparsers(dest="rules_command", required=True)
    check = rules.add_parser("check", help="检查一个规则文件")
    check.add_argument("file", metavar="规则文件")
    show = rules.add_parser("show", help="显示当前规则集")
    show.add_argument("--ruleset", help="显示指定的规则集，而不是数据库中的")
    show.add_argument("--at", help="显示某日施行的考核办法，如 2024-05-06（默认：最新的）")
    rules.add_parser("list", help="列出数据库用过的每个考核办法及其施行日期")
    adopt_ = rules.add_parser("adopt", help="自某日起采用新的考核办法（已存储的记录重新计分）")
    adopt_.add_argument("file", metavar="规则文件")
    adopt_.add_argument(
        "--from", dest="start", help="施行日期，如 2024-07-01（默认：文件的生效日期）"
    )
    adopt_.add_argument("--yes", action="store_true", help="不再询问，直接执行")


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
    if args.rules_command == "list":
        return with_store(settings, _list)
    if args.rules_command == "adopt":
        return _adopt(args, settings)
    if args.ruleset:
        print(render.ruleset_text(load_ruleset(args.ruleset)), end="")
        return 0
    today = settings.now().date()
    day = read_day(args.at, today) if args.at else None

    async def show(store: Store) -> int:
        known = await methods(store)
        ruleset = known.latest if day is None else known.at(day)
        print(render.ruleset_text(ruleset), end="")
        # What today's text of a built-in would change concerns the first method only.
        if ruleset is known.methods[0].ruleset and (newer := await newer_method(store)):
            print("\n" + render.rule_changes_text(ruleset.id, newer), end="")
        return 0

    return with_store(settings, show)


async def _list(store: Store) -> int:
    known = await methods(store)
    rows = [
        [
            m.start.isoformat() if m.start else texts.METHOD_FROM_START,
            m.ruleset.id,
            m.ruleset.name,
            m.source or texts.METHOD_FIRST_SOURCE,
        ]
        for m in known.methods
    ]
    print("\n".join(render.table(texts.METHODS_HEAD, rows)))
    return 0


def _adopt(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.now()
    start = read_day(args.start, now.date()) if args.start else None

    async def work(store: Store) -> int:
        # Worked out first and shown; kept only once confirmed (--yes, or yes at the prompt).
        done = await adopt(store, args.file, start, actor(), now, confirmed=args.yes)
        _print_adopted(done)
        if not done.dry_run:
            return 0
        if not sys.stdin.isatty():
            print(texts.METHOD_NOT_CONFIRMED)
            return 1
        if input(texts.METHOD_CONFIRM).strip().lower() != "yes":
            print(texts.METHOD_NOT_CONFIRMED)
            return 1
        done = await adopt(store, args.file, start, actor(), now, confirmed=True)
        _print_adopted(done)
        return 0

    return with_store(settings, work)


def _print_adopted(done: Adopted) -> None:
    r = done.ruleset
    if done.same_as is not None:
        stored = done.same_as.start
        print(
            texts.METHOD_SAME.format(
                ruleset=done.same_as.ruleset.id,
                start=stored.isoformat() if stored else texts.METHOD_FROM_START,
            )
        )
        return
    head = texts.METHOD_ADOPT_DRY if done.dry_run else texts.METHOD_ADOPTED
    print(head.format(ruleset=r.id, name=r.name, start=done.start.isoformat()))
    if done.settlement_changes:
        heading = texts.RESETTLED_HEAD_DRY if done.dry_run else texts.RESETTLED_HEAD
        print(render.render_changes(heading, done.settlement_changes))
    if not done.changes:
        print(texts.METHOD_NO_CHANGE)
        return
    print(texts.METHOD_CHANGES_HEAD_DRY if done.dry_run else texts.METHOD_CHANGES_HEAD)
    for c in done.changes:
        print(
            texts.METHOD_CHANGE_LINE.format(
                record=c.record_id, date=c.day.isoformat(), unit=c.unit, item=c.item,
                before=show_points(c.before), after=show_points(c.after),
            )
        )  # fmt: skip
