"""The monthly roster: who works which shift on which day and when they lunch (DESIGN §4).

`solve` returns a `Roster` always: the best roster found in the time limit with its objective, a
proven lower bound (from the day-level aggregate relaxation, scheduler.roster_model) and the gap;
when the hard rules cannot all hold, status RELAXED and `conflicts` saying which, when and who.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from scheduler import roster_model as rm
from scheduler.conflicts import Conflict, leader_conflicts, lunch_conflicts, person_conflicts
from scheduler.roster_assign import (assignment_rows, lunches_of_people, repair_rest_counts, rest_days_of_people,
                                     shifts_of_people, spread_rest_counts)
from scheduler.staffing import COLUMNS as STAFFING_COLUMNS, performance
from scheduler.roster_problem import REST, WEEKEND, RosterProblem, build_problem
from core import tables
from core.rules import Rules

__all__ = ["Roster", "Conflict", "solve", "load_requirement", "load_assignments", "REQUIREMENT_COLUMNS"]

REQUIREMENT_COLUMNS = ("interval_start", "scheduled")
# The staffing CSV's other columns are accepted (it is what `shiftcast staffing` writes); these are read.
REQUIREMENT_READ = ("calls", "aht_s", "load_erlangs", "agents", "required")
REQUIREMENT_OPTIONAL = tuple(dict.fromkeys(REQUIREMENT_READ + tuple(c for c in STAFFING_COLUMNS if c != "scheduled")))


@dataclass
class Roster:
    assignments: pd.DataFrame
    coverage: pd.DataFrame
    employees: pd.DataFrame
    kpis: dict
    status: str
    objective: float
    lower_bound: float
    gap: float
    seconds: float
    unmet: pd.DataFrame
    conflicts: list = field(default_factory=list)


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
# Classes up to this size whose rest days missed the aggregate's counts are matched again by CP-SAT
# (measured at 300 agents: exact in hundredths of a second for a few people; a class of 187 regular
# agents gets no better in 2 s), with this share of the time limit in all.
MATCH_MAX_PEOPLE = 40
MATCH_SHARE = 0.1
SECOND_AGGREGATE_FROM_S = 30.0  # time limits from which the aggregate is solved again, people on leave exact


def load_assignments(path, rules: Rules, source: str | None = None) -> pd.DataFrame:
    """A roster.csv written before (employee_id, date, shift, lunch_start), e.g. as `previous`."""
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

def solve(requirement, staff: pd.DataFrame, rules: Rules, leave=None, ads=None, previous=None,
          time_limit_s: float = 10.0, progress: Callable[[float, float, float], None] | None = None,
          stop: threading.Event | None = None) -> Roster:
    """The best roster within `time_limit_s`, with a proven lower bound; never a bare INFEASIBLE.

    `progress(objective, bound, seconds)` is called as solutions improve: first the day-level
    aggregate's (whose bound is the roster's lower bound), then each better roster's.
    `stop`, once set (from another thread), ends the searches within ~0.1 s and skips what is left:
    the roster made from the best solution so far comes back with status CANCELLED. Without one, the
    event of an enclosing `roster_model.stopping` block does the same.
    """
    with rm.stopping(stop):
        best = _solve(requirement, staff, rules, leave, ads, previous, time_limit_s, progress)
        if rm.stopped():
            best.status = "CANCELLED"
    return best


def _solve(requirement, staff, rules, leave, ads, previous, time_limit_s, progress) -> Roster:
    started = time.monotonic()
    p = build_problem(requirement, staff, rules, leave, ads, previous)
    impossible = rm.relax_impossible_rest_weeks(p)
    deadline = started + time_limit_s

    def left() -> float:
        return deadline - time.monotonic()

    agg = rm.solve_aggregate(p, 0.8 * time_limit_s, progress=progress, started=started)
    bound = agg.bound if not math.isnan(agg.bound) else 0.0
    if not agg.found:
        best = _roster_without_aggregate(p, requirement, bound, started, deadline, time_limit_s)
    else:
        # Keep time for the second aggregate (about as long as the first) when there is plenty of it;
        # otherwise spend it on more tries of the first. (Measured on synthetic months: at a 10 s
        # limit more tries pay off more, at 60 s the second aggregate does.)
        reserve = 1.2 * agg.seconds + 0.1 * time_limit_s
        second = time_limit_s >= SECOND_AGGREGATE_FROM_S and left() > 1.5 * reserve
        best = _rosters_from_aggregate(p, requirement, agg, bound, started, deadline - (reserve if second else 1.5),
                                       deadline, time_limit_s, progress)
    if agg.found and second and best.gap > 1e-3 and left() > 0.9 * reserve and not rm.stopped():
        # Time left: the aggregate again with the people on leave one variable each (exact for them),
        # started from the roster found; its bound is at least as good.
        hint = {"rest": _rest_rows(best, p), "y": agg.values["y"], "lunch": agg.values["lunch"]}
        again = rm.solve_aggregate(p, left() - max(0.15 * time_limit_s, 1.5), progress=progress, started=started,
                                   irregular_exact=True, hint=hint)
        if again.found:
            bound = max(bound, again.bound)
            other = _rosters_from_aggregate(p, requirement, again, bound, started, deadline - 1.0, deadline,
                                            time_limit_s, progress)
            if other.objective < best.objective:
                best = other
        elif not math.isnan(again.bound):
            bound = max(bound, again.bound)
        best.lower_bound = min(max(best.lower_bound, bound), best.objective)
        best.gap = (best.objective - best.lower_bound) / best.objective if best.objective > 0 else 0.0
        if best.gap <= 1e-9 and best.status == "FEASIBLE":
            best.status = "OPTIMAL"
    if impossible:
        best = _explain_relaxed_weeks(p, best, impossible)
    best.seconds = time.monotonic() - started
    return best


def _explain_relaxed_weeks(p: RosterProblem, roster: Roster, original: dict) -> Roster:
    """Name the weeks where a person's rest days had to leave the rule's count."""
    rest = _rest_rows(roster, p)
    broken = {}
    for e, bounds in original.items():
        for w, week in enumerate(p.weeks):
            n = int(rest[e, list(week.days)].sum())
            if not bounds[w, 0] <= n <= bounds[w, 1]:
                broken["week", e, w] = 1
        p.rest_bounds[e] = bounds  # the messages quote the rule's own count
    roster.conflicts = roster.conflicts + person_conflicts(p, broken)
    roster.kpis["conflicts"] = len(roster.conflicts)
    if roster.conflicts:
        roster.status = "RELAXED"
    return roster


def _rest_rows(roster: Roster, p: RosterProblem) -> np.ndarray:
    """(E, D) rest days of a roster, in the problem's people and days order."""
    g = roster.assignments.pivot(index="employee_id", columns="date", values="shift").reindex(index=p.ids, columns=p.days)
    return (g == REST).to_numpy()


