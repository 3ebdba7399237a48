"""Forecasting: calls per interval from the call history and the ad-airing plan.

`CallVolumeForecaster` (model: the baseline of `baseline` plus the ad response of `adresponse`), the
month forecast the planner rosters against (`month`), rolling-origin backtests and their baselines
(`evaluation`), public holidays (`holidays`), expected handle time (`handle_time`), the loaders of
calls and ads (`data`), and a small world with a known truth for tests (`synthetic`).
"""
from forecasting.evaluation import BacktestResult, backtest, seasonal_naive, wape, weekday_mean
from forecasting.model import CallVolumeForecaster
from forecasting.month import MonthSummary, forecast_month, month_summary

__all__ = ["CallVolumeForecaster", "backtest", "BacktestResult", "seasonal_naive", "weekday_mean", "wape", "forecast_month", "month_summary", "MonthSummary"]
