"""The Ordos Q2 2020 bulletin rebuilt from records through the command line, cell for cell."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import DATA, Cli, write_csv

GROUPS = {"（一）": "旗区", "（二）": "市直部门", "（三）": "开发区（园区）", "（四）": "人民团体"}
COLUMNS = ("采用得分", "约稿得分", "在线访谈及政策解读得分", "附加分")


@dataclass
class SeedRow:
    unit: str
    adoptions: int
    cells: dict[str, int]
    total: int


def seed_cells() -> dict[str, list[list[str]]]:
    """The seed's four tables as printed, cell for cell, `/` included, in printed order."""
    tables: dict[str, list[list[str]]] = {}
    group = None
    for line in (DATA / "ordos-2020q2-bulletin.txt").read_text("utf-8").splitlines():
        heading = re.match(r"\s*\(([一二三四])\)", line)
        if heading:
            group = GROUPS[f"（{heading[1]}）"]
            tables[group] = []
            continue
        parts = line.split("\t")
        if group is not None and len(parts) == 7 and parts[1].isdigit():
            tables[group].append(parts)
    return tables


def seed_tables() -> dict[str, list[SeedRow]]:
    """The four tables of the bulletin as numbers, in printed order."""
    tables: dict[str, list[SeedRow]] = {}
    for group, rows in seed_cells().items():
        tables[group] = []
        for parts in rows:
            values = [0 if v == "/" else int(v) for v in parts[1:]]
            tables[group].append(
                SeedRow(
                    parts[0], values[0], dict(zip(COLUMNS, values[1:5], strict=True)), values[5]
                )
            )
    return tables


def seed_headline() -> tuple[int, int, int, list[int]]:
    text = (DATA / "ordos-2020q2-bulletin.txt").read_text("utf-8")
    m = re.search(
        r"共采用各旗区和各部门、单位信息(\d+)条（函在线访谈(\d+)条、政策解读(\d+)条）", text
    )
    assert m, "the seed's headline sentence"
    groups = re.search(
        r"采用旗区信息(\d+)条、市直各部门信息(\d+)条、各经济开发区（园区）信息(\d+)条、人民团体信息(\d+)条",
        text,
    )
    assert groups
    return int(m[1]), int(m[2]), int(m[3]), [int(g) for g in groups.groups()]


