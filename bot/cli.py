"""The `govinfo-bot` command line: set up a database, import, settle and print standings."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import secrets
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from bot import logs, render, texts
from bot.jobs.calendar import Job, runs_between
from bot.settings import Settings
from bot.storage import Store
from bot.usecases import commissions
from bot.usecases.imports import import_records, import_units
from bot.usecases.quota import settle_quota
from bot.usecases.setup import initialize
from bot.usecases.standings import standings
from bot.usecases.verify import verify
from scoring.errors import DomainError
from scoring.periods import parse_month, parse_period
from scoring.ruleset import load_ruleset

log = logging.getLogger("govinfo-bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govinfo-bot", description="政务信息报送与采用考评")
    parser.add_argument(
        "--db", help="数据库文件（默认取环境变量 GOVINFO_DB，或 ./govinfo.sqlite3）"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser("init", help="初始化数据库并选定规则集")
    init.add_argument(
        "--ruleset", required=True, help="内置规则集编号（ordos-2020、dengkou-2024）或规则文件"
    )

    rules = commands.add_parser("rules", help="规则集").add_subparsers(
        dest="rules_command", required=True
    )
    check = rules.add_parser("check", help="检查一个规则文件")
    check.add_argument("file")
    show = rules.add_parser("show", help="显示当前规则集")
    show.add_argument("--ruleset", help="显示指定的规则集，而不是数据库中的")

    units = commands.add_parser("units", help="单位名单").add_subparsers(
        dest="units_command", required=True
    )
    units.add_parser(
        "import", help="导入单位名单（CSV 或 XLSX：name,group[,aliases]）"
    ).add_argument("file")

    records = commands.add_parser("records", help="记录").add_subparsers(
        dest="records_command", required=True
    )
    records.add_parser("import", help="导入记录（CSV 或 XLSX）").add_argument("file")

    quota = commands.add_parser("quota", help="月度报送任务").add_subparsers(
        dest="quota_command", required=True
    )
    settle = quota.add_parser("settle", help="结算一个月的报送任务")
    settle.add_argument("--month", required=True, help="月份，如 2024-05")

    table = commands.add_parser("standings", help="排名")
    table.add_argument(
        "--period", required=True, help="2024-05、2024Q2、2024 或 2024-04-01..2024-06-30"
    )
    table.add_argument("--group", action="append", help="只看某个分组（可重复）")
    table.add_argument("--format", choices=render.FORMATS, default="text")
    table.add_argument("--out", help="写入文件而不是标准输出（xlsx 必须指定）")
    commands.add_parser("jobs", help="定时任务：最近的执行记录和接下来的安排")
    commands.add_parser(
        "verify", help="核验数据库：文件完整性、积分流水的哈希链、各项累计与流水是否一致"
    )
    run = commands.add_parser("run", help="运行机器人（需要 GOVINFO_BOT_TOKEN）")
    run.add_argument("--or-sandbox", action="store_true", help="没有令牌时改为启动本地沙盒")
    run.add_argument(
        "--webhook", metavar="URL", help="使用 webhook 而不是长轮询：对外的 HTTPS 地址"
    )
    run.add_argument("--port", type=int, default=8443, help="webhook 监听端口（默认 8443）")
    run.add_argument("--listen", default="0.0.0.0", help="webhook 监听地址（默认 0.0.0.0）")
    run.add_argument("--secret", help="webhook 的 secret token（Telegram 会在每个请求中带上）")

    sandbox = commands.add_parser("sandbox", help="不连接 Telegram，在终端里试用机器人")
    sandbox.add_argument("--ruleset", default=None, help="规则集（默认取 GOVINFO_RULESET）")
    return parser


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


async def _with_store(settings: Settings, work: Callable[[Store], Awaitable[int]]) -> int:
    store = await Store.open(settings.db)
    try:
        return await work(store)
    finally:
        await store.close()


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.now()
    match args.command:
        case "init":

            async def work(store: Store) -> int:
                ruleset, changed = await initialize(store, args.ruleset)
                template = texts.INIT_DONE if changed else texts.INIT_SAME
                print(template.format(db=settings.db, ruleset=ruleset.id, name=ruleset.name))
                return 0

            return await _with_store(settings, work)
        case "rules" if args.rules_command == "check":
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
        case "rules":
            if args.ruleset:
                print(render.ruleset_text(load_ruleset(args.ruleset)), end="")
                return 0

            async def show(store: Store) -> int:
                async with store.reading() as tx:
                    ruleset = await tx.ruleset()
                print(render.ruleset_text(ruleset), end="")
                return 0

            return await _with_store(settings, show)
        case "units":

            async def units(store: Store) -> int:
                done = await import_units(store, args.file, _actor(), now)
                print(
                    texts.UNITS_IMPORTED.format(
                        added=done.added, updated=done.updated, total=done.total
                    )
                )
                return 0

            return await _with_store(settings, units)
        case "records":

            async def records(store: Store) -> int:
                done = await import_records(store, args.file, _actor(), now)
                print(texts.RECORDS_IMPORTED.format(**done.__dict__))
                return 0

            return await _with_store(settings, records)
        case "quota":
            month = parse_month(args.month)

            async def settle(store: Store) -> int:
                done = await settle_quota(store, month, _actor(), now)
                if not done.settled:
                    print(texts.SETTLED_NOTHING_NEW.format(month=month.label))
                    return 0
                print(
                    texts.SETTLED.format(
                        month=month.label, settled=len(done.settled), missed=len(done.penalised)
                    )
                )
                for s in done.penalised:
                    print(
                        texts.SETTLED_ROW.format(
                            unit=s.unit,
                            group=s.group,
                            submissions=s.submissions,
                            quota=s.quota,
                            outcome=texts.OUTCOME[s.outcome.value],
                            points=s.points,
                        )
                    )
                return 0

            return await _with_store(settings, settle)
        case "standings":
            return await _with_store(settings, lambda store: _standings(store, args))
        case "jobs":
            return await _with_store(settings, lambda store: _jobs(store, settings))
        case "verify":

            async def check(store: Store) -> int:
                done = await verify(store)
                print(texts.VERIFY_OK.format(lines=done.lines, sums=done.sums))
                return 0

            return await _with_store(settings, check)
    raise AssertionError(args.command)


# How far ahead `govinfo-bot jobs` looks, and how much it shows.
JOBS_AHEAD = timedelta(days=62)
JOBS_SHOWN = 10


async def _jobs(store: Store, settings: Settings) -> int:
    """What the scheduler made lately and what it will make next."""
    now = settings.now()
    async with store.reading() as tx:
        ruleset = await tx.ruleset()
        recent = await tx.recent_job_runs(JOBS_SHOWN)
        open_ones = await commissions.open_commissions(tx)
    print(texts.JOBS_RECENT)
    for job, period, ran_at, outcome, detail in recent:
        print(
            texts.JOBS_RECENT_LINE.format(
                ran=ran_at[:16].replace("T", " "), job=texts.JOB_NAMES[job], period=period,
                outcome=texts.JOB_OUTCOMES[outcome], detail=detail,
            ).rstrip()
        )  # fmt: skip
    if not recent:
        print(texts.JOBS_NONE)
    upcoming = runs_between(settings, ruleset, open_ones, now, now + JOBS_AHEAD)
    # The daily check would fill the list: it gets a line of its own.
    checks = [run for run in upcoming if run.job is Job.LEDGER_CHECK]
    upcoming = [run for run in upcoming if run.job is not Job.LEDGER_CHECK]
    print(texts.JOBS_UPCOMING)
    for run in upcoming[:JOBS_SHOWN]:
        print(
            texts.JOBS_UPCOMING_LINE.format(
                due=run.due_at.strftime("%Y-%m-%d %H:%M"),
                weekday=texts.WEEKDAYS[run.due_at.weekday()],
                job=texts.JOB_NAMES[run.job],
                period=run.period,
            )
        )
    if checks:
        print(
            texts.JOBS_DAILY_CHECK.format(
                time=checks[0].due_at.strftime("%H:%M"),
                due=checks[0].due_at.strftime("%Y-%m-%d"),
                weekday=texts.WEEKDAYS[checks[0].due_at.weekday()],
            )
        )
    return 0


async def _standings(store: Store, args: argparse.Namespace) -> int:
    period = parse_period(args.period)
    ruleset, table = await standings(store, period, args.group)
    if args.format == "xlsx":
        if not args.out:
            raise DomainError("xlsx_needs_out")
        Path(args.out).write_bytes(render.standings_xlsx(ruleset, table))
        print(texts.STANDINGS_WRITTEN.format(path=args.out))
        return 0
    if args.format == "json":
        output = render.standings_json(table)
    elif args.format == "csv":
        output = render.standings_csv(ruleset, table)
    else:
        output = render.standings_text(ruleset, table)
    if args.out:
        Path(args.out).write_text(output, "utf-8")
        print(texts.STANDINGS_WRITTEN.format(path=args.out))
    else:
        sys.stdout.write(output)
    return 0


def _run_bot(args: argparse.Namespace, settings: Settings) -> int:
    if settings.bot_token is None:
        if args.or_sandbox:
            return _sandbox(settings, None)
        print(texts.TOKEN_MISSING, file=sys.stderr)
        return 1
    from telegram.error import InvalidToken

    from bot.app import build_application
    from bot.runner import Webhook, serve

    logs.setup(settings.log_level, settings.bot_token.get_secret_value())
    webhook = None
    if args.webhook:
        # Without a secret anyone who learns the URL could post updates "from" an admin;
        # Telegram is given the secret by setWebhook, so a generated one works just as well.
        secret = args.secret or secrets.token_urlsafe(32)
        webhook = Webhook(args.webhook, args.listen, args.port, secret)
    try:
        asyncio.run(serve(build_application(settings), webhook))
    except InvalidToken:
        print(texts.TOKEN_REJECTED, file=sys.stderr)
        return 1
    except Exception:
        # Through logging, so that the token is taken out of the traceback.
        log.exception("the bot stopped on an error")
        return 1
    return 0


def _sandbox(settings: Settings, ruleset: str | None) -> int:
    from bot.sandbox import run_sandbox

    return asyncio.run(run_sandbox(settings, ruleset or settings.ruleset))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        fields = ", ".join(f"GOVINFO_{str(e['loc'][0]).upper()}" for e in exc.errors() if e["loc"])
        print(texts.SETTINGS_INVALID.format(fields=fields), file=sys.stderr)
        return 1
    if args.db:
        settings = settings.model_copy(update={"db": Path(args.db)})
    if args.command == "run":
        return _run_bot(args, settings)
    if args.command == "sandbox":
        return _sandbox(settings, args.ruleset)
    try:
        return asyncio.run(_run(args, settings))
    except DomainError as err:
        for line in texts.domain_error_lines(err):
            print(line, file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as exc:
        print(texts.STORAGE_FAILED.format(db=settings.db, detail=exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
