"""/api/v1/forecasts and /api/v1/staffing: a month's calls per interval, and the agents they need."""
from __future__ import annotations

import io
from dataclasses import replace

from flask import Blueprint, current_app, url_for
from sqlalchemy import select

from api import inputs, jobs, sites, store
from api.actuals import stored_actuals
from api.auth import READ, SUPERVISE, caller_name
from api.db import Dataset, Result
from api.openapi import operation
from api.schemas import ForecastCreate, ForecastOut, JobOut, MonthFilter, ResultList, StaffingCreate, StaffingOut
from api.results import result_payload, staffing_result
from api.views.common import NOT_MODIFIED, PREFIX, document, serve_document, download, get_result, job_out, result_summary
from shiftcast.steps import actuals_step, requirement_step

bp = Blueprint("forecasts", __name__, url_prefix=PREFIX + "/forecasts")
staffing_bp = Blueprint("staffing", __name__, url_prefix=PREFIX + "/staffing")
CSV = {"text/csv": {"schema": {"type": "string"}}}


def start_job(kind: str, params: dict, site_id: int):
    """Queue a job of site `site_id` for the job workers (api.worker), owned by the caller's token, and answer
    202 with it."""
    c = current_app.config
    limits = jobs.Limits(max_queued=c["JOB_MAX_QUEUED"], max_time_limit_s=c["JOB_MAX_TIME_LIMIT_S"])
    job = jobs.submit(store.session(), store.state().broker, kind, {**params, "site_id": site_id}, caller_name(),
                      limits, site_id=site_id, token_id=sites.caller().id)
    return job_out(job), 202, {"Location": url_for("jobs.get_job", job_id=job.id)}


def list_results(kind: str, query: MonthFilter) -> ResultList:
    """The stored results of `kind` in the caller's sites, newest first, of the month and site asked for."""
    stmt = sites.visible(select(Result).where(Result.kind == kind).order_by(Result.id.desc()), Result.site_id)
    if query.month:
        stmt = stmt.where(Result.month == query.month)
    if query.site_id:
        stmt = stmt.where(Result.site_id == query.site_id)
    return ResultList(items=[result_summary(r) for r in store.session().scalars(stmt)])


def save_result(kind: str, month: str, params: dict, summary: dict, doc: dict, model: type, site_id: int) -> Result:
    return add_result(Result(kind=kind, month=month, inputs=params, summary=summary, payload=result_payload(model, doc),
                             site_id=site_id, created_by=caller_name()))


def add_result(row: Result) -> Result:
    """Keep a new result in the store (the request's session)."""
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
    site_id = sites.site_for_new(s, body.site_id, sites.anchor(s, Dataset, body.calls_id))
    inputs.dataset(s, body.calls_id, "calls", "calls_id", site_id)
    inputs.rules(s, body.rules_id, site_id=site_id)
    for field in ("ads_history_id", "ads_plan_id"):
        if getattr(body, field) is not None:
            inputs.dataset(s, getattr(body, field), "ads", field, site_id)
    return start_job("forecast", body.model_dump(), site_id)


@bp.get("")
@operation("List forecasts", tag="forecasts", query=MonthFilter, responses={200: ResultList})
def list_forecasts(query: MonthFilter):
    return list_results("forecast", query)


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
           responses={201: StaffingOut},
           description="The requirement step the CLI runs (shiftcast.steps.requirement_step): handle time by time of "
                       "day from the forecast's calls history (its `calls_id`), or `aht_s` throughout when given.")
def create_staffing(body: StaffingCreate):
    s = store.session()
    site_id = sites.site_for_new(s, body.site_id, sites.anchor(s, Result, body.forecast_id))
    forecast = inputs.result(s, body.forecast_id, "forecast", "forecast_id", site_id)
    made_with = forecast.inputs  # the forecast job's request: its calls history and rules
    rules_id = body.rules_id or made_with.get("rules_id")
    # The forecast's ad plan: its airings are where callbacks wait (everyone takes calls then).
    step_inputs = inputs.step_inputs(s, rules_id=rules_id, calls_id=None if body.aht_s else made_with["calls_id"],
                                     ads_plan_id=made_with.get("ads_plan_id"), site_id=site_id)
    if not body.aht_s:  # the handle times of the history the forecast read: the site's actuals extend it
        step_inputs = actuals_step(step_inputs, stored_actuals(s, site_id)).inputs
    if body.aht_s:  # without a history the step takes the rules' handle time: this one
        rules = step_inputs.rules
        step_inputs.rules = replace(rules, service=replace(rules.service, aht_s=body.aht_s))
    # The step plans for the forecast's `mean`: that is the column the request picked.
    calls = inputs.interval_frame(inputs.payload(forecast))[[body.calls]].rename(columns={body.calls: "mean"})
    frame = requirement_step(step_inputs, calls)
    # The rules it was sized with, given or the forecast's; the site it is for.
    params = {**body.model_dump(), "rules_id": rules_id, "site_id": site_id}
    row = add_result(staffing_result(forecast.month, params, frame, site_id=site_id, created_by=caller_name()))
    return document(row), 201, {"Location": url_for("staffing.get_staffing", result_id=row.id)}


@staffing_bp.get("")
@operation("List staffing requirements", tag="staffing", query=MonthFilter, responses={200: ResultList})
def list_staffing(query: MonthFilter):
    return list_results("staffing", query)


@staffing_bp.get("/<id:result_id>")
@operation("A staffing requirement", tag="staffing", roles=READ, responses={200: StaffingOut, 304: NOT_MODIFIED})
def get_staffing(result_id: int):
    return serve_document("staffing", result_id)


@staffing_bp.get("/<id:result_id>/csv")
@operation("A staffing requirement as CSV", tag="staffing", roles=READ, responses={200: CSV})
def get_staffing_csv(result_id: int):
    row = get_result(store.session(), "staffing", result_id)
    return download(intervals_csv(row), "text/csv", f"staffing-{row.month}-{row.id}.csv")
