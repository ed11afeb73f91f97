"""Commissions (约稿) end to end: created, notified, answered, reminded, missed, selected."""

from __future__ import annotations

from tests.chat import (
    ADMIN,
    LIAISON,
    OTHER_ADMIN,
    SECOND,
    STRANGER,
    flat,
    prepare_db,
    running_bot,
)
from tests.jobs import (
    CALENDAR_ONLY,
    answer,
    at,
    clock,
    idle,
    next_wake,
    received,
    run_at,
    wakes_at,
)
from tests.stores import rows

THIRD = 1003


def ledger(db: str) -> list[tuple[str, str, str, int]]:
    return rows(
        db,
        "SELECT u.name, l.date, l.rule_id, l.points / 100 FROM ledger l JOIN units u ON u.id = l.unit_id "
        "WHERE l.rule_id <> 'submission' ORDER BY l.id",
    )


async def test_a_commission_from_creation_to_a_miss_and_a_selection(database: str) -> None:
    with clock(at(2026, 3, 2, 10)) as time:  # a Monday
        async with running_bot(database, **CALENDAR_ONLY) as chat:
            await idle(chat, at(2026, 3, 2, 10))
            await chat.join(LIAISON, "公安局")
            await chat.join(SECOND, "审计局")
            await chat.join(THIRD, "教育局")

            created = await chat.ask(ADMIN, "/commission 3月6日 公安局、审计局 春耕备耕工作进展")
            assert "已发布约稿 #1：春耕备耕工作进展" in flat(created.text)
            assert "截止日期：2026-03-06" in flat(created.text) and "公安局、审计局" in flat(
                created.text
            )
            for user in (LIAISON, SECOND):
                notice = await chat.server.wait_for(
                    lambda m: "【约稿 #1】" in flat(m.text), chat_id=user
                )
                assert "/submit 约稿1 <标题>" in flat(notice.text) and "扣 30 分" in flat(
                    notice.text
                )
            assert received(chat, THIRD, "约稿") == []
            # The reminder is the working day before the deadline, not the next calendar job.
            await wakes_at(chat, at(2026, 3, 5))

            # Only a target answers, and only before the deadline.
            await answer(chat, THIRD, "/submit 约稿1 教育局的稿件", "约稿 #1 没有约教育局的稿")
            time.move_to(at(2026, 3, 3, 11))
            answered = await answer(
                chat, LIAISON, "/submit 约稿1 全县春耕备耕有序推进", "已记录报送"
            )
            assert "已记录报送（#1）" in flat(answered)
            assert "已作为约稿 #1「春耕备耕工作进展」的回复" in flat(answered)
            for admin in (ADMIN, OTHER_ADMIN):
                told = await chat.server.wait_for(
                    lambda m: "收到公安局的回复 #1" in flat(m.text), chat_id=admin
                )
                assert "/select 1 市 — 约稿被市政府办公室选用并上报自治区（+15）" in flat(told.text)
                assert "/select 1 自治区" in flat(told.text)
            await answer(
                chat, LIAISON, "/commissions", "#1 春耕备耕工作进展｜截止 2026-03-06｜已报送"
            )

            await run_at(chat, time, at(2026, 3, 5))
            (reminder,) = received(chat, SECOND, "【约稿提醒】")
            assert "约稿 #1「春耕备耕工作进展」将于 2026-03-06 截止，审计局尚未报送" in reminder
            assert received(chat, LIAISON, "【约稿提醒】") == []
            assert next_wake(chat) == at(2026, 3, 7)  # the morning after the deadline

            await run_at(chat, time, at(2026, 3, 7))
            (letter,) = received(chat, SECOND, "【提醒函】")
            assert "约稿 #1「春耕备耕工作进展」已于 2026-03-06 截止，贵单位未按时报送" in letter
            assert "扣 30 分（未按时完成约稿任务）" in letter
            assert received(chat, LIAISON, "【提醒函】") == []
            (closed,) = received(chat, ADMIN, "【约稿结算】")
            assert "1 个单位已报送，1 个单位未报送" in closed and "审计局 -30 分" in closed
            await answer(chat, SECOND, "/submit 约稿1 迟到的稿件", "约稿 #1 已于 2026-03-06 截止")

            # The city selects the answer; selecting it twice for the same level is refused.
            await answer(chat, LIAISON, "/select 1 市", "只有信息室管理员")
            await answer(chat, ADMIN, "/select 1 市", "约稿被市政府办公室选用并上报自治区，+15 分")
            told = await chat.server.wait_for(lambda m: "被选用" in flat(m.text), chat_id=LIAISON)
            assert "全县春耕备耕有序推进" in flat(told.text)
            await answer(chat, ADMIN, "/select 1 市", "已记录过")
            await answer(chat, ADMIN, "/select 1 国务院", "未知的选用项 国务院（可用：市、自治区）")

            # 审计局 misses its next commission too: after the letter, it costs 50. 公安局 answered
            # its last one, so its first miss costs 30.
            await answer(
                chat, ADMIN, "/commission 3月12日 审计局、公安局 一季度审计发现的问题", "约稿 #2"
            )
            # The scheduler is set again after the answer: the clock moves once it is.
            await wakes_at(chat, at(2026, 3, 11))
            await run_at(chat, time, at(2026, 3, 11))
            await run_at(chat, time, at(2026, 3, 13))
            letters = received(chat, SECOND, "【提醒函】")
            assert len(letters) == 2
            assert "扣 50 分（约稿经提醒后仍未完成）" in letters[1]

            # 公安局 answers its next one, which ends its streak: the miss after it costs 30.
            await answer(chat, ADMIN, "/commission 3月17日 公安局 春季森林防火", "约稿 #3")
            await answer(chat, LIAISON, "/submit 约稿3 森林防火检查全覆盖", "已作为约稿 #3")
            await run_at(chat, time, at(2026, 3, 18))
            await answer(chat, ADMIN, "/commission 3月19日 公安局 交通安全", "约稿 #4")
            await run_at(chat, time, at(2026, 3, 20))
            assert ledger(chat.db())[-1] == ("公安局", "2026-03-19", "commission.missed", -30)

            assert ledger(chat.db())[:-1] == [
                ("审计局", "2026-03-06", "commission.missed", -30),
                ("公安局", "2026-03-07", "city.commission", 15),
                ("公安局", "2026-03-12", "commission.missed", -30),
                ("审计局", "2026-03-12", "commission.missed_again", -50),
            ]
            # The answers count as submissions toward the month's quota, as any other.
            assert rows(chat.db(), "SELECT COUNT(*) FROM records WHERE item_id = 'submission'") == [
                (2,)
            ]
            assert rows(chat.db(), "SELECT event, actor, reason FROM record_events") == [
                ("selected", f"tg:{ADMIN}", "city.commission")
            ]


