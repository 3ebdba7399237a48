"""The job kinds: what a roster or headcount job does with its stored inputs."""
from __future__ import annotations


from sqlalchemy.orm import Session

from api import inputs, services
from api.db import Export, Job, Result
from api.jobs import Progress
from api.schemas import ForecastOut, PlanOut, RosterOut


def result_payload(model: type, doc: dict) -> bytes:
    """Check a document against its response schema and keep it without the ids the store assigns."""
    checked = model.model_validate({"id": 0, "job_id": None, **doc} if "job_id" in model.model_fields
                                    else {"id": 0, **doc})
    return checked.model_dump_json(exclude={"id", "job_id"}).encode("utf-8")


def run_roster(s: Session, job: Job, progress: Progress) -> Result:
    p = job.params
    rules = inputs.rules(s, p.get("rules_id"))
    staffing = inputs.result(s, p["staffing_id"], "staffing", "staffing_id")
    requirement = inputs.interval_frame(inputs.payload(staffing))
    month = staffing.month
    staff = inputs.table(s, p["staff_id"], "staff", "staff_id", rules)
    leave = inputs.table(s, p.get("leave_id"), "leave", "leave_id", rules)
    ads = inputs.table(s, p.get("ads_plan_id"), "ads", "ads_plan_id")
    previous = None
    if p.get("previous_roster_id"):
        prev = inputs.result(s, p["previous_roster_id"], "roster", "previous_roster_id")
        previous = services.stored_roster(inputs.payload(prev)).assignments
    roster = services.solve_roster(requirement, staff, rules, leave=leave, ads=ads, previous=previous,
                                   time_limit_s=p["time_limit_s"], progress=progress, stop=progress.stop)
    progress.check()  # cancelled during the solve: neither the document nor the workbook is made
    doc = services.roster_document(roster, month, staff)
    summary = {k: doc[k] for k in ("status", "objective", "lower_bound", "gap", "seconds")}
    summary["employees"] = len(doc["employees"])
    summary["short_intervals"] = len(doc["unmet"]["rows"])
    result = Result(kind="roster", month=month, inputs=p, summary=summary, payload=result_payload(RosterOut, doc))
    # The workbook is rendered now, stored with the roster, so the first download costs no more than the next.
    xlsx = services.roster_export(roster, "xlsx", rules, services.DEFAULT_EXPORT_LANG, staff)
    result.exports.append(Export(format=f"xlsx-{services.DEFAULT_EXPORT_LANG}", content=xlsx))
    return result


def run_forecast(s: Session, job: Job, progress: Progress) -> Result:
    p = job.params
    rules = inputs.rules(s, p.get("rules_id"))
    calls = inputs.table(s, p["calls_id"], "calls", "calls_id")
    history = inputs.table(s, p.get("ads_history_id"), "ads", "ads_history_id")
    plan = inputs.table(s, p.get("ads_plan_id"), "ads", "ads_plan_id")
    progress.report(stage="fitting")
    frame = services.forecast_month(calls, p["month"], rules, history, plan)
    progress.report(stage="done")
    intervals = [{"interval_start": t.strftime("%Y-%m-%dT%H:%M"), "mean": float(m), "lower": float(lo), "upper": float(hi)}
                 for t, m, lo, hi in zip(frame.index, frame["mean"], frame["lower"], frame["upper"])]
    summary = {"intervals": len(frame), "calls": round(float(frame["mean"].sum()), 1),
               "peak": round(float(frame["mean"].max()), 2), "aht_s": services.history_aht(calls, rules)}
    doc = {"month": p["month"], "inputs": p, "summary": summary, "intervals": intervals}
    return Result(kind="forecast", month=p["month"], inputs=p, summary=summary, payload=result_payload(ForecastOut, doc))


def run_headcount(s: Session, job: Job, progress: Progress) -> Result:
    p = job.params
    rules = inputs.rules(s, p.get("rules_id"))
    staffing = inputs.result(s, p["staffing_id"], "staffing", "staffing_id")
    requirement = inputs.interval_frame(inputs.payload(staffing))
    staff = inputs.table(s, p.get("staff_id"), "staff", "staff_id", rules)
    leave = inputs.table(s, p.get("leave_id"), "leave", "leave_id", rules)
    ads = inputs.table(s, p.get("ads_plan_id"), "ads", "ads_plan_id")
    answer = services.required_headcount(requirement, rules, staff=staff, leave=leave, ads=ads,
                                         time_limit_s=p.get("time_limit_s"), max_solves=p.get("max_solves"),
                                         progress=progress, stop=progress.stop)
    progress.check()  # cancelled during the search: no plan is stored
    summary = {k: v for k, v in answer.items() if k not in ("curve", "notes")}
    doc = {"kind": "headcount", "month": staffing.month, "inputs": p, "summary": summary, "result": answer}
    return Result(kind="headcount", month=staffing.month, inputs=p, summary=summary, payload=result_payload(PlanOut, doc))


HANDLERS = {"roster": run_roster, "forecast": run_forecast, "headcount": run_headcount}
