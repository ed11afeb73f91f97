"""The environment of the Python processes the tests start (bots, the command line).

Where the tests run with PYTHONDONTWRITEBYTECODE set (no bytecode written beside the sources),
every such process compiled the bot and all its libraries from source again: more than twice
the CPU of a start that reads compiled bytecode. Their bytecode is kept in a cache directory of
its own instead (PYTHONPYCACHEPREFIX), outside the sources; Python checks each cached file
against its source's time and size, so a cache left by an earlier run is never stale."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / f"govinfo-test-bytecode-{os.getuid()}"


def python_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` for a Python process, with its bytecode cached where none may be written."""
    started = dict(env)
    if started.get("PYTHONDONTWRITEBYTECODE") and "PYTHONPYCACHEPREFIX" not in started:
        del started["PYTHONDONTWRITEBYTECODE"]
        started["PYTHONPYCACHEPREFIX"] = str(CACHE)
    return started
