"""Actuals in: days already lived sent as interval counts or call records, through `shiftcast actuals` and
/api/v1/actuals; checked cell by cell, a day sent twice replacing the first (and saying so), a day cut short kept
as partial; the stored days extend the history the CLI's and the API's forecasts read."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from api import testing
from api.db import Site
from api.worker import job_runner
from cli import main
from core.rules import DEFAULT_RULES
from shiftcast.actuals import history_with_actuals, load_actuals


def day_csv(day: str, until: str = "18:00", calls: int = 30, seed: int = 0, aht_s: float | None = None) -> str:
    """A day's interval counts from 08:00 to `until` (answered and abandoned included, and the handle time when
    `aht_s` is given)."""
    rng = np.random.default_rng(seed)
    starts = pd.date_range(f"{day} 08:00", f"{day} {until}", freq="15min", inclusive="left")
    offered = rng.poisson(calls, len(starts))
    aht = "" if aht_s is None else f",{aht_s:g}"
    rows = [f"{t:%Y-%m-%d %H:%M},{c},{c - 1 if c else 0},{1 if c else 0}{aht}" for t, c in zip(starts, offered)]
    return "interval_start,calls,answered,abandoned" + (",aht_s" if aht else "") + "\n" + "\n".join(rows) + "\n"


def two_days() -> str:
    return day_csv("2026-11-30") + day_csv("2026-12-01", seed=1).split("\n", 1)[1]


def actuals(runner: CliRunner, url: str, *args: str):
    return runner.invoke(main, ["actuals", *args, "--database-url", url])


@pytest.fixture
def store_url(tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def test_a_day_sent_twice_replaces_the_first_and_says_so(tmp_path, store_url):
    runner = CliRunner()
    path = tmp_path / "actuals.csv"
    path.write_text(two_days())
    first = actuals(runner, store_url, "add", str(path))
    assert first.exit_code == 0, first.output
    assert "actuals.csv: interval counts, 2 days for site 'default'" in first.output
    assert re.search(r"2026-11-30: 40 intervals added \([\d,]+ calls\)", first.output)
    (tmp_path / "again.csv").write_text(day_csv("2026-12-01", calls=10))
    again = actuals(runner, store_url, "add", str(tmp_path / "again.csv"))
    assert again.exit_code == 0, again.output
    assert re.search(r"2026-12-01: 40 intervals replaced those sent at \d{4}-\d\d-\d\d \d\d:\d\d UTC", again.output)
    listed = actuals(runner, store_url, "list").output.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["2026-11-30", "2026-12-01"]
    sent_again = pd.read_csv(tmp_path / "again.csv")["calls"].sum()
    assert listed[1].split("\t")[1:4] == ["40 intervals", f"{sent_again:,} calls", "again.csv"]
    assert actuals(runner, store_url, "list", "--from", "2026-12-01").output.splitlines() == listed[1:]


def test_a_day_so_far_is_kept_and_marked_partial(tmp_path, store_url):
    runner = CliRunner()
    (tmp_path / "today.csv").write_text(day_csv("2026-12-02", until="11:30"))
    out = actuals(runner, store_url, "add", str(tmp_path / "today.csv")).output
    assert "2026-12-02: 14 intervals added" in out and "partial: up to 11:30" in out
    assert actuals(runner, store_url, "list").output.rstrip().endswith("\tpartial")


def test_call_records_are_summed_to_the_rules_intervals(tmp_path, store_url):
    records = ("arrived_at,answered_at,ended_at\n"
               "2026-11-30 08:01:10,2026-11-30 08:01:30,2026-11-30 08:05:30\n"
               "2026-11-30 08:14:59,,\n"
               "2026-11-30 17:59:00,2026-11-30 17:59:20,2026-11-30 18:03:20\n")
    (tmp_path / "records.csv").write_text(records)
    out = actuals(CliRunner(), store_url, "add", str(tmp_path / "records.csv")).output
    assert "records.csv: call records, 1 day" in out and "2026-11-30: 2 intervals added (3 calls)" in out
    loaded = load_actuals(records.encode(), DEFAULT_RULES, source="records.csv")
    assert loaded.intervals["calls"].tolist() == [2, 1]
    assert loaded.intervals["abandoned"].tolist() == [1, 0]
    assert loaded.intervals["aht_s"].tolist()[1] == 240.0


@pytest.mark.parametrize("bad, row, column, words", [
    ("2026-12-01 08:07,5", 3, "interval_start", "15-minute"),
    ("2026-12-01 07:45,5", 3, "interval_start", "inside the open hours 08:00–18:00"),
    ("2026-12-01 18:00,5", 3, "interval_start", "inside the open hours"),
    ("2099-12-01 09:00,5", 3, "interval_start", "already past"),
    ("2026-12-01 09:00,-1", 3, "calls", "≥ 0"),
    ("2026-12-01 09:00,", 3, "calls", "an empty cell"),
])
def test_bad_interval_counts_name_the_row_and_keep_nothing(tmp_path, store_url, bad, row, column, words):
    (tmp_path / "bad.csv").write_text(f"interval_start,calls\n2026-11-30 08:30,4\n{bad}\n")
    result = actuals(CliRunner(), store_url, "add", str(tmp_path / "bad.csv"))
    assert result.exit_code == 2
    assert f"bad.csv, row {row}, column '{column}'" in result.output and words in result.output
    assert "no actuals for site 'default'" in actuals(CliRunner(), store_url, "list").output


def test_bad_call_records_name_the_row(tmp_path, store_url):
    (tmp_path / "calls.csv").write_text("arrived_at,outcome\n2026-12-01 09:00:00,answered\n2026-12-01 19:12:00,answered\n")
    result = actuals(CliRunner(), store_url, "add", str(tmp_path / "calls.csv"))
    assert result.exit_code == 2
    assert "calls.csv, row 3, column 'arrived_at': expected a time inside the open hours" in result.output
    (tmp_path / "calls.csv").write_text("arrived_at,outcome\n2026-12-01 09:00:00,lost\n")
    result = actuals(CliRunner(), store_url, "add", str(tmp_path / "calls.csv"))
    assert "row 2, column 'outcome'" in result.output


def test_intervals_must_fit_the_rules_grid(tmp_path, store_url):
    (tmp_path / "rules.toml").write_text("interval_minutes = 30\n")
    (tmp_path / "a.csv").write_text(day_csv("2026-12-01"))
    result = actuals(CliRunner(), store_url, "add", str(tmp_path / "a.csv"), "--rules", str(tmp_path / "rules.toml"))
    assert result.exit_code == 2 and "a.csv, row 3, column 'interval_start'" in result.output


def test_the_history_takes_the_complete_days_later_days_replacing():
    history = pd.read_csv(pd.io.common.StringIO(day_csv("2026-11-29") + day_csv("2026-11-30").split("\n", 1)[1]),
                          parse_dates=["interval_start"], index_col="interval_start")
    history.attrs["interval_minutes"] = 15
    sent = load_actuals((day_csv("2026-11-30", calls=5, seed=3) + day_csv("2026-12-01", seed=4).split("\n", 1)[1]
                         + day_csv("2026-12-02", until="12:00", seed=5).split("\n", 1)[1]).encode(), DEFAULT_RULES)
    extended = history_with_actuals(history, sent)
    days = extended.calls.groupby(extended.calls.index.normalize())["calls"].sum()
    assert [f"{d:%m-%d}" for d in days.index] == ["11-29", "11-30", "12-01"]
    assert days.iloc[1] == sent.day_intervals(pd.Timestamp("2026-11-30").date())["calls"].sum()
    assert days.iloc[0] == history["calls"].iloc[:40].sum()
    assert extended.notes == ["2 days of actuals extended the history (2026-11-30 → 2026-12-01), replacing 1 day the "
                             "history already had; partial, so left out: 2026-12-02"]


@pytest.mark.slow
def test_forecast_and_plan_with_the_store_read_its_actuals(tmp_path, store_url):
    runner = CliRunner()
    (tmp_path / "calls.csv").write_bytes(testing.calls_csv(days=28, start="2026-11-02"))
    (tmp_path / "actuals.csv").write_text(two_days())
    assert actuals(runner, store_url, "add", str(tmp_path / "actuals.csv")).exit_code == 0
    base = ["--calls", str(tmp_path / "calls.csv"), "--month", "2026-12"]
    plain = runner.invoke(main, ["forecast", *base, "--out", str(tmp_path / "plain")])
    assert plain.exit_code == 0, plain.output
    assert "actuals" not in plain.output
    stored = runner.invoke(main, ["forecast", *base, "--out", str(tmp_path / "stored"), "--store",
                                  "--database-url", store_url])
    assert stored.exit_code == 0, stored.output
    assert "2 days of actuals extended the history (2026-11-30 → 2026-12-01)" in stored.output
    assert not pd.read_csv(tmp_path / "plain" / "forecast.csv").equals(pd.read_csv(tmp_path / "stored" / "forecast.csv"))
    refused = runner.invoke(main, ["forecast", *base, "--site", "north"])
    assert refused.exit_code == 2 and "add --store" in refused.output
    plan = runner.invoke(main, ["plan", *base, "--out", str(tmp_path / "plan"), "--store", "--database-url", store_url])
    assert plan.exit_code == 0, plan.output
    assert "2 days of actuals extended the history (2026-11-30 → 2026-12-01)" in plan.output


# ---------------------------------------------------------------- the API

@pytest.fixture
def app(store_url):
    app = testing.app(store_url)
    with app.extensions["shiftcast"].sessions() as s:
        s.add(Site(id=2, name="north"))
        s.commit()
    return app


def bearer(app, role: str, sites: list[int] | None = None) -> dict:
    return {"Authorization": f"Bearer {testing.token(app.config['DATABASE_URL'], role, sites=sites)}"}


def send(client, headers, text: str, **query):
    return client.post("/api/v1/actuals", data=text.encode(), query_string=query,
                       headers={**headers, "Content-Type": "text/csv"})


def test_api_keeps_days_per_site_and_says_what_it_replaced(app):
    client = app.test_client()
    sup = bearer(app, "supervisor")
    r = send(client, sup, two_days(), name="day.csv")
    assert r.status_code == 201, r.json
    assert [d["message"].split(" (")[0] for d in r.json["days"]] == ["2026-11-30: 40 intervals added",
                                                                    "2026-12-01: 40 intervals added"]
    r = send(client, sup, day_csv("2026-12-01", until="11:00"), name="again.csv")
    day = r.json["days"][0]
    assert day["partial"] and day["replaced_sent_at"] and "replaced those sent at" in day["message"]
    listed = client.get(r.headers["Location"], headers=sup).json["items"]
    assert [(d["day"], d["intervals"], d["partial"], d["source"]) for d in listed] == [("2026-12-01", 12, True, "again.csv")]
    assert listed[0]["interval_rows"][0]["interval_start"].startswith("2026-12-01T08:00")
    everything = client.get("/api/v1/actuals", query_string={"from": "2026-11-01", "to": "2026-12-31"}, headers=sup)
    assert [d["day"] for d in everything.json["items"]] == ["2026-11-30", "2026-12-01"]
    # Another site's token sees none of them and sends its own; a viewer sends nothing.
    north = bearer(app, "supervisor", [2])
    assert client.get("/api/v1/actuals", headers=north).json["items"] == []
    assert client.get("/api/v1/actuals", query_string={"site_id": 1}, headers=north).json["items"] == []
    assert send(client, north, day_csv("2026-12-01")).json["days"][0]["message"].startswith("2026-12-01: 40 intervals added")
    assert send(client, north, day_csv("2026-12-01"), site_id=1).status_code == 404
    assert send(client, bearer(app, "viewer"), day_csv("2026-12-01")).status_code == 403


def test_api_bad_files_name_file_row_and_column_and_keep_nothing(app):
    client = app.test_client()
    sup = bearer(app, "supervisor")
    r = send(client, sup, day_csv("2026-11-30") + "2026-11-30 18:15,3,3,0\n", name="late.csv")
    assert r.status_code == 422
    assert r.json["errors"][0] == {"file": "late.csv", "row": 42, "column": "interval_start",
                                   "detail": "expected a time inside the open hours 08:00–18:00 of the rules, "
                                             "got '2026-11-30 18:15'"}
    assert client.get("/api/v1/actuals", headers=sup).json["items"] == []
    r = client.post("/api/v1/actuals", data=b"interval_start,calls\n", headers={**sup, "Content-Type": "text/csv"})
    assert r.status_code == 422 and "no data rows" in r.json["detail"]
    limited = testing.app(app.config["DATABASE_URL"], MAX_HISTORY_ROWS=10)
    r = send(limited.test_client(), sup, day_csv("2026-11-30"), name="big.csv")
    assert r.status_code == 422 and r.json["title"] == "Too many rows" and "big.csv: 40 rows" in r.json["detail"]


def staffing_hours(client, headers, forecast_id: int) -> float:
    r = client.post("/api/v1/staffing", json={"forecast_id": forecast_id}, headers=headers)
    assert r.status_code == 201, r.json
    return sum(i["scheduled"] for i in r.json["intervals"])


@pytest.mark.slow
def test_a_sites_forecast_and_staffing_read_its_actuals(app):
    client = app.test_client()
    sup = bearer(app, "supervisor")
    calls = client.post("/api/v1/datasets/calls", data=testing.calls_csv(days=28, start="2026-11-02"),
                        headers={**sup, "Content-Type": "text/csv"}).json["id"]

    def forecast() -> dict:
        job = client.post("/api/v1/forecasts", json={"calls_id": calls, "month": "2026-12"}, headers=sup).json
        assert job_runner(app).run_pending() == 1
        done = client.get(f"/api/v1/jobs/{job['id']}", headers=sup).json
        assert done["state"] == "succeeded", done
        return client.get(done["result_url"], headers=sup).json

    before = forecast()
    assert not any("actuals" in note for note in before["notes"])
    without = staffing_hours(client, sup, before["id"])
    # Two days whose calls took far longer to handle than the history's (about 240 s).
    slow_days = day_csv("2026-11-30", aht_s=900) + day_csv("2026-12-01", seed=1, aht_s=900).split("\n", 1)[1]
    assert send(client, sup, slow_days).status_code == 201
    after = forecast()
    assert "2 days of actuals extended the history (2026-11-30 → 2026-12-01)" in after["notes"]
    assert staffing_hours(client, sup, before["id"]) > without
    # Another site's forecast reads none of them.
    north = bearer(app, "supervisor", [2])
    theirs = client.post("/api/v1/datasets/calls", data=testing.calls_csv(days=28, start="2026-11-02"),
                         headers={**north, "Content-Type": "text/csv"}).json["id"]
    job = client.post("/api/v1/forecasts", json={"calls_id": theirs, "month": "2026-12"}, headers=north).json
    assert job_runner(app).run_pending() == 1
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=north).json
    assert not any("actuals" in note for note in client.get(done["result_url"], headers=north).json["notes"])
