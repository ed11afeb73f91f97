"""The one-time link an admin asks the bot for (`/web`): opening it shows a button, pressing
the button signs the admin in. Only the press uses the link, so that a browser or a chat
fetching the address ahead (a preview) uses nothing."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot import texts
from bot.usecases import webusers
from bot.web import texts as words
from bot.web.app import STATUS, Console
from bot.web.session import same_token
from scoring.errors import DomainError

# Refusals of a link, by the error's code: its HTTP status.
LINK_STATUS = {"web_link_unknown": 404, "web_link_used": 410, "web_link_expired": 410}


async def open_link(request: Request) -> Response:
    console: Console = request.app.state.console
    visit = await console.visit(request)
    token = request.path_params["token"]
    now = console.settings.now()
    try:
        if request.method == "GET":
            await webusers.check_login_link(console.store, token, now)
            return console.page(request, visit, "link.html", token=token)
        form = await request.form()
        if not same_token(form.get("csrf"), visit.session.csrf):
            return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
        name = await webusers.use_login_link(console.store, token, console.admins(), now)
    except DomainError as err:
        status = LINK_STATUS.get(err.code, STATUS.get(err.code, 403))
        message = texts.error_text(err.code, err.params)
        return console.page(request, visit, "refused.html", status, message=message)
    session = visit.session.signed_in(name, console.clock())
    return console.keep(RedirectResponse("/", 303), request, session)
