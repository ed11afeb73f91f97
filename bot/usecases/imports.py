"""Importing the office's spreadsheets: the unit roster and records. A file is stored whole or not at all."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from bot.storage import NewRecord, Store, Tx, UnitRow
from bot.storage.periods import locked_error
from bot.storage.records import Identity, StoredIdentity, identity
from bot.tabular import read_bytes, read_table
from bot.usecases.quota import PenaltyChange, resettle_late
from scoring.engine import Scored, score
from scoring.errors import DomainError, ImportRejected, RowProblem
from scoring.periods import month_of
from scoring.records import ParsedRow, check_header, parse_rows, title_key
from scoring.ruleset import SUBMISSION_ID

UNIT_COLUMNS = ("name", "group", "aliases")


@dataclass(frozen=True)
class UnitsImported:
    added: int
    updated: int
    total: int


class Existing(StrEnum):
    """What an import does with rows already stored (rules.md, "Rows already stored")."""

    REFUSE = "refuse"
    SKIP = "skip"
    ALLOW = "allow"


@dataclass(frozen=True)
class RecordsImported:
    rows: int
    records: int
    submissions: int
    entries: int
    points: int
    # Records of the file left out as already stored (with Existing.SKIP).
    skipped: int = 0
    # Penalties of settled months changed by late submissions in the file.
    changes: list[PenaltyChange] = field(default_factory=list)


async def import_units(store: Store, path: str | Path, actor: str, now: datetime) -> UnitsImported:
    data = read_bytes(path)
    table = read_table(path, data)
    problems = [
        RowProblem(1, "column_missing", {"column": c})
        for c in ("name", "group")
        if c not in table.header
    ]
    problems += [
        RowProblem(1, "column_unknown", {"column": c})
        for c in table.header
        if c and c not in UNIT_COLUMNS
    ]
    if problems:
        raise ImportRejected(problems)
    has_aliases = "aliases" in table.header
    async with store.transaction() as tx:
        ruleset = await tx.ruleset()
        lookup = await tx.unit_lookup()
        seen: dict[str, int] = {}
        claimed: dict[str, str] = {}  # alias -> unit name, within this file
        names_in_file = {str(row.get("name") or "").strip() for _, row in table.rows}
        rows: list[UnitRow] = []
        for line, row in table.rows:
            name = str(row.get("name") or "").strip()
            group_text = str(row.get("group") or "").strip()
            if not name:
                problems.append(RowProblem(line, "name_missing"))
                continue
            if name in seen:
                problems.append(
                    RowProblem(line, "name_duplicate", {"name": name, "first": seen[name]})
                )
                continue
            seen[name] = line
            group = ruleset.groups_by_key.get(group_text)
            if group is None:
                known = "、".join(g.display for g in ruleset.groups)
                problems.append(
                    RowProblem(line, "group_unknown", {"group": group_text, "known": known})
                )
                continue
            aliases: tuple[str, ...] | None = None
            if has_aliases:
                parts = str(row.get("aliases") or "").replace("；", ";").split(";")
                aliases = tuple(
                    sorted({a.strip() for a in parts if a.strip() and a.strip() != name})
                )
                bad = False
                for alias in aliases:
                    # An alias may not be another unit's name, in this file or already stored.
                    owner = claimed.get(alias) or (alias if alias in names_in_file else None)
                    if owner is None and alias in lookup:
                        owner = lookup[alias][1]
                    if owner is not None and owner != name:
                        problems.append(
                            RowProblem(line, "alias_taken", {"alias": alias, "unit": owner})
                        )
                        bad = True
                    claimed[alias] = name
                if bad:
                    continue
            if name in lookup and lookup[name][1] != name:
                problems.append(
                    RowProblem(line, "alias_taken", {"alias": name, "unit": lookup[name][1]})
                )
                continue
            rows.append(UnitRow(name, group.id, aliases))
        if problems:
            raise ImportRejected(problems)
        await tx.add_batch("units", actor, now, source=Path(path).name, rows=len(rows))
        added, updated = await tx.upsert_units(rows, now)
        total = len(await tx.units())
    return UnitsImported(added, updated, total)


async def import_records(
    store: Store,
    path: str | Path,
    actor: str,
    now: datetime,
    existing: Existing = Existing.REFUSE,
) -> RecordsImported:
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    table = read_table(path, data)
    if problems := check_header(table.header):
        raise ImportRejected(problems)
    async with store.transaction() as tx:
        earlier = await tx.file_batch("records", digest)
        if earlier is not None:
            raise DomainError(
                "file_already_imported", when=earlier[2][:16].replace("T", " "), source=earlier[1]
            )
        ruleset = await tx.ruleset()
        lookup = await tx.unit_lookup()
        rows = parse_rows(
            ruleset, table.rows, {k: name for k, (_, name) in lookup.items()}, now.date()
        )
        ids = {name: unit_id for unit_id, name in lookup.values()}
        await _refuse_locked_rows(tx, rows)
        counts = await _new_counts(tx, rows, ids, existing)
        # A record's scoring depends on its item, points, modifiers and note only; a large file
        # repeats few of those combinations, so each is scored once.
        scored: dict[tuple[object, ...], Scored] = {}
        new = []
        for row, count in zip(rows, counts, strict=True):
            r = row.record
            key = (r.item_id, r.points, r.modifiers, r.note)
            if key not in scored:
                scored[key] = score(ruleset, r)
            new += [NewRecord(ids[r.unit], r, scored[key])] * count
        batch = await tx.add_batch(
            "records", actor, now, source=Path(path).name, sha256=digest, rows=len(table.rows)
        )
        await tx.add_records(batch, new, now)
        changes = await resettle_late(
            tx, {n.record.day for n in new if n.record.is_submission}, actor, now
        )
    return RecordsImported(
        rows=len(table.rows),
        records=len(new),
        submissions=sum(1 for n in new if n.record.is_submission),
        entries=sum(len(n.scored.entries) for n in new),
        points=sum(n.scored.points for n in new),
        skipped=sum(row.count for row in rows) - len(new),
        changes=changes,
    )


async def _refuse_locked_rows(tx: Tx, rows: list[ParsedRow]) -> None:
    """Each row dated inside a locked period is refused with its line number."""
    locks = await tx.locks()
    problems = []
    for row in rows:
        lock = next((lock for lock in locks if lock.covers(row.record.day)), None)
        if lock is not None:
            err = locked_error(lock, row.record.day)
            problems.append(RowProblem(row.line, err.code, err.params))
    if problems:
        raise ImportRejected(problems)


async def _new_counts(
    tx: Tx, rows: list[ParsedRow], ids: dict[str, int], existing: Existing
) -> list[int]:
    """How many records of each row to store: the file is compared with what is stored, as
    multisets (a row with count 3 is three), and a titled submission with the titles of the
    unit's stored submissions of the same month; never a row with itself."""
    if existing is Existing.ALLOW or not rows:
        return [row.count for row in rows]
    days = [row.record.day for row in rows]
    first, last = min(days), max(days)
    stored: dict[Identity, list[StoredIdentity]] = {}
    titles: dict[tuple[int, str, str], StoredIdentity] = {}
    for found in await tx.stored_records(
        month_of(first).start if any(r.record.is_submission for r in rows) else first,
        month_of(last).end,
    ):
        if first <= found.day <= last:
            stored.setdefault(found.identity, []).append(found)
        unit_id, _, item_id, key, _, _ = found.identity
        if item_id == SUBMISSION_ID and key:
            titles.setdefault((unit_id, month_of(found.day).label, key), found)
    counts: list[int] = []
    problems: list[RowProblem] = []
    for row in rows:
        r = row.record
        unit_id = ids[r.unit]
        key = identity(unit_id, r)
        same = stored.get(key, [])
        matched, stored[key] = same[: row.count], same[row.count :]
        left = row.count - len(matched)
        code = "row_stored" if row.count == 1 else "rows_stored"
        title = titles.get((unit_id, month_of(r.day).label, title_key(r.title)))
        if left and r.is_submission and title is not None:
            # The month already has a submission of this title: every one of the row is a
            # duplicate of it.
            matched, left, code = [title], 0, "submission_stored"
        counts.append(left)
        if matched and existing is Existing.REFUSE:
            match = matched[0]
            problems.append(
                RowProblem(
                    row.line,
                    code,
                    {
                        "record": match.id,
                        "date": match.day.isoformat(),
                        "stored": row.count - left,
                        "count": row.count,
                    },
                )
            )
    if problems:
        raise ImportRejected(problems, hint="rows_stored_hint")
    return counts
