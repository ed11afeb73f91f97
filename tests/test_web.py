"""The web console in a real browser, on both stores: logging in, approving a claim with the
chat's use case (the liaison's notice in the outbox), the standings with their chart and
downloads; a viewer refused every change; forms without their CSRF token or sent twice; the
idle timeout; login throttling; names and titles with HTML in them shown as text."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from zipfile import ZipFile

import pytest
from argon2 import extract_parameters
from openpyxl import load_workbook
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
)

from bot import texts
from bot.settings import Settings
from bot.storage import Address, Store, database_files
from bot.telegram.notices import ChatNotices
from bot.usecases import reports
from bot.usecases.request import Request
from bot.web import texts as words
from tests.conftest import Cli, write_csv
from tests.pgserver import PostgresDatabases
from tests.stores import rows
from tests.web import apart, serving, shoot
from tests.xlsxraw import HEADER_ROW, SHEET_MEMBER, declare_size, sheet_xml, write_xlsx

HOSTILE_UNIT = "<b>粗体</b>局"
HOSTILE_TITLE = "<script>alert(1)</script>关于防沙治沙的调研"
LIAISON = 77
PASSWORDS = {"王芳": "admin-password-1", "李明": "viewer-password-1"}


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()

    # An alert would mean a script from the data ran.
    def alerted(dialog: object) -> None:
        raise AssertionError(f"a dialog opened: {dialog}")

    page.on("dialog", alerted)

    # Anything the Content-Security-Policy blocked (a script or style of the pages), or a script
    # failing, is an error; a refusal the test provokes is not (the browser logs its status).
    def logged(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", logged)
    return page


errors: list[str] = []


@pytest.fixture(autouse=True)
def no_console_errors() -> Iterator[None]:
    errors.clear()
    yield
    assert errors == []


class ApartCli:
    """The command line, each call run apart from Playwright's loop (tests.web.apart)."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli
        self.db = cli.db

    def ok(self, *args: str) -> str:
        return apart(lambda: self.cli.ok(*args))


@dataclass
class Office:
    cli: ApartCli
    settings: Settings
    url: str
    claim: int
    tmp: Path


async def _claim(db: str, settings: Settings, unit: str) -> int:
    """A liaison's claim waiting for the office, with a link as its evidence."""
    now = settings.now()
    store = await Store.open(db, key_file=settings.ledger_key_file)
    try:
        async with store.transaction() as tx:
            unit_id, _ = await tx.units.resolve_unit(unit)
            await tx.liaisons.bind_liaison(Address.telegram(LIAISON), unit_id, "赵信息员", "", now)
        draft = await reports.make_draft(
            store, Address.telegram(LIAISON), "city.jccc", HOSTILE_TITLE, now.date(), (),
            "https://gov.example/a?b=<i>1</i>", Request(f"tg:{LIAISON}", now, 1),
        )  # fmt: skip
        claimed = await reports.confirm_draft(
            store,
            draft.id,
            Address.telegram(LIAISON),
            True,
            Request(f"tg:{LIAISON}", now, 2, notices=ChatNotices(())),
        )
        return claimed.record_id
    finally:
        await store.close()


@dataclass(frozen=True)
class Built:
    """An office built for a first test, kept closed for the others: its database (an SQLite
    file's path, or a PostgreSQL template's name), its ledger key and its claim."""

    database: str
    key: Path
    claim: int


def _key_file(settings: Settings) -> Path:
    return settings.ledger_key_file or Path(f"{settings.db}.key")


def _copy_files(source: Path, target: Path) -> None:
    """An SQLite database's files (closed: no WAL left), the ones missing there removed here."""
    for old, new in zip(database_files(source), database_files(target), strict=True):
        if old.exists():
            shutil.copyfile(old, new)
        else:
            new.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def built_offices() -> dict[tuple[str, date], Built]:
    """Each test's office, by store and day (its records are dated today), built once per test
    process through the command line and copied for each test: built anew it cost ~0.3 s of CPU
    a test. Copies of SQLite files, or PostgreSQL databases made from a kept one."""
    return {}


