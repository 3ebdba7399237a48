"""Time in one place (core.times): every datetime64 unit gives the same answer at every public entry point,
and time-zone-aware times are refused naming the source and column."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import tables, times
from core.errors import DataError
from core.periods import month_days, month_intervals, open_intervals
from core.rules import DEFAULT_RULES
from forecasting import CallVolumeForecaster, backtest, forecast_month
from forecasting import holidays as hol
from forecasting.baseline import SF_PARTS, spring_festival_parts
from forecasting.data import aggregate_call_records, load_ads, load_call_records, load_calls
from forecasting.synthetic import World
from scheduler.data import load_leave, load_staff
from scheduler.roster import solve
from scheduler.roster_synthetic import synthetic_month
from scheduler.staffing import requirements
from shiftcast.inputs import Inputs
from shiftcast.steps import forecast_step, requirement_step, roster_step

UNITS = ("s", "ms", "us", "ns")
CANONICAL = f"datetime64[{times.UNIT}]"
ZONE = "Asia/Shanghai"


def in_unit(obj, unit: str, column: str | None = None):
    """A copy of a DatetimeIndex, or of a Series / DataFrame with its index (or `column`) in `unit`."""
    if isinstance(obj, pd.DatetimeIndex):
        return obj.as_unit(unit)
    out = obj.copy()
    if column is None:
        out.index = out.index.as_unit(unit)
    else:
        out[column] = out[column].dt.as_unit(unit)
    return out


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- core.times ---------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", UNITS)
def test_local_index_brings_every_unit_to_one(unit):
    index = pd.date_range("2026-12-01 08:00", periods=5, freq="15min", name="interval_start")
    local = times.local_index(index.as_unit(unit), "calls", "interval_start")
    assert local.dtype == CANONICAL and local.name == "interval_start" and local.equals(index)


def _truncated(moment: dt.datetime, unit: str) -> dt.datetime:
    keep = {"s": 0, "ms": 1000, "us": 1, "ns": 1}[unit]
    return moment.replace(microsecond=0 if not keep else moment.microsecond // keep * keep)


@settings(max_examples=200, deadline=None)
@given(moment=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31)),
       unit=st.sampled_from(UNITS))
def test_day_and_minute_arithmetic_is_unit_free(moment, unit):
    moment = _truncated(moment, unit)
    values = np.array([np.datetime64(moment, unit)])
    since = moment - dt.datetime(1970, 1, 1)
    assert times.epoch_days(values)[0] == (moment.date() - dt.date(1970, 1, 1)).days
    assert times.epoch_minutes(values)[0] == since // dt.timedelta(minutes=1)
    assert times.epoch_minutes(values, exact=True)[0] == pytest.approx((since // dt.timedelta(seconds=1)) / 60)
    assert times.minute_of_day(values)[0] == moment.hour * 60 + moment.minute
    for grid in (15, 30, 60):
        stray = moment.second or moment.microsecond or moment.minute % grid
        assert times.off_grid(values, grid)[0] == bool(stray)


@settings(max_examples=100, deadline=None)
@given(grid=st.sampled_from((15, 30, 60)), slots=st.sets(st.integers(0, 200), min_size=2, max_size=40))
def test_grid_is_inferred_alike_in_every_unit(grid, slots):
    minutes = [slot * grid for slot in sorted(slots)]
    step = min(b - a for a, b in zip(minutes, minutes[1:]))
    expected = max(m for m in (15, 30, 60) if m <= step and all(x % m == 0 for x in minutes))
    starts = pd.Timestamp("2026-12-01") + pd.to_timedelta(minutes, unit="min")
    assert {times.grid_minutes(pd.DatetimeIndex(starts).as_unit(unit)) for unit in UNITS} == {expected}


@pytest.mark.parametrize("value", [
    pd.date_range("2026-12-01 08:00", periods=3, freq="15min", tz=ZONE),
    [pd.Timestamp("2026-12-01 08:00", tz="UTC"), pd.Timestamp("2026-12-01 08:00", tz=ZONE)],
])
def test_time_zone_aware_times_are_refused_naming_the_column(value):
    with pytest.raises(DataError, match="time zone") as err:
        times.local_index(value, "calls.csv", "interval_start")
    assert err.value.file == "calls.csv" and err.value.column == "interval_start"


def test_numbers_are_not_taken_for_times():
    with pytest.raises(DataError, match="got numbers"):
        times.local_index([1_796_083_200, 1_796_084_100], "calls", "interval_start")


def test_times_outside_the_units_range_are_refused():
    far = np.array(["2300-01-01T08:00"], dtype="datetime64[s]")
    with pytest.raises(DataError, match="between 1678 and 2261"):
        times.local_index(far, "plan", "start")


# --- loaders ------------------------------------------------------------------------------------

STAMP_TEXT = {"s": "{:%Y-%m-%d %H:%M:%S}", "ms": "{:%Y-%m-%d %H:%M:%S}.000", "us": "{:%Y-%m-%d %H:%M:%S.%f}",
              "ns": "{:%Y-%m-%d %H:%M:%S.%f}000"}


@pytest.fixture
def parsed_in(monkeypatch):
    """Make pandas parse date-times to a given unit (pandas 3 gives us, pandas 2 ns): the loaders must not care."""
    original = pd.to_datetime

    def use(unit: str) -> None:
        def to_datetime(*args, **kwargs):
            out = original(*args, **kwargs)
            return out.dt.as_unit(unit) if isinstance(out, pd.Series) else out.as_unit(unit)
        monkeypatch.setattr(pd, "to_datetime", to_datetime)
    return use


def _stamps(unit: str, moments) -> list[str]:
    return [STAMP_TEXT[unit].format(t) for t in moments]


@pytest.fixture(scope="module")
def reference_loads(tmp_path_factory):
    return {"calls": _load_calls("ns", tmp_path_factory.mktemp("ref")),
            "ads": _load_ads("ns", tmp_path_factory.mktemp("ref")),
            "records": _load_records("ns", tmp_path_factory.mktemp("ref")),
            "leave": _load_leave(tmp_path_factory.mktemp("ref"))}


def _load_calls(unit: str, tmp_path: Path) -> pd.DataFrame:
    starts = pd.date_range("2026-12-01 08:00", periods=6, freq="30min")
    body = "".join(f"{s},{i}\n" for i, s in enumerate(_stamps(unit, starts)))
    return load_calls(write(tmp_path, "calls.csv", "interval_start,calls\n" + body))


def _load_ads(unit: str, tmp_path: Path) -> pd.DataFrame:
    starts = pd.to_datetime(["2026-12-01 09:30:15", "2026-12-01 08:05:00"])
    body = "".join(f"{s},60,CCTV-2,pan\n" for s in _stamps(unit, starts))
    return load_ads(write(tmp_path, "ads.csv", "start,duration_s,channel,product\n" + body))


def _load_records(unit: str, tmp_path: Path) -> pd.DataFrame:
    arrived = pd.to_datetime(["2026-12-01 08:01:00", "2026-12-01 08:10:00", "2026-12-01 08:20:00"])
    answered = _stamps(unit, arrived + pd.Timedelta(seconds=30))
    ended = _stamps(unit, arrived + pd.Timedelta(minutes=3))
    body = "".join(f"{a},{b},{c}\n" for a, b, c in zip(_stamps(unit, arrived), ["", *answered[1:]], ended))
    return load_call_records(write(tmp_path, "records.csv", "arrived_at,answered_at,ended_at\n" + body))


def _load_leave(tmp_path: Path) -> pd.DataFrame:
    staff = load_staff(write(tmp_path, "staff.csv", "employee_id,name,role,group,team\nA1,Zhang,agent,G1,T1\n"))
    return load_leave(write(tmp_path, "leave.csv", "employee_id,date,kind\nA1,2026-12-03,leave\nA1,2026-12-05,rest_request\n"),
                      staff)


@pytest.mark.parametrize("unit", UNITS)
def test_loaders_hand_on_one_unit_whatever_pandas_parses_to(unit, tmp_path, parsed_in, reference_loads):
    parsed_in(unit)
    calls = _load_calls(unit, tmp_path)
    assert calls.index.dtype == CANONICAL and calls.attrs["interval_minutes"] == 30
    pd.testing.assert_frame_equal(calls, reference_loads["calls"], check_exact=True)
    ads = _load_ads(unit, tmp_path)
    assert ads["start"].dtype == CANONICAL
    pd.testing.assert_frame_equal(ads, reference_loads["ads"], check_exact=True)
    records = _load_records(unit, tmp_path)
    assert (records[["arrived_at", "answered_at", "ended_at"]].dtypes == CANONICAL).all()
    pd.testing.assert_frame_equal(records, reference_loads["records"], check_exact=True)
    leave = _load_leave(tmp_path)
    assert leave["date"].dtype == CANONICAL
    pd.testing.assert_frame_equal(leave, reference_loads["leave"], check_exact=True)


@pytest.mark.parametrize("unit", UNITS)
def test_core_tables_parse_to_one_unit(unit, parsed_in):
    parsed_in(unit)
    frame = pd.DataFrame({"t": ["2026-12-01 08:15", "", "2026-12-01 09:00:30"], "d": ["2026-12-01"] * 3})
    got = tables.datetimes(frame, "t", allow_empty=True)
    assert got.dtype == CANONICAL and got.isna().tolist() == [False, True, False]
    assert got.iloc[2] == pd.Timestamp("2026-12-01 09:00:30")
    assert tables.dates(frame, "d").dtype == CANONICAL


@pytest.mark.parametrize("unit", UNITS)
def test_call_records_aggregate_alike_in_every_unit(unit):
    arrived = pd.Series(pd.to_datetime(["2026-12-01 08:01:10", "2026-12-01 08:14:59", "2026-12-01 08:20:00"]))
    records = pd.DataFrame({"arrived_at": arrived.dt.as_unit(unit), "outcome": ["answered", "abandoned", "answered"],
                            "handle_s": [100.0, np.nan, 300.0]})
    counts = aggregate_call_records(records, 15)
    assert counts.index.dtype == CANONICAL
    assert counts.index.tolist() == [pd.Timestamp("2026-12-01 08:00"), pd.Timestamp("2026-12-01 08:15")]
    assert counts["calls"].tolist() == [2, 1] and counts["aht_s"].tolist() == [100.0, 300.0]


@pytest.mark.parametrize("file, text, column", [
    ("calls.csv", "interval_start,calls\n2026-12-01 08:00,3\n2026-12-01 08:15+08:00,3\n", "interval_start"),
    ("ads.csv", "start,duration_s,channel,product\n2026-12-01 09:00:00,60,TV,pan\n2026-12-01T09:30:00Z,60,TV,pan\n", "start"),
    ("records.csv", "arrived_at,answered_at\n2026-12-01 08:00:00,\n2026-12-01 08:01:00,2026-12-01 08:01:30+0800\n",
     "answered_at"),
])
def test_a_time_zone_offset_in_a_file_names_row_and_column(tmp_path, file, text, column):
    loader = {"calls.csv": load_calls, "ads.csv": load_ads, "records.csv": load_call_records}[file]
    with pytest.raises(DataError, match="without a time-zone offset") as err:
        loader(write(tmp_path, file, text))
    assert (err.value.file, err.value.row, err.value.column) == (file, 3, column)


def test_a_leave_date_with_a_zone_names_row_and_column(tmp_path):
    staff = load_staff(write(tmp_path, "staff.csv", "employee_id,name,role,group,team\nA1,Zhang,agent,G1,T1\n"))
    path = write(tmp_path, "leave.csv", "employee_id,date,kind\nA1,2026-12-03T00:00+08:00,leave\n")
    with pytest.raises(DataError, match="a date like 2026-12-01") as err:
        load_leave(path, staff)
    assert (err.value.file, err.value.row, err.value.column) == ("leave.csv", 2, "date")


# --- the forecaster -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def festival():
    """Eight weeks of calls and airings around the 2026 Spring Festival (days off 15-23 February)."""
    calls, ads, _ = World(start="2026-01-12", days=56, airings_per_day=3, seed=31).draw()
    calls = calls.set_axis(calls.index.as_unit("ns"))
    ads["start"] = ads["start"].dt.as_unit("ns")
    plan = ads[ads["start"] >= pd.Timestamp("2026-02-01")].reset_index(drop=True)
    model = CallVolumeForecaster().fit(calls, ads)
    target = calls.index[calls.index >= pd.Timestamp("2026-02-08")]
    return calls, ads, plan, model, model.predict(target, plan), target


def _festival_masks(index: pd.DatetimeIndex) -> list[np.ndarray]:
    """SF_PARTS by plain calendar-date arithmetic: 15-17 February, 8-14 February, 24 February - 2 March."""
    day = np.array([t.date() for t in index])
    first3 = (day >= dt.date(2026, 2, 15)) & (day <= dt.date(2026, 2, 17))
    before = (day >= dt.date(2026, 2, 8)) & (day <= dt.date(2026, 2, 14))
    after = (day >= dt.date(2026, 2, 24)) & (day <= dt.date(2026, 3, 2))
    return [first3, before, after]


@pytest.mark.parametrize("unit", UNITS)
def test_spring_festival_days_are_found_in_every_unit(unit, festival):
    calls = festival[0]
    index = calls.index.as_unit(unit)
    kind, name, _ = hol.day_kind_arrays(index, hol.calendar_days(index))
    got = spring_festival_parts(index, kind, name)
    for part, mask, expected in zip(SF_PARTS, got, _festival_masks(index)):
        assert np.array_equal(mask, expected), part
        assert expected.any(), part


@pytest.mark.parametrize("unit", UNITS)
def test_fit_and_predict_give_identical_forecasts_in_every_unit(unit, festival):
    calls, ads, plan, reference, expected, target = festival
    model = CallVolumeForecaster().fit(in_unit(calls, unit), in_unit(ads, unit, "start"))
    assert [n for n in model.design_.names if n.startswith("spring_festival")] == [f"spring_festival[{p}]" for p in SF_PARTS]
    pd.testing.assert_frame_equal(model.coefficients(), reference.coefficients(), check_exact=True)
    forecast = model.predict(target.as_unit(unit), in_unit(plan, unit, "start"))
    assert forecast.index.dtype == CANONICAL
    pd.testing.assert_frame_equal(forecast, expected, check_exact=True)


@pytest.mark.parametrize("unit", UNITS)
def test_forecast_month_identical_in_every_unit(unit, festival):
    calls, ads, plan, _, _, _ = festival
    _, expected = forecast_month(calls, ads, plan, "2026-02")
    _, table = forecast_month(in_unit(calls, unit), in_unit(ads, unit, "start"), in_unit(plan, unit, "start"), "2026-02")
    assert table.index.dtype == CANONICAL and len(table) == 28 * DEFAULT_RULES.intervals_per_day
    pd.testing.assert_frame_equal(table, expected, check_exact=True)


@pytest.mark.slow
def test_backtest_identical_in_every_unit(festival):
    calls, ads, _, _, _, _ = festival
    results = [backtest(in_unit(calls, unit), in_unit(ads, unit, "start"), horizon="7D", n_origins=2).forecasts
               for unit in UNITS]
    for got in results[:-1]:
        pd.testing.assert_frame_equal(got, results[-1], check_exact=True)


@pytest.mark.parametrize("unit", UNITS)
def test_off_grid_interval_is_named_in_every_unit(unit):
    index = pd.DatetimeIndex(pd.date_range("2026-12-01 08:00", periods=8, freq="15min").tolist()
                             + [pd.Timestamp("2026-12-01 10:07")]).as_unit(unit)
    with pytest.raises(DataError, match="15-minute grid.*2026-12-01 10:07") as err:
        CallVolumeForecaster().fit(pd.Series(5.0, index=index))
    assert err.value.column == "interval_start"


def test_fit_refuses_a_time_zone_aware_history_and_plan(festival):
    calls, ads, plan, model, _, target = festival
    with pytest.raises(DataError, match="time zone") as err:
        CallVolumeForecaster().fit(calls.tz_localize(ZONE))
    assert (err.value.file, err.value.column) == ("calls", "interval_start")
    with pytest.raises(DataError, match="time zone") as err:
        CallVolumeForecaster().fit(calls, ads.assign(start=ads["start"].dt.tz_localize(ZONE)))
    assert (err.value.file, err.value.column) == ("ads", "start")


def test_predict_refuses_a_time_zone_aware_index_and_plan(festival):
    _, _, plan, model, _, target = festival
    with pytest.raises(DataError, match="time zone") as err:
        model.predict(target.tz_localize(ZONE))
    assert err.value.column == "interval_start"
    with pytest.raises(DataError, match="time zone") as err:
        model.predict(target, plan.assign(start=plan["start"].dt.tz_localize(ZONE)))
    assert (err.value.file, err.value.column) == ("plan", "start")


# --- staffing and periods -----------------------------------------------------------------------

@pytest.mark.parametrize("unit", UNITS)
def test_requirements_identical_in_every_unit(unit):
    index = month_intervals("2026-12")[:80]
    calls = pd.Series(np.linspace(0, 60, len(index)), index=index)
    aht = pd.Series(200.0, index=index)
    expected = requirements(calls, aht, DEFAULT_RULES.service)
    got = requirements(in_unit(calls, unit), in_unit(aht, unit), DEFAULT_RULES.service)
    assert got.index.dtype == CANONICAL
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_requirements_refuse_a_time_zone_aware_index():
    index = month_intervals("2026-12")[:4].tz_localize(ZONE)
    with pytest.raises(DataError, match="time zone"):
        requirements(pd.Series(10.0, index=index), 180.0, DEFAULT_RULES.service)


@pytest.mark.parametrize("unit", UNITS)
def test_open_intervals_identical_from_days_in_every_unit(unit):
    days = month_days("2026-12")
    assert days.dtype == CANONICAL and month_intervals("2026-12").dtype == CANONICAL
    got = open_intervals(days.as_unit(unit))
    assert got.dtype == CANONICAL and got.equals(month_intervals("2026-12"))


def test_open_intervals_refuse_time_zone_aware_days():
    with pytest.raises(DataError, match="time zone"):
        open_intervals(month_days("2026-12").tz_localize(ZONE))


# --- the steps ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def step_inputs(festival):
    calls, ads, plan, _, _, _ = festival
    history = calls.to_frame()
    history["aht_s"] = np.where(calls.index.hour < 12, 170.0, 230.0)
    history.attrs = dict(calls.attrs)
    return Inputs(calls=history, ads=ads, plan=plan)


def _inputs_in(inputs: Inputs, unit: str) -> Inputs:
    calls = in_unit(inputs.calls, unit)
    calls.attrs = dict(inputs.calls.attrs)
    return Inputs(rules=inputs.rules, calls=calls, ads=in_unit(inputs.ads, unit, "start"),
                  plan=in_unit(inputs.plan, unit, "start"))


@pytest.mark.parametrize("unit", UNITS)
def test_forecast_and_requirement_steps_identical_in_every_unit(unit, step_inputs):
    expected = forecast_step(step_inputs, "2026-02").table
    expected_need = requirement_step(step_inputs, expected)
    inputs = _inputs_in(step_inputs, unit)
    table = forecast_step(inputs, "2026-02").table
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    need = requirement_step(inputs, in_unit(table, unit))
    assert need.index.dtype == CANONICAL
    pd.testing.assert_frame_equal(need, expected_need, check_exact=True)


@pytest.fixture(scope="module")
def roster_week():
    month = synthetic_month(30, days=7, seed=2)  # three leaders: one can rest each day
    # Seeded: a time-limited solve is reproducible only then, whatever else the machine is doing.
    roster = solve(month.requirement, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads, time_limit_s=3.0,
                   seed=0)
    return month, roster


def _roster_in(month, unit: str):
    inputs = Inputs(staff=month.staff, leave=in_unit(month.leave, unit, "date"), plan=in_unit(month.ads, unit, "start"))
    return roster_step(inputs, in_unit(month.requirement, unit), time_limit_s=3.0, seed=0)


@pytest.mark.parametrize("unit", UNITS)
def test_roster_step_identical_assignments_in_every_unit(unit, roster_week):
    month, expected = roster_week
    roster = _roster_in(month, unit)
    pd.testing.assert_frame_equal(roster.assignments, expected.assignments, check_exact=True)
    assert roster.coverage.index.equals(expected.coverage.index)
    assert np.array_equal(roster.coverage.to_numpy(), expected.coverage.to_numpy())
    assert roster.kpis == expected.kpis


def test_roster_coverage_index_in_one_unit(roster_week):
    month, _ = roster_week
    assert {str(_roster_in(month, unit).coverage.index.dtype) for unit in UNITS} == {CANONICAL}



@pytest.mark.parametrize("part", ["requirement", "leave", "plan"])
def test_roster_refuses_time_zone_aware_input(part, roster_week):
    month, _ = roster_week
    requirement, leave, ads = month.requirement, month.leave, month.ads
    if part == "requirement":
        requirement = requirement.tz_localize(ZONE)
    elif part == "leave":
        leave = leave.assign(date=leave["date"].dt.tz_localize(ZONE))
    else:
        ads = ads.assign(start=ads["start"].dt.tz_localize(ZONE))
    with pytest.raises(DataError, match="time zone"):
        solve(requirement, month.staff, DEFAULT_RULES, leave=leave, ads=ads, time_limit_s=1.0)
