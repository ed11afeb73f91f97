"""`python -m bot.cli`, as the console script `govinfo-bot`."""

import sys

from bot.cli import main

sys.exit(main())
