"""What an action owes people: the answer to the one who asked and notices to others, owed in
the action's own transaction, so that they are delivered even if the bot stops right after the
commit. A use case says what happened (a result, a notice value); the channel that renders it
(bot/telegram/notices.py) turns it into messages and writes them to the outbox, in that same
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.storage import Address, Commission, Tx
from scoring.bulletin import Bulletin
from scoring.periods import Period
from scoring.ruleset import Ruleset

if TYPE_CHECKING:
    from bot.usecases.commissions import MissedUnit
    from bot.usecases.quota import Behind, MonthSettled, PenaltyChange

R_contra = TypeVar("R_contra", contravariant=True)


class Answer(Protocol[R_contra]):
    """The answer to the person who asked, made by the channel they asked through: rendered
    from the action's result inside its transaction and owed there."""

    async def owe(self, tx: Tx, result: R_contra, source: str, now: datetime) -> None: ...


async def owe_answer(
    tx: Tx, answer: Answer[R_contra] | None, result: R_contra, source: str, now: datetime
) -> None:
    if answer is not None:
        await answer.owe(tx, result, source, now)


# What happened, for people other than the one who asked. Each names whom it concerns (a
# unit's liaisons, the office) and carries what they are told, as data.


@dataclass(frozen=True)
class ClaimFiled:
    """A liaison's adoption claim waits for the office."""

    record_id: int
    unit: str
    who: str
    item: str
    title: str
    day: date
    explanation: str
    # As the liaison gave it: a link or text, or a file (`document:…`, `photo:…`).
    evidence: str


@dataclass(frozen=True)
class ClaimApproved:
    unit_id: int
    record_id: int
    title: str
    points: int


@dataclass(frozen=True)
class ClaimRejected:
    unit_id: int
    record_id: int
    title: str
    reason: str


@dataclass(frozen=True)
class SubmissionFiled:
    """A submission, for the office's own copy of what units send."""

    record_id: int
    unit: str
    title: str
    evidence: str


@dataclass(frozen=True)
class CommissionAnswered:
    """A submission answered a commission: the office may select it."""

    commission_id: int
    topic: str
    unit: str
    record_id: int
    title: str
    # (the word that selects it, the item's label, its points), as the ruleset offers them.
    selections: tuple[tuple[str, str, int | None], ...]


@dataclass(frozen=True)
class CommissionIssued:
    """The office asked units for pieces on a topic (约稿) by a deadline."""

    commission_id: int
    topic: str
    deadline: date
    # What a first miss costs, a positive number.
    points: int
    unit_ids: tuple[int, ...]


@dataclass(frozen=True)
class AnswerSelected:
    """The office selected (选用) a unit's answer to a commission."""

    unit_id: int
    answer_id: int
    record_id: int
    title: str
    label: str
    points: int | None


@dataclass(frozen=True)
class LateSubmissionResettled:
    """A submission dated in a settled month changed its penalties."""

    unit: str
    record_id: int
    changes: tuple[PenaltyChange, ...]


@dataclass(frozen=True)
class EntryMade:
    """The office entered a penalty, an adjustment or an endorsement for a unit."""

    unit_id: int
    kind: str
    record_id: int
    unit: str
    item: str
    day: date
    points: int
    note: str


@dataclass(frozen=True)
class EntryReversed:
    unit_id: int
    entry_id: int
    unit: str
    item: str
    day: date
    points: int
    reason: str


# A row of the bulletin whose rank or total changed: (group label, unit, before, after), each
# (rank, total) or None where the unit was not listed.
Change = tuple[str, str, tuple[int, int] | None, tuple[int, int] | None]


@dataclass(frozen=True)
class BulletinPublished:
    """A period's bulletin was published: each listed unit's liaisons are owed their line, the
    admins the anchor and what changed since the version before."""

    period: Period
    version: int
    anchor: str
    paper: Bulletin
    ranked: bool
    total_column: str
    # (group id, its label), (unit, its id) of every listed unit.
    labels: tuple[tuple[str, str], ...]
    units: tuple[tuple[str, int], ...]
    changed: tuple[Change, ...]


