"""`govinfo-bot units import`: the roster of units from a CSV or XLSX file; `units rename`,
`merge`, `retire` and `move`: a unit changed from a day (机构改革), after a confirmation."""

from __future__ import annotations

import argparse
import sys

from bot import texts
from bot.cli.common import ChatNoticesLater, actor, print_totals, with_store
from bot.settings import Settings
from bot.storage import Store
from bot.usecases.imports import import_units
from bot.usecases.request import Request
from bot.usecases.units import ChangeRequest, PlannedChange, change_unit, preview_change
from scoring.roster import Change

# Each change's command: its second argument (if it takes one) and what it is.
_CHANGES = {
    "rename": (Change.RENAME, ("新名称", "更名（原名保留为别名）")),
    "merge": (Change.MERGE, ("存续单位", "并入另一单位")),
    "retire": (Change.RETIRE, (None, "撤销")),
    "move": (Change.MOVE, ("分组", "调整到另一分组")),
}


def declare(parser: argparse.ArgumentParser) -> None:
    units = parser.add_subparsers(dest="units_command", required=True)
    units_import = units.add_parser(
        "import",
        help="导入单位名单（CSV 或 XLSX：单位名称、分组[、别名]，或 name,group[,aliases]）",
    )
    units_import.add_argument("file", metavar="文件")
    units_import.add_argument("--sheet", help="XLSX 中要读取的工作表（默认：第一个有表头的工作表）")
    for command, (_, (target, what)) in _CHANGES.items():
        change = units.add_parser(command, help=f"单位自某日起{what}")
        change.add_argument("unit", metavar="单位")
        if target is not None:
            change.add_argument("target", metavar=target)
        change.add_argument("--from", dest="start", required=True, metavar="日期", help="生效日期")
        change.add_argument("--yes", action="store_true", help="不再询问确认")


def run(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.now()
    # The liaisons a merge or a retirement moves or releases are told through the chat.
    notices = ChatNoticesLater(settings)
    if args.units_command in _CHANGES:
        request = Request(actor(), now, notices=notices)
        return with_store(settings, lambda store: _change(store, args, request))

    async def units(store: Store) -> int:
        done = await import_units(store, args.file, actor(), now, args.sheet, notices=notices)
        print(texts.UNITS_IMPORTED.format(added=done.added, updated=done.updated, total=done.total))
        print_totals(done.totals)
        return 0

    return with_store(settings, units)


async def _change(store: Store, args: argparse.Namespace, request: Request) -> int:
    """Show what the change will do, ask, then make it (checked again as it is made)."""
    kind = _CHANGES[args.units_command][0]
    change = ChangeRequest(kind, args.unit, getattr(args, "target", ""), args.start)
    planned = await preview_change(store, change, request.actor, request.at.date())
    print(plan_text(planned))
    if not args.yes:
        print(texts.UNIT_CHANGE_CONFIRM, end="", flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes", "是"):
            print(texts.UNIT_CHANGE_CANCELLED)
            return 1
    done = await change_unit(store, change, request)
    print(texts.UNIT_CHANGE_DONE.format(plan=plan_text(done)))
    return 0


def plan_text(planned: PlannedChange) -> str:
    template = {
        Change.RENAME: texts.UNIT_RENAME_PLAN,
        Change.MERGE: texts.UNIT_MERGE_PLAN,
        Change.RETIRE: texts.UNIT_RETIRE_PLAN,
        Change.MOVE: texts.UNIT_MOVE_PLAN,
    }[planned.change.change]
    return template.format(
        unit=planned.unit, target=planned.target, start=planned.change.start.isoformat(),
        liaisons=len(planned.liaisons),
    )  # fmt: skip
