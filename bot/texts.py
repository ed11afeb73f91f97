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
    "month_out_of_order": "{month} 早于已结算的 {last}，不能补结算：月度任务须按月依次结算",
    "month_gap": "不能结算 {month}：请先结算 {missing}（月度任务须按月依次结算）",
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
    # Chat.
    "update_replayed": "该操作已处理过",
    "invite_invalid": "邀请码无效，请向信息室确认邀请链接",
    "invite_used": "该邀请码已被使用过，请向信息室索取新的邀请链接",
    "invite_expired": "该邀请码已过期，请向信息室索取新的邀请链接",
    "invite_throttled": "错误的邀请码次数过多，请 {minutes} 分钟后再试",
    "liaison_unknown": "没有找到信息员 {user}",
    "not_liaison": "你还没有绑定单位：请使用信息室发给你的邀请链接",
    "not_admin": "只有信息室管理员可以使用此功能",
    "private_only": "请在与机器人的私聊中使用此命令",
    "item_not_reportable": "{item} 不能由信息员申报",
    "title_missing": "请填写信息标题",
    "claim_duplicate": "重复申报：同一单位、项目、标题和日期的记录已存在（#{record}，{date}，{status}）",
    "button_forged": "无效的按钮",
    "button_stale": "该按钮已失效，请重新申报",
    "record_unknown": "没有找到记录 #{record}",
    "claim_decided": "记录 #{record} 已处理（{status}），不能再次审核",
    "reason_missing": "请注明原因",
    "penalty_unknown": "未知的扣分项 {item}",
    "no_adjustment": "规则集 {ruleset} 没有调整项",
    "record_not_confirmed": "记录 #{record} 尚未确认（{status}），不能追加批示",
    "entry_unknown": "没有找到流水 #{entry}",
    "entry_is_reversal": "流水 #{entry} 本身是冲正记录，不能再冲正",
    "entry_reversed": "流水 #{entry} 已冲正过",
    "date_unreadable": "无法识别的日期 {date}：可以写 今天、昨天、2024-05-06 或 5月6日",
    "usage": "用法：{usage}",
    "item_ambiguous": "项目 {text} 不明确，可能是：{options}",
    "name_duplicate": "单位 {name} 在文件中重复出现（第 {first} 行）",
    "alias_taken": "别名 {alias} 已被单位 {unit} 使用",
    # govinfo-bot verify, and the daily check.
    "verify_integrity": "数据库文件损坏（SQLite 完整性检查）：{detail}",
    "verify_chain": "积分流水 #{line} 与哈希链不符：该行或它之前的一行在机器人之外被改动、删除或插入过",
    "verify_sum": "累计表 {table} 中 {key} 的 {column} 为 {kept}，按积分流水应为 {ledger}",
    "verify_sum_missing": "累计表 {table} 缺少 {key} 一行，积分流水中有该行的记录",
    "verify_sum_extra": "累计表 {table} 中 {key} 一行在积分流水中没有任何记录",
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
SETTINGS_INVALID = "设置有误：{fields}（见 .env.example）"
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

# --- the bot ---------------------------------------------------------------------------------

TOKEN_REJECTED = "Telegram 拒绝了 GOVINFO_BOT_TOKEN 中的令牌：请在 @BotFather 核对或重新生成令牌"
VERIFY_OK = "核验通过：{lines} 条积分流水的哈希链完整，{sums} 行累计与流水一致，数据库文件完好"
LEASE_STANDBY = (
    "数据库 {db} 已由另一个机器人进程（{holder}）运行：本进程待命，不收发消息、不执行定时任务；"
    "该进程停止后最迟 {seconds} 秒内接管"
)
LEASE_TAKEN = "本进程已接管数据库 {db}，开始运行"
LEASE_LOST = "另一个进程（{holder}）已接管数据库 {db}：本进程停止运行"
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

