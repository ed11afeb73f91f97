"""What the bot says to a message no handler took: a short hint, never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot import texts
from bot.render import fit
from bot.telegram.handlers.common import Context
from scoring.text import printable


async def hint(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    text = message.text or ""
    if message.photo:
        answer = texts.HINT_PHOTO
    elif message.document is not None:
        answer = texts.HINT_FILE
    elif text.startswith("/"):
        answer = texts.HINT_COMMAND.format(command=printable(text.split()[0])[:32])
    elif text.strip() == texts.ONE_LINE_PREFIX:
        # The start of a one-line report and nothing after it: what to write, not where to space.
        answer = texts.HINT_ONE_LINE_BARE.format(usage=texts.ONE_LINE_USAGE)
    elif text.startswith(texts.ONE_LINE_PREFIX):
        answer = texts.HINT_ONE_LINE
    else:
        answer = texts.HINT_TEXT
    await message.reply_text(fit(answer))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Last of group 0: only what every other handler passed over reaches it."""
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED, hint))
