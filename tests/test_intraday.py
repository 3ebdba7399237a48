"""The intraday view (shiftcast.steps.intraday_step and `shiftcast intraday`) on the bundled sample."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cli import main
from forecasting.data import load_calls
from scheduler.roster import load_assignments
from shiftcast.inputs import SAMPLE_DIR, InputPaths, load_inputs
from shiftcast.intraday import report_lines
from shiftcast.steps import intraday_step

DAY = "2026-12-10"
SAMPLE_OPTIONS = ["--calls", str(SAMPLE_DIR / "calls.csv"), "--ads", str(SAMPLE_DIR / "ads_history.csv"),
                  "--plan", str(SAMPLE_DIR / "ads_plan_2026-12.csv"), "--staff", str(SAMPLE_DIR / "staff.csv"),
                  "--rules", str(SAMPLE_DIR / "rules.toml")]


def _roster(path: Path, people: int) -> Path:
    """A roster of the day: `people` agents, half early (lunch 12:00) and half late (lunch 13:00), the rest off."""
    staff = pd.read_csv(SAMPLE_DIR / "staff.csv")
    ids = list(staff["employee_id"])
    agents = list(staff.loc[staff["role"] == "agent", "employee_id"])[:people]
    rows = []
    for e in ids:
        if e in agents:
            early = agents.index(e) % 2 == 0
            rows.append((e, DAY, "E" if early else "L", "12:00" if early else "13:00"))
        else:
            rows.append((e, DAY, "OFF", ""))
    pd.DataFrame(rows, columns=["employee_id", "date", "shift", "lunch_start"]).to_csv(path, index=False)
    return path


def _actuals(path: Path, factor: float, until: str = "11:30") -> Path:
    """The day's calls before `until`: the sample's true expected calls times `factor`, with Poisson noise."""
    truth = pd.read_csv(SAMPLE_DIR / "truth_expected_calls.csv", parse_dates=["interval_start"]).set_index("interval_start")
    day = truth.loc[DAY]
    morning = day[day.index < pd.Timestamp(f"{DAY} {until}")]
    calls = np.random.default_rng(7).poisson(morning["expected_calls"].to_numpy() * factor)
    pd.DataFrame({"calls": calls}, index=morning.index).to_csv(path)
    return path


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(InputPaths.sample())


@pytest.mark.slow
def test_a_busy_morning_raises_the_rest_of_day_and_the_roster_misses(inputs, tmp_path):
    busy = intraday_step(inputs, DAY, "11:30", load_calls(_actuals(tmp_path / "a.csv", 1.5)),
                         load_assignments(_roster(tmp_path / "r.csv", 24), inputs.rules))
    assert busy.so_far["actual"].sum() > 1.3 * busy.so_far["forecast"].sum()
    assert busy.rest.index[0] == pd.Timestamp(f"{DAY} 11:30")
    assert busy.rest["mean"].sum() > 1.1 * busy.rest["forecast"].sum()
    assert (busy.rest["lower"] <= busy.rest["mean"]).all() and (busy.rest["mean"] <= busy.rest["upper"]).all()
    # The 12 early people lunch 12:00–13:00 and leave at 17:00; the 12 late ones lunch 13:00–14:00.
    assert busy.rest.loc[f"{DAY} 11:45", "rostered"] == 24
    assert busy.rest.loc[f"{DAY} 12:15", "rostered"] == 12
    assert busy.rest.loc[f"{DAY} 13:15", "rostered"] == 12
    assert busy.rest.loc[f"{DAY} 17:30", "rostered"] == 12
    assert busy.rest["service_level"].between(0, 1).all()
    assert not busy.misses.empty
    assert (busy.misses["service_level"] < inputs.rules.service.service_level).all()
    assert (busy.rest["abandoned"] >= 0).all() and busy.rest["abandoned"].sum() > 0
    lines = report_lines(busy)
    assert any(line.startswith("calls so far:") and "+" in line for line in lines)
    assert any("will miss the target of 80 %" in line for line in lines)
    assert any(line.startswith("  12:00–12:15") for line in lines)


@pytest.mark.slow
def test_a_morning_as_forecast_leaves_the_rest_and_full_staff_meets_the_target(inputs, tmp_path):
    view = intraday_step(inputs, DAY, "16:30", load_calls(_actuals(tmp_path / "a.csv", 1.0, "16:30")),
                         load_assignments(_roster(tmp_path / "r.csv", 90), inputs.rules))
    assert view.rest["mean"].sum() == pytest.approx(view.rest["forecast"].sum(), rel=0.1)
    assert view.misses.empty
    assert "every interval from 16:30 meets the target" in report_lines(view)


@pytest.mark.slow
def test_cli_prints_the_report_and_writes_the_rest_of_day(tmp_path):
    out = tmp_path / "rest.csv"
    result = CliRunner().invoke(main, ["intraday", "--day", DAY, "--at", "11:30",
                                       "--actuals", str(_actuals(tmp_path / "a.csv", 1.5)),
                                       "--roster", str(_roster(tmp_path / "r.csv", 24)), *SAMPLE_OPTIONS,
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{DAY} (Thursday) at 11:30\ncalls so far: ")
    assert "will miss the target" in result.output
    assert "actions, ranked by calls saved (Erlang A, patience 90 s" in result.output
    assert "1. call in " in result.output and "on their rest day for " in result.output
    assert "no clock records given: all 24 people rostered on the phones are taken as there" in result.output
    rest = pd.read_csv(out, parse_dates=["interval_start"])
    assert rest["interval_start"].min() == pd.Timestamp(f"{DAY} 11:30")
    assert rest["interval_start"].max() == pd.Timestamp(f"{DAY} 17:45")
    assert {"mean", "lower", "upper", "rostered", "present", "service_level", "asa_s", "abandoned"} <= set(rest.columns)
    assert (rest["present"] == rest["rostered"]).all()


@pytest.mark.slow
def test_cli_with_the_clock_counts_the_absent_out_of_the_service(tmp_path):
    """The sample's morning of absences (data/sample/README.md): six early-shift agents never clock in."""
    day, at = "2026-12-15", "11:30"
    actuals = load_calls(SAMPLE_DIR / "actuals_2026-12.csv")
    so_far = tmp_path / "so_far.csv"
    actuals[actuals.index < pd.Timestamp(f"{day} {at}")].to_csv(so_far)
    out = tmp_path / "rest.csv"
    base = ["intraday", "--day", day, "--at", at, "--actuals", str(so_far),
            "--roster", str(SAMPLE_DIR / "roster_2026-12.csv"), *SAMPLE_OPTIONS]
    with_clock = CliRunner().invoke(main, [*base, "--clock", str(SAMPLE_DIR / "clock_2026-12.csv"), "--out", str(out)])
    assert with_clock.exit_code == 0, with_clock.output
    missing = next(line for line in with_clock.output.splitlines() if line.startswith("not clocked in by 11:30"))
    for absent in ("E009", "E020", "E026", "E031", "E068", "E074"):
        assert absent in missing
    late = next(line for line in with_clock.output.splitlines() if line.startswith("late: "))
    assert "E037" in late and "(180 min)" in late  # in at 11:00, three hours late, and there now
    rest = pd.read_csv(out, parse_dates=["interval_start"]).set_index("interval_start")
    staff = pd.read_csv(SAMPLE_DIR / "staff.csv")
    roster = pd.read_csv(SAMPLE_DIR / "roster_2026-12.csv")
    early = roster[(roster["date"] == day) & (roster["shift"] == "E")]
    assert {"E009", "E020", "E026", "E031", "E068", "E074"} <= set(early["employee_id"]) <= set(staff["employee_id"])
    # the rostered less the present are the six, each on the phones from 11:30 to 17:00 but for their lunch
    six = early[early["employee_id"].isin(["E009", "E020", "E026", "E031", "E068", "E074"])]
    minute = rest.index.hour * 60 + rest.index.minute
    absent = sum(((minute < 17 * 60) & ~((minute >= int(h) * 60 + int(m)) & (minute < int(h) * 60 + int(m) + 60)))
                 for h, m in (lunch.split(":") for lunch in six["lunch_start"]))
    assert (rest["rostered"] - rest["present"]).tolist() == list(absent)
    assert "actions, ranked by calls saved" in with_clock.output

    without = CliRunner().invoke(main, [*base])
    assert "no clock records given" in without.output


