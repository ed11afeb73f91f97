"""The channel seam: a way in other than Telegram drives the same use cases with its own
requests, and a renderer of its own receives their notices; nothing in the use cases changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.jobs.scheduler import SINCE_KEY, Scheduler
from bot.settings import Settings
from bot.storage import Address, AlreadyProcessed, Store, Tx
from bot.usecases import reports
from bot.usecases.imports import import_units
from bot.usecases.notices import (
    ClaimApproved,
    ClaimFiled,
    Notice,
    RunFailed,
    UnitMerged,
    UnitRetired,
)
from bot.usecases.request import Request
from bot.usecases.setup import initialize
from bot.usecases.units import ChangeRequest, change_unit
from scoring.roster import Change
from tests.conftest import write_csv

NOW = datetime(2024, 6, 3, 9, 0).astimezone()
DAY = date(2024, 5, 6)
TITLE = "关于春耕的调研"
EVIDENCE = "https://gov.example/spring"
# A liaison reached by mail: nothing in the use cases assumes Telegram.
LIAISON = Address("mail", "zhao@gov.example")


@dataclass
class Recorder:
    """A second channel's renderer, as small as one can be: it keeps what it is given."""

    notices: list[tuple[Notice, datetime]] = field(default_factory=list)
    refuse: bool = False

    async def emit(self, tx: Tx, notice: Notice, now: datetime) -> None:
        if self.refuse:
            raise ConnectionError("the channel's renderer failed")
        self.notices.append((notice, now))


@dataclass
class Kept:
    """The second channel's answer to whoever asked: the result, as the use case gave it."""

    results: list[object] = field(default_factory=list)

    async def owe(self, tx: Tx, result: object, source: str, now: datetime) -> None:
        self.results.append(result)


class Still:
    """A way in's clock and outlet that never wake and send nothing: the calendar is driven by
    hand (Scheduler.make_due)."""

    running = False

    def wake_at(self, when: datetime | float, wake: Callable[[], Awaitable[None]]) -> None:
        raise AssertionError("no wake-up is set while the calendar is driven by hand")

    async def deliver(self) -> bool:
        return False

    async def waiting(self) -> bool:
        return False


async def _office(database: str, tmp_path: Path) -> Store:
    store = await Store.open(database)
    await initialize(store, "dengkou-2024")
    units = write_csv(tmp_path / "u.csv", ["name", "group"], [["公安局", "A"]])
    await import_units(store, units, "cli:root", NOW)
    async with store.transaction() as tx:
        await tx.liaisons.bind_liaison(LIAISON, 1, "赵信息员", "", NOW)
    return store


async def test_a_second_channel_drives_the_use_cases_with_its_own_renderer(
    database: str, tmp_path: Path
) -> None:
    store = await _office(database, tmp_path)
    mail = Recorder()
    try:
        draft = await reports.make_draft(
            store, LIAISON, "city.jccc", TITLE, DAY, (), EVIDENCE,
            Request("mail:zhao@gov.example", NOW, 1, notices=mail),
        )  # fmt: skip
        claimed = await reports.confirm_draft(
            store, draft.id, LIAISON, True, Request("mail:zhao@gov.example", NOW, 2, notices=mail)
        )
        filed = ClaimFiled(
            claimed.record_id, "公安局", "赵信息员", claimed.item.chat_name, TITLE, DAY,
            claimed.scored.explanation, EVIDENCE,
        )  # fmt: skip
        assert mail.notices == [(filed, NOW)]

        answer = Kept()
        approving = Request("dingtalk:wangfang", NOW, 3, notices=mail)
        decided = await reports.approve(store, claimed.record_id, approving, answer)
        approved = ClaimApproved(1, claimed.record_id, TITLE, claimed.scored.points)
        assert mail.notices[1:] == [(approved, NOW)]
        assert answer.results == [decided]

        # The same request again (a redelivered mail, say) acts once.
        with pytest.raises(AlreadyProcessed):
            await reports.approve(store, claimed.record_id, approving, answer)
        assert len(mail.notices) == 2 and answer.results == [decided]
        async with store.reading() as tx:
            # Nothing was rendered for Telegram: the outbox holds no message.
            assert await tx.outbox.unsent(0, 10) == []
            assert (await tx.records.record(claimed.record_id)).status == "confirmed"
    finally:
        await store.close()


async def test_a_renderer_failing_leaves_the_action_undone(database: str, tmp_path: Path) -> None:
    """The notice is owed inside the action's transaction: if it cannot be, nothing is
    stored, and the same request may come again."""
    store = await _office(database, tmp_path)
    mail = Recorder()
    try:
        draft = await reports.make_draft(
            store, LIAISON, "city.jccc", TITLE, DAY, (), "", Request("mail:zhao", NOW, 1)
        )
        claimed = await reports.confirm_draft(
            store, draft.id, LIAISON, True, Request("mail:zhao", NOW, 2, notices=mail)
        )
        mail.refuse = True
        request = Request("dingtalk:wangfang", NOW, 3, notices=mail)
        with pytest.raises(ConnectionError):
            await reports.approve(store, claimed.record_id, request)
        async with store.reading() as tx:
            assert (await tx.records.record(claimed.record_id)).status == "pending"
        mail.refuse = False
        await reports.approve(store, claimed.record_id, request)
        assert [type(n) for n, _ in mail.notices] == [ClaimFiled, ClaimApproved]
    finally:
        await store.close()


