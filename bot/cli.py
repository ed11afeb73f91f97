"""The `govinfo-bot` command line: set up a database, import, settle and print standings."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from bot import bulletin as bulletin_files
from bot import logs, render, texts
from bot.jobs import registry
from bot.jobs.kind import Plan, runs_between
from bot.settings import Settings
from bot.sheets import CSV_ENCODINGS, csv_bytes
from bot.storage import STORAGE_ERRORS, Store, password_of, shown
from bot.storage.dsn import check_url
from bot.storage.postgres import is_postgres
from bot.storage.verify import Verified
from bot.templates import KINDS, records_template, units_template
from bot.usecases import commissions, periods
from bot.usecases.copy import copy_database
from bot.usecases.imports import Existing, import_records, import_units
from bot.usecases.quota import MonthSettled, settle_quota
from bot.usecases.setup import initialize, newer_method
from bot.usecases.standings import standings
from bot.usecases.verify import parse_anchor, verify
from scoring.dates import read_day
from scoring.errors import DomainError
from scoring.periods import Period, check_period, parse_period, read_month, read_period
from scoring.ruleset import load_ruleset
from scoring.text import clean_text

log = logging.getLogger("govinfo-bot")


def _chinese(message: str) -> str:
    return texts.ARGPARSE.get(message, message)


# argparse says its own words (usage, errors, the help option) through a module-level gettext
# function: pointed at our table, the whole command line speaks Chinese.
argparse._ = _chinese  # type: ignore[attr-defined]


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
    check.add_argument("file", metavar="规则文件")
    show = rules.add_parser("show", help="显示当前规则集")
    show.add_argument("--ruleset", help="显示指定的规则集，而不是数据库中的")

    units = commands.add_parser("units", help="单位名单").add_subparsers(
        dest="units_command", required=True
    )
    units_import = units.add_parser(
        "import",
        help="导入单位名单（CSV 或 XLSX：单位名称、分组[、别名]，或 name,group[,aliases]）",
    )
    units_import.add_argument("file", metavar="文件")
    units_import.add_argument("--sheet", help="XLSX 中要读取的工作表（默认：第一个有表头的工作表）")

    records = commands.add_parser("records", help="记录").add_subparsers(
        dest="records_command", required=True
    )
    records_import = records.add_parser(
        "import",
        help="导入记录（CSV 或 XLSX）",
        description=texts.RECORDS_IMPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    records_import.add_argument("file", metavar="文件")
    records_import.add_argument(
        "--sheet", help="XLSX 中要读取的工作表（默认：第一个有表头的工作表）"
    )
    existing = records_import.add_mutually_exclusive_group()
    existing.add_argument(
        "--skip-existing",
        action="store_true",
        help="只导入数据库中还没有的行（跳过已存储的记录，如重新导入不断追加的登记表）",
    )
    existing.add_argument(
        "--allow-duplicates",
        action="store_true",
        help="每一行都作为新记录存储，即使与已存储的记录相同",
    )
    records_import.add_argument(
        "--dry-run", action="store_true", help="只显示将要导入和拒绝的内容，不保存"
    )
    records_import.add_argument(
        "--year", type=int, help="没有写年份的日期（如 6月10日）所属的年份，如 2024"
    )

    template = commands.add_parser("template", help="生成可直接填写、导入的 Excel 模板")
    template.add_argument("kind", choices=KINDS, help="records：政务信息登记表；units：单位名单")
    template.add_argument("--out", help="模板文件（默认 政务信息登记表.xlsx 或 单位名单.xlsx）")

    quota = commands.add_parser("quota", help="月度报送任务").add_subparsers(
        dest="quota_command", required=True
    )
    settle = quota.add_parser("settle", help="结算一个月的报送任务")
    settle.add_argument("--month", required=True, help="月份，如 2024年5月、上月、2024-05")
    settle.add_argument("--dry-run", action="store_true", help="只显示将要写入的内容，不保存")
    settle.add_argument(
        "--allow-empty", action="store_true", help="该月确实没有任何报送时，仍然结算"
    )

    period = commands.add_parser("period", help="锁定已公布的期间").add_subparsers(
        dest="period_command", required=True
    )
    period.add_parser("lock", help="锁定一个已结束的期间").add_argument(
        "period", help="2024年第二季度、2024年5月、2024年、上季度、去年，或 2024Q2、2024-05"
    )
    reopen = period.add_parser("reopen", help="解锁一个期间（须注明原因）")
    reopen.add_argument("period")
    reopen.add_argument("--reason", required=True, help="解锁的原因，记入审计记录")
    period.add_parser("list", help="当前锁定的期间，以及全部锁定和解锁记录")

    table = commands.add_parser("standings", help="排名")
    table.add_argument(
        "--period",
        required=True,
        help="2024年第二季度、2024年5月、2024年、本月、上季度、今年，或 2024Q2、2024-05、2024-04-01..2024-06-30",
    )
    table.add_argument("--group", action="append", help="只看某个分组（可重复）")
    table.add_argument("--format", choices=render.FORMATS, default="text")
    table.add_argument("--out", help="写入文件而不是标准输出（xlsx 默认写入 排名-<期间>.xlsx）")
    table.add_argument(
        "--encoding",
        choices=CSV_ENCODINGS,
        default="utf-8",
        help="写入 CSV 文件的编码：utf-8（带 BOM，Excel 可直接打开，默认）或 gbk",
    )
    paper = commands.add_parser(
        "bulletin", help="通报：草稿（docx、xlsx、json 或 pdf）、发布、已发布的版本"
    )
    paper.add_argument(
        "action",
        nargs="?",
        choices=("draft", "publish", "list"),
        default="draft",
        help="draft：生成草稿（默认）；publish：发布并锁定期间；list：已发布的通报",
    )
    paper.add_argument(
        "--period",
        help="2024年第二季度、2024年（年度，含评先）、2024年5月、上季度等（list 不需要）",
    )
    paper.add_argument(
        "--version", type=int, help="取已发布的第几版，与发布时的文件逐字节相同（docx 或 xlsx）"
    )
    paper.add_argument("--format", choices=bulletin_files.FORMATS, default="docx")
    paper.add_argument(
        "--out",
        help="输出文件（默认 通报-<期间>.<格式>，如 通报-2024年第二季度.docx；json 默认输出到屏幕）",
    )
    paper.add_argument("--issue", help="发文字号（默认取 GOVINFO_BULLETIN_ISSUE）")
    paper.add_argument("--date", help="成文日期 YYYY-MM-DD（默认今天）")
    paper.add_argument("--template", help="通报措辞模板文件（默认取 GOVINFO_BULLETIN_TEMPLATE）")
    commands.add_parser("jobs", help="定时任务：最近的执行记录和接下来的安排")
    check = commands.add_parser("verify", help=texts.VERIFY_HELP)
    check.add_argument("--anchor", help=texts.VERIFY_ANCHOR_HELP)
    database = commands.add_parser("db", help=texts.DB_HELP).add_subparsers(
        dest="db_command", required=True
    )
    copy = database.add_parser(
        "copy",
        help=texts.DB_COPY_HELP,
        description=texts.DB_COPY_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copy.add_argument("--from", dest="source", required=True, help=texts.DB_COPY_FROM)
    copy.add_argument("--to", dest="target", required=True, help=texts.DB_COPY_TO)
    run = commands.add_parser("run", help="运行机器人（需要 GOVINFO_BOT_TOKEN）")
    run.add_argument("--or-sandbox", action="store_true", help="没有令牌时改为启动本地沙盒")
    run.add_argument(
        "--webhook", metavar="URL", help="使用 webhook 而不是长轮询：对外的 HTTPS 地址"
    )
    run.add_argument("--port", type=int, default=8443, help="webhook 监听端口（默认 8443）")
    run.add_argument("--listen", default="0.0.0.0", help="webhook 监听地址（默认 0.0.0.0）")
    run.add_argument(
        "--secret",
        help="webhook 的 secret token（Telegram 会在每个请求中带上；默认取 GOVINFO_WEBHOOK_SECRET）",
    )

    sandbox = commands.add_parser("sandbox", help="不连接 Telegram，在终端里试用机器人")
    sandbox.add_argument("--ruleset", default=None, help="规则集（默认取 GOVINFO_RULESET）")
    _add_web_commands(commands)
    return parser


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


async def _with_store(settings: Settings, work: Callable[[Store], Awaitable[int]]) -> int:
    store = await Store.open(
        settings.db, key_file=settings.ledger_key_file, key=settings.ledger_key_value
    )
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
                print(template.format(db=shown(settings.db), ruleset=ruleset.id, name=ruleset.name))
                if newer := await newer_method(store):
                    print(render.rule_changes_text(ruleset.id, newer), end="")
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
                if newer := await newer_method(store):
                    print("\n" + render.rule_changes_text(ruleset.id, newer), end="")
                return 0

            return await _with_store(settings, show)
        case "units":

            async def units(store: Store) -> int:
                done = await import_units(store, args.file, _actor(), now, args.sheet)
                print(
                    texts.UNITS_IMPORTED.format(
                        added=done.added, updated=done.updated, total=done.total
                    )
                )
                _print_totals(done.totals)
                return 0

            return await _with_store(settings, units)
        case "records":

            async def records(store: Store) -> int:
                existing = (
                    Existing.SKIP
                    if args.skip_existing
                    else Existing.ALLOW
                    if args.allow_duplicates
                    else Existing.REFUSE
                )
                done = await import_records(
                    store, args.file, _actor(), now, existing, args.sheet, year=args.year,
                    dry_run=args.dry_run,
                )  # fmt: skip
                print(
                    (texts.RECORDS_DRY if done.dry_run else texts.RECORDS_IMPORTED).format(
                        rows=done.rows, records=done.records, submissions=done.submissions,
                        entries=done.entries, points=done.points,
                    )
                )  # fmt: skip
                if done.skipped:
                    skipped = texts.RECORDS_SKIPPED_DRY if done.dry_run else texts.RECORDS_SKIPPED
                    print(skipped.format(skipped=done.skipped))
                _print_totals(done.totals)
                if done.changes:
                    head = texts.RESETTLED_HEAD_DRY if done.dry_run else texts.RESETTLED_HEAD
                    print(render.render_changes(head, done.changes))
                return 0

            return await _with_store(settings, records)
        case "quota":
            month = read_month(args.month, now.date())

            async def settle(store: Store) -> int:
                done = await settle_quota(
                    store, month, _actor(), now, allow_empty=args.allow_empty,
                    dry_run=args.dry_run,
                )  # fmt: skip
                _print_settlement(done, dry_run=args.dry_run)
                return 0

            return await _with_store(settings, settle)
        case "period":
            return await _with_store(settings, lambda store: _period(store, args, now))
        case "template":
            return await _with_store(settings, lambda store: _template(store, args, now))
        case "standings":
            return await _with_store(settings, lambda store: _standings(store, args, now))
        case "jobs":
            return await _with_store(settings, lambda store: _jobs(store, settings))
        case "bulletin":
            return await _with_store(settings, lambda store: _bulletin(store, args, settings))
        case "verify":
            anchor = parse_anchor(args.anchor) if args.anchor else None

            async def check(store: Store) -> int:
                _print_verified(store, await verify(store, anchor))
                if anchor is not None:
                    print(texts.VERIFY_ANCHOR_OK.format(anchor=anchor, line=anchor.line))
                async with store.bot_autocommit() as tx:
                    if aside := await tx.set_aside_count():
                        print(texts.VERIFY_SET_ASIDE.format(count=aside))
                return 0

            return await _with_store(settings, check)
        case "db":
            return await _copy(args.source, args.target)
        case "users":
            return await _with_store(settings, lambda store: _web_users(store, args, now))
    raise AssertionError(args.command)


def _print_verified(store: Store, done: Verified) -> None:
    ok = texts.VERIFY_OK_POSTGRES if store.dialect == "postgres" else texts.VERIFY_OK
    print(ok.format(lines=done.lines, sums=done.sums))
    print(texts.VERIFY_HEAD.format(anchor=done.head))


async def _copy(source_at: str, target_at: str) -> int:
    """`db copy`: both stores open at once, each named if it cannot be opened; the target
    verified once the copy has committed, as `verify` would."""
    if not is_postgres(source_at) and not Path(source_at).exists():
        # Opening it would make an empty database there, and copy nothing from it.
        raise DomainError("copy_source_missing", db=source_at)
    async with AsyncExitStack() as stores:
        opened = []
        for where in (source_at, target_at):
            try:
                store = await Store.open(where)
            except STORAGE_ERRORS as exc:
                print(texts.STORAGE_FAILED.format(db=shown(where), detail=exc), file=sys.stderr)
                return 1
            stores.push_async_callback(store.close)
            opened.append(store)
        source, target = opened
        try:
            copied = await copy_database(source, target)
        except STORAGE_ERRORS as exc:
            failed = texts.COPY_FAILED.format(
                source=source.display, target=target.display, detail=exc
            )
            print(failed, file=sys.stderr)
            return 1
        print(texts.COPY_DONE.format(source=source.display, target=target.display))
        for table, rows in copied.items():
            print(texts.COPY_TABLE_LINE.format(table=texts.COPY_TABLES[table], rows=rows))
        _print_verified(target, await verify(target))
    return 0


def _print_totals(lines: list[int]) -> None:
    """Total rows (合计) are left out, and said so: the office may have meant otherwise."""
    if lines:
        print(texts.TOTALS_SKIPPED.format(lines="、".join(map(str, lines))))


def _print_settlement(done: MonthSettled, *, dry_run: bool) -> None:
    """What a settlement did, or with `dry_run` what it would do, in words that say which."""
    if dry_run:
        print(texts.DRY_RUN)
    month = done.month.name
    if done.again:
        if not done.changes:
            print(texts.SETTLED_NOTHING_NEW.format(month=month))
            return
        print((texts.SETTLED_AGAIN_DRY if dry_run else texts.SETTLED_AGAIN).format(month=month))
    else:
        settled = texts.SETTLED_DRY if dry_run else texts.SETTLED
        print(settled.format(month=month, settled=len(done.settled), missed=len(done.penalised)))
        outcomes = texts.OUTCOME_DRY if dry_run else texts.OUTCOME
        for s in done.penalised:
            print(
                texts.SETTLED_ROW.format(
                    unit=s.unit, group=s.group, submissions=s.submissions, quota=s.quota,
                    outcome=outcomes[s.outcome.value], points=s.points,
                )
            )  # fmt: skip
    later = [c for c in done.changes if done.again or c.month != done.month]
    if later:
        head = texts.RESETTLED_HEAD_DRY if dry_run else texts.RESETTLED_HEAD
        print(render.render_changes(head, later))


async def _period(store: Store, args: argparse.Namespace, now: datetime) -> int:
    match args.period_command:
        case "lock":
            locked = await periods.lock(store, args.period, _actor(), "", now)
            print(texts.PERIOD_LOCKED.format(period=locked.name))
        case "reopen":
            reopened = await periods.reopen(store, args.period, args.reason, _actor(), "", now)
            print(texts.PERIOD_REOPENED.format(period=reopened.name))
        case _:
            locks, events = await periods.history(store)
            print(texts.PERIODS_LOCKED_NOW)
            for lock in locks:
                print(
                    texts.PERIODS_LOCKED_LINE.format(
                        period=parse_period(lock.period).name, first=lock.first_day, last=lock.last_day,
                        who=texts.actor_display(lock.actor_name or lock.actor),
                        at=lock.at.strftime("%Y-%m-%d %H:%M"),
                    )
                )  # fmt: skip
            if not locks:
                print(texts.PERIODS_NONE)
            print(texts.PERIODS_HISTORY)
            for e in events:
                print(
                    texts.PERIODS_EVENT_LINE.format(
                        at=e.at.strftime("%Y-%m-%d %H:%M"), period=parse_period(e.period).name,
                        event=texts.PERIOD_EVENTS[e.event],
                        who=texts.actor_display(e.actor_name or e.actor),
                        reason=f"：{e.reason}" if e.reason else "",
                    )
                )  # fmt: skip
            if not events:
                print(texts.PERIODS_NONE)
    return 0


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
        kind = registry.KINDS.get(job)
        print(
            texts.JOBS_RECENT_LINE.format(
                ran=ran_at[:16].replace("T", " "), job=kind.label if kind else job,
                period=_job_subject(period) if kind and kind.keyed_by_period else period,
                outcome=texts.JOB_OUTCOMES[outcome], detail=detail,
            ).rstrip()
        )  # fmt: skip
    if not recent:
        print(texts.JOBS_NONE)
    plan = Plan(settings, ruleset.has_quota, open_ones)
    upcoming = runs_between(registry.KINDS.values(), plan, now, now + JOBS_AHEAD)
    print(texts.JOBS_UPCOMING)
    for run in [run for run in upcoming if not run.job.daily][:JOBS_SHOWN]:
        print(
            texts.JOBS_UPCOMING_LINE.format(
                due=run.due_at.strftime("%Y-%m-%d %H:%M"),
                weekday=texts.WEEKDAYS[run.due_at.weekday()],
                job=run.job.label,
                period=run.named,
            )
        )
    # A daily kind would fill the list: each gets a line of its own, from its next run.
    daily = {run.job: run for run in reversed(upcoming) if run.job.daily}
    for run in sorted(daily.values()):
        print(
            texts.JOBS_DAILY.format(
                time=run.due_at.strftime("%H:%M"),
                job=run.job.label,
                due=run.due_at.strftime("%Y-%m-%d"),
                weekday=texts.WEEKDAYS[run.due_at.weekday()],
            )
        )
    return 0


def _job_subject(key: str) -> str:
    """A recorded run's key (2026-03/1, 2026Q1) as people name the period it is about."""
    try:
        return parse_period(key.partition("/")[0]).name
    except DomainError:
        return key


