"""Every sentence the product says to its users, in Chinese, in one place."""

from __future__ import annotations

from typing import Any

from scoring.errors import DomainError, ImportRejected, RowProblem, RulesetProblem, RulesetRejected
from scoring.periods import Period
from scoring.text import printable

# Domain error codes (scoring.errors.DomainError.code) and row problems, by code.
ERRORS: dict[str, str] = {
    "not_initialized": "数据库尚未初始化：请先运行 govinfo-bot init --ruleset <规则集>",
    "already_initialized": "数据库已使用规则集 {current} 初始化，不能改为 {requested}",
    "ruleset_unknown": "未知的规则集 {ruleset}（内置：{known}；也可给出规则文件路径）",
    "method_start_missing": "请用 --from 日期 指明新考核办法自哪天起施行（规则文件未写生效日期）",
    "method_start_early": "新考核办法不能早于其生效日期施行：--from {start} 早于 {effective}",
    "method_before_first": "新考核办法须晚于数据库第一个考核办法的生效日期 {first}：--from {start}",
    "method_not_latest": (
        "已有自 {latest} 起施行的考核办法：新考核办法须晚于它施行（--from {start}），未保存任何内容"
    ),
    "method_period_locked": (
        "{period} 已锁定（{who} 于 {at}），自 {start} 起采用新考核办法会改变它的数字，"
        "未保存任何内容；如确需改变，请先重新开放该期间"
    ),
    "method_item_missing": (
        "记录 #{record} 的 {item} 在新考核办法《{method}》中没有，无法按它重新计分，未保存任何内容"
    ),
    "method_item_absent": (
        "{date} 施行的考核办法《{method}》没有 {item}：请换一个日期，或用 /cancel 取消后重新上报"
    ),
    "method_kind_absent": (
        "{date} 施行的考核办法《{method}》没有「{kind}」这类报送：请换一个日期，或不写类别"
    ),
    "method_too_many_columns": "各考核办法的得分列合计不能超过 {limit} 列，未保存任何内容",
    "ruleset_toml": "规则文件不是有效的 TOML：{detail}",
    "ruleset_invalid": "规则文件有 {count} 处错误：",
    "file_unreadable": "无法读取文件 {path}：{detail}",
    "file_format": "不支持的文件格式 {path}：请使用 .csv 或 .xlsx",
    "file_format_old": (
        "不支持旧版 Excel/WPS 格式 {path}：请在 Excel 或 WPS 中“另存为” .xlsx（Excel 工作簿）后再导入"
    ),
    "file_encoding": "无法识别文件 {path} 的编码：请保存为 UTF-8 或 GBK 编码的 CSV",
    "file_too_large": "文件 {path} 有 {size} MB，超过导入上限 {limit} MB",
    "file_not_regular": "{path} 不是普通文件（目录、管道、设备或指向它们的链接），不能导入",
    "header_not_found": "文件 {path} 的前 10 行中没有找到表头：表头须包含列 {columns}",
    "header_not_found_sheets": (
        "文件 {path} 的工作表 {sheets} 的前 10 行中都没有找到表头：表头须包含列 {columns}；"
        "也可以用 --sheet 指定工作表"
    ),
    "sheet_unknown": "文件 {path} 中没有名为「{sheet}」的工作表（有：{sheets}）",
    "sheet_in_csv": "{path} 是 CSV 文件，没有工作表：--sheet 只用于 XLSX",
    "too_many_rows": "文件 {path} 的工作表「{sheet}」超过 {limit} 行，超过一次导入的上限，已拒绝",
    "too_many_rows_declared": (
        "文件 {path} 的工作表「{sheet}」声明有 {rows} 行，超过一次导入的上限 {limit} 行，已拒绝"
    ),
    "too_many_rows_csv": "文件 {path} 超过 {limit} 行，超过一次导入的上限，已拒绝",
    "too_many_units": "单位名单 {path} 超过 {limit} 行，超过单位名单的上限，已拒绝",
    "too_many_records": (
        "文件的记录（按条数计）超过 {limit} 条，超过一次导入的上限，已拒绝：请分成几个文件导入"
    ),
    "cell_too_long": (
        "文件 {path} 的工作表「{sheet}」单元格 {cell} 超过 {limit} 个字符（Excel 的上限），已拒绝"
    ),
    "shared_string_too_long": "文件 {path} 中有单元格超过 {limit} 个字符（Excel 的上限），已拒绝",
    "csv_field_too_long": "文件 {path} 第 {line} 行有单元格超过 {limit} 个字符（Excel 的上限），已拒绝",
    "csv_row_too_long": "文件 {path} 第 {line} 行所在的一行超过 {limit} 个字符，已拒绝",
    "xlsx_too_large": (
        "文件 {path} 解压后过大（{member}：{size} MB，上限 {limit} MB），不像是正常的 Excel 文件，已拒绝"
    ),
    "xlsx_too_many_members": "文件 {path} 内含 {count} 个部件（上限 {limit}），不像是正常的 Excel 文件，已拒绝",
    "xlsx_too_many_strings": "文件 {path} 的不同文字超过 {limit} 个，超过一次导入的上限，已拒绝",
    "xlsx_piece_too_large": "文件 {path} 中有一行或一段内容超过 {limit} MB，不像是正常的 Excel 文件，已拒绝",
    "formula_without_value": (
        "文件 {path} 的工作表「{sheet}」中，单元格 {cells} 是公式，但文件里没有保存计算结果："
        "请用 Excel 或 WPS 打开并保存后再导入，或把公式复制为数值"
    ),
    "file_already_imported": "该文件已于 {when} 导入过（{source}），未重复导入",
    "import_rejected": "文件有 {count} 处错误，已整体拒绝，未保存任何内容：",
    "import_rejected_sheet": "工作表「{sheet}」有 {count} 处错误，已整体拒绝，未保存任何内容：",
    "import_rejected_stopped": "文件至少有 {count} 处错误，已整体拒绝，未保存任何内容：",
    "import_rejected_stopped_sheet": (
        "工作表「{sheet}」至少有 {count} 处错误，已整体拒绝，未保存任何内容："
    ),
    "period_invalid": (
        "无法识别的期间 {period}：请写成 2024年第二季度、2024年5月、2024年、本月、上季度、去年，"
        "或 2024Q2、2024-05、2024-04-01..2024-06-30"
    ),
    "period_reversed": "期间 {period} 的结束日期早于开始日期",
    "period_out_of_range": "期间 {period} 超出范围：只能是 {first} 年至 {last} 年之间的期间",
    "number_invalid": "编号 {text} 不对：请用阿拉伯数字，如 17 或 #17",
    "points_too_large": "分值 {points} 超出范围：每条不超过 ±{limit}",
    "title_invisible": "标题没有可见的文字",
    "title_no_words": "标题要有文字：只有表情或符号不能作为信息标题",
    "title_too_long": "标题太长（{length} 字）：不超过 {limit} 字",
    "note_too_long": "说明太长（{length} 字）：不超过 {limit} 字",
    "group_unknown": "未知的分组 {group}（可用：{known}）",
    "month_not_ended": "{month} 尚未结束，不能结算",
    "month_before_effective": "{month} 早于规则集生效日期 {effective}，无需结算",
    "month_invalid": "无法识别的月份 {month}：请写成 2024年5月、本月、上月或 2024-05",
    "month_empty": (
        "{month} 没有任何报送记录，未结算：多半是报送数据还没有导入。"
        "如确实所有单位都没有报送，请运行 govinfo-bot quota settle --month {month} --allow-empty"
    ),
    "no_quota": "规则集 {ruleset} 没有月度报送任务，无需结算",
    # Row problems of an import file.
    "column_missing": "缺少列 {column}",
    "column_unknown": "未知的列 {column}",
    "column_duplicate": "列 {column} 重复出现",
    "unit_missing": "未填写单位",
    "unit_unknown": "未知的单位 {unit}",
    # Units over time (bot.usecases.units).
    "unit_change_future": "生效日期 {start} 晚于今天：请在变更生效当天或之后再登记",
    "unit_change_locked": (
        "{unit} 的变更自 {start} 起生效，会改变已锁定（已通报）的期间 {period} 的名单"
        "（{who} 于 {at} 锁定）：如确需变更，请先重新开放该期间"
    ),
    "unit_change_order": (
        "{unit} 已有自 {latest} 起的变更，新的变更不能早于它（{start}）：请按时间顺序登记"
    ),
    "unit_rename_empty": "请写明 {unit} 的新名称",
    "unit_rename_same": "新名称与 {unit} 现在的名称相同",
    "unit_rename_taken": "{unit} 不能更名为 {name}：这已是 {owner} 的名称或别名",
    "unit_merge_self": "{unit} 不能并入它自己",
    "unit_move_same": "{unit} 已在 {group}",
    "unit_change_syntax": (
        "变更 {change} 无法识别：请写成 更名自 原名称 日期、并入 单位 日期、撤销 日期 或 调组 日期"
        "（如 并入 公安局 2024-05-15）"
    ),
    "date_missing": "未填写日期",
    "date_before_effective": "日期 {date} 早于规则集生效日期 {effective}",
    "date_in_future": "日期 {date} 晚于今天",
    "date_year_unknown": (
        "日期 {date} 没有写年份，文件中也没有写明年份的日期可以参照：请写明年份，"
        "或在导入时用 --year 指定年份"
    ),
    "date_year_disagrees": (
        "日期 {date} 没有写年份，而文件中其他日期分属 {years} 年，无法确定是哪一年："
        "请写明年份，或在导入时用 --year 指定年份"
    ),
    "item_missing": "未填写项目",
    "item_unknown": "未知的项目 {item}",
    "count_invalid": "条数 {value} 不是整数",
    "count_below_one": "条数 {count} 小于 1",
    "count_too_large": "条数 {count} 超过上限 {limit}",
    "points_not_allowed": "只有调整项可以填写分值，{item} 不能填写",
    "points_required": "调整项必须填写分值",
    "points_invalid": (
        "分值 {value} 无法识别：请写整数或最多两位小数（如 5、-0.25、135.4），不用科学计数法"
    ),
    "points_zero": "调整分值不能为 0",
    "reason_required": "调整项必须在备注（note）列注明原因",
    "modifier_unknown": "未知的加分项 {modifier}",
    "modifier_times_invalid": "加分项 {modifier} 的次数不对",
    "modifier_not_allowed": "加分项 {modifier} 不适用于 {item}",
    "modifier_too_many": "加分项 {modifier} 每条采用最多计 {limit} 次，这里是 {times} 次",
    "row_stored": "已存储过：与记录 #{record}（{date}）相同",
    "rows_stored": "{count} 条中有 {stored} 条已存储过（如记录 #{record}，{date}）",
    "submission_stored": "同单位本月已有同标题的报送：记录 #{record}（{date}）",
    "rows_stored_hint": (
        "只导入新增的行：加 --skip-existing；确属另外的记录、都要存储：加 --allow-duplicates"
    ),
    "period_locked": (
        "{date} 属于已锁定的期间 {period}（{who} 于 {at} 锁定），不能再变更。"
        "更正请记一笔今天的调整分，或先解锁该期间并注明原因"
    ),
    # A liaison cannot unlock a period: told what the office can do, not how.
    "period_locked_for_liaison": (
        "{date} 属于已锁定的期间 {period}（{who} 于 {at} 锁定），不能再变更。如需更正，请联系信息室"
    ),
    "name_missing": "未填写单位名称",
    "units_changed": "导入期间单位名单有变更，未保存任何内容：请重新导入",
    "methods_changed": "导入期间采用了新的考核办法，未保存任何内容：请重新导入",
    # Chat.
    "update_replayed": "该操作已处理过",
    "web_form_replayed": "该表单已提交过，未重复处理",
    "web_admin_only": "只读账户不能进行此操作",
    "web_user_gone": "该账户已不存在，请联系管理员",
    "web_login_wrong": "用户名或密码错误",
    "web_login_throttled": "登录失败次数过多，请 {minutes} 分钟后再试",
    "web_link_unknown": "登录链接无效：请在机器人中发送 /web 获取新的链接",
    "web_link_used": "该登录链接已使用过（每个链接只能使用一次）：请在机器人中发送 /web 获取新的链接",
    "web_link_expired": "该登录链接已过期：请在机器人中发送 /web 获取新的链接",
    "web_link_not_admin": "您已不是管理员，不能登录工作台",
    "web_user_name": "用户名须为 1 到 {limit} 个字符，且不含冒号",
    "web_password_short": "密码至少需要 {minimum} 个字符",
    "web_password_mismatch": "两次输入的密码不一致",
    "web_role_unknown": "未知的角色 {role}（可选：admin 管理员、viewer 只读）",
    "web_user_unknown": "没有名为 {name} 的网页账户",
    "invite_invalid": "邀请码无效，请向信息室确认邀请链接",
    "invite_used": "该邀请码已被使用过，请向信息室索取新的邀请链接",
    "invite_expired": "该邀请码已过期，请向信息室索取新的邀请链接",
    "invite_throttled": "错误的邀请码次数过多，请 {minutes} 分钟后再试",
    "invite_moves": "你现在是 {current} 的信息员。这个邀请链接会把你改为 {unit} 的信息员，确定吗？",
    "invite_same_unit": "你已经是 {unit} 的信息员，无需再次绑定",
    "liaison_unknown": "没有找到信息员 {user}",
    "link_name": "请填写信息员姓名（1 到 {limit} 个字符）",
    "link_unknown": "没有使用中的个人链接 #{link}",
    "link_invalid": "该链接无效或已被收回，请向信息室索取新的链接",
    "web_url_missing": "未设置网页工作台的地址（GOVINFO_WEB_PUBLIC_URL），不能生成网页个人链接",
    "not_liaison": "你还没有绑定单位：请使用信息室发给你的邀请链接",
    "not_admin": "只有信息室管理员可以使用此功能",
    "private_only": "请在与机器人的私聊中使用此命令",
    "item_not_reportable": "{item} 不能由信息员申报",
    "title_missing": "请填写信息标题",
    "claim_duplicate": "重复申报：同一单位、项目、标题和日期的记录已存在（#{record}，{date}，{status}）",
    "submission_duplicate": "重复报送：{unit} {month} 已报送过同标题的信息（#{record}，{date}）",
    "title_is_date": "标题不能只是日期（{title}）：请写信息标题，日期放在最后，如：关于沙漠治理的调研 5月6日",
    "draft_cancelled": "该申报已取消，未保存。需要时请重新申报。",
    "record_reversed": "记录 #{record} 的计分已冲正，不能追加批示",
    "period_not_ended": "{period} 尚未结束（到 {end}），不能锁定",
    "period_already_locked": "{period} 已于 {at} 由 {who} 锁定",
    "period_not_locked": "{period} 没有锁定，无需解锁",
    "earlier_bot_running": "这个数据库上还有旧版本的机器人在运行（{holder}），请先停止它，再启动或使用新版本",
    "draft_confirming": "这条申报正在提交，请稍候",
    "button_forged": "无效的按钮",
    "button_stale": "该按钮已失效，请重新申报",
    "record_unknown": "没有找到记录 #{record}",
    "claim_decided": "记录 #{record} 已处理（{status}），不能再次审核",
    "reason_missing": "请注明原因",
    "penalty_unknown": "未知的扣分项 {penalty}",
    "penalty_missing": "请写明扣分项",
    "penalty_ambiguous": "扣分项 {text} 不明确，可能是：{candidates}。请写完整名称或编号",
    "no_adjustment": "规则集 {ruleset} 没有调整项",
    "record_not_confirmed": "记录 #{record} 尚未确认（{status}），不能追加批示",
    "entry_unknown": "没有找到流水 #{entry}",
    "entry_is_reversal": "流水 #{entry} 本身是冲正记录，不能再冲正",
    "entry_reversed": "流水 #{entry} 已冲正过",
    "date_unreadable": (
        "无法识别的日期 {date}：可以写 今天、昨天、前天、5月6日、2024年5月6日、2024-05-06、"
        "2024/5/6、2024.5.6、5.6 或 20240506"
    ),
    "usage": "用法：{usage}",
    "item_ambiguous": "项目 {text} 不明确，可能是：{candidates}。请写完整名称或编号",
    "modifier_ambiguous": "加分项 {text} 不明确，可能是：{candidates}。请写完整名称或编号",
    "group_ambiguous": "分组 {text} 不明确，可能是：{candidates}",
    "modifier_missing": "加分项名称为空",
    "group_missing": "未填写分组",
    "name_duplicate": "单位 {name} 在文件中重复出现（第 {first} 行）",
    "alias_taken": "别名 {alias} 已被单位 {unit} 使用",
    # Names compared as scoring.text.name_key compares them: width, case and spaces ignored.
    "name_collides": (
        "单位 {name} 与第 {first} 行的单位 {other} 视为同名（忽略全半角、大小写和空格后相同）"
    ),
    "name_collides_stored": (
        "单位 {name} 与已有单位 {unit} 视为同名（忽略全半角、大小写和空格后相同）"
    ),
    "name_too_long": "单位名称或别名太长（{length} 字）：不超过 {limit} 字",
    # govinfo-bot verify, and the daily check.
    "verify_integrity": "数据库文件损坏（SQLite 完整性检查）：{detail}",
    "verify_chain": "积分流水 #{line} 与哈希链不符：该行或它之前的一行在机器人之外被改动、删除或插入过",
    "verify_sum": "累计表 {table} 中 {key} 的 {column} 为 {kept}，按积分流水应为 {ledger}",
    "verify_sum_missing": "累计表 {table} 缺少 {key} 一行，积分流水中有该行的记录",
    "verify_sum_extra": "累计表 {table} 中 {key} 一行在积分流水中没有任何记录",
    # The ledger key (kept outside the database) and the anchors of the chain.
    "ledger_key_missing": (
        "找不到积分流水密钥 {file}：没有它不能写入积分流水（防止流水被伪造），本次操作未保存任何内容；"
        "查询和排名不受影响。请把初始化时生成的密钥文件放回原处，或用 GOVINFO_LEDGER_KEY_FILE 指明其位置"
    ),
    "ledger_key_unreadable": "无法读取或创建积分流水密钥 {file}：{detail}",
    "ledger_key_invalid": "积分流水密钥 {file} 格式不对：应为 {digits} 位十六进制数字",
    "verify_unkeyed": "积分流水的密钥记录不见了：它在机器人之外被删除，此后的流水无法证明未被伪造",
    "verify_key_missing": "找不到积分流水密钥 {file}，无法核验带密钥的哈希链",
    "verify_key_wrong": (
        "{file} 不是本库的积分流水密钥（本库密钥编号 {expected}，该密钥编号 {found}）"
    ),
    "verify_keying": "积分流水的密钥记录与密钥不符：它在机器人之外被改动过",
    "verify_anchor_gone": "积分流水 #{line} 已不存在：锚点（或密钥记录）之后的流水在机器人之外被删除",
    "verify_anchor": "积分流水 #{line} 与锚点不符：锚点之前的流水在机器人之外被改动过",
    "verify_anchor_format": "锚点 {anchor} 格式不对：应为“行号:哈希”（通报附注和管理员消息中给出的那一串）",
    "verify_status": (
        "记录 #{record} 的状态为 {status}，与其审核记录（最后一次为 {event}）不符：状态在机器人之外被改动过"
    ),
    "verify_unconfirmed_scored": "记录 #{record} 未经确认却有积分流水：状态在机器人之外被改动过",
    "verify_locks": (
        "期间 {period} 的锁定与锁定记录不符（{history}）：锁定在机器人之外被删除或添加过"
    ),
}


