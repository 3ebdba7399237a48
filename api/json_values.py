"""Table cells and tables as JSON values: the API's one conversion from NumPy and pandas to JSON."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def json_scalar(value: Any) -> Any:
    """A table cell as JSON writes it: NumPy scalars as Python ones, NaN/NaT/NA as null, times as ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (pd.Timestamp, pd.Timedelta)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def scalars(mapping: dict) -> dict:
    """A flat mapping with JSON values (lists of names stay lists of text)."""
    return {str(k): [str(x) for x in v] if isinstance(v, (list, tuple)) else json_scalar(v) for k, v in mapping.items()}


def records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame as one flat JSON object per row; a named index is a column."""
    idx = frame.index
    default = isinstance(idx, pd.RangeIndex) and idx.name is None and idx.start == 0 and idx.step == 1
    rows = frame if default else frame.reset_index()  # a named index (pandas 3 may make it a range) is data
    return [scalars(row) for row in rows.to_dict("records")]


def table(frame: pd.DataFrame) -> dict:
    """A DataFrame as {"columns": [...], "rows": [[...], ...]}: names once, not once per row."""
    return {"columns": [str(c) for c in frame.columns],
            "rows": [[json_scalar(v) for v in row] for row in frame.itertuples(index=False, name=None)]}


def interval_records(frame: pd.DataFrame) -> list[dict]:
    """A per-interval table (forecast, requirement) as JSON rows, interval_start first as YYYY-MM-DDTHH:MM."""
    rows = records(frame.reset_index(drop=True))
    return [{"interval_start": start.strftime("%Y-%m-%dT%H:%M"), **row} for start, row in zip(frame.index, rows)]
