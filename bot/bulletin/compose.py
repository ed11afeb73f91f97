"""A bulletin written out in Chinese, block by block, before any layout: what the DOCX and the
XLSX print, in the order an office's 通报 has it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from bot import texts
from bot.bulletin.wording import DEFAULT, Wording, render_part
from scoring.awards import GroupAwards, Improvement
from scoring.bulletin import Bulletin, Notes, Table, Term
from scoring.periods import Period, month, parse_period, quarter, year
from scoring.points import show_points


@dataclass(frozen=True)
class Letter:
    """What the office says about itself: its name, the issue number, who it writes to, and
    the date written on the bulletin."""

    office: str
    addressees: str
    day: date
    issue: str = ""


@dataclass(frozen=True)
class Block:
    style: Literal["body", "heading1", "heading2"]
    text: str


@dataclass(frozen=True)
class TableBlock:
    heading: str
    table: Table


@dataclass(frozen=True)
class Composed:
    draft: bool
    office: str
    issue: str
    title: str
    addressees: str
    body: list[Block]
    attachment_line: str
    date: str
    attachment_title: str
    period: str
    period_span: tuple[str, str]
    tables: list[TableBlock]
    notes: list[str]
    # (group, kind of award, unit, detail) for the workbook's awards sheet; empty unless a year.
    awards: list[tuple[str, str, str, str]] = field(default_factory=list)


def period_words(period: Period) -> str:
    """`2024年第二季度`, `2024年5月`, `2024年度`, or `2024年4月1日至2024年5月15日`."""
    y = period.start.year
    if (period.start, period.end) == (year(y).start, year(y).end):
        return texts.PERIOD_YEAR.format(year=y)
    for number in range(1, 5):
        q = quarter(y, number)
        if (period.start, period.end) == (q.start, q.end):
            return texts.PERIOD_QUARTER.format(year=y, number=texts.QUARTER_NUMBERS[number - 1])
    m = month(y, period.start.month)
    if (period.start, period.end) == (m.start, m.end):
        return texts.PERIOD_MONTH.format(year=y, month=period.start.month)
    return texts.PERIOD_RANGE.format(start=date_words(period.start), end=date_words(period.end))


def date_words(day: date) -> str:
    """`2024年7月5日`: no leading zeros, as official documents write dates."""
    return texts.DATE_WRITTEN.format(year=day.year, month=day.month, day=day.day)


def ordinal(number: int) -> str:
    """一, 二 ... 十 for the first ten, then digits."""
    return texts.CHINESE_NUMBERS[number - 1] if number <= 10 else str(number)


def compose(
    bulletin: Bulletin,
    letter: Letter,
    *,
    draft: bool,
    wording: Wording = DEFAULT,
    anchor: str = "",
) -> Composed:
    period = period_words(bulletin.period)
    start, end = date_words(bulletin.period.start), date_words(bulletin.period.end)
    values: dict[str, Any] = {
        "office": letter.office,
        "period": period,
        "period_label": bulletin.period.label,
        "start": start,
        "end": end,
        "date": date_words(letter.day),
        "year": bulletin.period.start.year,
        "item_count": bulletin.headline.item_count,
        "kinds": [{"label": k.label, "count": k.count} for k in bulletin.headline.kinds],
        "groups": [{"label": g.label, "count": g.count} for g in bulletin.headline.groups],
        "unit_count": bulletin.headline.unit_count,
        "penalised": [{"label": p.label, "units": list(p.units)} for p in bulletin.penalised],
        "ruleset": bulletin.ruleset_name,
        "issue": letter.issue,
        "addressees": letter.addressees,
    }
    title = "".join(render_part(wording, "title", values))
    values["title"] = title
    body = [Block("body", text) for text in render_part(wording, "opening", values)]
    labels = {t.group: t.label for t in bulletin.tables}
    if bulletin.awards is not None:
        body += _awards_blocks(bulletin, labels)
    body += [Block("body", text) for text in render_part(wording, "closing", values)]
    attachment_title = texts.ATTACHMENT_TITLE.format(period=period)
    tables = [
        TableBlock(texts.TABLE_HEADING.format(number=ordinal(n), group=t.label), t)
        for n, t in enumerate(bulletin.tables, start=1)
    ]
    return Composed(
        draft=draft,
        office=letter.office,
        issue=letter.issue,
        title=title,
        addressees=letter.addressees,
        body=body,
        attachment_line=texts.ATTACHMENT_LINE.format(title=attachment_title),
        date=date_words(letter.day),
        attachment_title=attachment_title,
        period=period,
        period_span=(start, end),
        tables=tables,
        notes=notes_text(bulletin.notes, anchor),
        awards=_awards_rows(bulletin, labels),
    )


def notes_text(notes: Notes, anchor: str = "") -> list[str]:
    """The numbered notes under the tables: order, who is listed, "/", what the count leaves
    out, how each column is scored, the total and its floor, the dates."""
    lines = [texts.NOTE_ORDER if notes.ranked else texts.NOTE_ROSTER_ORDER]
    lines.append(texts.NOTE_LISTING[notes.listing])
    if notes.slash_columns:
        lines.append(
            texts.NOTE_SLASH.format(columns=texts.LIST_SEPARATOR.join(notes.slash_columns))
        )
    if notes.uncounted:
        lines.append(
            texts.NOTE_COUNT_EXCLUDES.format(
                column=notes.count_column, labels=texts.LIST_SEPARATOR.join(notes.uncounted)
            )
        )
    for column, counted in notes.counts:
        names = (texts.SUBMISSION_NAME if label is None else label for label in counted)
        lines.append(
            texts.NOTE_COUNT_COLUMN.format(column=column, items=texts.LIST_SEPARATOR.join(names))
        )
    if notes.rate_column:
        lines.append(texts.NOTE_RATE.format(rate=notes.rate_column, count=notes.count_column))
    for column in notes.columns:
        if column.terms:
            terms = texts.TERM_SEPARATOR.join(_terms_text(column.terms))
            lines.append(texts.NOTE_COLUMN.format(column=column.column, terms=terms))
    if notes.floor is None:
        lines.append(texts.NOTE_TOTAL.format(total=notes.total_column))
    else:
        floor = show_points(notes.floor)
        lines.append(texts.NOTE_FLOOR.format(total=notes.total_column, floor=floor))
    lines.append(texts.NOTE_DATES.format(start=date_words(notes.start), end=date_words(notes.end)))
    if notes.methods:
        spans = texts.NOTE_METHOD_SEPARATOR.join(
            texts.NOTE_METHOD_SPAN.format(start=date_words(start), end=date_words(end), name=name)
            for name, start, end in notes.methods
        )
        lines.append(texts.NOTE_METHODS.format(spans=spans))
    if notes.year_to_date:
        word, first = notes.year_to_date
        lines.append(
            texts.NOTE_YEAR_TO_DATE.format(
                word=word, start=date_words(first), end=date_words(notes.end)
            )
        )
    if anchor:
        lines.append(texts.NOTE_ANCHOR.format(anchor=anchor))
    numbered = [texts.NOTE_ITEM.format(number=n, text=line) for n, line in enumerate(lines, 1)]
    return [texts.NOTES_HEAD + numbered[0], *numbered[1:]]


# A label's closing aside: （每次）, （须注明原因）, （并下发提醒函）.
_ASIDE = re.compile(r"（([^（）]*)）$")
# An aside that only says how a term counts (每次, 每篇每次): the note says it itself.
_RATE_WORDS = frozenset("每次篇条件")


def _terms_text(terms: tuple[Term, ...]) -> list[str]:
    """Each term as a phrase of a sentence: a label's aside that the phrase repeats is left
    out, and a 同上 (the same as the term before, but …) joins the term before it."""
    phrases: list[str] = []
    for term in terms:
        points = show_points(abs(term.points)) if term.points is not None else ""
        label = term.label
        rest = texts.NOTE_TERM[term.kind].format(label="", points=points)
        aside = _ASIDE.search(label)
        if aside and (set(aside[1]) <= _RATE_WORDS or aside[1] in rest):
            label = label[: aside.start()]
        same, _, differs = label.partition(texts.SAME_AS_ABOVE)
        if not same and differs and phrases:
            phrases[-1] += texts.LIST_SEPARATOR + differs + rest
            continue
        phrases.append(texts.NOTE_TERM[term.kind].format(label=label, points=points))
    return phrases


def plain_label(label: str) -> str:
    """An item's label without its asides, to stand inside brackets of its own."""
    return re.sub(r"（[^（）]*）", "", label)