def error_text(code: str, params: dict[str, Any]) -> str:
    template = ERRORS.get(code)
    if template is None:
        return code
    # What a user wrote is quoted back, but never a cell of 30,000 characters; paths and the
    # lists the code makes are not the user's words.
    shown = {
        k: _clip(v) if isinstance(v, str) and k not in ("path", "known") else v
        for k, v in params.items()
    }
    if "status" in params:
        # A record's status is stored in English; people read it in Chinese.
        shown["status"] = STATUS_NAMES.get(params["status"], params["status"])
    if "who" in params:
        shown["who"] = actor_display(str(params["who"]))
    if "candidates" in params:
        shown["candidates"] = candidates_text(params["candidates"], params.get("more", 0))
    for key, value in params.items():
        if isinstance(value, list) and key != "candidates":
            shown[key] = "、".join(str(v) for v in value)
    return template.format(**shown)


# A quoted value longer than this is cut, saying how long it was.
QUOTED_LIMIT = 60


def _clip(value: str) -> str:
    # A direction override quoted back would turn the rest of the sentence around.
    value = printable(value)
    if len(value) <= QUOTED_LIMIT:
        return value
    return value[: QUOTED_LIMIT - 20] + CLIPPED.format(length=len(value))


def candidates_text(candidates: list[tuple[str, str]], more: int) -> str:
    """What an ambiguous name may mean, numbered, each with its id to write instead."""
    listed = "；".join(
        f"{n}. {label}（{rule_id}）" for n, (rule_id, label) in enumerate(candidates, start=1)
    )
    return listed + (CANDIDATES_MORE.format(more=more) if more else "")


def actor_display(actor: str) -> str:
    """Who did something, as stored (`cli:王芳`, `tg:9001`, `web:王芳`, `link:12`, `scheduler`, or
    a name), in Chinese."""
    kind, _, name = actor.partition(":")
    if actor == "scheduler":
        return ACTOR_SCHEDULER
    if kind == "cli" and name:
        return ACTOR_CLI.format(name=name)
    if kind == "tg" and name:
        return ACTOR_TELEGRAM.format(name=name)
    if kind == "web" and name:
        return ACTOR_WEB.format(name=name)
    if kind == "link" and name:
        return ACTOR_LINK.format(link=name)
    return actor


ACTOR_SCHEDULER = "定时任务"
ACTOR_CLI = "命令行用户 {name}"
ACTOR_TELEGRAM = "用户 {name}"
ACTOR_WEB = "网页用户 {name}"
ACTOR_LINK = "个人链接 #{link} 的信息员"


# After the first bad rows of a refused file (scoring.errors.SHOWN_PROBLEMS).
PROBLEMS_MORE = "……另有 {more} 处错误未列出"
PROBLEMS_STOPPED = "错误已过多，第 {line} 行之后未再检查"


def problem_text(problem: RowProblem) -> str:
    return f"第 {problem.line} 行：{error_text(problem.code, problem.params)}"


def domain_error_lines(err: DomainError) -> list[str]:
    """The one-line reason, then (for a refused file) one line per bad row or field."""
    lines = [error_text(err.code, err.params)]
    if isinstance(err, ImportRejected):
        lines += [problem_text(p) for p in err.problems]
        if err.more:
            lines.append(PROBLEMS_MORE.format(more=err.more))
        if err.stopped_at is not None:
            lines.append(PROBLEMS_STOPPED.format(line=err.stopped_at))
        if err.hint:
            lines.append(error_text(err.hint, {}))
    if isinstance(err, RulesetRejected):
        lines += [ruleset_problem_text(p) for p in err.problems]
    return lines


# What is wrong with a field of a ruleset file, by pydantic's error type or the ruleset's own
# refusal codes (scoring/ruleset.py), with their facts.
RULESET_PROBLEMS: dict[str, str] = {
    "missing": "缺少此项",
    "ruleset_unsupported": "不支持的设置项 {key}：规则文件格式没有这一设置",
    "ruleset_misspelt": "不支持的设置项 {key}（是否想写 {suggestion}？）",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字（用引号括起）",
    "string_too_short": "不能为空",
    "string_too_long": "不超过 {max_length} 个字",
    "list_type": '应为列表，如 ["a", "b"]',
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "date_type": "应为日期，如 2024-02-23",
    "date_parsing": "应为日期，如 2024-02-23",
    "date_from_datetime_parsing": "应为日期，如 2024-02-23",
    "literal_error": "只能是 {expected}",
    "enum": "只能是 {expected}",
    "dict_type": "应为一个表（[名称] 或 {{ … }}）",
    "model_type": "应为一个表（[名称] 或 {{ … }}）",
    "ruleset_adjustment_points": "调整项的分值由每条记录给出，这里不能写 points",
    "ruleset_points_missing": "须写明分值 points",
    "ruleset_penalty_points": "扣分项的分值须为负数",
    "ruleset_points_positive": "分值须为正数",
    "ruleset_points_decimals": "分值最多两位小数（如 0.5、135.4）",
    "ruleset_points_number": "分值须为整数或最多两位小数的数（如 5、0.5），不加引号",
    "ruleset_counts_not_adoption": "只有采用项可以计入采用条数（counts_as_adoption）",
    "ruleset_column_unknown": "{where} {id} 的通报列 {column} 不在 bulletin.score_columns 中",
    "ruleset_slash_column": "bulletin.slash_for_zero 中的 {column} 不是计分列",
    "ruleset_allowed_on_unknown": "加分项 {id} 的 allowed_on 中 {target} 不是采用或加分项",
    "ruleset_not_penalty": "{name} 中的 {rule} 不是扣分项",
    "ruleset_selection_not_adoption": "commission_selections 中的 {rule} 不是采用项",
    "ruleset_menu_prefix": "menu 中的 {prefix} 不是任何项目编号的前缀",
    "ruleset_quota_penalties_missing": "分组设有月度报送任务，但缺少 quota_penalties",
    "ruleset_quota_nobody": "任务 {id} 须写明适用的分组 groups 或单位 units",
    "ruleset_quota_group_unknown": "任务 {id} 的 groups 中 {group} 不是分组",
    "ruleset_quota_kind_unknown": "任务 {id} 的 kinds 中 {kind} 不是报送类别（submission_kinds）",
    "ruleset_year_column_unknown": "bulletin.year_to_date_columns 中的 {column} 不是通报的列",
    "ruleset_not_credit": "{name} 中的 {rule} 不是加分项（项目类别须为加分）",
    "ruleset_cap_without_points": "设了 submissions_cap，但没有设报送得分项 submissions",
    "ruleset_base_without_quota": "设了月度基础分 quota_met，但没有任何分组设月度报送任务",
    "ruleset_duplicate": "{what} 中 {value} 用了两次：{first} 与 {second}",
    "ruleset_reserved_id": "{where}：编号 {id} 是保留的（报送记录专用），请换一个编号",
    "ruleset_reserved_label": "{where}：名称 {label} 是保留的（报送记录专用），请换一个名称",
    "ruleset_count_item_unknown": "bulletin.counts 的 {column} 中 {target} 不是项目编号，也不是报送（{submission}）",
    "ruleset_awards_unranked": "bulletin.order 为 roster（不排名），不能设 awards（评先须有名次）",
    "ruleset_points_on_not_allowed": "加分项 {id} 的 points_on 中 {item} 不在 allowed_on 中",
    "ruleset_points_on_positive": "加分项 {id} 的 points_on 中 {item} 的分值须为正数",
}


