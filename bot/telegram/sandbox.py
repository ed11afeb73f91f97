"""`govinfo-bot sandbox`: the real bot against the project's fake Bot API server on loopback,
with a demo roster, and a terminal chat in which one person plays an admin and a few liaisons.

Nothing is faked inside the bot: the application comes from the production factory, polls the
fake server over HTTP and keeps its data in a throw-away SQLite file.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import re
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path

from pydantic import SecretStr
from telegram.ext import Application

from bot import texts
from bot.chatinput import record_number
from bot.fakeapi import FakeBotApi, SentMessage
from bot.render import fit
from bot.settings import Settings
from bot.storage import Store
from bot.telegram.app import build_application
from bot.telegram.handlers.common import SCHEDULER, SETTINGS, STORE
from bot.telegram.runner import polling
from bot.usecases.imports import import_units
from bot.usecases.liaisons import list_liaisons
from bot.usecases.setup import initialize
from scoring.errors import DomainError
from scoring.ruleset import BUILTIN_RULESETS, Group, Ruleset

ADMIN_ID = 100
LIAISON_IDS = (201, 202, 203)
# A reply counts as complete once the bot has been idle this long; a handler that is still
# busy (or an update not yet fetched) keeps the wait going, up to SETTLE_LIMIT.
SETTLE_QUIET = 0.3
SETTLE_LIMIT = 5.0
SETTLE_POLL = 0.03
# Sent with :file as photos, the way a Telegram client sends pictures; anything else is a document.
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})
# Telegram's limit for a first name.
NAME_LIMIT = 64
# A path typed in a terminal command: in double quotes when it holds spaces.
_PATH = re.compile(r'"(?P<quoted>[^"]+)"|(?P<plain>\S+)')

ReadLine = Callable[[str], Awaitable[str | None]]
Write = Callable[[str], None]


@dataclass(frozen=True)
class Identity:
    """Someone the person at the terminal can speak as."""

    key: str  # what `:as` takes besides the unit or the name: 管理员, 1, 2, 3, ...
    user_id: int
    name: str  # the Telegram first name
    admin: bool = False
    unit: str | None = None  # the unit a liaison speaks for; None for the admin or before binding
    group: str | None = None  # the unit's group as the ruleset shows it

    @property
    def label(self) -> str:
        if self.admin:
            return texts.SANDBOX_ADMIN
        return self.unit or self.name

    def matches(self, text: str) -> bool:
        return text in (self.key, self.label, self.name, str(self.user_id))

    def listing(self) -> str:
        if self.admin:
            return texts.SANDBOX_WHO_ADMIN.format(
                key=self.key, name=self.name, user_id=self.user_id
            )
        if self.unit is None:
            return texts.SANDBOX_WHO_UNBOUND.format(
                key=self.key, name=self.name, user_id=self.user_id
            )
        return texts.SANDBOX_WHO_LIAISON.format(
            key=self.key, unit=self.unit, group=self.group, name=self.name, user_id=self.user_id
        )

    def now_speaking(self) -> str:
        if self.admin:
            return texts.SANDBOX_NOW_ADMIN.format(name=self.name)
        if self.unit is None:
            return texts.SANDBOX_NOW_UNBOUND.format(name=self.name)
        return texts.SANDBOX_NOW_LIAISON.format(unit=self.unit, name=self.name)


@dataclass(frozen=True)
class Demo:
    """The prepared database: its ruleset, roster size and one demo unit from each group."""

    ruleset: Ruleset
    units: int
    liaison_units: list[tuple[str, str]]  # (unit, group label): each group's first unit


async def run_sandbox(settings: Settings, ruleset: str) -> int:
    """The terminal chat on stdin and stdout, in a directory removed on exit."""

    def write(text: str) -> None:
        print(text, flush=True)

    with tempfile.TemporaryDirectory(prefix="govinfo-sandbox-") as tmp:
        try:
            return await sandbox_session(settings, ruleset, _read_stdin, write, Path(tmp))
        except DomainError as err:
            for line in texts.domain_error_lines(err):
                print(line, file=sys.stderr)
            return 1


async def sandbox_session(
    settings: Settings, ruleset: str, read_line: ReadLine, write: Write, db_dir: Path
) -> int:
    """Prepare a demo database in `db_dir`, start the bot, then chat until `:quit` or the end of
    input. `read_line(prompt)` returns the next line typed, None at the end."""
    write(texts.SANDBOX_STARTING)
    db = db_dir / "sandbox.sqlite3"
    demo = await _prepare_demo_db(db, ruleset, settings.now())
    admin = Identity(texts.SANDBOX_ADMIN, ADMIN_ID, texts.SANDBOX_ADMIN_NAME, admin=True)
    # One liaison per group, as many as there are demo people (a ruleset may have fewer groups).
    people = zip(LIAISON_IDS, texts.SANDBOX_LIAISON_NAMES, demo.liaison_units, strict=False)
    liaisons = [
        Identity(str(number), user_id, name, unit=unit, group=group)
        for number, (user_id, name, (unit, group)) in enumerate(people, start=1)
    ]
    async with FakeBotApi() as server:
        bot_settings = settings.model_copy(
            update={
                "bot_token": SecretStr(server.token),
                "api_base_url": server.base_url,
                "api_base_file_url": server.base_file_url,
                "db": db,
                "ruleset": demo.ruleset.id,
                "admin_ids": [admin.user_id],
                # The office group's copies of submissions, with their evidence, go to the
                # admin: a group chat would be a chat nobody in the sandbox can read.
                "office_chat_id": admin.user_id,
                # A name to head the bulletin, so that /bulletin shows the Word draft too.
                "office_name": settings.office_name or texts.SANDBOX_OFFICE_NAME,
            }
        )
        app = build_application(bot_settings, rate_limit=False)
        async with polling(app):
            for liaison in liaisons:
                await _bind(server, admin, liaison)
            # Start as a liaison: reporting is what most people come to try first.
            terminal = Terminal(
                server, app, [admin, *liaisons], liaisons[0], write, demo.ruleset.groups_by_key
            )
            approval = (
                texts.SANDBOX_APPROVAL_ON
                if settings.require_approval
                else texts.SANDBOX_APPROVAL_OFF
            )
            write(
                texts.SANDBOX_INTRO.format(
                    ruleset=demo.ruleset.id,
                    name=demo.ruleset.name,
                    units=demo.units,
                    db=db,
                    approval=approval,
                )
            )
            write(texts.SANDBOX_HELP)
            await terminal.chat(read_line)
    write(texts.SANDBOX_BYE)
    return 0


async def _prepare_demo_db(db: Path, ruleset: str, now: datetime) -> Demo:
    """A new database with the ruleset and its demo roster from the package data."""
    store = await Store.open(db)
    try:
        loaded, _ = await initialize(store, ruleset)
        roster = resources.files("bot").joinpath("demo", f"{loaded.id}-units.csv")
        if not roster.is_file():
            raise DomainError(
                "sandbox_no_roster", ruleset=loaded.id, known=", ".join(BUILTIN_RULESETS)
            )
        with resources.as_file(roster) as path:
            imported = await import_units(store, path, "sandbox", now)
        first_of_group: dict[str, str] = {}
        for row in csv.DictReader(io.StringIO(roster.read_text("utf-8"))):
            first_of_group.setdefault(row["group"], row["name"])
    finally:
        await store.close()
    groups = loaded.groups_by_key
    liaison_units = [(unit, groups[group].display) for group, unit in first_of_group.items()]
    return Demo(loaded, imported.total, liaison_units)


async def _bind(server: FakeBotApi, admin: Identity, liaison: Identity) -> None:
    """Through the real invite flow: the admin invites, the liaison opens the deep link."""
    server.send_message(admin.user_id, f"/invite {liaison.unit}", first_name=admin.name)
    invite = str((await server.next_message(admin.user_id)).message["text"])
    if "start=" not in invite:
        raise RuntimeError(f"could not invite a demo liaison for {liaison.unit}: {invite}")
    code = invite.rsplit("start=", 1)[1].strip()
    server.send_message(liaison.user_id, f"/start {code}", first_name=liaison.name)
    bound = str((await server.next_message(liaison.user_id)).message["text"])
    if bound != fit(texts.BOUND.format(unit=liaison.unit)):  # as the bot says it, phone-sized
        raise RuntimeError(f"could not bind a demo liaison to {liaison.unit}: {bound}")


class Terminal:
    """The chat loop: sends what is typed as the current identity and prints what the bot sent.

    Messages are numbered as in their chat (the bot's and the user's alike), so that `:reply N`
    and `:save N` can name them."""

    def __init__(
        self,
        server: FakeBotApi,
        app: Application,  # type: ignore[type-arg]
        identities: list[Identity],
        current: Identity,
        write: Write,
        groups: dict[str, Group],
    ) -> None:
        self.server = server
        self.app = app
        self.store: Store = app.bot_data[STORE]
        self.identities = identities
        self.write = write
        self.groups = groups
        # The start-up chatter (invites, bindings) is not news to the person at the terminal.
        self.shown = {
            _key(message): _signature(message) for message in server.sent if not message.deleted
        }
        self.announced: dict[int, int] = {}  # user id -> unseen count already announced
        self.current = current

    async def chat(self, read_line: ReadLine) -> None:
        self.who()
        self.write(self.current.now_speaking())
        while (
            line := await read_line(texts.SANDBOX_PROMPT.format(label=self.current.label))
        ) is not None:
            line = line.strip()
            if not line:
                continue
            if not line.startswith(":"):
                await self.say(line)
                continue
            command, _, argument = line[1:].partition(" ")
            argument = argument.strip()
            match command:
                case "quit" | "q" | "exit":
                    return
                case "help":
                    self.write(texts.SANDBOX_HELP)
                case "who":
                    self.who()
                case "as":
                    self.switch(argument)
                case "new":
                    self.new(argument)
                case "press":
                    await self.press(argument)
                case "reply":
                    await self.reply(argument)
                case "file":
                    await self.send_file(argument)
                case "save":
                    self.save(argument)
                case "time":
                    await self.travel(argument)
                case _:
                    self.write(texts.SANDBOX_UNKNOWN_COMMAND.format(command=f":{command}"))

    def who(self) -> None:
        self.write(texts.SANDBOX_WHO)
        for identity in self.identities:
            mark = texts.SANDBOX_WHO_CURRENT if identity.user_id == self.current.user_id else ""
            self.write(f"  {identity.listing()}{mark}")

    def switch(self, argument: str) -> None:
        if not argument:
            self.write(texts.error_text("usage", {"usage": texts.SANDBOX_USAGE_AS}))
            return
        found = next((i for i in self.identities if i.matches(argument)), None)
        if found is None:
            self.write(texts.SANDBOX_NO_IDENTITY.format(key=argument))
            return
        self.become(found)

    def new(self, argument: str) -> None:
        """A user the bot has never seen, to open an invite link with: the next free user id."""
        user_id = max(identity.user_id for identity in self.identities) + 1
        name = argument or texts.SANDBOX_NEW_NAME.format(user_id=user_id)
        if len(name) > NAME_LIMIT:
            self.write(texts.SANDBOX_NAME_TOO_LONG.format(limit=NAME_LIMIT))
            return
        taken = next((i for i in self.identities if i.matches(name)), None)
        if taken is not None:
            self.write(texts.SANDBOX_NAME_TAKEN.format(name=name, key=taken.key))
            return
        key = str(sum(not identity.admin for identity in self.identities) + 1)
        identity = Identity(key, user_id, name)
        self.identities.append(identity)
        self.write(texts.SANDBOX_NEW.format(key=key, name=name, user_id=user_id))
        self.become(identity)

    def become(self, identity: Identity) -> None:
        self.current = identity
        self.write(identity.now_speaking())
        self.show_current()
        self.announce_others()

    async def say(self, text: str) -> None:
        update = self.server.send_message(self.current.user_id, text, first_name=self.current.name)
        self.write(texts.SANDBOX_SENT.format(number=update["message"]["message_id"]))
        await self.show_replies()

    async def reply(self, argument: str) -> None:
        number_text, _, text = argument.partition(" ")
        if not text.strip():
            self.write(texts.error_text("usage", {"usage": texts.SANDBOX_USAGE_REPLY}))
            return
        number = self.message_number(number_text)
        if number is None:
            return
        try:
            update = self.server.send_message(
                self.current.user_id,
                text.strip(),
                first_name=self.current.name,
                reply_to_message_id=number,
            )
        except ValueError:  # the fake server's answer to a message not in the chat
            self.write(texts.SANDBOX_NO_MESSAGE.format(number=number))
            return
        sent = update["message"]["message_id"]
        self.write(texts.SANDBOX_SENT_REPLY.format(number=sent, target=number))
        await self.show_replies()

    async def press(self, argument: str) -> None:
        if not argument.isdigit():
            self.write(texts.error_text("usage", {"usage": ":press N"}))
            return
        latest = next(
            (
                message
                for message in reversed(self.server.messages_to(self.current.user_id))
                if message.inline_keyboard and not message.deleted
            ),
            None,
        )
        if latest is None:
            self.write(texts.SANDBOX_NO_BUTTONS)
            return
        buttons = [button for row in latest.inline_keyboard for button in row]
        number = int(argument)
        if not 1 <= number <= len(buttons):
            self.write(texts.SANDBOX_BUTTON_RANGE.format(number=number, count=len(buttons)))
            return
        button = buttons[number - 1]
        self.write(texts.SANDBOX_PRESSED.format(label=button["text"]))
        update = self.server.press_button(
            self.current.user_id, latest, str(button["callback_data"])
        )
        await self.settle()
        await self.refresh()
        query_id = update["callback_query"]["id"]
        for answer in self.server.callback_answers:
            if answer.callback_query_id == query_id and answer.text:
                self.write(texts.SANDBOX_ALERT.format(text=answer.text))
        self.show_current()
        self.announce_others()

    async def send_file(self, argument: str) -> None:
        path_text, caption = _path_argument(argument)
        if not path_text:
            self.write(texts.error_text("usage", {"usage": texts.SANDBOX_USAGE_FILE}))
            return
        path = Path(path_text).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            detail = exc.strerror or str(exc)
            self.write(texts.error_text("file_unreadable", {"path": path, "detail": detail}))
            return
        user_id = self.current.user_id
        if path.suffix.lower() in PHOTO_SUFFIXES:
            update = self.server.send_photo(user_id, data, caption or None, filename=path.name)
        else:
            update = self.server.send_document(user_id, path.name, data, caption or None)
        number = update["message"]["message_id"]
        self.write(
            texts.SANDBOX_SENT_FILE.format(number=number, filename=path.name, size=len(data))
        )
        await self.show_replies()

    def save(self, argument: str) -> None:
        """Writes the file of a bot's message to a path, or into a directory by its own name."""
        number_text, _, rest = argument.partition(" ")
        path_text, extra = _path_argument(rest.strip())
        if not path_text or extra:
            self.write(texts.error_text("usage", {"usage": texts.SANDBOX_USAGE_SAVE}))
            return
        number = self.message_number(number_text)
        if number is None:
            return
        message = next(
            (
                message
                for message in self.server.messages_to(self.current.user_id)
                if message.message_id == number and not message.deleted
            ),
            None,
        )
        if message is None:
            self.write(texts.SANDBOX_NO_BOT_MESSAGE.format(number=number))
            return
        stored = message.document or message.photo
        if stored is None:
            self.write(texts.SANDBOX_NOT_A_FILE.format(number=number))
            return
        target = Path(path_text).expanduser()
        # The name a user gave an uploaded file is theirs: only its last part is used.
        filename = Path(stored.filename).name
        if target.is_dir():
            target = target / filename
        try:
            target.write_bytes(stored.data)
        except OSError as exc:
            detail = exc.strerror or str(exc)
            self.write(texts.SANDBOX_SAVE_FAILED.format(path=target, detail=detail))
            return
        self.write(
            texts.SANDBOX_SAVED.format(filename=filename, path=target.resolve(), size=stored.size)
        )

    async def travel(self, argument: str) -> None:
        """`:time`: the bot's clock; `:time 2026-12-21 [09:00]`: move it forward there (the
        scheduled time of day by default), then let the scheduler make what fell due."""
        settings: Settings = self.app.bot_data[SETTINGS]
        if argument:
            try:
                to = _moment(argument, settings)
            except ValueError:
                self.write(texts.error_text("usage", {"usage": texts.SANDBOX_USAGE_TIME}))
                return
            if to <= settings.now():
                self.write(texts.SANDBOX_TIME_BACKWARDS.format(now=_clock(settings.now())))
                return
            settings.move_clock(to)
            scheduler = self.app.bot_data.get(SCHEDULER)
            if scheduler is not None:
                await scheduler.wake()
        self.write(texts.SANDBOX_TIME_NOW.format(now=_clock(settings.now())))
        await self.show_replies()

    def message_number(self, text: str) -> int | None:
        """The number N of a terminal command, or None after saying what is wrong with it."""
        try:
            return record_number(text)
        except DomainError as err:
            self.write(texts.error_text(err.code, err.params))
            return None

    async def show_replies(self) -> None:
        await self.settle()
        await self.refresh()
        self.show_current()
        self.announce_others()

    async def settle(self) -> None:
        """Wait until the bot has fetched every update and stayed idle for SETTLE_QUIET."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_LIMIT
        quiet_since = loop.time()
        calls = len(self.server.calls)
        while loop.time() < deadline:
            await asyncio.sleep(SETTLE_POLL)
            busy = (
                self.server.pending_update_count
                or self.app.update_queue.qsize()
                or self.app.update_processor.current_concurrent_updates
            )
            if busy or len(self.server.calls) != calls:
                calls = len(self.server.calls)
                quiet_since = loop.time()
            elif loop.time() - quiet_since >= SETTLE_QUIET:
                return

    async def refresh(self) -> None:
        """The units as the bot has them now: a new user bound through an invite, a liaison
        moved or removed by the admin."""
        bound = {
            liaison.address.telegram_id: liaison for liaison in await list_liaisons(self.store)
        }

        def now(identity: Identity) -> Identity:
            liaison = bound.get(identity.user_id)
            if identity.admin or liaison is None:
                return replace(identity, unit=None, group=None)
            group = self.groups.get(liaison.group)
            return replace(
                identity, unit=liaison.unit, group=group.display if group else liaison.group
            )

        self.identities = [now(identity) for identity in self.identities]
        self.current = next(i for i in self.identities if i.user_id == self.current.user_id)

    def show_current(self) -> None:
        for message, edited in self.unseen(self.current):
            self.write(_render(message, edited))
            self.shown[_key(message)] = _signature(message)
        self.announced[self.current.user_id] = 0

    def announce_others(self) -> None:
        for identity in self.identities:
            if identity.user_id == self.current.user_id:
                continue
            count = len(self.unseen(identity))
            if count > self.announced.get(identity.user_id, 0):
                self.write(
                    texts.SANDBOX_OTHERS.format(who=identity.label, count=count, key=identity.key)
                )
            self.announced[identity.user_id] = count

    def unseen(self, identity: Identity) -> list[tuple[SentMessage, bool]]:
        """Messages in the identity's chat not shown yet or changed since: (message, edited)."""
        changed = []
        for message in self.server.messages_to(identity.user_id):
            before = self.shown.get(_key(message))
            if not message.deleted and before != _signature(message):
                changed.append((message, before is not None))
        return changed


