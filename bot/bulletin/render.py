"""Rendering a bulletin in any of the formats: the one entry point for the command line and
for publishing."""

from __future__ import annotations

import json
from datetime import datetime

from bot.bulletin import PDF_TIMEOUT
from bot.bulletin.compose import Letter, compose
from bot.bulletin.docx import render_docx
from bot.bulletin.pdf import docx_to_pdf
from bot.bulletin.wording import DEFAULT, Wording
from bot.bulletin.xlsx import render_xlsx
from scoring.bulletin import Bulletin, Published
from scoring.errors import DomainError
from scoring.text import one_line_json


def render_file(
    bulletin: Bulletin,
    fmt: str,
    letter: Letter,
    stamp: datetime,
    *,
    published: Published | None = None,
    wording: Wording = DEFAULT,
) -> bytes:
    """DOCX, XLSX or JSON bytes; CPU work only (run it in a thread from the event loop).

    `stamp` dates the files inside the package and their properties: the publication's time
    for a published version, so the same data and stamp give the same bytes.
    """
    if fmt == "json":
        text = (
            json.dumps(one_line_json(bulletin.to_json(published)), ensure_ascii=False, indent=2)
            + "\n"
        )
        return text.encode()
    if fmt == "docx" and not letter.office.strip():
        raise DomainError("office_name_missing")
    anchor = published.anchor if published is not None else ""
    doc = compose(bulletin, letter, draft=published is None, wording=wording, anchor=anchor)
    if fmt == "docx":
        return render_docx(doc, stamp)
    if fmt == "xlsx":
        return render_xlsx(doc, stamp)
    raise ValueError(fmt)


async def render(
    bulletin: Bulletin,
    fmt: str,
    letter: Letter,
    stamp: datetime,
    *,
    published: Published | None = None,
    wording: Wording = DEFAULT,
    pdf_timeout: float = PDF_TIMEOUT,
) -> bytes:
    """Any of FORMATS; a PDF is the DOCX converted by LibreOffice (not reproducible byte for
    byte: LibreOffice writes its own time and ids)."""
    if fmt == "pdf":
        docx = render_file(bulletin, "docx", letter, stamp, published=published, wording=wording)
        return await docx_to_pdf(docx, pdf_timeout)
    return render_file(bulletin, fmt, letter, stamp, published=published, wording=wording)
