"""A period's bulletin: its standings and, for a year, its awards, read in one snapshot."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot import texts
from bot.bulletin.compose import Letter
from bot.bulletin.wording import Wording
from bot.storage import Publication, Store, StoredFile, Tx
from bot.usecases.notices import Answer, BulletinPublished, DraftReady, Notices, owe_answer
from bot.usecases.request import Request, claim
from bot.usecases.standings import listed_units, period_names, standings_in
from scoring.awards import Basis, GroupAwards, annual_awards
from scoring.bulletin import Bulletin, Published, build_bulletin, is_year
from scoring.errors import DomainError
from scoring.periods import Period, check_period, quarter, quarter_of, year
from scoring.ruleset import ItemKind, Ruleset
from scoring.standings import Standings


async def bulletin(store: Store, period: Period) -> Bulletin:
    async with store.reading(snapshot=True) as tx:
        return await bulletin_in(tx, period)


async def bulletin_in(tx: Tx, period: Period) -> Bulletin:
    """The bulletin inside a transaction already open (publishing locks in the same one)."""
    ruleset, table = await standings_in(tx, period)
    awards = None
    if ruleset.awards is not None and is_year(period):
        awards = await _awards(tx, ruleset, table)
    penalty_ids = [i.id for i in ruleset.items if i.kind is ItemKind.PENALTY]
    by_id = await tx.ledger.penalty_counts(period.start, period.end, penalty_ids)
    names = await period_names(tx, period) if by_id else {}
    paper = build_bulletin(ruleset, table, awards, _by_name(by_id, names))
    spans = (await tx.config.methods()).spans(period.start, period.end)
    if len(spans) == 1:
        return paper
    # The notes say which method scored which days.
    methods = tuple((s.method.ruleset.name, s.start, s.end) for s in spans)
    return replace(paper, notes=replace(paper.notes, methods=methods))


async def _awards(tx: Tx, ruleset: Ruleset, table: Standings) -> list[GroupAwards]:
    assert ruleset.awards is not None
    the_year = table.period
    basis = await _basis(tx, ruleset, table)
    penalty_ids = [i for rule in ruleset.awards.disqualify for i in rule.penalties]
    by_id = await tx.ledger.penalty_counts(the_year.start, the_year.end, penalty_ids)
    penalties = _by_name(by_id, await period_names(tx, the_year))
    liaisons: dict[str, list[str]] = {}
    for person in await tx.liaisons.liaisons():
        liaisons.setdefault(person.unit, []).append(person.name or person.display)
    return annual_awards(ruleset.awards, table.groups, basis, penalties, liaisons)


def _by_name(by_id: dict[int, dict[str, int]], names: dict[int, str]) -> dict[str, dict[str, int]]:
    """Per-unit counts by the name the period lists each unit under: a unit merged into another
    counts with it. A unit the period does not list keeps its own name."""
    result: dict[str, dict[str, int]] = {}
    for unit_id, counts in by_id.items():
        mine = result.setdefault(names[unit_id], {})
        for key, n in counts.items():
            mine[key] = mine.get(key, 0) + n
    return result


async def _basis(tx: Tx, ruleset: Ruleset, table: Standings) -> Basis:
    """The previous year's standings if it has ledger entries; otherwise (the ruleset's first
    year) the year's first quarter in which the ruleset was in force against its last."""
    number = table.period.start.year
    previous = year(number - 1)
    if await tx.ledger.has_ledger_entries(previous.start, previous.end):
        _, before = await standings_in(tx, previous)
        return Basis(previous.label, before.groups, table.groups)
    effective = ruleset.effective_from or date(number, 1, 1)
    first = quarter_of(min(max(effective, table.period.start), table.period.end))
    last = quarter(number, 4)
    _, before = await standings_in(tx, first)
    _, after = await standings_in(tx, last)
    return Basis(f"{first.label}..{last.label}", before.groups, after.groups)


@dataclass(frozen=True)
class Issued:
    """A published version, and what changed since the version before it."""

    publication: Publication
    # Rows whose rank or total differ from the previous version: (group, unit, before, after),
    # each a (rank, total) or None where the unit was not listed.
    changed: list[tuple[str, str, tuple[int, int] | None, tuple[int, int] | None]]
    units_told: int


