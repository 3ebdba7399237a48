"""The roster problem's arrays from the user's tables: requirement, shifts, people, leave, the roster
re-planned, the previous month's roster, and each rule's bounds (scheduler.rules computes its own)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from core import times
from core.errors import DataError
from core.rules import MINUTES_A_DAY, Rules
from scheduler.roster_solver import check_stopped
from scheduler.roster_problem import (LEAVE, OFF_PHONE_ROLES, REST, PeopleClass, PreviousMonth, RosterProblem, Week,
                                      deep_shortfall, required_agents, shortfall_weights)
from scheduler.rules.consecutive_days import rest_windows
from scheduler.rules.lunch_airings import airing_mask, lunch_options
from scheduler.rules.lunch_stagger import lunch_lengths, lunch_slots
from scheduler.rules.monthly_hours import day_bounds, hour_bounds, leave_credited
from scheduler.rules.rest_placement import rest_costs
from scheduler.rules.shift_cover import shift_targets
from scheduler.rules.weekend_rest_fairness import WEEKEND
from scheduler.rules.weekly_rest import rest_bounds, weekly_minimum


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


def replan_days(previous: pd.DataFrame | None, ids: list[str], days: pd.DatetimeIndex):
    """From a roster of the same month being re-planned: (E, D) rest flags (1 rest, 0 work, -1 unknown) and
    per person day -> shift code, for the horizon's days (its other days are not read)."""
    E, D = len(ids), len(days)
    inside = np.full((E, D), -1, np.int64)
    inside_shift: list[dict[int, str]] = [dict() for _ in ids]
    if previous is None or len(previous) == 0:
        return inside, inside_shift
    source = previous.attrs.get("source", "the roster re-planned")
    index = {e: i for i, e in enumerate(ids)}
    if not previous["employee_id"].isin(list(index)).any():
        raise DataError(source, f"none of its {previous['employee_id'].nunique()} people is on the staff: is it "
                                "another center's roster?", column="employee_id")
    dates = pd.to_datetime(previous["date"]).dt.normalize()
    if not ((dates >= days[0]) & (dates <= days[-1])).any():
        raise DataError(source, f"it holds no day from {days[0].date()} to {days[-1].date()}: re-plan the roster of "
                                "the month planned (the month before is --previous-month)", column="date")
    for emp, day, shift in zip(previous["employee_id"], dates, previous["shift"]):
        e = index.get(emp)
        offset = (day - days[0]).days
        if e is not None and 0 <= offset < D:
            inside[e, offset] = int(shift == REST)
            inside_shift[e][offset] = shift
    return inside, inside_shift


def previous_month_of(roster: pd.DataFrame | None, ids: list[str], days: pd.DatetimeIndex, rules: Rules,
                      lookback: int) -> PreviousMonth:
    """The previous month's roster (employee_id, date, shift) where it meets the horizon: its last
    `lookback` days, the shift of the last, and each person's late shifts and weekend rests. Its days must
    all lie in the calendar month before the horizon's first day, up to that month's last, and some of its
    people must be on the staff: a DataError names the roster, row and column otherwise. People it holds who
    are not on the staff are ignored."""
    E = len(ids)
    out = PreviousMonth.none(E, lookback)
    if roster is None:
        return out
    source = roster.attrs.get("source", "previous month's roster")
    month = days[0].to_period("M") - 1
    dates = pd.to_datetime(roster["date"]).dt.normalize()
    outside = np.flatnonzero((dates.dt.to_period("M") != month).to_numpy())
    if len(outside):
        i = int(outside[0])
        raise DataError(source, f"{dates.iloc[i].date()} is not in {month}, the month before "
                                f"{days[0].to_period('M')}: the previous month's roster holds that month's days only "
                                "(a roster of the month planned is re-planned with few changes as the previous "
                                "roster instead)",
                        row=i + 2, column="date")
    if len(roster) and dates.max() < month.end_time.normalize():
        raise DataError(source, f"it ends on {dates.max().date()}: the previous month's roster runs to "
                                f"{month.end_time.date()}, so that its last days count for {days[0].to_period('M')}",
                        column="date")
    people = roster["employee_id"].map({e: i for i, e in enumerate(ids)})
    if len(roster) and people.isna().all():
        raise DataError(source, f"none of its {roster['employee_id'].nunique()} people is on the staff of "
                                f"{days[0].to_period('M')}: is it another center's roster?", column="employee_id")
    _carry_over(out, roster, ids, days, rules)
    return out


