"""The headcount CLI and the what-if scenarios: ad plans derived from the month's plan, files written."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from forecasting.data import load_ads
from shiftcast.scenarios import more_airings, roll_plan, with_channel
from shiftcast.steps import month_requirement
from cli import main
from core.rules import DEFAULT_RULES

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
RULES = DEFAULT_RULES


@pytest.fixture(scope="module")
def plan():
    return load_ads(SAMPLE / "ads_plan_2026-12.csv")


def test_more_airings_copies_the_plan_inside_the_month_and_open_hours(plan):
    more = more_airings(plan, 0.3, RULES, seed=3)
    assert len(more) == len(plan) + round(0.3 * len(plan))
    assert more["start"].is_monotonic_increasing
    assert (more["start"].dt.to_period("M") == pd.Period("2026-12", "M")).all()
    minute = more["start"].dt.hour * 60 + more["start"].dt.minute
    assert (minute >= RULES.open_minute).all() and (minute + more["duration_s"] / 60 <= RULES.close_minute).all()
    # every original airing is still there, and the copies are the plan's own airings
    key = ["start", "channel", "product", "duration_s"]
    assert len(plan.merge(more, on=key)) >= len(plan)
    assert set(more["product"]) == set(plan["product"])
    assert more_airings(plan, 0.3, RULES, seed=3).equals(more)


def test_a_new_channel_adds_only_airings_on_it(plan):
    out = with_channel(plan, "新频道", 0.25, RULES, seed=1)
    added = out[out["channel"] == "新频道"]
    assert len(added) == round(0.25 * len(plan))
    kept = out[out["channel"] != "新频道"].reset_index(drop=True)
    assert kept["start"].tolist() == plan.sort_values("start", kind="stable")["start"].tolist()


def test_rolled_plan_keeps_weekdays_and_times(plan):
    assert roll_plan(plan, "2026-12").sort_values("start").reset_index(drop=True)["start"].equals(
        plan.sort_values("start").reset_index(drop=True)["start"])
    jan = roll_plan(plan, "2027-01")
    assert (jan["start"].dt.to_period("M") == pd.Period("2027-01", "M")).all()
    assert jan["start"].dt.normalize().nunique() == 31
    # every January airing is a December airing on the same weekday at the same time of day
    dec = set(zip(plan["start"].dt.day_of_week, plan["start"].dt.time, plan["channel"]))
    assert set(zip(jan["start"].dt.day_of_week, jan["start"].dt.time, jan["channel"])) <= dec
    assert abs(len(jan) - len(plan)) <= len(plan) / 4


def test_month_requirement_uses_the_history_handle_time():
    idx = pd.date_range("2026-11-29 08:00", periods=4, freq="15min")
    history = pd.DataFrame({"calls": [10, 30, 5, 5], "aht_s": [300.0, 300.0, 300.0, 300.0]}, index=idx)
    calls = pd.Series(20.0, index=pd.date_range("2026-12-06 08:00", periods=4, freq="15min"))
    slow = month_requirement(calls, history, RULES)
    default = month_requirement(calls, None, RULES)
    assert (slow["aht_s"] == 300.0).all() and (default["aht_s"] == RULES.service.aht_s).all()
    assert (slow["scheduled"] >= default["scheduled"]).all() and slow["scheduled"].sum() > default["scheduled"].sum()


# --- CLI ------------------------------------------------------------------------------------------------

def test_hiring_plan_from_a_requirements_file(tmp_path):
    req = tmp_path / "req.csv"
    req.write_text("month,required\n2027-01,100\n2027-02,104\n2027-03,110\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["hiring-plan", "--requirements", str(req), "--current-staff", "100",
                                       "--attrition", "0", "--training-attrition", "0", "--ramp", "",
                                       "--training-weeks", "2", "--as-of", "2026-12-01", "--wage", "5000",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out / "hiring_plan.csv", index_col="month")
    assert plan.loc["2027-01", "hires"] == 4 and plan.loc["2027-02", "hires"] == 6  # start 2 weeks ahead
    assert plan.loc["2027-03", "effective_agents"] == 110
    assert "cost" in plan
    cohorts = pd.read_csv(out / "hiring_cohorts.csv")
    assert cohorts["start"].tolist() == ["2027-01-18", "2027-02-15"]
    assert cohorts["ready_month"].tolist() == ["2027-02", "2027-03"]
    assert "10 hires in all" in result.output


def test_hiring_plan_names_a_bad_cell(tmp_path):
    req = tmp_path / "req.csv"
    req.write_text("month,required\n2027-01,100\n2027-02,lots\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["hiring-plan", "--requirements", str(req), "--current-staff", "100", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "req.csv" in result.output and "row 3" in result.output and "required" in result.output


def test_hiring_plan_rejects_a_bad_ramp(tmp_path):
    req = tmp_path / "req.csv"
    req.write_text("month,required\n2027-01,100\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["hiring-plan", "--requirements", str(req), "--current-staff", "100", "--ramp", "fast"])
    assert result.exit_code == 2 and "--ramp" in result.output


# --- what-if and months ahead, with a stand-in forecaster ----------------------------------------------------

class AiringForecaster:
    """Calls = a flat base plus 6 calls in each interval an airing starts in and 3 in the next: enough to
    check that the what-if plumbing prices each plan, without fitting the real model."""

    def predict(self, index, ads=None):
        index = pd.DatetimeIndex(index)
        mean = pd.Series(4.0, index=index)
        if ads is not None:
            for start in ads["start"]:
                first = start.floor("15min")
                for lag, extra in ((0, 6.0), (1, 3.0)):
                    at = first + pd.Timedelta(minutes=15 * lag)
                    if at in mean.index:
                        mean[at] += extra
        return pd.DataFrame({"mean": mean, "lower": mean * 0.8, "upper": mean * 1.2})


def coverage_solver(requirement, staff, rules, leave, ads, time_limit_s):
    """Stand-in roster: everyone on the phones spread evenly over the week's intervals, capped by need."""
    from types import SimpleNamespace

    from shiftcast.exports.specimen import coverage_kpis

    on_phone = int((staff["role"] != "supervisor").sum())
    per_interval = on_phone * 6 / 7 * 0.8  # six days in seven, a fifth lost to shift shapes and lunches
    required = requirement["scheduled"].to_numpy()
    staffed = np.minimum(required, np.floor(per_interval)).astype(int)
    days = pd.date_range(requirement.index.min().normalize(), requirement.index.max().normalize())
    cov = pd.DataFrame({"required": required, "staffed": staffed, "short": required - staffed, "over": 0,
                        "airing": False}, index=requirement.index)
    return SimpleNamespace(coverage=cov, kpis=coverage_kpis(cov), status="OPTIMAL", seconds=0.0, days=days)


