"""Attendance through the API: clock records as a dataset, a stored roster's attendance as JSON, xlsx and
CSV, the same answer as `shiftcast attendance`, and site-scoped."""
from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from api import testing
from api.db import Site
from cli import main
from core.rules import DEFAULT_RULES
from shiftcast.exports.specimen import specimen_roster, specimen_staff

MONTH = "2026-12"


@pytest.fixture
def app(tmp_path):
    app = testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with app.extensions["shiftcast"].sessions() as s:
        s.add(Site(id=2, name="north"))
        s.commit()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def supervisor(app):
    return {"Authorization": f"Bearer {testing.token(app.config['DATABASE_URL'], 'supervisor')}"}


def _upload(client, headers, kind: str, content: bytes, **query):
    return client.post(f"/api/v1/datasets/{kind}", data=content, query_string=query,
                       headers={**headers, "Content-Type": "text/csv"})


@pytest.fixture
def month(app, client, supervisor):
    """A stored roster of six people, their staff dataset and a clock dataset with one of each kind of day."""
    staff = specimen_staff(6)
    roster = specimen_roster(staff, MONTH, seed=1)
    a = roster.assignments.sort_values(["employee_id", "date"])
    shift_days = a[a["shift"].isin(DEFAULT_RULES.shift_codes)]
    late = shift_days[shift_days["employee_id"] == "A001"].iloc[0]
    absent = shift_days[shift_days["employee_id"] == "A002"].iloc[0]
    rest = a[(a["employee_id"] == "A003") & (a["shift"] == "OFF")].iloc[0]
    start = late["date"] + pd.Timedelta(minutes=DEFAULT_RULES.shift(late["shift"]).start_minute)
    end = late["date"] + pd.Timedelta(minutes=DEFAULT_RULES.shift(late["shift"]).end_minute)
    rows = [("A001", start + pd.Timedelta(minutes=12), "in"), ("A001", end, "out"),
            ("A003", rest["date"] + pd.Timedelta(hours=9), "in"), ("A003", rest["date"] + pd.Timedelta(hours=13), "out")]
    # Every other shift day is clocked on time, so A002's first shift day is the one absence.
    for _, day in shift_days.iterrows():
        if (day["employee_id"], day["date"]) in {(late["employee_id"], late["date"]), (absent["employee_id"], absent["date"])}:
            continue
        t = DEFAULT_RULES.shift(day["shift"])
        rows += [(day["employee_id"], day["date"] + pd.Timedelta(minutes=t.start_minute), "in"),
                 (day["employee_id"], day["date"] + pd.Timedelta(minutes=t.end_minute), "out")]
    clock = "employee_id,time,kind\n" + "".join(f"{e},{t:%Y-%m-%d %H:%M},{k}\n" for e, t, k in rows)
    url = app.config["DATABASE_URL"]
    staff_id = _upload(client, supervisor, "staff", staff.to_csv(index=False).encode()).json["id"]
    r = _upload(client, supervisor, "clock", clock.encode(), staff_id=staff_id, name="clock.csv")
    assert r.status_code == 201, r.json
    assert r.json["summary"]["employees"] == 6 and r.json["staff_id"] == staff_id
    return {"roster": testing.store_roster(url, roster, MONTH, staff), "clock": r.json["id"], "staff": staff_id,
            "clock_csv": clock, "staff_frame": staff, "late": late, "absent": absent, "rest": rest}


def _records(table: dict) -> list[dict]:
    return [dict(zip(table["columns"], row)) for row in table["rows"]]


