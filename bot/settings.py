"""Settings from the environment or `.env`, every key prefixed GOVINFO_ (see .env.example)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.bulletin import PDF_TIMEOUT


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GOVINFO_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    bot_token: SecretStr | None = None
    # The webhook's secret token (`run --webhook`); several processes sharing one webhook (on
    # PostgreSQL) must share it. Unset with one process: a random one at each start.
    webhook_secret: SecretStr | None = None
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # The database: an SQLite file's path, or a postgresql:// URL (README, "Several machines").
    db: str = "govinfo.sqlite3"
    # The ledger key, kept outside the database (bot/storage/ledgerkey.py): a file, made by
    # `init` (unset: `<db>.key` beside an SQLite database, govinfo-ledger.key in the working
    # directory for PostgreSQL), or the key itself (64 hex digits), which takes precedence.
    ledger_key_file: Path | None = None
    ledger_key: SecretStr | None = None
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
    # Python logging level of `govinfo-bot run` (DEBUG shows every request; the token is
    # redacted from every line at every level).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # How long the running bot's hold on the database lasts without renewal: a second process
    # on the same database waits, and takes over at most this long (plus 2 s) after the first
    # one stopped without releasing it (at once if that one ran on the same machine).
    lease_seconds: int = Field(default=20, ge=2, le=600)
    # Every update stored before Telegram is told it arrived. Off only to show what that
    # prevents (tests) or what it costs (benchmarks): a crash then loses updates.
    durable_intake: bool = True
    # Several processes on one PostgreSQL database (README, "Several machines"; bot/telegram/replicas.py):
    # how long a claim on an update lasts unless renewed (it is renewed every 0.3 of that while
    # the update is handled; a dead process's updates are taken over once it ends); how often a
    # process looks for updates nobody holds; how often a follower tries for the leader's lock
    # and the leader checks its connection (a check may take this long, and at least 2 s; a new
    # leader whose predecessor did not resign starts a check, a check's timeout and half a check
    # after taking the lock: 5 s by default). Tests shorten them.
    claim_seconds: float = Field(default=10.0, ge=0.1, le=600)
    intake_poll_seconds: float = Field(default=0.5, ge=0.01, le=60)
    leader_check_seconds: float = Field(default=2.0, ge=0.01, le=60)

    # Scheduled work (see README, "Scheduled work"). Reminders and warnings fall on Chinese
    # working days; a reminder day that is not one moves to the next working day.
    jobs: bool = True
    jobs_time: time = time(9, 0)
    remind_day: int = Field(default=20, ge=1, le=28)
    # The n-th working day counted back from the month's end (1 = the last one).
    remind_last_workday: int = Field(default=3, ge=2, le=10)
    warn_last_workday: int = Field(default=1, ge=1, le=5)
    settle_day: int = Field(default=1, ge=1, le=28)
    quarterly_day: int = Field(default=5, ge=1, le=28)
    annual_day: int = Field(default=10, ge=1, le=28)
    # The daily check of the database (what `govinfo-bot verify` does), office time; the admins
    # hear only if it fails. `off`: no daily check.
    verify_time: time | None = time(3, 0)

    # The bulletin (README, "Bulletin"): the issuing office's name, its issue number (发文字号,
    # e.g. 磴政办发〔2025〕3号), the addressees (empty: the default of bot.texts), a file of the
    # office's own wording, and how long LibreOffice may take to make a PDF.
    office_name: str = ""
    bulletin_issue: str = ""
    bulletin_addressees: str = ""
    bulletin_template: Path | None = None
    bulletin_pdf_timeout: float = Field(default=PDF_TIMEOUT, ge=5, le=3600)

    # The web console (README, "The web console"): a session ends after this many minutes
    # without a request; a name or an address is refused logins for the window once it has
    # failed this many times within it.
    web_idle_minutes: float = Field(default=30, gt=0, le=24 * 60)
    web_login_attempts: int = Field(default=5, ge=1, le=100)
    web_login_window_minutes: float = Field(default=15, gt=0, le=24 * 60)
    # The console's address as the office's browsers reach it (e.g. https://xxb.example.gov.cn):
    # `/web` answers an admin with a one-time login link under it, valid this many minutes, and
    # `/invite <单位> 网页 <姓名>` a liaison's personal link.
    web_public_url: str | None = None
    web_link_minutes: float = Field(default=5, gt=0, le=60)
    # What hashing a console password costs (argon2id): passes over the memory, and the memory
    # in KiB. The defaults are argon2-cffi's (RFC 9106's low-memory profile: ~0.3 s of CPU a
    # login); a small server may lower them. A login with a hash made at other costs rehashes it.
    web_password_time_cost: int = Field(default=3, ge=1, le=20)
    web_password_memory_kib: int = Field(default=64 * 1024, ge=1024, le=1024 * 1024)

    @field_validator("db", mode="before")
    @classmethod
    def _path(cls, value: object) -> object:
        return str(value) if isinstance(value, Path) else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace("，", ",").split(",") if part.strip()]
        return value

    @field_validator("verify_time", mode="before")
    @classmethod
    def _off(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip().lower() == "off" else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def ledger_key_value(self) -> str | None:
        return self.ledger_key.get_secret_value() if self.ledger_key is not None else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # How far the sandbox has moved the bot's clock (`:time`), to show scheduled work happen.
    # Private: no environment variable or .env line can set it, so a real bot reads the real
    # clock.
    _clock_offset: timedelta = PrivateAttr(default_factory=timedelta)

    def now(self) -> datetime:
        """The office's wall clock: months and days are the office's, not the server's."""
        return datetime.now(self.zone) + self._clock_offset

    def real_time(self, moment: datetime) -> datetime:
        """The real moment at which the office's clock reads `moment` (the same, unless moved)."""
        return moment - self._clock_offset

    def move_clock(self, to: datetime) -> None:
        """From now on the clock reads `to` and ticks on (the sandbox only)."""
        self._clock_offset += to - self.now()
