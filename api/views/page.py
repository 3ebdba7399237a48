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
from core.rules import DEFAULT_RULES, Rules

bp = Blueprint("page", __name__)

# Labels the page shows, looked up in the exports' label table (both languages).
PAGE_LABELS = (
    "status", "objective", "lower_bound", "gap", "seconds", "service_level", "expected_service_level",
    "abandoned_calls", "abandon_rate", "asa_s", "occupancy", "short_intervals", "short_airing_intervals",
    "short_agent_intervals", "over_agent_intervals", "coverage_ratio", "total_paid_hours", "total_overtime_hours",
    "max_overtime_hours", "rest_requests_honoured", "shift_requests_honoured", "late_shift_spread",
    "weekend_rest_spread", "changes_from_previous", "shifts_worked", "late_shifts", "rest_days", "weekend_rests",
    "leave_days", "paid_hours", "overtime_hours", "required", "staffed", "short", "over", "missing", "airing",
    "interval_start", "rule", "date", "employees", "message", "on_duty", "agent", "group_leader", "team_leader",
    "supervisor", "lunch", "conflicts", "chart_coverage", "legend", "weekend", "name", "employee_id",
)


def page_labels(rules: Rules = DEFAULT_RULES) -> dict:
    """The words the page's script shows around a roster (both languages), and who counts as a leader."""
    from shiftcast.exports import labels as L

    return {
        "labels": {k: {"zh": L.label(k, "zh"), "en": L.label(k, "en")} for k in PAGE_LABELS if L.has_label(k)},
        "leader_roles": list(rules.leader_roles),
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
