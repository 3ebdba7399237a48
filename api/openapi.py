"""Operations and the OpenAPI 3.1 document generated from their pydantic schemas.

Each view is wrapped by `operation(...)`, which checks the token's role, validates the query and JSON body
with pydantic, serialises the answer, and records what the OpenAPI document says about the operation.
There is no hand-written copy of any schema: `openapi_document` reads the records and pydantic's schemas.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, Response, request
from werkzeug.routing import IntegerConverter
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from api import auth, store
from api.problems import PROBLEM_JSON, Problem, validation_errors

JSON = "application/json"


@dataclass
class Operation:
    summary: str
    tag: str
    roles: tuple[str, ...] | None  # None: open to all, no token
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: dict[int, Any] = field(default_factory=dict)  # status -> model, or {media type: schema}
    raw_body: dict[str, dict] | None = None  # other request media types -> OpenAPI schema
    description: str = ""
    path_schemas: dict[str, dict] = field(default_factory=dict)  # path parameter -> schema, when not int/str


def operation(summary: str, *, tag: str, roles: tuple[str, ...] | None = auth.READ,
              body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
              responses: dict[int, Any] | None = None, raw_body: dict[str, dict] | None = None,
              description: str = "", path_schemas: dict[str, dict] | None = None) -> Callable:
    op = Operation(summary, tag, roles, body, query, dict(responses or {}), raw_body, description,
                   dict(path_schemas or {}))

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def handler(**kwargs):
            if op.roles is not None:
                auth.authenticate(store.state().tokens, op.roles)
            if op.query is not None:
                kwargs["query"] = _parsed_query(op.query)
            if op.body is not None or op.raw_body:
                kwargs["body"] = _parsed_body(op)
            return _response(view(**kwargs))

        handler.operation = op  # type: ignore[attr-defined]
        return handler

    return wrap


def _parsed_query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        errors = [{"parameter": ".".join(map(str, e["loc"])), "detail": e["msg"]}
                  for e in exc.errors(include_url=False, include_input=False)]
        raise Problem(422, "invalid query parameters: " + "; ".join(f"{e['parameter']}: {e['detail']}" for e in errors),
                      title="Invalid request", slug="invalid-request", errors=errors) from None


def _parsed_body(op: Operation) -> BaseModel | bytes | None:
    mimetype = request.mimetype or ""
    if op.raw_body and mimetype in op.raw_body:
        return request.get_data()
    if op.body is None or mimetype != JSON:
        accepted = ([JSON] if op.body else []) + list(op.raw_body or {})
        raise Problem(415, f"send the body as {' or '.join(accepted)} (got {mimetype or 'no Content-Type'})",
                      slug="unsupported-media-type")
    data = json_body()
    try:
        return op.body.model_validate(data)
    except ValidationError as exc:
        errors = validation_errors(exc)
        raise Problem(422, "invalid request body: " + "; ".join(f"{e['pointer'] or '/'}: {e['detail']}" for e in errors),
                      title="Invalid request", slug="invalid-request", errors=errors) from None


# A \uD800-\uDFFF escape: a surrogate, which is text only as half of a pair.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def json_body() -> Any:
    """The request body as JSON, or a 400 saying why not: not JSON, nested deeper than the parser goes, or
    a lone surrogate (\\ud800 unpaired), which Python's parser lets through but no UTF-8 text can hold."""
    raw = request.get_data()
    try:
        data = json.loads(raw)
        if _SURROGATE_ESCAPE.search(raw):  # rare: only then is the whole document checked for unpaired halves
            json.dumps(data, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise Problem(400, "the JSON body is nested too deep to read", slug="bad-json") from None
    except UnicodeEncodeError:
        raise Problem(400, "the JSON body holds a lone surrogate (a \\ud800–\\udfff escape without its pair), "
                           "which is not text", slug="bad-json") from None
    except ValueError:  # not JSON, or not UTF-8/16/32 text
        raise Problem(400, "the request body is not valid JSON", slug="bad-json") from None
    return data


def _response(result: Any) -> Response:
    status, headers = 200, {}
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else {}
    if isinstance(result, Response):
        resp = result
        resp.status_code = status if status != 200 else resp.status_code
    elif isinstance(result, BaseModel):
        resp = Response(result.model_dump_json(), status=status, mimetype=JSON)
    elif isinstance(result, (bytes, str)):  # a stored JSON document, served as is
        resp = Response(result, status=status, mimetype=JSON)
    else:
        raise TypeError(f"a view returned {type(result).__name__}")
    for k, v in headers.items():
        resp.headers[k] = v
    return resp


# ---------------------------------------------------------------- the document

class IdConverter(IntegerConverter):
    """Resource ids in paths: any integer that fits the store's columns; others match no route (404)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        super().__init__(url_map, signed=True, min=-ID_MAX, max=ID_MAX)


ID_MAX = 2**31 - 1
_PATH_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path_and_params(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _PATH_PARAM.findall(rule):
        schema = {"type": "integer", "minimum": 1, "maximum": ID_MAX} if converter in ("int", "id") else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _PATH_PARAM.sub(r"{\2}", rule), params


def _query_params(model: type[BaseModel], refs: dict) -> list[dict]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop["description"]
        out.append(param)
    return out


def _models(ops: list[Operation]) -> tuple[list, list]:
    inputs, outputs = [], []
    for op in ops:
        if op.body is not None and op.body not in inputs:
            inputs.append(op.body)
        for model in op.responses.values():
            if isinstance(model, type) and issubclass(model, BaseModel) and model not in outputs:
                outputs.append(model)
    return inputs, outputs


def openapi_document(app: Flask, title: str, version: str, problem_model: type[BaseModel]) -> dict:
    """The OpenAPI 3.1 description of every operation registered on `app`."""
    routes = []
    for rule in app.url_map.iter_rules():
        op = getattr(app.view_functions.get(rule.endpoint), "operation", None)
        if op is not None:
            routes.append((rule, op))
    inputs, outputs = _models([op for _, op in routes])
    outputs.append(problem_model)
    pairs = [(m, "validation") for m in inputs] + [(m, "serialization") for m in outputs]
    refs, defs = models_json_schema(pairs, ref_template="#/components/schemas/{model}")
    problem_ref = refs[(problem_model, "serialization")]

    def problem(description: str) -> dict:
        return {"description": description, "content": {PROBLEM_JSON: {"schema": problem_ref}}}

    paths: dict[str, dict] = {}
    for rule, op in sorted(routes, key=lambda r: r[0].rule):
        path, params = _path_and_params(rule.rule)
        for param in params:
            param["schema"] = op.path_schemas.get(param["name"], param["schema"])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            entry: dict = {
                "operationId": rule.endpoint.replace(".", "_") + ("" if len(rule.methods - {"HEAD", "OPTIONS"}) == 1 else "_" + method.lower()),
                "summary": op.summary,
                "tags": [op.tag],
                "responses": {},
            }
            if op.description:
                entry["description"] = op.description
            parameters = list(params) + (_query_params(op.query, refs) if op.query else [])
            if parameters:
                entry["parameters"] = parameters
            if op.body is not None or op.raw_body:
                content = {}
                if op.body is not None:
                    content[JSON] = {"schema": refs[(op.body, "validation")]}
                content.update(op.raw_body or {})
                entry["requestBody"] = {"required": True, "content": content}
            for status, model in sorted(op.responses.items()):
                if isinstance(model, type) and issubclass(model, BaseModel):
                    resp = {"description": model.__doc__.strip().splitlines()[0] if model.__doc__ else "OK",
                            "content": {JSON: {"schema": refs[(model, "serialization")]}}}
                elif isinstance(model, dict):
                    resp = {"description": "the file", "content": model}
                else:
                    resp = {"description": str(model or "no content")}
                entry["responses"][str(status)] = resp
            if op.roles is None:
                entry["security"] = []
            else:
                entry["responses"]["401"] = problem("no token, or an unknown, revoked or expired one")
                entry["responses"]["403"] = problem(f"the token's role is not one of: {', '.join(op.roles)}")
            if params:
                entry["responses"]["404"] = problem("no such resource")
                # A malformed path segment can match a sibling route that has other methods.
                entry["responses"]["405"] = problem("the path matches a route without this method")
            if op.body is not None or op.raw_body:
                entry["responses"].setdefault("404", problem("a resource the request refers to does not exist"))
                entry["responses"]["400"] = problem("the body is not valid JSON")
                entry["responses"]["413"] = problem("the body is larger than the limit")
                entry["responses"]["415"] = problem("the body's media type is not accepted")
            if op.body is not None or op.raw_body or op.query is not None:
                entry["responses"]["422"] = problem("a field is invalid; `errors` points at it")
            if "202" in entry["responses"]:  # queues a job
                entry["responses"]["429"] = problem("the site's job queue is full; `Retry-After` says when to try again")
            entry["responses"]["503"] = problem("the store is locked by another writer or out of reach (or, for a "
                                                "job, the broker); `Retry-After` says when to try again")
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "Shiftcast: call forecasts, staffing, rosters and hiring plans for an inbound call center."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
