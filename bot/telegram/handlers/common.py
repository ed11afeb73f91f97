"""What every handler needs: the store, the settings, the clock, who is asking, and error replies."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, ConversationHandler

from bot import render, texts
from bot.buttons import Buttons
from bot.render import pre_chunks, split_message
from bot.settings import Settings
from bot.storage import Address, AlreadyProcessed, Liaison, Outgoing, Store
from bot.telegram.delivery import Courier, keyboard
from bot.telegram.notices import ChatAnswer, ChatNotices
from bot.usecases.request import Request
from bot.usecases.standings import standings
from scoring.errors import DomainError
from scoring.periods import Period
from scoring.ruleset import Ruleset

log = logging.getLogger(__name__)

STORE = "store"
SETTINGS = "settings"
COURIER = "courier"
# The courier that sends this process's answers at once (Courier.answer), leading or not.
ANSWERS = "answers"
SCHEDULER = "scheduler"
# The event that stops the running bot (see bot.telegram.runner).
STOP = "stop"
# Whether the bot asks Telegram for updates (rather than receiving them by webhook).
POLLING = "polling"

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Awaitable[Any]]
H = TypeVar("H", bound=Handler)
R = TypeVar("R")


def store(context: Context) -> Store:
    return context.bot_data[STORE]  # type: ignore[no-any-return]


def settings(context: Context) -> Settings:
    return context.bot_data[SETTINGS]  # type: ignore[no-any-return]


def now(context: Context) -> datetime:
    return settings(context).now()


def is_admin(context: Context, user_id: int | None) -> bool:
    # Checked when the action happens, against the settings: a forwarded button carries nothing.
    return user_id is not None and user_id in settings(context).admin_ids


# How the audit trail names a Telegram user (`tg:9001`): rows written before say so too.
ACTOR = "tg:{}"


def request(update: Update, context: Context, name: str = "") -> Request:
    """What a use case is told of this update: who sent it, its id (a redelivered update acts
    once), and the office's clock."""
    user = update.effective_user
    assert user is not None
    notices = ChatNotices.of(settings(context))
    return Request(ACTOR.format(user.id), now(context), update.update_id, name, notices)


def courier(context: Context) -> Courier:
    return context.bot_data[COURIER]  # type: ignore[no-any-return]


# The name of the task delivering what an action stored (and setting the next wake-up again).
DELIVERY_TASK = "deliver"


def deliver_now(app: Application, *, reschedule: bool = False) -> None:  # type: ignore[type-arg]
    app.create_task(_deliver(app, reschedule), name=DELIVERY_TASK)


async def answer_now(
    context: Context, owed: Sequence[Outgoing], *, notices: bool = False, reschedule: bool = False
) -> None:
    """Send the answer an action just owed (bot.usecases.notices.Answer), before anything else;
    then deliver, without keeping the user waiting, what could not be sent (the courier's: the
    leader's, with several processes) and, with `notices`, what else the action owed (to other
    people); with `reschedule`, the action added to the calendar (a commission's deadline)."""
    sent = await context.bot_data[ANSWERS].answer(owed)
    if sent and not notices and not reschedule:
        return
    app = context.application
    if app.running:
        deliver_now(app, reschedule=reschedule)
    else:
        # The application is stopping: it handles the updates still queued after it stopped
        # running, and would not wait for a task created now (python-telegram-bot warns of
        # it). Delivered within the update's handling, which it does wait for: the courier
        # starts no new message once stopping, but a follower's nudge still tells the leader.
        await _deliver(app, reschedule)


def owed_reply(
    update: Update, text: Callable[[R], str], buttons: Callable[[R], Buttons] | None = None
) -> ChatAnswer[R]:
    """The answer an action owes the chat it came from (see answer_now): a message of its own,
    `text` of the action's result, fitted to a phone as `say` fits it, with `buttons`."""
    chat = update.effective_chat
    assert chat is not None
    return ChatAnswer(Address.telegram(chat.id), lambda result: render.fit(text(result)), buttons)


def owed_edit(
    query: CallbackQuery, text: Callable[[R], str], buttons: Callable[[R], Buttons] | None = None
) -> ChatAnswer[R]:
    """The answer a button's press owes: its message's new text (a file's, its caption), `text`
    of the action's result, its buttons replaced by `buttons` (none by default); as the message
    it edits, never a repeat."""
    message = query.message
    assert isinstance(message, Message)
    return ChatAnswer(
        Address.telegram(message.chat.id), lambda result: render.fit(text(result)), buttons,
        edits=message.message_id, caption=message.caption is not None,
    )  # fmt: skip


async def _deliver(app: Application, reschedule: bool) -> None:  # type: ignore[type-arg]
    left = await app.bot_data[COURIER].deliver()
    scheduler = app.bot_data.get(SCHEDULER)
    if scheduler is not None and app.running and (reschedule or left):
        # Messages left in the outbox also bring the scheduler's next wake-up forward.
        await scheduler.reschedule()


