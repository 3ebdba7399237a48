"""The day's report and lost calls by cause: a decomposition small enough to check by hand, December's sample
(the 15th's absence morning, 家有购物's over-delivering airings), what is missing said in words, bad inputs, and
`shiftcast report`."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from cli import main
from core.errors import DataError
from core.rules import DEFAULT_RULES
from forecasting.data import load_calls
from scheduler.clock import load_clock
from scheduler.lost_calls import CAUSE_KEYS, erlang_a_lost, lost_calls_by_cause
from scheduler.roster import load_assignments
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.report import report_lines, report_period
from shiftcast.steps import report_step

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DAY = "2026-12-15"
# A shorter history fits in a fraction of the time and still learns the airings' response.
HISTORY_FROM = "2026-03-01"
TARGETS = DEFAULT_RULES.service
MANY = 500  # agents enough that Erlang A loses nothing


def _interval(calls, abandoned, on_phones, rostered, needed, upper, airing=False):
    return {"calls": calls, "abandoned": abandoned, "aht_s": 240.0, "upper": upper, "on_phones": on_phones,
            "rostered": rostered, "needed": needed, "airing": airing}


def test_each_cause_by_hand():
    # With no one on the phones every caller is lost (L(0, c) = c), with MANY none: each interval isolates causes.
    frame = pd.DataFrame([
        _interval(10, 10, on_phones=0, rostered=MANY, needed=MANY, upper=100),  # all absence
        _interval(10, 10, on_phones=0, rostered=0, needed=MANY, upper=100),  # all the roster short
        _interval(20, 20, on_phones=0, rostered=0, needed=0, upper=12, airing=True),  # 8 above forecast, 12 burst
        _interval(20, 10, on_phones=0, rostered=0, needed=0, upper=12),  # half of 8 and 12: 4 above, 6 within
        _interval(10, 3, on_phones=MANY, rostered=MANY, needed=MANY, upper=100),  # the model loses none: chance
    ], index=pd.date_range("2026-12-01 08:00", periods=5, freq="15min"))
    lost = lost_calls_by_cause(frame, TARGETS, 15)
    expected = pd.DataFrame([
        {"absence": 10, "roster_short": 0, "above_forecast": 0, "airing_burst": 0, "within_target": 0, "not_explained": 0},
        {"absence": 0, "roster_short": 10, "above_forecast": 0, "airing_burst": 0, "within_target": 0, "not_explained": 0},
        {"absence": 0, "roster_short": 0, "above_forecast": 8, "airing_burst": 12, "within_target": 0, "not_explained": 0},
        {"absence": 0, "roster_short": 0, "above_forecast": 4, "airing_burst": 0, "within_target": 6, "not_explained": 0},
        {"absence": 0, "roster_short": 0, "above_forecast": 0, "airing_burst": 0, "within_target": 0, "not_explained": 3},
    ], index=frame.index, dtype=float)
    pd.testing.assert_frame_equal(lost[list(CAUSE_KEYS)], expected, atol=1e-6)


def test_the_causes_share_the_lost_calls_in_the_models_proportions():
    frame = pd.DataFrame([_interval(60, 9, on_phones=12, rostered=16, needed=18, upper=50, airing=True)],
                         index=pd.DatetimeIndex(["2026-12-01 09:00"]))
    lost = lost_calls_by_cause(frame, TARGETS, 15).iloc[0]

    def at(calls, agents):
        return float(erlang_a_lost(calls, agents, 240.0, TARGETS, 15)[()])

    steps = [at(60, 12), at(60, 16), at(60, 18), at(50, 18)]
    scale = 9 / steps[0]
    assert lost["modelled"] == pytest.approx(steps[0])
    assert lost["absence"] == pytest.approx((steps[0] - steps[1]) * scale)
    assert lost["roster_short"] == pytest.approx((steps[1] - steps[2]) * scale)
    assert lost["above_forecast"] == pytest.approx((steps[2] - steps[3]) * scale)
    assert lost["airing_burst"] == pytest.approx(steps[3] * scale)
    assert lost[list(CAUSE_KEYS)].sum() == pytest.approx(9)


@pytest.fixture(scope="module")
def sample():
    inputs = load_inputs(InputPaths(calls=SAMPLE / "calls.csv", ads=SAMPLE / "ads_history.csv",
                                    plan=SAMPLE / "ads_plan_2026-12.csv", staff=SAMPLE / "staff.csv",
                                    rules=SAMPLE / "rules.toml"))
    history = inputs.calls[inputs.calls.index >= HISTORY_FROM]
    history.attrs = dict(inputs.calls.attrs)
    inputs = replace(inputs, calls=history)
    roster = load_assignments(SAMPLE / "roster_2026-12.csv", inputs.rules)
    return {"inputs": inputs, "actuals": load_calls(SAMPLE / "actuals_2026-12.csv"), "roster": roster,
            "clock": load_clock(SAMPLE / "clock_2026-12.csv", inputs.staff)}


@pytest.fixture(scope="module")
def absence_day(sample):
    return report_step(sample["inputs"], report_period("day", DAY), sample["actuals"], roster=sample["roster"],
                       clock=sample["clock"])


def test_the_day_counts_what_the_actuals_hold(absence_day):
    raw = pd.read_csv(SAMPLE / "actuals_2026-12.csv", parse_dates=["interval_start"])
    day = raw[raw["interval_start"].dt.strftime("%Y-%m-%d") == DAY]
    t = absence_day.totals
    assert (t.calls, t.answered, t.abandoned) == (day["calls"].sum(), day["answered"].sum(), day["abandoned"].sum())
    assert len(absence_day.intervals) == len(day)
    assert 0 < t.service_level < 1 and t.asa_s > 0
    assert absence_day.notes == []


def test_the_people_on_the_phones_are_the_truths(absence_day):
    truth = pd.read_csv(SAMPLE / "truth_actuals_2026-12.csv", parse_dates=["interval_start"]).set_index("interval_start")
    truth = truth.loc[absence_day.intervals.index]
    assert (absence_day.intervals["rostered"] == truth["agents_rostered"]).all()
    assert (absence_day.intervals["on_phones"] == truth["agents_on_phones"]).all()


def test_the_absence_morning_is_the_biggest_cause_before_ten(absence_day):
    lost = absence_day.lost
    pd.testing.assert_series_equal(lost[list(CAUSE_KEYS)].sum(axis=1), absence_day.intervals["abandoned"],
                                   check_names=False)
    morning = lost.between_time("08:00", "09:45")[list(CAUSE_KEYS)].sum()
    assert morning.idxmax() == "absence"
    assert morning["absence"] > 0.4 * absence_day.totals.abandoned
    assert absence_day.lost_by_hour.index[0] in ("08:00", "09:00")
    lines = report_lines(absence_day)
    assert any(line.startswith("lost calls peak at 09:00") and "mostly fewer on the phones than rostered" in line
               for line in lines)


def test_the_over_delivering_channel_brings_more_than_predicted(sample):
    month = report_step(sample["inputs"], report_period("month", "2026-12"), sample["actuals"],
                        roster=sample["roster"], clock=sample["clock"])
    channels = month.channels
    assert channels["ratio"].idxmax() == "家有购物"
    assert channels.loc["家有购物", "actual"] > 1.3 * channels.loc["家有购物", "predicted"]
    assert set(channels.index) == set(month.airings["channel"])
    assert len(month.days) == 31 and len(month.by_day) == 31
    assert month.lost_by_cause.sum() == pytest.approx(month.totals.abandoned)


def test_a_day_without_actuals_is_an_error_naming_the_file(sample):
    with pytest.raises(DataError, match=r"actuals_2026-12.csv.*no calls for day 2026-11-15"):
        report_step(sample["inputs"], report_period("day", "2026-11-15"), sample["actuals"], roster=sample["roster"])


def test_actuals_on_another_grid_are_an_error_naming_both(sample):
    day = sample["actuals"][sample["actuals"].index.strftime("%Y-%m-%d") == DAY]
    coarse = day.groupby(day.index.floor("30min")).sum()
    coarse.attrs = {"source": "half_hours.csv", "interval_minutes": 30}
    with pytest.raises(DataError, match=r"half_hours.csv.*30-minute grid.*15-minute"):
        report_step(sample["inputs"], report_period("day", DAY), coarse)


def test_without_roster_or_clock_the_report_says_what_it_left_out(sample):
    inputs, actuals = sample["inputs"], sample["actuals"]
    bare = report_step(inputs, report_period("day", DAY), actuals)
    assert bare.lost is None and bare.intervals["service_level"].isna().all()
    assert any("no roster given" in n for n in bare.notes)
    assert "note: no roster given" in "\n".join(report_lines(bare))
    unclocked = report_step(inputs, report_period("day", DAY), actuals, roster=sample["roster"])
    assert any("no clock records given" in n for n in unclocked.notes)
    assert unclocked.lost["absence"].sum() == 0
    other_days = sample["roster"][sample["roster"]["date"] != pd.Timestamp(DAY)]
    other_days.attrs = dict(sample["roster"].attrs)
    missing = report_step(inputs, report_period("day", DAY), actuals, roster=other_days, clock=sample["clock"])
    assert any(f"has no rows for {DAY}" in n for n in missing.notes) and missing.lost is None


def test_a_week_leaves_out_days_without_actuals_and_says_so(sample):
    some = sample["actuals"][sample["actuals"].index < "2026-12-03"]
    some.attrs = dict(sample["actuals"].attrs)
    week = report_step(sample["inputs"], report_period("week", "2026-12-01"), some, roster=sample["roster"],
                       clock=sample["clock"])
    assert week.period.name == "2026-W49" and [d.isoformat() for d in week.days] == ["2026-12-01", "2026-12-02"]
    assert any("no actuals for 5 days of the week (11-30, 12-03" in n for n in week.notes)


@pytest.mark.parametrize("kind, value, message", [
    ("day", "2026-12-32", "--day: expected a day like 2026-12-15"),
    ("week", "2026-W60", "--week: expected an ISO week like 2026-W51"),
    ("month", "2026-13", "expected a month like 2026-12"),
])
def test_a_bad_period_is_named(kind, value, message):
    with pytest.raises(DataError, match=message):
        report_period(kind, value)


def _sample_args():
    return ["--calls", str(SAMPLE / "calls.csv"), "--ads", str(SAMPLE / "ads_history.csv"),
            "--plan", str(SAMPLE / "ads_plan_2026-12.csv"), "--staff", str(SAMPLE / "staff.csv"),
            "--rules", str(SAMPLE / "rules.toml"), "--actuals", str(SAMPLE / "actuals_2026-12.csv")]


def test_cli_prints_the_day_and_writes_one_sheet_per_part(tmp_path):
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, ["report", "--day", DAY, *_sample_args(),
                                       "--roster", str(SAMPLE / "roster_2026-12.csv"),
                                       "--clock", str(SAMPLE / "clock_2026-12.csv"), "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"report day {DAY}")
    assert "lost calls by cause" in result.output and "家有购物" in result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Report", "Intervals", "Days", "Airings", "Forecast accuracy", "Lost calls by cause"]
    words = [row[0] for row in book["Report"].iter_rows(min_row=3, values_only=True)]
    assert words == result.output.splitlines()[:-1]
    intervals = book["Intervals"]
    assert intervals.max_row == 3 + 40 and intervals.cell(3, 1).value == "Interval start"
    assert all(ws.print_area for ws in book)


def test_cli_bad_inputs_are_one_line(tmp_path):
    both = CliRunner().invoke(main, ["report", "--day", DAY, "--week", "2026-W51", *_sample_args()])
    assert both.exit_code == 2 and "give one of --day, --week, --month or --morning" in both.output
    bad = CliRunner().invoke(main, ["report", "--day", "15.12.2026", *_sample_args()])
    assert bad.exit_code == 2 and "error: --day: expected a day like 2026-12-15, got '15.12.2026'" in bad.output
    outside = tmp_path / "night.csv"
    outside.write_text("interval_start,calls\n2026-12-15 19:00:00,5\n2026-12-15 19:15:00,4\n")
    night = CliRunner().invoke(main, ["report", "--day", DAY, *_sample_args()[:-1], str(outside)])
    assert night.exit_code == 2
    assert "night.csv, column 'interval_start': the interval 2026-12-15 19:00 lies outside the open hours" in night.output


def test_the_morning_sheet_of_the_day_after_the_absences(sample):
    from shiftcast.morning import PEAKS, morning_lines
    from shiftcast.steps import morning_step

    sheet = morning_step(sample["inputs"], "2026-12-16", sample["actuals"], sample["roster"], clock=sample["clock"])
    raw = pd.read_csv(SAMPLE / "actuals_2026-12.csv")
    assert sheet.yesterday.totals.abandoned == raw.loc[raw["interval_start"].str.startswith(DAY), "abandoned"].sum()
    plan = pd.read_csv(SAMPLE / "ads_plan_2026-12.csv")
    assert list(sheet.airings["product"]) == list(plan.loc[plan["start"].str.startswith("2026-12-16"), "product"])
    assert (sheet.airings["predicted"] > 0).all()
    roster = sample["roster"]
    on = roster[(roster["date"] == pd.Timestamp("2026-12-16")) & roster["shift"].isin(["E", "L"])]
    assert sorted(sheet.shifts["employee_id"]) == sorted(on["employee_id"])
    assert list(sheet.shifts["shift"]) == sorted(sheet.shifts["shift"], key=["E", "L"].index)
    assert len(sheet.peaks) == PEAKS and sheet.peaks["calls"].is_monotonic_decreasing
    lines = morning_lines(sheet)
    assert lines[0] == "morning meeting 2026-12-16 (Wednesday)" and "yesterday:" in lines
    assert any(line.startswith("expected peaks: ") for line in lines)

    no_yesterday = sample["actuals"][sample["actuals"].index.normalize() != pd.Timestamp(DAY)]
    no_yesterday.attrs = dict(sample["actuals"].attrs)
    sheet = morning_step(sample["inputs"], "2026-12-16", no_yesterday, sample["roster"])
    assert sheet.yesterday is None and f"no actuals for {DAY}: yesterday's numbers are left out" in sheet.notes
    with pytest.raises(DataError, match=r"roster_2026-12.csv.*puts no one on a shift on 2027-01-05"):
        morning_step(sample["inputs"], "2027-01-05", sample["actuals"], sample["roster"])


def test_cli_morning_sheet_is_one_printable_page(tmp_path):
    out = tmp_path / "morning.xlsx"
    roster = ["--roster", str(SAMPLE / "roster_2026-12.csv")]
    result = CliRunner().invoke(main, ["report", "--morning", "2026-12-16", *_sample_args(), *roster,
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("morning meeting 2026-12-16") and "on shift today:" in result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["晨会"]
    ws = book["晨会"]
    assert ws["A1"].value == "2026-12-16 晨会" and ws.print_area
    # Fitted to one page: one page wide and (Excel's default when fitting) one tall.
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight in (None, 1)
    missing = CliRunner().invoke(main, ["report", "--morning", "2026-12-16", *_sample_args()])
    assert missing.exit_code == 2 and "--morning needs --roster" in missing.output
