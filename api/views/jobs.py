"""/api/v1/jobs: the state, progress and result of long solves; cancel."""
from __future__ import annotations

from flask import Blueprint
from pydantic import Field
from sqlalchemy import select

from api import jobs, store
from api.auth import READ, SUPERVISE
from api.db import Job
from api.openapi import operation
from api.problems import Problem
from api.schemas import JobList, JobOut, JobState, Request
from api.views.common import PREFIX, job_out

bp = Blueprint("jobs", __name__, url_prefix=PREFIX + "/jobs")


class JobFilter(Request):
    state: JobState | None = None
    limit: int = Field(default=100, ge=1, le=1000)


@bp.get("")
@operation("List jobs", tag="jobs", roles=READ, query=JobFilter, responses={200: JobList})
def list_jobs(query: JobFilter):
    stmt = select(Job).order_by(Job.id.desc()).limit(query.limit)
    if query.state:
        stmt = stmt.where(Job.state == query.state)
    return JobList(items=[job_out(j) for j in store.session().scalars(stmt)])


@bp.get("/<id:job_id>")
@operation("A job", tag="jobs", roles=READ, responses={200: JobOut})
def get_job(job_id: int):
    job = store.session().get(Job, job_id)
    if job is None:
        raise Problem(404, f"there is no job {job_id}", slug="not-found")
    return job_out(job)


@bp.post("/<id:job_id>/cancel")
@operation("Cancel a job", tag="jobs", roles=SUPERVISE + ("hr",), responses={202: JobOut},
           description="A queued job is cancelled at once; a running one stops at the solver's next report. "
                       "A job that has already finished answers 409.")
def cancel_job(job_id: int):
    return job_out(jobs.cancel(store.session(), job_id)), 202
