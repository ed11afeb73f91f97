"""Rulesets as data: pydantic models for the TOML files in `scoring/rulesets/`.

A ruleset is everything the office publishes in its assessment method: groups and their monthly
quotas, the scored items with their points and bulletin columns, the modifiers and where they
are allowed, the floor, which units a bulletin lists, and when the method takes effect.
"""

from __future__ import annotations

import difflib
import tomllib
import typing
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from scoring.errors import DomainError, RulesetProblem, RulesetRejected
from scoring.names import Candidate, resolve
from scoring.points import hundredths

# Records of this item are submissions (报送): they count toward the monthly quota and score
# nothing, so they are built in rather than declared by each ruleset.
SUBMISSION_ID = "submission"
SUBMISSION_LABEL = "报送"


def _points(value: object) -> object:
    # A number of the file (whole, or with up to two decimals) as hundredths; text is refused
    # as points (`"5"` is a quoted word in TOML), anything else left to pydantic to refuse.
    if isinstance(value, str):
        raise _invalid("points_number", "points are a number with at most two decimals")
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        try:
            return hundredths(value)
        except ValueError as exc:
            raise _invalid("points_decimals", "points have at most two decimals") from exc
    return value


# Points in a ruleset file, held as hundredths (scoring.points): `points = 0.5` is 50.
Points = Annotated[int, BeforeValidator(_points)]


class ItemKind(StrEnum):
    ADOPTION = "adoption"
    CREDIT = "credit"
    PENALTY = "penalty"
    ADJUSTMENT = "adjustment"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Model):
    id: str = Field(min_length=1)
    label: str | None = None
    monthly_quota: int | None = Field(default=None, ge=1)

    @property
    def display(self) -> str:
        return self.label or self.id


class Item(_Model):
    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    kind: ItemKind
    # None only for adjustments, whose points each record gives explicitly.
    points: Points | None = None
    column: str
    # Whether the item counts toward the bulletin's adoption count (采用条数).
    counts_as_adoption: bool = False
    # False for what only the office records (a commission answer selected with /select): not
    # offered to liaisons, refused in their claims.
    reportable: bool = True
    # A short name for chat menus and replies, where the label is long or only makes sense
    # under the one before it (同上，被自治区政府办公厅采用).
    chat_label: str | None = Field(default=None, min_length=1, max_length=16)

    @property
    def chat_name(self) -> str:
        return self.chat_label or self.label

    @model_validator(mode="after")
    def _points_fit_kind(self) -> Item:
        if self.kind is ItemKind.ADJUSTMENT:
            if self.points is not None:
                raise _invalid(
                    "adjustment_points", "an adjustment takes its points from each record"
                )
        elif self.points is None:
            raise _invalid("points_missing", "points is required for a {kind} item", kind=self.kind)
        elif self.kind is ItemKind.PENALTY and self.points >= 0:
            raise _invalid("penalty_points", "a penalty's points must be negative")
        elif self.kind is not ItemKind.PENALTY and self.points <= 0:
            raise _invalid("points_positive", "a {kind}'s points must be positive", kind=self.kind)
        if self.counts_as_adoption and self.kind is not ItemKind.ADOPTION:
            raise _invalid("counts_not_adoption", "only adoption items can count as adoptions")
        return self


class Modifier(_Model):
    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    points: Points = Field(gt=0)
    column: str
    allowed_on: list[str] = Field(min_length=1)
    # How many times one adoption may carry it (a piece is commissioned once); None: no limit.
    max_per_adoption: int | None = Field(default=None, ge=1)
    # Points on particular items where the method gives them apart (市领导批示 +5 on one
    # publication, +10 on another); `points` on every other item it is allowed on.
    points_on: dict[str, Points] = {}

    def points_for(self, item_id: str) -> int:
        return self.points_on.get(item_id, self.points)

    @model_validator(mode="after")
    def _points_on_allowed(self) -> Modifier:
        for item_id, points in self.points_on.items():
            if item_id not in self.allowed_on:
                raise _invalid(
                    "points_on_not_allowed",
                    "modifiers {id}: points_on names {item!r}, which is not in allowed_on",
                    id=self.id, item=item_id,
                )  # fmt: skip
            if points <= 0:
                raise _invalid(
                    "points_on_positive", "modifiers {id}: points_on {item!r} must be positive",
                    id=self.id, item=item_id,
                )  # fmt: skip
        return self


