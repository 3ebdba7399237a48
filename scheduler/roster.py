"""The monthly roster: who works which shift on which day and when they lunch.

`solve` returns a `Roster` always: the best roster found in the time limit with its objective, a
proven lower bound (from the day-level aggregate relaxation, scheduler.roster_model) and the gap;
when the hard rules cannot all hold, status RELAXED and `conflicts` saying which, when and who.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from core import tables, times
from core.rules import Rules, hhmm
from scheduler.callbacks import CallbackTotals, callback_work
from scheduler.conflicts import Conflict, RefusedRequest
from scheduler.roster_diff import RosterDiff
from scheduler.roster_assign import assignment_rows
from scheduler.roster_model import relax_impossible_rest_weeks
from scheduler.roster_build import build_problem
from scheduler.roster_kpis import RosterKpis
from scheduler.quiet_days import QuietDay, quiet_days
from scheduler.roster_problem import RosterProblem
from scheduler.roster_lns import rows_improved, search_share
from scheduler.roster_search import Found, gap, search
from scheduler.roster_solver import elapsed, seeded, stopped, stopping
from scheduler.rules import ROSTER_RULES, explanations
from scheduler.rules.late_shift_fairness import RULE as LATE_FAIRNESS
from scheduler.rules.leader_per_shift import leaders_missing
from scheduler.rules.monthly_hours import cap_notes
from scheduler.rules.requests import requests_made
from scheduler.rules.weekend_rest_fairness import RULE as WEEKEND_FAIRNESS, weekend_days
from scheduler.staffing import COLUMNS as STAFFING_COLUMNS, performance

__all__ = ["Roster", "RosterKpis", "Conflict", "solve", "load_requirement", "load_assignments", "REQUIREMENT_COLUMNS"]

REQUIREMENT_COLUMNS = ("interval_start", "scheduled")
# The staffing CSV's other columns are accepted (it is what `shiftcast staffing` writes); these are read.
REQUIREMENT_READ = ("calls", "aht_s", "load_erlangs", "agents", "required")
# What the requirement step adds for callbacks (shiftcast.steps.requirement_with_callbacks): accepted, not read.
REQUIREMENT_CALLBACKS = ("callbacks", "callbacks_worked", "callback_agents")
REQUIREMENT_OPTIONAL = tuple(dict.fromkeys(REQUIREMENT_READ + tuple(c for c in STAFFING_COLUMNS if c != "scheduled")
                                           + REQUIREMENT_CALLBACKS))


@dataclass
class Roster:
    assignments: pd.DataFrame
    coverage: pd.DataFrame
    employees: pd.DataFrame
    kpis: RosterKpis
    status: str
    objective: float
    lower_bound: float
    gap: float
    seconds: float
    unmet: pd.DataFrame
    conflicts: list[Conflict] = field(default_factory=list)
    # requested rest days and shifts not granted, each with its reason: soft goals, so not conflicts
    refused_requests: list[Conflict] = field(default_factory=list)
    # rest and shift requests made (on days not on leave), by the leave table's kind
    requests_made: dict[str, int] = field(default_factory=dict)
    # days whose demand is far below the month's norm: people on the phones against the peak's need
    quiet_days: list[QuietDay] = field(default_factory=list)
    # a mid-month re-plan's changes against the roster it re-plans (scheduler.roster_replan), else None
    diff: RosterDiff | None = None
    # what the roster could not know, in words: the first day's hours a night shift of the month before works
    notes: list[str] = field(default_factory=list)


def load_requirement(path, source: str | None = None) -> pd.DataFrame:
    """The staffing CSV: interval_start and `scheduled` agents per interval (other staffing columns kept)."""
    frame = tables.read_table(path, REQUIREMENT_COLUMNS, REQUIREMENT_OPTIONAL, source=source)
    starts = tables.datetimes(frame, "interval_start")
    tables.no_duplicates(frame, starts, "interval_start", "interval")
    out = pd.DataFrame(index=pd.DatetimeIndex(starts, name="interval_start"))
    out["scheduled"] = tables.numbers(frame, "scheduled", minimum=0).to_numpy()
    for col in REQUIREMENT_READ:
        if col in frame:
            out[col] = tables.numbers(frame, col, minimum=0, allow_empty=True).to_numpy()
    out = out.sort_index()
    out.attrs["source"] = frame.attrs.get("source", "requirement")
    return out


ASSIGNMENT_COLUMNS = ("employee_id", "date", "shift", "lunch_start")


def load_assignments(path, rules: Rules, source: str | None = None) -> pd.DataFrame:
    """A roster.csv written before (employee_id, date, shift, lunch_start): a roster of the same month to
    re-plan (`previous`) or the previous month's (`previous_month`)."""
    frame = tables.read_table(path, ASSIGNMENT_COLUMNS[:3], ASSIGNMENT_COLUMNS[3:], source=source)
    tables.require_filled(frame, "employee_id", "an employee id")
    days = tables.dates(frame, "date")
    tables.choices(frame, "shift", list(rules.shift_codes) + ["OFF", "LEAVE"])
    lunch = frame["lunch_start"] if "lunch_start" in frame else pd.Series([""] * len(frame), index=frame.index)
    out = pd.DataFrame({"employee_id": frame["employee_id"], "date": days, "shift": frame["shift"],
                        "lunch_start": lunch.where(lunch != "", None)}).reset_index(drop=True)
    out.attrs["source"] = frame.attrs.get("source", "roster")
    return out