async def _template(store: Store, args: argparse.Namespace, now: datetime) -> int:
    """A workbook to fill in, with the database's units and the ruleset's items."""
    async with store.reading() as tx:
        ruleset = await tx.ruleset()
        active = {name for _, name in (await tx.unit_lookup()).values()}
        units = [u.name for u in await tx.units() if u.name in active]
    if args.kind == "records":
        data, sheet = records_template(ruleset, units, now.date()), texts.TEMPLATE_RECORDS_SHEET
    else:
        data, sheet = units_template(ruleset), texts.TEMPLATE_UNITS_SHEET
    out = args.out or texts.TEMPLATE_FILES[args.kind]
    Path(out).write_bytes(data)
    print(texts.TEMPLATE_WRITTEN.format(path=out, sheet=sheet, kind=args.kind))
    if args.kind == "records" and not units:
        print(texts.TEMPLATE_NO_UNITS)
    return 0


async def _checked(store: Store, period: Period, now: datetime) -> Period:
    """The period, if it lies within the ruleset's years (scoring.periods.check_period)."""
    async with store.reading() as tx:
        ruleset = await tx.ruleset()
    return check_period(period, ruleset.effective_from, now.date())


async def _standings(store: Store, args: argparse.Namespace, now: datetime) -> int:
    period = await _checked(store, read_period(args.period, now.date()), now)
    ruleset, table = await standings(store, period, args.group)
    if args.format == "xlsx":
        out = args.out or texts.STANDINGS_FILE.format(period=period.name, format="xlsx")
        Path(out).write_bytes(render.standings_xlsx(ruleset, table))
        print(texts.STANDINGS_WRITTEN.format(path=out))
        return 0
    if args.format == "json":
        output = render.standings_json(table)
    elif args.format == "csv":
        output = render.standings_csv(ruleset, table)
        if args.out:
            # A CSV file is for Excel: with a BOM (or in GBK), as it opens it on Chinese Windows.
            Path(args.out).write_bytes(csv_bytes(output, args.encoding))
            print(texts.STANDINGS_WRITTEN.format(path=args.out))
            return 0
    else:
        output = render.standings_text(ruleset, table)
    if args.out:
        Path(args.out).write_text(output, "utf-8")
        print(texts.STANDINGS_WRITTEN.format(path=args.out))
    else:
        sys.stdout.write(output)
    return 0


