"""Every label the exports (and the roster page) show, in Chinese and English, in one place.

Shift names are not here: they come from the rules (`ShiftTemplate.name_zh` / `name_en`), so a user who
renames a shift in rules.toml sees the new name everywhere.
"""
from __future__ import annotations


from core.rules import ROLE_NAMES, Rules

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
# Reserved assignment codes for a day without a shift (the rules forbid them as shift codes).
REST = "OFF"
LEAVE = "LEAVE"

_LABELS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    # days off
    "rest": ("休", "Rest"),
    "rest_long": ("休息", "Rest day"),
    "leave": ("假", "Leave"),
    "leave_long": ("请假", "Leave"),
    # roles: their names live with the roles, where the staff loader reads them too
    **ROLE_NAMES,
    # sheet names (Excel: at most 31 characters, no []:*?/\)
    "sheet_roster": ("排班表", "Roster"),
    "sheet_coverage": ("覆盖", "Coverage"),
    "sheet_hours": ("工时", "Hours"),
    "sheet_kpis": ("指标", "KPIs"),
    "sheet_conflicts": ("冲突与申请", "Conflicts"),
    "sheet_short": ("缺员时段", "Short intervals"),
    "sheet_changes": ("变更", "Changes"),
    "sheet_detail": ("明细", "Assignments"),
    # titles and notes
    "title_roster": ("{month} 排班表", "Roster {month}"),
    "title_coverage": ("{month} 人力覆盖（每时段）", "Coverage per interval, {month}"),
    "title_hours": ("{month} 个人工时", "Hours per employee, {month}"),
    "title_kpis": ("{month} 排班指标", "Roster KPIs, {month}"),
    "title_short": ("{month} 缺员时段", "Short intervals, {month}"),
    "title_changes": ("{month} 自 {day} 起重排的变更", "Changes re-planned from {day}, {month}"),
    "before": ("原排班", "Before"),
    "after": ("新排班", "After"),
    "title_conflicts": ("{month} 无法同时满足的规则与未满足的申请", "Rules that conflict and requests not granted, {month}"),
    "see_conflicts": ("无法同时满足的规则与未满足的申请见「{sheet}」表", "The rules that conflict and the requests not granted are on sheet '{sheet}'"),
    "none": ("无", "None"),
    "legend": ("图例", "Legend"),
    "leader_mark": ("★ = 组长/队长", "★ = group or team leader"),
    "weekend": ("周末", "Weekend"),
    "holiday": ("节假日", "Holiday"),
    "makeup_workday": ("调休上班", "Make-up workday"),
    "legal_standard": ("法定标准工时（月）", "Legal standard hours (month)"),
    "overtime_note": (
        "加班 = 计薪工时 − 法定标准工时 {hours:g} 小时",
        "Overtime = paid hours − legal standard of {hours:g} h",
    ),
    "no_short": ("没有缺员时段", "No short intervals"),
    "page_footer": ("第 &P 页，共 &N 页", "Page &P of &N"),
    "chart_coverage": ("人力覆盖与需求", "Coverage vs requirement"),
    "chart_forecast": ("话务量预测", "Call forecast"),
    "chart_ad_response": ("广告带来的来电", "Calls brought by an airing"),
    "prediction_interval": ("预测区间", "Prediction interval"),
    "forecast": ("预测", "Forecast"),
    "minutes_since_airing": ("播出后分钟数", "Minutes since airing"),
    "extra_calls": ("广告带来的额外来电", "Extra calls from the airing"),
    "calls_per_interval": ("每时段来电", "Calls per interval"),
    "agents": ("人数", "Agents"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "total": ("合计", "Total"),
    "lunch": ("午餐", "Lunch"),
    "sheet_lunches": ("午餐", "Lunches"),
    "title_lunches": ("{month} 午餐时间", "Lunch times {month}"),
    "lunch_note": (
        "每格为当天午餐开始时间，午餐 {minutes} 分钟；红字 = 在广告播出时段午餐",
        "Each cell is the day's lunch start; lunches last {minutes} minutes; red = lunch during an airing",
    ),
    "conflicts": ("无法同时满足的规则", "Rules that conflict"),
    "forecast_notes": ("预测说明", "Forecast notes"),
    "conflicts_note": ("每条规则每天一行", "One row per rule and day"),
    "count": ("数量", "Count"),
    "what": ("情况", "What"),
    "who_when": ("人员 / 午餐时间", "People / lunch times"),
    # the rules whose breaks a roster explains (scheduler.rules), and a day of their conflicts
    "rule_lunch_airings": ("广告播出时不安排午餐", "No lunch during an airing"),
    "rule_leader_per_shift": ("每班须有组长/队长", "A leader on every shift"),
    "rule_weekly_rest": ("每周休息天数", "Rest days per week"),
    "conflict_lunch_airings": ("人在广告播出时段午餐", "people lunch during airings"),
    "why_lunch_airings": (
        "广告播出时不安排午餐：午餐窗口内不播广告的时段不够全班按错峰比例轮流午餐时，其余的人在广告时段午餐（午餐表中红字）",
        "No lunch during an airing: where the airing-free lunch hours cannot hold every lunch under the stagger "
        "share, the others lunch during airings (red in the lunch sheet)",
    ),
    "conflict_leader_per_shift": ("个班次缺少组长/队长", "shift(s) short of leaders"),
    "rule_shift_cover": ("班次人数", "Shift cover"),
    "conflict_shift_cover": ("个班次人数不足", "shift(s) short of the people wanted"),
    "conflict_weekly_rest": (
        "人本周无法按规定休息（连续上班天数上限所致）",
        "people cannot have the week's rest days within the consecutive-day limit",
    ),
    "conflict_other": ("项", "conflict(s)"),
    "requests_refused": ("未满足的申请", "Requests not granted"),
    "quiet_days": ("需求远低于常态的日子", "Days far below the month's demand"),
    "rostered": ("在线排班人数", "Rostered"),
    "needed_at_peak": ("高峰所需人数", "Needed at the peak"),
    "quiet_days_exact_rest": ("每人每周恰好休息 {rest} 天，这些日子无法多休；在规则中设置 monthly_paid_hours_min，"
                              "即可在保证每人月计薪工时的前提下把休息日集中到需求低的日子",
                              "Everyone has exactly {rest} rest day(s) a week, so more cannot rest on these days; set "
                              "monthly_paid_hours_min in the rules to let rest days cluster where demand is low while "
                              "each person keeps that many paid hours"),
    "rest_request": ("休息申请", "Rest request"),
    "shift_request": ("班次申请", "Shift request"),
    "work_request": ("上班申请（不休）", "Work request (rest refused)"),
    "shift_refusal": ("拒绝班次", "Shift refused"),
    "rest_requests_made": ("休息申请数", "Rest requests"),
    "rest_requests_granted": ("已满足的休息申请", "Rest requests granted"),
    "shift_requests_made": ("班次申请数", "Shift requests"),
    "shift_requests_granted": ("已满足的班次申请", "Shift requests granted"),
    "work_requests_made": ("上班申请数", "Work requests"),
    "work_requests_granted": ("已满足的上班申请", "Work requests granted"),
    "shift_refusals_made": ("拒绝班次数", "Shift refusals"),
    "shift_refusals_granted": ("已满足的拒绝班次", "Shift refusals granted"),
    "calendar_name": ("{name} 的排班", "{name}'s shifts"),
    # column headers
    "employee_id": ("工号", "ID"),
    "name": ("姓名", "Name"),
    "role": ("岗位", "Role"),
    "group": ("组", "Group"),
    "team": ("队", "Team"),
    "date": ("日期", "Date"),
    "weekday": ("星期", "Weekday"),
    "shift": ("班次", "Shift"),
    "start": ("开始", "Start"),
    "end": ("结束", "End"),
    "lunch_start": ("午餐开始", "Lunch start"),
    "interval_start": ("时段开始", "Interval start"),
    "required": ("需求人数", "Required"),
    "staffed": ("在岗人数", "Staffed"),
    "short": ("缺员", "Short"),
    "over": ("超员", "Over"),
    "missing": ("缺少人数", "Missing"),
    "airing": ("广告播出", "Airing"),
    "expected_service_level": ("预计服务水平", "Expected service level"),
    "shifts_worked": ("出勤班次", "Shifts"),
    "late_shifts": ("晚班数", "Late shifts"),
    "rest_days": ("休息天数", "Rest days"),
    "weekend_rests": ("周末休息", "Weekend rests"),
    "leave_days": ("请假天数", "Leave days"),
    "paid_hours": ("计薪工时", "Paid hours"),
    "overtime_hours": ("加班工时", "Overtime hours"),
    "kpi": ("指标", "KPI"),
    "value": ("数值", "Value"),
    "rule": ("规则", "Rule"),
    "employees": ("员工", "Employees"),
    "request_kind": ("申请", "Request"),
    "asked": ("申请内容", "Asked for"),
    "reason": ("原因", "Reason"),
    "on_duty": ("出勤人数", "On duty"),
    "leaders_on_duty": ("在岗组长/队长", "Leaders on duty"),
    # attendance (scheduler.attendance): sheets, columns, a day's status and anomalies
    "sheet_attendance": ("考勤汇总", "Attendance"),
    "sheet_attendance_days": ("考勤明细", "Attendance by day"),
    "title_attendance": ("{month} 考勤汇总（工资用）", "Attendance for payroll, {month}"),
    "title_attendance_days": ("{month} 每人每日考勤", "Attendance per person and day, {month}"),
    "attendance_note": (
        "迟到：上班打卡晚于班次开始 {late} 分钟以上；早退：下班打卡早于班次结束 {early} 分钟以上；"
        "加班：下班打卡晚于班次结束 {overtime} 分钟及以上（从班次结束起算）；已批准的请假不算缺勤",
        "Late: clock-in more than {late} min after the shift's start; early: clock-out more than {early} min "
        "before its end; overtime: clock-out {overtime} min or more past the end (counted from the end); "
        "approved leave is not an absence",
    ),
    "outside_month_note": ("{n} 条打卡记录不在 {month}，未计入", "{n} clock records outside {month} ignored"),
    "days_rostered": ("排班天数", "Days rostered"),
    "days_worked": ("出勤天数", "Days worked"),
    "days_absent": ("缺勤天数", "Days absent"),
    "late_count": ("迟到次数", "Late arrivals"),
    "late_minutes": ("迟到分钟", "Minutes late"),
    "early_count": ("早退次数", "Early departures"),
    "early_minutes": ("早退分钟", "Minutes early"),
    "rest_days_worked": ("休息日出勤", "Rest days worked"),
    "rest_day_hours": ("休息日工时", "Rest-day hours"),
    "overtime_minutes": ("加班分钟", "Overtime minutes"),
    "worked_minutes": ("在岗分钟", "Minutes at work"),
    "anomalies": ("异常", "Anomalies"),
    "clock_in": ("上班打卡", "Clock-in"),
    "clock_out": ("下班打卡", "Clock-out"),
    "attendance_status": ("考勤", "Attendance"),
    "on_time": ("正常", "On time"),
    "late": ("迟到", "Late"),
    "early": ("早退", "Early"),
    "late_and_early": ("迟到且早退", "Late and early"),
    "incomplete": ("打卡不全", "Punch missing"),
    "absent": ("缺勤", "Absent"),
    "rest_day_worked": ("休息日出勤", "Rest day worked"),
    "missing_clock_out": ("缺下班打卡", "no clock-out"),
    "missing_clock_in": ("缺上班打卡", "no clock-in"),
    "out_before_in": ("下班打卡早于上班打卡", "clock-out before the clock-in"),
    "clocked_on_leave": ("请假日有打卡", "punches on a day of leave"),
    "not_rostered": ("排班表中无此日", "a day the roster does not hold"),
    # solve facts and KPIs (keys of Roster.kpis; an unknown key reads as itself)
    "status": ("求解状态", "Solver status"),
    "status_words": ("状态说明", "What the status means"),
    "status_OPTIMAL": ("最优排班：已证明没有更好的排班", "the best roster possible: proven, none is better"),
    "status_FEASIBLE": (
        "较好的排班，但未证明最优：求解到时限停止，与可能的最优相差至多 {gap}",
        "a good roster, not proven best: the solver stopped at its time limit at most {gap} from the best possible",
    ),
    "status_RELAXED": (
        "规则无法同时满足（{n} 项冲突，见下方）：这是让步最少的排班",
        "the rules cannot all hold ({n} conflicts, listed below): this roster gives way where it costs least",
    ),
    "status_CANCELLED": ("求解已取消：这是取消前找到的最好排班", "the solve was cancelled: the best roster found before it stopped"),
    "status_proven": ("已证明最优", "proven the best possible"),
    "status_gap": ("求解到时限停止，与可能的最优相差至多 {gap}", "the solver stopped at its time limit at most {gap} from the best possible"),
    "objective": ("目标值", "Objective"),
    "lower_bound": ("下界", "Lower bound"),
    "gap": ("相对差距", "Gap"),
    "seconds": ("求解秒数", "Solve seconds"),
    "expected_abandoned_calls": ("预计呼损来电", "Expected abandoned calls"),
    "callbacks_expected": ("预计回拨数", "Callbacks expected"),
    "callbacks_created": ("需回拨数", "Callbacks to make"),
    "callbacks_done_in_time": ("按时完成的回拨", "Callbacks done in time"),
    "callbacks_missed": ("未按时完成的回拨", "Callbacks missed (late)"),
    "short_intervals": ("缺员时段数", "Short intervals"),
    "late_shift_spread": ("晚班数差距", "Late-shift spread"),
    "weekend_rest_spread": ("周末休息差距", "Weekend-rest spread"),
    "shortfall_agent_intervals": ("缺员人·时段", "Agent-intervals short"),
    "airing_shortfall_agent_intervals": ("广告时段缺员人·时段", "Agent-intervals short during airings"),
    "overstaff_agent_intervals": ("超员人·时段", "Agent-intervals over"),
    "required_agent_intervals": ("需求人·时段", "Agent-intervals required"),
    "staffed_agent_intervals": ("在岗人·时段", "Agent-intervals staffed"),
    "leaders_missing": ("缺少组长/队长的班次", "Shifts without a leader"),
    # the objective's parts (Roster.kpis "objective_*"): what each weighted goal costs
    "objective_shortfall": ("目标值：缺员", "Objective: shortfall"),
    "objective_deep_shortfall": ("目标值：严重缺员", "Objective: deep shortfall"),
    "objective_lunch_in_airing": ("目标值：广告时段午餐", "Objective: lunches in airings"),
    "objective_overstaffing": ("目标值：超员", "Objective: overstaffing"),
    "objective_leaders_missing": ("目标值：缺少组长", "Objective: leaders missing"),
    "objective_shift_cover": ("目标值：班次人数偏差", "Objective: shift cover"),
    "objective_rest_days_placement": ("目标值：休息日安排", "Objective: rest-day placement"),
    "objective_rest_requests": ("目标值：未满足的休息申请", "Objective: rest requests missed"),
    "objective_shift_requests": ("目标值：未满足的班次申请", "Objective: shift requests missed"),
    "objective_work_requests": ("目标值：未满足的上班申请", "Objective: work requests missed"),
    "objective_shift_refusals": ("目标值：未满足的拒绝班次", "Objective: shift refusals missed"),
    "objective_changes": ("目标值：与上版相比的变动", "Objective: changes from the previous roster"),
    "objective_weekend_rest_fairness": ("目标值：周末休息公平", "Objective: weekend-rest fairness"),
    "objective_late_shift_fairness": ("目标值：晚班公平", "Objective: late-shift fairness"),
    # the day's report (shiftcast report): sheets, titles and columns
    "sheet_report": ("报表摘要", "Report"),
    "sheet_report_intervals": ("每时段", "Intervals"),
    "sheet_report_days": ("每日", "Days"),
    "sheet_report_airings": ("广告来电", "Airings"),
    "sheet_report_accuracy": ("预测准确度", "Forecast accuracy"),
    "sheet_report_lost": ("呼损原因", "Lost calls by cause"),
    "title_report": ("{period} 报表", "Report, {period}"),
    "title_report_intervals": ("{period} 每时段来电与服务", "Calls and service per interval, {period}"),
    "title_report_days": ("{period} 每日来电与服务", "Calls and service per day, {period}"),
    "title_report_airings": ("{period} 每次广告来电：实际与预测", "Calls per airing, actual against predicted, {period}"),
    "title_report_channels": ("按频道", "By channel"),
    "title_report_accuracy": ("{period} 预测准确度（按时段）", "Forecast accuracy by time of day, {period}"),
    "title_report_lost": ("{period} 呼损原因（每时段）", "Lost calls by cause per interval, {period}"),
    "title_report_lost_hours": ("呼损高峰（按小时）", "Lost calls by hour, most first"),
    "report_lost_note": (
        "按 Erlang A 以实际在线人数分解：缺勤/迟到 → 排班低于需求 → 来电超出预测上限 → 剩余（广告时段为广告来电高峰，其他为目标内呼损）；"
        "各原因按比例分配实际呼损，合计等于呼损",
        "Erlang A against the staffing as lived, one cause put right at a time: absence and lateness, then the roster "
        "below the requirement, then calls above the forecast's upper bound; what remains is an airing's burst inside "
        "an airing's response window, else the loss the targets accept. The actual lost calls are shared in those "
        "proportions, so the causes add up to them",
    ),
    "calls": ("来电", "Calls"),
    "lower": ("预测下限", "Forecast low"),
    "upper": ("预测上限", "Forecast high"),
    "answered": ("接通", "Answered"),
    "abandoned": ("呼损", "Lost"),
    "aht_s": ("平均处理秒数", "AHT (s)"),
    "needed": ("需求在线人数", "Needed on the phones"),
    "on_phones": ("实际在线人数", "On the phones"),
    "service_level": ("服务水平", "Service level"),
    "asa_s": ("平均应答秒数", "ASA (s)"),
    "planned_service_level": ("计划服务水平", "Planned service level"),
    "planned_asa_s": ("计划平均应答秒数", "Planned ASA (s)"),
    "planned_abandoned": ("计划呼损", "Planned lost"),
    "wape": ("WAPE", "WAPE"),
    "bias": ("预测偏差", "Forecast bias"),
    "predicted": ("预测来电", "Predicted calls"),
    "actual": ("实际来电", "Actual calls"),
    "ratio": ("实际/预测", "Actual / predicted"),
    "channel": ("频道", "Channel"),
    "product": ("产品", "Product"),
    "airings": ("广告次数", "Airings"),
    "time_of_day": ("时段", "Time of day"),
    "hour": ("小时", "Hour"),
    "lost": ("呼损", "Lost calls"),
    "absence": ("缺勤/迟到", "Absent or late"),
    "roster_short": ("排班低于需求", "Roster short"),
    "above_forecast": ("超出预测上限", "Above the forecast"),
    "airing_burst": ("广告来电高峰", "Airing burst"),
    "within_target": ("目标内呼损", "Within target"),
    "not_explained": ("无法解释", "Not explained"),
    "modelled": ("模型呼损", "Modelled lost"),
    # the morning meeting's sheet (shiftcast report --morning)
    "sheet_morning": ("晨会", "Morning meeting"),
    "title_morning": ("{day} 晨会", "Morning meeting, {day}"),
    "morning_yesterday": ("昨日数据", "Yesterday"),
    "morning_airings": ("今日广告", "Today's airings"),
    "morning_peaks": ("今日预计高峰", "Today's expected peaks"),
    "morning_shifts": ("今日班次（按小组）", "On shift today, by group"),
}

_WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def check_lang(lang: str) -> str:
    """The language, or a ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def label(key: str, lang: str = DEFAULT_LANG, **fields) -> str:
    """The label of `key` in `lang`; an unknown key reads as itself with spaces ('foo_bar' -> 'foo bar')."""
    pair = _LABELS.get(key)
    text = pair[LANGS.index(check_lang(lang))] if pair else key.replace("_", " ")
    return text.format(**fields) if fields else text


def has_label(key: str) -> bool:
    return key in _LABELS


def label_table() -> dict[str, dict[str, str]]:
    """Every label in both languages, {key: {lang: text}}: what the roster page's script looks words up in."""
    return {key: dict(zip(LANGS, pair)) for key, pair in _LABELS.items()}


def weekday(day_of_week: int, lang: str = DEFAULT_LANG) -> str:
    """0 = Monday -> '一' / 'Mon'."""
    return _WEEKDAYS[check_lang(lang)][day_of_week]


def shift_name(code: str, rules: Rules, lang: str = DEFAULT_LANG) -> str:
    """Full name of an assignment: '早班' / 'Early' for a shift, '休息' / 'Rest day', '请假' / 'Leave'."""
    if code == REST:
        return label("rest_long", lang)
    if code == LEAVE:
        return label("leave_long", lang)
    s = rules.shift(code)
    return s.name_zh if check_lang(lang) == "zh" else s.name_en


