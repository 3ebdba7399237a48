"""The month forecast the planner rosters against: fit on all history, forecast the month's open intervals."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecasting.data import calls_on_grid
from forecasting.model import CallVolumeForecaster
from core.periods import month_intervals
from core.rules import DEFAULT_RULES, Rules


def forecast_month(
    calls: pd.DataFrame | pd.Series,
    history_ads: pd.DataFrame | None,
    plan: pd.DataFrame | None,
    month: str,
    rules: Rules = DEFAULT_RULES,
    level: float = 0.8,
) -> tuple[CallVolumeForecaster, pd.DataFrame]:
    """The fitted model and the forecast (mean, lower, upper, calendar_known) on the month's open
    intervals of the rules' grid. A finer history is summed to that grid first (forecasting.data.calls_on_grid);
    a coarser one is a DataError, since the rules' intervals are what staffing and the roster plan on."""
    calls = calls_on_grid(calls, rules.interval_minutes)
    model = CallVolumeForecaster(level=level, rules=rules).fit(calls, history_ads)
    index = month_intervals(month, rules)
    return model, model.predict(index, plan)


@dataclass(frozen=True)
class MonthSummary:
    """Headline numbers of a month forecast for people: totals, the busiest day and interval, the ads' share."""

    calls: float
    calls_low: float  # the intervals' lower bounds summed
    calls_high: float
    calls_per_day_mean: float
    busiest_day: pd.Timestamp
    busiest_interval: pd.Timestamp
    busiest_interval_calls: float
    airings: int | None = None  # planned airings, when the model learnt an ad response
    calls_from_airings: float | None = None


def month_summary(model: CallVolumeForecaster, forecast: pd.DataFrame, plan: pd.DataFrame | None) -> MonthSummary:
    """The headline numbers of `forecast` (mean, lower, upper per interval) under `plan`."""
    daily = forecast["mean"].groupby(forecast.index.normalize()).sum()
    peak = forecast["mean"].idxmax()
    with_ads = plan is not None and len(plan) > 0 and model.has_ads_
    return MonthSummary(
        calls=float(forecast["mean"].sum()),
        calls_low=float(forecast["lower"].sum()),
        calls_high=float(forecast["upper"].sum()),
        calls_per_day_mean=float(daily.mean()),
        busiest_day=daily.idxmax(),
        busiest_interval=peak,
        busiest_interval_calls=float(forecast.loc[peak, "mean"]),
        airings=int(len(plan)) if with_ads else None,
        calls_from_airings=float(model.calls_per_airing(plan).sum()) if with_ads else None,
    )


def response_curves_by_channel(model: CallVolumeForecaster) -> pd.DataFrame:
    """Extra calls per minute by minutes since an airing (bin midpoints), one column per channel:
    the learned lag curve scaled to each channel's mean calls per airing. Empty without ads."""
    curve = model.response_curve()
    if curve.empty or curve["calls"].sum() <= 0:
        return pd.DataFrame()
    per_channel = model.response_by("channel")["calls_per_airing"]
    shape = curve["calls_per_minute"].to_numpy() / curve["calls"].sum()
    minutes = pd.Index((curve["from_min"] + curve["to_min"]) / 2, name="minute")
    return pd.DataFrame({channel: shape * cpa for channel, cpa in per_channel.items()}, index=minutes)
