"""LibreOffice as a test's spreadsheet program: it reads and writes files as Excel and WPS do
(shared strings, styles, its own CSV reading). Tests using it are skipped where it is absent."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="needs LibreOffice (soffice)"
)


def soffice(outdir: Path, target: str, source: Path, *options: str) -> Path:
    """Convert with LibreOffice, in a profile of the test's own (another soffice may run)."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "soffice", f"-env:UserInstallation=file://{outdir}/lo-profile", "--headless",
            *options, "--convert-to", target, "--outdir", str(outdir), str(source),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return outdir / f"{source.stem}.{target}"