async def _bulletin(store: Store, args: argparse.Namespace, settings: Settings) -> int:
    """A draft of the period's bulletin in any of the formats, a published version as it was
    published, publishing, or the list of what was published."""
    # Imported here: python-docx, openpyxl and jinja2 load only for a bulletin.
    from bot.bulletin.letter import office_letter
    from bot.bulletin.render import render as render_bulletin
    from bot.usecases import bulletin as bulletins

    if args.action == "list":
        published = await bulletins.publications(store)
        for p in published:
            print(texts.BULLETINS_LINE.format(
                period=parse_period(p.period).name, version=p.version, at=p.at.strftime("%Y-%m-%d %H:%M"),
                by=texts.actor_display(p.by),
            ))  # fmt: skip
            if p.anchor:
                print(texts.BULLETINS_ANCHOR.format(anchor=p.anchor))
        if not published:
            print(texts.BULLETINS_NONE)
        return 0
    if not args.period:
        raise DomainError("usage", usage="govinfo-bot bulletin [publish] --period <期间>")
    now = settings.now()
    period = read_period(args.period, now.date())
    day = read_day(args.date, now.date()) if args.date else now.date()
    letter, wording = office_letter(settings, day, args.issue, args.template)
    if args.action == "publish":
        # Without --issue or --date, the issue number and date of the draft last made.
        issued = await bulletins.publish(
            store, period, _actor(), "", now, letter, wording, settings.admin_ids,
            as_reviewed=args.issue is None and args.date is None,
        )  # fmt: skip
        print(texts.BULLETIN_PUBLISHED.format(
            period=period.name, version=issued.publication.version, units=issued.units_told
        ))  # fmt: skip
        for change in issued.changed:
            print(bulletins.change_line(change))
        print(texts.BULLETIN_ANCHOR.format(
            period=period.name, version=issued.publication.version,
            anchor=issued.publication.anchor,
        ))  # fmt: skip
        return 0
    if args.format == "json":
        # A published version, or the period's latest if it is what the period shows.
        published = await bulletins.published_json(store, period, args.version)
        if published is not None and not args.out:
            sys.stdout.write(published)
            return 0
        if published is not None:
            Path(args.out).write_text(published, encoding="utf-8")
            print(texts.BULLETIN_WRITTEN.format(path=args.out, what=texts.BULLETIN_PUBLISHED_JSON))
            return 0
    if args.version is not None:
        if args.format not in ("docx", "xlsx"):
            raise DomainError("bulletin_version_format")
        stored = await bulletins.published_file(store, period, args.version, args.format)
        out = Path(args.out or stored.filename)
        out.write_bytes(stored.data)
        print(texts.BULLETIN_WRITTEN.format(path=out, what=stored.sha256))
        return 0
    paper = await bulletins.bulletin(store, period)
    data = await render_bulletin(
        paper, args.format, letter, now, wording=wording, pdf_timeout=settings.bulletin_pdf_timeout
    )
    if args.format == "json" and not args.out:
        sys.stdout.write(data.decode())
        return 0
    if args.format != "json":
        await bulletins.remember_letter(store, period, letter)
    out = Path(
        args.out
        or texts.BULLETIN_FILE.format(
            stem=texts.BULLETIN_FILE_STEM, period=period.name, format=args.format
        )
    )
    out.write_bytes(data)
    what = texts.BULLETIN_WHAT.format(
        period=period.name, state=texts.BULLETIN_DRAFT, units=paper.headline.unit_count
    )
    print(texts.BULLETIN_WRITTEN.format(path=out, what=what))
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

    webhook = None
    if args.webhook:
        # Without a secret anyone who learns the URL could post updates "from" an admin;
        # Telegram is given the secret by setWebhook, so a generated one works just as well,
        # but for processes sharing the webhook: each start would give Telegram its own, and
        # the others would refuse every post.
        secret = args.secret or (
            settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        )
        if secret is None and is_postgres(settings.db):
            print(texts.WEBHOOK_SECRET_SHARED, file=sys.stderr)
            return 1
        webhook = Webhook(args.webhook, args.listen, args.port, secret or secrets.token_urlsafe(32))
    logs.setup(
        settings.log_level,
        settings.bot_token.get_secret_value(),
        webhook.secret if webhook else None,
        password_of(settings.db),
    )
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


