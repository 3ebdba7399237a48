"""Forecasting: calls per interval from the call history and the ad-airing plan."""
