"""The baseline of bench/chat.py: a bare python-telegram-bot echo bot.

    GOVINFO_BOT_TOKEN=... GOVINFO_API_BASE_URL=... GOVINFO_API_BASE_FILE_URL=... \\
        python bench/echo_bot.py --concurrent-updates 8 --connection-pool 16

bench/chat.py starts it as a child process against its fake Bot API server and passes the
builder settings of bot/telegram/app.py on the command line, so that the baseline differs from the real
bot only in what the handlers do. It deliberately imports nothing from the project: its memory
and start-up are those of python-telegram-bot alone.
"""

from __future__ import annotations

import argparse
import logging
import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent-updates", type=int, required=True)
    parser.add_argument("--connection-pool", type=int, required=True)
    args = parser.parse_args()
    # The same logging set-up as `govinfo-bot run` (bot/cli/run.py), so both bots pay the same.
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = (
        ApplicationBuilder()
        .token(os.environ["GOVINFO_BOT_TOKEN"])
        .base_url(os.environ["GOVINFO_API_BASE_URL"])
        .base_file_url(os.environ["GOVINFO_API_BASE_FILE_URL"])
        .concurrent_updates(args.concurrent_updates)
        .connection_pool_size(args.connection_pool)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.run_polling()


if __name__ == "__main__":
    main()
