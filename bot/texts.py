"""Every sentence the product says to its users, in Chinese, in one place."""

from __future__ import annotations

from typing import Any

from scoring.errors import DomainError, ImportRejected, RowProblem

# Domain error codes (scoring.errors.DomainError.code) and row problems, by code.
ERRORS: dict[str, str] = {
    "not_initialized": "数据库尚未初始化：请先运行 govinfo-bot init --ruleset <规则集>",
    "already_initialized": "数据库已使用规则集 {current} 初始化，不能改为 {requested}",
    "ruleset_unknown": "未知的规则集 {ruleset}（内置：{known}；也可给出规则文件路径）",
    "ruleset_toml": "规则文件不是有效的 TOML：{detail}",
    "ruleset_invalid": "规则文件有误：{detail}",
    "file_unreadable": "无法读取文件 {path}：{detail}",
    "file_format": "不支持的文件格式 {path}：请使用 .csv 或 .xlsx",
    "file_encoding": "无法识别文件 {path} 的编码：请保存为 UTF-8 或 GBK 编码的 CSV",
    "file_empty": "文件 {path} 没有表头行",
    "file_already_imported": "该文件已于 {when} 导入过（{source}），未重复导入",
    "import_rejected": "文件有 {count} 处错误，已整体拒绝，未保存任何内容：",
    "period_invalid": "无法识别的期间 {period}：请使用 2024-05、2024Q2、2024 或 2024-04-01..2024-06-30",
    "period_reversed": "期间 {period} 的结束日期早于开始日期",
    "group_unknown": "未知的分组 {group}（可用：{known}）",
    "month_not_ended": "{month} 尚未结束，不能结算",
    "month_before_effective": "{month} 早于规则集生效日期 {effective}，无需结算",
    "xlsx_needs_out": "xlsx 格式必须用 --out 指定输出文件",
    "month_invalid": "无法识别的月份 {month}：请使用 2024-05 这样的格式",
    "no_quota": "规则集 {ruleset} 没有月度报送任务，无需结算",
    # Row problems of an import file.
    "column_missing": "缺少列 {column}",
    "column_unknown": "未知的列 {column}",
    "unit_missing": "未填写单位",
    "unit_unknown": "未知的单位 {unit}",
    "date_missing": "未填写日期",
    "date_invalid": "日期 {date} 格式不对，应为 YYYY-MM-DD",
    "date_before_effective": "日期 {date} 早于规则集生效日期 {effective}",
    "date_in_future": "日期 {date} 晚于今天",
    "item_missing": "未填写项目",
    "item_unknown": "未知的项目 {item}",
    "count_invalid": "条数 {value} 不是整数",
    "count_below_one": "条数 {count} 小于 1",
    "count_too_large": "条数 {count} 超过上限 {limit}",
    "points_not_allowed": "只有调整项可以填写分值，{item} 不能填写",
    "points_required": "调整项必须填写分值",
    "points_invalid": "分值 {value} 不是整数",
    "points_zero": "调整分值不能为 0",
    "reason_required": "调整项必须在 note 列注明原因",
    "modifier_unknown": "未知的加分项 {modifier}",
    "modifier_times_invalid": "加分项 {modifier} 的次数不对",
    "modifier_not_allowed": "加分项 {modifier} 不适用于 {item}",
    "name_missing": "未填写单位名称",
    "name_duplicate": "单位 {name} 在文件中重复出现（第 {first} 行）",
    "alias_taken": "别名 {alias} 已被单位 {unit} 使用",
}


def error_text(code: str, params: dict[str, Any]) -> str:
    template = ERRORS.get(code)
    if template is None:
        return code
    return template.format(**params)


def problem_text(problem: RowProblem) -> str:
    return f"第 {problem.line} 行：{error_text(problem.code, problem.params)}"


def domain_error_lines(err: DomainError) -> list[str]:
    """The one-line reason, then (for a refused file) one line per bad row."""
    lines = [error_text(err.code, err.params)]
    if isinstance(err, ImportRejected):
        lines += [problem_text(p) for p in err.problems]
    return lines


INIT_DONE = "已初始化数据库 {db}，规则集：{ruleset}（{name}）"
INIT_SAME = "数据库 {db} 已使用规则集 {ruleset}，无需变更"
RULES_OK = (
    "规则文件有效：{ruleset}（{name}），{items} 个计分项，{modifiers} 个加分项，{groups} 个分组"
)
UNITS_IMPORTED = "单位名单已导入：新增 {added} 个，更新 {updated} 个，共 {total} 个单位"
RECORDS_IMPORTED = (
    "记录已导入：{rows} 行，{records} 条记录（其中报送 {submissions} 条），"
    "{entries} 条积分流水，合计 {points} 分"
)
SETTLED = "{month} 月度报送任务结算：{settled} 个单位，其中 {missed} 个未完成（扣分已记入流水）"
SETTLED_NOTHING_NEW = "{month} 已结算过，本次没有新的变更"
SETTLED_ROW = "{unit}（{group}）：报送 {submissions}/{quota}，{outcome} {points}"
OUTCOME = {"missed": "未完成，扣分并下发提醒函", "missed_again": "经提醒后仍未完成，扣分"}
STORAGE_FAILED = "无法使用数据库 {db}：{detail}"
STANDINGS_WRITTEN = "已写入 {path}"

RULES_HEADING = "规则集 {id}：{name}"
RULES_EFFECTIVE = "生效日期：{date}"
RULES_FLOOR = "总分下限：{floor}"
RULES_NO_FLOOR = "总分下限：无"
RULES_LISTING = {"scored": "通报只列出本期有得分记录的单位", "all": "通报列出分组内全部单位"}
RULES_GROUPS = "分组"
RULES_QUOTA = "每月报送不少于 {quota} 条"
RULES_NO_QUOTA = "无月度报送任务"
RULES_ITEMS = "计分项"
RULES_MODIFIERS = "加分项"
RULES_AWARDS = (
    "年度通报：先进单位 {advanced} 个，进步较大单位 {improved} 个，排名靠后单位 {lowest} 个（每组）"
)
RULES_COLUMNS = ("编号", "名称", "类别", "分值", "通报列")
RULES_MODIFIER_COLUMNS = ("编号", "名称", "分值", "通报列", "适用于")
KIND = {"adoption": "采用", "credit": "加分", "penalty": "扣分", "adjustment": "调整"}
POINTS_GIVEN = "按记录填写"

STANDINGS_TITLE = "{ruleset} {period}（{start} 至 {end}）共采用 {items} 条"
GROUP_HEADING = "（{number}）{group}：采用 {items} 条"
RANK = "排名"
UNIT = "单位"
GROUP = "分组"
RAW_TOTAL = "原始总分"
NO_UNITS = "（无）"
CHINESE_NUMBERS = "一二三四五六七八九十"
