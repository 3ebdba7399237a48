"""scheduler.staffing: reference values, minimality, monotonicity, understaffing, table shape."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler import erlang
from scheduler.staffing import COLUMNS, performance, requirements, scheduled_agents
from core.rules import DEFAULT_RULES, ServiceTargets

REFERENCE = ServiceTargets(service_level=0.8, answer_within_s=20.0, max_occupancy=0.85, shrinkage=0.3)


def test_reference_values():
    row = requirements(100, 180, REFERENCE, interval_minutes=30).iloc[0]
    assert row["agents"] == 14 and row["scheduled"] == 20
    assert row["service_level"] == pytest.approx(0.8883500191794669, rel=1e-12)
    assert row["occupancy"] == pytest.approx(0.7142857142857143, rel=1e-12)
    assert row["prob_wait"] == pytest.approx(0.1741319335950498, rel=1e-12)
    assert row["load_erlangs"] == pytest.approx(10.0)


def test_reference_values_with_occupancy_cap_070():
    row = requirements(100, 180, dataclasses.replace(REFERENCE, max_occupancy=0.70), interval_minutes=30).iloc[0]
    assert row["agents"] == 15 and row["scheduled"] == 22
    assert row["service_level"] == pytest.approx(0.9414528428690223, rel=1e-12)
    assert row["prob_wait"] == pytest.approx(0.10204236700798798, rel=1e-12)


def test_occupancy_cap_met_exactly_is_not_lost_to_float_rounding():
    # 96 calls / 30 min at 180 s = 9.6 Erlangs; 9.6 / 0.8 = 12.000000000000002 in floats.
    targets = dataclasses.replace(REFERENCE, service_level=0.5, max_occupancy=0.8)
    row = requirements(96, 180, targets, interval_minutes=30).iloc[0]
    assert row["agents"] == 12
    assert row["occupancy"] == pytest.approx(0.8)


def test_scheduled_ignores_float_noise():
    assert 21 / (1 - 0.3) > 30  # the noise this guards against
    assert scheduled_agents([21, 14, 0, 7, 15], 0.3).tolist() == [30, 20, 0, 10, 22]
    assert scheduled_agents([1], 0.0).tolist() == [1]


def _minimal(calls, aht, targets, minutes=15, model="erlang_c") -> tuple[np.ndarray, np.ndarray]:
    """(agents, whether agents − 1 would also have met every target) by brute force via performance."""
    table = requirements(calls, aht, targets, minutes, model=model)
    agents = table["agents"].to_numpy()
    fewer = performance(table["calls"], aht, np.maximum(agents - 1, 0), targets, minutes)
    suffix = "_a" if model == "erlang_a" else ""
    ok = fewer[f"service_level{suffix}"].to_numpy() >= targets.service_level
    occupancy = fewer[f"occupancy{suffix}"].to_numpy()
    ok &= ~(occupancy > targets.max_occupancy)
    if targets.max_asa_s is not None:
        ok &= fewer[f"asa{suffix}_s"].to_numpy() <= targets.max_asa_s
    if model == "erlang_c":
        ok &= fewer["load_erlangs"].to_numpy() < agents - 1
    if targets.max_abandon_rate is not None:
        ok &= fewer["abandon_rate"].to_numpy() <= targets.max_abandon_rate
    return agents, ok & (agents > 0)


def _meets(table: pd.DataFrame, targets: ServiceTargets, suffix: str = "") -> np.ndarray:
    slack = 1e-9
    ok = table[f"service_level{suffix}"].to_numpy() >= targets.service_level - slack
    ok &= ~(table[f"occupancy{suffix}"].to_numpy() > targets.max_occupancy + slack)
    if targets.max_asa_s is not None:
        ok &= table[f"asa{suffix}_s"].to_numpy() <= targets.max_asa_s + slack
    if targets.max_abandon_rate is not None:
        ok &= table["abandon_rate"].to_numpy() <= targets.max_abandon_rate + slack
    return ok


@pytest.mark.parametrize("sl", [0.2, 0.5, 0.8, 0.95, 0.999])
@pytest.mark.parametrize("occ", [0.6, 0.85, 1.0])
def test_erlang_c_sizing_is_the_smallest_that_meets_targets(sl, occ):
    # Low targets included: the search must not start above a valid smaller count.
    calls = pd.Series(np.r_[0.0, 0.3, 1, 2, 5, 9.7, 23, 48, 96, 100, 250, 777, 2000])
    targets = dataclasses.replace(REFERENCE, service_level=sl, max_occupancy=occ, max_asa_s=30.0)
    agents, fewer_ok = _minimal(calls, 180.0, targets, 30)
    table = requirements(calls, 180.0, targets, 30)
    assert _meets(table, targets).all()
    assert not fewer_ok.any()
    assert agents[0] == 0 and (agents[1:] > 0).all()


@pytest.mark.parametrize("patience", [30.0, 90.0, 600.0])
def test_erlang_a_sizing_is_the_smallest_that_meets_targets(patience):
    calls = pd.Series([0.0, 1, 4, 20, 60, 150, 400])
    targets = dataclasses.replace(REFERENCE, patience_s=patience, max_abandon_rate=0.03, max_asa_s=15.0)
    table = requirements(calls, 240.0, targets, model="erlang_a")
    assert _meets(table, targets, suffix="_a").all()
    _, fewer_ok = _minimal(calls, 240.0, targets, model="erlang_a")
    assert not fewer_ok.any()


def test_abandonment_cap_adds_agents_to_erlang_c_sizing():
    loose = dataclasses.replace(REFERENCE, patience_s=60.0)
    strict = dataclasses.replace(loose, max_abandon_rate=0.002)
    calls = pd.Series([30.0, 80, 200])
    base, capped = requirements(calls, 240, loose), requirements(calls, 240, strict)
    assert (base["abandon_rate"] > 0.002).all()
    assert (capped["agents"] > base["agents"]).all()
    assert (capped["abandon_rate"] <= 0.002).all()
    assert _meets(capped, strict).all()


def test_defaults_come_from_the_rules():
    calls = pd.Series([40.0, 80.0])
    default = requirements(calls, DEFAULT_RULES.service.aht_s, DEFAULT_RULES.service)
    assert default["agents"].tolist() == requirements(calls, 240.0, ServiceTargets())["agents"].tolist()
    assert default["abandon_rate"].notna().all()  # the default patience turns Erlang A on
    no_patience = requirements(calls, 240.0, dataclasses.replace(DEFAULT_RULES.service, patience_s=None))
    assert no_patience["abandon_rate"].isna().all()


def test_zero_calls_need_no_agents_and_index_is_kept():
    index = pd.date_range("2026-12-01 08:00", periods=4, freq="15min", name="interval_start")
    calls = pd.Series([0.0, 12.0, 0.0, 40.0], index=index)
    aht = pd.Series([0.0, 200.0, np.nan, 250.0], index=index)  # no calls, no AHT measured
    table = requirements(calls, aht, REFERENCE)
    assert table.index.equals(index)
    assert list(table.columns) == list(COLUMNS)
    assert table["agents"].tolist()[0::2] == [0, 0]
    assert table["scheduled"].tolist()[0::2] == [0, 0]
    assert (table["service_level"].iloc[0::2] == 1.0).all()
    assert table["agents"].dtype == np.int64 and table["scheduled"].dtype == np.int64


def test_mismatched_or_bad_inputs_are_refused():
    a = pd.Series([1.0, 2.0], index=[0, 1])
    with pytest.raises(ValueError, match="indexed differently"):
        requirements(a, pd.Series([180.0, 180.0], index=[5, 6]), REFERENCE)
    with pytest.raises(ValueError, match="calls"):
        requirements(pd.Series([1.0, -2.0]), 180, REFERENCE)
    with pytest.raises(ValueError, match="calls"):
        requirements(pd.Series([1.0, np.nan]), 180, REFERENCE)
    with pytest.raises(ValueError, match="aht_s"):
        requirements(pd.Series([1.0, 2.0]), pd.Series([180.0, 0.0]), REFERENCE)
    with pytest.raises(ValueError, match="whole"):
        performance(10, 180, 2.5, REFERENCE)
    with pytest.raises(ValueError, match="patience"):
        requirements(10, 180, dataclasses.replace(REFERENCE, patience_s=None), model="erlang_a")


def test_performance_reports_understaffed_intervals_honestly():
    calls = pd.Series([100.0, 100.0, 100.0, 100.0, 0.0])
    agents = pd.Series([0, 5, 10, 14, 0])
    table = performance(calls, 180, agents, REFERENCE, interval_minutes=30)
    # Erlang C: no steady state at or below 10 Erlangs.
    assert table["service_level"].iloc[:3].tolist() == [0.0, 0.0, 0.0]
    assert np.isinf(table["asa_s"].iloc[:3]).all()
    # Erlang A: finite and ordered, everyone lost with no agents.
    assert table["abandon_rate"].iloc[0] == 1.0 and table["service_level_a"].iloc[0] == 0.0
    assert 0 < table["service_level_a"].iloc[1] < table["service_level_a"].iloc[2] < table["service_level_a"].iloc[3] < 1
    assert 1 > table["abandon_rate"].iloc[1] > table["abandon_rate"].iloc[2] > table["abandon_rate"].iloc[3] > 0
    assert np.isfinite(table["asa_a_s"].iloc[1:4]).all()
    # The staffed interval matches the reference and the empty one is perfect.
    assert table["service_level"].iloc[3] == pytest.approx(0.8883500191794669, rel=1e-12)
    assert table["service_level"].iloc[4] == 1.0 and table["abandon_rate"].iloc[4] == 0.0


def test_performance_inverts_requirements():
    calls = pd.Series(np.linspace(0, 300, 31))
    req = requirements(calls, 240, ServiceTargets())
    back = performance(calls, 240, req["agents"], ServiceTargets())
    pd.testing.assert_frame_equal(req, back, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    calls=st.floats(0, 3000),
    extra=st.floats(0, 500),
    aht=st.floats(20, 900),
    sl=st.floats(0.05, 0.99),
    within=st.floats(0, 120),
    occ=st.floats(0.5, 1.0),
)
def test_more_calls_never_need_fewer_agents(calls, extra, aht, sl, within, occ):
    targets = ServiceTargets(service_level=sl, answer_within_s=within, max_occupancy=occ)
    small, large = requirements(pd.Series([calls, calls + extra]), aht, targets)["agents"]
    assert large >= small


@settings(max_examples=40, deadline=None)
@given(calls=st.floats(1, 2000), aht=st.floats(20, 900), sl=st.floats(0.05, 0.95), bump=st.floats(0, 0.04),
       within=st.floats(1, 120))
def test_stricter_targets_never_need_fewer_agents(calls, aht, sl, bump, within):
    base = ServiceTargets(service_level=sl, answer_within_s=within)
    n = requirements(calls, aht, base)["agents"].iloc[0]
    assert requirements(calls, aht, dataclasses.replace(base, service_level=sl + bump))["agents"].iloc[0] >= n
    assert requirements(calls, aht, dataclasses.replace(base, answer_within_s=within / 2))["agents"].iloc[0] >= n
    assert requirements(calls, aht * 1.1, base)["agents"].iloc[0] >= n


@settings(max_examples=40, deadline=None)
@given(calls=st.floats(0.5, 1500), aht=st.floats(30, 600), patience=st.floats(5, 1200), agents=st.integers(0, 400))
def test_erlang_a_performance_is_a_proper_distribution(calls, aht, patience, agents):
    targets = dataclasses.replace(REFERENCE, patience_s=patience)
    row = performance(calls, aht, agents, targets).iloc[0]
    for column in ("service_level_a", "prob_wait_a", "abandon_rate"):
        assert -1e-12 <= row[column] <= 1 + 1e-12
    assert row["service_level_a"] <= 1 - row["abandon_rate"] + 1e-12  # only answered callers count
    assert row["abandon_rate"] <= row["prob_wait_a"] + 1e-12  # only waiting callers hang up
    more = performance(calls, aht, agents + 1, targets).iloc[0]
    assert more["abandon_rate"] <= row["abandon_rate"] + 1e-12
    assert more["service_level_a"] >= row["service_level_a"] - 1e-12


def test_sizing_matches_a_plain_upward_search():
    """The vectorised sizing equals the textbook loop N = 1, 2, ... in plain Python floats."""
    rng = np.random.default_rng(3)
    loads = np.r_[rng.uniform(0, 60, 200), [1e-6, 0.999999, 1.0, 12.0]]
    got = erlang.smallest_agents(loads, 180.0, service_level=0.8, answer_within_s=20.0, max_occupancy=0.85)
    for a, n in zip(loads.tolist(), got.tolist()):
        k, b = 0, 1.0
        while True:
            k += 1
            b = a * b / (k + a * b)  # Erlang B, one agent more
            if k <= a:
                continue
            c = k * b / (k - a * (1 - b))
            if 1 - c * math.exp(-(k - a) * 20.0 / 180.0) >= 0.8 and a / k <= 0.85 + 1e-12:
                break
        assert n == k, a