def shift_mark(code: str, rules: Rules, lang: str = DEFAULT_LANG) -> str:
    """Short grid text of an assignment: 早 / 晚 / 休 / 假 in Chinese; Early / Late / Rest / Leave in English."""
    if code in (REST, LEAVE):
        return label("rest" if code == REST else "leave", lang)
    name = shift_name(code, rules, lang)
    # '早班' -> '早': the shift word 班 is implied in a roster grid; other names are kept whole.
    return name[:-1] if lang == "zh" and len(name) > 1 and name.endswith("班") else name


def shift_marks(rules: Rules, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Grid text of every assignment code the rules allow, rest and leave included."""
    return {code: shift_mark(code, rules, lang) for code in (*rules.shift_codes, REST, LEAVE)}


def role_name(role: str, lang: str = DEFAULT_LANG) -> str:
    return label(role, lang)


def status_words(status: str, gap: float, conflicts: int, lang: str = DEFAULT_LANG) -> str:
    """A roster's solver status in words: what it promises, and how far from the best it may be."""
    percent = f"{gap:.2%}"
    if status == "FEASIBLE":
        return label("status_FEASIBLE", lang, gap=percent)
    if status == "RELAXED":
        how_far = label("status_proven", lang) if gap <= 1e-9 else label("status_gap", lang, gap=percent)
        return label("status_RELAXED", lang, n=conflicts) + ("；" if lang == "zh" else "; ") + how_far
    return label(f"status_{status}", lang) if has_label(f"status_{status}") else status
