"""The whole planning pipeline for one month, as `shiftcast demo` and `shiftcast plan` run it.

Each step is a function of the packages (forecasting, scheduler) over plain tables; this module only
strings them together, reports progress and writes the results into an output folder. The notebooks
call the same steps one by one.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from forecasting import CallVolumeForecaster, forecast_month, month_summary
from forecasting.month import response_curves_by_channel
from forecasting.handle_time import aht_profile
from scheduler.staffing import requirements
from shiftcast.errors import DataError
from shiftcast.exports import charts
from shiftcast.exports.tables import write_frame_csv
from shiftcast.inputs import InputPaths, Inputs, load_inputs, summary_lines

Echo = Callable[[str], None]


@dataclass
class PlanResult:
    """What a planning run produced."""

    inputs: Inputs
    month: str
    model: CallVolumeForecaster | None = None
    forecast: pd.DataFrame | None = None
    requirement: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def forecast_step(inputs: Inputs, month: str) -> tuple[CallVolumeForecaster, pd.DataFrame]:
    """Fit the forecaster on the history and past airings; forecast the month under its ad plan."""
    if inputs.calls is None:
        raise DataError("calls", "planning a month needs the call history (--calls or --records)")
    return forecast_month(inputs.calls, inputs.ads, inputs.plan, month, inputs.rules)


def requirement_step(inputs: Inputs, forecast: pd.DataFrame) -> pd.DataFrame:
    """Agents needed per open interval of the month, for the forecast's mean calls."""
    rules = inputs.rules
    aht = aht_profile(inputs.calls, forecast.index, rules.service.aht_s)
    table = requirements(forecast["mean"], aht, rules.service, rules.interval_minutes)
    table.index.name = "interval_start"
    return table


def _timed(result: PlanResult, name: str, func, *args):
    started = time.perf_counter()
    value = func(*args)
    result.seconds[name] = round(time.perf_counter() - started, 2)
    return value


def run_plan(paths: InputPaths, month: str, out_dir: Path, echo: Echo = print, lang: str = "zh") -> PlanResult:
    """Load and check the inputs, then plan `month`, writing results into `out_dir`."""
    inputs = load_inputs(paths)
    result = PlanResult(inputs=inputs, month=month)
    echo("Inputs")
    for line in summary_lines(inputs):
        echo("  " + line)
    out_dir.mkdir(parents=True, exist_ok=True)

    echo(f"Forecast of {month}…")
    result.model, result.forecast = _timed(result, "forecast", forecast_step, inputs, month)
    s = month_summary(result.model, result.forecast, inputs.plan)
    echo(f"  {s['calls']:,.0f} calls expected ({s['calls_per_day_mean']:,.0f} a day), busiest day {s['busiest_day']}, "
         f"busiest interval {s['busiest_interval'][5:16]} with {s['busiest_interval_calls']:.0f} calls")
    if "airings" in s:
        echo(f"  {s['airings']} planned airings bring about {s['calls_from_airings']:,.0f} of them")
    if not s["calendar_known"]:
        echo("  warning: the holiday calendar does not know this month's year; add [[calendar]] days to the rules")

    result.requirement = _timed(result, "staffing", requirement_step, inputs, result.forecast)
    req = result.requirement
    minutes = inputs.rules.interval_minutes
    echo(f"Staffing: peak {req['agents'].max()} agents on the phones ({req['scheduled'].max()} to schedule after "
         f"{inputs.rules.service.shrinkage:.0%} shrinkage), {req['scheduled'].sum() * minutes / 60:,.0f} scheduled hours in the month")

    with warnings.catch_warnings():
        # Without a CJK font the charts fall back to English; one note, not a warning per glyph.
        warnings.simplefilter("ignore", UserWarning)
        if lang == "zh" and charts.cjk_font() is None:
            echo("  note: no Chinese font installed (apt-get install fonts-wqy-microhei); charts use English labels")
        result.files += _write_forecast_files(result, out_dir, lang)
    echo("Wrote " + ", ".join(str(p) for p in result.files))
    return result


def _write_forecast_files(result: PlanResult, out_dir: Path, lang: str) -> list[Path]:
    forecast = result.forecast[["mean", "lower", "upper"]].round(3)
    forecast.index.name = "interval_start"
    paths = [out_dir / "forecast.csv", out_dir / "requirement.csv", out_dir / "forecast.png", out_dir / "ad_response.png"]
    write_frame_csv(paths[0], forecast)
    write_frame_csv(paths[1], result.requirement)
    charts.write_png(paths[2], charts.forecast_chart(forecast, result.inputs.plan, lang=lang))
    curve = response_curves_by_channel(result.model)
    if not curve.empty:
        charts.write_png(paths[3], charts.ad_response_chart(curve, lang=lang))
    else:
        paths.pop()
    return paths
