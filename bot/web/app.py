"""The web console: a Starlette application over the use cases the chat and the command line
share (bot/usecases/), on the same database. Pages are rendered on the server (Jinja2), forms
are plain POSTs that htmx sends without reloading the page; every asset is served from here."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import chatinput, render, texts
from bot.filelimits import MAX_FILE_BYTES
from bot.settings import Settings
from bot.sheets import csv_bytes
from bot.storage import Address, Store, WebUser
from bot.usecases import desk, reports, webusers
from bot.usecases.imports import Existing, RecordsImported
from bot.usecases.notices import Notices
from bot.usecases.standings import standings
from bot.web import liaison
from bot.web import texts as words
from bot.web.session import COOKIE, Session, decode, encode, same_token
from scoring.dates import read_day
from scoring.errors import DomainError
from scoring.periods import Period, check_period, parse_period, quarter_of, read_period
from scoring.points import points_json, show_points
from scoring.ruleset import ItemKind, Ruleset

HERE = Path(__file__).parent
# What a multipart upload adds to its file: its boundaries and the form's other fields.
UPLOAD_SLACK = 1 << 20
# An upload's token (secrets.token_urlsafe(16)): the name of its directory, nothing else.
UPLOAD_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
IMPORT_KINDS = ("records", "units")
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The longest token of a form (secrets.token_urlsafe(16) makes 22 characters).
FORM_TOKEN_MAX = 64
# Units shown per group of the quarter's standings on the overview.
TOP_SHOWN = 5
# Offices' intranets reach no CDN, and nothing here needs another origin: scripts and styles
# only from the console itself, no inline script, no framing.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
# Refusals, by the error's code: the HTTP status they are answered with (others: 409).
STATUS = {
    "web_admin_only": 403,
    "web_user_gone": 403,
    "web_login_wrong": 401,
    "web_login_throttled": 429,
    "reason_missing": 400,
}


class _Headers:
    """Adds SECURITY_HEADERS to every response, the static files' included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, sending)


@dataclass
class Visit:
    """One request's session, and the user it belongs to as the database has them now."""

    session: Session
    user: WebUser | None
    # The session ended for being idle (the login page says so).
    expired: bool = False
    form: FormData | None = None
    messages: list[str] = field(default_factory=list)


