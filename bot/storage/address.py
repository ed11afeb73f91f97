"""Where a person or a chat is reached: a channel and that channel's own address for them, both
text (a Telegram id written out, a mail address, a DingTalk user id)."""

from __future__ import annotations

from dataclasses import dataclass

TELEGRAM = "telegram"
# A liaison of the web console's liaison page (opened by a personal link): they read there what
# they are owed, and no message reaches them.
WEB = "web"


@dataclass(frozen=True, slots=True)
class Address:
    channel: str
    address: str

    @classmethod
    def telegram(cls, chat_or_user_id: int) -> Address:
        """A Telegram user's or chat's address (their numeric id, written out)."""
        return cls(TELEGRAM, str(chat_or_user_id))

    @property
    def telegram_id(self) -> int:
        """The Telegram id this address names, as the Bot API takes it."""
        if self.channel != TELEGRAM:
            raise ValueError(f"not a Telegram address: {self}")
        return int(self.address)

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"
