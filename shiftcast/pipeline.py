"""The whole planning run for one month, as `shiftcast demo` and `shiftcast plan` do it.

`run_plan` loads the inputs, calls the planning steps (shiftcast.steps) and HR's reports
(shiftcast.headcount_reports) in turn, says what each found, and writes every result into an output
folder. The notebooks call the same steps one by one.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from core.words import counted
from forecasting import CallVolumeForecaster, MonthSummary, month_summary
from forecasting.month import response_curves_by_channel
from scheduler.headcount import DEFAULT_SOLVE_SECONDS, agents_in
from scheduler.quiet_days import quiet_days_lines
from scheduler.roster import Roster, RosterKpis
from shiftcast.actuals import Actuals
from shiftcast.exports import charts
from shiftcast.exports.calendar import write_calendars
from shiftcast.exports.labels import status_words
from shiftcast.exports.roster_frames import requests_by_kind
from shiftcast.exports.tables import forecast_frame, write_frame_csv, write_roster_csvs
from shiftcast.exports.workbook import write_roster_workbook
from shiftcast.headcount_reports import (SayOnce, headcount_report, hiring_report, months_ahead,
                                         months_calendar_note)
from shiftcast.inputs import InputPaths, Inputs, load_inputs, summary_lines
from shiftcast.steps import actuals_step, forecast_step, requirement_on_grid, requirement_step, roster_step

Echo = Callable[[str], None]


@dataclass
class PlanResult:
    """What a planning run produced."""

    inputs: Inputs
    month: str
    model: CallVolumeForecaster | None = None
    forecast: pd.DataFrame | None = None
    requirement: pd.DataFrame | None = None
    forecast_notes: list[str] = field(default_factory=list)
    roster: Roster | None = None
    files: list[Path] = field(default_factory=list)


def _solver_progress(echo: Echo):
    """A progress callback printing the roster's objective and bound as they improve (at most every 2 s)."""
    last = [-10.0]

    def report(objective: float, bound: float, seconds: float) -> None:
        if seconds - last[0] >= 2.0:
            last[0] = seconds
            echo(f"  {seconds:5.1f} s  objective {objective:,.0f}  bound {bound:,.0f}")

    return report


def forecast_summary_lines(s: MonthSummary) -> list[str]:
    """What a planner reads of a month forecast: calls, the busiest day and interval, the airings' share."""
    lines = [f"{s.calls:,.0f} calls expected ({s.calls_low:,.0f}–{s.calls_high:,.0f} summed over the intervals' "
             f"bounds; {s.calls_per_day_mean:,.0f} a day), busiest day {s.busiest_day:%Y-%m-%d}, busiest interval "
             f"{s.busiest_interval:%m-%d %H:%M} with {s.busiest_interval_calls:.0f} calls"]
    if s.airings is not None:
        lines.append(f"{s.airings} planned airings bring about {s.calls_from_airings:,.0f} of them")
    return lines


def grid_peak_line(requirement: pd.DataFrame, finer: pd.DataFrame) -> str:
    """How the peak of a plan on coarse intervals compares with the same month sized on the history's finer
    grid: a longer interval averages a short rush with the quieter minutes around it."""
    coarse, fine = requirement.attrs["interval_minutes"], finer.attrs["interval_minutes"]
    peak, fine_peak = int(requirement["agents"].max()), int(finer["agents"].max())
    line = (f"{coarse}-minute intervals: peak {peak} agents; on the history's {fine}-minute grid the peak is "
            f"{fine_peak}")
    if fine_peak > peak:
        return line + f" — coarser intervals hide {fine_peak - peak} agents of peak"
    return line + " — the coarser intervals hide no peak"


def requirement_callback_line(requirement: pd.DataFrame) -> str:
    """How the requirement holds the callbacks of the calls it expects lost: the room of quiet intervals, and
    the agent-hours added where that room was not enough in time."""
    minutes = requirement.attrs["interval_minutes"]
    created, worked = requirement["callbacks"].sum(), requirement["callbacks_worked"].sum()
    added = requirement["callback_agents"].sum() * minutes / 60
    line = f"callbacks: {created:,.0f} expected of the calls lost at this staffing, {worked:,.0f} worked in time in quiet intervals"
    return line + (f", with {added:,.1f} agent-hours added where they had no room" if added
                   else " with the room they have (no agents added)")


