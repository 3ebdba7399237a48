"""A contract's shifts of each type (`min_shifts`, `max_shifts`): read from rules.toml, kept by the roster
through Python, `shiftcast roster` and the API, said in words where they cannot hold, and seen by the
independent checker."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from click.testing import CliRunner

from benchmarks.roster import write_inputs
from cli import main
from core.rules import DEFAULT_RULES, Contract, ShiftCount, rules_from_toml, rules_to_toml
from scheduler.roster import solve
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month

FEW_LATE = Contract("few_late", max_shifts=(ShiftCount("L", 3),))
SOME_LATE = Contract("some_late", min_shifts=(ShiftCount("L", 10),), max_shifts=(ShiftCount("L", 12),))
RULES = dataclasses.replace(DEFAULT_RULES, contracts=(FEW_LATE, SOME_LATE))


def shift_counts(roster: pd.DataFrame, code: str) -> pd.Series:
    return roster.assign(n=roster["shift"] == code).groupby("employee_id")["n"].sum()


def test_shift_bounds_read_from_rules_toml_and_written_back():
    rules = rules_from_toml(b"""
[contracts.few_late]
max_shifts = { L = 3 }

[contracts.some_late]
min_shifts = { L = 10 }
max_shifts = { L = 12 }
""")
    assert rules.contracts == (FEW_LATE, SOME_LATE)
    assert rules_from_toml(rules_to_toml(rules).encode()) == rules


@pytest.fixture(scope="module")
def month():
    return synthetic_month(30, days=28, seed=2, rules=RULES)


def with_contracts(staff: pd.DataFrame, few: int, some: int) -> pd.DataFrame:
    """Agents (the leaders left on the global rules) on the contracts: `few` with few late shifts, then `some`."""
    agents = [e for e, role in zip(staff["employee_id"], staff["role"]) if role == "agent"]
    names = dict(zip(agents, ["few_late"] * few + ["some_late"] * some))
    return staff.assign(contract=[names.get(e, "") for e in staff["employee_id"]])


def test_the_roster_keeps_each_persons_shifts_of_each_type(month):
    staff = with_contracts(month.staff, 6, 6)
    free = solve(month.requirement, month.staff, RULES, leave=month.leave, ads=month.ads, time_limit_s=3, seed=0)
    kept = solve(month.requirement, staff, RULES, leave=month.leave, ads=month.ads, time_limit_s=3, seed=0)
    assert "shifts of each type" not in {c.rule for c in kept.conflicts}
    late = shift_counts(kept.assignments, "L")
    few = staff.loc[staff["contract"] == "few_late", "employee_id"]
    some = staff.loc[staff["contract"] == "some_late", "employee_id"]
    assert (late[few] <= 3).all() and late[some].between(10, 12).all()
    assert not [v for v in roster_violations(kept.assignments, staff, RULES, month.leave, month.ads)
                if v.startswith("shifts of each type")]
    # the checker, independent of the solve, sees what the roster made without the contracts breaks of them
    before = shift_counts(free.assignments, "L")
    broken = [v for v in roster_violations(free.assignments, staff, RULES, month.leave, month.ads)
              if v.startswith("shifts of each type")]
    over = [e for e in few if before[e] > 3]
    outside = [e for e in some if not 10 <= before[e] <= 12]
    assert len(broken) == len(over) + len(outside) > 0
    if over:
        assert f"shifts of each type: {over[0]} works {before[over[0]]} 'L' shifts, at most 3 (contract 'few_late')" \
            in broken


def test_a_bound_that_leaves_someone_no_shift_is_said_in_words(month):
    """No late shift for anyone: the person allowed only the late shift can keep no weekly rest count, and the
    roster says so naming the contract, while nobody works a late shift."""
    rules = dataclasses.replace(RULES, contracts=(Contract("no_late", max_shifts=(ShiftCount("L", 0),)),))
    staff = month.staff.assign(contract="no_late")
    only_late = [e for e, shifts in zip(staff["employee_id"], staff["shifts"]) if tuple(shifts) == ("L",)]
    assert only_late
    roster = solve(month.requirement, staff, rules, leave=month.leave, ads=month.ads, time_limit_s=3, seed=0)
    assert (shift_counts(roster.assignments, "L") == 0).all()
    said = [c for c in roster.conflicts if c.rule == "rest days per week"]
    assert said and {e for c in said for e in c.employees} == set(only_late)
    assert all("keeping their contract 'no_late'" in c.message for c in said)


def test_roster_command_with_shift_bounds(tmp_path, month):
    staff = with_contracts(month.staff, 8, 0)
    paths = write_inputs(dataclasses.replace(month, staff=staff), RULES, tmp_path / "in")
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", "2", "--seed", "1",
            "--out", tmp_path / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(tmp_path / "out" / "roster.csv", keep_default_na=False)
    late = shift_counts(roster, "L")
    assert (late[staff.loc[staff["contract"] == "few_late", "employee_id"]] <= 3).all()
