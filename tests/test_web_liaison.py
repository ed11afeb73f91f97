"""The liaison's page of the web console in a real browser, on both stores: a liaison opens
their personal link on a phone-sized page, reports a submission of a kind and claims an
adoption (each stored once, the claim pending for the office, the office told through the
outbox); a revoked or unknown link and a form without its CSRF token are refused; an admin
makes and revokes a link in the console."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import scoring
from bot import texts
from bot.settings import Settings
from bot.storage import PendingClaim, Store
from bot.telegram.notices import ChatNotices
from bot.usecases import links, reports
from bot.usecases.request import Request
from bot.web import texts as words
from bot.web.app import build_app
from tests.conftest import Cli, write_csv
from tests.stores import rows
from tests.web import SIZES, apart, serving, shoot

ADMIN = 9001
UNIT = "城关镇"
LIAISON = "赵信息员"
PASSWORD = "admin-password-1"
# A method with a kind of submission (长篇信息).
CHANGSHAN = Path(scoring.__file__).parent / "rulesets" / "changshan-2014.toml"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    yield page
    context.close()


@dataclass
class Desk:
    cli: Cli
    settings: Settings
    url: str


@pytest.fixture
def desk(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.setenv("GOVINFO_ADMIN_IDS", str(ADMIN))
    # Passwords hashed at the cheapest cost allowed: a login at the default costs ~0.3 s of CPU.
    monkeypatch.setenv("GOVINFO_WEB_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("GOVINFO_WEB_PASSWORD_MEMORY_KIB", "1024")
    settings = Settings(db=cli.db)

    def build() -> None:
        cli.ok("init", "--ruleset", str(CHANGSHAN))
        units = [[UNIT, "乡镇（街道）"], ["天马街道", "乡镇（街道）"]]
        cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], units)))

    apart(build)
    with serving(settings) as url:
        yield Desk(cli, settings, url)


def _on_store(desk: Desk, work):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        store = await Store.open(desk.cli.db, key_file=desk.settings.ledger_key_file)
        try:
            return await work(store)
        finally:
            await store.close()

    return apart(lambda: asyncio.run(run()))


def made_link(desk: Desk) -> tuple[int, str]:
    """A link for the unit's liaison, made as `/invite` or the command line would: (its
    number, its token)."""
    request = Request("cli:王芳", desk.settings.now())
    made = _on_store(desk, lambda store: links.make_link(store, UNIT, LIAISON, request))
    return int(made.liaison.address.address), made.token


def pending(desk: Desk) -> list[PendingClaim]:
    return _on_store(desk, reports.pending)  # type: ignore[no-any-return]


def fits_a_phone(page: Page) -> None:
    """Nothing wider than the phone's screen: no sideways scrolling."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= SIZES["phone"][0]


def form_fields(page: Page, form: str) -> dict[str, str]:
    return {
        name: str(page.locator(f"{form} input[name={name}]").get_attribute("value"))
        for name in ("csrf", "form")
    }