def _rosters_from_aggregate(p, requirement, agg, bound, started, until, deadline, time_limit_s, progress) -> Roster:
    """People's rest days, shifts and lunches from the aggregate's counts: the best of a few tries
    (tie-break orders) until the monotonic time `until`; the first is always made."""

    def left() -> float:
        return until - time.monotonic()

    decided, counts, preset = agg.values["decided"].copy(), agg.values["pool"], agg.values["rest_of"].copy()
    wanted = _class_rest_counts(p, preset, decided, counts)
    pooled_leaders = p.leader & ~decided
    if pooled_leaders.any():
        # a leader on every shift depends on who rests: choose the pooled leaders' days first
        chosen = rm.leader_rest_days(p, wanted, max(min(0.15 * time_limit_s, deadline - time.monotonic() - 1.0), 1.0),
                                     pooled_leaders)
        if chosen is not None:
            preset[pooled_leaders] = chosen[pooled_leaders]
            decided |= pooled_leaders
    lunch = agg.values["lunch"]
    costs = rm.rest_change_costs(p, agg.values["y"], lunch)
    best = None
    variant = stale = 0
    # Earliest-deadline-first in several tie-break orders while time lasts and it still pays off;
    # the first is always tried.
    while best is None or (best.gap > 1e-9 and left() > 1.0 and stale < 4 and not rm.stopped()):
        rest, broken = rest_days_of_people(p, counts, preset, decided, variant)
        if not broken:
            repair_rest_counts(p, rest, counts, decided)
            rest = _matched_small_classes(p, rest, wanted, decided, costs, min(MATCH_SHARE * time_limit_s, max(left(), 0.1)))
        if _resting(p, rest) == wanted:
            roster = _people_to_roster(p, requirement, rest, agg.values["y"], lunch, broken, bound, started)
        else:
            roster = _roster_for_rest_days(p, requirement, rest, broken, bound, started,
                                           max(deadline - time.monotonic() - 0.5, 1.0) if best is None else left(), agg)
        if roster is not None and (best is None or roster.objective < best.objective):
            best, stale = roster, 0
            if progress:
                progress(best.objective, best.lower_bound, time.monotonic() - started)
        else:
            stale += 1
        variant += 1
    return best