async def test_a_reminder_due_before_an_action_reschedules_is_still_sent(database: str) -> None:
    """An action's delivery sets the next wake-up again when it ends, which may be after a run
    fell due and before the wake-up for it ran (notices to many chats outlasting the due time, a
    late timer): that run is made at once, not superseded by the next one days later."""
    with clock(at(2026, 3, 2, 10)) as time:
        async with running_bot(database, **CALENDAR_ONLY) as chat:
            await idle(chat, at(2026, 3, 2, 10))
            await chat.join(SECOND, "审计局")
            await answer(chat, ADMIN, "/commission 3月6日 审计局 春耕备耕工作进展", "约稿 #1")
            await wakes_at(chat, at(2026, 3, 5))

            # The reminder is due at 09:00; the wake-up for it has not run when, a minute later,
            # another commission's delivery sets the next wake-up again.
            time.move_to(at(2026, 3, 5, 9, 1))
            await answer(chat, ADMIN, "/commission 3月20日 审计局 一季度工作总结", "约稿 #2")
            await idle(chat, at(2026, 3, 5, 9, 1))
            (reminder,) = received(chat, SECOND, "【约稿提醒】")
            assert "约稿 #1「春耕备耕工作进展」将于 2026-03-06 截止" in reminder
            assert rows(chat.db(), "SELECT job, period, outcome FROM job_runs") == [
                ("commission_reminder", "1", "done")
            ]
            assert next_wake(chat) == at(2026, 3, 7)


async def test_a_deadline_without_its_year_in_december_is_next_years(database: str) -> None:
    """In December, 3月12日 is the coming March's, not a day past to refuse."""
    with clock(at(2026, 12, 7, 10)):
        async with running_bot(database, **CALENDAR_ONLY) as chat:
            await idle(chat, at(2026, 12, 7, 10))
            await chat.join(SECOND, "审计局")
            created = await answer(
                chat, ADMIN, "/commission 3月12日 审计局 一季度工作谋划", "约稿 #1"
            )
            assert "截止日期：2027-03-12" in created
            assert rows(chat.db(), "SELECT deadline FROM commissions") == [("2027-03-12",)]


async def test_bad_commissions_are_refused_and_store_nothing(database: str) -> None:
    with clock(at(2026, 3, 2, 10)):
        async with running_bot(database, **CALENDAR_ONLY) as chat:
            await idle(chat, at(2026, 3, 2, 10))
            cases = {
                "/commission 3月6日": "用法",
                "/commission 2026-03-01 公安局 过期的约稿": "截止日期 2026-03-01 已过",
                "/commission 3月6日 林草局 题目": "林草局",
                "/commission 下周 公安局 题目": "下周",
            }
            for command, expected in cases.items():
                answer = await chat.ask(ADMIN, command)
                assert expected in flat(answer.text), (command, answer.text)
            stranger = await chat.ask(STRANGER, "/commission 3月6日 公安局 题目")
            assert "只有信息室管理员" in flat(stranger.text)
            assert rows(chat.db(), "SELECT COUNT(*) FROM commissions") == [(0,)]
            assert rows(chat.db(), "SELECT COUNT(*) FROM outbox") == [(0,)]

            # A group names all its units; 全部 names every unit.
            group = await chat.ask(ADMIN, "/commission 3月6日 B类 治安与审计")
            assert "约稿单位 2 个：公安局、审计局" in flat(group.text)
            everyone = await chat.ask(ADMIN, "/commission 3月9日 全部 春季安全生产")
            assert "约稿单位 4 个" in flat(everyone.text)
            listing = await chat.ask(ADMIN, "/commissions")
            assert "#2 春季安全生产｜截止 2026-03-09｜已报送 0/4" in flat(listing.text)
            assert "#1 治安与审计｜截止 2026-03-06｜已报送 0/2" in flat(listing.text)


async def test_rules_without_commissions_refuse_them(database: str) -> None:
    await prepare_db(database, "ordos-2020", [["东胜区", "旗区", ""]])
    async with running_bot(database, ruleset="ordos-2020", **CALENDAR_ONLY) as chat:
        answer = await chat.ask(ADMIN, "/commission 明天 全部 题目")
        assert "没有约稿的考评规则" in flat(answer.text)
