"""Rolling-origin backtest, the two baselines it is judged against, and the accuracy measures."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from core import times
from forecasting.model import CallVolumeForecaster, _as_series, _check_ads

WEEK = pd.Timedelta(days=7)


def seasonal_naive(history: pd.Series, index: pd.DatetimeIndex) -> pd.Series:
    """The same interval one week earlier (k weeks earlier when the horizon is longer than a week,
    the latest week the history has); 0 where the history has nothing."""
    history = history.sort_index()
    end = history.index[-1]
    index = times.local_index(index, "index", "interval_start")
    weeks = np.maximum(1, np.ceil((index - end) / WEEK).astype(int))
    source = index - pd.to_timedelta(7 * np.asarray(weeks), unit="D")
    return pd.Series(history.reindex(source).fillna(0.0).to_numpy(), index=index, name="seasonal_naive")


def weekday_mean(history: pd.Series, index: pd.DatetimeIndex, weeks: int = 4) -> pd.Series:
    """Mean of the last `weeks` same weekdays at the same interval before the history's end (fewer when
    the history is shorter; missing days are skipped)."""
    history = history.sort_index()
    end = history.index[-1]
    index = times.local_index(index, "index", "interval_start")
    first = np.maximum(1, np.ceil((index - end) / WEEK).astype(int))
    total = np.zeros(len(index))
    count = np.zeros(len(index))
    for k in range(weeks):
        source = index - pd.to_timedelta(7 * (np.asarray(first) + k), unit="D")
        values = history.reindex(source).to_numpy()
        seen = ~np.isnan(values)
        total[seen] += values[seen]
        count[seen] += 1
    mean = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
    return pd.Series(mean, index=index, name="weekday_mean")


def wape(actual, forecast) -> float:
    """Weighted absolute percentage error: sum |error| / sum actual."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    total = actual.sum()
    return float(np.abs(actual - forecast).sum() / total) if total > 0 else float("nan")


def mase_scale(history: pd.Series) -> float:
    """Mean absolute one-week seasonal difference of the history: the MASE denominator."""
    lagged = history.reindex(history.index - WEEK).to_numpy()
    diff = np.abs(history.to_numpy() - lagged)
    diff = diff[~np.isnan(diff)]
    return float(diff.mean()) if len(diff) else float("nan")


def coverage(actual, lower, upper) -> float:
    actual = np.asarray(actual, float)
    return float(np.mean((actual >= np.asarray(lower)) & (actual <= np.asarray(upper)))) if len(actual) else float("nan")


@dataclass
class BacktestResult:
    """`forecasts`: one row per held-out interval and origin (actual, model mean/lower/upper, baselines,
    horizon_day); `metrics`: WAPE and MASE per method and horizon week, and PI coverage."""

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    level: float

    def summary(self) -> dict:
        f = self.forecasts
        open_ = f["mean"] > 0
        out = {m: wape(f["actual"], f[m]) for m in ("mean", "seasonal_naive", "weekday_mean")}
        return {
            "wape_model": out["mean"],
            "wape_seasonal_naive": out["seasonal_naive"],
            "wape_weekday_mean": out["weekday_mean"],
            "coverage": coverage(f.loc[open_, "actual"], f.loc[open_, "lower"], f.loc[open_, "upper"]),
            "level": self.level,
            "origins": int(f["origin"].nunique()),
        }


def backtest(
    calls,
    ads: pd.DataFrame | None = None,
    origins: Iterable | None = None,
    horizon: pd.Timedelta | str | None = "28D",
    make_model: Callable[[], CallVolumeForecaster] | None = None,
    n_origins: int = 6,
    use_ads: bool = True,
) -> BacktestResult:
    """Rolling-origin evaluation: for each origin, fit on everything before it (the airings before it
    too), forecast the next `horizon` with the airings then planned, score against what happened.

    Default origins: `n_origins` steps of `horizon` back from the end of the history. With
    `horizon=None` each origin forecasts up to the next origin (the last one to the end of the data),
    e.g. origins on the first of each month give month-ahead forecasts.
    """
    y = _as_series(calls)
    make_model = make_model or CallVolumeForecaster
    last = y.index[-1].normalize() + pd.Timedelta(days=1)
    if origins is None:
        step = pd.Timedelta(horizon or "28D")
        origins = [last - step * k for k in range(n_origins, 0, -1)]
    origins = times.local_index(list(origins), "origins", "origin").sort_values()
    if horizon is None:
        ends = list(origins[1:]) + [last]
    else:
        ends = [o + pd.Timedelta(horizon) for o in origins]
    ads = _check_ads(ads, "ads") if use_ads else None
    rows = []
    for origin, end in zip(origins, ends):
        past, future = y[y.index < origin], y[(y.index >= origin) & (y.index < end)]
        if len(past) < 2 or future.empty:
            continue
        model = make_model()
        past_ads = plan = None
        if ads is not None:
            past_ads = ads[ads["start"] < origin]
            # The plan is what airs in the window; the airings just before it still bring calls into it.
            plan = ads[(ads["start"] >= origin - pd.Timedelta(hours=4)) & (ads["start"] < end)]
        model.fit(past, past_ads)
        pred = model.predict(future.index, plan)
        frame = pd.DataFrame({
            "origin": origin,
            "actual": future.to_numpy(),
            "mean": pred["mean"].to_numpy(),
            "lower": pred["lower"].to_numpy(),
            "upper": pred["upper"].to_numpy(),
            "seasonal_naive": seasonal_naive(past, future.index).to_numpy(),
            "weekday_mean": weekday_mean(past, future.index).to_numpy(),
            "horizon_day": ((future.index - origin) // pd.Timedelta(days=1)).to_numpy() + 1,
            "scale": mase_scale(past),
        }, index=future.index)
        rows.append(frame)
    if not rows:
        raise ValueError("no origin has both history before it and actuals after it")
    forecasts = pd.concat(rows)
    forecasts["horizon_week"] = (forecasts["horizon_day"] - 1) // 7 + 1
    level = make_model().level
    return BacktestResult(forecasts, _metrics(forecasts), level)


def _metrics(f: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for week, g in f.groupby("horizon_week"):
        open_ = g["mean"] > 0
        for method in ("mean", "seasonal_naive", "weekday_mean"):
            err = np.abs(g["actual"] - g[method])
            rows.append({
                "horizon_week": int(week),
                "method": "model" if method == "mean" else method,
                "wape": wape(g["actual"], g[method]),
                "mase": float((err / g["scale"]).mean()),
                "coverage": coverage(g.loc[open_, "actual"], g.loc[open_, "lower"], g.loc[open_, "upper"]) if method == "mean" else np.nan,
            })
    return pd.DataFrame(rows)
