"""`shiftcast staffing` through click's runner: the requirement step of `shiftcast plan` for a forecast or a
call history, written as plan writes requirement.csv."""
from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from api.testing import calls_csv
from cli import main
from core.rules import ServiceTargets
from scheduler.roster import REQUIREMENT_CALLBACKS
from scheduler.staffing import COLUMNS, requirements
from shiftcast.exports.tables import forecast_frame, write_frame_csv
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.steps import requirement_step

CALLS = """interval_start,calls,aht_s
2026-12-01 08:00:00,0,
2026-12-01 08:15:00,50,200
2026-12-01 08:30:00,200,
2026-12-01 08:45:00,96,180
"""
RULES = """
[service]
service_level = 0.9
answer_within_s = 15
max_occupancy = 0.8
shrinkage = 0.25
aht_s = 300
"""
TARGETS = ServiceTargets(service_level=0.9, answer_within_s=15, max_occupancy=0.8, shrinkage=0.25, aht_s=300)


def _files(tmp_path, rules=RULES):
    (tmp_path / "calls.csv").write_text(CALLS)
    (tmp_path / "rules.toml").write_text(rules)
    return str(tmp_path / "calls.csv"), str(tmp_path / "rules.toml")


def _forecast(path, start="2026-12-01", days=3, seed=5):
    """A forecast.csv as `shiftcast forecast` writes it (means already at its 3 decimals); the table."""
    rng = np.random.default_rng(seed)
    starts = pd.DatetimeIndex([t for d in pd.date_range(start, periods=days, freq="D")
                               for t in pd.date_range(d + pd.Timedelta(hours=8), periods=40, freq="15min")])
    mean = rng.uniform(0, 60, len(starts)).round(3)
    table = forecast_frame(pd.DataFrame({"mean": mean, "lower": mean * 0.8, "upper": mean * 1.2}, index=starts))
    write_frame_csv(path, table)
    return table


def _staffing(*args) -> str:
    result = CliRunner().invoke(main, ["staffing", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_history_alone_is_staffed_with_its_own_handle_time_by_time_of_day(tmp_path):
    calls, rules = _files(tmp_path)
    out = tmp_path / "out" / "requirement.csv"
    output = _staffing("--calls", calls, "--rules", rules, "--out", out)
    assert "4 intervals" in output and "learnt from calls.csv" in output
    assert "expected of the calls lost at this staffing" in output and "no ad plan here" in output
    table = pd.read_csv(out, parse_dates=["interval_start"], index_col="interval_start")
    assert list(table.columns) == list(COLUMNS) + list(REQUIREMENT_CALLBACKS)
    assert table.index[1] == pd.Timestamp("2026-12-01 08:15")
    # Measured times of day keep their AHT; the others get the file's call-weighted mean, not the rules' 300 s.
    mean_aht = (200 * 50 + 180 * 96) / 146
    want = requirements(pd.Series([0.0, 50, 200, 96]), pd.Series([mean_aht, 200, mean_aht, 180]), TARGETS, 15)
    assert table["aht_s"].tolist() == want["aht_s"].tolist()
    assert table["agents"].tolist() == want["agents"].tolist()
    assert table["scheduled"].tolist() == want["scheduled"].tolist()
    assert table["agents"].iloc[0] == 0
    assert (table["service_level"].iloc[1:] >= 0.9).all()


def test_a_forecast_with_a_history_gives_what_the_requirement_step_gives(tmp_path):
    """`shiftcast forecast` then `shiftcast staffing --history`: plan's requirement.csv, byte for byte."""
    (tmp_path / "history.csv").write_bytes(calls_csv(days=14, start="2026-11-10"))
    (tmp_path / "rules.toml").write_text(RULES)
    forecast = _forecast(tmp_path / "forecast.csv")
    out = tmp_path / "requirement.csv"
    output = _staffing("--calls", tmp_path / "forecast.csv", "--history", tmp_path / "history.csv",
                       "--rules", tmp_path / "rules.toml", "--out", out)
    assert "120 intervals" in output and "learnt from history.csv" in output
    inputs = load_inputs(InputPaths(calls=tmp_path / "history.csv", rules=tmp_path / "rules.toml"))
    expected = write_frame_csv(tmp_path / "expected.csv", requirement_step(inputs, forecast))
    assert out.read_bytes() == expected.read_bytes()
    aht = pd.read_csv(out)["aht_s"]
    assert aht.between(200, 280).all() and aht.nunique() > 1  # the history's ~240 s by time of day


def test_a_forecast_alone_is_staffed_with_the_rules_handle_time(tmp_path):
    (tmp_path / "rules.toml").write_text(RULES)
    forecast = _forecast(tmp_path / "forecast.csv", days=1)
    out = tmp_path / "requirement.csv"
    output = _staffing("--calls", tmp_path / "forecast.csv", "--rules", tmp_path / "rules.toml", "--out", out)
    assert "from the rules" in output
    table = pd.read_csv(out)
    assert (table["aht_s"] == 300).all()
    assert table["agents"].tolist() == requirements(forecast["mean"], 300.0, TARGETS, 15)["agents"].tolist()


def test_a_30_minute_history_is_sized_on_30_minute_intervals(tmp_path):
    calls = tmp_path / "calls.csv"
    calls.write_text("interval_start,calls,aht_s\n2026-12-01 08:00,60,300\n2026-12-01 08:30,120,300\n")
    out = tmp_path / "requirement.csv"
    _staffing("--calls", calls, "--out", out)
    assert pd.read_csv(out)["load_erlangs"].tolist() == [10.0, 20.0]  # 60 calls × 300 s in 1,800 s


def test_erlang_a_model_meets_the_targets_with_abandonment(tmp_path):
    calls, rules = _files(tmp_path, RULES + "patience_s = 60\n")
    out = tmp_path / "a.csv"
    output = _staffing("--calls", calls, "--rules", rules, "--out", out, "--model", "erlang_a")
    table = pd.read_csv(out)
    assert (table["service_level_a"].iloc[1:] >= 0.9).all()
    assert "Erlang A" in output


def _refusal(tmp_path, name: str, text: str) -> str:
    """What `shiftcast staffing` says of a bad calls file: exit status 2 and nothing written."""
    (tmp_path / name).write_text(text)
    result = CliRunner().invoke(main, ["staffing", "--calls", str(tmp_path / name), "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 2 and not (tmp_path / "r.csv").exists()
    return result.output


def test_bad_calls_file_names_row_and_column(tmp_path):
    output = _refusal(tmp_path, "calls.csv", "interval_start,calls\n2026-12-01 08:00:00,5\n2026-12-01 08:15:00,-3\n")
    assert "calls.csv" in output and "column 'calls'" in output and "row 3" in output


def test_bad_forecast_file_names_row_and_column(tmp_path):
    output = _refusal(tmp_path, "forecast.csv",
                      "interval_start,mean,lower,upper\n2026-12-01 08:00:00,5,4,6\n2026-12-01 08:15:00,lots,4,6\n")
    assert "forecast.csv" in output and "column 'mean'" in output and "row 3" in output
    output = _refusal(tmp_path, "mixed.csv", "interval_start,calls,mean\n2026-12-01 08:00:00,5,4\n")
    assert "mixed.csv" in output and "'mean'" in output and "give one of them" in output
