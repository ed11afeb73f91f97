"""Hostile files are refused within 300 MB, with one line and no traceback, and nothing is
stored. Each import runs as the office runs it, `python -m bot.cli`, in a process of its own, so
that its peak memory is its own. How long each takes is measured by bench/hostile_files.py, not
here: a wall-clock bound in a test fails on a loaded machine and proves nothing on a fast one;
the tests prove instead that what is read is bounded (rows, bytes, listed errors).

A file is refused while it is read, before any store is asked for more than its units: the
tests of a file's reading run on SQLite only (`FILE_ONLY`); those refused as its rows are checked
against the office's units (a million bad rows, a million records after counts) run on both
stores, proving nothing is stored in PostgreSQL either."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bot.filelimits import MAX_CSV_ROW_CHARS, MAX_UNITS
from bot.tabular import RECORDS, open_regular, read_table
from scoring.errors import COUNTED_PROBLEMS, SHOWN_PROBLEMS, DomainError, ImportRejected
from scoring.records import parse_rows
from scoring.ruleset import load_ruleset
from tests.bytecode import python_env
from tests.conftest import Cli, write_csv
from tests.stores import rows as query
from tests.xlsxraw import HEADER_ROW, SHEET_MEMBER, declare_size, sheet_xml, write_xlsx

PEAK_MB = 300.0
FILE_ONLY = pytest.mark.stores("sqlite")
ROOT = Path(__file__).resolve().parent.parent
SUBMISSION = (
    b'<c r="A{n}" t="inlineStr"><is><t>2024-05-06</t></is></c>'
    b'<c r="B{n}" t="inlineStr"><is><t>\xe5\x85\xac\xe5\xae\x89\xe5\xb1\x80</t></is></c>'  # 公安局
    b'<c r="C{n}" t="inlineStr"><is><t>submission</t></is></c>'
)


@dataclass(frozen=True)
class Run:
    code: int
    err: str
    peak_mb: float


# Runs a command and prints its exit code and peak RSS. A child forked from pytest itself would
# report pytest's memory as its own peak (the kernel keeps the high-water mark across exec), so
# the command is started from this small process instead.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def run_cli(db: str, *args: str, timeout: float | None = None) -> Run:
    """The command line in a process of its own: its exit code, stderr and peak RSS."""
    env = python_env({k: v for k, v in os.environ.items() if not k.startswith("GOVINFO_")})
    command = [sys.executable, "-m", "bot.cli", "--db", str(db), *args]
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], cwd=ROOT, env=env, capture_output=True,
        text=True, check=True, timeout=timeout,
    )  # fmt: skip
    code, peak_kb = map(int, proc.stdout.split())
    return Run(code, proc.stderr, peak_kb / 1024)


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], [["公安局", "B"]]))
    )
    return cli


def refused(cli: Cli, path: Path, *expected: str) -> Run:
    run = run_cli(cli.db, "records", "import", str(path))
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    assert run.err.count("\n") == 1, run.err  # one line
    assert len(run.err) < 300  # never the cell itself
    for words in expected:
        assert words in run.err, run.err
    assert run.peak_mb < PEAK_MB, f"{run.peak_mb:.0f} MB"
    assert query(cli.db, "SELECT COUNT(*) FROM records") == [(0,)]
    return run


@FILE_ONLY
def test_a_sheet_declaring_a_million_rows(office: Cli, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "declared.xlsx", sheet_xml([HEADER_ROW], "A1:C1048576"))
    refused(office, path, "声明有 1048576 行", "上限 1000000 行")
    # A million records under a title and a header are within the limit.
    row = b'<row r="2">' + SUBMISSION.replace(b"{n}", b"2") + b"</row>"
    path = write_xlsx(tmp_path / "fits.xlsx", sheet_xml([HEADER_ROW, row], "A1:C1000010"))
    office.ok("records", "import", str(path))


@FILE_ONLY
def test_a_sheet_of_more_than_a_million_rows(office: Cli, tmp_path: Path) -> None:
    rows = b"".join([b'<row r="%d"/>' % n for n in range(2, 1_000_100)])
    path = write_xlsx(tmp_path / "rows.xlsx", sheet_xml([HEADER_ROW, rows]), level=1)
    refused(office, path, "超过 1000000 行")


@FILE_ONLY
def test_a_row_numbered_beyond_a_million(office: Cli, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "far.xlsx", sheet_xml([HEADER_ROW, b'<row r="1048000"/>'], "A1:C2")
    )
    refused(office, path, "超过 1000000 行")


@FILE_ONLY
def test_one_shared_string_of_400_mb(office: Cli, tmp_path: Path) -> None:
    """The issue's file: a small workbook that unpacks to one 400 MB string."""
    chunk = b"a" * (16 << 20)
    shared = [b"<si><t>", *[chunk] * 25, b"</t></si>"]
    path = write_xlsx(tmp_path / "huge.xlsx", sheet_xml([HEADER_ROW]), shared, level=1)
    assert path.stat().st_size < 2 << 20
    refused(office, path, "解压后过大", "sharedStrings.xml")
    # Within the declared sizes, the scan finds it, a chunk at a time.
    path = write_xlsx(tmp_path / "long.xlsx", sheet_xml([HEADER_ROW]), shared[:10], level=1)
    refused(office, path, "中有单元格超过 32767 个字符")


