"""Actuals: the calls of days already lived (and of today so far), read from interval counts or call records,
checked against the rules' grid and open hours, and the one way they extend the call history a forecast reads."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from core import tables, times
from core.rules import Rules, hhmm
from core.words import counted
from forecasting.baseline import inside_open_hours
from forecasting.data import (CALLS_COLUMNS, CALLS_OPTIONAL, RECORD_COLUMNS, RECORD_OPTIONAL, Source,
                              aggregate_call_records, calls_from_table, calls_on_grid, history_grid, records_from_table)

# The columns of the calls format an actual interval may carry beside `calls`.
MEASURES = ("answered", "abandoned", "aht_s")


@dataclass(frozen=True)
class ActualDay:
    """One day of actuals: how many intervals and calls it holds, and whether it stops before closing time."""

    day: dt.date
    intervals: int
    calls: int
    partial: bool
    last_end: str  # the end of its last interval, e.g. "11:30"


@dataclass
class Actuals:
    """Actual intervals in the calls format (calls and any of answered, abandoned, aht_s on `interval_start`), on
    the rules' grid and inside the open hours, with the days they cover."""

    intervals: pd.DataFrame
    days: list[ActualDay]
    source: str
    kind: str  # "interval counts" or "call records" (the file's format), or "stored" (days read from the store)

    def day_intervals(self, day: dt.date) -> pd.DataFrame:
        """The intervals of `day`."""
        return self.intervals[self.intervals.index.normalize() == pd.Timestamp(day)]


def actual_days(intervals: pd.DataFrame, rules: Rules) -> list[ActualDay]:
    """The days `intervals` cover; a day is partial when its last interval ends before the rules' closing time."""
    step = int(intervals.attrs.get("interval_minutes", rules.interval_minutes))
    days = []
    for day, part in intervals.groupby(intervals.index.normalize()):
        end = int(times.minute_of_day(part.index).max()) + step
        days.append(ActualDay(day=day.date(), intervals=len(part), calls=int(part["calls"].sum()),
                              partial=end < rules.close_minute, last_end=hhmm(end)))
    return days


def _is_records(data: bytes) -> bool:
    """Call records have `arrived_at` in their header; interval counts do not."""
    header = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return b"arrived_at" in header


def load_actuals(path: Source, rules: Rules, *, source: str | None = None,
                 now: dt.datetime | None = None) -> Actuals:
    """Actuals from a calls file (interval_start, calls; optional answered, abandoned, aht_s) or a call-records
    file (arrived_at, ...), summed to the rules' intervals. A DataError names the file, row and column of the
    first interval off the rules' grid, outside the open hours or not yet begun (`now`, local time)."""
    data, source = tables.source_bytes(path, source, "actuals")
    step = rules.interval_minutes
    records = _is_records(data)
    if records:
        frame = tables.read_table(data, RECORD_COLUMNS, RECORD_OPTIONAL, source=source, needs="one row per call")
        calls = records_from_table(frame)
        column = "arrived_at"
        moments = calls[column]
        starts = pd.DatetimeIndex(moments.dt.floor(f"{step}min"))
    else:
        frame = tables.read_table(data, CALLS_COLUMNS, CALLS_OPTIONAL, source=source, needs="one row per interval")
        calls = calls_from_table(frame, step)
        column = "interval_start"
        moments = pd.Series(calls.index)
        starts = calls.index
    inside = inside_open_hours(times.minute_of_day(starts), step, rules)
    tables.fail_at(frame, ~inside, column, f"a time inside the open hours {rules.open_time}–{rules.close_time} of the rules")
    now = pd.Timestamp(now or dt.datetime.now())
    tables.fail_at(frame, (moments > now).to_numpy(), column,
                   f"a time already past (actuals are of days lived; it is {now:%Y-%m-%d %H:%M} now)")
    if records:
        calls = aggregate_call_records(calls, step)
        calls.attrs["source"] = source
    return Actuals(intervals=calls, days=actual_days(calls, rules), source=source,
                   kind="call records" if records else "interval counts")


@dataclass
class ExtendedHistory:
    """The call history with the actual days laid over it: `calls` is what the forecast reads; `days` the complete
    actual days it took (later days replacing the history's), `partial` the incomplete days it left out."""

    calls: pd.DataFrame | None
    days: list[dt.date] = field(default_factory=list)
    replaced: list[dt.date] = field(default_factory=list)
    partial: list[dt.date] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """What the actuals did to the history, in one line for people (none when there were no actuals)."""
        if not self.days and not self.partial:
            return []
        if self.days:
            line = (f"{counted(len(self.days), 'day')} of actuals extended the history "
                    f"({self.days[0]:%Y-%m-%d} → {self.days[-1]:%Y-%m-%d})")
            if self.replaced:
                line += f", replacing {counted(len(self.replaced), 'day')} the history already had"
        else:
            line = "no complete day of actuals to extend the history"
        if self.partial:
            line += ("; partial, so left out: " + ", ".join(f"{d:%Y-%m-%d}" for d in self.partial))
        return [line]


def history_with_actuals(history: pd.DataFrame | None, actuals: Actuals | None) -> ExtendedHistory:
    """The history with the complete days of `actuals` in place of its own days (partial days are left out: a
    day cut short would read as a quiet afternoon). Both go on the coarser of their two grids."""
    if actuals is None or actuals.intervals.empty:
        return ExtendedHistory(calls=history)
    partial = [d.day for d in actuals.days if d.partial]
    complete = [d.day for d in actuals.days if not d.partial]
    if not complete:
        return ExtendedHistory(calls=history, partial=partial)
    extra = actuals.intervals[actuals.intervals.index.normalize().isin(pd.DatetimeIndex(complete))]
    extra.attrs = dict(actuals.intervals.attrs)
    if history is None:
        return ExtendedHistory(calls=extra, days=complete, partial=partial)
    step = max(history_grid(history), history_grid(extra))
    history, extra = calls_on_grid(history, step), calls_on_grid(extra, step)
    history_days = set(history.index.normalize().date)
    columns = [c for c in history.columns if c in extra.columns or c == "aht_s"]
    kept = history[~history.index.normalize().isin(pd.DatetimeIndex(complete))]
    calls = pd.concat([kept[columns], extra.reindex(columns=columns)]).sort_index()
    calls.index.name = "interval_start"
    calls.attrs = {**history.attrs, "interval_minutes": step}
    return ExtendedHistory(calls=calls, days=complete, replaced=[d for d in complete if d in history_days],
                           partial=partial)