# Storage keeps monthly sums in this many fixed slots, one per score column.
MAX_SCORE_COLUMNS = 8


class CountColumn(_Model):
    """A column that counts records instead of summing points: the records of some items (a
    publication, a level: 市本级采用) or the unit's submissions (`submission`: 报送条数)."""

    column: str = Field(min_length=1)
    items: list[str] = Field(min_length=1)


class Bulletin(_Model):
    count_column: str = "采用条数"
    score_columns: list[str] = Field(min_length=1, max_length=MAX_SCORE_COLUMNS)
    total_column: str = "总分"
    # Columns whose zero prints as "/" in the text bulletin, as in the Ordos tables.
    slash_for_zero: list[str] = []
    # "scored": units with nothing scored in the period are left out; "all": every unit listed.
    listing: Literal["scored", "all"]
    # Count columns, shown after the adoption count, before the score columns.
    counts: list[CountColumn] = []
    # The adoption rate's column (采用率: adoptions ÷ submissions), after the count columns.
    rate_column: str | None = Field(default=None, min_length=1)
    # "total": ranked by total; "roster": in the roster's order, without ranks.
    order: Literal["total", "roster"] = "total"
    # Where set, the same columns again from 1 January of the period's year to its end, each
    # headed with this word before it (累计: 累计总分).
    year_to_date: str | None = Field(default=None, min_length=1)
    # Which of the columns the tables repeat for the year to date (none: all of them); the
    # JSON has them all.
    year_to_date_columns: list[str] = []

    @property
    def columns(self) -> list[str]:
        """Every column after the unit, in the order the tables show them."""
        rate = [self.rate_column] if self.rate_column else []
        return [
            self.count_column,
            *(c.column for c in self.counts),
            *rate,
            *self.score_columns,
            self.total_column,
        ]

    @property
    def ranked(self) -> bool:
        return self.order == "total"

    @property
    def year_to_date_positions(self) -> list[int]:
        """Where the year-to-date columns the tables show stand among `columns`."""
        if not self.year_to_date:
            return []
        shown = self.year_to_date_columns or self.columns
        return [n for n, column in enumerate(self.columns) if column in shown]

    @property
    def year_to_date_headers(self) -> list[str]:
        """The year-to-date columns after the period's, or none."""
        prefix = self.year_to_date or ""
        return [prefix + self.columns[n] for n in self.year_to_date_positions]

    @model_validator(mode="after")
    def _year_columns_known(self) -> Bulletin:
        for column in self.year_to_date_columns:
            if column not in self.columns:
                raise _invalid(
                    "year_column_unknown",
                    "bulletin.year_to_date_columns: {column!r} is not a column of the bulletin",
                    column=column,
                )
        return self


class QuotaPenalties(_Model):
    missed: str
    missed_again: str


class MonthlyCredits(_Model):
    """What settling a month scores beside (never instead of) the quota penalties, each a
    credit item written once per unit and month and settled again like the penalties."""

    # Submissions score this item's points each (报送1条得1分), at most `submissions_cap`
    # points a month.
    submissions: str | None = None
    submissions_cap: Points | None = Field(default=None, gt=0)
    # A month at or above the unit's quota scores this item's points (月度基础分).
    quota_met: str | None = None


class SubmissionKind(_Model):
    """A kind of submission a quota may count alone (长篇信息): a record names it as its item."""

    id: str = Field(min_length=1)
    label: str = Field(min_length=1)


