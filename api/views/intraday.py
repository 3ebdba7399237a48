"""/api/v1/rosters/{id}/intraday: a roster's day at a time of day, with the site's stored actuals and clock records."""
from __future__ import annotations

from flask import Blueprint

from api import store
from api.auth import READ
from api.intraday import intraday_out, roster_intraday
from api.openapi import operation
from api.schemas import IntradayOut, IntradayQuery
from api.views.common import PREFIX, get_result

bp = Blueprint("intraday", __name__, url_prefix=PREFIX + "/rosters")


@bp.get("/<id:result_id>/intraday")
@operation("A roster's day at a time of day: calls so far, the rest re-forecast, who is there, ranked actions",
           tag="rosters", roles=READ, query=IntradayQuery, responses={200: IntradayOut},
           description="The intraday step `shiftcast intraday` runs: the forecast behind the roster fitted on the "
                       "history before the day (the site's stored actuals extend it), updated with the day's stored "
                       "actuals before `at`; who is on the phones from the site's clock records punched by `at` (the "
                       "newest clock dataset whose punches run over the day, or `clock_id`); the service per interval for the rest of the day; and "
                       "the actions (move lunches, rest-day call-ins, overtime, early release) ranked by the abandoned "
                       "calls they save, each priced with Erlang A and naming who.")
def get_intraday(result_id: int, query: IntradayQuery):
    s = store.session()
    return intraday_out(roster_intraday(s, get_result(s, "roster", result_id), query.day, query.at, query.clock_id))
