"""The whole pipeline through its public entry points: `shiftcast demo` and `shiftcast plan`."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from api import testing
from cli import main
from shiftcast.inputs import SAMPLE_DIR
from core.periods import month_intervals


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> tuple[Path, str]:
    """The demo's folder (its store is store.sqlite there) and what it printed."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--time-limit", "10",
                                       "--database-url", f"sqlite:///{out / 'store.sqlite'}"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.slow
def test_demo_forecasts_december_and_sizes_its_staffing(demo_out):
    out, output = demo_out
    forecast = pd.read_csv(out / "forecast.csv", parse_dates=["interval_start"], index_col="interval_start")
    assert forecast.index.equals(month_intervals("2026-12"))
    assert (forecast["lower"] <= forecast["mean"]).all() and (forecast["mean"] <= forecast["upper"]).all()
    truth = pd.read_csv(SAMPLE_DIR / "truth_expected_calls.csv", parse_dates=["interval_start"], index_col="interval_start")
    december = truth["expected_calls"].reindex(forecast.index)
    assert abs(forecast["mean"].sum() / december.sum() - 1) < 0.05  # the month's volume within 5 % of the truth
    requirement = pd.read_csv(out / "requirement.csv", index_col="interval_start")
    assert (requirement["scheduled"] >= requirement["agents"]).all()
    assert requirement["service_level"][requirement["calls"] > 0].min() >= 0.8
    for name in ("forecast.png", "ad_response.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "calls expected" in output and "planned airings bring about" in output


@pytest.mark.slow
def test_demo_rosters_december_for_the_whole_floor(demo_out):
    out, output = demo_out
    staff = pd.read_csv(SAMPLE_DIR / "staff.csv")
    roster = pd.read_csv(out / "roster.csv")
    assert list(roster.columns) == ["employee_id", "date", "shift", "lunch_start"]
    assert len(roster) == len(staff) * 31 and set(roster["employee_id"]) == set(staff["employee_id"])
    assert set(roster["shift"]) <= {"E", "L", "OFF", "LEAVE"}
    leave = pd.read_csv(SAMPLE_DIR / "leave_2026-12.csv")
    on_leave = leave.loc[leave["kind"] == "leave", ["employee_id", "date"]].merge(roster, on=["employee_id", "date"])
    assert (on_leave["shift"] == "LEAVE").all()
    coverage = pd.read_csv(out / "coverage.csv")
    assert len(coverage) == 31 * 40 and (coverage["short"] == (coverage["required"] - coverage["staffed"]).clip(lower=0)).all()
    workbook = openpyxl.load_workbook(out / "roster.xlsx")
    assert workbook.sheetnames == ["排班表", "午餐", "覆盖", "人力覆盖与需求", "工时", "指标", "冲突与申请", "缺员时段", "明细"]
    kpis = [row[0].value for row in workbook["指标"].iter_rows(min_row=4, max_col=1)]
    kpis = kpis[:kpis.index(None)] if None in kpis else kpis  # the note pointing to the conflicts sheet follows a blank row
    assert "预计呼损来电" in kpis and "预计服务水平" in kpis
    assert not [k for k in kpis if k.isascii()], "KPIs without a Chinese label"
    assert len(list((out / "ics").glob("*.ics"))) == len(staff)
    assert (out / "coverage.png").read_bytes()[:4] == b"\x89PNG"
    assert "proven bound" in output and "expected service level" in output


@pytest.mark.slow
def test_demo_plans_the_callbacks_of_the_calls_it_expects_lost(demo_out):
    """The demo is `plan` on the sample's files: the requirement holds the callbacks outside airings, and the
    roster's summary and workbook count them done in time and missed."""
    from scheduler.rules.lunch_airings import airing_intervals
    from shiftcast.inputs import InputPaths, load_inputs

    out, output = demo_out
    inputs = load_inputs(InputPaths.sample())
    requirement = pd.read_csv(out / "requirement.csv", parse_dates=["interval_start"], index_col="interval_start")
    assert requirement["callbacks"].sum() > 0
    assert (requirement.loc[airing_intervals(inputs.plan, requirement.index, inputs.rules), "callbacks_worked"] == 0).all()
    assert f"callbacks: {requirement['callbacks'].sum():,.0f} expected of the calls lost at this staffing" in output
    sheet = openpyxl.load_workbook(out / "roster.xlsx")["指标"]
    kpis = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=4, max_col=2)}
    expected, done, missed = kpis["预计回拨数"], kpis["按时完成的回拨"], kpis["未按时完成的回拨"]
    assert expected > 0 and done + missed <= expected + 0.5
    assert f"{expected:,.0f} callbacks expected of the calls lost (70 % reached), {done:,.0f} done in time" in output
    assert "callbacks: " in output.split("shiftcast intraday --day")[1]  # the day as it ran, at 11:30


