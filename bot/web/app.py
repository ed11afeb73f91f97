"""The web console: a Starlette application over the use cases the chat and the command line
share (bot/usecases/), on the same database. Pages are rendered on the server (Jinja2), forms
are plain POSTs that htmx sends without reloading the page; every asset is served from here."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
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

from bot import render, texts
from bot.settings import Settings
from bot.sheets import csv_bytes
from bot.storage import Store, WebUser
from bot.usecases import desk, reports, webusers
from bot.usecases.notices import Notices
from bot.usecases.standings import standings
from bot.web import texts as words
from bot.web.session import COOKIE, Session, decode, encode, same_token
from scoring.errors import DomainError
from scoring.periods import Period, check_period, quarter_of, read_period
from scoring.points import points_json, show_points
from scoring.ruleset import Ruleset

HERE = Path(__file__).parent
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
        self.templates = Jinja2Templates(directory=HERE / "templates")
        self.templates.env.globals["t"] = words

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
            console.settings.now(),
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

    app = Starlette(
        routes=[
            Route("/", overview),
            Route("/login", login, methods=["GET", "POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/pending", pending),
            Route("/pending/{record:int}/{decision:str}", decide, methods=["POST"]),
            Route("/standings", standings_page),
            Route("/standings.{kind:str}", download),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={404: _not_found},
        lifespan=lifespan,
    )
    return _Headers(app)
