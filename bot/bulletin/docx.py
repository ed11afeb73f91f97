"""The bulletin as a Word document laid out as GB/T 9704-2012 lays out official documents.

A4 with the standard margins; the issuing office's red mark, the issue number over a red rule,
the title in 小标宋 二号, the body in 仿宋 三号 at a fixed 28.9 pt (22 lines, 28 characters a
page), headings in 黑体 and 楷体, the signature and the date; the statistics tables as an
attachment from a new page, marked 附件. Page numbers `— 1 —` in 四号, right on odd pages and left
on even ones.

Chinese fonts are set as East Asian fonts (`w:eastAsia`, East Asian language zh-CN): a font
set only by name leaves Chinese text in a fallback font. No theme fonts: a theme attribute
would win over the named font. The tables are written as XML directly, one string per row,
because python-docx's row-by-row API takes minutes for 10,000 rows, and put into the document's
XML as text.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm
from lxml import etree

from bot import texts
from bot.bulletin import fonts
from bot.bulletin.compose import Composed
from bot.bulletin.fonts import Font
from bot.bulletin.package import printable, restamp, utc_naive
from scoring.bulletin import Cell, Table

TWIPS_PER_PT = 20
# GB/T 9704: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_TWIPS = round((PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 1440)
# 三号 (16 pt) at a fixed 28.9 pt: the 225 mm of text height hold 22 lines.
BODY_PT = 16
LINE_TWIPS = 578
# 28 characters in the 156 mm line: each 16 pt character narrowed by 0.25 pt.
BODY_SPACING = -5  # twentieths of a point
CHAR_TWIPS = BODY_PT * TWIPS_PER_PT + BODY_SPACING
TITLE_PT = 22  # 二号
FOOTER_PT = 14  # 四号
TABLE_PT = 12  # 小四
TABLE_LINE_TWIPS = 400
NOTE_PT = 14
NOTE_LINE_TWIPS = 480
RED = "FF0000"
# The office's mark: 小标宋 in red, as large as fits the line up to 42 pt.
MARK_MAX_PT = 42


def _rfonts(font: Font | None) -> str:
    if font is None:
        return ""
    return (
        f'<w:rFonts w:ascii="{fonts.LATIN}" w:hAnsi="{fonts.LATIN}" '
        f'w:eastAsia={quoteattr(font.name)} w:cs="{fonts.LATIN}" w:hint="eastAsia"/>'
    )


def _style_xml(
    style_id: str,
    name: str,
    *,
    font: Font | None = None,
    size_pt: float | None = None,
    align: str | None = None,
    first_line: int | None = None,
    line: int | None = None,
    spacing: int | None = None,
    color: str | None = None,
    keep_next: bool = False,
) -> str:
    # A heading stays on the page of what follows it (a table's first rows, too).
    ppr = "<w:keepNext/>" if keep_next else ""
    if line is not None:
        ppr += f'<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/>'
    if first_line is not None:
        ppr += f'<w:ind w:firstLine="{first_line}"/>'
    if align is not None:
        ppr += f'<w:jc w:val="{align}"/>'
    rpr = _rfonts(font)
    if color is not None:
        rpr += f'<w:color w:val="{color}"/>'
    if spacing is not None:
        rpr += f'<w:spacing w:val="{spacing}"/>'
    if size_pt is not None:
        half = round(size_pt * 2)
        rpr += f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'
    rpr += '<w:lang w:val="en-US" w:eastAsia="zh-CN"/>'
    return (
        f'<w:style {nsdecls("w")} w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


# (style id, name, options): every paragraph of the document has one of these.
STYLES: list[tuple[str, str, dict[str, object]]] = [
    ("GovBody", "Gov Body", {"font": fonts.BODY, "first_line": 2 * CHAR_TWIPS}),
    ("GovPlain", "Gov Plain", {"font": fonts.BODY, "first_line": 0}),
    (
        "GovHeading1",
        "Gov Heading 1",
        {"font": fonts.HEI, "first_line": 2 * CHAR_TWIPS, "keep_next": True},
    ),
    (
        "GovHeading2",
        "Gov Heading 2",
        {"font": fonts.KAI, "first_line": 2 * CHAR_TWIPS, "keep_next": True},
    ),
    ("GovMark", "Gov Mark", {"font": fonts.TITLE, "align": "center", "color": RED, "spacing": 0}),
    ("GovDraft", "Gov Draft", {"font": fonts.HEI, "first_line": 0}),
    (
        "GovTitle",
        "Gov Title",
        {"font": fonts.TITLE, "size_pt": TITLE_PT, "align": "center", "line": 700, "spacing": 0},
    ),
    ("GovCenter", "Gov Center", {"font": fonts.BODY, "align": "center", "first_line": 0}),
    ("GovRight", "Gov Right", {"font": fonts.BODY, "align": "right", "first_line": 0}),
    ("GovAttachmentMark", "Gov Attachment Mark", {"font": fonts.HEI, "first_line": 0}),
    (
        "GovTableHead",
        "Gov Table Head",
        {
            "font": fonts.HEI,
            "size_pt": TABLE_PT,
            "align": "center",
            "line": TABLE_LINE_TWIPS,
            "first_line": 0,
            "spacing": 0,
        },
    ),
    *[
        (
            f"GovCell{suffix}",
            f"Gov Cell {suffix}",
            {
                "font": fonts.BODY,
                "size_pt": TABLE_PT,
                "align": align,
                "line": TABLE_LINE_TWIPS,
                "first_line": 0,
                "spacing": 0,
            },
        )
        for suffix, align in (("Left", "left"), ("Center", "center"), ("Right", "right"))
    ],
    (
        "GovNote",
        "Gov Note",
        {
            "font": fonts.BODY,
            "size_pt": NOTE_PT,
            "line": NOTE_LINE_TWIPS,
            "first_line": 0,
            "spacing": 0,
        },
    ),
    (
        "GovFooter",
        "Gov Footer",
        {"font": fonts.SONG, "size_pt": FOOTER_PT, "first_line": 0, "spacing": 0},
    ),
]

DOC_DEFAULTS = (
    f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>{_rfonts(fonts.BODY)}"
    f'<w:kern w:val="2"/><w:spacing w:val="{BODY_SPACING}"/>'
    f'<w:sz w:val="{BODY_PT * 2}"/><w:szCs w:val="{BODY_PT * 2}"/>'
    '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
    '<w:pPrDefault><w:pPr><w:widowControl w:val="0"/>'
    f'<w:spacing w:before="0" w:after="0" w:line="{LINE_TWIPS}" w:lineRule="exact"/>'
    '<w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>'
)


def _set_up(document: DocxDocument) -> None:
    styles = document.styles.element
    old = styles.find(parse_xml(DOC_DEFAULTS).tag)
    styles.replace(old, parse_xml(DOC_DEFAULTS))
    for style_id, name, options in STYLES:
        styles.append(parse_xml(_style_xml(style_id, name, **options)))  # type: ignore[arg-type]
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    # The page number's dashes sit 7 mm below the text: a 14 pt footer line ending 22 mm above
    # the paper's edge.
    section.footer_distance = Mm(22)
    section.header_distance = Mm(15)
    document.settings.odd_and_even_pages_header_footer = True
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]._p
        paragraph.getparent().replace(paragraph, parse_xml(_page_number_xml(odd)))


def _page_number_xml(odd: bool) -> str:
    """`— 1 —`: a PAGE field between two dashes, a character in from the outer edge."""
    side = "right" if odd else "left"
    indent = f'<w:ind w:{side}="{FOOTER_PT * TWIPS_PER_PT}"/>'
    before, after = (_text(part) for part in texts.PAGE_NUMBER_AROUND)
    return (
        f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="GovFooter"/>{indent}'
        f'<w:jc w:val="{side}"/></w:pPr>'
        f'<w:r><w:t xml:space="preserve">{before}</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>1</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        f'<w:r><w:t xml:space="preserve">{after}</w:t></w:r></w:p>'
    )


def _paragraph_xml(
    style: str,
    text: str,
    *,
    before: int = 0,
    ind: str = "",
    border: bool = False,
    run: str = "",
    page_break: bool = False,
) -> str:
    ppr = f'<w:pStyle w:val="{style}"/>'
    if page_break:
        ppr += "<w:pageBreakBefore/>"
    if border:
        ppr += f'<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="11" w:color="{RED}"/></w:pBdr>'
    if before:
        ppr += f'<w:spacing w:before="{before}"/>'
    ppr += ind
    lines = "<w:br/>".join(
        f'<w:t xml:space="preserve">{_text(line)}</w:t>' for line in text.split("\n")
    )
    content = f"<w:r><w:rPr>{run}</w:rPr>{lines}</w:r>"
    return f"<w:p><w:pPr>{ppr}</w:pPr>{content if text else ''}</w:p>"


def _text(text: str) -> str:
    return escape(printable(text))


def width_in_chars(text: str) -> float:
    """Width in Chinese characters: a CJK character is one, a digit or Latin letter half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text) or 0.5


