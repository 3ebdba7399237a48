"""The roster problem as arrays: days × intervals requirement, shifts, lunch slots, people, rest rules.

Everything the CP-SAT models (scheduler.roster_model), the assignment of shifts and lunches
(scheduler.roster_assign) and the rules (scheduler.rules) need, computed once from the user's tables
(scheduler.roster_build). Days are indexed d = 0..D-1, open intervals of a day t = 0..T-1, shifts s,
people e.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from core.periods import open_intervals
from core.rules import Rules

REST, LEAVE = "OFF", "LEAVE"
# Roles rostered but not counted on the phones: the supervisor runs the floor.
OFF_PHONE_ROLES = ("supervisor",)
# Agents missing beyond half an interval's requirement cost this many times the usual shortfall
# weight: many small shortfalls are better for the callers than one nearly empty floor.
DEEP_SHORTFALL_FACTOR = 3


@dataclass(frozen=True)
class PreviousMonth:
    """The previous month's roster where it meets this one, per person of this month's staff (people it
    does not hold, new staff say, have no history: unknown days and no counts).

    Its last days count for the consecutive-day and weekly rest rules across the month edge; its counts
    carry the fairness rules over (scheduler.rules.late_shift_fairness, weekend_rest_fairness)."""

    last_days: np.ndarray  # (E, L) int: 1 day off (rest or leave), 0 work, -1 unknown; column j is day j - L
    rested: np.ndarray  # (E, L) bool: that day off was a rest day (OFF), not leave
    late_shifts: np.ndarray  # (E,) int late shifts worked in the previous month
    weekend_rests: np.ndarray  # (E,) int Saturday and Sunday rest days in the previous month
    known: np.ndarray  # (E,) bool: the person is in the previous month's roster
    last_shift: np.ndarray  # (E,) int: the shift index worked the day before the horizon, -1 none or unknown

    @classmethod
    def none(cls, people: int, lookback: int) -> "PreviousMonth":
        """No previous month: the first days assume no history."""
        return cls(np.full((people, lookback), -1, np.int64), np.zeros((people, lookback), bool),
                   np.zeros(people, np.int64), np.zeros(people, np.int64), np.zeros(people, bool),
                   np.full(people, -1, np.int64))

    @property
    def lookback(self) -> int:
        return self.last_days.shape[1]


class ShiftTargets(NamedTuple):
    """People wanted per day and shift (scheduler.rules.shift_cover) and the cost per person off it."""

    wanted: np.ndarray  # (D, S) int: people wanted, -1 where no cover is stated
    under_weight: np.ndarray  # (D, S) int objective cost per person short
    over_weight: np.ndarray  # (D, S) int objective cost per person beyond


@dataclass(frozen=True)
class Week:
    """A calendar week's days inside the horizon and how many of them lie before or after it."""

    days: tuple[int, ...]  # horizon day indices
    before: int  # days of this week before the horizon
    after: int  # days of this week after the horizon


class PeopleClass(NamedTuple):
    """What makes people interchangeable for the day-level model."""

    leader: bool
    on_phone: bool
    allowed: tuple[bool, ...]  # per shift
    preferred_weekday: int  # -1 when none
    contract: int  # index into rules.contracts, -1 for the global rules
    irregular: bool  # leave or a paid-hour cap
    # for the others, the rest windows they need and their week bounds, which the previous month's last days
    # set: () for irregular people, and the same for everyone without a previous month
    edge: tuple[int, ...]

    @property
    def shift_pool(self) -> tuple:
        """Classes equal in this are one pool for the split of shifts: swapping two such people's shifts on a
        day changes no count the coverage or the leader rule depends on."""
        return self.leader, self.on_phone, self.allowed


