"""A stored roster's day at a time of day (the intraday step): the site's stored actuals as the calls so far, its
newest clock dataset over the day (or the one named) as who is there, and the ranked actions, as JSON."""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import inputs
from api.actuals import stored_actuals
from api.db import ActualDayRow, Dataset, Result
from api.json_values import table
from api.problems import Problem
from api.roster_document import stored_roster
from api.schemas import IntradayActionOut, IntradayOut, IntradayPersonOut, Table
from core.rules import hhmm, minutes_of
from shiftcast.actuals import Actuals
from shiftcast.exports.roster_frames import assignments_of
from shiftcast.intraday import IntradayView, report_lines
from shiftcast.steps import MonthForecast, actuals_step, day_forecast_step, intraday_step

# Fitted forecasts kept in this process, by what they were fitted on (_fit_key): a day's later looks reuse the
# morning's, and so do the other rosters planned on the same forecast.
_FITTED: OrderedDict[tuple, MonthForecast] = OrderedDict()
_FITTED_LOCK = threading.Lock()
FITTED_KEPT = 4


@dataclass
class RosterIntraday:
    """The view of a stored roster's day, with the clock dataset it read (None: no clock records)."""

    roster_id: int
    clock_id: int | None
    view: IntradayView


@dataclass(frozen=True)
class _FitInputs:
    """The datasets the day's forecast is fitted on (the roster's own rules and ads plan, else its forecast's)."""

    rules_id: int | None
    calls_id: int
    ads_history_id: int | None
    ads_plan_id: int | None


@dataclass(frozen=True)
class _MadeWith:
    """The datasets a stored roster's day is seen with: the fit's, and who takes calls (with their leave)."""

    fit: _FitInputs
    staff_id: int
    leave_id: int | None


def _made_with(session: Session, roster: Result) -> _MadeWith:
    """The datasets the view reads, from the roster's request and its forecast's."""
    params = roster.inputs or {}
    if not params.get("staffing_id") or not params.get("staff_id"):
        raise Problem(422, f"roster {roster.id} names no staffing or staff dataset: the intraday view needs the "
                           "forecast behind it and who takes calls", title="Invalid request", slug="invalid-request")
    staffing = inputs.result(session, params["staffing_id"], "staffing", "staffing_id", roster.site_id)
    forecast_id = (staffing.inputs or {}).get("forecast_id")
    if not forecast_id:
        raise Problem(422, f"staffing {staffing.id} of roster {roster.id} was made without a stored forecast: the "
                           "intraday view updates that forecast", title="Invalid request", slug="invalid-request")
    made = inputs.result(session, forecast_id, "forecast", "forecast_id", roster.site_id).inputs or {}
    fit = _FitInputs(rules_id=params.get("rules_id") or made.get("rules_id"), calls_id=made["calls_id"],
                     ads_history_id=made.get("ads_history_id"),
                     ads_plan_id=params.get("ads_plan_id") or made.get("ads_plan_id"))
    return _MadeWith(fit=fit, staff_id=params["staff_id"], leave_id=params.get("leave_id"))


def _covers(summary: dict | None, day: dt.date) -> bool:
    """Whether a clock dataset's punches (its `summary`'s first to last) run over `day`: one that ends before it
    knows no one came, and would have everyone rostered missing."""
    span = summary or {}
    return str(span.get("first", ""))[:10] <= day.isoformat() <= str(span.get("last", ""))[:10]


def _clock_id(session: Session, site_id: int, clock_id: int | None, day: dt.date) -> int | None:
    """The clock dataset named (a 422 when its punches do not run over `day`), else the site's newest whose punches
    do, else None."""
    if clock_id is not None:
        named = inputs.dataset(session, clock_id, "clock", "clock_id", site_id)
        if not _covers(named.summary, day):
            span = named.summary or {}
            raise Problem(422, f"clock_id: clock dataset {clock_id} holds punches from {span.get('first')} to "
                               f"{span.get('last')}, not over {day}: it would have everyone rostered that day missing",
                          title="Invalid request", slug="invalid-request",
                          errors=[{"pointer": "/clock_id", "detail": f"expected clock records over {day}"}])
        return clock_id
    clocks = session.execute(select(Dataset.id, Dataset.summary).where(Dataset.kind == "clock",
                                                                       Dataset.site_id == site_id)
                             .order_by(Dataset.id.desc()))
    return next((c.id for c in clocks if _covers(c.summary, day)), None)


