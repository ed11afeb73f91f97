"""`govinfo-bot bulletin`: a draft in any of the formats, publishing, the published versions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import bulletin as bulletin_files
from bot import texts
from bot.cli.common import actor, with_store
from bot.settings import Settings
from bot.storage import Store
from scoring.dates import read_day
from scoring.errors import DomainError
from scoring.periods import parse_period, read_period


def declare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        nargs="?",
        choices=("draft", "publish", "list"),
        default="draft",
        help="draft：生成草稿（默认）；publish：发布并锁定期间；list：已发布的通报",
    )
    parser.add_argument(
        "--period",
        help="2024年第二季度、2024年（年度，含评先）、2024年5月、上季度等（list 不需要）",
    )
    parser.add_argument(
        "--version", type=int, help="取已发布的第几版，与发布时的文件逐字节相同（docx 或 xlsx）"
    )
    parser.add_argument("--format", choices=bulletin_files.FORMATS, default="docx")
    parser.add_argument(
        "--out",
        help="输出文件（默认 通报-<期间>.<格式>，如 通报-2024年第二季度.docx；json 默认输出到屏幕）",
    )
    parser.add_argument("--issue", help="发文字号（默认取 GOVINFO_BULLETIN_ISSUE）")
    parser.add_argument("--date", help="成文日期 YYYY-MM-DD（默认今天）")
    parser.add_argument("--template", help="通报措辞模板文件（默认取 GOVINFO_BULLETIN_TEMPLATE）")


def run(args: argparse.Namespace, settings: Settings) -> int:
    return with_store(settings, lambda store: _bulletin(store, args, settings))


async def _bulletin(store: Store, args: argparse.Namespace, settings: Settings) -> int:
    """A draft of the period's bulletin in any of the formats, a published version as it was
    published, publishing, or the list of what was published."""
    # Imported here: python-docx, openpyxl and jinja2 load for a bulletin, not for its --help.
    from bot.bulletin.letter import office_letter
    from bot.bulletin.render import render as render_bulletin
    from bot.telegram.notices import ChatNotices
    from bot.usecases import bulletin as bulletins
    from bot.usecases.request import Request

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
            store, period, Request(actor(), now, notices=ChatNotices.of(settings)), letter, wording,
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
        as_published = await bulletins.published_json(store, period, args.version)
        if as_published is not None and not args.out:
            sys.stdout.write(as_published)
            return 0
        if as_published is not None:
            Path(args.out).write_text(as_published, encoding="utf-8")
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
