"""End to end against `shiftcast serve` (gunicorn) on loopback: the main flow, and a kill -9 mid-solve."""
from __future__ import annotations

import hashlib
import io
import sqlite3
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from api import testing
from api.migrate import alembic_config
from api.roster_document import roster_shifts

requests = pytest.importorskip("requests")
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
MONTH = "2026-12"
HISTORY_FROM = "2026-11-02"  # four weeks of the sample history keep the forecast fit short

pytestmark = pytest.mark.slow


def rows(db: Path, sql: str, *args) -> list[tuple]:
    """A query's rows, read straight from the store's file."""
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def recent(path: Path, since: str) -> bytes:
    """The header and the rows of a sample CSV from `since` on (rows start with their timestamp)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return ("".join([lines[0]] + [line for line in lines[1:] if line[:10] >= since])).encode("utf-8")


class Client:
    def __init__(self, server: testing.Server, token: str) -> None:
        self.base = server.url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def upload(self, kind: str, content: bytes, **query) -> dict:
        r = self.http.post(f"{self.base}/api/v1/datasets/{kind}", data=content, params=query,
                           headers={"Content-Type": "application/toml" if kind == "rules" else "text/csv"})
        assert r.status_code == 201, r.text
        return r.json()

    def post(self, path: str, body: dict, status: int) -> requests.Response:
        r = self.http.post(self.base + path, json=body)
        assert r.status_code == status, r.text
        return r

    def get(self, path: str) -> requests.Response:
        r = self.http.get(self.base + path)
        assert r.status_code == 200, r.text
        return r

    def wait(self, job_url: str, until=("succeeded", "failed", "cancelled"), timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(job_url).json()
            if job["state"] in until:
                return job
            time.sleep(0.2)
        raise AssertionError(f"job not {until} after {timeout} s: {job}")

    def inputs(self) -> dict:
        """Upload the sample month's inputs and size its staffing (forecast job, then staffing)."""
        rules = self.upload("rules", (SAMPLE / "rules.toml").read_bytes(), name="rules.toml")
        ids = {"rules_id": rules["id"]}
        ids["calls_id"] = self.upload("calls", recent(SAMPLE / "calls.csv", HISTORY_FROM), name="calls.csv")["id"]
        ids["ads_history_id"] = self.upload("ads", recent(SAMPLE / "ads_history.csv", HISTORY_FROM),
                                            name="ads_history.csv")["id"]
        ids["ads_plan_id"] = self.upload("ads", (SAMPLE / "ads_plan_2026-12.csv").read_bytes(), name="ads_plan.csv")["id"]
        ids["staff_id"] = self.upload("staff", (SAMPLE / "staff.csv").read_bytes(), name="staff.csv",
                                      rules_id=rules["id"])["id"]
        ids["leave_id"] = self.upload("leave", (SAMPLE / "leave_2026-12.csv").read_bytes(), name="leave.csv",
                                      staff_id=ids["staff_id"], rules_id=rules["id"])["id"]
        job = self.post("/api/v1/forecasts", {"month": MONTH, **{k: ids[k] for k in (
            "calls_id", "ads_history_id", "ads_plan_id", "rules_id")}}, 202).json()
        done = self.wait(job["url"])
        assert done["state"] == "succeeded", done
        forecast = self.get(done["result_url"]).json()
        ids["staffing_id"] = self.post("/api/v1/staffing", {"forecast_id": forecast["id"], "rules_id": rules["id"]},
                                       201).json()["id"]
        return ids


