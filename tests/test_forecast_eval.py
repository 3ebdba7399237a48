"""Backtest, baselines, metrics and the holiday calendar."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasting import backtest, seasonal_naive, wape, weekday_mean
from forecasting.evaluation import coverage, mase_scale
from forecasting.holidays import calendar_days, unknown_years, year_known
from forecasting.synthetic import World
from core.rules import CalendarOverride


def _ramp(days: int = 35) -> pd.Series:
    idx = pd.date_range("2026-01-05 08:00", periods=days * 4, freq="6h")
    return pd.Series(np.arange(len(idx), dtype=float), index=idx)


def test_seasonal_naive_takes_the_same_interval_a_week_earlier():
    history = _ramp()
    future = pd.date_range(history.index[-1] + pd.Timedelta(hours=6), periods=40, freq="6h")
    naive = seasonal_naive(history, future)
    for t in future:
        weeks = int(np.ceil((t - history.index[-1]) / pd.Timedelta(days=7)))
        assert naive[t] == history[t - pd.Timedelta(days=7 * weeks)]


def test_weekday_mean_averages_the_last_four_same_weekdays():
    history = _ramp()
    t = history.index[-1] + pd.Timedelta(hours=6)
    expected = np.mean([history[t - pd.Timedelta(days=7 * k)] for k in range(1, 5)])
    assert weekday_mean(history, pd.DatetimeIndex([t]))[t] == pytest.approx(expected)
    # With only two weeks of history it averages what there is.
    short = history.iloc[-14 * 4:]
    expected2 = np.mean([short[t - pd.Timedelta(days=7 * k)] for k in range(1, 3)])
    assert weekday_mean(short, pd.DatetimeIndex([t]))[t] == pytest.approx(expected2)


def test_metrics():
    assert wape([10, 10], [12, 7]) == pytest.approx(0.25)
    assert coverage([1, 5, 9], [0, 6, 0], [2, 7, 9]) == pytest.approx(2 / 3)
    s = pd.Series([1.0, 3.0], index=pd.to_datetime(["2026-01-01", "2026-01-08"]))
    assert mase_scale(s) == pytest.approx(2.0)


@pytest.mark.slow
def test_backtest_beats_the_baselines_on_a_known_world():
    calls, ads, mean = World(days=98, airings_per_day=5, seed=31).draw()
    origins = pd.date_range(calls.index[-1].normalize() - pd.Timedelta(days=13), periods=2, freq="7D")
    result = backtest(calls, ads, origins=origins, horizon="7D")
    s = result.summary()
    assert s["origins"] == 2
    assert len(result.forecasts) == (calls.index >= origins[0]).sum()
    assert s["wape_model"] < 0.8 * min(s["wape_seasonal_naive"], s["wape_weekday_mean"])
    assert 0.7 <= s["coverage"] <= 0.92
    # The oracle is the floor: the model is close to it.
    f = result.forecasts
    assert s["wape_model"] < 1.1 * wape(f["actual"], mean[f.index])
    assert set(result.metrics["method"]) == {"model", "seasonal_naive", "weekday_mean"}
    # horizon=None: each origin forecasts up to the next one.
    chained = backtest(calls, None, origins=origins, horizon=None)
    assert chained.forecasts.index.min().normalize() == origins[0] and chained.forecasts.index.max() == calls.index[-1]


def test_calendar_days_holidays_makeup_days_and_overrides():
    cal = calendar_days(pd.to_datetime(["2026-10-01", "2026-10-10", "2026-10-12", "2027-10-01"]))
    assert cal.loc["2026-10-01", "kind"] == "holiday" and cal.loc["2026-10-01", "name"] == "National Day"
    assert cal.loc["2026-10-10", "kind"] == "workday"  # a Saturday worked to make up for National Day
    assert cal.loc["2026-10-12", "kind"] == ""
    assert not cal.loc["2027-10-01", "known"]
    assert year_known(2026) and not year_known(2027)
    assert unknown_years(pd.to_datetime(["2026-12-31", "2027-01-04"])) == [2027]
    override = CalendarOverride(dt.date(2027, 1, 1), "holiday", "New Year's Day")
    cal2 = calendar_days(pd.to_datetime(["2027-01-01"]), [override])
    assert cal2.loc["2027-01-01", "kind"] == "holiday" and cal2.loc["2027-01-01", "known"]
    # A user override beats the package: the center works on this holiday.
    worked = calendar_days(pd.to_datetime(["2026-10-02"]), [CalendarOverride(dt.date(2026, 10, 2), "workday", "open")])
    assert worked.loc["2026-10-02", "kind"] == "workday"