# --- the web console: its server and its accounts ----------------------------------------


def _add_web_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    web = commands.add_parser("web", help=texts.WEB_HELP)
    web.add_argument("--listen", default="127.0.0.1", help=texts.WEB_LISTEN_HELP)
    web.add_argument("--port", type=int, default=8080, help=texts.WEB_PORT_HELP)
    users = commands.add_parser("users", help=texts.USERS_HELP).add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help=texts.USERS_ADD_HELP)
    add.add_argument("name", metavar="用户名")
    add.add_argument(
        "--role", required=True, choices=("admin", "viewer"), help=texts.USERS_ROLE_HELP
    )
    add.add_argument("--password-file", help=texts.USERS_PASSWORD_FILE_HELP)
    users.add_parser("list", help=texts.USERS_LIST_HELP)
    users.add_parser("remove", help=texts.USERS_REMOVE_HELP).add_argument("name", metavar="用户名")


def _password(args: argparse.Namespace) -> str:
    """The new password: the first line of --password-file, or typed twice without echo."""
    if args.password_file:
        lines = Path(args.password_file).read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    first = getpass.getpass(texts.USERS_PASSWORD)
    if getpass.getpass(texts.USERS_PASSWORD_AGAIN) != first:
        raise DomainError("web_password_mismatch")
    return first


