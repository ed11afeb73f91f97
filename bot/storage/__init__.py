"""Storage: every SQL statement of the project, split by area, behind `Store` and `Tx`.

`Store.transaction()` and `Store.reading()` hand out a `Tx`, the only way to query or write:
a use case does all of its work through one `Tx`, so it commits all of it or none. A `Tx`
holds one repository per area (`tx.records`, `tx.ledger`, `tx.outbox`, ...).

The names below are the package's surface: code outside it imports from `bot.storage`, and
from its two public submodules `bot.storage.copy` (copying a database) and
`bot.storage.verify` (checking one); every other module here is its implementation
(tests/test_storage_structure.py keeps it so).
"""

from bot.storage.address import TELEGRAM, WEB, Address
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
from bot.storage.dsn import check_url, is_postgres
from bot.storage.intake import KEEP_HANDLED, AlreadyProcessed
from bot.storage.lease import LeaseHolder
from bot.storage.ledger import Anchor, FoundLine, LedgerEntry, LedgerLine
from bot.storage.ledgerkey import place_key, read_key
from bot.storage.liaisons import Liaison, LiaisonLink
from bot.storage.migrate import earlier_builtin, migration_files
from bot.storage.outbox import EDIT_CAPTION, EDIT_TEXT, OUTBOX_CHANNEL, Buttons, Outgoing
from bot.storage.periods import Lock, PeriodEvent, locked_error
from bot.storage.postgres import POSTGRES_MIGRATIONS, LeaderLock, PgStore
from bot.storage.quota import StoredSettlement, quota_key
from bot.storage.records import (
    Identity,
    NewRecord,
    PendingClaim,
    RecordLine,
    StoredIdentity,
    StoredRecord,
    decode_modifiers,
    encode_modifiers,
    identity,
)
from bot.storage.sql import sql
from bot.storage.tx import Tx
from bot.storage.units import UnitRow
from bot.storage.webusers import FormReplayed, WebLink, WebUser

__all__ = [
    "EDIT_CAPTION",
    "EDIT_TEXT",
    "KEEP_HANDLED",
    "OUTBOX_CHANNEL",
    "POSTGRES_MIGRATIONS",
    "STORAGE_ERRORS",
    "TELEGRAM",
    "WEB",
    "Address",
    "AlreadyProcessed",
    "Anchor",
    "Buttons",
    "Commission",
    "FormReplayed",
    "FoundLine",
    "Identity",
    "LeaderLock",
    "LeaseHolder",
    "LedgerEntry",
    "LedgerLine",
    "Liaison",
    "LiaisonLink",
    "Lock",
    "NewRecord",
    "Outgoing",
    "PendingClaim",
    "PeriodEvent",
    "PgStore",
    "Publication",
    "RecordLine",
    "Store",
    "StoreBusy",
    "StoredDraft",
    "StoredFile",
    "StoredIdentity",
    "StoredRecord",
    "StoredSettlement",
    "Tx",
    "UnitRow",
    "WebLink",
    "WebUser",
    "bot_file_path",
    "check_url",
    "database_files",
    "decode_modifiers",
    "earlier_builtin",
    "encode_modifiers",
    "identity",
    "is_postgres",
    "locked_error",
    "migration_files",
    "password_of",
    "place_key",
    "quota_key",
    "read_key",
    "shown",
    "sql",
]
