"""Office files (DOCX, XLSX are zip packages) made byte for byte reproducible.

python-docx and openpyxl date every zip entry with the time of saving. A published bulletin is
rendered again later from the same data and must come out the same, so each entry is written
again dated with a time given by the caller (the publication's), in the same order.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

# Text as a document holds it (its XML refuses most control characters, openpyxl and lxml raise
# on them): a name stored before names were cleaned can carry one.
from scoring.text import printable

__all__ = ["printable", "restamp", "utc_naive"]

# Zip timestamps start in 1980.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def utc_naive(when: datetime) -> datetime:
    """The time as document properties store it: UTC, without a zone (a naive time is taken as
    UTC already)."""
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def restamp(data: bytes, when: datetime, replace: Mapping[str, bytes] | None = None) -> bytes:
    """The package with every entry dated `when` (its wall-clock time) and the entries named
    in `replace` given new contents."""
    stamp = max(_ZIP_EPOCH, (when.year, when.month, when.day, when.hour, when.minute, when.second))
    out = io.BytesIO()
    with ZipFile(io.BytesIO(data)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = ZIP_DEFLATED
            content = (replace or {}).get(info.filename)
            target.writestr(entry, source.read(info) if content is None else content)
    return out.getvalue()