async def test_a_notice_with_nowhere_to_go_is_refused(database: str, tmp_path: Path) -> None:
    """A request that names no renderer cannot lose a notice silently: the action fails whole."""
    store = await _office(database, tmp_path)
    try:
        draft = await reports.make_draft(
            store, LIAISON, "city.jccc", TITLE, DAY, (), "", Request("mail:zhao", NOW, 1)
        )
        with pytest.raises(RuntimeError):
            await reports.confirm_draft(
                store, draft.id, LIAISON, True, Request("mail:zhao", NOW, 2)
            )
        async with store.reading() as tx:
            assert await tx.records.pending_claims() == []
    finally:
        await store.close()


async def test_units_merged_and_retired_tell_their_liaisons_through_the_channel(
    database: str, tmp_path: Path
) -> None:
    """The letters of a merge (by command) and a retirement (by a roster's change column) are
    notices the channel renders: nothing is written for Telegram."""
    store = await Store.open(database)
    mail = Recorder()
    try:
        await initialize(store, "dengkou-2024")
        roster = [["公安局", "A"], ["交警大队", "A"], ["林业局", "A"], ["教育局", "A"]]
        await import_units(
            store, write_csv(tmp_path / "u.csv", ["name", "group"], roster), "cli:root", NOW
        )
        forester = Address("mail", "lin@gov.example")
        async with store.transaction() as tx:
            await tx.liaisons.bind_liaison(LIAISON, 2, "赵信息员", "", NOW)
            await tx.liaisons.bind_liaison(forester, 3, "林信息员", "", NOW)
        merge = ChangeRequest(Change.MERGE, "交警大队", "公安局", "2024-06-01")
        await change_unit(store, merge, Request("mail:wangfang", NOW, notices=mail))
        assert mail.notices == [
            (UnitMerged(2, "交警大队", "公安局", date(2024, 6, 1), (LIAISON,)), NOW)
        ]
        changed = [["公安局", "A", ""], ["林业局", "A", "撤销 2024-06-01"], ["教育局", "A", ""]]
        header = ["name", "group", "change"]
        path = write_csv(tmp_path / "u2.csv", header, changed)
        await import_units(store, path, "mail:wangfang", NOW, notices=mail)
        assert mail.notices[1:] == [(UnitRetired(3, "林业局", date(2024, 6, 1), (forester,)), NOW)]
        async with store.reading() as tx:
            assert await tx.outbox.unsent(0, 10) == []
            moved = await tx.liaisons.liaison(LIAISON, active_only=True)
            assert moved is not None and moved.unit == "公安局"
            assert await tx.liaisons.liaison(forester, active_only=True) is None
        # A unit with nobody to tell owes no notice: a way in without a renderer may retire it.
        retire = ChangeRequest(Change.RETIRE, "教育局", "", "2024-06-01")
        await change_unit(store, retire, Request("cli:root", NOW))
    finally:
        await store.close()


async def test_a_scheduled_run_failing_is_a_notice_of_the_channel(database: str) -> None:
    """The scheduled settlement of a month without any submission is refused: the run is
    recorded failed and the admins' notice goes to the channel's renderer, with what to do by
    hand; nothing is written for Telegram."""
    store = await Store.open(database)
    mail = Recorder()
    zone = NOW.tzinfo
    try:
        await initialize(store, "dengkou-2024")
        async with store.transaction() as tx:
            await tx.config.set_setting(
                SINCE_KEY, datetime(2026, 3, 31, 10, tzinfo=zone).isoformat()
            )
        settings = Settings(_env_file=None, verify_time=None)  # type: ignore[call-arg]
        scheduler = Scheduler(Still(), store, settings, Still(), mail)
        await scheduler.make_due(datetime(2026, 4, 1, 10, tzinfo=zone))
        (failed,) = [n for n, _ in mail.notices if isinstance(n, RunFailed)]
        assert (failed.source, failed.job, failed.period) == (
            "settlement:2026-03",
            "月度结算",
            "2026年3月",
        )
        assert "2026年3月 没有任何报送记录" in failed.reason
        assert failed.by_hand is not None and "quota settle --month" in failed.by_hand
        async with store.reading() as tx:
            assert await tx.outbox.unsent(0, 10) == []
            runs = await tx.jobs.job_runs()
        assert ("settlement", "2026-03") in runs
    finally:
        await store.close()
