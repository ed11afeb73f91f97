"""The bulletin in chat: a draft at any time, publishing from its buttons, what was published."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.bulletin.letter import office_letter
from bot.buttons import HOLD, PUBLISH, publish_buttons
from bot.chatinput import read_period
from bot.render import fit
from bot.telegram.delivery import keyboard
from bot.telegram.handlers.common import (
    Context,
    admin_command,
    answer_now,
    answers_errors,
    args_text,
    now,
    owed_edit,
    request,
    require_admin,
    say,
    settings,
    store,
)
from bot.telegram.notices import ChatAnswer
from bot.usecases import bulletin as bulletins
from scoring.errors import DomainError
from scoring.periods import Period, parse_period, quarter_of


async def _period(context: Context, text: str) -> Period:
    """The period asked for; by default the last quarter that has ended."""
    today = now(context).date()
    if not text:
        return quarter_of(quarter_of(today).start - timedelta(days=1))
    async with store(context).reading() as tx:
        ruleset = await tx.config.ruleset()
    return read_period(text, ruleset, today)


async def draft(update: Update, context: Context, admin_id: int) -> None:
    """/bulletin [期间]: the draft files, then the buttons that publish it."""
    period = await _period(context, args_text(context))
    letter, wording = office_letter(settings(context), now(context).date())
    made = await bulletins.draft(store(context), period, letter, wording, now(context))
    message = update.effective_message
    assert message is not None
    for name, data in [made.docx, made.xlsx] if made.docx else [made.xlsx]:
        await message.reply_document(
            data,
            filename=name,
            caption=fit(texts.BULLETIN_DRAFT_CAPTION.format(period=period.name, format=name[-4:])),
        )
    if period.end >= now(context).date():
        # Only a period that has ended can be locked: no button that could only refuse.
        ready = texts.BULLETIN_DRAFT_NOT_OVER.format(period=period.name, end=period.end)
        buttons = None
    else:
        ready = texts.BULLETIN_DRAFT_READY.format(period=period.name)
        buttons = keyboard(publish_buttons(period))
    if made.docx is None:
        ready += texts.BULLETIN_NO_OFFICE
    await message.reply_text(fit(ready), reply_markup=buttons)


async def listing(update: Update, context: Context, admin_id: int) -> None:
    """/bulletins: every published version."""
    published = await bulletins.publications(store(context))
    lines = [
        texts.BULLETINS_LINE.format(
            period=parse_period(p.period).name,
            version=p.version,
            at=p.at.strftime("%Y-%m-%d %H:%M"),
            by=texts.actor_display(p.by),
        )
        for p in published
    ]
    await say(update, "\n".join(lines) or texts.BULLETINS_NONE)


@answers_errors
async def publish_button(update: Update, context: Context) -> None:
    """发布 publishes; 暂不发布 only says how to publish later. An admin is checked now."""
    query = update.callback_query
    assert query is not None and query.data is not None
    require_admin(update, context)
    action, _, label = query.data.partition(":")
    try:
        period = await _period(context, label) if label else None
    except DomainError:
        period = None
    if period is None:
        raise DomainError("button_stale")
    if action == HOLD:
        await query.answer()
        await query.edit_message_text(fit(texts.BULLETIN_HELD.format(period=period.name)))
        return
    user = update.effective_user
    letter, wording = office_letter(settings(context), now(context).date())
    answer: ChatAnswer[bulletins.Issued] = owed_edit(
        query,
        lambda issued: texts.BULLETIN_PUBLISHED.format(
            period=period.name, version=issued.publication.version, units=issued.units_told
        ),
    )
    await bulletins.publish(
        store(context), period, request(update, context, user.full_name if user else ""),
        letter, wording, answer=answer,
    )  # fmt: skip
    await query.answer()
    await answer_now(context, answer.owed, notices=True)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("bulletin", admin_command(draft)))
    app.add_handler(CommandHandler("bulletins", admin_command(listing)))
    app.add_handler(CallbackQueryHandler(publish_button, pattern=rf"^({PUBLISH}|{HOLD}):"))
