"""A whole quarter of scheduled work, end to end, with the clock stepped run by run: the first
quarter of 2026, with the Spring Festival holiday and a Saturday worked in exchange, and the bot
stopped over the first of March."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.fakeapi import FakeBotApi
from scoring.ruleset import builtin_ruleset_text
from tests.chat import ADMIN, LIAISON, OTHER_ADMIN, SECOND, bot_on, prepare_db
from tests.jobs import CALENDAR_ONLY, at, clock, idle, next_wake, received, run_at, submit
from tests.stores import rows

THIRD = 1003
FOURTH = 1004
LIAISONS = {LIAISON: "公安局", SECOND: "审计局", THIRD: "教育局", FOURTH: "气象局"}
REMINDER, WARNING, LETTER = "【报送提醒】", "【扣分预警】", "【提醒函】"


def marks(chat_messages: list[str]) -> list[str]:
    return [text[: text.index("】") + 1] for text in chat_messages]


def ledger(db: str, unit: str) -> list[tuple[str, str, int]]:
    return rows(
        db,
        "SELECT l.date, l.rule_id, l.points / 100 FROM ledger l JOIN units u ON u.id = l.unit_id "
        "WHERE u.name = ? AND l.points <> 0 ORDER BY l.id",
        (unit,),
    )


async def test_a_quarter_of_reminders_warnings_and_settlements(database: str) -> None:
    with clock(at(2026, 1, 1, 10)) as time:
        async with FakeBotApi() as server:
            async with bot_on(server, database, **CALENDAR_ONLY) as chat:
                await idle(chat, at(2026, 1, 1, 10))
                for user, unit in LIAISONS.items():
                    await chat.join(user, unit)
                # Nothing was owed before the bot first ran; the first run is the Q4 bulletin.
                assert next_wake(chat) == at(2026, 1, 5)
                await run_at(chat, time, at(2026, 1, 5))
                await run_at(chat, time, at(2026, 1, 10))
                for admin in (ADMIN, OTHER_ADMIN):
                    assert marks(received(chat, admin, "通报草稿】")) == [
                        "【2025年第四季度 通报草稿】",
                        "【2025年 通报草稿】",
                    ]
                    # Each with its files (here the XLSX: no office name is set) first.
                    assert (
                        "2025年第四季度 通报草稿（xlsx）" in received(chat, admin, "通报草稿（")[0]
                    )

                # January: 公安局 and 气象局 meet their quotas, 审计局 is short, 教育局 silent.
                time.move_to(at(2026, 1, 12, 10))
                await submit(chat, LIAISON, 8, "一月公安动态")
                await submit(chat, SECOND, 3, "一月审计动态")
                await submit(chat, FOURTH, 4, "一月气象动态")
                assert next_wake(chat) == at(2026, 1, 20)
                await run_at(chat, time, at(2026, 1, 20))
                (third,) = received(chat, THIRD, REMINDER)
                assert "已报送信息 0 条，本月任务 15 条，还差 15 条" in third
                assert "1月20日起本月还有 9 个工作日" in third and "扣 30 分并下发提醒函" in third
                (second,) = received(chat, SECOND, REMINDER)
                assert "已报送信息 3 条，本月任务 8 条，还差 5 条" in second
                assert received(chat, LIAISON, REMINDER) == []
                assert received(chat, FOURTH, REMINDER) == []
                (summary,) = received(chat, ADMIN, "【报送进度】")
                assert "2 个单位未完成" in summary
                assert "教育局（A类）已报 0/15" in summary and "审计局（B类）已报 3/8" in summary
                assert "公安局" not in summary and "气象局" not in summary
                assert len(received(chat, OTHER_ADMIN, "【报送进度】")) == 1

                time.move_to(at(2026, 1, 27, 15))
                await submit(chat, SECOND, 5, "一月审计补报")
                await run_at(chat, time, at(2026, 1, 28))
                assert "1月28日起本月还有 3 个工作日" in received(chat, THIRD, REMINDER)[-1]
                assert len(received(chat, SECOND, REMINDER)) == 1
                await run_at(chat, time, at(2026, 1, 30))
                (warning,) = received(chat, THIRD, WARNING)
                assert "2026年1月即将结束（1月30日起还有 1 个工作日）" in warning
                assert "2月1日 09:00 月度结算时将扣 30 分并下发提醒函" in warning
                assert received(chat, SECOND, WARNING) == []

                await run_at(chat, time, at(2026, 2, 1))
                (letter,) = received(chat, THIRD, LETTER)
                assert "2026年1月贵单位报送政务信息 0 条" in letter and "扣 30 分" in letter
                assert all(received(chat, user, LETTER) == [] for user in (LIAISON, SECOND, FOURTH))
                (settled,) = received(chat, ADMIN, "【月度结算】")
                assert "已结算 4 个单位：完成任务 3 个，扣分 1 个" in settled
                assert ledger(chat.db(), "教育局") == [("2026-01-31", "quota.missed", -30)]

                # February: the 20th is in the Spring Festival holiday; the reminder waits for
                # the next working day, and the month ends on a Saturday worked in exchange.
                time.move_to(at(2026, 2, 10, 10))
                await submit(chat, LIAISON, 8, "二月公安动态")
                await submit(chat, FOURTH, 4, "二月气象动态")
                assert next_wake(chat) == at(2026, 2, 24)
                before = len(chat.server.sent)
                await run_at(chat, time, at(2026, 2, 20))
                assert len(chat.server.sent) == before
                await run_at(chat, time, at(2026, 2, 24))
                again = received(chat, THIRD, REMINDER)[-1]
                assert "扣 50 分（上月已收到提醒函" in again
                assert "扣 30 分并下发提醒函" in received(chat, SECOND, REMINDER)[-1]
                await run_at(chat, time, at(2026, 2, 26))
                assert next_wake(chat) == at(2026, 2, 28)  # a Saturday
                await run_at(chat, time, at(2026, 2, 28))
                assert len(received(chat, THIRD, WARNING)) == 2
                assert len(received(chat, SECOND, WARNING)) == 1

            # The bot is down over the first of March and comes back on the third.
            time.move_to(at(2026, 3, 3, 10))
            async with bot_on(server, database, **CALENDAR_ONLY) as chat:
                await idle(chat, at(2026, 3, 3, 10))
                assert len(received(chat, THIRD, LETTER)) == 2
                assert "扣 50 分（经提醒后仍无较大改变）" in received(chat, THIRD, LETTER)[-1]
                (second_letter,) = received(chat, SECOND, LETTER)
                assert "扣 30 分" in second_letter
                assert len(received(chat, ADMIN, "【月度结算】")) == 2
                assert rows(
                    chat.db(),
                    "SELECT COUNT(*) FROM quota_settlements WHERE month = '2026-02'",
                ) == [(4,)]
                assert next_wake(chat) == at(2026, 3, 20)

            # Started again at once: what was made is not made or sent again.
            sent_before = len(server.sent)
            async with bot_on(server, database, **CALENDAR_ONLY) as chat:
                await idle(chat, at(2026, 3, 3, 10))
                await chat.app.bot_data["scheduler"].wake()
                await idle(chat, at(2026, 3, 3, 10))
                assert len(server.sent) == sent_before
                assert rows(
                    chat.db(), "SELECT COUNT(*) FROM job_runs WHERE job = 'settlement'"
                ) == [(2,)]

                # March: everyone meets the quota, which ends 教育局's streak.
                time.move_to(at(2026, 3, 10, 10))
                for user, count in ((LIAISON, 8), (SECOND, 8), (THIRD, 15), (FOURTH, 4)):
                    await submit(chat, user, count, "三月动态")
                # At the due time the scheduler's timer and two more wake-ups race: one run.
                time.move_to(at(2026, 3, 20))
                scheduler = chat.app.bot_data["scheduler"]
                chat.app.job_queue.scheduler.wakeup()  # type: ignore[union-attr]
                await asyncio.gather(scheduler.wake(), scheduler.wake())
                await idle(chat, at(2026, 3, 20))
                assert len(received(chat, ADMIN, "2026年3月截至3月20日")) == 1
                for moment in (at(2026, 3, 27), at(2026, 3, 31)):
                    await run_at(chat, time, moment)
                assert len(received(chat, ADMIN, "2026年3月截至")) == 3
                assert len(received(chat, ADMIN, "所有单位均已完成本月报送任务")) == 3
                assert len(received(chat, ADMIN, WARNING)) == 2
                assert len(received(chat, THIRD, WARNING)) == 2
                await run_at(chat, time, at(2026, 4, 1))
                assert "完成任务 4 个，扣分 0 个" in received(chat, ADMIN, "【月度结算】")[-1]
                await run_at(chat, time, at(2026, 4, 5))
                assert (
                    marks(received(chat, ADMIN, "通报草稿】"))[-1] == "【2026年第一季度 通报草稿】"
                )

            # Every liaison's quarter, message by message.
            assert marks(received_all(server, THIRD)) == [
                REMINDER, REMINDER, WARNING, LETTER, REMINDER, REMINDER, WARNING, LETTER,
            ]  # fmt: skip
            assert marks(received_all(server, SECOND)) == [
                REMINDER, REMINDER, REMINDER, WARNING, LETTER,
            ]  # fmt: skip
            assert marks(received_all(server, LIAISON)) == []
            assert marks(received_all(server, FOURTH)) == []
            assert ledger(database, "教育局") == [
                ("2026-01-31", "quota.missed", -30),
                ("2026-02-28", "quota.missed_again", -50),
            ]
            assert ledger(database, "审计局") == [("2026-02-28", "quota.missed", -30)]


def received_all(server: FakeBotApi, user: int) -> list[str]:
    """What the scheduled work sent a liaison (not the answers to their own messages)."""
    return [
        m.text for m in server.messages_to(user) if m.text.startswith((REMINDER, WARNING, LETTER))
    ]


async def test_units_of_a_group_without_a_quota_get_no_reminder(
    database: str, tmp_path: Path
) -> None:
    rules = builtin_ruleset_text("dengkou-2024").replace(
        'label = "C类"\nmonthly_quota = 4\n', 'label = "C类"\n'
    )
    assert rules != builtin_ruleset_text("dengkou-2024")
    ruleset = tmp_path / "mixed.toml"
    ruleset.write_text(rules.replace('id = "dengkou-2024"', 'id = "dengkou-mixed"'), "utf-8")
    await prepare_db(database, str(ruleset))
    with clock(at(2026, 3, 19, 10)) as time:
        async with (
            FakeBotApi() as server,
            bot_on(server, database, ruleset=str(ruleset), **CALENDAR_ONLY) as chat,
        ):
            await idle(chat, at(2026, 3, 19, 10))
            await chat.join(LIAISON, "公安局")
            await chat.join(FOURTH, "气象局")
            await run_at(chat, time, at(2026, 3, 20))
            assert len(received(chat, LIAISON, REMINDER)) == 1
            assert received(chat, FOURTH, REMINDER) == []
            (summary,) = received(chat, ADMIN, "【报送进度】")
            assert "气象局" not in summary and "3 个单位未完成" in summary
