"""A site's stored actuals reported against the datasets, roster and clock records a request names (the report
step), as JSON and as the workbook `shiftcast report --out` writes."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from api import inputs
from api.actuals import stored_actuals
from api.json_values import json_scalar, table
from api.roster_document import stored_roster
from api.problems import Problem
from api.schemas import CallbacksOut, LostCause, MorningOut, ReportOut, ReportQuery, ReportTotals, Table
from core.errors import DataError
from scheduler.lost_calls import CAUSES
from shiftcast.exports.roster_frames import assignments_of
from shiftcast.inputs import Inputs
from shiftcast.morning import MorningSheet, morning_lines
from shiftcast.report import Report, ReportPeriod, report_lines
from shiftcast.steps import morning_step, report_step


@dataclass
class ReportInputs:
    """What a report reads for a site: the step inputs, the roster, the clock records and the stored actuals."""

    inputs: Inputs
    roster: pd.DataFrame | None
    clock: pd.DataFrame | None
    actuals: pd.DataFrame


def report_inputs(session: Session, site_id: int, query: ReportQuery) -> ReportInputs:
    """The datasets `query` names, each of site `site_id` (another site's is a 404), and the site's actuals."""
    step_inputs = inputs.step_inputs(session, rules_id=query.rules_id, calls_id=query.calls_id,
                                     ads_history_id=query.ads_history_id, ads_plan_id=query.ads_plan_id,
                                     staff_id=query.staff_id, site_id=site_id)
    roster = None
    if query.roster_id is not None:
        row = inputs.result(session, query.roster_id, "roster", "roster_id", site_id)
        roster = assignments_of(stored_roster(inputs.payload(row)))
        roster.attrs["source"] = f"roster {query.roster_id}"
    clock = None
    if query.clock_id is not None:
        clock = inputs.table(session, query.clock_id, "clock", "clock_id", step_inputs.rules, site_id=site_id)
    actuals = stored_actuals(session, site_id)
    if actuals is None:
        raise DataError("the store's actuals", f"site {site_id} holds none: send the days lived first "
                        "(POST /api/v1/actuals)")
    return ReportInputs(inputs=step_inputs, roster=roster, clock=clock, actuals=actuals.intervals)


def site_report(session: Session, site_id: int, period: ReportPeriod, query: ReportQuery) -> Report:
    """The report of `period` from site `site_id`'s stored actuals and the datasets `query` names."""
    given = report_inputs(session, site_id, query)
    return report_step(given.inputs, period, given.actuals, roster=given.roster, clock=given.clock)


def site_morning(session: Session, site_id: int, period: ReportPeriod, query: ReportQuery) -> MorningSheet:
    """The morning sheet of `period`'s day from site `site_id`'s stored actuals and the datasets `query` names
    (a roster among them)."""
    if query.roster_id is None:
        raise Problem(422, "roster_id: the morning sheet says who is on which shift: name the day's roster",
                      title="Invalid request", slug="invalid-request",
                      errors=[{"pointer": "/roster_id", "detail": "required for the morning sheet"}])
    given = report_inputs(session, site_id, query)
    return morning_step(given.inputs, period.first, given.actuals, given.roster, clock=given.clock)


def _table(frame) -> Table:
    """A report's table, its index (interval, day, hour, channel) as the first column."""
    return Table(**table(frame.reset_index()))


def report_out(report: Report, site_id: int) -> ReportOut:
    """The JSON of a report: its words, its totals and one table per part."""
    totals = {k: json_scalar(v) for k, v in dataclasses.asdict(report.totals).items()}
    causes = report.lost_by_cause
    return ReportOut(
        site_id=site_id, kind=report.period.kind, period=report.period.name, first=report.period.first.date(),
        last=report.period.last.date(), days=report.days, lines=report_lines(report), notes=report.notes,
        totals=ReportTotals(**totals), intervals=_table(report.intervals), by_day=_table(report.by_day),
        by_time_of_day=_table(report.by_time_of_day), airings=_table(report.airings.set_index("start")),
        channels=_table(report.channels),
        causes=None if causes is None else [LostCause(key=c.key, words=c.words, calls=float(causes[c.key]))
                                            for c in CAUSES],
        lost=None if report.lost is None else _table(report.lost),
        lost_by_hour=None if report.lost is None else _table(report.lost_by_hour),
        callbacks=None if report.callbacks is None else CallbacksOut(**dataclasses.asdict(report.callbacks.totals())),
    )


def morning_out(sheet: MorningSheet, site_id: int) -> MorningOut:
    """The JSON of a morning sheet."""
    yesterday = None
    if sheet.yesterday is not None:
        yesterday = ReportTotals(**{k: json_scalar(v) for k, v in dataclasses.asdict(sheet.yesterday.totals).items()})
    return MorningOut(site_id=site_id, day=sheet.day.date(), lines=morning_lines(sheet), notes=sheet.notes,
                      yesterday=yesterday, airings=Table(**table(sheet.airings)), peaks=Table(**table(sheet.peaks)),
                      shifts=Table(**table(sheet.shifts)))
