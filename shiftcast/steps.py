"""The planning steps: each question of the flow (forecast, requirement, roster) answered in one place.

The CLI, the API's jobs, the notebooks and the benchmarks call these functions; none of them forecasts,
sizes or rosters another way. Each step reads an `Inputs` (what the user gave, loaded and checked) and
the previous step's table, and returns plain tables or dataclasses; none reads or writes files.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from core import times
from core.errors import DataError
from core.rules import Rules
from forecasting import CallVolumeForecaster, forecast_month
from forecasting.handle_time import aht_profile
from scheduler.erlang import Model
from scheduler.roster import Roster, solve
from scheduler.staffing import requirements
from shiftcast.inputs import Inputs


@dataclass
class MonthForecast:
    """A month's forecast: the fitted model and its table (mean, lower, upper, calendar_known per interval)."""

    model: CallVolumeForecaster
    table: pd.DataFrame


def forecast_step(inputs: Inputs, month: str, *, level: float = 0.8) -> MonthForecast:
    """Fit the forecaster on the history and past airings; forecast the month under its ad plan, with a
    `level` prediction interval."""
    if inputs.calls is None:
        raise DataError("calls", "planning a month needs the call history (--calls or --records)")
    model, table = forecast_month(inputs.calls, inputs.ads, inputs.plan, month, inputs.rules, level)
    return MonthForecast(model=model, table=table)


def month_requirement(calls_mean: pd.Series, history: pd.DataFrame | None, rules: Rules, *,
                      model: Model = "erlang_c") -> pd.DataFrame:
    """Agents to roster per interval for the expected calls (scheduler.staffing, the rules' targets, the
    queue `model`), with the handle time the recent history shows at each time of day
    (forecasting.handle_time). An interval is as long as the grid the calls are on (a 30-minute history gives a
    30-minute forecast whatever the rules say), read from the times themselves so a table that lost its
    attributes on the way (JSON, CSV) is sized the same."""
    index = pd.DatetimeIndex(calls_mean.index)
    minutes = times.grid_minutes(index) if len(index) > 1 else rules.interval_minutes
    aht = aht_profile(history, index, rules.service.aht_s) if history is not None else rules.service.aht_s
    table = requirements(calls_mean.astype(float), aht, rules.service, minutes, model=model)
    table.index.name = "interval_start"
    table.attrs["interval_minutes"] = minutes
    return table


def requirement_step(inputs: Inputs, forecast: pd.DataFrame, *, model: Model = "erlang_c") -> pd.DataFrame:
    """Agents needed per open interval of the month, for the forecast's mean calls, met with the queue
    `model` (Erlang C, or Erlang A with the rules' caller patience)."""
    return month_requirement(forecast["mean"], inputs.calls, inputs.rules, model=model)


def roster_step(inputs: Inputs, requirement: pd.DataFrame, *, time_limit_s: float,
                previous: pd.DataFrame | None = None, progress: Callable[[float, float, float], None] | None = None,
                stop: threading.Event | None = None, seed: int | None = None) -> Roster:
    """The month's roster for the requirement, the staff, their leave and the ad plan; with a `seed`, the
    same roster for the same inputs on any machine (scheduler.roster.solve)."""
    if inputs.staff is None:
        raise DataError("staff", "building a roster needs the staff list (--staff)")
    return solve(requirement, inputs.staff, inputs.rules, leave=inputs.leave, ads=inputs.plan, previous=previous,
                 time_limit_s=time_limit_s, progress=progress, stop=stop, seed=seed)
