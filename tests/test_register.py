"""Importing the office's running register again: rows already stored are found, as multisets,
and refused, skipped or stored again as the office says (rules.md, "Rows already stored")."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bot.storage import Address, Store
from bot.telegram.notices import ChatNotices
from bot.usecases import reports
from bot.usecases.imports import Existing, import_records
from bot.usecases.request import Request
from scoring.errors import ImportRejected
from tests.conftest import Cli, write_csv
from tests.stores import rows as query

HEADER = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
UNITS = [["教育局", "A", "县教育局"], ["公安局", "B", ""], ["审计局", "B", ""]]


@pytest.fixture
def office(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init", "--ruleset", "dengkou-2024")
    cli.ok(
        "units", "import", str(write_csv(tmp_path / "u.csv", ["name", "group", "aliases"], UNITS))
    )
    return cli


def totals(cli: Cli, period: str) -> dict[str, int]:
    data = json.loads(cli.ok("standings", "--period", period, "--format", "json"))
    return {row["unit"]: row["raw_total"] for g in data["groups"] for row in g["rows"]}


def submissions(cli: Cli) -> dict[str, int]:
    return dict(
        query(
            cli.db,
            "SELECT u.name, COUNT(*) FROM records r JOIN units u ON u.id = r.unit_id "
            "WHERE r.item_id = 'submission' GROUP BY u.name",
        )
    )


WEEK_ONE = [
    ["2024-05-06", "教育局", "city.jccc", 1, "", "市领导同志批示", "关于沙漠治理的调研", ""],
    ["2024-05-06", "公安局", "报送", 3, "", "", "", ""],
    ["2024-05-07", "县教育局", "报送", 1, "", "", "五月第一条", ""],
    ["2024-05-08", "审计局", "city.zwyq.brief", 2, "", "", "审计动态", ""],
]
WEEK_TWO = [
    ["2024-05-13", "公安局", "city.wechat.main", 1, "", "", "冬季安全工作会议", ""],
    ["2024-05-14", "审计局", "报送", 2, "", "", "", ""],
]


def test_a_register_imported_three_times_over_a_month(office: Cli, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "登记表-第1周.csv", HEADER, WEEK_ONE)
    office.ok("records", "import", str(first))
    after_one = totals(office, "2024-05")
    assert after_one["教育局"] == 48 and after_one["审计局"] == 6

    # The register again, a week later: everything of week one is there again, and more.
    second = write_csv(tmp_path / "登记表-第2周.csv", HEADER, WEEK_ONE + WEEK_TWO)
    refused = office("records", "import", str(second))
    assert refused.code == 1
    lines = refused.err.splitlines()
    assert lines[0] == "文件有 4 处错误，已整体拒绝，未保存任何内容："
    assert lines[1] == "第 2 行：已存储过：与记录 #1（2024-05-06）相同"
    assert lines[2] == "第 3 行：3 条中有 3 条已存储过（如记录 #2，2024-05-06）"
    assert lines[3] == "第 4 行：已存储过：与记录 #5（2024-05-07）相同"
    assert lines[4] == "第 5 行：2 条中有 2 条已存储过（如记录 #6，2024-05-08）"
    assert "--skip-existing" in lines[5] and "--allow-duplicates" in lines[5]
    assert totals(office, "2024-05") == after_one

    out = office.ok("records", "import", "--skip-existing", str(second))
    assert "3 条记录" in out and "跳过已存储的记录 7 条" in out
    after_two = totals(office, "2024-05")
    assert after_two["公安局"] == after_one["公安局"] + 10
    assert submissions(office) == {"公安局": 3, "教育局": 1, "审计局": 2}

    # Week three: the untitled submissions of 6 May went from 3 to 5 (two found late), and one
    # more day. Only the surplus is stored.
    third_rows = [list(r) for r in WEEK_ONE + WEEK_TWO]
    third_rows[1][3] = 5
    third_rows.append(["2024-05-20", "公安局", "报送", 1, "", "", "", ""])
    third = write_csv(tmp_path / "登记表-第3周.csv", HEADER, third_rows)
    out = office.ok("records", "import", "--skip-existing", str(third))
    assert "3 条记录（其中报送 3 条）" in out and "跳过已存储的记录 10 条" in out
    assert submissions(office) == {"公安局": 6, "教育局": 1, "审计局": 2}
    assert totals(office, "2024-05") == after_two

    # The same bytes again are refused whatever the option.
    again = office("records", "import", "--skip-existing", str(third))
    assert again.code == 1 and "导入过" in again.err


def test_allow_duplicates_stores_every_row(office: Cli, tmp_path: Path) -> None:
    office.ok("records", "import", str(write_csv(tmp_path / "a.csv", HEADER, WEEK_TWO)))
    # Another office's file that also reports one submission on the same day: a different one.
    other = write_csv(tmp_path / "b.csv", HEADER, [WEEK_TWO[1]])
    assert office("records", "import", str(other)).code == 1
    office.ok("records", "import", "--allow-duplicates", str(other))
    assert submissions(office) == {"审计局": 4}


def test_a_rows_own_count_is_never_a_duplicate_of_itself(office: Cli, tmp_path: Path) -> None:
    rows = [
        ["2024-05-06", "公安局", "报送", 15, "", "", "同一标题", ""],
        ["2024-05-07", "公安局", "报送", 1, "", "", "同一标题", ""],
    ]
    out = office.ok("records", "import", str(write_csv(tmp_path / "r.csv", HEADER, rows)))
    assert "16 条记录（其中报送 16 条）" in out


def test_a_submission_title_is_stored_once_a_month(office: Cli, tmp_path: Path) -> None:
    office.ok(
        "records",
        "import",
        str(
            write_csv(
                tmp_path / "a.csv",
                HEADER,
                [["2024-05-06", "公安局", "报送", 1, "", "", "冬季安全会议", ""]],
            )
        ),
    )
    later = [
        ["2024-05-20", "公安局", "报送", 1, "", "", "冬季 安全会议！", ""],  # the same, folded
        ["2024-06-03", "公安局", "报送", 1, "", "", "冬季安全会议", ""],  # another month
        ["2024-05-20", "审计局", "报送", 1, "", "", "冬季安全会议", ""],  # another unit
    ]
    path = write_csv(tmp_path / "b.csv", HEADER, later)
    refused = office("records", "import", str(path))
    assert refused.code == 1
    assert refused.err.splitlines()[1:2] == [
        "第 2 行：同单位本月已有同标题的报送：记录 #1（2024-05-06）"
    ]
    out = office.ok("records", "import", "--skip-existing", str(path))
    assert "2 条记录" in out and "跳过已存储的记录 1 条" in out


async def test_rejected_claims_are_not_stored_for_the_comparison(
    office: Cli, tmp_path: Path
) -> None:
    """A claim reported in chat and rejected does not stand in the way of the office's row;
    a pending one does."""
    now = datetime(2024, 6, 1, 9).astimezone()
    store = await Store.open(office.db)
    try:
        async with store.transaction() as tx:
            await tx.liaisons.bind_liaison(Address.telegram(77), 1, "王芳", "", now)
        ids = []
        for n, title in enumerate(["关于沙漠治理的调研", "关于春耕的调研"]):
            draft = await reports.make_draft(
                store,
                Address.telegram(77),
                "city.jccc",
                title,
                datetime(2024, 5, 6).date(),
                (),
                "",
                Request("tg:77", now, 10 + n),
            )
            claimed = await reports.confirm_draft(
                store,
                draft.id,
                Address.telegram(77),
                True,
                Request("tg:77", now, 20 + n, notices=ChatNotices(())),
            )
            ids.append(claimed.record_id)
        await reports.reject(
            store, ids[0], "不是本单位的信息", Request("tg:9001", now, 30, notices=ChatNotices(()))
        )
        rows = [
            ["2024-05-06", "教育局", "《决策参考》", 1, "", "", "关于沙漠治理的调研", ""],
            ["2024-05-06", "教育局", "city.jccc", 1, "", "", "关于春耕的调研", ""],
        ]
        path = write_csv(tmp_path / "r.csv", HEADER, rows)
        with pytest.raises(ImportRejected) as refused:
            await import_records(store, path, "test", now)
        assert [(p.line, p.params["record"]) for p in refused.value.problems] == [(3, ids[1])]
        done = await import_records(store, path, "test", now, Existing.SKIP)
        assert (done.records, done.skipped) == (1, 1)
    finally:
        await store.close()
