"""A command loads its own module and what it needs, nothing more: a light command never pays
for python-telegram-bot or the bulletin's libraries, however the command line grows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import scoring
from tests.conftest import Cli

# Runs the command line as the console script does, then writes down every module it loaded.
PROBE = """
import sys
from bot.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as done:
    code = done.code
with open(sys.argv[1], "w") as out:
    out.write("\\n".join(sys.modules))
sys.exit(code)
"""

# Loaded by the bot and the bulletin only.
HEAVY = ("telegram", "docx", "openpyxl", "jinja2")


def _loaded(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    listing = tmp_path / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(listing), *argv], capture_output=True, text=True
    )
    return done, set(listing.read_text().splitlines())


@pytest.mark.parametrize(
    ("argv", "module"),
    [
        (["records", "import", "--help"], "bot.cli.records"),
        (["bulletin", "--help"], "bot.cli.bulletin"),
        (["rules", "check", str(Path(scoring.__file__).parent / "rulesets/dengkou-2024.toml")],
         "bot.cli.rules"),
    ],
)  # fmt: skip
def test_a_light_command_loads_only_its_own_module(
    argv: list[str], module: str, tmp_path: Path
) -> None:
    done, modules = _loaded(tmp_path, "--db", str(tmp_path / "x.sqlite3"), *argv)
    assert done.returncode == 0, done.stderr
    assert {m for m in modules if m.startswith("bot.cli.")} == {module, "bot.cli.common"}
    assert [name for name in HEAVY if name in modules] == []


def test_verify_loads_neither_the_bot_nor_the_bulletin(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--ruleset", "dengkou-2024")
    done, modules = _loaded(tmp_path, "--db", cli.db, "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("核验通过")
    assert [name for name in HEAVY if name in modules] == []