def _carry_over(out: PreviousMonth, roster: pd.DataFrame, ids: list[str], days: pd.DatetimeIndex,
                rules: Rules) -> None:
    """Add the days of `roster` (before the horizon) to `out`: its last days and the fairness counts."""
    codes, late_codes = rules.shift_codes, set(rules.late_shift_codes)
    people = roster["employee_id"].map({e: i for i, e in enumerate(ids)})
    dates = pd.to_datetime(roster["date"]).dt.normalize()
    weekend = dates.dt.day_of_week.isin(WEEKEND).to_numpy()
    lookback = out.lookback
    for e, day, shift, at_weekend in zip(people, dates, roster["shift"], weekend):
        if pd.isna(e):
            continue
        e = int(e)
        out.known[e] = True
        out.late_shifts[e] += shift in late_codes
        out.weekend_rests[e] += bool(at_weekend and shift == REST)
        offset = (day - days[0]).days
        if -lookback <= offset < 0:
            out.last_days[e, offset + lookback] = int(shift in (REST, LEAVE))
            out.rested[e, offset + lookback] = shift == REST
        if offset == -1 and shift in codes:
            out.last_shift[e] = codes.index(shift)


class PersonBounds(NamedTuple):
    """Per person from their contract (the staff's `contract` column), else the global rules."""

    contract_of: np.ndarray  # (E,) the contract's index, -1 none
    most_in_a_row: np.ndarray  # (E,) most work days in a row
    min_work: np.ndarray  # (E,) least work days in a row
    min_off: np.ndarray  # (E,) least days off together
    max_weekends: np.ndarray  # (E,) most weekends worked, -1 none
    fixed_off: np.ndarray  # (E, D) the contract's weekdays off outside leave
    min_shifts: np.ndarray  # (E, S) least shifts of each type over the horizon
    max_shifts: np.ndarray  # (E, S) most shifts of each type over the horizon


def _contracts(staff: pd.DataFrame, rules: Rules, days: pd.DatetimeIndex, leave: np.ndarray) -> PersonBounds:
    """Each person's bounds from their contract, else the global rules."""
    E = len(staff)
    names = [c.name for c in rules.contracts]
    given = staff["contract"] if "contract" in staff else pd.Series([""] * E)
    contract_of = np.array([names.index(c) if c in names else -1 for c in given], np.int64)
    most = np.full(E, rules.max_consecutive_work_days, np.int64)
    min_work = np.ones(E, np.int64)
    min_off = np.ones(E, np.int64)
    max_weekends = np.full(E, -1, np.int64)
    fixed_off = np.zeros((E, len(days)), bool)
    codes = rules.shift_codes
    min_shifts = np.zeros((E, len(codes)), np.int64)
    max_shifts = np.full((E, len(codes)), len(days), np.int64)
    weekday = days.day_of_week.to_numpy()
    for e, k in enumerate(contract_of):
        if k < 0:
            continue
        c = rules.contracts[k]
        if c.max_consecutive_work_days is not None:
            most[e] = c.max_consecutive_work_days
        if c.min_consecutive_work_days is not None:
            min_work[e] = c.min_consecutive_work_days
        if c.min_days_off_in_a_row is not None:
            min_off[e] = c.min_days_off_in_a_row
        if c.max_weekends_worked is not None:
            max_weekends[e] = c.max_weekends_worked
        fixed_off[e] = np.isin(weekday, c.days_off) & ~leave[e]
        for code, n in c.min_shifts:
            min_shifts[e, codes.index(code)] = n
        for code, n in c.max_shifts:
            max_shifts[e, codes.index(code)] = min(n, len(days))
    return PersonBounds(contract_of, most, min_work, min_off, max_weekends, fixed_off, min_shifts, max_shifts)


def carried_in(rosters: tuple[pd.DataFrame | None, ...], ids: list[str], on_phone: np.ndarray,
               days: pd.DatetimeIndex, rules: Rules) -> np.ndarray:
    """(T,) people on the phones in the first day's intervals from the shifts past midnight that `rosters`
    (the previous month's, the days kept) have on the day before it, less those at lunch then."""
    T, step = rules.intervals_per_day, rules.interval_minutes
    out = np.zeros(T, np.int64)
    night = {s.code: s for s in rules.shifts if s.overnight}
    if not night:
        return out
    phones = {e for e, phone in zip(ids, on_phone) if phone}
    minutes = np.arange(T) * step + rules.open_minute + MINUTES_A_DAY  # after the eve's midnight
    eve = days[0] - pd.Timedelta(days=1)
    for roster in rosters:
        if roster is None or not len(roster):
            continue
        lunches = roster["lunch_start"] if "lunch_start" in roster else pd.Series([None] * len(roster))
        for emp, day, code, lunch in zip(roster["employee_id"], pd.to_datetime(roster["date"]).dt.normalize(),
                                         roster["shift"], lunches):
            if day != eve or code not in night or emp not in phones:
                continue
            s = night[code]
            on = minutes < s.end_minute
            if isinstance(lunch, str) and lunch:
                at = s.minute_in_shift(lunch)
                on &= ~((minutes >= at) & (minutes < at + s.unpaid_break_minutes))
            out += on
    return out


