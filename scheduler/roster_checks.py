"""An independent check of every hard roster rule, from the roster table alone.

Written apart from the solver (it shares none of scheduler.roster_problem's arrays, only which roles
are off the phones) so that tests and the benchmark can verify what the solver claims. Each violation is one sentence naming rule, day, person.
"""
from __future__ import annotations

import math

import pandas as pd

from scheduler.roster_problem import OFF_PHONE_ROLES
from core.rules import Rules, minutes_of

OFF, LEAVE = "OFF", "LEAVE"


def _airing_spans(ads: pd.DataFrame | None, rules: Rules) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    if ads is None or len(ads) == 0:
        return []
    window = pd.Timedelta(minutes=rules.ad_response_window_minutes)
    spans = []
    for start, duration in zip(pd.to_datetime(ads["start"]), ads["duration_s"]):
        spans.append((start, start + max(window, pd.Timedelta(seconds=int(duration)))))
    return spans


def roster_violations(assignments: pd.DataFrame, staff: pd.DataFrame, rules: Rules, leave: pd.DataFrame | None = None,
                      ads: pd.DataFrame | None = None, previous: pd.DataFrame | None = None) -> list[str]:
    """Every broken hard rule of a roster (employee_id, date, shift, lunch_start); empty when it holds."""
    out: list[str] = []
    a = assignments.copy()
    a["date"] = pd.to_datetime(a["date"]).dt.normalize()
    days = pd.date_range(a["date"].min(), a["date"].max(), freq="D")
    ids = list(staff["employee_id"])
    codes = {s.code: s for s in rules.shifts}

    # one row per person and day, every person every day
    dup = a.duplicated(["employee_id", "date"])
    for emp, day in a.loc[dup, ["employee_id", "date"]].itertuples(index=False):
        out.append(f"one shift a day: {emp} has more than one row on {day.date()}")
    grid = a.drop_duplicates(["employee_id", "date"]).set_index(["employee_id", "date"])["shift"]
    table = grid.unstack("date").reindex(index=ids, columns=days)
    for emp, row in table.iterrows():
        for day, code in row.items():
            if pd.isna(code):
                out.append(f"one row a day: {emp} has no row on {day.date()}")
            elif code not in codes and code not in (OFF, LEAVE):
                out.append(f"shift codes: {emp} on {day.date()} has unknown shift {code!r}")

    allowed = dict(zip(staff["employee_id"], staff["shifts"]))
    for emp, day, code in a[["employee_id", "date", "shift"]].itertuples(index=False):
        if code in codes and code not in tuple(allowed.get(emp, ())):
            out.append(f"allowed shifts: {emp} works {code} on {day.date()} but may only work {'/'.join(allowed.get(emp, ()))}")

    on_leave = set()
    if leave is not None and len(leave):
        lv = leave[leave["kind"] == "leave"]
        on_leave = {(e, pd.Timestamp(d).normalize()) for e, d in zip(lv["employee_id"], lv["date"])}
    for emp in ids:
        for day in days:
            code = table.at[emp, day]
            if (emp, day) in on_leave and code != LEAVE:
                out.append(f"approved leave: {emp} is on leave on {day.date()} but rostered {code}")
            if (emp, day) not in on_leave and code == LEAVE:
                out.append(f"approved leave: {emp} is LEAVE on {day.date()} without approved leave")

    # previous roster days before the horizon (rest-day and streak consistency at the edge)
    before: dict[str, dict[pd.Timestamp, str]] = {e: {} for e in ids}
    if previous is not None and len(previous):
        pv = previous.copy()
        pv["date"] = pd.to_datetime(pv["date"]).dt.normalize()
        for emp, day, code in pv[pv["date"] < days[0]][["employee_id", "date", "shift"]].itertuples(index=False):
            if emp in before:
                before[emp][day] = code

    r = rules.rest_days_per_week
    weeks: dict[pd.Timestamp, list[pd.Timestamp]] = {}
    for day in days:
        weeks.setdefault(day - pd.Timedelta(days=(day.weekday() - rules.week_starts_on) % 7), []).append(day)
    for emp in ids:
        for first, wdays in weeks.items():
            full = [first + pd.Timedelta(days=i) for i in range(7)]
            inside = [table.at[emp, d] for d in wdays]
            early = [d for d in full if d < days[0]]
            late_missing = [d for d in full if d > days[-1]]
            free = sum(code != LEAVE for code in inside)
            rests = sum(code == OFF for code in inside)
            if not early and not late_missing:
                lo = hi = r
            elif early and not late_missing and all(d in before[emp] for d in early):
                taken = sum(before[emp][d] == OFF for d in early)
                lo = hi = max(r - taken, 0)
            else:
                k = len(wdays)
                lo, hi = math.floor(r * k / 7), math.ceil(r * k / 7)
            if rules.monthly_paid_hours_cap_enabled:
                hi = free
            lo, hi = min(lo, free), min(max(hi, lo), free)
            if not lo <= rests <= hi:
                want = f"exactly {lo}" if lo == hi else f"{lo} to {hi}"
                out.append(f"rest days per week: {emp} has {rests} rest days in the week from {first.date()}, needs {want}")

    m = rules.max_consecutive_work_days
    for emp in ids:
        # the previous roster's unbroken run of work days just before the horizon
        streak, day = 0, days[0] - pd.Timedelta(days=1)
        while before[emp].get(day) in codes:
            streak += 1
            day -= pd.Timedelta(days=1)
        for day in days:
            code = table.at[emp, day]
            if code in codes:
                streak += 1
                if streak == m + 1:
                    out.append(f"max consecutive work days: {emp} works more than {m} days in a row up to {day.date()}")
            else:
                streak = 0

    leaders = set(staff.loc[staff["role"].isin(rules.leader_roles), "employee_id"])
    need = rules.leaders_per_shift
    for day in days:
        col = table[day]
        for code in codes:
            present = sum(1 for e in leaders if col.get(e) == code)
            if present < need:
                out.append(f"leader on every shift: {present} leaders on shift {code} on {day.date()}, needs {need}")

    if rules.monthly_paid_hours_cap_enabled:
        for emp in ids:
            paid = sum(codes[c].paid_hours for c in table.loc[emp] if c in codes)
            if paid > rules.monthly_paid_hours_cap + 1e-9:
                out.append(f"paid-hour cap: {emp} has {paid:g} paid hours, cap {rules.monthly_paid_hours_cap:g}")

    # staggered lunches: at most the share of a shift's people on the phones at lunch at the same time
    # (the supervisor's lunch leaves no phone empty)
    phones = set(staff.loc[~staff["role"].isin(OFF_PHONE_ROLES), "employee_id"])
    lunching = a[a["shift"].isin(list(codes)) & a["employee_id"].isin(phones) & a["lunch_start"].notna()]
    share = rules.lunch_stagger_share
    for (day, code), rows in lunching.groupby(["date", "shift"]):
        s = codes[code]
        if s.unpaid_break_minutes <= 0:
            continue
        n = int((table[day] == code).reindex(list(phones)).fillna(False).sum())
        cap = math.ceil(share * n - 1e-9)
        starts = [minutes_of(x) for x in rows["lunch_start"] if isinstance(x, str) and x]
        for t in range(rules.open_minute, rules.close_minute, rules.interval_minutes):
            away = sum(1 for m in starts if m <= t < m + s.unpaid_break_minutes)
            if away > cap:
                out.append(f"staggered lunches: {away} of the {n} people on the phones of shift {code} are at lunch "
                           f"at {t // 60:02d}:{t % 60:02d} on {day.date()}, at most {cap} may be")
    spans = _airing_spans(ads, rules)
    for emp, day, code, lunch in a[["employee_id", "date", "shift", "lunch_start"]].itertuples(index=False):
        if code not in codes or codes[code].unpaid_break_minutes <= 0:
            continue
        s = codes[code]
        if lunch is None or (isinstance(lunch, float) and math.isnan(lunch)) or lunch == "":
            out.append(f"lunch: {emp} has no lunch on {day.date()} ({code})")
            continue
        start = minutes_of(lunch)
        if start < minutes_of(s.lunch_earliest) or start + s.unpaid_break_minutes > minutes_of(s.lunch_latest_end):
            out.append(f"lunch window: {emp} lunches at {lunch} on {day.date()}, outside {s.lunch_earliest}–{s.lunch_latest_end}")
        if (start - rules.open_minute) % rules.interval_minutes:
            out.append(f"lunch: {emp} lunches at {lunch} on {day.date()}, off the {rules.interval_minutes}-minute grid")
        t0 = day + pd.Timedelta(minutes=start)
        t1 = t0 + pd.Timedelta(minutes=s.unpaid_break_minutes)
        for a0, a1 in spans:
            if a0 < t1 and t0 < a1:
                out.append(f"no lunch during an airing: {emp} lunches at {lunch} on {day.date()} during the airing at {a0:%H:%M}")
                break
    return out
