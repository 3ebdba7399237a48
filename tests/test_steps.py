"""The planning steps (shiftcast.steps) read what they need from the tables themselves, not from attributes
that a trip through JSON or CSV loses."""
from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd

from core.periods import month_intervals
from core.rules import DEFAULT_RULES
from scheduler.staffing import requirements
from shiftcast.steps import month_requirement


def test_a_30_minute_forecast_is_sized_as_30_minute_intervals_without_its_attributes():
    index = month_intervals("2026-12", replace(DEFAULT_RULES, interval_minutes=30))
    calls = pd.Series(np.linspace(10, 60, len(index)), index=index, name="mean")
    service = DEFAULT_RULES.service
    sized = month_requirement(calls, None, DEFAULT_RULES)  # the rules say 15 minutes; the calls are per 30
    assert sized.attrs["interval_minutes"] == 30
    assert sized["agents"].tolist() == requirements(calls, service.aht_s, service, 30)["agents"].tolist()
    # Read as 15-minute intervals the same calls would ask for more agents at once: the error this avoids.
    assert (requirements(calls, service.aht_s, service, 15)["agents"] > sized["agents"]).any()
    roundtrip = pd.read_csv(io.StringIO(calls.to_csv()), index_col=0, parse_dates=True)["mean"]
    assert month_requirement(roundtrip, None, DEFAULT_RULES).equals(sized)


def test_a_history_coarser_than_the_intervals_to_staff_is_refused_naming_it():
    import pytest

    from core.errors import DataError

    index = month_intervals("2026-12", DEFAULT_RULES)  # 15-minute intervals to staff
    calls = pd.Series(20.0, index=index, name="mean")
    hours = month_intervals("2026-11", replace(DEFAULT_RULES, interval_minutes=60))
    history = pd.DataFrame({"calls": 80, "aht_s": 200.0}, index=pd.DatetimeIndex(hours, name="interval_start"))
    history.attrs = {"interval_minutes": 60, "source": "hourly.csv"}
    with pytest.raises(DataError) as error:
        month_requirement(calls, history, DEFAULT_RULES)
    assert error.value.file == "hourly.csv" and "60-minute grid" in str(error.value)
