"""Published bulletins, and the files they (and drafts owed through the outbox) are made of."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.storage.query import Repository


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


class BulletinStorage(Repository):
    async def add_file(self, filename: str, data: bytes, now: datetime) -> int:
        return await self.insert(
            "INSERT INTO files (filename, data, sha256, created_at) VALUES (?, ?, ?, ?)",
            (filename, data, hashlib.sha256(data).hexdigest(), now.isoformat()),
        )

    async def stored_file(self, file_id: int) -> StoredFile | None:
        row = await self.one("SELECT filename, data, sha256 FROM files WHERE id = ?", (file_id,))
        return StoredFile(row[0], bytes(row[1]), row[2]) if row else None

    async def publications(self, period: str | None = None) -> list[Publication]:
        """Published versions, of one period or all, oldest first."""
        where, params = ("WHERE period = ?", (period,)) if period else ("", ())
        rows = await self.all(
            "SELECT period, version, published_at, actor, actor_name, content, docx_file, "
            f"xlsx_file, anchor FROM bulletins {where} ORDER BY published_at, period, version",
            params,
        )
        return [
            Publication(p, v, datetime.fromisoformat(at), who, name, content, docx, xlsx, anchor)
            for p, v, at, who, name, content, docx, xlsx, anchor in rows
        ]

    async def add_publication(self, publication: Publication) -> None:
        p = publication
        await self.db.execute(
            "INSERT INTO bulletins (period, version, published_at, actor, actor_name, content, "
            "docx_file, xlsx_file, anchor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                p.period, p.version, p.at.isoformat(), p.actor, p.actor_name, p.content,
                p.docx_file, p.xlsx_file, p.anchor,
            ),
        )  # fmt: skip
