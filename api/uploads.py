"""Dataset uploads: JSON rows and rules as the canonical CSV and TOML kept in the store, checked by the loaders.

Datasets are stored as canonical CSV (tables) or TOML (rules) and re-read with the project's loaders, so
an upload is validated by exactly the code that reads it later, with the same messages. Staff and leave
(and clock records) may come as .xlsx: the loaders read the workbook (errors name its sheet), and its cells are stored as CSV.
"""
from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

import pandas as pd

from core import tables
from core.errors import DataError
from core.rules import DEFAULT_RULES, Rules, rules_from_dict, rules_to_toml
from forecasting import data as forecast_data
from scheduler import data as schedule_data
from scheduler.clock import CLOCK_COLUMNS, load_clock


def rows_to_csv(rows: list[dict[str, Any]]) -> bytes:
    """JSON rows -> CSV bytes for the loaders: columns in order of first appearance, null as empty."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rules_from_dict_checked(table: dict, source: str = "rules") -> Rules:
    """Rules from a JSON object: the same checks as a TOML file."""
    try:
        return rules_from_dict(table, source=source)
    except DataError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        # The rules parser expects TOML's shapes; JSON can send anything (a number where a table goes).
        raise DataError(source, f"is not a valid rules table ({type(exc).__name__}: {exc})") from None


def canonical_rules(rules: Rules) -> bytes:
    return rules_to_toml(rules).encode("utf-8")


def read_table(kind: str, content: bytes, source: str, *, staff: pd.DataFrame | None = None,
               rules: Rules = DEFAULT_RULES) -> pd.DataFrame:
    """Validate and type a table upload with its loader (a DataError names file, row and column)."""
    try:
        return _loaded(kind, content, source, staff, rules)
    except csv.Error as exc:
        # pandas' C parser lets the csv module's errors through (e.g. a lone carriage return).
        raise DataError(source, f"is not a valid CSV table: {exc}") from None


def _loaded(kind: str, content: bytes, source: str, staff: pd.DataFrame | None, rules: Rules) -> pd.DataFrame:
    if kind == "calls":
        return forecast_data.load_calls(content, source=source)
    if kind == "ads":
        return forecast_data.load_ads(content, source=source)
    if kind == "staff":
        return schedule_data.load_staff(content, rules, source=source)
    if kind == "leave":
        if staff is None:
            raise DataError(source, "leave needs the staff it refers to (staff_id)")
        return schedule_data.load_leave(content, staff, rules, source=source)
    if kind == "clock":
        if staff is None:
            raise DataError(source, "clock records need the staff they refer to (staff_id)")
        return load_clock(content, staff, source=source)
    if kind == "shift_cover":
        return schedule_data.load_shift_cover(content, rules, source=source)
    raise ValueError(kind)


_COLUMNS = {
    "staff": (schedule_data.STAFF_COLUMNS, schedule_data.STAFF_OPTIONAL),
    "leave": (schedule_data.LEAVE_COLUMNS, schedule_data.LEAVE_OPTIONAL),
    "clock": (CLOCK_COLUMNS, ()),
}


def canonical_table(kind: str, content: bytes, source: str) -> bytes:
    """What the store keeps of a table upload: CSV as sent; an .xlsx as the CSV of its first sheet's cells
    (as the loaders read them), so every later read is the CSV path. Call it after `read_table` passed."""
    if kind not in _COLUMNS or not tables.is_xlsx(content):
        return content
    required, optional = _COLUMNS[kind]
    frame = tables.read_table(content, required, optional, source=source, excel=True, allow_empty=True)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def table_summary(kind: str, frame: pd.DataFrame) -> dict:
    """A few facts shown with a dataset: its span, grid, head counts."""
    if kind == "calls":
        idx = frame.index
        return {"first": idx[0].isoformat(), "last": idx[-1].isoformat(),
                "interval_minutes": int(frame.attrs.get("interval_minutes", 15)),
                "calls": int(frame["calls"].sum()), "has_aht": "aht_s" in frame}
    if kind == "shift_cover":
        span = {"first": frame["date"].min().isoformat(), "last": frame["date"].max().isoformat()} if len(frame) else {}
        return {"rows": len(frame), **span}
    if kind in ("ads", "leave") and frame.empty:
        return {"airings": 0} if kind == "ads" else {"requests": 0}
    if kind == "ads":
        return {"first": frame["start"].min().isoformat(), "last": frame["start"].max().isoformat(),
                "airings": len(frame), "channels": int(frame["channel"].nunique())}
    if kind == "staff":
        return {"employees": len(frame), **{f"role_{k}": int(v) for k, v in frame["role"].value_counts().items()}}
    if kind == "clock":
        return {"first": frame["time"].min().isoformat(), "last": frame["time"].max().isoformat(),
                "employees": int(frame["employee_id"].nunique()),
                **{f"kind_{k}": int(v) for k, v in frame["kind"].value_counts().items()}}
    if kind == "leave":
        return {"first": frame["date"].min().isoformat(), "last": frame["date"].max().isoformat(),
                **{f"kind_{k}": int(v) for k, v in frame["kind"].value_counts().items()}}
    return {}


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
