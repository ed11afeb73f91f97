"""The web console for tests: served by uvicorn in a thread of the test's process (so that the
test can move the console's clock), on a port the system picks; driven by Debian's
chromium-headless-shell through Playwright."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import uvicorn
from playwright.sync_api import Page

from bot.settings import Settings
from bot.telegram.notices import ChatNotices
from bot.web.app import build_app

CHROMIUM = "/usr/bin/chromium-headless-shell"
# Screenshots of every page, at a phone's size and a desk's, for people to look at.
SHOTS = Path(__file__).parent / "out" / "web"
SIZES = {"phone": (390, 844), "desk": (1280, 860)}
STARTED_WITHIN = 30.0

T = TypeVar("T")


def apart(work: Callable[[], T]) -> T:
    """`work` run in a thread of its own: Playwright's synchronous API keeps an event loop
    running in the test's thread, where asyncio.run (the command line's, a use case's) cannot."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The console on `settings`' database until the block ends; its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(build_app(settings, ChatNotices.of(settings)), log_level="warning")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTED_WITHIN
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the console did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STARTED_WITHIN)
        sock.close()


def shoot(page: Page, name: str) -> None:
    """Screenshots of the page as it stands, at each size."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SHOTS / f"{name}-{size}.png", full_page=True)
    if before:
        page.set_viewport_size(before)
