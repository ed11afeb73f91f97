"""Reading the office's spreadsheets as offices make them: CSV (UTF-8 or GBK, as Excel and WPS
save it) and XLSX, with a title and blank rows above the header, Chinese or English column
names, an instruction sheet before the data, and total rows.

A file is checked against the limits of bot.filelimits before its rows are read, and its rows
are then streamed: a large file is never held in memory whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, partial
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from bot import texts
from bot.filelimits import (
    HEADER_ROWS,
    MAX_CELL_CHARS,
    MAX_CSV_ROW_CHARS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_SHEET_ROWS,
    MiB,
)
from bot.xlsxguard import (
    Sheet,
    SheetScan,
    check_archive,
    formula_refusal,
    scan_shared_strings,
    scan_sheet,
    workbook_sheets,
)
from scoring.errors import DomainError, ImportRejected, RowProblem
from scoring.names import fold, without_remark
from scoring.records import REQUIRED_RECORD_COLUMNS, SECTION_COLUMN
from scoring.text import clean_text

_HEADER_MARKS = re.compile(r"[*:]+$")


@dataclass(frozen=True)
class Columns:
    """The columns of one kind of file: each column's key with the names a header may give it.
    The key itself is always one of them; the first Chinese name is what the project writes."""

    names: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    # A column that stands in for a required one when that one is absent.
    stand_ins: Mapping[str, str] = field(default_factory=dict)

    def present(self, values: list[Any]) -> set[str]:
        """The columns a header row names, a stand-in counted for the column it stands in for."""
        keys = {k for k in map(self.key, values) if k}
        return keys | {self.stand_ins[k] for k in keys if k in self.stand_ins}

    def key(self, heading: object) -> str | None:
        """The column a header cell names (any case and width, a bracketed remark or a `*`
        marking it as required ignored); None if it names none."""
        return self._lookup.get(_heading(heading))

    def is_ignored(self, heading: object) -> bool:
        """A column offices add that is no one's business here (序号)."""
        return _heading(heading) in self._ignored

    @cached_property
    def _lookup(self) -> dict[str, str]:
        return {_heading(name): key for key, names in self.names.items() for name in (key, *names)}

    @cached_property
    def _ignored(self) -> set[str]:
        return {_heading(name) for name in texts.IGNORED_COLUMN_NAMES}

    def shown(self, key: str) -> str:
        """A column as a refusal names it: its Chinese name, then its key."""
        names = self.names.get(key, ())
        return texts.COLUMN_SHOWN.format(name=names[0], key=key) if names else key


RECORDS = Columns(texts.RECORD_COLUMN_NAMES, REQUIRED_RECORD_COLUMNS, {SECTION_COLUMN: "item"})
UNITS = Columns(texts.UNIT_COLUMN_NAMES, ("name", "group"))


def _heading(value: object) -> str:
    return _HEADER_MARKS.sub(
        "", without_remark(fold("" if value is None else clean_text(str(value))))
    )


@dataclass
class Table:
    path: str
    # The sheet read, for a workbook: refusals name it.
    sheet: str | None
    header_line: int
    # Each column's key, in the file's order.
    columns: list[str]
    # (line number as the user sees it in the file, values by column key), read as needed.
    rows: Iterator[tuple[int, dict[str, Any]]] = field(default_factory=lambda: iter(()))
    # Lines of total rows (合计, 总计, 小计) left out, known once the rows have been read.
    totals: list[int] = field(default_factory=list)