def ruleset_problem_text(problem: RulesetProblem) -> str:
    template = RULESET_PROBLEMS.get(problem.code)
    what = template.format(**problem.params) if template else problem.message
    return f"{problem.field or RULESET_WHOLE}：{what}"


RULESET_WHOLE = "（整个规则文件）"


CANDIDATES_MORE = "；等另外 {more} 个"
CLIPPED = "……（共 {length} 字）"

# The columns of the files offices import, by key: the names a header may give each (the key
# itself is always one). The first name is the one the project writes, in templates too.
RECORD_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    # Registers as offices keep them name the same columns their own way: 报送单位, 信息标题,
    # 领导批示, 采用刊物（栏目） (its remark dropped like any other), 采用时间.
    "date": ("日期", "采用时间", "采用日期", "报送日期", "报送时间"),
    "unit": ("单位", "单位名称", "报送单位"),
    "item": ("项目", "采用刊物", "刊物"),
    "section": ("栏目",),
    "count": ("数量", "条数"),
    "points": ("分值",),
    "modifiers": ("批示", "加分项", "领导批示"),
    "title": ("标题", "信息标题"),
    "note": ("备注",),
}
UNIT_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "单位", "名称"),
    "group": ("分组", "类别"),
    "aliases": ("别名",),
    # A unit's change from a day (rules.md, "Units roster"): `并入 公安局 2024-05-15`.
    "change": ("变更",),
}
# A column as a refusal names it.
COLUMN_SHOWN = "{name}（{key}）"
# Columns offices keep for themselves, read past without a word.
IGNORED_COLUMN_NAMES = ("序号",)
# A row with one of these in any cell is a total the office keeps, not a record.
TOTAL_ROW_WORDS = ("合计", "总计", "小计")

INIT_DONE = "已初始化数据库 {db}，规则集：{ruleset}（{name}）"
INIT_SAME = "数据库 {db} 已使用规则集 {ruleset}，无需变更"
RULES_OK = (
    "规则文件有效：{ruleset}（{name}），{items} 个计分项，{modifiers} 个加分项，{groups} 个分组"
)
METHOD_ADOPTED = "已采用新考核办法：{ruleset}（{name}），自 {start} 起施行"
METHOD_ADOPT_DRY = "将采用新考核办法：{ruleset}（{name}），自 {start} 起施行（本次未保存任何变更）"
METHOD_CONFIRM = "以上变更确认执行吗？输入 yes 确认："
METHOD_NOT_CONFIRMED = "未确认，未保存任何变更（确认执行请加 --yes）"
METHOD_SAME = "规则与已存储的考核办法 {ruleset}（{start}）相同（只是注释或排版不同），不是新考核办法，未保存任何内容"
METHOD_NO_CHANGE = "已存储的记录按新考核办法计分不变"
METHOD_CHANGES_HEAD = "以下记录按新考核办法重新计分（原流水冲正，新流水写入）："
METHOD_CHANGES_HEAD_DRY = "以下记录将按新考核办法重新计分（原流水冲正，新流水写入）："
METHOD_CHANGE_LINE = "#{record} {date} {unit} {item}：{before} → {after}"
METHOD_RESCORED = "自 {start} 起采用考核办法《{method}》，重新计分"
METHOD_FROM_START = "建库起"
METHODS_HEAD = ("施行自", "规则集", "名称", "来源文件")
METHOD_FIRST_SOURCE = "（初始化）"
UNITS_IMPORTED = "单位名单已导入：新增 {added} 个，更新 {updated} 个，共 {total} 个单位"
RECORDS_IMPORTED = (
    "记录已导入：{rows} 行，{records} 条记录（其中报送 {submissions} 条），"
    "{entries} 条积分流水，合计 {points} 分"
)
RECORDS_SKIPPED = "跳过已存储的记录 {skipped} 条"
RECORDS_DRY = (
    "试导入（未保存任何内容）：将导入 {rows} 行，{records} 条记录（其中报送 {submissions} 条），"
    "{entries} 条积分流水，合计 {points} 分"
)
RECORDS_SKIPPED_DRY = "将跳过已存储的记录 {skipped} 条"
TOTALS_SKIPPED = "已跳过合计行：第 {lines} 行"
SETTLED = "{month} 月度报送任务结算：{settled} 个单位，其中 {missed} 个未完成（扣分已记入流水）"
SETTLED_DRY = "{month} 月度报送任务试算：将结算 {settled} 个单位，其中 {missed} 个未完成，将扣分"
SETTLED_AGAIN_DRY = "{month} 已结算过，按现有数据重新结算将有以下变更"
SETTLED_AGAIN = "{month} 已结算过，按现有数据重新结算"
SETTLED_NOTHING_NEW = "{month} 已结算过，本次没有新的变更"
DRY_RUN = "（试算：以下是将要写入的内容，本次未保存任何变更）"
RESETTLED_AFTER = "补结算 {settled} 后重新结算 {month}"
RESETTLED_LATE = "补录报送，重新结算 {month}"
RESETTLED_HEAD = "以下月份重新结算，扣分有变更："
RESETTLED_HEAD_DRY = "以下月份将重新结算，扣分将有变更："
RESETTLED_FOR_LIAISON = "已结算月份因这条报送重新结算，扣分有变更："
RESETTLED_FOR_ADMINS = "{unit} 补录报送（#{record}），已结算月份重新结算，扣分有变更："
CHANGE_LINE = "{month} {unit}（报送 {count}/{quota}）：{before} → {after}"
CHANGE_NONE = "不扣分"
# A quota apart from the groups' monthly one, in its own period (2024年第二季度 紫港街道（长篇信息 0/1）).
CHANGE_LINE_QUOTA = "{month} {unit}（{label} {count}/{quota}）：{before} → {after}"
QUOTAS_SETTLED = "其他报送任务结算，扣分有变更："
QUOTAS_SETTLED_DRY = "其他报送任务试算，扣分将有变更："
# The note of a settled month's submission points (报送得分 10（报送 12 条，每月封顶 10 分）).
SUBMISSION_POINTS_NOTE = "报送 {count} 条"
SUBMISSION_POINTS_CAP = "，每月封顶 {cap} 分"
PERIOD_LOCKED = "已锁定 {period}：期间内的记录、冲正、批示和结算都不能再变更。"
PERIOD_REOPENED = "已解锁 {period}，原因已记入审计记录。"
PERIODS_LOCKED_NOW = "当前锁定的期间："
PERIODS_LOCKED_LINE = "  {period}（{first} 至 {last}）{who} 于 {at} 锁定"
PERIODS_NONE = "  （没有）"
PERIODS_HISTORY = "锁定和解锁记录："
PERIODS_EVENT_LINE = "  {at} {period} {event} — {who}{reason}"
PERIOD_EVENTS = {"locked": "锁定", "reopened": "解锁"}
SETTLED_ROW = "{unit}（{group}）：报送 {submissions}/{quota}，{outcome} {points}"
OUTCOME = {"missed": "未完成，扣分并下发提醒函", "missed_again": "经提醒后仍未完成，扣分"}
# A month below the quota under a method that deducts nothing for it (only no base score).
OUTCOME_NO_PENALTY = "未完成，不扣分"
OUTCOME_DRY = {"missed": "未完成，将扣分并下发提醒函", "missed_again": "经提醒后仍未完成，将扣分"}
SETTINGS_INVALID = "设置有误：{fields}（见 .env.example）"
STORAGE_FAILED = "无法使用数据库 {db}：{detail}"
ERRORS["db_url_unencoded"] = (
    "数据库地址有误：用户名或密码中的 / ? # @ 要写成 URL 编码（/ 写作 %2F，? 写作 %3F，"
    "# 写作 %23，@ 写作 %40），地址中不能有 #"
)
ERRORS["db_url_port"] = "数据库地址有误：端口必须是 1 到 65535 之间的数字"
STANDINGS_WRITTEN = "已写入 {path}"
# Files written without --out, and files sent in chat, are named for what they hold.
STANDINGS_FILE = "排名-{period}.{format}"
EXPORT_FILE = "记录与排名-{period}.xlsx"

RULES_HEADING = "规则集 {id}：{name}"
RULES_EFFECTIVE = "生效日期：{date}"
RULES_FLOOR = "总分下限：{floor}"
RULES_NO_FLOOR = "总分下限：无"
RULES_LISTING = {"scored": "通报只列出本期有得分记录的单位", "all": "通报列出分组内全部单位"}
RULES_ROSTER_ORDER = "单位按名册顺序列出，不排名次"
RULES_COUNT_COLUMN = "{column}：统计 {items} 的条数（已撤销的不计）"
RULES_RATE_COLUMN = "{column}：采用条数 ÷ 报送条数，保留一位小数；本期未报送的记为 —"
RULES_YEAR_TO_DATE = "{word}：各列另列当年1月1日至期末的累计数（{first} …）"
RULES_SUBMISSION_POINTS = "月度结算时报送得分：每条 {points} 分（{label}）"
RULES_SUBMISSION_CAP = "，每月封顶 {cap} 分"
RULES_BASE_SCORE = "月度结算时完成月度报送任务的单位得 {label} {points} 分"
RULES_OTHER_QUOTA = "报送任务 {label}（{id}）：{who}{period}不少于 {minimum} 条{kinds}，{penalties}"
RULES_QUOTA_PERIOD = {"month": "每月", "quarter": "每季度"}
RULES_QUOTA_KINDS = "（只计 {kinds}）"
RULES_QUOTA_PENALTIES = "未完成扣 {missed} 分，经提醒后仍未完成扣 {again} 分"
RULES_QUOTA_NO_PENALTY = "未完成不扣分"
RULES_GROUPS = "分组"
RULES_QUOTA = "每月报送不少于 {quota} 条"
RULES_NO_QUOTA = "无月度报送任务"
RULES_ITEMS = "计分项"
RULES_MODIFIERS = "加分项"
RULES_AWARDS = (
    "年度通报：先进单位 {advanced} 个，进步较大单位 {improved} 个，排名靠后单位 {lowest} 个（每组）"
)
RULES_DISQUALIFY = "取消评先资格：{penalties}，年内合计 {at_least} 次及以上"
RULES_COLUMNS = ("编号", "名称", "类别", "分值", "通报列")
RULES_MODIFIER_COLUMNS = ("编号", "名称", "分值", "每条最多", "通报列", "适用于")
NO_LIMIT = "不限"
KIND = {"adoption": "采用", "credit": "加分", "penalty": "扣分", "adjustment": "调整"}
POINTS_GIVEN = "按记录填写"
# An upgrade keeps the office's stored method; `rules show` and `init` say what the text shipped
# now would change, entry by entry (where: the entry's place in the ruleset file).
RULES_NEWER_HEAD = (
    "本软件现随附的规则集 {ruleset} 新版本与本库所存版本有 {count} 处不同；"
    "本库仍按所存版本计分，未作任何改动："
)
RULES_NEWER_CHANGE = {
    "added": "  + {where}：{new}",
    "removed": "  - {where}：{old}",
    "changed": "  ~ {where}：{old} → {new}",
}