async def publish(
    store: Store,
    period: Period,
    request: Request,
    letter: Letter,
    wording: Wording,
    *,
    as_reviewed: bool = True,
    answer: Answer[Issued] | None = None,
) -> Issued:
    """Publish the period's bulletin: lock the period, store the files as published, and owe
    each unit's liaisons their line (and, for a year, the units named in the awards).

    `as_reviewed`: the issue number and date are those of the last draft made of the period
    (the one the office reviewed), not the letter's, which only fills in for a period never
    drafted; False when the publisher names them.

    Published again after a reopen, it is the next version, and the admins are owed the rows
    that changed."""
    now = request.at
    if period.end >= now.date():
        raise DomainError("period_not_ended", period=period.name, end=period.end.isoformat())
    async with store.transaction() as tx:
        await claim(tx, request)
        check_period(period, (await tx.config.ruleset()).effective_from, now.date())
        earlier = await tx.bulletins.publications(period.label)
        lock = next((x for x in await tx.periods.locks() if x.period == period.label), None)
        if earlier and lock is not None and earlier[-1].at >= lock.at:
            raise DomainError(
                "bulletin_published", period=period.name, version=earlier[-1].version,
                who=earlier[-1].by, at=earlier[-1].at.strftime("%Y-%m-%d %H:%M"),
            )  # fmt: skip
        if as_reviewed:
            letter = await _reviewed(tx, period, letter)
        paper = await bulletin_in(tx, period)
        version = earlier[-1].version + 1 if earlier else 1
        # Publishing adds no ledger line: the head read here is the one the numbers came from.
        anchor = str(await tx.ledger.ledger_head())
        published = Published(version, now, request.name or request.actor, anchor)
        # CPU work under the write lock: the files must show exactly what is locked.
        docx, xlsx = await asyncio.to_thread(_files, paper, letter, now, published, wording)
        stem = f"{texts.BULLETIN_FILE_STEM}-{period.name}-v{version}"
        docx_id = (
            await tx.bulletins.add_file(f"{stem}.docx", docx, now) if docx is not None else None
        )
        xlsx_id = await tx.bulletins.add_file(f"{stem}.xlsx", xlsx, now)
        content = json.dumps(paper.to_json(published), ensure_ascii=False)
        publication = Publication(
            period.label,
            version,
            now,
            request.actor,
            request.name,
            content,
            docx_id,
            xlsx_id,
            anchor,
        )
        await tx.bulletins.add_publication(publication)
        if lock is None:
            await tx.periods.add_lock(period, request.actor, request.name, now)
        ruleset = await tx.config.ruleset()
        labels = {g.id: g.display for g in ruleset.groups}
        changed = _changed(earlier[-1].content, content, labels) if earlier else []
        units = await _listed_units(tx, paper, period)
        reached = await tx.liaisons.liaison_chats(unit_id for _, unit_id in units)
        told = len({unit for unit, unit_id in units if unit_id in reached})
        published_notice = BulletinPublished(
            period, version, anchor, paper, ruleset.bulletin.ranked,
            ruleset.bulletin.total_column, tuple(labels.items()), units, tuple(changed),
        )  # fmt: skip
        await request.emit(tx, published_notice)
        issued = Issued(publication, changed, told)
        await owe_answer(tx, answer, issued, f"answer:bulletin:{period.label}:{version}", now)
    return issued


# The letterhead of the last draft made of a period: the issue number and date it showed.
_LETTER_KEY = "bulletin_letter:{period}"


async def remember_letter_in(tx: Tx, period: Period, letter: Letter) -> None:
    """Keep the issue number and date a draft showed: publishing prints the same."""
    await tx.config.set_setting(
        _LETTER_KEY.format(period=period.label),
        json.dumps({"issue": letter.issue, "day": letter.day.isoformat()}, ensure_ascii=False),
    )


async def remember_letter(store: Store, period: Period, letter: Letter) -> None:
    async with store.transaction() as tx:
        await remember_letter_in(tx, period, letter)


async def _reviewed(tx: Tx, period: Period, letter: Letter) -> Letter:
    text = await tx.config.setting(_LETTER_KEY.format(period=period.label))
    if text is None:
        return letter
    data = json.loads(text)
    return replace(letter, issue=data["issue"], day=date.fromisoformat(data["day"]))


def _files(
    paper: Bulletin,
    letter: Letter,
    stamp: datetime,
    published: Published | None,
    wording: Wording,
) -> tuple[bytes | None, bytes]:
    """The DOCX (none without the office's name to head it) and the XLSX, as published."""
    # Imported here: python-docx and openpyxl load for a bulletin's files, not at every start
    # of the bot (about a quarter of its start-up's CPU).
    from bot.bulletin.render import render_file

    docx = None
    if letter.office:
        docx = render_file(paper, "docx", letter, stamp, published=published, wording=wording)
    xlsx = render_file(paper, "xlsx", letter, stamp, published=published, wording=wording)
    return docx, xlsx


async def _listed_units(tx: Tx, paper: Bulletin, period: Period) -> tuple[tuple[str, int], ...]:
    """(unit, its id) of every unit the bulletin lists, by the name the period lists it under."""
    ids = await listed_units(tx, period)
    return tuple(
        (row.unit, ids[row.unit]) for group in paper.standings.groups for row in group.rows
    )


