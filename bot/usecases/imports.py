"""Importing the office's spreadsheets: the unit roster and records. A file is stored whole or not at all."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Any

from bot.filelimits import MAX_UNITS
from bot.storage import (
    Identity,
    NewRecord,
    Store,
    StoredIdentity,
    Tx,
    UnitRow,
    identity,
    locked_error,
)
from bot.tabular import RECORDS, UNITS, Table, open_regular, read_table
from bot.usecases.notices import Notices
from bot.usecases.quota import PenaltyChange, resettle_late
from bot.usecases.request import Request
from bot.usecases.units import ChangeRequest, make_change
from scoring.dates import month_and_day, read_day
from scoring.engine import Scored, score
from scoring.errors import DomainError, ImportRejected, RowProblem, RowProblems
from scoring.methods import Methods
from scoring.names import split_list
from scoring.periods import month_of
from scoring.records import ParsedRow, parse_rows
from scoring.roster import Change, read_change
from scoring.ruleset import SUBMISSION_ID, Ruleset
from scoring.text import clean_name, name_key, normal_name


@dataclass(frozen=True)
class UnitsImported:
    added: int
    updated: int
    total: int
    # Lines of total rows (合计) left out.
    totals: list[int] = field(default_factory=list)
    # What an import would store, nothing of it stored.
    dry_run: bool = False


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
    # Lines of total rows (合计) left out.
    totals: list[int] = field(default_factory=list)
    # What an import would store, nothing of it stored (--dry-run).
    dry_run: bool = False
    # A dry run's rows, line by line, the first PREVIEW_LINES of them.
    lines: list[RowPreview] = field(default_factory=list)


# Rows of a file a dry run lists one by one (the counts cover them all).
PREVIEW_LINES = 1000


@dataclass(frozen=True)
class RowPreview:
    """A row of a file as a dry run finds it: its records to be stored and those already
    stored (skipped), with the points each record scores."""

    line: int
    unit: str
    day: date
    item_id: str
    title: str
    stored: int
    skipped: int
    points: int


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so that nothing it wrote is kept."""

    def __init__(self, result: RecordsImported | UnitsImported) -> None:
        super().__init__()
        self.result = result


async def import_units(
    store: Store,
    path: str | Path,
    actor: str,
    now: datetime,
    sheet: str | None = None,
    *,
    dry_run: bool = False,
    notices: Notices | None = None,
) -> UnitsImported:
    """Store a roster whole or not at all; with `dry_run` everything is done and checked as for
    real, and then nothing is kept. The liaisons of units the roster merges or retires are told
    through `notices` (a roster that moves or releases someone needs them)."""
    request = Request(actor, now, notices=notices)
    try:
        return await _import_units(store, path, request, sheet, dry_run)
    except _DryRun as dry:
        assert isinstance(dry.result, UnitsImported)
        return dry.result


async def _import_units(
    store: Store, path: str | Path, request: Request, sheet: str | None, dry_run: bool
) -> UnitsImported:
    actor, now = request.actor, request.at
    table = read_table(path, UNITS, sheet)
    with _naming_sheet(table):
        rows = []
        for row in table.rows:
            if len(rows) == MAX_UNITS:
                raise DomainError("too_many_units", path=str(path), limit=MAX_UNITS)
            rows.append(row)
        changes = _change_requests(rows)
        async with store.transaction() as tx:
            ruleset = await tx.config.ruleset()
            problems = RowProblems()
            # A renamed unit's row names it by its new name: renamed first, it is that unit.
            # The same roster imported again: its changes made already are left as they are,
            # and a unit merged away already is no longer a row of the roster.
            made = await _made_already(tx, changes, now)
            changes = [(line, r) for line, r in changes if line not in made]
            gone = {line for line, change in made.items() if change is Change.MERGE}
            await _make_changes(tx, changes, [Change.RENAME], request, problems)
            listed = [(line, row) for line, row in rows if line not in gone]
            units = _unit_rows(ruleset, listed, await tx.units.unit_lookup())
            # A unit moved from a day keeps its group until then: the move changes it.
            moved = {name_key(r.unit) for _, r in changes if r.change is Change.MOVE}
            stored = {u.name: u.group for u in await tx.units.units()}
            units = [
                replace(u, group=stored[u.name])
                if name_key(u.name) in moved and u.name in stored
                else u
                for u in units
            ]
            await tx.records.add_batch("units", actor, now, source=Path(path).name, rows=len(units))
            added, updated = await tx.units.upsert_units(units, now)
            later = [Change.MERGE, Change.RETIRE, Change.MOVE]
            await _make_changes(tx, changes, later, request, problems)
            if problems:
                raise problems.rejected()
            total = len(await tx.units.units())
            done = UnitsImported(added, updated, total, table.totals, dry_run)
            if dry_run:
                raise _DryRun(done)
    return done


