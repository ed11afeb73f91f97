"""Benchmark: how long hostile files take to be refused, and at what peak memory.

    python bench/hostile_files.py [--runs 3] [--only NAME]

Each file is imported as the office imports it, `python -m bot.cli records import` (or `units
import`) against a new SQLite database with the dengkou-2024 ruleset and one unit (公安局), in a
process of its own started from a small launcher, so that its peak RSS is its own (a child of
this process would inherit this process's high-water mark). Files are built once in a temporary
directory. Measured per file: wall time (median of the runs, startup of the interpreter
included) and the largest peak RSS; the exit code must be 1 (refused) and standard error free of
tracebacks. Target: every file refused within 5 s and 300 MB.

The files (tests/test_hostile_files.py proves each bound without timing it):
- bad-rows: a register of 1,000,000 rows each naming an unknown unit;
- long-line: one line of 100 MB (50 million one-character cells);
- short-lines: one row of 400,000 quoted cells each spanning two lines;
- many-rows: 1,000,010 rows of a register;
- roster: a units roster of 1,000,000 rows;
- dev-zero: a symbolic link to /dev/zero;
- fifo: a named pipe no one writes to.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 5.0
TARGET_MB = 300.0
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = child.stderr.read()
_, status, usage = os.wait4(child.pid, 0)
sys.stderr.buffer.write(err)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def bad_rows(path: Path) -> None:
    path.write_bytes(b"date,unit,item\n" + b"2024-05-06,x,y\n" * 1_000_000)


def long_line(path: Path) -> None:
    with path.open("wb") as f:
        f.write(b"date,unit,item\n2024-05-06,")
        f.write(b"a," * (50 << 20))


def short_lines(path: Path) -> None:
    path.write_bytes(b"date,unit,item,title\n2024-05-06,x,y," + b'"a\n",' * 400_000 + b"\n")


def many_rows(path: Path) -> None:
    path.write_bytes(b"date,unit,item\n" + b"2024-05-06,x,y\n" * 1_000_010)


def roster(path: Path) -> None:
    path.write_bytes(b"name,group\n" + b"".join(b"u%d,Z\n" % n for n in range(1_000_000)))


def dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def fifo(path: Path) -> None:
    os.mkfifo(path)


# name: (file name, how to make it, the command that imports it)
FILES: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "bad-rows": ("bad.csv", bad_rows, "records"),
    "long-line": ("line.csv", long_line, "records"),
    "short-lines": ("lines.csv", short_lines, "records"),
    "many-rows": ("rows.csv", many_rows, "records"),
    "roster": ("roster.csv", roster, "units"),
    "dev-zero": ("zero.csv", dev_zero, "records"),
    "fifo": ("pipe.csv", fifo, "records"),
}


def cli(db: Path, *args: str) -> tuple[int, str, float, float]:
    """(exit code, stderr, seconds, peak MB) of one command in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVINFO_")}
    command = [sys.executable, "-m", "bot.cli", "--db", str(db), *args]
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    seconds = time.monotonic() - start
    code, peak_kb = map(int, proc.stdout.split())
    return code, proc.stderr, seconds, peak_kb / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=sorted(FILES), action="append")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as work:
        workdir = Path(work)
        db = workdir / "bench.sqlite3"
        (workdir / "u.csv").write_text("name,group\n公安局,B\n", "utf-8")
        for step in (("init", "--ruleset", "dengkou-2024"), ("units", "import", "u.csv")):
            code, err, _, _ = cli(db, *[str(workdir / a) if a == "u.csv" else a for a in step])
            assert code == 0, err
        print(f"{'file':<12} {'seconds':>8} {'peak MB':>8}  refusal (first line)")
        for name in args.only or FILES:
            filename, make, command = FILES[name]
            path = workdir / filename
            make(path)
            times, peaks = [], []
            first = ""
            for _ in range(args.runs):
                code, err, seconds, peak = cli(db, command, "import", str(path))
                if code != 1 or "Traceback" in err:
                    print(f"{name}: not refused cleanly (exit {code})\n{err[-2000:]}")
                    return 1
                times.append(seconds)
                peaks.append(peak)
                first = err.splitlines()[0].replace(str(workdir) + "/", "")
            median, peak = statistics.median(times), max(peaks)
            within = median < TARGET_S and peak < TARGET_MB
            failed |= not within
            mark = "" if within else "  (beyond the target)"
            print(f"{name:<12} {median:>8.2f} {peak:>8.0f}  {first[:60]}{mark}")
            path.unlink()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