def records_for(tables: dict[str, list[SeedRow]]) -> list[list[object]]:
    """Records that a careful office would have kept for the quarter, spread over its days."""
    rows: list[list[object]] = []
    start = date(2020, 4, 1)
    for group_rows in tables.values():
        for n, row in enumerate(group_rows):
            day = (start + timedelta(days=(7 * n) % 91)).isoformat()
            commissioned = row.cells["约稿得分"] // 10
            plain = row.adoptions - commissioned
            # Alternate id and label so both spellings of an item are exercised.
            info = "info" if n % 2 else "采用信息"
            if plain:
                rows.append([day, row.unit, info, plain, "", "", "动态信息", ""])
            if commissioned:
                rows.append([day, row.unit, "info", commissioned, "", "约稿", "约稿信息", ""])
            interviews, rest = divmod(row.cells["在线访谈及政策解读得分"], 200)
            if interviews:
                rows.append([day, row.unit, "在线访谈", interviews, "", "", "在线访谈", ""])
            if rest:
                rows.append(
                    [day, row.unit, "policy_interpretation", rest // 50, "", "", "政策解读", ""]
                )
            extra = row.cells["附加分"]
            if extra <= -30:
                rows.append([day, row.unit, "serious_error", 1, "", "", "", "严重错误"])
                extra += 30
            if extra < 0:
                rows.append([day, row.unit, "错别字", -extra // 5, "", "", "", "错别字"])
            elif extra > 0:
                rows.append(
                    [day, row.unit, "adjustment", 1, extra, "", "", "信息质量较高，酌情加分"]
                )
    # Outside the quarter: must not count in Q2.
    rows.append(["2020-03-31", "准格尔旗", "info", 3, "", "", "一季度信息", ""])
    rows.append(["2020-07-01", "准格尔旗", "online_interview", 1, "", "", "三季度访谈", ""])
    return rows


def test_seed_table_is_rebuilt_from_records(cli: Cli, tmp_path: Path) -> None:
    tables = seed_tables()
    assert [len(t) for t in tables.values()] == [9, 35, 5, 2]
    units = write_csv(
        tmp_path / "units.csv",
        ["name", "group", "aliases"],
        [
            [r.unit, group, "准旗" if r.unit == "准格尔旗" else ""]
            for group, rows in tables.items()
            for r in rows
        ],
    )
    cli.ok("init", "--ruleset", "ordos-2020")
    assert "新增 51 个" in cli.ok("units", "import", str(units))
    header = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
    records = write_csv(tmp_path / "records.csv", header, records_for(tables))
    cli.ok("records", "import", str(records))

    out = tmp_path / "q2.json"
    cli.ok("standings", "--period", "2020Q2", "--format", "json", "--out", str(out))
    standings = json.loads(out.read_text("utf-8"))

    total, interviews, interpretations, by_group = seed_headline()
    assert (total, interviews, interpretations, by_group) == (2349, 6, 3, [1206, 1078, 59, 6])
    assert standings["ruleset"] == "ordos-2020"
    assert standings["period"] == {"label": "2020Q2", "start": "2020-04-01", "end": "2020-06-30"}
    assert standings["item_count"] == total
    assert standings["item_counts"] == {
        "info": total - interviews - interpretations,
        "online_interview": interviews,
        "policy_interpretation": interpretations,
    }
    assert [g["group"] for g in standings["groups"]] == list(tables)
    assert [g["item_count"] for g in standings["groups"]] == by_group

    for group in standings["groups"]:
        seed = {r.unit: r for r in tables[group["group"]]}
        assert sorted(r["unit"] for r in group["rows"]) == sorted(seed)
        totals = [r["total"] for r in group["rows"]]
        assert totals == sorted(totals, reverse=True)
        for position, row in enumerate(group["rows"]):
            expected = seed[row["unit"]]
            assert row["adoption_count"] == expected.adoptions, row["unit"]
            assert row["columns"] == expected.cells, row["unit"]
            assert row["raw_total"] == row["total"] == expected.total, row["unit"]
            # Competition ranking: one more than the number of units with a higher total.
            assert row["rank"] == 1 + sum(t > row["total"] for t in totals)
            assert set(row) == {"rank", "unit", "adoption_count", "columns", "raw_total", "total"}
            if position and row["total"] == group["rows"][position - 1]["total"]:
                assert row["rank"] == group["rows"][position - 1]["rank"]


def test_seed_text_bulletin_reads_like_the_seed(cli: Cli, tmp_path: Path) -> None:
    tables = seed_tables()
    units = write_csv(
        tmp_path / "u.csv",
        ["name", "group"],
        [[r.unit, g] for g, rows in tables.items() for r in rows],
    )
    cli.ok("init", "--ruleset", "ordos-2020")
    cli.ok("units", "import", str(units))
    header = ["date", "unit", "item", "count", "points", "modifiers", "title", "note"]
    cli.ok("records", "import", str(write_csv(tmp_path / "r.csv", header, records_for(tables))))
    text = cli.ok("standings", "--period", "2020Q2", "--group", "市直部门")
    lines = text.splitlines()
    assert "共采用 1078 条" in lines[0]
    assert lines[2].startswith("（一）市直部门")
    assert lines[3].split() == ["排名", "单位", "采用条数", *COLUMNS, "总分"]
    health = next(line for line in lines if "卫生健康委员会" in line)
    assert health.split() == [
        "1",
        "鄂尔多斯市卫生健康委员会",
        "190",
        "950",
        "50",
        "200",
        "0",
        "1200",
    ]
    stats = next(line for line in lines if "统计局" in line)
    assert stats.split()[5] == "/"  # a zero interview score prints as "/"
    # CJK-aware alignment: every row's total column ends at the same display column.
    from bot.render import width

    table_lines = lines[3:]
    assert len({width(line) for line in table_lines}) == 1
    csv_text = cli.ok("standings", "--period", "2020Q2", "--format", "csv", "--group", "人民团体")
    assert csv_text.splitlines()[1].split(",") == [
        "人民团体",
        "1",
        "市红十字会",
        "5",
        "25",
        "0",
        "0",
        "0",
        "25",
    ]
