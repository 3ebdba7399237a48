"""Loaders for what the forecaster reads: interval call counts, call records, ad airings."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from core import tables, times
from core.errors import DataError
from core.rules import ALLOWED_INTERVALS

CALLS_COLUMNS = ("interval_start", "calls")
CALLS_OPTIONAL = ("answered", "abandoned", "aht_s")
RECORD_COLUMNS = ("arrived_at",)
RECORD_OPTIONAL = ("answered_at", "ended_at", "outcome", "handle_s")
OUTCOMES = ("answered", "abandoned")
ADS_COLUMNS = ("start", "duration_s", "channel", "product")
ADS_OPTIONAL = ("grp", "cost")
MAX_AIRING_S = 3600

Source = str | Path | BinaryIO | bytes


def _interval_minutes(frame: pd.DataFrame, starts: pd.Series, given: int | None) -> int:
    """The grid the data is on: the one given, or the coarsest allowed grid every start sits on."""
    step = given or times.grid_minutes(starts)
    tables.fail_at(frame, times.off_grid(starts, step), "interval_start", times.grid_phrase(step))
    return step


def calls_from_table(frame: pd.DataFrame, interval_minutes: int | None = None) -> pd.DataFrame:
    """Check and type a calls table of strings (see load_calls)."""
    source = frame.attrs.get("source", "calls")
    starts = tables.datetimes(frame, "interval_start")
    step = _interval_minutes(frame, starts, interval_minutes)
    tables.no_duplicates(frame, starts, "interval_start", "interval")
    backwards = np.r_[False, np.diff(starts.to_numpy()) < np.timedelta64(0)]
    tables.fail_at(frame, backwards, "interval_start", "intervals in time order (this one comes before the row above it)")
    out = pd.DataFrame(index=pd.DatetimeIndex(starts, name="interval_start"))
    out["calls"] = tables.numbers(frame, "calls", whole=True, minimum=0).to_numpy().astype(np.int64)
    for col in ("answered", "abandoned"):
        if col in frame:
            out[col] = tables.numbers(frame, col, whole=True, minimum=0).to_numpy().astype(np.int64)
    if "aht_s" in frame:
        out["aht_s"] = tables.numbers(frame, "aht_s", above=0, allow_empty=True).to_numpy()
    if "answered" in out and "abandoned" in out:
        tables.fail_at(
            frame, (out["answered"] + out["abandoned"] > out["calls"]).to_numpy(), "calls",
            "at least answered + abandoned calls",
        )
    for col in ("answered", "abandoned"):
        if col in out:
            tables.fail_at(frame, (out[col] > out["calls"]).to_numpy(), col, "no more than the calls of the interval")
    out.attrs["interval_minutes"] = step
    out.attrs["source"] = source
    return out


def load_calls(path: Source, interval_minutes: int | None = None, source: str | None = None) -> pd.DataFrame:
    """Interval call counts: a DataFrame on a sorted DatetimeIndex `interval_start`.

    Columns: `calls` and, when the file has them, `answered`, `abandoned` (int64) and `aht_s` (float).
    Gaps (closed hours, missing days) are allowed; the grid (15, 30 or 60 min) follows the data unless
    given, and is kept in `attrs["interval_minutes"]`.
    """
    frame = tables.read_table(path, CALLS_COLUMNS, CALLS_OPTIONAL, source=source,
                              needs="a forecast needs call history, one row per interval")
    return calls_from_table(frame, interval_minutes)


def load_call_records(path: Source, source: str | None = None) -> pd.DataFrame:
    """One row per call: `arrived_at` and, when given, `answered_at`, `ended_at`, `outcome`, `handle_s`."""
    frame = tables.read_table(path, RECORD_COLUMNS, RECORD_OPTIONAL, source=source,
                              needs="a forecast needs call history, one row per call")
    return records_from_table(frame)


def records_from_table(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"arrived_at": tables.datetimes(frame, "arrived_at")})
    for col in ("answered_at", "ended_at"):
        if col in frame:
            out[col] = tables.datetimes(frame, col, "a local date and time like 2026-12-01 08:15:30", allow_empty=True)
    if "answered_at" in out:
        tables.fail_at(frame, (out["answered_at"] < out["arrived_at"]).to_numpy(), "answered_at", "a time not before arrived_at")
    if "ended_at" in out:
        tables.fail_at(frame, (out["ended_at"] < out["arrived_at"]).to_numpy(), "ended_at", "a time not before arrived_at")
    if "outcome" in frame:
        out["outcome"] = tables.choices(frame, "outcome", OUTCOMES, allow_empty=True).replace("", None)
    elif "answered_at" in out:
        out["outcome"] = np.where(out["answered_at"].notna(), "answered", "abandoned")
    if "handle_s" in frame:
        out["handle_s"] = tables.numbers(frame, "handle_s", minimum=0, allow_empty=True)
    elif "answered_at" in out and "ended_at" in out:
        out["handle_s"] = (out["ended_at"] - out["answered_at"]).dt.total_seconds()
    out.attrs["source"] = frame.attrs.get("source", "records")
    return out


def aggregate_call_records(records: pd.DataFrame, interval_minutes: int = 15) -> pd.DataFrame:
    """Call records -> interval counts (calls, answered, abandoned, aht_s) in load_calls' shape.

    Only intervals with at least one arrival appear; AHT is the mean handle time of the answered calls
    that arrived in the interval (NaN when none was answered).
    """
    if interval_minutes not in ALLOWED_INTERVALS:
        raise DataError("records", f"interval_minutes must be one of {ALLOWED_INTERVALS}, got {interval_minutes}")
    arrived = times.local_times(records["arrived_at"], records.attrs.get("source", "records"), "arrived_at")
    key = arrived.dt.floor(f"{interval_minutes}min").rename("interval_start")
    grouped = records.groupby(key)
    out = pd.DataFrame({"calls": grouped.size().astype(np.int64)})
    if "outcome" in records:
        outcome = records["outcome"]
        out["answered"] = (outcome == "answered").groupby(key).sum().astype(np.int64)
        out["abandoned"] = (outcome == "abandoned").groupby(key).sum().astype(np.int64)
        if "handle_s" in records:
            handled = records["handle_s"].where(outcome == "answered")
            out["aht_s"] = handled.groupby(key).mean()
    elif "handle_s" in records:
        out["aht_s"] = records["handle_s"].groupby(key).mean()
    out.index = pd.DatetimeIndex(out.index, name="interval_start")
    out.attrs["interval_minutes"] = interval_minutes
    return out


def history_grid(calls: pd.DataFrame | pd.Series) -> int:
    """The grid a call history is on: the loader's `attrs["interval_minutes"]`, else read from its times."""
    step = calls.attrs.get("interval_minutes")
    if step is None:
        step = times.grid_minutes(calls.index) if len(calls.index) > 1 else min(ALLOWED_INTERVALS)
    return int(step)


