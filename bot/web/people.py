"""The page 单位与信息员: the roster as `/units` shows it, invites made as `/invite` makes them
(shown as the chat's link and its code), and the liaisons of each unit, moved or removed as
`/move` and `/remove` do, after a confirmation."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot import texts
from bot.storage import Address, Liaison
from bot.usecases import people
from bot.web import texts as words
from bot.web.app import FORM_TOKEN_MAX, STATUS, Console, Visit, _pushed, _signed_in
from scoring.errors import DomainError
from scoring.roster import Change


@_signed_in
async def people_page(request: Request, console: Console, visit: Visit) -> Response:
    return await _people_page(request, console, visit)


async def _people_page(
    request: Request, console: Console, visit: Visit, status: int = 200, **context: Any
) -> Response:
    seen = await people.roster(console.store)
    names = {u.id: u.name for u in seen.units}
    ended = {c.unit_id: c for c in seen.changes if c.change in (Change.MERGE, Change.RETIRE)}
    units = []
    for u in seen.units:
        end = ended.get(u.id)
        state = ""
        if end is not None:
            start = end.start.isoformat()
            state = (
                texts.UNIT_RETIRED_STATE.format(start=start)
                if end.change is Change.RETIRE
                else texts.UNIT_MERGED_STATE.format(start=start, into=names.get(end.into or 0, ""))
            )
        notes = [
            (
                texts.UNIT_RENAMED_NOTE.format(start=c.start.isoformat(), old=c.old)
                if c.change is Change.RENAME
                else texts.UNIT_MOVED_NOTE.format(
                    start=c.start.isoformat(), old=seen.groups.get(c.old, c.old),
                    new=seen.groups.get(c.new, c.new),
                )
            ).strip()
            + texts.UNIT_CHANGED_BY.format(actor=texts.actor_display(c.actor), at=c.at[:10])
            for c in seen.changes
            if c.unit_id == u.id and c.change not in (Change.MERGE, Change.RETIRE)
        ]  # fmt: skip
        units.append({
            "id": u.id, "name": u.name, "group": seen.groups.get(u.group, u.group),
            "aliases": "、".join(seen.aliases.get(u.id, [])), "state": state, "notes": notes,
            "liaisons": sum(1 for p in seen.liaisons if p.unit_id == u.id),
        })  # fmt: skip
    # Units no longer in the roster come after it, as in /units.
    units.sort(key=lambda unit: bool(unit["state"]))
    return console.page(
        request, visit, "people.html", status, units=units, liaisons=seen.liaisons,
        targets=[u["name"] for u in units if not u["state"]], invite_link=seen.invite_link,
        groups=seen.groups,
        invite_form=secrets.token_urlsafe(16),
        forms={str(p.address): secrets.token_urlsafe(16) for p in seen.liaisons},
        **context,
    )  # fmt: skip


@_signed_in
async def make_invite(request: Request, console: Console, visit: Visit) -> Response:
    assert visit.form is not None and visit.user is not None
    form = str(visit.form.get("form", ""))
    if not 0 < len(form) <= FORM_TOKEN_MAX:
        return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
    ttl = timedelta(days=console.settings.invite_days)
    try:
        made = await people.invite(
            console.store, visit.user.name, form, str(visit.form.get("unit", "")),
            console.settings.now(), ttl,
        )  # fmt: skip
    except DomainError as err:
        return await _refused(request, console, visit, err)
    return _pushed(await _people_page(request, console, visit, invite=made), "/people")


@_signed_in
async def change_liaison(request: Request, console: Console, visit: Visit) -> Response:
    """A liaison moved to another unit or removed: first asked to confirm (nothing changes),
    then done."""
    assert visit.form is not None and visit.user is not None
    form = str(visit.form.get("form", ""))
    action = request.path_params["action"]
    if not 0 < len(form) <= FORM_TOKEN_MAX or action not in ("move", "remove"):
        return console.page(request, visit, "refused.html", 403, message=words.FORM_STALE)
    person = Address(str(visit.form.get("channel", "")), str(visit.form.get("address", "")))
    unit = str(visit.form.get("unit", "")).strip()
    now = console.settings.now()
    try:
        if visit.form.get("confirm") != "1":
            if not visit.user.is_admin:
                raise DomainError("web_admin_only")
            liaison = _liaison(await people.roster(console.store), person)
            asked = {"action": action, "liaison": liaison, "unit": unit, "form": form}
            return await _people_page(request, console, visit, confirming=asked)
        if action == "move":
            done = await people.move(console.store, visit.user.name, form, person, unit, now)
            said = texts.LIAISON_MOVED.format(who=done.display, unit=done.unit)
        else:
            done = await people.remove(console.store, visit.user.name, form, person, now)
            said = texts.LIAISON_REMOVED.format(who=done.display)
    except DomainError as err:
        return await _refused(request, console, visit, err)
    visit.messages.append(said)
    return _pushed(await _people_page(request, console, visit), "/people")


def _liaison(roster: people.Roster, person: Address) -> Liaison:
    for liaison in roster.liaisons:
        if liaison.address == person:
            return liaison
    raise DomainError("liaison_unknown", user=person.address)


async def _refused(request: Request, console: Console, visit: Visit, err: DomainError) -> Response:
    if err.code == "web_user_gone":
        return console.keep(RedirectResponse("/login", 303), request, visit.session)
    visit.messages.append(texts.error_text(err.code, err.params))
    status = STATUS.get(err.code, 409)
    return _pushed(await _people_page(request, console, visit, status), "/people")
