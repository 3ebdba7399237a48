"""/api/v1/rosters: solve a month's roster as a job; fetch the whole floor's month in one call; exports."""
from __future__ import annotations

from typing import Literal

from flask import Blueprint, current_app, request
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api import inputs, sites, store
from api.auth import READ, SUPERVISE
from api.db import Export, Result
from api.exports import EXPORT_FORMATS, roster_export
from api.openapi import operation
from api.problems import data_error_problem
from api.roster_document import stored_roster
from api.schemas import JobOut, MonthFilter, Request, ResultList, RosterCreate, RosterOut
from api.views.common import NOT_MODIFIED, PREFIX, get_result, serve_document
from api.views.forecasts import list_results, start_job
from core.errors import DataError
from scheduler.roster_size import check_model_size
from shiftcast.steps import roster_model_size

bp = Blueprint("rosters", __name__, url_prefix=PREFIX + "/rosters")


@bp.post("")
@operation("Solve a month's roster (a job: poll its url)", tag="rosters", roles=SUPERVISE, body=RosterCreate,
           responses={202: JobOut},
           description="Answers 202 with the job. The job's `progress` shows the best objective and bound so far; "
                       "when it has succeeded, `result_url` is the roster.")
def create_roster(body: RosterCreate):
    return queue_roster(body)


def queue_roster(body: RosterCreate):
    """Check a roster job's references and queue it (202 with the job): the one way a roster solve is asked for."""
    s = store.session()
    site_id = sites.site_for_new(s, body.site_id, sites.anchor(s, Result, body.staffing_id))
    inputs.check_references(s, body, site_id)
    params = body.model_dump(mode="json")  # JSON values: from_day as its ISO text
    params["time_limit_s"] = body.time_limit_s or current_app.config["ROSTER_TIME_LIMIT_S"]
    # the server's budget as the job was submitted: refused now when the staff is over it (the worker checks
    # again before it builds anything)
    params["model_max_bytes"] = current_app.config["ROSTER_MODEL_MAX_BYTES"]
    _check_model_size(s, body, site_id, params["model_max_bytes"])
    return start_job("roster", params, site_id)


def _check_model_size(s, body: RosterCreate, site_id: int, budget_bytes: int) -> None:
    """422 naming the staff when the roster's models would take more than the server's memory budget."""
    staff = inputs.dataset(s, body.staff_id, "staff", "staff_id", site_id)
    requirement = inputs.interval_frame(inputs.payload(inputs.result(s, body.staffing_id, "staffing", "staffing_id")))
    size = roster_model_size(staff.rows, requirement, inputs.rules(s, body.rules_id, site_id=site_id))
    try:
        check_model_size(size, budget_bytes, staff.name or "staff")
    except DataError as exc:
        problem = data_error_problem(exc)
        problem.errors[0]["pointer"] = "/staff_id"
        raise problem from None


@bp.get("")
@operation("List rosters", tag="rosters", query=MonthFilter, responses={200: ResultList})
def list_rosters(query: MonthFilter):
    return list_results("roster", query)


@bp.get("/<id:result_id>")
@operation("A month's roster for the whole floor", tag="rosters", roles=READ, responses={200: RosterOut, 304: NOT_MODIFIED},
           description="Employees × days (shift codes, lunch starts, totals), coverage per interval and KPIs.")
def get_roster(result_id: int):
    return serve_document("roster", result_id, with_job=True)


class ExportQuery(Request):
    lang: Literal["zh", "en"] = Field(default="zh", description="labels: Chinese (with English) or English")


def _export(result_id: int, fmt: str, lang: str):
    cache = store.state().documents
    doc = cache.get(("export", result_id, fmt, lang))
    if doc is None:
        content, filename, site_id = _stored_export(result_id, fmt, lang)
        mimetype = EXPORT_FORMATS[fmt][0]
        doc = cache.put(("export", result_id, fmt, lang), content, mimetype, filename, compress=fmt == "csv",
                        site_id=site_id)
    sites.check(doc.site_id, f"roster {result_id}")
    return doc.response(request)


def _stored_export(result_id: int, fmt: str, lang: str) -> tuple[bytes, str, int]:
    """The export's bytes (made on first request), its file name and the roster's site."""
    s = store.session()
    row = get_result(s, "roster", result_id)
    key = f"{fmt}-{lang}"
    cached = s.scalar(select(Export.content).where(Export.result_id == result_id, Export.format == key))
    if cached is None:
        # Made once, on first request, then served from the store: a roster never changes.
        rules = inputs.rules(s, (row.inputs or {}).get("rules_id"))
        cached = roster_export(stored_roster(inputs.payload(row)), fmt, rules, lang)
        s.add(Export(result_id=result_id, format=key, content=cached))
        try:
            s.commit()
        except IntegrityError:  # another worker stored it first: same bytes
            s.rollback()
    return cached, f"roster-{row.month}-{row.id}.{EXPORT_FORMATS[fmt][1]}", row.site_id


@bp.get("/<id:result_id>/xlsx")
@operation("A roster as a printable Excel workbook", tag="rosters", roles=READ, query=ExportQuery,
           responses={200: {EXPORT_FORMATS["xlsx"][0]: {"schema": {"type": "string", "format": "binary"}}}},
           description="Employees × days grid with coloured shift codes (早/晚/休 with English), coverage vs "
                       "requirement with a chart, hours and overtime, KPIs, short intervals.")
def get_roster_xlsx(result_id: int, query: ExportQuery):
    return _export(result_id, "xlsx", query.lang)


@bp.get("/<id:result_id>/csv")
@operation("A roster as CSV (employee_id, date, shift, lunch_start)", tag="rosters", roles=READ, query=ExportQuery,
           responses={200: {"text/csv": {"schema": {"type": "string"}}}})
def get_roster_csv(result_id: int, query: ExportQuery):
    return _export(result_id, "csv", query.lang)


@bp.get("/<id:result_id>/ics")
@operation("Every employee's calendar (.ics files in a zip)", tag="rosters", roles=READ, query=ExportQuery,
           responses={200: {"application/zip": {"schema": {"type": "string", "format": "binary"}}}})
def get_roster_ics(result_id: int, query: ExportQuery):
    return _export(result_id, "ics", query.lang)