def _mark_size(office: str) -> float:
    """The office's mark as large as fits the text width, at most MARK_MAX_PT."""
    fit = TEXT_WIDTH_TWIPS / TWIPS_PER_PT / width_in_chars(office) * 0.95
    return min(MARK_MAX_PT, math.floor(fit * 2) / 2)


def title_lines(title: str) -> str:
    """A title too long for one line broken after its "关于", where the sense allows, when
    both halves then fit (GB/T 9704: a title wraps where its words are not cut apart)."""
    per_line = TEXT_WIDTH_TWIPS / (TITLE_PT * TWIPS_PER_PT)
    head, about, rest = title.partition(texts.TITLE_BREAK_AFTER)
    if width_in_chars(title) <= per_line or not about or not head or not rest:
        return title
    if max(width_in_chars(head + about), width_in_chars(rest)) > per_line:
        return title
    return f"{head}{about}\n{rest}"


def _signature_xml(office: str, day: str) -> str:
    """GB/T 9704 7.3.5.3 (without a seal): the office two characters in from the right, the
    date on the next line starting two characters right of the office's first; a date longer
    than the office's name sits two characters in, and the name moves left to match."""
    office_w, date_w = width_in_chars(office), width_in_chars(day)
    office_right, date_right = 2.0, office_w - date_w
    if date_right < 2:
        date_right = 2.0
        office_right = date_w - office_w + 4
    return _paragraph_xml(
        "GovRight",
        office,
        before=LINE_TWIPS,
        ind=f'<w:ind w:right="{round(office_right * CHAR_TWIPS)}"/>',
    ) + _paragraph_xml("GovRight", day, ind=f'<w:ind w:right="{round(date_right * CHAR_TWIPS)}"/>')


