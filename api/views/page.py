"""`/`: the supervisor's roster page (HTML, CSS and a little JavaScript from api/static; no build step).

The page loads without a token; its script sends the token the supervisor pastes with every data call.
Shift marks, names, hours and colours come with each roster (its `shifts`, from the rules it was solved with,
made by the exports' labels and fills: one source with the workbook); the page carries only its own labels and
the latest month that has a roster, where its month picker opens.
"""
from __future__ import annotations

import functools
import json

from flask import Blueprint, Response, render_template
from sqlalchemy import func, select

from api import store
from api.db import Result
from api.openapi import operation

bp = Blueprint("page", __name__)


@functools.cache
def page_labels() -> dict:
    """The words the page's script shows around a roster (both languages), made once per process."""
    from shiftcast.exports import labels as L

    return {
        "labels": L.label_table(),
        "weekdays": {"zh": [L.weekday(i, "zh") for i in range(7)], "en": [L.weekday(i, "en") for i in range(7)]},
    }


@bp.get("/")
@operation("The supervisor's roster page (HTML; its script sends the token)", tag="page", roles=None,
           responses={200: {"text/html": {"schema": {"type": "string"}}}})
def roster_page():
    return Response(render_template("roster.html", labels=page_json(latest_roster_month())), mimetype="text/html")


def latest_roster_month() -> str | None:
    """The latest month that has a roster (months are YYYY-MM, so the greatest string is the latest)."""
    return store.session().scalar(select(func.max(Result.month)).where(Result.kind == "roster"))


def page_json(latest_month: str | None) -> str:
    """The page's data as it embeds it: its labels and the month its picker opens on ('<' is escaped so no
    text can close the <script> the JSON sits in)."""
    return json.dumps({**page_labels(), "latest_month": latest_month}, ensure_ascii=False).replace("<", "\\u003c")
