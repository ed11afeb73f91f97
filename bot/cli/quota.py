"""`govinfo-bot quota settle`: a month's quota settled, or what settling it would do."""

from __future__ import annotations

import argparse

from bot import render, texts
from bot.cli.common import actor, with_store
from bot.settings import Settings
from bot.storage import Store
from bot.usecases.quota import MonthSettled, settle_quota
from scoring.periods import read_month
from scoring.points import show_points


def declare(parser: argparse.ArgumentParser) -> None:
    quota = parser.add_subparsers(dest="quota_command", required=True)
    settle = quota.add_parser("settle", help="结算一个月的报送任务")
    settle.add_argument("--month", required=True, help="月份，如 2024年5月、上月、2024-05")
    settle.add_argument("--dry-run", action="store_true", help="只显示将要写入的内容，不保存")
    settle.add_argument(
        "--allow-empty", action="store_true", help="该月确实没有任何报送时，仍然结算"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.now()
    month = read_month(args.month, now.date())

    async def settle(store: Store) -> int:
        done = await settle_quota(
            store, month, actor(), now, allow_empty=args.allow_empty, dry_run=args.dry_run
        )
        _print_settlement(done, dry_run=args.dry_run)
        return 0

    return with_store(settings, settle)


def _print_settlement(done: MonthSettled, *, dry_run: bool) -> None:
    """What a settlement did, or with `dry_run` what it would do, in words that say which."""
    if dry_run:
        print(texts.DRY_RUN)
    month = done.month.name
    if done.again:
        if not done.changes and not done.quota_changes:
            print(texts.SETTLED_NOTHING_NEW.format(month=month))
            return
        print((texts.SETTLED_AGAIN_DRY if dry_run else texts.SETTLED_AGAIN).format(month=month))
    else:
        settled = texts.SETTLED_DRY if dry_run else texts.SETTLED
        print(settled.format(month=month, settled=len(done.settled), missed=len(done.missed)))
        outcomes = texts.OUTCOME_DRY if dry_run else texts.OUTCOME
        for s in done.missed:
            print(
                texts.SETTLED_ROW.format(
                    unit=s.unit, group=s.group, submissions=s.submissions, quota=s.quota,
                    outcome=outcomes[s.outcome.value] if s.points else texts.OUTCOME_NO_PENALTY,
                    points=show_points(s.points) if s.points else "",
                ).rstrip()
            )  # fmt: skip
    later = [c for c in done.changes if done.again or c.month != done.month]
    if later:
        head = texts.RESETTLED_HEAD_DRY if dry_run else texts.RESETTLED_HEAD
        print(render.render_changes(head, later))
    # What changed: a first settlement without a penalty (a unit at its quota, or a quota
    # that deducts nothing) changed nothing to tell.
    changed = [c for c in done.quota_changes if c.before is not None or c.after_points]
    if changed:
        head = texts.QUOTAS_SETTLED_DRY if dry_run else texts.QUOTAS_SETTLED
        print(render.render_changes(head, changed))
