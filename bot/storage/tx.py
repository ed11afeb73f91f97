"""The transaction handle: each storage area's repository on one transaction."""

from __future__ import annotations

from functools import cached_property

from bot.storage.bulletins import BulletinStorage
from bot.storage.commissions import CommissionStorage
from bot.storage.config import ConfigStorage
from bot.storage.conversations import ConversationStorage
from bot.storage.drafts import DraftStorage
from bot.storage.intake import IntakeStorage
from bot.storage.jobs import JobStorage
from bot.storage.lease import LeaseStorage
from bot.storage.ledger import LedgerStorage
from bot.storage.liaisons import LiaisonStorage
from bot.storage.outbox import OutboxStorage
from bot.storage.periods import PeriodStorage
from bot.storage.query import TxBase
from bot.storage.quota import QuotaStorage
from bot.storage.records import RecordStorage
from bot.storage.standings import StandingsStorage
from bot.storage.units import UnitStorage
from bot.storage.webusers import WebUserStorage


class Tx(TxBase):
    """Queries and writes inside one transaction (see Store.transaction, Store.bot_transaction
    and Store.reading), an area at a time: `tx.records.add_records(...)`, `tx.ledger...`.

    Each repository is made when first used: most transactions touch two or three areas, and
    the chat's busiest ones are timed in microseconds (bench/chat.py)."""

    @cached_property
    def config(self) -> ConfigStorage:
        return ConfigStorage(self)

    @cached_property
    def intake(self) -> IntakeStorage:
        return IntakeStorage(self)

    @cached_property
    def lease(self) -> LeaseStorage:
        return LeaseStorage(self)

    @cached_property
    def units(self) -> UnitStorage:
        return UnitStorage(self)

    @cached_property
    def liaisons(self) -> LiaisonStorage:
        return LiaisonStorage(self)

    @cached_property
    def periods(self) -> PeriodStorage:
        return PeriodStorage(self)

    @cached_property
    def ledger(self) -> LedgerStorage:
        return LedgerStorage(self, self.periods)

    @cached_property
    def records(self) -> RecordStorage:
        return RecordStorage(self, self.ledger, self.periods)

    @cached_property
    def drafts(self) -> DraftStorage:
        return DraftStorage(self)

    @cached_property
    def standings(self) -> StandingsStorage:
        return StandingsStorage(self)

    @cached_property
    def quota(self) -> QuotaStorage:
        return QuotaStorage(self)

    @cached_property
    def jobs(self) -> JobStorage:
        return JobStorage(self)

    @cached_property
    def outbox(self) -> OutboxStorage:
        return OutboxStorage(self)

    @cached_property
    def commissions(self) -> CommissionStorage:
        return CommissionStorage(self)

    @cached_property
    def bulletins(self) -> BulletinStorage:
        return BulletinStorage(self)

    @cached_property
    def conversations(self) -> ConversationStorage:
        return ConversationStorage(self)

    @cached_property
    def webusers(self) -> WebUserStorage:
        return WebUserStorage(self)
