"""The rules' interval length is the plan's grid: a finer history is summed to it (and the plan says so),
a coarser one is refused, and the month's calls do not depend on the grid."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from api.testing import calls_csv
from cli import main
from core.errors import DataError
from core.rules import DEFAULT_RULES
from forecasting.data import calls_on_grid, load_calls
from forecasting.synthetic import World
from shiftcast.inputs import SAMPLE_DIR, InputPaths, Inputs, load_inputs
from shiftcast.pipeline import run_plan
from shiftcast.steps import forecast_step, requirement_step

RULES_30 = replace(DEFAULT_RULES, interval_minutes=30)


def test_a_finer_history_is_summed_with_call_weighted_handle_time():
    index = pd.DatetimeIndex(["2026-11-02 08:00", "2026-11-02 08:15", "2026-11-02 08:30", "2026-11-02 08:45"],
                             name="interval_start")
    history = pd.DataFrame({"calls": [10, 30, 0, 4], "answered": [9, 27, 0, 4], "abandoned": [1, 3, 0, 0],
                            "aht_s": [100.0, 200.0, np.nan, 50.0]}, index=index)
    history.attrs = {"interval_minutes": 15, "source": "calls.csv"}
    summed = calls_on_grid(history, 30)
    assert summed.index.tolist() == [pd.Timestamp("2026-11-02 08:00"), pd.Timestamp("2026-11-02 08:30")]
    assert summed["calls"].tolist() == [40, 4] and summed["answered"].tolist() == [36, 4]
    assert summed["abandoned"].tolist() == [4, 0]
    assert summed["aht_s"].tolist() == pytest.approx([(10 * 100 + 30 * 200) / 40, 50.0])
    assert summed.attrs == {"interval_minutes": 30, "summed_from_minutes": 15, "source": "calls.csv"}
    assert calls_on_grid(history, 15) is history


def _world_inputs(rules) -> Inputs:
    calls, ads, _ = World(days=91, level=40.0, airings_per_day=4, seed=5).draw()
    frame = calls.to_frame()
    frame.attrs = {"interval_minutes": 15, "source": "calls.csv"}
    return Inputs(rules=rules, calls=frame, ads=ads, plan=World(start="2025-09-01", days=30, airings_per_day=4).airings())


def test_a_30_minute_plan_on_a_15_minute_history_keeps_the_months_calls_and_its_peak():
    fine = forecast_step(_world_inputs(DEFAULT_RULES), "2025-09")
    coarse_inputs = _world_inputs(RULES_30)
    coarse = forecast_step(coarse_inputs, "2025-09")
    assert fine.grid_note is None
    assert coarse.grid_note == "history on a 15-minute grid summed to the rules' 30-minute intervals"
    assert len(coarse.table) * 2 == len(fine.table)
    assert coarse.table["mean"].sum() == pytest.approx(fine.table["mean"].sum(), rel=0.02)
    # A 30-minute interval holds about two 15-minute ones' calls, so its agents are not halved.
    assert 1.3 <= coarse.table["mean"].max() / fine.table["mean"].max() <= 2.05
    fine_req = requirement_step(_world_inputs(DEFAULT_RULES), fine.table)
    coarse_req = requirement_step(coarse_inputs, coarse.table)
    assert coarse_req.attrs["interval_minutes"] == 30
    assert 0.75 * fine_req["agents"].max() <= coarse_req["agents"].max() <= fine_req["agents"].max()
    assert coarse_req["load_erlangs"].sum() * 2 == pytest.approx(fine_req["load_erlangs"].sum(), rel=0.02)


def test_a_60_minute_history_with_15_minute_rules_is_refused_naming_the_file(tmp_path):
    hourly = load_calls(calls_csv(days=14))
    hourly = hourly.groupby(hourly.index.floor("60min")).sum()
    path = tmp_path / "calls60.csv"
    hourly.to_csv(path, index_label="interval_start", date_format="%Y-%m-%d %H:%M")
    inputs = load_inputs(InputPaths(calls=path))
    with pytest.raises(DataError) as error:
        forecast_step(inputs, "2026-12")
    assert error.value.file == "calls60.csv"
    assert "60-minute grid" in str(error.value) and "15-minute intervals" in str(error.value)
    result = CliRunner().invoke(main, ["plan", "--calls", str(path), "--month", "2026-12", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "calls60.csv" in result.output and "60-minute grid" in result.output


def test_plan_says_the_history_was_summed_and_what_the_coarser_grid_hides(tmp_path):
    (tmp_path / "calls.csv").write_bytes(calls_csv(days=28))
    (tmp_path / "rules.toml").write_text("interval_minutes = 30\n")
    lines: list[str] = []
    result = run_plan(InputPaths(calls=tmp_path / "calls.csv", rules=tmp_path / "rules.toml"), "2026-12",
                      tmp_path / "out", echo=lines.append, lang="en")
    output = "\n".join(lines)
    assert "history on a 15-minute grid summed to the rules' 30-minute intervals" in output
    peak = result.requirement["agents"].max()
    assert f"30-minute intervals: peak {peak} agents; on the history's 15-minute grid the peak is" in output
    assert len(pd.read_csv(tmp_path / "out" / "requirement.csv")) == len(result.forecast) == 31 * 20


@pytest.mark.slow
def test_plan_on_the_sample_with_30_minute_rules_rosters_on_30_minute_intervals(tmp_path):
    rules = (SAMPLE_DIR / "rules.toml").read_text()
    assert "interval_minutes = 15\n" in rules
    (tmp_path / "rules.toml").write_text(rules.replace("interval_minutes = 15\n", "interval_minutes = 30\n"))
    for name in ("calls.csv", "ads_history.csv", "ads_plan_2026-12.csv", "staff.csv", "leave_2026-12.csv"):
        shutil.copy(SAMPLE_DIR / name, tmp_path / name)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "plan", "--calls", str(tmp_path / "calls.csv"), "--ads", str(tmp_path / "ads_history.csv"),
        "--plan", str(tmp_path / "ads_plan_2026-12.csv"), "--staff", str(tmp_path / "staff.csv"),
        "--leave", str(tmp_path / "leave_2026-12.csv"), "--rules", str(tmp_path / "rules.toml"),
        "--month", "2026-12", "--out", str(out), "--time-limit", "5", "--lang", "en"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "history on a 15-minute grid summed to the rules' 30-minute intervals" in result.output
    assert "coarser intervals hide" in result.output
    forecast = pd.read_csv(out / "forecast.csv", parse_dates=["interval_start"])
    coverage = pd.read_csv(out / "coverage.csv", parse_dates=["interval_start"])
    assert len(forecast) == len(coverage) == 31 * 20
    assert (forecast["interval_start"].dt.minute % 30 == 0).all()
    fifteen = forecast_step(load_inputs(InputPaths.sample()), "2026-12").table
    assert forecast["mean"].sum() == pytest.approx(fifteen["mean"].sum(), rel=0.02)
    assert 1.3 <= forecast["mean"].max() / fifteen["mean"].max() <= 2.05


def test_shiftcast_forecast_says_when_it_summed_the_history(tmp_path):
    (tmp_path / "calls.csv").write_bytes(calls_csv(days=28))
    (tmp_path / "rules.toml").write_text("interval_minutes = 30\n")
    result = CliRunner().invoke(main, ["forecast", "--calls", str(tmp_path / "calls.csv"), "--rules",
                                       str(tmp_path / "rules.toml"), "--month", "2026-12", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "history on a 15-minute grid summed to the rules' 30-minute intervals" in result.output
    assert len(pd.read_csv(tmp_path / "forecast.csv")) == 31 * 20
