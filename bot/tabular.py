"""Reading the office's spreadsheets: CSV (UTF-8 or GBK, as Excel saves it) and XLSX."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from scoring.errors import DomainError


@dataclass(frozen=True)
class Table:
    header: list[str]
    # (1-based line number as the user sees it in the file, values by header name)
    rows: list[tuple[int, dict[str, Any]]]


def read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise DomainError(
            "file_unreadable", path=str(path), detail=exc.strerror or str(exc)
        ) from exc


def read_table(path: str | Path, data: bytes) -> Table:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        raw_rows = _csv_rows(path, data)
    elif suffix in (".xlsx", ".xlsm"):
        raw_rows = _xlsx_rows(path, data)
    else:
        raise DomainError("file_format", path=str(path))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    for line, values in raw_rows:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        if header is None:
            header = [str(v).strip() if v is not None else "" for v in values]
            continue
        rows.append(
            (
                line,
                {
                    name: values[i] if i < len(values) else None
                    for i, name in enumerate(header)
                    if name
                },
            )
        )
    if header is None:
        raise DomainError("file_empty", path=str(path))
    return Table(header, rows)


def _csv_rows(path: str | Path, data: bytes) -> Iterator[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError("file_encoding", path=str(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    for values in reader:
        # line_num counts physical lines, so a quoted field spanning lines keeps numbers right.
        yield reader.line_num, list(values)


def _xlsx_rows(path: str | Path, data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # imported here: only XLSX users pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError("file_unreadable", path=str(path), detail=str(exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        _refuse_formulas_without_values(path, data, sheet.title)
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [v.date() if isinstance(v, datetime) else v for v in values]
    finally:
        workbook.close()


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Cells named in a refusal: enough to find them, not a wall of text.
_CELLS_NAMED = 10


def _refuse_formulas_without_values(path: str | Path, data: bytes, sheet: str) -> None:
    """A formula cell whose result was never saved (a file written by a program, not by Excel)
    reads as empty: refused naming the cells, rather than read as a default."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        cells = []
        with archive.open(_sheet_path(archive, sheet)) as xml:
            for _, element in ElementTree.iterparse(xml):
                if element.tag != f"{_MAIN}c":
                    continue
                if element.find(f"{_MAIN}f") is not None and not element.findtext(f"{_MAIN}v"):
                    cells.append(element.get("r", "?"))
                element.clear()
    if cells:
        shown = "、".join(cells[:_CELLS_NAMED]) + ("……" if len(cells) > _CELLS_NAMED else "")
        raise DomainError("formula_without_value", path=str(path), sheet=sheet, cells=shown)


def _sheet_path(archive: zipfile.ZipFile, sheet: str) -> str:
    """Where the named sheet's XML lies in the workbook's archive."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in relations}
    for element in workbook.iter(f"{_MAIN}sheet"):
        if element.get("name") == sheet:
            target = targets[element.get(_RELATIONSHIP)]
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise DomainError("file_unreadable", path=sheet, detail="sheet")
