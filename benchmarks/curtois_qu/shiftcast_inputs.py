"""A Curtois–Qu instance as Shiftcast's own input files, which `shiftcast roster` and the API read like any
center's: rules.toml, staff.csv, leave.csv, shift_cover.csv and a requirement of zero agents.

How the benchmark's notions map onto Shiftcast's rules:
- a shift: a [[shifts]] entry of its length from midnight, without lunch, its `not_followed_by` kept; the
  center open round the clock, on an hourly grid, with no weekly rest day and no leader;
- an employee's line: a contract of its own values ([contracts.NAME], shared by employees with the same
  line): `max_shifts` per type (a type at 0 is left out of the person's `shifts`), `min_minutes` /
  `max_minutes`, `max_consecutive_work_days`, `min_consecutive_work_days`, `min_days_off_in_a_row`,
  `max_weekends_worked`;
- a day off: approved leave; a shift-on request: a `shift_request`, a shift-off request: a `shift_refusal`,
  each with the instance's weight;
- the cover: the dated shift cover with the instance's weights for under and over.
Every soft goal of Shiftcast's that the benchmark does not have weighs 0. The horizon starts on Monday
HORIZON_START.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from benchmarks.curtois_qu.instance import Employee, Instance
from core.rules import ShiftCount

HORIZON_START = pd.Timestamp("2029-01-01")  # a Monday


class InputFiles(NamedTuple):
    rules: Path
    staff: Path
    leave: Path
    shift_cover: Path
    requirement: Path


def day_of(index: int) -> str:
    return (HORIZON_START + pd.Timedelta(days=index)).strftime("%Y-%m-%d")


def _allowed(emp: Employee, inst: Instance) -> list[str]:
    """The shifts the employee may work: those their line does not limit to 0."""
    return [s.id for s in inst.shifts if emp.max_shifts.get(s.id, inst.days) > 0]


def _contract_lines(name: str, emp: Employee, inst: Instance) -> list[str]:
    limits = [ShiftCount(s.id, emp.max_shifts[s.id]) for s in inst.shifts
              if 0 < emp.max_shifts.get(s.id, inst.days) < inst.days]
    lines = [f"[contracts.{name}]",
             f"min_minutes = {emp.min_minutes}",
             f"max_minutes = {emp.max_minutes}",
             f"max_consecutive_work_days = {emp.max_consecutive_shifts}",
             f"min_consecutive_work_days = {emp.min_consecutive_shifts}",
             f"min_days_off_in_a_row = {emp.min_consecutive_days_off}",
             f"max_weekends_worked = {emp.max_weekends}"]
    if limits:
        lines.append("max_shifts = { " + ", ".join(f'"{c.code}" = {c.count}' for c in limits) + " }")
    return lines


def contract_names(inst: Instance) -> dict[str, str]:
    """Employee id -> the name of the contract of their line (employees with the same line share one)."""
    names: dict[tuple, str] = {}
    out = {}
    for emp in inst.staff:
        key = (tuple(sorted(emp.max_shifts.items())), emp.max_minutes, emp.min_minutes,
               emp.max_consecutive_shifts, emp.min_consecutive_shifts, emp.min_consecutive_days_off, emp.max_weekends)
        out[emp.id] = names.setdefault(key, f"line{len(names) + 1}")
    return out


def rules_toml(inst: Instance) -> str:
    lines = ['interval_minutes = 60', 'open_time = "00:00"', 'close_time = "24:00"', "rest_days_per_week = 0",
             "max_consecutive_work_days = 13", "leaders_per_shift = 0", "lunch_stagger_share = 1.0", ""]
    for s in inst.shifts:
        hours, minutes = divmod(s.minutes, 60)
        follow = ", ".join(f'"{c}"' for c in s.not_followed_by)
        lines += ["[[shifts]]", f'code = "{s.id}"', f'name_zh = "{s.id}"', f'name_en = "{s.id}"', 'start = "00:00"',
                  f'end = "{hours:02d}:{minutes:02d}"', "unpaid_break_minutes = 0", f"not_followed_by = [{follow}]",
                  ""]
    lines += ["[weights]", "shortfall = 0", "shortfall_airing = 0", "overstaffing = 0", "late_shift_fairness = 0",
              "weekend_rest_fairness = 0", "rest_next_to_weekend = 0", ""]
    seen = set()
    names = contract_names(inst)
    for emp in inst.staff:
        if names[emp.id] not in seen:
            seen.add(names[emp.id])
            lines += _contract_lines(names[emp.id], emp, inst) + [""]
    return "\n".join(lines)


def write_inputs(inst: Instance, out: Path) -> InputFiles:
    """The instance as Shiftcast's input files in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    files = InputFiles(out / "rules.toml", out / "staff.csv", out / "leave.csv", out / "shift_cover.csv",
                       out / "requirement.csv")
    files.rules.write_text(rules_toml(inst), encoding="utf-8")
    names = contract_names(inst)
    pd.DataFrame({
        "employee_id": [e.id for e in inst.staff], "name": [e.id for e in inst.staff], "role": "agent",
        "group": "G1", "team": "T1",
        "shifts": [";".join(_allowed(e, inst)) for e in inst.staff],
        "contract": [names[e.id] for e in inst.staff],
    }).to_csv(files.staff, index=False)
    rows = [(e.id, day_of(d), "leave", "", "") for e in inst.staff for d in sorted(e.days_off)]
    rows += [(q.employee, day_of(q.day), "shift_request", q.shift, q.weight) for q in inst.on_requests]
    rows += [(q.employee, day_of(q.day), "shift_refusal", q.shift, q.weight) for q in inst.off_requests]
    pd.DataFrame(rows, columns=["employee_id", "date", "kind", "shift", "weight"]).to_csv(files.leave, index=False)
    pd.DataFrame([(day_of(c.day), c.shift, c.requirement, c.under_weight, c.over_weight) for c in inst.cover],
                 columns=["date", "shift", "wanted", "under_weight", "over_weight"]).to_csv(files.shift_cover,
                                                                                            index=False)
    hours = pd.date_range(HORIZON_START, periods=inst.days * 24, freq="h")
    pd.DataFrame({"interval_start": hours.strftime("%Y-%m-%d %H:%M"), "scheduled": 0}).to_csv(files.requirement,
                                                                                            index=False)
    return files
