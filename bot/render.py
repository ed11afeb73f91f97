"""Standings and rulesets rendered for people and for other programs: text, CSV, JSON, XLSX."""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot import texts
from bot.sheets import SheetTable, add_sheet, csv_text, new_workbook, workbook_bytes
from bot.sheets import display_width as width

if TYPE_CHECKING:
    from openpyxl import Workbook

    from bot.usecases.quota import PenaltyChange
from scoring.points import points_cell, show_points
from scoring.rulediff import RuleChange
from scoring.ruleset import SUBMISSION_ID, Modifier, Ruleset
from scoring.standings import Row, Standings, unit_above
from scoring.text import one_line, one_line_json

FORMATS = ("text", "csv", "json", "xlsx")


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, right_from: int = 0
) -> list[str]:
    """Columns aligned for CJK widths; columns from `right_from` on are right-aligned numbers."""
    # No control character reaches the terminal (scoring.text.one_line): a unit named with
    # ESC in a database made before names were cleaned would otherwise send an escape sequence.
    header = [one_line(h) for h in header]
    rows = [[one_line(cell) for cell in row] for row in rows]
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
    # A ruleset listing units in the roster's order ranks nobody: no rank column.
    header = [texts.RANK] if b.ranked else []
    header += [texts.UNIT, *b.columns]
    if ruleset.floor is not None:
        header.append(texts.RAW_TOTAL)
    return header + b.year_to_date_headers


def _counted(r: Row) -> list[str]:
    """A row's count columns and adoption rate, where the ruleset has them."""
    return [str(n) for n in r.counts] + ([r.rate] if r.rate is not None else [])


def _ranked(ruleset: Ruleset, r: Row) -> list[object]:
    return [r.rank] if ruleset.bulletin.ranked else []


def _cells(ruleset: Ruleset, scores: tuple[int, ...]) -> list[str]:
    cells = []
    for column, value in zip(ruleset.bulletin.score_columns, scores, strict=True):
        cells.append(
            "/" if value == 0 and column in ruleset.bulletin.slash_for_zero else show_points(value)
        )
    return cells


def year_cells(standings: Standings, r: Row, shown: Callable[[int], object]) -> list[object]:
    """A row's year-to-date cells, its points through `shown` (text, or a workbook's number)."""
    marks = standings.year_points
    cells = zip(standings.year_cells(r), marks, strict=True)
    return [shown(v) if p and isinstance(v, int) else v for v, p in cells]


