"""An edited message never acts again: Telegram sends an edit as a new update carrying the whole
message, and python-telegram-bot's command and message handlers take it like a new message
unless told not to, so a fixed typo in `/submit` would store the piece twice and an `/adjust`
changed from +5 to +50 would add both. Here the edit is answered once with how to correct, and
no other handler sees it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.telegram.handlers.common import Context, is_admin

# Ahead of every other group (the report's /cancel-on-command is group -1).
EDITS_GROUP = -2
NOT_EDITED = ~filters.UpdateType.EDITED


async def refuse_edit(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None and _worth_a_word(update):
        user = update.effective_user
        admin = is_admin(context, user.id if user else None)
        await message.reply_text(texts.EDIT_NOT_TAKEN_ADMIN if admin else texts.EDIT_NOT_TAKEN)
    raise ApplicationHandlerStop


def _worth_a_word(update: Update) -> bool:
    """In a private chat every edit is answered; in a group only an edited command, or every
    member's fixed typo would bring a reply."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return False
    return chat.type == chat.PRIVATE or (message.text or message.caption or "").startswith("/")


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Call after every other module registered its handlers."""
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, refuse_edit), group=EDITS_GROUP)
    for group, handlers in app.handlers.items():
        if group != EDITS_GROUP:
            for handler in handlers:
                _exclude_edits(handler)


def _exclude_edits(handler: BaseHandler) -> None:  # type: ignore[type-arg]
    """Edits left out of the handler's own filters as well: no handler's safety rests on the
    order of the groups alone."""
    if isinstance(handler, ConversationHandler):
        # The timeout's handlers run on the conversation's last update, never on a new one.
        for state, inner in handler.states.items():
            if state != ConversationHandler.TIMEOUT:
                for each in inner:
                    _exclude_edits(each)
        for each in (*handler.entry_points, *handler.fallbacks):
            _exclude_edits(each)
    elif isinstance(handler, CommandHandler | MessageHandler):
        handler.filters = handler.filters & NOT_EDITED
