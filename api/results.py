"""A step's answer as the store keeps it: the Result row of a forecast, a staffing requirement or a roster,
holding the JSON document the API serves. The jobs, the views and a month stored by the CLI (api.planned_month)
all make their rows here, so a result reads the same whoever computed it."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from api.db import Export, Result
from api.exports import DEFAULT_EXPORT_LANG, roster_export
from api.json_values import interval_records, json_scalar
from api.roster_document import roster_document
from api.schemas import ForecastOut, RosterOut, StaffingOut
from core.rules import Rules
from shiftcast.steps import Roster

ROSTER_SUMMARY = ("status", "objective", "lower_bound", "gap", "seconds")


def result_payload(model: type, doc: dict) -> bytes:
    """Check a document against its response schema and keep it without the ids the store assigns."""
    checked = model.model_validate({"id": 0, "job_id": None, **doc} if "job_id" in model.model_fields
                                   else {"id": 0, **doc})
    return checked.model_dump_json(exclude={"id", "job_id"}).encode("utf-8")


def forecast_result(month: str, params: dict, forecast: pd.DataFrame, notes: Sequence[str], *, site_id: int,
                    created_by: str = "") -> Result:
    """A month's forecast (its `mean`, `lower`, `upper` per interval) for site `site_id`, made with the request
    `params`, and what the forecaster noted about its inputs."""
    frame = forecast.loc[:, ["mean", "lower", "upper"]].astype(float)
    summary = {"intervals": len(frame), "calls": round(float(frame["mean"].sum()), 1),
               "peak": round(float(frame["mean"].max()), 2)}
    doc = {"month": month, "inputs": params, "summary": summary, "notes": list(notes),
           "intervals": interval_records(frame)}
    return Result(kind="forecast", month=month, inputs=params, summary=summary,
                  payload=result_payload(ForecastOut, doc), site_id=site_id, created_by=created_by)


def staffing_result(month: str, params: dict, requirement: pd.DataFrame, *, site_id: int,
                    created_by: str = "") -> Result:
    """A month's staffing requirement (the requirement step's table) for site `site_id`, made with the request
    `params`."""
    summary = {"intervals": len(requirement), "aht_s": mean_handle_time(requirement),
               "peak_scheduled": json_scalar(requirement["scheduled"].max()),
               "agent_intervals": json_scalar(requirement["scheduled"].sum())}
    doc = {"month": month, "inputs": params, "summary": summary, "intervals": interval_records(requirement)}
    return Result(kind="staffing", month=month, inputs=params, summary=summary,
                  payload=result_payload(StaffingOut, doc), site_id=site_id, created_by=created_by)


def mean_handle_time(requirement: pd.DataFrame) -> float:
    """The calls-weighted mean of the handle times a requirement was sized with (their plain mean without calls)."""
    calls, aht = requirement["calls"], requirement["aht_s"]
    return round(float((aht * calls).sum() / calls.sum() if calls.sum() > 0 else aht.mean()), 1)


def roster_result(roster: Roster, month: str, params: dict, staff: pd.DataFrame, rules: Rules, *, site_id: int,
                  created_by: str = "") -> Result:
    """A month's roster for site `site_id` with its workbook, rendered now and stored with it, so the first
    download costs no more than the next."""
    doc = roster_document(roster, month, staff, rules)
    summary = {k: doc[k] for k in ROSTER_SUMMARY}
    summary["employees"] = len(doc["employees"])
    summary["short_intervals"] = len(doc["unmet"]["rows"])
    result = Result(kind="roster", month=month, inputs=params, summary=summary,
                    payload=result_payload(RosterOut, doc), site_id=site_id, created_by=created_by)
    xlsx = roster_export(roster, "xlsx", rules, DEFAULT_EXPORT_LANG, staff)
    result.exports.append(Export(format=f"xlsx-{DEFAULT_EXPORT_LANG}", content=xlsx))
    return result