def _rows(content: str, labels: dict[str, str]) -> dict[tuple[str, str], tuple[int, int]]:
    data = json.loads(content)
    return {
        (labels.get(g["group"], g["group"]), r["unit"]): (r["rank"], r["total"])
        for g in data["groups"]
        for r in g["rows"]
    }


def _changed(
    before: str, after: str, labels: dict[str, str]
) -> list[tuple[str, str, tuple[int, int] | None, tuple[int, int] | None]]:
    """(group label, unit, before, after) of every row whose rank or total differs."""
    old, new = _rows(before, labels), _rows(after, labels)
    return [
        (group, unit, old.get((group, unit)), new.get((group, unit)))
        for group, unit in [*new, *(k for k in old if k not in new)]
        if old.get((group, unit)) != new.get((group, unit))
    ]


def change_line(change: tuple[str, str, tuple[int, int] | None, tuple[int, int] | None]) -> str:
    group, unit, before, after = change

    def shown(place: tuple[int, int] | None) -> str:
        return (
            texts.BULLETIN_UNLISTED
            if place is None
            else texts.BULLETIN_PLACE.format(rank=place[0], total=place[1])
        )

    return texts.BULLETIN_CHANGE_LINE.format(
        group=group, unit=unit, before=shown(before), after=shown(after)
    )


async def published_file(store: Store, period: Period, version: int | None, fmt: str) -> StoredFile:
    """A published version's DOCX or XLSX exactly as it was published (the latest version if
    none is named)."""
    async with store.reading() as tx:
        versions = await tx.bulletins.publications(period.label)
        chosen = [p for p in versions if version is None or p.version == version]
        if not chosen:
            raise DomainError("bulletin_not_published", period=period.name, version=version or "")
        file_id = chosen[-1].docx_file if fmt == "docx" else chosen[-1].xlsx_file
        stored = await tx.bulletins.stored_file(file_id) if file_id is not None else None
    if stored is None:
        raise DomainError("bulletin_no_docx", period=period.name, version=chosen[-1].version)
    return stored


async def published_json(store: Store, period: Period, version: int | None) -> str | None:
    """The JSON of a published version as it was published. Without a version: the latest
    one if it is what the period shows (published and locked since), else None (a draft)."""
    async with store.reading() as tx:
        versions = await tx.bulletins.publications(period.label)
        lock = next((x for x in await tx.periods.locks() if x.period == period.label), None)
    if version is not None:
        chosen = [p for p in versions if p.version == version]
        if not chosen:
            raise DomainError("bulletin_not_published", period=period.label, version=version)
        content = chosen[0].content
    elif versions and lock is not None and versions[-1].at >= lock.at:
        content = versions[-1].content
    else:
        return None
    return json.dumps(json.loads(content), ensure_ascii=False, indent=2) + "\n"


async def publications(store: Store) -> list[Publication]:
    async with store.reading() as tx:
        return await tx.bulletins.publications()


@dataclass(frozen=True)
class Draft:
    """A period's bulletin as drafts: the DOCX (none without the office's name) and the XLSX."""

    period: Period
    docx: tuple[str, bytes] | None
    xlsx: tuple[str, bytes]
    units: int


async def draft_in(
    tx: Tx, period: Period, letter: Letter, wording: Wording, now: datetime
) -> Draft:
    paper = await bulletin_in(tx, period)
    docx, xlsx = await asyncio.to_thread(_files, paper, letter, now, None, wording)
    stem = f"{texts.BULLETIN_FILE_STEM}-{period.name}-{texts.BULLETIN_DRAFT}"
    return Draft(
        period,
        (f"{stem}.docx", docx) if docx is not None else None,
        (f"{stem}.xlsx", xlsx),
        paper.headline.unit_count,
    )


async def draft(
    store: Store, period: Period, letter: Letter, wording: Wording, now: datetime
) -> Draft:
    async with store.reading(snapshot=True) as tx:
        made = await draft_in(tx, period, letter, wording, now)
    await remember_letter(store, period, letter)
    return made


async def owe_draft(
    tx: Tx, period: Period, letter: Letter, wording: Wording, notices: Notices, now: datetime
) -> None:
    """The draft's files stored, and the admins owed them with the means to publish it."""
    made = await draft_in(tx, period, letter, wording, now)
    await remember_letter_in(tx, period, letter)
    files = []
    for name, data in [made.docx, made.xlsx] if made.docx else [made.xlsx]:
        files.append((name, await tx.bulletins.add_file(name, data, now)))
    await notices.emit(tx, DraftReady(period, tuple(files), made.docx is not None), now)