@FILE_ONLY
def test_cells_beyond_excels_limit(office: Cli, tmp_path: Path) -> None:
    long_text = "长" * 32_768
    shared = [f"<si><t>{long_text}</t></si>".encode()]
    path = write_xlsx(tmp_path / "shared.xlsx", sheet_xml([HEADER_ROW]), shared)
    refused(office, path, "超过 32767 个字符")
    # Rich text: many short runs that add up.
    runs = b"".join([b"<r><t>" + "字".encode() * 100 + b"</t></r>"] * 400)
    path = write_xlsx(tmp_path / "rich.xlsx", sheet_xml([HEADER_ROW]), [b"<si>" + runs + b"</si>"])
    refused(office, path, "超过 32767 个字符")
    inline = b'<row r="2"><c r="B2" t="inlineStr"><is><t>' + b"x" * 40_000 + b"</t></is></c></row>"
    path = write_xlsx(tmp_path / "inline.xlsx", sheet_xml([HEADER_ROW, inline]))
    refused(office, path, "单元格 B2 超过 32767 个字符")
    # Entities count as the character they stand for: 32,767 of them is within the limit.
    fits = b'<row r="2">' + SUBMISSION.replace(b"{n}", b"2") + b"</row>"
    note = b'<c r="D2" t="inlineStr"><is><t>' + b"&amp;" * 32_767 + b"</t></is></c>"
    header = HEADER_ROW.replace(
        b"</row>", b'<c r="D1" t="inlineStr"><is><t>note</t></is></c></row>'
    )
    path = write_xlsx(
        tmp_path / "fits.xlsx", sheet_xml([header, fits.replace(b"</row>", note + b"</row>")])
    )
    # The workbook passes; the row then meets the note's own limit, as any row would.
    result = office("records", "import", str(path))
    assert "32767 个字符" not in result.err and "说明太长（32767 字）" in result.err


@FILE_ONLY
def test_a_zip_declaring_gigabytes(office: Cli, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bomb.xlsx", sheet_xml([HEADER_ROW]))
    declare_size(path, SHEET_MEMBER, 3 << 30)
    refused(office, path, "解压后过大", "xl/worksheets/sheet1.xml")


@FILE_ONLY
def test_csv_fields_beyond_the_limit(office: Cli, tmp_path: Path) -> None:
    for size in (40_000, 200_000):  # the csv module's own limit is 131,072
        path = tmp_path / f"field{size}.csv"
        path.write_text(f"date,unit,item,title\n2024-05-06,公安局,报送,{'长' * size}\n", "utf-8")
        refused(office, path, "第 2 行有单元格超过 32767 个字符")


@FILE_ONLY
def test_a_refusal_quotes_no_long_cell(office: Cli, tmp_path: Path) -> None:
    rows = [["2024-05-06", "局" * 30_000, "报送"], ["2024-05-06", "公安局", "《" + "参" * 9_000]]
    path = write_csv(tmp_path / "long.csv", ["date", "unit", "item"], rows)
    result = office("records", "import", str(path))
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        "第 2 行：未知的单位 " + "局" * 40 + "……（共 30000 字）",
        "第 3 行：未知的项目 《" + "参" * 39 + "……（共 9001 字）",
    ]