def test_upload_forecast_roster_download(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    db = tmp_path / "shiftcast.sqlite"
    store_url = f"sqlite:///{db}"
    with testing.running_server(store_url, tmp_path, workers=2, via_cli=True) as server:  # `shiftcast serve`
        # serve made the schema on the empty store (the migrations) before it answered
        head = ScriptDirectory.from_config(alembic_config(store_url)).get_current_head()
        assert rows(db, "SELECT version_num FROM alembic_version") == [(head,)]
        api = Client(server, testing.token(store_url, "supervisor"))
        ids = api.inputs()
        body = {k: ids[k] for k in ("staffing_id", "staff_id", "leave_id", "ads_plan_id", "rules_id")}
        # A generous limit: the solve stops once optimal, and a loaded machine must not make it give up.
        job = api.post("/api/v1/rosters", {**body, "time_limit_s": 30}, 202).json()
        assert job["state"] in ("queued", "running")
        done = api.wait(job["url"])
        assert done["state"] == "succeeded", done
        assert done["progress"]["objective"] >= done["progress"]["bound"] >= 0
        # The solve ran in the job worker (`shiftcast worker`, started with the server), not in a web worker.
        [(runner,)] = rows(db, "SELECT runner FROM jobs WHERE id = ?", job["id"])
        pid = int(runner.split(":")[1])
        assert Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[-2:] == [b"worker", b""]
        roster = api.get(done["result_url"]).json()
        assert roster["month"] == MONTH and len(roster["days"]) == 31
        assert len(roster["employees"]) == 120 and roster["status"] in ("OPTIMAL", "FEASIBLE", "RELAXED")
        on_leave = {(e["employee_id"], day) for e in roster["employees"]
                    for day, code in zip(roster["days"], roster_shifts(roster, e)) if code == "LEAVE"}
        assert ("E035", "2026-12-02") in on_leave  # the sample's first approved leave
        xlsx = api.get(done["result_url"] + "/xlsx")
        assert xlsx.headers["Content-Type"].endswith("spreadsheetml.sheet")
        wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        assert len(wb.sheetnames) >= 4
        cells = {str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value is not None}
        assert any("E035" in text for text in cells)


def sample_requirement(rules):
    """December's staffing from the sample's true expected calls (no forecast fit: this test is about crashes)."""
    import pandas as pd

    from shiftcast.steps import month_requirement

    truth = pd.read_csv(SAMPLE / "truth_expected_calls.csv", parse_dates=["interval_start"], index_col="interval_start")
    calls = truth.loc[MONTH, "expected_calls"]
    return month_requirement(calls, None, rules)


def snapshot(db: Path) -> dict:
    """Every stored row's identity and content hash, read straight from the file."""
    con = sqlite3.connect(db)
    try:
        out = {}
        for table in ("datasets", "results", "tokens"):
            for row in con.execute(f"SELECT * FROM {table} ORDER BY id"):
                out[(table, row[0])] = hashlib.sha256(repr(row).encode()).hexdigest()
        return out
    finally:
        con.close()


def test_kill_9_during_a_roster_job(tmp_path):
    from core.rules import load_rules

    db = tmp_path / "shiftcast.sqlite"
    store_url = f"sqlite:///{db}"
    token = testing.token(store_url, "supervisor")
    server = testing.Server(store_url, tmp_path, workers=1).start()
    try:
        api = Client(server, token)
        rules = api.upload("rules", (SAMPLE / "rules.toml").read_bytes(), name="rules.toml")["id"]
        staff = api.upload("staff", (SAMPLE / "staff.csv").read_bytes(), rules_id=rules)["id"]
        ids = {"rules_id": rules, "staff_id": staff,
               "leave_id": api.upload("leave", (SAMPLE / "leave_2026-12.csv").read_bytes(), staff_id=staff,
                                      rules_id=rules)["id"],
               "ads_plan_id": api.upload("ads", (SAMPLE / "ads_plan_2026-12.csv").read_bytes())["id"],
               "staffing_id": testing.store_staffing(store_url, sample_requirement(load_rules(SAMPLE / "rules.toml")),
                                                     MONTH)}
        before = snapshot(db)
        body = {k: ids[k] for k in ("staffing_id", "staff_id", "leave_id", "ads_plan_id", "rules_id")}
        job = api.post("/api/v1/rosters", {**body, "time_limit_s": 10}, 202).json()
        running = api.wait(job["url"], until=("running", "succeeded", "failed"))
        assert running["state"] == "running", running
        time.sleep(1.0)
        assert api.get(job["url"]).json()["state"] == "running"
        server.kill()  # kill -9, arbiter and workers at once, in the middle of the solve
    finally:
        server.kill()
    con = sqlite3.connect(db)
    state, attempts = con.execute("SELECT state, attempts FROM jobs WHERE id = ?", (job["id"],)).fetchone()
    con.close()
    assert (state, attempts) == ("running", 1)  # as the crash left it

    server = testing.Server(store_url, tmp_path, workers=1).start()
    try:
        api = Client(server, token)
        done = api.wait(job["url"])
        assert done["state"] in ("succeeded", "failed")
        if done["state"] == "failed":
            assert done["error"]
        else:
            assert done["attempts"] == 2 and api.get(done["result_url"]).json()["month"] == MONTH
    finally:
        server.stop()
    after = snapshot(db)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing stored before was lost or changed
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()



def runner_pid(db: Path, job_id: int) -> int:
    """The process id of the worker that runs (or ran) a job, and check that the arbiter is its parent."""
    [(runner,)] = rows(db, "SELECT runner FROM jobs WHERE id = ?", job_id)
    return int(runner.split(":")[1])


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_kill_9_of_the_job_worker_alone_starts_another_that_reruns_its_job(tmp_path):
    """Under `serve` the job worker is killed with SIGKILL mid-solve, the web processes live on: the arbiter
    starts another worker, which finds the dead one's job and runs it again."""
    import os
    import signal

    from core.rules import load_rules

    db = tmp_path / "shiftcast.sqlite"
    store_url = f"sqlite:///{db}"
    token = testing.token(store_url, "supervisor")
    with testing.running_server(store_url, tmp_path, workers=1) as server:
        api = Client(server, token)
        rules = api.upload("rules", (SAMPLE / "rules.toml").read_bytes(), name="rules.toml")["id"]
        staff = api.upload("staff", (SAMPLE / "staff.csv").read_bytes(), rules_id=rules)["id"]
        body = {"rules_id": rules, "staff_id": staff, "time_limit_s": 20,
                "staffing_id": testing.store_staffing(store_url, sample_requirement(load_rules(SAMPLE / "rules.toml")),
                                                      MONTH)}
        job = api.post("/api/v1/rosters", body, 202).json()
        assert api.wait(job["url"], until=("running", "succeeded", "failed"))["state"] == "running"
        first = runner_pid(db, job["id"])
        assert parent(first) == server.proc.pid  # the arbiter's job worker, not a web worker
        os.kill(first, signal.SIGKILL)
        done = api.wait(job["url"])
        assert done["state"] == "succeeded" and done["attempts"] == 2, done
        second = runner_pid(db, job["id"])
        assert second != first and parent(second) == server.proc.pid