class Quota(_Model):
    """A submission quota apart from the ranking groups' `monthly_quota`: for the units of some
    groups or named units (a class, or one unit), monthly or quarterly, of every submission or
    of some kinds. It settles as the monthly quota does, in its own period."""

    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    groups: list[str] = []
    # Units by their roster name.
    units: list[str] = []
    period: Literal["month", "quarter"] = "month"
    minimum: int = Field(ge=1)
    # Submission kinds counted; none: every submission.
    kinds: list[str] = []
    # None: a missed period deducts nothing (and sends no letter of a deduction).
    penalties: QuotaPenalties | None = None

    @model_validator(mode="after")
    def _someone(self) -> Quota:
        if not self.groups and not self.units:
            raise _invalid("quota_nobody", "quotas {id}: name groups or units", id=self.id)
        return self


class Disqualify(_Model):
    """Penalties that cost a unit the year's awards: `at_least` of them in the year, together."""

    penalties: list[str] = Field(min_length=1)
    at_least: int = Field(default=1, ge=1)


class Awards(_Model):
    """How many units the annual bulletin names per group, and what disqualifies a unit."""

    advanced: int = Field(ge=0)
    improved: int = Field(ge=0)
    lowest: int = Field(ge=0)
    disqualify: list[Disqualify] = []


def item_candidates(items: Iterable[Item]) -> list[Candidate[Item]]:
    """Each item by its label and, where it has one, by its short chat label."""
    return [Candidate(i.id, name, i) for i in items for name in (i.label, i.chat_label) if name]