# --- solving ---------------------------------------------------------------------------------------

def solve(requirement, staff: pd.DataFrame, rules: Rules, leave=None, ads=None, previous=None, previous_month=None,
          kept=None, shift_cover=None, time_limit_s: float = 10.0,
          progress: Callable[[float, float, float], None] | None = None,
          stop: threading.Event | None = None, seed: int | None = None) -> Roster:
    """The best roster within `time_limit_s`, with a proven lower bound; never a bare INFEASIBLE.

    `previous` is a roster of the same month re-planned with few changes; `previous_month` the roster of
    the month before, whose last days count for the consecutive-day and weekly rest rules and whose late
    shifts and weekend rests for the fairness rules (without it the month's first days assume no history);
    `kept` the days of this month before the requirement's, kept as they are (scheduler.roster_replan), which
    count the same way. `shift_cover` is the dated shift cover (scheduler.data.load_shift_cover): the people
    wanted on a shift on given dates, beside the rules' [shift_cover] tables.

    `progress(objective, bound, seconds)` is called as solutions improve: first the day-level
    aggregate's (whose bound is the roster's lower bound), then each better roster's.
    `stop`, once set (from another thread), ends the searches within ~0.1 s and skips what is left:
    the roster made from the best solution so far comes back with status CANCELLED; set while the first
    models are built (seconds to minutes for a large staff, outside CP-SAT), it raises roster_solver.Stopped. Without one, the event of an
    enclosing `roster_solver.stopping` block does the same.
    With a `seed`, every CP-SAT search runs on one worker with that seed and the time limit counts
    CP-SAT's deterministic time instead of the wall clock (scheduler.roster_solver.seeded): the same
    inputs give the same roster on any machine under any load. The wall-clock time then runs over the
    limit by what the limit does not count: building the models and the greedy steps (measured on the
    sample month: 2 to 4 times the limit).
    """
    started = time.monotonic()
    with stopping(stop), seeded(seed):
        p = build_problem(requirement, staff, rules, leave, ads, previous, previous_month, kept, shift_cover)
        found = _search_within_rules(p, time_limit_s, progress, started)
        best = _roster(p, requirement, found, time.monotonic() - started)
        if stopped():
            best.status = "CANCELLED"
    return best