def _roster_without_aggregate(p, requirement, bound, started, deadline, time_limit_s) -> Roster:
    """No aggregate in time (a tiny time limit, a loaded machine): rest days spread evenly over each
    week, the leaders' chosen first so every shift keeps one, shifts and lunches fitted to them."""
    counts = spread_rest_counts(p)
    preset, decided = np.zeros((p.n_people, p.n_days), bool), np.zeros(p.n_people, bool)
    if p.leader.any():
        chosen = rm.leader_rest_days(p, counts, max(min(0.1 * time_limit_s, deadline - time.monotonic() - 1.0), 0.5), p.leader)
        if chosen is not None:
            preset, decided = chosen, p.leader.copy()
    rest, broken = rest_days_of_people(p, counts, preset, decided)
    return _roster_for_rest_days(p, requirement, rest, broken, bound, started, max(deadline - time.monotonic(), 1.0))


def _matched_small_classes(p: RosterProblem, rest: np.ndarray, wanted: dict, decided: np.ndarray,
                           costs: np.ndarray, time_limit_s: float) -> np.ndarray:
    """Rest days re-matched to the wanted counts by CP-SAT in the classes the earliest-deadline rule
    left off them, where the class is small and none of its rows is decided already."""
    got = _resting(p, rest)
    off = [c for c in range(len(p.classes))
           if any(got[c, d] != wanted[c, d] for d in range(p.n_days))
           and len(p.members(c)) <= MATCH_MAX_PEOPLE and not decided[p.members(c)].any()]
    return rm.matched_rest_days(p, rest, wanted, off, costs, time_limit_s) if off else rest


def _roster_for_rest_days(p, requirement, rest, broken, bound, started, time_limit_s, reference=None) -> Roster:
    """The pooled people could not take exactly the aggregate's rest days: re-place shifts and lunches,
    starting from counts fitted by hand to the `reference` aggregate's (which stand when no better
    counts come in time)."""
    achieved = _resting(p, rest)
    ref = reference.values if reference is not None else {}
    y, lunch = rm.counts_for_rest_days(p, achieved, ref.get("y"), ref.get("lunch"))
    fixed = rm.solve_aggregate(p, time_limit_s, fixed_rest=achieved,
                               hint={"rest": np.zeros((p.n_people, p.n_days), bool), "y": y, "lunch": lunch})
    if fixed.found:
        y, lunch = fixed.values["y"], fixed.values["lunch"]
    return _people_to_roster(p, requirement, rest, y, lunch, broken, bound, started)


def _resting(p: RosterProblem, rest: np.ndarray) -> dict:
    """(class, day) -> people resting in the (E, D) rest days `rest`."""
    return _class_rest_counts(p, rest, np.ones(p.n_people, bool), {})


def _class_rest_counts(p: RosterProblem, rest: np.ndarray, decided: np.ndarray, pool: dict) -> dict:
    """(class, day) -> people resting: the decided people's rows plus the pooled counts."""
    return {(c, d): int(rest[[e for e in p.members(c) if decided[e]], d].sum()) + int(pool.get((c, d), 0))
            for c in range(len(p.classes)) for d in range(p.n_days)}


