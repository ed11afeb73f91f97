"""`python -m tests.travel FAKE REAL <govinfo-bot arguments>`: the command line with its clock
moved so that the real moment REAL (seconds since the epoch) reads as FAKE (ISO 8601), and
ticking on from there: several processes started at different moments share one moved clock.
For tests of scheduled work across processes (time-machine moves one process's clock only)."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta

import time_machine

from bot.cli import main

if __name__ == "__main__":
    fake, real, *args = sys.argv[1:]
    now = datetime.fromisoformat(fake) + timedelta(seconds=time.time() - float(real))
    with time_machine.travel(now, tick=True):
        # time-machine's clock starts ticking at its first reading, not when travel starts: read
        # at once, or a process slow to reach its first reading (seconds on a loaded machine)
        # would run that much behind the others, and behind the test's own idea of the time.
        time.time()
        sys.exit(main(args))