def check_size(path: str | Path) -> None:
    """A file that is not a regular file, or beyond the size limit, is refused before anything
    of it is read: a symbolic link to /dev/zero would never end, a FIFO would wait for a
    writer, a directory has no rows."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise DomainError(
            "file_unreadable", path=str(path), detail=exc.strerror or str(exc)
        ) from exc
    _check_regular(str(path), info)


def _check_regular(path: str, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise DomainError("file_not_regular", path=path)
    if info.st_size > MAX_FILE_BYTES:
        raise DomainError(
            "file_too_large", path=path, size=info.st_size // MiB, limit=MAX_FILE_BYTES // MiB
        )


def open_regular(path: str | Path) -> BinaryIO:
    """The file opened for reading, checked again once open (check_size): what was a regular
    file when looked at may have been replaced since. Opened without blocking, so that a FIFO
    put in its place is refused rather than waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise DomainError(
            "file_unreadable", path=str(path), detail=exc.strerror or str(exc)
        ) from exc
    try:
        _check_regular(str(path), os.fstat(fd))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_table(path: str | Path, columns: Columns, sheet: str | None = None) -> Table:
    """The file's table: its header found, its rows to be read. Refusals: DomainError for the
    file, ImportRejected for its header."""
    name = str(path)
    check_size(path)
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise DomainError("sheet_in_csv", path=name)
        return _csv_table(name, columns)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_table(name, columns, sheet)
    if suffix in (".xls", ".et"):
        raise DomainError("file_format_old", path=name)
    raise DomainError("file_format", path=name)


# --- CSV --------------------------------------------------------------------------------------


def _csv_table(path: str, columns: Columns) -> Table:
    encoding = _csv_encoding(path)
    try:
        return _table(path, None, columns, _csv_rows(path, encoding))
    except _NoHeader:
        raise DomainError("header_not_found", path=path, **_required(columns)) from None


