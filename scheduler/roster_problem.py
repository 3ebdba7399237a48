"""The roster problem as arrays: days × intervals requirement, shifts, lunch slots, people, rest rules.

Everything the CP-SAT models (scheduler.roster_model), the assignment of shifts and lunches
(scheduler.roster_assign) and the explanations (scheduler.conflicts) need, computed once from the
user's tables. Days are indexed d = 0..D-1, open intervals of a day t = 0..T-1, shifts s, people e.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.rules import Rules, minutes_of

REST, LEAVE = "OFF", "LEAVE"
WEEKEND = (5, 6)
# Rest days on Monday or Friday sit next to the weekend; Tuesday–Thursday do not.
MIDWEEK = (1, 2, 3)
# Roles rostered but not counted on the phones: the supervisor runs the floor.
OFF_PHONE_ROLES = ("supervisor",)
# Agents missing beyond half an interval's requirement cost this many times the usual shortfall
# weight: many small shortfalls are better for the callers than one nearly empty floor.
DEEP_SHORTFALL_FACTOR = 3


@dataclass(frozen=True)
class Week:
    """A calendar week's days inside the horizon and how many of them lie before or after it."""

    days: tuple[int, ...]  # horizon day indices
    before: int  # days of this week before the horizon
    after: int  # days of this week after the horizon


