"""The planning steps: each question of the flow (forecast, requirement, roster, attendance) answered in one place.

The CLI, the API's jobs, the notebooks and the benchmarks call these functions; none of them forecasts,
sizes or rosters another way. Each step reads an `Inputs` (what the user gave, loaded and checked) and
the previous step's table, and returns plain tables or dataclasses; none reads or writes files.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd

from core import times
from core.errors import DataError
from core.periods import month_start, open_intervals
from core.rules import Rules, hhmm, minutes_of
from core.words import counted
from forecasting import CallVolumeForecaster, forecast_month
from forecasting.baseline import WEEKDAYS, inside_open_hours
from forecasting.data import calls_on_grid, history_grid
from forecasting.handle_time import aht_profile
from forecasting.holidays import unknown_years_note
from scheduler.attendance import Attendance, month_attendance
from scheduler.callbacks import CallbackWork, callback_work
from scheduler.erlang import Model
from scheduler.headcount import (DEFAULT_MAX_SOLVES, DEFAULT_SOLVE_SECONDS, HeadcountResult, RunTrials, Target,
                                 Tried, Tryout, in_process, required_headcount)
from scheduler.intraday_actions import Action, ranked_actions
from scheduler.lost_calls import lost_calls_by_cause
from scheduler.on_phones import PhonesDay, clocked_on_phones, phones_day, rostered_on_phones
from scheduler.roster import Roster, expected_service, on_phone_agents, solve
from scheduler.roster_replan import FROM, replan_from
from scheduler.roster_solver import stopping
from scheduler.roster_problem import REST, required_agents
from scheduler.roster_size import ModelSize, check_model_size
from scheduler.rules.lunch_airings import airing_intervals
from scheduler.staffing import performance, requirements, scheduled_agents, service_by_model
from shiftcast.actuals import Actuals, ExtendedHistory, history_with_actuals
from shiftcast.exports.roster_frames import listing_order
from shiftcast.inputs import Inputs
from shiftcast.intraday import IntradayView
from shiftcast.morning import PEAKS, MorningSheet
from shiftcast.report import INTERVAL_COLUMNS, Report, ReportPeriod, report_period


@dataclass
class MonthForecast:
    """A month's forecast: the fitted model and its table (mean, lower, upper, calendar_known per interval),
    on the rules' grid; `summed_from_minutes` is the history's finer grid when it was summed to that one.
    `notes` says in words what the forecast could not know."""

    model: CallVolumeForecaster
    table: pd.DataFrame
    summed_from_minutes: int | None = None

    @property
    def grid_note(self) -> str | None:
        """One line for people when the history was summed to the rules' intervals, else None."""
        if self.summed_from_minutes is None:
            return None
        return (f"history on a {self.summed_from_minutes}-minute grid summed to the rules' "
                f"{self.model.interval_minutes_}-minute intervals")

    @property
    def notes(self) -> list[str]:
        """What people must be told about this forecast: years whose holidays are not modelled, and open
        hours without call history and how they were forecast."""
        unknown = set(self.model.unknown_years_)
        unknown |= {int(y) for y in self.table.index[~self.table["calendar_known"].to_numpy()].year}
        note = unknown_years_note(unknown)
        return ([note] if note else []) + hours_without_history_notes(self.model, self.table.index)


def _weekday_words(weekdays: set[int]) -> str:
    return "every day" if len(weekdays) == 7 else ", ".join(WEEKDAYS[d] for d in sorted(weekdays))


def hours_without_history_notes(model: CallVolumeForecaster, index: pd.DatetimeIndex) -> list[str]:
    """One line per stretch of open hours the history has no calls for: when, on which weekdays, how
    many intervals, and whether they were forecast as 0 or from the rules' [[hours_without_history]]."""
    missing = model.without_history(index)
    if not missing.any():
        return []
    step = model.interval_minutes_
    rules = model.rules
    minute = times.minute_of_day(index)[missing]
    weekday = np.asarray(index.day_of_week)[missing]
    windows = rules.hours_without_history

    def window_of(m: int) -> int:
        return next((i for i, w in enumerate(windows) if w.start_minute <= m < w.end_minute), -1)

    # Stretches of consecutive missing times of day that one window (or none) covers.
    stretches: list[list[int]] = []
    for m in np.unique(minute).tolist():
        if stretches and m == stretches[-1][-1] + step and window_of(m) == window_of(stretches[-1][0]):
            stretches[-1].append(m)
        else:
            stretches.append([m])
    lines = []
    for stretch in stretches:
        hit = np.isin(minute, stretch)
        where = (f"no call history for {hhmm(stretch[0])}–{hhmm(stretch[-1] + step)} "
                 f"({_weekday_words(set(weekday[hit].tolist()))}, {counted(int(hit.sum()), 'interval')} this month)")
        w = window_of(stretch[0])
        if w < 0:
            lines.append(f"{where}: forecast as 0 calls and staffed for none; give the calls expected then as "
                         "[[hours_without_history]] in the rules (docs/data.md)")
        else:
            lines.append(f"{where}: forecast as {windows[w].share * 100:g} % of each day's calls in the hours with history, "
                         "from the rules' [[hours_without_history]]")
    return lines


