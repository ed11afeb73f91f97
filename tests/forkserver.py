"""`govinfo-bot run` processes forked from one process that has imported the bot once, for the
tests that start the bot again and again (kills at random moments, restarts): a fresh
interpreter spends over a second of CPU importing python-telegram-bot, pydantic and the bot
before it does anything, and a test starting it twenty times spent most of its time there.

A forked process is a process of its own all the same: it runs `bot.cli.main` from its start,
opens its databases and sockets itself, and is killed with SIGKILL like any other; only the
imports are done (once, in the server, before any request). What a fresh interpreter's start
does is tested by the tests that start `python -m bot.cli` (tests/bots.py's BotProcess).

The server (`python -m tests.forkserver`) reads requests as JSON lines on its stdin (the
arguments, the environment, the working directory), forks, and writes `{"pid": ...}`; as each
child ends, `{"ended": pid, "code": ...}` (a negative code: killed by that signal, as
asyncio.subprocess reports it). It ends when its stdin closes.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
from typing import Any

from tests.bytecode import python_env


def _serve() -> None:
    # Everything a `run` imports, imported once here (the children fork from this state), and
    # what httpx imports when the bot makes its first client.
    import anyio._backends._asyncio  # noqa: F401
    import certifi  # noqa: F401
    import h11  # noqa: F401
    import httpcore  # noqa: F401

    import bot.cli.run
    import bot.telegram.app
    import bot.telegram.runner  # noqa: F401
    from bot.cli import main

    requests = sys.stdin.buffer
    answers = sys.stdout.buffer
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(requests, selectors.EVENT_READ)
    selector.register(wakeup_read, selectors.EVENT_READ)

    def answer(message: dict[str, Any]) -> None:
        answers.write(json.dumps(message).encode() + b"\n")
        answers.flush()

    while True:
        for key, _ in selector.select():
            if key.fileobj is wakeup_read:
                os.read(wakeup_read, 4096)
                while True:
                    try:
                        pid, status = os.waitpid(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid == 0:
                        break
                    answer({"ended": pid, "code": os.waitstatus_to_exitcode(status)})
                continue
            line = requests.readline()
            if not line:
                return
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                # The child: nothing of the server's but its imports.
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                selector.close()
                os.close(wakeup_read)
                os.close(wakeup_write)
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.close(null)
                os.chdir(request["cwd"])
                os.environ.clear()
                os.environ.update(request["env"])
                code = 1
                try:
                    code = main(request["args"])
                finally:
                    os._exit(code)
            answer({"pid": pid})


class ForkedBot:
    """A forked `govinfo-bot run`, with what the tests use of asyncio.subprocess.Process."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self._server = server
        self.pid = pid

    @property
    def returncode(self) -> int | None:
        return self._server.ended.get(self.pid)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def _signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    async def wait(self, timeout: float = 60.0) -> int:
        """Its exit code once it has ended (reported by the server, which reaps it)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (code := self.returncode) is None:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"process {self.pid} did not end")
            await asyncio.sleep(0.01)
        return code


class ForkServer:
    """The server of this test process (one for each xdist worker), started at the first bot."""

    _running: ForkServer | None = None

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=python_env(os.environ),
        )
        self.ended: dict[int, int] = {}
        self._started: list[int] = []
        self._lock = threading.Lock()
        self._pid_given = threading.Condition(self._lock)
        threading.Thread(target=self._read, daemon=True).start()
        atexit.register(self._close)

    @classmethod
    def running(cls) -> ForkServer:
        if cls._running is None:
            cls._running = cls()
        return cls._running

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            message = json.loads(line)
            with self._lock:
                if "pid" in message:
                    # A pid the kernel gives again: the earlier process's end is reported first.
                    self.ended.pop(message["pid"], None)
                    self._started.append(message["pid"])
                    self._pid_given.notify_all()
                else:
                    self.ended[message["ended"]] = message["code"]

    def start(self, args: list[str], env: dict[str, str], cwd: str) -> ForkedBot:
        assert self._process.stdin is not None
        with self._lock:
            request = {"args": args, "env": env, "cwd": cwd}
            self._process.stdin.write(json.dumps(request).encode() + b"\n")
            self._process.stdin.flush()
            # Requests are answered in order, one at a time (this lock is held until then).
            if not self._pid_given.wait_for(lambda: bool(self._started), timeout=120):
                raise TimeoutError("the fork server did not start the bot")
            return ForkedBot(self, self._started.pop(0))

    def _close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)


if __name__ == "__main__":
    _serve()