@dataclass
class RosterProblem:
    rules: Rules
    days: pd.DatetimeIndex  # D days at midnight
    required: np.ndarray  # (D, T) int agents to roster
    airing: np.ndarray  # (D, T) bool: inside an airing's response window
    shift_codes: tuple[str, ...]
    cover: np.ndarray  # (S, T) bool: shift s is on duty in interval t
    paid_hours: np.ndarray  # (S,)
    late: np.ndarray  # (S,) bool: a late shift (starts after the earliest shift)
    lunch_slots: list[list[int]]  # per shift: first interval of each possible lunch
    lunch_len: int  # intervals a lunch lasts
    lunch_ok: np.ndarray  # (D, S, max slots) bool: slot allowed (inside window; outside airings unless forced)
    lunch_clear: np.ndarray  # (D, S, max slots) bool: slot inside the window and clear of airings
    lunch_cost: np.ndarray  # (D, S, max slots) int objective cost of one on-phone lunch starting there
    lunch_forced: list[tuple[int, int]]  # (d, s) where the clear slots cannot hold the lunches: every slot is allowed
    staff: pd.DataFrame
    ids: list[str]
    leader: np.ndarray  # (E,) bool
    on_phone: np.ndarray  # (E,) bool: counted in coverage
    allowed: np.ndarray  # (E, S) bool
    leave: np.ndarray  # (E, D) bool
    rest_request: np.ndarray  # (E, D) bool
    shift_request: np.ndarray  # (E, D) int: requested shift index or -1
    preferred_rest_weekday: np.ndarray  # (E,) int, -1 when none
    weeks: list[Week]
    rest_bounds: np.ndarray  # (E, W, 2) int: least and most rest days in each week
    windows: list[tuple[int, ...]]  # horizon days of each (max consecutive + 1)-day window
    window_need: np.ndarray  # (E, n windows) bool: the person needs a rest day in the window
    max_work_days: np.ndarray  # (E,) int: from the paid-hour cap (D when off)
    start_streak: np.ndarray  # (E,) int: work days in a row just before the horizon (previous roster)
    previous_rest: np.ndarray  # (E, D) int: 1 rest, 0 work, -1 unknown, per the previous roster
    previous_shift: list[dict[int, str]]  # per person: day -> previous shift code in the horizon
    classes: list[tuple]  # class keys (leader, on_phone, allowed shifts, preferred weekday, irregular)
    class_of: np.ndarray  # (E,) int
    shortfall_weight: np.ndarray = field(default=None)  # (D, T) int objective weight per missing agent
    deep_weight: np.ndarray = field(default=None)  # (D, T) int extra weight per agent missing beyond deep_from
    deep_from: np.ndarray = field(default=None)  # (D, T) int shortfall from which missing agents cost extra
    rest_cost: np.ndarray = field(default=None)  # (E, D) int objective cost of resting that day

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def n_people(self) -> int:
        return len(self.ids)

    @property
    def n_intervals(self) -> int:
        return self.required.shape[1]

    def interval_starts(self) -> pd.DatetimeIndex:
        r = self.rules
        offsets = pd.to_timedelta(np.arange(r.open_minute, r.close_minute, r.interval_minutes), unit="min")
        return pd.DatetimeIndex((self.days.values[:, None] + offsets.values[None, :]).ravel(), name="interval_start")

    def members(self, c: int) -> np.ndarray:
        return np.flatnonzero(self.class_of == c)

    def lunch_cap(self, people: int) -> int:
        """Most of a shift's `people` on the phones that may be at lunch at the same time (the stagger rule)."""
        a, b = self.rules.stagger_fraction
        return -(-a * people // b)

    def shortfall_cost(self, short: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(D, T) objective cost of a shortfall: the flat part and the deep part (agents missing
        beyond half the requirement). The CP-SAT models price their short / deep variables with the
        same arrays (roster_model.add_coverage)."""
        deep = np.maximum(short - self.deep_from, 0)
        return self.shortfall_weight * short, self.deep_weight * deep

    def coverage_cost(self, staffed: np.ndarray) -> np.ndarray:
        """(D, T) objective cost of `staffed` agents on the phones: shortfall (flat and deep) and overstaffing."""
        flat, deep = self.shortfall_cost(np.maximum(self.required - staffed, 0))
        return flat + deep + self.rules.weights.overstaffing * np.maximum(staffed - self.required, 0)


def required_agents(requirement: pd.DataFrame | pd.Series) -> pd.Series:
    """The agents to roster per interval: the `scheduled` column (or the Series itself), rounded up."""
    if isinstance(requirement, pd.DataFrame):
        if "scheduled" not in requirement:
            raise ValueError("the requirement needs a 'scheduled' column (agents to roster per interval)")
        series = requirement["scheduled"]
    else:
        series = requirement
    values = np.ceil(pd.to_numeric(series, errors="coerce").fillna(0).to_numpy(float) - 1e-9).clip(min=0)
    return pd.Series(values.astype(np.int64), index=pd.DatetimeIndex(series.index), name="required")


def shortfall_weights(required: np.ndarray, airing: np.ndarray, rules: Rules) -> np.ndarray:
    """Objective weight of one missing agent: airings weigh most, and a missing agent counts for
    more where few are needed (1 short of 2 is worse than 1 short of 20)."""
    w = rules.weights
    base = np.where(airing, w.shortfall_airing, w.shortfall)
    relative = 1 + 4 // np.maximum(required, 1)  # 5 where 1 is needed, 3 for 2, 2 for 3–4, 1 from 5 on
    return (base * relative).astype(np.int64)


def deep_shortfall(required: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Extra weight per agent missing beyond half the requirement, and where that starts."""
    return ((DEEP_SHORTFALL_FACTOR - 1) * weight).astype(np.int64), (required // 2).astype(np.int64)


def disjoint_lunches(starts: list[int], length: int) -> int:
    """How many lunches of `length` intervals starting at `starts` fit without overlapping."""
    count, free_from = 0, -1
    for l in sorted(starts):
        if l >= free_from:
            count, free_from = count + 1, l + length
    return count


def airing_mask(ads: pd.DataFrame | None, days: pd.DatetimeIndex, rules: Rules) -> np.ndarray:
    """(D, T) True where an interval overlaps an airing's response window."""
    D, T = len(days), rules.intervals_per_day
    mask = np.zeros((D, T), bool)
    if ads is None or len(ads) == 0:
        return mask
    step = rules.interval_minutes
    window = pd.to_timedelta(rules.ad_response_window_minutes, unit="min")
    day_of = {day: i for i, day in enumerate(days)}
    durations = pd.to_timedelta(ads["duration_s"].to_numpy(np.int64) if "duration_s" in ads else 0, unit="s")
    starts = pd.DatetimeIndex(ads["start"])
    ends = starts + np.maximum(window, durations)
    for start, end in zip(starts, ends):
        # every interval [a, a+step) with a < end and a+step > start
        a = start.floor(f"{step}min")
        while a < end:
            d = day_of.get(a.normalize())
            t = (a.hour * 60 + a.minute - rules.open_minute) // step
            if d is not None and 0 <= t < T:
                mask[d, t] = True
            a += pd.Timedelta(minutes=step)
    return mask


def _weeks(days: pd.DatetimeIndex, week_start: int) -> list[Week]:
    weeks: list[Week] = []
    current: list[int] = []
    for d, day in enumerate(days):
        if current and day.weekday() == week_start:
            weeks.append(current)  # type: ignore[arg-type]
            current = []
        current.append(d)
    weeks.append(current)  # type: ignore[arg-type]
    out = []
    for w in weeks:
        before = (days[w[0]].weekday() - week_start) % 7
        out.append(Week(tuple(w), before, 7 - before - len(w)))
    return out


def previous_days(previous: pd.DataFrame | None, ids: list[str], days: pd.DatetimeIndex, lookback: int):
    """From a previous roster: (E, lookback) state of the days just before the horizon
    (1 rest or leave, 0 work, -1 unknown; column j is day -lookback+j), whether each was an OFF day,
    and in the horizon (E, D) previous rest flags and shift codes."""
    E, D = len(ids), len(days)
    before = np.full((E, lookback), -1, np.int64)
    before_off = np.zeros((E, lookback), bool)
    inside = np.full((E, D), -1, np.int64)
    inside_shift: list[dict[int, str]] = [dict() for _ in ids]
    if previous is None or len(previous) == 0:
        return before, before_off, inside, inside_shift
    index = {e: i for i, e in enumerate(ids)}
    first = days[0]
    dates = pd.to_datetime(previous["date"]).dt.normalize()
    for emp, day, shift in zip(previous["employee_id"], dates, previous["shift"]):
        e = index.get(emp)
        if e is None:
            continue
        offset = (day - first).days
        nonwork = shift in (REST, LEAVE)
        if -lookback <= offset < 0:
            before[e, offset + lookback] = int(nonwork)
            before_off[e, offset + lookback] = shift == REST
        elif 0 <= offset < D:
            inside[e, offset] = int(shift == REST)
            inside_shift[e][offset] = shift
    return before, before_off, inside, inside_shift


def build_problem(requirement, staff: pd.DataFrame, rules: Rules, leave=None, ads=None, previous=None) -> RosterProblem:
    """Arrays of the roster problem for the days the requirement covers (whole days, every day open)."""
    req = required_agents(requirement)
    if len(req) == 0:
        raise ValueError("the requirement has no intervals")
    days = pd.date_range(req.index.min().normalize(), req.index.max().normalize(), freq="D")
    D, T, step = len(days), rules.intervals_per_day, rules.interval_minutes
    minutes = (req.index.hour * 60 + req.index.minute - rules.open_minute) // step
    dpos = (req.index.normalize() - days[0]).days
    inside = (minutes >= 0) & (minutes < T)
    required = np.zeros((D, T), np.int64)
    np.add.at(required, (np.asarray(dpos)[inside], np.asarray(minutes)[inside]), req.to_numpy()[inside])
    airing = airing_mask(ads, days, rules)

    shifts = rules.shifts
    S = len(shifts)
    t_start = np.arange(T) * step + rules.open_minute
    cover = np.array([(t_start >= s.start_minute) & (t_start < s.end_minute) for s in shifts])
    lunch_len = max(1, math.ceil(max(s.unpaid_break_minutes for s in shifts) / step))
    lunch_slots = []
    for s in shifts:
        if s.unpaid_break_minutes <= 0:
            lunch_slots.append([])
            continue
        lo = (minutes_of(s.lunch_earliest) - rules.open_minute + step - 1) // step
        hi = (minutes_of(s.lunch_latest_end) - rules.open_minute) // step - lunch_len
        lunch_slots.append(list(range(lo, hi + 1)))
    max_slots = max((len(x) for x in lunch_slots), default=0)
    lunch_ok = np.zeros((D, S, max(max_slots, 1)), bool)
    lunch_clear = np.zeros_like(lunch_ok)
    lunch_cost = np.zeros(lunch_ok.shape, np.int64)
    lunch_forced = []
    for d in range(D):
        for s, slots in enumerate(lunch_slots):
            if not slots:
                continue
            hits = np.array([airing[d, l:l + lunch_len].sum() for l in slots])
            clear = hits == 0
            lunch_clear[d, s, :len(slots)] = clear
            # A lunch in an airing costs like an agent missing from an ordinary interval for each
            # airing interval it overlaps, so lunches stay clear of airings wherever coverage allows.
            lunch_cost[d, s, :len(slots)] = rules.weights.overstaffing * hits
            # under the stagger cap the clear slots hold every lunch when enough of them do not overlap
            if rules.lunches_fit(disjoint_lunches([l for l, c in zip(slots, clear) if c], lunch_len)):
                lunch_ok[d, s, :len(slots)] = clear
            else:
                # the clear slots cannot hold every lunch under the stagger cap (none clear, or too few):
                # any slot in the window; the lunch cost and the coverage objective put the rest where
                # they cost least; reported as a conflict when someone does lunch in an airing
                lunch_ok[d, s, :len(slots)] = True
                lunch_forced.append((d, s))
    first_start = min(s.start_minute for s in shifts)

    staff = staff.reset_index(drop=True)
    ids = list(staff["employee_id"])
    E = len(ids)
    index = {e: i for i, e in enumerate(ids)}
    leader = staff["role"].isin(rules.leader_roles).to_numpy()
    on_phone = ~staff["role"].isin(OFF_PHONE_ROLES).to_numpy()
    codes = rules.shift_codes
    allowed = np.array([[c in tuple(a) for c in codes] for a in staff["shifts"]], bool).reshape(E, S)
    pref = staff["preferred_rest_weekday"] if "preferred_rest_weekday" in staff else pd.Series([pd.NA] * E)
    preferred = np.array([-1 if pd.isna(v) else int(v) for v in pref], np.int64)

    leave_m = np.zeros((E, D), bool)
    rest_req = np.zeros((E, D), bool)
    shift_req = np.full((E, D), -1, np.int64)
    if leave is not None and len(leave):
        for emp, day, kind, shift in zip(leave["employee_id"], pd.to_datetime(leave["date"]), leave["kind"], leave["shift"]):
            e = index.get(emp)
            d = (day.normalize() - days[0]).days
            if e is None or not 0 <= d < D:
                continue
            if kind == "leave":
                leave_m[e, d] = True
            elif kind == "rest_request":
                rest_req[e, d] = True
            elif kind == "shift_request" and shift in codes:
                shift_req[e, d] = codes.index(shift)

    m = rules.max_consecutive_work_days
    before, before_off, prev_inside, prev_shift = previous_days(previous, ids, days, max(m, 6))
    lookback = before.shape[1]

    weeks = _weeks(days, rules.week_starts_on)
    r = rules.rest_days_per_week
    cap = rules.monthly_paid_hours_cap_enabled
    bounds = np.zeros((E, len(weeks), 2), np.int64)
    for w, week in enumerate(weeks):
        k = len(week.days)
        available = (~leave_m[:, list(week.days)]).sum(axis=1)
        if week.before == 0 and week.after == 0:
            lo = hi = np.full(E, r)
        elif week.after == 0 and week.before <= lookback and (before[:, lookback - week.before:] >= 0).all(axis=1).any():
            # the previous roster knows the first days of this week: count the rest days taken there
            known = (before[:, lookback - week.before:] >= 0).all(axis=1)
            taken = before_off[:, lookback - week.before:].sum(axis=1)
            exact = np.maximum(r - taken, 0)
            lo = np.where(known, exact, math.floor(r * k / 7))
            hi = np.where(known, exact, math.ceil(r * k / 7))
        else:
            lo, hi = np.full(E, math.floor(r * k / 7)), np.full(E, math.ceil(r * k / 7))
        if cap:
            hi = available  # with a paid-hour cap the weekly rest days are a minimum
        bounds[:, w, 0] = np.minimum(lo, available)
        bounds[:, w, 1] = np.minimum(np.maximum(hi, lo), available)

    # Windows of m + 1 days must hold a day off; windows reaching before the horizon only when the
    # previous roster knows those days.
    windows, needs = [], []
    for a in range(-lookback, D - m):
        span = range(a, a + m + 1)
        inside_days = tuple(d for d in span if d >= 0)
        if not inside_days or a + m < 0:
            continue
        past = [d + lookback for d in span if d < 0]
        known = (before[:, past] >= 0).all(axis=1) if past else np.ones(E, bool)
        rested = (before[:, past] == 1).any(axis=1) if past else np.zeros(E, bool)
        need = known & ~rested & ~leave_m[:, list(inside_days)].any(axis=1)
        if need.any():
            windows.append(inside_days)
            needs.append(need)
    window_need = np.array(needs, bool).T.reshape(E, len(windows))
    # consecutive work days the previous roster ends with (0 when unknown)
    start_streak = np.zeros(E, np.int64)
    for e in range(E):
        j = lookback - 1
        while j >= 0 and before[e, j] == 0:
            start_streak[e] += 1
            j -= 1
    start_streak = np.minimum(start_streak, m)

    if cap:
        most_paid = np.array([max((p for p, ok in zip([s.paid_hours for s in shifts], allowed[e]) if ok), default=0) for e in range(E)])
        max_work = np.floor(rules.monthly_paid_hours_cap / np.maximum(most_paid, 1e-9) + 1e-9).astype(np.int64)
        max_work = np.minimum(max_work, D)
    else:
        max_work = np.full(E, D, np.int64)

    # People with leave or a previous-roster start of their own are a class apart: pooled with the
    # regular ones, their rest days would count toward windows only the regular ones need, and the
    # day counts the aggregate chose could not be split into people.
    irregular = leave_m.any(axis=1) | (start_streak > 0) | (max_work < D)
    keys = [(bool(leader[e]), bool(on_phone[e]), tuple(allowed[e]), int(preferred[e]), bool(irregular[e])) for e in range(E)]
    classes = sorted(set(keys))
    class_of = np.array([classes.index(k) for k in keys], np.int64)

    weekday = np.array([day.weekday() for day in days])
    w = rules.weights
    rest_cost = np.where(np.isin(weekday, MIDWEEK), w.rest_next_to_weekend, 0)[None, :].repeat(E, axis=0)
    has_pref = preferred >= 0
    rest_cost[has_pref] = np.where(weekday[None, :] == preferred[has_pref, None], 0, w.rest_next_to_weekend)

    problem = RosterProblem(
        rules=rules, days=days, required=required, airing=airing, shift_codes=codes, cover=cover,
        paid_hours=np.array([s.paid_hours for s in shifts]),
        late=np.array([s.start_minute > first_start for s in shifts]),
        lunch_slots=lunch_slots, lunch_len=lunch_len, lunch_ok=lunch_ok, lunch_clear=lunch_clear,
        lunch_cost=lunch_cost, lunch_forced=lunch_forced,
        staff=staff, ids=ids, leader=leader, on_phone=on_phone, allowed=allowed, leave=leave_m,
        rest_request=rest_req, shift_request=shift_req, preferred_rest_weekday=preferred,
        weeks=weeks, rest_bounds=bounds, windows=windows, window_need=window_need, max_work_days=max_work, start_streak=start_streak,
        previous_rest=prev_inside, previous_shift=prev_shift, classes=classes, class_of=class_of,
    )
    problem.shortfall_weight = shortfall_weights(required, airing, rules)
    problem.deep_weight, problem.deep_from = deep_shortfall(required, problem.shortfall_weight)
    problem.rest_cost = rest_cost.astype(np.int64)
    return problem