def _moment(text: str, settings: Settings) -> datetime:
    """`2026-12-21` (at the scheduled time of day) or `2026-12-21 14:30`, on the office's clock."""
    day_text, _, time_text = text.partition(" ")
    day = date.fromisoformat(day_text)
    at = time.fromisoformat(time_text.strip()) if time_text.strip() else settings.jobs_time
    return datetime.combine(day, at, tzinfo=settings.zone)


def _clock(moment: datetime) -> str:
    return texts.SANDBOX_CLOCK.format(
        moment=moment.strftime("%Y-%m-%d %H:%M"),
        weekday=texts.WEEKDAYS[moment.weekday()],
    )


def _path_argument(text: str) -> tuple[str, str]:
    """A path at the start of `text` and what follows it."""
    found = _PATH.match(text)
    if found is None:
        return "", text
    return found["quoted"] or found["plain"], text[found.end() :].strip()


def _key(message: SentMessage) -> tuple[int, int]:
    return message.chat_id, message.message_id


def _signature(message: SentMessage) -> str:
    """What the user sees of a message: an edit of its text or buttons changes it."""
    return json.dumps(
        [message.message.get("text"), message.message.get("caption"), message.inline_keyboard],
        ensure_ascii=False,
    )


def _render(message: SentMessage, edited: bool) -> str:
    lines: list[str] = []
    for stored, template in (
        (message.document, texts.SANDBOX_DOCUMENT),
        (message.photo, texts.SANDBOX_PHOTO),
    ):
        if stored is not None:
            lines.append(
                template.format(
                    filename=stored.filename, size=stored.size, number=message.message_id
                )
            )
    # The parsed text, as a Telegram client shows it: HTML markup already applied.
    body = message.message.get("text") or message.message.get("caption")
    if body:
        lines.append(str(body))
    number = 1
    for row in message.inline_keyboard:
        labels = []
        for button in row:
            labels.append(texts.SANDBOX_BUTTON.format(number=number, label=button["text"]))
            number += 1
        lines.append("  ".join(labels))
    first, *rest = "\n".join(lines).split("\n")
    prefix = (texts.SANDBOX_EDITED if edited else texts.SANDBOX_BOT).format(
        number=message.message_id
    )
    # Continuation lines are indented, so that each message reads as one block.
    return "\n".join([prefix + first, *(f"   {line}" if line else "" for line in rest)])


async def _read_stdin(prompt: str) -> str | None:
    """The next line of standard input, None at its end or at Ctrl-C.

    Each line is read by a daemon thread rather than asyncio.to_thread: at Ctrl-C the default
    executor would wait for the blocked input() until the user pressed Enter.
    """
    loop = asyncio.get_running_loop()
    result: asyncio.Future[str | None] = loop.create_future()
    interactive = sys.stdin.isatty()

    def resolve(line: str | None) -> None:
        if not result.done():
            result.set_result(line)

    def read() -> None:
        try:
            line: str | None = input(prompt if interactive else "")
        except EOFError:
            line = None
        # The loop is gone when the sandbox ended while this thread was still waiting.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(resolve, line)

    threading.Thread(target=read, name="sandbox-stdin", daemon=True).start()
    try:
        line = await result
    except asyncio.CancelledError:
        # Ctrl-C at the prompt (asyncio.run cancels the main task): end the input like Ctrl-D,
        # so that the bot and its database shut down in order instead of being torn away.
        print(flush=True)
        return None
    if line is not None and not interactive:
        # Piped input is not echoed by a terminal; echo it so the output reads as a chat.
        print(prompt + line, flush=True)
    return line