def _search_within_rules(p: RosterProblem, time_limit_s: float, progress, started: float) -> Found:
    """The search, with the weekly rest bounds of people whose own rules cannot all hold widened for it
    and put back after, so the roster's explanations quote the rule's own counts."""
    relaxed = relax_impossible_rest_weeks(p)
    deadline = elapsed() + time_limit_s
    try:
        found = search(p, time_limit_s * search_share(p), progress, started)
        return Found(rows_improved(found.best, found.bound, deadline, progress, started), found.bound)
    finally:
        for e, bounds in relaxed.items():
            p.rest_bounds[e] = bounds


def expected_service(requirement, staffed: pd.Series, rules: Rules) -> pd.DataFrame | None:
    """Service level and abandonment per interval the rostered staffing gives, when calls are known.

    Uses scheduler.staffing.performance (on-phone agents = rostered × (1 − shrinkage)); None when the
    requirement has no calls.
    """
    if not isinstance(requirement, pd.DataFrame) or "calls" not in requirement:
        return None
    calls = requirement["calls"].reindex(staffed.index).fillna(0.0)
    aht = requirement["aht_s"].reindex(staffed.index).fillna(rules.service.aht_s) if "aht_s" in requirement \
        else pd.Series(rules.service.aht_s, index=staffed.index)
    return performance(calls, aht, on_phone_agents(staffed.astype(float), rules), rules.service, rules.interval_minutes)


def on_phone_agents(people, rules: Rules):
    """The agents on the phones of `people` at work (less shrinkage, whole ones), as the expected service counts
    them."""
    return np.floor(people * (1 - rules.service.shrinkage) + 1e-9)


def _roster(p: RosterProblem, requirement, found: Found, seconds: float) -> Roster:
    rules = p.rules
    r, measured = found.best.days, found.best.measured
    objective = measured.objective
    staffed, short, over = measured.staffed, measured.short, measured.over
    said = explanations(r)
    # a soft rule's shortfall (shift cover) is a conflict too, but only a hard rule's makes the roster RELAXED
    hard = {rule.name for rule in ROSTER_RULES if rule.hard}
    conflicts = [c for c in said if not isinstance(c, RefusedRequest)]
    refused = [c for c in said if isinstance(c, RefusedRequest)]
    index = p.interval_starts()
    coverage = pd.DataFrame({
        "required": p.required.ravel(), "staffed": staffed.ravel(), "short": short.ravel(),
        "over": over.ravel(), "airing": p.airing.ravel(),
    }, index=index)
    perf = expected_service(requirement, coverage["staffed"], rules)
    level = perf["service_level"].reindex(index) if perf is not None else pd.Series(np.nan, index=index)
    short_rows = coverage[coverage["short"] > 0]
    unmet = pd.DataFrame({
        "interval_start": short_rows.index, "required": short_rows["required"].to_numpy(),
        "staffed": short_rows["staffed"].to_numpy(), "missing": short_rows["short"].to_numpy(),
        "airing": short_rows["airing"].to_numpy(), "expected_service_level": level.reindex(short_rows.index).to_numpy(),
    })
    assignments = pd.DataFrame(assignment_rows(p, r.shift, r.lunch))
    assignments["date"] = pd.to_datetime(assignments["date"]).astype(f"datetime64[{times.UNIT}]")
    employees = _employee_totals(p, r.shift)
    service_level = abandoned = callbacks = None
    if perf is not None:
        calls = perf["calls"].to_numpy(float)
        service_level = float((perf["service_level"].to_numpy(float) * calls).sum() / max(calls.sum(), 1e-9))
        if "abandon_rate" in perf and perf["abandon_rate"].notna().any():
            abandoned = float((perf["abandon_rate"].fillna(0).to_numpy(float) * calls).sum())
            callbacks = _callbacks(perf, p.airing.ravel(), rules)
    kpis = RosterKpis(
        shortfall_agent_intervals=int(short.sum()),
        airing_shortfall_agent_intervals=int(short[p.airing].sum()),
        overstaff_agent_intervals=int(over.sum()),
        short_intervals=int((short > 0).sum()),
        required_agent_intervals=int(p.required.sum()),
        staffed_agent_intervals=int(staffed.sum()),
        leaders_missing=leaders_missing(r),
        paid_hours=float(employees["paid_hours"].sum()),
        overtime_hours=float(employees["overtime_hours"].sum()),
        late_shift_spread=LATE_FAIRNESS.spread(r),
        weekend_rest_spread=WEEKEND_FAIRNESS.spread(r),
        conflicts=len(conflicts),
        expected_service_level=service_level,
        expected_abandoned_calls=abandoned,
        callbacks_expected=None if callbacks is None else callbacks.created,
        callbacks_done_in_time=None if callbacks is None else callbacks.done_in_time,
        callbacks_missed=None if callbacks is None else callbacks.missed,
        objective_parts=dict(measured.parts),
    )
    bound = min(found.bound, objective)  # a bound above the objective would only be rounding
    the_gap = gap(objective, bound)
    if any(c.rule in hard for c in conflicts):
        status = "RELAXED"
    elif the_gap <= 1e-9:
        status = "OPTIMAL"
    else:
        status = "FEASIBLE"
    rostered = ((r.shift >= 0) & p.on_phone[:, None]).sum(axis=0)
    return Roster(assignments, coverage, employees, kpis, status, objective, float(bound), float(the_gap),
                  float(seconds), unmet, conflicts, refused, requests_made(p),
                  quiet_days(p.days, rostered, p.required.max(axis=1)), notes=month_edge_notes(p) + cap_notes(p))


