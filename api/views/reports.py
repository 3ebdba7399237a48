"""/api/v1/reports/{day|week|month}/{period}: a site's days lived against its plan, as JSON and xlsx."""
from __future__ import annotations

from flask import Blueprint

from api import sites, store
from api.exports import EXPORT_FORMATS
from api.openapi import operation
from api.reports import report_out, site_report
from api.schemas import ReportExportQuery, ReportOut, ReportQuery
from api.views.common import PREFIX, download
from shiftcast.exports.report import report_workbook
from shiftcast.report import report_period

bp = Blueprint("reports", __name__, url_prefix=PREFIX + "/reports")

_DESCRIPTION = ("The site's stored actuals (POST /api/v1/actuals) against the plan's forecast (fitted on the calls "
                "history before each month, with the ad plan), the staff the roster put on the phones and those the "
                "clock records show were there: calls offered, answered and lost, service level and ASA per interval "
                "and per day, calls per airing by channel, forecast accuracy, and lost calls by cause (Erlang A). "
                "What is missing (days without actuals, no roster, no clock records) is said in `notes`. Every dataset "
                "and the roster must be of the site; computed in the request (seconds).")
_PATHS = {"day": {"type": "string", "format": "date", "examples": ["2026-12-15"]},
          "week": {"type": "string", "examples": ["2026-W51"], "description": "an ISO week or any day of it"},
          "month": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "examples": ["2026-12"]}}
_XLSX = {200: {EXPORT_FORMATS["xlsx"][0]: {"schema": {"type": "string", "format": "binary"}}}}


def _report(kind: str, value: str, query: ReportQuery):
    s = store.session()
    site_id = sites.site_for_new(s, query.site_id)
    return site_id, site_report(s, site_id, report_period(kind, value), query)


def _routes(kind: str) -> None:
    def get_json(value: str, query: ReportQuery):
        site_id, report = _report(kind, value, query)
        return report_out(report, site_id)

    def get_xlsx(value: str, query: ReportExportQuery):
        _, report = _report(kind, value, query)
        return download(report_workbook(report, query.lang), EXPORT_FORMATS["xlsx"][0],
                        f"report-{report.period.name}.xlsx")

    get_json.__name__, get_xlsx.__name__ = f"get_{kind}_report", f"get_{kind}_report_xlsx"
    paths = {"value": _PATHS[kind]}
    bp.get(f"/{kind}/<value>")(operation(f"The {kind}'s report", tag="reports", query=ReportQuery,
                                         responses={200: ReportOut}, description=_DESCRIPTION,
                                         path_schemas=paths)(get_json))
    bp.get(f"/{kind}/<value>/xlsx")(operation(f"The {kind}'s report as a printable workbook (one sheet per part)",
                                              tag="reports", query=ReportExportQuery, responses=_XLSX,
                                              path_schemas=paths)(get_xlsx))


for _kind in ("day", "week", "month"):
    _routes(_kind)
