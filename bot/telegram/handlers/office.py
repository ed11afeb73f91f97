"""The information office in chat: approving claims, admin commands, the roster, the export."""

from __future__ import annotations

from datetime import timedelta

from telegram import CallbackQuery, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.buttons import claim_buttons
from bot.chatinput import points, read_period, record_number, split_day_and_note
from bot.export import period_workbook
from bot.render import fit, phone_messages, rank_lines
from bot.storage import Address, Liaison
from bot.telegram.delivery import keyboard
from bot.telegram.handlers.common import (
    Context,
    admin_command,
    answer_now,
    answers_errors,
    args_text,
    ends_on_failure,
    full_table_keyboard,
    log,
    now,
    owed_edit,
    owed_reply,
    request,
    require_admin,
    say,
    send_full_table,
    settings,
    store,
    tell_error,
)
from bot.telegram.notices import ChatAnswer
from bot.usecases import liaisons as roster
from bot.usecases import links, office, periods, reports, webusers
from bot.usecases.standings import standings
from scoring.errors import DomainError
from scoring.periods import Period
from scoring.points import show_points
from scoring.records import split_repeat
from scoring.roster import Change, UnitChange

REASON = 0
REJECTING = "rejecting"
# Claims /pending shows as messages with buttons; the rest are counted.
PENDING_SHOWN = 20


def _record_id(data: str) -> int:
    try:
        return record_number(data.partition(":")[2])
    except DomainError:
        raise DomainError("button_stale") from None


@answers_errors
async def approve_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    admin_id = require_admin(update, context)
    answer = _marked_claim(query, texts.APPROVED_NOTE.format(admin=_name(update) or admin_id))
    await reports.approve(store(context), _record_id(query.data), request(update, context), answer)
    await query.answer()
    await answer_now(context, answer.owed if answer else [], notices=True)


def _marked_claim(query: CallbackQuery, note: str) -> ChatAnswer[reports.Decided] | None:
    """The claim's message as the admin who decided it sees it: decided, without buttons (its
    caption, for a claim sent with its evidence file). None if Telegram no longer gives it."""
    message = query.message
    if not isinstance(message, Message):
        return None
    shown = message.caption if message.caption is not None else message.text
    return owed_edit(query, lambda _: f"{shown}{note}")


@answers_errors
async def reject_button(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    require_admin(update, context)
    record_id = _record_id(query.data)
    await query.answer()
    context.user_data[REJECTING] = (record_id, query.message.chat_id, query.message.message_id)  # type: ignore[index, union-attr]
    await query.message.reply_text(fit(texts.ASK_REJECT_REASON.format(record=record_id)))  # type: ignore[union-attr]
    return REASON


async def reject_reason(update: Update, context: Context) -> int:
    """The reason ends the rejection whatever happens: refused, it is said and not asked again."""
    message = update.effective_message
    assert message is not None and message.text is not None
    record_id, chat_id, message_id = context.user_data.pop(REJECTING)  # type: ignore[union-attr]
    try:
        require_admin(update, context)
        # A message of its own: the claim's buttons below go at best (too old to edit, say).
        answer: ChatAnswer[reports.Decided] = owed_reply(
            update,
            lambda _: texts.REJECTED.format(record=record_id, reason=decided_reason(message)),
        )
        await reports.reject(
            store(context), record_id, message.text, request(update, context), answer,
        )  # fmt: skip
    except DomainError as err:
        await tell_error(update, err)
        return ConversationHandler.END
    await answer_now(context, answer.owed, notices=True)
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError:  # too old to edit, or already edited: the buttons refuse anyway
        log.info("could not remove the buttons of claim #%s", record_id)
    return ConversationHandler.END


def decided_reason(message: Message) -> str:
    return (message.text or "").strip()


async def cancel_reject(update: Update, context: Context) -> int:
    context.user_data.pop(REJECTING, None)  # type: ignore[union-attr]
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.REPORT_CANCELLED)
    return ConversationHandler.END


def _usage(usage: str) -> DomainError:
    return DomainError("usage", usage=usage)


async def invite(update: Update, context: Context, admin_id: int) -> None:
    unit = args_text(context)
    if not unit:
        raise _usage("/invite <单位>")
    unit, web, name = unit.partition(f" {texts.INVITE_WEB_WORD} ")
    if web:
        await _web_link(update, context, unit, name)
        return
    ttl = timedelta(days=settings(context).invite_days)
    created = await roster.create_invite(
        store(context), unit, Address.telegram(admin_id), request(update, context), ttl
    )
    # The one committing action whose answer is not owed in the outbox: the link carries the
    # invitation's code, which the database keeps only hashed. Lost in a crash, the admin asks
    # again (the unused invitation expires).
    link = f"https://t.me/{context.bot.username}?start={created.code}"
    await say(
        update,
        texts.INVITE_CREATED.format(
            unit=created.unit, expires=created.expires_at.strftime("%Y-%m-%d %H:%M"), link=link
        ),
    )


