"""CallVolumeForecaster.predict with `actuals`: the rest of the day updated from the calls observed so far."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from forecasting import CallVolumeForecaster
from forecasting.synthetic import World


@pytest.fixture(scope="module")
def world_model():
    # Days stray from the model by about 12 %, a channel's airings of a day by about 30 %.
    world = World(days=120, airings_per_day=6, seed=5, day_level_sd=0.12, channel_day_sd=0.3)
    calls, ads, _ = world.draw()
    last_day = calls.index[-1].normalize()
    model = CallVolumeForecaster().fit(calls[calls.index < last_day], ads[ads["start"] < last_day])
    day = calls[calls.index >= last_day]
    return model, day, ads


def _morning_rest(day: pd.Series, at: str = "12:00"):
    cut = day.index[0].normalize() + pd.Timedelta(at + ":00")
    return day[day.index < cut], day.index[day.index >= cut]


def _expected_so_far(model, morning, ads):
    return model.predict(morning.index, ads)["mean"]


def test_no_actuals_is_the_plain_forecast(world_model):
    model, day, ads = world_model
    _, rest = _morning_rest(day)
    plain = model.predict(rest, ads)
    pd.testing.assert_frame_equal(model.predict(rest, ads, actuals=None), plain)
    empty = pd.Series([], index=pd.DatetimeIndex([]), dtype=float)
    pd.testing.assert_frame_equal(model.predict(rest, ads, actuals=empty), plain)


@pytest.mark.parametrize("factor", [1.4, 0.6])
def test_actuals_above_forecast_raise_the_rest_of_day_and_below_lower_it(world_model, factor):
    model, day, ads = world_model
    morning, rest = _morning_rest(day)
    observed = (_expected_so_far(model, morning, ads) * factor).round()
    plain = model.predict(rest, ads)["mean"].sum()
    updated = model.predict(rest, ads, actuals=observed)
    ratio = updated["mean"].sum() / plain
    if factor > 1:
        assert 1.05 < ratio < factor
    else:
        assert factor < ratio < 0.95
    # The intervals move with the mean.
    assert ((updated["upper"] >= updated["mean"]) & (updated["lower"] <= updated["mean"])).all()


def test_actuals_that_match_leave_the_forecast(world_model):
    model, day, ads = world_model
    morning, rest = _morning_rest(day)
    observed = _expected_so_far(model, morning, ads)
    plain = model.predict(rest, ads)
    updated = model.predict(rest, ads, actuals=observed)
    assert updated["mean"].sum() == pytest.approx(plain["mean"].sum(), rel=0.02)
    # Knowing the day's level narrows the intervals a little, never widens them much.
    assert (updated["upper"] - updated["lower"]).sum() <= 1.05 * (plain["upper"] - plain["lower"]).sum()


def test_few_calls_move_it_little(world_model):
    model, day, ads = world_model
    morning, rest = _morning_rest(day, "08:30")  # the first half hour: few calls
    few = _expected_so_far(model, morning.iloc[:1], ads) * 2
    many_morning, _ = _morning_rest(day, "12:00")
    many = _expected_so_far(model, many_morning, ads) * 2
    later = rest[rest >= many_morning.index[-1] + pd.Timedelta(minutes=15)]
    plain = model.predict(later, ads)["mean"].sum()
    moved_few = model.predict(later, ads, actuals=few.round())["mean"].sum() / plain - 1
    moved_many = model.predict(later, ads, actuals=many.round())["mean"].sum() / plain - 1
    assert 0 < moved_few < 0.1
    assert moved_many > 3 * moved_few


def test_recent_days_not_yet_fitted_count(world_model):
    model, day, ads = world_model
    tomorrow = day.index + pd.Timedelta(days=1)
    plain = model.predict(tomorrow, ads)["mean"].sum()
    observed = (_expected_so_far(model, day, ads) * 1.5).round()
    updated = model.predict(tomorrow, ads, actuals=observed)["mean"].sum()
    # A whole day 50 % above the model says the next day is above it too (by the carry the history shows).
    assert updated >= plain
    assert updated < 1.5 * plain


def test_future_intervals_in_actuals_are_refused_by_name(world_model):
    model, day, ads = world_model
    morning, rest = _morning_rest(day)
    observed = pd.concat([morning, day[rest[:2]]])
    with pytest.raises(DataError, match=rf"actuals at {rest[0]} and 1 more are not before the first interval"):
        model.predict(rest, ads, actuals=observed)


def test_actuals_off_the_model_grid_are_said(world_model):
    model, day, ads = world_model
    morning, rest = _morning_rest(day)
    shifted = morning.set_axis(morning.index + pd.Timedelta(minutes=5))
    with pytest.raises(DataError, match=r"actuals.*15-minute.*off that grid"):
        model.predict(rest, ads, actuals=shifted)


def test_actuals_on_a_coarser_grid_are_said(world_model):
    model, day, ads = world_model
    morning, rest = _morning_rest(day)
    half_hours = morning.groupby(morning.index.floor("30min")).sum()
    with pytest.raises(DataError, match="the actuals are on a 30-minute grid and the model forecasts 15-minute"):
        model.predict(rest, ads, actuals=half_hours)


def test_actuals_in_closed_hours_say_nothing(world_model):
    model, day, ads = world_model
    _, rest = _morning_rest(day)
    night = pd.Series([50.0, 60.0], index=day.index[0].normalize() + pd.to_timedelta(["06:00:00", "06:15:00"]))
    pd.testing.assert_frame_equal(model.predict(rest, ads, actuals=night), model.predict(rest, ads))


def test_actuals_inside_the_fitted_history_are_refused(world_model):
    model, day, ads = world_model
    _, rest = _morning_rest(day)
    old = pd.Series([10.0], index=pd.DatetimeIndex([model.history_end_]))
    with pytest.raises(DataError, match="inside the fitted history"):
        model.predict(rest, ads, actuals=old)


def test_a_channel_that_over_delivers_raises_its_later_airings(world_model):
    model, day, ads = world_model
    today = ads[ads["start"].dt.normalize() == day.index[0].normalize()]
    channel = today["channel"].value_counts().index[0]
    morning, rest = _morning_rest(day, "14:00")
    ads_part = model.predict(morning.index, today)["mean"] - model.predict(morning.index)["mean"]
    channel_part = (model.predict(morning.index, today[today["channel"] == channel])["mean"]
                    - model.predict(morning.index)["mean"])
    if channel_part.sum() < 10:
        pytest.skip("no airing of the channel this morning in this world")
    observed = (model.predict(morning.index)["mean"] + (ads_part - channel_part) + 2 * channel_part).round()
    later = today[(today["start"] >= rest[0]) & (today["channel"] == channel)]
    assert len(later), "the world has an airing of the channel in the afternoon"
    window = rest[(rest >= later["start"].iloc[0].floor("15min")) & (rest < later["start"].iloc[0] + pd.Timedelta(minutes=45))]
    plain = model.predict(window, today)
    updated = model.predict(window, today, actuals=observed)
    base_plain = model.predict(window)["mean"].sum()
    assert (updated["mean"].sum() - base_plain) > 1.2 * (plain["mean"].sum() - base_plain)


def test_the_spread_of_days_is_learned_from_the_history(world_model):
    model, _, _ = world_model
    # Planted: days' level sd 0.12 (variance 0.0144), a channel-day's response sd 0.3 (variance 0.09).
    assert 0.006 < model.day_level_.variance < 0.03
    assert 0.03 < model.day_level_.response_variance < 0.2
    plain_world = World(days=120, airings_per_day=6, seed=5)
    calls, ads, _ = plain_world.draw()
    plain = CallVolumeForecaster().fit(calls, ads)
    assert plain.day_level_.variance < 0.004


@pytest.fixture(scope="module")
def month_model():
    """A model fitted before the last ten days of a world with airings of channels A and B (the month to
    live), with each channel's expected calls on those days."""
    world = World(days=120, airings_per_day=6, seed=11)
    calls, ads, _ = world.draw()
    start = calls.index[-1].normalize() - pd.Timedelta(days=9)
    model = CallVolumeForecaster().fit(calls[calls.index < start], ads[ads["start"] < start])
    month = calls.index[calls.index >= start]
    base = model.predict(month)["mean"]
    parts = {c: model.predict(month, ads[ads["channel"] == c])["mean"] - base for c in ("A", "B")}
    return model, ads, base, parts


