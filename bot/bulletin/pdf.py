"""The bulletin as PDF: the DOCX converted by LibreOffice, when it is installed.

LibreOffice runs headless in a temporary directory with a profile of its own (a second
conversion at the same time, or an office user's open LibreOffice, would otherwise share one
and fail), under a time limit, with fontconfig told which free fonts stand in for the official
ones (`fonts.fontconfig`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import tempfile
from pathlib import Path

from bot.bulletin import fonts
from scoring.errors import DomainError

SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


async def docx_to_pdf(docx: bytes, timeout: float) -> bytes:
    program = soffice()
    if program is None:
        raise DomainError("pdf_needs_libreoffice")
    with tempfile.TemporaryDirectory(prefix="govinfo-pdf-") as work:
        source = Path(work) / "bulletin.docx"
        source.write_bytes(docx)
        env = dict(os.environ)
        if SYSTEM_FONTCONFIG.exists():
            conf = Path(work) / "fonts.conf"
            conf.write_text(fonts.fontconfig(str(SYSTEM_FONTCONFIG)), "utf-8")
            env["FONTCONFIG_FILE"] = str(conf)
        process = await asyncio.create_subprocess_exec(
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(Path(work) / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            work,
            str(source),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            # Its own process group: `soffice` is a script that starts soffice.bin, and a
            # conversion that hangs must be stopped whole.
            start_new_session=True,
        )
        try:
            _, err = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
            raise DomainError("pdf_timeout", seconds=round(timeout)) from None
        pdf = source.with_suffix(".pdf")
        if process.returncode != 0 or not pdf.exists():
            detail = err.decode("utf-8", "replace").strip().splitlines()
            raise DomainError(
                "pdf_failed", detail=detail[-1] if detail else f"exit {process.returncode}"
            )
        return pdf.read_bytes()
