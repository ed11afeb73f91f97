"""Published bulletins, and the files they (and drafts owed through the outbox) are made of."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.storage.query import Repository
from bot.storage.sql import sql


@dataclass(frozen=True)
class Publication:
    period: str
    version: int
    at: datetime
    actor: str
    actor_name: str
    # The bulletin JSON as published.
    content: str
    docx_file: int | None
    xlsx_file: int
    # The ledger chain's head it was published on (bot.storage.ledger.Anchor as text).
    anchor: str = ""

    @property
    def by(self) -> str:
        return self.actor_name or self.actor


@dataclass(frozen=True)
class StoredFile:
    filename: str
    data: bytes
    sha256: str


_ADD_FILE = sql(
    "INSERT INTO files (filename, data, sha256, created_at) "
    "VALUES (:filename, :data, :sha256, :created_at) RETURNING id"
)
_FILE = sql("SELECT filename, data, sha256 FROM files WHERE id = :id")
_PUBLICATION = (
    "SELECT period, version, published_at, actor, actor_name, content, docx_file, "
    "xlsx_file, anchor FROM bulletins"
)
_ORDER = "ORDER BY published_at, period, version"
_PUBLICATIONS = sql(f"{_PUBLICATION} {_ORDER}")
_PERIOD_PUBLICATIONS = sql(f"{_PUBLICATION} WHERE period = :period {_ORDER}")
_ADD_PUBLICATION = sql(
    "INSERT INTO bulletins (period, version, published_at, actor, actor_name, content, "
    "docx_file, xlsx_file, anchor) VALUES (:period, :version, :published_at, :actor, "
    ":actor_name, :content, :docx_file, :xlsx_file, :anchor)"
)


class BulletinStorage(Repository):
    async def add_file(self, filename: str, data: bytes, now: datetime) -> int:
        return await self.insert(
            _ADD_FILE,
            {"filename": filename, "data": data, "sha256": hashlib.sha256(data).hexdigest(),
             "created_at": now.isoformat()},
        )  # fmt: skip

    async def stored_file(self, file_id: int) -> StoredFile | None:
        row = await self.one(_FILE, {"id": file_id})
        return StoredFile(row[0], bytes(row[1]), row[2]) if row else None

    async def publications(self, period: str | None = None) -> list[Publication]:
        """Published versions, of one period or all, oldest first."""
        rows = await (
            self.all(_PERIOD_PUBLICATIONS, {"period": period})
            if period
            else self.all(_PUBLICATIONS)
        )
        return [
            Publication(p, v, datetime.fromisoformat(at), who, name, content, docx, xlsx, anchor)
            for p, v, at, who, name, content, docx, xlsx, anchor in rows
        ]

    async def add_publication(self, publication: Publication) -> None:
        p = publication
        await self.write(
            _ADD_PUBLICATION,
            {"period": p.period, "version": p.version, "published_at": p.at.isoformat(),
             "actor": p.actor, "actor_name": p.actor_name, "content": p.content,
             "docx_file": p.docx_file, "xlsx_file": p.xlsx_file, "anchor": p.anchor},
        )  # fmt: skip
