"""/api/v1/jobs: the state, progress and result of long solves; cancel."""
from __future__ import annotations

from flask import Blueprint
from pydantic import Field
from sqlalchemy import select

from api import jobs, sites, store
from api.auth import READ, SUPERVISE
from api.db import Job
from api.openapi import operation
from api.problems import Problem
from api.schemas import Id, JobList, JobOut, JobState, Request
from api.views.common import PREFIX, job_out

bp = Blueprint("jobs", __name__, url_prefix=PREFIX + "/jobs")
# Who may cancel any job of the sites they see; the other roles that queue jobs cancel only their own.
CANCEL_ANY = SUPERVISE


class JobFilter(Request):
    state: JobState | None = None
    site_id: Id | None = Field(default=None, description="only this site's (default: every site the token sees)")
    parent_id: Id | None = Field(default=None, description="the parts of this job (a headcount search's roster "
                                                           "solves); without it, only jobs that are no other's part")
    limit: int = Field(default=100, ge=1, le=1000)


@bp.get("")
@operation("List jobs", tag="jobs", roles=READ, query=JobFilter, responses={200: JobList})
def list_jobs(query: JobFilter):
    stmt = sites.visible(select(Job).order_by(Job.id.desc()), Job.site_id).limit(query.limit)
    if query.state:
        stmt = stmt.where(Job.state == query.state)
    if query.site_id:
        stmt = stmt.where(Job.site_id == query.site_id)
    # A search's parts (tens of roster solves) would push users' own jobs off the list: they are listed under it.
    stmt = stmt.where(Job.parent_id == query.parent_id if query.parent_id else Job.parent_id.is_(None))
    return JobList(items=[job_out(j) for j in store.session().scalars(stmt)])


def _job(job_id: int) -> Job:
    return sites.seen_row(store.session(), Job, job_id, f"job {job_id}")


@bp.get("/<id:job_id>")
@operation("A job", tag="jobs", roles=READ, responses={200: JobOut})
def get_job(job_id: int):
    return job_out(_job(job_id))


@bp.post("/<id:job_id>/cancel")
@operation("Cancel a job", tag="jobs", roles=SUPERVISE + ("hr",), responses={202: JobOut},
           description="A supervisor (or admin) cancels any job of its sites; hr cancels only the jobs it queued. "
                       "A queued job is cancelled at once; a running one stops at the solver's next report. "
                       "A job that has already finished answers 409.")
def cancel_job(job_id: int):
    job, caller = _job(job_id), sites.caller()
    if caller.role not in CANCEL_ANY and job.token_id != caller.id:
        raise Problem(403, f"role '{caller.role}' cancels only the jobs its own token queued; job {job_id} was "
                           f"queued by {job.created_by or 'another token'}", slug="forbidden")
    return job_out(jobs.cancel(store.session(), job_id)), 202
