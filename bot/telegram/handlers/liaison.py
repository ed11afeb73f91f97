"""Liaisons in private chat: joining, submissions, and what they ask about their unit."""

from __future__ import annotations

import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.chatinput import read_period, record_number, trailing_day
from bot.render import (
    PHONE_COLUMNS,
    counted_line,
    explanation_lines,
    fit,
    phone_messages,
    phone_width,
    rank_lines,
    render_changes,
    shorten,
    split_message,
)
from bot.storage import Address, Liaison
from bot.telegram.delivery import keyboard
from bot.telegram.handlers.common import (
    FULL_TABLE,
    Context,
    answer_now,
    answers_errors,
    args_text,
    current_liaison,
    features,
    full_table_keyboard,
    help_text,
    is_admin,
    now,
    owed_edit,
    owed_reply,
    request,
    require_private,
    send_full_table,
    settings,
    store,
)
from bot.telegram.notices import ChatAnswer
from bot.usecases import status
from bot.usecases.liaisons import redeem_invite
from bot.usecases.reports import Submitted, submit
from bot.usecases.standings import standings
from scoring.errors import DomainError
from scoring.periods import month_of
from scoring.points import show_points
from scoring.records import submission_kind
from scoring.standings import counted_items
from scoring.text import clean_text

# Callback data of the buttons that confirm (or refuse) moving a liaison to the invite's unit.
MOVE = "mv"
# Rows of a group table shown in chat around the liaison's own unit.
RANK_ROWS = 40


@answers_errors
async def start(update: Update, context: Context) -> None:
    require_private(update)
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    if context.args:
        code = context.args[0]
        answer: ChatAnswer[Liaison] = owed_reply(
            update, lambda liaison: texts.BOUND.format(unit=liaison.unit)
        )
        try:
            await redeem_invite(
                store(context), code, Address.telegram(user.id), user.full_name,
                user.username or "", request(update, context), answer=answer,
            )  # fmt: skip
        except DomainError as err:
            if err.code != "invite_moves":
                raise
            # Already a liaison elsewhere: asked first, with the code kept in the button.
            buttons = [[(texts.MOVE_CONFIRM.format(unit=err.params["unit"]), f"{MOVE}:{code}")]]
            buttons.append([(texts.CANCEL, f"{MOVE}x:")])
            await message.reply_text(
                fit(texts.error_text(err.code, err.params)), reply_markup=keyboard(buttons)
            )
            return
        await answer_now(context, answer.owed)
        return
    async with store(context).reading() as tx:
        liaison = await tx.liaisons.liaison(Address.telegram(user.id), active_only=True)
    if liaison is not None:
        await message.reply_text(
            fit(texts.WELCOME_LIAISON.format(name=user.first_name, unit=liaison.unit))
        )
    elif is_admin(context, user.id):
        await message.reply_text(fit(texts.WELCOME_ADMIN))
    else:
        await message.reply_text(fit(texts.WELCOME_STRANGER))


