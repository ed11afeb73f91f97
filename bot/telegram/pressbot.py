"""The application's Bot: python-telegram-bot's, except that a button press whose query Telegram
no longer takes an answer for is still acted on.

Telegram takes one answer to a press, within about 15 seconds. A press handled late (a loaded
machine), or taken over from a process that died after answering it (bot.telegram.replicas: its claim
expired), gets "query is too old" for its answer; that answer only stops the button's spinner or
shows a short alert, so losing it must not stop the press's action (a guided report's next step,
an approval) as an error would.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

TOO_OLD = "query is too old"


class PressBot(ExtBot[Any]):
    async def answer_callback_query(
        self, callback_query_id: str, *args: Any, **kwargs: Any
    ) -> bool:
        try:
            return await super().answer_callback_query(callback_query_id, *args, **kwargs)
        except BadRequest as err:
            if TOO_OLD not in err.message.lower():
                raise
            log.info("a button press's answer came too late for Telegram; the press is acted on")
            return False