def standings_text(ruleset: Ruleset, standings: Standings) -> str:
    p = standings.period
    lines = [
        texts.STANDINGS_TITLE.format(
            ruleset=ruleset.name,
            period=p.name,
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
                *map(str, _ranked(ruleset, r)),
                r.unit,
                str(r.adoption_count),
                *_counted(r),
                *_cells(ruleset, r.scores),
                show_points(r.total),
            ]
            if ruleset.floor is not None:
                row.append(show_points(r.raw_total))
            row += map(str, year_cells(standings, r, show_points))
            rows.append(row)
        numbers = 2 if ruleset.bulletin.ranked else 1
        lines += table(_header(ruleset), rows, right_from=numbers) if rows else [texts.NO_UNITS]
    return "\n".join(map(one_line, lines)) + "\n"


def standings_table(ruleset: Ruleset, standings: Standings) -> tuple[list[str], list[list[object]]]:
    """The header and rows of standings_csv, for a channel to show as a table of its own."""
    return _flat_rows(ruleset, standings)


def _flat_rows(ruleset: Ruleset, standings: Standings) -> tuple[list[str], list[list[object]]]:
    header = [texts.GROUP, *_header(ruleset)]
    groups = {g.id: g.display for g in ruleset.groups}
    rows: list[list[object]] = []
    for group in standings.groups:
        for r in group.rows:
            row: list[object] = [groups[group.group], *_ranked(ruleset, r), r.unit]
            row += [r.adoption_count, *r.counts, *([r.rate] if r.rate is not None else [])]
            # Numbers, not text: a CSV guards text that starts with "-" against formulas.
            row += map(points_cell, r.scores)
            row.append(points_cell(r.total))
            if ruleset.floor is not None:
                row.append(points_cell(r.raw_total))
            row += year_cells(standings, r, points_cell)
            rows.append(row)
    return header, rows


def standings_csv(ruleset: Ruleset, standings: Standings) -> str:
    """Every group's standings in one table, groups by label (bot.sheets writes the bytes)."""
    header, rows = _flat_rows(ruleset, standings)
    return csv_text(header, rows)


def standings_json(standings: Standings) -> str:
    return json.dumps(one_line_json(standings.to_json()), ensure_ascii=False, indent=2) + "\n"


def standings_xlsx(ruleset: Ruleset, standings: Standings) -> bytes:
    """One sheet per group, laid out like the printed bulletin's tables."""
    workbook = new_workbook()
    add_standings_sheets(workbook, ruleset, standings)
    return workbook_bytes(workbook)


def ruleset_text(ruleset: Ruleset) -> str:
    lines = [texts.RULES_HEADING.format(id=ruleset.id, name=ruleset.name)]
    if ruleset.effective_from:
        lines.append(texts.RULES_EFFECTIVE.format(date=ruleset.effective_from))
    lines.append(
        texts.RULES_FLOOR.format(floor=show_points(ruleset.floor))
        if ruleset.floor is not None
        else texts.RULES_NO_FLOOR
    )
    lines.append(texts.RULES_LISTING[ruleset.bulletin.listing])
    b = ruleset.bulletin
    if not b.ranked:
        lines.append(texts.RULES_ROSTER_ORDER)
    lines.append(" / ".join(b.columns))
    for count in b.counts:
        names = texts.LIST_SEPARATOR.join(_counted_label(ruleset, i) for i in count.items)
        lines.append(texts.RULES_COUNT_COLUMN.format(column=count.column, items=names))
    if b.rate_column:
        lines.append(texts.RULES_RATE_COLUMN.format(column=b.rate_column))
    if b.year_to_date:
        first = b.year_to_date_headers[0]
        lines.append(texts.RULES_YEAR_TO_DATE.format(word=b.year_to_date, first=first))
    lines += _settled_rules(ruleset)
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
            texts.POINTS_GIVEN if i.points is None else show_points(i.points),
            i.column,
        ]
        for i in ruleset.items
    ]
    lines += ["  " + line for line in table(texts.RULES_COLUMNS, item_rows)]
    if ruleset.modifiers:
        lines += ["", texts.RULES_MODIFIERS]
        modifier_rows = [
            [
                m.id,
                m.label,
                _modifier_points(ruleset, m),
                str(m.max_per_adoption) if m.max_per_adoption else texts.NO_LIMIT,
                m.column,
                ", ".join(m.allowed_on),
            ]
            for m in ruleset.modifiers
        ]
        lines += ["  " + line for line in table(texts.RULES_MODIFIER_COLUMNS, modifier_rows)]
    return "\n".join(lines) + "\n"


