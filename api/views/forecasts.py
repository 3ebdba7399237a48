"""/api/v1/forecasts and /api/v1/staffing: a month's calls per interval, and the agents they need."""
from __future__ import annotations

import io

from flask import Blueprint, url_for
from sqlalchemy import select

from api import inputs, jobs, services, store
from api.auth import READ, SUPERVISE, caller_name
from api.db import Result
from api.openapi import operation
from api.schemas import ForecastCreate, ForecastOut, JobOut, MonthFilter, ResultList, StaffingCreate, StaffingOut
from api.tasks import result_payload
from api.views.common import NOT_MODIFIED, PREFIX, document, serve_document, download, get_result, job_out, result_summary

bp = Blueprint("forecasts", __name__, url_prefix=PREFIX + "/forecasts")
staffing_bp = Blueprint("staffing", __name__, url_prefix=PREFIX + "/staffing")
CSV = {"text/csv": {"schema": {"type": "string"}}}


def start_job(kind: str, params: dict):
    job = jobs.enqueue(store.session(), kind, params, caller_name())
    runner = store.state().runner
    if runner is not None:
        runner.wake()
    return job_out(job), 202, {"Location": url_for("jobs.get_job", job_id=job.id)}


def list_results(kind: str, month: str | None) -> ResultList:
    stmt = select(Result).where(Result.kind == kind).order_by(Result.id.desc())
    if month:
        stmt = stmt.where(Result.month == month)
    return ResultList(items=[result_summary(r) for r in store.session().scalars(stmt)])


def save_result(kind: str, month: str, params: dict, summary: dict, doc: dict, model: type) -> Result:
    row = Result(kind=kind, month=month, inputs=params, summary=summary, payload=result_payload(model, doc),
                 created_by=caller_name())
    s = store.session()
    s.add(row)
    s.commit()
    return row


def intervals_csv(row: Result) -> bytes:
    frame = inputs.interval_frame(inputs.payload(row))
    buf = io.StringIO()
    frame.to_csv(buf)
    return buf.getvalue().encode("utf-8")


@bp.post("")
@operation("Forecast a month's calls per interval (a job: poll its url)", tag="forecasts", roles=SUPERVISE,
           body=ForecastCreate, responses={202: JobOut},
           description="Fitting two years of history takes tens of seconds, so this answers 202 with a job whose "
                       "`result_url` is the forecast once it has succeeded.")
def create_forecast(body: ForecastCreate):
    s = store.session()
    inputs.rules(s, body.rules_id)
    inputs.dataset(s, body.calls_id, "calls", "calls_id")
    for field in ("ads_history_id", "ads_plan_id"):
        if getattr(body, field) is not None:
            inputs.dataset(s, getattr(body, field), "ads", field)
    return start_job("forecast", body.model_dump())


@bp.get("")
@operation("List forecasts", tag="forecasts", query=MonthFilter, responses={200: ResultList})
def list_forecasts(query: MonthFilter):
    return list_results("forecast", query.month)


@bp.get("/<id:result_id>")
@operation("A forecast", tag="forecasts", roles=READ, responses={200: ForecastOut, 304: NOT_MODIFIED})
def get_forecast(result_id: int):
    return serve_document("forecast", result_id)


@bp.get("/<id:result_id>/csv")
@operation("A forecast as CSV", tag="forecasts", roles=READ, responses={200: CSV})
def get_forecast_csv(result_id: int):
    row = get_result(store.session(), "forecast", result_id)
    return download(intervals_csv(row), "text/csv", f"forecast-{row.month}-{row.id}.csv")


@staffing_bp.post("")
@operation("Agents needed per interval for a forecast", tag="staffing", roles=SUPERVISE, body=StaffingCreate,
           responses={201: StaffingOut})
def create_staffing(body: StaffingCreate):
    s = store.session()
    rules = inputs.rules(s, body.rules_id)
    forecast = inputs.result(s, body.forecast_id, "forecast", "forecast_id")
    calls = inputs.interval_frame(inputs.payload(forecast))[body.calls]
    aht = body.aht_s or float(forecast.summary.get("aht_s") or rules.service.aht_s)
    frame = services.staffing_requirements(calls, aht, rules)
    intervals = services.records(frame.rename_axis("interval_start"))
    for row, start in zip(intervals, frame.index):
        row["interval_start"] = start.strftime("%Y-%m-%dT%H:%M")
    summary = {"intervals": len(frame), "aht_s": aht,
               "peak_scheduled": services.json_scalar(frame["scheduled"].max()),
               "agent_intervals": services.json_scalar(frame["scheduled"].sum())}
    params = body.model_dump()
    row = save_result("staffing", forecast.month, params, summary,
                      {"month": forecast.month, "inputs": params, "summary": summary, "intervals": intervals},
                      StaffingOut)
    return document(row), 201, {"Location": url_for("staffing.get_staffing", result_id=row.id)}


@staffing_bp.get("")
@operation("List staffing requirements", tag="staffing", query=MonthFilter, responses={200: ResultList})
def list_staffing(query: MonthFilter):
    return list_results("staffing", query.month)


@staffing_bp.get("/<id:result_id>")
@operation("A staffing requirement", tag="staffing", roles=READ, responses={200: StaffingOut, 304: NOT_MODIFIED})
def get_staffing(result_id: int):
    return serve_document("staffing", result_id)


@staffing_bp.get("/<id:result_id>/csv")
@operation("A staffing requirement as CSV", tag="staffing", roles=READ, responses={200: CSV})
def get_staffing_csv(result_id: int):
    row = get_result(store.session(), "staffing", result_id)
    return download(intervals_csv(row), "text/csv", f"staffing-{row.month}-{row.id}.csv")
