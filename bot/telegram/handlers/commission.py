"""Commissions (约稿) in chat: the office publishes and selects, liaisons see theirs."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import texts
from bot.chatinput import parse_deadline, record_number
from bot.storage import Address
from bot.telegram.handlers.common import (
    SCHEDULER,
    Context,
    admin_command,
    answer_now,
    answers_errors,
    current_liaison,
    is_admin,
    now,
    owed_reply,
    request,
    require_private,
    say,
    store,
)
from bot.usecases import commissions
from scoring.errors import DomainError
from scoring.points import show_points


async def commission(update: Update, context: Context, admin_id: int) -> None:
    if context.bot_data.get(SCHEDULER) is None:
        # Without the scheduler nobody would remind the targets or settle the deadline.
        raise DomainError("commission_needs_jobs")
    args = context.args or []
    if len(args) < 3:
        raise DomainError("usage", usage=texts.COMMISSION_USAGE)
    today = now(context).date()
    answer = owed_reply(update, _created)
    await commissions.create(
        store(context),
        " ".join(args[2:]),
        parse_deadline(args[0], today),
        args[1],
        Address.telegram(admin_id),
        request(update, context),
        answer,
    )
    await answer_now(context, answer.owed, notices=True, reschedule=True)


def _created(done: commissions.Created) -> str:
    created = done.commission
    text = texts.COMMISSION_CREATED.format(
        id=created.id, topic=created.topic, deadline=created.deadline.isoformat(),
        count=len(created.targets), units="、".join(name for _, name in created.targets),
    )  # fmt: skip
    if done.unreached:
        text += texts.COMMISSION_UNREACHED.format(
            count=len(done.unreached), units="、".join(done.unreached)
        )
    return text


@answers_errors
async def list_commissions(update: Update, context: Context) -> None:
    """Admins see every commission; a liaison sees those that asked their unit."""
    require_private(update)
    user = update.effective_user
    unit_id = None
    if not is_admin(context, user.id if user else None):
        unit_id = (await current_liaison(update, context)).unit_id
    async with store(context).reading() as tx:
        found = await commissions.states(tx, unit_id)
    lines = []
    for state in found:
        c = state.commission
        if unit_id is None:
            lines.append(
                texts.COMMISSION_LINE.format(
                    id=c.id, topic=c.topic, deadline=c.deadline.isoformat(),
                    answered=len(state.answered), targets=len(c.targets),
                    closed=texts.COMMISSION_LINE_CLOSED if c.closed else "",
                )
            )  # fmt: skip
            continue
        if unit_id in state.answered:
            mine = texts.COMMISSION_STATE_ANSWERED
        elif state.outcomes.get(unit_id) in ("missed", "missed_again"):
            mine = texts.COMMISSION_STATE_MISSED
        else:
            mine = texts.COMMISSION_STATE_OPEN.format(id=c.id)
        lines.append(
            texts.COMMISSION_MINE.format(
                id=c.id, topic=c.topic, deadline=c.deadline.isoformat(), state=mine
            )
        )
    await say(update, "\n".join(lines) or texts.COMMISSIONS_NONE)


async def select(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) < 2:
        raise DomainError("usage", usage=texts.SELECT_USAGE)
    answer = owed_reply(update, _selected)
    await commissions.select(
        store(context),
        record_number(args[0]),
        " ".join(args[1:]),
        request(update, context),
        answer,
    )
    await answer_now(context, answer.owed, notices=True)


def _selected(chosen: commissions.Selected) -> str:
    return texts.SELECTED.format(
        answer=chosen.answer_id, title=chosen.title, unit=chosen.unit,
        label=chosen.item.label, points=show_points(chosen.item.points or 0), record=chosen.record_id,
    )  # fmt: skip


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("commission", admin_command(commission)))
    app.add_handler(CommandHandler("select", admin_command(select)))
    app.add_handler(CommandHandler("commissions", list_commissions))
