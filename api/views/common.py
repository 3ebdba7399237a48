"""Small helpers the views share: serialising rows and stored documents."""
from __future__ import annotations

import datetime as dt

from flask import Response, request, url_for

from api import sites, store
from api.db import Dataset, Job, Result
from api.problems import Problem
from api.schemas import DatasetOut, JobOut, ResultSummary

PREFIX = "/api/v1"
# The 304 every served document may answer (serve_document), as the OpenAPI document words it.
NOT_MODIFIED = "not modified since the ETag sent in If-None-Match"


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """Store timestamps are naive UTC; the API says so."""
    return value.replace(tzinfo=dt.UTC) if value is not None else None


def dataset_out(row: Dataset) -> DatasetOut:
    return DatasetOut(id=row.id, kind=row.kind, name=row.name, rows=row.rows, sha256=row.sha256,
                      summary=row.summary or {}, staff_id=row.staff_id, rules_id=row.rules_id, site_id=row.site_id,
                      created_by=row.created_by, created_at=aware(row.created_at))


RESULT_ENDPOINTS = {"roster": "rosters.get_roster", "forecast": "forecasts.get_forecast",
                    "staffing": "staffing.get_staffing", "headcount": "plans.get_headcount",
                    "hiring": "hiring.get_hiring_plan"}


def result_url(kind: str, result_id: int) -> str:
    return url_for(RESULT_ENDPOINTS[kind], result_id=result_id)


# The jobs that hand parts of their work to the workers as jobs of their own (api.fanout).
KINDS_WITH_PARTS = ("headcount",)


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id, kind=job.kind, state=job.state, progress=job.progress or {}, result_id=job.result_id,
        result_url=result_url(job.kind, job.result_id) if job.result_id else None, error=job.error,
        attempts=job.attempts, cancel_requested=job.cancel_requested, parent_id=job.parent_id,
        parts_url=url_for("jobs.list_jobs", parent_id=job.id) if job.kind in KINDS_WITH_PARTS else None,
        site_id=job.site_id, created_by=job.created_by,
        created_at=aware(job.created_at), started_at=aware(job.started_at), finished_at=aware(job.finished_at),
        seconds=job.seconds, url=url_for("jobs.get_job", job_id=job.id),
    )


def result_summary(row: Result) -> ResultSummary:
    return ResultSummary(id=row.id, kind=row.kind, month=row.month, job_id=row.job_id, site_id=row.site_id,
                         summary=row.summary or {},
                         created_at=aware(row.created_at), url=result_url(row.kind, row.id))


def document(row: Result, with_job: bool = False) -> bytes:
    """The stored JSON document with its ids put in front (the payload is stored without them)."""
    head = f'{{"id":{row.id},' + (f'"job_id":{row.job_id if row.job_id is not None else "null"},' if with_job else "")
    body = row.payload[1:]
    return head.encode() + body if body.strip() != b"}" else head.rstrip(",").encode() + b"}"


def serve_document(kind: str, result_id: int, with_job: bool = False) -> Response:
    """A stored result's JSON, from this process's cache when seen before (gzip and ETag aware)."""
    cache, key = store.state().documents, (kind, result_id)
    doc = cache.get(key)
    if doc is None:
        row = get_result(store.session(), kind, result_id)
        doc = cache.put(key, document(row, with_job), site_id=row.site_id)
    sites.check(doc.site_id, f"{kind} {result_id}")
    return doc.response(request)


def get_result(session, kind: str, result_id: int) -> Result:
    """The stored result `result_id` of `kind`, if the caller's token sees its site; else a 404."""
    row = session.get(Result, result_id)
    if row is None or row.kind != kind:
        raise Problem(404, f"there is no {kind} {result_id}", slug="not-found")
    sites.check(row.site_id, f"{kind} {result_id}")
    return row


def download(content: bytes, mimetype: str, filename: str) -> Response:
    resp = Response(content, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def uploaded_file(body: bytes, name: str | None) -> tuple[bytes, str | None]:
    """An upload's bytes and name: the request body itself, or the `file` part of a multipart form (whose file
    name stands in when `name` is not given)."""
    if request.mimetype != "multipart/form-data":
        return body, name
    upload = request.files.get("file")
    if upload is None:
        raise Problem(422, "the multipart form needs a 'file' part", title="Invalid request",
                      slug="invalid-request", errors=[{"pointer": "/file", "detail": "missing"}])
    return upload.read(), name or (upload.filename or "")
