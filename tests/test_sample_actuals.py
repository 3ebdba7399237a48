"""The sample's December as the center lived it: actuals, clock records and their ground truth."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from core.periods import month_intervals
from core.rules import DEFAULT_RULES
from data import generate_sample as gen
from forecasting.data import load_calls
from scheduler import erlang
from scheduler.roster import load_assignments

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@cache
def actuals() -> pd.DataFrame:
    return load_calls(SAMPLE / "actuals_2026-12.csv")


@cache
def roster() -> pd.DataFrame:
    return load_assignments(SAMPLE / "roster_2026-12.csv", DEFAULT_RULES)


@cache
def clock() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "clock_2026-12.csv", parse_dates=["time"])


@cache
def truth_intervals() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "truth_actuals_2026-12.csv", parse_dates=["interval_start"]).set_index("interval_start")


@cache
def planted() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "truth_attendance_2026-12.csv", parse_dates=["date"])


@cache
def truth() -> dict:
    return json.loads((SAMPLE / "truth_2026-12.json").read_text(encoding="utf-8"))


# --- actuals -----------------------------------------------------------------------------------------


def test_actuals_cover_decembers_open_intervals_and_add_up():
    a = actuals()
    assert list(a.columns) == ["calls", "answered", "abandoned", "aht_s"]
    assert a.index.equals(month_intervals("2026-12"))
    assert (a["answered"] + a["abandoned"] == a["calls"]).all()
    assert a.loc[a["answered"] > 0, "aht_s"].between(120, 400).mean() > 0.99
    assert a.loc[a["answered"] == 0, "aht_s"].isna().all()


def test_actuals_are_the_truth_plus_noise():
    a, t = actuals(), truth_intervals()
    assert abs(a["calls"].sum() / t["mean_calls"].sum() - 1) < 0.02
    assert ((a["calls"] - t["mean_calls"]) ** 2 / t["mean_calls"]).mean() > 1.5  # over-dispersed, as calls.csv
    # the truth of the month is the plan's expected calls: more only where the hit channel's airings answer
    assert 1.0 < t["mean_calls"].sum() / t["expected_calls"].sum() < 1.15


def _calls_per_airing_factor(calls: pd.Series, base: pd.Series, airings: pd.DataFrame) -> pd.Series:
    """Each channel's calls per airing against the truth's expectation, fitted by least squares on the calls
    above the base demand (1 = what the airings of the history taught)."""
    curve = gen.response_curve()
    minutes = pd.date_range(calls.index.min().normalize(), calls.index.max() + pd.Timedelta(hours=2), freq="1min")
    channels = sorted(airings["channel"].unique())
    design = np.zeros((len(minutes), len(channels)))
    at = minutes.get_indexer(airings["start"])
    for start, channel, expected in zip(at, airings["channel"], airings["expected_calls"]):
        design[start : start + len(curve), channels.index(channel)] += expected * curve
    per_interval = pd.DataFrame(design, index=minutes).resample("15min").sum().reindex(calls.index)
    coef, *_ = np.linalg.lstsq(per_interval.to_numpy(), (calls - base).to_numpy(float), rcond=None)
    return pd.Series(coef, index=channels)


def test_the_over_delivering_channel_brings_more_calls_per_airing_than_the_history_taught():
    airings = pd.read_csv(SAMPLE / "truth_airings.csv", parse_dates=["start"])
    expected = pd.read_csv(SAMPLE / "truth_expected_calls.csv", parse_dates=["interval_start"])
    base = expected.set_index("interval_start")["expected_base_calls"]
    history = load_calls(SAMPLE / "calls.csv")["calls"].loc["2026-06-01":]
    past = _calls_per_airing_factor(history, base.reindex(history.index),
                                    airings[(airings["start"] >= "2026-06-01") & (airings["start"] < "2026-12-01")])
    december = _calls_per_airing_factor(actuals()["calls"], base.reindex(actuals().index),
                                        airings[airings["start"] >= "2026-12-01"])
    hit = truth()["over_delivering_channel"]["channel"]
    assert december[hit] > 1.3 * past[hit]
    for channel in december.index.drop(hit):
        assert abs(december[channel] / past[channel] - 1) < 0.25, channel


def test_lost_calls_rise_where_fewer_are_on_the_phones_than_rostered():
    a, t = actuals(), truth_intervals()
    assert (t["agents_on_phones"] <= t["agents_rostered"] + 1).mean() > 0.9
    short = t["agents_on_phones"] < t["agents_rostered"] - 3
    rate_short = a.loc[short, "abandoned"].sum() / a.loc[short, "calls"].sum()
    rate_full = a.loc[~short, "abandoned"].sum() / a.loc[~short, "calls"].sum()
    assert rate_short > 2 * rate_full


def test_the_absence_morning_loses_more_calls_than_any_other_morning():
    a, t = actuals(), truth_intervals()
    day = truth()["absence_morning"]["date"]
    morning = a.index.hour < 10
    lost = a.loc[morning, "abandoned"].groupby(a.index[morning].normalize()).sum()
    assert lost.idxmax() == pd.Timestamp(day)
    first_hours = t.loc[f"{day} 08:00":f"{day} 09:45"]
    assert (first_hours["agents_rostered"] - first_hours["agents_on_phones"]).min() >= 5


def test_abandonment_is_the_products_erlang_a_at_the_rules_patience():
    """The generator's queue (exact M/M/N+M chain) gives the abandonment scheduler.erlang gives."""
    assert gen.PATIENCE_S == DEFAULT_RULES.service.patience_s
    t = truth_intervals()
    agents = t["agents_on_phones"].to_numpy()
    calls = actuals()["calls"].to_numpy(float)
    aht = np.full(len(calls), 240.0)
    ours = gen.erlang_a_abandon_share(agents, calls / 900, aht, gen.PATIENCE_S)
    theirs = erlang.erlang_a_measures(agents, calls * aht / 900, aht, gen.PATIENCE_S, 20.0).abandon_rate
    assert np.allclose(ours, theirs, atol=1e-6)


