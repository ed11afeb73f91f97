"""Checking a workbook before openpyxl reads it.

openpyxl believes what a file declares: a sheet declaring 1,048,576 rows is padded out row by
row, one shared string of 400 MB is held in memory (and echoed in a refusal), a zip member may
unpack to gigabytes. So before openpyxl opens a workbook, every member's declared size is
checked (zipfile never yields more than a member declares), and the shared strings and each sheet
to be read are scanned as bytes, a chunk at a time, in bounded memory: the declared dimension,
the number and the numbers of rows, the length of every cell's text, the size of every row, and
formula cells whose result was never saved (which would otherwise read as empty). The scan works
on whole rows (or whole shared strings): a chunk is cut where the next one starts.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree import ElementTree

from bot.filelimits import (
    MAX_CELL_CHARS,
    MAX_MEMBERS,
    MAX_PART_BYTES,
    MAX_PIECE_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_SHEET_BYTES,
    MAX_SHEET_ROWS,
    MAX_UNPACKED_BYTES,
    MiB,
)
from scoring.errors import DomainError

CHUNK = MiB
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SHARED_STRINGS_TYPE = "/sharedStrings"
# Cells named in a refusal: enough to find them, not a wall of text.
CELLS_NAMED = 10
# A namespace prefix, if the file uses one (`<x:row>`): taken from the root element.
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(worksheet|sst)[\s>/]")
_DIMENSION = re.compile(rb"dimension\s[^>]*?\bref=\"(?:[A-Za-z]*\d*:)?[A-Za-z]*(\d+)\"")
_CELL_REF = re.compile(rb"^[^>]*?\br=\"([A-Za-z]+\d+)\"")
_TAG = re.compile(rb"<[^>]*>")


@dataclass(frozen=True)
class Sheet:
    name: str
    member: str


@dataclass
class SheetScan:
    """What a sheet's scan found that its reader must know: formula cells whose result was
    never saved, by row (refused unless the row is one the reader skips, such as 合计), and the
    merged ranges as (first column, first row, last column, last row), 1-based."""

    unvalued: dict[int, list[str]] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


def formula_refusal(path: str, sheet: str, cells: list[str]) -> DomainError:
    """Formula cells without a saved result, a few of them named."""
    shown = "、".join(cells[:CELLS_NAMED]) + ("……" if len(cells) > CELLS_NAMED else "")
    return DomainError("formula_without_value", path=path, sheet=sheet, cells=shown)


def check_archive(
    path: str, archive: zipfile.ZipFile, sheets: list[Sheet], shared: str | None
) -> None:
    """Every member within its declared size; refused before anything is unpacked."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise DomainError("xlsx_too_many_members", path=path, count=len(members), limit=MAX_MEMBERS)
    sheet_members = {s.member for s in sheets}
    total = 0
    for info in members:
        total += info.file_size
        if info.filename in sheet_members:
            limit = MAX_SHEET_BYTES
        elif info.filename == shared:
            limit = MAX_SHARED_STRINGS_BYTES
        elif info.filename.endswith((".xml", ".rels")):
            limit = MAX_PART_BYTES
        else:
            continue  # pictures and the like: openpyxl does not read them here
        if info.file_size > limit:
            raise DomainError(
                "xlsx_too_large", path=path, member=info.filename,
                size=info.file_size // MiB, limit=limit // MiB,
            )  # fmt: skip
    if total > MAX_UNPACKED_BYTES:
        raise DomainError(
            "xlsx_too_large", path=path, member="*", size=total // MiB,
            limit=MAX_UNPACKED_BYTES // MiB,
        )  # fmt: skip