async def help_command(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    user = update.effective_user
    async with store(context).reading() as tx:
        shown = features(await tx.config.ruleset())
    text = help_text(texts.HELP_LIAISON_HEAD, texts.HELP_LIAISON, shown)
    if is_admin(context, user.id if user else None):
        text += "\n\n" + help_text(texts.HELP_ADMIN_HEAD, texts.HELP_ADMIN, shown)
    await update.effective_message.reply_text(fit(text))


COMMISSION_ANSWER = re.compile(texts.COMMISSION_ANSWER_PATTERN)


@answers_errors
async def submit_command(update: Update, context: Context) -> None:
    require_private(update)
    liaison = await current_liaison(update, context)
    message = update.effective_message
    assert message is not None
    title = args_text(context)
    if message.caption:
        title = message.caption.partition(" ")[2]
    evidence = ""
    source = message.reply_to_message or message
    if source.document is not None:
        evidence = f"document:{source.document.file_id}"
    elif source.photo:
        evidence = f"photo:{source.photo[-1].file_id}"
    elif message.reply_to_message is not None and message.reply_to_message.text:
        evidence = message.reply_to_message.text
        title = title or evidence.splitlines()[0][:100]
    commission_id = None
    if m := COMMISSION_ANSWER.match(title):
        commission_id, title = record_number(m[1]), title[m.end() :].strip()
    # Quoted back below: without direction overrides, as it is stored.
    title = clean_text(title)
    if not title:
        raise DomainError("usage", usage="/submit <标题> [日期]")
    kind, kind_label = None, ""
    if commission_id is None:
        async with store(context).reading() as tx:
            ruleset = await tx.config.ruleset()
        # A method with kinds of submission (长篇信息): the kind said first, before the title.
        kind, words = submission_kind(ruleset, title.split())
        if kind is not None:
            title, kind_label = " ".join(words), ruleset.submission_kinds_by_key[kind].label
    today = now(context).date()
    # A commission's answer is dated the day it arrives: the deadline is about that day.
    dated = trailing_day(title.split(), today) if commission_id is None else None
    if dated is not None and len(dated.words) < len(title.split()):
        if not dated.words:
            raise DomainError("title_is_date", title=title)
        title = " ".join(dated.words)
    office_chat = settings(context).office_chat_id

    def answered(done: Submitted) -> str:
        quota = texts.SUBMITTED_QUOTA.format(quota=done.quota) if done.quota else ""
        answered = ""
        if done.commission is not None:
            answered = texts.COMMISSION_ANSWERED.format(
                id=done.commission.id, topic=done.commission.topic
            )
        late = ""
        same_month = (done.day.year, done.day.month) == (today.year, today.month)
        if done.day != today:
            late = texts.SUBMITTED_DATED.format(date=done.day.isoformat())
        if done.changes:
            late += "\n" + render_changes(texts.RESETTLED_FOR_LIAISON, done.changes)
        return (
            texts.SUBMITTED.format(
                record=done.record_id,
                title=texts.SUBMITTED_KIND.format(kind=kind_label, title=title) if kind else title,
                unit=done.unit,
                month=texts.THIS_MONTH if same_month else month_of(done.day).name,
                count=done.month_count, quota=quota,
            )
            + late
            + answered
        )  # fmt: skip

    # The answer is owed in the submission's transaction: stored, it is answered (after a crash,
    # by the courier).
    answer = ChatAnswer(Address.telegram(message.chat_id), answered)
    done = await submit(
        store(context), liaison, title, evidence, request(update, context),
        commission_id, dated.day if dated else None,
        answer, kind,
    )  # fmt: skip
    others = done.commission is not None or bool(done.changes) or office_chat is not None
    await answer_now(context, answer.owed, notices=others)


@answers_errors
async def me(update: Update, context: Context) -> None:
    require_private(update)
    liaison = await current_liaison(update, context)
    s = await status.unit_status(store(context), liaison, now(context))
    async with store(context).reading() as tx:
        ruleset = await tx.config.ruleset()
    group = ruleset.groups_by_key[liaison.group].display
    head = texts.ME_HEAD.format(unit="{unit}", group=group)
    lines = [head.format(unit=shorten(s.unit, PHONE_COLUMNS - phone_width(head) + 6))]
    lines.append(texts.ME_MONTH.format(month=s.month.name, submissions=s.submissions))
    if s.quota:
        state = (
            texts.ME_QUOTA_MET
            if s.submissions >= s.quota
            else texts.ME_QUOTA_SHORT.format(missing=s.quota - s.submissions)
        )
        lines.append(texts.ME_QUOTA.format(quota=s.quota, state=state, days=s.days_left))
    if s.row is None:
        lines.append(texts.ME_UNRANKED.format(quarter=s.quarter.label))
    else:
        lines.append(
            texts.ME_QUARTER.format(quarter=s.quarter.label, total=show_points(s.row.total))
        )
        if s.row.raw_total != s.row.total:
            raw, floor = s.row.raw_total, show_points(ruleset.floor or 0)
            lines.append(texts.ME_RAW.format(raw=show_points(raw), floor=floor))
        if counted := counted_line(ruleset, s.row):
            lines.append(counted)
        if ruleset.bulletin.ranked:
            lines.append(texts.ME_RANK.format(rank=s.row.rank, size=s.group_size))
        if not ruleset.bulletin.ranked:
            # Listed in the roster's order: no rank, no unit above.
            lines.append(texts.ME_ROSTER_ORDER)
        elif s.first:
            lines.append(texts.ME_FIRST)
        elif s.above is None:
            if s.group_size > 1:  # a unit alone in its group is neither first nor tied
                lines.append(texts.ME_TIED)
        else:
            gap = show_points(s.above.total - s.row.total)
            room = PHONE_COLUMNS - phone_width(texts.ME_GAP.format(unit="", gap=gap))
            lines.append(texts.ME_GAP.format(unit=shorten(s.above.unit, room), gap=gap))
    assert update.effective_message is not None
    await update.effective_message.reply_text(fit("\n".join(lines)))


@answers_errors
async def rank(update: Update, context: Context) -> None:
    """The group's standings around the liaison's unit, phone-sized, with the full table a
    button away."""
    require_private(update)
    liaison = await current_liaison(update, context)
    async with store(context).reading() as tx:
        ruleset = await tx.config.ruleset()
    period = read_period(args_text(context), ruleset, now(context).date())
    ruleset, result = await standings(store(context), period, [liaison.group])
    group = status.group_of(result, liaison.group)
    rows = group.rows if group else []
    shown_as = result.name_of(liaison.unit_id, liaison.unit)
    mine = next((i for i, r in enumerate(rows) if r.unit == shown_as), 0)
    start_at = max(0, min(mine - RANK_ROWS // 2, len(rows) - RANK_ROWS))
    shown = rows[start_at : start_at + RANK_ROWS]
    title = texts.RANK_TITLE.format(
        group=ruleset.groups_by_key[liaison.group].display, period=period.name, count=len(rows)
    )
    lines = rank_lines(
        ruleset.bulletin.total_column, shown, mark=shown_as, ranked=ruleset.bulletin.ranked
    )
    if len(shown) < len(rows):
        lines.append(texts.RANK_MORE.format(count=len(rows)))
    own = next((r for r in rows if r.unit == shown_as), None)
    if own is not None and (counted := counted_line(ruleset, own)):
        lines.append(texts.RANK_MINE.format(counts=counted))
    assert update.effective_message is not None
    messages = phone_messages(title, lines)
    for n, text in enumerate(messages, start=1):
        await update.effective_message.reply_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=full_table_keyboard(period) if n == len(messages) else None,
        )


@answers_errors
async def full_table_button(update: Update, context: Context) -> None:
    """The full standings as an XLSX document: every group for an admin, a liaison's own
    group for a liaison. Who may have what is checked now, not when the button was sent."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    async with store(context).reading() as tx:
        ruleset = await tx.config.ruleset()
    label = query.data.partition(":")[2]
    try:
        period = read_period(label, ruleset, now(context).date()) if label else None
    except DomainError:
        period = None
    if period is None:
        raise DomainError("button_stale")
    groups = None
    if not is_admin(context, user.id):
        groups = [(await current_liaison(update, context)).group]
    await query.answer()
    await send_full_table(update, context, period, groups)


@answers_errors
async def history(update: Update, context: Context) -> None:
    require_private(update)
    liaison = await current_liaison(update, context)
    lines = await status.history(store(context), liaison.unit_id)
    async with store(context).reading() as tx:
        ruleset = await tx.config.ruleset()
    # A record a few short lines, records apart: a phone shows each line whole.
    text = "\n\n".join(
        texts.HISTORY_LINE.format(
            id=line.id,
            date=line.day,
            item=_label(ruleset, line.item_id),
            title=line.title,
            status=texts.STATUS_NAMES.get(line.status, line.status),
            reason=f"：{line.reason}" if line.reason else "",
            explanation=texts.HISTORY_EXPLANATION.format(
                explanation=explanation_lines(line.explanation)
            )
            if line.explanation and not line.reason
            else "",
        )
        for line in lines
    )
    assert update.effective_message is not None
    await update.effective_message.reply_text(fit(text) or texts.HISTORY_NONE)


def _label(ruleset, item_id: str) -> str:  # type: ignore[no-untyped-def]
    item = ruleset.items_by_key.get(item_id)
    return item.chat_name if item else texts.SUBMISSION_NAME


@answers_errors
async def why(update: Update, context: Context) -> None:
    require_private(update)
    liaison = await current_liaison(update, context)
    async with store(context).reading() as tx:
        ruleset = await tx.config.ruleset()
    period = read_period(args_text(context), ruleset, now(context).date())
    lines = await status.ledger_lines(store(context), liaison.unit_id, period)
    assert update.effective_message is not None
    if not lines:
        await update.effective_message.reply_text(fit(texts.WHY_NONE.format(period=period.name)))
        return
    body = [texts.WHY_HEAD.format(unit=liaison.unit, period=period.name)]
    body += [
        texts.WHY_LINE.format(
            id=x.id,
            date=x.day,
            points=show_points(x.points, signed=True),
            explanation=x.explanation,
        )
        for x in lines
    ]
    body.append(texts.WHY_TOTAL.format(total=show_points(sum(x.points for x in lines))))
    # What the method counts beside the points (count columns, rate, base score), where it has
    # them: the entries above explain the points, not these.
    if counted_items(ruleset) or ruleset.base_score_item:
        ruleset, result = await standings(store(context), period, [liaison.group])
        group = status.group_of(result, liaison.group)
        own = next((r for r in group.rows if r.unit == liaison.unit), None) if group else None
        if own is not None and (counted := counted_line(ruleset, own)):
            body.append(texts.RANK_MINE.format(counts=counted))
    for chunk in split_message(fit("\n".join(body))):
        await update.effective_message.reply_text(chunk)


@answers_errors
async def move_button(update: Update, context: Context) -> None:
    """The answer to "改为某单位的信息员？": moved and the admins told, or nothing changes."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    action, _, code = query.data.partition(":")
    if action == f"{MOVE}x":
        await query.answer(texts.MOVE_KEPT)
        await query.edit_message_text(fit(texts.MOVE_KEPT))
        return
    if not code:
        raise DomainError("button_stale")
    answer: ChatAnswer[Liaison] = owed_edit(
        query, lambda liaison: texts.BOUND.format(unit=liaison.unit)
    )
    await redeem_invite(
        store(context), code, Address.telegram(user.id), user.full_name, user.username or "",
        request(update, context),
        move=True, answer=answer,
    )  # fmt: skip
    await query.answer()
    await answer_now(context, answer.owed, notices=True)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("submit", submit_command))
    app.add_handler(MessageHandler(filters.CaptionRegex(r"^/submit(\s|$)"), submit_command))
    app.add_handler(CommandHandler("me", me))
    app.add_handler(CommandHandler("rank", rank))
    app.add_handler(CommandHandler("history", history))
    app.add_handler(CommandHandler("why", why))
    app.add_handler(CallbackQueryHandler(move_button, pattern=rf"^{MOVE}x?:"))
    app.add_handler(CallbackQueryHandler(full_table_button, pattern=rf"^{FULL_TABLE}:"))