@pytest.mark.slow
def test_demo_runs_a_day_of_december_and_sums_up_its_attendance(demo_out):
    """The sample's December as lived: 2026-12-15 at 11:30 against the forecast, and the month's attendance, in
    which everyone the sample planted as absent that day is absent."""
    out, output = demo_out
    assert "2026-12-15 (Tuesday) at 11:30" in output and "calls so far:" in output and "rest of the day:" in output
    missing = next(line for line in output.splitlines() if "not clocked in by 11:30" in line)
    assert all(e in missing for e in ("E009", "E020", "E026", "E031", "E068", "E074"))
    assert "actions, ranked by calls saved" in output
    truth = pd.read_csv(SAMPLE_DIR / "truth_attendance_2026-12.csv")
    planted = truth.groupby(["employee_id", "event"]).size().unstack(fill_value=0)
    summary = pd.read_csv(out / "attendance.csv").set_index("employee_id")
    for event, column in [("absent", "days_absent"), ("late", "late_count"), ("early_leave", "early_count"),
                          ("rest_day_work", "rest_days_worked")]:
        found = summary[column][summary[column] > 0]
        assert found.to_dict() == planted[event][planted[event] > 0].to_dict(), event
    assert (out / "attendance.xlsx").exists() and (out / "attendance_days.csv").exists()


@pytest.mark.slow
def test_the_demos_month_is_on_the_roster_page(demo_out):
    """After `make demo` and `shiftcast serve` the page opens on December with the demo's roster, read with the
    token the demo printed."""
    out, output = demo_out
    url = f"sqlite:///{out / 'store.sqlite'}"
    said = re.search(r"To see it: run `shiftcast serve --database-url (\S+)`, open (http://\S+) and paste the "
                     r"viewer token (sc_\S+)", output)
    assert said and said.group(1) == url and said.group(2) == "http://127.0.0.1:8000/", output[-600:]
    client = testing.app(url).test_client()
    auth = {"Authorization": f"Bearer {said.group(3)}"}
    # The token sees the site the month is stored in, the page's one site: no picker, December, the demo's roster.
    assert client.get("/api/v1/sites", headers=auth).json["items"] == [
        {"id": 1, "name": "default", "latest_roster_month": "2026-12"}]
    rosters = client.get("/api/v1/rosters?month=2026-12&site_id=1", headers=auth).json["items"]
    assert len(rosters) == 1 and f"roster {rosters[0]['id']}" in output and rosters[0]["site_id"] == 1
    doc = client.get(rosters[0]["url"], headers=auth).json
    written = pd.read_csv(out / "roster.csv", dtype=str)
    assert len(doc["employees"]) == written["employee_id"].nunique() == 120
    person = doc["employees"][3]
    assert [doc["codes"][c] for c in person["shifts"]] == \
        written[written["employee_id"] == person["employee_id"]].sort_values("date")["shift"].tolist()
    for kind in ("forecasts", "staffing"):
        assert len(client.get(f"/api/v1/{kind}?month=2026-12", headers=auth).json["items"]) == 1
    names = {d["name"] for d in client.get("/api/v1/datasets", headers=auth).json["items"]}
    assert names == {"calls.csv", "ads_history.csv", "ads_plan_2026-12.csv", "staff.csv", "leave_2026-12.csv", "rules.toml"}


def test_plan_names_the_bad_cell_of_a_users_file(tmp_path):
    for name in ("ads_history.csv", "staff.csv", "rules.toml"):
        shutil.copy(SAMPLE_DIR / name, tmp_path / name)
    (tmp_path / "calls.csv").write_text("interval_start,calls\n2026-11-01 08:00,3\n2026-11-01 08:15,x\n")
    result = CliRunner().invoke(main, ["plan", "--calls", str(tmp_path / "calls.csv"), "--staff", str(tmp_path / "staff.csv"),
                                       "--month", "2026-12", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "calls.csv, row 3, column 'calls': expected a whole number ≥ 0, got 'x'" in result.output


def test_plan_without_history_says_what_is_missing(tmp_path):
    shutil.copy(SAMPLE_DIR / "staff.csv", tmp_path / "staff.csv")
    result = CliRunner().invoke(main, ["plan", "--staff", str(tmp_path / "staff.csv"), "--month", "2026-12",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "needs the call history" in result.output


def test_plan_reads_the_previous_month_or_says_the_first_days_assume_no_history(tmp_path):
    shutil.copy(SAMPLE_DIR / "staff.csv", tmp_path / "staff.csv")
    plan = ["plan", "--staff", str(tmp_path / "staff.csv"), "--month", "2027-01", "--out", str(tmp_path / "out")]
    blind = CliRunner().invoke(main, plan)
    assert blind.output.count("the first days of 2027-01 assume no history") == 1
    december = tmp_path / "roster.csv"
    december.write_text("employee_id,date,shift,lunch_start\nA0001,2026-12-31,X,\n", encoding="utf-8")
    bad = CliRunner().invoke(main, plan + ["--previous-month", str(december)])
    assert bad.exit_code == 2 and "assume no history" not in bad.output
    assert "roster.csv, row 2, column 'shift'" in bad.output
