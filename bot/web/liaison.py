"""The liaison's page of the web console, for liaisons who cannot reach Telegram: opened by a
personal link (bot.usecases.links) without a password, it shows what /me, /rank and /history
show in chat, through the same use cases, and takes a submission or an adoption claim with the
chat's summary and confirmation. The office's page 个人链接 makes and revokes the links."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot import texts
from bot.render import EVIDENCE_SHOWN, cut, explanation_lines
from bot.storage import Liaison, Store
from bot.usecases import links, reports, status
from bot.usecases.reports import Draft
from bot.usecases.request import Request as Asked
from bot.usecases.standings import standings
from bot.web import texts as words
from bot.web.session import same_token
from bot.workdays import workdays_between
from scoring.dates import read_day
from scoring.errors import DomainError
from scoring.periods import month_of
from scoring.points import show_points
from scoring.ruleset import Item, Ruleset

if TYPE_CHECKING:
    from bot.web.app import Console, Handler, Visit

# A liaison's forms are a few short fields: anything longer is not one of them.
FORM_MAX = 64 << 10
# The longest token of a form (secrets.token_urlsafe(16) makes 22 characters).
FORM_TOKEN_MAX = 64
# Rows of the group's standings shown around the liaison's own unit (as /rank in chat).
RANK_ROWS = 40
# Records of the unit shown (as /history in chat).
HISTORY_SHOWN = 10
# The refusals answered with a status of their own (others: 409, a form's mistakes 400).
STATUS = {"link_invalid": 404, "web_form_replayed": 409, "button_forged": 403}


# A personal link's address, whose token is its liaison's key.
LINK_PATH = re.compile(r"/l/[^/?#\s\"]+")
HIDDEN = "/l/<token>"


class HideLinkTokens(logging.Filter):
    """Takes personal links' tokens out of log lines: the server's access log names the path of
    every request, and a log is read by more people than the liaison."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                LINK_PATH.sub(HIDDEN, a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = LINK_PATH.sub(HIDDEN, record.msg)
        return True