def roster_intraday(session: Session, roster: Result, day: dt.date, at: str, clock_id: int | None) -> RosterIntraday:
    """The roster's `day` at `at` (HH:MM) with the site's stored actuals (the day's before `at` as the calls so far, the
    days before it extending the history) and clock dataset `clock_id` (of the roster's site, else a 404; over the
    day, else a 422; when None, the site's newest over the day, none when it has none)."""
    made = _made_with(session, roster)
    site_id, fit = roster.site_id, made.fit
    step_inputs = inputs.step_inputs(session, rules_id=fit.rules_id, calls_id=fit.calls_id,
                                     ads_history_id=fit.ads_history_id, ads_plan_id=fit.ads_plan_id,
                                     staff_id=made.staff_id, leave_id=made.leave_id, site_id=site_id)
    actuals = stored_actuals(session, site_id)
    extended = actuals_step(step_inputs, actuals).inputs
    midnight = pd.Timestamp(day)
    clock_id = _clock_id(session, site_id, clock_id, day)
    clock = None
    if clock_id is not None:
        clock = inputs.table(session, clock_id, "clock", "clock_id", step_inputs.rules, site_id=site_id,
                             loaded_staff={made.staff_id: step_inputs.staff})
    forecast = _fitted(_fit_key(session, site_id, fit, day), lambda: day_forecast_step(extended, midnight))
    assignments = assignments_of(stored_roster(inputs.payload(roster)))
    so_far = _calls_so_far(actuals, midnight, midnight + pd.Timedelta(minutes=minutes_of(at)))
    view = intraday_step(extended, midnight, at, so_far, assignments, forecast=forecast, clock=clock)
    return RosterIntraday(roster_id=roster.id, clock_id=clock_id, view=view)


def _fit_key(session: Session, site_id: int, fit: _FitInputs, day: dt.date) -> tuple:
    """What the day's fit reads: its datasets, the day, and each stored day before it with when it was sent
    (a day sent again refits). Only the days' rows are read here, not their intervals."""
    sent = session.execute(select(ActualDayRow.day, ActualDayRow.created_at)
                           .where(ActualDayRow.site_id == site_id,
                                  ActualDayRow.day < dt.datetime.combine(day, dt.time()))
                           .order_by(ActualDayRow.day)).all()
    return (fit, day, tuple(map(tuple, sent)))


def _fitted(key: tuple, fit: Callable[[], MonthForecast]) -> MonthForecast:
    """The forecast kept under `key`, else `fit()` kept under it (the oldest of more than FITTED_KEPT dropped)."""
    with _FITTED_LOCK:
        forecast = _FITTED.get(key)
    if forecast is None:
        forecast = fit()
        with _FITTED_LOCK:
            _FITTED[key] = forecast
            while len(_FITTED) > FITTED_KEPT:
                _FITTED.popitem(last=False)
    return forecast


def _calls_so_far(actuals: Actuals | None, midnight: pd.Timestamp, at: pd.Timestamp) -> pd.DataFrame:
    """The stored actuals of the day before `at` (none when the site has none)."""
    if actuals is None:
        return pd.DataFrame({"calls": pd.Series(dtype="int64")}, index=pd.DatetimeIndex([], name="interval_start"))
    frame = actuals.intervals
    return frame[(frame.index >= midnight) & (frame.index < at)]


def _table(frame: pd.DataFrame) -> Table:
    """A per-interval table of the view, interval_start its first column."""
    return Table(**table(frame.rename_axis("interval_start").reset_index()))


def intraday_out(r: RosterIntraday) -> IntradayOut:
    """The JSON of the view: its words, the intervals before and after the look, the people, the actions."""
    v = r.view
    people = [IntradayPersonOut(employee_id=w.employee_id, name=v.names.get(w.employee_id, ""), shift=w.shift,
                                status=w.status, rostered=w.rostered,
                                clock_in=f"{w.clock_in:%H:%M}" if w.clock_in is not None else None,
                                clock_out=f"{w.clock_out:%H:%M}" if w.clock_out is not None else None)
              for w in v.phones.people]
    actions = [IntradayActionOut(rank=i, kind=a.kind, employee_id=a.employee_id, name=v.names.get(a.employee_id, ""),
                                 start=hhmm(a.when[0]), end=hhmm(a.when[1]),
                                 what=a.what().format(who=a.employee_id), calls_saved=round(a.calls_saved, 2),
                                 paid_hours=round(a.paid_hours, 2))
               for i, a in enumerate(v.actions, 1)]
    return IntradayOut(roster_id=r.roster_id, day=v.day.date(), at=f"{v.at:%H:%M}", clock_id=r.clock_id,
                       queue_model=v.queue_model, summary=report_lines(v), so_far=_table(v.so_far), rest=_table(v.rest),
                       people=people, actions=actions)
