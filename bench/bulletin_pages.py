"""The bulletin's pages as a person sees them: the Ordos Q2 2020 bulletin rebuilt from records,
made into PDF by LibreOffice and into PNG pages by pdftoppm.

    python bench/bulletin_pages.py [--dpi 60] [--out bench/out/pages]

Needs LibreOffice, poppler-utils and CJK fonts (README, "Bulletin"). The pages land in
`--out` as ordos-2020q2-N.png; open them and look.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli import main as cli
from tests.conftest import write_csv
from tests.test_ordos_seed import records_for, seed_tables

OUT = Path(__file__).resolve().parent / "out" / "pages"
HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]


def ordos_pdf(work: Path, pdf: Path) -> None:
    db = str(work / "ordos.sqlite3")
    tables = seed_tables()
    units = write_csv(
        work / "units.csv",
        ["name", "group"],
        [[r.unit, group] for group, rows in tables.items() for r in rows],
    )
    records = write_csv(work / "records.csv", HEADER, records_for(tables))
    os.environ.setdefault("GOVINFO_OFFICE_NAME", "鄂尔多斯市政务服务局")
    os.environ.setdefault("GOVINFO_BULLETIN_ADDRESSEES", "各旗区人民政府，市直各相关部门")
    for args in (
        ["init", "--ruleset", "ordos-2020"],
        ["units", "import", str(units)],
        ["records", "import", str(records)],
        ["bulletin", "--period", "2020Q2", "--format", "pdf", "--date", "2020-07-06"],
    ):
        out = ["--out", str(pdf)] if args[0] == "bulletin" else []
        if cli(["--db", db, *args, *out]) != 0:
            raise SystemExit(f"govinfo-bot {' '.join(args)} failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (README, 'Bulletin')")
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("ordos-2020q2-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as work:
        pdf = args.out / "ordos-2020q2.pdf"
        ordos_pdf(Path(work), pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(args.dpi), "-png", str(pdf), str(args.out / "ordos-2020q2")],
        check=True,
    )
    for page in sorted(args.out.glob("ordos-2020q2-*.png")):
        print(page)


if __name__ == "__main__":
    main()