# The files written: XLSX sheets and CSV.
SHEET_FONT = "宋体"
SHEET_FOOTER = "第 &P 页，共 &N 页"
STANDINGS_SHEET_TITLE = "{ruleset}\n{group}排名　{period}"
EXPORT_SHEET_TITLE = "{ruleset}\n{what}　{period}"
QUARTERS = "一二三四"
# Templates (govinfo-bot template records|units).
TEMPLATE_HELP_SHEET = "填写说明"
TEMPLATE_EXAMPLES = "示例（填写说明中的示例不会被导入）："
TEMPLATE_RECORDS_TITLE = "{ruleset}　政务信息登记表填写说明"
TEMPLATE_RECORDS_SHEET = "登记表"
TEMPLATE_RECORDS_SHEET_TITLE = "{ruleset}\n政务信息登记表"
TEMPLATE_RECORDS_HELP = (
    "1. 在「登记表」工作表的表头下每条记录填写一行，不要改动表头；表头上方的标题可以改。",
    "2. 日期：2024-05-06、2024/5/6、2024年5月6日 或 Excel 日期均可，不早于 {effective}，不晚于导入当天。",
    "3. 单位：从下拉列表选择单位名称，也可以写单位的别名。",
    "4. 项目：从下拉列表选择，报送（计入每月报送任务）选“报送”；也可以写项目编号，"
    "或名称中能唯一确定项目的一部分（如“决策参考”）。",
    "5. 数量：同样的记录有几条就写几，不填为 1。",
    "6. 分值：只有调整项填写整数（加分为正，扣分为负），并在备注中写明原因。",
    "7. 批示：领导批示等加分项，从下拉列表选择；多个用“、”分隔，同一项多次写“×2”。",
    "8. 标题、备注：可不填。“合计”“小计”行导入时会跳过，不必删除。",
    "9. 导入：govinfo-bot records import 登记表.xlsx；以后在同一张表中追加记录、再次导入时加 "
    "--skip-existing，只导入新增的行。",
)
TEMPLATE_UNITS_TITLE = "{ruleset}　单位名单填写说明"
TEMPLATE_UNITS_SHEET = "单位名单"
TEMPLATE_UNITS_SHEET_TITLE = "{ruleset}\n考评单位名单"
TEMPLATE_UNITS_HELP = (
    "1. 在「单位名单」工作表的表头下每个单位填写一行，不要改动表头。",
    "2. 单位名称：单位的全称；导入记录时按名称或别名找到单位。",
    "3. 分组：从下拉列表选择（{groups}），排名只在同组内进行。",
    "4. 别名：可不填；多个别名用“、”“；”或“,”分隔，如：教育局、教育。",
    "5. 导入：govinfo-bot units import 单位名单.xlsx；再次导入时同名单位更新分组和别名，不会重复添加。",
)
TEMPLATE_UNIT_EXAMPLES = (("县教育局", "教育局、教育"), ("县公安局", "公安局"))
TEMPLATE_EXAMPLE_UNIT = "县教育局"
TEMPLATE_EXAMPLE_TITLES = ("县公安局召开冬季安全工作会议", "关于沙漠治理的调研")
TEMPLATE_EXAMPLE_REASON = "补记四月漏登的采用信息"
TEMPLATE_OPTION_HEADINGS = {
    "unit": "可选单位",
    "item": "可选项目",
    "modifiers": "可选批示",
    "group": "可选分组",
}
TEMPLATE_NOT_IN_LIST = "请从下拉列表中选择"
TEMPLATE_WHOLE_NUMBER = "请填写 {low} 到 {high} 之间的整数"
TEMPLATE_DATE = "请填写 {first} 以后的日期，如 2024-05-06"
TEMPLATE_FILES = {"records": "政务信息登记表.xlsx", "units": "单位名单.xlsx"}
TEMPLATE_NO_UNITS = (
    "注意：单位名单是空的，登记表的“单位”下拉列表没有内容。"
    "请先运行 govinfo-bot units import <单位名单文件> 导入单位名单，再重新生成模板"
)
TEMPLATE_WRITTEN = (
    "已写入模板 {path}：在「{sheet}」工作表中填写后，运行 govinfo-bot {kind} import {path} 导入"
)
ERRORS["csv_not_encodable"] = (
    "无法用 {encoding} 编码写出字符「{char}」：请改用 UTF-8（去掉 --encoding）"
)


def period_span(period: Period) -> str:
    """A period as a bulletin names it, with its days: 2024年第二季度（2024-04-01 至 2024-06-30）."""
    days = f"{period.start.isoformat()} 至 {period.end.isoformat()}"
    if ".." in period.label:
        return days
    return f"{period.name}（{days}）"


STANDINGS_TITLE = "{ruleset} {period}（{start} 至 {end}）共采用 {items} 条"
GROUP_HEADING = "（{number}）{group}：采用 {items} 条"
RANK = "排名"
# The first column of a table in the roster's order, which ranks nobody.
ROW_NUMBER = "序号"
GAP = "差距"
UNIT = "单位"
GROUP = "分组"
RAW_TOTAL = "原始总分"
NO_UNITS = "（无）"
CHINESE_NUMBERS = "一二三四五六七八九十"

# --- the bot ---------------------------------------------------------------------------------

# --- the web console's accounts and server (govinfo-bot users, govinfo-bot web) -------------

WEB_HELP = "启动网页工作台（与机器人共用同一数据库）"
WEB_LISTEN_HELP = "监听地址（默认 127.0.0.1：只供本机的反向代理访问）"
WEB_PORT_HELP = "监听端口（默认 8080）"
WEB_STARTING = "网页工作台：http://{listen}:{port}/（数据库 {db}）"
USERS_HELP = "网页工作台的账户"
USERS_ADD_HELP = "添加账户，或重设已有账户的角色和密码"
USERS_ROLE_HELP = "admin：管理员（可审核）；viewer：只读"
USERS_PASSWORD_FILE_HELP = "从文件第一行读取密码（不给出则在终端输入，不回显）"
USERS_LIST_HELP = "列出账户"
USERS_REMOVE_HELP = "删除账户（其会话立即失效）"
USERS_PASSWORD = "密码："
USERS_PASSWORD_AGAIN = "再输入一次："
USERS_ADDED = "已添加网页账户 {name}（{role}）"
USERS_CHANGED = "已更新网页账户 {name}（{role}），新密码即时生效"
USERS_REMOVED = "已删除网页账户 {name}，其会话立即失效"
USERS_LINE = "{name}\t{role}\t添加于 {at}，由 {by}"
USERS_NONE = "还没有网页账户：用 govinfo-bot users add <用户名> --role admin 添加"
USERS_ROLES = {"admin": "管理员", "viewer": "只读"}

TOKEN_REJECTED = "Telegram 拒绝了 GOVINFO_BOT_TOKEN 中的令牌：请在 @BotFather 核对或重新生成令牌"
VERIFY_OK = (
    "核验通过：{lines} 条积分流水的哈希链完整，{sums} 行累计与流水一致，"
    "记录状态和期间锁定与其记录一致，数据库文件完好，保护流水的触发器齐全"
)
# The chain's head, to be kept outside the database: `govinfo-bot verify --anchor` proves later
# that nothing up to it changed.
VERIFY_HEAD = "链头锚点：{anchor}（请留存；日后可用 govinfo-bot verify --anchor {anchor} 证明此前流水未被改动）"
VERIFY_ANCHOR_OK = "锚点 {anchor} 相符：积分流水 #{line} 及之前的流水未被改动"
LEDGER_KEYED = (
    "本库的积分流水已加密钥（自第 {line} 行起用密钥链接，之前的流水保持原有哈希），密钥文件：{file}。"
    "请与数据库分开妥善保管该文件：没有它不能再写入积分流水"
)
LEDGER_CHECK_ANCHOR = "【数据核验】{day} 核验通过。链头锚点：{anchor}"
VERIFY_SET_ASIDE = (
    "另有 {count} 条 Telegram 更新无法读取，已原样保存并搁置（其后的消息照常处理），"
    "原文和原因在 set_aside_updates 表中"
)
LEASE_STANDBY = (
    "数据库 {db} 已由另一个机器人进程（{holder}）运行：本进程待命，不收发消息、不执行定时任务；"
    "该进程停止后最迟 {seconds} 秒内接管"
)
LEASE_TAKEN = "本进程已接管数据库 {db}，开始运行"
LEASE_LOST = "另一个进程（{holder}）已接管数据库 {db}：本进程停止运行"
WEBHOOK_SECRET_SHARED = (
    "数据库是 PostgreSQL，可能有多个进程共用同一个 webhook：请用 GOVINFO_WEBHOOK_SECRET（或 --secret）"
    "给所有进程设置同一个 secret token，否则各进程启动时会互相覆盖，Telegram 的请求将被拒绝"
)
LEADER_TAKEN = "本进程成为数据库 {db} 上的主进程：定时任务和消息发送由本进程运行"
LEADER_HANDOVER = (
    "上一个主进程（{holder}）未正常退出，可能仍在发送消息：本进程等待 {seconds:g} 秒后接任主进程"
)
LEADER_LOST = "本进程与数据库 {db} 的连接已断开，可能已有其他进程接任主进程：本进程停止运行"
TOKEN_MISSING = (
    "未设置 GOVINFO_BOT_TOKEN，机器人无法连接 Telegram。\n"
    "请在 .env 或环境变量中设置令牌；不用 Telegram 也可以先试用：govinfo-bot sandbox"
)
SUBMISSION_NAME = "报送"
STATUS_NAMES = {"pending": "待审核", "confirmed": "已确认", "rejected": "已驳回"}
INTERNAL_ERROR = "抱歉，处理时出错了，请稍后再试。如果一直出错，请联系信息室。"

WELCOME_LIAISON = "你好，{name}！你是 {unit} 的信息员。\n发送 /help 查看可以做的事。"
WELCOME_ADMIN = "你好，管理员。发送 /help 查看管理命令。"
WELCOME_STRANGER = "你好！这是政务信息报送考评机器人。请使用信息室发给你的邀请链接绑定单位。"
BOUND = "绑定成功：你现在是 {unit} 的信息员。\n发送 /help 查看可以做的事。"
MOVE_CONFIRM = "✅ 改为 {unit} 的信息员"
MOVE_KEPT = "已取消，你的单位没有改变。"
LIAISON_MOVED_BY_INVITE = "信息员 {who} 通过邀请链接从 {old} 改为 {unit} 的信息员。"

# Help and command menus, each line tagged with what the ruleset must have for it to be shown:
# "quota" (a monthly quota), "no_quota" (none), "commission" (commission rules), or "" (always).
HELP_LIAISON_HEAD = "信息员可以："
HELP_LIAISON = [
    ("", "/report — 逐步申报一条采用信息（选择刊物、栏目，填写标题、日期、批示和证明材料）"),
    (
        "",
        "采用 <项目> <标题> [日期] — 一句话申报，例如：采用 《决策参考》 关于沙漠治理的调研 5月6日",
    ),
    (
        "quota",
        "/submit <标题> [日期] — 记录一条报送（计入每月报送任务；回复一条消息或文件时一并附上；补报以前的日期写在最后）",
    ),
    ("no_quota", "/submit <标题> [日期] — 记录一条报送（回复一条消息或文件时一并附上）"),
    (
        "kinds",
        "/submit <类别> <标题> — 记录一条某类报送，类别写在标题前（例如 /submit 长篇信息 标题）",
    ),
    (
        "kinds",
        "报送 [类别] <标题> [日期] — 一句话报送，确认后记录，例如：报送 长篇信息 关于茶油产业的调研 5月6日；"
        "/report 中也可选「报送」",
    ),
    ("commission", "/submit 约稿<编号> <标题> — 回复约稿；/commissions — 本单位的约稿"),
    ("quota", "/me — 本月报送进度、本季度得分和排名"),
    ("no_quota", "/me — 本季度得分和排名"),
    ("", "/rank [期间] — 本组排名（默认本季度，例如 /rank 上季度、/rank 2024年第二季度）"),
    ("", "/history — 最近的记录及其状态"),
    ("", "/why [期间] — 得分明细，逐条说明"),
    ("", "/cancel — 取消正在进行的操作"),
]
HELP_ADMIN_HEAD = "管理员可以："
HELP_ADMIN = [
    ("", "/invite <单位> — 生成一次性邀请链接"),
    (
        "",
        "/invite <单位> 网页 <姓名> — 为不能使用 Telegram 的信息员生成网页个人链接；/unlink <编号> — 收回",
    ),
    ("", "/liaisons — 信息员名单；/move <用户ID> <单位> — 调整单位；/remove <用户ID> — 移除"),
    ("", "/pending — 待审核的采用申报（每条附确认/驳回按钮）"),
    ("", "/approve <记录号> — 确认申报；/reject <记录号> <原因> — 驳回申报"),
    ("", "/penalty <单位> <扣分项> [日期] [备注] — 记扣分"),
    ("", "/adjust <单位> <±分值> <原因> — 调整分值（须注明原因）"),
    ("", "/endorse <记录号> <批示项>[×次数] — 为已确认的采用追加批示"),
    ("", "/reverse <流水号> <原因> — 冲正一条流水（不删除原记录；冲正采用时连同其批示一并冲正）"),
    ("", "/lock <期间> — 锁定已公布的期间（如 /lock 上季度），期间内不能再变更"),
    ("", "/reopen <期间> <原因> — 解锁期间"),
    ("", "/units — 单位名单"),
    ("", "/web — 网页工作台的一次性登录链接（几分钟内有效）"),
    ("", "/standings [期间] [分组] [表格] — 排名（加“表格”得到完整的 Excel 表）"),
    ("", "/export [期间] — 导出 Excel（记录、积分流水、排名）"),
    ("", "/bulletin [期间] — 通报草稿（Word 和 Excel），附“发布”按钮；/bulletins — 已发布的通报"),
    ("commission", "/commission <截止日期> <单位、单位|分组|全部> <题目> — 发布约稿"),
    ("commission", "/commissions — 约稿及报送情况"),
    ("commission", "/select <记录号> <选用项> — 标记约稿回复被选用（如：/select 12 市）"),
]

