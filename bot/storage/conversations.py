"""Conversations between their steps, for replicas: which step of each guided conversation a
chat's user is at, and the user's data so far (JSON), so that the next step may land on any
bot process (PostgreSQL only; bot/telegram/replicas.py)."""

from __future__ import annotations

from datetime import datetime

from bot.storage.query import Repository
from bot.storage.sql import sql

# The replicas' table (bot/telegram/replicas.py), on PostgreSQL only.
_CONVERSATION = sql(
    postgres="SELECT states, user_data, updated_at FROM conversations "
    "WHERE chat_id = :chat_id AND user_id = :user_id"
)
_KEEP = sql(
    postgres="INSERT INTO conversations (chat_id, user_id, states, user_data, updated_at) "
    "VALUES (:chat_id, :user_id, :states, :user_data, :updated_at) "
    "ON CONFLICT (chat_id, user_id) DO UPDATE SET states = excluded.states, "
    "user_data = excluded.user_data, updated_at = excluded.updated_at"
)
_FORGET = sql(postgres="DELETE FROM conversations WHERE chat_id = :chat_id AND user_id = :user_id")


class ConversationStorage(Repository):
    async def conversation(self, chat_id: int, user_id: int) -> tuple[str, str, str] | None:
        """(states, user data, updated at) of the chat's user, if kept."""
        row = await self.one(_CONVERSATION, {"chat_id": chat_id, "user_id": user_id})
        return (row[0], row[1], row[2]) if row else None

    async def keep_conversation(
        self, chat_id: int, user_id: int, states: str, user_data: str, now: datetime
    ) -> None:
        await self.write(
            _KEEP,
            {"chat_id": chat_id, "user_id": user_id, "states": states, "user_data": user_data,
             "updated_at": now.isoformat()},
        )  # fmt: skip

    async def forget_conversation(self, chat_id: int, user_id: int) -> None:
        await self.write(_FORGET, {"chat_id": chat_id, "user_id": user_id})
