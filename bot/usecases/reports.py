"""What liaisons report — adoption claims and submissions — and the office's approval of claims."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol, TypeVar

from bot.storage import (
    Address,
    Commission,
    Liaison,
    NewRecord,
    PendingClaim,
    Store,
    StoredDraft,
    Tx,
)
from bot.usecases import commissions
from bot.usecases.notices import (
    Answer,
    ClaimApproved,
    ClaimFiled,
    ClaimRejected,
    LateSubmissionResettled,
    SubmissionFiled,
    owe_answer,
)
from bot.usecases.quota import PenaltyChange, resettle_late
from bot.usecases.request import Request, claim
from scoring.dates import is_day
from scoring.engine import Scored, score
from scoring.errors import DomainError
from scoring.periods import month_of
from scoring.records import Record, check_day, check_modifiers, clean_note, clean_title, reportable
from scoring.ruleset import SUBMISSION_ID, Item, Ruleset
from scoring.text import printable

# Evidence that is a file sent in chat (`document:<file id>`, `photo:<file id>`), not a link.
FILE_EVIDENCE = ("document:", "photo:")
# A summary left unconfirmed this long is stale: its button no longer stores anything.
DRAFT_TTL = timedelta(days=1)


@dataclass(frozen=True)
class Draft:
    id: int
    unit: str
    record: Record
    scored: Scored
    item: Item


@dataclass(frozen=True)
class SubmissionDraft:
    """A submission (报送) summarised for its liaison, waiting for the confirm button."""

    id: int
    unit: str
    record: Record
    # The label of the method's kind of submission (长篇信息), "" for a submission of no kind.
    kind: str


@dataclass(frozen=True)
class Claimed:
    record_id: int
    unit_id: int
    unit: str
    status: str
    record: Record
    scored: Scored
    item: Item


@dataclass(frozen=True)
class Submitted:
    record_id: int
    unit: str
    day: date
    # The unit's submissions in the submission's month, and its group's quota.
    month_count: int
    quota: int | None
    # The commission the submission answers, if it answers one.
    commission: Commission | None = None
    # Penalties of settled months that the late submission changed.
    changes: list[PenaltyChange] = field(default_factory=list)


@dataclass(frozen=True)
class Decided:
    """An approval or a rejection."""

    record_id: int
    unit: str
    title: str
    item: Item
    points: int


def check_title(title: str, today: date) -> str:
    """A title as stored: refused when missing, invisible, too long, or only a date."""
    title = clean_title(title)
    if not title:
        raise DomainError("title_missing")
    if is_day(title, today):
        raise DomainError("title_is_date", title=title)
    return title


async def check_report_day(store: Store, day: date, today: date) -> None:
    """The date of a guided report, refused as its end would refuse it: in the future, before
    the ruleset, or in a locked period."""
    async with store.reading() as tx:
        check_day(await tx.config.ruleset(day), day, today)
        await tx.periods.refuse_locked([day])


async def _refuse_duplicate(tx: Tx, unit_id: int, item_id: str, day: date, title: str) -> None:
    found = await tx.records.same_claim(unit_id, item_id, day, title)
    if found is not None:
        raise DomainError("claim_duplicate", record=found[0], status=found[1], date=found[2])


async def _reportable_on(tx: Tx, ruleset: Ruleset, item_key: str, day: date) -> Item:
    """An item of the method in force on `day`; one only today's method has is refused as
    such (the chat offers today's items)."""
    current = (await tx.config.ruleset()).items_by_key.get(item_key.strip())
    if current is not None and item_key.strip() not in ruleset.items_by_key:
        raise DomainError("method_item_absent", date=day, method=ruleset.name, item=current.label)
    return reportable(ruleset, item_key)


async def make_draft(
    store: Store,
    person: Address,
    item_key: str,
    title: str,
    day: date,
    modifiers: tuple[tuple[str, int], ...],
    evidence: str,
    request: Request,
    answer: Answer[Draft] | None = None,
) -> Draft:
    """Check a claim by the liaison `person` and keep it as a draft for them to confirm; the
    liaison is owed `answer` (its summary), in the working file's transaction."""
    now = request.at
    title = check_title(title, now.date())
    # Evidence quoted from a message is shown to the admins later: no control character in it
    # (its line breaks kept).
    evidence = printable(evidence)

    # The chat's most frequent action, stored in the bot's working file (which a long import
    # into the database does not hold up), the database read as it stands; run whole in one
    # hand-over to the connection's thread.
    async def body(tx: Tx) -> Draft:
        liaison = await _active_liaison(tx, person)
        await claim(tx, request)
        # The method in force on the report's day scores it.
        ruleset = await tx.config.ruleset(day)
        item = await _reportable_on(tx, ruleset, item_key, day)
        check_day(ruleset, day, now.date())
        check_modifiers(ruleset, item, modifiers)
        await tx.periods.refuse_locked([day])
        await _refuse_duplicate(tx, liaison.unit_id, item.id, day, title)
        record = Record(liaison.unit, day, item.id, None, modifiers, title)
        draft_id = await tx.drafts.add_draft(
            liaison.address, liaison.unit_id, record, evidence, now
        )
        draft = Draft(draft_id, liaison.unit, record, score(ruleset, record), item)
        await owe_answer(tx, answer, draft, f"answer:draft:{draft_id}", now)
        return draft

    return await store.bot_atomic(body)


async def _kind_on(tx: Tx, ruleset: Ruleset, kind: str | None, day: date) -> str:
    """The label of a kind of submission (an id or label) of the method in force on `day`
    (that method's `ruleset`); "" for none. A kind only today's method has (the chat offers
    today's kinds) is refused as such, by today's label."""
    if kind is None:
        return ""
    found = ruleset.submission_kinds_by_key.get(kind)
    if found is None:
        current = (await tx.config.ruleset()).submission_kinds_by_key.get(kind)
        shown = current.label if current is not None else kind
        raise DomainError("method_kind_absent", date=day, method=ruleset.name, kind=shown)
    return found.label


async def make_submission_draft(
    store: Store,
    person: Address,
    kind: str | None,
    title: str,
    day: date,
    request: Request,
    answer: Answer[SubmissionDraft] | None = None,
) -> SubmissionDraft:
    """Check a submission by the liaison `person`, of the kind `kind` (an id or label of the
    method in force on `day`) if given, and keep it as a draft for them to confirm, refused as
    its confirmation would refuse it; the liaison is owed `answer` (its summary)."""
    now = request.at
    title = check_title(title, now.date())

    async def body(tx: Tx) -> SubmissionDraft:
        liaison = await _active_liaison(tx, person)
        await claim(tx, request)
        ruleset = await tx.config.ruleset(day)
        label = await _kind_on(tx, ruleset, kind, day)
        check_day(ruleset, day, now.date())
        await tx.periods.refuse_locked([day])
        await _refuse_duplicate_submission(tx, liaison, day, title)
        kinds = () if kind is None else ((ruleset.submission_kinds_by_key[kind].id, 1),)
        record = Record(liaison.unit, day, SUBMISSION_ID, modifiers=kinds, title=title)
        draft_id = await tx.drafts.add_draft(liaison.address, liaison.unit_id, record, "", now)
        draft = SubmissionDraft(draft_id, liaison.unit, record, label)
        await owe_answer(tx, answer, draft, f"answer:draft:{draft_id}", now)
        return draft

    return await store.bot_atomic(body)


class _Stored(Protocol):
    record_id: int


S = TypeVar("S", bound=_Stored)


async def _confirm(
    store: Store,
    draft_id: int,
    person: Address,
    request: Request,
    submission: bool,
    stored: Callable[[StoredDraft], Awaitable[S]],
) -> S:
    """Store a confirmed draft by `stored`, a claim's or a submission's as `submission` says.

    The draft is in the bot's working file, the record goes into the database: the draft is
    reserved for a chat's update first (a cancel, or a second confirmation, is refused while it
    is being stored; the record may wait for the database's write lock; a web form is claimed in
    the record's own transaction), and marked used once the record is stored. After a crash in between, the database's claim of the update marks it."""
    now = request.at
    reserved = False
    try:
        async with store.bot_transaction() as tx:
            draft = await tx.drafts.draft(draft_id)
            _check_open(draft, person, store)
            assert draft is not None
            # A claim's button on a submission's draft, or the reverse, was never offered.
            if draft.record.is_submission != submission:
                raise DomainError("button_forged")
            if draft.created_at + DRAFT_TTL < now:
                raise DomainError("button_stale")
            # A summary confirmed by a chat's button: its update marks the draft used once the
            # record commits. One confirmed by a web form is kept once by the form's claim.
            if request.key is not None:
                await tx.drafts.reserve_draft(draft_id, request.key)
            store.confirming.add(draft_id)
            reserved = True
        done = await stored(draft)
    finally:
        if reserved:
            store.confirming.discard(draft_id)
    async with store.bot_autocommit() as tx:
        await tx.drafts.use_draft(draft_id, done.record_id)
    return done


async def confirm_draft(
    store: Store,
    draft_id: int,
    person: Address,
    require_approval: bool,
    request: Request,
    answer: Answer[Claimed] | None = None,
) -> Claimed:
    """Store a confirmed draft as a claim: pending approval, or scored at once. A pending claim
    is owed to every admin, with its evidence and the buttons that decide it; the liaison is
    owed `answer`."""

    async def stored(draft: StoredDraft) -> Claimed:
        return await _store_claim(store, draft, person, require_approval, request, answer)

    return await _confirm(store, draft_id, person, request, False, stored)


async def confirm_submission(
    store: Store,
    draft_id: int,
    person: Address,
    request: Request,
    answer: Answer[Submitted] | None = None,
) -> Submitted:
    """Store a confirmed submission draft as `submit` stores a submission; the liaison is owed
    `answer`."""

    async def stored(draft: StoredDraft) -> Submitted:
        async with store.transaction() as tx:
            await claim(tx, request)
            liaison = await _active_liaison(tx, person, draft.unit_id)
            record = draft.record
            kind = record.modifiers[0][0] if record.modifiers else None
            done = await _submit_in(
                tx, liaison, record.title, draft.evidence, request, record.day, kind
            )
            await owe_answer(tx, answer, done, f"answer:{done.record_id}", request.at)
        return done

    return await _confirm(store, draft_id, person, request, True, stored)


def _check_open(draft: StoredDraft | None, person: Address, store: Store) -> None:
    """Refuse a button on a draft that is not the person's, or no longer waits for it."""
    if draft is None or draft.liaison != person:
        raise DomainError("button_forged")
    if draft.cancelled:
        raise DomainError("draft_cancelled")
    if draft.id in store.confirming:
        raise DomainError("draft_confirming")
    if draft.used:
        raise DomainError("button_stale")


async def _store_claim(
    store: Store,
    draft: StoredDraft,
    person: Address,
    require_approval: bool,
    request: Request,
    answer: Answer[Claimed] | None,
) -> Claimed:
    now = request.at
    async with store.transaction() as tx:
        await claim(tx, request)
        liaison = await _active_liaison(tx, person, draft.unit_id)
        record = draft.record
        ruleset = await tx.config.ruleset(record.day)
        unit_id, unit, evidence = draft.unit_id, draft.unit, draft.evidence
        await _refuse_duplicate(tx, unit_id, record.item_id, record.day, record.title)
        scored = score(ruleset, record)
        status = "pending" if require_approval else "confirmed"
        batch = await tx.records.add_batch("claim", request.actor, now)
        new = NewRecord(
            unit_id, record, scored, status, claimed_by=liaison.address, evidence=evidence
        )
        (record_id,) = await tx.records.add_records(batch, [new], now)
        await tx.records.add_event(
            record_id, "claimed" if require_approval else "confirmed", request.actor, "", now
        )
        claimed = Claimed(
            record_id, unit_id, unit, status, record, scored, ruleset.item(record.item_id)
        )
        if require_approval:
            await request.emit(
                tx,
                ClaimFiled(
                    record_id, unit, liaison.name or liaison.display, claimed.item.chat_name,
                    record.title, record.day, scored.explanation, evidence,
                ),
            )  # fmt: skip
        await owe_answer(tx, answer, claimed, f"answer:claim:{record_id}", now)
    return claimed


async def cancel_draft(
    store: Store,
    draft_id: int,
    person: Address,
    request: Request,
    answer: Answer[None] | None = None,
) -> None:
    now = request.at
    async with store.bot_transaction() as tx:
        await claim(tx, request)
        _check_open(await tx.drafts.draft(draft_id), person, store)
        await tx.drafts.cancel_draft(draft_id)
        await owe_answer(tx, answer, None, f"answer:cancel:{draft_id}", now)


async def cancel_open_drafts(store: Store, person: Address) -> int:
    """The liaison moved on (/cancel, or another command): every summary still waiting for
    their confirm button is cancelled; how many were."""
    # One statement, atomic by itself: run on every command.
    async with store.bot_autocommit() as tx:
        return await tx.drafts.cancel_open_drafts(person, store.confirming)


async def submit(
    store: Store,
    liaison: Liaison,
    title: str,
    evidence: str,
    request: Request,
    commission_id: int | None = None,
    day: date | None = None,
    answer: Answer[Submitted] | None = None,
    kind: str | None = None,
) -> Submitted:
    """A submission (报送) counted toward the unit's monthly quota, dated today or `day`, of
    the method's submission kind `kind` (an id) if given.

    A submission dated in a month already settled settles it again, and the settled months
    after it, in the same transaction; the admins are told what changed. Answering a
    commission, the admins are owed a notice of it. The liaison is owed `answer`."""
    now = request.at
    today = now.date()
    title = check_title(title, today)
    async with store.transaction() as tx:
        await claim(tx, request)
        # Read again under the write lock: moved or removed meanwhile, the liaison no longer
        # speaks for the unit read before.
        current = await tx.liaisons.liaison(liaison.address, active_only=True)
        if current is None:
            raise DomainError("not_liaison")
        done = await _submit_in(
            tx, current, title, evidence, request, day or today, kind, commission_id
        )
        await owe_answer(tx, answer, done, f"answer:{done.record_id}", now)
    return done


async def _active_liaison(tx: Tx, person: Address, unit_id: int | None = None) -> Liaison:
    """The unit `person` reports for now (`unit_id`, a draft's, where given); refused if none."""
    liaison = await tx.liaisons.liaison(person, active_only=True)
    if liaison is None or (unit_id is not None and liaison.unit_id != unit_id):
        raise DomainError("not_liaison")
    return liaison


async def _refuse_duplicate_submission(tx: Tx, liaison: Liaison, day: date, title: str) -> None:
    month = month_of(day)
    first = await tx.records.same_submission(liaison.unit_id, month, title)
    if first is not None:
        raise DomainError(
            "submission_duplicate", unit=liaison.unit, month=month.name, record=first[0],
            date=first[1],
        )  # fmt: skip


async def _submit_in(
    tx: Tx,
    liaison: Liaison,
    title: str,
    evidence: str,
    request: Request,
    day: date,
    kind: str | None,
    commission_id: int | None = None,
) -> Submitted:
    """`submit` in a transaction that has claimed its request, for the liaison as read there."""
    now = request.at
    today = now.date()
    ruleset = await tx.config.ruleset(day)
    await _kind_on(tx, ruleset, kind, day)
    check_day(ruleset, day, today)
    await _refuse_duplicate_submission(tx, liaison, day, title)
    month = month_of(day)
    actor = request.actor
    batch = await tx.records.add_batch("submission", actor, now)
    # A submission's kind is kept as its one modifier, as an import keeps it.
    modifiers = () if kind is None else ((ruleset.submission_kinds_by_key[kind].id, 1),)
    record = Record(liaison.unit, day, SUBMISSION_ID, modifiers=modifiers, title=title)
    new = NewRecord(
        liaison.unit_id,
        record,
        score(ruleset, record),
        claimed_by=liaison.address,
        evidence=evidence,
    )
    (record_id,) = await tx.records.add_records(batch, [new], now)
    await request.emit(tx, SubmissionFiled(record_id, liaison.unit, title, evidence))
    commission = None
    if commission_id is not None:
        commission = await commissions.link_answer(
            tx, commission_id, liaison.unit_id, liaison.unit, record_id, today
        )
        notice = await commissions.answer_notice(tx, commission, liaison.unit, record_id, title)
        await request.emit(tx, notice)
    changes = await resettle_late(tx, [day], actor, now)
    if changes:
        resettled = LateSubmissionResettled(liaison.unit, record_id, tuple(changes))
        await request.emit(tx, resettled)
    counts = await tx.quota.submission_counts(month)
    quota = next((g.monthly_quota for g in ruleset.groups if g.id == liaison.group), None)
    return Submitted(
        record_id, liaison.unit, day, counts.get(liaison.unit_id, 0), quota, commission, changes,
    )  # fmt: skip


async def pending(store: Store) -> list[PendingClaim]:
    """Every claim waiting for the office, oldest first."""
    async with store.reading() as tx:
        return await tx.records.pending_claims()


async def _pending_record(tx: Tx, record_id: int) -> tuple[int, Record]:
    stored = await tx.records.record(record_id)
    if stored.status != "pending":
        raise DomainError("claim_decided", record=record_id, status=stored.status)
    return stored.unit_id, stored.record


async def approve(
    store: Store,
    record_id: int,
    request: Request,
    answer: Answer[Decided] | None = None,
) -> Decided:
    now = request.at
    async with store.transaction() as tx:
        await claim(tx, request)
        decided = await approve_in(tx, record_id, request)
        await owe_answer(tx, answer, decided, f"answer:approval:{record_id}", now)
    return decided


async def approve_in(tx: Tx, record_id: int, request: Request) -> Decided:
    """approve inside a transaction already open, by any way in, once that way has claimed its
    request there."""
    actor, now = request.actor, request.at
    unit_id, record = await _pending_record(tx, record_id)
    ruleset = await tx.config.ruleset(record.day)
    unit = record.unit
    scored = score(ruleset, record)
    # add_ledger refuses a day in a locked period as well; saying so first keeps the message
    # about the claim rather than about a ledger line.
    await tx.periods.refuse_locked([record.day])
    batch = await tx.records.add_batch("approval", actor, now)
    await tx.records.set_record_status(record_id, "confirmed")
    await tx.ledger.add_ledger(batch, unit_id, record_id, record.day, scored, now)
    await tx.records.add_event(record_id, "approved", actor, "", now)
    await request.emit(tx, ClaimApproved(unit_id, record_id, record.title, scored.points))
    return Decided(record_id, unit, record.title, ruleset.item(record.item_id), scored.points)


async def reject(
    store: Store,
    record_id: int,
    reason: str,
    request: Request,
    answer: Answer[Decided] | None = None,
) -> Decided:
    now = request.at
    reason = check_reason(reason)
    async with store.transaction() as tx:
        await claim(tx, request)
        decided = await reject_in(tx, record_id, reason, request)
        await owe_answer(tx, answer, decided, f"answer:rejection:{record_id}", now)
    return decided


def check_reason(reason: str) -> str:
    """A rejection's reason as stored; refused if nothing is left of it."""
    reason = clean_note(reason)
    if not reason:
        raise DomainError("reason_missing")
    return reason


async def reject_in(tx: Tx, record_id: int, reason: str, request: Request) -> Decided:
    """reject inside a transaction already open (see approve_in); `reason` checked already."""
    actor, now = request.actor, request.at
    unit_id, record = await _pending_record(tx, record_id)
    ruleset = await tx.config.ruleset(record.day)
    unit = record.unit
    await tx.records.set_record_status(record_id, "rejected")
    await tx.records.add_event(record_id, "rejected", actor, reason, now)
    await request.emit(tx, ClaimRejected(unit_id, record_id, record.title, reason))
    return Decided(record_id, unit, record.title, ruleset.item(record.item_id), 0)