@FILE_ONLY
def test_csv_of_more_than_a_million_rows(office: Cli, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"date,unit,item\n" + b"2024-05-06,x,y\n" * 1_000_010)
    refused(office, path, "超过 1000000 行")


def test_more_than_a_million_records_after_counts(office: Cli, tmp_path: Path) -> None:
    rows = [["2024-05-06", "公安局", "报送", 1_000]] * 1_001
    path = write_csv(tmp_path / "counts.csv", ["date", "unit", "item", "count"], rows)
    refused(office, path, "超过 1000000 条")


def test_a_period_beyond_the_rulesets_years(office: Cli) -> None:
    for args in (
        ("standings", "--period", "9999Q4"),
        ("standings", "--period", "0001-01-01..9999-12-31"),
    ):
        result = office(*args)
        assert result.code == 1 and result.err.count("\n") == 1, result.err
        assert "超出范围：只能是 2024 年至" in result.err


def test_a_million_bad_rows_list_twenty(office: Cli, tmp_path: Path) -> None:
    """The issue's file: each of a million rows names an unknown unit. The refusal lists the
    first twenty and counts the rest up to the thousandth, where reading stops."""
    path = tmp_path / "bad.csv"
    path.write_bytes(b"date,unit,item\n" + b"2024-05-06,x,y\n" * 1_000_000)
    run = run_cli(office.db, "records", "import", str(path))
    assert run.code == 1 and "Traceback" not in run.err
    lines = run.err.splitlines()
    assert lines[0] == "文件至少有 1000 处错误，已整体拒绝，未保存任何内容："
    assert lines[1:21] == [f"第 {n} 行：未知的单位 x" for n in range(2, 22)]
    assert lines[21:] == ["……另有 980 处错误未列出", "错误已过多，第 1001 行之后未再检查"]
    assert run.peak_mb < PEAK_MB, f"{run.peak_mb:.0f} MB"
    assert query(office.db, "SELECT COUNT(*) FROM records") == [(0,)]


def test_bad_rows_are_counted_not_kept() -> None:
    """parse_rows keeps the first SHOWN_PROBLEMS bad rows and only counts the others; at
    COUNTED_PROBLEMS it reads no further row."""
    ruleset = load_ruleset("dengkou-2024")
    units = {"公安局": "公安局"}
    good = {"date": "2024-05-06", "unit": "公安局", "item": "报送"}
    bad = {"date": "2024-05-06", "unit": "x", "item": "报送"}
    # Every other row bad, 999 in all: every one counted, twenty listed.
    rows = [(n, bad if n % 2 else good) for n in range(2, 2_000)]
    with pytest.raises(ImportRejected) as refused:
        parse_rows(ruleset, iter(rows), units, date(2024, 6, 1))
    assert [p.line for p in refused.value.problems] == list(range(3, 43, 2))
    assert len(refused.value.problems) == SHOWN_PROBLEMS == 20
    assert refused.value.more == 999 - 20 and refused.value.params["count"] == 999
    assert refused.value.stopped_at is None
    # A million bad rows: the reader stops at the thousandth bad one.
    taken = 0

    def million() -> Iterator[tuple[int, dict[str, str]]]:
        nonlocal taken
        for n in range(2, 1_000_002):
            taken += 1
            yield n, bad

    with pytest.raises(ImportRejected) as refused:
        parse_rows(ruleset, million(), units, date(2024, 6, 1))
    assert taken == COUNTED_PROBLEMS == 1_000
    assert refused.value.params["count"] == 1_000 and refused.value.stopped_at == 1_001


