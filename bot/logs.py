"""Logging for `govinfo-bot run`, with the bot token taken out of every line.

The token is part of every Bot API URL, and python-telegram-bot and httpx print those URLs and
the objects that hold the token in their debug lines and some tracebacks. Rather than hope each
library stays quiet, a filter on the root handlers rewrites every record that reaches them:
its message with the arguments filled in, its exception text and its stack.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

REDACTED = "<token>"
# A shorter "secret" (a misread password, the empty one) would be replaced in every word of
# every line, hiding the logs rather than the secret.
SHORTEST_SECRET = 4
# Loggers that print one line per HTTP request, token-bearing URLs included: heard only at DEBUG.
CHATTY = ("httpx", "httpcore")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecret(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        # The whole token, and its secret part alone (after "<bot id>:") as it appears
        # URL-encoded or split; the bot id by itself is public.
        _, _, key = secret.partition(":")
        candidates = {secret, quote(secret, safe=""), key, quote(key, safe="")}
        # Longest first, so that the whole token is replaced before any part of it.
        shown = (s for s in candidates if len(s) >= SHORTEST_SECRET)
        self._secrets = sorted(shown, key=len, reverse=True)
        self._formatter = logging.Formatter()

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._clean(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def setup(level: str, token: str, *others: str | None) -> None:
    """Log to stderr at `level`, the token and the other secrets given (the webhook's, the
    database password) redacted; warnings go through logging too."""
    logging.basicConfig(format=FORMAT, level=level)
    for secret in (token, *others):
        if secret and len(secret) >= SHORTEST_SECRET:
            redact = RedactSecret(secret)
            for handler in logging.getLogger().handlers:
                handler.addFilter(redact)
    logging.captureWarnings(True)
    if logging.getLogger().level > logging.DEBUG:
        for name in CHATTY:
            logging.getLogger(name).setLevel(logging.WARNING)
