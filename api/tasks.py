"""The job kinds: each builds the steps' Inputs from the stored datasets it names, calls the step the CLI calls
(shiftcast.steps; scheduler.headcount for HR) and keeps the answer as the document the API serves."""
from __future__ import annotations

from sqlalchemy.orm import Session

from api import inputs
from api.db import Export, Job, Result
from api.exports import DEFAULT_EXPORT_LANG, roster_export
from api.jobs import PipelineError, Progress
from api.json_values import interval_records, records, scalars
from api.roster_document import roster_document, stored_roster
from api.schemas import ForecastOut, PlanOut, RosterOut
from scheduler.headcount import DEFAULT_MAX_SOLVES
from shiftcast.steps import forecast_step, headcount_step, roster_step

ROSTER_SUMMARY = ("status", "objective", "lower_bound", "gap", "seconds")


def result_payload(model: type, doc: dict) -> bytes:
    """Check a document against its response schema and keep it without the ids the store assigns."""
    checked = model.model_validate({"id": 0, "job_id": None, **doc} if "job_id" in model.model_fields
                                   else {"id": 0, **doc})
    return checked.model_dump_json(exclude={"id", "job_id"}).encode("utf-8")


def run_forecast(s: Session, job: Job, progress: Progress) -> Result:
    p = job.params
    step_inputs = inputs.step_inputs(s, rules_id=p.get("rules_id"), calls_id=p["calls_id"],
                                     ads_history_id=p.get("ads_history_id"), ads_plan_id=p.get("ads_plan_id"))
    progress.report(stage="fitting")
    frame = forecast_step(step_inputs, p["month"]).table.loc[:, ["mean", "lower", "upper"]].astype(float)
    progress.report(stage="done")
    summary = {"intervals": len(frame), "calls": round(float(frame["mean"].sum()), 1),
               "peak": round(float(frame["mean"].max()), 2)}
    doc = {"month": p["month"], "inputs": p, "summary": summary, "intervals": interval_records(frame)}
    return Result(kind="forecast", month=p["month"], inputs=p, site_id=job.site_id, summary=summary, payload=result_payload(ForecastOut, doc))


def run_roster(s: Session, job: Job, progress: Progress) -> Result:
    p = job.params
    step_inputs = inputs.step_inputs(s, rules_id=p.get("rules_id"), staff_id=p["staff_id"], leave_id=p.get("leave_id"),
                                     ads_plan_id=p.get("ads_plan_id"))
    staffing = inputs.result(s, p["staffing_id"], "staffing", "staffing_id")
    requirement = inputs.interval_frame(inputs.payload(staffing))
    previous = None
    if p.get("previous_roster_id"):
        prev = inputs.result(s, p["previous_roster_id"], "roster", "previous_roster_id")
        previous = stored_roster(inputs.payload(prev)).assignments
    try:
        roster = roster_step(step_inputs, requirement, time_limit_s=p["time_limit_s"], previous=previous,
                             seed=p.get("seed"), progress=progress, stop=progress.stop)
    except RuntimeError as exc:  # the solver's own words, e.g. "… raise the time limit"
        raise PipelineError(f"the roster solver found no roster: {exc}") from None
    progress.check()  # cancelled during the solve: neither the document nor the workbook is made
    doc = roster_document(roster, staffing.month, step_inputs.staff, step_inputs.rules)
    summary = {k: doc[k] for k in ROSTER_SUMMARY}
    summary["employees"] = len(doc["employees"])
    summary["short_intervals"] = len(doc["unmet"]["rows"])
    result = Result(kind="roster", month=staffing.month, inputs=p, site_id=job.site_id, summary=summary,
                    payload=result_payload(RosterOut, doc))
    # The workbook is rendered now, stored with the roster, so the first download costs no more than the next.
    xlsx = roster_export(roster, "xlsx", step_inputs.rules, DEFAULT_EXPORT_LANG, step_inputs.staff)
    result.exports.append(Export(format=f"xlsx-{DEFAULT_EXPORT_LANG}", content=xlsx))
    return result


def run_headcount(s: Session, job: Job, progress: Progress) -> Result:
    p = job.params
    step_inputs = inputs.step_inputs(s, rules_id=p.get("rules_id"), staff_id=p.get("staff_id"),
                                     leave_id=p.get("leave_id"), ads_plan_id=p.get("ads_plan_id"))
    staffing = inputs.result(s, p["staffing_id"], "staffing", "staffing_id")
    requirement = inputs.interval_frame(inputs.payload(staffing))
    answer = headcount_step(step_inputs, requirement, time_limit_s=p["time_limit_s"],
                            max_solves=p.get("max_solves") or DEFAULT_MAX_SOLVES, progress=progress, stop=progress.stop)
    progress.check()  # cancelled during the search: no plan is stored
    headline = scalars(answer.summary())
    summary = {k: v for k, v in headline.items() if k != "notes"}  # a summary holds scalars; the notes are a list
    doc = {"kind": "headcount", "month": staffing.month, "inputs": p, "summary": summary,
           "result": {**headline, "curve": records(answer.curve)}}
    return Result(kind="headcount", month=staffing.month, inputs=p, site_id=job.site_id, summary=summary, payload=result_payload(PlanOut, doc))


HANDLERS = {"roster": run_roster, "forecast": run_forecast, "headcount": run_headcount}