class Ruleset(_Model):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    effective_from: date | None = None
    # The lowest total a unit can have in a period; None means no floor.
    floor: Points | None = None
    groups: list[Group] = Field(min_length=1)
    items: list[Item] = Field(min_length=1)
    modifiers: list[Modifier] = []
    bulletin: Bulletin
    quota_penalties: QuotaPenalties | None = None
    monthly_credits: MonthlyCredits | None = None
    submission_kinds: list[SubmissionKind] = []
    quotas: list[Quota] = []
    commission_penalties: QuotaPenalties | None = None
    # What an answer to a commission can be selected for: the word an admin types (市) and the
    # adoption item it scores (city.commission).
    commission_selections: dict[str, str] = {}
    awards: Awards | None = None
    # Labels for the levels and publications of the chat's report menu, by item id prefix
    # (`city` = 市政府办公室, `city.zwyq` = 《政务要情》); items are grouped by their dotted ids.
    menu: dict[str, str] = {}

    @field_validator("commission_selections", mode="before")
    @classmethod
    def _listed_selections(cls, value: object) -> object:
        # Texts shipped before named the words were a list of item ids, each selected by its
        # id: a database keeps the text it was started with, so that form is still read.
        if isinstance(value, list):
            return {item_id: item_id for item_id in value}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Ruleset:
        _unique("groups", [(f"groups.{n}", g.id) for n, g in enumerate(self.groups)])
        ids = [(f"items.{n}", i.id) for n, i in enumerate(self.items)]
        ids += [(f"modifiers.{n}", m.id) for n, m in enumerate(self.modifiers)]
        for where, entry_id in ids:
            if entry_id == SUBMISSION_ID:
                raise _invalid(
                    "reserved_id", "{where}: the id {id!r} is reserved for submissions",
                    where=where, id=entry_id,
                )  # fmt: skip
        ids += [(f"submission_kinds.{n}", k.id) for n, k in enumerate(self.submission_kinds)]
        _unique("items/modifiers id", ids)
        labels = [(f"items {i.id}", i.label) for i in self.items]
        labels += [(f"items {i.id}", i.chat_label) for i in self.items if i.chat_label]
        labels += [(f"modifiers {m.id}", m.label) for m in self.modifiers]
        labels += [(f"submission_kinds {k.id}", k.label) for k in self.submission_kinds]
        for where, label in labels:
            if label == SUBMISSION_LABEL:
                raise _invalid(
                    "reserved_label", "{where}: the label {label!r} is reserved for submissions",
                    where=where, label=label,
                )  # fmt: skip
        _unique("items/modifiers label", labels)
        b = self.bulletin
        _unique(
            "bulletin columns",
            [("bulletin.count_column", b.count_column)]
            + [(f"bulletin.counts.{n}", c.column) for n, c in enumerate(b.counts)]
            + ([("bulletin.rate_column", b.rate_column)] if b.rate_column else [])
            + [(f"bulletin.score_columns.{n}", c) for n, c in enumerate(b.score_columns)]
            + [("bulletin.total_column", b.total_column)]
            + [("bulletin.year_to_date", c) for c in b.year_to_date_headers],
        )
        countable = {i.id for i in self.items} | {SUBMISSION_ID}
        for count in b.counts:
            for target in count.items:
                if target not in countable:
                    raise _invalid(
                        "count_item_unknown",
                        "bulletin.counts {column}: items names {target!r}, "
                        "which is not an item nor submission",
                        column=count.column, target=target, submission=SUBMISSION_ID,
                    )  # fmt: skip
        if not b.ranked and self.awards is not None:
            raise _invalid("awards_unranked", 'awards need ranks, but bulletin.order is "roster"')
        columns = set(b.score_columns)
        for where, thing in [("items", i) for i in self.items] + [
            ("modifiers", m) for m in self.modifiers
        ]:
            if thing.column not in columns:
                raise _invalid(
                    "column_unknown",
                    "{where} {id}: column {column!r} is not in bulletin.score_columns",
                    where=where, id=thing.id, column=thing.column,
                )  # fmt: skip
        for column in self.bulletin.slash_for_zero:
            if column not in columns:
                raise _invalid(
                    "slash_column", "bulletin.slash_for_zero: {column!r} is not a score column",
                    column=column,
                )  # fmt: skip
        scorable = {i.id for i in self.scorable_items}
        for m in self.modifiers:
            for target in m.allowed_on:
                if target not in scorable:
                    raise _invalid(
                        "allowed_on_unknown",
                        "modifiers {id}: allowed_on names {target!r}, "
                        "which is not an adoption or credit item",
                        id=m.id, target=target,
                    )  # fmt: skip
        penalties = {i.id for i in self.items if i.kind is ItemKind.PENALTY}
        for name, pair in (
            ("quota_penalties", self.quota_penalties),
            ("commission_penalties", self.commission_penalties),
        ):
            if pair is not None:
                for rule_id in (pair.missed, pair.missed_again):
                    if rule_id not in penalties:
                        raise _invalid(
                            "not_penalty", "{name}: {rule!r} is not a penalty item",
                            name=name, rule=rule_id,
                        )  # fmt: skip
        for rule in self.awards.disqualify if self.awards else []:
            for rule_id in rule.penalties:
                if rule_id not in penalties:
                    raise _invalid(
                        "not_penalty", "{name}: {rule!r} is not a penalty item",
                        name="awards.disqualify", rule=rule_id,
                    )  # fmt: skip
        _unique("quotas", [(f"quotas.{n}", q.id) for n, q in enumerate(self.quotas)])
        group_ids = {g.id for g in self.groups}
        kind_ids = {k.id for k in self.submission_kinds}
        for q in self.quotas:
            for group in q.groups:
                if group not in group_ids:
                    raise _invalid(
                        "quota_group_unknown", "quotas {id}: {group!r} is not a group",
                        id=q.id, group=group,
                    )  # fmt: skip
            for kind in q.kinds:
                if kind not in kind_ids:
                    raise _invalid(
                        "quota_kind_unknown", "quotas {id}: {kind!r} is not a submission kind",
                        id=q.id, kind=kind,
                    )  # fmt: skip
            for rule_id in (q.penalties.missed, q.penalties.missed_again) if q.penalties else ():
                if rule_id not in penalties:
                    raise _invalid(
                        "not_penalty", "{name}: {rule!r} is not a penalty item",
                        name=f"quotas {q.id}", rule=rule_id,
                    )  # fmt: skip
        credits = {i.id for i in self.items if i.kind is ItemKind.CREDIT}
        mc = self.monthly_credits
        named = {"submissions": mc.submissions, "quota_met": mc.quota_met} if mc else {}
        for key, credit_id in named.items():
            if credit_id is not None and credit_id not in credits:
                raise _invalid(
                    "not_credit", "{name}: {rule!r} is not a credit item",
                    name=f"monthly_credits.{key}", rule=credit_id,
                )  # fmt: skip
        if mc and mc.submissions_cap is not None and mc.submissions is None:
            raise _invalid(
                "cap_without_points",
                "monthly_credits.submissions_cap needs monthly_credits.submissions",
            )
        if mc and mc.quota_met is not None and not self.has_quota:
            raise _invalid("base_without_quota", "monthly_credits.quota_met needs a quota")
        adoptions = {i.id for i in self.items if i.kind is ItemKind.ADOPTION}
        for rule_id in self.commission_selections.values():
            if rule_id not in adoptions:
                raise _invalid(
                    "selection_not_adoption",
                    "commission_selections: {rule!r} is not an adoption item", rule=rule_id,
                )  # fmt: skip
        for prefix in self.menu:
            if not any(i.id.startswith(prefix + ".") for i in self.items):
                raise _invalid(
                    "menu_prefix", "menu: {prefix!r} is not the prefix of any item id",
                    prefix=prefix,
                )  # fmt: skip
        if self.has_quota and self.quota_penalties is None and self.base_score_item is None:
            raise _invalid(
                "quota_penalties_missing",
                "groups have monthly quotas but quota_penalties is missing",
            )
        return self

    @property
    def has_quota(self) -> bool:
        """Whether any group has a monthly submission quota (and so reminders and settlements)."""
        return any(g.monthly_quota for g in self.groups)

    @property
    def settles(self) -> bool:
        """Whether months are settled: for quotas, or for what submissions score."""
        return self.has_quota or bool(self.quotas) or self.submission_points_item is not None

    @cached_property
    def submission_kinds_by_key(self) -> dict[str, SubmissionKind]:
        """Kinds of submission by id and label: an import's item may name one."""
        return {k.id: k for k in self.submission_kinds} | {
            k.label: k for k in self.submission_kinds
        }

    @property
    def submission_points_item(self) -> str | None:
        return self.monthly_credits.submissions if self.monthly_credits else None

    @property
    def base_score_item(self) -> str | None:
        return self.monthly_credits.quota_met if self.monthly_credits else None

    @cached_property
    def scorable_items(self) -> list[Item]:
        """What modifiers may attach to: adoptions and credits."""
        return [i for i in self.items if i.kind in (ItemKind.ADOPTION, ItemKind.CREDIT)]

    @cached_property
    def reportable_items(self) -> list[Item]:
        """What a liaison may claim: adoptions and credits, but for those only the office
        records (a commission's selection)."""
        return [i for i in self.scorable_items if i.reportable]

    @cached_property
    def item_names(self) -> list[Candidate[Item]]:
        """Every item as scoring.names resolves it (kept: a chat report resolves one)."""
        return item_candidates(self.items)

    @cached_property
    def reportable_item_names(self) -> list[Candidate[Item]]:
        return item_candidates(self.reportable_items)

    @cached_property
    def items_by_key(self) -> dict[str, Item]:
        """Items by id, label and chat label: import files and chat may use any of them."""
        return (
            {i.id: i for i in self.items}
            | {i.label: i for i in self.items}
            | {i.chat_label: i for i in self.items if i.chat_label}
        )

    @cached_property
    def modifiers_by_key(self) -> dict[str, Modifier]:
        return {m.id: m for m in self.modifiers} | {m.label: m for m in self.modifiers}

    @cached_property
    def groups_by_key(self) -> dict[str, Group]:
        return {g.id: g for g in self.groups} | {g.label: g for g in self.groups if g.label}

    def item(self, rule_id: str) -> Item:
        return self.items_by_key[rule_id]

    def find_group(self, text: str) -> Group:
        """The group a file or a command names, read as every name is (scoring.names)."""
        return resolve(text, [Candidate(g.id, g.display, g) for g in self.groups], "group")