def _change_requests(rows: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, ChangeRequest]]:
    """The changes a roster's change column (变更) states, by line (rules.md, "Units roster");
    the file refused naming every cell that states none."""
    problems = RowProblems()
    requests = []
    for line, row in rows:
        written = _cell(row.get("change"))
        if not written:
            continue
        try:
            cell = read_change(written)
            name = clean_name(_cell(row.get("name")))
        except DomainError as err:
            problems.add(RowProblem(line, err.code, err.params))
            continue
        unit, target = {
            Change.RENAME: (cell.other, name),
            Change.MERGE: (name, cell.other),
            Change.RETIRE: (name, ""),
            Change.MOVE: (name, _cell(row.get("group"))),
        }[cell.change]
        requests.append((line, ChangeRequest(cell.change, unit, target, cell.start)))
    if problems:
        raise problems.rejected()
    return requests


async def _made_already(
    tx: Tx, requests: list[tuple[int, ChangeRequest]], now: datetime
) -> dict[int, Change]:
    """The lines whose change is stored already, just as the file states it."""
    if not requests:
        return {}
    ruleset = await tx.config.ruleset()
    names = {u.id: name_key(u.name) for u in await tx.units.units()}
    stored = set()
    for c in await tx.units.changes():
        unit = name_key(c.old) if c.change is Change.RENAME else names[c.unit_id]
        into = names.get(c.into, "") if c.into is not None else ""
        stored.add((c.change, c.start, unit, name_key(c.new), into))
    made = {}
    for line, r in requests:
        with suppress(DomainError):
            start = read_day(r.start, now.date())
            unit, target = name_key(r.unit), name_key(r.target)
            if r.change is Change.MOVE:
                target = name_key(ruleset.find_group(r.target).id)
            key = {
                Change.RENAME: (r.change, start, unit, target, ""),
                Change.MERGE: (r.change, start, unit, "", target),
                Change.RETIRE: (r.change, start, unit, "", ""),
                Change.MOVE: (r.change, start, unit, target, ""),
            }[r.change]
            if key in stored:
                made[line] = r.change
    return made


async def _make_changes(
    tx: Tx,
    changes: list[tuple[int, ChangeRequest]],
    kinds: list[Change],
    request: Request,
    problems: RowProblems,
) -> None:
    """Make the file's changes of these kinds in file order, each refusal a bad row."""
    for line, change in changes:
        if change.change in kinds:
            try:
                await make_change(tx, change, request)
            except DomainError as err:
                problems.add(RowProblem(line, err.code, err.params))


