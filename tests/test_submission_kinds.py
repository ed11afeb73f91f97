"""Kinds of submission in the chat: under a method whose quotas count some kinds only
(`[[submission_kinds]]`, 常山's 长篇信息), a liaison says the kind before the title in `/submit`,
and the submission is stored as an import of that kind stores it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import scoring
from bot.storage import Store
from bot.usecases.imports import import_records
from scoring.periods import month_of
from tests.chat import LIAISON, SECOND, flat, prepare_db, running_bot
from tests.conftest import write_csv
from tests.stores import rows

CHANGSHAN = Path(scoring.__file__).parent / "rulesets" / "changshan-2014.toml"
HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
ROSTER = [["紫港街道", "乡镇（街道）", ""], ["天马街道", "乡镇（街道）", ""]]


async def _long_submissions(db: str) -> dict[int, int]:
    """Submissions of the kind 长篇信息 this month, per unit id, as the quota counts them."""
    store = await Store.open(db)
    try:
        async with store.reading() as tx:
            month = month_of(datetime.now(ZoneInfo("Asia/Shanghai")).date())
            return await tx.quota.submission_counts(month, ["long"])
    finally:
        await store.close()


async def test_a_liaison_says_the_kind_of_a_submission(database: str, tmp_path: Path) -> None:
    await prepare_db(database, str(CHANGSHAN), ROSTER)
    async with running_bot(database, ruleset=str(CHANGSHAN)) as chat:
        await chat.join(LIAISON, "紫港街道")
        await chat.join(SECOND, "天马街道")
        assert "/submit <类别> <标题>" in (await chat.ask(LIAISON, "/help")).text
        long = flat((await chat.ask(LIAISON, "/submit 长篇信息 关于茶油产业的调研")).text)
        assert long.startswith("已记录报送（#1）：【长篇信息】关于茶油产业的调研")
        # By its id too; a title that is only the kind's word is a title.
        by_id = flat((await chat.ask(LIAISON, "/submit long 乡村振兴的做法")).text)
        assert "【长篇信息】乡村振兴的做法" in by_id
        plain = flat((await chat.ask(LIAISON, "/submit 长篇信息")).text)
        assert "已记录报送（#3）：长篇信息" in plain and "【" not in plain
        await chat.ask(SECOND, "/submit 一条简讯")
    # Counted by the quota of that kind: two of 紫港街道's three submissions, none of 天马街道's.
    zigang, tianma = (
        rows(database, "SELECT id FROM units WHERE name = ?", (name,))[0][0]
        for name in ("紫港街道", "天马街道")
    )
    assert await _long_submissions(database) == {zigang: 2}
    # The same rows as an import of the kind: the kind kept as the submission's one modifier.
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    store = await Store.open(database)
    try:
        path = write_csv(
            tmp_path / "r.csv", HEADER, [[today, "天马街道", "长篇信息", 1, "", "", "导入", ""]]
        )
        await import_records(store, path, "test", datetime.now(ZoneInfo("Asia/Shanghai")))
    finally:
        await store.close()
    stored = rows(database, "SELECT title, item_id, modifiers FROM records ORDER BY id")
    assert stored[0][1:] == stored[-1][1:] and stored[0][0] == "关于茶油产业的调研"
    assert stored[2][1:] == stored[3][1:] != stored[0][1:]
    assert await _long_submissions(database) == {zigang: 2, tianma: 1}
