"""/api/v1/headcount and /api/v1/hiring-plans: HR's questions."""
from __future__ import annotations

import json

from flask import Blueprint, url_for

from api import inputs, sites, store
from api.db import Result
from api.auth import PLAN, READ
from api.json_values import records
from api.openapi import operation
from api.schemas import HeadcountCreate, HiringPlanCreate, JobOut, MonthFilter, PlanOut, ResultList
from api.views.common import NOT_MODIFIED, PREFIX, document, serve_document
from api.views.forecasts import list_results, save_result, start_job
from scheduler import hiring
from scheduler.headcount import DEFAULT_SOLVE_SECONDS

bp = Blueprint("plans", __name__, url_prefix=PREFIX + "/headcount")
hiring_bp = Blueprint("hiring", __name__, url_prefix=PREFIX + "/hiring-plans")


@bp.post("")
@operation("The smallest headcount meeting the service target (a job: poll its url)", tag="plans", roles=PLAN,
           body=HeadcountCreate, responses={202: JobOut},
           description="Searches headcounts from a proven lower bound, solving a roster at each; the result has "
                       "the answer and the curve of service level and shortfall per headcount tried.")
def create_headcount(body: HeadcountCreate):
    s = store.session()
    site_id = sites.site_for_new(s, body.site_id, sites.anchor(s, Result, body.staffing_id))
    inputs.check_references(s, body, site_id)
    params = body.model_dump()
    # the CLI's default, so the same inputs give the API and `shiftcast headcount` the same answer
    params["time_limit_s"] = body.time_limit_s or DEFAULT_SOLVE_SECONDS
    return start_job("headcount", params, site_id)


@bp.get("")
@operation("List headcount plans", tag="plans", roles=READ, query=MonthFilter, responses={200: ResultList})
def list_headcount(query: MonthFilter):
    return list_results("headcount", query)


@bp.get("/<id:result_id>")
@operation("A headcount plan", tag="plans", responses={200: PlanOut, 304: NOT_MODIFIED})
def get_headcount(result_id: int):
    return serve_document("headcount", result_id)


@hiring_bp.post("")
@operation("A hiring plan: hires per month given attrition and training", tag="plans", roles=PLAN,
           body=HiringPlanCreate, responses={201: PlanOut},
           description="Assumptions left out take the planning module's defaults, which the answer lists.")
def create_hiring_plan(body: HiringPlanCreate):
    site_id = sites.site_for_new(store.session(), body.site_id)
    result = hiring_answer(body)
    first = min(body.monthly_requirements)
    summary = {"months": len(body.monthly_requirements), "total_hires": result["total_hires"], "first_month": first}
    params = {**body.model_dump(mode="json"), "site_id": site_id}
    doc = {"kind": "hiring", "month": first, "inputs": {k: v for k, v in params.items() if not isinstance(v, (dict, list))},
           "summary": summary, "result": {**result, "request": params}}
    row = save_result("hiring", first, params, summary, doc, PlanOut, site_id)
    return document(row), 201, {"Location": url_for("hiring.get_hiring_plan", result_id=row.id)}


def hiring_answer(body: HiringPlanCreate) -> dict:
    """The hiring plan `shiftcast hiring-plan` makes (scheduler.hiring), as JSON: the month table, the training
    cohorts and the assumptions used."""
    args = {k: v for k, v in body.model_dump(exclude={"site_id"}).items() if v is not None}
    if "as_of" in args:
        args["as_of"] = str(args["as_of"])
    plan = hiring.hiring_plan(args.pop("monthly_requirements"), args.pop("current_staff"), **args)
    months = plan.table.copy()
    months.index = months.index.astype(str)
    return {"table": records(months.rename_axis("month")), "cohorts": records(plan.cohorts),
            "assumptions": json.loads(json.dumps(plan.assumptions, default=str)), "total_hires": plan.total_hires}


@hiring_bp.get("")
@operation("List hiring plans", tag="plans", roles=READ, query=MonthFilter, responses={200: ResultList})
def list_hiring_plans(query: MonthFilter):
    return list_results("hiring", query)


@hiring_bp.get("/<id:result_id>")
@operation("A hiring plan", tag="plans", responses={200: PlanOut, 304: NOT_MODIFIED})
def get_hiring_plan(result_id: int):
    return serve_document("hiring", result_id)