HELP_LIAISON = """信息员可以：
/report — 逐步申报一条采用信息（选择刊物、栏目，填写标题、日期、批示和证明材料）
采用 <项目> <标题> [日期] — 一句话申报，例如：采用 《决策参考》 关于沙漠治理的调研 5月6日
/submit <标题> — 记录一条报送（计入每月报送任务；回复一条消息或文件时一并附上）
/submit 约稿<编号> <标题> — 回复约稿；/commissions — 本单位的约稿
/me — 本月报送进度、本季度得分和排名
/rank [期间] — 本组排名（默认本季度，例如 /rank 2024Q2）
/history — 最近的记录及其状态
/why [期间] — 得分明细，逐条说明
/cancel — 取消正在进行的操作"""
HELP_ADMIN = """管理员可以：
/invite <单位> — 生成一次性邀请链接
/liaisons — 信息员名单；/move <用户ID> <单位> — 调整单位；/remove <用户ID> — 移除
/pending — 待审核的采用申报
/penalty <单位> <扣分项> [日期] [备注] — 记扣分
/adjust <单位> <±分值> <原因> — 调整分值（须注明原因）
/endorse <记录号> <批示项>[×次数] — 为已确认的采用追加批示
/reverse <流水号> <原因> — 冲正一条流水（不删除原记录）
/units — 单位名单
/standings [期间] [分组] — 排名
/export [期间] — 导出 Excel（记录、积分流水、排名）
/commission <截止日期> <单位、单位|分组|全部> <题目> — 发布约稿
/commissions — 约稿及报送情况
/select <记录号> <选用项> — 标记约稿回复被选用（如：/select 12 市）"""

COMMANDS_LIAISON = {
    "report": "申报采用信息",
    "submit": "记录一条报送",
    "me": "我的进度和排名",
    "commissions": "本单位的约稿",
    "rank": "本组排名",
    "history": "最近的记录",
    "why": "得分明细",
    "help": "帮助",
    "cancel": "取消当前操作",
}
COMMANDS_ADMIN = {
    "pending": "待审核申报",
    "invite": "生成邀请链接",
    "liaisons": "信息员名单",
    "move": "调整信息员单位",
    "remove": "移除信息员",
    "penalty": "记扣分",
    "adjust": "调整分值",
    "endorse": "追加批示",
    "reverse": "冲正流水",
    "units": "单位名单",
    "standings": "排名",
    "export": "导出 Excel",
    "commission": "发布约稿",
    "commissions": "约稿情况",
    "select": "约稿被选用",
}

INVITE_CREATED = "{unit} 的邀请链接（一次有效，{expires} 前使用）：\n{link}"
LIAISON_LINE = "{user_id} {who} — {unit}（{group}）"
NO_LIAISONS = "还没有信息员"
LIAISON_MOVED = "已将 {who} 调整到 {unit}"
LIAISON_REMOVED = "已移除信息员 {who}"
UNIT_LINE = "{name}（{group}）{aliases}— 信息员 {liaisons} 人"

REPORT_CHOOSE = "请选择采用的刊物或栏目："
REPORT_BACK = "« 返回"
REPORT_TITLE = "已选择：{item}（{points} 分）\n请输入信息标题："
REPORT_DATE = "采用日期？可以写 今天、昨天、2024-05-06 或 5月6日"
TODAY = "今天"
TOMORROW = "明天"
YESTERDAY = "昨天"
REPORT_ENDORSE = "是否获得领导批示？点按添加（可多次），完成后点「完成」："
ENDORSE_DONE = "完成"
ENDORSE_COUNT = "{label} ×{times}"
REPORT_EVIDENCE = "请发送证明材料（图片、文件或链接），没有请点「跳过」："
SKIP = "跳过"
REPORT_CANCELLED = "已取消。"
REPORT_TIMEOUT = "操作超时，已取消。需要时请重新开始。"
SUMMARY = """请确认申报：
单位：{unit}
项目：{item}
标题：{title}
日期：{date}
{extra}计分：{explanation}
合计 {points} 分"""
SUMMARY_ENDORSE = "批示：{labels}\n"
SUMMARY_EVIDENCE = "证明材料：{evidence}\n"
EVIDENCE_FILE = "已附文件"
CONFIRM = "✅ 确认提交"
CANCEL = "取消"
CLAIM_PENDING = "已提交，等待信息室审核（记录 #{record}）。审核结果会通知你。"
CLAIM_CONFIRMED = "已记录（#{record}），得 {points} 分。"
ONE_LINE_PREFIX = "采用"
ONE_LINE_USAGE = "采用 <项目> <标题> [日期]，例如：采用 《决策参考》 关于沙漠治理的调研 5月6日"

