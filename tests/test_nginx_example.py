"""The README's nginx configuration, as written there (HTTP instead of TLS, loopback addresses),
in front of three `govinfo-bot run --webhook` processes on one PostgreSQL database: one process
is killed while liaisons report, and nginx passes the posts it no longer answers to the others.
Every report is stored once and answered once, but for one whose action committed just before the
kill (its reply was the killed process's to send)."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.fakeapi import FakeBotApi
from tests.bots import BotProcess, Liaisons, bot_env
from tests.chat import prepare_db
from tests.pgserver import PostgresDatabases
from tests.stores import rows
from tests.test_replicas import SECRET, bind_liaisons, leads, stop, stored_titles, until
from tests.test_webhook import free_port

README = Path(__file__).parent.parent / "README.md"


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def configuration(ports: list[int], front: int, work: Path) -> Path:
    """The README's example, with its upstreams on `ports` and listening on `front`."""
    found = re.search(r"```nginx\n(.*?)```", README.read_text("utf-8"), re.S)
    assert found, "the README has no nginx example"
    example = found[1]
    for number, port in enumerate(ports, start=1):
        example = example.replace(f"10.0.0.1{number}:8443", f"127.0.0.1:{port}")
    example = example.replace("listen 443 ssl;", f"listen 127.0.0.1:{front};")
    example = re.sub(r"\n\s*ssl_certificate\S* [^;]*;", "", example)
    path = work / "nginx.conf"
    path.write_text(
        f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log {work}/access.log;\n{example}}}\n"
    )
    return path


async def test_the_readme_nginx_example_in_front_of_three_replicas(
    postgres: PostgresDatabases, tmp_path: Path
) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: apt-get install nginx-light (as .ci/run does)")
    db = postgres.new()
    await prepare_db(db)
    await bind_liaisons(db)
    ports = [free_port() for _ in range(3)]
    front = free_port()
    conf = configuration(ports, front, tmp_path)
    subprocess.run([nginx, "-t", "-q", "-c", conf], check=True)
    subprocess.run([nginx, "-c", conf], check=True)
    try:
        async with FakeBotApi() as server:
            server.webhook_retry(0.05)
            webhook = ["--webhook", f"http://127.0.0.1:{front}/tg", "--listen", "127.0.0.1",
                       "--secret", SECRET]  # fmt: skip
            replicas = []
            for port in ports:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot.cli", "run", *webhook, "--port", str(port),
                    env=bot_env(server, db, log_level="WARNING"),
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                )  # fmt: skip
                replicas.append(BotProcess(process))
            try:
                await until(lambda: any(leads(r) for r in replicas), "no process leads", 120)
                # And every process takes posts: a leader now leads as soon as it starts, and a
                # post nginx sent to a process not yet listening would mark it failed
                # (max_fails=1) before the kill this test is about.
                await until(lambda: all(map(listening, ports)), "not every process listens", 120)
                liaisons = Liaisons(server)
                for _ in range(15):
                    liaisons.submit()
                    await asyncio.sleep(0.05)
                await stop(replicas[1], signal.SIGKILL)
                for _ in range(15):
                    liaisons.submit()
                    await asyncio.sleep(0.05)
                await until(
                    lambda: (
                        stored_titles(db) == Counter(liaisons.titles)
                        and not server.pending_update_count
                    ),
                    "reports not all stored",
                )
                await asyncio.sleep(0.5)
            finally:
                for replica in replicas:
                    await stop(replica)
    finally:
        subprocess.run([nginx, "-c", conf, "-s", "stop"], check=False)
    # Every report answered once; unanswered only if its action committed just before the kill:
    # its answer was the killed process's to send, and waits in the outbox for its hold to end
    # (README, "Nothing received is lost").
    answers = liaisons.answers()
    waiting = " ".join(t for (t,) in rows(db, "SELECT text FROM outbox WHERE sent_at IS NULL"))
    for title in set(liaisons.titles) - set(answers):
        assert title in waiting, title
    assert max(liaisons.answers(resent=False).values()) == 1, answers
    # Telegram's posts all answered 200 by the first try: nginx passed those the killed process
    # could not take to another one.
    assert {d.status for d in server.webhook_deliveries} == {200}
    # nginx met the killed process: connecting to it after the kill, or a post it was sending
    # when the process died (the connection reset, or closed before the answer's header, as
    # nginx words it when the kernel closed the socket cleanly); either way the post went to
    # another.
    errors = (tmp_path / "error.log").read_text()
    assert any(
        met in errors
        for met in (
            "connect() failed",
            "recv() failed (104: Connection reset",
            "upstream prematurely closed connection while reading response header",
        )
    ), errors