def _csv_encoding(path: str) -> str:
    """UTF-8 (with or without a BOM) or GB18030, a superset of the GBK that Excel on Chinese
    Windows saves; the file's bytes are decoded once to know, a chunk at a time. A file of more
    lines than a sheet may have rows is then read as rows once, to refuse it before any row is
    checked if it has too many (a quoted cell may span lines: lines are not rows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        try:
            with open_regular(path) as f:
                while chunk := f.read(MiB):
                    lines += chunk.count(b"\n")
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        if lines >= MAX_SHEET_ROWS and _csv_row_count(path, encoding) > MAX_SHEET_ROWS:
            raise DomainError("too_many_rows_csv", path=path, limit=MAX_ROWS)
        return encoding
    raise DomainError("file_encoding", path=path)


def _csv_row_count(path: str, encoding: str) -> int:
    """The file's rows, counted up to one beyond the limit, at the csv module's own speed.
    Lines are read at most MAX_CSV_ROW_CHARS at a time: a longer one read in pieces may count
    as several rows, never as fewer (the reading proper refuses it). A file the csv module
    refuses counts what it read: the reading proper says why."""
    with io.TextIOWrapper(open_regular(path), encoding=encoding, newline="") as f:
        reader = csv.reader(iter(partial(f.readline, MAX_CSV_ROW_CHARS + 1), ""))
        count = 0
        with suppress(csv.Error):
            for _ in islice(reader, MAX_SHEET_ROWS + 1):
                count += 1
        return count


class _BoundedLines:
    """A CSV file's lines as the csv module reads them, each read at most MAX_CSV_ROW_CHARS at a
    time, and a row (one or more lines) refused as soon as it is longer than that."""

    def __init__(self, file: TextIO, path: str) -> None:
        self.file = file
        self.path = path
        self.line = 0
        # Characters of the row being read, from its first line on.
        self.row_chars = 0

    def __iter__(self) -> Iterator[str]:
        while line := self.file.readline(MAX_CSV_ROW_CHARS + 1):
            self.line += 1
            self.row_chars += len(line)
            if self.row_chars > MAX_CSV_ROW_CHARS:
                raise DomainError(
                    "csv_row_too_long", path=self.path, line=self.line, limit=MAX_CSV_ROW_CHARS
                )
            yield line


def _csv_rows(path: str, encoding: str) -> Iterator[tuple[int, list[Any]]]:
    with io.TextIOWrapper(open_regular(path), encoding=encoding, newline="") as f:
        lines = _BoundedLines(f, path)
        reader = csv.reader(lines)
        count = 0
        try:
            for values in reader:
                lines.row_chars = 0
                count += 1
                if count > MAX_SHEET_ROWS:
                    raise DomainError("too_many_rows_csv", path=path, limit=MAX_ROWS)
                if values and max(map(len, values)) > MAX_CELL_CHARS:
                    raise DomainError(
                        "csv_field_too_long", path=path, line=reader.line_num, limit=MAX_CELL_CHARS
                    )
                # line_num counts physical lines: a quoted field spanning lines keeps them right.
                yield reader.line_num, values
        except csv.Error as exc:
            # Python's csv module refuses a field over 131,072 characters by itself.
            if "field larger than field limit" in str(exc):
                raise DomainError(
                    "csv_field_too_long",
                    path=path,
                    line=max(reader.line_num, 1),
                    limit=MAX_CELL_CHARS,
                ) from None
            raise DomainError("file_unreadable", path=path, detail=str(exc)[:200]) from None


# --- XLSX -------------------------------------------------------------------------------------


def _xlsx_table(path: str, columns: Columns, wanted: str | None) -> Table:
    from openpyxl import load_workbook  # imported here: only XLSX users pay for it

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DomainError("file_unreadable", path=path, detail=str(exc)[:200]) from exc
    with archive:
        sheets, shared = workbook_sheets(path, archive)
        check_archive(path, archive, sheets, shared)
        if wanted is not None:
            named = [s for s in sheets if s.name == wanted.strip()]
            if not named:
                raise DomainError(
                    "sheet_unknown", path=path, sheet=wanted, sheets=[s.name for s in sheets]
                )
            sheets = named
        if shared is not None:
            scan_shared_strings(path, archive, shared)
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise DomainError("file_unreadable", path=path, detail=str(exc)[:200]) from exc
        try:
            table, scan = _first_table(path, archive, workbook, sheets, columns)
        except BaseException:
            workbook.close()
            raise
    table.rows = _closing(_formulas_checked(table, scan, table.rows), workbook)
    return table


def _first_table(
    path: str, archive: zipfile.ZipFile, workbook: Any, sheets: list[Sheet], columns: Columns
) -> tuple[Table, SheetScan]:
    """The first sheet whose header names the required columns; refusals say which sheets
    were looked at."""
    worksheets = {ws.title: ws for ws in workbook.worksheets}
    tried: list[str] = []
    partial: ImportRejected | None = None
    for sheet in sheets:
        worksheet = worksheets.get(sheet.name)
        if worksheet is None:
            continue  # a chart sheet
        tried.append(sheet.name)
        scan = scan_sheet(path, archive, sheet)
        # The declared dimension may be wrong (or hostile): rows are read as they are.
        worksheet.reset_dimensions()
        try:
            return _table(path, sheet.name, columns, _xlsx_rows(path, worksheet, scan)), scan
        except _NoHeader:
            if scan.unvalued:
                # Its formulas may hide the header: better said than passed over.
                cells = [c for line in sorted(scan.unvalued) for c in scan.unvalued[line]]
                raise formula_refusal(path, sheet.name, cells) from None
            continue
        except ImportRejected as refused:
            partial = partial or refused
    if partial is not None:
        raise partial
    raise DomainError("header_not_found_sheets", path=path, sheets=tried, **_required(columns))


def _xlsx_rows(path: str, worksheet: Any, scan: SheetScan) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's rows; a range merged down several rows (a unit's name over its rows, as
    registers are often kept) gives every cell of it the value of its first cell."""
    starting: dict[int, list[tuple[int, int, int, int]]] = {}
    for bounds in scan.merged:
        if bounds[3] > bounds[1]:
            starting.setdefault(bounds[1], []).append(bounds)
    # (first column, last column, last row, value) of the merged ranges the rows are in
    running: list[tuple[int, int, int, Any]] = []
    try:
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            values = [v.date() if isinstance(v, datetime) else v for v in row]
            if running:
                running = [span for span in running if span[2] >= number]
                # A blank row the range merely runs over stays blank.
                own = any(v is not None and v != "" for v in values)
                for first, last, _, value in running if own else ():
                    values += [None] * (last - len(values))
                    values[first - 1 : last] = [value] * (last - first + 1)
            for first, _, last, end in starting.pop(number, ()):
                value = values[first - 1] if first <= len(values) else None
                running.append((first, last, end, value))
            yield number, values
    except DomainError:
        raise
    except Exception as exc:  # damaged XML shows only when the rows are read
        raise DomainError("file_unreadable", path=path, detail=str(exc)[:200]) from exc