def _front_xml(doc: Composed) -> str:
    parts = []
    if doc.draft:
        parts.append(_paragraph_xml("GovDraft", texts.DRAFT_MARK))
    size = round(_mark_size(doc.office) * 2)
    # GB/T 9704: the mark's top 35 mm below the top of the text, the issue number two lines
    # under it, the red rule 4 mm under that, the title two lines under the rule.
    parts.append(
        _paragraph_xml(
            "GovMark",
            doc.office,
            before=round(35 / 25.4 * 1440) - (LINE_TWIPS if doc.draft else 0),
            run=f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>',
        )
    )
    parts.append(_paragraph_xml("GovCenter", doc.issue, before=2 * LINE_TWIPS, border=True))
    parts.append(_paragraph_xml("GovTitle", title_lines(doc.title), before=2 * LINE_TWIPS))
    addressees = texts.ADDRESSEES_LINE.format(addressees=doc.addressees)
    parts.append(_paragraph_xml("GovPlain", addressees, before=LINE_TWIPS))
    styles = {"body": "GovBody", "heading1": "GovHeading1", "heading2": "GovHeading2"}
    parts += [_paragraph_xml(styles[block.style], block.text) for block in doc.body]
    # 附件说明: a line under the text, two characters in, a wrapped name aligned after "附件：".
    hang = 3 * CHAR_TWIPS
    parts.append(
        _paragraph_xml(
            "GovPlain",
            doc.attachment_line,
            before=LINE_TWIPS,
            ind=f'<w:ind w:left="{2 * CHAR_TWIPS + hang}" w:hanging="{hang}"/>',
        )
    )
    parts.append(_signature_xml(doc.office, doc.date))
    return "".join(parts)


