"""Forecasting: calls per interval from the call history and the ad-airing plan."""
from forecasting.evaluation import BacktestResult, backtest, seasonal_naive, wape, weekday_mean
from forecasting.model import CallVolumeForecaster
from forecasting.month import forecast_month, month_summary

__all__ = ["CallVolumeForecaster", "backtest", "BacktestResult", "seasonal_naive", "weekday_mean", "wape", "forecast_month", "month_summary"]
