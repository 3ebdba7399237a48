"""RFC 9457 problem documents: every error the API returns, with the field path at fault."""
from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from core.errors import DataError

PROBLEM_JSON = "application/problem+json"
# Seconds a client is told to wait when the store is locked or out of reach.
STORE_RETRY_AFTER_S = 5
log = logging.getLogger("api")


class Problem(Exception):
    """An error answer: status, title, detail and optional `errors` (each with a JSON pointer)."""

    def __init__(self, status: int, detail: str, *, title: str | None = None, slug: str | None = None,
                 errors: list[dict] | None = None, headers: dict | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title
        self.slug = slug
        self.errors = errors
        self.headers = headers or {}


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(status: int, detail: str, *, title: str | None = None, slug: str | None = None,
                     errors: list[dict] | None = None, headers: dict | None = None) -> Response:
    body = {
        # A relative URI that dereferences to the docs' explanation of this kind of problem.
        "type": f"/api/v1/docs#problem-{slug}" if slug else "about:blank",
        "title": title or _title(status),
        "status": status,
        "detail": detail,
        "instance": request.path if request else None,
    }
    if errors:
        body["errors"] = errors
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def pointer(loc: tuple | list) -> str:
    """('rows', 3, 'calls') -> '/rows/3/calls' (RFC 6901)."""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in loc) if loc else ""


def validation_errors(exc: ValidationError, prefix: tuple = ()) -> list[dict]:
    return [
        {"pointer": pointer(prefix + tuple(e["loc"])), "detail": e["msg"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]


def data_error_problem(exc: DataError, rows_pointer: str | None = None) -> Problem:
    """A loader's DataError as a 422 naming file, row and column; `rows_pointer` maps rows of a JSON upload."""
    err: dict = {"file": exc.file, "row": exc.row, "column": exc.column, "detail": exc.message}
    if exc.sheet is not None:
        err["sheet"] = exc.sheet
    if rows_pointer and exc.row is not None and exc.row >= 2:
        # Row 1 is the header in the loaders' numbering, so JSON row i is spreadsheet row i + 2.
        err["pointer"] = f"{rows_pointer}/{exc.row - 2}" + (f"/{exc.column}" if exc.column else "")
    return Problem(422, str(exc), title="Invalid data", slug="invalid-data", errors=[err])


def register(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return problem_response(exc.status, exc.detail, title=exc.title, slug=exc.slug, errors=exc.errors,
                                headers=exc.headers)

    @app.errorhandler(DataError)
    def _data_error(exc: DataError):
        p = data_error_problem(exc)
        return problem_response(p.status, p.detail, title=p.title, slug=p.slug, errors=p.errors)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        detail, slug = exc.description or _title(exc.code or 500), None
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            detail, slug = f"the request body is larger than the limit of {limit} bytes; nothing was stored", "too-large"
        headers = {}
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        return problem_response(exc.code or 500, detail, slug=slug, headers=headers)

    @app.errorhandler(OperationalError)
    def _store_unavailable(exc: OperationalError):
        # A store locked by another writer past the busy timeout, or out of reach: the request may be repeated.
        log.warning("store unavailable on %s %s: %s", request.method, request.path, exc.orig)
        return problem_response(503, "the store is busy or out of reach; try again shortly", slug="unavailable",
                                headers={"Retry-After": str(STORE_RETRY_AFTER_S)})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Never a stack trace to the client: the log has it.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(500, "an internal error occurred; it has been logged")