SUBMITTED = "已记录报送（#{record}）：{title}\n{unit} 本月已报送 {count} 条{quota}"
SUBMITTED_QUOTA = "，任务 {quota} 条"
OFFICE_COPY = "📨 {unit} 报送（#{record}）：{title}"

CLAIM_FOR_OFFICE = """新的采用申报 #{record}
单位：{unit}（{who}）
项目：{item}
标题：{title}
日期：{date}
计分：{explanation}"""
APPROVE = "✅ 确认"
REJECT = "❌ 驳回"
APPROVED_NOTE = "\n\n✅ 已确认（{admin}）"
REJECTED_NOTE = "\n\n❌ 已驳回（{admin}）：{reason}"
ASK_REJECT_REASON = "请回复驳回记录 #{record} 的原因（/cancel 取消）："
APPROVED_FOR_LIAISON = "✅ 你的采用申报 #{record}「{title}」已确认，得 {points} 分。"
REJECTED_FOR_LIAISON = "❌ 你的采用申报 #{record}「{title}」被驳回：{reason}"
DONE = "已完成。"
PENDING_NONE = "没有待审核的申报。"
PENDING_LINE = "#{record} {unit} {date} {item}「{title}」{who}"

ENTERED = "已记入 {unit}（#{record}）：{explanation}"
ENTERED_FOR_LIAISON = "信息室为 {unit} 记入：{explanation}"
ENDORSEMENT_LINE = "{label} {points}（记录 #{record}）"
REVERSAL_LINE = "冲正 #{entry}（{explanation}）：{reason}"
REVERSED = "已冲正：{explanation}"