def _basis_words(awards: GroupAwards, bulletin: Bulletin) -> tuple[str, str]:
    """How the two ends of a rise are named: `2024年度` and `2025年度`, or `2024年第一季度`
    and `2024年第四季度` in a ruleset's first year."""
    first, _, last = awards.basis.partition("..")
    if last:
        return period_words(parse_period(first)), period_words(parse_period(last))
    return period_words(parse_period(first)), period_words(bulletin.period)


def _reasons(bulletin: Bulletin, reasons: dict[str, int]) -> str:
    # Inside the brackets after the unit's name: the labels' own asides would nest.
    return texts.LIST_SEPARATOR.join(
        texts.AWARDS_REASON.format(
            label=plain_label(bulletin.item_labels.get(rule_id, rule_id)), count=n
        )
        for rule_id, n in reasons.items()
    )


def _rise(bulletin: Bulletin, awards: GroupAwards, improvement: Improvement) -> str:
    before, after = _basis_words(awards, bulletin)
    return texts.AWARDS_RISE.format(
        before=before,
        from_rank=improvement.from_rank,
        after=after,
        to_rank=improvement.to_rank,
    )


def _group_lines(
    awards: list[GroupAwards], labels: dict[str, str], units: Callable[[GroupAwards], list[str]]
) -> list[Block]:
    return [
        Block(
            "body",
            texts.AWARDS_GROUP_LINE.format(
                group=labels[a.group],
                units=texts.LIST_SEPARATOR.join(units(a)) or texts.AWARDS_NONE,
            ),
        )
        for a in awards
    ]