COMMANDS_LIAISON = {
    "report": ("申报采用信息", ""),
    "submit": ("记录一条报送", ""),
    "me": ("我的进度和排名", ""),
    "commissions": ("本单位的约稿", "commission"),
    "rank": ("本组排名", ""),
    "history": ("最近的记录", ""),
    "why": ("得分明细", ""),
    "help": ("帮助", ""),
    "cancel": ("取消当前操作", ""),
}
COMMANDS_ADMIN = {
    "pending": ("待审核申报", ""),
    "approve": ("确认申报", ""),
    "reject": ("驳回申报", ""),
    "invite": ("生成邀请链接", ""),
    "unlink": ("收回网页个人链接", ""),
    "liaisons": ("信息员名单", ""),
    "move": ("调整信息员单位", ""),
    "remove": ("移除信息员", ""),
    "penalty": ("记扣分", ""),
    "adjust": ("调整分值", ""),
    "endorse": ("追加批示", ""),
    "reverse": ("冲正流水", ""),
    "lock": ("锁定期间", ""),
    "reopen": ("解锁期间", ""),
    "units": ("单位名单", ""),
    "web": ("网页工作台登录链接", ""),
    "standings": ("排名", ""),
    "export": ("导出 Excel", ""),
    "bulletin": ("通报草稿和发布", ""),
    "bulletins": ("已发布的通报", ""),
    "commission": ("发布约稿", "commission"),
    "commissions": ("约稿情况", "commission"),
    "select": ("约稿被选用", "commission"),
}

INVITE_CREATED = "{unit} 的邀请链接（一次有效，{expires} 前使用）：\n{link}"
WEB_LINK = "网页工作台的登录链接（只能使用一次，{expires} 前有效，请勿转发）：\n{link}"
WEB_NO_URL = (
    "还没有设置网页工作台的地址：请在 .env 中设置 GOVINFO_WEB_PUBLIC_URL"
    "（如 https://xxb.example.gov.cn），重启机器人后再发送 /web"
)
# `/invite <单位> 网页 <姓名>`: a personal link to the web console's liaison page instead.
INVITE_WEB_WORD = "网页"
WEB_LINK_CREATED = (
    "{unit} 的信息员 {name} 的网页个人链接（#{link}，无需密码，收回前一直有效，只显示这一次，"
    "请只发给本人）：\n{url}\n收回：/unlink {link}"
)
WEB_LINK_REVOKED = "已收回 {unit} 的信息员 {name} 的网页个人链接（#{link}），该链接立即失效"
# Two lines: who (the number /move and /remove take, once), then the unit.
LIAISON_LINE = "{name}（用户ID {user_id}{handle}）\n  {unit}（{group}）"
NO_LIAISONS = "还没有信息员"
LIAISON_MOVED = "已将 {who} 调整到 {unit}"
LIAISON_REMOVED = "已移除信息员 {who}"
UNIT_LINE = "{name}（{group}）信息员 {liaisons} 人"
UNIT_ALIASES = "\n  别名：{aliases}"
# A unit's changes under its line in /units, and the units no longer in the roster.
UNIT_GONE_LINE = "{name}（{group}）{state}"
UNIT_RETIRED_STATE = "自 {start} 起撤销"
UNIT_MERGED_STATE = "自 {start} 起并入 {into}"
UNIT_RENAMED_NOTE = "\n  自 {start} 起更名，原名 {old}"
UNIT_MOVED_NOTE = "\n  自 {start} 起由 {old} 调至 {new}"
UNIT_CHANGED_BY = "（{actor} 于 {at} 登记）"
# The command line's confirmation of a change, and its answer (bot/cli/units.py).
UNIT_RENAME_PLAN = "{unit} 自 {start} 起更名为 {target}（原名保留为别名，此前各期仍以原名通报）"
UNIT_MERGE_PLAN = (
    "{unit} 自 {start} 起并入 {target}：此前各期分列，含该日的期间合并列为 {target}（含原{unit}），"
    "此后只列 {target}；{liaisons} 名信息员转入 {target}"
)
UNIT_RETIRE_PLAN = (
    "{unit} 自 {start} 起撤销：此后不再提醒、不再考核报送任务，之前的期间照常列出；"
    "{liaisons} 名信息员解除"
)
UNIT_MOVE_PLAN = "{unit} 自 {start} 起调至 {target}：期末在哪一组，该期就在哪一组排名"
UNIT_CHANGE_CONFIRM = "确认吗？[y/N] "
UNIT_CHANGE_CANCELLED = "已取消，未作任何变更"
UNIT_CHANGE_DONE = "已登记：{plan}"
# Told to a merged or retired unit's liaisons.
UNIT_MERGED_LIAISON = "{unit} 已自 {start} 起并入 {into}，你现在是 {into} 的信息员。"
UNIT_RETIRED_LIAISON = "{unit} 已自 {start} 起撤销，你的信息员身份随之解除。如有疑问请联系信息室。"
UNIT_RETIRED_REASON = "{unit} 自 {start} 起撤销"

REPORT_CHOOSE = "请选择采用的刊物或栏目："
REPORT_BACK = "« 返回"
REPORT_TITLE = "已选择：{item}（{points} 分）\n请输入信息标题："
REPORT_DATE = "采用日期？可以写 今天、昨天、2024-05-06 或 5月6日"
# The guided report's submission (报送), under a method with kinds of submission.
REPORT_SUBMISSION = "报送（按类别）"
REPORT_SUBMISSION_KINDS = "请选择报送的类别："
REPORT_SUBMISSION_NO_KIND = "其他（不属以上类别）"
REPORT_SUBMISSION_TITLE = "已选择：报送{kind}\n请输入信息标题："
REPORT_SUBMISSION_DATE = "报送日期？可以写 今天、昨天、2024-05-06 或 5月6日"
TODAY = "今天"
TOMORROW = "明天"
YESTERDAY = "昨天"
REPORT_ENDORSE = "是否获得领导批示？点按添加（可多次），完成后点「完成」："
ENDORSE_DONE = "完成"
REPORT_ENDORSED = "领导批示已选：{labels}"
REPORT_ENDORSED_NONE = "领导批示：无"
ENDORSE_COUNT = "{label} ×{times}"
REPORT_EVIDENCE = "请发送证明材料（图片、文件或链接），没有请点「跳过」："
SKIP = "跳过"
REPORT_CANCELLED = "已取消。"
REPORT_TIMEOUT = "操作超时，已取消。需要时请重新开始。"
# A refusal or an error that ends the guided report: said after its reason.
REPORT_ENDED = "本次申报已结束，需要时请重新发送 /report。"
REPORT_FAILED = "抱歉，处理时出错了。" + REPORT_ENDED
SUMMARY = """请确认申报：
单位：{unit}
项目：{item}
{near}标题：{title}
日期：{date}
{extra}计分：{explanation}
合计 {points} 分"""
# A name that was only a part of a label: the item it was read as, shown to be checked.
SUMMARY_NEAR = "（按「{name}」理解为此项，请核对）\n"
SUMMARY_ENDORSE = "批示：{labels}\n"
SUMMARY_EVIDENCE = "证明材料：{evidence}\n"
EVIDENCE_FILE = "已附文件"
EVIDENCE_PHOTO = "已附图片"
CONFIRM = "✅ 确认提交"
CANCEL = "取消"
SUBMISSION_SUMMARY = """请确认报送：
单位：{unit}
{kind}标题：{title}
日期：{date}"""
SUBMISSION_SUMMARY_KIND = "类别：{kind}\n"
# A confirmed submission's summary then says, after it.
SUBMISSION_STORED = "已记录报送（#{record}）。{unit} {month}已报送 {count} 条{quota}"
CLAIM_PENDING = "已提交，等待信息室审核（记录 #{record}）。审核结果会通知你。"
CLAIM_CONFIRMED = "已记录（#{record}），得 {points} 分。"
ONE_LINE_PREFIX = "采用"
# A one-line submission, read where the method has kinds of submission.
ONE_LINE_SUBMISSION_PREFIX = "报送"
ONE_LINE_SUBMISSION_USAGE = (
    "报送 [类别] <标题> [日期]\n例如：报送 长篇信息 关于茶油产业的调研 5月6日"
)
HINT_TEXT = "没有看懂这条消息。发送 /help 查看可以做的事；一句话申报：采用 <项目> <标题> [日期]"
HINT_ONE_LINE_BARE = "一句话申报要写项目和标题：\n{usage}"
HINT_ONE_LINE = (
    "“采用”后面要空一格：采用 <项目> <标题> [日期]，例如：采用 决策参考 关于沙漠治理的调研 5月6日"
)
HINT_COMMAND = "不认识的命令 {command}。发送 /help 查看可以做的事"
# A one-line report whose item name is near one or several items, or fits several.
ITEM_DID_YOU_MEAN = "没有项目「{name}」。\n是不是{item}？"
ITEM_NEAR_SOME = "没有项目「{name}」。\n是不是下面的某一项？"
ITEM_PICK = "「{name}」可能是下面几项，请选择："
ITEM_YES = "是，{item}"
HINT_FILE = (
    "收到文件，但没有说明用途。要作为报送：在文件的说明中写 /submit <标题>；"
    "要作为采用申报的证明材料：先发送 /report，到最后一步再发文件"
)
EDIT_NOT_TAKEN = (
    "修改过的消息不会再处理一次，原来的那条照旧有效。要更正，请发一条新消息；"
    "还在等待确认的申报可以用 /cancel 取消后重报"
)
EDIT_NOT_TAKEN_ADMIN = (
    "修改过的消息不会再处理一次，原来的那条照旧有效。已记下的调整、扣分等请用 "
    "/reverse <流水号> <原因> 冲正，再发一条新的命令"
)
HINT_PHOTO = (
    "收到图片，但没有说明用途。要作为报送：在图片的说明中写 /submit <标题>；"
    "要作为采用申报的证明材料：先发送 /report，到最后一步再发图片"
)
ONE_LINE_USAGE = "采用 <项目> <标题> [日期]\n例如：采用 《决策参考》 关于沙漠治理的调研 5月6日"

SUBMITTED = "已记录报送（#{record}）：{title}\n{unit} {month}已报送 {count} 条{quota}"
THIS_MONTH = "本月"
SUBMITTED_DATED = "\n报送日期：{date}"
SUBMITTED_QUOTA = "，任务 {quota} 条"
# A submission of one of the method's kinds (长篇信息), as its answer names it.
SUBMITTED_KIND = "【{kind}】{title}"
OFFICE_COPY = "📨 {unit} 报送（#{record}）：{title}"