def _invalid(code: str, message: str, **context: object) -> PydanticCustomError:
    """A ruleset refusal with a stable code and its facts: the bot says it in Chinese, naming
    the field, and `message` is the English of it for anyone reading the domain alone."""
    return PydanticCustomError(f"ruleset_{code}", message, {k: str(v) for k, v in context.items()})


def _unique(what: str, values: list[tuple[str, str]]) -> None:
    """Refuse a value used twice, naming both entries: (where, value) each."""
    seen: dict[str, str] = {}
    for where, value in values:
        first = seen.get(value)
        if first is not None:
            raise _invalid(
                "duplicate", "{what}: {value!r} is used by {first} and by {second}",
                what=what, value=value, first=first, second=where,
            )  # fmt: skip
        seen[value] = where


BUILTIN_RULESETS = ("ordos-2020", "dengkou-2024")


def parse_ruleset(text: str) -> Ruleset:
    """Parse and validate ruleset TOML; refusals name the field that is wrong."""
    try:
        # Decimals as Decimal, never float: `points = 0.1` must be exactly ten hundredths.
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise DomainError("ruleset_toml", detail=str(exc)) from exc
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        raise RulesetRejected([_problem(err, data) for err in exc.errors()]) from exc


def _problem(err: ErrorDetails, data: dict[str, Any]) -> RulesetProblem:
    """A refusal naming its entry by id (`items[city.clue].points`, not `items.3.points`);
    a setting the format does not have is named unsupported, or a likely misspelling of one
    it has when one is close."""
    loc = err["loc"]
    code = err["type"]
    params = {k: str(v) for k, v in err.get("ctx", {}).items()}
    if code == "extra_forbidden":
        key = str(loc[-1])
        known = _settings_at(loc[:-1])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
        code = "ruleset_misspelt" if close else "ruleset_unsupported"
        params = {"key": key, "suggestion": close[0]} if close else {"key": key}
    return RulesetProblem(_field_name(loc, data), code, params, err["msg"])