@dataclass
class WithActuals:
    """The inputs with their call history extended by the actuals (`history` says how)."""

    inputs: Inputs
    history: ExtendedHistory


def actuals_step(inputs: Inputs, actuals: Actuals | None) -> WithActuals:
    """The inputs whose call history the actuals extend, later days replacing the history's own (the history
    every forecast and requirement reads, on the CLI and in the API's jobs, when actuals are kept)."""
    extended = history_with_actuals(inputs.calls, actuals)
    return WithActuals(inputs=replace(inputs, calls=extended.calls), history=extended)


def forecast_step(inputs: Inputs, month: str, *, level: float = 0.8) -> MonthForecast:
    """Fit the forecaster on the history and past airings; forecast the month under its ad plan, with a
    `level` prediction interval, on the rules' intervals. A finer history is summed to them (and the
    result says so); a coarser one is a DataError naming the calls file and both grids."""
    if inputs.calls is None:
        raise DataError("calls", "planning a month needs the call history (--calls or --records)")
    history = calls_on_grid(inputs.calls, inputs.rules.interval_minutes)
    model, table = forecast_month(history, inputs.ads, inputs.plan, month, inputs.rules, level)
    return MonthForecast(model=model, table=table, summed_from_minutes=history.attrs.get("summed_from_minutes"))


def month_requirement(calls_mean: pd.Series, history: pd.DataFrame | None, rules: Rules, *,
                      model: Model = "erlang_c") -> pd.DataFrame:
    """Agents to roster per interval for the expected calls (scheduler.staffing, the rules' targets, the
    queue `model`), with the handle time the recent history shows at each time of day
    (forecasting.handle_time). An interval is as long as the grid the calls are on (the forecast step puts
    them on the rules' grid; a 30-minute history given to `shiftcast staffing` is sized as 30-minute
    intervals), read from the times themselves so a table that lost its attributes on the way (JSON, CSV)
    is sized the same. A finer history is summed to that grid before its handle times are read."""
    index = pd.DatetimeIndex(calls_mean.index)
    minutes = times.grid_minutes(index) if len(index) > 1 else rules.interval_minutes
    grid = history_grid(history) if history is not None else minutes
    if grid > minutes:
        # Its handle times would fit only the intervals it shares with the calls; the others would get the
        # overall mean, which is no answer for the time of day.
        raise DataError(history.attrs.get("source", "calls"),
                        f"the history is on a {grid}-minute grid, coarser than the "
                        f"{minutes}-minute intervals to staff: give a history on the {minutes}-minute grid or finer",
                        column="interval_start")
    if grid < minutes:
        history = calls_on_grid(history, minutes)
    aht = aht_profile(history, index, rules.service.aht_s) if history is not None else rules.service.aht_s
    table = requirements(calls_mean.astype(float), aht, rules.service, minutes, model=model)
    table.index.name = "interval_start"
    table.attrs["interval_minutes"] = minutes
    return table


def planned_requirement(calls_mean: pd.Series, history: pd.DataFrame | None, airings: pd.DataFrame | None,
                        rules: Rules, *, model: Model = "erlang_c") -> pd.DataFrame:
    """The requirement a plan holds: month_requirement's agents for the calls, with the agents the callbacks of
    the calls it expects lost need outside the `airings` (requirement_with_callbacks)."""
    return requirement_with_callbacks(month_requirement(calls_mean, history, rules, model=model), airings, rules)


def requirement_step(inputs: Inputs, forecast: pd.DataFrame, *, model: Model = "erlang_c") -> pd.DataFrame:
    """Agents needed per open interval of the month, for the forecast's mean calls, met with the queue
    `model` (Erlang C, or Erlang A with the rules' caller patience), with the agents its callbacks need
    (planned_requirement)."""
    return planned_requirement(forecast["mean"], inputs.calls, inputs.plan, inputs.rules, model=model)


def requirement_on_grid(inputs: Inputs, month: str, minutes: int) -> pd.DataFrame:
    """The month's requirement as the forecast and requirement steps give it with `minutes`-long
    intervals instead of the rules': how a plan on a coarser grid compares with the history's own."""
    on_grid = replace(inputs, rules=replace(inputs.rules, interval_minutes=minutes))
    return requirement_step(on_grid, forecast_step(on_grid, month).table)