CLAIM_FOR_OFFICE = """新的采用申报 #{record}
单位：{unit}（{who}）
项目：{item}
标题：{title}
日期：{date}
计分：{explanation}"""
CLAIM_EVIDENCE = "\n证明材料：{evidence}"
APPROVE = "✅ 确认"
REJECT = "❌ 驳回"
APPROVED_NOTE = "\n\n✅ 已确认（{admin}）"
ASK_REJECT_REASON = "请回复驳回记录 #{record} 的原因（/cancel 取消）："
# An unexpected error while the reason is asked for ends the rejection (it may have been stored).
REJECT_FAILED = (
    "抱歉，处理时出错了。请用 /pending 查看该记录是否仍待审核，需要时重新点「❌ 驳回」。"
)
APPROVED_FOR_LIAISON = "✅ 你的采用申报 #{record}「{title}」已确认，得 {points} 分。"
REJECTED_FOR_LIAISON = "❌ 你的采用申报 #{record}「{title}」被驳回：{reason}"
PENDING_NONE = "没有待审核的申报。"
PENDING_LINE = "#{record} {unit} {date} {item}「{title}」{who}"
PENDING_MORE = "共 {count} 条待审核，以上是最早的 {shown} 条；也可以用 /approve <记录号> 或 /reject <记录号> <原因>"
APPROVED = "已确认记录 #{record}，得 {points} 分，已通知该单位信息员。"
REJECTED = "已驳回记录 #{record}：{reason}，已通知该单位信息员。"

ENTERED = """已记入（#{record}）
单位：{unit}
项目：{item}
日期：{date}
分值：{points}
备注：{note}
计分：{explanation}"""
ENTERED_FOR_LIAISON = """信息室为 {unit} 记入：
项目：{item}
日期：{date}
分值：{points}
备注：{note}"""
NO_NOTE = "无"
ENDORSED_ITEM = "{label}（记录 #{record}「{title}」）"
ENDORSEMENT_LINE = "{label} {points}（记录 #{record}）"
# A ledger line reversed, by its 流水号 (a record is 记录 #n): the number /reverse took.
REVERSAL_LINE = "冲正流水号 {entry}（{explanation}）：{reason}"
REVERSED = """已冲正
单位：{unit}
项目：{item}
日期：{date}
分值：{points}
原因：{note}
{lines}"""
REVERSED_FOR_LIAISON = """信息室为 {unit} 冲正：
项目：{item}
日期：{date}
分值：{points}
原因：{note}"""
DRAFTS_CANCELLED = "已取消未确认的申报，未保存。"
NOTHING_TO_CANCEL = "没有进行中的操作。"

# /me, a line each, every line within a phone's width.
ME_HEAD = "{unit}（{group}）"
ME_MONTH = "本月（{month}）报送 {submissions} 条"
ME_QUOTA = "任务 {quota} 条，{state}，还剩 {days} 天"
ME_QUOTA_MET = "已完成"
ME_QUOTA_SHORT = "还差 {missing} 条"
ME_QUARTER = "本季度（{quarter}）得分 {total}"
ME_RAW = "原始分 {raw}（总分最低为 {floor}）"
ME_RANK = "组内第 {rank} 名，共 {size} 个单位"
ME_GAP = "比上一名 {unit} 少 {gap} 分"
ME_FIRST = "目前排名第一"
ME_TIED = "本组各单位目前同分"
ME_UNRANKED = "本季度（{quarter}）暂无得分"
ME_ROSTER_ORDER = "本办法按名册顺序通报，不排名次"
# The count columns and the adoption rate of a method that has them: 报送条数 8，采用率 37.5%
ME_COUNT = "{column} {count}"
RANK_MINE = "本单位：{counts}"
RANK_TITLE = "{group} {period}，{count} 个单位"
STANDINGS_PHONE_TITLE = "{period} 排名，共采用 {items} 条"
GROUP_PHONE_TITLE = "（{number}）{group} {period}"
FULL_TABLE = "📊 完整表格（Excel）"
FULL_TABLE_WORD = "表格"
FULL_TABLE_CAPTION = "{period} 排名（完整表格）"
RANK_MARK = "▶"
RANK_MORE = "……（共 {count} 个单位）"
HISTORY_NONE = "还没有记录。"
HISTORY_LINE = "记录 #{id} {date} {status}{reason}\n{item}「{title}」{explanation}"
HISTORY_EXPLANATION = "\n计分：{explanation}"
WHY_NONE = "{period} 没有计分记录。"
WHY_HEAD = "{unit} {period} 得分明细："
# A ledger line by its own number (流水号, what /reverse takes), apart from record numbers.
WHY_LINE = "流水号 {id}  {date}  {points}\n  {explanation}"
WHY_TOTAL = "合计 {total} 分"
EXPORT_CAPTION = "{period} 的记录、积分流水和排名"
EXPORT_SHEETS = {"records": "记录", "ledger": "积分流水"}
EXPORT_RECORD_HEADER = ("编号", "日期", "单位", "项目", "标题", "状态", "批示", "计分说明", "备注")
EXPORT_LEDGER_HEADER = ("流水号", "日期", "单位", "规则", "通报列", "分值", "说明", "冲正流水")

# --- the sandbox (govinfo-bot sandbox) -------------------------------------------------------

ERRORS["sandbox_no_roster"] = "规则集 {ruleset} 没有示例单位名单，沙盒只能使用：{known}"
SANDBOX_STARTING = "正在启动沙盒……"
SANDBOX_INTRO = (
    "沙盒：真实的机器人，连接本机模拟的 Telegram 服务器，不会连接 Telegram。\n"
    "规则集 {ruleset}（{name}），示例单位 {units} 个，临时数据库 {db}\n"
    "{approval}"
)
SANDBOX_APPROVAL_ON = "审核：开启，采用申报须经管理员确认（GOVINFO_REQUIRE_APPROVAL=true）"
SANDBOX_APPROVAL_OFF = "审核：关闭，采用申报确认后直接计分（GOVINFO_REQUIRE_APPROVAL=false）"
SANDBOX_HELP = """终端命令：
:as 管理员、:as 1、:as <单位> 或 :as <名字> — 切换身份
:who — 列出可用的身份
:new [名字] — 新建一个尚未绑定单位的用户并切换过去（管理员 /invite 后，以此身份发送 /start <邀请码>）
:press N — 点按最近一条带按钮的消息的第 N 个按钮
:reply N <文字> — 回复第 N 条消息，例如 :reply 5 /submit
:file <路径> [说明文字] — 发送文件，说明文字随文件发出，例如 :file 材料.docx /submit 标题；.jpg、.png 作为图片发送
:save N <路径> — 把第 N 条消息里机器人发来的文件保存到路径（文件或目录）
:time [日期 [时刻]] — 查看机器人的时钟，或把它向后拨到该时刻（默认为定时任务的时刻），到期的提醒、预警、月度结算随即发生，例如 :time 2026-12-21
:help — 显示本说明
:quit — 退出（也可按 Ctrl-D）
消息编号：机器人的消息显示为 🤖 #N，你发出的消息显示为（已发送 #N）；路径含空格时请加双引号。
报送抄送给信息室（办公室群）的副本，在沙盒里发给管理员。
其他内容都以当前身份发给机器人，例如 /help、/report、/me"""
SANDBOX_USAGE_AS = ":as 管理员、:as 1、:as <单位> 或 :as <名字>"
SANDBOX_USAGE_FILE = ":file <路径> [说明文字]"
SANDBOX_USAGE_REPLY = ":reply N <文字>"
SANDBOX_USAGE_SAVE = ":save N <路径>"
SANDBOX_USAGE_TIME = ":time [YYYY-MM-DD [HH:MM]]，例如 :time 2026-12-21 或 :time 2027-01-01 09:00"
SANDBOX_TIME_NOW = "机器人的时钟：{now}"
SANDBOX_TIME_BACKWARDS = "机器人的时钟只能向后拨：现在是 {now}"
SANDBOX_CLOCK = "{moment}（星期{weekday}）"
# The issuing office of the sandbox's bulletins, unless GOVINFO_OFFICE_NAME names one.
SANDBOX_OFFICE_NAME = "示例县人民政府办公室"
SANDBOX_ADMIN = "管理员"
SANDBOX_ADMIN_NAME = "信息室"
SANDBOX_LIAISON_NAMES = ("王芳", "李强", "赵敏")
SANDBOX_NEW_NAME = "用户{user_id}"
SANDBOX_NAME_TAKEN = "名字 {name} 已被身份 {key} 使用：请换一个名字"
SANDBOX_NAME_TOO_LONG = "名字太长：不超过 {limit} 个字符"
SANDBOX_NEW = (
    "已新建身份 {key}：{name}（用户 {user_id}），尚未绑定单位。"
    "请管理员发送 /invite <单位>，再以此身份发送 /start <邀请码>"
)
SANDBOX_WHO = "可用的身份："
SANDBOX_WHO_ADMIN = "{key} — {name}（用户 {user_id}）"
SANDBOX_WHO_LIAISON = "{key}. {unit}（{group}）的信息员 — {name}（用户 {user_id}）"
SANDBOX_WHO_UNBOUND = "{key}. {name}（用户 {user_id}），尚未绑定单位"
SANDBOX_WHO_CURRENT = "  ◀ 当前"
SANDBOX_NOW_ADMIN = "现在你是 管理员 {name}"
SANDBOX_NOW_LIAISON = "现在你是 {unit} 的信息员 {name}"
SANDBOX_NOW_UNBOUND = "现在你是 {name}（尚未绑定单位）"
SANDBOX_PROMPT = "{label}> "
SANDBOX_BOT = "🤖 #{number} "
SANDBOX_EDITED = "✏️ #{number} "
SANDBOX_DOCUMENT = "📎 {filename}（{size} 字节，:save {number} <路径> 可保存）"
SANDBOX_PHOTO = "🖼 {filename}（{size} 字节，:save {number} <路径> 可保存）"
SANDBOX_SENT = "（已发送 #{number}）"
SANDBOX_SENT_REPLY = "（已发送 #{number}，回复 #{target}）"
SANDBOX_SENT_FILE = "（已发送 #{number}：{filename}，{size} 字节）"
SANDBOX_BUTTON = "[{number}] {label}"
SANDBOX_PRESSED = "👆 {label}"
SANDBOX_ALERT = "💬 {text}"
SANDBOX_OTHERS = "（{who} 收到 {count} 条新消息，:as {key} 查看）"
SANDBOX_NO_IDENTITY = "没有身份 {key}：输入 :who 查看可用的身份"
SANDBOX_NO_BUTTONS = "最近的消息里没有按钮"
SANDBOX_BUTTON_RANGE = "没有第 {number} 个按钮（共 {count} 个）"
SANDBOX_NO_MESSAGE = "你的对话里没有消息 #{number}"
SANDBOX_NO_BOT_MESSAGE = "你的对话里没有机器人发来的消息 #{number}"
SANDBOX_NOT_A_FILE = "消息 #{number} 不是文件"
SANDBOX_SAVED = "已把 {filename} 保存到 {path}（{size} 字节）"
SANDBOX_SAVE_FAILED = "无法写入 {path}：{detail}"
SANDBOX_UNKNOWN_COMMAND = "未知的终端命令 {command}：输入 :help 查看"
SANDBOX_BYE = "已退出沙盒。"


# --- scheduled work and broadcasts ---------------------------------------------------------