def _awards_blocks(bulletin: Bulletin, labels: dict[str, str]) -> list[Block]:
    awards = bulletin.awards or []
    blocks = [
        Block("heading1", texts.AWARDS_PRAISE),
        Block("body", texts.AWARDS_PRAISE_INTRO.format(ruleset=bulletin.ruleset_name)),
        Block("heading2", texts.AWARDS_ADVANCED),
        *_group_lines(awards, labels, lambda a: a.advanced),
        Block("heading2", texts.AWARDS_IMPROVED),
    ]

    def improvements(a: GroupAwards) -> list[str]:
        return [
            texts.AWARDS_IMPROVEMENT.format(unit=i.unit, rise=_rise(bulletin, a, i))
            for i in a.improved
        ]

    blocks += _group_lines(awards, labels, improvements)
    blocks.append(Block("heading2", texts.AWARDS_INDIVIDUALS))
    candidates = [
        texts.AWARDS_CANDIDATE.format(unit=unit, names=texts.LIST_SEPARATOR.join(names))
        for a in awards
        for unit, names in a.candidates.items()
    ]
    if candidates:
        blocks.append(Block("body", texts.AWARDS_INDIVIDUALS_INTRO))
        blocks += [Block("body", line) for line in candidates]
    else:
        blocks.append(Block("body", texts.AWARDS_NO_CANDIDATES))
    blocks.append(Block("heading1", texts.AWARDS_DISQUALIFIED))
    if any(a.disqualified for a in awards):
        blocks.append(Block("body", texts.AWARDS_DISQUALIFIED_INTRO))
        blocks += _group_lines(
            [a for a in awards if a.disqualified],
            labels,
            lambda a: [
                texts.AWARDS_WITH_REASONS.format(unit=d.unit, reasons=_reasons(bulletin, d.reasons))
                for d in a.disqualified
            ],
        )
    else:
        blocks.append(Block("body", texts.AWARDS_DISQUALIFIED_NONE))
    blocks += [
        Block("heading1", texts.AWARDS_LOWEST),
        Block("body", texts.AWARDS_LOWEST_INTRO),
        *(_lowest_line(bulletin, a, labels[a.group]) for a in awards),
    ]
    return blocks


# Units named in full before 等 when a tie at the bottom covers most of a group.
TIE_NAMED = 3


def _lowest_line(bulletin: Bulletin, awards: GroupAwards, label: str) -> Block:
    """The group's lowest-ranked units; a tie that covers most of the group is one sentence
    (…等29个单位全年得分均为0) rather than a list of most of the roster."""
    rows = next((g.rows for g in bulletin.standings.groups if g.group == awards.group), [])
    totals = {r.total for r in rows if r.unit in awards.lowest}
    if len(totals) == 1 and len(awards.lowest) > TIE_NAMED and 2 * len(awards.lowest) > len(rows):
        return Block(
            "body",
            texts.AWARDS_LOWEST_TIE.format(
                group=label,
                units=texts.LIST_SEPARATOR.join(awards.lowest[:TIE_NAMED]),
                count=len(awards.lowest),
                total=show_points(totals.pop()),
            ),
        )
    return _group_lines([awards], {awards.group: label}, lambda a: a.lowest)[0]


def _awards_rows(bulletin: Bulletin, labels: dict[str, str]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    kinds = texts.XLSX_AWARD_KINDS
    for a in bulletin.awards or []:
        group = labels[a.group]
        rows += [(group, kinds["advanced"], unit, "") for unit in a.advanced]
        rows += [(group, kinds["improved"], i.unit, _rise(bulletin, a, i)) for i in a.improved]
        rows += [
            (group, kinds["candidate"], unit, texts.LIST_SEPARATOR.join(names))
            for unit, names in a.candidates.items()
        ]
        rows += [
            (group, kinds["disqualified"], d.unit, _reasons(bulletin, d.reasons))
            for d in a.disqualified
        ]
        rows += [(group, kinds["lowest"], unit, "") for unit in a.lowest]
    return rows