def roster_step(inputs: Inputs, requirement: pd.DataFrame, *, time_limit_s: float,
                previous: pd.DataFrame | None = None, progress: Callable[[float, float, float], None] | None = None,
                stop: threading.Event | None = None, seed: int | None = None,
                model_max_bytes: int | None = None, from_day: dt.date | str | None = None) -> Roster:
    """The month's roster for the requirement, the staff, their leave, the ad plan and the previous month's
    roster (whose last days and counts carry over the month edge); `previous` is a roster of the same month
    to re-plan with few changes, from `from_day` on when given: the days before it kept exactly and the
    Roster's `diff` saying who changes on which days (scheduler.roster_replan). With a `seed`, the same
    roster for the same inputs on any machine (scheduler.roster.solve). A staff whose models would take more
    than `model_max_bytes` is refused before they are built (scheduler.roster_size)."""
    if inputs.staff is None:
        raise DataError("staff", "building a roster needs the staff list (--staff)")
    if model_max_bytes is not None:
        check_model_size(roster_model_size(len(inputs.staff), requirement, inputs.rules), model_max_bytes,
                         inputs.staff.attrs.get("source", "staff"))
    options = dict(leave=inputs.leave, ads=inputs.plan, previous_month=inputs.previous_month,
                   shift_cover=inputs.shift_cover, time_limit_s=time_limit_s, progress=progress, stop=stop, seed=seed)
    if from_day is not None:
        if previous is None:
            raise DataError(FROM, "re-planning from a day needs the roster it changes (--previous, or the API's "
                                  "previous_roster_id)")
        return replan_from(requirement, inputs.staff, inputs.rules, previous, from_day, **options)
    return solve(requirement, inputs.staff, inputs.rules, previous=previous, **options)


def headcount_step(inputs: Inputs, requirement: pd.DataFrame, *, target: Target = Target(),
                   time_limit_s: float = DEFAULT_SOLVE_SECONDS, max_solves: int = DEFAULT_MAX_SOLVES,
                   progress: Callable[[str], None] | None = None,
                   stop: threading.Event | None = None, run_trials: RunTrials = in_process,
                   at_once: int = 1) -> HeadcountResult:
    """The smallest headcount whose roster meets `target` for the requirement, with the inputs' staff mix,
    leave, ad plan and rules (scheduler.headcount's bound-first search, each trial a roster solve; `run_trials`
    solves `at_once` of them at a time, in this process by default, see `headcount_trial_step`)."""
    return required_headcount(requirement, inputs.rules, inputs.staff, leave=inputs.leave, ads=inputs.plan,
                              target=target, time_limit_s=time_limit_s, max_solves=max_solves, progress=progress,
                              stop=stop, run_trials=run_trials, at_once=at_once)


def headcount_trial_step(inputs: Inputs, requirement: pd.DataFrame, agents: int, *, target: Target = Target(),
                         time_limit_s: float = DEFAULT_SOLVE_SECONDS, stop: threading.Event | None = None) -> Tried:
    """One trial of the headcount search, alone: the roster at `agents` agents judged against `target`, exactly
    as `headcount_step` solves it (what a job worker runs when the search fans its trials out as tasks)."""
    tryout = Tryout(requirement, inputs.rules, inputs.staff, inputs.leave, inputs.plan, target, time_limit_s)
    with stopping(stop):
        return tryout(agents)


def attendance_step(inputs: Inputs, roster: pd.DataFrame, clock: pd.DataFrame, month: str) -> Attendance:
    """The month's attendance: the clock records (scheduler.clock) checked against the roster's assignments
    (employee_id, date, shift) per person per day under the rules' thresholds, with the inputs' approved
    leave counted as leave, and summed per person for payroll (scheduler.attendance)."""
    return month_attendance(roster, clock, inputs.rules, month, leave=inputs.leave)


def _time_of_day(day: pd.Timestamp, at: str, rules: Rules) -> pd.Timestamp:
    """`day` at `at` (HH:MM), which must start an interval of the rules' grid inside the open hours."""
    try:
        minute = minutes_of(at)
    except ValueError:
        raise DataError("--at", f"expected a time of day as HH:MM (e.g. 11:30), got {at!r}") from None
    if minute % rules.interval_minutes:
        raise DataError("--at", f"{at} does not start one of the rules' {rules.interval_minutes}-minute intervals")
    if not rules.open_minute < minute < rules.close_minute:
        raise DataError("--at", f"{at} is not inside the open hours {rules.open_time}–{rules.close_time}: "
                        "there is no calls so far and rest of the day to compare")
    return day + pd.Timedelta(minutes=minute)


def _all_airings(inputs: Inputs) -> pd.DataFrame | None:
    """The past airings and the plan together: the actuals' days may lie in either."""
    known = [a for a in (inputs.ads, inputs.plan) if a is not None and len(a)]
    if not known:
        return None
    return pd.concat(known, ignore_index=True).drop_duplicates().sort_values("start", kind="stable").reset_index(drop=True)