def roster_summary_lines(roster: Roster, rules) -> list[str]:
    """What a supervisor reads first: status and gap, service, shortfall, hours, fairness, conflicts."""
    k = roster.kpis
    level = float("nan") if k.expected_service_level is None else k.expected_service_level
    minutes = rules.interval_minutes
    lines = [
        f"status {roster.status}, objective {roster.objective:,.0f}, proven bound {roster.lower_bound:,.0f} "
        f"(gap {roster.gap:.2%}), {roster.seconds:.1f} s",
        f"{roster.status}: {status_words(roster.status, roster.gap, len(roster.conflicts), 'en')}",
        f"expected service level {level:.1%}, about {k.expected_abandoned_calls or 0:,.0f} calls abandoned",
        *callback_lines(k, rules),
        f"{counted(k.short_intervals, 'interval')} short by {k.shortfall_agent_intervals * minutes / 60:,.1f} agent-hours "
        f"({k.airing_shortfall_agent_intervals * minutes / 60:,.1f} during airings); "
        f"{k.overstaff_agent_intervals * minutes / 60:,.0f} agent-hours above the requirement",
        f"{k.paid_hours:,.0f} paid hours, {k.overtime_hours:,.0f} overtime hours against the legal "
        f"{rules.legal_monthly_hours:g} h a month; late shifts differ by at most {k.late_shift_spread} "
        f"and weekend rests by {k.weekend_rest_spread} between people",
    ]
    if roster.conflicts:
        by_rule: dict[str, int] = {}
        for c in roster.conflicts:
            by_rule[c.rule] = by_rule.get(c.rule, 0) + 1
        lines.append("rules that could not all hold: " + ", ".join(f"{rule} ×{n}" for rule, n in by_rule.items())
                     + f" (first: {roster.conflicts[0].message})")
    lines += roster.notes
    lines += quiet_days_lines(roster.quiet_days, rules)
    lines += requests_lines(roster)
    return lines


def callback_lines(k: RosterKpis, rules) -> list[str]:
    """'1,234 callbacks expected of the calls lost (70 % reached), 1,200 done in time (…), 34 missed'."""
    if k.callbacks_expected is None:
        return []
    c = rules.callbacks
    deadline = "by closing time the same day" if c.deadline_hours is None else f"within {c.deadline_hours:g} h"
    return [f"{k.callbacks_expected:,.0f} callbacks expected of the calls lost ({c.share_reached * 100:g} % reached), "
            f"{k.callbacks_done_in_time:,.0f} done in time ({deadline}, outside airings), "
            f"{k.callbacks_missed:,.0f} missed"]


def requests_lines(roster: Roster) -> list[str]:
    """'rest requests: 16 of 22 granted; not granted: E005 2026-12-18 (why), …', per kind of wish made."""
    lines = []
    counts = requests_by_kind(roster)
    for kind, what in (("rest_request", "rest requests"), ("work_request", "work requests (rest refused)"),
                       ("shift_request", "shift requests"), ("shift_refusal", "shift refusals")):
        if kind not in counts:
            continue
        made, refused = counts[kind]
        line = f"{what}: {made - len(refused)} of {made} granted"
        if refused:
            line += "; not granted: " + ", ".join(
                f"{', '.join(c.employees)} {c.date}{' ' + c.asked if kind.startswith('shift') else ''} ({c.reason})"
                for c in refused)
        lines.append(line)
    return lines


