"""`shiftcast roster`: files in, roster.csv and coverage.csv out (the roster step of `shiftcast plan`, seeded
for the same roster every time); bad input is one clear line."""
from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from benchmarks.roster import write_inputs
from scheduler.roster import load_requirement
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month
from cli import main
from core.rules import DEFAULT_RULES
from shiftcast.exports.tables import write_roster_csvs
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.steps import roster_step


def test_roster_command_writes_the_roster_and_coverage(tmp_path):
    month = synthetic_month(30, days=7, seed=2)  # three leaders: one can rest each day
    paths = write_inputs(month, DEFAULT_RULES, tmp_path / "in")
    out = tmp_path / "out"
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", "2", "--out", out]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "roster: " in result.output and "shortfall" in result.output and "wrote" in result.output
    header = (out / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "employee_id,date,shift,lunch_start"
    roster = pd.read_csv(out / "roster.csv", keep_default_na=False)
    assert len(roster) == 30 * 7
    roster["lunch_start"] = roster["lunch_start"].replace("", None)
    assert roster_violations(roster, month.staff, DEFAULT_RULES, month.leave, month.ads) == []
    coverage = pd.read_csv(out / "coverage.csv")
    assert list(coverage.columns)[:5] == ["interval_start", "required", "staffed", "short", "over"]

    # re-plan from that roster as --previous
    again = CliRunner().invoke(main, [str(a) for a in args[:-1]] + [str(tmp_path / "again"), "--previous", str(out / "roster.csv")])
    assert again.exit_code == 0, again.output


def test_roster_command_names_the_bad_file_and_cell(tmp_path):
    month = synthetic_month(10, days=7, seed=2)
    paths = write_inputs(month, DEFAULT_RULES, tmp_path)
    paths["requirement"].write_text("interval_start,scheduled\n2026-12-01 08:00,many\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["roster", "--requirement", str(paths["requirement"]), "--staff", str(paths["staff"]),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "requirement.csv" in result.output and "scheduled" in result.output and "row 2" in result.output


def test_roster_reads_the_requirement_shiftcast_staffing_writes(tmp_path):
    """`shiftcast staffing` output goes straight into `shiftcast roster --requirement`."""
    calls = tmp_path / "calls.csv"
    starts = pd.date_range("2026-12-01 08:00", periods=40, freq="15min")
    calls.write_text("interval_start,calls\n" + "".join(f"{t:%Y-%m-%d %H:%M},{20 + i % 7}\n" for i, t in enumerate(starts)))
    out = tmp_path / "requirement.csv"
    assert CliRunner().invoke(main, ["staffing", "--calls", str(calls), "--out", str(out)]).exit_code == 0
    requirement = load_requirement(out)
    assert len(requirement) == 40 and (requirement["scheduled"] > 0).all() and "calls" in requirement


def test_a_seeded_roster_is_the_roster_step_s_and_the_same_every_time(tmp_path):
    month = synthetic_month(30, days=7, seed=2)  # stops at the time limit short of optimal: the seed decides
    paths = write_inputs(month, DEFAULT_RULES, tmp_path / "in")
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", "1", "--seed", "7", "--out"]
    for out in ("first", "second"):
        result = CliRunner().invoke(main, [str(a) for a in args] + [str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    inputs = load_inputs(InputPaths(staff=paths["staff"], leave=paths["leave"], rules=paths["rules"], plan=paths["ads"]))
    step = roster_step(inputs, load_requirement(paths["requirement"]), time_limit_s=1, seed=7)
    write_roster_csvs(tmp_path / "step", step, inputs.staff)
    for name in ("roster.csv", "coverage.csv", "employees.csv", "short_intervals.csv"):
        first = (tmp_path / "first" / name).read_bytes()
        assert first == (tmp_path / "second" / name).read_bytes() == (tmp_path / "step" / name).read_bytes(), name
