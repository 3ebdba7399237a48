"""A realistic synthetic roster month: requirement with airing peaks, staff with leaders, leave, airings.

Used by the benchmark and by tests; seeded, so the same arguments give the same month.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.rules.lunch_airings import disjoint_lunches
from core import times
from core.periods import open_intervals
from core.rules import DEFAULT_RULES, Rules

# Relative call demand by weekday (Monday first): TV-shopping evenings and weekends run hotter.
WEEKDAY_FACTOR = (1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1)


@dataclass
class SyntheticMonth:
    requirement: pd.DataFrame  # interval_start index; scheduled
    staff: pd.DataFrame  # as scheduler.data.load_staff returns
    leave: pd.DataFrame  # as scheduler.data.load_leave returns
    ads: pd.DataFrame  # start, duration_s, channel, product


def synthetic_month(agents: int, days: int = 31, seed: int = 1, start: str = "2026-12-01",
                    rules: Rules = DEFAULT_RULES, load: float = 0.62) -> SyntheticMonth:
    """`agents` people (about one leader in ten) and a month whose average requirement is `load` of them."""
    rng = np.random.default_rng(seed)
    day_index = pd.date_range(start, periods=days, freq="D")
    index = open_intervals(day_index, rules)
    T = rules.intervals_per_day
    hours = (rules.open_minute + np.arange(T) * rules.interval_minutes) / 60
    # intraday shape: ramp up in the morning, a dip at noon, a second wave in the afternoon
    shape = 0.55 + 0.45 * np.exp(-((hours - 10.5) / 1.6) ** 2) + 0.35 * np.exp(-((hours - 15.0) / 1.8) ** 2) - 0.1 * np.exp(-((hours - 12.5) / 0.6) ** 2)
    shape = shape / shape.mean()
    factor = np.array([WEEKDAY_FACTOR[d.weekday()] for d in day_index])
    base = agents * load * factor[:, None] * shape[None, :]

    airings = []
    for d, day in enumerate(day_index):
        today: list[tuple[pd.Timestamp, int]] = []
        for _ in range(rng.integers(3, 8)):
            minute = int(rng.integers(rules.open_minute, rules.close_minute - 30))
            candidate = today + [(day + pd.Timedelta(minutes=minute), int(rng.choice([60, 120, 180, 300])))]
            if _lunch_possible(candidate, day, rules):  # a plan leaves every shift a lunch hour
                today = candidate
        airings += today
    airings.sort()
    lift = np.zeros((days, T))
    for when, duration in airings:
        d = (when.normalize() - day_index[0]).days
        t = (when.hour * 60 + when.minute - rules.open_minute) // rules.interval_minutes
        size = agents * 0.08 * duration / 120
        for k, decay in enumerate((1.0, 0.7, 0.4, 0.2)):
            if t + k < T:
                lift[d, t + k] += size * decay
    noise = rng.normal(1.0, 0.05, size=(days, T))
    scheduled = np.maximum(np.round((base + lift) * noise), 1).astype(np.int64)
    requirement = pd.DataFrame({"scheduled": scheduled.ravel()}, index=index)
    ads = pd.DataFrame({
        "start": pd.DatetimeIndex([a[0] for a in airings]).astype(f"datetime64[{times.UNIT}]"),
        "duration_s": np.array([a[1] for a in airings], np.int64),
        "channel": rng.choice(["CCTV-2", "HNTV", "ZJTV"], len(airings)),
        "product": rng.choice(["blender", "mattress", "jade", "skincare"], len(airings)),
    })

    staff = synthetic_staff(agents, rng, rules)
    leave = synthetic_leave(staff, day_index, rng, rules)
    return SyntheticMonth(requirement, staff, leave, ads)


def synthetic_staff(n: int, rng: np.random.Generator, rules: Rules = DEFAULT_RULES) -> pd.DataFrame:
    codes = rules.shift_codes
    rows = []
    group_size = 10
    for i in range(n):
        group = i // group_size
        team = group // 4
        if i == 0:
            role = "supervisor"
        elif i % group_size == 1:
            role = "team_leader" if group % 4 == 0 else "group_leader"
        else:
            role = "agent"
        u = rng.random()
        shifts = codes if (u > 0.15 or role != "agent") else ((codes[0],) if u < 0.10 else (codes[-1],))
        pref = int(rng.integers(0, 7)) if rng.random() < 0.1 else None
        rows.append({
            "employee_id": f"A{i + 1:04d}", "name": f"Agent {i + 1}", "role": role,
            "group": f"G{group + 1:02d}", "team": f"T{team + 1}", "shifts": tuple(shifts),
            "preferred_rest_weekday": pref,
        })
    staff = pd.DataFrame(rows)
    staff["preferred_rest_weekday"] = pd.array(staff["preferred_rest_weekday"], dtype="Int64")
    return staff


def synthetic_leave(staff: pd.DataFrame, days: pd.DatetimeIndex, rng: np.random.Generator,
                    rules: Rules = DEFAULT_RULES) -> pd.DataFrame:
    """About one person in eight takes a block of 1–4 days' leave; a few ask for rest days or shifts."""
    rows, taken = [], set()
    for emp in staff["employee_id"]:
        if rng.random() < 0.12:
            first = int(rng.integers(0, len(days)))
            for d in range(first, min(first + int(rng.integers(1, 5)), len(days))):
                rows.append((emp, days[d], "leave", None))
                taken.add((emp, d))
        if rng.random() < 0.08:
            d = int(rng.integers(0, len(days)))
            if (emp, d) not in taken:
                rows.append((emp, days[d], "rest_request", None))
                taken.add((emp, d))
    allowed = dict(zip(staff["employee_id"], staff["shifts"]))
    for emp in rng.choice(staff["employee_id"], size=max(1, len(staff) // 30), replace=False):
        d = int(rng.integers(0, len(days)))
        if (emp, d) not in taken:
            rows.append((emp, days[d], "shift_request", str(rng.choice(list(allowed[emp])))))
            taken.add((emp, d))
    leave = pd.DataFrame(rows, columns=["employee_id", "date", "kind", "shift"])
    leave["date"] = pd.to_datetime(leave["date"]).astype(f"datetime64[{times.UNIT}]")
    return leave


def _lunch_possible(airings: list[tuple[pd.Timestamp, int]], day: pd.Timestamp, rules: Rules) -> bool:
    """Whether each shift keeps enough lunch hours clear of every airing's response window for its
    staggered lunches (separate clear hours for 1 / lunch_stagger_share groups)."""
    window = rules.ad_response_window_minutes
    spans = [((t - day).total_seconds() / 60, (t - day).total_seconds() / 60 + max(window, sec / 60)) for t, sec in airings]
    for s in rules.shifts:
        if s.unpaid_break_minutes <= 0:
            continue
        lo, latest_end = s.lunch_window_minutes
        hi = latest_end - s.unpaid_break_minutes
        starts = range(lo, hi + 1, rules.interval_minutes)
        # the solver works on whole intervals: an airing blocks every interval it touches
        step = rules.interval_minutes
        clear = [l for l in starts
                 if all(not ((a0 // step) * step < l + s.unpaid_break_minutes and l < a1) for a0, a1 in spans)]
        if not rules.lunches_fit(disjoint_lunches(clear, s.unpaid_break_minutes)):
            return False
    return True
