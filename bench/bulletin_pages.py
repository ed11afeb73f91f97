"""The bulletin's pages as a person sees them: the Ordos Q2 2020 bulletin rebuilt from records,
and the worked Dengkou year 2025 of tests/test_awards.py with its awards, made into PDF by
LibreOffice and into PNG pages by pdftoppm.

    python bench/bulletin_pages.py [--dpi 60] [--out bench/out/pages]

Needs LibreOffice, poppler-utils and CJK fonts (README, "Bulletin"). The pages land in
`--out` as ordos-2020q2-N.png and dengkou-2025-N.png; open them and look.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli import main as cli
from tests.conftest import write_csv
from tests.test_awards import A_2024, C_2024, office_work
from tests.test_awards import records as dengkou_records
from tests.test_ordos_seed import records_for, seed_tables

OUT = Path(__file__).resolve().parent / "out" / "pages"
HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]


def run(db: Path, *args: str) -> None:
    if cli(["--db", str(db), *args]) != 0:
        raise SystemExit(f"govinfo-bot {' '.join(args)} failed")


def ordos_pdf(work: Path, pdf: Path) -> None:
    db = work / "ordos.sqlite3"
    tables = seed_tables()
    units = write_csv(
        work / "units.csv",
        ["name", "group"],
        [[r.unit, group] for group, rows in tables.items() for r in rows],
    )
    records = write_csv(work / "records.csv", HEADER, records_for(tables))
    os.environ["GOVINFO_OFFICE_NAME"] = "鄂尔多斯市政务服务局"
    os.environ["GOVINFO_BULLETIN_ADDRESSEES"] = "各旗区人民政府，市直各相关部门"
    run(db, "init", "--ruleset", "ordos-2020")
    run(db, "units", "import", str(units))
    run(db, "records", "import", str(records))
    run(db, "bulletin", "--period", "2020Q2", "--format", "pdf", "--date", "2020-07-06",
        "--out", str(pdf))  # fmt: skip


def dengkou_pdf(work: Path, pdf: Path) -> None:
    db = work / "dengkou.sqlite3"
    roster = [[unit, "A"] for unit in A_2024] + [[unit, "C"] for unit in C_2024]
    units = write_csv(work / "dengkou-units.csv", ["name", "group"], roster)
    records = write_csv(work / "dengkou-records.csv", HEADER, dengkou_records())
    os.environ["GOVINFO_OFFICE_NAME"] = "磴口县人民政府办公室"
    os.environ["GOVINFO_BULLETIN_ADDRESSEES"] = (
        "各苏木镇、农场公司，县直各部门、驻县各单位、各直属企事业单位"
    )
    run(db, "init", "--ruleset", "dengkou-2024")
    run(db, "units", "import", str(units))
    run(db, "records", "import", str(records))
    asyncio.run(office_work(db))
    run(db, "bulletin", "--period", "2025", "--format", "pdf", "--date", "2026-01-08",
        "--issue", "磴政办发〔2026〕2号", "--out", str(pdf))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (README, 'Bulletin')")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in (("ordos-2020q2", ordos_pdf), ("dengkou-2025", dengkou_pdf)):
        for old in args.out.glob(f"{name}-*.png"):
            old.unlink()
        pdf = args.out / f"{name}.pdf"
        with tempfile.TemporaryDirectory() as work:
            make(Path(work), pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(args.dpi), "-png", str(pdf), str(args.out / name)], check=True
        )
    for page in sorted(args.out.glob("*.png")):
        print(page)


if __name__ == "__main__":
    main()