def _history_before(inputs: Inputs, cutoff: pd.Timestamp, before: str, why: str = "") -> pd.DataFrame:
    """The call history before `cutoff` (a DataError saying there is none before `before`, and `why`)."""
    history = inputs.calls[inputs.calls.index < cutoff]
    if history.empty:
        raise DataError(inputs.calls.attrs.get("source", "calls"), f"the call history has no day before {before}{why}")
    history.attrs = dict(inputs.calls.attrs)
    return history


def day_forecast_step(inputs: Inputs, day) -> MonthForecast:
    """The forecast of `day`'s month fitted on the call history before `day` (what the intraday view updates)."""
    day = pd.Timestamp(day).normalize()
    history = _history_before(inputs, day, f"{day:%Y-%m-%d}")
    return forecast_step(replace(inputs, calls=history), f"{day:%Y-%m}")


def _history_before_month(inputs: Inputs, month: str, why: str = "") -> pd.DataFrame:
    """The call history the month was planned on: the days before it (what the report and the morning sheet
    fit the plan's forecast and requirement on)."""
    return _history_before(inputs, month_start(month), month, why)


def intraday_step(inputs: Inputs, day, at: str, actuals: pd.DataFrame, roster: pd.DataFrame, *,
                  forecast: MonthForecast | None = None, clock: pd.DataFrame | None = None) -> IntradayView:
    """The day seen at `at` (HH:MM): the forecast fitted on the history before `day` (the forecast step's
    `forecast` of the day's month when one was made, else made here), updated with the `actuals` (calls
    before `at`: the day's and any days between the history and it), the people on the phones (the `roster`'s,
    employee_id, date, shift, lunch_start as roster.csv holds it, checked against the `clock` records punched
    by `at` when given: scheduler.on_phones), the service they give per interval for the rest of the day with
    the re-forecast calls, and the actions ranked by the calls they save (scheduler.intraday_actions)."""
    rules = inputs.rules
    if inputs.calls is None:
        raise DataError("calls", "the intraday view needs the call history (--calls or --records)")
    if inputs.staff is None:
        raise DataError("staff", "the intraday view needs the staff list (--staff): it says who takes calls")
    day = pd.Timestamp(day).normalize()
    at_time = _time_of_day(day, at, rules)
    roster_days = pd.to_datetime(roster["date"]).dt.normalize()
    if not (roster_days == day).any():
        raise DataError(roster.attrs.get("source", "roster"), f"the roster has no row for {day:%Y-%m-%d}", column="date")
    index = open_intervals(pd.DatetimeIndex([day]), rules)
    before, rest_index = index[index < at_time], index[index >= at_time]
    phones = phones_day(roster, inputs.staff, rules, day, at_time, clock)
    rostered = rostered_on_phones(roster, inputs.staff, rules, rest_index)
    present = phones.present(rest_index)
    if forecast is None:
        forecast = day_forecast_step(inputs, day)
    observed = calls_on_grid(actuals, rules.interval_minutes)["calls"]
    planned = forecast.table.reindex(index)
    updated = forecast.model.predict(rest_index, _all_airings(inputs), actuals=observed)
    requirement = month_requirement(updated["mean"], inputs.calls, rules)
    service = expected_service(requirement, present, rules)
    chosen = service_by_model(service, rules.service)
    abandon = chosen["abandon_rate"] if rules.service.patience_s is not None else pd.Series(0.0, index=rest_index)
    rest = pd.DataFrame({
        "forecast": planned.loc[rest_index, "mean"], "mean": updated["mean"], "lower": updated["lower"],
        "upper": updated["upper"], "aht_s": requirement["aht_s"], "required": requirement["scheduled"],
        "rostered": rostered, "present": present, "on_phones": service["agents"],
        "service_level": chosen["service_level"], "asa_s": chosen["asa_s"], "abandon_rate": abandon,
        "abandoned": abandon * updated["mean"],
    }, index=rest_index)
    so_far = pd.DataFrame({"actual": observed.reindex(before), "forecast": planned.loc[before, "mean"],
                           "lower": planned.loc[before, "lower"], "upper": planned.loc[before, "upper"]}, index=before)
    callbacks, note = _intraday_callbacks(inputs, actuals, rest, before, phones.present(index))
    if callbacks is not None:
        rest["callbacks_worked"] = callbacks.table["worked"]
        rest["callbacks_waiting"] = callbacks.table["waiting"]
    return IntradayView(day=day, at=at_time, so_far=so_far, rest=rest, targets=rules.service,
                        interval_minutes=rules.interval_minutes, phones=phones,
                        actions=intraday_actions_step(inputs, roster, phones, rest),
                        names=dict(zip(inputs.staff["employee_id"], inputs.staff["name"])),
                        callbacks=callbacks, callbacks_note=note)


