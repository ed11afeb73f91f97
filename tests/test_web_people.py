"""The web console's door from the chat and its page 单位与信息员, in a real browser on both
stores: a one-time link from `/web` signs a chat admin in once (used, expired and unknown links
refused; the session ends when the admin is taken off admin_ids); the roster with its aliases
and changes; an invite shown as the chat's link and its code; a liaison moved and removed after
a confirmation; a viewer sees it all and changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.settings import Settings
from bot.storage import Address, Store
from bot.usecases import people, webusers
from bot.usecases.request import Request
from bot.web import texts as words
from tests.conftest import Cli, write_csv
from tests.stores import rows
from tests.web import apart, serving, shoot

ADMIN = 9001
LIAISON = 77
PASSWORDS = {"王芳": "admin-password-1", "李明": "viewer-password-1"}
INVITES = "https://t.me/govinfo_test_bot?start="


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@dataclass
class Office:
    settings: Settings
    url: str
    db: str


async def _prepared(db: str, settings: Settings) -> None:
    """A liaison of 公安局, and the invite links of a running bot."""
    now = settings.now()
    store = await Store.open(db, key_file=settings.ledger_key_file)
    try:
        async with store.transaction() as tx:
            unit_id, _ = await tx.units.resolve_unit("公安局")
            await tx.liaisons.bind_liaison(Address.telegram(LIAISON), unit_id, "赵信息员", "", now)
        await people.remember_invite_link(store, INVITES)
    finally:
        await store.close()


async def _link(db: str, settings: Settings, ttl: timedelta) -> str:
    """What `/web` makes for the admin (tests/test_chat_web.py asks the bot for it)."""
    store = await Store.open(db, key_file=settings.ledger_key_file)
    try:
        request = Request(f"tg:{ADMIN}", settings.now(), name="王主任")
        made = await webusers.make_login_link(store, Address.telegram(ADMIN), request, ttl)
        return made.token
    finally:
        await store.close()


@pytest.fixture
def office(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    monkeypatch.setenv("GOVINFO_ADMIN_IDS", str(ADMIN))
    # Passwords hashed at the cheapest cost allowed: a login at the default costs ~0.3 s of CPU.
    monkeypatch.setenv("GOVINFO_WEB_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("GOVINFO_WEB_PASSWORD_MEMORY_KIB", "1024")
    settings = Settings(db=cli.db)

    def build() -> None:
        cli.ok("init", "--ruleset", "dengkou-2024")
        units = [["公安局", "A", "县公安局"], ["审计局", "B", ""], ["<i>林业局</i>", "A", ""]]
        roster = write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], units)
        cli.ok("units", "import", str(roster))
        cli.ok("units", "rename", "--from", "2024-01-01", "--yes", "审计局", "县审计局")
        for name, role in (("王芳", "admin"), ("李明", "viewer")):
            secret = tmp_path / f"{role}.txt"
            secret.write_text(PASSWORDS[name] + "\n", encoding="utf-8")
            cli.ok("users", "add", name, "--role", role, "--password-file", str(secret))
        asyncio.run(_prepared(cli.db, settings))

    apart(build)
    with serving(settings) as url:
        yield Office(settings, url, cli.db)


def log_in(page: Page, office: Office, name: str) -> None:
    page.goto(f"{office.url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("form.login button[type=submit]")
    expect(page.locator(".bar .who")).to_contain_text(name)


def test_a_link_signs_a_chat_admin_in_once(office: Office, page: Page) -> None:
    token = apart(lambda: asyncio.run(_link(office.db, office.settings, timedelta(minutes=5))))
    opened = page.goto(f"{office.url}/link/{token}")
    assert opened is not None and opened.status == 200
    shoot(page, "link")
    page.click("form.link button[type=submit]")
    expect(page.locator(".bar .who")).to_contain_text(f"用户 {ADMIN}")
    # An action at once, recorded as the chat's actions of this admin are.
    page.click("nav >> text=" + words.NAV_PEOPLE)
    page.select_option("form.make-invite select", "县审计局")
    page.click("form.make-invite button")
    expect(page.locator("#invite")).to_contain_text("县审计局")
    assert rows(office.db, "SELECT created_by FROM invites") == [(f"tg:{ADMIN}",)]

    # The link again, in another browser: used.
    other = page.context.browser.new_page()  # type: ignore[union-attr]
    again = other.goto(f"{office.url}/link/{token}")
    assert again is not None and again.status == 410
    expect(other.locator(".error")).to_contain_text("已使用过")
    shoot(other, "link-used")
    unknown = other.goto(f"{office.url}/link/{token[:-2]}xx")
    assert unknown is not None and unknown.status == 404
    expired = apart(lambda: asyncio.run(_link(office.db, office.settings, timedelta(0))))
    late = other.goto(f"{office.url}/link/{expired}")
    assert late is not None and late.status == 410
    expect(other.locator(".error")).to_contain_text("已过期")
    other.close()

    # Taken off admin_ids, the admin is out at the next request.
    office.settings.admin_ids = []
    page.goto(f"{office.url}/people")
    expect(page).to_have_url(f"{office.url}/login")


def test_the_roster_invites_and_a_liaison_moved_then_removed(office: Office, page: Page) -> None:
    log_in(page, office, "王芳")
    page.click("nav >> text=" + words.NAV_PEOPLE)
    roster = page.locator("#roster")
    expect(roster).to_contain_text("县公安局")  # an alias
    expect(roster).to_contain_text("原名 审计局")  # the rename, with who made it
    expect(roster).to_contain_text("<i>林业局</i>")  # HTML in a name shown as text
    liaison = page.locator(f"#liaison-telegram-{LIAISON}")
    expect(liaison).to_contain_text("赵信息员（77）")
    expect(liaison).to_contain_text("公安局（A类）")

    page.select_option("form.make-invite select", "公安局")
    page.click("form.make-invite button")
    invite = page.locator("#invite")
    expect(invite.locator("a.link")).to_have_attribute(
        "href", INVITES + invite.locator(".code").inner_text()
    )
    assert len(invite.locator(".code").inner_text()) == 12
    shoot(page, "people")

    liaison.locator("form.move select").select_option("县审计局")
    liaison.locator("form.move button").click()
    confirm = page.locator("form.confirm")
    expect(confirm).to_contain_text("从 公安局 调整到 县审计局")
    # Asked, nothing changed yet.
    assert rows(office.db, "SELECT u.name FROM liaisons l JOIN units u ON u.id = l.unit_id") == [
        ("公安局",)
    ]
    shoot(page, "people-confirm")
    confirm.locator("button").click()
    expect(page.locator(".message")).to_contain_text("已将 赵信息员（77） 调整到 县审计局")
    assert rows(office.db, "SELECT u.name FROM liaisons l JOIN units u ON u.id = l.unit_id") == [
        ("县审计局",)
    ]

    page.locator(f"#liaison-telegram-{LIAISON} form.remove button").click()
    expect(page.locator("form.confirm")).to_contain_text("确认移除 县审计局 的信息员 赵信息员")
    page.locator("form.confirm button").click()
    expect(page.locator(".message")).to_contain_text("已移除信息员 赵信息员")
    expect(page.locator("#liaisons")).to_contain_text(words.PEOPLE_NO_LIAISONS)
    assert rows(office.db, "SELECT COUNT(*) FROM liaisons WHERE active = 1") == [(0,)]


def test_a_viewer_sees_the_roster_and_changes_nothing(office: Office, page: Page) -> None:
    log_in(page, office, "李明")
    page.click("nav >> text=" + words.NAV_PEOPLE)
    expect(page.locator(f"#liaison-telegram-{LIAISON}")).to_contain_text("赵信息员")
    expect(page.locator("main")).to_contain_text(words.PEOPLE_VIEWER)
    expect(page.locator("form.make-invite, form.move, form.remove")).to_have_count(0)
    csrf = str(page.locator(".bar input[name=csrf]").get_attribute("value"))
    for action, extra in (("invite", {"unit": "公安局"}), ("remove", {"confirm": "1"})):
        answer = page.request.post(
            f"{office.url}/people/{action}",
            form={"csrf": csrf, "form": f"forged-{action}", "channel": "telegram",
                  "address": str(LIAISON), **extra},
        )  # fmt: skip
        assert answer.status == 403
    assert rows(office.db, "SELECT COUNT(*) FROM invites") == [(0,)]
    assert rows(office.db, "SELECT COUNT(*) FROM liaisons WHERE active = 1") == [(1,)]