async def stale_button(update: Update, context: Context) -> None:
    """Any button no handler took: a conversation that has ended, or data nobody offered."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.error_text("button_stale", {}), show_alert=True)


async def reply(update: Update, text: str, **kwargs: Any) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()
        if update.callback_query.message is not None:
            await update.callback_query.message.reply_text(text, **kwargs)  # type: ignore[union-attr]
        return
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, **kwargs)


async def tell_error(update: Update, err: DomainError) -> None:
    if isinstance(err, AlreadyProcessed):
        return
    text = texts.error_text(err.code, err.params)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(render.fit(text))


# Refusals whose wording advises what only an admin may do, and the wording others get.
FOR_LIAISONS = {"period_locked": "period_locked_for_liaison"}


def for_asker(update: Update, context: Context, err: DomainError) -> DomainError:
    """A refusal as the asker may read it: one who is not an admin is never advised to do what
    only an admin can (解锁该期间)."""
    variant = FOR_LIAISONS.get(err.code)
    user = update.effective_user
    if variant is None or is_admin(context, user.id if user else None):
        return err
    return DomainError(variant, **err.params)


def answers_errors(handler: H) -> H:
    """Domain refusals become a Chinese answer to the user; nothing else is said or stored."""

    @functools.wraps(handler)
    async def wrapped(update: Update, context: Context) -> Any:
        try:
            return await handler(update, context)
        except DomainError as err:
            await tell_error(update, for_asker(update, context, err))
            return None

    return wrapped  # type: ignore[return-value]


def ends_on_failure(data_key: str, told: str) -> Callable[[H], H]:
    """A step of a conversation that fails unexpectedly ends the conversation: what it gathered
    (`user_data[data_key]`) is dropped and the user is told `told`, so that the next message
    is not taken as the answer to a step that is gone. The error is logged."""

    def decorate(step: H) -> H:
        @functools.wraps(step)
        async def wrapped(update: Update, context: Context) -> Any:
            try:
                return await step(update, context)
            except Exception:
                log.exception("a conversation step failed; the conversation ends")
                context.user_data.pop(data_key, None)  # type: ignore[union-attr]
                chat = update.effective_chat
                if chat is not None:
                    try:
                        await context.bot.send_message(chat.id, told)
                    except Exception:  # the error may be the connection itself; logged above
                        log.debug("could not tell the user the conversation ended", exc_info=True)
                return ConversationHandler.END

        return wrapped  # type: ignore[return-value]

    return decorate


async def current_liaison(update: Update, context: Context) -> Liaison:
    user = update.effective_user
    if user is None:
        raise DomainError("not_liaison")
    async with store(context).reading() as tx:
        liaison = await tx.liaisons.liaison(Address.telegram(user.id), active_only=True)
    if liaison is None:
        raise DomainError("not_liaison")
    return liaison


def require_private(update: Update) -> None:
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        raise DomainError("private_only")


def require_admin(update: Update, context: Context) -> int:
    user = update.effective_user
    if not is_admin(context, user.id if user else None):
        raise DomainError("not_admin")
    assert user is not None
    return user.id


def features(ruleset: Ruleset) -> set[str]:
    """What of the help and the menus the ruleset supports (see texts.HELP_LIAISON)."""
    shown = {"quota" if ruleset.has_quota else "no_quota"}
    if ruleset.commission_penalties is not None:
        shown.add("commission")
    if ruleset.submission_kinds:
        shown.add("kinds")
    return shown


def help_text(head: str, lines: list[tuple[str, str]], shown: set[str]) -> str:
    return "\n".join([head, *(line for needs, line in lines if not needs or needs in shown)])


# Callback data of the button that sends the full standings as XLSX.
FULL_TABLE = "tb"


def full_table_keyboard(period: Period) -> InlineKeyboardMarkup:
    return keyboard([[(texts.FULL_TABLE, f"{FULL_TABLE}:{period.label}")]])


async def send_full_table(
    update: Update, context: Context, period: Period, groups: list[str] | None
) -> None:
    """The standings as an XLSX document, as the answer to the person asking."""
    ruleset, table = await standings(store(context), period, groups)
    message = update.effective_message
    assert message is not None
    await message.reply_document(
        render.standings_xlsx(ruleset, table),
        filename=texts.STANDINGS_FILE.format(period=period.name, format="xlsx"),
        caption=texts.FULL_TABLE_CAPTION.format(period=period.name),
    )


def args_text(context: Context) -> str:
    return " ".join(context.args or [])


async def on_error(update: object, context: Context) -> None:
    log.error("unhandled error in a handler", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(texts.INTERNAL_ERROR)
        except Exception:  # the error may be the connection itself; it is logged above
            log.debug("could not tell the user about the error", exc_info=True)


def admin_command(handler):  # type: ignore[no-untyped-def]
    """Admin commands: private chat, admin checked now, refusals answered in Chinese."""

    @answers_errors
    async def wrapped(update: Update, context: Context) -> None:
        require_private(update)
        admin_id = require_admin(update, context)
        await handler(update, context, admin_id)

    wrapped.__name__ = handler.__name__
    return wrapped


async def say(update: Update, text: str, *, html: bool = False) -> None:
    assert update.effective_message is not None
    for chunk in pre_chunks(text) if html else split_message(render.fit(text)):
        await update.effective_message.reply_text(
            chunk, parse_mode=ParseMode.HTML if html else None
        )