@FILE_ONLY
def test_a_line_of_100_mb(office: Cli, tmp_path: Path) -> None:
    """One line of 100 MB is refused after reading MAX_CSV_ROW_CHARS of it, never read whole:
    the reader's own allocations stay far below the line's size."""
    path = tmp_path / "line.csv"
    with path.open("wb") as f:
        f.write(b"date,unit,item\n2024-05-06,")
        f.write(b"a," * (50 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(DomainError) as refused:
            list(read_table(path, RECORDS).rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "csv_row_too_long"
    assert refused.value.params["line"] == 2
    assert peak < 8 * MAX_CSV_ROW_CHARS < 10 << 20  # a tenth of the line, decoding included
    refused_run = run_cli(office.db, "records", "import", str(path))
    assert refused_run.code == 1 and refused_run.err.count("\n") == 1, refused_run.err
    assert "第 2 行所在的一行超过 1048576 个字符" in refused_run.err


@FILE_ONLY
def test_a_row_of_many_short_lines(office: Cli, tmp_path: Path) -> None:
    """Quoted cells spanning lines: every line is short, the row is not."""
    path = tmp_path / "lines.csv"
    path.write_bytes(b"date,unit,item,title\n2024-05-06,x,y," + b'"a\n",' * 400_000 + b"\n")
    refused(office, path, "超过 1048576 个字符")
    # A row just within the bound is read (and then refused for what it says, row by row).
    fits = tmp_path / "fits.csv"
    fits.write_bytes(b"date,unit,item,title\n2024-05-06,x,y," + b'"a\n",' * 1_000 + b"\n")
    assert "未知的单位 x" in office("records", "import", str(fits)).err


@pytest.mark.parametrize("kind", ["symlink to /dev/zero", "fifo", "directory"])
@FILE_ONLY
def test_only_regular_files_are_read(office: Cli, tmp_path: Path, kind: str) -> None:
    """A link to a device, a FIFO (which would block opening) and a directory are refused at
    once, for records and for units, before a byte is read. The timeout only keeps a regression
    from hanging the run; it asserts nothing."""
    path = tmp_path / "records.csv"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    for command in ("records", "units"):
        run = run_cli(office.db, command, "import", str(path), timeout=120)
        assert run.code == 1, run.err
        assert run.err == f"{path} 不是普通文件（目录、管道、设备或指向它们的链接），不能导入\n"
    with pytest.raises(DomainError) as refused_open:
        open_regular(path)
    assert refused_open.value.code == "file_not_regular"
    # A link to a regular file is read as the file.
    link = tmp_path / "link.csv"
    link.symlink_to(
        write_csv(
            tmp_path / "real.csv", ["date", "unit", "item"], [["2024-05-06", "公安局", "报送"]]
        )
    )
    office.ok("records", "import", str(link))


@FILE_ONLY
def test_a_roster_of_a_million_rows(office: Cli, tmp_path: Path) -> None:
    """A roster is checked whole, so it is bounded: its reading stops at MAX_UNITS rows."""
    path = tmp_path / "roster.csv"
    path.write_bytes(b"name,group\n" + b"".join(b"u%d,Z\n" % n for n in range(1_000_000)))
    run = run_cli(office.db, "units", "import", str(path))
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err == f"单位名单 {path} 超过 {MAX_UNITS} 行，超过单位名单的上限，已拒绝\n"
    assert run.peak_mb < PEAK_MB, f"{run.peak_mb:.0f} MB"
    # Within the bound, every bad row is checked up to the thousandth.
    path.write_bytes(b"name,group\n" + b"".join(b"u%d,Z\n" % n for n in range(5_000)))
    lines = office("units", "import", str(path)).err.splitlines()
    assert lines[0] == "文件至少有 1000 处错误，已整体拒绝，未保存任何内容："
    assert len(lines) == 1 + SHOWN_PROBLEMS + 2
    assert query(office.db, "SELECT COUNT(*) FROM units") == [(1,)]