class Console:
    def __init__(self, settings: Settings, store: Store, notices: Notices) -> None:
        self.settings = settings
        self.store = store
        # How the liaisons are told what the console decided (the chat channel's renderer).
        self.notices = notices
        self.key = b""
        self.idle = settings.web_idle_minutes * 60
        self.throttle = webusers.Throttle(
            settings.web_login_attempts, timedelta(minutes=settings.web_login_window_minutes)
        )
        self.passwords = webusers.Passwords(
            settings.web_password_time_cost, settings.web_password_memory_kib
        )
        # Uploaded files between their preview and their confirmation, each in a directory
        # named by a random token; gone when the console stops.
        self.uploads = Path(tempfile.mkdtemp(prefix="govinfo-web-"))
        self.templates = Jinja2Templates(directory=HERE / "templates")
        self.templates.env.globals["t"] = words
        # An account's name, or a chat admin's actor (`tg:9001`) as the chat's records show it.
        self.templates.env.globals["shown_name"] = texts.actor_display
        # Points are hundredths: shown as the method writes them (5, 0.5, -0.25).
        self.templates.env.filters["points"] = show_points
        self.templates.env.filters["signed_points"] = partial(show_points, signed=True)

    def admins(self) -> set[Address]:
        """The chat's admins (Telegram ids in the settings), who may sign in by a link."""
        return {Address.telegram(admin) for admin in self.settings.admin_ids}

    def clock(self) -> float:
        return self.settings.now().timestamp()

    async def visit(self, request: Request) -> Visit:
        now = self.clock()
        cookie = request.cookies.get(COOKIE)
        session = decode(self.key, cookie) if cookie else None
        if session is not None and now - session.seen > self.idle:
            return Visit(Session.anonymous(now), None, expired=bool(session.name))
        if session is None:
            return Visit(Session.anonymous(now), None)
        if not session.name:
            return Visit(session, None)
        if session.name.startswith(webusers.LINK_SESSION):
            # A chat admin signed in by a link: an admin still, by the settings, at this moment.
            user = await webusers.link_admin(
                self.store, session.name, self.admins(), self.settings.now()
            )
            if user is None:
                return Visit(Session.anonymous(now), None)
            return Visit(session.touched(now), user)
        async with self.store.reading() as tx:
            user = await tx.webusers.web_user(session.name)
        if user is None:  # removed since: the session ends at once
            return Visit(Session.anonymous(now), None)
        return Visit(session.touched(now), user)

    def keep(self, response: Response, request: Request, session: Session) -> Response:
        response.set_cookie(
            COOKIE,
            encode(self.key, session),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        # Pages hold a user's data and their forms' tokens: never kept by a browser or a proxy.
        response.headers["cache-control"] = "no-store"
        return response

    def page(
        self, request: Request, visit: Visit, template: str, status: int = 200, **context: Any
    ) -> Response:
        response = self.templates.TemplateResponse(
            request,
            template,
            {"user": visit.user, "csrf": visit.session.csrf, "messages": visit.messages, **context},
            status_code=status,
        )
        return self.keep(response, request, visit.session)


Handler = Callable[[Request, Console, Visit], Awaitable[Response]]


def _signed_in(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A page for users signed in (the others are sent to log in); a POST's CSRF token checked
    before anything is read from its form."""

    async def endpoint(request: Request) -> Response:
        console: Console = request.app.state.console
        visit = await console.visit(request)
        if visit.user is None:
            where = "/login?expired=1" if visit.expired else "/login"
            return console.keep(RedirectResponse(where, 303), request, visit.session)
        if request.method == "POST":
            if int(request.headers.get("content-length") or 0) > MAX_FILE_BYTES + UPLOAD_SLACK:
                message = words.UPLOAD_TOO_LARGE.format(limit=MAX_FILE_BYTES >> 20)
                return console.page(request, visit, "refused.html", 413, message=message)
            visit.form = await request.form()
            if not same_token(visit.form.get("csrf"), visit.session.csrf):
                return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
        return await handler(request, console, visit)

    return endpoint


async def login(request: Request) -> Response:
    console: Console = request.app.state.console
    visit = await console.visit(request)
    if visit.user is not None:
        return console.keep(RedirectResponse("/", 303), request, visit.session)
    if visit.expired or request.query_params.get("expired"):
        visit.messages.append(words.SESSION_EXPIRED)
    elif request.query_params.get("out"):
        visit.messages.append(words.LOGGED_OUT)
    if request.method == "GET":
        return console.page(request, visit, "login.html")
    form = await request.form()
    if not same_token(form.get("csrf"), visit.session.csrf):
        return console.page(request, visit, "login.html", 403, error=words.FORM_STALE)
    name = str(form.get("name", ""))
    address = request.client.host if request.client else ""
    try:
        user = await webusers.log_in(
            console.store, name, str(form.get("password", "")), address, console.throttle,
            console.settings.now(), console.passwords,
        )  # fmt: skip
    except DomainError as err:
        status = STATUS.get(err.code, 400)
        error = texts.error_text(err.code, err.params)
        return console.page(request, visit, "login.html", status, error=error, name=name)
    session = visit.session.signed_in(user.name, console.clock())
    return console.keep(RedirectResponse("/", 303), request, session)


@_signed_in
async def logout(request: Request, console: Console, visit: Visit) -> Response:
    return console.keep(
        RedirectResponse("/login?out=1", 303), request, Session.anonymous(console.clock())
    )


@_signed_in
async def overview(request: Request, console: Console, visit: Visit) -> Response:
    seen = await desk.overview(console.store, console.settings.now())
    # At a glance: rank, unit, adoptions and total (the 排名 page has every column).
    labels = {g.id: g.display for g in seen.ruleset.groups}
    ranked = seen.ruleset.bulletin.ranked
    header = [texts.RANK if ranked else texts.ROW_NUMBER, texts.UNIT, words.ADOPTED, words.TOTAL]
    groups = [
        (
            labels[g.group],
            [[r.rank if ranked else n, r.unit, r.adoption_count, show_points(r.total)]
             for n, r in enumerate(g.rows[:TOP_SHOWN], start=1)],
        )
        for g in seen.quarter.groups
    ]  # fmt: skip
    return console.page(
        request, visit, "overview.html", seen=seen, header=header, groups=groups, top=TOP_SHOWN,
        quarter=_period_words(seen.quarter.period),
    )  # fmt: skip


@_signed_in
async def pending(request: Request, console: Console, visit: Visit) -> Response:
    return await _pending_page(request, console, visit)


async def _pending_page(
    request: Request, console: Console, visit: Visit, status: int = 200
) -> Response:
    waiting = await reports.pending(console.store)
    async with console.store.reading() as tx:
        ruleset = await tx.config.ruleset()
    claims = [
        {
            "claim": c,
            "item": ruleset.item(c.record.item_id).label,
            "link": c.evidence if c.evidence.startswith(("https://", "http://")) else "",
            "file": c.evidence.startswith(reports.FILE_EVIDENCE),
            # One token per form: the action claims it, so that a form sent twice acts once.
            "approve_form": secrets.token_urlsafe(16),
            "reject_form": secrets.token_urlsafe(16),
        }
        for c in waiting
    ]
    return console.page(request, visit, "pending.html", status, claims=claims)


@_signed_in
async def decide(request: Request, console: Console, visit: Visit) -> Response:
    assert visit.form is not None and visit.user is not None
    record_id = int(request.path_params["record"])
    form = str(visit.form.get("form", ""))
    if not 0 < len(form) <= FORM_TOKEN_MAX:
        # A decision comes from a form of the 待审核 page, which always has its token.
        return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
    now = console.settings.now()
    try:
        if request.path_params["decision"] == "approve":
            done = await desk.approve(
                console.store, visit.user.name, form, record_id, now, console.notices
            )
            said = words.APPROVED.format(
                record=done.record_id, unit=done.unit, points=show_points(done.points)
            )
        else:
            reason = str(visit.form.get("reason", ""))
            done = await desk.reject(
                console.store, visit.user.name, form, record_id, reason, now, console.notices
            )
            said = words.REJECTED.format(record=done.record_id, unit=done.unit)
    except DomainError as err:
        visit.messages.append(texts.error_text(err.code, err.params))
        if err.code == "web_user_gone":
            return console.keep(RedirectResponse("/login", 303), request, visit.session)
        return _at_pending(await _pending_page(request, console, visit, STATUS.get(err.code, 409)))
    visit.messages.append(said)
    return _at_pending(await _pending_page(request, console, visit))


def _at_pending(response: Response) -> Response:
    """The answer to a decision is the 待审核 page: htmx shows /pending as the page's address, so
    that reloading it shows the page rather than sending the decision again."""
    response.headers["hx-push-url"] = "/pending"
    return response


@_signed_in
async def standings_page(request: Request, console: Console, visit: Visit) -> Response:
    asked = request.query_params.get("period", "").strip()
    group = request.query_params.get("group", "").strip()
    async with console.store.reading() as tx:
        ruleset = await tx.config.ruleset()
    context: dict[str, Any] = {
        "asked": asked, "group": group, "choices": [(g.id, g.display) for g in ruleset.groups],
    }  # fmt: skip
    try:
        period, ruleset, table = await _standings(console, asked, group)
    except DomainError as err:
        visit.messages.append(texts.error_text(err.code, err.params))
        return console.page(request, visit, "standings.html", 400, **context)
    header, rows = render.standings_table(ruleset, table)
    groups = _by_group(rows)
    # The chart: each group's units and totals, as data the page's script reads (no inline
    # script: the CSP forbids it).
    labels = {g.id: g.display for g in ruleset.groups}
    charts = [
        {
            "title": words.STANDINGS_CHART.format(group=labels[g.group]),
            "units": [r.unit for r in g.rows],
            "totals": [points_json(r.total) for r in g.rows],
        }
        for g in table.groups
        if g.rows
    ]
    query = {"period": asked or period.name, **({"group": group} if group else {})}
    return console.page(
        request, visit, "standings.html", **context, heading=_period_words(period),
        header=header[1:], groups=groups, charts=charts, query=query,
    )  # fmt: skip


async def _standings(console: Console, asked: str, group: str) -> tuple[Period, Ruleset, Any]:
    """The period asked, and its standings with the method that ranks them (its columns those
    of every method in force in the period)."""
    today = console.settings.now().date()
    async with console.store.reading() as tx:
        ruleset = await tx.config.ruleset()
    period = quarter_of(today) if not asked else read_period(asked, today)
    period = check_period(period, ruleset.effective_from, today)
    ranked_by, table = await standings(console.store, period, [group] if group else None)
    return period, ranked_by, table


@_signed_in
async def download(request: Request, console: Console, visit: Visit) -> Response:
    """The standings as the command line writes them (`standings --format csv|xlsx`)."""
    kind = request.path_params["kind"]
    if kind not in ("csv", "xlsx"):
        return console.page(request, visit, "refused.html", 404, message=words.NOT_FOUND)
    try:
        period, ruleset, table = await _standings(
            console,
            request.query_params.get("period", "").strip(),
            request.query_params.get("group", "").strip(),
        )
    except DomainError as err:
        visit.messages.append(texts.error_text(err.code, err.params))
        return console.page(request, visit, "refused.html", 400, message=visit.messages.pop())
    if kind == "csv":
        data = csv_bytes(render.standings_csv(ruleset, table), "utf-8")
        media = "text/csv; charset=utf-8"
    else:
        data = render.standings_xlsx(ruleset, table)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = texts.STANDINGS_FILE.format(period=period.name, format=kind)
    response = Response(data, media_type=media)
    # RFC 6266: a Chinese file name goes in filename*, percent-encoded.
    response.headers["content-disposition"] = (
        f"attachment; filename=\"standings.{kind}\"; filename*=UTF-8''{quote(filename)}"
    )
    return console.keep(response, request, visit.session)


@_signed_in
async def import_page(request: Request, console: Console, visit: Visit) -> Response:
    return console.page(request, visit, "import.html", kind="records", existing="refuse")


@_signed_in
async def import_preview(request: Request, console: Console, visit: Visit) -> Response:
    """The upload, imported as a dry run: what the import would store, skip and refuse. The
    file is kept for its confirmation, which imports these very bytes."""
    assert visit.form is not None and visit.user is not None
    kind = str(visit.form.get("kind", ""))
    existing = str(visit.form.get("existing", "refuse"))
    upload = visit.form.get("file")
    context: dict[str, Any] = {"kind": kind, "existing": existing}
    if kind not in IMPORT_KINDS or existing not in {e.value for e in Existing}:
        return console.page(request, visit, "refused.html", 400, message=words.FORM_STALE)
    if isinstance(upload, str) or upload is None or not upload.filename:
        visit.messages.append(words.IMPORT_NO_FILE)
        return console.page(request, visit, "import.html", 400, **context)
    token = secrets.token_urlsafe(16)
    # The file keeps its own name (the import's batch records it), without any folder.
    name = Path(upload.filename.replace("\\", "/")).name or "upload"
    folder = console.uploads / token
    folder.mkdir()
    path = folder / name
    with path.open("wb") as out:
        await _copy(upload, out)
    meta = {"user": visit.user.name, "kind": kind, "existing": existing, "name": name}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    try:
        done = await _import(console, visit, folder, meta, dry_run=True)
    except DomainError as err:
        shutil.rmtree(folder)
        lines = [line.replace(str(path), name) for line in texts.domain_error_lines(err)]
        if err.code == "web_user_gone":
            return console.keep(RedirectResponse("/login", 303), request, visit.session)
        return console.page(
            request, visit, "import.html", STATUS.get(err.code, 422), **context, name=name,
            refused=lines,
        )  # fmt: skip
    async with console.store.reading() as tx:
        labels = {i.id: i.label for i in (await tx.config.ruleset()).items}
    return console.page(
        request, visit, "import.html", **context, name=name, preview=_import_lines(done),
        token=token, form=secrets.token_urlsafe(16), labels=labels,
        rows=done.lines if isinstance(done, RecordsImported) else [],
    )  # fmt: skip


@_signed_in
async def import_confirm(request: Request, console: Console, visit: Visit) -> Response:
    """The previewed file imported for real, once: its folder is gone after, and its form
    token claimed with the import's actor."""
    assert visit.form is not None and visit.user is not None
    token = str(visit.form.get("token", ""))
    form = str(visit.form.get("form", ""))
    folder = console.uploads / token
    if not UPLOAD_TOKEN.fullmatch(token) or not 0 < len(form) <= FORM_TOKEN_MAX:
        return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        visit.messages.append(words.IMPORT_GONE)
        return console.page(request, visit, "import.html", 409, kind="records", existing="refuse")
    context = {"kind": meta["kind"], "existing": meta["existing"], "name": meta["name"]}
    if meta["user"] != visit.user.name:
        return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
    try:
        done = await _import(console, visit, folder, meta, dry_run=False, form=form)
    except DomainError as err:
        if err.code == "web_user_gone":
            return console.keep(RedirectResponse("/login", 303), request, visit.session)
        lines = [line.replace(str(folder / meta["name"]), meta["name"])
                 for line in texts.domain_error_lines(err)]  # fmt: skip
        if err.code != "web_form_replayed":
            shutil.rmtree(folder, ignore_errors=True)
        return console.page(
            request, visit, "import.html", STATUS.get(err.code, 409), **context, refused=lines
        )
    shutil.rmtree(folder, ignore_errors=True)
    response = console.page(request, visit, "import.html", **context, imported=_import_lines(done))
    response.headers["hx-push-url"] = "/import"
    return response


async def _import(
    console: Console,
    visit: Visit,
    folder: Path,
    meta: dict[str, str],
    *,
    dry_run: bool,
    form: str = "",
) -> RecordsImported | Any:
    assert visit.user is not None
    return await desk.import_file(
        console.store, visit.user.name, form, meta["kind"], folder / meta["name"],
        Existing(meta["existing"]), console.settings.now(), dry_run=dry_run,
        notices=console.notices,
    )  # fmt: skip


async def _copy(upload: Any, out: Any) -> None:
    while chunk := await upload.read(1 << 20):
        out.write(chunk)


def _import_lines(done: Any) -> list[str]:
    """What an import stores (or would), in the command line's words."""
    if not isinstance(done, RecordsImported):
        said = words.UNITS_DRY if done.dry_run else texts.UNITS_IMPORTED
        return [said.format(added=done.added, updated=done.updated, total=done.total)]
    lines = [
        (texts.RECORDS_DRY if done.dry_run else texts.RECORDS_IMPORTED).format(
            rows=done.rows, records=done.records, submissions=done.submissions,
            entries=done.entries, points=show_points(done.points),
        )
    ]  # fmt: skip
    if done.skipped:
        skipped = texts.RECORDS_SKIPPED_DRY if done.dry_run else texts.RECORDS_SKIPPED
        lines.append(skipped.format(skipped=done.skipped))
    if done.changes:
        head = texts.RESETTLED_HEAD_DRY if done.dry_run else texts.RESETTLED_HEAD
        lines += render.render_changes(head, done.changes).splitlines()
    return lines


@_signed_in
async def periods_page(request: Request, console: Console, visit: Visit) -> Response:
    return await _periods_page(request, console, visit)


async def _periods_page(
    request: Request, console: Console, visit: Visit, status: int = 200
) -> Response:
    locks, events = await desk.period_history(console.store)
    return console.page(
        request, visit, "periods.html", status, locks=locks, events=events,
        lock_form=secrets.token_urlsafe(16), reopen_form=secrets.token_urlsafe(16),
        name_of=lambda label: parse_period(label).name, who=texts.actor_display,
        event_words=texts.PERIOD_EVENTS,
    )  # fmt: skip


@_signed_in
async def period_action(request: Request, console: Console, visit: Visit) -> Response:
    """A period locked, or reopened with its reason, through the chat's use cases."""
    assert visit.form is not None and visit.user is not None
    form = str(visit.form.get("form", ""))
    if not 0 < len(form) <= FORM_TOKEN_MAX:
        return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
    period = str(visit.form.get("period", ""))
    now = console.settings.now()
    try:
        if request.path_params["action"] == "lock":
            done = await desk.lock_period(
                console.store, visit.user.name, form, period, now, console.notices
            )
            said = texts.PERIOD_LOCKED.format(period=done.name)
        else:
            reason = str(visit.form.get("reason", ""))
            done = await desk.reopen_period(
                console.store, visit.user.name, form, period, reason, now, console.notices
            )
            said = texts.PERIOD_REOPENED.format(period=done.name)
    except DomainError as err:
        if err.code == "web_user_gone":
            return console.keep(RedirectResponse("/login", 303), request, visit.session)
        visit.messages.append(texts.error_text(err.code, err.params))
        status = STATUS.get(err.code, 409)
        return _pushed(await _periods_page(request, console, visit, status), "/periods")
    visit.messages.append(said)
    return _pushed(await _periods_page(request, console, visit), "/periods")


def _pushed(response: Response, where: str) -> Response:
    """An action's answer is its page: htmx shows that page's address, so that reloading it
    shows the page rather than sending the action again."""
    response.headers["hx-push-url"] = where
    return response


@_signed_in
async def bulletin_page(request: Request, console: Console, visit: Visit) -> Response:
    """A period's draft as the pages of its PDF, with the issue number and date asked; the
    versions published, each downloadable as it was published."""
    asked = {k: request.query_params.get(k, "").strip() for k in ("period", "issue", "date")}
    return await _bulletin_page(request, console, visit, asked)


async def _bulletin_page(
    request: Request, console: Console, visit: Visit, asked: dict[str, str], status: int = 200
) -> Response:
    from bot.bulletin.render import render as render_bulletin
    from bot.usecases import bulletin as bulletins

    published = [
        {"p": p, "name": parse_period(p.period).name, "who": texts.actor_display(p.by)}
        for p in reversed(await bulletins.publications(console.store))
    ]
    context: dict[str, Any] = {"asked": asked, "published": published}
    if not asked["period"]:
        return console.page(request, visit, "bulletin.html", status, **context)
    try:
        period, letter, wording = _letter(console, asked)
        paper = await bulletins.bulletin(console.store, period)
        pdf = await render_bulletin(
            paper, "pdf", letter, console.settings.now(), wording=wording,
            pdf_timeout=console.settings.bulletin_pdf_timeout,
        )  # fmt: skip
        await bulletins.remember_letter(console.store, period, letter)
        pages = await _page_images(pdf)
    except DomainError as err:
        visit.messages.append(texts.error_text(err.code, err.params))
        return console.page(request, visit, "bulletin.html", 400, **context)
    return console.page(
        request, visit, "bulletin.html", status, **context, period=period, pages=pages,
        form=secrets.token_urlsafe(16),
    )  # fmt: skip


def _letter(console: Console, asked: dict[str, str]) -> tuple[Period, Any, Any]:
    from bot.bulletin.letter import office_letter

    today = console.settings.now().date()
    period = read_period(asked["period"], today)
    day = read_day(asked["date"], today) if asked["date"] else today
    letter, wording = office_letter(console.settings, day, asked["issue"])
    return period, letter, wording


# Pages of a draft shown at this resolution (dots per inch): an A4 page some 600 pixels wide.
PAGE_DPI = "72"
PAGES_WITHIN = 60.0


async def _page_images(pdf: bytes) -> list[str]:
    """The PDF's pages as PNG images in data: addresses (the page allows no other origin),
    drawn by poppler's pdftoppm."""
    with tempfile.TemporaryDirectory(prefix="govinfo-pages-") as work:
        source = Path(work) / "draft.pdf"
        source.write_bytes(pdf)
        process = await asyncio.create_subprocess_exec(
            "pdftoppm", "-png", "-r", PAGE_DPI, str(source), str(Path(work) / "page"),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await asyncio.wait_for(process.wait(), PAGES_WITHIN)
        except TimeoutError:
            process.kill()
            raise DomainError("pdf_timeout", seconds=round(PAGES_WITHIN)) from None
        return [
            "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
            for png in sorted(Path(work).glob("page*.png"))
        ]


@_signed_in
async def bulletin_publish(request: Request, console: Console, visit: Visit) -> Response:
    """The previewed draft published with its issue number and date, locking its period."""
    assert visit.form is not None and visit.user is not None
    form = str(visit.form.get("form", ""))
    if not 0 < len(form) <= FORM_TOKEN_MAX:
        return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
    asked = {k: str(visit.form.get(k, "")).strip() for k in ("period", "issue", "date")}
    try:
        period, letter, wording = _letter(console, asked)
        issued = await desk.publish_bulletin(
            console.store, visit.user.name, form, period, letter, wording,
            console.settings.now(), console.notices,
        )  # fmt: skip
    except DomainError as err:
        if err.code == "web_user_gone":
            return console.keep(RedirectResponse("/login", 303), request, visit.session)
        visit.messages.append(texts.error_text(err.code, err.params))
        status = STATUS.get(err.code, 409)
        return _pushed(await _bulletin_page(request, console, visit, {**asked, "period": ""},
                                            status), "/bulletin")  # fmt: skip
    visit.messages.append(texts.BULLETIN_PUBLISHED.format(
        period=period.name, version=issued.publication.version, units=issued.units_told
    ))  # fmt: skip
    return _pushed(await _bulletin_page(request, console, visit, {**asked, "period": ""}),
                   "/bulletin")  # fmt: skip


@_signed_in
async def bulletin_file(request: Request, console: Console, visit: Visit) -> Response:
    """A published version's DOCX or XLSX byte for byte as it was published."""
    from bot.usecases import bulletin as bulletins

    kind = request.path_params["kind"]
    if kind not in ("docx", "xlsx"):
        return console.page(request, visit, "refused.html", 404, message=words.NOT_FOUND)
    try:
        period = parse_period(request.path_params["period"])
        stored = await bulletins.published_file(
            console.store, period, request.path_params["version"], kind
        )
    except (DomainError, ValueError):
        return console.page(request, visit, "refused.html", 404, message=words.NOT_FOUND)
    response = Response(stored.data, media_type=MEDIA[kind])
    response.headers["content-disposition"] = (
        f"attachment; filename=\"bulletin.{kind}\"; filename*=UTF-8''{quote(stored.filename)}"
    )
    return console.keep(response, request, visit.session)


@_signed_in
async def ledger_page(request: Request, console: Console, visit: Visit) -> Response:
    """The ledger searched by period, unit, item and actor."""
    asked = {
        k: request.query_params.get(k, "").strip() for k in ("period", "unit", "item", "actor")
    }
    return await _ledger_page(request, console, visit, asked)


@_signed_in
async def reverse_line(request: Request, console: Console, visit: Visit) -> Response:
    """A ledger line reversed with its reason, as /reverse in chat."""
    assert visit.form is not None and visit.user is not None
    form = str(visit.form.get("form", ""))
    if not 0 < len(form) <= FORM_TOKEN_MAX:
        return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
    entry = int(request.path_params["entry"])
    asked = {k: str(visit.form.get(k, "")).strip() for k in ("period", "unit", "item", "actor")}
    status = 200
    try:
        done = await desk.reverse_line(
            console.store, visit.user.name, form, entry, str(visit.form.get("reason", "")),
            console.settings.now(), console.notices,
        )  # fmt: skip
        visit.messages.append(
            words.LEDGER_REVERSED.format(
                line=entry, unit=done.unit, points=show_points(done.points, signed=True)
            )
        )
    except DomainError as err:
        if err.code == "web_user_gone":
            return console.keep(RedirectResponse("/login", 303), request, visit.session)
        visit.messages.append(texts.error_text(err.code, err.params))
        status = STATUS.get(err.code, 409)
    where = "/ledger?" + "&".join(f"{k}={quote(v)}" for k, v in asked.items() if v)
    return _pushed(await _ledger_page(request, console, visit, asked, status), where)


@_signed_in
async def enter_line(request: Request, console: Console, visit: Visit) -> Response:
    """A penalty or an adjustment entered with its reason, as /penalty and /adjust in chat."""
    assert visit.form is not None and visit.user is not None
    form = str(visit.form.get("form", ""))
    kind = request.path_params["kind"]
    if not 0 < len(form) <= FORM_TOKEN_MAX or kind not in ("penalty", "adjustment"):
        return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
    field = {
        k: str(visit.form.get(k, "")).strip() for k in ("unit", "item", "day", "points", "note")
    }
    now = console.settings.now()
    status = 200
    try:
        if kind == "penalty":
            day = read_day(field["day"], now.date()) if field["day"] else now.date()
            done = await desk.enter_penalty(
                console.store, visit.user.name, form, field["unit"], field["item"], day,
                field["note"], now, console.notices,
            )  # fmt: skip
        else:
            done = await desk.enter_adjustment(
                console.store, visit.user.name, form, field["unit"], chatinput.points(field["points"]),
                field["note"], now, console.notices,
            )  # fmt: skip
        visit.messages.append(words.LEDGER_ENTERED.format(
            record=done.record_id, unit=done.unit, item=done.item, points=show_points(done.points, signed=True)
        ))  # fmt: skip
    except DomainError as err:
        if err.code == "web_user_gone":
            return console.keep(RedirectResponse("/login", 303), request, visit.session)
        visit.messages.append(texts.error_text(err.code, err.params))
        status = 400 if err.code.startswith("points_") else STATUS.get(err.code, 409)
    asked = {"period": "", "unit": "", "item": "", "actor": ""}
    return _pushed(await _ledger_page(request, console, visit, asked, status), "/ledger")


async def _ledger_page(
    request: Request, console: Console, visit: Visit, asked: dict[str, str], status: int = 200
) -> Response:
    async with console.store.reading() as tx:
        ruleset = await tx.config.ruleset()
    labels = {i.id: i.label for i in ruleset.items}
    for m in ruleset.modifiers:
        labels.setdefault(m.id, m.label)
    context: dict[str, Any] = {"asked": asked, "items": list(labels.items()), "labels": labels}
    try:
        found = await desk.search_ledger(
            console.store, asked["period"], asked["unit"], asked["item"], asked["actor"],
            console.settings.now(),
        )  # fmt: skip
    except DomainError as err:
        visit.messages.append(texts.error_text(err.code, err.params))
        return console.page(request, visit, "ledger.html", 400, **context)
    return console.page(
        request, visit, "ledger.html", status, **context, found=found, who=texts.actor_display,
        heading=_period_words(found.period),
        forms={line.id: secrets.token_urlsafe(16) for line in found.lines},
        penalties=[(i.id, i.label) for i in ruleset.items if i.kind is ItemKind.PENALTY],
        penalty_form=secrets.token_urlsafe(16), adjustment_form=secrets.token_urlsafe(16),
    )  # fmt: skip


def _by_group(rows: list[list[object]]) -> list[tuple[str, list[list[object]]]]:
    """standings_table's rows by group (its first column), in order, the group column dropped."""
    groups: dict[str, list[list[object]]] = {}
    for row in rows:
        groups.setdefault(str(row[0]), []).append(row[1:])
    return list(groups.items())


def _period_words(period: Period) -> str:
    return words.STANDINGS_HEADING.format(period=period.name, start=period.start, end=period.end)


async def _not_found(request: Request, exc: Exception) -> Response:
    console: Console = request.app.state.console
    visit = await console.visit(request)
    return console.page(request, visit, "refused.html", 404, message=words.NOT_FOUND)


def build_app(settings: Settings, notices: Notices) -> ASGIApp:
    """The console on the database of `settings`, opened when the server starts; what its
    decisions owe people goes through `notices`."""
    liaison.hide_link_tokens()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = await Store.open(
            settings.db, key_file=settings.ledger_key_file, key=settings.ledger_key_value
        )
        console = Console(settings, store, notices)
        async with store.transaction() as tx:
            console.key = (await tx.webusers.web_session_key()).encode()
        app.state.console = console
        try:
            yield
        finally:
            await store.close()
            shutil.rmtree(console.uploads, ignore_errors=True)

    from bot.web import link, people

    app = Starlette(
        routes=[
            Route("/", overview),
            Route("/login", login, methods=["GET", "POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/pending", pending),
            Route("/pending/{record:int}/{decision:str}", decide, methods=["POST"]),
            Route("/standings", standings_page),
            Route("/standings.{kind:str}", download),
            Route("/bulletin", bulletin_page),
            Route("/bulletin/publish", bulletin_publish, methods=["POST"]),
            Route("/bulletin/{period:str}/v{version:int}.{kind:str}", bulletin_file),
            Route("/ledger", ledger_page),
            Route("/ledger/{entry:int}/reverse", reverse_line, methods=["POST"]),
            Route("/ledger/{kind:str}", enter_line, methods=["POST"]),
            Route("/periods", periods_page),
            Route("/periods/{action:str}", period_action, methods=["POST"]),
            Route("/import", import_page),
            Route("/import/preview", import_preview, methods=["POST"]),
            Route("/import/confirm", import_confirm, methods=["POST"]),
            Route("/link/{token:str}", link.open_link, methods=["GET", "POST"]),
            Route("/people", people.people_page),
            Route("/people/invite", people.make_invite, methods=["POST"]),
            Route("/people/{action:str}", people.change_liaison, methods=["POST"]),
            *liaison.routes(_signed_in),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={404: _not_found},
        lifespan=lifespan,
    )
    return _Headers(app)