def intraday_actions_step(inputs: Inputs, roster: pd.DataFrame, phones: PhonesDay, rest: pd.DataFrame) -> list[Action]:
    """What to do about the rest of the day (`rest`: the intraday view's table from the look on, `phones`: who is
    there), ranked by calls saved: lunches kept out of the airings, the day's rest-day agents of the `roster` to
    call in, agents (not leaders) to release (scheduler.intraday_actions)."""
    rules, staff, day = inputs.rules, inputs.staff, phones.day
    today = roster[pd.to_datetime(roster["date"]).dt.normalize() == day]
    agents = set(staff.loc[staff["role"] == "agent", "employee_id"])
    came = {w.employee_id for w in phones.people}
    resting = sorted(e for e in today.loc[today["shift"] == REST, "employee_id"] if e in agents and e not in came)
    rest_airing = airing_intervals(_all_airings(inputs), rest.index, rules)
    return ranked_actions(phones, rest, rest_airing, resting, agents, rules)


def requirement_with_callbacks(requirement: pd.DataFrame, airings: pd.DataFrame | None, rules: Rules) -> pd.DataFrame:
    """The requirement with its callbacks (scheduler.callbacks): the calls it expects lost (its Erlang A
    `abandon_rate`) called back in the room of the intervals after them, outside the `airings`, before the
    rules' deadline; the work that room cannot hold adds `callback_agents` to `agents` (and `scheduled`).
    Columns added: `callbacks` created, `callbacks_worked`, `callback_agents`. Unchanged when callbacks are
    off or no abandonment is known (no caller patience)."""
    if not rules.callbacks.enabled or requirement["abandon_rate"].isna().all():
        return requirement
    index = pd.DatetimeIndex(requirement.index)
    work = callback_work(requirement["abandon_rate"].fillna(0.0) * requirement["calls"], requirement["agents"],
                         requirement["load_erlangs"], airing_intervals(airings, index, rules), rules,
                         interval_minutes=requirement.attrs.get("interval_minutes"), add_agents=True).table
    out = requirement.copy()
    out["agents"] = requirement["agents"] + work["extra_agents"]
    out["scheduled"] = scheduled_agents(out["agents"], rules.service.shrinkage)
    out["callbacks"] = work["created"]
    out["callbacks_worked"] = work["worked"]
    out["callback_agents"] = work["extra_agents"]
    return out


def _callbacks_of(frame: pd.DataFrame, agents: pd.Series, airing: np.ndarray, rules: Rules) -> CallbackWork:
    """Callback work for intervals whose `abandoned` calls and `handled` calls (with their `aht_s`) are known,
    worked in the room the `agents` on the phones (after shrinkage) leave above the calls they handle, outside
    the `airing` intervals."""
    busy = performance(frame["handled"], frame["aht_s"], agents, rules.service, rules.interval_minutes)
    return callback_work(frame["abandoned"], busy["agents"], busy["load_erlangs"], airing, rules,
                         interval_minutes=rules.interval_minutes)


def _actual_intervals(actuals: pd.DataFrame, index: pd.DatetimeIndex, rules: Rules) -> pd.DataFrame:
    """The actuals (with an `abandoned` column) on `index`: calls, `abandoned` and `handled` (answered, else calls
    less abandoned) with their `aht_s` (the rules' where none is given)."""
    seen = calls_on_grid(actuals, rules.interval_minutes).reindex(index)
    calls = seen["calls"].fillna(0.0)
    abandoned = seen["abandoned"].fillna(0.0)
    handled = seen["answered"].fillna(calls - abandoned) if "answered" in seen else calls - abandoned
    aht = seen["aht_s"].fillna(rules.service.aht_s) if "aht_s" in seen else pd.Series(rules.service.aht_s, index=index)
    return pd.DataFrame({"calls": calls, "abandoned": abandoned, "handled": handled, "aht_s": aht}, index=index)


def _intraday_callbacks(inputs: Inputs, actuals: pd.DataFrame, rest: pd.DataFrame, before: pd.DatetimeIndex,
                        present: pd.Series) -> tuple[CallbackWork | None, str | None]:
    """The day's callbacks seen from the intraday view: from the actual abandoned calls before it and the
    expected ones after, worked in the room the people `present` leave; None when callbacks are off or no abandonment
    is known, with a note when the actuals do not say how many calls were lost."""
    rules = inputs.rules
    if not rules.callbacks.enabled or rules.service.patience_s is None:
        return None, None
    expected = pd.DataFrame({"calls": rest["mean"], "abandoned": rest["abandoned"],
                             "handled": rest["mean"] - rest["abandoned"], "aht_s": rest["aht_s"]})
    note = None
    if "abandoned" in actuals:
        so_far = _actual_intervals(actuals, before, rules)
    else:
        so_far = pd.DataFrame(0.0, index=before, columns=expected.columns)
        so_far["aht_s"] = rules.service.aht_s
        note = (f"{actuals.attrs.get('source', 'the actuals')} has no 'abandoned' column: the callbacks of calls "
                "lost before now are not counted")
    frame = pd.concat([so_far, expected])
    agents = on_phone_agents(present.reindex(frame.index).fillna(0).astype(float), rules)
    return _callbacks_of(frame, agents, airing_intervals(_all_airings(inputs), frame.index, rules), rules), note