@dataclass(frozen=True)
class LedgerKeyed:
    """A database from before the ledger key was keyed on its upgrade: the admins must keep
    the key (`file`) apart from the database."""

    first_line: int
    file: str


@dataclass(frozen=True)
class DraftReady:
    """A period's bulletin drafted for the office to review and publish."""

    period: Period
    # (file name, stored file id) of each file made: the XLSX, and the DOCX if the office's
    # name heads it (`docx`).
    files: tuple[tuple[str, int], ...]
    docx: bool


@dataclass(frozen=True)
class QuotaReminderDue:
    """A scheduled reminder: each unit below its monthly quota so far is told where it stands
    (`final`: the last warning before the settlement), the admins get one summary."""

    # The scheduled run it comes from.
    source: str
    month: Period
    today: date
    workdays_left: int
    settle_at: datetime
    final: bool
    behind: tuple[Behind, ...]
    # (group id, its label); (rule, its label) of the deductions made again.
    groups: tuple[tuple[str, str], ...]
    rules: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CommissionReminderDue:
    """A scheduled reminder of a commission's deadline to the targets that have not answered."""

    source: str
    commission_id: int
    topic: str
    deadline: date
    # What a first miss costs, a positive number.
    points: int
    # (unit id, unit) of each target still to answer.
    waiting: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class CommissionClosed:
    """A commission settled after its deadline: the units that missed it are told their
    penalty, the admins the outcome."""

    source: str
    commission: Commission
    ruleset: str
    missed: tuple[MissedUnit, ...]


@dataclass(frozen=True)
class LedgerChecked:
    """The day's check of the ledger passed: the admins keep its head (`anchor`) outside the
    database."""

    source: str
    day: str
    anchor: str


@dataclass(frozen=True)
class SettlementMade:
    """The scheduled settlement of a month: the units newly penalised are sent their letter,
    the admins the list (or that nothing changed) and the later months it settled again."""

    source: str
    month: Period
    ruleset: Ruleset
    settled: MonthSettled


@dataclass(frozen=True)
class LiaisonMoved:
    """A liaison bound themselves to another unit by its invite."""

    person: Address
    who: str
    old: str
    unit: str


@dataclass(frozen=True)
class UnitMerged:
    """A unit merged into another (机构改革): its liaisons, now the survivor's, are told why."""

    unit_id: int
    unit: str
    into: str
    start: date
    liaisons: tuple[Address, ...]


@dataclass(frozen=True)
class UnitRetired:
    """A unit retired: its liaisons, released, are told why."""

    unit_id: int
    unit: str
    start: date
    liaisons: tuple[Address, ...]


@dataclass(frozen=True)
class RunFailed:
    """A scheduled run failed for good (refused, or erring every time): the admins are told why
    (`reason`, as people read it) and, where the job has one, what to do by hand."""

    source: str
    # The job's label and the period it is for, as people read them.
    job: str
    period: str
    reason: str
    by_hand: str | None = None


Notice = (
    ClaimFiled
    | ClaimApproved
    | ClaimRejected
    | SubmissionFiled
    | CommissionIssued
    | CommissionAnswered
    | AnswerSelected
    | LateSubmissionResettled
    | EntryMade
    | EntryReversed
    | BulletinPublished
    | DraftReady
    | LiaisonMoved
    | UnitMerged
    | UnitRetired
    | LedgerKeyed
    | QuotaReminderDue
    | CommissionReminderDue
    | CommissionClosed
    | LedgerChecked
    | SettlementMade
    | RunFailed
)


class Notices(Protocol):
    """Where an action's notices go: a channel's renderer, owing them in the outbox inside the
    action's transaction."""

    async def emit(self, tx: Tx, notice: Notice, now: datetime) -> None: ...
