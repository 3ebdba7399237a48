"""What people see at the edges: HR files rounded for people, one note per unknown holiday year, help text
as written, counted nouns that agree with their number, and times outside pandas' range named by row."""
from __future__ import annotations

import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner

from cli import main
from core.errors import DataError
from core.periods import month_start
from core.rules import DEFAULT_RULES
from core.words import counted

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DECIMALS = re.compile(r"\.\d{2,}")  # a cell with more than one decimal


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


# --- HR files -------------------------------------------------------------------------------------------

def test_hiring_plan_csv_has_tenths_of_people_and_whole_hires(tmp_path):
    req = tmp_path / "req.csv"
    req.write_text("month,required\n2027-01,100\n2027-02,104\n2027-03,110\n2027-04,110\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _cli("hiring-plan", "--requirements", str(req), "--current-staff", "100", "--attrition", "0.03",
                  "--as-of", "2026-12-01", "--wage", "5000", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = (out / "hiring_plan.csv").read_text(encoding="utf-8")
    plan = pd.read_csv(out / "hiring_plan.csv", index_col="month")
    for column in ("required", "expected_without_hiring", "joining", "in_training", "expected_headcount",
                   "effective_agents", "gap"):
        assert not plan[column].astype(str).str.contains(DECIMALS).any(), (column, text)
    assert plan["hires"].dtype.kind == "i"
    assert plan.loc["2027-01", "expected_without_hiring"] == 97.0  # 100 × 0.97
    assert "-0.0" not in text
    cohorts = pd.read_csv(out / "hiring_cohorts.csv")
    assert not cohorts["graduates"].astype(str).str.contains(DECIMALS).any()
    assert cohorts["hires"].dtype.kind == "i"


def test_headcount_files_round_shares_calls_and_seconds(tmp_path):
    from shiftcast.headcount_reports import write_csv

    curve = pd.DataFrame({"agents": [84], "share_met": [0.967741935483871], "service_level": [0.9423685539613944],
                          "abandoned_calls": [718.0462844334531], "seconds": [5.772756301999834],
                          "gap": [-0.0290885]}).set_index("agents")
    write_csv(curve, tmp_path / "headcount_curve.csv", lambda _line: None)
    rows = (tmp_path / "headcount_curve.csv").read_text(encoding="utf-8").splitlines()
    assert rows == ["agents,share_met,service_level,abandoned_calls,seconds,gap", "84,0.968,0.942,718.0,5.8,0.0"]
    assert curve.loc[84, "share_met"] == 0.967741935483871  # the caller's table is left as it was


# --- the holiday warning -----------------------------------------------------------------------------------

class FlatForecaster:
    """Flat calls for every month it forecasts; the sample's rules do not give 2027's holidays."""

    def predict(self, index, ads=None):
        mean = pd.Series(4.0, index=pd.DatetimeIndex(index))
        return pd.DataFrame({"mean": mean, "lower": mean * 0.8, "upper": mean * 1.2})


def test_hiring_plan_says_an_unknown_holiday_year_once_in_words(tmp_path, monkeypatch):
    import cli.commands.headcount as command

    requirement = pd.DataFrame({"scheduled": [3]}, index=pd.DatetimeIndex(["2026-12-01 08:00"], name="interval_start"))
    first = SimpleNamespace(agents=20, estimate_agents=20, lower_bound_agents=18)
    monkeypatch.setattr(command, "_month_requirement", lambda *a: (requirement, FlatForecaster()))
    monkeypatch.setattr(command, "headcount_report", lambda *a, **k: first)  # no roster solves
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        result = _cli("hiring-plan", "--plan", str(SAMPLE / "ads_plan_2026-12.csv"), "--staff", str(SAMPLE / "staff.csv"),
                      "--months", "6", "--as-of", "2026-10-01", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.count("the holiday calendar does not know 2027") == 1
    assert "note: the holiday calendar does not know 2027: public holidays" in result.output
    assert not [w for w in leaked if "holiday calendar" in str(w.message)]


# --- help texts ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["headcount", "hiring-plan", "plan", "forecast"])
def test_help_shows_percent_signs_as_written(command):
    result = _cli(command, "--help")
    assert result.exit_code == 0 and "%%" not in result.output
    if command == "headcount":
        assert "30 % more airings" in " ".join(result.output.split())


# --- counted nouns -----------------------------------------------------------------------------------------------

def test_counted_nouns_agree_with_their_number():
    assert counted(1, "interval") == "1 interval"
    assert counted(0, "interval") == "0 intervals"
    assert counted(1200, "call") == "1,200 calls"
    assert counted(1, "person", "people") == "1 person" and counted(2, "person", "people") == "2 people"


def _roster(short: int, airing_windows: int = 0):
    kpis = SimpleNamespace(expected_service_level=0.9, expected_abandoned_calls=10.0, short_intervals=short,
                           shortfall_agent_intervals=4, airing_shortfall_agent_intervals=0, overstaff_agent_intervals=8,
                           paid_hours=1000.0, overtime_hours=0.0, late_shift_spread=1, weekend_rest_spread=1,
                           callbacks_expected=None)
    return SimpleNamespace(kpis=kpis, status="OPTIMAL", objective=1.0, lower_bound=1.0, gap=0.0, seconds=1.0, conflicts=[],
                           refused_requests=[], requests_made={}, quiet_days=[], notes=[])


def test_plan_says_one_interval_short_not_one_intervals():
    from shiftcast.pipeline import roster_summary_lines

    assert any(line.startswith("1 interval short by") for line in roster_summary_lines(_roster(1), DEFAULT_RULES))
    assert any(line.startswith("2 intervals short by") for line in roster_summary_lines(_roster(2), DEFAULT_RULES))


def test_hiring_report_says_one_hire(tmp_path):
    from shiftcast.headcount_reports import hiring_report

    said: list[str] = []
    plan = hiring_report(pd.Series({"2027-01": 11.0}), 10.0, tmp_path, said.append, as_of=pd.Timestamp("2026-11-01"),
                         attrition=0.0, training_attrition=0.0, ramp=())
    assert plan.total_hires == 1
    assert any(line.startswith("1 hire in all;") for line in said), said


# --- times outside pandas' range ------------------------------------------------------------------------------

_STAFF = "employee_id,name,role,group,team\nE1,Li,agent,g1,t1\nE2,Wang,group_leader,g1,t1\n"


@pytest.mark.parametrize("far", ["9999-01-01", "0001-01-01"])
@pytest.mark.parametrize("option,name,text,column", [
    ("--calls", "calls.csv", "interval_start,calls\n2026-12-01 08:00,3\n{far} 08:15,4\n", "interval_start"),
    ("--records", "records.csv", "arrived_at\n2026-12-01 08:00:10\n{far} 08:01:00\n", "arrived_at"),
    ("--records", "records.csv", "arrived_at,ended_at\n2026-12-01 08:00:10,2026-12-01 08:03:00\n"
                                 "2026-12-01 08:01:00,{far} 08:05:00\n", "ended_at"),
    ("--ads", "ads.csv", "start,duration_s,channel,product\n2026-12-01 09:00,60,c,p\n{far} 09:30,60,c,p\n", "start"),
    ("--leave", "leave.csv", "employee_id,date,kind\nE1,2026-12-02,leave\nE1,{far},leave\n", "date"),
])
def test_a_date_outside_pandas_range_is_named_by_file_row_and_column(tmp_path, far, option, name, text, column):
    path = tmp_path / name
    path.write_text(text.format(far=far), encoding="utf-8")
    staff = tmp_path / "staff.csv"
    staff.write_text(_STAFF, encoding="utf-8")
    extra = ["--staff", str(staff)] if option == "--leave" else []
    result = _cli("validate", option, str(path), *extra)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{name}, row 3, column '{column}'" in result.output
    assert "between 1678 and 2261" in result.output and far in result.output


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_month_outside_pandas_range_is_an_input_error(month):
    with pytest.raises(DataError, match="between 1678 and 2261"):
        month_start(month)


@pytest.mark.parametrize("command", ["plan", "forecast", "headcount", "hiring-plan"])
def test_commands_refuse_a_month_outside_pandas_range_without_a_traceback(tmp_path, command):
    lines = (SAMPLE / "calls.csv").read_text(encoding="utf-8").splitlines()
    calls = tmp_path / "calls.csv"
    calls.write_text("\n".join([lines[0], *lines[-600:]]) + "\n", encoding="utf-8")  # the last two weeks
    option = "--start" if command == "hiring-plan" else "--month"
    result = _cli(command, "--calls", str(calls), option, "9999-12", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "month" in result.output and "between 1678 and 2261" in result.output and "'9999-12'" in result.output
