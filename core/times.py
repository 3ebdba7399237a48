"""Time in one place: naive local wall-clock times in one unit, and the arithmetic and grid checks on them.

Times reach the project in any `datetime64` unit: pandas 3 parses ISO strings to microseconds, numpy and
older pandas give nanoseconds, a caller may hand seconds or milliseconds. `local_index` / `local_times`
bring them to UNIT at each entry point; the arithmetic here casts through numpy's datetime64 units, so
it is right for any unit even where a caller skipped that step (never raw int64 counts of an assumed unit).

A call center plans in its own wall-clock time, and a time zone cannot be guessed from the data: a
time-zone-aware input is a DataError naming its source and column, never converted silently.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from core.errors import DataError
from core.rules import ALLOWED_INTERVALS

UNIT = "ns"  # what every loader and entry point hands on; datetime64[ns] spans 1678-2261
# The whole years UNIT can hold (it ends on 2262-04-11): what a time or a month in the input may be.
FIRST_YEAR, LAST_YEAR = 1678, 2261
YEARS = f"between {FIRST_YEAR} and {LAST_YEAR}"
_EPOCH_MINUTES = "datetime64[m]"

Times = pd.DatetimeIndex | pd.Series | np.ndarray | Iterable


def _naive_index(values: Times, source: str, column: str) -> pd.DatetimeIndex:
    if isinstance(values, pd.Series):
        values = values.array
    elif not isinstance(values, (pd.Index, pd.api.extensions.ExtensionArray, np.ndarray, list, tuple)):
        values = list(values)  # a generator or a set: read once
    raw = np.asarray(values)
    if raw.size and raw.dtype.kind in "iufb":
        # Bare numbers would be read as nanoseconds since 1970: a unit nobody meant.
        raise DataError(source, "expected local date-times, got numbers", column=column)
    try:
        index = pd.DatetimeIndex(values)
    except (TypeError, ValueError) as exc:
        if any(word in str(exc).lower() for word in ("tz", "timezone")):
            index = None  # times in several zones, or zoned and naive mixed: pandas refuses to put them together
        else:
            raise DataError(source, f"expected local date-times, got values pandas cannot read as times ({exc})",
                            column=column) from None
    if index is None or index.tz is not None:
        zone = "several zones, or zoned and naive mixed" if index is None else str(index.tz)
        raise DataError(
            source,
            f"times carry a time zone ({zone}); Shiftcast works in the center's local wall-clock time: convert "
            "them first, e.g. .tz_convert('Asia/Shanghai').tz_localize(None)",
            column=column,
        )
    return index


def _in_unit(index: pd.DatetimeIndex, source: str, column: str) -> pd.DatetimeIndex:
    try:
        return index.as_unit(UNIT)
    except pd.errors.OutOfBoundsDatetime:
        raise DataError(source, f"times must lie {YEARS}, got {index.min()} to {index.max()}",
                        column=column) from None


def out_of_range(values: pd.Series) -> np.ndarray:
    """True where a parsed time (any unit; NaT is fine) lies outside the years UNIT can hold: a row to name
    before `local_times` would fail on the column as a whole."""
    years = pd.DatetimeIndex(values).year.to_numpy(dtype="float64", na_value=np.nan)
    return (years < FIRST_YEAR) | (years > LAST_YEAR)


def local_index(values: Times, source: str, column: str) -> pd.DatetimeIndex:
    """Any datetime-like values as a naive DatetimeIndex in UNIT (its name kept); time-zone-aware is a DataError."""
    index = _naive_index(values, source, column)
    return _in_unit(index, source, column)


def local_times(series: pd.Series, source: str, column: str) -> pd.Series:
    """A Series of datetime-likes as naive datetime64[UNIT] on the same index; time-zone-aware is a DataError."""
    index = local_index(series, source, column)
    return pd.Series(index.to_numpy(), index=series.index, name=series.name)


def _datetime64(times: Times) -> np.ndarray:
    """The times as a numpy datetime64 array in their own unit."""
    if isinstance(times, (pd.Series, pd.Index)) and isinstance(times.dtype, pd.DatetimeTZDtype):
        raise TypeError("time arithmetic needs naive local times: pass them through core.times.local_index first")
    if isinstance(times, pd.Series):
        return times.to_numpy()
    values = np.asarray(times)
    return values if values.dtype.kind == "M" else pd.DatetimeIndex(values).to_numpy()


def epoch_days(times: Times) -> np.ndarray:
    """Whole days since 1970-01-01 (int64) of each time, whatever its unit."""
    return _datetime64(times).astype("datetime64[D]").astype(np.int64)


def epoch_minutes(times: Times, *, exact: bool = False) -> np.ndarray:
    """Minutes since 1970-01-01 of each time: whole (int64, floored) or, with `exact`, to the second (float)."""
    values = _datetime64(times)
    if exact:
        return values.astype("datetime64[s]").astype(np.int64) / 60.0
    return values.astype(_EPOCH_MINUTES).astype(np.int64)


def minute_of_day(times: Times) -> np.ndarray:
    """Minutes since midnight (int64) of each time."""
    values = _datetime64(times)
    return (values.astype(_EPOCH_MINUTES) - values.astype("datetime64[D]")).astype(np.int64)


def off_grid(times: Times, minutes: int) -> np.ndarray:
    """True where a time is not an interval start of the `minutes` grid (a stray minute, second or less)."""
    values = _datetime64(times)
    whole_minute = values.astype(_EPOCH_MINUTES) == values
    return ~whole_minute | (minute_of_day(values) % minutes != 0)


def grid_minutes(times: Times) -> int:
    """The coarsest allowed grid (60, 30, 15 min) no wider than the smallest step that every time sits on;
    the finest when none fits, so that `off_grid` then names the first stray time."""
    values = np.sort(_datetime64(times))
    steps = np.diff(epoch_minutes(values))
    step = int(steps[steps > 0].min()) if (steps > 0).any() else max(ALLOWED_INTERVALS)
    for m in sorted(ALLOWED_INTERVALS, reverse=True):
        if m <= step and not off_grid(values, m).any():
            return m
    return min(ALLOWED_INTERVALS)


def grid_phrase(minutes: int) -> str:
    """'an interval start on the 15-minute grid (minutes :00, :15, :30, :45)': what `off_grid` expects."""
    marks = ", ".join(f":{m:02d}" for m in range(0, 60, minutes))
    return f"an interval start on the {minutes}-minute grid (minutes {marks})"