def calls_on_grid(calls: pd.DataFrame | pd.Series, interval_minutes: int) -> pd.DataFrame | pd.Series:
    """The call history on the `interval_minutes` grid, in the shape it came in.

    A finer history is summed into the coarser intervals (calls, answered, abandoned added; `aht_s` the
    call-weighted mean of the parts that measured one) and keeps the grid it came from in
    `attrs["summed_from_minutes"]`. A history already on the grid comes back as it is. A coarser one is a
    DataError naming its source and both grids: its counts cannot be split into shorter intervals.
    """
    if interval_minutes not in ALLOWED_INTERVALS:
        raise DataError("rules", f"interval_minutes must be one of {ALLOWED_INTERVALS}, got {interval_minutes}")
    source = calls.attrs.get("source", "calls")
    step = history_grid(calls)
    if step == interval_minutes:
        return calls
    if step > interval_minutes:
        raise DataError(
            source,
            f"the call history is on a {step}-minute grid, coarser than the rules' {interval_minutes}-minute "
            f"intervals: a {step}-minute count cannot be split into {interval_minutes}-minute ones; give a history "
            f"on the {interval_minutes}-minute grid (or finer), or set interval_minutes = {step} in the rules",
            column="interval_start",
        )
    index = times.local_index(calls.index, source, "interval_start")
    key = pd.DatetimeIndex(index.floor(f"{interval_minutes}min"), name="interval_start")
    if isinstance(calls, pd.Series):
        out = calls.groupby(key).sum()
    else:
        out = pd.DataFrame(index=pd.DatetimeIndex(key.unique(), name="interval_start"))
        for col in calls.columns:
            if col == "aht_s":
                continue
            out[col] = calls[col].groupby(key).sum()
        if "aht_s" in calls:
            measured = calls["aht_s"].notna().to_numpy()
            weight = calls["calls"].where(measured, 0).astype(float).to_numpy()
            weighted = pd.Series(calls["aht_s"].fillna(0).to_numpy() * weight, index=key).groupby(level=0).sum()
            volume = pd.Series(weight, index=key).groupby(level=0).sum()
            plain = calls["aht_s"].groupby(key).mean()  # parts that measured a handle time but had no calls
            out["aht_s"] = (weighted / volume.where(volume > 0)).fillna(plain)
    out.attrs = {**calls.attrs, "interval_minutes": interval_minutes, "summed_from_minutes": step}
    return out


def ads_from_table(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"start": tables.datetimes(frame, "start", "an airing start like 2026-12-01 09:30:00")})
    out["duration_s"] = tables.numbers(frame, "duration_s", whole=True, above=0, maximum=MAX_AIRING_S).astype(np.int64)
    for col in ("channel", "product"):
        tables.require_filled(frame, col, f"a {col} name")
        out[col] = frame[col].astype(str)
    for col in ADS_OPTIONAL:
        out[col] = tables.numbers(frame, col, minimum=0, allow_empty=True) if col in frame else np.nan
    out = out.sort_values("start", kind="stable").reset_index(drop=True)
    out.attrs["source"] = frame.attrs.get("source", "ads")
    return out


def load_ads(path: Source, source: str | None = None) -> pd.DataFrame:
    """Airings (past or planned): start, duration_s, channel, product, grp, cost; sorted by start.
    A header without rows is a month (or a past) without airings."""
    return ads_from_table(tables.read_table(path, ADS_COLUMNS, ADS_OPTIONAL, source=source, allow_empty=True))
