"""What every writer needs: user text made safe for spreadsheets, and the kind of each calendar day."""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from forecasting.holidays import calendar_days
from core.rules import Rules

# A spreadsheet reads a cell that starts with one of these as a formula (CSV/formula injection, OWASP);
# tab and carriage return are on OWASP's list because some programs strip them before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

WEEKDAY, WEEKEND, HOLIDAY, WORKDAY = "weekday", "weekend", "holiday", "makeup_workday"


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; others pass."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """`csv_safe` over the text columns of a frame (numbers, dates and booleans are never formulas)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_safe)
    return out


def day_kinds(days: Iterable, rules: Rules) -> pd.Series:
    """Each day's kind: holiday, make-up workday (调休), weekend or weekday; the rules' calendar wins.
    One calendar for the whole product: forecasting.holidays (the rules' country's, plus the overrides)."""
    index = pd.DatetimeIndex(list(days)).normalize()
    calendar = calendar_days(index, rules.calendar, rules.country)["kind"].reindex(index)
    weekend = pd.Series(index.day_of_week >= 5, index=index)
    kinds = weekend.map({True: WEEKEND, False: WEEKDAY})
    kinds[calendar == "workday"] = WORKDAY
    kinds[calendar == "holiday"] = HOLIDAY
    return kinds.rename("kind")


def month_label(dates: pd.Series | pd.DatetimeIndex) -> str:
    """'2026-12' for one month of dates, '2026-12-01 – 2027-01-15' for a longer span, '' for none."""
    dates = pd.DatetimeIndex(dates)
    if dates.empty:
        return ""
    first, last = dates.min(), dates.max()
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%Y-%m}"
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"