async def web_link(update: Update, context: Context, admin_id: int) -> None:
    """A one-time link that signs the admin in to the web console."""
    base = settings(context).web_public_url
    if not base:
        await say(update, texts.WEB_NO_URL)
        return
    ttl = timedelta(minutes=settings(context).web_link_minutes)
    made = await webusers.make_login_link(
        store(context), Address.telegram(admin_id), request(update, context), ttl
    )
    # Not owed in the outbox, as an invite's link: the database keeps the token only hashed.
    # Lost in a crash, the admin asks again. No preview: fetching the page uses nothing, but
    # the link is for the admin's browser alone.
    link = f"{base.rstrip('/')}/link/{made.token}"
    expires = made.expires_at.strftime("%H:%M")
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        texts.WEB_LINK.format(expires=expires, link=link),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


async def _web_link(update: Update, context: Context, unit: str, name: str) -> None:
    """A personal link to the web console's liaison page. Like an invite's, the answer is not
    owed in the outbox: it carries the token, which the database keeps only hashed."""
    base = settings(context).web_public_url
    if not base:
        raise DomainError("web_url_missing")
    made = await links.make_link(store(context), unit, name, request(update, context))
    number = made.liaison.address.address
    url = f"{base.rstrip('/')}/l/{made.token}"
    await say(
        update,
        texts.WEB_LINK_CREATED.format(
            unit=made.liaison.unit, name=made.liaison.name, link=number, url=url
        ),
    )


async def unlink(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) != 1:
        raise _usage("/unlink <编号>")
    link = record_number(args[0].lstrip("#"))
    answer: ChatAnswer[Liaison] = owed_reply(
        update,
        lambda gone: texts.WEB_LINK_REVOKED.format(unit=gone.unit, name=gone.name, link=link),
    )
    await links.revoke_link(store(context), link, request(update, context), answer)
    await answer_now(context, answer.owed)


async def list_liaisons(update: Update, context: Context, admin_id: int) -> None:
    people = await roster.list_liaisons(store(context))
    async with store(context).reading() as tx:
        groups = {g.id: g.display for g in (await tx.config.ruleset()).groups}
    lines = [
        texts.LIAISON_LINE.format(
            name=p.name,
            user_id=p.address.address,
            handle=f" @{p.username}" if p.username else "",
            unit=p.unit,
            group=groups.get(p.group, p.group),
        )
        for p in people
    ]
    await say(update, "\n".join(lines) or texts.NO_LIAISONS)


async def move(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) < 2:
        raise _usage("/move <用户ID> <单位>")
    answer: ChatAnswer[Liaison] = owed_reply(
        update, lambda moved: texts.LIAISON_MOVED.format(who=moved.display, unit=moved.unit)
    )
    await roster.move_liaison(
        store(context), Address.telegram(record_number(args[0])), " ".join(args[1:]),
        request(update, context), answer,
    )  # fmt: skip
    await answer_now(context, answer.owed)


async def remove(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) != 1:
        raise _usage("/remove <用户ID>")
    answer: ChatAnswer[Liaison] = owed_reply(
        update, lambda removed: texts.LIAISON_REMOVED.format(who=removed.display)
    )
    await roster.remove_liaison(
        store(context), Address.telegram(record_number(args[0])), request(update, context), answer
    )
    await answer_now(context, answer.owed)


async def pending(update: Update, context: Context, admin_id: int) -> None:
    """Every claim waiting, each with the buttons that decide it: a claim can always be decided,
    whatever became of the message that first brought it."""
    waiting = await reports.pending(store(context))
    async with store(context).reading() as tx:
        ruleset = await tx.config.ruleset()
    assert update.effective_message is not None
    if not waiting:
        await say(update, texts.PENDING_NONE)
        return
    for c in waiting[:PENDING_SHOWN]:
        line = texts.PENDING_LINE.format(
            record=c.id, unit=c.unit, date=c.record.day, item=ruleset.item(c.record.item_id).chat_name,
            title=c.record.title, who=c.claimant,
        )  # fmt: skip
        await update.effective_message.reply_text(
            fit(line), reply_markup=keyboard(claim_buttons(c.id))
        )
    if len(waiting) > PENDING_SHOWN:
        await say(update, texts.PENDING_MORE.format(count=len(waiting), shown=PENDING_SHOWN))


async def approve(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) != 1:
        raise _usage("/approve <记录号>")
    answer: ChatAnswer[reports.Decided] = owed_reply(
        update, lambda d: texts.APPROVED.format(record=d.record_id, points=show_points(d.points))
    )
    await reports.approve(store(context), record_number(args[0]), request(update, context), answer)
    await answer_now(context, answer.owed, notices=True)


