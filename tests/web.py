"""The web console for tests: served by uvicorn in a thread of the test's process (so that the
test can move the console's clock), on a port the system picks; driven by Debian's
chromium-headless-shell through Playwright."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

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


class Chromium:
    """Chromium and Playwright's driver, started once per test process and shared by the
    browser tests, whichever other tests run between them: each start costs ~1.3 s of CPU and
    3 s (most of it the driver's Node.js), and under `--dist load --maxschedchunk 1` a worker
    runs the tests of many modules interleaved, so a browser per module was started again for
    almost every browser test.

    Playwright's synchronous API runs its event loop in a greenlet of the thread that started it
    and, after each call, marks that loop as the thread's running one (asyncio._set_running_loop,
    its own means). With that mark set, asyncio.run and the asynchronous tests of other modules
    refuse to start; so the mark is set only while a browser test holds the browser, and the loop
    waits untouched in between (nothing switches to its greenlet)."""

    def __init__(self) -> None:
        self._playwright = sync_playwright().start()
        self._loop = asyncio.get_running_loop()  # marked by the start
        try:
            self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM)
        except BaseException:
            self._playwright.stop()
            raise
        finally:
            asyncio._set_running_loop(None)

    @contextmanager
    def lent(self) -> Iterator[Browser]:
        asyncio._set_running_loop(self._loop)
        try:
            yield self.browser
        finally:
            asyncio._set_running_loop(None)

    def close(self) -> None:
        with self.lent():
            self.browser.close()
            self._playwright.stop()


@pytest.fixture(scope="session", name="chromium")
def shared_chromium() -> Iterator[Chromium]:
    """The fixture `chromium` (tests/conftest.py imports it: one for all the browser tests of a
    test process): started at the first test that needs it, closed when the session ends."""
    started = Chromium()
    yield started
    started.close()


@pytest.fixture(name="browser")
def lent_browser(chromium: Chromium) -> Iterator[Browser]:
    """The browser of this test process (Chromium), lent to one test."""
    with chromium.lent() as lent:
        yield lent


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