@pytest.mark.slow
def test_what_if_prices_each_plan_side_by_side(plan):
    from shiftcast.scenarios import what_if

    week = plan[plan["start"] < pd.Timestamp("2026-12-08")]
    scenarios = {"plan": week, "+50%": more_airings(week, 0.5, RULES, seed=2)}
    table = what_if(AiringForecaster(), "2026-12", scenarios, RULES, None, time_limit_s=1.0, max_solves=12,
                    solve=coverage_solver)
    assert list(table.index) == ["plan", "+50%"]
    assert table.loc["+50%", "airings"] == len(scenarios["+50%"])
    assert table.loc["+50%", "expected_calls"] > table.loc["plan", "expected_calls"]
    assert table.loc["+50%", "required_agents"] >= table.loc["plan", "required_agents"]
    assert (table["margin"] == 0).all()


@pytest.mark.slow
def test_what_if_gives_the_same_table_with_its_solves_in_batches(plan):
    from shiftcast.scenarios import what_if

    week = plan[plan["start"] < pd.Timestamp("2026-12-08")]
    scenarios = {"plan": week, "+50%": more_airings(week, 0.5, RULES, seed=2)}
    tables = [what_if(AiringForecaster(), "2026-12", scenarios, RULES, None, time_limit_s=1.0, max_solves=12,
                      solve=coverage_solver, at_once=width) for width in (1, 3)]
    pd.testing.assert_frame_equal(tables[1], tables[0])


