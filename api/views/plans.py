"""/api/v1/headcount and /api/v1/hiring-plans: HR's questions."""
from __future__ import annotations

from flask import Blueprint, current_app, url_for

from api import inputs, services, store
from api.auth import PLAN, READ
from api.openapi import operation
from api.schemas import HeadcountCreate, HiringPlanCreate, JobOut, MonthFilter, PlanOut, ResultList
from api.views.common import NOT_MODIFIED, PREFIX, document, serve_document
from api.views.forecasts import list_results, save_result, start_job

bp = Blueprint("plans", __name__, url_prefix=PREFIX + "/headcount")
hiring_bp = Blueprint("hiring", __name__, url_prefix=PREFIX + "/hiring-plans")


@bp.post("")
@operation("The smallest headcount meeting the service target (a job: poll its url)", tag="plans", roles=PLAN,
           body=HeadcountCreate, responses={202: JobOut},
           description="Searches headcounts from a proven lower bound, solving a roster at each; the result has "
                       "the answer and the curve of service level and shortfall per headcount tried.")
def create_headcount(body: HeadcountCreate):
    inputs.check_references(store.session(), body)
    params = body.model_dump()
    params["time_limit_s"] = body.time_limit_s or current_app.config["ROSTER_TIME_LIMIT_S"] / 3
    return start_job("headcount", params)


@bp.get("")
@operation("List headcount plans", tag="plans", roles=READ, query=MonthFilter, responses={200: ResultList})
def list_headcount(query: MonthFilter):
    return list_results("headcount", query.month)


@bp.get("/<id:result_id>")
@operation("A headcount plan", tag="plans", responses={200: PlanOut, 304: NOT_MODIFIED})
def get_headcount(result_id: int):
    return serve_document("headcount", result_id)


@hiring_bp.post("")
@operation("A hiring plan: hires per month given attrition and training", tag="plans", roles=PLAN,
           body=HiringPlanCreate, responses={201: PlanOut},
           description="Assumptions left out take the planning module's defaults, which the answer lists.")
def create_hiring_plan(body: HiringPlanCreate):
    request = body.model_dump()
    if request["as_of"] is not None:
        request["as_of"] = str(request["as_of"])
    result = services.hiring_plan(request)
    first = min(body.monthly_requirements)
    summary = {"months": len(body.monthly_requirements), "total_hires": result["total_hires"], "first_month": first}
    params = body.model_dump(mode="json")
    doc = {"kind": "hiring", "month": first, "inputs": {k: v for k, v in params.items() if not isinstance(v, (dict, list))},
           "summary": summary, "result": {**result, "request": params}}
    row = save_result("hiring", first, params, summary, doc, PlanOut)
    return document(row), 201, {"Location": url_for("hiring.get_hiring_plan", result_id=row.id)}


@hiring_bp.get("")
@operation("List hiring plans", tag="plans", roles=READ, query=MonthFilter, responses={200: ResultList})
def list_hiring_plans(query: MonthFilter):
    return list_results("hiring", query.month)


@hiring_bp.get("/<id:result_id>")
@operation("A hiring plan", tag="plans", responses={200: PlanOut, 304: NOT_MODIFIED})
def get_hiring_plan(result_id: int):
    return serve_document("hiring", result_id)
