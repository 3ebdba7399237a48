"""What-if on ad plans and headcount for months ahead: forecast → requirement → headcount, side by side.

Pure functions over a fitted forecaster (forecasting.CallVolumeForecaster) and the month's tables; the
CLI reads the files. A scenario is an ad plan: `more_airings` and `with_channel` derive ones from the
month's plan; `roll_plan` carries a plan into a later month (same weekdays and times) when the later
month's plan is not yet known.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from scheduler.headcount import (
    RunTrials,
    Target,
    agents_for_on_phone,
    headcount_bound,
    in_process,
    mix_leave_share,
    required_headcount,
)
from core.periods import month_days, month_intervals
from core.rules import Rules
from shiftcast.steps import planned_requirement

# --- scenarios ---------------------------------------------------------------------------------------

def _open_start(rules: Rules, rng: np.random.Generator, duration_s: int) -> int:
    """A random airing start (minute of day) that ends before closing."""
    last = rules.close_minute - max(15, int(np.ceil(duration_s / 60)))
    return int(rng.integers(rules.open_minute, max(last, rules.open_minute + 1)))


def _copies(plan: pd.DataFrame, share: float, rules: Rules, seed: int) -> pd.DataFrame:
    """`share` × len(plan) copies of the plan's airings (channel, product, length, GRP, cost), each on a
    random day of the plan's month at a random open time."""
    rng = np.random.default_rng(seed)
    extra = int(round(share * len(plan)))
    if extra <= 0 or len(plan) == 0:
        return plan.iloc[:0].copy()
    days = month_days(pd.Timestamp(plan["start"].min()).strftime("%Y-%m"))
    picks = plan.iloc[rng.integers(0, len(plan), extra)].copy()
    minutes = [_open_start(rules, rng, int(d)) for d in picks["duration_s"]]
    picks["start"] = (days[rng.integers(0, len(days), extra)] + pd.to_timedelta(minutes, unit="min")).astype(plan["start"].dtype)
    return picks