def roster_model_size(people: int, requirement: pd.DataFrame, rules: Rules) -> ModelSize:
    """What the roster step's models for `people` over the requirement's days grow with (the size its memory
    budget is checked on, by the step itself and by the API before it queues the job)."""
    days = required_agents(requirement).index.normalize().nunique()
    return ModelSize(people, days, len(rules.shifts), rules.intervals_per_day)


# An interval whose predicted airing calls are below this share of its baseline counts as free of airings.
AIRING_FREE_SHARE = 0.05


def _airing_calls(model: CallVolumeForecaster, airings: pd.DataFrame, index: pd.DatetimeIndex,
                  actual: pd.Series) -> pd.DataFrame:
    """Per airing: the calls the model predicts it brings in the intervals of `index` (sorted), and the calls it
    brought: the actual calls above the model's baseline (no airings) shared among the airings of each interval
    in proportion to their predicted calls there (none below 0), the baseline scaled to each day's level where
    no airing is predicted to bring calls, so a busy day's calls are not taken for the airings' response."""
    airings = airings.reset_index(drop=True)
    base = model.predict(index)["mean"].to_numpy(float)
    own = model.calls_by_airing(index, airings).to_numpy(float)
    together = own.sum(axis=1)
    seen = actual.reindex(index).to_numpy(float)
    quiet = together < AIRING_FREE_SHARE * base
    level = np.ones(len(index))
    for day in np.unique(index.normalize()):
        on = np.asarray(index.normalize() == day)
        if base[on & quiet].sum() > 0:
            level[on] = seen[on & quiet].sum() / base[on & quiet].sum()
    share = np.divide(own, together[:, None], out=np.zeros_like(own), where=together[:, None] > 0)
    extra = seen - base * level
    out = airings[["start", "channel", "product"]].copy()
    out["predicted"] = own.sum(axis=0)
    out["actual"] = np.maximum((share * extra[:, None]).sum(axis=0), 0.0)
    return out


