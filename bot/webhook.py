"""The webhook's request handler: python-telegram-bot's, but for an update it cannot read, which
is stored and set aside (bot.intake) and answered 200 instead of 400. Telegram posts an update
answered 400 again and again, and holds every later one back behind it.

python-telegram-bot builds its web application inside Updater.start_webhook with no way to
give it another handler: `install` puts this application in the Updater's module in its place.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from telegram.ext import _updater
from telegram.ext._utils.webhookhandler import TelegramHandler, WebhookAppClass

from bot.intake import IntakeQueue
from bot.unreadable import unreadable


class SetAsideHandler(TelegramHandler):
    async def post(self) -> None:
        data = self._readable_or_none()
        if data is None:
            await super().post()
            return
        update, reason = data
        self.set_status(HTTPStatus.OK)
        assert isinstance(self.update_queue, IntakeQueue)
        await self.update_queue.set_aside(update, reason)

    def _readable_or_none(self) -> tuple[dict[str, Any], str] | None:
        """The update and why it cannot be read, if it is an update the intake can set aside;
        None for everything python-telegram-bot answers itself (a readable update, a post
        without the secret, a body that is no JSON object)."""
        if not isinstance(self.update_queue, IntakeQueue):
            return None
        self._validate_post()
        try:
            update = json.loads(self.request.body.decode())
        except ValueError:
            return None
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return None
        reason = unreadable(update)
        return None if reason is None else (update, reason)


class SetAsideWebhookApp(WebhookAppClass):
    def __init__(self, webhook_path: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(webhook_path, *args, **kwargs)
        # Its one route, the webhook's path, to the handler above (same arguments).
        (route,) = self.wildcard_router.rules
        route.target = SetAsideHandler


def install() -> None:
    """From now on, webhooks started in this process use SetAsideHandler."""
    _updater.WebhookAppClass = SetAsideWebhookApp  # type: ignore[attr-defined]
