"""Settings from the environment or `.env`, every key prefixed GOVINFO_ (see .env.example)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GOVINFO_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    bot_token: SecretStr | None = None
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    db: Path = Path("govinfo.sqlite3")
    ruleset: str = "dengkou-2024"
    timezone: str = "Asia/Shanghai"
    api_base_url: str | None = None
    api_base_file_url: str | None = None
    require_approval: bool = True
    office_chat_id: int | None = None
    # How long an invite link stays valid.
    invite_days: int = Field(default=7, ge=1, le=90)
    # Keep to Telegram's sending limits (about 30 messages a second). Off only for benchmarks
    # against a local fake server.
    rate_limit: bool = True

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace("，", ",").split(",") if part.strip()]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def now(self) -> datetime:
        """The office's wall clock: months and days are the office's, not the server's."""
        return datetime.now(self.zone)