def hide_link_tokens() -> None:
    """The filter on the loggers of the server that serves the console (uvicorn)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideLinkTokens) for f in logger.filters):
            logger.addFilter(HideLinkTokens())


def routes(signed_in: Callable[[Handler], Callable[[Request], Awaitable[Response]]]) -> list[Route]:
    """The liaison's page (no login: its link is the key) and the office's page of links."""
    return [
        Route("/l/{token:str}", liaison_page),
        Route("/l/{token:str}/{action:str}", liaison_action, methods=["POST"]),
        Route("/links", signed_in(links_page)),
        Route("/links", signed_in(make_link), methods=["POST"]),
        Route("/links/{link:int}/revoke", signed_in(revoke_link), methods=["POST"]),
    ]


# --- the liaison's page ---------------------------------------------------------------------


async def liaison_page(request: Request) -> Response:
    console: Console = request.app.state.console
    visit = await console.visit(request)
    try:
        liaison = await links.liaison_of(console.store, request.path_params["token"])
    except DomainError as err:
        return _refused(request, console, visit, err)
    return await _page(request, console, visit, liaison)


async def liaison_action(request: Request) -> Response:
    """A form of the liaison's page: its CSRF token checked before anything else is read, the
    link checked at this moment (revoked since the page was shown: refused)."""
    console: Console = request.app.state.console
    visit = await console.visit(request)
    action = request.path_params["action"]
    if action not in ("submit", "claim", "confirm", "cancel"):
        return _refused(request, console, visit, DomainError("link_invalid"))
    if int(request.headers.get("content-length") or 0) > FORM_MAX:
        return _refused(request, console, visit, DomainError("button_forged"))
    form = await request.form()
    if not same_token(form.get("csrf"), visit.session.csrf):
        stale = console.templates.TemplateResponse(
            request, "liaison_refused.html", {"user": None, "message": words.FORM_STALE},
            status_code=403,
        )  # fmt: skip
        return console.keep(stale, request, visit.session)
    try:
        liaison = await links.liaison_of(console.store, request.path_params["token"])
    except DomainError as err:
        return _refused(request, console, visit, err)
    act = {"submit": _submit, "claim": _claim, "confirm": _confirm, "cancel": _cancel}[action]
    try:
        return await act(request, console, visit, liaison, form)
    except DomainError as err:
        visit.messages.append(texts.error_text(err.code, err.params))
        status_code = STATUS.get(err.code, 409)
        asked = {k: str(form.get(k, "")) for k in ("title", "day", "kind", "item", "evidence")}
        return await _page(request, console, visit, liaison, status_code, asked=asked)


def _refused(request: Request, console: Console, visit: Visit, err: DomainError) -> Response:
    response = console.templates.TemplateResponse(
        request, "liaison_refused.html",
        {"user": None, "message": texts.error_text(err.code, err.params)},
        status_code=STATUS.get(err.code, 403),
    )  # fmt: skip
    return console.keep(response, request, visit.session)


def _asked(request: Request, console: Console, liaison: Liaison, form: str) -> Asked:
    """The request of a liaison's form: named in the audit trail by their link, once per form
    where `form` is given."""
    return Asked(
        links.actor_of(liaison), console.settings.now(), name=liaison.name,
        notices=console.notices, form=form or None,
    )  # fmt: skip


def _form_token(form: FormData) -> str:
    token = str(form.get("form", ""))
    if not 0 < len(token) <= FORM_TOKEN_MAX:
        raise DomainError("button_forged")
    return token


def _day(form: FormData, today: date) -> date:
    text = str(form.get("day", "")).strip()
    return read_day(text, today) if text else today


async def _submit(
    request: Request, console: Console, visit: Visit, liaison: Liaison, form: FormData
) -> Response:
    """A submission, stored once however often its form is sent; answered as in chat."""
    asked = _asked(request, console, liaison, _form_token(form))
    today = asked.at.date()
    day = _day(form, today)
    async with console.store.reading() as tx:
        ruleset = await tx.config.ruleset(day)
    kind, title = None, str(form.get("title", ""))
    if chosen := str(form.get("kind", "")).strip():
        found = ruleset.submission_kinds_by_key.get(chosen)
        if found is None:
            raise DomainError("item_unknown", item=chosen)
        kind = found.id
    done = await reports.submit(console.store, liaison, title, "", asked, day=day, kind=kind)
    await _nudge(console.store)
    quota = texts.SUBMITTED_QUOTA.format(quota=done.quota) if done.quota else ""
    same_month = month_of(done.day) == month_of(today)
    stored = reports.check_title(title, today)
    shown = (
        texts.SUBMITTED_KIND.format(kind=ruleset.submission_kinds_by_key[kind].label, title=stored)
        if kind
        else stored
    )
    said = texts.SUBMITTED.format(
        record=done.record_id, title=shown, unit=done.unit,
        month=texts.THIS_MONTH if same_month else month_of(done.day).name,
        count=done.month_count, quota=quota,
    )  # fmt: skip
    if done.day != today:
        said += texts.SUBMITTED_DATED.format(date=done.day.isoformat())
    visit.messages.append(said)
    return await _page(request, console, visit, liaison)


async def _claim(
    request: Request, console: Console, visit: Visit, liaison: Liaison, form: FormData
) -> Response:
    """An adoption claim checked and kept as a draft, as in chat: its summary to confirm."""
    asked = _asked(request, console, liaison, "")
    day = _day(form, asked.at.date())
    evidence = str(form.get("evidence", "")).strip()
    draft = await reports.make_draft(
        console.store, liaison.address, str(form.get("item", "")), str(form.get("title", "")),
        day, (), evidence, asked,
    )  # fmt: skip
    return _summary(request, console, visit, liaison, draft, evidence)


def _summary(
    request: Request, console: Console, visit: Visit, liaison: Liaison, draft: Draft,
    evidence: str,
) -> Response:  # fmt: skip
    extra = (
        texts.SUMMARY_EVIDENCE.format(evidence=cut(evidence, EVIDENCE_SHOWN)) if evidence else ""
    )
    summary = texts.SUMMARY.format(
        unit=draft.unit, item=draft.item.chat_name, title=draft.record.title,
        date=draft.record.day.isoformat(), extra=extra,
        explanation=explanation_lines(draft.scored.explanation),
        points=show_points(draft.scored.points), near="",
    )  # fmt: skip
    response = console.templates.TemplateResponse(
        request, "liaison_summary.html",
        {"user": None, "csrf": visit.session.csrf, "messages": visit.messages,
         "liaison": liaison, "token": request.path_params["token"], "summary": summary,
         "draft": draft.id, "form": secrets.token_urlsafe(16)},
    )  # fmt: skip
    return _at_page(console.keep(response, request, visit.session), request)


async def _confirm(
    request: Request, console: Console, visit: Visit, liaison: Liaison, form: FormData
) -> Response:
    """The summary confirmed: the claim stored once, the office told through the outbox."""
    asked = _asked(request, console, liaison, _form_token(form))
    draft_id = _draft_id(form)
    claimed = await reports.confirm_draft(
        console.store, draft_id, liaison.address, console.settings.require_approval, asked
    )
    await _nudge(console.store)
    if claimed.status == "pending":
        said = texts.CLAIM_PENDING.format(record=claimed.record_id)
    else:
        said = texts.CLAIM_CONFIRMED.format(
            record=claimed.record_id, points=show_points(claimed.scored.points)
        )
    visit.messages.append(said)
    return await _page(request, console, visit, liaison)


async def _cancel(
    request: Request, console: Console, visit: Visit, liaison: Liaison, form: FormData
) -> Response:
    await reports.cancel_draft(
        console.store, _draft_id(form), liaison.address, _asked(request, console, liaison, "")
    )
    visit.messages.append(texts.REPORT_CANCELLED)
    return await _page(request, console, visit, liaison)


def _draft_id(form: FormData) -> int:
    text = str(form.get("draft", ""))
    if not text.isdigit() or len(text) > 15:
        raise DomainError("button_forged")
    return int(text)


async def _page(
    request: Request, console: Console, visit: Visit, liaison: Liaison, status_code: int = 200,
    asked: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """The unit's month against its quota, its quarter and rank (/me), its group's standings
    around it (/rank), its latest records (/history), and the two forms."""
    now = console.settings.now()
    today = now.date()
    seen = await status.unit_status(console.store, liaison, now)
    ruleset, table = await standings(console.store, seen.quarter, [liaison.group])
    group = status.group_of(table, liaison.group)
    rows = group.rows if group else []
    mine = table.name_of(liaison.unit_id, liaison.unit)
    at = next((i for i, r in enumerate(rows) if r.unit == mine), 0)
    start = max(0, min(at - RANK_ROWS // 2, len(rows) - RANK_ROWS))
    ranked = ruleset.bulletin.ranked
    shown = [
        (r.rank if ranked else n, r.unit, show_points(r.total), r.unit == mine)
        for n, r in enumerate(rows[start : start + RANK_ROWS], start=start + 1)
    ]
    history = await status.history(console.store, liaison.unit_id, HISTORY_SHOWN)
    records = [
        {
            "line": line,
            "item": _item_label(ruleset, line.item_id),
            "status": texts.STATUS_NAMES.get(line.status, line.status),
            "explanation": explanation_lines(line.explanation) if not line.reason else "",
        }
        for line in history
    ]
    today_rules = await _ruleset_today(console.store, today)
    response = console.templates.TemplateResponse(
        request, "liaison.html",
        {
            "user": None, "csrf": visit.session.csrf, "messages": visit.messages, "g": texts,
            "liaison": liaison, "token": request.path_params["token"], "s": seen,
            "group": ruleset.groups_by_key[liaison.group].display,
            "workdays": len(workdays_between(today, seen.month.end)),
            "total": show_points(seen.row.total) if seen.row else "",
            "gap": show_points(seen.above.total - seen.row.total) if seen.above and seen.row
            else "",
            "ranked": ranked, "rows": shown, "records": records,
            "kinds": [(k.id, k.label) for k in today_rules.submission_kinds],
            "items": [(i.id, _item_option(i)) for i in today_rules.reportable_items],
            "asked": asked or {}, "submit_form": secrets.token_urlsafe(16),
        },
        status_code=status_code,
    )  # fmt: skip
    return _at_page(console.keep(response, request, visit.session), request)


async def _ruleset_today(store: Store, today: date) -> Ruleset:
    async with store.reading() as tx:
        return await tx.config.ruleset(today)


def _item_option(item: Item) -> str:
    return words.LIAISON_ITEM_OPTION.format(
        item=item.chat_name, points=show_points(item.points or 0)
    )


def _item_label(ruleset: Ruleset, item_id: str) -> str:
    item = ruleset.items_by_key.get(item_id)
    return item.chat_name if item else texts.SUBMISSION_NAME


def _at_page(response: Response, request: Request) -> Response:
    """A form's answer is the liaison's page (or a summary): htmx shows the page's own address,
    so that reloading it shows the page rather than sending the form again."""
    response.headers["hx-push-url"] = f"/l/{request.path_params['token']}"
    return response


async def _nudge(store: Store) -> None:
    """What the action owes is in the outbox, committed: the running bot is told to send it."""
    async with store.reading() as tx:
        await tx.outbox.nudge_courier()


# --- the office's page of links -------------------------------------------------------------


async def links_page(request: Request, console: Console, visit: Visit) -> Response:
    return await _links_page(request, console, visit)


async def _links_page(
    request: Request, console: Console, visit: Visit, status_code: int = 200, made: str = ""
) -> Response:
    shown = [
        {"link": k, "who": texts.actor_display(k.created_by), "form": secrets.token_urlsafe(16)}
        for k in await links.links(console.store)
    ]
    response = console.page(
        request, visit, "links.html", status_code, links=shown, made=made,
        make_form=secrets.token_urlsafe(16),
    )  # fmt: skip
    response.headers["hx-push-url"] = "/links"
    return response


async def make_link(request: Request, console: Console, visit: Visit) -> Response:
    assert visit.form is not None and visit.user is not None
    try:
        made = await links.make_link_at_desk(
            console.store, visit.user.name, _form_token(visit.form),
            str(visit.form.get("unit", "")), str(visit.form.get("name", "")),
            console.settings.now(),
        )  # fmt: skip
    except DomainError as err:
        return await _desk_refused(request, console, visit, err)
    visit.messages.append(words.LINKS_MADE.format(unit=made.liaison.unit, name=made.liaison.name))
    url = f"{str(request.base_url).rstrip('/')}/l/{made.token}"
    return await _links_page(request, console, visit, made=url)


async def revoke_link(request: Request, console: Console, visit: Visit) -> Response:
    assert visit.form is not None and visit.user is not None
    link_id = request.path_params["link"]
    try:
        gone = await links.revoke_link_at_desk(
            console.store, visit.user.name, _form_token(visit.form), link_id,
            console.settings.now(),
        )  # fmt: skip
    except DomainError as err:
        return await _desk_refused(request, console, visit, err)
    visit.messages.append(words.LINKS_REVOKED.format(unit=gone.unit, name=gone.name, link=link_id))
    return await _links_page(request, console, visit)


async def _desk_refused(
    request: Request, console: Console, visit: Visit, err: DomainError
) -> Response:
    if err.code == "web_user_gone":
        return console.keep(RedirectResponse("/login", 303), request, visit.session)
    visit.messages.append(texts.error_text(err.code, err.params))
    status_code = {"web_admin_only": 403, "link_name": 400}.get(err.code, 409)
    return await _links_page(request, console, visit, status_code)
