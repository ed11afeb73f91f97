"""LibreOffice as a test's spreadsheet program: it reads and writes files as Excel and WPS do
(shared strings, styles, its own CSV reading). `.ci/run` installs it: a test using it fails,
rather than being skipped, where it is absent."""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

MISSING = (
    "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui "
    "libreoffice-calc-nogui fonts-noto-cjk poppler-utils (as .ci/run does)"
)


def require_soffice() -> str:
    """The LibreOffice program; the test fails where there is none."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        pytest.fail(MISSING)
    return program


@functools.cache
def _profile() -> Path:
    """This process's LibreOffice profile, made by its first conversion and kept for the next
    (a fresh profile costs ~0.5 s more CPU than a used one, of ~2.5 s). Not shared: another
    process (a test worker) may convert at the same time, and this one converts one file at
    a time."""
    profile = Path(tempfile.mkdtemp(prefix="govinfo-lo-profile-"))
    atexit.register(shutil.rmtree, profile, ignore_errors=True)
    return profile


def soffice(outdir: Path, target: str, source: Path, *options: str) -> Path:
    """Convert with LibreOffice, in this process's own profile (another soffice may run)."""
    program = require_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            program, f"-env:UserInstallation={_profile().as_uri()}", "--headless",
            *options, "--convert-to", target, "--outdir", str(outdir), str(source),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return outdir / f"{source.stem}.{target}"
