"""Importing the office's spreadsheets: the unit roster and records. A file is stored whole or not at all."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.storage import NewRecord, Store, UnitRow
from bot.tabular import read_bytes, read_table
from scoring.engine import Scored, score
from scoring.errors import DomainError, ImportRejected, RowProblem
from scoring.records import check_header, parse_rows

UNIT_COLUMNS = ("name", "group", "aliases")


@dataclass(frozen=True)
class UnitsImported:
    added: int
    updated: int
    total: int


@dataclass(frozen=True)
class RecordsImported:
    rows: int
    records: int
    submissions: int
    entries: int
    points: int


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
    store: Store, path: str | Path, actor: str, now: datetime
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
        records = parse_rows(
            ruleset, table.rows, {k: name for k, (_, name) in lookup.items()}, now.date()
        )
        ids = {name: unit_id for unit_id, name in lookup.values()}
        # A record's scoring depends on its item, points, modifiers and note only; a large file
        # repeats few of those combinations, so each is scored once.
        scored: dict[tuple[object, ...], Scored] = {}
        new = []
        for r in records:
            key = (r.item_id, r.points, r.modifiers, r.note)
            if key not in scored:
                scored[key] = score(ruleset, r)
            new.append(NewRecord(ids[r.unit], r, scored[key]))
        batch = await tx.add_batch(
            "records", actor, now, source=Path(path).name, sha256=digest, rows=len(table.rows)
        )
        await tx.add_records(batch, new, now)
    return RecordsImported(
        rows=len(table.rows),
        records=len(new),
        submissions=sum(1 for n in new if n.record.is_submission),
        entries=sum(len(n.scored.entries) for n in new),
        points=sum(n.scored.points for n in new),
    )