def _lived(base: pd.Series, parts: dict, factors: dict, seed: int = 3) -> pd.Series:
    """Poisson calls around the model's parts with each channel's response times its factor."""
    mean = base + sum(factors[c] * part for c, part in parts.items())
    return pd.Series(np.random.default_rng(seed).poisson(mean.to_numpy()).astype(float), index=base.index)


def _afternoon_of_last_day(base: pd.Series):
    last = base.index[-1].normalize()
    cut = last + pd.Timedelta("11:30:00")
    return base.index[base.index < cut], base.index[base.index >= cut]


def test_recent_days_teach_a_channel_that_over_delivers(month_model):
    model, ads, base, parts = month_model
    lived = _lived(base, parts, {"A": 1.5, "B": 1.0})
    before, rest = _afternoon_of_last_day(base)
    plain = model.predict(rest, ads)["mean"]
    updated = model.predict(rest, ads, actuals=lived[before])["mean"]
    today_only = model.predict(rest, ads, actuals=lived[before][before >= rest[0].normalize()])["mean"]
    a, b = parts["A"][rest], parts["B"][rest]
    assert a.sum() > 50 and b.sum() > 20, "the afternoon has airings of both channels"
    # The extra calls beyond the plain forecast are channel A's half more, not B's nor the baseline's.
    extra = (updated - plain).sum()
    assert 0.3 * a.sum() < extra < 0.65 * a.sum()
    # The morning alone says less than the nine days before it.
    assert (today_only - plain).sum() < 0.7 * extra