def _joined(plan: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([plan, extra], ignore_index=True).sort_values("start", kind="stable").reset_index(drop=True)


def more_airings(plan: pd.DataFrame, share: float, rules: Rules, seed: int = 0) -> pd.DataFrame:
    """The plan plus `share` more airings, copied from its own at random days and open times."""
    return _joined(plan, _copies(plan, share, rules, seed))


def with_channel(plan: pd.DataFrame, channel: str, share: float, rules: Rules, seed: int = 0) -> pd.DataFrame:
    """The plan plus airings on a new `channel`, `share` as many as the plan has, copied from its own at
    random days and open times. The forecaster prices an unseen channel like an average one."""
    return _joined(plan, _copies(plan, share, rules, seed).assign(channel=channel))


def roll_plan(plan: pd.DataFrame, month: str) -> pd.DataFrame:
    """The plan carried into `month`: each day gets the airings of a plan day on the same weekday (the
    same week of the month where there is one): what to assume when a later month's plan is not known."""
    if len(plan) == 0:
        return plan.copy()
    days = month_days(month)
    plan_days = plan["start"].dt.normalize()
    first, last = plan_days.min(), plan_days.max()
    pieces = []
    for i, day in enumerate(days):
        source = first + pd.Timedelta(days=(day.weekday() - first.weekday()) % 7 + 7 * (i // 7))
        while source > last and source - pd.Timedelta(days=7) >= first:
            source -= pd.Timedelta(days=7)
        pieces.append(plan[plan_days == source].assign(start=lambda f, shift=day - source: f["start"] + shift))
    return pd.concat(pieces, ignore_index=True).reset_index(drop=True)


# --- side by side ------------------------------------------------------------------------------------

def what_if(
    forecaster,
    month: str,
    scenarios: Mapping[str, pd.DataFrame],
    rules: Rules,
    history: pd.DataFrame | None,
    staff_mix: pd.DataFrame | None = None,
    leave: pd.DataFrame | None = None,
    *,
    target: Target = Target(),
    time_limit_s: float = 8.0,
    max_solves: int = 6,
    solve=None,
    first=None,
    progress: Callable[[str], None] | None = None,
    run_trials: RunTrials = in_process,
    at_once: int = 1,
) -> pd.DataFrame:
    """One row per scenario (ad plan) of the same month: airings, expected calls, agent-hours needed,
    the relaxation's bound and the required headcount (verified by roster solves), side by side.

    The first scenario is searched from its estimate (or taken from `first`, its HeadcountResult when
    already solved); the others start at their estimate plus the first's distance from its estimate, so
    each usually needs two or three roster solves. `run_trials` and `at_once` dispatch each search's roster
    solves (scheduler.headcount.required_headcount): side by side on job workers, the same rows.
    """
    say = progress or (lambda _m: None)
    index = month_intervals(month, rules)
    share = mix_leave_share(staff_mix, leave, month_days(month), rules)  # the same for every scenario
    rows, offset = [], None
    for name, plan in scenarios.items():
        say(f"scenario {name}: {len(plan)} airings")
        forecast = forecaster.predict(index, plan)
        req = planned_requirement(forecast["mean"], history, plan, rules)
        b, start = None, None
        if offset is not None:
            b = headcount_bound(req, rules, ads=plan, leave_share=share, target=target)
            start = agents_for_on_phone(b.estimate, staff_mix, rules) + offset
        if offset is None and first is not None:
            result = first
        else:
            result = required_headcount(req, rules, staff_mix, leave=leave, ads=plan, target=target,
                                        time_limit_s=time_limit_s, max_solves=max_solves, start=start, bound=b,
                                        solve=solve, progress=say, run_trials=run_trials, at_once=at_once)
        if offset is None and result.agents is not None:
            offset = result.agents - result.estimate_agents
        minutes = rules.interval_minutes
        rows.append({
            "scenario": name, "airings": len(plan), "channels": int(plan["channel"].nunique()) if len(plan) else 0,
            "expected_calls": float(forecast["mean"].sum()), "calls_low": float(forecast["lower"].sum()),
            "calls_high": float(forecast["upper"].sum()),
            "agent_hours": float(req["scheduled"].sum() * minutes / 60), "peak_scheduled": int(req["scheduled"].max()),
            "bound_agents": result.lower_bound_agents, "estimate_agents": result.estimate_agents,
            "required_agents": result.agents, "leaders": result.leaders,
            "verified": result.verified, "margin": result.margin, "solves": result.solves,
            "service_level": float(result.curve.loc[result.agents, "service_level"]) if result.agents is not None else np.nan,
            "abandoned_calls": float(result.curve.loc[result.agents, "abandoned_calls"]) if result.agents is not None else np.nan,
        })
    return pd.DataFrame(rows).set_index("scenario")


def monthly_headcounts(
    forecaster,
    months: list[str],
    plan_for: Callable[[str], pd.DataFrame | None],
    rules: Rules,
    history: pd.DataFrame | None,
    staff_mix: pd.DataFrame | None = None,
    *,
    calibration: int = 0,
    target: Target = Target(),
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Required agents for each month ahead from the relaxation's estimate plus `calibration` (the gap between
    the estimate and the roster-verified headcount of a month solved in full), without roster solves."""
    say = progress or (lambda _m: None)
    rows = []
    for month in months:
        plan = plan_for(month)
        forecast = forecaster.predict(month_intervals(month, rules), plan)
        req = planned_requirement(forecast["mean"], history, plan, rules)
        b = headcount_bound(req, rules, ads=plan, target=target)
        lower = agents_for_on_phone(b.on_phone, staff_mix, rules)
        estimate = agents_for_on_phone(b.estimate, staff_mix, rules)
        rows.append({"month": month, "expected_calls": float(forecast["mean"].sum()),
                     "peak_scheduled": int(req["scheduled"].max()), "bound_agents": lower, "estimate_agents": estimate,
                     "required": max(lower, estimate + calibration), "feasible": b.feasible})
        say(f"{month}: {forecast['mean'].sum():,.0f} calls expected, estimate {estimate} agents -> {rows[-1]['required']}")
    return pd.DataFrame(rows).set_index("month")
