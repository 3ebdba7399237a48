"""The hiring plan: its arithmetic, its minimality, and that longer training moves hires earlier."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.hiring import hiring_plan
from core.errors import DataError

MONTHS = pd.period_range("2027-01", periods=12, freq="M")


def requirements(values) -> pd.Series:
    return pd.Series(values, index=[str(m) for m in MONTHS[: len(values)]], dtype="float64")


plans = st.fixed_dictionaries(
    {
        "values": st.lists(st.floats(0, 200), min_size=1, max_size=8),
        "current_staff": st.floats(0, 200),
        "attrition": st.floats(0, 0.1),
        "training_weeks": st.floats(0, 12),
        "training_attrition": st.floats(0, 0.3),
        "ramp": st.lists(st.floats(0.3, 1.0), max_size=3),
        "as_of_days_before": st.integers(0, 90),
    }
)


def make(p: dict, **override):
    args = {**p, **override}
    as_of = MONTHS[0].to_timestamp() - pd.Timedelta(days=args.pop("as_of_days_before"))
    return hiring_plan(requirements(args.pop("values")), as_of=as_of, **args)


def reachable(plan, training_weeks: float) -> pd.Series:
    """Plan months that hires started on `as_of` can still be ready for."""
    as_of = pd.Timestamp(plan.assumptions["as_of"])
    months = plan.table.index[plan.table["required"].notna()]
    return pd.Series(months.to_timestamp() - pd.Timedelta(days=7 * training_weeks) >= as_of, index=months)


def test_no_attrition_no_ramp_hires_the_difference():
    plan = hiring_plan(requirements([100, 105, 103, 110]), current_staff=100, attrition=0, training_weeks=2,
                       training_attrition=0, ramp=(), as_of="2026-12-01")
    t = plan.table.loc[MONTHS[:4]]
    assert plan.cohorts["hires"].tolist() == [5, 5]
    assert plan.cohorts["start"].tolist() == [pd.Timestamp("2027-01-18"), pd.Timestamp("2027-03-18")]
    assert t["effective_agents"].tolist() == [100, 105, 105, 110]
    assert t["gap"].tolist() == [0, 0, -2, 0]
    assert t["expected_without_hiring"].tolist() == [100] * 4
    assert not t["unreachable"].any()


def test_attrition_and_training_dropouts_are_counted():
    # 100 agents, 10 % leave each month: 90 at the end of January; 10 short; a fifth of trainees drop out,
    # the first month runs at half speed: 10 / (0.8 * 0.9 * 0.5) = 27.8 -> 28 hires
    plan = hiring_plan(requirements([100]), current_staff=100, attrition=0.10, training_weeks=4,
                       training_attrition=0.2, ramp=(0.5,), as_of="2026-11-01")
    t = plan.table.loc[MONTHS[0]]
    assert t["expected_without_hiring"] == pytest.approx(90.0)
    assert plan.cohorts["hires"].tolist() == [28]
    assert plan.cohorts["start"].iloc[0] == pd.Timestamp("2027-01-01") - pd.Timedelta(weeks=4)
    assert t["effective_agents"] == pytest.approx(90 + 28 * 0.8 * 0.9 * 0.5)
    assert t["expected_headcount"] == pytest.approx(90 + 28 * 0.8 * 0.9)
    # the hires appear in December, the month they start, which precedes the plan
    assert plan.table.loc[pd.Period("2026-12", "M"), "hires"] == 28


def test_too_late_months_are_reported_and_hires_start_at_once():
    plan = hiring_plan(requirements([120, 120, 120]), current_staff=100, attrition=0, training_weeks=6,
                       training_attrition=0, ramp=(), as_of="2027-01-01")
    t = plan.table
    assert t.loc[MONTHS[0], "unreachable"] and t.loc[MONTHS[0], "gap"] == 20
    # hires start on as_of, finish mid-February, count from March: February is short too
    assert plan.cohorts["start"].tolist() == [pd.Timestamp("2027-01-01")]
    assert plan.cohorts["ready_month"].tolist() == [MONTHS[2]]
    assert bool(plan.cohorts["late"].iloc[0])
    assert t.loc[MONTHS[1], "unreachable"] and not t.loc[MONTHS[2], "unreachable"]


def test_costs_add_wages_training_and_hiring():
    plan = hiring_plan(requirements([10, 12]), current_staff=10, attrition=0, training_weeks=0,
                       training_attrition=0, ramp=(), as_of="2027-01-01", monthly_wage=5000, hiring_cost=800)
    t = plan.table
    assert t["cost"].tolist() == [10 * 5000, 12 * 5000 + 2 * 800]


@pytest.mark.parametrize(
    "kwargs, field",
    [({"attrition": 1.0}, "attrition"), ({"training_weeks": -1}, "training_weeks"),
     ({"ramp": (0.0,)}, "ramp"), ({"current_staff": -3}, "current_staff")],
)
def test_bad_assumptions_name_the_field(kwargs, field):
    with pytest.raises(DataError) as err:
        hiring_plan(requirements([10]), **{"current_staff": 10, **kwargs})
    assert err.value.column == field


def test_months_must_be_consecutive():
    with pytest.raises(DataError, match="2027-02 is missing"):
        hiring_plan(pd.Series({"2027-01": 10.0, "2027-03": 10.0}), current_staff=10)


@settings(max_examples=40, deadline=None)
@given(plans)
def test_every_reachable_month_is_met_and_no_cohort_is_too_big(p):
    plan = make(p)
    t = plan.table.loc[MONTHS[: len(p["values"])]]
    ok = reachable(plan, p["training_weeks"])
    assert (t.loc[ok, "gap"] <= 1e-6).all()
    assert (t["unreachable"] == (t["gap"] > 1e-9)).all()
    # minimal: one hire fewer in any cohort leaves its first month short
    per_hire = (1 - p["training_attrition"]) * (1 - p["attrition"]) * (p["ramp"][0] if p["ramp"] else 1.0)
    for _, c in plan.cohorts.iterrows():
        row = plan.table.loc[c["ready_month"]]
        assert row["effective_agents"] - per_hire < row["required"] - 1e-9
    # the recurrence: headcount = no-hiring baseline + surviving graduates
    grads = np.zeros(len(t))
    for _, c in plan.cohorts.iterrows():
        k = MONTHS.get_loc(c["ready_month"])
        j = np.arange(len(t) - k)
        grads[k:] += c["graduates"] * (1 - p["attrition"]) ** (j + 1)
    np.testing.assert_allclose(t["expected_headcount"], t["expected_without_hiring"] + grads, rtol=1e-9, atol=1e-9)
    assert plan.table["hires"].sum() == plan.total_hires


@settings(max_examples=40, deadline=None)
@given(plans, st.floats(0.5, 12))
def test_longer_training_moves_hires_earlier(p, extra_weeks):
    short = make(p)
    long = make(p, training_weeks=p["training_weeks"] + extra_weeks)
    # a month served by a cohort under both plans is served by an earlier start under the longer training
    s = short.cohorts.set_index("for_month")["start"]
    lo = long.cohorts.set_index("for_month")["start"]
    both = s.index.intersection(lo.index)
    assert (lo[both] <= s[both]).all()
    # any month the longer training can still reach, the shorter one can too
    assert (reachable(long, p["training_weeks"] + extra_weeks) <= reachable(short, p["training_weeks"])).all()


@settings(max_examples=40, deadline=None)
@given(plans, st.floats(0.5, 12))
def test_with_time_to_train_longer_training_shifts_every_hire_earlier_by_the_difference(p, extra_weeks):
    weeks = p["training_weeks"] + extra_weeks
    early = {**p, "as_of_days_before": int(np.ceil(7 * weeks))}  # nothing is late under either training
    short = make(early)
    long = make(early, training_weeks=weeks)
    assert long.cohorts["hires"].tolist() == short.cohorts["hires"].tolist()
    shift = (short.cohorts["start"] - long.cohorts["start"]).dt.total_seconds() / 86400
    np.testing.assert_allclose(shift, 7 * extra_weeks, atol=1e-6)
