"""The OpenAPI document and a human-readable page rendered from it."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, render_template

from api import store
from api.openapi import openapi_document
from api.schemas import ProblemOut
from api.views.common import PREFIX

bp = Blueprint("docs", __name__, url_prefix=PREFIX)


def document() -> dict:
    state = store.state()
    if state.openapi is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("shiftcast")
        except PackageNotFoundError:  # pragma: no cover
            v = "0"
        state.openapi = openapi_document(current_app, "Shiftcast API", v, ProblemOut)
    return state.openapi


@bp.get("/openapi.json")
def openapi_json():
    return current_app.response_class(json.dumps(document(), ensure_ascii=False), mimetype="application/json")


def _ref_name(schema: dict) -> str:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else schema.get("type", "")


@bp.get("/docs")
def docs_page():
    doc = document()
    return render_template("docs.html", doc=doc, ref_name=_ref_name,
                           schemas_json={k: json.dumps(v, indent=2, ensure_ascii=False)
                                         for k, v in doc["components"]["schemas"].items()})