def test_a_rosters_attendance_as_json(client, supervisor, month):
    r = client.get(f"/api/v1/rosters/{month['roster']}/attendance", query_string={"clock_id": month["clock"]},
                   headers=supervisor)
    assert r.status_code == 200, r.json
    doc = r.json
    assert (doc["month"], doc["late_grace_minutes"], doc["overtime_after_minutes"]) == (MONTH, 5, 15)
    day = {(d["employee_id"], d["date"]): d for d in _records(doc["days"])}
    late = day["A001", f"{month['late']['date']:%Y-%m-%d}"]
    assert (late["status"], late["late_minutes"]) == ("late", 12)
    assert day["A002", f"{month['absent']['date']:%Y-%m-%d}"]["status"] == "absent"
    rest = day["A003", f"{month['rest']['date']:%Y-%m-%d}"]
    assert (rest["status"], rest["worked_minutes"]) == ("rest_day_worked", 240)
    people = {p["employee_id"]: p for p in _records(doc["people"])}
    assert (people["A001"]["late_count"], people["A001"]["late_minutes"]) == (1, 12)
    assert people["A002"]["days_absent"] == 1 and people["A003"]["rest_days_worked"] == 1
    assert people["A001"]["name"] == "员工001"
    assert sum(p["days_absent"] for p in people.values()) == 1
    assert "absent most: A002 员工002 (1 day)" in doc["summary"]


def test_the_api_gives_the_cli_answer_and_the_exports(client, supervisor, month, tmp_path):
    roster_csv = client.get(f"/api/v1/rosters/{month['roster']}/csv", headers=supervisor).data
    for name, data in (("roster.csv", roster_csv), ("clock.csv", month["clock_csv"].encode()),
                       ("staff.csv", month["staff_frame"].to_csv(index=False).encode())):
        (tmp_path / name).write_bytes(data)
    result = CliRunner().invoke(main, ["attendance", "--clock", str(tmp_path / "clock.csv"), "--roster",
                                       str(tmp_path / "roster.csv"), "--staff", str(tmp_path / "staff.csv"),
                                       "--month", MONTH, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    r = client.get(f"/api/v1/rosters/{month['roster']}/attendance/csv", query_string={"clock_id": month["clock"]},
                   headers=supervisor)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data == (tmp_path / "out" / "attendance.csv").read_bytes()
    assert len(list(csv.DictReader(io.StringIO(r.data.decode())))) == 6
    r = client.get(f"/api/v1/rosters/{month['roster']}/attendance/xlsx",
                   query_string={"clock_id": month["clock"], "lang": "en"}, headers=supervisor)
    assert r.status_code == 200
    assert f"attendance-{MONTH}-{month['roster']}.xlsx" in r.headers["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(r.data)).sheetnames == ["Attendance", "Attendance by day"]


def test_a_bad_clock_upload_names_row_and_column_and_stores_nothing(client, supervisor, month):
    r = _upload(client, supervisor, "clock", b"employee_id,time,kind\nA001,2026-12-01 08:00,in\nZ9,2026-12-01 08:00,in\n",
                staff_id=month["staff"], name="punches.csv")
    assert r.status_code == 422
    error = r.json["errors"][0]
    assert (error["file"], error["row"], error["column"]) == ("punches.csv", 3, "employee_id")
    assert error["detail"].startswith("expected an employee id from ") and error["detail"].endswith("got 'Z9'")
    r = _upload(client, supervisor, "clock", b"employee_id,time,kind\nA001,2026-12-01 08:00,in\n")
    assert r.status_code == 422 and "staff_id" in r.json["detail"]
    kinds = [d["kind"] for d in client.get("/api/v1/datasets", headers=supervisor).json["items"]]
    assert kinds.count("clock") == 1


def test_clock_records_of_another_site_or_kind_are_refused(app, client, supervisor, month):
    admin = {"Authorization": f"Bearer {testing.token(app.config['DATABASE_URL'], 'admin')}"}
    north_staff = _upload(client, admin, "staff", month["staff_frame"].to_csv(index=False).encode(), site_id=2).json["id"]
    north_clock = _upload(client, admin, "clock", month["clock_csv"].encode(), staff_id=north_staff, site_id=2).json["id"]
    r = client.get(f"/api/v1/rosters/{month['roster']}/attendance", query_string={"clock_id": north_clock}, headers=admin)
    assert r.status_code == 404 and r.json["errors"][0]["pointer"] == "/clock_id"
    r = client.get(f"/api/v1/rosters/{month['roster']}/attendance", query_string={"clock_id": month["staff"]},
                   headers=supervisor)
    assert r.status_code == 422 and "not clock" in r.json["detail"]
    r = client.get(f"/api/v1/rosters/{month['roster']}/attendance", headers=supervisor)
    assert r.status_code == 422 and "clock_id" in r.json["detail"]
