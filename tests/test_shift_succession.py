"""The shift-succession rule (no early shift right after a late one): from rules.toml through
`shiftcast roster` to the independent checker; its contradictions named in the rules file."""
from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from benchmarks.roster import write_inputs
from cli import main
from core.errors import DataError
from core.rules import DEFAULT_RULES, load_rules, rules_from_dict
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month
from scheduler.rules.shift_succession import forbidden_pairs

NO_EARLY_AFTER_LATE = dataclasses.replace(DEFAULT_RULES, shifts=(
    DEFAULT_RULES.shifts[0], dataclasses.replace(DEFAULT_RULES.shifts[1], not_followed_by=("E",))))


def late_then_early(roster: pd.DataFrame) -> list[tuple[str, str]]:
    """(employee, day) of every early shift worked the day after a late one."""
    grid = roster.pivot(index="employee_id", columns="date", values="shift")
    days = list(grid.columns)
    return [(e, b) for e in grid.index for a, b in zip(days, days[1:]) if grid.at[e, a] == "L" and grid.at[e, b] == "E"]


def roster_of(rules, tmp_path, name: str) -> tuple[pd.DataFrame, object]:
    month = synthetic_month(30, days=14, seed=2, rules=rules)
    paths = write_inputs(month, rules, tmp_path / name)
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", "2", "--seed", "3",
            "--out", tmp_path / name / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(tmp_path / name / "out" / "roster.csv", keep_default_na=False)
    roster["lunch_start"] = roster["lunch_start"].replace("", None)
    return roster, month


def test_no_early_shift_right_after_a_late_one(tmp_path):
    free, _ = roster_of(DEFAULT_RULES, tmp_path, "free")
    assert late_then_early(free), "without the rule the roster has late-then-early pairs to forbid"
    assert not any(v.startswith("shift succession") for v in roster_violations(free, synthetic_month(30, 14, 2).staff,
                                                                             DEFAULT_RULES))
    kept, month = roster_of(NO_EARLY_AFTER_LATE, tmp_path, "kept")
    assert late_then_early(kept) == []
    assert roster_violations(kept, month.staff, NO_EARLY_AFTER_LATE, month.leave, month.ads) == []
    # the checker, independent of the solve, sees the pairs of the roster made without the rule
    broken = roster_violations(free, month.staff, NO_EARLY_AFTER_LATE, month.leave, month.ads)
    pairs = late_then_early(free)
    assert len([v for v in broken if v.startswith("shift succession")]) == len(pairs)
    emp, day = pairs[0]
    assert f"shift succession: {emp} works E on {day} right after L on " in "\n".join(broken)


def test_minimum_rest_hours_forbid_the_same_succession(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("min_rest_hours_between_shifts = 15\n", encoding="utf-8")  # late ends 18:00, early starts 08:00
    assert forbidden_pairs(load_rules(path)) == forbidden_pairs(NO_EARLY_AFTER_LATE) == [(1, 0)]
    path.write_text("min_rest_hours_between_shifts = 14\n", encoding="utf-8")
    assert forbidden_pairs(load_rules(path)) == []


@pytest.mark.parametrize("raw, message", [
    ({"shifts": [{"code": "E", "start": "08:00", "end": "17:00"},
                 {"code": "L", "start": "10:00", "end": "18:00", "not_followed_by": ["X"]}]},
     "shift 'L': not_followed_by names 'X', which is not a shift (shifts: E, L)"),
    ({"shifts": [{"code": "E", "start": "08:00", "end": "17:00", "not_followed_by": "L"}]},
     "shifts[1].not_followed_by must be a list of shift codes"),
    ({"min_rest_hours_between_shifts": 30}, "min_rest_hours_between_shifts must be ≥ 0 and ≤ 24, got 30"),
])
def test_contradictions_are_named(raw, message):
    with pytest.raises(DataError, match=re.escape(message)):
        rules_from_dict(raw, "rules.toml")
