"""Storage: every SQL statement of the project, split by area, behind `Store` and `Tx`.

`Store.transaction()` and `Store.reading()` hand out a `Tx`, the only way to query or write:
a use case does all of its work through one `Tx`, so it commits all of it or none.
"""

from bot.storage.base import (
    STORAGE_ERRORS,
    Store,
    StoreBusy,
    bot_file_path,
    database_files,
    password_of,
    shown,
)
from bot.storage.bulletins import Publication, StoredFile
from bot.storage.commissions import Commission
from bot.storage.drafts import StoredDraft
from bot.storage.intake import AlreadyProcessed
from bot.storage.lease import LeaseHolder
from bot.storage.ledger import LedgerEntry, LedgerLine
from bot.storage.liaisons import Liaison
from bot.storage.outbox import Outgoing
from bot.storage.periods import Lock, PeriodEvent
from bot.storage.quota import StoredSettlement
from bot.storage.records import (
    NewRecord,
    PendingClaim,
    RecordLine,
    StoredRecord,
    decode_modifiers,
    encode_modifiers,
)
from bot.storage.tx import Tx
from bot.storage.units import UnitRow

__all__ = [
    "STORAGE_ERRORS",
    "AlreadyProcessed",
    "Commission",
    "LeaseHolder",
    "LedgerEntry",
    "LedgerLine",
    "Liaison",
    "Lock",
    "NewRecord",
    "Outgoing",
    "PendingClaim",
    "PeriodEvent",
    "Publication",
    "RecordLine",
    "Store",
    "StoreBusy",
    "StoredDraft",
    "StoredFile",
    "StoredRecord",
    "StoredSettlement",
    "Tx",
    "UnitRow",
    "bot_file_path",
    "database_files",
    "decode_modifiers",
    "encode_modifiers",
    "password_of",
    "shown",
]