def _settled_rules(ruleset: Ruleset) -> list[str]:
    """What the monthly settlement scores beside its penalties, and the other quotas."""
    lines = []
    if item_id := ruleset.submission_points_item:
        item = ruleset.item(item_id)
        cap = ruleset.monthly_credits.submissions_cap if ruleset.monthly_credits else None
        assert item.points is not None  # a credit item has points
        line = texts.RULES_SUBMISSION_POINTS.format(
            points=show_points(item.points), label=item.label
        )
        shown_cap = texts.RULES_SUBMISSION_CAP.format(cap=show_points(cap)) if cap else ""
        lines.append(line + shown_cap)
    if item_id := ruleset.base_score_item:
        item = ruleset.item(item_id)
        assert item.points is not None
        lines.append(
            texts.RULES_BASE_SCORE.format(label=item.label, points=show_points(item.points))
        )
    kinds = {k.id: k.label for k in ruleset.submission_kinds}
    for q in ruleset.quotas:
        who = texts.LIST_SEPARATOR.join([*q.groups, *q.units])
        counted = texts.LIST_SEPARATOR.join(kinds[k] for k in q.kinds)
        penalties = (
            texts.RULES_QUOTA_PENALTIES.format(
                missed=show_points(-(ruleset.item(q.penalties.missed).points or 0)),
                again=show_points(-(ruleset.item(q.penalties.missed_again).points or 0)),
            )
            if q.penalties
            else texts.RULES_QUOTA_NO_PENALTY
        )
        lines.append(
            texts.RULES_OTHER_QUOTA.format(
                label=q.label, id=q.id, who=who, period=texts.RULES_QUOTA_PERIOD[q.period],
                minimum=q.minimum, kinds=texts.RULES_QUOTA_KINDS.format(kinds=counted) if q.kinds else "",
                penalties=penalties,
            )
        )  # fmt: skip
    return lines


def _counted_label(ruleset: Ruleset, item_id: str) -> str:
    return texts.SUBMISSION_NAME if item_id == SUBMISSION_ID else ruleset.item(item_id).label


def _modifier_points(ruleset: Ruleset, m: Modifier) -> str:
    """`+30`, or with values by item `+5，《政务建议》+10`."""
    shown = (
        [show_points(m.points, signed=True)]
        if any(t not in m.points_on for t in m.allowed_on)
        else []
    )
    shown += [
        f"{ruleset.item(t).label}{show_points(p, signed=True)}" for t, p in m.points_on.items()
    ]
    return texts.LIST_SEPARATOR.join(shown)


def add_standings_sheets(workbook: Workbook, ruleset: Ruleset, standings: Standings) -> None:
    """A sheet per group: rank, unit, the bulletin's columns, total (and raw total if floored),
    under a title naming the ruleset, the group and the period."""
    groups = {g.id: g for g in ruleset.groups}
    header = _header(ruleset)
    period = texts.period_span(standings.period)
    for group in standings.groups:
        label = groups[group.group].display
        rows = []
        for r in group.rows:
            row: list[object] = [*_ranked(ruleset, r), r.unit, r.adoption_count]
            row += [*r.counts, *([r.rate] if r.rate is not None else [])]
            row += [*map(points_cell, r.scores), points_cell(r.total)]
            if ruleset.floor is not None:
                row.append(points_cell(r.raw_total))
            row += year_cells(standings, r, points_cell)
            rows.append(row)
        title = texts.STANDINGS_SHEET_TITLE.format(ruleset=ruleset.name, group=label, period=period)
        table = SheetTable(label, title, header, rows or [[texts.NO_UNITS]], centred={1})
        add_sheet(workbook, table)


# Telegram refuses messages over 4096 characters, and captions of files over 1024.
MESSAGE_LIMIT = 4000
CAPTION_LIMIT = 1000
# What a notice quotes of evidence someone sent as text (a message replied to, a link).
EVIDENCE_SHOWN = 300


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending in … where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


# A changed entry's value shown at most this long: a whole table would drown the list.
_RULE_VALUE_WIDTH = 60


def rule_changes_text(ruleset_id: str, changes: Sequence[RuleChange]) -> str:
    """What a newer shipped text of the ruleset would change, one line an entry."""
    lines = [texts.RULES_NEWER_HEAD.format(ruleset=ruleset_id, count=len(changes))]
    for c in changes:
        old, new = (_rule_value(v) for v in (c.old, c.new))
        lines.append(texts.RULES_NEWER_CHANGE[c.change].format(where=c.where, old=old, new=new))
    return "\n".join(lines) + "\n"


def _rule_value(value: object) -> str:
    shown = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return shown if len(shown) <= _RULE_VALUE_WIDTH else shown[: _RULE_VALUE_WIDTH - 1] + "…"