def _with_local_times(frame: pd.DataFrame | None, column: str, source: str) -> pd.DataFrame | None:
    """`frame` with its `column` as naive local times in core.times' unit (a time zone is a DataError)."""
    if frame is None:
        return None
    return frame.assign(**{column: times.local_times(frame[column], source, column)})


def build_problem(requirement, staff: pd.DataFrame, rules: Rules, leave=None, ads=None, previous=None,
                  previous_month=None, kept=None, shift_cover=None) -> RosterProblem:
    """Arrays of the roster problem for the days the requirement covers (whole days, every day open).

    `previous` is a roster of the same days re-planned with few changes; `previous_month` the roster of
    the month before, whose last days and counts carry over the month edge; `kept` the days of this month
    before the requirement's, kept as they are, whose last days and counts carry over the same way;
    `shift_cover` the dated shift cover (scheduler.data.load_shift_cover)."""
    req = required_agents(requirement)
    if len(req) == 0:
        raise ValueError("the requirement has no intervals")
    req.index = times.local_index(req.index, "requirement", "interval_start")
    leave = _with_local_times(leave, "date", "leave")
    ads = _with_local_times(ads, "start", "ads plan")
    previous = _with_local_times(previous, "date", "previous roster")
    previous_month = _with_local_times(previous_month, "date", "previous month's roster")
    shift_cover = _with_local_times(shift_cover, "date", "shift cover")
    days = pd.date_range(req.index.min().normalize(), req.index.max().normalize(), freq="D", unit=times.UNIT)
    D, T, step = len(days), rules.intervals_per_day, rules.interval_minutes
    minutes = (req.index.hour * 60 + req.index.minute - rules.open_minute) // step
    dpos = (req.index.normalize() - days[0]).days
    inside = (minutes >= 0) & (minutes < T)
    required = np.zeros((D, T), np.int64)
    np.add.at(required, (np.asarray(dpos)[inside], np.asarray(minutes)[inside]), req.to_numpy()[inside])
    airing = airing_mask(ads, days, rules)

    shifts = rules.shifts
    # two days of intervals from the shift's day's first: a shift past midnight runs into the next day's grid
    t_start = np.arange(2 * T) * step + rules.open_minute
    cover = np.array([(t_start >= s.start_minute) & (t_start < s.end_minute) for s in shifts]).reshape(len(shifts), 2 * T)
    lunch_len = np.array(lunch_lengths(rules), np.int64)
    slots = lunch_slots(rules)
    lunches = lunch_options(airing, slots, lunch_len, rules)
    late = np.array([s.code in rules.late_shift_codes for s in shifts])

    staff = staff.reset_index(drop=True)
    ids = list(staff["employee_id"])
    E = len(ids)
    index = {e: i for i, e in enumerate(ids)}
    leader = staff["role"].isin(rules.leader_roles).to_numpy()
    on_phone = ~staff["role"].isin(OFF_PHONE_ROLES).to_numpy()
    codes = rules.shift_codes
    allowed = np.array([[c in tuple(a) for c in codes] for a in staff["shifts"]], bool).reshape(E, len(codes))
    pref = staff["preferred_rest_weekday"] if "preferred_rest_weekday" in staff else pd.Series([pd.NA] * E)
    preferred = np.array([-1 if pd.isna(v) else int(v) for v in pref], np.int64)
    check_stopped()

    leave_m = np.zeros((E, D), bool)
    rest_req = np.zeros((E, D), bool)
    work_req = np.zeros((E, D), bool)
    shift_req = np.full((E, D), -1, np.int64)
    shift_ref = np.full((E, D), -1, np.int64)
    wish_weight = np.zeros((E, D), np.int64)
    if leave is not None and len(leave):
        weights = leave["weight"] if "weight" in leave else pd.Series([pd.NA] * len(leave))
        for emp, day, kind, shift, weight in zip(leave["employee_id"], pd.to_datetime(leave["date"]), leave["kind"],
                                                 leave["shift"], weights):
            e = index.get(emp)
            d = (day.normalize() - days[0]).days
            if e is None or not 0 <= d < D:
                continue
            if kind == "leave":
                leave_m[e, d] = True
                continue
            if kind == "rest_request":
                rest_req[e, d] = True
            elif kind == "work_request":
                work_req[e, d] = True
            elif kind == "shift_request" and shift in codes:
                shift_req[e, d] = codes.index(shift)
            elif kind == "shift_refusal" and shift in codes:
                shift_ref[e, d] = codes.index(shift)
            else:
                continue
            wish_weight[e, d] = getattr(rules.weights, kind) if pd.isna(weight) else int(weight)

    check_stopped()
    person = _contracts(staff, rules, days, leave_m)
    contract_of, most_in_a_row = person.contract_of, person.most_in_a_row
    replan_rest, replan_shift = replan_days(previous, ids, days)
    last_month = previous_month_of(previous_month, ids, days, rules, max(int(most_in_a_row.max(initial=0)), 6))
    if kept is not None:
        _carry_over(last_month, _with_local_times(kept, "date", "kept days"), ids, days, rules)

    weeks = _weeks(days, rules.week_starts_on)
    contracts = [rules.contracts[k] if k >= 0 else None for k in contract_of]
    bounds = rest_bounds(weeks, leave_m, last_month, rules.rest_days_per_week,
                         np.array([weekly_minimum(rules, c) for c in contracts], bool))
    windows = rest_windows(D, most_in_a_row, leave_m, last_month)
    paid_cap, paid_least = hour_bounds(rules, contracts, days)
    hours = day_bounds(rules, allowed, leave_m, bounds[:, :, 0].sum(axis=1), paid_cap, paid_least,
                       leave_credited(contracts))
    max_work, max_rest = hours.max_work, hours.max_rest

    # People with leave or a cap are a class apart, and the others are classed by the windows and week bounds
    # the previous month's last days give them: pooled together, their rest days would count toward windows
    # only some of them need, and the day counts the aggregate chose could not be split into people.
    irregular = leave_m.any(axis=1) | (max_work < D)
    edges = [() if irregular[e] else (*windows.need[e].astype(int).tolist(), *bounds[e].ravel().tolist())
             for e in range(E)]
    keys = [PeopleClass(bool(leader[e]), bool(on_phone[e]), tuple(bool(a) for a in allowed[e]), int(preferred[e]),
                        int(contract_of[e]), bool(irregular[e]), edges[e]) for e in range(E)]
    check_stopped()
    classes = sorted(set(keys))
    position = {k: i for i, k in enumerate(classes)}
    class_of = np.array([position[k] for k in keys], np.int64)

    problem = RosterProblem(
        rules=rules, days=days, required=required, airing=airing, shift_codes=codes, cover=cover,
        paid_hours=np.array([s.paid_hours for s in shifts]),
        late=late,
        lunch_slots=slots, lunch_len=lunch_len, lunch_ok=lunches.ok, lunch_clear=lunches.clear,
        lunch_cost=lunches.cost, lunch_forced=lunches.forced,
        staff=staff, ids=ids, leader=leader, on_phone=on_phone, allowed=allowed, leave=leave_m,
        rest_request=rest_req, work_request=work_req, shift_request=shift_req, shift_refusal=shift_ref,
        wish_weight=wish_weight, preferred_rest_weekday=preferred,
        weeks=weeks, rest_bounds=bounds, windows=windows.days, window_need=windows.need, max_work_days=max_work,
        max_rest_days=max_rest, minutes_counted=hours.minutes_counted, paid_cap=paid_cap, paid_least=paid_least, start_streak=windows.start_streak,
        previous_month=last_month, replan_rest=replan_rest, replan_shift=replan_shift, contract_of=contract_of,
        max_in_a_row=most_in_a_row, min_days_off=person.min_off, min_work_days=person.min_work,
        max_weekends=person.max_weekends, fixed_off=person.fixed_off, min_shifts=person.min_shifts,
        max_shifts=person.max_shifts, classes=classes, class_of=class_of,
    )
    problem.carried = carried_in((previous_month, kept), ids, on_phone, days, rules)
    problem.shortfall_weight = shortfall_weights(required, airing, rules)
    problem.deep_weight, problem.deep_from = deep_shortfall(required, problem.shortfall_weight)
    problem.rest_cost = rest_costs(days, preferred, rules)
    problem.shift_targets = shift_targets(days, rules, shift_cover)
    return problem

