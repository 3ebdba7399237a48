"""/api/v1/headcount and /api/v1/hiring-plans: HR's questions."""
from __future__ import annotations

from flask import Blueprint

from api.openapi import operation
from api.schemas import PlanOut
from api.views.common import PREFIX, serve_document

bp = Blueprint("plans", __name__, url_prefix=PREFIX + "/headcount")
hiring_bp = Blueprint("hiring", __name__, url_prefix=PREFIX + "/hiring-plans")


@bp.get("/<id:result_id>")
@operation("A headcount plan", tag="plans", responses={200: PlanOut, 304: "not modified since the ETag sent in If-None-Match"})
def get_headcount(result_id: int):
    return serve_document("headcount", result_id)


@hiring_bp.get("/<id:result_id>")
@operation("A hiring plan", tag="plans", responses={200: PlanOut, 304: "not modified since the ETag sent in If-None-Match"})
def get_hiring_plan(result_id: int):
    return serve_document("hiring", result_id)
