"""A hand-built roster in the shape `scheduler.roster.solve` returns, for tests and benchmarks.

Nothing here is planned: people rotate through a fixed pattern. It exists so the exports (and the pages
and API that serve them) can be built and measured without solving a roster first.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shiftcast.exports.labels import LEAVE, REST
from core.periods import month_days, open_intervals
from core.rules import DEFAULT_RULES, Rules, hhmm
from scheduler.roster_kpis import RosterKpis


@dataclass
class SpecimenRoster:
    assignments: pd.DataFrame
    coverage: pd.DataFrame
    employees: pd.DataFrame
    kpis: RosterKpis
    unmet: pd.DataFrame
    conflicts: list = field(default_factory=list)
    quiet_days: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    status: str = "FEASIBLE"
    objective: float = 0.0
    lower_bound: float = 0.0
    gap: float = 0.0
    seconds: float = 0.0


def coverage_kpis(coverage: pd.DataFrame, **measured) -> RosterKpis:
    """A stand-in roster's KPIs: shortfall and staffing counted on `coverage`, the others as `measured`
    gives them (else none missing, no hours, no spread, service unknown)."""
    short, airing = coverage["short"], coverage["airing"].astype(bool)
    counted = dict(
        shortfall_agent_intervals=int(short.sum()), airing_shortfall_agent_intervals=int(short[airing].sum()),
        overstaff_agent_intervals=int(coverage["over"].sum()), short_intervals=int((short > 0).sum()),
        required_agent_intervals=int(coverage["required"].sum()),
        staffed_agent_intervals=int(coverage["staffed"].sum()),
    )
    others = dict(leaders_missing=0, paid_hours=0.0, overtime_hours=0.0, late_shift_spread=0, weekend_rest_spread=0,
                  conflicts=0)
    return RosterKpis(**counted | others | measured)


def specimen_staff(n: int, group_size: int = 10, groups_per_team: int = 3) -> pd.DataFrame:
    """`n` people in groups of `group_size` (first of each a group leader), teams of `groups_per_team` groups."""
    rows = []
    for i in range(n):
        g = i // group_size
        t = g // groups_per_team
        first_in_group, first_in_team = i % group_size == 0, i % (group_size * groups_per_team) == 0
        role = "team_leader" if first_in_team else "group_leader" if first_in_group else "agent"
        rows.append({"employee_id": f"A{i + 1:03d}", "name": f"员工{i + 1:03d}", "role": role,
                     "group": f"G{g + 1}", "team": f"T{t + 1}"})
    return pd.DataFrame(rows)


def specimen_roster(staff: pd.DataFrame, month: str = "2026-12", rules: Rules = DEFAULT_RULES,
                    seed: int = 0) -> SpecimenRoster:
    """A rotating roster of `staff` for `month`: one rest day a week, some leave, lunches staggered."""
    rng = np.random.default_rng(seed)
    days = month_days(month)
    codes = rules.shift_codes
    rows = []
    for i, emp in enumerate(staff["employee_id"]):
        rest_wd = i % 7
        leave_day = days[(i * 5) % len(days)] if i % 9 == 4 else None
        for d in days:
            if d == leave_day:
                code = LEAVE
            elif d.weekday() == rest_wd:
                code = REST
            else:
                code = codes[(i + d.isocalendar().week) % len(codes)]
            lunch = None
            if code in codes:
                s = rules.shift(code)
                lunch = hhmm(min(s.start_minute + 180 + 15 * (i % 8), s.end_minute - 120))
            rows.append((emp, d, code, lunch))
    a = pd.DataFrame(rows, columns=["employee_id", "date", "shift", "lunch_start"])

    idx = open_intervals(days, rules)
    minute = idx.hour * 60 + idx.minute
    staffed = np.zeros(len(idx), dtype=np.int64)
    day_pos = {d: k for k, d in enumerate(days)}
    per_day = rules.intervals_per_day
    for emp_shift in a.itertuples():
        if emp_shift.shift not in codes:
            continue
        s = rules.shift(emp_shift.shift)
        k = day_pos[emp_shift.date] * per_day
        m = minute[k:k + per_day]
        lunch0 = int(emp_shift.lunch_start[:2]) * 60 + int(emp_shift.lunch_start[3:])
        on = (m >= s.start_minute) & (m < s.end_minute) & ~((m >= lunch0) & (m < lunch0 + s.unpaid_break_minutes))
        staffed[k:k + per_day] += on
    # Requirement near what is staffed, with noise and a bump during airings: some short, some over.
    airing = rng.random(len(idx)) < 0.08
    required = np.round(staffed * rng.uniform(0.85, 1.08, len(idx)) * np.where(airing, 1.12, 1.0)).astype(np.int64)
    cov = pd.DataFrame({"required": required, "staffed": staffed}, index=idx)
    cov["short"] = (cov["required"] - cov["staffed"]).clip(lower=0)
    cov["over"] = (cov["staffed"] - cov["required"]).clip(lower=0)
    cov["airing"] = airing

    worked = a["shift"].isin(codes)
    paid = a["shift"].map({s.code: s.paid_hours for s in rules.shifts}).fillna(0.0)
    weekend = a["date"].dt.day_of_week >= 5
    late_code = codes[-1]
    per = pd.DataFrame({
        "employee_id": a["employee_id"], "w": worked, "late": a["shift"] == late_code,
        "rest": a["shift"] == REST, "wrest": (a["shift"] == REST) & weekend, "leave": a["shift"] == LEAVE,
        "paid": paid,
    }).groupby("employee_id", sort=False).sum()
    emp = staff.set_index("employee_id").loc[per.index, ["name", "role", "group", "team"]].reset_index()
    emp["shifts_worked"] = per["w"].to_numpy()
    emp["late_shifts"] = per["late"].to_numpy()
    emp["rest_days"] = per["rest"].to_numpy()
    emp["weekend_rests"] = per["wrest"].to_numpy()
    emp["leave_days"] = per["leave"].to_numpy()
    emp["paid_hours"] = per["paid"].to_numpy()
    emp["overtime_hours"] = (emp["paid_hours"] - rules.legal_monthly_hours).clip(lower=0).round(2)

    short = cov[cov["short"] > 0]
    unmet = pd.DataFrame({
        "interval_start": short.index, "required": short["required"].to_numpy(),
        "staffed": short["staffed"].to_numpy(), "missing": short["short"].to_numpy(),
        "airing": short["airing"].to_numpy(),
        "expected_service_level": (0.8 * short["staffed"] / short["required"].clip(lower=1)).to_numpy(),
    })
    kpis = coverage_kpis(cov, paid_hours=float(emp["paid_hours"].sum()),
                         overtime_hours=float(emp["overtime_hours"].sum()),
                         late_shift_spread=int(np.ptp(emp["late_shifts"])),
                         weekend_rest_spread=int(np.ptp(emp["weekend_rests"])),
                         expected_service_level=0.83, expected_abandoned_calls=412.0)
    return SpecimenRoster(assignments=a, coverage=cov, employees=emp, kpis=kpis, unmet=unmet,
                          status="FEASIBLE", objective=1234.0, lower_bound=1100.0, gap=0.109, seconds=12.5)