QUOTA_REMINDER = (
    "【报送提醒】{unit}：{month}已报送信息 {count} 条，本月任务 {quota} 条，还差 {missing} 条；"
    "{today}起本月还有 {days} 个工作日。月底仍未完成将{deduction}。\n报送请发送：/submit <标题>"
)
FINAL_WARNING = (
    "【扣分预警】{month}即将结束（{today}起还有 {days} 个工作日）。{unit}本月已报送信息 {count} 条，"
    "任务 {quota} 条，还差 {missing} 条。{settle_at}月度结算时将{deduction}。\n报送请发送：/submit <标题>"
)
DEDUCTION_FIRST = "扣 {points} 分并下发提醒函"
DEDUCTION_AGAIN = "扣 {points} 分（上月已收到提醒函，按“{label}”扣分）"
BEHIND_SUMMARY = (
    "【报送进度】{month}截至{today}（本月还有 {days} 个工作日），{count} 个单位未完成报送任务："
)
BEHIND_SUMMARY_FINAL = "【扣分预警】{month}即将结束（{today}起还有 {days} 个工作日），{count} 个单位仍未完成报送任务，{settle_at}结算时将扣分："
BEHIND_LINE = "{unit}（{group}）已报 {count}/{quota}，差 {missing} 条，将扣 {points} 分"
BEHIND_NONE = "【报送进度】{month}截至{today}，所有单位均已完成本月报送任务。"
SETTLE_AT = "{month}月{day}日 {time} "
MONTH_DAY = "{month}月{day}日"
REMINDER_LETTER = (
    "【提醒函】{unit}：\n{month}贵单位报送政务信息 {count} 条，未完成每月 {quota} 条的报送任务。"
    "根据《{ruleset}》，扣 {points} 分（{label}）。请高度重视，加强政务信息报送工作。"
)
# A quota apart from the groups' monthly one (长篇信息 a quarter), in its own period.
QUOTA_LETTER = (
    "【提醒函】{unit}：\n{period}贵单位报送{what} {count} 条，未完成不少于 {quota} 条的任务。"
    "根据《{ruleset}》，扣 {points} 分（{label}）。请高度重视，加强政务信息报送工作。"
)
SETTLEMENT_SUMMARY = (
    "【月度结算】{month}已结算 {count} 个单位：完成任务 {met} 个，扣分 {penalised} 个。"
)
SETTLEMENT_LINE = "{unit}（{group}）报送 {count}/{quota}，{points} 分（{label}）{letter}"
LETTER_SENT = "，已发提醒函"
LETTER_NOBODY = "，该单位没有信息员，提醒函未能送达"
SETTLEMENT_NOTHING = "【月度结算】{month}已结算过，按现有数据没有新的扣分。"
JOB_FAILED = "【自动任务未完成】{job}（{period}）：{reason}"
JOB_ERROR = "多次出错（{error}），已放弃，详见日志"
# How people name each kind of scheduled run (bot/jobs/registry.py).
JOB_QUOTA_REMINDER = "报送提醒"
JOB_FINAL_WARNING = "扣分预警"
JOB_SETTLEMENT = "月度结算"
JOB_QUARTERLY = "季度通报草稿"
JOB_ANNUAL = "年度通报草稿"
JOB_COMMISSION_REMINDER = "约稿提醒"
JOB_COMMISSION_CLOSE = "约稿结算"
JOB_LEDGER_CHECK = "数据核验"
SETTLE_BY_HAND = "请处理后运行 govinfo-bot quota settle --month {month}。"
LIAISON_BLOCKED = (
    "信息员 {who}（{unit}）已屏蔽机器人，已自动停用。如需恢复，请重新邀请：/invite {unit}"
)
# Before a message sent again after a crash or a network error: it may have arrived already.
RESENT = "（重发）"

COMMISSION_CREATED = (
    "已发布约稿 #{id}：{topic}\n截止日期：{deadline}（含当天）\n约稿单位 {count} 个：{units}"
)
COMMISSION_UNREACHED = "\n⚠️ 其中 {count} 个单位没有信息员，约稿通知无法送达：{units}。请邀请信息员（/invite 单位）或另行通知。"
COMMISSION_NOTICE = (
    "【约稿 #{id}】{topic}\n截止日期：{deadline}（含当天）\n"
    "请按时报送，发送：/submit 约稿{id} <标题>\n逾期未报送将扣 {points} 分。"
)
COMMISSION_REMINDER = (
    "【约稿提醒】约稿 #{id}「{topic}」将于 {deadline} 截止，{unit}尚未报送。\n"
    "请发送：/submit 约稿{id} <标题>；逾期未报送将扣 {points} 分。"
)
COMMISSION_ANSWERED = "\n已作为约稿 #{id}「{topic}」的回复。"
COMMISSION_ANSWER_FOR_OFFICE = (
    "约稿 #{id}「{topic}」收到{unit}的回复 #{record}：{title}\n选用请发送："
)
COMMISSION_SELECT_LINE = "/select {record} {key} — {label}（+{points}）"
COMMISSION_MISSED = (
    "【提醒函】{unit}：\n约稿 #{id}「{topic}」已于 {deadline} 截止，贵单位未按时报送。"
    "根据《{ruleset}》，扣 {points} 分（{label}）。"
)
COMMISSION_NOTE = "约稿 #{id}"
COMMISSION_CLOSED = (
    "【约稿结算】约稿 #{id}「{topic}」已截止：{answered} 个单位已报送，{missed} 个单位未报送。"
)
COMMISSION_MISSED_LINE = "{unit} {points} 分（{label}）"
COMMISSION_LINE = "#{id} {topic}｜截止 {deadline}｜已报送 {answered}/{targets}{closed}"
COMMISSION_LINE_CLOSED = "｜已结算"
COMMISSION_MINE = "#{id} {topic}｜截止 {deadline}｜{state}"
COMMISSION_STATE_ANSWERED = "已报送"
COMMISSION_STATE_OPEN = "未报送：/submit 约稿{id} <标题>"
COMMISSION_STATE_MISSED = "逾期未报送"
COMMISSIONS_NONE = "目前没有约稿。"
SELECTED = (
    "已记录：约稿回复 #{answer}「{title}」（{unit}）{label}，+{points} 分（记录 #{record}）。"
)
SELECTED_FOR_LIAISON = "约稿回复 #{answer}「{title}」被选用：{label}，+{points} 分。"
ERRORS.update(
    {
        "commission_not_in_rules": "规则集 {ruleset} 没有约稿的考评规则，不能发布约稿",
        "commission_unknown": "没有约稿 #{id}",
        "commission_not_target": "约稿 #{id} 没有约{unit}的稿",
        "commission_closed": "约稿 #{id} 已于 {deadline} 截止，不再接受回复",
        "deadline_past": "截止日期 {deadline} 已过，请给出今天或以后的日期",
        "deadline_too_far": "截止日期 {deadline} 太远：请给出一年以内的日期",
        "topic_missing": "请写明约稿题目",
        "targets_missing": "请写明约稿单位（单位名、分组或“全部”）",
        "targets_empty": "{key} 没有单位",
        "not_commission_answer": "记录 #{record} 不是约稿回复",
        "selection_unknown": "未知的选用项 {key}（可用：{known}）",
        "selection_duplicate": "约稿回复 #{record} 已记录过“{label}”",
        "no_selections": "规则集 {ruleset} 没有约稿选用的计分项",
    }
)
ALL_UNITS = "全部"
COMMISSION_USAGE = "/commission <截止日期> <单位、单位|分组|全部> <题目>"
SELECT_USAGE = "/select <记录号> <选用项>"
# "/submit 约稿12 <标题>" answers commission 12.
COMMISSION_ANSWER_PATTERN = r"约稿\s*#?([0-9]+)(?:\s+|$)"
ERRORS["commission_needs_jobs"] = (
    "定时任务已关闭（GOVINFO_JOBS=false），约稿无法提醒和结算，不能发布"
)
JOBS_RECENT = "最近执行的定时任务："
JOBS_RECENT_LINE = "  {ran}  {job} {period}：{outcome} {detail}"
JOBS_NONE = "  （还没有）"
JOBS_UPCOMING = "接下来的定时任务："
JOBS_UPCOMING_LINE = "  {due} 周{weekday}  {job} {period}"
JOBS_DAILY = "  每天 {time}  {job}（下次 {due} 周{weekday}；失败时通知管理员）"
# Messages owed and not yet sent, by the channel they go through: a channel without a sender
# running keeps its messages waiting here.
JOBS_OUTBOX = "待发送的消息：{counts}"
JOBS_OUTBOX_CHANNEL = "{channel} {count} 条"
JOB_OUTCOMES = {"done": "完成", "skipped": "跳过", "failed": "未完成"}
WEEKDAYS = "一二三四五六日"


# --- the command line's own words (argparse's, said in Chinese) ---------------------------

ARGPARSE = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "unrecognized arguments: %s": "不认识的参数：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少一个值",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "not allowed with argument %s": "不能与 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 不明确，可能是：%(matches)s"
    ),
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "one of the arguments %s is required": "须给出其中一个参数：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "未知的命令 %(parser_name)r（可用：%(choices)s）"
    ),
}
RECORDS_IMPORT_HELP = """记录文件（CSV 或 XLSX）的列，表头行必须有：
  date 日期   — 采用、报送或扣分的日期，可以写 2024-05-06、2024-5-6、2024/5/6、
                2024.5.6、2024年5月6日、20240506，或 Excel 的日期单元格；
                5月6日、5.6、5/6、05-06 不写年份，取文件中其他日期共同的年份，
                不一致时用 --year 指定
  unit 单位   — 单位名称或别名（表头也可写 报送单位）
  item 项目   — 项目编号或名称（govinfo-bot rules show 列出全部），报送写 submission 或 报送
                （表头也可写 采用刊物（栏目）、刊物、栏目）
  count 数量  — 条数，默认 1，不超过 1000
  points 分值 — 只有调整项填写，整数或最多两位小数（如 -0.25），不超过 ±100000
  modifiers 批示 — 加分项编号或名称，用 ; 分隔，可写 ×2
  title 标题、note 备注 — 可不填；调整项须在 note 注明原因
已存储过的行：默认整份文件拒绝并列出；--skip-existing 只导入新增的行；
--allow-duplicates 全部作为新记录。同一个文件不会导入两次。
--dry-run 只显示将要导入和拒绝的内容，不保存。"""
# --- the bulletin (govinfo-bot bulletin) ----------------------------------------------------

ERRORS.update(
    {
        "office_name_missing": (
            "通报需要发文机关名称：请在 .env 或环境变量中设置 GOVINFO_OFFICE_NAME"
            "（如 磴口县人民政府办公室）"
        ),
        "template_toml": "通报模板 {path} 不是有效的 TOML：{detail}",
        "template_keys": "通报模板 {path} 只能有 title、opening、closing 三项，多了：{keys}",
        "template_not_text": "通报模板 {path} 的 {part} 应为文字",
        "template_syntax": "通报模板 {path} 的 {part} 第 {line} 行有误：{detail}",
        "template_placeholder": "通报模板 {path} 的 {part} 中没有占位符 {name}（可用：{known}）",
        "template_failed": "通报模板 {path} 的 {part} 无法生成：{detail}",
        "pdf_needs_libreoffice": (
            "生成 PDF 需要 LibreOffice：请安装 libreoffice-writer-nogui 和中文字体"
            "（Debian/Ubuntu：apt-get install libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai），"
            "或改用 --format docx"
        ),
        "pdf_timeout": "LibreOffice 在 {seconds} 秒内没有完成 PDF 转换，已停止",
        "pdf_failed": "LibreOffice 未能生成 PDF：{detail}",
    }
)
DEFAULT_ADDRESSEES = "各有关单位"
BULLETIN_WRITTEN = "已写入 {path}（{what}）"
BULLETIN_FILE = "{stem}-{period}.{format}"
BULLETIN_WHAT = "{period}通报{state}，{units} 个单位"
BULLETIN_DRAFT = "草稿"
TEMPLATE_DEFAULT_SOURCE = "（默认）"

# How periods and dates are written in a bulletin.
PERIOD_MONTH = "{year}年{month}月"
PERIOD_QUARTER = "{year}年第{number}季度"
PERIOD_YEAR = "{year}年度"
PERIOD_RANGE = "{start}至{end}"
QUARTER_NUMBERS = "一二三四"
DATE_WRITTEN = "{year}年{month}月{day}日"

# The default wording, in the template language an office's own file uses (README, "Bulletin").
BULLETIN_TITLE = "{{ office }}关于{{ period }}政务信息采用情况的通报"
BULLETIN_OPENING = """\
为进一步加强政务信息工作，提高政务信息报送质量，现将{{ period }}各单位政务信息报送和采用情况通报如下。

{{ period }}，共采用各单位信息{{ item_count }}条\
{% if kinds %}（含{% for k in kinds %}{{ k.label }}{{ k.count }}条{{ "、" if not loop.last }}{% endfor %}）{% endif %}。\
{% if groups|length > 1 %}其中，{% for g in groups %}{{ g.label }}{{ g.count }}条{{ "、" if not loop.last else "。" }}{% endfor %}{% endif %}
{% for p in penalised %}{{ p.units|join("、") }}因“{{ p.label }}”被扣分{{ "；" if not loop.last else "。" }}{% endfor %}
"""
BULLETIN_CLOSING = """\
下一步，各单位要围绕中心工作，紧密结合工作实际，继续加大政务信息报送力度，\
进一步提高信息的质量和时效，按时完成信息报送任务。
"""
# What the placeholders hold, for the README and for refusing a misspelt one.
TEMPLATE_PLACEHOLDERS = (
    "office",
    "title",
    "period",
    "period_label",
    "start",
    "end",
    "date",
    "year",
    "item_count",
    "kinds",
    "groups",
    "unit_count",
    "penalised",
    "ruleset",
    "issue",
    "addressees",
)

DRAFT_MARK = "草稿"
# The page number between its dashes: `— 1 —`.
PAGE_NUMBER_AROUND = ("— ", " —")
ADDRESSEES_LINE = "{addressees}："
# A long title is broken after this word (……关于 / ……的通报).
TITLE_BREAK_AFTER = "关于"
ATTACHMENT_TITLE = "{period}政务信息采用情况统计表"
ATTACHMENT_LINE = "附件：{title}"
ATTACHMENT_MARK = "附件"
TABLE_HEADING = "（{number}）{group}信息采用情况"
NO_UNITS_ROW = "（本组没有单位）"