def _formulas_checked(
    table: Table, scan: SheetScan, rows: Iterator[tuple[int, dict[str, Any]]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows, then a refusal if a formula without its saved result is in a row that was
    read: in a total row (合计) or above the header it is passed over with its row. Nothing is
    stored before every row has been read, so the refusal still comes in time."""
    yield from rows
    skipped = set(table.totals)
    cells = [
        cell
        for line in sorted(scan.unvalued)
        if line > table.header_line and line not in skipped
        for cell in scan.unvalued[line]
    ]
    if cells:
        raise formula_refusal(table.path, table.sheet or "", cells)


def _closing(
    rows: Iterator[tuple[int, dict[str, Any]]], workbook: Any
) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        yield from rows
    finally:
        workbook.close()


# --- the header and the rows below it ---------------------------------------------------------


class _NoHeader(Exception):
    """No row near the top of a sheet names any column."""


def _table(
    path: str, sheet_name: str | None, columns: Columns, rows: Iterator[tuple[int, list[Any]]]
) -> Table:
    """The table whose header is the first of the top rows naming every required column;
    _NoHeader if none names any column, ImportRejected for a header that falls short."""
    top: list[tuple[int, list[Any]]] = []
    for line, values in rows:
        top.append((line, values))
        if line >= HEADER_ROWS:
            break
    best: tuple[int, int, list[Any]] | None = None  # (names recognised, line, values)
    for line, values in top:
        keys = columns.present(values)
        if keys >= set(columns.required):
            table = Table(path, sheet_name, line, [])
            table.columns = _header_columns(table, columns, values)
            rest = chain((r for r in top if r[0] > line), rows)
            table.rows = _records(table, columns, values, rest)
            return table
        if keys and (best is None or len(keys) > best[0]):
            best = (len(keys), line, values)
    if best is None:
        raise _NoHeader
    _, line, values = best
    present = columns.present(values)
    problems = [
        RowProblem(line, "column_missing", {"column": columns.shown(c)})
        for c in columns.required
        if c not in present
    ]
    raise ImportRejected(problems + _column_problems(line, columns, values), sheet=sheet_name)


def _required(columns: Columns) -> dict[str, Any]:
    return {"columns": [columns.shown(c) for c in columns.required]}


def _header_columns(table: Table, columns: Columns, values: list[Any]) -> list[str]:
    if problems := _column_problems(table.header_line, columns, values):
        raise ImportRejected(problems, sheet=table.sheet)
    return [k for k in map(columns.key, values) if k]


def _column_problems(line: int, columns: Columns, values: list[Any]) -> list[RowProblem]:
    problems = []
    seen: set[str] = set()
    for value in values:
        heading = "" if value is None else clean_text(str(value))
        key = columns.key(value)
        if key is None and heading and not columns.is_ignored(value):
            problems.append(RowProblem(line, "column_unknown", {"column": heading}))
        elif key in seen:
            problems.append(RowProblem(line, "column_duplicate", {"column": heading}))
        if key:
            seen.add(key)
    return problems


def _records(
    table: Table, columns: Columns, header: list[Any], rows: Iterator[tuple[int, list[Any]]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    positions = [(i, key) for i, key in enumerate(map(columns.key, header)) if key]
    for line, cells in rows:
        # Text is cleaned here, once, for every use of it (scoring.text.clean_text): a vertical
        # tab of a cell pasted from Word a space, ESC, NUL and zero-width characters gone.
        values = [clean_text(v) if isinstance(v, str) else v for v in cells]
        texts_of = [v for v in values if isinstance(v, str)]
        joined = "".join(texts_of)
        if not joined.strip() and (
            len(texts_of) == len(values) or all(v is None or isinstance(v, str) for v in values)
        ):
            continue  # a blank row (a sheet's empty cells are None, a CSV's are "")
        # Every word for a total has 计: the cheap test first, for a million rows.
        if "计" in joined and any(_is_total(v) for v in texts_of):
            table.totals.append(line)
            continue
        yield line, {key: values[i] if i < len(values) else None for i, key in positions}


def _is_total(value: str) -> bool:
    return len(value) < 20 and _heading(value) in texts.TOTAL_ROW_WORDS
