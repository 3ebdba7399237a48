"""/api/v1/rosters/{id}/ics/{employee_id}: one employee's calendar, for the roster page's per-person download."""
from __future__ import annotations

from flask import Blueprint, request

from api import inputs, sites, store
from api.auth import READ
from api.openapi import operation
from api.problems import Problem
from api.roster_document import stored_roster
from api.views.common import PREFIX, get_result
from api.views.rosters import ExportQuery

bp = Blueprint("calendars", __name__, url_prefix=PREFIX + "/rosters")
EMPLOYEE_ID = {"type": "string", "minLength": 1, "maxLength": 64}


def employee_ics(result_id: int, employee_id: str, lang: str) -> tuple[bytes, str, int]:
    """The .ics of `employee_id` on stored roster `result_id`, its file name and the roster's site (404 when
    not on the roster)."""
    s = store.session()
    row = get_result(s, "roster", result_id)
    doc = inputs.payload(row)
    if employee_id not in {e["employee_id"] for e in doc["employees"]}:
        raise Problem(404, f"employee {employee_id!r} is not on roster {result_id}", slug="not-found")
    from shiftcast.exports import calendar
    rules = inputs.rules(s, (row.inputs or {}).get("rules_id"))
    content = calendar.employee_calendar(stored_roster(doc), rules, employee_id, lang=lang)
    return content, f"roster-{row.month}-{row.id}-{calendar.ics_filename(employee_id)}", row.site_id


@bp.get("/<id:result_id>/ics/<employee_id>")
@operation("One employee's calendar (.ics)", tag="rosters", roles=READ, query=ExportQuery,
           path_schemas={"employee_id": EMPLOYEE_ID},
           responses={200: {"text/calendar": {"schema": {"type": "string"}}}},
           description="Each worked shift as an event (lunch in its description), in the roster's time zone.")
def get_employee_calendar(result_id: int, employee_id: str, query: ExportQuery):
    if len(employee_id) > EMPLOYEE_ID["maxLength"]:
        raise Problem(404, "no employee has an id that long", slug="not-found")
    cache = store.state().documents
    key = ("ics", result_id, employee_id, query.lang)
    doc = cache.get(key)
    if doc is None:
        content, filename, site_id = employee_ics(result_id, employee_id, query.lang)
        doc = cache.put(key, content, "text/calendar", filename, site_id=site_id)
    sites.check(doc.site_id, f"roster {result_id}")
    return doc.response(request)
