"""/api/v1/rosters/{id}/attendance: a roster's month checked against clock records, as JSON, xlsx and CSV."""
from __future__ import annotations

from flask import Blueprint

from api import store
from api.attendance import attendance_out, roster_attendance
from api.auth import READ
from api.exports import EXPORT_FORMATS
from api.openapi import operation
from api.schemas import AttendanceExportQuery, AttendanceOut, AttendanceQuery
from api.views.common import PREFIX, download, get_result
from shiftcast.exports.attendance import attendance_workbook, summary_frame
from shiftcast.exports.tables import frame_csv

bp = Blueprint("attendance", __name__, url_prefix=PREFIX + "/rosters")


def _attendance(result_id: int, clock_id: int):
    s = store.session()
    return roster_attendance(s, get_result(s, "roster", result_id), clock_id)


@bp.get("/<id:result_id>/attendance")
@operation("A roster's month checked against clock records", tag="rosters", roles=READ, query=AttendanceQuery,
           responses={200: AttendanceOut},
           description="Per person per day: on time, late (minutes), early departure (minutes), absent, leave, rest "
                       "day worked, overtime past the rules' threshold, and the punches' anomalies; per person the "
                       "month for payroll. The clock dataset must be of the roster's site.")
def get_attendance(result_id: int, query: AttendanceQuery):
    return attendance_out(_attendance(result_id, query.clock_id))


@bp.get("/<id:result_id>/attendance/xlsx")
@operation("A roster's attendance as a printable workbook (summary and per-day sheets)", tag="rosters", roles=READ,
           query=AttendanceExportQuery,
           responses={200: {EXPORT_FORMATS["xlsx"][0]: {"schema": {"type": "string", "format": "binary"}}}})
def get_attendance_xlsx(result_id: int, query: AttendanceExportQuery):
    a = _attendance(result_id, query.clock_id)
    return download(attendance_workbook(a.result, a.rules, a.staff, query.lang), EXPORT_FORMATS["xlsx"][0],
                    f"attendance-{a.result.month}-{result_id}.xlsx")


@bp.get("/<id:result_id>/attendance/csv")
@operation("A roster's attendance summary as CSV (attendance.csv: one row per person)", tag="rosters", roles=READ,
           query=AttendanceQuery, responses={200: {"text/csv": {"schema": {"type": "string"}}}})
def get_attendance_csv(result_id: int, query: AttendanceQuery):
    a = _attendance(result_id, query.clock_id)
    return download(frame_csv(summary_frame(a.result, a.staff), index=False), "text/csv",
                    f"attendance-{a.result.month}-{result_id}.csv")
