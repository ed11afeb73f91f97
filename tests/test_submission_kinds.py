"""Kinds of submission in the chat: under a method whose quotas count some kinds only
(`[[submission_kinds]]`, 常山's 长篇信息), a liaison says the kind before the title in `/submit`,
and the submission is stored as an import of that kind stores it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import scoring
from bot.storage import Store
from bot.usecases.imports import import_records
from bot.usecases.methods import adopt
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


async def _submissions(db: str) -> dict[int, int]:
    """Submissions of any kind this month, per unit id."""
    store = await Store.open(db)
    try:
        async with store.reading() as tx:
            month = month_of(datetime.now(ZoneInfo("Asia/Shanghai")).date())
            return await tx.quota.submission_counts(month)
    finally:
        await store.close()


async def test_the_guided_report_and_the_one_line_report_say_a_submission(database: str) -> None:
    await prepare_db(database, str(CHANGSHAN), ROSTER)
    async with running_bot(database, ruleset=str(CHANGSHAN)) as chat:
        await chat.join(LIAISON, "紫港街道")
        assert "报送 [类别] <标题> [日期]" in flat((await chat.ask(LIAISON, "/help")).text)
        # /report: 报送 beside the adoptions, then the method's kinds as buttons.
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "报送（按类别）")
        await chat.edited(menu, "请选择报送的类别")
        assert [b["text"] for row in menu.inline_keyboard for b in row] == [
            "长篇信息", "其他（不属以上类别）", "« 返回",
        ]  # fmt: skip
        await chat.press(LIAISON, menu, "长篇信息")
        await chat.edited(menu, "已选择：报送【长篇信息】")
        assert "报送日期" in (await chat.ask(LIAISON, "关于茶油产业的调研")).text
        summary = await chat.ask(LIAISON, "今天")
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        assert flat(summary.text) == (
            f"请确认报送：单位：紫港街道类别：长篇信息标题：关于茶油产业的调研日期：{today}"
        )
        assert await _long_submissions(database) == {}  # nothing stored before the button
        stored = flat(await chat.confirm(LIAISON, summary))
        assert "已记录报送（#1）。紫港街道 本月已报送 1 条，任务 8 条" in stored
        # In one line: the kind by its label, then the title and the date; a summary as above.
        summary = await chat.ask(LIAISON, "报送 长篇信息 乡村振兴的做法 今天")
        assert "类别：长篇信息标题：乡村振兴的做法" in flat(summary.text)
        assert "已记录报送（#2）" in flat(await chat.confirm(LIAISON, summary))
        # A first word that is no kind is the title's: a submission of no kind.
        plain = await chat.ask(LIAISON, "报送 一条简讯")
        assert "类别" not in plain.text and "标题：一条简讯" in flat(plain.text)
        assert "本月已报送 3 条" in flat(await chat.confirm(LIAISON, plain))
        # Refused at once as /submit refuses it, nothing stored: the same title in the month.
        again = flat((await chat.ask(LIAISON, "报送 长篇信息 关于茶油产业的调研")).text)
        assert again.startswith("重复报送") and "#1" in again
        # A plain submission from the guided report's menu, after going back to it once.
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "报送（按类别）")
        await chat.edited(menu, "请选择报送的类别")
        await chat.press(LIAISON, menu, "« 返回")
        await chat.edited(menu, "请选择采用的刊物或栏目")
        await chat.press(LIAISON, menu, "报送（按类别）")
        await chat.edited(menu, "请选择报送的类别")
        await chat.press(LIAISON, menu, "其他（不属以上类别）")
        await chat.edited(menu, "已选择：报送请输入信息标题")
        await chat.ask(LIAISON, "一条动态")
        summary = await chat.ask(LIAISON, "今天")
        assert "类别" not in summary.text and "标题：一条动态" in flat(summary.text)
        await chat.confirm(LIAISON, summary)
    zigang = rows(database, "SELECT id FROM units WHERE name = '紫港街道'")[0][0]
    # Counted as /submit's are: two of the kind 长篇信息, four submissions in all.
    assert await _long_submissions(database) == {zigang: 2}
    assert await _submissions(database) == {zigang: 4}


async def test_a_method_without_kinds_offers_no_submission(database: str) -> None:
    async with running_bot(database) as chat:
        await chat.join(LIAISON, "教育局")
        menu = await chat.ask(LIAISON, "/report")
        assert "报送（按类别）" not in [b["text"] for row in menu.inline_keyboard for b in row]
        await chat.ask(LIAISON, "/cancel")
        hint = await chat.ask(LIAISON, "报送 长篇信息 关于茶油产业的调研 今天")
        assert hint.text.startswith("没有看懂这条消息")
        assert "报送 [类别]" not in flat((await chat.ask(LIAISON, "/help")).text)
    assert rows(database, "SELECT COUNT(*) FROM records")[0][0] == 0


async def test_a_kind_the_method_of_the_date_lacks_is_refused(
    database: str, tmp_path: Path
) -> None:
    # The office's method had no kinds until this year: 长篇信息 is today's method's only.
    text = CHANGSHAN.read_text(encoding="utf-8")
    kinds = text[text.index("[[submission_kinds]]") : text.index('kinds = ["long"]') + 16]
    earlier = tmp_path / "changshan-earlier.toml"
    earlier.write_text(
        text.replace(kinds, "").replace('id = "changshan-2014"', 'id = "changshan-2013"'),
        encoding="utf-8",
    )
    await prepare_db(database, str(earlier), ROSTER)
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    store = await Store.open(database)
    try:
        await adopt(store, str(CHANGSHAN), date(now.year, 1, 1), "cli:test", now, confirmed=True)
    finally:
        await store.close()
    december = date(now.year - 1, 12, 20).isoformat()
    async with running_bot(database, ruleset=str(earlier)) as chat:
        await chat.join(LIAISON, "紫港街道")
        refused = flat((await chat.ask(LIAISON, f"报送 长篇信息 一篇调研 {december}")).text)
        assert "没有「长篇信息」这类报送" in refused and december in refused
        # A submission of no kind on that date is one that method knows.
        plain = await chat.ask(LIAISON, f"报送 一篇调研 {december}")
        assert f"标题：一篇调研日期：{december}" in flat(plain.text)
        # The guided report asks the date again, and takes one under today's method.
        await chat.ask(LIAISON, "/cancel")
        menu = await chat.ask(LIAISON, "/report")
        await chat.press(LIAISON, menu, "报送（按类别）")
        await chat.edited(menu, "请选择报送的类别")
        await chat.press(LIAISON, menu, "长篇信息")
        await chat.edited(menu, "已选择：报送【长篇信息】")
        await chat.ask(LIAISON, "另一篇调研")
        assert "没有「长篇信息」这类报送" in flat((await chat.ask(LIAISON, december)).text)
        assert "报送日期" in (await chat.reply(LIAISON)).text
        summary = await chat.ask(LIAISON, "今天")
        assert "类别：长篇信息标题：另一篇调研" in flat(summary.text)
    assert rows(database, "SELECT COUNT(*) FROM records")[0][0] == 0
