"""CallVolumeForecaster on synthetic worlds with a known truth."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from forecasting import CallVolumeForecaster, wape
from forecasting.synthetic import World
from core.errors import DataError
from core.rules import CalendarOverride, Rules


def split(series: pd.Series, days: int):
    cut = series.index[-1].normalize() - pd.Timedelta(days=days - 1)
    return series[series.index < cut], series[series.index >= cut]


@pytest.fixture(scope="module")
def ad_world():
    world = World(days=150, airings_per_day=6, seed=3)
    calls, ads, mean = world.draw()
    return world, calls, ads, mean


@pytest.fixture(scope="module")
def ad_model(ad_world):
    _, calls, ads, _ = ad_world
    train, _ = split(calls, 14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a known year: no holiday warning
        return CallVolumeForecaster().fit(train, ads[ads["start"] < train.index[-1]])


def test_recovers_planted_ad_response(ad_world, ad_model):
    world, _, ads, _ = ad_world
    curve = ad_model.response_curve()
    by_channel = ad_model.response_by("channel")["calls_per_airing"]
    # Total calls per airing (90-min response of 40 and 20 calls) within 10 %.
    assert by_channel["A"] == pytest.approx(40.0, rel=0.10)
    assert by_channel["B"] == pytest.approx(20.0, rel=0.12)
    # An exponential response with a 10-minute mean: most of it in the first 15 minutes, ~none after 60.
    share = curve["calls"] / curve["calls"].sum()
    assert share[curve["to_min"] <= 15].sum() == pytest.approx(1 - np.exp(-1.5), abs=0.08)
    assert share[curve["from_min"] >= 60].sum() < 0.05
    assert (curve["calls"] >= 0).all()


def test_forecast_close_to_truth_and_ads_matter(ad_world, ad_model):
    _, calls, ads, mean = ad_world
    _, test = split(calls, 14)
    plan = ads[ads["start"] >= test.index[0] - pd.Timedelta(hours=2)]
    forecast = ad_model.predict(test.index, plan)
    without_plan = ad_model.predict(test.index)
    assert wape(test, forecast["mean"]) < 1.1 * wape(test, mean[test.index])
    assert wape(mean[test.index], forecast["mean"]) < 0.08
    assert wape(test, without_plan["mean"]) > 1.3 * wape(test, forecast["mean"])


def test_prediction_interval_level(ad_world, ad_model):
    _, calls, ads, _ = ad_world
    _, test = split(calls, 14)
    plan = ads[ads["start"] >= test.index[0] - pd.Timedelta(hours=2)]
    f80 = ad_model.predict(test.index, plan)
    f95 = ad_model.predict(test.index, plan, level=0.95)
    inside80 = ((test >= f80["lower"]) & (test <= f80["upper"])).mean()
    inside95 = ((test >= f95["lower"]) & (test <= f95["upper"])).mean()
    assert 0.72 <= inside80 <= 0.9
    assert inside95 > inside80 and inside95 >= 0.9
    assert ((f95["upper"] - f95["lower"]) >= (f80["upper"] - f80["lower"])).all()
    assert (f80["lower"] <= f80["mean"]).all() and (f80["mean"] <= f80["upper"]).all()


def test_weekday_specific_intraday_shape():
    world = World(days=120, sunday_afternoon=1.6, seed=5)
    calls, _, _ = world.draw()
    model = CallVolumeForecaster().fit(calls)
    profile = model.weekly_profile()
    idx = pd.date_range("2025-09-28", periods=40, freq="15min") + pd.Timedelta(hours=8)  # a Sunday
    truth = world.base_mean(idx)
    sunday = profile["Sun"].to_numpy()
    assert wape(truth, sunday) < 0.08
    # Afternoons on Sunday rise above Saturday's (same weekday level apart from the shape).
    afternoon = profile.index >= "13:00"
    ratio = (profile.loc[afternoon, "Sun"] / profile.loc[afternoon, "Sat"]).mean()
    assert ratio == pytest.approx(1.6 * 1.2 / 1.1, rel=0.1)


def test_closed_intervals_forecast_zero():
    calls, _, _ = World(days=60, seed=7).draw()
    model = CallVolumeForecaster().fit(calls)
    day = pd.date_range("2025-08-04", periods=96, freq="15min")
    f = model.predict(day)
    minute = day.hour * 60 + day.minute
    open_ = (minute >= 480) & (minute < 1080)
    assert (f.loc[~open_, ["mean", "lower", "upper"]] == 0).all().all()
    assert (f.loc[open_, "mean"] > 1).all()
    # Rules' open hours close more: 09:00-17:00 only.
    ruled = CallVolumeForecaster(rules=Rules(open_time="09:00", close_time="17:00")).fit(calls).predict(day)
    assert (ruled["mean"][(minute < 540) | (minute >= 1020)] == 0).all()
    assert (ruled["mean"][(minute >= 540) & (minute < 1020)] > 1).all()


def test_never_busy_slots_are_learned_closed():
    world = World(days=42, open_minute=0, close_minute=1440, seed=8)
    calls, _, _ = world.draw()
    # Saturdays never get a call: the center is shut then.
    calls[calls.index.day_of_week == 5] = 0
    model = CallVolumeForecaster().fit(calls)
    week = pd.date_range("2025-07-14", periods=7 * 96, freq="15min")
    f = model.predict(week)
    assert (f["mean"][week.day_of_week == 5] == 0).all()
    assert (f["mean"][week.day_of_week != 5] > 0).all()


@pytest.mark.parametrize("step", [30, 60])
def test_interval_length_follows_the_data(step):
    world = World(days=60, interval_minutes=step, airings_per_day=5, seed=11)
    calls, ads, mean = world.draw()
    train, test = split(calls, 7)
    model = CallVolumeForecaster().fit(train, ads[ads["start"] < test.index[0]])
    assert model.interval_minutes_ == step
    f = model.predict(test.index, ads[ads["start"] >= test.index[0] - pd.Timedelta(hours=2)])
    assert wape(mean[test.index], f["mean"]) < 0.1
    assert model.response_by("channel")["calls_per_airing"]["A"] == pytest.approx(40, rel=0.25)


def test_gaps_in_history():
    calls, _, mean = World(days=90, seed=13).draw()
    # Ten missing days and a missing afternoon: no rows, not zeros.
    days = calls.index.normalize()
    gone = (days >= "2025-07-01") & (days < "2025-07-11")
    gone |= (days == pd.Timestamp("2025-07-20")) & (calls.index.hour >= 13)
    train = calls[~gone]
    model = CallVolumeForecaster().fit(train)
    f = model.predict(calls.index[gone])
    assert (f["mean"] > 0).all()
    assert wape(mean[calls.index[gone]], f["mean"]) < 0.1


def test_holiday_effect_and_unknown_years():
    world = World(start="2025-08-01", days=200, holiday_factor=0.5, seed=17)
    calls, _, _ = world.draw()
    model = CallVolumeForecaster().fit(calls)
    effects = model.holiday_effects()["multiplier"]
    # Holidays are modelled as Sundays (weekday factor 1.2) times their own multiplier; the world halves
    # its ordinary days (factors about 1.0), so the multiplier is about 0.5 / 1.2.
    assert 0.32 < effects["holiday[National Day]"] < 0.55
    october = pd.date_range("2026-10-01 08:00", periods=40, freq="15min")
    ordinary = model.predict(october + pd.Timedelta(days=14))["mean"].to_numpy()
    assert (model.predict(october)["mean"].to_numpy() < 0.75 * ordinary).all()
    # 2027 is a year the package does not know: flagged, not silently ordinary (people are told by the steps).
    later = pd.date_range("2027-02-08 08:00", periods=40, freq="15min")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw Python warning with a file path
        f = model.predict(later)
    assert not f["calendar_known"].any()
    assert model.predict(october)["calendar_known"].all()


def test_calendar_override_makes_a_holiday():
    calls, _, _ = World(start="2025-08-01", days=200, holiday_factor=0.5, seed=19).draw()
    day = pd.Timestamp("2026-03-10")  # an ordinary Tuesday for the package
    rules = Rules(calendar=(CalendarOverride(day.date(), "holiday", "National Day"),))
    model = CallVolumeForecaster(rules=rules).fit(calls)
    plain = CallVolumeForecaster().fit(calls)
    idx = pd.date_range(day + pd.Timedelta(hours=8), periods=40, freq="15min")
    assert model.predict(idx)["mean"].sum() < 0.75 * plain.predict(idx)["mean"].sum()


def test_bad_input_errors():
    calls, ads, _ = World(days=30, airings_per_day=2, seed=23).draw()
    with pytest.raises(DataError, match="negative"):
        CallVolumeForecaster().fit(calls.where(calls.index != calls.index[5], -1))
    with pytest.raises(DataError, match="DatetimeIndex"):
        CallVolumeForecaster().fit(calls.reset_index(drop=True))
    with pytest.raises(DataError, match="duration_s"):
        CallVolumeForecaster().fit(calls, ads.drop(columns="duration_s"))
    with pytest.raises(ValueError, match="level"):
        CallVolumeForecaster(level=80)
    with pytest.raises(RuntimeError, match="fit"):
        CallVolumeForecaster().predict(calls.index)
    with pytest.raises(DataError, match="calls"):
        CallVolumeForecaster().fit(calls.to_frame("answered"))


def test_accepts_the_loader_frame(tmp_path):
    from forecasting.data import load_calls

    calls, _, _ = World(days=21, seed=29).draw()
    path = tmp_path / "calls.csv"
    calls.to_frame().to_csv(path, date_format="%Y-%m-%d %H:%M:%S")
    frame = load_calls(path)
    model = CallVolumeForecaster().fit(frame)
    assert model.interval_minutes_ == 15
    assert model.coefficients()["std_error"].notna().all()
