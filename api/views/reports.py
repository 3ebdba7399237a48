"""/api/v1/reports/{day|week|month}/{period}: a site's days lived against its plan, as JSON and xlsx."""
from __future__ import annotations

from flask import Blueprint

from api import inputs, sites, store
from api.exports import EXPORT_FORMATS
from api.openapi import operation
from api.reports import morning_out, report_out, site_morning, site_report
from api.schemas import MorningOut, ReportExportQuery, ReportOut, ReportQuery
from api.views.common import PREFIX, download
from shiftcast.exports.report import morning_workbook, report_workbook
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


@bp.get("/morning/<value>")
@operation("The morning meeting's sheet (晨会) of a day", tag="reports", query=ReportQuery, responses={200: MorningOut},
           path_schemas={"value": _PATHS["day"]},
           description="Yesterday's report from the site's stored actuals, today's airings with the calls the plan's "
                       "forecast predicts from each, who the roster (`roster_id`, required) puts on which shift by "
                       "group, and today's expected peaks. Computed in the request (seconds).")
def get_morning(value: str, query: ReportQuery):
    s = store.session()
    site_id = sites.site_for_new(s, query.site_id)
    return morning_out(site_morning(s, site_id, report_period("day", value), query), site_id)


@bp.get("/morning/<value>/xlsx")
@operation("The morning meeting's sheet as one printable page (xlsx)", tag="reports", query=ReportExportQuery,
           responses=_XLSX, path_schemas={"value": _PATHS["day"]})
def get_morning_xlsx(value: str, query: ReportExportQuery):
    s = store.session()
    site_id = sites.site_for_new(s, query.site_id)
    sheet = site_morning(s, site_id, report_period("day", value), query)
    content = morning_workbook(sheet, inputs.rules(s, query.rules_id, site_id=site_id), query.lang)
    return download(content, EXPORT_FORMATS["xlsx"][0], f"morning-{value}.xlsx")