def test_a_liaison_reports_a_submission_and_claims_an_adoption(desk: Desk, page: Page) -> None:
    link, token = made_link(desk)
    page.goto(f"{desk.url}/l/{token}")
    expect(page.locator("h1")).to_contain_text(UNIT)
    expect(page.locator("#me")).to_contain_text(
        words.LIAISON_MONTH.format(month=desk.settings.now().strftime("%Y年%-m月"), count=0)
    )
    expect(page.locator("#rank tr.mine")).to_contain_text(UNIT)
    expect(page.locator("#history")).to_contain_text(texts.HISTORY_NONE)
    fits_a_phone(page)
    shoot(page, "liaison")

    # A submission of the method's kind, answered as in chat; the same form sent again stores
    # nothing more.
    page.fill("#submit input[name=title]", "关于春耕生产的情况")
    page.select_option("#submit select[name=kind]", "long")
    sent = form_fields(page, "#submit")
    page.click("#submit button")
    expect(page.locator(".message")).to_contain_text("【长篇信息】关于春耕生产的情况")
    again = page.request.post(
        f"{desk.url}/l/{token}/submit", form={**sent, "title": "关于春耕生产的情况"}
    )
    assert again.status == 409
    assert texts.error_text("web_form_replayed", {}) in again.text()
    stored = rows(desk.cli.db, "SELECT title, modifiers FROM records WHERE item_id = 'submission'")
    assert len(stored) == 1 and stored[0][0] == "关于春耕生产的情况" and "long" in stored[0][1]

    # A claim dated in the future is refused as in chat, nothing kept.
    page.select_option("#claim select[name=item]", "county.csgz")
    page.fill("#claim input[name=title]", "城关镇推进春耕备耕")
    page.fill("#claim input[name=day]", "2099-01-01")
    page.fill("#claim input[name=evidence]", "https://gov.example/csgz/12")
    page.click("#claim button")
    refusal = texts.error_text("date_in_future", {"date": date(2099, 1, 1)})
    expect(page.locator(".message")).to_contain_text(refusal)
    # Its fields kept: the date corrected, the summary shown to confirm.
    page.fill("#claim input[name=day]", "")
    page.click("#claim button")
    summary = page.locator("#summary")
    expect(summary).to_contain_text("请确认申报")
    expect(summary).to_contain_text("城关镇推进春耕备耕")
    expect(summary).to_contain_text("https://gov.example/csgz/12")
    fits_a_phone(page)
    shoot(page, "liaison-summary")
    confirm = {
        name: str(page.locator(f"form[action$=confirm] input[name={name}]").get_attribute("value"))
        for name in ("csrf", "form", "draft")
    }
    page.click("form[action$=confirm] button")
    expect(page.locator(".message")).to_contain_text("等待信息室审核")
    assert page.request.post(f"{desk.url}/l/{token}/confirm", form=confirm).status == 409
    # The same claim again is refused as a duplicate, as in chat.
    page.select_option("#claim select[name=item]", "county.csgz")
    page.fill("#claim input[name=title]", "城关镇推进春耕备耕")
    page.click("#claim button")
    expect(page.locator(".message")).to_contain_text("重复申报")

    # Stored once, pending for the office (its 待审核 page reads the same use case), the
    # admins told through the outbox, the audit trail naming the liaison's link.
    (claim,) = pending(desk)
    assert (claim.unit, claim.record.title, claim.claimant) == (UNIT, "城关镇推进春耕备耕", LIAISON)
    assert claim.evidence == "https://gov.example/csgz/12"
    told = rows(desk.cli.db, "SELECT address FROM outbox WHERE source = ?", (f"claim:{claim.id}",))
    assert told == [(str(ADMIN),)]
    actors = rows(desk.cli.db, "SELECT kind, actor FROM batches WHERE kind IN (?, ?) ORDER BY id",
                  ("submission", "claim"))  # fmt: skip
    assert actors == [("submission", f"link:{link}"), ("claim", f"link:{link}")]
    # The page's records (/history) show both.
    expect(page.locator("#history .record")).to_have_count(2)
    shoot(page, "liaison-after")

    # The office approves: the liaison reads it on their page; no message is owed to an
    # address no courier reaches.
    office = Request("cli:王芳", desk.settings.now(), notices=ChatNotices.of(desk.settings))
    _on_store(desk, lambda store: reports.approve(store, claim.id, office))
    assert rows(desk.cli.db, "SELECT COUNT(*) FROM outbox WHERE channel = 'web'") == [(0,)]
    page.reload()
    expect(page.locator("#history .record").first).to_contain_text(texts.STATUS_NAMES["confirmed"])


def test_a_revoked_or_unknown_link_is_refused(desk: Desk, page: Page) -> None:
    link, token = made_link(desk)
    page.goto(f"{desk.url}/l/{token}")
    fields = form_fields(page, "#submit")
    request = Request("cli:王芳", desk.settings.now())
    _on_store(desk, lambda store: links.revoke_link(store, link, request))

    refused = texts.error_text("link_invalid", {})
    for url in (f"{desk.url}/l/{token}", f"{desk.url}/l/{token[:-2]}xy"):
        answer = page.goto(url)
        assert answer is not None and answer.status == 404
        expect(page.locator(".error")).to_have_text(refused)
    shoot(page, "liaison-refused")
    # A form of the page shown before the link was revoked stores nothing.
    answer = page.request.post(f"{desk.url}/l/{token}/submit", form={**fields, "title": "迟到"})
    assert answer.status == 404
    assert rows(desk.cli.db, "SELECT COUNT(*) FROM records") == [(0,)]