async def reject(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) < 2:
        raise _usage("/reject <记录号> <原因>")
    reason = " ".join(args[1:])
    answer: ChatAnswer[reports.Decided] = owed_reply(
        update, lambda d: texts.REJECTED.format(record=d.record_id, reason=reason.strip())
    )
    await reports.reject(
        store(context), record_number(args[0]), reason, request(update, context), answer,
    )  # fmt: skip
    await answer_now(context, answer.owed, notices=True)


async def penalty(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) < 2:
        raise _usage("/penalty <单位> <扣分项> [日期] [备注]")
    today = now(context).date()
    day, note = split_day_and_note(args[2:], today)
    answer = owed_reply(update, _entered)
    await office.penalise(
        store(context),
        args[0],
        args[1],
        day or today,
        " ".join(note),
        request(update, context),
        answer,
    )
    await answer_now(context, answer.owed, notices=True)


def _entered(entered: office.Entered) -> str:
    fields = dict(
        unit=entered.unit, item=entered.item, date=entered.day.isoformat(),
        points=show_points(entered.points, signed=True), note=entered.note or texts.NO_NOTE,
        explanation=entered.explanation,
    )  # fmt: skip
    return texts.ENTERED.format(record=entered.record_id, **fields)


async def adjust(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) < 3:
        raise _usage("/adjust <单位> <±分值> <原因>")
    answer = owed_reply(update, _entered)
    await office.adjust(
        store(context),
        args[0],
        points(args[1]),
        " ".join(args[2:]),
        request(update, context),
        answer,
    )
    await answer_now(context, answer.owed, notices=True)


async def endorse(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) < 2:
        raise _usage("/endorse <记录号> <批示项>[×次数]")
    name, times = split_repeat(" ".join(args[1:]))
    answer = owed_reply(update, _entered)
    await office.endorse(
        store(context),
        record_number(args[0]),
        name,
        times,
        request(update, context),
        answer,
    )
    await answer_now(context, answer.owed, notices=True)


async def reverse(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) < 2:
        raise _usage("/reverse <流水号> <原因>")
    answer = owed_reply(update, _reversed)
    await office.reverse(
        store(context),
        record_number(args[0]),
        " ".join(args[1:]),
        request(update, context),
        answer,
    )
    await answer_now(context, answer.owed, notices=True)


def _reversed(done: office.Reversed) -> str:
    lines = "\n".join(text for _, text in done.lines)
    fields = dict(
        unit=done.unit, item=done.item, date=done.day.isoformat(), points=show_points(done.points, signed=True),
        note=done.reason, lines=lines,
    )  # fmt: skip
    return texts.REVERSED.format(**fields)


async def lock(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) != 1:
        raise _usage("/lock <期间>")
    answer: ChatAnswer[Period] = owed_reply(
        update, lambda locked: texts.PERIOD_LOCKED.format(period=locked.name)
    )
    await periods.lock(
        store(context), args[0], request(update, context, _name(update)), answer,
    )  # fmt: skip
    await answer_now(context, answer.owed)