def test_cli_says_a_clock_file_naming_a_stranger(tmp_path):
    clock = tmp_path / "clock.csv"
    clock.write_text("employee_id,time,kind\nE001,2026-12-10 07:55:00,in\nX404,2026-12-10 07:58:00,in\n")
    result = CliRunner().invoke(main, ["intraday", "--day", DAY, "--at", "11:30",
                                       "--actuals", str(_actuals(tmp_path / "a.csv", 1.0)),
                                       "--roster", str(_roster(tmp_path / "r.csv", 24)), "--clock", str(clock),
                                       *SAMPLE_OPTIONS])
    assert result.exit_code == 2
    assert "clock.csv, row 3, column 'employee_id'" in result.output


@pytest.mark.slow
def test_cli_refuses_actuals_after_the_time_by_name(tmp_path):
    actuals = _actuals(tmp_path / "a.csv", 1.0, "12:00")
    result = CliRunner().invoke(main, ["intraday", "--day", DAY, "--at", "11:30", "--actuals", str(actuals),
                                       "--roster", str(_roster(tmp_path / "r.csv", 24)), *SAMPLE_OPTIONS])
    assert result.exit_code == 2
    assert f"a.csv, column 'interval_start': actuals at {DAY} 11:30:00 and 1 more are not before" in result.output


