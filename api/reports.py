"""A site's stored actuals reported against the datasets, roster and clock records a request names (the report
step), as JSON and as the workbook `shiftcast report --out` writes."""
from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from api import inputs
from api.actuals import stored_actuals
from api.json_values import json_scalar, table
from api.roster_document import stored_roster
from api.schemas import LostCause, ReportOut, ReportQuery, ReportTotals, Table
from core.errors import DataError
from scheduler.lost_calls import CAUSES
from shiftcast.exports.roster_frames import assignments_of
from shiftcast.report import Report, ReportPeriod, report_lines
from shiftcast.steps import report_step


def site_report(session: Session, site_id: int, period: ReportPeriod, query: ReportQuery) -> Report:
    """The report of `period` from site `site_id`'s stored actuals and the datasets `query` names, each of that
    site (another site's is a 404)."""
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
    return report_step(step_inputs, period, actuals.intervals, roster=roster, clock=clock)


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
    )