def report_step(inputs: Inputs, period: ReportPeriod, actuals: pd.DataFrame, *, roster: pd.DataFrame | None = None,
                clock: pd.DataFrame | None = None) -> Report:
    """The report of `period`'s days lived: the `actuals` (calls per interval; answered, abandoned, aht_s when
    given) against the plan's forecast (fitted, as the month was planned, on the history before each month
    and its ad plan), against the staff the `roster` (employee_id, date, shift, lunch_start) put on the phones
    and the staff the `clock` records (employee_id, time, kind) show were there; calls per airing; forecast
    accuracy; lost calls by cause (scheduler.lost_calls). What is missing (days without actuals, no roster, no
    clock records) is said in the report's notes."""
    rules = inputs.rules
    step = rules.interval_minutes
    source = actuals.attrs.get("source", "actuals")
    observed = calls_on_grid(actuals, step)
    observed = observed[observed.index.normalize().isin(period.days)]
    outside = ~inside_open_hours(times.minute_of_day(observed.index), step, rules)
    if outside.any():
        raise DataError(source, f"the interval {observed.index[outside][0]:%Y-%m-%d %H:%M} lies outside the open hours "
                        f"{rules.open_time}–{rules.close_time} of the rules", column="interval_start")
    if observed.empty:
        raise DataError(source, f"has no calls for {period.title} ({period.first:%Y-%m-%d} → {period.last:%Y-%m-%d}): "
                        "the report is of days lived; give (or send) that day's actuals", column="interval_start")
    if inputs.calls is None:
        raise DataError("calls", "the report compares the actuals with the plan's forecast: it needs the call "
                        "history (--calls or --records)")
    notes: list[str] = []
    index = pd.DatetimeIndex(observed.index, name="interval_start")
    day_index = index.normalize()
    days = sorted({d.date() for d in day_index})
    left_out = [d for d in period.days if d.date() not in days]
    if left_out:
        notes.append(f"no actuals for {counted(len(left_out), 'day')} of the {period.kind} "
                     f"({', '.join(f'{d:%m-%d}' for d in left_out[:7])}{' …' if len(left_out) > 7 else ''}): "
                     "left out of every number")
    partial = open_intervals(pd.DatetimeIndex(sorted(set(day_index))), rules).difference(index)
    if len(partial):
        notes.append(f"{counted(len(partial), 'open interval')} without actuals (the first {partial[0]:%Y-%m-%d %H:%M}): "
                     "left out of every number")

    frame = pd.DataFrame(index=index)
    frame["calls"] = observed["calls"].astype(float)
    for column in ("answered", "abandoned"):
        frame[column] = observed[column].astype(float) if column in observed else np.nan
    if "abandoned" not in observed:
        notes.append(f"{source} gives no abandoned calls: lost calls are neither counted nor put to causes "
                     "(give answered and abandoned per interval)")
    airings_all = _all_airings(inputs)
    parts, airing_rows = [], []
    for month, month_index in pd.Series(index, index=index).groupby(index.strftime("%Y-%m")):
        month_index = pd.DatetimeIndex(month_index.index)
        history = _history_before_month(inputs, month, ": there is no plan's forecast to compare with")
        forecast = forecast_step(replace(inputs, calls=history), month)
        table = forecast.table.reindex(month_index)
        requirement = planned_requirement(table["mean"], history, inputs.plan, rules)
        parts.append(pd.DataFrame({"forecast": table["mean"], "lower": table["lower"], "upper": table["upper"],
                                   "plan_aht_s": requirement["aht_s"], "needed": requirement["agents"].astype(float)},
                                  index=month_index))
        if airings_all is not None:
            on_days = airings_all[airings_all["start"].dt.normalize().isin(month_index.normalize().unique())]
            if len(on_days):
                airing_rows.append(_airing_calls(forecast.model, on_days, month_index, frame["calls"]))
    frame = frame.join(pd.concat(parts))
    given_aht = observed["aht_s"].astype(float) if "aht_s" in observed else pd.Series(np.nan, index=index)
    frame["aht_s"] = given_aht.where(given_aht > 0).fillna(frame["plan_aht_s"])
    airings = (pd.concat(airing_rows, ignore_index=True) if airing_rows
               else pd.DataFrame(columns=["start", "channel", "product", "predicted", "actual"]))
    frame["airing"] = airing_intervals(airings_all, index, rules)

    frame["rostered"] = np.nan
    frame["on_phones"] = np.nan
    if roster is None:
        notes.append("no roster given: the staff on the phones, service level, ASA and lost calls by cause are left out "
                      "(give the month's roster.csv)")
    else:
        if inputs.staff is None:
            raise DataError("staff", "the report reads who takes calls from the staff list (--staff)")
        roster_days = set(pd.to_datetime(roster["date"]).dt.normalize())
        staffed_days = [d for d in sorted(set(day_index)) if d in roster_days]
        unrostered = [d for d in sorted(set(day_index)) if d not in roster_days]
        if unrostered:
            notes.append(f"{roster.attrs.get('source', 'the roster')} has no rows for "
                         f"{', '.join(f'{d:%Y-%m-%d}' for d in unrostered[:7])}{' …' if len(unrostered) > 7 else ''}: "
                         "no staff, service level or lost calls by cause for those days")
        on = day_index.isin(staffed_days)
        rostered = on_phone_agents(rostered_on_phones(roster, inputs.staff, rules, index[on]).to_numpy(float), rules)
        frame.loc[on, "rostered"] = rostered
        frame.loc[on, "on_phones"] = rostered
        if clock is None:
            notes.append("no clock records given: the people on the phones are taken as the roster's, so no lost "
                         "calls are put to absence")
        else:
            punched = set(clock["time"].dt.normalize())
            clocked = [d for d in staffed_days if d in punched]
            unclocked = [d for d in staffed_days if d not in punched]
            if unclocked:
                notes.append(f"no clock records on {', '.join(f'{d:%Y-%m-%d}' for d in unclocked[:7])}"
                             f"{' …' if len(unclocked) > 7 else ''}: the people on the phones there are taken as the "
                             "roster's")
            at = day_index.isin(clocked)
            frame.loc[at, "on_phones"] = on_phone_agents(
                clocked_on_phones(clock, roster, inputs.staff, rules, index[at]).to_numpy(float), rules)
    staffed = frame["on_phones"].notna().to_numpy()
    for column in ("service_level", "asa_s", "planned_service_level", "planned_asa_s", "planned_abandoned"):
        frame[column] = np.nan
    if staffed.any():
        s = frame[staffed]
        lived = service_by_model(performance(s["calls"], s["aht_s"], s["on_phones"], rules.service, step), rules.service)
        planned = service_by_model(performance(s["forecast"], s["plan_aht_s"], s["rostered"], rules.service, step),
                                   rules.service)
        frame.loc[staffed, "service_level"] = lived["service_level"].to_numpy()
        frame.loc[staffed, "asa_s"] = lived["asa_s"].to_numpy()
        frame.loc[staffed, "planned_service_level"] = planned["service_level"].to_numpy()
        frame.loc[staffed, "planned_asa_s"] = planned["asa_s"].to_numpy()
        frame.loc[staffed, "planned_abandoned"] = (planned["abandon_rate"] * s["forecast"]).to_numpy()
    callbacks = None
    if rules.callbacks.enabled and "abandoned" in observed and staffed.any():
        s = frame[staffed]
        lived = pd.DataFrame({"abandoned": s["abandoned"], "handled": s["answered"].fillna(s["calls"] - s["abandoned"]),
                              "aht_s": s["aht_s"]})
        callbacks = _callbacks_of(lived, s["on_phones"], s["airing"].to_numpy(bool), rules)
    lost = None
    if rules.service.patience_s is None:
        notes.append("the rules set no callers' patience ([service] patience_s): lost calls cannot be priced by cause "
                     "with Erlang A")
    elif "abandoned" in observed and staffed.any():
        lost = lost_calls_by_cause(frame[staffed], rules.service, step)
        if not staffed.all():
            notes.append(f"lost calls by cause cover the {counted(int(staffed.sum()), 'interval')} with a roster, "
                         f"not the other {int((~staffed).sum())}")
    return Report(period=period, days=days, intervals=frame[list(INTERVAL_COLUMNS)], airings=airings, lost=lost,
                  targets=rules.service, interval_minutes=step, notes=notes, callbacks=callbacks)


