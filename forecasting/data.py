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