def _unit_rows(
    ruleset: Ruleset, rows: list[tuple[int, dict[str, Any]]], lookup: dict[str, tuple[int, str]]
) -> list[UnitRow]:
    """The roster's rows, each name and alias cleaned (scoring.text.clean_name), each with its
    group found by name (scoring.names) and its aliases split however the office separated
    them. Names are compared by their key (scoring.text.name_key): a name or alias that would
    be another unit's name or alias once cleaned and folded, in this file or already stored,
    is refused naming both. A stored unit written in another form of the same characters
    (full-width brackets, before names were normalised) is the unit the row names."""
    problems = RowProblems()
    seen: dict[str, tuple[str, int]] = {}  # name key -> (name, line), within this file
    claimed: dict[str, str] = {}  # alias key -> unit name, within this file
    stored = {name_key(key): name for key, (_, name) in lookup.items()}
    same_unit = {normal_name(name): name for _, name in lookup.values()}
    names_in_file = {}
    for _, row in rows:
        with suppress(DomainError):
            name = clean_name(_cell(row.get("name")))
            names_in_file.setdefault(name_key(name), name)
    units: list[UnitRow] = []
    for line, row in rows:
        try:
            name = clean_name(_cell(row.get("name")))
            aliases: tuple[str, ...] | None = None
            if "aliases" in row:
                aliases = tuple(clean_name(a) for a in split_list(_cell(row["aliases"])))
        except DomainError as err:
            problems.add(RowProblem(line, err.code, err.params))
            continue
        if not name:
            problems.add(RowProblem(line, "name_missing"))
            continue
        key = name_key(name)
        if key in seen:
            first, first_line = seen[key]
            code = "name_duplicate" if first == name else "name_collides"
            problems.add(
                RowProblem(line, code, {"name": name, "other": first, "first": first_line})
            )
            continue
        seen[key] = (name, line)
        name = same_unit.get(name, name)
        try:
            group = ruleset.find_group(_cell(row.get("group")))
        except DomainError as err:
            problems.add(RowProblem(line, err.code, err.params))
            continue
        if aliases is not None:
            aliases = tuple(sorted({a for a in aliases if a and name_key(a) != key}))
        taken = False
        for alias in aliases or ():
            alias_key = name_key(alias)
            owner = claimed.get(alias_key) or names_in_file.get(alias_key)
            if owner is None:
                owner = stored.get(alias_key)
            if owner is not None and name_key(owner) != key:
                problems.add(RowProblem(line, "alias_taken", {"alias": alias, "unit": owner}))
                taken = True
            claimed[alias_key] = name
        owner = stored.get(key)
        if owner is not None and owner != name:
            # Another unit's alias, or another unit's name spelled differently.
            code = "alias_taken" if name_key(owner) != key else "name_collides_stored"
            problems.add(RowProblem(line, code, {"alias": name, "name": name, "unit": owner}))
            taken = True
        if not taken:
            units.append(UnitRow(name, group.id, aliases))
    if problems:
        raise problems.rejected()
    return units


