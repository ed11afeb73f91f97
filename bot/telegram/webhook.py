"""The webhook's request handler: python-telegram-bot's, but for an update it cannot read, which
is stored and set aside (bot.telegram.intake) and answered 200 where the library answers 400: Telegram
posts an update answered 400 again and again, and holds every later one back behind it.

python-telegram-bot builds its web application inside Updater.start_webhook with no way to
give it another handler: `install` puts this application in the Updater's module in its place.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram.ext import _updater
from telegram.ext._utils.webhookhandler import TelegramHandler, WebhookAppClass

from bot.telegram.intake import IntakeQueue
from bot.telegram.unreadable import unreadable


class SetAsideHandler(TelegramHandler):
    async def post(self) -> None:
        try:
            await super().post()
        except tornado.web.HTTPError as refused:
            # Refused as unreadable (python-telegram-bot logged why): set aside, answered 200.
            if refused.status_code != HTTPStatus.BAD_REQUEST:
                raise
            update = json.loads(self.request.body.decode())
            reason = unreadable(update) if _is_update(update) else None
            if reason is None or not isinstance(self.update_queue, IntakeQueue):
                raise
            self.set_status(HTTPStatus.OK)
            await self.update_queue.set_aside(update, reason)


def _is_update(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("update_id"), int)


class SetAsideWebhookApp(WebhookAppClass):
    def __init__(self, webhook_path: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(webhook_path, *args, **kwargs)
        # Its one route, the webhook's path, to the handler above (same arguments).
        (route,) = self.wildcard_router.rules
        route.target = SetAsideHandler


def install() -> None:
    """From now on, webhooks started in this process use SetAsideHandler."""
    _updater.WebhookAppClass = SetAsideWebhookApp  # type: ignore[attr-defined]
