"""The bulletin (通报) rendered: DOCX laid out as an official document, XLSX, JSON and PDF.

`bot.bulletin.render` is the entry point: the command line calls it for a draft, and publishing
calls it with the publication, whose time dates the files so that a version can be rendered
again, byte for byte, from the same data. This module stays light: the command line imports it
to list the formats without loading python-docx.
"""

FORMATS = ("docx", "xlsx", "json", "pdf")
# Seconds LibreOffice may take for a PDF (GOVINFO_BULLETIN_PDF_TIMEOUT): a guard against a hang,
# not a target. A county's bulletin takes seconds; 10,000 units (381 pages) took 3 min 44 s.
PDF_TIMEOUT = 600.0