def month_edge_notes(p: RosterProblem) -> list[str]:
    """The first day's hours the month before's night shifts work, when no roster of those days was given
    (`--previous-month`, or the days kept) and agents are needed then: counted as not covered."""
    T = p.n_intervals
    spill = p.cover[:, T:].any(axis=0)
    needed = int(p.required[0, spill].sum())
    if p.previous_month.known.any() or not needed:
        return []
    step = p.rules.interval_minutes
    hours = np.flatnonzero(spill)
    first, last = p.rules.open_minute + int(hours[0]) * step, p.rules.open_minute + (int(hours[-1]) + 1) * step
    night = ", ".join(s.code + " " + s.hours_text for s in p.rules.shifts if s.overnight)
    return [f"{p.days[0].date()} {hhmm(first)}–{hhmm(last)}: worked by the night shift of the day before ({night}), "
            f"which this roster does not hold; without the previous month's roster (--previous-month) those hours' "
            f"{needed} agent-intervals needed count as not covered"]


def _callbacks(perf: pd.DataFrame, airing: np.ndarray, rules: Rules) -> CallbackTotals | None:
    """The month's callbacks: the calls the roster's staffing loses (Erlang A), worked in the room its people
    on the phones leave, outside airings, before the deadline; None when callbacks are off."""
    if not rules.callbacks.enabled:
        return None
    lost = perf["abandon_rate"].fillna(0.0) * perf["calls"]
    return callback_work(lost, perf["agents"], perf["load_erlangs"], airing, rules,
                         interval_minutes=rules.interval_minutes).totals()


def _employee_totals(p: RosterProblem, shift: np.ndarray) -> pd.DataFrame:
    rules = p.rules
    working = shift >= 0
    paid = np.where(working, p.paid_hours[np.maximum(shift, 0)], 0.0).sum(axis=1)
    days_in_month = p.days[0].days_in_month
    legal = rules.legal_monthly_hours * p.n_days / days_in_month
    s = p.staff
    return pd.DataFrame({
        "employee_id": p.ids,
        "name": s["name"].to_numpy(),
        "role": s["role"].to_numpy(),
        "group": s["group"].to_numpy(),
        "team": s["team"].to_numpy(),
        "shifts_worked": working.sum(axis=1),
        "late_shifts": np.isin(shift, np.flatnonzero(p.late)).sum(axis=1),
        "rest_days": (shift == -1).sum(axis=1),
        "weekend_rests": (shift[:, weekend_days(p)] == -1).sum(axis=1),
        "leave_days": (shift == -2).sum(axis=1),
        "paid_hours": paid,
        "overtime_hours": np.round(np.maximum(paid - legal, 0.0), 2),
    })