@pytest.fixture
def office(
    cli: Cli,
    store_kind: str,
    built_offices: dict[tuple[str, date], Built],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[Office]:
    monkeypatch.setenv("GOVINFO_WEB_IDLE_MINUTES", "1")
    monkeypatch.setenv("GOVINFO_WEB_LOGIN_ATTEMPTS", "3")
    monkeypatch.setenv("GOVINFO_WEB_LOGIN_WINDOW_MINUTES", "10")
    monkeypatch.setenv("GOVINFO_OFFICE_NAME", "<b>磴口县</b>人民政府办公室")
    # The cheapest password hashing allowed: argon2's default costs ~0.3 s of CPU a login.
    monkeypatch.setenv("GOVINFO_WEB_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("GOVINFO_WEB_PASSWORD_MEMORY_KIB", "1024")
    settings = Settings(db=cli.db)

    def build() -> int:
        cli.ok("init", "--ruleset", "dengkou-2024")
        units = [[HOSTILE_UNIT, "A"], ["公安局", "A"], ["审计局", "B"]]
        cli.ok("units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group"], units)))
        for name, role in (("王芳", "admin"), ("李明", "viewer")):
            secret = tmp_path / f"{role}.txt"
            secret.write_text(PASSWORDS[name] + "\n", encoding="utf-8")
            cli.ok("users", "add", name, "--role", role, "--password-file", str(secret))
        today = settings.now().date().isoformat()
        records = [[today, "公安局", "报送", 3, "", "", "报送", ""]]
        records += [[today, "公安局", "city.zwyq.main", 1, "", "", "一篇专报", ""]]
        header = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
        cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", header, records)))
        return asyncio.run(_claim(cli.db, settings, HOSTILE_UNIT))

    day = (store_kind, settings.now().date())
    built = built_offices.get(day)
    if built is None:
        claim = apart(build)
        kept = tmp_path_factory.mktemp("office")
        shutil.copyfile(_key_file(settings), kept / "ledger.key")
        if store_kind == "postgres":
            postgres: PostgresDatabases = request.getfixturevalue("postgres")
            database = postgres.keep(cli.db)
        else:
            database = str(kept / Path(cli.db).name)
            _copy_files(Path(cli.db), Path(database))
        built_offices[day] = Built(database, kept / "ledger.key", claim)
    else:
        if store_kind == "postgres":
            postgres = request.getfixturevalue("postgres")
            cli = Cli(postgres.new(template=built.database), cli.capsys)
        else:
            _copy_files(Path(built.database), Path(cli.db))
        settings = Settings(db=cli.db)
        shutil.copyfile(built.key, _key_file(settings))
        claim = built.claim
    with serving(settings) as url:
        yield Office(ApartCli(cli), settings, url, claim, tmp_path)


