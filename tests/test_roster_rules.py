"""The roster rules one module each (scheduler.rules), a seeded solve's reproducibility and the fairness
weights on the sample month."""
from __future__ import annotations

import dataclasses
from pathlib import Path

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

    def spreads(weight: int) -> tuple[int, int]:
        weights = dataclasses.replace(inputs.rules.weights, late_shift_fairness=weight, weekend_rest_fairness=weight)
        given = dataclasses.replace(inputs, rules=dataclasses.replace(inputs.rules, weights=weights))
        r = steps.roster_step(given, requirement, time_limit_s=3.0, seed=0)
        return r.kpis["late_shift_spread"], r.kpis["weekend_rest_spread"]

    late_0, weekend_0 = spreads(0)
    late_50, weekend_50 = spreads(50)
    assert late_50 <= late_0 and weekend_50 <= weekend_0
    assert late_50 < late_0 or weekend_50 < weekend_0, (late_0, late_50, weekend_0, weekend_50)


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