def _people_to_roster(p, requirement, rest, y, lunch_counts, broken, bound, started) -> Roster:
    shift = shifts_of_people(p, rest, y)
    lunch = lunches_of_people(p, shift, lunch_counts)
    conflicts = leader_conflicts(p, shift) + lunch_conflicts(p, shift, lunch)
    conflicts += person_conflicts(p, {key: 1 for key in broken})
    return _roster(p, requirement, shift, lunch, conflicts, bound, time.monotonic() - started)


def _staffed(p: RosterProblem, shift: np.ndarray, lunch: np.ndarray) -> np.ndarray:
    """(D, T) people on the phones per interval: on shift and not at lunch."""
    D, S = p.n_days, len(p.shift_codes)
    counts = np.zeros((D, S), np.int64)
    phone = p.on_phone[:, None] & (shift >= 0)
    for s in range(S):
        counts[:, s] = (phone & (shift == s)).sum(axis=0)
    staffed = counts @ p.cover.astype(np.int64)
    e_idx, d_idx = np.nonzero(phone & (lunch >= 0))
    for k in range(p.lunch_len):
        np.add.at(staffed, (d_idx, lunch[e_idx, d_idx] + k), -1)
    return staffed


def _lunch_costs(p: RosterProblem, shift: np.ndarray, lunch: np.ndarray) -> int:
    """Objective cost of the on-phone lunches (RosterProblem.lunch_cost: lunches in airings)."""
    total = 0
    e_idx, d_idx = np.nonzero(p.on_phone[:, None] & (shift >= 0) & (lunch >= 0))
    for s, slots in enumerate(p.lunch_slots):
        if not slots:
            continue
        slot_of = np.full(p.n_intervals, -1, np.int64)
        slot_of[slots] = np.arange(len(slots))
        mine = shift[e_idx, d_idx] == s
        e, d = e_idx[mine], d_idx[mine]
        total += int(p.lunch_cost[d, s, slot_of[lunch[e, d]]].sum())
    return total


def _spread(values: np.ndarray) -> int:
    return int(values.max() - values.min()) if len(values) > 1 else 0


def objective_parts(p: RosterProblem, shift: np.ndarray, lunch: np.ndarray) -> dict:
    """Every weighted goal of the objective, measured on the roster itself."""
    w = p.rules.weights
    staffed = _staffed(p, shift, lunch)
    short = np.maximum(p.required - staffed, 0)
    over = np.maximum(staffed - p.required, 0)
    flat_cost, deep_cost = p.shortfall_cost(short)
    rest = shift == -1
    leaders = np.flatnonzero(p.leader)
    missing = sum(max(p.rules.leaders_per_shift - int((shift[leaders, d] == s).sum()), 0)
                  for d in range(p.n_days) for s in range(len(p.shift_codes)))
    weekend = np.array([day.weekday() in WEEKEND for day in p.days])
    weekend_fair = ~(p.leave[:, weekend].any(axis=1)) if weekend.any() else np.zeros(p.n_people, bool)
    # leaders' shifts follow the leader rule, so fairness is measured among the other flexible people
    flexible = (p.allowed.sum(axis=1) > 1) & p.allowed[:, p.late].any(axis=1) & ~p.leave.any(axis=1) & p.on_phone & ~p.leader
    late_counts = (np.isin(shift, np.flatnonzero(p.late))).sum(axis=1)
    wish = p.shift_request >= 0
    changes = 0
    codes = p.shift_codes
    for e, before in enumerate(p.previous_shift):
        for d, code in before.items():
            now = "LEAVE" if shift[e, d] == -2 else REST if shift[e, d] == -1 else codes[shift[e, d]]
            changes += int(now != code and now != "LEAVE")
    return {
        "shortfall": int(flat_cost.sum()),
        "deep_shortfall": int(deep_cost.sum()),
        "lunch_in_airing": _lunch_costs(p, shift, lunch),
        "overstaffing": int(w.overstaffing * over.sum()),
        "leaders_missing": int(rm.LEADER_MISSING_COST * missing),
        "rest_days_placement": int((p.rest_cost * rest).sum()),
        "rest_requests": int(w.rest_request * (p.rest_request & ~rest & ~p.leave).sum()),
        "shift_requests": int(w.shift_request * (wish & (shift != p.shift_request) & ~p.leave).sum()),
        "changes": int(w.change_from_previous * changes),
        "weekend_rest_fairness": int(w.weekend_rest_fairness * _spread((rest[:, weekend]).sum(axis=1)[weekend_fair])),
        "late_shift_fairness": int(w.late_shift_fairness * _spread(late_counts[flexible])),
        "_staffed": staffed, "_short": short, "_over": over, "_missing": missing,
        "_late_spread": _spread(late_counts[flexible]),
        "_weekend_spread": _spread((rest[:, weekend]).sum(axis=1)[weekend_fair]),
    }


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
    agents = np.floor(staffed.astype(float) * (1 - rules.service.shrinkage) + 1e-9)
    return performance(calls, aht, agents, rules.service, rules.interval_minutes)