async def _web_users(store: Store, args: argparse.Namespace, now: datetime) -> int:
    from bot.usecases import webusers

    match args.users_command:
        case "add":
            password = _password(args)
            new = await webusers.put_user(store, args.name, args.role, password, _actor(), now)
            done = texts.USERS_ADDED if new else texts.USERS_CHANGED
            print(done.format(name=clean_text(args.name), role=texts.USERS_ROLES[args.role]))
        case "remove":
            removed = await webusers.remove_user(store, args.name, _actor(), now)
            print(texts.USERS_REMOVED.format(name=removed.name))
        case _:
            accounts = await webusers.users(store)
            for user in accounts:
                print(
                    texts.USERS_LINE.format(
                        name=user.name, role=texts.USERS_ROLES[user.role],
                        at=user.created_at.strftime("%Y-%m-%d %H:%M"),
                        by=texts.actor_display(user.created_by),
                    )
                )  # fmt: skip
            if not accounts:
                print(texts.USERS_NONE)
    return 0


def _serve_web(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: Starlette and uvicorn load only for the console.
    import uvicorn

    from bot.web.app import build_app

    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    logs.setup(settings.log_level, token, password_of(settings.db))
    print(texts.WEB_STARTING.format(listen=args.listen, port=args.port, db=shown(settings.db)))
    # Behind the intranet's reverse proxy (README, "The web console"): the client's address
    # (for throttling logins) and https (for the cookie's Secure flag) come from its headers,
    # trusted from the proxy on this machine only.
    uvicorn.run(
        build_app(settings), host=args.listen, port=args.port, proxy_headers=True,
        forwarded_allow_ips="127.0.0.1", log_level=settings.log_level.lower(),
    )  # fmt: skip
    return 0


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
    except DomainError as err:
        print(texts.error_text(err.code, err.params), file=sys.stderr)
        return 1
    if args.command == "run":
        return _run_bot(args, settings)
    if args.command == "sandbox":
        return _sandbox(settings, args.ruleset)
    if args.command == "web":
        return _serve_web(args, settings)
    try:
        return asyncio.run(_run(args, settings))
    except DomainError as err:
        for line in texts.domain_error_lines(err):
            print(line, file=sys.stderr)
        return 1
    except STORAGE_ERRORS as exc:
        print(texts.STORAGE_FAILED.format(db=shown(settings.db), detail=exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
