"""The job kinds: each builds the steps' Inputs from the stored datasets it names, calls the step the CLI calls
(shiftcast.steps; scheduler.headcount for HR) and keeps the answer as the document the API serves."""
from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from api import inputs
from api.actuals import stored_actuals
from api.db import Job, Result
from api.fanout import TaskTrials
from api.jobs import Cancelled, PipelineError, Progress
from api.json_values import records, scalars
from api.results import forecast_result, result_payload, roster_result
from api.roster_document import stored_roster
from api.schemas import PlanOut
from scheduler.headcount import DEFAULT_MAX_SOLVES
from shiftcast.inputs import Inputs
from shiftcast.steps import actuals_step, forecast_step, headcount_step, headcount_trial_step, roster_step


def run_forecast(s: Session, job: Job, progress: Progress) -> Result:
    p = job.params
    step_inputs = inputs.step_inputs(s, rules_id=p.get("rules_id"), calls_id=p["calls_id"],
                                     ads_history_id=p.get("ads_history_id"), ads_plan_id=p.get("ads_plan_id"))
    extended = actuals_step(step_inputs, stored_actuals(s, job.site_id))
    progress.report(stage="fitting")
    forecast = forecast_step(extended.inputs, p["month"])
    progress.report(stage="done")
    return forecast_result(p["month"], p, forecast.table, extended.history.notes + forecast.notes,
                           site_id=job.site_id)


def run_roster(s: Session, job: Job, progress: Progress) -> Result:
    p = job.params
    step_inputs = inputs.step_inputs(s, rules_id=p.get("rules_id"), staff_id=p["staff_id"], leave_id=p.get("leave_id"),
                                     ads_plan_id=p.get("ads_plan_id"), shift_cover_id=p.get("shift_cover_id"))
    staffing = inputs.result(s, p["staffing_id"], "staffing", "staffing_id")
    requirement = inputs.interval_frame(inputs.payload(staffing))
    previous = None
    if p.get("previous_roster_id"):
        prev = inputs.result(s, p["previous_roster_id"], "roster", "previous_roster_id")
        previous = stored_roster(inputs.payload(prev)).assignments
    if p.get("previous_month_roster_id"):
        before = inputs.previous_month_roster(s, p["previous_month_roster_id"], staffing.month)
        step_inputs.previous_month = stored_roster(inputs.payload(before)).assignments
        step_inputs.previous_month.attrs["source"] = f"roster {before.id} (previous_month_roster_id)"
    try:
        roster = roster_step(step_inputs, requirement, time_limit_s=p["time_limit_s"], previous=previous,
                             seed=p.get("seed"), progress=progress.solution, stop=progress.stop,
                             model_max_bytes=p.get("model_max_bytes"), from_day=p.get("from_day"))
    except RuntimeError as exc:  # the solver's own words, e.g. "… raise the time limit"
        if progress.cancel_requested or progress.interrupted:
            raise Cancelled() from None  # stopped before any roster was found
        raise PipelineError(f"the roster solver found no roster: {exc}") from None
    if progress.interrupted:  # the worker is stopping: the job runs again elsewhere, from the start
        raise Cancelled()
    # Cancelled during the solve, the best roster found by then is kept (the job ends as cancelled).
    return roster_result(roster, staffing.month, p, step_inputs.staff, step_inputs.rules, site_id=job.site_id)


def _headcount_inputs(s: Session, p: dict) -> tuple[Inputs, Result, pd.DataFrame]:
    """(the steps' inputs, the staffing result, its requirement table) a headcount job's params name."""
    step_inputs = inputs.step_inputs(s, rules_id=p.get("rules_id"), staff_id=p.get("staff_id"),
                                     leave_id=p.get("leave_id"), ads_plan_id=p.get("ads_plan_id"))
    staffing = inputs.result(s, p["staffing_id"], "staffing", "staffing_id")
    return step_inputs, staffing, inputs.interval_frame(inputs.payload(staffing))


def run_headcount(s: Session, job: Job, progress: Progress) -> Result:
    """The search, its roster solves fanned out as `headcount_trial` jobs (api.fanout), the worker's fan-out at once."""
    p = job.params
    step_inputs, staffing, requirement = _headcount_inputs(s, p)
    answer = headcount_step(step_inputs, requirement, time_limit_s=p["time_limit_s"],
                            max_solves=p.get("max_solves") or DEFAULT_MAX_SOLVES, progress=progress, stop=progress.stop,
                            run_trials=TaskTrials(progress.runner, job, progress), at_once=progress.runner.fan_out)
    progress.check()  # cancelled during the search: no plan is stored
    headline = scalars(answer.summary())
    summary = {k: v for k, v in headline.items() if k != "notes"}  # a summary holds scalars; the notes are a list
    doc = {"kind": "headcount", "month": staffing.month, "inputs": p, "summary": summary,
           "result": {**headline, "curve": records(answer.curve)}}
    return Result(kind="headcount", month=staffing.month, inputs=p, site_id=job.site_id, summary=summary,
                  payload=result_payload(PlanOut, doc))


def run_headcount_trial(s: Session, job: Job, progress: Progress) -> None:
    """One roster solve of a headcount search: its verdict is the job's final progress, read by the search."""
    step_inputs, _, requirement = _headcount_inputs(s, job.params)
    tried = headcount_trial_step(step_inputs, requirement, job.params["agents"], time_limit_s=job.params["time_limit_s"],
                                 stop=progress.stop)
    progress.check()  # stopped mid-solve: its verdict says nothing about the headcount
    progress.record(**vars(tried.trial))


HANDLERS = {"roster": run_roster, "forecast": run_forecast, "headcount": run_headcount,
            "headcount_trial": run_headcount_trial}
