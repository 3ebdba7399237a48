"""`shiftcast staffing` through click's runner."""
from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from scheduler.staffing import COLUMNS, requirements
from cli import main
from core.rules import ServiceTargets

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


def _files(tmp_path, rules=RULES):
    (tmp_path / "calls.csv").write_text(CALLS)
    (tmp_path / "rules.toml").write_text(rules)
    return str(tmp_path / "calls.csv"), str(tmp_path / "rules.toml")


def test_writes_the_requirement_csv(tmp_path):
    calls, rules = _files(tmp_path)
    out = tmp_path / "out" / "requirement.csv"
    result = CliRunner().invoke(main, ["staffing", "--calls", calls, "--rules", rules, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 intervals" in result.output
    table = pd.read_csv(out, parse_dates=["interval_start"], index_col="interval_start")
    assert list(table.columns) == list(COLUMNS)
    assert table.index[1] == pd.Timestamp("2026-12-01 08:15")
    # The file's AHT where measured, the rules' AHT (300 s) where blank; the rules' targets.
    targets = ServiceTargets(service_level=0.9, answer_within_s=15, max_occupancy=0.8, shrinkage=0.25, aht_s=300)
    want = requirements(pd.Series([0.0, 50, 200, 96]), pd.Series([300.0, 200, 300, 180]), targets, 15)
    assert table["agents"].tolist() == want["agents"].tolist()
    assert table["scheduled"].tolist() == want["scheduled"].tolist()
    assert table["agents"].iloc[0] == 0
    assert (table["service_level"].iloc[1:] >= 0.9).all()


def test_erlang_a_model_meets_the_targets_with_abandonment(tmp_path):
    calls, rules = _files(tmp_path, RULES + "patience_s = 60\n")
    out = tmp_path / "a.csv"
    ok = CliRunner().invoke(main, ["staffing", "--calls", calls, "--rules", rules, "--out", str(out), "--model", "erlang_a"])
    assert ok.exit_code == 0, ok.output
    table = pd.read_csv(out)
    assert (table["service_level_a"].iloc[1:] >= 0.9).all()
    assert "Erlang A" in ok.output


def test_bad_calls_file_names_row_and_column(tmp_path):
    bad = tmp_path / "calls.csv"
    bad.write_text("interval_start,calls\n2026-12-01 08:00:00,5\n2026-12-01 08:15:00,-3\n")
    result = CliRunner().invoke(main, ["staffing", "--calls", str(bad), "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert "calls" in result.output and "calls.csv" in result.output
    assert not (tmp_path / "r.csv").exists()
