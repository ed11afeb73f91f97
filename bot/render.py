"""Standings and rulesets rendered for people and for other programs: text, CSV, JSON, XLSX."""

from __future__ import annotations

import csv
import html
import io
import json
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import texts

if TYPE_CHECKING:
    from openpyxl import Workbook
from scoring.ruleset import Ruleset
from scoring.standings import Standings

FORMATS = ("text", "csv", "json", "xlsx")


def width(text: str) -> int:
    """Display width in a terminal: CJK characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, right_from: int = 0
) -> list[str]:
    """Columns aligned for CJK widths; columns from `right_from` on are right-aligned numbers."""
    widths = [width(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], width(cell))
    lines = []
    for row in [header, *rows]:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - width(cell))
            cells.append(pad + cell if right_from and i >= right_from else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return lines


def _header(ruleset: Ruleset) -> list[str]:
    b = ruleset.bulletin
    header = [texts.RANK, texts.UNIT, b.count_column, *b.score_columns, b.total_column]
    if ruleset.floor is not None:
        header.append(texts.RAW_TOTAL)
    return header


def _cells(ruleset: Ruleset, scores: tuple[int, ...]) -> list[str]:
    cells = []
    for column, value in zip(ruleset.bulletin.score_columns, scores, strict=True):
        cells.append(
            "/" if value == 0 and column in ruleset.bulletin.slash_for_zero else str(value)
        )
    return cells


def standings_text(ruleset: Ruleset, standings: Standings) -> str:
    p = standings.period
    lines = [
        texts.STANDINGS_TITLE.format(
            ruleset=ruleset.name,
            period=p.label,
            start=p.start,
            end=p.end,
            items=standings.item_count,
        )
    ]
    groups = {g.id: g for g in ruleset.groups}
    for number, group in enumerate(standings.groups):
        label = groups[group.group].display
        ordinal = (
            texts.CHINESE_NUMBERS[number]
            if number < len(texts.CHINESE_NUMBERS)
            else str(number + 1)
        )
        lines += [
            "",
            texts.GROUP_HEADING.format(number=ordinal, group=label, items=group.item_count),
        ]
        rows = []
        for r in group.rows:
            row = [
                str(r.rank),
                r.unit,
                str(r.adoption_count),
                *_cells(ruleset, r.scores),
                str(r.total),
            ]
            if ruleset.floor is not None:
                row.append(str(r.raw_total))
            rows.append(row)
        lines += table(_header(ruleset), rows, right_from=2) if rows else [texts.NO_UNITS]
    return "\n".join(lines) + "\n"


def _flat_rows(ruleset: Ruleset, standings: Standings) -> tuple[list[str], list[list[object]]]:
    header = [texts.GROUP, *_header(ruleset)]
    rows: list[list[object]] = []
    for group in standings.groups:
        for r in group.rows:
            row: list[object] = [group.group, r.rank, r.unit, r.adoption_count]
            row += r.scores
            row.append(r.total)
            if ruleset.floor is not None:
                row.append(r.raw_total)
            rows.append(row)
    return header, rows


def standings_csv(ruleset: Ruleset, standings: Standings) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header, rows = _flat_rows(ruleset, standings)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def standings_json(standings: Standings) -> str:
    return json.dumps(standings.to_json(), ensure_ascii=False, indent=2) + "\n"


def standings_xlsx(ruleset: Ruleset, standings: Standings) -> bytes:
    """One sheet per group, laid out like the printed bulletin's tables."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    add_standings_sheets(workbook, ruleset, standings)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ruleset_text(ruleset: Ruleset) -> str:
    lines = [texts.RULES_HEADING.format(id=ruleset.id, name=ruleset.name)]
    if ruleset.effective_from:
        lines.append(texts.RULES_EFFECTIVE.format(date=ruleset.effective_from))
    lines.append(
        texts.RULES_FLOOR.format(floor=ruleset.floor)
        if ruleset.floor is not None
        else texts.RULES_NO_FLOOR
    )
    lines.append(texts.RULES_LISTING[ruleset.bulletin.listing])
    b = ruleset.bulletin
    lines.append(" / ".join([b.count_column, *b.score_columns, b.total_column]))
    if ruleset.awards:
        a = ruleset.awards
        lines.append(
            texts.RULES_AWARDS.format(advanced=a.advanced, improved=a.improved, lowest=a.lowest)
        )
        for rule in a.disqualify:
            names = texts.LIST_SEPARATOR.join(ruleset.item(r).label for r in rule.penalties)
            lines.append(texts.RULES_DISQUALIFY.format(penalties=names, at_least=rule.at_least))
    lines += ["", texts.RULES_GROUPS]
    for g in ruleset.groups:
        quota = (
            texts.RULES_QUOTA.format(quota=g.monthly_quota)
            if g.monthly_quota
            else texts.RULES_NO_QUOTA
        )
        lines.append(f"  {g.display}：{quota}")
    lines += ["", texts.RULES_ITEMS]
    item_rows = [
        [
            i.id,
            i.label,
            texts.KIND[i.kind.value],
            texts.POINTS_GIVEN if i.points is None else str(i.points),
            i.column,
        ]
        for i in ruleset.items
    ]
    lines += ["  " + line for line in table(texts.RULES_COLUMNS, item_rows)]
    if ruleset.modifiers:
        lines += ["", texts.RULES_MODIFIERS]
        modifier_rows = [
            [m.id, m.label, f"+{m.points}", m.column, ", ".join(m.allowed_on)]
            for m in ruleset.modifiers
        ]
        lines += ["  " + line for line in table(texts.RULES_MODIFIER_COLUMNS, modifier_rows)]
    return "\n".join(lines) + "\n"


def add_standings_sheets(workbook: Workbook, ruleset: Ruleset, standings: Standings) -> None:
    """A sheet per group: rank, unit, the bulletin's columns, total (and raw total if floored)."""
    groups = {g.id: g for g in ruleset.groups}
    header = _header(ruleset)
    for group in standings.groups:
        # Excel refuses these characters in sheet titles, and titles over 31 characters.
        title = "".join(ch for ch in groups[group.group].display if ch not in "[]:*?/\\")[:31]
        sheet = workbook.create_sheet(title or group.group)
        sheet.append(header)
        for r in group.rows:
            row: list[object] = [r.rank, r.unit, r.adoption_count, *r.scores, r.total]
            if ruleset.floor is not None:
                row.append(r.raw_total)
            sheet.append(row)


# Telegram refuses messages over 4096 characters.
MESSAGE_LIMIT = 4000


def split_message(text: str) -> list[str]:
    """Long text in messages Telegram accepts, cut between lines."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if current and len(current) + len(line) > MESSAGE_LIMIT:
            chunks.append(current)
            current = ""
        current += line
    return [*chunks, current] if current else chunks or [text]


def pre_chunks(text: str) -> list[str]:
    """Long text as monospace messages, cut after escaping so that no message outgrows the limit."""
    return [f"<pre>{chunk}</pre>" for chunk in split_message(html.escape(text))]


def pre(text: str) -> str:
    """Text in a monospace block, so tables keep their columns."""
    return f"<pre>{html.escape(text)}</pre>"