@dataclass
class RosterProblem:
    rules: Rules
    days: pd.DatetimeIndex  # D days at midnight
    required: np.ndarray  # (D, T) int agents to roster
    airing: np.ndarray  # (D, T) bool: inside an airing's response window
    shift_codes: tuple[str, ...]
    # (S, 2T) bool: shift s worked on day d is on duty in interval t of day d's grid, and for t ≥ T in interval
    # t − T of day d + 1's (a shift past midnight; only with the center open round the clock, so the two
    # days' grids run on). Every count of people per interval goes through `fold`.
    cover: np.ndarray
    paid_hours: np.ndarray  # (S,)
    late: np.ndarray  # (S,) bool: a late shift (starts after the earliest shift)
    lunch_slots: list[list[int]]  # per shift: first interval of each possible lunch, on cover's two-day axis
    lunch_len: np.ndarray  # (S,) intervals each shift's lunch lasts
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
    rest_request: np.ndarray  # (E, D) bool: a rest day wished
    work_request: np.ndarray  # (E, D) bool: a rest day refused (work wished)
    shift_request: np.ndarray  # (E, D) int: requested shift index or -1
    shift_refusal: np.ndarray  # (E, D) int: refused shift index or -1
    wish_weight: np.ndarray  # (E, D) int: the objective cost of that day's wish missed (0 without one)
    preferred_rest_weekday: np.ndarray  # (E,) int, -1 when none
    weeks: list[Week]
    rest_bounds: np.ndarray  # (E, W, 2) int: least and most rest days in each week
    windows: list[tuple[int, ...]]  # horizon days of each (max consecutive + 1)-day window
    window_need: np.ndarray  # (E, n windows) bool: the person needs a rest day in the window
    max_work_days: np.ndarray  # (E,) int: from the paid-hour cap (D when off)
    max_rest_days: np.ndarray  # (E,) int: from the paid-hour minimum (the free days when off)
    # (E,) bool: the day bounds above do not keep the paid hours (scheduler.rules.monthly_hours.DayBounds)
    minutes_counted: np.ndarray
    paid_cap: np.ndarray  # (E,) float paid hours at most over the horizon (inf: none)
    paid_least: np.ndarray  # (E,) float paid hours at least over the horizon (0: none)
    start_streak: np.ndarray  # (E,) int: work days in a row just before the horizon (previous month)
    previous_month: PreviousMonth  # the previous month's last days and fairness counts
    contract_of: np.ndarray  # (E,) int index into rules.contracts, -1 for the global rules
    max_in_a_row: np.ndarray  # (E,) int work days in a row at most (the contract's or max_consecutive_work_days)
    min_days_off: np.ndarray  # (E,) int days off coming at least this many together (1: no rule)
    min_work_days: np.ndarray  # (E,) int work days coming at least this many together (1: no rule)
    max_weekends: np.ndarray  # (E,) int weekends worked at most (-1: no rule)
    fixed_off: np.ndarray  # (E, D) bool the contract's weekdays off, not on leave
    min_shifts: np.ndarray  # (E, S) int shifts of each type worked at least over the horizon
    max_shifts: np.ndarray  # (E, S) int shifts of each type worked at most (D: no rule)
    replan_rest: np.ndarray  # (E, D) int: 1 rest, 0 work, -1 unknown, per the roster of this month re-planned
    replan_shift: list[dict[int, str]]  # per person: day -> shift code in the roster of this month re-planned
    classes: list[PeopleClass]
    class_of: np.ndarray  # (E,) int
    # (T,) people on the phones in the first day's intervals from the previous month's last day's shifts past
    # midnight, as its roster has them (zeros without one)
    carried: np.ndarray = field(default=None)
    shortfall_weight: np.ndarray = field(default=None)  # (D, T) int objective weight per missing agent
    deep_weight: np.ndarray = field(default=None)  # (D, T) int extra weight per agent missing beyond deep_from
    deep_from: np.ndarray = field(default=None)  # (D, T) int shortfall from which missing agents cost extra
    rest_cost: np.ndarray = field(default=None)  # (E, D) int objective cost of resting that day
    shift_targets: ShiftTargets = field(default=None)  # people wanted per day and shift

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def n_people(self) -> int:
        return len(self.ids)

    @property
    def n_intervals(self) -> int:
        return self.required.shape[1]

    def fold(self, wide: np.ndarray) -> np.ndarray:
        """(D, T) per interval of each day from (D, 2T) on cover's two-day axis: the second half of day d's row
        lands on day d + 1; past the horizon's last day it falls outside the month and counts nowhere."""
        T = self.n_intervals
        out = wide[:, :T].copy()
        out[1:] += wide[:-1, T:]
        return out

    def staffed(self, wide: np.ndarray) -> np.ndarray:
        """(D, T) people on the phones per interval from (D, 2T) counts on cover's two-day axis, with the
        previous month's night shift carried into the first day."""
        out = self.fold(wide)
        out[0] += self.carried
        return out

    def interval_starts(self) -> pd.DatetimeIndex:
        return open_intervals(self.days, self.rules)

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


def two_days(daily: np.ndarray) -> np.ndarray:
    """(D, 2T) on RosterProblem.cover's two-day axis from a (D, T) array: each day followed by the next day's
    row (zeros after the last day)."""
    after = np.zeros_like(daily)
    after[:-1] = daily[1:]
    return np.concatenate([daily, after], axis=1)


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
