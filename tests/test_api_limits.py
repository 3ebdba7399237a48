"""What one request may bring: body bytes counted as they stream (chunked bodies too) and rows per table."""
from __future__ import annotations

import http.client
import io

import pandas as pd
import pytest
from sqlalchemy import select

from api import testing
from api.db import Dataset

LIMIT = 64 * 1024


@pytest.fixture
def app(tmp_path):
    return testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}", MAX_CONTENT_LENGTH=LIMIT, MAX_STAFF_ROWS=10,
                       MAX_HISTORY_ROWS=200)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token(app):
    return testing.token(app.config["DATABASE_URL"], "supervisor")


def stored(app) -> list[Dataset]:
    with app.extensions["shiftcast"].sessions() as s:
        return s.scalars(select(Dataset)).all()


def staff_rows(n: int) -> bytes:
    return testing.staff_csv(agents=n, leaders=0)


def chunked_upload(client, token: str, kind: str, body: bytes):
    """A body as gunicorn hands over a chunked request: no Content-Length, the stream ends where the body does."""
    return client.post(f"/api/v1/datasets/{kind}", input_stream=io.BytesIO(body),
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv",
                                "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_over_the_limit_is_413_and_nothing_is_stored(app, client, token):
    body = staff_rows(3000)  # ~100 KB: its first 64 KiB is a valid staff file of its own
    assert len(body) > LIMIT
    app.config["MAX_STAFF_ROWS"] = 10_000
    r = chunked_upload(client, token, "staff", body)
    assert r.status_code == 413 and r.mimetype == "application/problem+json"
    assert r.json["type"].endswith("#problem-too-large") and str(LIMIT) in r.json["detail"]
    assert stored(app) == []


def test_a_chunked_body_within_the_limit_is_stored_whole(app, client, token):
    body = staff_rows(8)
    r = chunked_upload(client, token, "staff", body)
    assert r.status_code == 201, r.json
    assert r.json["rows"] == 8 and [d.content for d in stored(app)] == [body]


def test_a_body_of_exactly_the_limit_is_taken(app, client, token):
    body = staff_rows(8)
    body += b"\n" * (LIMIT - len(body))  # blank lines: the same 8 people
    r = chunked_upload(client, token, "staff", body)
    assert r.status_code == 201, r.json
    assert r.json["rows"] == 8 and stored(app)[0].content == body


def test_staff_and_history_over_their_row_limits_are_422_naming_file_and_limit(app, client, token):
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    r = client.post("/api/v1/datasets/staff?name=everyone.csv", data=staff_rows(11), headers=auth)
    assert r.status_code == 422 and r.json["type"].endswith("#problem-too-many-rows")
    assert "everyone.csv" in r.json["detail"] and "10" in r.json["detail"] and "MAX_STAFF_ROWS" in r.json["detail"]
    assert r.json["errors"][0]["file"] == "everyone.csv"
    r = client.post("/api/v1/datasets/calls?name=history.csv", data=testing.calls_csv(days=6), headers=auth)
    assert r.status_code == 422 and "history.csv" in r.json["detail"] and "MAX_HISTORY_ROWS" in r.json["detail"]
    rows = [{"employee_id": f"A{i}", "name": "x", "role": "agent", "group": "G", "team": "T"} for i in range(11)]
    r = client.post("/api/v1/datasets", json={"kind": "staff", "rows": rows}, headers={"Authorization": auth["Authorization"]})
    assert r.status_code == 422 and r.json["type"].endswith("#problem-too-many-rows")
    assert stored(app) == []
    assert client.post("/api/v1/datasets/staff", data=staff_rows(10), headers=auth).status_code == 201


@pytest.mark.slow
def test_gunicorn_answers_a_chunked_upload_over_the_limit_with_413(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    token = testing.token(url, "supervisor")
    env = {"SHIFTCAST_MAX_CONTENT_LENGTH": str(LIMIT)}
    with testing.running_server(url, tmp_path, workers=1, env=env) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        chunks = (staff_rows(3000)[i:i + 8192] for i in range(0, len(staff_rows(3000)), 8192))
        conn.request("POST", "/api/v1/datasets/staff", body=chunks, encode_chunked=True,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
        r = conn.getresponse()
        assert r.status == 413 and r.getheader("Content-Type") == "application/problem+json"
        conn.close()
    with testing.sessions(url)() as s:
        assert s.scalars(select(Dataset)).all() == []


def _month_requirement() -> pd.DataFrame:
    """A 31-day staffing requirement of 3 agents an interval."""
    days = pd.date_range("2026-12-01", periods=31, freq="D")
    starts = pd.DatetimeIndex([d + pd.Timedelta(minutes=8 * 60 + 15 * k) for d in days for k in range(40)],
                              name="interval_start")
    return pd.DataFrame({"scheduled": [3] * len(starts)}, index=starts)


def test_a_roster_whose_model_is_over_the_memory_budget_is_refused_at_submit_saying_what_fits(tmp_path):
    """The model's size is estimated from people × days before the job is queued: above ROSTER_MODEL_MAX_BYTES
    the request answers 422 naming the size, the budget and the most people that fit, and no job is queued."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    client = testing.app(url, ROSTER_MODEL_MAX_BYTES=20 * 2**20).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    staffing = testing.store_staffing(url, _month_requirement(), "2026-12")
    big = client.post("/api/v1/datasets/staff?name=big.csv", data=testing.staff_csv(agents=4_000, leaders=400),
                      headers={**auth, "Content-Type": "text/csv"})
    assert big.status_code == 201, big.json
    r = client.post("/api/v1/rosters", json={"staffing_id": staffing, "staff_id": big.json["id"]}, headers=auth)
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.json
    assert "a roster of 4,400 people over 31 days would take about 39 MB" in r.json["detail"], r.json["detail"]
    assert "budget of 20 MB" in r.json["detail"] and "at most 333 people" in r.json["detail"], r.json["detail"]
    assert r.json["errors"][0]["pointer"] == "/staff_id" and r.json["errors"][0]["file"] == "big.csv"
    assert client.get("/api/v1/jobs", headers=auth).json["items"] == []
    small = client.post("/api/v1/datasets/staff", data=testing.staff_csv(agents=300, leaders=33),
                        headers={**auth, "Content-Type": "text/csv"}).json["id"]
    assert client.post("/api/v1/rosters", json={"staffing_id": staffing, "staff_id": small},
                       headers=auth).status_code == 202  # 333 people: the most that fit, queued


def test_the_roster_step_refuses_a_staff_over_the_budget_before_building_anything():
    """The worker's own check (the budget travels with the job): the step raises naming the staff."""
    from core.errors import DataError
    from shiftcast.inputs import Inputs
    from shiftcast.steps import roster_step
    from api.uploads import read_table

    staff = read_table("staff", testing.staff_csv(agents=4_000, leaders=400), "big.csv")
    requirement = _month_requirement()
    with pytest.raises(DataError, match="a roster of 4,400 people over 31 days .* at most 333 people") as err:
        roster_step(Inputs(staff=staff), requirement, time_limit_s=1, model_max_bytes=20 * 2**20)
    assert err.value.file == "big.csv"
