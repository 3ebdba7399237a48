"""Forecasting: calls per interval from the call history and the ad-airing plan."""
from forecasting.model import CallVolumeForecaster

__all__ = ["CallVolumeForecaster"]