def test_a_link_s_token_is_never_logged() -> None:
    build_app(Settings(db="unused.sqlite3"), ChatNotices(()))
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/l/SECRET-token_0123/submit?x=1", "1.1", 200), None,
    )  # fmt: skip
    for handler_filter in logging.getLogger("uvicorn.access").filters:
        assert handler_filter.filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "POST /l/<token>/submit?x=1 HTTP/1.1" 200'


def test_a_liaison_form_without_its_csrf_token_is_refused(desk: Desk, page: Page) -> None:
    _, token = made_link(desk)
    page.goto(f"{desk.url}/l/{token}")
    fields = form_fields(page, "#submit")
    for form in ({"form": fields["form"]}, {"form": fields["form"], "csrf": "guessed"}):
        answer = page.request.post(
            f"{desk.url}/l/{token}/submit", form={**form, "title": "伪造的报送"}
        )
        assert answer.status == 403
        assert words.FORM_STALE in answer.text()
    assert rows(desk.cli.db, "SELECT COUNT(*) FROM records") == [(0,)]


def test_an_admin_makes_and_revokes_a_link_in_the_console(
    desk: Desk, page: Page, tmp_path: Path
) -> None:
    secret = tmp_path / "admin.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")

    def accounts() -> None:
        for name, role in (("王芳", "admin"), ("李明", "viewer")):
            desk.cli.ok("users", "add", name, "--role", role, "--password-file", str(secret))

    apart(accounts)
    page.goto(f"{desk.url}/login")
    page.fill("input[name=name]", "王芳")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.click("nav >> text=" + words.NAV_LINKS)
    page.fill("form[action='/links'] input[name=unit]", UNIT)
    page.fill("form[action='/links'] input[name=name]", LIAISON)
    page.click("form[action='/links'] button")
    expect(page.locator(".message")).to_contain_text(
        words.LINKS_MADE.format(unit=UNIT, name=LIAISON)
    )
    url = str(page.locator("#made-link").input_value())
    assert url.startswith(f"{desk.url}/l/")
    expect(page.locator("#links tbody tr")).to_have_count(1)
    expect(page.locator("#links")).to_contain_text("网页用户 王芳")
    shoot(page, "links")

    # The link opens the liaison's page; revoked in the console, it no longer does.
    liaison = page.context.new_page()
    liaison.goto(url)
    expect(liaison.locator("h1")).to_contain_text(UNIT)
    page.click("#links button")
    expect(page.locator(".message")).to_contain_text("立即失效")
    expect(page.locator("#links")).to_contain_text(words.LINKS_NONE)
    answer = liaison.goto(url)
    assert answer is not None and answer.status == 404
    assert rows(desk.cli.db, "SELECT revoked_by FROM liaison_links") == [("web:王芳",)]

    # A viewer sees the page and is refused a link made by hand.
    viewer = page.context.browser.new_context()  # type: ignore[union-attr]
    seeing = viewer.new_page()
    seeing.goto(f"{desk.url}/login")
    seeing.fill("input[name=name]", "李明")
    seeing.fill("input[name=password]", PASSWORD)
    seeing.click("form.login button[type=submit]")
    seeing.goto(f"{desk.url}/links")
    expect(seeing.locator("main")).to_contain_text(words.LINKS_VIEWER)
    csrf = str(seeing.locator(".bar input[name=csrf]").get_attribute("value"))
    forged = {"csrf": csrf, "form": "by-hand", "unit": UNIT, "name": "李四"}
    assert seeing.request.post(f"{desk.url}/links", form=forged).status == 403
    viewer.close()
    assert rows(desk.cli.db, "SELECT COUNT(*) FROM liaison_links") == [(1,)]