def _attachment_xml(doc: Composed) -> str:
    parts = [
        _paragraph_xml("GovAttachmentMark", texts.ATTACHMENT_MARK, page_break=True),
        _paragraph_xml("GovTitle", doc.attachment_title, before=LINE_TWIPS),
    ]
    tables = [block.table for block in doc.tables]
    header = [_first(tables[0]), texts.UNIT, *tables[0].columns] if tables else []
    widths = column_widths(header, tables)
    for number, block in enumerate(doc.tables):
        parts.append(
            _paragraph_xml(
                "GovHeading2", block.heading, before=LINE_TWIPS // 2 if number else LINE_TWIPS
            )
        )
        parts.append(_table_xml(block.table, widths))
    # Every note starts under the first one's number, after "注：", and wraps there too.
    hang = 2 * NOTE_PT * TWIPS_PER_PT
    for number, note in enumerate(doc.notes):
        parts.append(
            _paragraph_xml(
                "GovNote",
                note,
                before=0 if number else NOTE_LINE_TWIPS // 2,
                ind=f'<w:ind w:left="{hang}" w:hanging="{hang if number == 0 else 0}"/>',
            )
        )
    return "".join(parts)


# Column widths are reckoned in half characters of the table's 12 pt (a CJK character is two).
# A header wraps to at most this many lines, evenly, and never leaves one character alone.
HEADER_LINES = 3
# A digit of the serif face is a little wider than half a character.
DIGIT = 1.2
# Room beside the text: the cell margins and a little air.
CELL_PAD = 2
CELL_MARGIN_TWIPS = 57
UNIT_MIN = 12
HALF_TWIPS = TABLE_PT * TWIPS_PER_PT // 2


def _half_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def header_widths(title: str) -> list[int]:
    """The widths a header may take, widest (one line) first: broken evenly into up to
    HEADER_LINES lines of two characters or more, none of them a character alone."""
    chars = math.ceil(_half_width(title) / 2)
    widths = []
    for lines in range(1, HEADER_LINES + 1):
        per = math.ceil(chars / lines)
        if lines == 1 or (per >= 2 and chars - per * (lines - 1) >= 2):
            widths.append(2 * per)
    return sorted(set(widths), reverse=True)


def _header_fits(title: str, width: float) -> float:
    """The width, widened where the header would break leaving one character alone (a column
    of wide numbers breaks its header where the numbers, not the header, say)."""
    chars = math.ceil(_half_width(title) / 2)
    while True:
        # One half character of the width is the cell's margins.
        per = math.floor((width - 1) / 2)
        if chars <= per or (per >= 2 and chars % per != 1):
            return width
        width += 1


def even_lines(text: str, per_line: int) -> list[str]:
    """A name too long for its cell, broken into lines of even length (13 characters where
    11 fit: 7 and 6), so that no line holds a character alone, as a reader would break it.
    `per_line` counts CJK characters; Latin letters and digits take half of one."""
    room = 2 * per_line
    total = _half_width(text)
    if total <= room or per_line < 1:
        return [text]
    count = math.ceil(total / room)
    lines: list[str] = []
    line, width, done = "", 0, 0
    for ch in text:
        step = _half_width(ch)
        # Where this line should end, evenly (the first lines taking the odd half character).
        end = total * (len(lines) + 1) / count + 1
        if line and (done + width + step > end or width + step > room):
            lines.append(line)
            done += width
            line, width = "", 0
        line += ch
        width += step
    return [*lines, line]


def _cell_width(cell: Cell) -> float:
    return _half_width(cell) if isinstance(cell, str) else DIGIT * len(str(cell))


def column_widths(header: list[str], tables: Sequence[Table]) -> list[int]:
    """Twips per column, filling the text width, the same for every group's table (they read
    as one attachment). Each column is as wide as its widest cell in any table and its header
    on one line when there is room; otherwise headers break evenly (HEADER_LINES at most), and
    when even that does not fit the unit column gives way, its names wrapping."""
    widest = [0.0] * len(header)
    for table in tables:
        for row in table.rows:
            for column, cell in enumerate(row):
                widest[column] = max(widest[column], _cell_width(cell))
    # Per column, the widths it may take from the narrowest up (the unit column: its names).
    steps = [
        sorted({_header_fits(title, max(h, widest[c]) + CELL_PAD) for h in header_widths(title)})
        if c != 1
        else [max(widest[c], _half_width(title)) + CELL_PAD]
        for c, title in enumerate(header)
    ]
    natural = [options[0] for options in steps]
    available = TEXT_WIDTH_TWIPS / HALF_TWIPS
    if sum(natural) > available:
        natural[1] = max(UNIT_MIN, available - sum(natural) + natural[1])
    spare = available - sum(natural)
    # Widen headers a line at a time, those needing least room first: a header on fewer lines
    # reads better than a wider unit column with room to spare.
    while True:
        wider = [
            (options[options.index(natural[c]) + 1] - natural[c], c)
            for c, options in enumerate(steps)
            if c != 1 and natural[c] != options[-1]
        ]
        if not wider or min(wider)[0] > spare:
            break
        cost, column = min(wider)
        natural[column] += cost
        spare -= cost
    natural[1] += max(spare, 0)
    scale = available / sum(natural)
    widths = [math.floor(w * scale * HALF_TWIPS) for w in natural]
    widths[1] += TEXT_WIDTH_TWIPS - sum(widths)
    return widths


