"""The bundled sample in data/sample: regenerable from its seed, loadable, and as realistic as it claims."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import chinese_calendar
import numpy as np
import pandas as pd
import pytest

from forecasting.data import load_ads, load_calls
from scheduler.data import load_leave, load_staff
from data import generate_sample as gen
from core.rules import DEFAULT_RULES, load_rules, rules_to_toml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
GENERATED = (
    "calls.csv", "ads_history.csv", "ads_plan_2026-12.csv", "staff.csv", "leave_2026-12.csv", "rules.toml",
    "truth_expected_calls.csv", "truth_airings.csv", "truth_response_curve.csv", "truth.json",
    "roster_2026-12.csv", "actuals_2026-12.csv", "clock_2026-12.csv",
    "truth_actuals_2026-12.csv", "truth_attendance_2026-12.csv", "truth_2026-12.json",
)


@cache
def calls() -> pd.DataFrame:
    return load_calls(SAMPLE / "calls.csv")


@cache
def ads_history() -> pd.DataFrame:
    return load_ads(SAMPLE / "ads_history.csv")


@cache
def ads_plan() -> pd.DataFrame:
    return load_ads(SAMPLE / "ads_plan_2026-12.csv")


@cache
def staff() -> pd.DataFrame:
    return load_staff(SAMPLE / "staff.csv", load_rules(SAMPLE / "rules.toml"))


@cache
def leave() -> pd.DataFrame:
    return load_leave(SAMPLE / "leave_2026-12.csv", staff(), load_rules(SAMPLE / "rules.toml"))


@cache
def truth_expected() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "truth_expected_calls.csv", parse_dates=["interval_start"]).set_index("interval_start")


@cache
def truth() -> dict:
    return json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))


def daily(series: pd.Series) -> pd.Series:
    return series.groupby(series.index.normalize()).sum()


# --- regeneration ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_generator_rewrites_the_bundled_files_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, "-m", "data.generate_sample", "--out", str(tmp_path)], cwd=ROOT, check=True,
                   capture_output=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED)
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), f"{name} differs: regenerate the sample"


@pytest.mark.slow
def test_another_seed_gives_another_world(tmp_path):
    subprocess.run([sys.executable, "data/generate_sample.py", "--out", str(tmp_path), "--seed", "7"], cwd=ROOT,
                   check=True, capture_output=True)
    assert (tmp_path / "calls.csv").read_bytes() != (SAMPLE / "calls.csv").read_bytes()
    assert (tmp_path / "rules.toml").read_bytes() == (SAMPLE / "rules.toml").read_bytes()
    assert json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))["seed"] == 7


def test_bundle_is_small():
    total = sum((SAMPLE / name).stat().st_size for name in GENERATED)
    assert total < 4_000_000


# --- every input loads through the product's loaders -----------------------------------------------


def test_every_input_loads_through_the_loaders():
    rules = load_rules(SAMPLE / "rules.toml")
    assert rules == DEFAULT_RULES
    assert (SAMPLE / "rules.toml").read_text(encoding="utf-8") == rules_to_toml(DEFAULT_RULES)
    assert calls().attrs["interval_minutes"] == 15
    assert list(calls().columns) == ["calls", "answered", "abandoned", "aht_s"]
    assert len(ads_history()) > 3000 and len(ads_plan()) > 100
    assert len(staff()) == 120
    assert len(leave()) > 30


# --- calls -------------------------------------------------------------------------------------------


def test_calls_cover_open_hours_of_every_day_and_nothing_else():
    idx = calls().index
    minutes = idx.hour * 60 + idx.minute
    assert minutes.min() == DEFAULT_RULES.open_minute
    assert minutes.max() == DEFAULT_RULES.close_minute - DEFAULT_RULES.interval_minutes
    per_day = pd.Series(1, index=idx).groupby(idx.normalize()).sum()
    assert (per_day == DEFAULT_RULES.intervals_per_day).all()
    assert per_day.index[0] == pd.Timestamp("2024-12-01") and per_day.index[-1] == pd.Timestamp("2026-11-30")
    assert len(per_day) == (dt.date(2026, 11, 30) - dt.date(2024, 12, 1)).days + 1


def test_answered_and_abandoned_add_up_and_abandonment_grows_with_load():
    c = calls()
    assert (c["answered"] + c["abandoned"] == c["calls"]).all()
    assert c.loc[c["answered"] > 0, "aht_s"].notna().all()
    assert c["aht_s"].between(120, 400).mean() > 0.99
    rate = c["abandoned"].sum() / c["calls"].sum()
    assert 0.02 < rate < 0.12
    quiet = c[c["calls"] < 40]
    busy = c[c["calls"] > 150]
    assert busy["abandoned"].sum() / busy["calls"].sum() > 3 * quiet["abandoned"].sum() / quiet["calls"].sum()


def test_daily_volume_is_a_few_thousand_and_grows():
    per_day = daily(calls()["calls"])
    assert 1500 < per_day.mean() < 3500
    first, last = per_day[: 365], per_day[365:]
    assert last.mean() > 1.03 * first.mean()


def test_spring_festival_days_are_lower_than_the_surrounding_weeks():
    per_day = daily(calls()["calls"])
    for year in (2025, 2026):
        festival = [d for d in per_day.index
                    if d.year == year and chinese_calendar.get_holiday_detail(d.date()) == (True, "Spring Festival")]
        assert len(festival) >= 7
        around = per_day[(per_day.index >= festival[0] - pd.Timedelta(days=35)) & (per_day.index < festival[0] - pd.Timedelta(days=14))]
        after = per_day[(per_day.index > festival[-1] + pd.Timedelta(days=14)) & (per_day.index <= festival[-1] + pd.Timedelta(days=35))]
        assert per_day[festival].mean() < 0.6 * pd.concat([around, after]).mean()


def test_rest_days_start_slower_and_make_up_workdays_follow_the_workday_shape():
    c = calls()["calls"]
    kinds = {d: chinese_calendar.is_workday(d.date()) for d in c.index.normalize().unique()}
    workday = np.array([kinds[d] for d in c.index.normalize()])
    before_ten = c.index.hour < 10
    share = {
        flag: c[before_ten & (workday == flag)].sum() / c[workday == flag].sum() for flag in (True, False)
    }
    assert share[False] < 0.85 * share[True]
    # the truth's base demand of a make-up Saturday/Sunday has exactly the shape of a workday
    base = truth_expected()["expected_base_calls"]
    shape = base.groupby(base.index.normalize()).transform(lambda s: s / s.sum())
    make_up = [d for d in kinds if kinds[d] and d.weekday() >= 5]
    ordinary_monday = [d for d in kinds if kinds[d] and d.weekday() == 0][5]
    ordinary_sunday = [d for d in kinds if not kinds[d] and d.weekday() == 6][5]
    assert len(make_up) >= 8
    for day in make_up:
        got = shape[shape.index.normalize() == day].to_numpy()
        assert np.allclose(got, shape[shape.index.normalize() == ordinary_monday].to_numpy(), atol=2e-4)
        assert not np.allclose(got, shape[shape.index.normalize() == ordinary_sunday].to_numpy(), atol=2e-3)


def test_counts_are_over_dispersed():
    c = calls()["calls"]
    expected = truth_expected()["expected_calls"].reindex(c.index)
    pearson = ((c - expected) ** 2 / expected).mean()
    assert pearson > 1.5  # a Poisson world would give about 1
    assert abs(c.sum() / expected.sum() - 1) < 0.02


# --- ads -------------------------------------------------------------------------------------------------


def test_airings_are_daytime_of_varied_channels_durations_and_audiences():
    ads = pd.concat([ads_history(), ads_plan()])
    minute = ads["start"].dt.hour * 60 + ads["start"].dt.minute
    assert minute.min() >= DEFAULT_RULES.open_minute and minute.max() <= 17 * 60 + 35
    assert ads["duration_s"].min() == 15 and ads["duration_s"].max() == 300
    grp = ads.groupby("channel")["grp"].mean()
    assert len(grp) >= 3 and grp.max() > 2.5 * grp.min()
    assert ads["grp"].notna().all() and ads["cost"].gt(0).all()
    per_day = ads_history().groupby(ads_history()["start"].dt.normalize()).size()
    assert len(per_day) == 730 and per_day.median() >= 5
    plan = ads_plan()["start"]
    assert plan.min() >= pd.Timestamp("2026-12-01") and plan.max() < pd.Timestamp("2027-01-01")
    assert plan.dt.normalize().nunique() == 31


def _airing_intervals(ads: pd.DataFrame) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(ads["start"].dt.floor("15min").unique())


def test_airing_intervals_have_more_calls_than_the_same_interval_on_days_without_airings():
    c = calls()["calls"]
    hit = c.index.isin(_airing_intervals(ads_history()))
    # quiet: no airing started in this interval or the hour before it
    recent = np.zeros(len(c), bool)
    for lag in range(5):
        recent |= c.index.isin(_airing_intervals(ads_history()) + pd.Timedelta(minutes=15 * lag))
    slot = c.index.strftime("%H:%M")
    frame = pd.DataFrame({"calls": c.to_numpy(), "slot": slot, "hit": hit, "quiet": ~recent})
    with_airing = frame[frame["hit"]].groupby("slot")["calls"].mean()
    without = frame[frame["quiet"]].groupby("slot")["calls"].mean()
    ratio = (with_airing / without).dropna()
    assert len(ratio) >= 35
    assert (ratio > 1.3).mean() > 0.9
    assert ratio.median() > 2


def test_airings_make_the_sharpest_peak_of_most_days():
    c = calls()["calls"]
    peak = c.groupby(c.index.normalize()).idxmax()
    starts = ads_history()["start"]
    after_airing = [((starts <= t + pd.Timedelta(minutes=15)) & (starts > t - pd.Timedelta(minutes=30))).any() for t in peak]
    assert np.mean(after_airing) > 0.85


# --- staff and leave ---------------------------------------------------------------------------------------


def test_staff_hierarchy_has_a_leader_in_every_group_and_team():
    s = staff()
    assert (s["role"] == "supervisor").sum() == 1
    agents = s[s["role"] == "agent"]
    for group, members in agents.groupby("group"):
        assert 8 <= len(members) <= 10, group
        assert ((s["group"] == group) & (s["role"] == "group_leader")).sum() == 1, group
    leaders = s[s["role"] == "group_leader"]
    assert set(leaders["group"]) == set(agents["group"])
    for team in s.loc[s["role"] != "supervisor", "team"].unique():
        assert ((s["team"] == team) & (s["role"] == "team_leader")).sum() == 1, team
        assert len(s.loc[(s["team"] == team) & (s["role"] == "group_leader"), "group"].unique()) >= 2
    assert s["name"].is_unique


def test_a_few_are_restricted_to_one_shift_and_some_prefer_a_rest_day():
    s = staff()
    one_shift = s["shifts"].map(len) == 1
    assert 5 <= one_shift.sum() <= 20
    assert {x[0] for x in s.loc[one_shift, "shifts"]} == {"E", "L"}
    # every shift keeps plenty of leaders who may work it
    leaders = s[s["role"].isin(DEFAULT_RULES.leader_roles)]
    for code in DEFAULT_RULES.shift_codes:
        assert leaders["shifts"].map(lambda cs: code in cs).sum() >= 10
    preferred = s["preferred_rest_weekday"].dropna()
    assert 10 <= len(preferred) <= 60 and preferred.nunique() >= 5


def test_leave_is_december_known_people_and_never_impossible():
    lv, s = leave(), staff()
    assert set(lv["employee_id"]) <= set(s["employee_id"])
    assert lv["date"].min() >= pd.Timestamp("2026-12-01") and lv["date"].max() <= pd.Timestamp("2026-12-31")
    assert set(lv["kind"]) == {"leave", "rest_request", "shift_request"}
    assert lv.loc[lv["kind"] == "shift_request", "shift"].isin(DEFAULT_RULES.shift_codes).all()
    days_off = lv[lv["kind"] == "leave"].groupby("employee_id").size()
    assert (days_off >= 3).sum() >= 3  # a few multi-day spells
    away = lv[lv["kind"] != "shift_request"]
    leader_ids = set(s.loc[s["role"].isin(DEFAULT_RULES.leader_roles), "employee_id"])
    leaders_away = away[away["employee_id"].isin(leader_ids)].groupby("date").size()
    assert leaders_away.max() <= 1
    assert lv[lv["kind"] == "leave"].groupby("date").size().max() <= 6
    rest = lv[lv["kind"] == "rest_request"]
    weeks = rest.groupby(["employee_id", rest["date"].dt.isocalendar().week]).size()
    assert weeks.max() == 1


# --- truth ---------------------------------------------------------------------------------------------------


def test_truth_covers_history_and_december_on_the_same_grid():
    t = truth_expected()
    history = t[t.index < pd.Timestamp("2026-12-01")]
    assert history.index.equals(calls().index)
    assert len(t) - len(history) == 31 * DEFAULT_RULES.intervals_per_day
    assert (t["expected_calls"] >= t["expected_base_calls"]).all()
    assert history["agents_on_phones"].notna().all() and t.loc["2026-12-01":, "agents_on_phones"].isna().all()


def test_truth_airings_and_curve_rebuild_the_expected_airing_calls():
    """expected − base per interval equals Σ airing calls × response share (December, from the truth files)."""
    curve = pd.read_csv(SAMPLE / "truth_response_curve.csv")
    assert abs(curve["share"].sum() - 1) < 1e-4
    assert len(curve) == gen.RESPONSE_MINUTES
    first_interval = curve["share"][:15].sum()
    assert first_interval > 0.6 and curve["share"][45:].sum() < 0.02
    airings = pd.read_csv(SAMPLE / "truth_airings.csv", parse_dates=["start"])
    plan = airings[airings["start"] >= pd.Timestamp("2026-12-01")].reset_index(drop=True)
    assert len(plan) == len(ads_plan())
    assert (plan["start"] == ads_plan()["start"]).all() and (plan["channel"] == ads_plan()["channel"]).all()
    t = truth_expected().loc["2026-12-01":]
    extra = pd.Series(0.0, index=pd.date_range("2026-12-01", "2027-01-01 01:00", freq="1min"))
    for start, calls_ in zip(plan["start"], plan["expected_calls"]):
        at = extra.index.get_indexer([start])[0]
        extra.iloc[at : at + len(curve)] += calls_ * curve["share"].to_numpy()
    rebuilt = extra.resample("15min").sum().reindex(t.index)
    assert np.allclose(rebuilt, t["expected_calls"] - t["expected_base_calls"], atol=0.05)


def test_truth_records_the_seed_that_drew_the_sample():
    files = gen.sample_files(gen.generate(truth()["seed"]))
    for name in GENERATED:
        assert files[name] == (SAMPLE / name).read_bytes(), f"{name} is not what truth.json's seed draws"


def test_truth_summary_is_computed_from_the_sample():
    s = truth()["summary"]
    c = calls()
    assert s["history_airings"] == len(ads_history()) and s["plan_airings"] == len(ads_plan())
    assert s["max_calls_per_interval"] == c["calls"].max()
    assert s["abandon_rate"] == pytest.approx(c["abandoned"].sum() / c["calls"].sum(), abs=5e-5)
    per_day = daily(c["calls"])
    assert s["mean_calls_per_day"] == pytest.approx(per_day.mean(), abs=0.05)
    assert s["mean_calls_per_day_last_90_days"] == pytest.approx(per_day.iloc[-90:].mean(), abs=0.05)
    december = truth_expected().loc["2026-12-01":, "expected_calls"]
    assert s["plan_expected_calls_per_day"] == pytest.approx(december.sum() / 31, abs=0.05)


def test_truth_parameters_describe_the_channels_and_match_the_curve():
    p = truth()
    channels = p["ads"]["channels"]
    assert set(channels) == set(ads_history()["channel"])
    curve = pd.read_csv(SAMPLE / "truth_response_curve.csv")
    for name, ch in channels.items():
        total_60s = ch["expected_calls_by_duration_s"]["60"]
        assert abs(curve[name].sum() - total_60s) < 0.5
    assert np.allclose(curve["unit"], p["ads"]["calls_per_grp"] * curve["share"], atol=1e-3)