def morning_step(inputs: Inputs, day, actuals: pd.DataFrame | None, roster: pd.DataFrame, *,
                 clock: pd.DataFrame | None = None) -> MorningSheet:
    """The morning meeting's sheet for `day`: the report of the day before (report_step, from the `actuals`
    and `clock`), today's airings with the calls the plan's forecast predicts from each, who the `roster` puts
    on which shift by group, and the day's busiest intervals by that forecast against the roster's people."""
    rules = inputs.rules
    day = pd.Timestamp(day).normalize()
    if inputs.calls is None:
        raise DataError("calls", "the morning sheet reads today's forecast: it needs the call history (--calls)")
    if inputs.staff is None:
        raise DataError("staff", "the morning sheet names who is on which shift: it needs the staff list (--staff)")
    roster_days = pd.to_datetime(roster["date"]).dt.normalize()
    today = roster[(roster_days == day) & roster["shift"].isin(list(rules.shift_codes))]
    if today.empty:
        raise DataError(roster.attrs.get("source", "roster"), f"puts no one on a shift on {day:%Y-%m-%d}", column="date")
    notes: list[str] = []
    yesterday = None
    before = report_period("day", f"{day - pd.Timedelta(days=1):%Y-%m-%d}")
    if actuals is not None and (actuals.index.normalize() == before.first).any():
        yesterday = report_step(inputs, before, actuals, roster=roster, clock=clock)
        notes += [f"yesterday: {n}" for n in yesterday.notes]
    else:
        notes.append(f"no actuals for {before.name}: yesterday's numbers are left out")
    month = f"{day:%Y-%m}"
    history = _history_before_month(inputs, month)
    forecast = forecast_step(replace(inputs, calls=history), month)
    index = open_intervals(pd.DatetimeIndex([day]), rules)
    planned = forecast.table.reindex(index)
    needed = planned_requirement(planned["mean"], history, inputs.plan, rules)["agents"]
    rostered = on_phone_agents(rostered_on_phones(roster, inputs.staff, rules, index).to_numpy(float), rules)
    top = planned["mean"].sort_values(ascending=False, kind="stable").index[:PEAKS]
    peaks = pd.DataFrame({"interval_start": top, "calls": planned.loc[top, "mean"].to_numpy(),
                          "upper": planned.loc[top, "upper"].to_numpy(), "needed": needed.loc[top].to_numpy(float),
                          "rostered": pd.Series(rostered, index=index).loc[top].to_numpy()})
    airings = _all_airings(inputs)
    airings = (airings[airings["start"].dt.normalize() == day].reset_index(drop=True) if airings is not None
               else pd.DataFrame(columns=["start", "channel", "product"]))
    if airings.empty:
        notes.append(f"no airings planned on {day:%Y-%m-%d} in the ad plan given")
    airings = airings[["start", "channel", "product"]].assign(
        predicted=forecast.model.calls_by_airing(index, airings).sum(axis=0).to_numpy() if len(airings) else [])
    people = inputs.staff.set_index("employee_id")
    shifts = today.assign(group=today["employee_id"].map(people["group"]).fillna(""),
                          team=today["employee_id"].map(people["team"]).fillna(""),
                          name=today["employee_id"].map(people["name"]).fillna(""),
                          role=today["employee_id"].map(people["role"]).fillna(""))
    # Shifts in the rules' order, then people as the printed roster lists them ('9组' before '10组').
    shifts = pd.concat([listing_order(shifts[shifts["shift"] == code]) for code in rules.shift_codes],
                       ignore_index=True)[["shift", "group", "team", "employee_id", "name", "role", "lunch_start"]]
    return MorningSheet(day=day, yesterday=yesterday, airings=airings, shifts=shifts, peaks=peaks, notes=notes)