def _cell(style: str, text: str, width: int | None = None) -> str:
    tcw = f'<w:tcW w:w="{width}" w:type="dxa"/>' if width is not None else ""
    return (
        f'<w:tc><w:tcPr>{tcw}<w:vAlign w:val="center"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
        f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:tc>'
    )


def _first(table: Table) -> str:
    return texts.RANK if table.ranked else texts.ROW_NUMBER


def _table_xml(table: Table, widths: list[int]) -> str:
    header = [_first(table), texts.UNIT, *table.columns]
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    parts = [
        f'<w:tbl><w:tblPr><w:tblW w:w="{TEXT_WIDTH_TWIPS}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
        f'<w:right w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
        '</w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>',
        "".join(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
        # The header row repeats on every page the table runs over.
        "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>",
        "".join(_cell("GovTableHead", _text(h), w) for h, w in zip(header, widths, strict=True)),
        "</w:tr>",
    ]
    styles = ["GovCellCenter", "GovCellLeft"] + ["GovCellRight"] * len(table.columns)
    # One cell's XML around its text, per column: a row is then one join.
    around = [_cell(style, "\x00").split("\x00") for style in styles]
    row_start = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
    # CJK characters of the table's size a unit's line holds, inside the cell's margins.
    per_line = (widths[1] - 2 * CELL_MARGIN_TWIPS) // (TABLE_PT * TWIPS_PER_PT)
    line_break = '</w:t><w:br/><w:t xml:space="preserve">'
    for row in table.rows:
        unit = line_break.join(_text(line) for line in even_lines(str(row[1]), per_line))
        parts.append(row_start)
        parts.append(
            "".join(
                f"{before}{_text(cell) if isinstance(cell, str) and n != 1 else cell}{after}"
                for n, ((before, after), cell) in enumerate(
                    zip(around, (row[0], unit, *row[2:]), strict=True)
                )
            )
        )
        parts.append("</w:tr>")
    if not table.rows:
        parts.append(
            f'{row_start}<w:tc><w:tcPr><w:gridSpan w:val="{len(header)}"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="GovCellCenter"/></w:pPr>'
            f"<w:r><w:t>{_text(texts.NO_UNITS_ROW)}</w:t></w:r></w:p></w:tc></w:tr>"
        )
    parts.append("</w:tbl>")
    return "".join(parts)


def render_docx(doc: Composed, stamp: datetime) -> bytes:
    """The DOCX bytes; the same `doc` and `stamp` give the same bytes."""
    document = Document()
    _set_up(document)
    body = document.element.body
    for child in list(body):
        if child.tag != body.sectPr.tag:
            body.remove(child)
    _properties(document, doc, stamp)
    out = io.BytesIO()
    document.save(out)
    # The content goes into the document's XML as text, before the section properties: moving
    # parsed rows into python-docx's tree costs lxml time quadratic in their number (a minute
    # for 10,000 rows), and python-docx adds nothing to them.
    skeleton = etree.tostring(document.element, encoding="UTF-8", standalone=True)
    at = skeleton.rindex(b"<w:sectPr")
    content = (_front_xml(doc) + _attachment_xml(doc)).encode()
    return restamp(
        out.getvalue(),
        stamp,
        {
            "word/document.xml": skeleton[:at] + content + skeleton[at:],
            "word/fontTable.xml": fonts.font_table_xml(),
        },
    )


def _properties(document: DocxDocument, doc: Composed, stamp: datetime) -> None:
    # The template's package carries a thumbnail of some other document: drop it.
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rel_id)
    props = document.core_properties
    utc = utc_naive(stamp)
    props.title = printable(doc.title)
    props.author = props.last_modified_by = printable(doc.office)
    props.created = props.modified = props.last_printed = utc
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""