NOTES_HEAD = "注："
NOTE_ITEM = "{number}、{text}"
NOTE_ORDER = "各组按总分从高到低排列，总分相同的名次并列。"
NOTE_ROSTER_ORDER = "各组按单位名册顺序排列，不排名次。"
NOTE_COUNT_COLUMN = "{column}为{items}的条数，已撤销的不计。"
NOTE_YEAR_TO_DATE = "以“{word}”开头的各列为{start}至{end}的累计数，计法同本期各列。"
NOTE_RATE = "{rate}为{count}除以报送条数，以百分比保留一位小数；本期未报送的单位记为“—”。"
NOTE_LISTING = {
    "scored": "本期没有计分记录的单位未列出。",
    "all": "各组全部单位均列出，没有计分记录的为0分。",
}
NOTE_SLASH = "“/”即该项得分为0（{columns}）。"
# A published version's last note: the ledger chain's head it was computed from.
NOTE_ANCHOR = (
    "本通报所据积分流水的链头锚点：{anchor}（可用 govinfo-bot verify --anchor 核验其后未被改动）。"
)
NOTE_COUNT_EXCLUDES = "{column}不含{labels}。"
NOTE_COLUMN = "{column}：{terms}。"
NOTE_TERM = {
    "adoption": "{label}每条{points}分",
    "credit": "{label}每次{points}分",
    "modifier": "{label}加{points}分",
    "penalty": "{label}扣{points}分",
    "adjustment": "{label}按记录分值计，须注明原因",
}
NOTE_TOTAL = "{total}为各项得分之和。"
NOTE_FLOOR = "{total}为各项得分之和，扣分后低于{floor}分的按{floor}分计算。"
NOTE_DATES = "以上数据为{start}至{end}。"
# A period spanning several methods: each scored its own days.
NOTE_METHODS = "本期跨越考核办法修订，各按施行中的办法计分：{spans}。"
NOTE_METHOD_SPAN = "{start}至{end}按《{name}》"
NOTE_METHOD_SEPARATOR = "；"
LIST_SEPARATOR = "、"
# Between the terms of a column's note: labels have commas of their own.
TERM_SEPARATOR = "；"
# How a method's table says "the item above, but …" (同上，被自治区政府办公厅采用).
SAME_AS_ABOVE = "同上，"

# The year's awards, as an office writes them (rule 六).
AWARDS_PRAISE = "一、通报表扬"
AWARDS_PRAISE_INTRO = "根据《{ruleset}》，经综合评定，对以下单位予以通报表扬。"
AWARDS_ADVANCED = "（一）信息工作先进单位"
AWARDS_IMPROVED = "（二）进步较大单位"
AWARDS_INDIVIDUALS = "（三）先进个人"
AWARDS_INDIVIDUALS_INTRO = "每个先进单位和进步较大单位可推荐1名先进个人，候选人为各单位在册信息员："
AWARDS_CANDIDATE = "{unit}：{names}。"
AWARDS_NO_CANDIDATES = "以上单位暂无在册信息员，请各单位自行推荐。"
AWARDS_DISQUALIFIED = "二、取消评先资格"
AWARDS_DISQUALIFIED_INTRO = (
    "以下单位本年度因未按要求完成信息报送任务被通报1次以上、经提醒后仍无较大改变，"
    "未按时限要求报送约稿信息，或信息报送出现严重失真，取消获评资格："
)
AWARDS_DISQUALIFIED_NONE = "本年度没有取消获评资格的单位。"
AWARDS_REASON = "{label}{count}次"
AWARDS_LOWEST = "三、书面说明"
AWARDS_LOWEST_INTRO = "以下单位在年度中排名靠后，请单位主要负责人书面检查并说明情况："
AWARDS_GROUP_LINE = "{group}：{units}。"
AWARDS_LOWEST_TIE = "{group}：{units}等{count}个单位全年得分均为{total}分。"
AWARDS_NONE = "无"
AWARDS_IMPROVEMENT = "{unit}（{rise}）"
AWARDS_RISE = "由{before}第{from_rank}名升至{after}第{to_rank}名"
AWARDS_WITH_REASONS = "{unit}（{reasons}）"

# The workbook.
XLSX_TITLE = "{period}{group}信息采用情况{draft}"
XLSX_DRAFT = "（草稿）"
XLSX_PERIOD = "统计期间：{start}至{end}"
XLSX_NOTES_SHEET = "说明"
XLSX_AWARDS_SHEET = "年度评选"
XLSX_AWARDS_HEADER = ("分组", "类别", "单位", "说明")
XLSX_AWARD_KINDS = {
    "advanced": "先进单位",
    "improved": "进步较大单位",
    "candidate": "先进个人候选人",
    "disqualified": "取消获评资格",
    "lowest": "排名靠后（书面说明）",
}

# --- publishing the bulletin -------------------------------------------------------------

BULLETIN_FILE_STEM = "通报"
BULLETIN_LINE = (
    "【{period} 通报】{unit}（{group}）：第 {rank} 名（共 {size} 个单位），{column} {total}{gap}"
)
BULLETIN_GAP = "，比上一名 {unit} 少 {gap} 分"
BULLETIN_LINE_UNRANKED = "【{period} 通报】{unit}（{group}）：{column} {total}"
BULLETIN_FIRST = "，本组第一"
AWARD_ADVANCED = "本组先进单位：{units}"
AWARD_IMPROVED = "本组进步较大单位：{units}"
AWARD_LOWEST_YOU = "贵单位排名靠后，请书面检查并说明情况。"
AWARD_DISQUALIFIED_YOU = "贵单位本年度被取消评先资格。"
# To every admin at each publication: the chain head kept outside the database.
BULLETIN_ANCHOR = (
    "{period} 通报第 {version} 版所据积分流水的链头锚点：{anchor}"
    "（请留存；可用 govinfo-bot verify --anchor 证明其后未被改动）"
)
BULLETIN_CHANGED = "{period} 通报第 {version} 版已发布，与上一版相比有变化的单位："
BULLETIN_CHANGE_LINE = "{group} {unit}：{before} → {after}"
BULLETIN_PLACE = "第 {rank} 名 {total} 分"
BULLETIN_UNLISTED = "未列入"
BULLETIN_PUBLISHED = (
    "已发布 {period} 通报第 {version} 版，期间已锁定；已通知 {units} 个单位的信息员。"
)
BULLETIN_PUBLISHED_JSON = "已发布通报的 JSON"
BULLETINS_NONE = "还没有发布过通报。"
BULLETINS_LINE = "{period} 第 {version} 版 — {at} {by}"
BULLETINS_ANCHOR = "  链头锚点：{anchor}"
BULLETIN_PUBLISH = "发布"
BULLETIN_HOLD = "暂不发布"
BULLETIN_HELD = "暂不发布。需要时发送 /bulletin {period} 重新生成草稿，或运行 govinfo-bot bulletin publish --period {period}"
BULLETIN_DRAFT_CAPTION = "{period} 通报草稿（{format}）"
BULLETIN_DRAFT_READY = (
    "【{period} 通报草稿】请审阅上面的文件；确认无误后点“发布”"
    "（发布后期间锁定，各单位信息员收到本单位的名次）。"
)
BULLETIN_DRAFT_NOT_OVER = (
    "【{period} 通报草稿】{period} 到 {end} 才结束，数字还会变化；期间结束后才能发布。"
)
BULLETIN_NO_OFFICE = (
    "（未设置 GOVINFO_OFFICE_NAME，只生成了 Excel 表格；设置发文单位后可生成公文格式的 Word 通报）"
)
ERRORS.update(
    {
        "bulletin_published": (
            "{period} 通报第 {version} 版已于 {at} 由 {who} 发布，期间已锁定。"
            "如需重新发布，请先解锁（govinfo-bot period reopen {period} --reason …）"
        ),
        "bulletin_not_published": "{period} 的通报没有发布过{version}",
        "bulletin_no_docx": "{period} 通报第 {version} 版发布时未设置发文单位，没有 Word 文件",
        "bulletin_version_format": (
            "已发布的版本有 docx、xlsx 和 json：请用 --format docx、xlsx 或 json"
        ),
    }
)

# --- govinfo-bot verify on PostgreSQL, govinfo-bot db copy -------------------------------------

VERIFY_OK_POSTGRES = (
    "核验通过：{lines} 条积分流水的哈希链完整，{sums} 行累计与流水一致，"
    "记录状态和期间锁定与其记录一致，保护流水的触发器齐全"
)
ERRORS.update(
    {
        "verify_guards": (
            "保护积分流水和累计表的触发器缺失或已停用：{triggers}。"
            "请数据库管理员重新启用这些触发器，再核验一次"
        ),
        "copy_source_missing": "源数据库 {db} 不存在或尚未初始化：没有可复制的内容",
        "copy_source_unhandled": (
            "源数据库 {db} 还有 {updates} 条收到但尚未处理的 Telegram 消息：请先在原数据库上启动"
            "一次机器人让它处理完，停止后再复制。未写入任何内容"
        ),
        "copy_target_not_empty": (
            "目标数据库 {db} 不是空的（{table}已有 {rows} 行）：只能复制到新建的或空的数据库。"
            "未写入任何内容"
        ),
        "copy_key_differs": (
            "目标数据库的积分流水密钥 {file} 与源数据库的不同：复制过去的流水无法用它核验。"
            "请移走该文件（复制会把源数据库的密钥放在那里），或指向源数据库的密钥。未写入任何内容"
        ),
    }
)
DB_HELP = "数据库维护：在 SQLite 与 PostgreSQL 之间迁移"
DB_COPY_HELP = "把整个考评数据库复制到另一个新建的或空的数据库（复制前须停止机器人）"
DB_COPY_DESCRIPTION = (
    "把一个考评数据库（SQLite 文件或 postgresql:// 地址）整体复制到另一个新建的或空的数据库，"
    "如从 SQLite 迁到 PostgreSQL，或迁回来：设置和规则集、单位、记录、积分流水（哈希链原样）、"
    "结算、锁定的期间、通报及其文件、信息员、约稿、定时任务记录和待发消息，"
    "全部在目标数据库的一次事务中写入，要么全部写入，要么什么都不写；"
    "各项累计由目标数据库按积分流水重新算出；源数据库的积分流水密钥随之放到目标数据库的密钥位置。"
    "复制完成后列出各表行数，并核验目标数据库。\n\n"
    "复制前请先停止机器人：复制期间写入源数据库的内容不会被复制；"
    "机器人运行时自己的数据（收到的更新、待确认的报告摘要、运行租约）也不复制。"
)
DB_COPY_FROM = "源数据库：SQLite 文件路径或 postgresql:// 地址"
DB_COPY_TO = "目标数据库：新建的或空的 SQLite 文件，或已建好的空 PostgreSQL 数据库"
COPY_DONE = "已将 {source} 复制到 {target}（一次事务写入）："
COPY_TABLE_LINE = "  {table}：{rows} 行"
COPY_TABLES = {
    "settings": "设置和规则集",
    "score_columns": "通报计分列",
    "methods": "此后采用的考核办法",
    "units": "单位",
    "unit_aliases": "单位别名",
    "unit_changes": "单位变更（更名、合并、撤销、调组）",
    "batches": "操作批次",
    "records": "记录",
    "record_events": "记录的审核经过",
    "ledger": "积分流水",
    "ledger_keying": "积分流水的密钥记录",
    "quota_months": "已结算的月份",
    "quota_settlements": "月度任务结算",
    "liaisons": "信息员",
    "invites": "邀请码",
    "liaison_links": "信息员个人链接",
    "invite_failures": "邀请码输错记录",
    "liaison_events": "信息员状态变化",
    "period_locks": "锁定的期间",
    "period_events": "锁定和解锁记录",
    "commissions": "约稿",
    "commission_targets": "约稿对象",
    "commission_answers": "约稿回复",
    "commission_selections": "约稿选用",
    "files": "通报文件",
    "bulletins": "已发布的通报",
    "job_runs": "定时任务记录",
    "outbox": "待发和已发消息",
    "claimed_updates": "已处理的更新",
    "web_users": "网页工作台账户",
    "web_user_events": "网页账户变更记录",
}
COPY_FAILED = "未能把 {source} 复制到 {target}：{detail}"
VERIFY_HELP = (
    "核验数据库：文件完整性、保护积分流水的触发器、积分流水的密钥哈希链、"
    "各项累计与流水、记录状态与审核记录、期间锁定与锁定记录是否一致"
)
VERIFY_ANCHOR_HELP = "锚点（行号:哈希，见通报附注或管理员消息）：证明该行及之前的流水未被改动"