# --- clock records ----------------------------------------------------------------------------------------


def test_clock_records_name_only_rostered_staff_except_planted_rest_day_work():
    c, r = clock(), roster()
    on_shift = r[r["shift"].isin(DEFAULT_RULES.shift_codes)]
    rostered = set(zip(on_shift["employee_id"], on_shift["date"]))
    seen = set(zip(c["employee_id"], c["time"].dt.normalize()))
    rest_work = planted()[planted()["event"] == "rest_day_work"]
    assert seen - rostered == set(zip(rest_work["employee_id"], rest_work["date"]))
    assert 1 <= len(rest_work) <= 3
    assert set(c["kind"]) == {"in", "out"}


def test_clock_records_follow_the_roster_and_the_planted_events():
    c, r = clock(), roster()
    day_of = c.assign(date=c["time"].dt.normalize())
    ins = day_of[day_of["kind"] == "in"].set_index(["employee_id", "date"])["time"]
    outs = day_of[day_of["kind"] == "out"].set_index(["employee_id", "date"])["time"]
    assert ins.index.is_unique and outs.index.is_unique and outs.index.isin(ins.index).all()
    shifts = r[r["shift"].isin(DEFAULT_RULES.shift_codes)].set_index(["employee_id", "date"])["shift"]
    starts = shifts.map(lambda code: DEFAULT_RULES.shift(code).start_minute).reindex(ins.index)
    late = (ins.dt.hour * 60 + ins.dt.minute - starts).dropna()
    events = planted().set_index(["employee_id", "date"])
    planted_late = events[events["event"] == "late"]
    # on time unless planted: in before the shift starts; late by what the truth says
    assert (late[~late.index.isin(planted_late.index)] < 0).all()
    assert (late[planted_late.index] == planted_late["minutes"]).all()
    absent = events[events["event"] == "absent"]
    assert not absent.index.isin(ins.index).any()
    forgot = events[events["event"] == "no_clock_out"]
    assert forgot.index.isin(ins.index).all() and not forgot.index.isin(outs.index).any()
    overtime = events[events["event"] == "overtime"]
    assert (outs[overtime.index].dt.hour >= DEFAULT_RULES.close_minute // 60).all()
    # most worked days are on time; every kind the attendance check looks for is there
    assert len(events) < 0.1 * len(shifts)
    assert {"absent", "late", "early_leave", "no_clock_out", "overtime", "rest_day_work"} <= set(events["event"])


def test_the_absence_morning_is_planted_in_the_clock_records():
    m = truth()["absence_morning"]
    day = pd.Timestamp(m["date"])
    assert len(m["absent"]) >= 5 and len(m["late"]) >= 3
    c = clock()
    today = c[c["time"].dt.normalize() == day]
    assert not today["employee_id"].isin(m["absent"]).any()
    late_in = today[today["employee_id"].isin(m["late"]) & (today["kind"] == "in")]["time"]
    assert len(late_in) == len(m["late"]) and (late_in.dt.hour >= 9).all()
