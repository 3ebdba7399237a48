"""The roster rules one module each (scheduler.rules), a seeded solve's reproducibility and the fairness
weights on the sample month."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.rules import DEFAULT_RULES
from scheduler.roster import solve
from scheduler.roster_synthetic import synthetic_month
from scheduler.rules import ROSTER_RULES

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_every_registered_rule_has_its_row_in_the_docs_table():
    table = DOCS.read_text(encoding="utf-8")
    for rule in ROSTER_RULES:
        module = type(rule).__module__.replace(".", "/") + ".py"
        rows = [line for line in table.splitlines() if line.startswith("|") and f"`{module}`" in line]
        assert any(rule.name in row for row in rows), (rule.name, module)
        assert all(f"`{key}`" in table for key in rule.keys), rule.keys
        assert (Path(__file__).resolve().parents[1] / module).exists()


def test_a_seeded_solve_gives_the_same_roster_twice():
    month = synthetic_month(30, days=10, seed=9)
    first, second = (solve(month.requirement, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads,
                           time_limit_s=2.0, seed=0) for _ in range(2))
    pd.testing.assert_frame_equal(first.assignments, second.assignments)
    assert first.objective == second.objective and first.lower_bound == second.lower_bound


@pytest.mark.slow
def test_raising_the_fairness_weights_narrows_their_spreads_on_the_sample_month():
    from shiftcast import steps
    from shiftcast.inputs import InputPaths, load_inputs

    inputs = load_inputs(InputPaths.sample())
    requirement = steps.requirement_step(inputs, steps.forecast_step(inputs, "2026-12").table)
    defaults = inputs.rules.weights

    def spread(kpi: str, **weight: int) -> int:
        weights = dataclasses.replace(defaults, **weight)
        given = dataclasses.replace(inputs, rules=dataclasses.replace(inputs.rules, weights=weights))
        return getattr(steps.roster_step(given, requirement, time_limit_s=3.0, seed=0).kpis, kpi)

    # each weight on its own, the other at its default
    for weight, kpi in (("late_shift_fairness", "late_shift_spread"), ("weekend_rest_fairness", "weekend_rest_spread")):
        without, high = spread(kpi, **{weight: 0}), spread(kpi, **{weight: 200})
        assert high < without, (weight, without, high)


def test_the_rules_alone_allow_any_weekend_rest_spread_on_the_sample_month():
    """One rest day a week and six work days in a row at most bind each person's weekend rests together
    (a rest day moves only earlier from week to week), but every spread stays possible: the roster's
    weekend-rest spread is the coverage's choice, which the weight can change."""
    from ortools.sat.python import cp_model

    from scheduler.roster_build import build_problem
    from scheduler.roster_model import person_model
    from scheduler.rules.weekend_rest_fairness import comparable, weekend_days, weekend_reach, weekends
    from shiftcast.inputs import InputPaths, load_inputs

    inputs = load_inputs(InputPaths.sample())
    days = pd.date_range("2026-12-01", "2026-12-31", freq="D")
    requirement = pd.Series(1, index=pd.DatetimeIndex([d + pd.Timedelta(hours=8) for d in days]))
    p = build_problem(requirement, inputs.staff, inputs.rules, inputs.leave, inputs.plan)
    assert [len(g) for g in weekends(p)] == [2, 2, 2, 2]  # Tuesday 1 to Thursday 31: four whole weekends
    regular = int(next(e for e in range(p.n_people) if not p.leave[e].any()))
    # resting on the k-th weekend means resting on every one before; not resting there, on none after
    assert weekend_reach(p, regular) == ((1, 2, 3, 4), (0, 1, 2, 3))
    fair = np.flatnonzero(comparable(p))
    for spread in range(5):
        model = cp_model.CpModel()
        rest, _ = person_model(model, p, fair, goals=False)
        counts = [sum(rest[e, d] for d in weekend_days(p) if (e, d) in rest) for e in fair]
        most, least = model.new_int_var(0, 8, "most"), model.new_int_var(0, 8, "least")
        for x in counts:
            model.add(least <= x)
            model.add(x <= most)
        model.add(most - least == spread)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = 10.0
        assert solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE), spread


def test_the_checker_names_each_hard_rule_a_roster_breaks():
    from scheduler.roster_checks import roster_violations

    month = synthetic_month(30, days=7, seed=2)
    r = solve(month.requirement, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads, time_limit_s=2.0)
    assert roster_violations(r.assignments, month.staff, DEFAULT_RULES, month.leave, month.ads) == []
    a = r.assignments.copy()
    staff = month.staff.set_index("employee_id")
    first = a["date"].min()
    only_early = next(e for e, s in staff["shifts"].items() if s == ("E",))
    a.loc[(a["employee_id"] == only_early) & (a["date"] == first), ["shift", "lunch_start"]] = ["L", "13:00"]
    on_leave = month.leave[month.leave["kind"] == "leave"].iloc[0]
    a.loc[(a["employee_id"] == on_leave["employee_id"]) & (a["date"] == on_leave["date"]), ["shift", "lunch_start"]] = ["E", "11:00"]
    leaders = staff.index[staff["role"].isin(DEFAULT_RULES.leader_roles)]
    last = a["date"].max()
    a.loc[a["employee_id"].isin(leaders) & (a["date"] == last), ["shift", "lunch_start"]] = ["OFF", None]
    worker = a[(a["date"] == first) & (a["shift"] == "E") & (a["employee_id"] != only_early)].index[0]
    a.loc[worker, "lunch_start"] = "09:00"
    found = roster_violations(a, month.staff, DEFAULT_RULES, month.leave, month.ads)
    for words in ("allowed shifts", "approved leave", "leader on every shift", "lunch window"):
        assert any(v.startswith(words) for v in found), (words, found)