def _roster(p: RosterProblem, requirement, shift, lunch, conflicts, bound, seconds) -> Roster:
    rules = p.rules
    parts = objective_parts(p, shift, lunch)
    objective = float(sum(v for k, v in parts.items() if not k.startswith("_")))
    staffed, short, over = parts["_staffed"], parts["_short"], parts["_over"]
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
    assignments = pd.DataFrame(assignment_rows(p, shift, lunch))
    assignments["date"] = pd.to_datetime(assignments["date"]).astype("datetime64[ns]")
    employees = _employee_totals(p, shift)
    kpis = {
        "shortfall_agent_intervals": int(short.sum()),
        "airing_shortfall_agent_intervals": int(short[p.airing].sum()),
        "overstaff_agent_intervals": int(over.sum()),
        "short_intervals": int((short > 0).sum()),
        "required_agent_intervals": int(p.required.sum()),
        "staffed_agent_intervals": int(staffed.sum()),
        "leaders_missing": int(parts["_missing"]),
        "paid_hours": float(employees["paid_hours"].sum()),
        "overtime_hours": float(employees["overtime_hours"].sum()),
        "late_shift_spread": parts["_late_spread"],
        "weekend_rest_spread": parts["_weekend_spread"],
        "conflicts": len(conflicts),
    }
    if perf is not None:
        calls = perf["calls"].to_numpy(float)
        kpis["expected_service_level"] = float((perf["service_level"].to_numpy(float) * calls).sum() / max(calls.sum(), 1e-9))
        if "abandon_rate" in perf and perf["abandon_rate"].notna().any():
            kpis["expected_abandoned_calls"] = float((perf["abandon_rate"].fillna(0).to_numpy(float) * calls).sum())
    for k, v in parts.items():
        if not k.startswith("_"):
            kpis[f"objective_{k}"] = v
    bound = min(bound, objective)  # a bound above the objective would only be rounding
    gap = (objective - bound) / objective if objective > 0 else 0.0
    if conflicts:
        status = "RELAXED"
    elif gap <= 1e-9:
        status = "OPTIMAL"
    else:
        status = "FEASIBLE"
    return Roster(assignments, coverage, employees, kpis, status, objective, float(bound), float(gap),
                  float(seconds), unmet, conflicts)


def _employee_totals(p: RosterProblem, shift: np.ndarray) -> pd.DataFrame:
    rules = p.rules
    working = shift >= 0
    paid = np.where(working, p.paid_hours[np.maximum(shift, 0)], 0.0).sum(axis=1)
    weekend = np.array([day.weekday() in WEEKEND for day in p.days])
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
        "weekend_rests": (shift[:, weekend] == -1).sum(axis=1),
        "leave_days": (shift == -2).sum(axis=1),
        "paid_hours": paid,
        "overtime_hours": np.round(np.maximum(paid - legal, 0.0), 2),
    })