async def reopen(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    if len(args) < 2:
        raise _usage("/reopen <期间> <原因>")
    answer: ChatAnswer[Period] = owed_reply(
        update, lambda reopened: texts.PERIOD_REOPENED.format(period=reopened.name)
    )
    await periods.reopen(
        store(context), args[0], " ".join(args[1:]), request(update, context, _name(update)),
        answer,
    )  # fmt: skip
    await answer_now(context, answer.owed)


def _name(update: Update) -> str:
    return update.effective_user.full_name if update.effective_user else ""


async def units(update: Update, context: Context, admin_id: int) -> None:
    async with store(context).reading() as tx:
        ruleset = await tx.config.ruleset()
        all_units = await tx.units.units()
        aliases = await tx.units.unit_aliases()
        people = await tx.liaisons.liaisons()
        changes = await tx.units.changes()
    groups = {g.id: g.display for g in ruleset.groups}
    counts: dict[int, int] = {}
    for p in people:
        counts[p.unit_id] = counts.get(p.unit_id, 0) + 1
    names = {u.id: u.name for u in all_units}
    ended = {c.unit_id: c for c in changes if c.change in (Change.MERGE, Change.RETIRE)}
    lines = [
        texts.UNIT_LINE.format(
            name=u.name,
            group=groups.get(u.group, u.group),
            liaisons=counts.get(u.id, 0),
        )
        + (texts.UNIT_ALIASES.format(aliases="、".join(aliases[u.id])) if aliases.get(u.id) else "")
        + _unit_changes(u.id, changes, groups)
        for u in all_units
        if u.id not in ended
    ]
    # Units no longer in the roster, after it: listed in the periods before their day.
    for u in all_units:
        if (end := ended.get(u.id)) is not None:
            start = end.start.isoformat()
            state = (
                texts.UNIT_RETIRED_STATE.format(start=start)
                if end.change is Change.RETIRE
                else texts.UNIT_MERGED_STATE.format(start=start, into=names.get(end.into or 0, ""))
            )
            line = texts.UNIT_GONE_LINE.format(
                name=u.name, group=groups.get(u.group, u.group), state=state
            )
            lines.append(line + _unit_changes(u.id, changes, groups))
    await say(update, "\n".join(lines))


def _unit_changes(unit_id: int, changes: list[UnitChange], groups: dict[str, str]) -> str:
    """A unit's renames and moves under its line in /units, each with who made it."""
    lines = []
    for c in changes:
        if c.unit_id != unit_id or c.change in (Change.MERGE, Change.RETIRE):
            continue
        start = c.start.isoformat()
        line = (
            texts.UNIT_RENAMED_NOTE.format(start=start, old=c.old)
            if c.change is Change.RENAME
            else texts.UNIT_MOVED_NOTE.format(
                start=start, old=groups.get(c.old, c.old), new=groups.get(c.new, c.new)
            )
        )
        lines.append(
            line + texts.UNIT_CHANGED_BY.format(actor=texts.actor_display(c.actor), at=c.at[:10])
        )
    return "".join(lines)


async def standings_command(update: Update, context: Context, admin_id: int) -> None:
    """Every group's standings, phone-sized; `表格` (or the button) for the full XLSX."""
    args = context.args or []
    wants_table = bool(args) and args[-1] == texts.FULL_TABLE_WORD
    args = args[:-1] if wants_table else args
    period = await _period(context, args[0] if args else None)
    groups = args[1:] or None
    if wants_table:
        await send_full_table(update, context, period, groups)
        return
    ruleset, table = await standings(store(context), period, groups)
    labels = {g.id: g.display for g in ruleset.groups}
    messages = [texts.STANDINGS_PHONE_TITLE.format(period=period.name, items=table.item_count)]
    for number, group in enumerate(table.groups):
        title = texts.GROUP_PHONE_TITLE.format(
            number=texts.CHINESE_NUMBERS[number] if number < len(texts.CHINESE_NUMBERS) else number + 1,
            group=labels[group.group], period=period.name,
        )  # fmt: skip
        lines = rank_lines(
            ruleset.bulletin.total_column, group.rows, ranked=ruleset.bulletin.ranked
        )
        messages += phone_messages(title, lines) if group.rows else [f"{title}\n{texts.NO_UNITS}"]
    assert update.effective_message is not None
    for n, text in enumerate(messages, start=1):
        await update.effective_message.reply_text(
            text,
            parse_mode=ParseMode.HTML if text.startswith("<pre>") else None,
            reply_markup=full_table_keyboard(period) if n == len(messages) else None,
        )


async def export(update: Update, context: Context, admin_id: int) -> None:
    args = context.args or []
    period = await _period(context, args[0] if args else None)
    data = await period_workbook(store(context), period)
    assert update.effective_message is not None
    await update.effective_message.reply_document(
        data,
        filename=texts.EXPORT_FILE.format(period=period.name),
        caption=fit(texts.EXPORT_CAPTION.format(period=period.name)),
    )


async def _period(context: Context, text: str | None) -> Period:
    async with store(context).reading() as tx:
        ruleset = await tx.config.ruleset()
    return read_period(text, ruleset, now(context).date())


ADMIN_COMMANDS = {
    "invite": invite,
    "unlink": unlink,
    "liaisons": list_liaisons,
    "move": move,
    "remove": remove,
    "pending": pending,
    "approve": approve,
    "reject": reject,
    "penalty": penalty,
    "adjust": adjust,
    "endorse": endorse,
    "reverse": reverse,
    "lock": lock,
    "reopen": reopen,
    "units": units,
    "web": web_link,
    "standings": standings_command,
    "export": export,
}


def register(app: Application) -> None:  # type: ignore[type-arg]
    for name, handler in ADMIN_COMMANDS.items():
        app.add_handler(CommandHandler(name, admin_command(handler)))
    app.add_handler(CallbackQueryHandler(approve_button, pattern=r"^ok:"))
    # A step failing unexpectedly ends the rejection rather than leaving the reason asked for.
    step = ends_on_failure(REJECTING, texts.REJECT_FAILED)
    app.add_handler(
        ConversationHandler(
            entry_points=[CallbackQueryHandler(step(reject_button), pattern=r"^no:")],
            states={
                REASON: [
                    MessageHandler(
                        filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
                        step(reject_reason),
                    )
                ]
            },
            fallbacks=[CommandHandler("cancel", step(cancel_reject))],
            # Pressing ❌ on another claim while a reason is asked for starts over for that claim.
            allow_reentry=True,
            conversation_timeout=600,
            name="reject",
        )
    )