def test_recent_days_as_the_model_expected_leave_the_forecast(month_model):
    model, ads, base, parts = month_model
    lived = _lived(base, parts, {"A": 1.0, "B": 1.0})
    before, rest = _afternoon_of_last_day(base)
    plain = model.predict(rest, ads)
    updated = model.predict(rest, ads, actuals=lived[before])
    assert updated["mean"].sum() == pytest.approx(plain["mean"].sum(), rel=0.03)
    for channel in ("A", "B"):
        airing = parts[channel][rest] > 1
        assert (updated["mean"][airing].sum() == pytest.approx(plain["mean"][airing].sum(), rel=0.06)), channel


def test_a_busier_day_lifts_the_day_not_the_days_after_it(month_model):
    model, ads, base, parts = month_model
    lived = _lived(base, parts, {"A": 1.0, "B": 1.0})
    first_day = base.index[0].normalize()
    busy = lived.where(lived.index >= first_day + pd.Timedelta(days=1), lived * 1.3).round()
    before, rest = _afternoon_of_last_day(base)
    plain = model.predict(rest, ads)["mean"].sum()
    after_busy = model.predict(rest, ads, actuals=busy[before])["mean"].sum()
    # One day 30 % above the model, nine ordinary days since: the day's level does not carry into the last day.
    assert after_busy == pytest.approx(plain, rel=0.04)


def test_the_days_spread_is_the_baselines_however_many_calls_the_airings_bring():
    # Airings bring two calls in three; the days' level (sd 0.12, variance 0.0144) moves the baseline alone.
    world = World(days=150, airings_per_day=10, calls_per_airing={"A": 120.0, "B": 80.0}, day_level_sd=0.12, seed=5)
    calls, ads, _ = world.draw()
    model = CallVolumeForecaster().fit(calls, ads)
    assert 0.008 < model.day_level_.variance < 0.025
