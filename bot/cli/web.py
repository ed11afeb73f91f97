"""`govinfo-bot web`: the web console on the same database (README, "The web console").

Starlette and uvicorn load with this module's `run` only: the other commands never need them.
"""

from __future__ import annotations

import argparse

from bot import logs, texts
from bot.settings import Settings
from bot.storage import password_of, shown


def declare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--listen", default="127.0.0.1", help=texts.WEB_LISTEN_HELP)
    parser.add_argument("--port", type=int, default=8080, help=texts.WEB_PORT_HELP)


def run(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from bot.telegram.notices import ChatNotices
    from bot.web.app import build_app

    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    logs.setup(settings.log_level, token, password_of(settings.db))
    print(texts.WEB_STARTING.format(listen=args.listen, port=args.port, db=shown(settings.db)))
    # Behind the intranet's reverse proxy (README, "The web console"): the client's address
    # (for throttling logins) and https (for the cookie's Secure flag) come from its headers,
    # trusted from the proxy on this machine only.
    uvicorn.run(
        build_app(settings, ChatNotices.of(settings)), host=args.listen, port=args.port, proxy_headers=True,
        forwarded_allow_ips="127.0.0.1", log_level=settings.log_level.lower(),
    )  # fmt: skip
    return 0