def test_months_ahead_carry_the_plan_and_the_first_months_margin(plan):
    from shiftcast.scenarios import monthly_headcounts

    table = monthly_headcounts(AiringForecaster(), ["2027-01", "2027-02"], lambda m: roll_plan(plan, m), RULES, None,
                               calibration=4)
    assert list(table.index) == ["2027-01", "2027-02"]
    assert (table["required"] == np.maximum(table["estimate_agents"] + 4, table["bound_agents"])).all()
    assert (table["estimate_agents"] >= table["bound_agents"]).all()
    assert (table["expected_calls"] > 0).all()


@pytest.mark.slow
def test_headcount_and_hiring_plan_commands_on_a_requirement_file(tmp_path):
    from test_headcount import week_with_peaks  # tests/ is on the path (pytest prepend import mode)

    req, _ = week_with_peaks(1.0)
    path = tmp_path / "requirement.csv"
    req.to_csv(path, index_label="interval_start", date_format="%Y-%m-%d %H:%M:%S")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["headcount", "--requirement", str(path), "--month", "2026-12", "--time-limit", "2",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    answer = pd.read_csv(out / "headcount.csv", index_col="month").iloc[0]
    curve = pd.read_csv(out / "headcount_curve.csv", index_col="agents")
    assert curve.loc[answer["agents"], "met"]
    assert answer["verified"] in ("solve", "bound", "pinned", "open")
    if answer["verified"] == "solve":
        assert not curve.loc[answer["agents"] - 1, "met"]
    assert f"{answer['agents']} agents" in result.output

    result = CliRunner().invoke(main, ["hiring-plan", "--requirement", str(path), "--start", "2026-12", "--months", "1",
                                       "--current-staff", str(answer["agents"] - 5), "--attrition", "0",
                                       "--as-of", "2026-10-01", "--time-limit", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out / "hiring_plan.csv", index_col="month")
    assert plan.loc["2026-12", "required"] == pd.read_csv(out / "monthly_headcount.csv", index_col="month").loc["2026-12", "required"]
    assert plan["hires"].sum() >= 5 and plan.loc["2026-12", "gap"] <= 0


def test_hr_csv_files_keep_months_and_dates_short_and_user_text_formula_safe(tmp_path):
    from shiftcast.headcount_reports import write_csv

    table = pd.DataFrame({"start_by": pd.to_datetime(["2026-11-03", None]), "required": [90.0, 95.5],
                          "scenario": ["=HYPERLINK(\"http://x\")", "plan"]},
                         index=pd.PeriodIndex(["2026-12", "2027-01"], freq="M", name="month"))
    said: list[str] = []
    write_csv(table, tmp_path / "hr" / "plan.csv", said.append)
    rows = (tmp_path / "hr" / "plan.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "month,start_by,required,scenario"
    assert rows[1].startswith("2026-12,2026-11-03,90.0,")
    assert rows[2] == "2027-01,,95.5,plan"
    cell = pd.read_csv(tmp_path / "hr" / "plan.csv")["scenario"][0]
    assert cell.startswith("'=")  # a spreadsheet shows it as text, never runs it
    assert said == [f"wrote {tmp_path / 'hr' / 'plan.csv'}"]


def test_the_sample_fills_a_later_month_without_decembers_plan_and_leave_and_says_so(capsys):
    from cli.commands.headcount import _inputs

    later = _inputs({}, True, "2027-01")
    said = capsys.readouterr().out
    assert later.plan is None and later.leave is None and later.calls is not None and later.staff is not None
    assert "no plan file for 2027-01" in said and "no leave file for 2027-01" in said
    december = _inputs({}, True, "2026-12")
    assert len(december.plan) > 0 and len(december.leave) > 0 and capsys.readouterr().out == ""