def run_plan(paths: InputPaths, month: str, out_dir: Path, echo: Echo = print, lang: str = "zh",
             time_limit_s: float = 20.0, seed: int | None = None, actuals: Actuals | None = None) -> PlanResult:
    """Load and check the inputs, extend their history with `actuals` (when kept), then plan `month`, writing
    results into `out_dir`."""
    extended = actuals_step(load_inputs(paths), actuals)
    inputs = extended.inputs
    result = PlanResult(inputs=inputs, month=month)
    echo("Inputs")
    for line in summary_lines(inputs):
        echo("  " + line)
    out_dir.mkdir(parents=True, exist_ok=True)

    echo(f"Forecast of {month}…")
    forecast = forecast_step(inputs, month)
    result.model, result.forecast = forecast.model, forecast.table
    if forecast.grid_note:
        echo("  " + forecast.grid_note)
    for line in forecast_summary_lines(month_summary(result.model, result.forecast, inputs.plan)):
        echo("  " + line)
    say = SayOnce(lambda line: echo("  " + line))
    result.forecast_notes = extended.history.notes + forecast.notes
    for note in result.forecast_notes:
        say(note)

    result.requirement = requirement_step(inputs, result.forecast)
    req = result.requirement
    minutes = req.attrs["interval_minutes"]
    echo(f"Staffing: peak {req['agents'].max()} agents on the phones ({req['scheduled'].max()} to schedule after "
         f"{inputs.rules.service.shrinkage:.0%} shrinkage), {req['scheduled'].sum() * minutes / 60:,.0f} scheduled hours in the month")
    if "callbacks" in req:
        echo("  " + requirement_callback_line(req))
    if forecast.summed_from_minutes is not None:
        finer = requirement_on_grid(inputs, month, forecast.summed_from_minutes)
        echo("  " + grid_peak_line(req, finer))

    if inputs.staff is not None:
        echo(f"Roster of {month} for {counted(len(inputs.staff), 'person', 'people')} (CP-SAT, up to {time_limit_s:g} s)…")
        result.roster = roster_step(inputs, result.requirement, time_limit_s=time_limit_s, seed=seed,
                                    progress=_solver_progress(echo))
        for line in roster_summary_lines(result.roster, inputs.rules):
            echo("  " + line)

    if inputs.staff is not None:
        echo(f"Headcount for {month} and a hiring plan for six months…")
        _headcount_reports(result, out_dir, echo, say, time_limit_s)

    with warnings.catch_warnings():
        # Without a CJK font the charts fall back to English; one note, not a warning per glyph.
        warnings.simplefilter("ignore", UserWarning)
        if lang == "zh" and charts.cjk_font() is None:
            echo("  note: no Chinese font installed (apt-get install fonts-wqy-microhei); charts use English labels")
        result.files += _write_forecast_files(result, out_dir, lang)
        if result.roster is not None:
            result.files += _write_roster_files(result, out_dir, lang)
    echo(f"Wrote into {out_dir}: " + ", ".join(_file_label(p, out_dir) for p in result.files))
    return result


def _write_forecast_files(result: PlanResult, out_dir: Path, lang: str) -> list[Path]:
    forecast = forecast_frame(result.forecast)
    paths = [out_dir / "forecast.csv", out_dir / "requirement.csv", out_dir / "forecast.png", out_dir / "ad_response.png"]
    write_frame_csv(paths[0], forecast)
    write_frame_csv(paths[1], result.requirement)
    charts.write_png(paths[2], charts.forecast_chart(forecast, result.inputs.plan, lang=lang))
    curve = response_curves_by_channel(result.model)
    if not curve.empty:
        charts.write_png(paths[3], charts.ad_response_chart(curve, lang=lang))
    else:
        paths.pop()
    return paths


def _headcount_reports(result: PlanResult, out_dir: Path, echo: Echo, say: SayOnce, time_limit_s: float) -> None:
    """December's smallest headcount meeting the targets (roster-verified) and six months of hiring; `say`
    tells of the months whose holidays are not modelled, unless the forecast already did. Each trial solve
    takes at most the roster's `time_limit_s`."""
    inputs = result.inputs
    indent = lambda line: echo("  " + line)  # noqa: E731
    headcount = headcount_report(inputs, result.month, result.requirement, out_dir, indent,
                                 time_limit_s=min(time_limit_s, DEFAULT_SOLVE_SECONDS))
    if headcount.agents is None:
        return
    needed = months_ahead(inputs, result.month, 6, headcount, result.model, out_dir, indent)
    agents_now = float(agents_in(inputs.staff, inputs.rules))
    hiring_report(needed, agents_now, out_dir, indent)
    say(months_calendar_note(inputs.rules, result.month, len(needed)))
    result.files += [out_dir / name for name in ("headcount.csv", "headcount_curve.csv", "monthly_headcount.csv",
                                                  "hiring_plan.csv", "hiring_cohorts.csv")]


def _file_label(path: Path, out_dir: Path) -> str:
    name = str(path.relative_to(out_dir))
    return f"{name}/ ({sum(1 for _ in path.iterdir())} files)" if path.is_dir() else name


def _write_roster_files(result: PlanResult, out_dir: Path, lang: str) -> list[Path]:
    roster, inputs = result.roster, result.inputs
    paths = [write_roster_workbook(out_dir / "roster.xlsx", roster, inputs.rules, inputs.staff, lang=lang, detail=True,
                                   notes=result.forecast_notes)]
    paths += write_roster_csvs(out_dir, roster, inputs.staff)
    paths.append(charts.write_png(out_dir / "coverage.png", charts.coverage_chart(roster.coverage, lang=lang)))
    write_calendars(out_dir / "ics", roster, inputs.rules, inputs.staff, lang=lang)
    return paths + [out_dir / "ics"]
