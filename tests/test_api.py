"""The API through Flask's test client: auth and roles, uploads and their errors, OpenAPI, limits."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from api import testing
from api.db import Dataset, Token
from api.schemas import DatasetUpload, ForecastCreate

ROLES = ("viewer", "supervisor", "hr", "admin")


@pytest.fixture
def app(tmp_path):
    return testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}", MAX_CONTENT_LENGTH=2 * 1024 * 1024)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tokens(app):
    url = app.config["DATABASE_URL"]
    return {role: testing.token(url, role) for role in ROLES}


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def upload(client, token, kind, content: bytes, **query):
    return client.post(f"/api/v1/datasets/{kind}", data=content, query_string=query,
                       headers={**auth(token), "Content-Type": "text/csv"})


def stored(app, model=Dataset):
    with app.extensions["shiftcast"].sessions() as s:
        return s.scalars(select(model)).all()


# ---------------------------------------------------------------- auth

def test_health_is_open_and_everything_else_needs_a_token(client):
    assert client.get("/health").json == {"status": "ok", "database": "ok"}
    r = client.get("/api/v1/datasets")
    assert r.status_code == 401
    assert r.mimetype == "application/problem+json"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.json["status"] == 401 and r.json["type"].endswith("#problem-unauthorized")
    assert client.get("/api/v1/datasets", headers=auth("sc_not-a-token")).status_code == 401


def test_roles_decide_who_may_write(client, tokens):
    calls = testing.calls_csv(days=2)
    assert upload(client, tokens["viewer"], "calls", calls).status_code == 403
    assert upload(client, tokens["hr"], "calls", calls).status_code == 403
    assert upload(client, tokens["supervisor"], "calls", calls).status_code == 201
    for role in ROLES:  # everyone reads
        assert client.get("/api/v1/datasets", headers=auth(tokens[role])).status_code == 200
    r = client.post("/api/v1/tokens", json={"name": "x", "role": "viewer"}, headers=auth(tokens["supervisor"]))
    assert r.status_code == 403 and "admin" in r.json["detail"]


def test_tokens_are_stored_only_as_hashes_and_can_be_revoked(app, client, tokens):
    r = client.post("/api/v1/tokens", json={"name": "wallboard", "role": "viewer"}, headers=auth(tokens["admin"]))
    assert r.status_code == 201
    new = r.json["token"]
    rows = stored(app, Token)
    assert all(new not in (t.token_hash, t.name) for t in rows)
    assert hashlib.sha256(new.encode()).hexdigest() in {t.token_hash for t in rows}
    assert client.get("/api/v1/jobs", headers=auth(new)).status_code == 200
    listed = client.get("/api/v1/tokens", headers=auth(tokens["admin"])).json["items"]
    assert "token" not in listed[0] and {t["name"] for t in listed} >= {"wallboard"}
    assert client.delete(f"/api/v1/tokens/{r.json['id']}", headers=auth(tokens["admin"])).json["revoked_at"]
    assert client.get("/api/v1/jobs", headers=auth(new)).status_code == 401
    assert client.delete("/api/v1/tokens/999", headers=auth(tokens["admin"])).status_code == 404


def test_token_cli_prints_a_working_token_once(tmp_path):
    from click.testing import CliRunner

    from cli import main

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    result = CliRunner().invoke(main, ["token", "create", "--role", "hr", "--name", "Ms Li", "--database-url", url])
    assert result.exit_code == 0, result.output
    text = result.stdout.strip()
    app = testing.app(url)
    assert app.test_client().get("/api/v1/datasets", headers=auth(text)).status_code == 200
    listing = CliRunner().invoke(main, ["token", "list", "--database-url", url]).stdout
    assert "Ms Li" in listing and text not in listing
    assert CliRunner().invoke(main, ["token", "create", "--role", "boss", "--name", "x", "--database-url", url]).exit_code == 2


def test_settings_come_from_the_defaults_the_environment_then_the_factory_argument(tmp_path, monkeypatch):
    import api

    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    testing.sessions(url)
    monkeypatch.setenv("SHIFTCAST_DATABASE_URL", url)
    monkeypatch.setenv("SHIFTCAST_JOB_POLL_S", "0.2")  # read as JSON: a number
    config = api.create_app().config
    assert (config["DATABASE_URL"], config["JOB_POLL_S"], config["JOB_MAX_ATTEMPTS"]) == (url, 0.2, 2)
    assert api.create_app({"JOB_POLL_S": 1.5}).config["JOB_POLL_S"] == 1.5


# ---------------------------------------------------------------- uploads

def test_csv_upload_is_validated_summarised_and_kept_verbatim(app, client, tokens):
    content = testing.calls_csv(days=3)
    r = upload(client, tokens["supervisor"], "calls", content, name="calls-nov.csv")
    assert r.status_code == 201, r.json
    assert r.headers["Location"] == f"/api/v1/datasets/{r.json['id']}"
    body = r.json
    assert body["rows"] == 3 * 40 and body["summary"]["interval_minutes"] == 15 and body["summary"]["has_aht"]
    assert body["sha256"] == hashlib.sha256(content).hexdigest() and body["created_by"] == "test-supervisor"
    got = client.get(f"/api/v1/datasets/{body['id']}/content", headers=auth(tokens["viewer"]))
    assert got.data == content and got.mimetype == "text/csv"


def test_bad_csv_names_file_row_and_column_and_stores_nothing(app, client, tokens):
    lines = testing.calls_csv(days=1).decode().splitlines()
    lines[5] = lines[5].split(",")[0] + ",many,240"
    r = upload(client, tokens["supervisor"], "calls", ("\n".join(lines) + "\n").encode(), name="calls.csv")
    assert r.status_code == 422
    err = r.json["errors"][0]
    assert (err["file"], err["row"], err["column"]) == ("calls.csv", 6, "calls")
    assert "row 6" in r.json["detail"] and "'many'" in r.json["detail"]
    assert stored(app) == []


def test_json_rows_point_at_the_bad_cell(app, client, tokens):
    rows = [{"interval_start": "2026-11-02 08:00", "calls": 3}, {"interval_start": "2026-11-02 08:15", "calls": -1}]
    r = client.post("/api/v1/datasets", json={"kind": "calls", "rows": rows}, headers=auth(tokens["supervisor"]))
    assert r.status_code == 422
    assert r.json["errors"][0]["pointer"] == "/rows/1/calls"
    assert stored(app) == []
    rows[1]["calls"] = 4
    ok = client.post("/api/v1/datasets", json={"kind": "calls", "rows": rows, "name": "two"},
                     headers=auth(tokens["supervisor"]))
    assert ok.status_code == 201 and ok.json["rows"] == 2 and ok.json["name"] == "two"


def test_leave_is_checked_against_its_staff(app, client, tokens):
    sup = tokens["supervisor"]
    staff = upload(client, sup, "staff", testing.staff_csv(agents=3, leaders=1)).json
    assert staff["summary"]["employees"] == 4
    leave = b"employee_id,date,kind\nA000,2026-12-03,leave\nZ999,2026-12-04,leave\n"
    missing = upload(client, sup, "leave", leave)
    assert missing.status_code == 422 and missing.json["errors"][0]["parameter"] == "staff_id"
    bad = upload(client, sup, "leave", leave, staff_id=staff["id"])
    assert bad.status_code == 422 and bad.json["errors"][0]["row"] == 3 and bad.json["errors"][0]["column"] == "employee_id"
    wrong_kind = upload(client, sup, "leave", leave, staff_id=9999)
    assert wrong_kind.status_code == 404
    good = upload(client, sup, "leave", leave.replace(b"Z999", b"A001"), staff_id=staff["id"])
    assert good.status_code == 201 and good.json["staff_id"] == staff["id"]
    assert [d.kind for d in stored(app)] == ["staff", "leave"]


def test_rules_upload_as_toml_or_json(client, tokens):
    sup = tokens["supervisor"]
    r = client.post("/api/v1/datasets/rules", data=b"max_consecutive_work_days = 5\n[service]\nshrinkage = 0.25\n",
                    headers={**auth(sup), "Content-Type": "application/toml"})
    assert r.status_code == 201 and r.json["summary"]["shifts"] == "E,L"
    toml = client.get(f"/api/v1/datasets/{r.json['id']}/content", headers=auth(sup)).data.decode()
    assert "max_consecutive_work_days = 5" in toml and "shrinkage = 0.25" in toml
    bad = client.post("/api/v1/datasets", json={"kind": "rules", "rules": {"service": {"shrinkage": 1.5}}},
                      headers=auth(sup))
    assert bad.status_code == 422 and "shrinkage" in bad.json["detail"]
    weird = client.post("/api/v1/datasets", json={"kind": "rules", "rules": {"shifts": [1]}}, headers=auth(sup))
    assert weird.status_code == 422
    # A staff list using a shift code only these rules define.
    rules = client.post("/api/v1/datasets", headers=auth(sup), json={"kind": "rules", "rules": {"shifts": [
        {"code": "M", "start": "09:00", "end": "18:00"}]}}).json
    staff = b"employee_id,name,role,group,team,shifts\nA1,Ann,agent,G1,T1,M\n"
    assert upload(client, sup, "staff", staff).status_code == 422
    assert upload(client, sup, "staff", staff, rules_id=rules["id"]).status_code == 201


def test_multipart_upload(client, tokens):
    from io import BytesIO

    r = client.post("/api/v1/datasets/staff", headers=auth(tokens["supervisor"]), content_type="multipart/form-data",
                    data={"file": (BytesIO(testing.staff_csv(2, 1)), "staff.csv")})
    assert r.status_code == 201 and r.json["name"] == "staff.csv" and r.json["rows"] == 3


def test_request_errors_are_problems_with_pointers(client, tokens):
    sup = auth(tokens["supervisor"])
    r = client.post("/api/v1/forecasts", data=b"{not json", headers={**sup, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    r = client.post("/api/v1/forecasts", data=b"x", headers={**sup, "Content-Type": "text/plain"})
    assert r.status_code == 415
    r = client.post("/api/v1/forecasts", json={"calls_id": 1, "month": "2026-13", "colour": "red"}, headers=sup)
    assert r.status_code == 422
    assert {e["pointer"] for e in r.json["errors"]} == {"/month", "/colour"}
    r = client.post("/api/v1/forecasts", json={"calls_id": 7, "month": "2026-12"}, headers=sup)
    assert r.status_code == 404 and r.json["errors"][0]["pointer"] == "/calls_id"
    r = client.get("/api/v1/jobs", query_string={"state": "sleeping"}, headers=sup)
    assert r.status_code == 422 and r.json["errors"][0]["parameter"] == "state"
    assert client.get("/api/v1/nothing", headers=sup).status_code == 404
    assert client.get("/api/v1/jobs/5", headers=sup).json["status"] == 404
    r = client.delete("/api/v1/jobs", headers=sup)
    assert r.status_code == 405 and "GET" in r.headers["Allow"]


def test_request_size_limit_is_413(app, client, tokens):
    big = b"interval_start,calls\n" + b"2026-11-01 08:00,1\n" * (3 * 1024 * 1024 // 19)
    r = upload(client, tokens["supervisor"], "calls", big)
    assert r.status_code == 413 and r.mimetype == "application/problem+json"
    assert str(app.config["MAX_CONTENT_LENGTH"]) in r.json["detail"]


def test_internal_errors_leak_no_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret path /etc/x")

    r = client.get("/boom")
    assert r.status_code == 500 and "secret" not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)


# ---------------------------------------------------------------- OpenAPI

def test_openapi_is_generated_from_the_schemas(app, client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    schemas = doc["components"]["schemas"]
    for model in (DatasetUpload, ForecastCreate):
        own = model.model_json_schema(ref_template="#/components/schemas/{model}")
        assert schemas[model.__name__]["properties"] == own["properties"]
    ops = {(path, m) for path, methods in doc["paths"].items() for m in methods}
    routes = {(re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", r.rule), m.lower())
              for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}
              if r.endpoint not in ("static", "docs.openapi_json", "docs.docs_page")}
    assert routes == ops
    assert doc["paths"]["/health"]["get"]["security"] == []
    upload_op = doc["paths"]["/api/v1/datasets/{kind}"]["post"]
    assert {"text/csv", "multipart/form-data"} <= set(upload_op["requestBody"]["content"])
    assert "413" in upload_op["responses"] and "422" in upload_op["responses"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert all(path in page for path in doc["paths"]) and "problem-invalid-data" in page