def render_changes(head: str, changes: Sequence[PenaltyChange]) -> str:
    """Penalties a settlement changed, month by month, as `before → after`."""
    lines = [head]
    for c in changes:
        if c.before is None and c.after_points == 0:
            continue  # a unit at quota in a month settled for the first time: nothing changed
        line = texts.CHANGE_LINE_QUOTA if c.quota_label else texts.CHANGE_LINE
        lines.append(
            line.format(
                month=c.month.name, unit=c.unit, count=c.submissions, quota=c.quota,
                before=_penalty(c.before_points), after=_penalty(c.after_points),
                label=c.quota_label,
            )
        )  # fmt: skip
    return "\n".join(lines)


def _penalty(points: int) -> str:
    return texts.CHANGE_NONE if points == 0 else show_points(points, signed=True)


# --- phone-sized chat: lines a phone shows whole ------------------------------------------

# Display columns a phone shows on one line in a monospace block.
PHONE_COLUMNS = 34
# Rows of a table per message: a long list goes out in parts, each with its header.
PHONE_ROWS = 40


def phone_width(text: str) -> int:
    """Display width on a phone: CJK characters, and those East Asian fonts draw wide (…, ▶),
    take two columns."""
    if text.isascii():  # no wide character: most lines, and cheaper than asking per character
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def shorten(text: str, columns: int) -> str:
    """`text` in at most `columns` display columns, ending in … where it was cut."""
    if phone_width(text) <= columns:
        return text
    cut = ""
    for ch in text:
        if phone_width(cut + ch) + phone_width("…") > columns:
            break
        cut += ch
    return cut + "…"


# Where a line breaks best: after a space or a Chinese punctuation mark, before an opening one.
_BREAK_AFTER = frozenset(" ，。；：、！？）」』》】")
_BREAK_BEFORE = frozenset("（「『《【“")
_OPENING, _CLOSING = "（「『《【“", "）」』》】”"
_NO_LINE_START = frozenset("，。；：、！？")


def _glued(left: str, right: str) -> bool:
    """Two characters a break may not part: of one word, number or link; a number and what it
    counts (5月6日, 18分, 第 3); a closing mark and what it closes, an opening mark and what it
    opens (no line starts with ，or 。)."""
    if right in _CLOSING or right in _NO_LINE_START or left in _OPENING or right == " ":
        return True
    if left.isdigit() and not right.isspace() and right not in _OPENING:
        return True
    if (right.isdigit() or right == "#") and (left.isspace() or left in "第年月"):
        return True
    return left.isascii() and right.isascii() and not left.isspace() and not right.isspace()


def fit(text: str, columns: int = PHONE_COLUMNS) -> str:
    """`text` with every line broken to at most `columns` display columns: after a space or a
    punctuation mark where one is near the end, else between two Chinese characters; a word or
    a link wider than a line is never split (it could not be read or opened), it stands alone.
    Only line breaks are added: without them the text is as it was."""
    return "\n".join(piece for line in text.split("\n") for piece in _fit_line(line, columns))


def _fit_line(line: str, columns: int) -> list[str]:
    if len(line) * 2 <= columns:
        # No character is wider than two columns: the line fits without measuring it. Most of
        # a message's lines do, and an answer is fitted more than once on its way (its text,
        # then the courier as it sends).
        return [line]
    pieces = []
    while phone_width(line) > columns:
        end, used = 0, 0
        while used + phone_width(line[end]) <= columns:
            used += phone_width(line[end])
            end += 1
        allowed = [i for i in range(1, end + 1) if not _glued(line[i - 1], line[i])]
        near = [i for i in allowed if _good_break(line, i) and i > end * 2 // 3]
        # A title mark or a bracket is not split from its words where that can be helped.
        whole = [i for i in allowed if not _inside_marks(line[:i])]
        if near or whole or allowed:
            cut = (near or whole or allowed)[-1]
        else:  # a word wider than a line: whole, on a line of its own
            cut = end
            while cut < len(line) and _glued(line[cut - 1], line[cut]):
                cut += 1
        # A space at a break stays at the end of its line: joined again, the lines give the
        # text as written.
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line] if line or not pieces else pieces


