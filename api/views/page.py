"""`/`: the supervisor's roster page (HTML, CSS and a little JavaScript from api/static; no build step).

The page loads without a token and carries nothing of any site: only its own labels. Its script sends the
token the supervisor pastes with every data call, and learns from the token's sites (GET /api/v1/sites) the
latest month with a roster, where its month picker opens. Shift marks, names, hours and colours come with each
roster (its `shifts`, from the rules it was solved with, made by the exports' labels and fills: one source with
the workbook).
"""
from __future__ import annotations

import functools
import json

from flask import Blueprint, Response, render_template

from api.openapi import operation

bp = Blueprint("page", __name__)


@bp.get("/")
@operation("The supervisor's roster page (HTML; its script sends the token)", tag="page", roles=None,
           responses={200: {"text/html": {"schema": {"type": "string"}}}})
def roster_page():
    return Response(render_template("roster.html", labels=page_json()), mimetype="text/html")


@functools.cache
def page_json() -> str:
    """The words the page's script shows around a roster (both languages) as the page embeds them, made once per
    process ('<' is escaped so no text can close the <script> the JSON sits in)."""
    from shiftcast.exports import labels as L

    words = {
        "labels": L.label_table(),
        "weekdays": {"zh": [L.weekday(i, "zh") for i in range(7)], "en": [L.weekday(i, "en") for i in range(7)]},
    }
    return json.dumps(words, ensure_ascii=False).replace("<", "\\u003c")


@bp.get("/requests")
@operation("The requests page: ask, agree, decide with the impact in view (HTML; its script sends the token)",
           tag="page", roles=None, responses={200: {"text/html": {"schema": {"type": "string"}}}})
def requests_page():
    return Response(render_template("requests.html"), mimetype="text/html")