async def import_records(
    store: Store,
    path: str | Path,
    actor: str,
    now: datetime,
    existing: Existing = Existing.REFUSE,
    sheet: str | None = None,
    *,
    year: int | None = None,
    dry_run: bool = False,
) -> RecordsImported:
    """Store a file's records whole or not at all. The file is read, checked and scored before
    the write lock is taken, so that a large import holds it only for the comparison with what
    is stored and the insert. `year` is the year of days written without one; with `dry_run`
    everything is done and checked as for real, and then nothing is kept."""
    digest = file_digest(path)
    async with store.reading() as tx:
        earlier = await tx.records.file_batch("records", digest)
        methods = await tx.config.methods()
        lookup = await tx.units.unit_lookup()
    if earlier is not None:
        raise _already_imported(earlier)
    table = read_table(path, RECORDS, sheet)
    with _naming_sheet(table):
        names = {k: name for k, (_, name) in lookup.items()}
        # Each name and alias in its normal form too: a name stored with a control character
        # or in full width by an earlier version is found by the cleaned text of a file.
        names = {**{normal_name(k): name for k, name in names.items()}, **names}
        rows = _parse_by_method(methods, table.rows, names, now.date(), year)
    prepared = _prepare(methods, rows, {name: unit_id for unit_id, name in lookup.values()})
    every = [row.new for row in prepared for _ in range(row.count)]
    async with store.staging() as tx:
        staged = await tx.records.stage_records(every)
    try:
        async with store.transaction() as tx:
            # What was read before the lock may have changed since, in another process.
            earlier = await tx.records.file_batch("records", digest)
            if earlier is not None:
                raise _already_imported(earlier)
            if await tx.units.unit_lookup() != lookup:
                raise DomainError("units_changed")
            if await tx.config.methods() != methods:
                raise DomainError("methods_changed")
            with _naming_sheet(table):
                counts, stored = await _new_counts(tx, prepared, existing)
                # One pass names every refused row: those already stored and those in a
                # locked period together, in the file's order.
                problems = stored + await _locked_rows(tx, rows, counts)
                if problems:
                    raise ImportRejected(
                        sorted(problems, key=lambda p: p.line),
                        hint="rows_stored_hint" if stored else None,
                    )
            batch = await tx.records.add_batch(
                "records", actor, now, source=Path(path).name, sha256=digest, rows=len(rows)
            )
            if counts == [row.count for row in prepared]:
                new = every
                await tx.records.insert_staged(batch, now, staged)
            else:
                # Rows already stored are left out: what is left is usually the few rows a
                # register gained since it was last imported.
                new = [
                    r.new for r, count in zip(prepared, counts, strict=True) for _ in range(count)
                ]
                await tx.records.add_records(batch, new, now)
            changes = await resettle_late(
                tx, {n.record.day for n in new if n.record.is_submission}, actor, now
            )
            result = RecordsImported(
                rows=len(rows),
                records=len(new),
                submissions=sum(1 for n in new if n.record.is_submission),
                entries=sum(len(n.scored.entries) for n in new),
                points=sum(n.scored.points for n in new),
                skipped=sum(row.count for row in rows) - len(new),
                changes=changes,
                totals=table.totals,
                dry_run=dry_run,
            )
            if dry_run:
                lines = [
                    RowPreview(
                        r.line, row.record.unit, row.record.day, row.record.item_id,
                        row.record.title, count, r.count - count, r.new.scored.points,
                    )
                    for r, row, count in islice(
                        zip(prepared, rows, counts, strict=True), PREVIEW_LINES
                    )
                ]  # fmt: skip
                raise _DryRun(replace(result, lines=lines))
    except _DryRun as dry:
        assert isinstance(dry.result, RecordsImported)
        return dry.result
    finally:
        async with store.staging() as tx:
            await tx.records.discard_staged()
    return result


def file_digest(path: str | Path) -> str:
    """The file's SHA-256, read in chunks: the same bytes are never imported twice."""
    with open_regular(path) as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _already_imported(earlier: tuple[int, str, str]) -> DomainError:
    return DomainError(
        "file_already_imported", when=earlier[2][:16].replace("T", " "), source=earlier[1]
    )


@contextmanager
def _naming_sheet(table: Table) -> Iterator[None]:
    """A refusal of a workbook's rows names the sheet its line numbers are on."""
    try:
        yield
    except ImportRejected as err:
        if table.sheet is None or err.code.endswith("_sheet"):
            raise
        raise ImportRejected(
            err.problems, err.hint, table.sheet, err.more, err.stopped_at
        ) from None


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A valid row of the file, scored, with what identifies its records (rules.md, "Rows
    already stored"), all computed before the write lock is taken."""

    line: int
    count: int
    new: NewRecord
    identity: Identity


def _parse_by_method(
    methods: Methods,
    rows: Iterable[tuple[int, dict[str, Any]]],
    names: dict[str, str],
    today: date,
    year: int | None,
) -> list[ParsedRow]:
    """The file's rows, each read under the method in force on its day: its items and
    modifiers are that method's. A day that cannot be read alone (unreadable, or written
    without its year) is read with the rows of the latest method, which says what is wrong
    with it or gives it their year."""
    if len(methods.methods) == 1:
        return parse_rows(methods.latest, rows, names, today, year)
    parts: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    latest = len(methods.methods) - 1
    for line, row in rows:
        index = latest
        month_day = month_and_day(row.get("date"))
        if year is not None or month_day is None:
            with suppress(DomainError, ValueError):
                day = (
                    date(year, *month_day)
                    if year and month_day
                    else read_day(row.get("date"), today)
                )
                index = methods.methods.index(methods.method_at(day))
        parts.setdefault(index, []).append((line, row))
    parsed: list[ParsedRow] = []
    problems: list[RowProblem] = []
    more = 0
    for index, part in sorted(parts.items()):
        try:
            parsed += parse_rows(methods.methods[index].ruleset, part, names, today, year)
        except ImportRejected as err:
            problems += err.problems
            more += err.more
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.line), more=more)
    parsed.sort(key=lambda r: r.line)
    return parsed