def log_in(page: Page, office: Office, name: str, password: str | None = None) -> None:
    page.goto(f"{office.url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password or PASSWORDS[name])
    page.click("form.login button[type=submit]")


def signed_in(page: Page, name: str) -> None:
    expect(page.locator(".bar .who")).to_contain_text(name)


def status(db: str, record: int) -> str:
    return str(rows(db, "SELECT status FROM records WHERE id = ?", (record,))[0][0])


def csrf(page: Page) -> str:
    return str(page.locator(".bar input[name=csrf]").get_attribute("value"))


def test_an_admin_approves_a_claim_and_reads_the_standings(office: Office, page: Page) -> None:
    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    # The login checked the hash at the office's cost (GOVINFO_WEB_PASSWORD_*): at any other
    # it would have hashed the password anew at that one.
    hashed = rows(office.cli.db, "SELECT password_hash FROM web_users WHERE name = '王芳'")[0][0]
    assert (extract_parameters(hashed).time_cost, extract_parameters(hashed).memory_cost) == (
        1,
        1024,
    )
    expect(page.locator("#month")).to_contain_text("公安局")
    expect(page.locator("main")).to_contain_text(words.OVERVIEW_PENDING.format(count=1))
    shoot(page, "overview")

    page.click("nav >> text=" + words.NAV_PENDING)
    claim = page.locator(f"#claim-{office.claim}")
    expect(claim).to_contain_text(HOSTILE_TITLE)
    expect(claim.locator("a")).to_have_attribute("href", "https://gov.example/a?b=<i>1</i>")
    shoot(page, "pending")
    claim.locator("button.approve").click()
    expect(page.locator(".message")).to_contain_text(f"已通过记录 #{office.claim}")
    expect(page.locator(f"#claim-{office.claim}")).to_have_count(0)
    assert status(office.cli.db, office.claim) == "confirmed"
    # The same use case as the chat's /approve: the ledger line, the audit trail naming the
    # console's user, the liaison's notice in the outbox.
    assert rows(office.cli.db, "SELECT actor FROM batches WHERE kind = 'approval'") == [
        ("web:王芳",)
    ]
    assert rows(
        office.cli.db, "SELECT actor FROM record_events WHERE record_id = ? AND event = ?",
        (office.claim, "approved"),
    ) == [("web:王芳",)]  # fmt: skip
    told = rows(office.cli.db, "SELECT address, text FROM outbox WHERE source = ?",
                (f"approval:{office.claim}",))  # fmt: skip
    assert [chat for chat, _ in told] == [str(LIAISON)] and HOSTILE_TITLE in told[0][1]

    page.click("nav >> text=" + words.NAV_STANDINGS)
    page.fill("input[name=period]", "本季度")
    page.select_option("select[name=group]", "A")
    page.click("form.choose button")
    canvas = page.locator("canvas[data-chart]")
    expect(canvas).to_have_count(1)
    # Chart.js drew the chart: the canvas holds a chart with a bar per unit, and ink.
    page.wait_for_function(
        "() => { const c = document.querySelector('canvas[data-chart]');"
        " const chart = window.Chart && Chart.getChart(c); return chart &&"
        " chart.data.labels.length === 2 && chart.data.datasets[0].data.some(v => v > 0); }"
    )
    inked = page.evaluate(
        "() => { const c = document.querySelector('canvas[data-chart]');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"
    )
    assert inked > 500
    table = page.locator("main table").first
    expect(table).to_contain_text(HOSTILE_UNIT)
    shoot(page, "standings")

    with page.expect_download() as waiting:
        page.click("text=" + words.STANDINGS_CSV)
    download = waiting.value
    assert download.suggested_filename == texts.STANDINGS_FILE.format(
        period=re.sub(r"\s", "", page.locator("main h2").inner_text().split("（")[0]),
        format="csv",
    )
    got = Path(download.path()).read_bytes()
    written = office.tmp / "cli.csv"
    office.cli.ok("standings", "--period", "本季度", "--group", "A", "--format", "csv",
                  "--out", str(written))  # fmt: skip
    assert got == written.read_bytes()
    assert "公安局" in got.decode("utf-8-sig")
    # The XLSX as the command line's writer makes it: no formula in any cell.
    xlsx = page.request.get(f"{office.url}/standings.xlsx?period=本季度&group=A")
    assert xlsx.status == 200
    sheets = load_workbook(BytesIO(xlsx.body()))
    cells = [c.value for sheet in sheets for row in sheet.iter_rows() for c in row]
    assert HOSTILE_UNIT in cells and not any(
        isinstance(v, str) and v.startswith("=") for v in cells
    )

    page.click(".bar button")
    expect(page.locator("form.login")).to_be_visible()
    page.goto(f"{office.url}/standings")
    expect(page.locator("form.login")).to_be_visible()


def test_a_viewer_sees_but_changes_nothing(office: Office, page: Page) -> None:
    log_in(page, office, "李明")
    signed_in(page, "李明")
    page.goto(f"{office.url}/pending")
    claim = page.locator(f"#claim-{office.claim}")
    expect(claim).to_contain_text(HOSTILE_TITLE)
    expect(page.locator("main")).to_contain_text(words.PENDING_VIEWER)
    expect(page.locator("main form")).to_have_count(0)
    shoot(page, "pending-viewer")
    # A POST made by hand, with the viewer's own valid CSRF token, is refused all the same.
    for decision, extra in (("approve", {}), ("reject", {"reason": "不符合要求"})):
        answer = page.request.post(
            f"{office.url}/pending/{office.claim}/{decision}",
            form={"csrf": csrf(page), "form": f"forged-{decision}", **extra},
        )
        assert answer.status == 403
        assert texts.ERRORS["web_admin_only"] in answer.text()
    assert status(office.cli.db, office.claim) == "pending"


def test_an_admin_made_a_viewer_is_refused_at_once(office: Office, page: Page) -> None:
    """The role is read when the action happens, not when the page was shown or at login."""
    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    page.goto(f"{office.url}/pending")
    button = page.locator(f"#claim-{office.claim} button.approve")
    expect(button).to_be_visible()
    secret = office.tmp / "demoted.txt"
    secret.write_text("still-a-password\n", encoding="utf-8")
    office.cli.ok("users", "add", "王芳", "--role", "viewer", "--password-file", str(secret))
    button.click()
    expect(page.locator(".message")).to_have_text(texts.ERRORS["web_admin_only"])
    expect(page.locator("main form")).to_have_count(0)
    assert status(office.cli.db, office.claim) == "pending"


def test_a_form_without_its_csrf_token_is_refused(office: Office, page: Page) -> None:
    # A login form must come with the token of the login page it was on.
    page.goto(f"{office.url}/login")
    answer = page.request.post(
        f"{office.url}/login", form={"name": "王芳", "password": PASSWORDS["王芳"]}
    )
    assert answer.status == 403 and words.FORM_STALE in answer.text()
    page.goto(f"{office.url}/")
    expect(page.locator("form.login")).to_be_visible()
    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    for form in ({"form": "a"}, {"form": "b", "csrf": "guessed"}, {"csrf": csrf(page)}):
        answer = page.request.post(f"{office.url}/pending/{office.claim}/approve", form=form)
        assert answer.status == 403
        assert words.FORM_STALE in answer.text()
    assert status(office.cli.db, office.claim) == "pending"


def test_a_form_sent_twice_acts_once(office: Office, page: Page) -> None:
    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    page.goto(f"{office.url}/pending")
    form = page.locator(f"#claim-{office.claim} form.reject")
    sent = {
        "csrf": csrf(page),
        "form": str(form.locator("input[name=form]").get_attribute("value")),
        "reason": "材料不全",
    }
    first = page.request.post(f"{office.url}/pending/{office.claim}/reject", form=sent)
    again = page.request.post(f"{office.url}/pending/{office.claim}/reject", form=sent)
    assert first.status == 200 and "已驳回" in first.text()
    assert again.status == 409 and texts.ERRORS["web_form_replayed"] in again.text()
    events = rows(office.cli.db, "SELECT event, actor, reason FROM record_events "
                  "WHERE record_id = ? AND event = 'rejected'", (office.claim,))  # fmt: skip
    assert events == [("rejected", "web:王芳", "材料不全")]


def test_a_session_ends_after_the_idle_time_and_a_removed_user_at_once(
    office: Office, page: Page
) -> None:
    """GOVINFO_WEB_IDLE_MINUTES is 1 here: the console's clock is moved rather than waited for."""
    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    office.settings.move_clock(office.settings.now() + timedelta(seconds=50))
    page.goto(f"{office.url}/standings")
    signed_in(page, "王芳")  # 50 s idle: still in, and the request counts as activity
    office.settings.move_clock(office.settings.now() + timedelta(seconds=50))
    page.goto(f"{office.url}/pending")
    signed_in(page, "王芳")
    office.settings.move_clock(office.settings.now() + timedelta(seconds=61))
    page.goto(f"{office.url}/pending")
    expect(page.locator("main")).to_contain_text(words.SESSION_EXPIRED)
    expect(page.locator("form.login")).to_be_visible()
    shoot(page, "login-expired")

    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    office.cli.ok("users", "remove", "王芳")
    page.goto(f"{office.url}/")
    expect(page.locator("form.login")).to_be_visible()
    assert "/login" in page.url


def test_logins_are_throttled_per_address(office: Office, page: Page) -> None:
    """Three failures from one address (GOVINFO_WEB_LOGIN_ATTEMPTS) with any names: the next
    login from there is refused, the right password too, until the window has passed."""
    for name in ("王芳", "nobody", "李明"):
        log_in(page, office, name, "wrong-password")
        expect(page.locator(".error")).to_have_text(texts.ERRORS["web_login_wrong"])
    log_in(page, office, "王芳")
    throttled = texts.error_text("web_login_throttled", {"minutes": 10})
    expect(page.locator(".error")).to_have_text(throttled)
    shoot(page, "login-throttled")
    office.settings.move_clock(office.settings.now() + timedelta(minutes=11))
    log_in(page, office, "王芳")
    signed_in(page, "王芳")


def test_an_admin_imports_a_register_previewed_then_confirmed_once(
    office: Office, page: Page
) -> None:
    """The import's dry run line by line, then the confirmation storing what was previewed,
    once; a refused file and a hostile one store nothing."""
    header = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
    today = office.settings.now().date().isoformat()
    count = "SELECT count(*) FROM records"
    before = rows(office.cli.db, count)[0][0]
    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    page.click("nav >> text=" + words.NAV_IMPORT)

    bad = write_csv(office.tmp / "坏.csv", header, [
        [today, "审计局", "报送", 1, "", "", "好的一行", ""],
        [today, "没有这个局", "报送", 1, "", "", "单位不对", ""],
    ])  # fmt: skip
    page.set_input_files("input[name=file]", str(bad))
    page.click("form.upload button[type=submit]")
    refused = page.locator(".refused")
    expect(refused).to_contain_text("坏.csv")
    expect(refused).to_contain_text("第 3 行")
    assert str(office.tmp) not in refused.inner_text()
    assert rows(office.cli.db, count)[0][0] == before

    good = write_csv(office.tmp / "登记表.csv", header, [
        [today, "公安局", "报送", 3, "", "", "报送", ""],
        [today, HOSTILE_UNIT, "报送", 2, "", "", "<i>新</i>的报送", ""],
    ])  # fmt: skip
    page.select_option("select[name=existing]", "skip")
    page.set_input_files("input[name=file]", str(good))
    page.click("form.upload button[type=submit]")
    preview = page.locator(".preview")
    expect(preview).to_contain_text(texts.RECORDS_SKIPPED_DRY.format(skipped=3))
    # Line by line: the row stored already skipped, the new one stored, its title as text.
    expect(preview.locator("#row-2 td").nth(5)).to_have_text("0")
    expect(preview.locator("#row-2 td").nth(6)).to_have_text("3")
    expect(preview.locator("#row-3")).to_contain_text("<i>新</i>的报送")
    expect(preview.locator("#row-3 td").nth(5)).to_have_text("2")
    shoot(page, "import-preview")
    assert rows(office.cli.db, count)[0][0] == before
    sent = {
        name: str(page.locator(f"form.confirm input[name={name}]").get_attribute("value"))
        for name in ("csrf", "token", "form")
    }
    page.click("form.confirm button")
    expect(page.locator(".imported")).to_contain_text(texts.RECORDS_SKIPPED.format(skipped=3))
    assert rows(office.cli.db, count)[0][0] == before + 2
    assert rows(office.cli.db, "SELECT actor, source FROM batches WHERE kind = 'records' "
                "ORDER BY id DESC LIMIT 1") == [("web:王芳", "登记表.csv")]  # fmt: skip
    again = page.request.post(f"{office.url}/import/confirm", form=sent)
    assert again.status == 409 and words.IMPORT_GONE in again.text()
    assert rows(office.cli.db, count)[0][0] == before + 2

    # A workbook declaring gigabytes once unpacked: refused by the command line's guard, fast.
    bomb = write_xlsx(office.tmp / "bomb.xlsx", sheet_xml([HEADER_ROW]))
    declare_size(bomb, SHEET_MEMBER, 3 << 30)
    started = time.monotonic()
    page.set_input_files("input[name=file]", str(bomb))
    page.click("form.upload button[type=submit]")
    expect(page.locator(".refused")).to_contain_text("解压后过大")
    assert time.monotonic() - started < 5
    shoot(page, "import-refused")
    assert rows(office.cli.db, count)[0][0] == before + 2


def test_a_viewer_cannot_import(office: Office, page: Page) -> None:
    log_in(page, office, "李明")
    signed_in(page, "李明")
    page.goto(f"{office.url}/import")
    expect(page.locator("main")).to_contain_text(words.IMPORT_VIEWER)
    expect(page.locator("main form")).to_have_count(0)
    roster = office.tmp / "名单.csv"
    roster.write_text("name,group\n新局,A\n", encoding="utf-8")
    answer = page.request.post(
        f"{office.url}/import/preview",
        multipart={
            "csrf": csrf(page), "kind": "units", "existing": "refuse",
            "file": {"name": "名单.csv", "mimeType": "text/csv", "buffer": roster.read_bytes()},
        },
    )  # fmt: skip
    assert answer.status == 403 and texts.ERRORS["web_admin_only"] in answer.text()
    assert rows(office.cli.db, "SELECT count(*) FROM units WHERE name = '新局'") == [(0,)]


def test_an_admin_locks_and_reopens_a_period(office: Office, page: Page) -> None:
    """The chat's lock and reopen: recorded with the web user, once per form, a reason
    required, and the history shown; a viewer sees it and changes nothing."""
    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    page.click("nav >> text=" + words.NAV_PERIODS)
    expect(page.locator("#locks")).to_contain_text(words.PERIODS_NONE)
    lock = page.locator("form.lock")
    sent = {
        "csrf": csrf(page), "period": "上月",
        "form": str(lock.locator("input[name=form]").get_attribute("value")),
    }  # fmt: skip
    lock.locator("input[name=period]").fill("上月")
    lock.locator("button").click()
    expect(page.locator(".message")).to_contain_text("已锁定")
    again = page.request.post(f"{office.url}/periods/lock", form=sent)
    assert again.status == 409 and texts.ERRORS["web_form_replayed"] in again.text()
    locked = rows(office.cli.db, "SELECT period, actor FROM period_locks")
    assert len(locked) == 1 and locked[0][1] == "web:王芳"
    expect(page.locator("#locks")).to_contain_text(texts.actor_display("web:王芳"))

    reopen = page.locator("form.reopen")
    no_reason = {
        "csrf": csrf(page), "period": "上月",
        "form": str(reopen.locator("input[name=form]").get_attribute("value")),
    }  # fmt: skip
    refused = page.request.post(f"{office.url}/periods/reopen", form=no_reason)
    assert refused.status == 400 and texts.ERRORS["reason_missing"] in refused.text()
    assert len(rows(office.cli.db, "SELECT period FROM period_locks")) == 1
    page.goto(f"{office.url}/periods")
    page.locator("form.reopen input[name=period]").fill("上月")
    page.locator("form.reopen input[name=reason]").fill("<b>补录</b>漏报的信息")
    page.locator("form.reopen button").click()
    expect(page.locator(".message")).to_contain_text("已解锁")
    expect(page.locator("#history")).to_contain_text("<b>补录</b>漏报的信息")
    assert rows(office.cli.db, "SELECT period FROM period_locks") == []
    assert rows(office.cli.db, "SELECT event, actor, reason FROM period_events ORDER BY id") == [
        ("locked", "web:王芳", ""), ("reopened", "web:王芳", "<b>补录</b>漏报的信息"),
    ]  # fmt: skip
    shoot(page, "periods")

    page.click(".bar button")
    log_in(page, office, "李明")
    signed_in(page, "李明")
    page.goto(f"{office.url}/periods")
    expect(page.locator("main")).to_contain_text(words.PERIODS_VIEWER)
    expect(page.locator("main form")).to_have_count(0)
    forged = {"csrf": csrf(page), "period": "上月", "form": "forged-lock"}
    answer = page.request.post(f"{office.url}/periods/lock", form=forged)
    assert answer.status == 403 and texts.ERRORS["web_admin_only"] in answer.text()
    assert rows(office.cli.db, "SELECT period FROM period_locks") == []


def test_an_admin_previews_and_publishes_the_bulletin(office: Office, page: Page) -> None:
    """The draft's pages drawn from its PDF, published with the issue number and date of the
    preview by the chat's use case (the period locked), once; each version downloadable byte
    for byte as the command line gives it."""
    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    page.click("nav >> text=" + words.NAV_BULLETIN)
    draft = page.locator("form.draft")
    draft.locator("input[name=period]").fill("上月")
    draft.locator("input[name=issue]").fill("磴政办通〔2099〕7号")
    draft.locator("input[name=date]").fill("2099-01-02")
    draft.locator("button").click()
    images = page.locator(".pages img.page")
    expect(images.first).to_be_visible(timeout=120_000)
    # The page images are drawn: a PNG an A4 page wide.
    width = images.first.evaluate("img => img.naturalWidth")
    assert width > 400
    shoot(page, "bulletin-draft")
    assert rows(office.cli.db, "SELECT count(*) FROM period_locks") == [(0,)]
    publish = page.locator("form.publish")
    sent = {name: str(publish.locator(f"input[name={name}]").get_attribute("value"))
            for name in ("csrf", "form", "period", "issue", "date")}  # fmt: skip
    publish.locator("button").click()
    expect(page.locator(".message")).to_contain_text("已发布", timeout=60_000)
    again = page.request.post(f"{office.url}/bulletin/publish", form=sent)
    assert again.status == 409 and texts.ERRORS["web_form_replayed"] in again.text()
    assert rows(office.cli.db, "SELECT actor FROM period_locks") == [("web:王芳",)]
    published = rows(office.cli.db, "SELECT version, actor FROM bulletins")
    assert published == [(1, "web:王芳")]
    shoot(page, "bulletin-published")

    with page.expect_download() as waiting:
        page.click("#published >> text=DOCX")
    got = Path(waiting.value.path()).read_bytes()
    written = office.tmp / "v1.docx"
    office.cli.ok("bulletin", "--period", "上月", "--version", "1", "--format", "docx",
                  "--out", str(written))  # fmt: skip
    assert got == written.read_bytes()
    # The issue number set in the preview, and the office's name as text.
    with ZipFile(BytesIO(got)) as docx:
        xml = "".join(docx.read(n).decode() for n in docx.namelist() if n.endswith(".xml"))
    assert "磴政办通〔2099〕7号" in xml and "&lt;b&gt;磴口县&lt;/b&gt;人民政府办公室" in xml


def test_the_ledger_is_searched_and_a_line_reversed(office: Office, page: Page) -> None:
    """Lines of other units, items and actors left out; an admin reverses a line with its
    reason (the chat's /reverse, recorded as the web user, once per form); a viewer searches
    and changes nothing."""
    log_in(page, office, "王芳")
    signed_in(page, "王芳")
    page.click("nav >> text=" + words.NAV_LEDGER)
    lines = page.locator("#lines tbody tr")
    every = rows(office.cli.db, "SELECT count(*) FROM ledger")[0][0]
    expect(lines).to_have_count(every)
    search = page.locator("form.search")
    search.locator("input[name=unit]").fill("公安局")
    search.locator("select[name=item]").select_option("city.zwyq.main")
    search.locator("button").click()
    # The results' page loaded: the office's ledger may hold one line before the search too,
    # and a form read from the page before would not be the one sent.
    expect(page).to_have_url(re.compile(r"[?&]item=city\.zwyq\.main"))
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("公安局")
    line = int(lines.first.locator("td").first.inner_text())
    form = lines.first.locator("form.reverse")
    sent = {name: str(form.locator(f"input[name={name}]").get_attribute("value"))
            for name in ("csrf", "form")} | {"reason": "重复登记"}  # fmt: skip
    form.locator("input[name=reason]").fill("重复登记")
    form.locator("button").click()
    expect(page.locator(".message")).to_contain_text(f"已冲正流水 #{line}")
    expect(page.locator(f"#line-{line}")).to_contain_text("已由流水")
    shoot(page, "ledger")
    again = page.request.post(f"{office.url}/ledger/{line}/reverse", form=sent)
    assert again.status == 409 and texts.ERRORS["web_form_replayed"] in again.text()
    reversals = rows(office.cli.db, "SELECT b.actor FROM ledger l JOIN batches b "
                     "ON b.id = l.batch_id WHERE l.reverses = ?", (line,))  # fmt: skip
    assert reversals == [("web:王芳",)]
    page.goto(f"{office.url}/ledger?actor=nobody")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text(words.LEDGER_NONE)
    page.goto(f"{office.url}/ledger?actor=王芳")
    expect(lines).to_have_count(1)

    # A penalty and an adjustment, each with its reason, as the chat's /penalty and /adjust.
    penalty = page.locator("form.penalty")
    penalty.locator("input[name=unit]").fill("审计局")
    penalty.locator("input[name=note]").fill("迟报")
    penalty.locator("button").click()
    expect(page.locator(".message")).to_contain_text("已记入记录")
    adjustment = page.locator("form.adjustment")
    adjustment.locator("input[name=unit]").fill("审计局")
    adjustment.locator("input[name=points]").fill("两分")
    adjustment.locator("input[name=note]").fill("<b>更正</b>")
    adjustment.locator("button").click()
    expect(page.locator(".message")).to_have_text(
        texts.error_text("points_invalid", {"value": "两分"})
    )
    page.locator("form.adjustment input[name=unit]").fill("审计局")
    page.locator("form.adjustment input[name=points]").fill("-2")
    page.locator("form.adjustment input[name=note]").fill("<b>更正</b>")
    page.locator("form.adjustment button").click()
    expect(page.locator(".message")).to_contain_text("-2 分")
    entered = rows(office.cli.db, "SELECT b.kind, b.actor FROM batches b "
                   "WHERE b.kind IN ('penalty', 'adjustment') ORDER BY b.id")  # fmt: skip
    assert entered == [("penalty", "web:王芳"), ("adjustment", "web:王芳")]
    page.goto(f"{office.url}/ledger?unit=审计局")
    expect(page.locator("#lines")).to_contain_text("<b>更正</b>")
    page.goto(f"{office.url}/ledger?unit=没有这个局")
    expect(page.locator(".message")).to_be_visible()

    page.click(".bar button")
    log_in(page, office, "李明")
    signed_in(page, "李明")
    page.goto(f"{office.url}/ledger")
    expect(page.locator("main")).to_contain_text(words.LEDGER_VIEWER)
    expect(page.locator("main form.reverse")).to_have_count(0)
    first = rows(office.cli.db, "SELECT min(id) FROM ledger")[0][0]
    forged = {"csrf": csrf(page), "form": "forged-reversal", "reason": "伪造"}
    answer = page.request.post(f"{office.url}/ledger/{first}/reverse", form=forged)
    assert answer.status == 403 and texts.ERRORS["web_admin_only"] in answer.text()
    assert rows(office.cli.db, "SELECT count(*) FROM ledger WHERE reverses IS NOT NULL") == [(1,)]