def workbook_sheets(path: str, archive: zipfile.ZipFile) -> tuple[list[Sheet], str | None]:
    """The sheets in their order, where each lies in the archive, and the shared strings'
    member if there is one. Read from the workbook's own small parts, whose size is checked."""
    for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        try:
            info = archive.getinfo(part)
        except KeyError:
            raise DomainError("file_unreadable", path=path, detail=part) from None
        if info.file_size > MAX_PART_BYTES:
            raise DomainError(
                "xlsx_too_large", path=path, member=part, size=info.file_size // MiB,
                limit=MAX_PART_BYTES // MiB,
            )  # fmt: skip
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise DomainError("file_unreadable", path=path, detail=str(exc)[:200]) from exc
    targets = {r.get("Id"): _member(r.get("Target", "")) for r in relations}
    shared = next(
        (
            _member(r.get("Target", ""))
            for r in relations
            if r.get("Type", "").endswith(_SHARED_STRINGS_TYPE)
        ),
        None,
    )
    sheets = [
        Sheet(element.get("name", ""), targets.get(element.get(_RELATIONSHIP), ""))
        for element in workbook.iter(f"{_MAIN}sheet")
    ]
    return sheets, shared


def _member(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def scan_shared_strings(path: str, archive: zipfile.ZipFile, member: str) -> None:
    """No shared string beyond Excel's cell limit, and not more of them than can be held."""
    string = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")

    def too_long(piece: bytes) -> DomainError | None:
        # A piece holds many shared strings: each is measured on its own.
        for text in string.split(piece):
            if len(text) > MAX_CELL_CHARS and _text_length(text) > MAX_CELL_CHARS:
                return DomainError("shared_string_too_long", path=path, limit=MAX_CELL_CHARS)
        return None

    with _open(path, archive, member) as stream:
        pieces = _Pieces(path, stream, (b"si>", b"si "), too_long)
        count = 0
        for piece in pieces.each():
            count += piece.count(pieces.token(b"si>")) + piece.count(pieces.token(b"si "))
            if count > MAX_SHARED_STRINGS:
                raise DomainError("xlsx_too_many_strings", path=path, limit=MAX_SHARED_STRINGS)
            if len(piece) > MAX_CELL_CHARS and (error := too_long(piece)):
                raise error


def scan_sheet(path: str, archive: zipfile.ZipFile, sheet: Sheet) -> SheetScan:
    """The sheet's rows and cells within what can be read, refused otherwise; its formulas
    without a saved result and its merged ranges."""
    found = SheetScan()
    cell = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")

    def too_long(piece: bytes) -> DomainError | None:
        for text in cell.split(piece):
            # A cell's start tag lost its `<c` to the split: its text begins after `>`.
            body = text[text.find(b">") + 1 :]
            if len(body) > MAX_CELL_CHARS and _text_length(body) > MAX_CELL_CHARS:
                return DomainError(
                    "cell_too_long", path=path, limit=MAX_CELL_CHARS, sheet=sheet.name,
                    cell=_cell_name(text),
                )  # fmt: skip
        return None

    with _open(path, archive, sheet.member) as stream:
        pieces = _Pieces(path, stream, (b"row ", b"row>"), too_long)
        prefix = re.escape(pieces.prefix)
        formula = re.compile(b"<" + prefix + rb"f[\s>/]")
        value = re.compile(b"<" + prefix + rb"v>[^<]")
        row_number = re.compile(b"<" + prefix + rb"row\s[^>]*?\br=\"(\d+)\"")
        merge = re.compile(
            b"<" + prefix + rb"mergeCell\s[^>]*?\bref=\"([A-Za-z]+\d+:[A-Za-z]+\d+)\""
        )
        rows = highest = 0
        dimension_seen = False
        for piece in pieces.each():
            if not dimension_seen and (m := _DIMENSION.search(piece)):
                dimension_seen = True
                if int(m[1]) > MAX_SHEET_ROWS:
                    raise DomainError(
                        "too_many_rows_declared", path=path, sheet=sheet.name, rows=int(m[1]),
                        limit=MAX_ROWS,
                    )  # fmt: skip
            starts = piece.count(pieces.token(b"row ")) + piece.count(pieces.token(b"row>"))
            numbers = row_number.findall(piece)
            rows += starts
            # A row without its number follows the one before: at most this high.
            if numbers:
                highest = max(highest, max(map(int, numbers)))
            highest += starts - len(numbers)
            if rows > MAX_SHEET_ROWS or highest > MAX_SHEET_ROWS:
                raise DomainError("too_many_rows", path=path, sheet=sheet.name, limit=MAX_ROWS)
            cells = cell.split(piece)
            if max(map(len, cells)) > MAX_CELL_CHARS and (error := too_long(piece)):
                raise error
            if formula.search(piece):
                for text in cells:
                    if formula.search(text) and not value.search(text):
                        name = _cell_name(text)
                        found.unvalued.setdefault(_row_of(name), []).append(name)
            found.merged += [_bounds(m.decode("ascii")) for m in merge.findall(piece)]
    return found


_CELL = re.compile(r"([A-Za-z]+)(\d+)")


def _row_of(cell: str) -> int:
    m = _CELL.fullmatch(cell)
    return int(m[2]) if m else 0


def _bounds(ref: str) -> tuple[int, int, int, int]:
    """`A3:B5` as (1, 3, 2, 5)."""
    (c1, r1), (c2, r2) = (_position(corner) for corner in ref.split(":"))
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


def _position(cell: str) -> tuple[int, int]:
    m = _CELL.fullmatch(cell)
    if not m:
        return 0, 0
    column = 0
    for letter in m[1].upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return column, int(m[2])


def _open(path: str, archive: zipfile.ZipFile, member: str) -> IO[bytes]:
    try:
        return archive.open(member)
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise DomainError("file_unreadable", path=path, detail=str(exc)[:200]) from exc


class _Pieces:
    """A member's bytes cut into pieces that each end where an element (a row, a shared
    string) begins, so that no element is split; a piece beyond MAX_PIECE_BYTES is refused."""

    def __init__(
        self,
        path: str,
        stream: IO[bytes],
        names: tuple[bytes, ...],
        oversized: Callable[[bytes], DomainError | None],
    ) -> None:
        self.path = path
        self.stream = stream
        self.names = names
        # The refusal for a piece grown too large, if something more precise than its size
        # can be said (a cell in it beyond Excel's limit).
        self.oversized = oversized
        self.prefix = b""
        self._first = self._read()
        if m := _ROOT.search(self._first):
            self.prefix = m[1] + b":" if m[1] else b""

    def token(self, name: bytes) -> bytes:
        return b"<" + self.prefix + name

    def each(self) -> Iterator[bytes]:
        tokens = [self.token(name) for name in self.names]
        carry = b""
        chunk = self._first
        while chunk:
            buffer = carry + chunk
            cut = max(buffer.rfind(token) for token in tokens)
            if cut > 0:
                yield buffer[:cut]
                carry = buffer[cut:]
            else:
                carry = buffer
            if len(carry) > MAX_PIECE_BYTES:
                raise self.oversized(carry) or DomainError(
                    "xlsx_piece_too_large", path=self.path, limit=MAX_PIECE_BYTES // MiB
                )
            chunk = self._read()
        if carry:
            yield carry

    def _read(self) -> bytes:
        try:
            return self.stream.read(CHUNK)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise DomainError("file_unreadable", path=self.path, detail=str(exc)[:200]) from exc


_FORMULA_TEXT = re.compile(rb"<(?:[\w.-]+:)?f[\s>][\s\S]*?</(?:[\w.-]+:)?f>")
_PHONETIC = re.compile(rb"<(?:[\w.-]+:)?rPh[\s>][\s\S]*?</(?:[\w.-]+:)?rPh>")


def _text_length(xml: bytes) -> int:
    """Characters of text in a cell's or a shared string's XML, as Excel counts them: the
    formula and phonetic guides left out, entities counted as the one character they are."""
    text = _TAG.sub(b"", _PHONETIC.sub(b"", _FORMULA_TEXT.sub(b"", xml)))
    return len(html.unescape(text.decode("utf-8", "replace")))


def _cell_name(text: bytes) -> str:
    m = _CELL_REF.match(text)
    return m[1].decode("ascii") if m else "?"
