"""The transaction handle: every storage area's methods on one object."""

from __future__ import annotations

from bot.storage.bulletins import BulletinStorage
from bot.storage.commissions import CommissionStorage
from bot.storage.config import ConfigStorage
from bot.storage.conversations import ConversationStorage
from bot.storage.drafts import DraftStorage
from bot.storage.intake import IntakeStorage
from bot.storage.jobs import JobStorage
from bot.storage.lease import LeaseStorage
from bot.storage.liaisons import LiaisonStorage
from bot.storage.outbox import OutboxStorage
from bot.storage.quota import QuotaStorage
from bot.storage.records import RecordStorage
from bot.storage.standings import StandingsStorage
from bot.storage.units import UnitStorage
from bot.storage.webusers import WebUserStorage


class Tx(
    ConfigStorage,
    IntakeStorage,
    LeaseStorage,
    UnitStorage,
    LiaisonStorage,
    RecordStorage,
    DraftStorage,
    StandingsStorage,
    QuotaStorage,
    JobStorage,
    OutboxStorage,
    CommissionStorage,
    BulletinStorage,
    ConversationStorage,
    WebUserStorage,
):
    """Queries and writes inside one transaction (see Store.transaction, Store.bot_transaction and Store.reading)."""