@pytest.mark.parametrize("at, said", [("11:40", "11:40 does not start one of the rules' 15-minute intervals"),
                                      ("19:00", "19:00 is not inside the open hours 08:00–18:00"),
                                      ("noon", "expected a time of day as HH:MM")])
def test_cli_says_a_time_that_does_not_fit(tmp_path, at, said):
    result = CliRunner().invoke(main, ["intraday", "--day", DAY, "--at", at,
                                       "--actuals", str(_actuals(tmp_path / "a.csv", 1.0)),
                                       "--roster", str(_roster(tmp_path / "r.csv", 24)), *SAMPLE_OPTIONS])
    assert result.exit_code == 2
    assert f"error: --at: {said}" in result.output


def test_cli_says_a_roster_without_the_day_or_with_strangers(tmp_path):
    roster = _roster(tmp_path / "r.csv", 24)
    base = ["intraday", "--at", "11:30", "--actuals", str(_actuals(tmp_path / "a.csv", 1.0)), "--roster", str(roster),
            *SAMPLE_OPTIONS]
    result = CliRunner().invoke(main, [*base, "--day", "2026-12-11"])
    assert result.exit_code == 2
    assert "r.csv, column 'date': the roster has no row for 2026-12-11" in result.output

    table = pd.read_csv(roster)
    table.loc[0, "employee_id"] = "X999"
    table.to_csv(roster, index=False)
    result = CliRunner().invoke(main, [*base, "--day", DAY])
    assert result.exit_code == 2
    assert "r.csv, column 'employee_id': employee X999 is not on the staff list" in result.output


def test_cli_needs_the_staff_to_know_who_takes_calls(tmp_path):
    options = [o for o in SAMPLE_OPTIONS if "staff" not in o]
    result = CliRunner().invoke(main, ["intraday", "--day", DAY, "--at", "11:30",
                                       "--actuals", str(_actuals(tmp_path / "a.csv", 1.0)),
                                       "--roster", str(_roster(tmp_path / "r.csv", 24)), *options])
    assert result.exit_code == 2
    assert "staff: the intraday view needs the staff list (--staff)" in result.output


@pytest.mark.slow
def test_cli_says_a_clock_file_holding_no_punch_on_the_day(tmp_path):
    clock = tmp_path / "clock.csv"
    clock.write_text("employee_id,time,kind\nE001,2026-12-09 07:55:00,in\nE001,2026-12-09 17:02:00,out\n")
    result = CliRunner().invoke(main, ["intraday", "--day", DAY, "--at", "11:30",
                                       "--actuals", str(_actuals(tmp_path / "a.csv", 1.0)),
                                       "--roster", str(_roster(tmp_path / "r.csv", 24)), "--clock", str(clock),
                                       *SAMPLE_OPTIONS])
    assert result.exit_code == 0, result.output
    assert (f"the clock records hold no punch on {DAY} by 11:30 (another day's file, or a feed that stopped?): "
            "all 24 people rostered on the phones are taken as there") in result.output
    assert "not clocked in by" not in result.output