ME = """{unit} 的情况
本月（{month}）已报送 {submissions} 条{quota_line}
本季度（{quarter}）得分 {total}{raw}，组内第 {rank} 名（共 {size} 个单位）{gap}"""
ME_QUOTA = "，任务 {quota} 条，{state}，本月还剩 {days} 天"
ME_QUOTA_MET = "已完成"
ME_QUOTA_SHORT = "还差 {missing} 条"
ME_RAW = "（原始分 {raw}）"
ME_GAP = "\n比上一名 {unit} 少 {gap} 分"
ME_FIRST = "\n目前排名第一"
ME_UNRANKED = (
    "{unit} 的情况\n本月（{month}）已报送 {submissions} 条{quota_line}\n本季度（{quarter}）暂无得分"
)
RANK_MARK = "▶"
RANK_MORE = "……（共 {count} 个单位）"
HISTORY_NONE = "还没有记录。"
HISTORY_LINE = "#{id} {date} {item}「{title}」{status}{detail}"
WHY_NONE = "{period} 没有计分记录。"
WHY_HEAD = "{unit} {period} 得分明细："
WHY_LINE = "#{id} {date} {points:+d} {explanation}"
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
    "规则集 {ruleset}（{name}），示例单位 {units} 个，临时数据库 {db}"
)
SANDBOX_HELP = """终端命令：
:as 管理员、:as 1 或 :as <单位> — 切换身份
:who — 列出可用的身份
:press N — 点按最近一条带按钮的消息的第 N 个按钮
:file <路径> — 以当前身份发送文件
:help — 显示本说明
:quit — 退出（也可按 Ctrl-D）
其他内容都以当前身份发给机器人，例如 /help、/report、/me"""
SANDBOX_USAGE_AS = ":as 管理员、:as 1 或 :as <单位>"
SANDBOX_USAGE_FILE = ":file <路径>"
SANDBOX_ADMIN = "管理员"
SANDBOX_ADMIN_NAME = "信息室"
SANDBOX_LIAISON_NAMES = ("王芳", "李强", "赵敏")
SANDBOX_WHO = "可用的身份："
SANDBOX_WHO_ADMIN = "{key} — {name}（用户 {user_id}）"
SANDBOX_WHO_LIAISON = "{key}. {unit}（{group}）的信息员 — {name}（用户 {user_id}）"
SANDBOX_WHO_CURRENT = "  ◀ 当前"
SANDBOX_NOW_ADMIN = "现在你是 管理员 {name}"
SANDBOX_NOW_LIAISON = "现在你是 {unit} 的信息员 {name}"
SANDBOX_PROMPT = "{label}> "
SANDBOX_BOT = "🤖 "
SANDBOX_EDITED = "✏️ "
SANDBOX_DOCUMENT = "📎 {filename}（{size} 字节）"
SANDBOX_BUTTON = "[{number}] {label}"
SANDBOX_PRESSED = "👆 {label}"
SANDBOX_ALERT = "💬 {text}"
SANDBOX_OTHERS = "（{who} 收到 {count} 条新消息，:as {key} 查看）"
SANDBOX_NO_IDENTITY = "没有身份 {key}：输入 :who 查看可用的身份"
SANDBOX_NO_BUTTONS = "最近的消息里没有按钮"
SANDBOX_BUTTON_RANGE = "没有第 {number} 个按钮（共 {count} 个）"
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
SETTLEMENT_SUMMARY = (
    "【月度结算】{month}已结算 {count} 个单位：完成任务 {met} 个，扣分 {penalised} 个。"
)
SETTLEMENT_LINE = "{unit}（{group}）报送 {count}/{quota}，{points} 分（{label}）{letter}"
LETTER_SENT = "，已发提醒函"
LETTER_NOBODY = "，该单位没有信息员，提醒函未能送达"
SETTLEMENT_NOTHING = "【月度结算】{month}没有需要结算的单位（已全部结算过）。"
JOB_FAILED = "【自动任务未完成】{job}（{period}）：{reason}"
JOB_ERROR = "多次出错（{error}），已放弃，详见日志"
JOB_NAMES = {
    "quota_reminder": "报送提醒",
    "final_warning": "扣分预警",
    "settlement": "月度结算",
    "quarterly_standings": "季度排名",
    "annual_standings": "年度排名",
    "commission_reminder": "约稿提醒",
    "commission_close": "约稿结算",
    "ledger_check": "数据核验",
}
SETTLE_BY_HAND = "请处理后运行 govinfo-bot quota settle {month}。"
STANDINGS_BULLETIN = "【{period}考评排名】"
LIAISON_BLOCKED = (
    "信息员 {who}（{unit}）已屏蔽机器人，已自动停用。如需恢复，请重新邀请：/invite {unit}"
)

COMMISSION_CREATED = (
    "已发布约稿 #{id}：{topic}\n截止日期：{deadline}（含当天）\n约稿单位 {count} 个：{units}"
)
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
COMMISSION_ANSWER_PATTERN = r"约稿\s*#?(\d+)(?:\s+|$)"
ERRORS["commission_needs_jobs"] = (
    "定时任务已关闭（GOVINFO_JOBS=false），约稿无法提醒和结算，不能发布"
)
JOBS_RECENT = "最近执行的定时任务："
JOBS_RECENT_LINE = "  {ran}  {job} {period}：{outcome} {detail}"
JOBS_NONE = "  （还没有）"
JOBS_UPCOMING = "接下来的定时任务："
JOBS_UPCOMING_LINE = "  {due} 周{weekday}  {job} {period}"
JOBS_DAILY_CHECK = "  每天 {time}  数据核验（下次 {due} 周{weekday}；失败时通知管理员）"
JOB_OUTCOMES = {"done": "完成", "skipped": "跳过", "failed": "未完成"}
WEEKDAYS = "一二三四五六日"
