"""`/`: the supervisor's roster page (HTML, CSS and a little JavaScript from api/static; no build step).

The page loads without a token; its script sends the token the supervisor pastes with every data call.
Shift marks, names, hours and colours come with each roster (its `shifts`, from the rules it was solved with,
made by the exports' labels and fills: one source with the workbook); the page carries only its own labels.
"""
from __future__ import annotations

import functools
import json

from flask import Blueprint, Response, render_template

from api.openapi import operation

bp = Blueprint("page", __name__)


def page_labels() -> dict:
    """The words the page's script shows around a roster (both languages)."""
    from shiftcast.exports import labels as L

    return {
        "labels": L.label_table(),
        "weekdays": {"zh": [L.weekday(i, "zh") for i in range(7)], "en": [L.weekday(i, "en") for i in range(7)]},
    }


@bp.get("/")
@operation("The supervisor's roster page (HTML; its script sends the token)", tag="page", roles=None,
           responses={200: {"text/html": {"schema": {"type": "string"}}}})
def roster_page():
    return Response(render_template("roster.html", labels=labels_json()), mimetype="text/html")


@functools.cache
def labels_json() -> str:
    """page_labels as the page embeds it, made once per process (they do not change).
    '<' is escaped so no text can close the <script> the JSON sits in."""
    return json.dumps(page_labels(), ensure_ascii=False).replace("<", "\\u003c")
