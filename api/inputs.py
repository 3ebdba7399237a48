"""Stored rows -> the steps' inputs: datasets re-read with their loaders into a shiftcast.inputs.Inputs, results
re-read from their JSON."""
from __future__ import annotations

import json

import pandas as pd
from sqlalchemy.orm import Session

from api.db import Dataset, Result
from api.problems import Problem
from api.schemas import STAFF_TABLES
from api.uploads import read_table
from core.rules import DEFAULT_RULES, Rules, rules_from_toml
from shiftcast.inputs import Inputs


def dataset(session: Session, dataset_id: int, kind: str, field: str, site_id: int | None = None) -> Dataset:
    """The dataset `dataset_id`, which must be of `kind` (`field` names the request field at fault) and, when
    `site_id` is given, of that site: another site's dataset is one that does not exist."""
    row = session.get(Dataset, dataset_id)
    if row is None or (site_id is not None and row.site_id != site_id):
        raise Problem(404, f"{field}: there is no dataset {dataset_id}", slug="not-found",
                      errors=[{"pointer": f"/{field}", "detail": "no such dataset"}])
    if row.kind != kind:
        raise Problem(422, f"{field}: dataset {dataset_id} holds {row.kind}, not {kind}", title="Invalid request",
                      slug="invalid-request", errors=[{"pointer": f"/{field}", "detail": f"expected a {kind} dataset"}])
    return row


def result(session: Session, result_id: int, kind: str, field: str, site_id: int | None = None) -> Result:
    """The result `result_id` of `kind` (and of site `site_id` when given), else a 404 naming `field`."""
    row = session.get(Result, result_id)
    if row is None or row.kind != kind or (site_id is not None and row.site_id != site_id):
        raise Problem(404, f"{field}: there is no {kind} {result_id}", slug="not-found",
                      errors=[{"pointer": f"/{field}", "detail": f"no such {kind}"}])
    return row


def rules(session: Session, rules_id: int | None, field: str = "rules_id", site_id: int | None = None) -> Rules:
    if rules_id is None:
        return DEFAULT_RULES
    row = dataset(session, rules_id, "rules", field, site_id)
    return rules_from_toml(row.content, source=row.name or "rules")


def check_references(session: Session, body, site_id: int) -> None:
    """Every id a roster or headcount request names, checked before its job is queued: a typo (or another
    site's id) is a 404/422 now, not a failed job later."""
    rules(session, body.rules_id, site_id=site_id)
    staffing = result(session, body.staffing_id, "staffing", "staffing_id", site_id)
    for field, kind in (("staff_id", "staff"), ("leave_id", "leave"), ("ads_plan_id", "ads"),
                        ("shift_cover_id", "shift_cover")):
        if getattr(body, field, None) is not None:
            dataset(session, getattr(body, field), kind, field, site_id)
    if getattr(body, "previous_roster_id", None) is not None:
        result(session, body.previous_roster_id, "roster", "previous_roster_id", site_id)
    if getattr(body, "previous_month_roster_id", None) is not None:
        previous_month_roster(session, body.previous_month_roster_id, staffing.month, site_id)


def previous_month_roster(session: Session, result_id: int, month: str, site_id: int | None = None) -> Result:
    """The stored roster `result_id` (of site `site_id`, when given), which must be of the month before `month`
    (the staffing's); whether its people are this staff's is the roster step's check
    (scheduler.roster_build.previous_month_of)."""
    field = "previous_month_roster_id"
    row = result(session, result_id, "roster", field, site_id)
    before = str(pd.Period(month, "M") - 1)
    if row.month != before:
        raise Problem(422, f"{field}: roster {result_id} is of {row.month}, not {before}, the month before {month} "
                           "(a roster of the same month is re-planned with previous_roster_id)",
                      title="Invalid request", slug="invalid-request",
                      errors=[{"pointer": f"/{field}", "detail": f"expected a roster of {before}"}])
    return row


def table(session: Session, dataset_id: int | None, kind: str, field: str, rules_: Rules = DEFAULT_RULES, *,
          loaded_staff: dict[int, pd.DataFrame] | None = None, site_id: int | None = None) -> pd.DataFrame | None:
    """A stored table re-read with its loader (leave and clock records with the staff they were validated against, taken from
    `loaded_staff` when the caller has already read that staff dataset, by id)."""
    if dataset_id is None:
        return None
    row = dataset(session, dataset_id, kind, field, site_id)
    staff = None
    if kind in STAFF_TABLES:
        staff = (loaded_staff or {}).get(row.staff_id)
        if staff is None:
            staff = table(session, row.staff_id, "staff", "staff_id", rules_)
    return read_table(kind, row.content, row.name or kind, staff=staff, rules=rules_)


def step_inputs(session: Session, *, rules_id: int | None = None, calls_id: int | None = None,
                ads_history_id: int | None = None, ads_plan_id: int | None = None, staff_id: int | None = None,
                leave_id: int | None = None, shift_cover_id: int | None = None, site_id: int | None = None) -> Inputs:
    """The datasets a request names (each of site `site_id`, when given), loaded as the CLI loads its files:
    what the steps (shiftcast.steps) read."""
    rules_ = rules(session, rules_id, site_id=site_id)
    calls = table(session, calls_id, "calls", "calls_id", site_id=site_id)
    ads = table(session, ads_history_id, "ads", "ads_history_id", site_id=site_id)
    plan = table(session, ads_plan_id, "ads", "ads_plan_id", site_id=site_id)
    staff = table(session, staff_id, "staff", "staff_id", rules_, site_id=site_id)
    # The leave is checked against its own staff dataset: the one just read, when it is that one.
    leave = table(session, leave_id, "leave", "leave_id", rules_,
                  loaded_staff={staff_id: staff} if staff is not None else None, site_id=site_id)
    shift_cover = table(session, shift_cover_id, "shift_cover", "shift_cover_id", rules_, site_id=site_id)
    return Inputs(rules=rules_, calls=calls, ads=ads, plan=plan, staff=staff, leave=leave, shift_cover=shift_cover)


def payload(row: Result) -> dict:
    return json.loads(row.payload)


def interval_frame(doc: dict) -> pd.DataFrame:
    """A stored per-interval document (forecast, staffing) as a DataFrame on `interval_start`."""
    frame = pd.DataFrame(doc["intervals"])
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.pop("interval_start")), name="interval_start")
    return frame
