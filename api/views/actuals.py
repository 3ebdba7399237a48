"""/api/v1/actuals: the calls of days already lived (interval counts or call records), kept per site; they extend
the history the site's forecasts read."""
from __future__ import annotations

import csv

from flask import Blueprint, url_for

from api import inputs, limits, sites, store
from api.actuals import stored_days, store_actuals
from api.auth import READ, SUPERVISE, caller_name
from api.openapi import operation
from api.problems import data_error_problem
from api.schemas import ActualDayOut, ActualIntervalOut, ActualsFilter, ActualsList, ActualsQuery, ActualsSent, SentDayOut
from api.views.common import PREFIX, aware, uploaded_file
from core.errors import DataError
from shiftcast.actuals import load_actuals

bp = Blueprint("actuals", __name__, url_prefix=PREFIX + "/actuals")

CSV_UPLOAD = {
    "text/csv": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                                       "required": ["file"]}},
}


@bp.post("")
@operation("Send actual calls of days lived (interval counts or call records)", tag="actuals", roles=SUPERVISE,
           query=ActualsQuery, raw_body=CSV_UPLOAD, responses={201: ActualsSent},
           description="The body is a calls CSV (interval_start, calls; optional answered, abandoned, aht_s) or a call "
                       "records CSV (arrived_at, …), or a multipart form with `file`. Every interval must be on the "
                       "rules' grid, inside the open hours and already begun; errors name the file, row and column, "
                       "and nothing is kept unless all is valid. A day sent again replaces the first (each day's "
                       "`message` says so); a day that stops before closing time is kept and marked partial.")
def send_actuals(query: ActualsQuery, body: bytes):
    body, name = uploaded_file(body, query.name)
    s = store.session()
    site_id = sites.site_for_new(s, query.site_id)
    rules = inputs.rules(s, query.rules_id, site_id=site_id)
    source = name or "actuals.csv"
    limits.check_rows("actuals", max(len(body.splitlines()) - 1, 0), source)
    try:
        actuals = load_actuals(body, rules, source=source)
    except DataError as exc:
        raise data_error_problem(exc, None) from None
    except csv.Error as exc:  # pandas' C parser lets the csv module's errors through (e.g. a lone carriage return)
        raise data_error_problem(DataError(source, f"is not a valid CSV table: {exc}"), None) from None
    sent = store_actuals(s, site_id, actuals, created_by=caller_name())
    days = [SentDayOut(day=d.day.day, intervals=d.day.intervals, calls=d.day.calls, partial=d.day.partial,
                       replaced_sent_at=aware(d.replaced_sent_at), message=d.line) for d in sent]
    location = url_for("actuals.list_actuals", **{"from": sent[0].day.day.isoformat(),
                                                  "to": sent[-1].day.day.isoformat(), "site_id": site_id})
    return (ActualsSent(site_id=site_id, source=actuals.source, kind=actuals.kind, days=days), 201,
            {"Location": location})


@bp.get("")
@operation("Days of actual calls, with their intervals", tag="actuals", roles=READ, query=ActualsFilter,
           responses={200: ActualsList})
def list_actuals(query: ActualsFilter):
    seen = sites.caller().sites
    site_ids = sorted(seen) if seen is not None else None
    if query.site_id is not None:
        site_ids = [query.site_id] if site_ids is None or query.site_id in site_ids else []
    rows = stored_days(store.session(), site_ids, query.first, query.last)
    return ActualsList(items=[ActualDayOut(
        day=r.day.date(), site_id=r.site_id, source=r.source, kind=r.kind, intervals=r.intervals, calls=r.calls,
        partial=r.partial, sent_at=aware(r.created_at), sent_by=r.created_by,
        interval_rows=[ActualIntervalOut(interval_start=i.interval_start.isoformat(), calls=i.calls, answered=i.answered,
                                         abandoned=i.abandoned, aht_s=i.aht_s) for i in r.rows]) for r in rows])
