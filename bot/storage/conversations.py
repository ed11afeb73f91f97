"""Conversations between their steps, for replicas: which step of each guided conversation a
person is at in a chat, and their data so far (JSON), so that the next step may land on any
bot process (PostgreSQL only; bot/telegram/replicas.py)."""

from __future__ import annotations

from datetime import datetime

from bot.storage.address import Address
from bot.storage.query import Repository
from bot.storage.sql import sql

# The person at (channel, address), in the chat `chat` of that channel.
_WHO = "channel = :channel AND chat = :chat AND address = :address"
# The replicas' table (bot/telegram/replicas.py), on PostgreSQL only.
_CONVERSATION = sql(
    postgres=f"SELECT states, user_data, updated_at FROM conversations WHERE {_WHO}"
)
_KEEP = sql(
    postgres="INSERT INTO conversations (channel, chat, address, states, user_data, updated_at) "
    "VALUES (:channel, :chat, :address, :states, :user_data, :updated_at) "
    "ON CONFLICT (channel, chat, address) DO UPDATE SET states = excluded.states, "
    "user_data = excluded.user_data, updated_at = excluded.updated_at"
)
_FORGET = sql(postgres=f"DELETE FROM conversations WHERE {_WHO}")


def _who(person: Address, chat: str) -> dict[str, str]:
    return {"channel": person.channel, "chat": chat, "address": person.address}


class ConversationStorage(Repository):
    async def conversation(self, person: Address, chat: str) -> tuple[str, str, str] | None:
        """(states, user data, updated at) of the person in the chat (on their channel), if
        kept."""
        row = await self.one(_CONVERSATION, _who(person, chat))
        return (row[0], row[1], row[2]) if row else None

    async def keep_conversation(
        self, person: Address, chat: str, states: str, user_data: str, now: datetime
    ) -> None:
        await self.write(
            _KEEP,
            {**_who(person, chat), "states": states, "user_data": user_data,
             "updated_at": now.isoformat()},
        )  # fmt: skip

    async def forget_conversation(self, person: Address, chat: str) -> None:
        await self.write(_FORGET, _who(person, chat))
