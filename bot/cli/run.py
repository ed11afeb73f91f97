"""`govinfo-bot run`: the bot on Telegram, by long polling or a webhook.

python-telegram-bot loads with this module's `run` only: without a token it is never needed.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys

from bot import logs, texts
from bot.cli.sandbox import sandbox
from bot.settings import Settings
from bot.storage import is_postgres, password_of

log = logging.getLogger("govinfo-bot")


def declare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--or-sandbox", action="store_true", help="没有令牌时改为启动本地沙盒")
    parser.add_argument(
        "--webhook", metavar="URL", help="使用 webhook 而不是长轮询：对外的 HTTPS 地址"
    )
    parser.add_argument("--port", type=int, default=8443, help="webhook 监听端口（默认 8443）")
    parser.add_argument("--listen", default="0.0.0.0", help="webhook 监听地址（默认 0.0.0.0）")
    parser.add_argument(
        "--secret",
        help="webhook 的 secret token（Telegram 会在每个请求中带上；默认取 GOVINFO_WEBHOOK_SECRET）",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.bot_token is None:
        if args.or_sandbox:
            return sandbox(settings, None)
        print(texts.TOKEN_MISSING, file=sys.stderr)
        return 1
    from bot.telegram.runner import Webhook, serve_settings

    webhook = None
    if args.webhook:
        # Without a secret anyone who learns the URL could post updates "from" an admin;
        # Telegram is given the secret by setWebhook, so a generated one works just as well,
        # but for processes sharing the webhook: each start would give Telegram its own, and
        # the others would refuse every post.
        secret = args.secret or (
            settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        )
        if secret is None and is_postgres(settings.db):
            print(texts.WEBHOOK_SECRET_SHARED, file=sys.stderr)
            return 1
        webhook = Webhook(args.webhook, args.listen, args.port, secret or secrets.token_urlsafe(32))
    logs.setup(
        settings.log_level,
        settings.bot_token.get_secret_value(),
        webhook.secret if webhook else None,
        password_of(settings.db),
    )
    try:
        if not serve_settings(settings, webhook):
            print(texts.TOKEN_REJECTED, file=sys.stderr)
            return 1
    except Exception:
        # Through logging, so that the token is taken out of the traceback.
        log.exception("the bot stopped on an error")
        return 1
    return 0