def explanation_lines(explanation: str) -> str:
    """A scoring explanation (`《决策参考》18 + 市领导同志批示 30 = 48`) a term a line, so
    that a sum of long labels still reads on a phone."""
    return explanation.replace(" + ", "\n+ ").replace(" = ", "\n= ")


def _good_break(line: str, i: int) -> bool:
    """After a punctuation mark or before an opening one; after a space, unless the space only
    sets off a number in Chinese text (第 1 名, 总分 0), which reads as one phrase."""
    if line[i - 1] == " ":
        return not (line[i].isdigit() or (i > 1 and line[i - 2].isdigit()))
    return line[i - 1] in _BREAK_AFTER or line[i] in _BREAK_BEFORE


def _inside_marks(text: str) -> bool:
    """Whether `text` ends inside an opened bracket or title mark (《决策…)."""
    depth = 0
    for ch in text:
        depth += (ch in _OPENING) - (ch in _CLOSING)
    return depth > 0


def _pad(text: str, columns: int, *, right: bool = False) -> str:
    gap = " " * max(0, columns - phone_width(text))
    return gap + text if right else text + gap


def rank_lines(
    total_column: str, rows: Sequence[Row], mark: str | None = None, *, ranked: bool = True
) -> list[str]:
    """Rank, unit (shortened where needed), total and the gap to the unit ranked above, in
    lines of at most PHONE_COLUMNS; the first line is the header. `mark` is a unit to point at.
    Rows in the roster's order (`ranked` False) have neither rank nor gap."""
    gaps = []
    for n, r in enumerate(rows):
        above = unit_above(rows, n) if ranked else None
        gaps.append("" if above is None else show_points(r.total - above.total))
    cells = [
        [str(r.rank) if ranked else "", r.unit, show_points(r.total), gap]
        for r, gap in zip(rows, gaps, strict=True)
    ]
    header = [texts.RANK if ranked else "", texts.UNIT, total_column, texts.GAP if ranked else ""]
    widths = [max(phone_width(c[i]) for c in [header, *cells]) for i in (0, 2, 3)]
    pointer = phone_width(texts.RANK_MARK)
    unit_width = PHONE_COLUMNS - pointer - sum(widths) - 3
    lines = []
    for n, (rank, unit, total, gap) in enumerate([header, *cells]):
        here = n > 0 and mark is not None and rows[n - 1].unit == mark
        lines.append(
            (texts.RANK_MARK if here else " " * pointer)
            + _pad(rank, widths[0], right=n > 0)
            + " "
            + _pad(shorten(unit, unit_width), unit_width)
            + " "
            + _pad(total, widths[1], right=True)
            + " "
            + _pad(gap, widths[2], right=True)
        )
    return [line.rstrip() for line in lines]


def counted_line(ruleset: Ruleset, row: Row) -> str | None:
    """A unit's count columns, adoption rate and base score in one line, for a method that
    has them."""
    b = ruleset.bulletin
    parts = [
        texts.ME_COUNT.format(column=c.column, count=n)
        for c, n in zip(b.counts, row.counts, strict=True)
    ]
    if b.rate_column and row.rate is not None:
        parts.append(texts.ME_COUNT.format(column=b.rate_column, count=row.rate))
    if base := ruleset.base_score_item:
        column = ruleset.item(base).column
        score = row.scores[b.score_columns.index(column)]
        parts.append(texts.ME_COUNT.format(column=column, count=show_points(score)))
    return "，".join(parts) or None


def phone_messages(title: str, lines: Sequence[str], rows: int = PHONE_ROWS) -> list[str]:
    """A title, a header line and rows as monospace messages of at most `rows` rows each, the
    title and the header repeated in every one."""
    header, body = lines[0], list(lines[1:]) or [""]
    parts = [body[i : i + rows] for i in range(0, len(body), rows)]
    return [pre("\n".join([title, header, *part]).rstrip()) for part in parts]