def _prepare(methods: Methods, rows: list[ParsedRow], ids: dict[str, int]) -> list[_Prepared]:
    # A record's scoring depends on its method, item, points, modifiers and note only; a large
    # file repeats few of those combinations, so each is scored once.
    scored: dict[tuple[object, ...], Scored] = {}
    prepared = []
    for row in rows:
        r = row.record
        method = methods.method_at(r.day)
        key = (method.start, r.item_id, r.points, r.modifiers, r.note)
        if key not in scored:
            scored[key] = score(method.ruleset, r)
        unit_id = ids[r.unit]
        new = NewRecord(unit_id, r, scored[key])
        prepared.append(_Prepared(row.line, row.count, new, identity(unit_id, r)))
    return prepared


async def _locked_rows(tx: Tx, rows: list[ParsedRow], counts: list[int]) -> list[RowProblem]:
    """Each row that would store something inside a locked period, with its line number; a
    row already stored (skipped with --skip-existing) stores nothing there, so a running
    register can be imported again after a period of it was locked."""
    locks = await tx.periods.locks()
    problems = []
    for row, count in zip(rows, counts, strict=True):
        if not count:
            continue
        lock = next((lock for lock in locks if lock.covers(row.record.day)), None)
        if lock is not None:
            err = locked_error(lock, row.record.day)
            problems.append(RowProblem(row.line, err.code, err.params))
    return problems


async def _new_counts(
    tx: Tx, rows: list[_Prepared], existing: Existing
) -> tuple[list[int], list[RowProblem]]:
    """How many records of each row to store: the file is compared with what is stored, as
    multisets (a row with count 3 is three), and a titled submission with the titles of the
    unit's stored submissions of the same month; never a row with itself. Inside the write
    transaction: what is stored is what the insert will join. With Existing.REFUSE, the rows
    already stored come back as problems."""
    if existing is Existing.ALLOW or not rows:
        return [row.count for row in rows], []
    days = [row.new.record.day for row in rows]
    first, last = min(days), max(days)
    stored: dict[Identity, list[StoredIdentity]] = {}
    titles: dict[tuple[int, str, str], StoredIdentity] = {}
    for found in await tx.records.stored_records(
        month_of(first).start if any(r.new.record.is_submission for r in rows) else first,
        month_of(last).end,
    ):
        if first <= found.day <= last:
            stored.setdefault(found.identity, []).append(found)
        unit_id, day, item_id, key, _, _ = found.identity
        if item_id == SUBMISSION_ID and key:
            titles.setdefault((unit_id, day[:7], key), found)
    counts: list[int] = []
    problems: list[RowProblem] = []
    for row in rows:
        key = row.identity
        same = stored.get(key, [])
        matched, stored[key] = same[: row.count], same[row.count :]
        left = row.count - len(matched)
        code = "row_stored" if row.count == 1 else "rows_stored"
        unit_id, day, item_id, title, _, _ = key
        found = titles.get((unit_id, day[:7], title)) if item_id == SUBMISSION_ID else None
        if left and found is not None:
            # The month already has a submission of this title: every one of the row is a
            # duplicate of it.
            matched, left, code = [found], 0, "submission_stored"
        counts.append(left)
        if matched and existing is Existing.REFUSE:
            first_match = matched[0]
            problems.append(
                RowProblem(
                    row.line,
                    code,
                    {
                        "record": first_match.id,
                        "date": first_match.day.isoformat(),
                        "stored": row.count - left,
                        "count": row.count,
                    },
                )
            )
    return counts, problems


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()
