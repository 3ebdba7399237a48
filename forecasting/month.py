"""The month forecast the planner rosters against: fit on all history, forecast the month's open intervals."""
from __future__ import annotations


import pandas as pd

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
    intervals. The rules' interval length is used when the history is on it, else the history's."""
    step = calls.attrs.get("interval_minutes") if hasattr(calls, "attrs") else None
    if step is not None and step != rules.interval_minutes:
        from dataclasses import replace

        rules = replace(rules, interval_minutes=step)
    model = CallVolumeForecaster(level=level, rules=rules).fit(calls, history_ads)
    index = month_intervals(month, rules)
    return model, model.predict(index, plan)


def month_summary(model: CallVolumeForecaster, forecast: pd.DataFrame, plan: pd.DataFrame | None) -> dict:
    """Headline numbers of a month forecast for people: totals, busiest interval, the ads' share."""
    daily = forecast["mean"].groupby(forecast.index.normalize()).sum()
    peak = forecast["mean"].idxmax()
    out = {
        "intervals": int(len(forecast)),
        "calls": round(float(forecast["mean"].sum()), 1),
        "calls_low": round(float(forecast["lower"].sum()), 1),
        "calls_high": round(float(forecast["upper"].sum()), 1),
        "calls_per_day_mean": round(float(daily.mean()), 1),
        "busiest_day": str(daily.idxmax().date()),
        "busiest_interval": str(peak),
        "busiest_interval_calls": round(float(forecast.loc[peak, "mean"]), 1),
        "calendar_known": bool(forecast["calendar_known"].all()),
    }
    if plan is not None and len(plan) and model.has_ads_:
        out["airings"] = int(len(plan))
        out["calls_from_airings"] = round(float(model.calls_per_airing(plan).sum()), 1)
    return out


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