def _field_name(loc: tuple[int | str, ...], data: object) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            entry = data[part] if isinstance(data, list) and part < len(data) else None
            name = None
            if isinstance(entry, dict):
                name = entry.get("id", entry.get("column"))
            # Positions count from 1 for a clerk when the entry has no id to be named by.
            parts[-1] += f"[{name}]" if isinstance(name, str) and name else f"[#{part + 1}]"
            data = entry
        else:
            parts.append(part)
            data = data.get(part) if isinstance(data, dict) else None
    return ".".join(parts)


def _settings_at(loc: tuple[int | str, ...]) -> list[str]:
    """The settings the format has where a file wrote an unknown one."""
    model: type[BaseModel] = Ruleset
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field else None
        if inner is None:
            return []
        model = inner
    return list(model.model_fields)


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The model a field holds, directly, in a list, or as an optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def builtin_ruleset_text(ruleset_id: str) -> str:
    if ruleset_id not in BUILTIN_RULESETS:
        raise DomainError("ruleset_unknown", ruleset=ruleset_id, known=", ".join(BUILTIN_RULESETS))
    return resources.files("scoring").joinpath("rulesets", f"{ruleset_id}.toml").read_text("utf-8")


def ruleset_source(spec: str) -> str:
    """The TOML text for a built-in ruleset id or a path to an office's own ruleset file."""
    if spec in BUILTIN_RULESETS:
        return builtin_ruleset_text(spec)
    path = Path(spec)
    if path.suffix.lower() == ".toml" or path.exists():
        try:
            return path.read_text("utf-8")
        except OSError as exc:
            raise DomainError(
                "file_unreadable", path=spec, detail=exc.strerror or str(exc)
            ) from exc
    raise DomainError("ruleset_unknown", ruleset=spec, known=", ".join(BUILTIN_RULESETS))


def load_ruleset(spec: str) -> Ruleset:
    return parse_ruleset(ruleset_source(spec))
